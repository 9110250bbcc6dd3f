package pii

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/width"
)

// Redacted replaces a value that is masked whole: a number or a boolean under a
// property nobody declared non-personal (an age, a flag such as "pregnant").
const Redacted = "***"

// maxDeclaredDigits is the most integer digits a number under a declared property
// keeps: longer numbers (identity card, bank card and long account numbers, which
// also lose digits as JSON floating point) are redacted. Amounts in fen stay far
// below it.
const maxDeclaredDigits = 14

// AllowList is the set of property names declared non-personal (a tenant's event
// schema): the values held under them are shown as they are to readers without
// access to personal data, and every other value is masked. Names match per key at
// any depth of a JSON value, case-insensitively (PropertyName): declaring "sku"
// keeps {"items": [{"sku": "A-1"}]}'s SKU whatever "items" is. Declaring a name keeps
// scalar values only: the objects under a declared name are walked key by key like
// any other. The zero AllowList declares nothing, so everything is masked.
//
// Even under a declared name, a value shaped like a mobile number, an e-mail address
// or an identity card number (or holding one inside a text) is masked, and so is
// a number with more than 14 integer digits: a declaration cannot unmask what is
// recognisably personal.
type AllowList struct {
	names map[string]struct{}
}

// PropertyName is the form property names are compared in: full-width characters
// folded, surrounding spaces trimmed, lower case ("ＳＫＵ ", "Sku" and "sku" are one
// name).
func PropertyName(name string) string {
	return strings.ToLower(strings.TrimSpace(width.Fold.String(name)))
}

// NewAllowList returns the allow-list of names (compared as PropertyName; empty
// names are ignored).
func NewAllowList(names ...string) AllowList {
	a := AllowList{names: make(map[string]struct{}, len(names))}
	for _, n := range names {
		if n = PropertyName(n); n != "" {
			a.names[n] = struct{}{}
		}
	}
	return a
}

// Allows reports whether values under the property name are shown as they are.
func (a AllowList) Allows(name string) bool {
	_, ok := a.names[PropertyName(name)]
	return ok
}

// Names returns the declared names, normalised and sorted.
func (a AllowList) Names() []string {
	out := make([]string, 0, len(a.names))
	for n := range a.names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Mask returns a masked copy of a JSON value — as encoding/json decodes it
// (map[string]any, []any, string, float64 or json.Number, bool, nil) or any other Go
// value, which is first converted through its JSON encoding. Objects are walked key
// by key at any depth and arrays element by element (an element counts as held under
// its array's name). A scalar under a declared name is kept unless it is personal by
// shape (see AllowList); every other scalar is masked by its shape: strings with
// MaskValue (an "address" keeps its administrative prefix, a "birthday" its year),
// numbers shaped like a mobile number with MaskPhone, other numbers and booleans
// become Redacted, null stays null. Object keys are kept, except that a key holding
// a mobile number, an e-mail address or an identity card number is masked with
// MaskFreeText. v is not modified.
func (a AllowList) Mask(v any) any { return a.walk("", v) }

// MaskProperty is Mask for a value held under the property name: the value is kept
// when the name is declared (and the value is not personal by shape).
func (a AllowList) MaskProperty(name string, v any) any { return a.walk(PropertyName(name), v) }

// MaskJSON masks a JSON document with Mask and returns it encoded; numbers keep
// their exact text. It fails only when raw is not JSON.
func (a AllowList) MaskJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("pii: trailing data after the JSON value")
	}
	return json.Marshal(a.Mask(v))
}

// walk masks v, held under the normalised property name ("" at the root).
func (a AllowList) walk(name string, v any) any {
	_, allowed := a.names[name]
	allowed = allowed && name != ""
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		return a.object(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = a.walk(name, e)
		}
		return out
	case string:
		if allowed {
			return maskDeclared(x)
		}
		return maskUnder(name, x)
	case json.Number:
		return maskNumber(x, string(x), allowed)
	case float64:
		return maskNumber(x, strconv.FormatFloat(x, 'f', -1, 64), allowed)
	case bool:
		if allowed {
			return x
		}
		return Redacted
	}
	// Another Go value: walk its JSON form.
	b, err := json.Marshal(v)
	if err != nil {
		return Redacted
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var decoded any
	if err := dec.Decode(&decoded); err != nil {
		return Redacted
	}
	return a.walk(name, decoded)
}

// object masks the values of m by their names and keys shaped like personal values.
// Two keys that mask alike get suffixes (#2, #3…), so nothing is lost or overwritten.
func (a AllowList) object(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		mk := MaskFreeText(k)
		for i := 2; ; i++ {
			if _, taken := out[mk]; !taken {
				break
			}
			mk = MaskFreeText(k) + "#" + strconv.Itoa(i)
		}
		out[mk] = a.walk(PropertyName(k), m[k])
	}
	return out
}

// maskDeclared keeps a string held under a declared name unless it is, or holds, a
// mobile number, an e-mail address or an identity card number.
func maskDeclared(s string) string {
	if national, ok := mobileNumber(s); ok {
		return MaskPhone(national)
	}
	if isEmail(s) {
		return MaskEmail(strings.TrimSpace(s))
	}
	return MaskFreeText(s)
}

// maskUnder masks a string held under an undeclared name by its shape; the platform's
// profile names address and birthday keep their coarse part.
func maskUnder(name, s string) string {
	if _, ok := mobileNumber(s); ok || isEmail(s) || idCardShaped(s) {
		return MaskValue(s)
	}
	switch name {
	case "address":
		return MaskAddress(s)
	case "birthday":
		return MaskBirthday(s)
	}
	return MaskText(s)
}

// maskNumber masks the number v written as text: a mobile number becomes its mask,
// a number under a declared name with at most maxDeclaredDigits integer digits stays
// v, anything else is Redacted.
func maskNumber(v any, text string, allowed bool) any {
	if strings.ContainsAny(text, "eE") {
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			text = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	digits, _, _ := strings.Cut(strings.TrimPrefix(text, "-"), ".")
	if national, ok := nationalMobile(digits); ok {
		return MaskPhone(national)
	}
	if allowed && len(strings.TrimLeft(digits, "0")) <= maxDeclaredDigits {
		return v
	}
	return Redacted
}
