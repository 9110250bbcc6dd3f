package money

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func TestChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		op      func(c *Checked) int64
		want    int64
		wantErr bool
	}{
		{name: "add", op: func(c *Checked) int64 { return c.Add(2, 3) }, want: 5},
		{name: "add overflows", op: func(c *Checked) int64 { return c.Add(math.MaxInt64, 1) }, wantErr: true},
		{name: "add underflows", op: func(c *Checked) int64 { return c.Add(math.MinInt64, -1) }, wantErr: true},
		{name: "sub", op: func(c *Checked) int64 { return c.Sub(2, 3) }, want: -1},
		{name: "sub min", op: func(c *Checked) int64 { return c.Sub(0, math.MinInt64) }, wantErr: true},
		{name: "mul", op: func(c *Checked) int64 { return c.Mul(MaxAmount, 10_000_000) }, want: MaxAmount * 10_000_000},
		{name: "mul overflows", op: func(c *Checked) int64 { return c.Mul(MaxAmount, MaxAmount*MaxAmount) }, wantErr: true},
		{name: "mul min by -1", op: func(c *Checked) int64 { return c.Mul(math.MinInt64, -1) }, wantErr: true},
		{name: "stays failed", op: func(c *Checked) int64 { c.Add(math.MaxInt64, 1); return c.Add(1, 1) }, wantErr: true},
	}
	for _, tc := range tests {
		var c Checked
		got := tc.op(&c)
		if tc.wantErr != errors.Is(c.Err(), ErrOverflow) || (!tc.wantErr && got != tc.want) {
			t.Errorf("%s: %d, %v", tc.name, got, c.Err())
		}
	}
}

// TestAddMulMatchBigArithmetic: Add, Sub and Mul give the exact result when it fits
// an int64 and ErrOverflow when it does not.
func TestAddMulMatchBigArithmetic(t *testing.T) {
	t.Parallel()
	check := func(t *rapid.T, name string, got int64, err error, want *big.Int) {
		if want.IsInt64() != (err == nil) || (err == nil && got != want.Int64()) {
			t.Fatalf("%s = %d, %v; want %s", name, got, err, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := rapid.Int64().Draw(t, "a"), rapid.Int64().Draw(t, "b")
		x, y := big.NewInt(a), big.NewInt(b)
		sum, err := Add(a, b)
		check(t, "Add", sum, err, new(big.Int).Add(x, y))
		diff, err := Sub(a, b)
		check(t, "Sub", diff, err, new(big.Int).Sub(x, y))
		p, err := Mul(a, b)
		check(t, "Mul", p, err, new(big.Int).Mul(x, y))
	})
}
