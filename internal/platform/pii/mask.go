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
// wang.li@example.com → w***@example.com. A phone number or id-card number inside the
// domain is masked too (x@13812345678.com → x***@138****5678.com).
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return MaskText(email)
	}
	domain = MaskFreeText(domain)
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

// MaskAddress keeps the leading administrative part of an address (up to the last
// province, city, district or county marker within the first 6 characters) and hides
// the street detail: 上海市浦东新区张江路88弄 → 上海市****. A value without such a
// prefix, one that is no longer than it, or a prefix holding digits is masked with
// MaskText.
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
	if keep == 0 || keep >= len(runes) || strings.ContainsFunc(string(runes[:keep]), isDigit) {
		return MaskText(addr)
	}
	return string(runes[:keep]) + "****"
}

// MaskBirthday keeps the year of a YYYY-MM-DD birthday: 1990-05-17 → 1990-**-**.
// Other values are masked with MaskText.
func MaskBirthday(birthday string) string {
	if len(birthday) == 10 && birthday[4] == '-' && birthday[7] == '-' &&
		!strings.ContainsFunc(birthday[:4]+birthday[5:7]+birthday[8:], func(r rune) bool { return r < '0' || r > '9' }) {
		return birthday[:4] + "-**-**"
	}
	return MaskText(birthday)
}

// MaskID masks an opaque identifier (a member card, a WeChat unionid or openid, an
// Alipay user id, a device id…) so that a person who holds the whole value can
// recognise it and nobody else can use it: four stars and the last four characters
// when the value has at least 8 (VIP00012345 → ****2345), the last two when it has
// 5 to 7 (VIP7788 → ****88), nothing of shorter values (K1 → ****). The stars do not
// say how long the value is.
func MaskID(id string) string {
	runes := []rune(id)
	keep := 0
	switch n := len(runes); {
	case n == 0:
		return ""
	case n >= 8:
		keep = 4
	case n >= 5:
		keep = 2
	}
	return "****" + string(runes[len(runes)-keep:])
}

// MaskIDCard keeps the first three characters (the province and city of issue) and the
// check character of a resident identity card number: 110101199003071234 →
// 110**************4.
func MaskIDCard(id string) string {
	runes := []rune(id)
	if len(runes) < 8 {
		return MaskText(id)
	}
	return string(runes[:3]) + strings.Repeat("*", len(runes)-4) + string(runes[len(runes)-1])
}

// LooksPersonal reports whether the whole of s is a mobile number (in any of the
// forms MaskValue recognises), an e-mail address or an identity card number with a
// real birth date.
func LooksPersonal(s string) bool {
	if _, ok := mobileNumber(s); ok || isEmail(s) {
		return true
	}
	return MaskFreeText(strings.TrimSpace(s)) != strings.TrimSpace(s) && idCardShaped(s)
}

// MaskValue masks a value whose meaning is unknown (a property nobody declared
// non-personal) by its shape: a mobile number (138****1234, whatever its format: +86,
// spaces, dashes, full-width digits), an e-mail address (w***@example.com), an
// identity card number (110**************4), anything else with MaskText (王**). The
// result never holds the whole value, except for values of one character.
func MaskValue(s string) string {
	if national, ok := mobileNumber(s); ok {
		return MaskPhone(national)
	}
	if isEmail(s) {
		return MaskEmail(strings.TrimSpace(s))
	}
	if idCardShaped(s) {
		return MaskIDCard(s)
	}
	return MaskText(s)
}
