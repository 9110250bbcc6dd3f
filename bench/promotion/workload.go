package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const basketLines = 30

// shape is the catalogue a sweep size prices against. It grows with the promotion
// count so that the promotions per SKU, category and brand stay those of a retailer
// (issue 5's 5,000 SKUs, 60 categories and 150 brands up to 5,000 promotions; above
// that, one SKU per promotion, a category per 83 SKUs and a brand per 33): 100,000
// SKU-level promotions on 5,000 SKUs would put ~40 on every SKU, which is a different
// workload, not a larger one.
type shape struct {
	promotions, skus, categories, brands int
}

func shapeFor(promotions int) shape {
	skus := max(5000, promotions)
	return shape{promotions: promotions, skus: skus, categories: skus * 60 / 5000, brands: skus * 150 / 5000}
}

type item struct {
	sku, category, brand string
	price                int64
}

func (s shape) catName(i int) string   { return fmt.Sprintf("cat%04d", i) }
func (s shape) brandName(i int) string { return fmt.Sprintf("brand%05d", i) }

func catalogue(r *rand.Rand, s shape) []item {
	items := make([]item, s.skus)
	for i := range items {
		items[i] = item{sku: fmt.Sprintf("sku%06d", i), category: s.catName(i % s.categories),
			brand: s.brandName((i / 7) % s.brands), price: 100 + r.Int64N(19900)}
	}
	return items
}

// benchNow is Tuesday 2026-11-24 15:00 in Shanghai: member day, inside happy hours.
var (
	shanghai = time.FixedZone("CST", 8*3600)
	benchNow = time.Date(2026, 11, 24, 15, 0, 0, 0, shanghai)
)

// benchContext is the context every basket is priced in. Item-level promotions stack
// (engine.StackItems), the rule the baseline and the oracle implement, so that they
// compare like with like; the tenant default, one item-level promotion per unit,
// searches more combinations (BenchmarkPrice measures it).
func benchContext() engine.Context {
	return engine.Context{Time: benchNow, Location: shanghai, Channel: "pos", StoreID: "s001", Region: "east", Tier: "gold",
		ItemStacking: engine.StackItems}
}

// conditions gives about half the promotions a condition that fails in benchContext.
func conditions(r *rand.Rand) engine.Conditions {
	var c engine.Conditions
	switch r.IntN(8) {
	case 0:
		c.Channels = []string{"mini_program", "app"} // fails
	case 1:
		c.Weekdays = []time.Weekday{time.Tuesday} // member day: holds
		c.Tiers = []string{"gold", "platinum"}
	case 2:
		c.DailyFrom, c.DailyTo = 18*60, 21*60 // evening: fails
	case 3:
		c.End = benchNow.Add(-time.Hour) // ended: fails
	case 4:
		c.Start, c.End = benchNow.Add(-24*time.Hour), benchNow.Add(24*time.Hour) // running
	}
	return c
}

// density is the share (percent) of promotions scoped to a whole category and to a
// whole brand; the rest name 1–3 SKUs.
type density struct{ category, brand int }

var (
	typical = density{category: 3, brand: 2}  // at 2,000 promotions on issue 5's catalogue: ~1 per category, ~1 per 4 brands
	dense   = density{category: 12, brand: 8} // ~4 per category, ~1 per brand
)

