package engine

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestSearchAgainstOracle checks the stacking search against brute force: every
// subset of the eligible promotions that the stacking rules allow (at most one per
// group, an exclusive one alone, coupons only with promotions combinable with them,
// ungrouped promotions whenever compatible), each priced with the stacking flags
// stripped. The engine must pick an allowed combination (total >= the oracle's best)
// and, when its search was exhaustive, the best one up to a rounding fen per line
// (giving up a discount can save a rounding fen, which the engine does not chase).
func TestSearchAgainstOracle(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		cart, promos, ctx := genCase(rapidSource{rt})
		ctx.MaxCombinations = 0
		res, err := Price(cart, promos, ctx)
		if err != nil {
			rt.Fatal(err)
		}
		strip := func(p Promotion) Promotion {
			p.Group, p.Exclusive, p.CombinableWithCoupons, p.CouponCode, p.StacksWithItems = "", false, false, "", false
			return p
		}
		free := ctx
		free.ItemStacking = StackItems // the oracle prices each subset with every rule stripped
		var eligible []Promotion
		for _, p := range promos {
			if p.Validate() != nil {
				continue
			}
			if p.CouponCode != "" && !contains(ctx.Coupons, p.CouponCode) {
				continue
			}
			one, _ := Price(cart, []Promotion{strip(p)}, free)
			if e := findRejected(one, p.ID); e != nil && (e.Code == CodeConditionFailed || e.Code == CodeNotInScope) {
				continue
			}
			eligible = append(eligible, p)
		}
		compatible := func(a, b Promotion) bool {
			if (a.CouponCode != "" || b.CouponCode != "") && !(a.CombinableWithCoupons && b.CombinableWithCoupons) {
				return false
			}
			return !unitConflict(cart, ctx.ItemStacking, a, b)
		}
		best := int64(-1)
		for mask := 0; mask < 1<<len(eligible); mask++ {
			var set []Promotion
			for i, p := range eligible {
				if mask&(1<<i) != 0 {
					set = append(set, p)
				}
			}
			if !allowed(set, eligible, compatible, func(a, b Promotion) bool { return unitConflict(cart, ctx.ItemStacking, a, b) }) {
				continue
			}
			var stripped []Promotion
			for _, p := range set {
				stripped = append(stripped, strip(p))
			}
			r, _ := Price(cart, stripped, free)
			if best < 0 || r.Total < best {
				best = r.Total
			}
		}
		if res.Total < best {
			rt.Fatalf("engine total %d below every allowed combination (best %d)", res.Total, best)
		}
		if !res.Truncated && !res.Decomposed && res.Total > best+int64(len(cart.Lines)) {
			rt.Fatalf("engine total %d, best allowed combination %d\n%+v", res.Total, best, res)
		}
	})
}

// allowed applies the stacking rules to set, a subset of eligible.
func allowed(set, eligible []Promotion, compatible, unit func(a, b Promotion) bool) bool {
	groups := map[string]bool{}
	for i, p := range set {
		if p.Exclusive && len(set) > 1 {
			return false
		}
		if p.Group != "" {
			if groups[p.Group] {
				return false
			}
			groups[p.Group] = true
		}
		for _, q := range set[i+1:] {
			if !compatible(p, q) {
				return false
			}
		}
	}
	// An ungrouped, non-exclusive, non-coupon promotion that shares a unit with no
	// other eligible one applies whenever it is compatible with the chosen coupons.
	for _, p := range eligible {
		if p.Group != "" || p.Exclusive || p.CouponCode != "" || slices.ContainsFunc(set, func(q Promotion) bool { return q.ID == p.ID }) {
			continue
		}
		if slices.ContainsFunc(eligible, func(q Promotion) bool { return q.ID != p.ID && unit(p, q) }) {
			continue
		}
		if len(set) == 1 && set[0].Exclusive {
			continue
		}
		if !slices.ContainsFunc(set, func(q Promotion) bool { return !compatible(p, q) }) {
			return false
		}
	}
	return true
}

// unitConflict is the one-promotion-per-unit rule, computed apart from the engine:
// two item-level promotions reaching a common line conflict unless the tenant
// stacks items or both opt in; two buy-A-get-B promotions always do.
func unitConflict(cart Cart, rule ItemStacking, a, b Promotion) bool {
	if a.EffectiveLevel() != LevelItem || b.EffectiveLevel() != LevelItem {
		return false
	}
	reserved := a.Kind == KindBuyAGetB && b.Kind == KindBuyAGetB // never share units
	if !reserved && (rule == StackItems || (a.StacksWithItems && b.StacksWithItems)) {
		return false
	}
	for _, l := range cart.Lines {
		if reaches(a, l) && reaches(b, l) {
			return true
		}
	}
	return false
}

// reaches reports whether p's scope (a bundle: its components; buy A get B: either
// scope) takes in line l.
func reaches(p Promotion, l Line) bool {
	if p.Kind == KindBuyAGetB {
		r := p
		r.Kind, r.Scope = KindPercentOff, p.BuyAGetB.Reward
		q := p
		q.Kind = KindPercentOff
		return reaches(q, l) || reaches(r, l)
	}
	s := p.Scope
	if contains(s.ExcludeSKUs, l.SKU) || (l.Category != "" && contains(s.ExcludeCategories, l.Category)) ||
		(l.Brand != "" && contains(s.ExcludeBrands, l.Brand)) {
		return false
	}
	if p.Kind == KindBundle {
		return slices.ContainsFunc(p.Bundle.Components, func(c BundleComponent) bool { return contains(c.SKUs, l.SKU) })
	}
	return s.All || contains(s.SKUs, l.SKU) || (l.Category != "" && contains(s.Categories, l.Category)) ||
		(l.Brand != "" && contains(s.Brands, l.Brand))
}
