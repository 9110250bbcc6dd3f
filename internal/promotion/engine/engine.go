package engine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Index is a read-only, validated set of promotions indexed by SKU, category and brand,
// so that pricing a cart evaluates only the promotions that can touch it. It is safe
// for concurrent use.
type Index struct {
	promos  []Promotion // valid ones, canonical order
	scopes  []Scope     // effective scope per promotion (bundles: their components)
	invalid []Explanation
	bySKU   map[string][]int32
	byCat   map[string][]int32
	byBrand map[string][]int32
	all     []int32
}

// NewIndex validates and indexes promotions. A promotion that fails Validate, or whose
// id is used more than once, is left out and reported by every Price call as
// invalid_definition; one bad definition never stops checkout.
func NewIndex(promos []Promotion) *Index {
	ix := &Index{bySKU: map[string][]int32{}, byCat: map[string][]int32{}, byBrand: map[string][]int32{}}
	count := map[string]int{}
	for i := range promos {
		count[promos[i].ID]++
	}
	var valid []Promotion
	for i := range promos {
		p := promos[i]
		err := p.Validate()
		if err == nil && count[p.ID] > 1 {
			err = errs.Field("id", "promotion id %q is used %d times", p.ID, count[p.ID])
		}
		if err != nil {
			ix.invalid = append(ix.invalid, Explanation{PromotionID: p.ID, Code: CodeInvalidDefinition, Message: errMessage(err)})
			continue
		}
		valid = append(valid, p)
	}
	sort.Slice(ix.invalid, func(a, b int) bool {
		x, y := ix.invalid[a], ix.invalid[b]
		if x.PromotionID != y.PromotionID {
			return x.PromotionID < y.PromotionID
		}
		return x.Message < y.Message
	})
	sort.Slice(valid, func(a, b int) bool { return canonicalLess(&valid[a], &valid[b]) })
	ix.promos = valid
	ix.scopes = make([]Scope, len(valid))
	for i := range valid {
		p := &valid[i]
		s := p.Scope
		if p.Kind == KindBundle {
			s.SKUs = nil
			for _, c := range p.Bundle.Components {
				s.SKUs = append(s.SKUs, c.SKUs...)
			}
		}
		ix.scopes[i] = s
		n := int32(i)
		if s.All {
			ix.all = append(ix.all, n)
			continue
		}
		for _, v := range uniq(s.SKUs) {
			ix.bySKU[v] = append(ix.bySKU[v], n)
		}
		for _, v := range uniq(s.Categories) {
			ix.byCat[v] = append(ix.byCat[v], n)
		}
		for _, v := range uniq(s.Brands) {
			ix.byBrand[v] = append(ix.byBrand[v], n)
		}
	}
	return ix
}

// Len returns the number of valid promotions in the index.
func (ix *Index) Len() int { return len(ix.promos) }

