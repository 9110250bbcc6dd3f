package sheet

import (
	"fmt"
	"strconv"
	"time"
)

// Time formats an instant for an export cell: RFC 3339 in UTC, "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// TimePtr is Time for an optional instant ("" when nil).
func TimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Time(*t)
}

// Yuan formats fen as yuan with two decimals ("12.50"), the form the importers read.
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// Int64Ptr formats an optional integer ("" when nil).
func Int64Ptr(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}
