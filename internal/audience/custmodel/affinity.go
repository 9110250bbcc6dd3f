package custmodel

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// CategoryPurchase is what one customer bought in one category over the analysis
// window. Several rows for the same customer and category are added up.
type CategoryPurchase struct {
	CustomerID string
	Category   string
	// SpendFen is the spend in the category, in fen.
	SpendFen int64
	// Orders is the number of orders that contained the category.
	Orders int
}

// AffinityMeasure is what shares are computed from.
type AffinityMeasure int

// The affinity measures.
const (
	// MeasureSpend computes shares from SpendFen (the default).
	MeasureSpend AffinityMeasure = iota
	// MeasureOrders computes shares from Orders, for data without prices.
	MeasureOrders
)

// AffinityOptions tune Affinity. Zero fields take the defaults.
type AffinityOptions struct {
	Measure AffinityMeasure
	// TopN is the most preferred categories returned per customer (default 3).
	TopN int
	// MinOrders is the support a category needs to be preferred: the customer bought it
	// in at least this many orders (default 2).
	MinOrders int
	// NextN is the most next best categories returned per customer (default 3).
	NextN int
}

func (o AffinityOptions) withDefaults() (AffinityOptions, error) {
	switch {
	case o.Measure != MeasureSpend && o.Measure != MeasureOrders:
		return o, errs.Field("options.measure", "unknown measure %d", o.Measure)
	case o.TopN < 0:
		return o, errs.Field("options.top_n", "must not be negative, got %d", o.TopN)
	case o.MinOrders < 0:
		return o, errs.Field("options.min_orders", "must not be negative, got %d", o.MinOrders)
	case o.NextN < 0:
		return o, errs.Field("options.next_n", "must not be negative, got %d", o.NextN)
	}
	if o.TopN == 0 {
		o.TopN = 3
	}
	if o.MinOrders == 0 {
		o.MinOrders = 2
	}
	if o.NextN == 0 {
		o.NextN = 3
	}
	return o, nil
}

// CategoryAffinity is one customer's standing in one category they bought.
type CategoryAffinity struct {
	Category string
	Orders   int
	SpendFen int64
	// Share is the category's share of the customer's measure (spend or orders).
	Share float64
	// BaseShare is the category's share of the whole base's measure.
	BaseShare float64
	// Lift is Share ÷ BaseShare: above 1 the customer over-indexes on the category.
	Lift float64
}

// CategoryScore is a next best category and its score (see Affinity).
type CategoryScore struct {
	Category string
	Score    float64
}

// CustomerAffinity is one customer's affinities and recommendations.
type CustomerAffinity struct {
	CustomerID string
	// Categories are the categories the customer bought, by Lift descending then name.
	Categories []CategoryAffinity
	// Preferred are up to TopN categories with Lift > 1 and at least MinOrders orders,
	// by Lift descending then name.
	Preferred []string
	// NextBest are up to NextN categories the customer has not bought (see Affinity).
	NextBest []CategoryScore
}