// simpleWorkload is s.promotions non-stacking promotions (ungrouped, non-exclusive,
// no coupons) of the kinds the baseline and the oracle implement: percent off and
// member price by SKU, category or brand, and N-th item by SKU.
func simpleWorkload(r *rand.Rand, s shape, items []item, d density) []engine.Promotion {
	promos := make([]engine.Promotion, s.promotions)
	for i := range promos {
		p := engine.Promotion{ID: fmt.Sprintf("p%06d", i), Priority: r.IntN(5), Conditions: conditions(r)}
		switch x := r.IntN(100); {
		case x >= d.category+d.brand:
			n := 1 + r.IntN(3)
			for range n {
				p.Scope.SKUs = append(p.Scope.SKUs, items[r.IntN(len(items))].sku)
			}
		case x < d.category:
			p.Scope.Categories = []string{s.catName(r.IntN(s.categories))}
		default:
			p.Scope.Brands = []string{s.brandName(r.IntN(s.brands))}
		}
		switch x := r.IntN(100); {
		case x < 60:
			p.Kind, p.PercentOff = engine.KindPercentOff, &engine.PercentOff{OffBP: int64(500 + 100*r.IntN(30))}
		case x < 75:
			p.Kind, p.PercentOff = engine.KindMemberPrice, &engine.PercentOff{OffBP: int64(300 + 100*r.IntN(10))}
			p.Conditions.Tiers = []string{"gold", "platinum"}
		default:
			p.Kind, p.NthItem = engine.KindNthItem, &engine.NthItem{N: int64(2 + r.IntN(2)), OffBP: 5000}
		}
		promos[i] = p
	}
	return promos
}

// mixedWorkload is s.promotions promotions of every kind with stacking groups,
// exclusive promotions, coupons and store-wide thresholds; only the engine prices it.
// Store-wide promotions are 1% of the promotions up to 2,000 and stay at 20 above:
// they reach every basket, and a chain does not run thousands at once.
func mixedWorkload(r *rand.Rand, s shape, items []item, d density) []engine.Promotion {
	promos := simpleWorkload(r, s, items, d)
	storeWide := 0
	for i := range promos {
		p := &promos[i]
		switch x := r.IntN(100); {
		case x < 4: // bundle of two SKUs
			a, b := items[r.IntN(len(items))], items[r.IntN(len(items))]
			if a.sku == b.sku {
				continue
			}
			*p = engine.Promotion{ID: p.ID, Kind: engine.KindBundle, Priority: p.Priority, Bundle: &engine.Bundle{
				Price: (a.price + b.price) * 8 / 10, Components: []engine.BundleComponent{{SKUs: []string{a.sku}, Qty: 1}, {SKUs: []string{b.sku}, Qty: 1}}}}
		case x < 6: // buy 2 get 1 in a category
			*p = engine.Promotion{ID: p.ID, Kind: engine.KindBuyXGetY, Priority: p.Priority, Conditions: p.Conditions,
				Scope: engine.Scope{Categories: []string{s.catName(r.IntN(s.categories))}}, BuyXGetY: &engine.BuyXGetY{Buy: 2, Get: 1}}
		case x < 7: // store-wide 满减 or gift, mostly with conditions
			if storeWide >= 20 {
				continue
			}
			storeWide++
			if r.IntN(2) == 0 {
				*p = engine.Promotion{ID: p.ID, Kind: engine.KindThreshold, Scope: engine.Scope{All: true}, Conditions: conditions(r), Group: "order",
					Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 2000}, {Spend: 29900, Off: 5000}, {Spend: 49900, Off: 10000}}}}
			} else {
				*p = engine.Promotion{ID: p.ID, Kind: engine.KindGift, Scope: engine.Scope{All: true}, Conditions: conditions(r),
					Gift: &engine.Gift{SKU: "gift-bag", Qty: 1, Spend: 30000}}
			}
		case x < 8:
			p.Exclusive = true
		case x < 10:
			p.CouponCode = fmt.Sprintf("C%d", r.IntN(20))
			p.CombinableWithCoupons = true
		case x < 20:
			p.Group = fmt.Sprintf("g%02d", r.IntN(40))
		}
	}
	return promos
}

// basket is 30 distinct SKUs, 1–4 units each.
func basket(r *rand.Rand, items []item) engine.Cart {
	seen := map[int]bool{}
	var c engine.Cart
	for len(c.Lines) < basketLines {
		k := r.IntN(len(items))
		if seen[k] {
			continue
		}
		seen[k] = true
		it := items[k]
		c.Lines = append(c.Lines, engine.Line{ID: fmt.Sprintf("L%02d", len(c.Lines)), SKU: it.sku, Category: it.category,
			Brand: it.brand, Unit: engine.UnitEach, Qty: 1 + r.Int64N(4), UnitPrice: it.price})
	}
	return c
}
