package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
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
	units    int64 // flash-sale units sold at the flash price
	// next tier hint
	hintMissing, hintOff, hintSave int64
}

// apply applies c on nets (modified in place) and returns the step. Without record
// the step's slices are scratch space reused by the next call and msg is empty.
func (ev *evaluator) apply(c *cand, nets []int64, record bool) step {
	st := step{c: c, record: record}
	if record {
		two := ev.take(2 * len(c.lines))
		st.alloc, st.basis = two[:len(c.lines):len(c.lines)], two[len(c.lines):]
	} else {
		if cap(ev.sc.scratchA) < len(c.lines) {
			ev.sc.scratchA, ev.sc.scratchB = make([]int64, len(c.lines)*2), make([]int64, len(c.lines)*2)
		}
		st.alloc, st.basis = ev.sc.scratchA[:len(c.lines)], ev.sc.scratchB[:len(c.lines)]
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
		bp, maxOff := p.PercentOff.OffBP, p.PercentOff.MaxOff
		if c.level == LevelOrder {
			off := roundHalfUp(sum, bp, 10000)
			if maxOff > 0 {
				off = min(off, maxOff)
			}
			allocateBuf(off, st.basis, st.alloc, &ev.sc.ab)
		} else {
			var total int64
			for j, b := range st.basis {
				st.alloc[j] = roundHalfUp(b, bp, 10000)
				total += st.alloc[j]
			}
			if maxOff > 0 && total > maxOff {
				// Capped: the cap is shared by the lines in proportion, like an amount off.
				clear(st.alloc)
				allocateBuf(maxOff, st.basis, st.alloc, &ev.sc.ab)
			}
		}
		if st.record {
			st.msg = c.msg
		}
	case KindAmountOff:
		allocateBuf(min(p.AmountOff.Amount, sum), st.basis, st.alloc, &ev.sc.ab)
		if st.record {
			st.msg = c.msg
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
		allocateBuf(off, st.basis, st.alloc, &ev.sc.ab)
		if st.record {
			st.msg = fmt.Sprintf("spent %s on eligible items after item discounts: %s off", Yuan(sum), Yuan(off))
		}
	case KindNthItem:
		ev.nthItem(c, nets, &st)
	case KindBuyXGetY:
		ev.buyXGetY(c, nets, &st)
	case KindBundle:
		ev.bundle(c, nets, &st)
	case KindTieredQty:
		ev.tieredQty(c, &st)
	case KindFlashSale:
		ev.flashSale(c, nets, &st)
	case KindExpiryMarkdown:
		ev.expiryMarkdown(c, &st)
	case KindSpecialPrice:
		ev.specialPrice(c, nets, &st)
	case KindBuyAGetB:
		ev.buyAGetB(c, nets, &st)
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
	return ev.unitsDescInto(nil, c, nets, keep)
}

// unitsDescInto is unitsDesc appending to buf[:0].
func (ev *evaluator) unitsDescInto(buf []int, c *cand, nets []int64, keep func(j int) bool) []int {
	js := buf[:0]
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
	js := ev.unitsDescInto(ev.sc.js, c, nets, func(int) bool { return true })
	ev.sc.js = js
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
		st.msg = c.msg
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
	js := ev.unitsDescInto(ev.sc.js, c, nets, func(int) bool { return true })
	ev.sc.js = js
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
		st.msg = c.msg
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
	allocateBuf(d, value, st.alloc, &ev.sc.ab)
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

// tieredQty takes the highest step met (units across the scope, a weighed line
// counting 1) off every scoped line.
func (ev *evaluator) tieredQty(c *cand, st *step) {
	steps := c.p.TieredQty.Steps
	var units int64
	for _, li := range c.lines {
		if ev.lines[li].Unit == UnitEach {
			units += ev.lines[li].Qty
		} else {
			units++
		}
	}
	k := -1
	for i := range steps {
		if units >= steps[i].MinQty {
			k = i
		}
	}
	if k < 0 {
		st.code, st.missing = CodeQuantityNotMet, steps[0].MinQty-units
		if st.record {
			st.msg = fmt.Sprintf("buy %d more eligible unit(s) to get %s off", steps[0].MinQty-units, percent(steps[0].OffBP))
		}
		return
	}
	for j, b := range st.basis {
		st.alloc[j] = roundHalfUp(b, steps[k].OffBP, 10000)
	}
	if st.record {
		st.msg = fmt.Sprintf("%d eligible units (at least %d): %s off", units, steps[k].MinQty, percent(steps[k].OffBP))
		if k+1 < len(steps) {
			st.msg += fmt.Sprintf("; buy %d more for %s off", steps[k+1].MinQty-units, percent(steps[k+1].OffBP))
		}
	}
}

// flashAllowance returns the units the customer may still buy at c's flash price, or
// -1 for no limit.
func (ev *evaluator) flashAllowance(c *cand) int64 {
	if a, ok := ev.ctx.FlashAllowance[c.p.ID]; ok {
		return max(a, 0)
	}
	if n := c.p.UnitLimit(); n > 0 {
		return n
	}
	return -1
}

// flashSale sells up to the customer's allowance of units at the flash price, the
// units that save most first; the rest pay the price they had.
func (ev *evaluator) flashSale(c *cand, nets []int64, st *step) {
	f := c.p.FlashSale
	left := ev.flashAllowance(c)
	js := ev.unitsDescInto(ev.sc.js, c, nets, func(j int) bool {
		li := c.lines[j]
		return nets[li] > f.Price*ev.lines[li].Qty // the flash price saves something
	})
	ev.sc.js = js
	var units, sold int64
	for _, j := range js {
		li := c.lines[j]
		qty := ev.lines[li].Qty
		units += qty
		k := qty
		if left >= 0 {
			k = min(k, left)
			left -= k
		}
		if k > 0 {
			st.alloc[j] = max(roundHalfUp(nets[li], k, qty)-k*f.Price, 0)
			sold += k
		}
	}
	st.units = sold
	switch {
	case units == 0:
		st.code = CodeNoDiscount
		if st.record {
			st.msg = fmt.Sprintf("no eligible unit costs more than the flash price %s", Yuan(f.Price))
		}
	case sold == 0:
		st.code = CodeLimitReached
		if st.record {
			st.msg = fmt.Sprintf("the customer has no units left at the flash price %s (limit %d per customer); %d unit(s) pay the normal price",
				Yuan(f.Price), f.PerCustomer, units)
		}
	case st.record && sold < units:
		st.msg = fmt.Sprintf("flash price %s for %d of %d unit(s), the customer's remaining allowance; %d unit(s) beyond it pay the normal price",
			Yuan(f.Price), sold, units, units-sold)
	case st.record:
		st.msg = fmt.Sprintf("flash price %s for %d unit(s)", Yuan(f.Price), sold)
	}
}

// dayNumber returns the days from 1970-01-01 to the given calendar date.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// expiryMarkdown takes OffBP off every scoped line whose batch expires within
// WithinDays days of the sale (not after its expiry).
func (ev *evaluator) expiryMarkdown(c *cand, st *step) {
	e := c.p.ExpiryMarkdown
	var marked, expired int
	for j, li := range c.lines {
		x := ev.lines[li].Expiry
		if x.IsZero() {
			continue
		}
		days := dayNumber(x.Date()) - ev.today
		switch {
		case days < 0:
			expired++
		case days <= e.WithinDays:
			st.alloc[j] = roundHalfUp(st.basis[j], e.OffBP, 10000)
			marked++
		}
	}
	if !st.record {
		return
	}
	if marked == 0 {
		st.code, st.msg = CodeNoDiscount, fmt.Sprintf("no eligible batch expires within %d day(s)", e.WithinDays)
	} else {
		st.msg = fmt.Sprintf("%d batch line(s) expiring within %d day(s): %s off", marked, e.WithinDays, percent(e.OffBP))
	}
	if expired > 0 {
		st.msg += fmt.Sprintf("; %d line(s) past expiry are not marked down", expired)
	}
}

// staticMessage is the explanation of an applied promotion that does not depend on
// the cart, computed once by NewIndex ("" for the kinds that build theirs).
func staticMessage(p *Promotion) string {
	switch p.Kind {
	case KindPercentOff, KindMemberPrice:
		if p.PercentOff.MaxOff > 0 {
			return percent(p.PercentOff.OffBP) + " off, at most " + Yuan(p.PercentOff.MaxOff)
		}
		return percent(p.PercentOff.OffBP) + " off"
	case KindAmountOff:
		return Yuan(p.AmountOff.Amount) + " off"
	case KindNthItem:
		return "every " + ordinal(p.NthItem.N) + " unit " + percent(p.NthItem.OffBP) + " off"
	case KindBuyXGetY:
		return fmt.Sprintf("buy %d get %d free (cheapest)", p.BuyXGetY.Buy, p.BuyXGetY.Get)
	}
	return ""
}
