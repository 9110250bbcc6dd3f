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
			refused: "one item-level promotion (one per unit); half"},
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