func canonicalLess(a, b *Promotion) bool {
	la, lb := a.EffectiveLevel(), b.EffectiveLevel()
	if la != lb {
		return la == LevelItem
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.ID < b.ID
}

func uniq(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return err.Error()
}

// Price prices cart against promos in ctx; it is NewIndex(promos).Price(cart, ctx).
// It returns an errs.Invalid error when the cart is invalid (see Cart.Validate).
func Price(cart Cart, promos []Promotion, ctx Context) (Result, error) {
	return NewIndex(promos).Price(cart, ctx)
}

// cand is a promotion that touches at least one line.
type cand struct {
	n     int32 // index into Index.promos (canonical order)
	p     *Promotion
	scope *Scope
	level Level
	lines []int32 // in-scope line positions in the canonical cart
}

func (c *cand) coupon() bool { return c.p.CouponCode != "" }

// Price prices cart in ctx: it is a pure, deterministic function of (cart, the
// indexed promotions, ctx). It returns an errs.Invalid error when the cart is invalid
// (see Cart.Validate).
func (ix *Index) Price(cart Cart, ctx Context) (Result, error) {
	if err := cart.Validate(); err != nil {
		return Result{}, fmt.Errorf("engine: price: %w", err)
	}
	lines := slices.Clone(cart.Lines)
	sort.Slice(lines, func(a, b int) bool { return lines[a].ID < lines[b].ID })
	amounts := make([]int64, len(lines))
	for i, l := range lines {
		amounts[i] = l.Amount()
	}

	// Gather candidates: promotions reached through the index, with their lines.
	type hit struct{ n, li int32 }
	hits := make([]hit, 0, 4*len(lines))
	for li := range lines {
		l := &lines[li]
		for _, n := range ix.bySKU[l.SKU] {
			hits = append(hits, hit{n, int32(li)})
		}
		if l.Category != "" {
			for _, n := range ix.byCat[l.Category] {
				hits = append(hits, hit{n, int32(li)})
			}
		}
		if l.Brand != "" {
			for _, n := range ix.byBrand[l.Brand] {
				hits = append(hits, hit{n, int32(li)})
			}
		}
		for _, n := range ix.all {
			hits = append(hits, hit{n, int32(li)})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.n != b.n {
			return int(a.n - b.n)
		}
		return int(a.li - b.li)
	})
	slab := make([]cand, 0, len(hits))
	cands := make([]*cand, 0, len(hits))
	for i := 0; i < len(hits); {
		n := hits[i].n
		p := &ix.promos[n]
		slab = append(slab, cand{n: n, p: p, scope: &ix.scopes[n], level: p.EffectiveLevel()})
		c := &slab[len(slab)-1]
		for ; i < len(hits) && hits[i].n == n; i++ {
			li := hits[i].li
			if m := len(c.lines); (m > 0 && c.lines[m-1] == li) || excluded(c.scope, &lines[li]) {
				continue
			}
			c.lines = append(c.lines, li)
		}
		cands = append(cands, c)
	}

	res := Result{Rejected: make([]Explanation, 0, len(ix.invalid)+len(cands)), Lines: make([]LineResult, 0, len(lines)+1)}
	res.Rejected = append(res.Rejected, ix.invalid...)
	eligible := make([]*cand, 0, len(cands))
	loc := ctx.Location
	if loc == nil {
		loc = time.UTC
	}
	local := ctx.Time.In(loc)
	for _, c := range cands {
		if len(c.lines) == 0 {
			res.Rejected = append(res.Rejected, Explanation{PromotionID: c.p.ID, Code: CodeNotInScope,
				Message: "no line of the cart is in the promotion's scope"})
			continue
		}
		if cond, msg := conditionFailure(c, lines, amounts, &ctx, local); cond != "" {
			res.Rejected = append(res.Rejected, Explanation{PromotionID: c.p.ID, Code: CodeConditionFailed,
				Condition: cond, Message: msg})
			continue
		}
		eligible = append(eligible, c)
	}

	ev := &evaluator{lines: lines, amounts: amounts}
	best := search(ev, eligible, ctx.MaxCombinations)
	res.Combinations, res.Truncated, res.Decomposed = best.evaluated, best.truncated, best.decomposed
	out := ev.run(best.chosen, true)
	ev.explain(&res, out, eligible, best)
	for _, a := range amounts {
		res.Subtotal += a
	}
	for i, l := range lines {
		lr := LineResult{Line: l, Amount: amounts[i], Net: out.nets[i], Discount: amounts[i] - out.nets[i]}
		lr.Allocations = out.lineAllocs[i]
		res.Lines = append(res.Lines, lr)
		res.Total += lr.Net
	}
	res.Lines = append(res.Lines, out.gifts...)
	res.Discount = res.Subtotal - res.Total
	return res, nil
}

// excluded reports whether a scope's exclusions remove the line.
func excluded(s *Scope, l *Line) bool {
	return contains(s.ExcludeSKUs, l.SKU) || (l.Category != "" && contains(s.ExcludeCategories, l.Category)) ||
		(l.Brand != "" && contains(s.ExcludeBrands, l.Brand))
}

// conditionFailure returns the first failed condition's name and a message, or "".
func conditionFailure(c *cand, lines []Line, amounts []int64, ctx *Context, local time.Time) (string, string) {
	p, k := c.p, &c.p.Conditions
	if p.CouponCode != "" && !contains(ctx.Coupons, p.CouponCode) {
		return "coupon_code", "its coupon code was not presented"
	}
	if !k.Start.IsZero() && ctx.Time.Before(k.Start) {
		return "start", "the promotion has not started"
	}
	if !k.End.IsZero() && !ctx.Time.Before(k.End) {
		return "end", "the promotion has ended"
	}
	if len(k.Weekdays) > 0 && !slices.Contains(k.Weekdays, local.Weekday()) {
		return "weekdays", "not on this day of the week"
	}
	if k.DailyFrom != 0 || k.DailyTo != 0 {
		m := local.Hour()*60 + local.Minute()
		to := k.DailyTo
		if to == 0 {
			to = 1440
		}
		in := m >= k.DailyFrom && m < to
		if k.DailyFrom > to {
			in = m >= k.DailyFrom || m < to
		}
		if !in {
			return "daily_window", "not at this time of day"
		}
	}
	if n := listFailure(k.Channels, ctx.Channel, "channels"); n != "" {
		return n, "not for this channel"
	}
	if n := listFailure(k.Stores, ctx.StoreID, "stores"); n != "" {
		return n, "not for this store"
	}
	if n := listFailure(k.Regions, ctx.Region, "regions"); n != "" {
		return n, "not for this region"
	}
	if n := listFailure(k.StoreBrands, ctx.Brand, "store_brands"); n != "" {
		return n, "not for this store brand"
	}
	if n := listFailure(k.Tiers, ctx.Tier, "tiers"); n != "" {
		return n, "not for this customer tier"
	}
	if n := listFailure(k.PaymentMethods, ctx.PaymentMethod, "payment_methods"); n != "" {
		return n, "not for this payment method"
	}
	if len(k.Segments) > 0 && !slices.ContainsFunc(k.Segments, func(s string) bool { return contains(ctx.Segments, s) }) {
		return "segments", "the customer is in none of the promotion's segments"
	}
	if k.FirstOrderOnly && !ctx.FirstOrder {
		return "first_order_only", "only for a customer's first order"
	}
	if k.MinSpend > 0 || k.MinQty > 0 {
		var spend, qty int64
		for _, li := range c.lines {
			spend += amounts[li]
			if lines[li].Unit == UnitEach {
				qty += lines[li].Qty
			} else {
				qty++
			}
		}
		if spend < k.MinSpend {
			return "min_spend", fmt.Sprintf("spend %s of %s on eligible items (%s missing)", Yuan(spend), Yuan(k.MinSpend), Yuan(k.MinSpend-spend))
		}
		if qty < k.MinQty {
			return "min_qty", fmt.Sprintf("buy %d eligible units (%d missing)", k.MinQty, k.MinQty-qty)
		}
	}
	return "", ""
}

// listFailure returns name when list is set and does not contain v.
func listFailure(list []string, v, name string) string {
	if len(list) > 0 && !contains(list, v) {
		return name
	}
	return ""
}
