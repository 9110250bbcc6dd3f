// Package bizcode is the one rule for business codes — the codes people give brands,
// regions, stores, categories, products, SKUs, price zones, touchpoints and promotions,
// type at a till and put in spreadsheets: 1 to 64 ASCII letters, digits, '-', '_' and
// '.', starting with a letter or digit (a leading '-' reads as a formula in a
// spreadsheet, a leading '.' as a hidden name). Codes are unique regardless of case
// within their kind; the stores enforce that. Audience tag codes have a rule of their
// own: they are names in the segment rule language.
package bizcode

// MaxLen is the longest code, in bytes (every allowed character is one byte).
const MaxLen = 64

// Problem returns why s is not a business code, or "" when it is one.
func Problem(s string) string {
	switch {
	case s == "":
		return "required"
	case len(s) > MaxLen:
		return "at most 64 characters"
	}
	for i := 0; i < len(s); i++ {
		if !allowed(s[i]) {
			return "only letters, digits, '-', '_' and '.' are allowed"
		}
	}
	if !alnum(s[0]) {
		return "must start with a letter or digit"
	}
	return ""
}

// Valid reports whether s is a business code.
func Valid(s string) bool { return Problem(s) == "" }

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func allowed(c byte) bool { return alnum(c) || c == '-' || c == '_' || c == '.' }
