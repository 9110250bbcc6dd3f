package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Identifier is one typed identifier value. Build it with [NewIdentifier] (or
// [Rules.NewIdentifier]) so that Value is normalised; the engine compares values
// byte for byte.
type Identifier struct {
	Type  Type
	Value string
}

// String returns "type:value".
func (id Identifier) String() string { return id.Type.String() + ":" + id.Value }

// maxValueLen bounds every identifier value in bytes.
const maxValueLen = 256

// NewIdentifier returns the identifier of type t with value normalised by r. It
// returns the errs.Invalid error of [Rules.Normalize].
func (r *Rules) NewIdentifier(t Type, value string) (Identifier, error) {
	v, err := r.Normalize(t, value)
	if err != nil {
		return Identifier{}, err
	}
	return Identifier{Type: t, Value: v}, nil
}

// Normalize returns value normalised for type t under [DefaultRules]: phones become
// E.164 (+86 and 11 digits), e-mails lower case, member cards upper case without
// spaces or dashes, other ids trimmed with case preserved. Normalize is idempotent.
// It returns an errs.Invalid error (field "identifiers.<type>") that says why a
// value is rejected, for example a landline or an e-mail without a domain.
func Normalize(t Type, value string) (string, error) {
	r := DefaultRules()
	return r.Normalize(t, value)
}

// Normalize is [Normalize] with the normalisation kinds of r.
func (r *Rules) Normalize(t Type, value string) (string, error) {
	if !t.Valid() {
		return "", errs.E(errs.Invalid, "unknown identifier type %d", t)
	}
	field := "identifiers." + t.String()
	if !utf8.ValidString(value) {
		return "", errs.Field(field, "not valid UTF-8")
	}
	if len(value) > 4*maxValueLen {
		return "", errs.Field(field, "longer than %d bytes", maxValueLen)
	}
	var (
		v      string
		reason string
	)
	switch r.Types[t].Normalization {
	case NormPhone:
		v, reason = normPhone(value)
	case NormEmail:
		v, reason = normEmail(value)
	case NormCard:
		v, reason = normCard(value)
	case NormMaskedPhone:
		v, reason = normMaskedPhone(value)
	default:
		v, reason = normID(value)
	}
	if reason != "" {
		return "", errs.Field(field, "%s", reason)
	}
	if len(v) > maxValueLen {
		return "", errs.Field(field, "longer than %d bytes", maxValueLen)
	}
	return v, nil
}

// phoneChars folds full-width characters, drops the separators people type in phone
// numbers and reports whether a leading '+' was present.
func phoneChars(s string) (string, bool) {
	s = width.Fold.String(strings.TrimSpace(s))
	var b strings.Builder
	plus := false
	for _, c := range s {
		switch {
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || unicode.IsSpace(c):
		case c == '+' && b.Len() == 0 && !plus:
			plus = true
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), plus
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func normPhone(s string) (string, string) {
	d, plus := phoneChars(s)
	if d == "" {
		return "", "empty phone number"
	}
	if !allDigits(d) {
		return "", "phone number may contain only digits, spaces, dashes and a leading +"
	}
	switch {
	case strings.HasPrefix(d, "0086"):
		d = d[4:]
	case strings.HasPrefix(d, "86") && len(d) == 13:
		d = d[2:]
	case plus:
		return "", "only China (+86) mobile numbers are accepted"
	}
	if strings.HasPrefix(d, "0") {
		return "", "landline numbers are not accepted; a mobile number has 11 digits starting with 1"
	}
	if len(d) != 11 || d[0] != '1' {
		return "", "a China mobile number has 11 digits starting with 1"
	}
	if d[1] < '3' || d[1] > '9' {
		return "", "no China mobile number starts with 1" + d[1:2]
	}
	return "+86" + d, ""
}

func normMaskedPhone(s string) (string, string) {
	d, _ := phoneChars(s)
	d = strings.Map(func(r rune) rune {
		if r == 'x' || r == 'X' || r == '＊' {
			return '*'
		}
		return r
	}, d)
	switch {
	case strings.HasPrefix(d, "0086"):
		d = d[4:]
	case strings.HasPrefix(d, "86") && len(d) == 13:
		d = d[2:]
	}
	if len(d) != 11 {
		return "", "a masked phone has 11 characters such as 138****1234"
	}
	stars := 0
	for i := 0; i < len(d); i++ {
		switch {
		case d[i] == '*':
			stars++
		case d[i] >= '0' && d[i] <= '9':
		default:
			return "", "a masked phone has only digits and '*'"
		}
	}
	if stars == 0 {
		return "", "not masked; send it as a phone"
	}
	if !allDigits(d[7:]) {
		return "", "a masked phone must keep its last four digits"
	}
	if d[0] != '1' && d[0] != '*' {
		return "", "a China mobile number starts with 1"
	}
	return d, ""
}

func normEmail(s string) (string, string) {
	s = strings.ToLower(strings.TrimSpace(width.Fold.String(strings.TrimSpace(s))))
	if s == "" {
		return "", "empty e-mail address"
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "", "e-mail address may contain only printable ASCII without spaces"
		}
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.Count(s, "@") != 1 {
		return "", "e-mail address needs one @ after a local part"
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", "e-mail domain is invalid"
	}
	if len(s) > 254 {
		return "", "e-mail address is longer than 254 characters"
	}
	return s, ""
}

func normCard(s string) (string, string) {
	s = strings.ToUpper(width.Fold.String(s))
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '\t':
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			b.WriteByte(c)
		default:
			return "", "member card may contain only letters, digits, spaces and dashes"
		}
	}
	if b.Len() == 0 {
		return "", "empty member card"
	}
	return b.String(), ""
}

func normID(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "empty identifier"
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return "", "identifier contains control characters"
		}
	}
	return s, ""
}
