package main

import (
	"slices"
	"sort"
	"time"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// naivePrice is the brute-force evaluator, kept as a correctness oracle only (it is
// not timed): every promotion is re-ranked and tried on every line, with linear
// scans of the scope lists. It implements percent off, member price and per-SKU N-th
// item on ungrouped, non-exclusive promotions, applied in the engine's order
// (priority, then id) on the amounts left by the previous ones, so its totals equal
// the engine's on simpleWorkload. It returns the order total.
func naivePrice(cart engine.Cart, promos []engine.Promotion, ctx engine.Context) int64 {
	lines := slices.Clone(cart.Lines)
	sort.Slice(lines, func(a, b int) bool { return lines[a].ID < lines[b].ID })
	nets := make([]int64, len(lines))
	for i, l := range lines {
		nets[i] = l.Amount()
	}
	order := make([]int, len(promos))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return rankLess(&promos[order[a]], &promos[order[b]]) })
	local := ctx.Time.In(ctx.Location)
	for _, k := range order {
		p := &promos[k]
		if !holds(&p.Conditions, ctx, local) {
			continue
		}
		for i, l := range lines {
			if naiveInScope(&p.Scope, l) {
				nets[i] -= discount(p, l, nets[i])
			}
		}
	}
	var total int64
	for _, n := range nets {
		total += n
	}
	return total
}

// rankLess is the engine's order among item-level promotions: priority, then id.
func rankLess(x, y *engine.Promotion) bool {
	if x.Priority != y.Priority {
		return x.Priority > y.Priority
	}
	return x.ID < y.ID
}

// discount is what promotion p takes off line l whose amount after the promotions
// before it is net (the engine's rounding: half up, N-th item prorated over the
// line's units).
func discount(p *engine.Promotion, l engine.Line, net int64) int64 {
	switch p.Kind {
	case engine.KindPercentOff, engine.KindMemberPrice:
		return (net*p.PercentOff.OffBP + 5000) / 10000
	case engine.KindNthItem:
		n := l.Qty / p.NthItem.N
		c := l.Qty * 10000
		return (net*n*p.NthItem.OffBP + c/2) / c
	}
	return 0
}

func naiveInScope(s *engine.Scope, l engine.Line) bool {
	if slices.Contains(s.ExcludeSKUs, l.SKU) {
		return false
	}
	return s.All || slices.Contains(s.SKUs, l.SKU) || slices.Contains(s.Categories, l.Category) || slices.Contains(s.Brands, l.Brand)
}

// holds reports whether conditions c hold in ctx, local being ctx.Time in the
// context's location.
func holds(c *engine.Conditions, ctx engine.Context, local time.Time) bool {
	if !c.Start.IsZero() && ctx.Time.Before(c.Start) || !c.End.IsZero() && !ctx.Time.Before(c.End) {
		return false
	}
	if len(c.Weekdays) > 0 && !slices.Contains(c.Weekdays, local.Weekday()) {
		return false
	}
	if c.DailyFrom != 0 || c.DailyTo != 0 {
		m := local.Hour()*60 + local.Minute()
		if m < c.DailyFrom || m >= c.DailyTo {
			return false
		}
	}
	if len(c.Channels) > 0 && !slices.Contains(c.Channels, ctx.Channel) {
		return false
	}
	if len(c.Tiers) > 0 && !slices.Contains(c.Tiers, ctx.Tier) {
		return false
	}
	return true
}
