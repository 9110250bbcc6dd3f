package engine

import (
	"slices"
	"strings"
	"testing"
)

// priced prices lines against promos in the base context changed by edit.
func priced(t *testing.T, lines []Line, promos []Promotion, edit func(*Context)) Result {
	t.Helper()
	ctx := baseCtx()
	if edit != nil {
		edit(&ctx)
	}
	res, err := Price(Cart{Lines: lines}, promos, ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, Cart{Lines: lines}, res)
	return res
}

func appliedIDs(res Result) []string {
	var ids []string
	for _, a := range res.Applied {
		ids = append(ids, a.PromotionID)
	}
	return ids
}

func stacking(p Promotion) Promotion { p.StacksWithItems = true; return p }

// TestOnePerUnit: a yogurt in a bundle (2 for ¥10.00) and 第二件半价 at once; by
// default a unit takes one item-level promotion, the better one, and 满减 still applies.
func TestOnePerUnit(t *testing.T) {
	t.Parallel()
	yogurt := []Line{each("a", "yogurt", "dairy", "", 4, 600)} // ¥24.00
	bundle := Promotion{ID: "two-for-10", Kind: KindBundle, Bundle: &Bundle{Price: 1000,
		Components: []BundleComponent{{SKUs: []string{"yogurt"}, Qty: 2}}}} // saves ¥4.00
	half := halfSecond("half", skus("yogurt")) // saves ¥6.00
	ten := pct("ten", skus("yogurt"), 1000)    // 10% off, applied after half (canonical order)
	mj := manjian("mj", Tier{1500, 300})
	tests := []struct {
		name    string
		promos  []Promotion
		rule    ItemStacking
		total   int64
		applied []string
		refused string // text of the refused promotion's message
	}{
		{name: "default: the better one alone", promos: []Promotion{bundle, half}, total: 1800, applied: []string{"half"},
			refused: `a unit takes one item-level promotion (one per unit) unless both stack with items; neither does; "half" gives a lower total`},
		{name: "explicit one_per_unit", promos: []Promotion{bundle, half}, rule: OnePerUnit, total: 1800, applied: []string{"half"}},
		{name: "tenant stacks items", promos: []Promotion{ten, half}, rule: StackItems, total: 1620, applied: []string{"half", "ten"}},
		{name: "both opt in", promos: []Promotion{stacking(ten), stacking(half)}, total: 1620, applied: []string{"half", "ten"}},
		{name: "one opts in: not enough", promos: []Promotion{stacking(ten), half}, total: 1800, applied: []string{"half"}},
		{name: "order-level on top", promos: []Promotion{bundle, half, mj}, total: 1500, applied: []string{"half", "mj"}},
		{name: "different lines do not conflict", promos: []Promotion{half, pct("bread", skus("bread"), 1000)}, total: 1800, applied: []string{"half"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := priced(t, yogurt, tt.promos, func(c *Context) { c.ItemStacking = tt.rule })
			ids := appliedIDs(res)
			slices.Sort(ids)
			if res.Total != tt.total || !slices.Equal(ids, tt.applied) {
				t.Fatalf("total %d applied %v, want %d %v\n%+v", res.Total, ids, tt.total, tt.applied, res.Rejected)
			}
			if tt.refused != "" {
				e := findRejected(res, "two-for-10")
				if e == nil || e.Code != CodeExcludedByStacking || !strings.Contains(e.Message, tt.refused) {
					t.Fatalf("bundle explanation %+v, want excluded_by_stacking with %q", e, tt.refused)
				}
			}
		})
	}
}

// TestOnePerUnitPicksBestCombination: three promotions over two lines where the
// greedy choice (the biggest single discount) is not the best combination.
func TestOnePerUnitPicksBestCombination(t *testing.T) {
	t.Parallel()
	lines := []Line{each("a", "milk", "dairy", "", 1, 1000), each("b", "bread", "bakery", "", 1, 1000)}
	both := pct("both", Scope{SKUs: []string{"milk", "bread"}}, 3000) // ¥6.00 over both lines
	milk := pct("milk", skus("milk"), 4000)                           // ¥4.00
	bread := pct("bread", skus("bread"), 4000)                        // ¥4.00
	res := priced(t, lines, []Promotion{both, milk, bread}, nil)
	if ids := appliedIDs(res); res.Total != 1200 || len(ids) != 2 {
		t.Fatalf("total %d applied %v, want 1200 from milk and bread", res.Total, ids)
	}
}

