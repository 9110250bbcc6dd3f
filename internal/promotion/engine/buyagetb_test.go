package engine

import (
	"slices"
	"strings"
	"testing"
)

// bagb is buy `buy` sweaters, get `get` T-shirts at offBP off.
func bagb(id string, buy, get, offBP int64, pick Pick, times int64) Promotion {
	return Promotion{ID: id, Kind: KindBuyAGetB, Scope: cats("sweaters"),
		BuyAGetB: &BuyAGetB{Buy: buy, Get: get, OffBP: offBP, Pick: pick, Times: times, Reward: cats("tees")}}
}

// TestBuyAGetB: worked scenarios for buy A get B with separate scopes.
func TestBuyAGetB(t *testing.T) {
	t.Parallel()
	sweater := func(id string, qty int64) Line { return each(id, "sweater-"+id, "sweaters", "", qty, 29900) }
	tee := func(id string, price int64) Line { return each(id, "tee-"+id, "tees", "", 1, price) }
	tops := func(id string, price int64) Line { return each(id, "top-"+id, "tops", "", 1, price) }
	tests := []struct {
		name   string
		lines  []Line
		promos []Promotion
		rule   ItemStacking
		total  int64
		free   map[string]int64 // line → discount
		code   Code
		msg    string
	}{
		{name: "cheapest T-shirt free", lines: []Line{sweater("s", 1), tee("t1", 9900), tee("t2", 5900)},
			promos: []Promotion{bagb("p", 1, 1, 10000, "", 0)}, total: 29900 + 9900, free: map[string]int64{"t2": 5900},
			msg: "buy 1 get 1 free (cheapest first): 1 time(s)"},
		{name: "dearest T-shirt half price", lines: []Line{sweater("s", 1), tee("t1", 9900), tee("t2", 5900)},
			promos: []Promotion{bagb("p", 1, 1, 5000, PickDearest, 0)}, total: 29900 + 4950 + 5900, free: map[string]int64{"t1": 4950},
			msg: "50% off (dearest first)"},
		{name: "applied twice", lines: []Line{sweater("s", 2), tee("t1", 9900), tee("t2", 5900), tee("t3", 3900)},
			promos: []Promotion{bagb("p", 1, 1, 10000, "", 0)}, total: 2*29900 + 9900, free: map[string]int64{"t2": 5900, "t3": 3900}},
		{name: "at most once", lines: []Line{sweater("s", 2), tee("t1", 9900), tee("t2", 5900), tee("t3", 3900)},
			promos: []Promotion{bagb("p", 1, 1, 10000, "", 1)}, total: 2*29900 + 9900 + 5900, free: map[string]int64{"t3": 3900}},
		{name: "no sweater", lines: []Line{tee("t1", 9900)}, promos: []Promotion{bagb("p", 1, 1, 10000, "", 0)}, total: 9900,
			code: CodeQuantityNotMet, msg: "buy 1 more qualifying unit(s) and add 0 more reward unit(s)"},
		{name: "no T-shirt", lines: []Line{sweater("s", 1)}, promos: []Promotion{bagb("p", 1, 1, 10000, "", 0)}, total: 29900,
			code: CodeQuantityNotMet, msg: "add 1 more reward unit(s)"},
		// One scope for both: buy 2 tops get the cheapest third free; a unit is a
		// qualifying or a reward unit, never both.
		{name: "same scope: the third free", lines: []Line{tops("a", 9900), tops("b", 5900), tops("c", 3900)},
			promos: []Promotion{{ID: "p", Kind: KindBuyAGetB, Scope: cats("tops"), BuyAGetB: &BuyAGetB{Buy: 2, Get: 1, OffBP: 10000, Reward: cats("tops")}}},
			total:  9900 + 5900, free: map[string]int64{"c": 3900}},
		{name: "same scope: two units are not enough", lines: []Line{tops("a", 9900), tops("b", 5900)},
			promos: []Promotion{{ID: "p", Kind: KindBuyAGetB, Scope: cats("tops"), BuyAGetB: &BuyAGetB{Buy: 2, Get: 1, OffBP: 10000, Reward: cats("tops")}}},
			total:  9900 + 5900, code: CodeQuantityNotMet, msg: "add 1 more reward unit(s)"},
		// Two buy-A-get-B promotions on the same T-shirts never share their units, even
		// when the tenant stacks item promotions: the one that saves more applies.
		{name: "reserved units", lines: []Line{sweater("s", 1), tee("t1", 9900), tee("t2", 5900)},
			promos: []Promotion{bagb("free", 1, 1, 10000, "", 0), bagb("half", 1, 1, 5000, PickDearest, 0)}, rule: StackItems,
			total: 29900 + 9900, free: map[string]int64{"t2": 5900}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := priced(t, tt.lines, tt.promos, func(c *Context) { c.ItemStacking = tt.rule })
			if res.Total != tt.total {
				t.Fatalf("total %d, want %d\n%+v\n%+v", res.Total, tt.total, res.Applied, res.Rejected)
			}
			for _, l := range res.Lines {
				if l.Discount != tt.free[l.ID] {
					t.Fatalf("line %s discount %d, want %d", l.ID, l.Discount, tt.free[l.ID])
				}
			}
			var msgs []string
			for _, a := range res.Applied {
				msgs = append(msgs, a.Message)
			}
			for _, e := range res.Rejected {
				msgs = append(msgs, e.Message)
				if tt.code != "" && e.Code != tt.code {
					t.Fatalf("rejected %+v, want %s", e, tt.code)
				}
			}
			if !strings.Contains(strings.Join(msgs, "|"), tt.msg) {
				t.Fatalf("messages %q lack %q", msgs, tt.msg)
			}
			if tt.name == "reserved units" {
				if e := findRejected(res, "half"); e == nil || e.Code != CodeExcludedByStacking {
					t.Fatalf("the second promotion %+v, want excluded_by_stacking", e)
				}
			}
		})
	}
}

// TestDeliveryFeePercentAndMethods: 50% off an ¥8.00 delivery fee over ¥39, only for
// same-day delivery.
func TestDeliveryFeePercentAndMethods(t *testing.T) {
	t.Parallel()
	half := Promotion{ID: "half-delivery", Kind: KindDeliveryFee, Scope: allScope(),
		DeliveryFee: &DeliveryFee{Spend: 3900, OffBP: 5000, Methods: []string{"same_day"}}}
	cart := func(method string) Cart {
		return Cart{Lines: []Line{each("a", "rice", "grocery", "", 1, 4500)}, DeliveryFee: 800, DeliveryMethod: method}
	}
	tests := []struct {
		method   string
		discount int64
		msg      string
	}{
		{"same_day", 400, "50% off delivery (¥4.00)"},
		{"express", 0, "only for delivery by same_day; this order's delivery method is express"},
		{"", 0, "this order's delivery method is none"},
	}
	for _, tt := range tests {
		res, err := Price(cart(tt.method), []Promotion{half}, baseCtx())
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, cart(tt.method), res)
		var msgs []string
		if res.Delivery != nil {
			msgs = append(msgs, res.Delivery.Message)
		}
		for _, e := range res.Rejected {
			msgs = append(msgs, e.Message)
		}
		if res.DeliveryDiscount != tt.discount || !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tt.msg) }) {
			t.Errorf("%q: delivery discount %d %q, want %d %q", tt.method, res.DeliveryDiscount, msgs, tt.discount, tt.msg)
		}
	}
}
