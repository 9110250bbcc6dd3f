package engine

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

type evaluator struct {
	lines   []Line
	amounts []int64
	ctx     *Context
	today   int64 // the sale's local date, in days since 1970-01-01
	sc      *scratch
}

// take returns n zeroed int64s from the call's arena (never moved once handed out).
func (ev *evaluator) take(n int) []int64 {
	a := ev.sc.arena
	if len(a)+n > cap(a) {
		a = make([]int64, 0, max(2*cap(a), n, 512))
	}
	s := a[len(a) : len(a)+n : len(a)+n]
	ev.sc.arena = a[:len(a)+n]
	clear(s)
	return s
}

// total applies chosen (canonical order) to base and returns the total left. The
// search asks for many sets that share a prefix, so total keeps the nets after the
// previous set and an undo record per step (the values it overwrote), rolls back to
// the common prefix and applies only the rest. Steps are deterministic functions of
// the nets, so the totals are exactly those of a fresh run.
func (ev *evaluator) total(base []int64, chosen []*cand) int64 {
	sc := ev.sc
	if sc.pbase == nil || &sc.pbase[0] != &base[0] || len(sc.pbase) != len(base) {
		sc.pnets = append(sc.pnets[:0], base...)
		sc.prefix = sc.prefix[:0]
		sc.pbase = base
	}
	l := 0
	for l < len(sc.prefix) && l < len(chosen) && sc.prefix[l] == chosen[l] {
		l++
	}
	for d := len(sc.prefix) - 1; d >= l; d-- {
		u := sc.undo[d]
		for j, li := range sc.prefix[d].lines {
			sc.pnets[li] = u[j]
		}
	}
	sc.prefix = sc.prefix[:l]
	for _, c := range chosen[l:] {
		d := len(sc.prefix)
		if d == len(sc.undo) {
			sc.undo = append(sc.undo, nil)
		}
		u := sc.undo[d][:0]
		for _, li := range c.lines {
			u = append(u, sc.pnets[li])
		}
		sc.undo[d] = u
		ev.apply(c, sc.pnets, false)
		sc.prefix = append(sc.prefix, c)
	}
	var t int64
	for _, n := range sc.pnets {
		t += n
	}
	return t
}

type runOut struct {
	total      int64
	nets       []int64
	steps      []step
	lineAllocs [][]Allocation
	gifts      []LineResult
}

// run applies chosen (canonical order) to the cart. With record it keeps the steps,
// the per-line allocations and the gift lines.
func (ev *evaluator) run(chosen []*cand, record bool) runOut {
	return ev.runFrom(ev.amounts, chosen, record)
}

// runFrom is run starting from the line amounts in base instead of the cart's.
func (ev *evaluator) runFrom(base []int64, chosen []*cand, record bool) runOut {
	out := runOut{nets: slices.Clone(base)}
	if record {
		out.steps = ev.sc.steps[:0]
		defer func() { ev.sc.steps = out.steps[:0] }()
	}
	for _, c := range chosen {
		st := ev.apply(c, out.nets, record)
		if record {
			out.steps = append(out.steps, st)
		}
	}
	for _, n := range out.nets {
		out.total += n
	}
	if !record {
		return out
	}
	counts := make([]int32, len(ev.lines))
	total := 0
	for _, st := range out.steps {
		for j, li := range st.c.lines {
			if st.alloc[j] > 0 {
				counts[li]++
				total++
			}
		}
	}
	backing := make([]Allocation, total)
	out.lineAllocs = make([][]Allocation, len(ev.lines))
	for li, n := range counts {
		out.lineAllocs[li], backing = backing[:0:n], backing[n:]
	}
	for _, st := range out.steps {
		for j, li := range st.c.lines {
			if st.alloc[j] > 0 {
				out.lineAllocs[li] = append(out.lineAllocs[li], Allocation{PromotionID: st.c.p.ID, Amount: st.alloc[j]})
			}
		}
		if st.giftQty > 0 {
			g := st.c.p.Gift
			out.gifts = append(out.gifts, LineResult{Line: Line{ID: "gift:" + st.c.p.ID, SKU: g.SKU, Unit: UnitEach, Qty: st.giftQty},
				Gift: true, GiftOf: st.c.p.ID})
		}
	}
	if len(out.gifts) > 1 {
		sort.Slice(out.gifts, func(a, b int) bool { return out.gifts[a].ID < out.gifts[b].ID })
	}
	return out
}

