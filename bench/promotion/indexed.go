package main

import (
	"slices"
	"sort"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// indexed is the speed baseline: an ordinary indexed evaluator of the promotions
// naivePrice implements, as a competent programmer would write one without the
// engine's explanations, stacking search or proration. At build it ranks the
// promotions once (priority, then id) and hashes each one's rank by SKU, category and
// brand, each list in rank order; per basket it takes a line's promotions from the
// three lists, checks each promotion's conditions once per basket, and applies them
// in rank order to the line's amount. It returns the order total only. It is not safe
// for concurrent use (its per-basket memo is shared).
type indexed struct {
	promos                []engine.Promotion // in rank order
	bySKU, byCat, byBrand map[string][]int32
	checked               []uint32 // per rank: the basket stamp when its conditions were checked
	ok                    []bool   // per rank: whether they held
	stamp                 uint32
	buf                   []int32
}

func newIndexed(promos []engine.Promotion) *indexed {
	x := &indexed{promos: slices.Clone(promos), bySKU: map[string][]int32{}, byCat: map[string][]int32{}, byBrand: map[string][]int32{}}
	sort.Slice(x.promos, func(a, b int) bool { return rankLess(&x.promos[a], &x.promos[b]) })
	add := func(m map[string][]int32, keys []string, rank int32) {
		for i, k := range keys {
			if !slices.Contains(keys[:i], k) { // a key listed twice reaches the line once
				m[k] = append(m[k], rank)
			}
		}
	}
	for i := range x.promos {
		s := &x.promos[i].Scope
		add(x.bySKU, s.SKUs, int32(i))
		add(x.byCat, s.Categories, int32(i))
		add(x.byBrand, s.Brands, int32(i))
	}
	x.checked = make([]uint32, len(x.promos))
	x.ok = make([]bool, len(x.promos))
	return x
}

func (x *indexed) price(cart engine.Cart, ctx engine.Context) int64 {
	x.stamp++
	local := ctx.Time.In(ctx.Location)
	var total int64
	for _, l := range cart.Lines {
		ranks := append(append(append(x.buf[:0], x.bySKU[l.SKU]...), x.byCat[l.Category]...), x.byBrand[l.Brand]...)
		slices.Sort(ranks)
		x.buf = ranks
		net := l.Amount()
		for i, k := range ranks {
			if i > 0 && ranks[i-1] == k { // reached by SKU and by category, say
				continue
			}
			p := &x.promos[k]
			if x.checked[k] != x.stamp {
				x.checked[k], x.ok[k] = x.stamp, holds(&p.Conditions, ctx, local)
			}
			if x.ok[k] && !slices.Contains(p.Scope.ExcludeSKUs, l.SKU) {
				net -= discount(p, l, net)
			}
		}
		total += net
	}
	return total
}
