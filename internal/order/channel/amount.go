package channel

import (
	"strconv"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// maxYuanDigits bounds the integer part of an amount before conversion
// (money.MaxAmount is ¥10,000,000.00, eight digits).
const maxYuanDigits = 9

// ParseYuan converts an amount in yuan as the platforms send it — a JSON number or
// a form value such as "12.5", "12.50", "12" or "12.500" — to fen, exactly, without
// going through a float: digits, an optional point and decimals of which only the
// first two may be non-zero; no sign, exponent, spaces or separators; at most
// money.MaxAmount. It returns an errs.Invalid error naming field.
func ParseYuan(field, s string) (int64, error) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || hasPoint && (frac == "" || !allDigits(frac)) {
		return 0, errs.Field(field, "%q is not an amount in yuan such as 12.50", clip(s))
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, errs.Field(field, "%q has more than 2 decimals", clip(s))
		}
		frac = frac[:2]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxYuanDigits {
		return 0, errs.Field(field, "%q is too large", clip(s))
	}
	yuan := int64(0)
	if whole != "" {
		var err error
		if yuan, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, errs.Field(field, "%q is not an amount in yuan such as 12.50", clip(s))
		}
	}
	fen := int64(0)
	for i := range 2 {
		fen *= 10
		if i < len(frac) {
			fen += int64(frac[i] - '0')
		}
	}
	total := yuan*100 + fen
	if total > money.MaxAmount {
		return 0, errs.Field(field, "%q is more than ¥10,000,000.00", clip(s))
	}
	return total, nil
}

// parseSignedYuan is ParseYuan allowing a leading minus (Eleme states activity
// amounts as negative numbers).
func parseSignedYuan(field, s string) (int64, error) {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		v, err := ParseYuan(field, rest)
		return -v, err
	}
	return ParseYuan(field, s)
}

// parseCount parses a positive whole number of units (a quantity).
func parseCount(field, s string) (int64, error) {
	if s == "" || !allDigits(strings.TrimPrefix(s, "-")) || len(s) > 9 {
		return 0, errs.Field(field, "%q is not a whole number of units", clip(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Field(field, "must be at least 1, got %q", clip(s))
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens a value quoted in an error message, so that a hostile payload
// cannot make the message (and the inspection record) arbitrarily long.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