type searchOut struct {
	chosen     []*cand
	exclusive  *cand // the winner when an exclusive promotion won
	evaluated  int
	truncated  bool
	decomposed bool
}

func compatible(a, b *cand) bool { return refusal(a, b) == "" }

// Why two promotions do not combine (see refusal).
const (
	refusedCoupon   = "coupon"
	refusedUnit     = "unit"
	refusedReserved = "reserved"
)

// refusal says why a and b may not both apply ("": they may): a coupon promotion
// combines only where both allow it; under OnePerUnit two item-level promotions share
// no line unless both opt in.
func refusal(a, b *cand) string {
	if (a.coupon() || b.coupon()) && !(a.p.CombinableWithCoupons && b.p.CombinableWithCoupons) {
		return refusedCoupon
	}
	if a.level != LevelItem || b.level != LevelItem || a == b {
		return ""
	}
	if a.p.Kind == KindBuyAGetB && b.p.Kind == KindBuyAGetB && shareLine(a, b) {
		return refusedReserved
	}
	if (a.solo || b.solo) && shareLine(a, b) {
		return refusedUnit
	}
	return ""
}

type dim struct {
	opts  []*cand
	none  bool // "none of these" is an option
	first int32
}

// search picks the lowest-total combination allowed by the stacking rules within
// max evaluations (0: DefaultMaxCombinations).
func search(ev *evaluator, eligible []*cand, max int) searchOut {
	if max <= 0 {
		max = DefaultMaxCombinations
	}
	var out searchOut
	exclusives, rest := []*cand(nil), make([]*cand, 0, len(eligible))
	for _, c := range eligible {
		if c.p.Exclusive {
			exclusives = append(exclusives, c)
		} else {
			rest = append(rest, c)
		}
	}

	if len(exclusives) == 0 && !slices.ContainsFunc(rest, func(c *cand) bool { return c.coupon() || c.p.Group != "" || c.contested }) {
		out.chosen, out.evaluated = rest, 1 // nothing to choose: every eligible promotion applies
		return out
	}

	// Exclusive promotions, each alone; leave at least one evaluation for the stack.
	var exBest *cand
	var exTotal int64
	for _, c := range exclusives {
		if out.evaluated >= max-1 {
			out.truncated = true
			break
		}
		out.evaluated++
		one := [1]*cand{c}
		t := ev.total(ev.amounts, one[:])
		if exBest == nil || t < exTotal {
			exBest, exTotal = c, t
		}
	}

	// Dimensions: one per stacking group, one per ungrouped promotion.
	interacts := false // an order-level threshold may prefer fewer discounts before it
	for _, c := range rest {
		if c.level == LevelOrder && (c.p.Kind == KindThreshold || c.p.Kind == KindGift) {
			interacts = true
		}
	}
	if interacts && ev.thresholdsStable(rest) {
		interacts = false
	}
	dims := make([]*dim, 0, len(rest))
	slab := make([]dim, 0, len(rest)) // at most one dim per promotion: never moves
	var groups map[string]*dim
	for i, c := range rest {
		if g := c.p.Group; g != "" {
			d, ok := groups[g]
			if !ok {
				if groups == nil {
					groups = map[string]*dim{}
				}
				slab = append(slab, dim{first: c.n})
				d = &slab[len(slab)-1]
				groups[g] = d
				dims = append(dims, d)
			}
			d.opts = append(d.opts, c)
			if c.coupon() || interacts || c.contested {
				d.none = true
			}
			continue
		}
		slab = append(slab, dim{opts: rest[i : i+1 : i+1], none: c.coupon() || c.contested, first: c.n})
		dims = append(dims, &slab[len(slab)-1])
	}
	hasCoupon := func(d *dim) bool { return slices.ContainsFunc(d.opts, (*cand).coupon) }
	sort.SliceStable(dims, func(a, b int) bool {
		ca, cb := hasCoupon(dims[a]), hasCoupon(dims[b])
		if ca != cb {
			return ca
		}
		return dims[a].first < dims[b].first
	})

	// Item-level promotions that always apply and share no line with any choice form a
	// constant part: apply it once and search the rest from there.
	constant, dims := ev.constantPart(dims)
	base := ev.run(constant, false).nets

	var best []*cand
	var bestTotal int64
	found, stop := false, false
	budget := func() bool {
		if out.evaluated >= max {
			out.truncated, stop = true, true
			return false
		}
		out.evaluated++
		return true
	}
	consider := func(set []*cand) {
		t := ev.total(base, set)
		if !found || t < bestTotal {
			found, best, bestTotal = true, set, t
		}
	}
	space := 1
	for _, d := range dims {
		n := len(d.opts)
		if d.none {
			n++
		}
		space = min(space*n, 1<<30)
	}
	switch {
	case space == 1 && exBest == nil:
		// Nothing to choose: every eligible promotion applies.
		for _, d := range dims {
			best = append(best, d.opts[0])
		}
		best, found = sortedSet(nil, best), true
		out.evaluated++
	case space <= max-out.evaluated:
		enumerate(dims, nil, func(chosen []*cand) bool {
			if !budget() {
				return false
			}
			consider(sortedSet(nil, chosen))
			return true
		})
	default:
		out.decomposed = true
		var couponDims, itemDims, orderDims []*dim
		for _, d := range dims {
			switch {
			case hasCoupon(d):
				couponDims = append(couponDims, d)
			case !slices.ContainsFunc(d.opts, func(c *cand) bool { return c.level != LevelItem }):
				itemDims = append(itemDims, d)
			default:
				orderDims = append(orderDims, d)
			}
		}
		enumerate(couponDims, nil, func(outer []*cand) bool {
			items := ev.bestPerComponent(itemDims, outer, budget)
			if stop {
				return false
			}
			fixed := append(slices.Clone(outer), items...)
			enumerate(orderDims, fixed, func(chosen []*cand) bool {
				if !budget() {
					return false
				}
				consider(sortedSet(fixed, chosen))
				return true
			})
			return !stop
		})
	}
	if !found { // the budget ran out before a first stack: take the include-first one
		enumerate(dims, nil, func(chosen []*cand) bool {
			best, found = sortedSet(nil, chosen), true
			return false
		})
		bestTotal = ev.total(base, best)
	}
	if exBest != nil && exTotal < bestTotal {
		out.chosen, out.exclusive = []*cand{exBest}, exBest
		return out
	}
	out.chosen = sortedSet(constant, best)
	return out
}

