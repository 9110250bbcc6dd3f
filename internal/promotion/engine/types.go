package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// step is the outcome of applying one promotion.
type step struct {
	c        *cand
	record   bool
	discount int64
	alloc    []int64 // aligned with c.lines
	basis    []int64 // line amounts before this promotion, aligned with c.lines
	code     Code    // why no discount, when discount == 0 and no gift
	missing  int64
	msg      string
	giftQty  int64
	// next tier hint
	hintMissing, hintOff, hintSave int64
}

// apply applies c on nets (modified in place) and returns the step. Without record
// the step's slices are scratch space reused by the next call and msg is empty.
func (ev *evaluator) apply(c *cand, nets []int64, record bool) step {
	st := step{c: c, record: record}
	if record {
		two := make([]int64, 2*len(c.lines))
		st.alloc, st.basis = two[:len(c.lines):len(c.lines)], two[len(c.lines):]
	} else {
		if cap(ev.scratchA) < len(c.lines) {
			ev.scratchA, ev.scratchB = make([]int64, len(c.lines)*2), make([]int64, len(c.lines)*2)
		}
		st.alloc, st.basis = ev.scratchA[:len(c.lines)], ev.scratchB[:len(c.lines)]
		clear(st.alloc)
	}
	var sum int64
	for j, li := range c.lines {
		st.basis[j] = nets[li]
		sum += nets[li]
	}
	p := c.p
	switch p.Kind {
	case KindPercentOff, KindMemberPrice:
		bp := p.PercentOff.OffBP
		if c.level == LevelOrder {
			allocate(roundHalfUp(sum, bp, 10000), st.basis, st.alloc)
		} else {
			for j, b := range st.basis {
				st.alloc[j] = roundHalfUp(b, bp, 10000)
			}
		}
		if st.record {
			st.msg = percent(bp) + " off"
		}
	case KindAmountOff:
		allocate(min(p.AmountOff.Amount, sum), st.basis, st.alloc)
		if st.record {
			st.msg = fmt.Sprintf("%s off", Yuan(p.AmountOff.Amount))
		}
	case KindThreshold:
		off, missing, nextMissing, nextOff := thresholdOff(p.Threshold, sum)
		off = min(off, sum)
		st.hintMissing, st.hintOff, st.hintSave = nextMissing, nextOff, nextOff-off
		if off == 0 {
			st.code, st.missing = CodeThresholdNotMet, missing
			if st.record {
				st.msg = fmt.Sprintf("spend %s more on eligible items to save %s", Yuan(missing), Yuan(nextOff))
			}
			break
		}
		allocate(off, st.basis, st.alloc)
		if st.record {
			st.msg = fmt.Sprintf("spent %s on eligible items after item discounts: %s off", Yuan(sum), Yuan(off))
		}
	case KindNthItem:
		ev.nthItem(c, nets, &st)
	case KindBuyXGetY:
		ev.buyXGetY(c, nets, &st)
	case KindBundle:
		ev.bundle(c, nets, &st)
	case KindGift:
		g := p.Gift
		if sum < g.Spend {
			st.code, st.missing = CodeThresholdNotMet, g.Spend-sum
			st.hintMissing = g.Spend - sum
			if st.record {
				st.msg = fmt.Sprintf("spend %s more on eligible items to get %d × %s free", Yuan(g.Spend-sum), g.Qty, g.SKU)
			}
			break
		}
		st.giftQty = g.Qty
		if st.record {
			st.msg = fmt.Sprintf("gift: %d × %s", g.Qty, g.SKU)
		}
	}
	for j, li := range c.lines {
		if st.alloc[j] > nets[li] { // defensive: never below zero
			st.alloc[j] = nets[li]
		}
		if st.alloc[j] < 0 {
			st.alloc[j] = 0
		}
		nets[li] -= st.alloc[j]
		st.discount += st.alloc[j]
	}
	if st.discount == 0 && st.giftQty == 0 && st.code == "" {
		st.code = CodeNoDiscount
		st.msg = "the promotion gives no discount on this cart"
	}
	return st
}