// TestStackingMessages: a refused combination names both promotions by name and code,
// says which side refused and why.
func TestStackingMessages(t *testing.T) {
	t.Parallel()
	named := func(p Promotion, name, code string) Promotion { p.Name, p.Code = name, code; return p }
	yogurt := []Line{each("a", "yogurt", "dairy", "", 4, 600)}
	half := named(halfSecond("half", skus("yogurt")), "第二件半价", "HALF-2")
	ten := named(pct("ten", skus("yogurt"), 1000), "酸奶9折", "YOG-10")
	coupon := named(Promotion{ID: "c", Kind: KindAmountOff, Level: LevelOrder, Scope: allScope(), AmountOff: &AmountOff{Amount: 1000},
		CouponCode: "C10"}, "10元券", "COUPON-10")
	tests := []struct {
		name    string
		promos  []Promotion
		coupons []string
		refused string
		by      string
		msg     string
	}{
		{name: "one per unit, the loser opted in", promos: []Promotion{half, stacking(ten)}, refused: "ten", by: "winner",
			msg: `"酸奶9折" (YOG-10) and "第二件半价" (HALF-2) share items, and a unit takes one item-level promotion (one per unit) unless both stack with items; "第二件半价" (HALF-2) does not`},
		{name: "one per group", promos: []Promotion{withGroup(half, "dairy"), withGroup(stacking(ten), "dairy")}, refused: "ten", by: "both",
			msg: `"酸奶9折" (YOG-10) and "第二件半价" (HALF-2) are both in stacking group "dairy", which allows one per group`},
		{name: "combines with nothing", promos: []Promotion{half, func() Promotion { p := ten; p.Exclusive = true; return p }()}, refused: "ten", by: "this",
			msg: `"酸奶9折" (YOG-10) combines with nothing (exclusive)`},
		{name: "coupon refused by the item promotion", promos: []Promotion{half, func() Promotion { p := coupon; p.CombinableWithCoupons = true; return p }()},
			coupons: []string{"C10"}, refused: "half", by: "this",
			msg: `"第二件半价" (HALF-2) does not combine with "10元券" (COUPON-10): "第二件半价" (HALF-2) is not combinable with coupons`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := priced(t, yogurt, tt.promos, func(c *Context) { c.Coupons = tt.coupons })
			e := findRejected(res, tt.refused)
			if e == nil || e.Code != CodeExcludedByStacking || e.RefusedBy != tt.by || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("explanation %+v\nwant refused_by %s and %q", e, tt.by, tt.msg)
			}
		})
	}
}

// TestCouponThresholdMessage: a coupon with a threshold, applied after 满减, says the
// amount it was measured on and what came off before it.
func TestCouponThresholdMessage(t *testing.T) {
	t.Parallel()
	mj := manjian("mj", Tier{20000, 2000})
	mj.Name, mj.Code, mj.Priority, mj.CombinableWithCoupons = "满200减20", "MJ", 1, true
	coupon := manjian("c", Tier{19000, 1000})
	coupon.Name, coupon.Code, coupon.CouponCode, coupon.CombinableWithCoupons = "满190减10券", "COUPON", "C190", true
	res := priced(t, []Line{each("a", "oil", "grocery", "", 1, 20000)}, []Promotion{mj, coupon}, func(c *Context) { c.Coupons = []string{"C190"} })
	e := findRejected(res, "c")
	want := `coupon C190: measured on ¥180.00 (eligible items after item-level discounts and after "满200减20" (MJ)): spend ¥10.00 more to save ¥10.00`
	if res.Total != 18000 || e == nil || e.Code != CodeThresholdNotMet || e.Message != want {
		t.Fatalf("total %d, coupon %+v\nwant %q", res.Total, e, want)
	}
}
