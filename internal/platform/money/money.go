// Package money holds the bounds on amounts of money the API accepts and checked
// arithmetic for the totals built from them. Money is an int64 count of fen.
//
// Every amount a client states — a price, a cost, a discount, a threshold — is at most
// MaxAmount (¥10,000,000.00), the pricing engine's bound, so that a line amount
// (MaxAmount × at most 10,000,000 units or grams) and a cart of at most 1,000 such
// lines stay far inside int64. Totals over many carts (a simulation, a promotion's
// usage) are summed with Add and Mul, which report overflow instead of wrapping to a
// negative number.
package money

import (
	"errors"
	"math"
)

// MaxAmount is the largest amount in fen a client may state in one field: a unit
// price, a cost, a promotion amount, a delivery fee (¥10,000,000.00).
const MaxAmount = 1_000_000_000

// MaxTotal is the largest total in fen the platform keeps or reports (2^52, about
// ¥45 trillion): a promotion's budget and running usage, a simulation's totals. Below
// 2^53 a total is still exact as a JavaScript number, so the console shows what the
// server summed; sums beyond it are refused as overflow.
const MaxTotal = 1 << 52

// ErrOverflow reports a sum or product of amounts that does not fit an int64.
var ErrOverflow = errors.New("money: amount overflows")

// InRange reports whether fen is a valid stated amount: 0..MaxAmount.
func InRange(fen int64) bool { return fen >= 0 && fen <= MaxAmount }

// Add returns a + b, or ErrOverflow when the sum does not fit an int64.
func Add(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Sub returns a - b, or ErrOverflow when the difference does not fit an int64.
func Sub(a, b int64) (int64, error) {
	if b == math.MinInt64 {
		if a >= 0 {
			return 0, ErrOverflow
		}
		return a - b, nil
	}
	return Add(a, -b)
}

// Mul returns a × b, or ErrOverflow when the product does not fit an int64.
func Mul(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, ErrOverflow
	}
	return p, nil
}

// Checked does many additions and multiplications and remembers the first overflow,
// so that code keeping several running totals checks once at the end. Its zero value
// is ready to use; after an overflow every result is 0.
type Checked struct{ err error }

// Add returns a + b, or 0 after recording ErrOverflow.
func (c *Checked) Add(a, b int64) int64 {
	if c.err != nil {
		return 0
	}
	s, err := Add(a, b)
	c.err = err
	return s
}

// Sub returns a - b, or 0 after recording ErrOverflow.
func (c *Checked) Sub(a, b int64) int64 {
	if c.err != nil {
		return 0
	}
	d, err := Sub(a, b)
	c.err = err
	return d
}

// Mul returns a × b, or 0 after recording ErrOverflow.
func (c *Checked) Mul(a, b int64) int64 {
	if c.err != nil {
		return 0
	}
	p, err := Mul(a, b)
	c.err = err
	return p
}

// Within returns v, recording ErrOverflow when v is outside -limit..limit (a total
// that fits an int64 but not what the platform keeps, see MaxTotal).
func (c *Checked) Within(v, limit int64) int64 {
	if c.err == nil && (v > limit || v < -limit) {
		c.err = ErrOverflow
	}
	if c.err != nil {
		return 0
	}
	return v
}

// Err returns ErrOverflow when any operation overflowed, else nil.
func (c *Checked) Err() error { return c.err }
