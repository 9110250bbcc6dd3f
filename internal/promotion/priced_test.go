package promotion

import (
	"fmt"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// thirtyLines is a 30-line cart: MILK, EGG and BREAD lines among others.
func thirtyLines() engine.Cart {
	var c engine.Cart
	for i := range 30 {
		c.Lines = append(c.Lines, engine.Line{ID: fmt.Sprintf("%02d", i), SKU: []string{"MILK", "EGG", "BREAD", fmt.Sprintf("SKU%d", i)}[i%4],
			Unit: engine.UnitEach, Qty: int64(1 + i%3), UnitPrice: int64(500 + 37*i)})
	}
	return c
}

// TestPricedCartRoundTrip: what a token carries and what a redemption stores give the
// same return quote as the engine's own result.
func TestPricedCartRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		def := manjian()
		def.ReturnPolicy = engine.ReturnClawBack
		activeWithLimits(t, s, "MJ", def, Limits{})
		activeWithLimits(t, s, "HALF", secondHalfOn("EGG"), Limits{})
		activeWithLimits(t, s, "TEN", tenOffOn("MILK"), Limits{})
		pos := as(tenantA, auth.Integrator)
		sp := priced(t, s, thirtyLines(), "alice")
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "O", PricedToken: sp.Token}); err != nil {
			t.Fatal(err)
		}
		returned := map[string]int64{"00": 1, "05": 1, "10": 1, "29": 1}
		want, err := engine.ReturnQuote(sp.Result, returned, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []ReturnRef{{PricedToken: sp.Token}, {OrderID: "O"}} {
			got, err := s.QuoteReturn(pos, ref, returned)
			if err != nil || got.Refund != want.Refund || len(got.Lines) != len(want.Lines) || len(got.Adjustments) != len(want.Adjustments) {
				t.Errorf("%+v: %+v %v, want %+v", ref, got, err, want)
			}
		}
	})
}

// BenchmarkPriceCartForCommit compares pricing a 30-line cart with and without
// signing the priced-cart token, in the same run.
func BenchmarkPriceCartForCommit(b *testing.B) {
	d := dbtest.Open(b, db.SQLite)
	s := setup(b, d)
	ctx := as(tenantA, auth.Merchandiser)
	for i, def := range []engine.Promotion{manjian(), secondHalfOn("EGG"), tenOffOn("MILK")} {
		p, err := s.CreatePromotion(ctx, NewPromotion{Code: fmt.Sprintf("P%d", i), Name: "p", Definition: def})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Activate(ctx, p.ID); err != nil {
			b.Fatal(err)
		}
	}
	pos := as(tenantA, auth.Integrator)
	c := thirtyLines()
	b.Run("price", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.PriceCart(pos, c, engine.Context{}, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("price+sign", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.PriceCartForCommit(pos, c, engine.Context{}, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