// constantPart splits off, when no coupon is among the choices, the item-level dims
// with a single option whose lines no other item-level option touches. It returns
// their promotions in canonical order and the other dims.
func (ev *evaluator) constantPart(dims []*dim) ([]*cand, []*dim) {
	// With a coupon among the choices, whether a promotion applies depends on it.
	coupons := slices.ContainsFunc(dims, func(d *dim) bool { return slices.ContainsFunc(d.opts, (*cand).coupon) })
	fixed := func(d *dim) bool {
		return !coupons && len(d.opts) == 1 && !d.none && d.opts[0].level == LevelItem
	}
	live := make([]bool, len(ev.lines)) // lines touched by an item-level choice
	for _, d := range dims {
		if fixed(d) {
			continue
		}
		for _, o := range d.opts {
			if o.level == LevelItem {
				for _, li := range o.lines {
					live[li] = true
				}
			}
		}
	}
	// A fixed promotion sharing a line with a live one makes all its lines live.
	for changed := true; changed; {
		changed = false
		for _, d := range dims {
			if !fixed(d) {
				continue
			}
			hit := slices.ContainsFunc(d.opts[0].lines, func(li int32) bool { return live[li] })
			if !hit {
				continue
			}
			for _, li := range d.opts[0].lines {
				if !live[li] {
					live[li], changed = true, true
				}
			}
		}
	}
	var constant []*cand
	var rest []*dim
	for _, d := range dims {
		if fixed(d) && !slices.ContainsFunc(d.opts[0].lines, func(li int32) bool { return live[li] }) {
			constant = append(constant, d.opts[0])
			continue
		}
		rest = append(rest, d)
	}
	return sortedSet(nil, constant), rest
}

// sortedSet returns a ∪ b in canonical order.
func sortedSet(a, b []*cand) []*cand {
	set := make([]*cand, 0, len(a)+len(b))
	set = append(append(set, a...), b...)
	slices.SortFunc(set, func(x, y *cand) int { return int(x.n - y.n) })
	return set
}

