package org

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// MinPasswordLength is the shortest password a user may have.
const MinPasswordLength = 10

// maxPasswordLength bounds the work a login with a huge password can cause.
const maxPasswordLength = 256

// minExtraBeyondLogin is how many characters a password containing the login must add
// to it (and they must not be trivial themselves).
const minExtraBeyondLogin = 6

// commonPasswordList is the list of commonly used passwords the policy refuses, shipped
// in the binary.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords returns the list as a set, parsed once; it is never changed.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := map[string]struct{}{}
	for line := range strings.Lines(commonPasswordList) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// checkPassword applies the password policy to password, for the account named login
// ("" when the login is not known yet): 10 characters to 256 bytes, no leading or
// trailing whitespace or control characters, not one character or a short pattern
// repeated, not a run such as 1234567890 or abcdefghij, not the login or the login
// with a trivial addition, and not on the common-password list (also with trailing
// digits and punctuation removed). It returns an errs.Invalid error naming field
// ("body.<field>") whose message never contains the password.
func checkPassword(field, password, login string) error {
	bad := func(format string, args ...any) error {
		return errs.Field("body."+field, field+" "+format, args...)
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return bad("must be at least %d characters", MinPasswordLength)
	}
	if len(password) > maxPasswordLength {
		return bad("must be at most %d bytes", maxPasswordLength)
	}
	if !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl) {
		return bad("must be valid text without control characters")
	}
	if strings.TrimSpace(password) != password {
		return bad("must not start or end with a space")
	}
	lower := strings.ToLower(password)
	if reason := trivial(lower); reason != "" {
		return bad("%s", reason)
	}
	if login != "" && builtOnLogin(lower, strings.ToLower(login)) {
		return bad("must not be the login name or the login name with a few characters added")
	}
	return nil
}

// trivial says why a lower-cased password (or part of one) is trivial, or "".
func trivial(s string) string {
	switch {
	case repeatsShortPattern(s):
		return "must not be one character or a short pattern repeated"
	case isRun(s):
		return "must not be a run of consecutive characters such as 1234567890 or abcdefghij"
	case isCommon(s):
		return "is too common: it is on the list of passwords attackers try first"
	}
	return ""
}

// repeatsShortPattern reports whether s is a pattern of 1 to 4 characters repeated
// ("aaaaaaaaaa", "ababababab", "1231231231").
func repeatsShortPattern(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 4 && unit < len(r); unit++ {
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i%unit]
		}
		if same {
			return true
		}
	}
	return false
}

// isRun reports whether every character of s is the one before plus one, or every one
// minus one ("0123456789", "abcdefghij", "9876543210").
func isRun(s string) bool {
	r := []rune(s)
	if len(r) < 3 {
		return false
	}
	step := r[1] - r[0]
	if step != 1 && step != -1 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if r[i]-r[i-1] != step {
			return false
		}
	}
	return true
}

// isCommon reports whether s is on the common-password list, as it is or with its
// trailing digits and punctuation removed ("password2024!" is "password").
func isCommon(s string) bool {
	list := commonPasswords()
	if _, ok := list[s]; ok {
		return true
	}
	base := strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' })
	if utf8.RuneCountInString(base) < 4 || base == s {
		return false
	}
	_, ok := list[base]
	return ok
}

// builtOnLogin reports whether a lower-cased password is the login, the login
// reversed, or the login (or its part before an @) with fewer than
// minExtraBeyondLogin characters, or only trivial ones, added.
func builtOnLogin(password, login string) bool {
	names := []string{login}
	if local, _, ok := strings.Cut(login, "@"); ok && utf8.RuneCountInString(local) >= 3 {
		names = append(names, local)
	}
	for _, name := range names {
		if password == name || password == reverse(name) {
			return true
		}
		if !strings.Contains(password, name) {
			continue
		}
		rest := strings.TrimSpace(strings.ReplaceAll(password, name, ""))
		if utf8.RuneCountInString(rest) < minExtraBeyondLogin || trivial(rest) != "" {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
