package engine

import (
	"testing"
	"time"
)

// TestPercentOffCap: percent_off.max_off caps one application, order- or item-level,
// and the capped discount is shared by the lines in proportion to their amounts.
func TestPercentOffCap(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	cart := func(amounts ...int64) Cart {
		var c Cart
		for i, a := range amounts {
			c.Lines = append(c.Lines, Line{ID: string(rune('A' + i)), SKU: "s" + string(rune('A'+i)), Category: "food", Unit: UnitEach, Qty: 1, UnitPrice: a})
		}
		return c
	}
	for _, tc := range []struct {
		name      string
		scope     Scope
		maxOff    int64
		amounts   []int64
		want      int64
		wantLines []int64
	}{
		{"order-level under the cap", Scope{All: true}, 1000, []int64{3000}, 600, []int64{600}},
		{"order-level capped", Scope{All: true}, 1000, []int64{7500, 2500}, 1000, []int64{750, 250}},
		{"item-level capped", Scope{Categories: []string{"food"}}, 1000, []int64{6000, 4000}, 1000, []int64{600, 400}},
		{"no cap", Scope{All: true}, 0, []int64{10000}, 2000, []int64{2000}},
	} {
		p := Promotion{ID: "p", Kind: KindPercentOff, Scope: tc.scope, PercentOff: &PercentOff{OffBP: 2000, MaxOff: tc.maxOff}}
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		res, err := NewIndex([]Promotion{p}).Price(cart(tc.amounts...), Context{Time: at})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Discount != tc.want {
			t.Errorf("%s: discount %d, want %d", tc.name, res.Discount, tc.want)
		}
		for i, l := range res.Lines {
			if got := l.Amount - l.Net; got != tc.wantLines[i] {
				t.Errorf("%s: line %d discount %d, want %d", tc.name, i, got, tc.wantLines[i])
			}
		}
	}
	bad := Promotion{ID: "p", Kind: KindPercentOff, Scope: Scope{All: true}, PercentOff: &PercentOff{OffBP: 2000, MaxOff: -1}}
	if err := bad.Validate(); err == nil {
		t.Fatal("a negative cap was accepted")
	}
}