// enumerate visits every choice of one option (or none, where allowed or when no
// option is compatible) per dim, compatible with fixed, options before none, until
// visit returns false. It reports whether it ran to the end.
func enumerate(dims []*dim, fixed []*cand, visit func(chosen []*cand) bool) bool {
	var chosen []*cand
	ok := func(o *cand) bool {
		bad := func(x *cand) bool { return !compatible(x, o) }
		return !slices.ContainsFunc(fixed, bad) && !slices.ContainsFunc(chosen, bad)
	}
	var rec func(d int) bool
	rec = func(d int) bool {
		if d == len(dims) {
			return visit(chosen)
		}
		tried := false
		for _, o := range dims[d].opts {
			if ok(o) {
				tried = true
				chosen = append(chosen, o)
				more := rec(d + 1)
				chosen = chosen[:len(chosen)-1]
				if !more {
					return false
				}
			}
		}
		if dims[d].none || !tried {
			return rec(d + 1)
		}
		return true
	}
	return rec(0)
}

// bestPerComponent splits the item-level dims into components that share no line
// (together with the item-level promotions in outer) and picks, in each component,
// the choice with the lowest amount left on its lines. It ignores how item discounts
// move order-level thresholds: the price of a search that fits the budget.
func (ev *evaluator) bestPerComponent(dims []*dim, outer []*cand, budget func() bool) []*cand {
	parent := make([]int32, len(ev.lines))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	link := func(c *cand, root int32) int32 {
		for _, li := range c.lines {
			r := find(li)
			if root < 0 {
				root = r
			} else if r != root {
				parent[r] = root
			}
		}
		return root
	}
	var forced []*cand
	for _, c := range outer {
		if c.level == LevelItem {
			forced = append(forced, c)
			link(c, -1)
		}
	}
	for _, d := range dims {
		root := int32(-1)
		for _, o := range d.opts {
			root = link(o, root)
		}
	}
	type comp struct {
		dims   []*dim
		forced []*cand
	}
	comps := map[int32]*comp{}
	var roots []int32
	get := func(c *cand) *comp {
		r := find(c.lines[0])
		if comps[r] == nil {
			comps[r] = &comp{}
			roots = append(roots, r)
		}
		return comps[r]
	}
	for _, d := range dims {
		k := get(d.opts[0])
		k.dims = append(k.dims, d)
	}
	for _, c := range forced {
		k := get(c)
		k.forced = append(k.forced, c)
	}
	var picked []*cand
	for _, r := range roots {
		k := comps[r]
		if len(k.dims) == 0 {
			continue
		}
		var best []*cand
		var bestSum int64
		found := false
		enumerate(k.dims, outer, func(chosen []*cand) bool {
			if leavesRoom(k.dims, chosen, k.forced, outer) {
				return true // a choice visited before adds a promotion to this one
			}
			if !budget() {
				return false
			}
			// Item-level promotions change only their own lines: the cart's total
			// ranks the choices as the component's lines would, and total reuses
			// the nets of the previous choice's common prefix.
			sum := ev.total(ev.amounts, sortedSet(k.forced, chosen))
			if !found || sum < bestSum {
				found, best, bestSum = true, slices.Clone(chosen), sum
			}
			return true
		})
		if !found { // out of budget: the include-first choice
			enumerate(k.dims, outer, func(chosen []*cand) bool {
				best = slices.Clone(chosen)
				return false
			})
		}
		picked = append(picked, best...)
	}
	return picked
}

// leavesRoom reports whether some option of a dim with nothing in chosen could join
// chosen: compatible with outer and sharing no line with chosen or forced. Adding it
// changes only its own lines, and an item-level promotion never raises a line, so
// that larger choice totals no more than chosen; enumerate visits it first (options
// before none), so chosen need not be priced.
func leavesRoom(dims []*dim, chosen, forced, outer []*cand) bool {
	for _, d := range dims {
		if slices.ContainsFunc(d.opts, func(o *cand) bool { return slices.Contains(chosen, o) }) {
			continue
		}
		for _, o := range d.opts {
			if free(o, chosen, forced, outer) {
				return true
			}
		}
	}
	return false
}

// free reports whether o shares no line with chosen or forced and combines with outer.
func free(o *cand, chosen, forced, outer []*cand) bool {
	apart := func(x *cand) bool { return !shareLine(o, x) && compatible(o, x) }
	return !slices.ContainsFunc(chosen, func(x *cand) bool { return !apart(x) }) &&
		!slices.ContainsFunc(forced, func(x *cand) bool { return !apart(x) }) &&
		!slices.ContainsFunc(outer, func(x *cand) bool { return !compatible(o, x) })
}

