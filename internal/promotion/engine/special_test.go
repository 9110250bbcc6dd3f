package engine

import (
	"strings"
	"testing"
)

func special(id string, s Scope, caps SpecialPrice, rules ...UnitPrice) Promotion {
	caps.Prices = rules
	return Promotion{ID: id, Name: "特价 " + id, Kind: KindSpecialPrice, Scope: s, SpecialPrice: &caps}
}

// TestSpecialPrice: worked scenarios for 特价, 直降 and 会员价 per unit, with caps.
func TestSpecialPrice(t *testing.T) {
	t.Parallel()
	milk := func(id string, qty, price int64) Line { return each(id, "milk", "dairy", "", qty, price) }
	tests := []struct {
		name  string
		lines []Line
		promo Promotion
		ctx   func(*Context)
		total int64
		units int64  // units at the special price (Applied.FlashUnits)
		code  Code   // when the promotion does not apply
		msg   string // in its explanation
	}{
		{name: "特价 for everyone", lines: []Line{milk("a", 3, 1490)}, promo: special("sp", skus("milk"), SpecialPrice{}, UnitPrice{Price: 1280}),
			total: 3840, units: 3, msg: "special price ¥12.80 for 3 unit(s)"},
		{name: "会员价: gold pays the gold price", lines: []Line{milk("a", 2, 1490)},
			promo: special("mp", skus("milk"), SpecialPrice{}, UnitPrice{Price: 1390}, UnitPrice{Tier: "gold", Price: 1280}),
			total: 2560, units: 2, msg: "tier gold: special price ¥12.80"},
		{name: "会员价: silver pays the price for everyone", lines: []Line{milk("a", 2, 1490)},
			promo: special("mp", skus("milk"), SpecialPrice{}, UnitPrice{Price: 1390}, UnitPrice{Tier: "gold", Price: 1280}),
			ctx:   func(c *Context) { c.Tier = "silver" }, total: 2780, units: 2},
		{name: "会员价 only for gold: a guest pays the list price", lines: []Line{milk("a", 2, 1490)},
			promo: special("mp", skus("milk"), SpecialPrice{}, UnitPrice{Tier: "gold", Price: 1280}),
			ctx:   func(c *Context) { c.Tier = "" }, total: 2980, code: CodeConditionFailed, msg: "no price of the promotion is for this customer tier"},
		{name: "直降 ¥5 off each unit", lines: []Line{each("a", "shampoo", "care", "", 2, 2990)}, promo: special("off5", cats("care"), SpecialPrice{}, UnitPrice{Off: 500}),
			total: 4980, units: 2, msg: "¥5.00 off each unit for 2 unit(s)"},
		{name: "直降 never below zero", lines: []Line{each("a", "gum", "care", "", 2, 300)}, promo: special("off5", cats("care"), SpecialPrice{}, UnitPrice{Off: 500}),
			total: 0, units: 2},
		{name: "cap per line: 2 of 5 units", lines: []Line{milk("a", 5, 1490)}, promo: special("sp", skus("milk"), SpecialPrice{MaxPerLine: 2}, UnitPrice{Price: 1280}),
			total: 2*1280 + 3*1490, units: 2, msg: "for 2 of 5 unit(s) (at most 2 per line); 3 unit(s) beyond it pay the regular price"},
		{name: "cap per order goes to the dearest units", lines: []Line{milk("a", 2, 1490), each("b", "milk-s", "dairy", "", 2, 1990)},
			promo: special("sp", cats("dairy"), SpecialPrice{MaxPerOrder: 3}, UnitPrice{Price: 1280}),
			total: 2*1280 + 1280 + 1490, units: 3, msg: "at most 3 per order"},
		{name: "限购 per customer: a first purchase gets the cap", lines: []Line{milk("a", 4, 1490)},
			promo: special("sp", skus("milk"), SpecialPrice{MaxPerCustomer: 2}, UnitPrice{Price: 1280}), total: 2*1280 + 2*1490, units: 2},
		{name: "限购 per customer: one unit left", lines: []Line{milk("a", 4, 1490)},
			promo: special("sp", skus("milk"), SpecialPrice{MaxPerCustomer: 2}, UnitPrice{Price: 1280}),
			ctx:   func(c *Context) { c.FlashAllowance = map[string]int64{"sp": 1} }, total: 1280 + 3*1490, units: 1,
			msg: "the customer's remaining 1 of 2 per customer"},
		{name: "限购 per customer: used up", lines: []Line{milk("a", 4, 1490)},
			promo: special("sp", skus("milk"), SpecialPrice{MaxPerCustomer: 2}, UnitPrice{Price: 1280}),
			ctx:   func(c *Context) { c.FlashAllowance = map[string]int64{"sp": 0} }, total: 4 * 1490, code: CodeLimitReached},
		// Price zones and store overrides come first: the till sends the store's price
		// (¥12.50 here, below the ¥12.80 special price), which the special price
		// cannot raise.
		{name: "store override below the special price", lines: []Line{milk("a", 2, 1250)},
			promo: special("sp", skus("milk"), SpecialPrice{}, UnitPrice{Price: 1280}), total: 2500, code: CodeNoDiscount},
		{name: "weighed lines keep their price", lines: []Line{weighed("a", "pork", "dairy", 500, 3980)},
			promo: special("sp", cats("dairy"), SpecialPrice{}, UnitPrice{Price: 1000}), total: 1990, code: CodeNoDiscount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := priced(t, tt.lines, []Promotion{tt.promo}, tt.ctx)
			if res.Total != tt.total {
				t.Fatalf("total %d, want %d\n%+v\n%+v", res.Total, tt.total, res.Applied, res.Rejected)
			}
			var msgs []string
			if tt.code != "" {
				e := findRejected(res, tt.promo.ID)
				if e == nil || e.Code != tt.code {
					t.Fatalf("explanation %+v, want %s", e, tt.code)
				}
				msgs = append(msgs, e.Message)
			} else {
				if len(res.Applied) != 1 || res.Applied[0].FlashUnits != tt.units {
					t.Fatalf("applied %+v, want %d units", res.Applied, tt.units)
				}
				msgs = append(msgs, res.Applied[0].Message)
			}
			if !strings.Contains(strings.Join(msgs, "|"), tt.msg) {
				t.Fatalf("messages %q lack %q", msgs, tt.msg)
			}
		})
	}
}

// specialOf is a special price on milk with sp.
func specialOf(sp SpecialPrice) Promotion {
	return Promotion{ID: "x", Kind: KindSpecialPrice, Scope: skus("milk"), SpecialPrice: &sp}
}