func percent(bp int64) string {
	if bp%100 == 0 {
		return strconv.FormatInt(bp/100, 10) + "%"
	}
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// thresholdOff returns the discount earned by spend s, the spend missing for the
// first step when none is earned, and the spend missing for (and the total discount
// of) the next step, if any.
func thresholdOff(t *Threshold, s int64) (off, missing, nextMissing, nextOff int64) {
	if r := t.Repeat; r != nil {
		k := s / r.Every
		off = k * r.Off
		if r.Cap > 0 && off >= r.Cap {
			return r.Cap, 0, 0, 0
		}
		next := (k + 1) * r.Off
		if r.Cap > 0 {
			next = min(next, r.Cap)
		}
		if off == 0 {
			missing = r.Every - s
		}
		return off, missing, (k+1)*r.Every - s, next
	}
	for i := len(t.Tiers) - 1; i >= 0; i-- {
		if s >= t.Tiers[i].Spend {
			off = t.Tiers[i].Off
			if i+1 < len(t.Tiers) {
				return off, 0, t.Tiers[i+1].Spend - s, t.Tiers[i+1].Off
			}
			return off, 0, 0, 0
		}
	}
	return 0, t.Tiers[0].Spend - s, t.Tiers[0].Spend - s, t.Tiers[0].Off
}

// unitsDesc returns the positions j (into c.lines) of counted lines, most expensive
// unit first (ties: earlier line).
func (ev *evaluator) unitsDesc(c *cand, nets []int64, keep func(j int) bool) []int {
	var js []int
	for j, li := range c.lines {
		if ev.lines[li].Unit == UnitEach && keep(j) {
			js = append(js, j)
		}
	}
	slices.SortStableFunc(js, func(a, b int) int {
		la, lb := c.lines[a], c.lines[b]
		return cmpUnit(nets[lb], ev.lines[lb].Qty, nets[la], ev.lines[la].Qty)
	})
	return js
}

// nthItem discounts every N-th unit, per SKU (or across the scope with MixSKUs),
// counting from the most expensive unit.
func (ev *evaluator) nthItem(c *cand, nets []int64, st *step) {
	q := c.p.NthItem
	js := ev.unitsDesc(c, nets, func(int) bool { return true })
	if !q.MixSKUs { // group by SKU, keeping the price order inside each SKU
		slices.SortStableFunc(js, func(a, b int) int {
			return strings.Compare(ev.lines[c.lines[a]].SKU, ev.lines[c.lines[b]].SKU)
		})
	}
	var most, start int64
	for k, j := range js {
		li := c.lines[j]
		if k > 0 && !q.MixSKUs && ev.lines[li].SKU != ev.lines[c.lines[js[k-1]]].SKU {
			start = 0
		}
		qty := ev.lines[li].Qty
		n := (start+qty)/q.N - start/q.N
		start += qty
		most = max(most, start)
		if n > 0 {
			st.alloc[j] = roundHalfUp(nets[li], n*q.OffBP, qty*10000)
		}
	}
	if st.record {
		st.msg = "every " + ordinal(q.N) + " unit " + percent(q.OffBP) + " off"
	}
	if most < q.N {
		st.code, st.missing = CodeQuantityNotMet, q.N-most
		if st.record {
			st.msg = fmt.Sprintf("buy %d more unit(s) of the same item to get one %s off", q.N-most, percent(q.OffBP))
		}
	}
}

// buyXGetY makes the cheapest Get units of every Buy+Get group free, grouping the
// units from the most expensive down.
func (ev *evaluator) buyXGetY(c *cand, nets []int64, st *step) {
	b := c.p.BuyXGetY
	g := b.Buy + b.Get
	js := ev.unitsDesc(c, nets, func(int) bool { return true })
	var total int64
	for _, j := range js {
		total += ev.lines[c.lines[j]].Qty
	}
	limit := total / g * g
	free := func(n int64) int64 { // free positions among the first n
		n = min(n, limit)
		return n/g*b.Get + max(0, n%g-b.Buy)
	}
	var start int64
	for _, j := range js {
		li := c.lines[j]
		qty := ev.lines[li].Qty
		if k := free(start+qty) - free(start); k > 0 {
			st.alloc[j] = roundHalfUp(nets[li], k, qty)
		}
		start += qty
	}
	if st.record {
		st.msg = fmt.Sprintf("buy %d get %d free (cheapest)", b.Buy, b.Get)
	}
	if total < g {
		st.code, st.missing = CodeQuantityNotMet, g-total
		if st.record {
			st.msg = fmt.Sprintf("buy %d more eligible unit(s) to get %d free", g-total, b.Get)
		}
	}
}

// bundle forms as many bundles as the cart allows from the most expensive eligible
// units and allocates (their value - bundle price) over the units used.
func (ev *evaluator) bundle(c *cand, nets []int64, st *step) {
	b := c.p.Bundle
	comps := make([][]int, len(b.Components))
	k := int64(-1)
	short, shortBy := -1, int64(0)
	for i, comp := range b.Components {
		comps[i] = ev.unitsDesc(c, nets, func(j int) bool { return contains(comp.SKUs, ev.lines[c.lines[j]].SKU) })
		var avail int64
		for _, j := range comps[i] {
			avail += ev.lines[c.lines[j]].Qty
		}
		n := avail / comp.Qty
		if n == 0 && short < 0 {
			short, shortBy = i, comp.Qty-avail
		}
		if k < 0 || n < k {
			k = n
		}
	}
	if b.Max > 0 {
		k = min(k, b.Max)
	}
	if k <= 0 {
		st.code, st.missing = CodeQuantityNotMet, shortBy
		if st.record {
			st.msg = fmt.Sprintf("add %d unit(s) of %v to complete the bundle", shortBy, b.Components[max(short, 0)].SKUs)
		}
		return
	}
	value := make([]int64, len(c.lines))
	var sum int64
	for i, comp := range b.Components {
		need := k * comp.Qty
		for _, j := range comps[i] {
			if need == 0 {
				break
			}
			li := c.lines[j]
			take := min(need, ev.lines[li].Qty)
			need -= take
			value[j] = roundHalfUp(nets[li], take, ev.lines[li].Qty)
			sum += value[j]
		}
	}
	d := sum - k*b.Price
	if st.record {
		st.msg = fmt.Sprintf("%d bundle(s) at %s", k, Yuan(b.Price))
	}
	if d <= 0 {
		return // no_discount
	}
	allocate(d, value, st.alloc)
}

func ordinal(n int64) string {
	switch {
	case n == 2:
		return "2nd"
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}