// explain fills the Applied, Rejected and Hints of res from the winning run.
func (ev *evaluator) explain(res *Result, out runOut, eligible []*cand, s searchOut) {
	for _, c := range s.chosen {
		c.chosen = true
	}
	applied, room := 0, 0
	for _, st := range out.steps {
		if st.discount != 0 || st.giftQty != 0 {
			applied++
			room += 2 * len(st.c.lines)
		}
	}
	if res.Applied == nil {
		res.Applied = make([]Applied, 0, applied)
	}
	backing := make([]Allocation, room) // Basis and Lines of every applied promotion
	for i, st := range out.steps {
		p := st.c.p
		if p.Kind == KindThreshold && st.code != CodeNoDiscount {
			st.msg = thresholdMessage(&st, out.steps[:i])
		}
		if st.hintMissing > 0 {
			h := Hint{PromotionID: p.ID, Missing: st.hintMissing, Save: st.hintSave}
			if p.Kind == KindGift {
				h.Message = fmt.Sprintf("add %s more to get %d × %s free", Yuan(st.hintMissing), p.Gift.Qty, p.Gift.SKU)
			} else {
				h.Message = fmt.Sprintf("add %s more to get %s off", Yuan(st.hintMissing), Yuan(st.hintOff))
			}
			res.Hints = append(res.Hints, h)
		}
		if st.discount == 0 && st.giftQty == 0 {
			res.Rejected = append(res.Rejected, Explanation{PromotionID: p.ID, Code: st.code, Missing: st.missing, Message: st.msg})
			continue
		}
		a := Applied{PromotionID: p.ID, Name: p.Name, Kind: p.Kind, Level: st.c.level, Discount: st.discount,
			FlashUnits: st.units, Message: st.msg, Promotion: p}
		n := len(st.c.lines)
		a.Basis, a.Lines, backing = backing[:0:n], backing[n:n:2*n], backing[2*n:]
		for j, li := range st.c.lines {
			id := ev.lines[li].ID
			a.Basis = append(a.Basis, Allocation{LineID: id, Amount: st.basis[j]})
			if st.alloc[j] > 0 {
				a.Lines = append(a.Lines, Allocation{LineID: id, Amount: st.alloc[j]})
			}
		}
		if st.giftQty > 0 {
			a.GiftLineID = "gift:" + p.ID
		}
		res.Applied = append(res.Applied, a)
	}
	var lead *cand
	if len(s.chosen) > 0 {
		lead = s.chosen[0]
	}
	for _, c := range eligible {
		if c.chosen {
			continue
		}
		res.Rejected = append(res.Rejected, stackingExplanation(c, s, lead))
	}
}

// thresholdMessage explains a threshold step (满减 or a coupon with a threshold) with
// the amount it was measured on: its eligible lines after item-level discounts and
// after the order-level promotions applied before it, which it names.
func thresholdMessage(st *step, before []step) string {
	var sum int64
	for _, b := range st.basis {
		sum += b
	}
	var earlier []string
	for i := range before {
		b := &before[i]
		if b.c.level == LevelOrder && b.discount > 0 && slices.ContainsFunc(b.c.lines, func(li int32) bool { return slices.Contains(st.c.lines, li) }) {
			earlier = append(earlier, b.c.label)
		}
	}
	on := "eligible items after item-level discounts"
	if len(earlier) > 0 {
		on += " and after " + strings.Join(earlier, ", ")
	}
	who := ""
	if st.c.p.CouponCode != "" {
		who = "coupon " + st.c.p.CouponCode + ": "
	}
	if st.discount == 0 {
		return fmt.Sprintf("%smeasured on %s (%s): spend %s more to save %s", who, Yuan(sum), on, Yuan(st.missing), Yuan(st.hintOff))
	}
	return fmt.Sprintf("%smeasured on %s (%s): %s off", who, Yuan(sum), on, Yuan(st.discount))
}

// label names a promotion for a shopper or a merchandiser: "name (code)".
func label(p *Promotion) string {
	name := p.Name
	if name == "" {
		name = p.ID
	}
	if p.Code == "" || p.Code == name {
		return strconv.Quote(name)
	}
	return strconv.Quote(name) + " (" + p.Code + ")"
}

