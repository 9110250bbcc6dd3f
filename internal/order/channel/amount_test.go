package channel_test

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// TestParseYuan checks the exact yuan-to-fen conversion on the forms the platforms
// send, including the decimals that a float would get wrong.
func TestParseYuan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12.5", 1250, true}, {"12.50", 1250, true}, {"12", 1200, true}, {"0", 0, true}, {"0.01", 1, true},
		{"12.500", 1250, true}, {"4.0", 400, true}, {"0.29", 29, true}, {"1.13", 113, true}, {"19.99", 1999, true},
		{"0012.30", 1230, true}, {"10000000", money.MaxAmount, true}, {"10000000.00", money.MaxAmount, true},
		{"10000000.01", 0, false}, {"12.345", 0, false}, {"12.3451", 0, false}, {"-1", 0, false}, {"+1", 0, false},
		{"1e2", 0, false}, {"1.2e1", 0, false}, {"", 0, false}, {".5", 0, false}, {"5.", 0, false}, {"1,000", 0, false},
		{" 1", 0, false}, {"abc", 0, false}, {"NaN", 0, false}, {"¥12", 0, false}, {"1.2.3", 0, false},
		{strings.Repeat("9", 30), 0, false},
	}
	for _, tt := range tests {
		got, err := channel.ParseYuan("price", tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "price")) {
			t.Errorf("ParseYuan(%q) error %v does not name the field", tt.in, err)
		}
	}
}

// TestParseYuanRoundTrip: every amount in range, written the ways a platform may
// write it (two decimals, trailing zeros trimmed, extra zeros), parses back to
// itself.
func TestParseYuanRoundTrip(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		fen := rapid.Int64Range(0, money.MaxAmount).Draw(rt, "fen")
		two := fmt.Sprintf("%d.%02d", fen/100, fen%100)
		forms := []string{two, two + "000", strings.TrimSuffix(strings.TrimRight(two, "0"), ".")}
		for _, s := range forms {
			got, err := channel.ParseYuan("x", s)
			if err != nil || got != fen {
				rt.Fatalf("ParseYuan(%q) = %d, %v; want %d", s, got, err, fen)
			}
		}
	})
}
