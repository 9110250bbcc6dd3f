package pii

import (
	"regexp"
	"strings"
	"time"
)

// The shapes of personal values that masking recognises wherever they appear: China
// mobile numbers, e-mail addresses and resident identity card numbers.

// digitOf returns the ASCII digit r stands for (full-width digits fold) and whether r
// is a digit.
func digitOf(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte('0' + (r - '０')), true
	}
	return 0, false
}

func isDigit(r rune) bool {
	_, ok := digitOf(r)
	return ok
}

// nationalMobile returns the 11-digit national number of a China mobile number
// given as digits, with or without the 86 or 0086 country prefix.
func nationalMobile(d string) (string, bool) {
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		d = d[2:]
	case len(d) == 15 && strings.HasPrefix(d, "0086"):
		d = d[4:]
	}
	if len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allASCIIDigits(d) {
		return d, true
	}
	return "", false
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// mobileNumber returns the national number when the whole of s is a China mobile
// number as people write it: +86 138 1234 5678, 138-1234-5678, (0086)13812345678,
// full-width digits.
func mobileNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var d []byte
	for i, r := range s {
		if c, ok := digitOf(r); ok {
			if d = append(d, c); len(d) > 15 {
				return "", false
			}
			continue
		}
		switch r {
		case '+', '＋':
			if i == 0 {
				continue
			}
		case ' ', '-', '.', '(', ')', '\u3000', '－', '（', '）':
			continue
		}
		return "", false
	}
	return nationalMobile(string(d))
}

// isEmail reports whether the whole of s is shaped like an e-mail address.
func isEmail(s string) bool {
	s = strings.TrimSpace(s)
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && len(s) <= 320 && !strings.Contains(domain, "@") && !strings.ContainsAny(s, " \t\r\n") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// idCardShaped reports whether the whole of s looks like a resident identity card
// number: 18 characters, 17 digits and a digit or X, or 15 digits (the first
// generation). The check character and the birth date are not checked: this decides
// only how a value already known to be masked is masked.
func idCardShaped(s string) bool {
	runes := []rune(strings.TrimSpace(s))
	switch len(runes) {
	case 15, 18:
	default:
		return false
	}
	for i, r := range runes {
		if !isDigit(r) && !(i == 17 && (r == 'X' || r == 'x')) {
			return false
		}
	}
	return true
}

// idCardNumber reports whether d (ASCII digits, the 18th possibly X) reads as a
// resident identity card number: 18 characters with a real birth date from 1900 on
// at the 7th to 14th, or 15 digits with a real birth date in the 1900s at the 7th to
// 12th. The check character is not verified, so that a mistyped or invented number is
// masked too.
func idCardNumber(d string) bool {
	switch len(d) {
	case 18:
		last := d[17]
		return allASCIIDigits(d[:17]) && (last >= '0' && last <= '9' || last == 'X' || last == 'x') && validDate(d[6:10], d[10:12], d[12:14])
	case 15:
		return allASCIIDigits(d) && validDate("19"+d[6:8], d[8:10], d[10:12])
	}
	return false
}

func validDate(y, m, d string) bool {
	t, err := time.Parse("20060102", y+m+d)
	return err == nil && t.Year() >= 1900 && t.Year() < 2100
}

// emailPattern finds e-mail addresses inside text.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)

// MaskFreeText masks the personal values written inside a text — mobile numbers
// (with or without +86, spaces or dashes between the digit groups), e-mail addresses
// and resident identity card numbers (15 or 18 characters holding a real birth date)
// — and keeps the rest of the text: "同一人，电话 138 1234 5678" → "同一人，电话 138
// **** 5678". Names and addresses cannot be told from other words; a text that may
// hold them is masked whole with MaskText instead.
func MaskFreeText(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailPattern.ReplaceAllStringFunc(s, MaskEmail)
	}
	return maskNumbers(s)
}

// digitGroup is a maximal run of digits, as rune indexes [start, end).
type digitGroup struct{ start, end int }

// isGroupSeparator reports whether r may stand between the digit groups of one number.
func isGroupSeparator(r rune) bool { return r == ' ' || r == '-' || r == '\u3000' || r == '－' }

// maskNumbers masks the mobile numbers and identity card numbers in s: runs of digit
// groups joined by single separators whose digits form one, bounded by non-digits.
func maskNumbers(s string) string {
	runes := []rune(s)
	var groups []digitGroup
	total := 0
	for i := 0; i < len(runes); {
		if !isDigit(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && isDigit(runes[j]) {
			j++
		}
		groups = append(groups, digitGroup{i, j})
		total += j - i
		i = j
	}
	if total < 11 {
		return s
	}
	changed := false
	for i := 0; i < len(groups); {
		last, kind, withX := matchNumber(runes, groups, i)
		if last < 0 {
			i++
			continue
		}
		changed = true
		starDigits(runes, groups[i:last+1], kind, withX)
		i = last + 1
	}
	if !changed {
		return s
	}
	return string(runes)
}

// Kinds of numbers maskNumbers recognises.
const (
	kindMobile = iota + 1
	kindIDCard
)

// matchNumber finds the shortest run of groups from groups[i] that forms a mobile
// or identity card number; it returns the last group's index (-1 when none), the
// kind, and whether an identity card number ends with the X after the last group.
func matchNumber(runes []rune, groups []digitGroup, i int) (int, int, bool) {
	var acc []byte
	for j := i; j < len(groups); j++ {
		if j > i && (groups[j].start-groups[j-1].end != 1 || !isGroupSeparator(runes[groups[j-1].end])) {
			break
		}
		for _, r := range runes[groups[j].start:groups[j].end] {
			c, _ := digitOf(r)
			acc = append(acc, c)
		}
		if len(acc) > 18 {
			break
		}
		d := string(acc)
		if _, ok := nationalMobile(d); ok {
			return j, kindMobile, false
		}
		if (len(d) == 15 || len(d) == 18) && idCardNumber(d) {
			return j, kindIDCard, false
		}
		if end := groups[j].end; len(d) == 17 && end < len(runes) && (runes[end] == 'X' || runes[end] == 'x') && idCardNumber(d+"X") {
			return j, kindIDCard, true
		}
	}
	return -1, 0, false
}

// starDigits replaces the hidden digits of a number spread over groups: a mobile
// number keeps its country prefix, the first three and the last four digits of the
// national number; an identity card number keeps its first three characters and its
// last one (the X after the groups when withX, which then hides the last digit too).
func starDigits(runes []rune, groups []digitGroup, kind int, withX bool) {
	n := 0
	for _, g := range groups {
		n += g.end - g.start
	}
	keepHead, keepTail := 3, 1
	if kind == kindMobile {
		keepHead, keepTail = n-11+3, 4
	}
	if withX {
		keepTail = 0
	}
	k := 0
	for _, g := range groups {
		for idx := g.start; idx < g.end; idx++ {
			if k >= keepHead && k < n-keepTail {
				runes[idx] = '*'
			}
			k++
		}
	}
}
