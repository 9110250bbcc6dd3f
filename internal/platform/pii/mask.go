package pii

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone keeps the first three and last four digits of a mobile number, the way
// Chinese receipts and delivery platforms print it: +8613812341234 → 138****1234.
// Shorter numbers keep only their last two digits.
func MaskPhone(phone string) string {
	digits := strings.TrimPrefix(phone, "+86")
	digits = strings.TrimPrefix(digits, "+")
	n := len(digits)
	switch {
	case n == 0:
		return ""
	case n >= 11:
		return digits[:3] + strings.Repeat("*", n-7) + digits[n-4:]
	case n > 2:
		return strings.Repeat("*", n-2) + digits[n-2:]
	default:
		return strings.Repeat("*", n)
	}
}

// MaskEmail keeps the first character of the local part and the domain:
// wang.li@example.com → w***@example.com.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return MaskText(email)
	}
	if local == "" {
		return "***@" + domain
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}

// MaskName keeps the family name (the first character) of a Chinese name and hides
// the rest: 王小明 → 王**. Latin names keep their first letter.
func MaskName(name string) string {
	return MaskText(name)
}

// MaskText keeps the first character of s and replaces every other one with '*'.
func MaskText(s string) string {
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	rest := utf8.RuneCountInString(s[size:])
	return string(r) + strings.Repeat("*", rest)
}

// MaskAddress keeps the leading administrative part of an address (up to the first
// district, county or road marker, at most 6 characters) and hides the street detail.
func MaskAddress(addr string) string {
	runes := []rune(addr)
	keep := 0
	for i, r := range runes {
		if i >= 6 {
			break
		}
		if strings.ContainsRune("省市区县", r) {
			keep = i + 1
		}
	}
	if keep == 0 {
		keep = min(3, len(runes))
	}
	if keep >= len(runes) {
		return addr
	}
	return string(runes[:keep]) + "****"
}

// MaskBirthday keeps the year of a YYYY-MM-DD birthday: 1990-05-17 → 1990-**-**.
func MaskBirthday(birthday string) string {
	if len(birthday) >= 4 {
		return birthday[:4] + "-**-**"
	}
	return MaskText(birthday)
}