// refusedBy returns "this", "winner" or "both" from whether each side refuses.
func refusedBy(this, winner bool) string {
	switch {
	case this && winner:
		return "both"
	case this:
		return "this"
	}
	return "winner"
}

// stackingExplanation says why c, eligible, is not in the winning combination: the
// rule that kept it from a chosen promotion (both named by name and code, and which
// side refused), or that leaving it out gives a lower total.
func stackingExplanation(c *cand, s searchOut, lead *cand) Explanation {
	e := Explanation{PromotionID: c.p.ID, Code: CodeExcludedByStacking}
	me := c.label
	if x := s.exclusive; x != nil {
		e.WinnerID, e.RefusedBy = x.p.ID, "winner"
		e.Message = fmt.Sprintf("%s does not apply with %s: %s combines with nothing (exclusive) and gives a lower total alone",
			me, x.label, x.label)
		return e
	}
	if c.p.Exclusive {
		if lead != nil {
			e.WinnerID = lead.p.ID
		}
		e.RefusedBy = "this"
		e.Message = fmt.Sprintf("%s combines with nothing (exclusive); the combination without it gives a lower total", me)
		return e
	}
	for _, x := range s.chosen {
		why := refusal(x, c)
		if why == "" && !(c.p.Group != "" && x.p.Group == c.p.Group) {
			continue
		}
		e.WinnerID = x.p.ID
		e.RefusedBy, e.Message = refusalMessage(c, x, why, me)
		return e
	}
	if lead != nil {
		e.WinnerID = lead.p.ID
	}
	e.Message = me + " could combine, but the combination without it gives a lower total"
	if s.truncated {
		e.Code, e.Message = CodeNotEvaluated, "the bounded stacking search stopped before trying it"
	}
	return e
}

// refusalMessage says which side refused and why c does not apply with x, a chosen
// promotion that shares c's group or refuses to combine with it for reason why
// (see refusal); me is c's label.
func refusalMessage(c, x *cand, why, me string) (refused, msg string) {
	other := x.label
	switch {
	case c.p.Group != "" && x.p.Group == c.p.Group:
		return "both", me + " and " + other + " are both in stacking group " + strconv.Quote(c.p.Group) +
			", which allows one per group; " + other + " gives a lower total"
	case why == refusedCoupon:
		by := refusedBy(!c.p.CombinableWithCoupons, !x.p.CombinableWithCoupons)
		who := map[string]string{"this": me, "winner": other, "both": me + " and " + other}[by]
		verb := " is"
		if by == "both" {
			verb = " are"
		}
		return by, me + " does not combine with " + other + ": " + who + verb + " not combinable with coupons; " +
			other + " gives a lower total"
	case why == refusedReserved:
		return "both", me + " and " + other +
			" are both buy-A-get-B promotions on the same items, whose units serve one of them only; " + other + " gives a lower total"
	}
	by := refusedBy(!c.p.StacksWithItems, !x.p.StacksWithItems)
	who := map[string]string{"this": me + " does not", "winner": other + " does not", "both": "neither does"}[by]
	return by, me + " and " + other + " share items, and a unit takes one item-level promotion (one per unit) unless both stack with items; " +
		who + "; " + other + " gives a lower total"
}

// thresholdsStable reports whether every order-level threshold and gift among cands
// reaches the same step whatever the item discounts: the same step with no discount
// at all and with every candidate applied (a lower bound on every line, less a
// rounding margin). Then giving up an item discount can never reach a better step,
// and the search need not try it.
func (ev *evaluator) thresholdsStable(cands []*cand) bool {
	lower := ev.run(cands, false).nets
	margin := int64(len(ev.lines) + len(cands))
	for _, c := range cands {
		if c.level != LevelOrder || (c.p.Kind != KindThreshold && c.p.Kind != KindGift) {
			continue
		}
		var hi, lo int64
		for _, li := range c.lines {
			hi += ev.amounts[li]
			lo += lower[li]
		}
		lo = max(lo-margin, 0)
		if c.p.Kind == KindGift {
			if (lo >= c.p.Gift.Spend) != (hi >= c.p.Gift.Spend) {
				return false
			}
			continue
		}
		offLo, _, _, _ := thresholdOff(c.p.Threshold, lo)
		offHi, _, _, _ := thresholdOff(c.p.Threshold, hi)
		if offLo != offHi || offLo > lo {
			return false
		}
	}
	return true
}
