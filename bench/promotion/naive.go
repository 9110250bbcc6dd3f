package main

import (
	"slices"
	"sort"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// naivePrice is the naive evaluator: every promotion is tried on every line, with
// linear scans of the scope lists. It implements percent off, member price and
// per-SKU N-th item on ungrouped, non-exclusive promotions, applied in the engine's
// order (priority, then id) on the amounts left by the previous ones, so its totals
// equal the engine's on simpleWorkload. It returns the order total.
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
	sort.Slice(order, func(a, b int) bool {
		x, y := &promos[order[a]], &promos[order[b]]
		if x.Priority != y.Priority {
			return x.Priority > y.Priority
		}
		return x.ID < y.ID
	})
	for _, k := range order {
		p := &promos[k]
		if !naiveConditions(p, ctx) {
			continue
		}
		for i, l := range lines {
			if !naiveInScope(&p.Scope, l) {
				continue
			}
			var d int64
			switch p.Kind {
			case engine.KindPercentOff, engine.KindMemberPrice:
				d = (nets[i]*p.PercentOff.OffBP + 5000) / 10000
			case engine.KindNthItem:
				n := l.Qty / p.NthItem.N
				c := l.Qty * 10000
				d = (nets[i]*n*p.NthItem.OffBP + c/2) / c
			}
			nets[i] -= d
		}
	}
	var total int64
	for _, n := range nets {
		total += n
	}
	return total
}

func naiveInScope(s *engine.Scope, l engine.Line) bool {
	for _, x := range s.ExcludeSKUs {
		if x == l.SKU {
			return false
		}
	}
	if s.All {
		return true
	}
	for _, x := range s.SKUs {
		if x == l.SKU {
			return true
		}
	}
	for _, x := range s.Categories {
		if x == l.Category {
			return true
		}
	}
	for _, x := range s.Brands {
		if x == l.Brand {
			return true
		}
	}
	return false
}

func naiveConditions(p *engine.Promotion, ctx engine.Context) bool {
	c := &p.Conditions
	if !c.Start.IsZero() && ctx.Time.Before(c.Start) || !c.End.IsZero() && !ctx.Time.Before(c.End) {
		return false
	}
	local := ctx.Time.In(ctx.Location)
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