// Affinity computes every customer's category affinities, preferred categories and
// next best categories from per-customer, per-category purchases. A customer "bought"
// a category when a row has Orders > 0 or SpendFen > 0.
//
// Affinity is lift: the category's share of the customer's spend (or orders) divided by
// its share of the whole base's.
//
// Next best categories are item-based collaborative filtering on the customer ×
// category "bought" matrix: the similarity of categories i and j is the cosine
// co(i,j)/√(n_i·n_j), where n_i counts the customers who bought i and co(i,j) those who
// bought both; a category j the customer has not bought scores Σ cos(i,j) over the
// categories i they bought. Candidates are ranked by score, then by n_j (popularity),
// then by name, so a customer with nothing in common with anyone gets the most popular
// categories, with score 0.
//
// The result is sorted by customer id and does not depend on the order of rows. It
// returns an errs.Invalid error naming the element or option when an id or category
// is empty, a value is negative, an option is invalid, or the base has no spend under
// MeasureSpend. Cost: O(r log r) for r rows, plus O(Σ c_i²) for the co-occurrence
// counts and O(n·C log C) for the recommendations, with C categories (C² counters are
// kept, so C should be in the thousands at most: use category levels, not SKUs).
func Affinity(rows []CategoryPurchase, opt AffinityOptions) ([]CustomerAffinity, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("custmodel: affinity: %w", err)
	}
	for i, r := range rows {
		f := func(name string) string { return fmt.Sprintf("rows[%d].%s", i, name) }
		switch {
		case r.CustomerID == "":
			return nil, fmt.Errorf("custmodel: affinity: %w", errs.Field(f("customer_id"), "is required"))
		case r.Category == "":
			return nil, fmt.Errorf("custmodel: affinity: %w", errs.Field(f("category"), "is required"))
		case r.SpendFen < 0:
			return nil, fmt.Errorf("custmodel: affinity: %w", errs.Field(f("spend_fen"), "must not be negative, got %d", r.SpendFen))
		case r.Orders < 0:
			return nil, fmt.Errorf("custmodel: affinity: %w", errs.Field(f("orders"), "must not be negative, got %d", r.Orders))
		}
	}

	// Aggregate rows per (customer, category), in canonical order.
	s := slices.Clone(rows)
	slices.SortFunc(s, func(a, b CategoryPurchase) int {
		return cmp.Or(cmp.Compare(a.CustomerID, b.CustomerID), cmp.Compare(a.Category, b.Category))
	})
	agg := s[:0]
	for _, r := range s {
		if n := len(agg); n > 0 && agg[n-1].CustomerID == r.CustomerID && agg[n-1].Category == r.Category {
			agg[n-1].SpendFen += r.SpendFen
			agg[n-1].Orders += r.Orders
			continue
		}
		agg = append(agg, r)
	}

	// Category index, in name order.
	names := make([]string, 0)
	for _, r := range agg {
		names = append(names, r.Category)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	idx := make(map[string]int, len(names))
	for i, n := range names {
		idx[n] = i
	}
	nc := len(names)

	measure := func(r CategoryPurchase) float64 {
		if opt.Measure == MeasureOrders {
			return float64(r.Orders)
		}
		return float64(r.SpendFen)
	}
	bought := func(r CategoryPurchase) bool { return r.Orders > 0 || r.SpendFen > 0 }

	// Base totals, buyers per category and co-occurrence, one customer run at a time.
	baseM := make([]float64, nc)
	buyers := make([]float64, nc)
	co := make([]int32, nc*nc)
	var total float64
	type run struct{ lo, hi int }
	var runs []run
	for lo := 0; lo < len(agg); {
		hi := lo
		for hi < len(agg) && agg[hi].CustomerID == agg[lo].CustomerID {
			hi++
		}
		runs = append(runs, run{lo, hi})
		for a := lo; a < hi; a++ {
			ia := idx[agg[a].Category]
			m := measure(agg[a])
			baseM[ia] += m
			total += m
			if !bought(agg[a]) {
				continue
			}
			buyers[ia]++
			for b := lo; b < hi; b++ {
				if b != a && bought(agg[b]) {
					co[ia*nc+idx[agg[b].Category]]++
				}
			}
		}
		lo = hi
	}
	if total == 0 && len(agg) > 0 {
		return nil, fmt.Errorf("custmodel: affinity: %w", errs.Field("options.measure", "the rows have no %s; choose another measure", map[AffinityMeasure]string{MeasureSpend: "spend", MeasureOrders: "orders"}[opt.Measure]))
	}

	out := make([]CustomerAffinity, 0, len(runs))
	has := make([]bool, nc)
	scores := make([]float64, nc)
	cand := make([]int, 0, nc)
	var boughtIdx []int
	for _, rn := range runs {
		cust := agg[rn.lo:rn.hi]
		ca := CustomerAffinity{CustomerID: cust[0].CustomerID}
		var own float64
		for _, r := range cust {
			own += measure(r)
		}
		boughtIdx = boughtIdx[:0]
		for _, r := range cust {
			i := idx[r.Category]
			if bought(r) {
				has[i] = true
				boughtIdx = append(boughtIdx, i)
			}
			a := CategoryAffinity{Category: r.Category, Orders: r.Orders, SpendFen: r.SpendFen, BaseShare: baseM[i] / total}
			if own > 0 {
				a.Share = measure(r) / own
			}
			if a.BaseShare > 0 {
				a.Lift = a.Share / a.BaseShare
			}
			ca.Categories = append(ca.Categories, a)
		}
		slices.SortStableFunc(ca.Categories, func(a, b CategoryAffinity) int { return cmp.Compare(b.Lift, a.Lift) })
		for _, a := range ca.Categories {
			if len(ca.Preferred) < opt.TopN && a.Lift > 1 && a.Orders >= opt.MinOrders {
				ca.Preferred = append(ca.Preferred, a.Category)
			}
		}

		cand = cand[:0]
		for j := range nc {
			if has[j] {
				continue
			}
			var sc float64
			for _, i := range boughtIdx {
				if c := co[i*nc+j]; c > 0 {
					sc += float64(c) / math.Sqrt(buyers[i]*buyers[j])
				}
			}
			scores[j] = sc
			cand = append(cand, j)
		}
		slices.SortFunc(cand, func(a, b int) int {
			return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(buyers[b], buyers[a]), cmp.Compare(a, b))
		})
		for _, j := range cand[:min(opt.NextN, len(cand))] {
			ca.NextBest = append(ca.NextBest, CategoryScore{Category: names[j], Score: scores[j]})
		}
		for _, i := range boughtIdx {
			has[i] = false
		}
		out = append(out, ca)
	}
	return out, nil
}
