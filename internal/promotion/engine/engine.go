package engine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Index is a read-only, validated set of promotions indexed by SKU, category and brand,
// so that pricing a cart evaluates only the promotions that can touch it. It is safe
// for concurrent use; it keeps each Price call's working memory in a pool, and no
// Result points into it.
type Index struct {
	promos  []Promotion // valid ones, canonical order
	scopes  []Scope     // effective scope per promotion (bundles: their components)
	meta    []promoMeta // per promotion: what gathering a candidate reads
	invalid []Explanation
	pool    sync.Pool // *scratch
	bySKU   map[string][]int32
	byCat   map[string][]int32
	byBrand map[string][]int32
	all     []int32
}

// promoMeta is what Price reads about every promotion a cart reaches, kept together
// so that a candidate costs one cache miss here instead of one per array: with
// 100,000 promotions the per-promotion arrays are far larger than the caches.
type promoMeta struct {
	level Level  // effective level
	msg   string // static explanation (see staticMessage)
	label string // name and code (see label)
	// plain: the effective scope excludes nothing and the promotion is not
	// buy-A-get-B, so no line it is reached from is outside it.
	plain bool
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
	ix.meta = make([]promoMeta, len(valid))
	for i := range valid {
		p := &valid[i]
		s := p.Scope
		if p.Kind == KindBundle {
			s.SKUs = nil
			for _, c := range p.Bundle.Components {
				s.SKUs = append(s.SKUs, c.SKUs...)
			}
		}
		if p.Kind == KindBuyAGetB { // reached through either scope; outside drops the rest
			r := p.BuyAGetB.Reward
			s = Scope{All: s.All || r.All, SKUs: append(slices.Clone(s.SKUs), r.SKUs...),
				Categories: append(slices.Clone(s.Categories), r.Categories...), Brands: append(slices.Clone(s.Brands), r.Brands...)}
		}
		ix.scopes[i] = s
		ix.meta[i] = promoMeta{level: p.EffectiveLevel(), msg: staticMessage(p), label: label(&ix.promos[i]),
			plain: p.BuyAGetB == nil && len(s.ExcludeSKUs) == 0 && len(s.ExcludeCategories) == 0 && len(s.ExcludeBrands) == 0}
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

// hit is promotion n reached from line li, packed as n<<32 | li so that hits sort as
// plain integers (by promotion, then line).
type hit uint64

func mkHit(n int32, li int) hit { return hit(uint64(uint32(n))<<32 | uint64(uint32(li))) }
func (h hit) n() int32          { return int32(h >> 32) }
func (h hit) li() int32         { return int32(uint32(h)) }

// scratch is the working memory of one Price call, pooled per Index: nothing in a
// Result points into it.
type scratch struct {
	lines    []Line
	amounts  []int64
	hits     []hit
	slab     []cand
	lineIdx  []int32
	perm     []int32
	js       []int
	ab       allocBuf
	scratchA []int64
	scratchB []int64
	// evaluator.total's cache: the base it started from (nil: none this call), the
	// promotions applied since, what each overwrote, and the nets now.
	pbase    []int64
	prefix   []*cand
	undo     [][]int64
	pnets    []int64
	cands    []*cand
	eligible []*cand
	steps    []step
	arena    []int64
}

// grow returns s resized to n zeroed elements, reusing its array when it fits.
func grow(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n, n+n/2)
	}
	s = s[:n]
	clear(s)
	return s
}

func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+n/2)
	}
	return s[:n]
}

// cand is a promotion that touches at least one line.
type cand struct {
	n     int32 // index into Index.promos (canonical order)
	p     *Promotion
	scope *Scope
	level Level
	lines []int32 // in-scope line positions in the canonical cart
	msg   string  // static explanation
	label string  // name and code, for explanations (see label)
	plain bool    // see promoMeta
	// chosen marks the promotions of the winning combination (set by explain).
	chosen bool
	// solo: an item-level promotion that shares its lines with no other item-level
	// one (OnePerUnit, without StacksWithItems); contested: an item-level promotion
	// that conflicts with another eligible one on some line (set by markConflicts).
	solo, contested bool
}

// markConflicts sets solo and contested on the goods candidates under rule (two
// buy-A-get-B promotions on one line conflict under every rule).
func markConflicts(goods []*cand, nLines int, rule ItemStacking) {
	var items, solos, reserved []int32 // per line: item-level candidates, solo ones, buy-A-get-B ones
	for _, c := range goods {
		if c.level != LevelItem {
			continue
		}
		if items == nil {
			items, solos, reserved = make([]int32, nLines), make([]int32, nLines), make([]int32, nLines)
		}
		c.solo = rule != StackItems && !c.p.StacksWithItems
		for _, li := range c.lines {
			items[li]++
			if c.solo {
				solos[li]++
			}
			if c.p.Kind == KindBuyAGetB {
				reserved[li]++
			}
		}
	}
	for _, c := range goods {
		if c.level != LevelItem {
			continue
		}
		bagb := c.p.Kind == KindBuyAGetB
		c.contested = slices.ContainsFunc(c.lines, func(li int32) bool {
			return (items[li] > 1 && solos[li] > 0) || (bagb && reserved[li] > 1)
		})
	}
}

// shareLine reports whether a and b reach a common line (their lines are sorted).
func shareLine(a, b *cand) bool {
	i, j := 0, 0
	for i < len(a.lines) && j < len(b.lines) {
		switch {
		case a.lines[i] == b.lines[j]:
			return true
		case a.lines[i] < b.lines[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func (c *cand) coupon() bool { return c.p.CouponCode != "" }

// Price prices cart in ctx: it is a pure, deterministic function of (cart, the
// indexed promotions, ctx). It returns an errs.Invalid error when the cart is invalid
// (see Cart.Validate).
func (ix *Index) Price(cart Cart, ctx Context) (Result, error) {
	if cart.validate(false) != nil {
		return Result{}, fmt.Errorf("engine: price: %w", cart.Validate()) // the first error in line order
	}
	sc, _ := ix.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.pool.Put(sc)
	defer func() { // keep no caller strings or stale bases alive in the pool
		clear(sc.lines)
		sc.pbase = nil
	}()

	sc.arena, sc.pbase, sc.prefix = sc.arena[:0], nil, sc.prefix[:0]
	// Sort a permutation, not the (large) lines themselves.
	perm := grow32(sc.perm, len(cart.Lines))
	sc.perm = perm
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int { return strings.Compare(cart.Lines[a].ID, cart.Lines[b].ID) })
	lines := sc.lines[:0]
	for _, i := range perm {
		lines = append(lines, cart.Lines[i])
	}
	sc.lines = lines
	for i := 1; i < len(lines); i++ {
		if lines[i].ID == lines[i-1].ID {
			return Result{}, fmt.Errorf("engine: price: %w", cart.Validate()) // names the duplicate
		}
	}
	amounts := grow(sc.amounts, len(lines))
	sc.amounts = amounts
	for i := range lines {
		amounts[i] = lines[i].Amount()
	}

	// Gather candidates: promotions reached through the index, with their lines.
	hits := sc.hits[:0]
	for li := range lines {
		l := &lines[li]
		for _, n := range ix.bySKU[l.SKU] {
			hits = append(hits, mkHit(n, li))
		}
		if l.Category != "" {
			for _, n := range ix.byCat[l.Category] {
				hits = append(hits, mkHit(n, li))
			}
		}
		if l.Brand != "" {
			for _, n := range ix.byBrand[l.Brand] {
				hits = append(hits, mkHit(n, li))
			}
		}
	}
	sc.hits = hits
	slices.Sort(hits)
	distinct := len(ix.all) // whole-order promotions reach every line without hits
	for i := range hits {
		if i == 0 || hits[i].n() != hits[i-1].n() {
			distinct++
		}
	}
	// The slab must not move while cands point into it: size it first.
	if cap(sc.slab) < distinct {
		sc.slab = make([]cand, 0, distinct+distinct/2)
	}
	slab := sc.slab[:0]
	backing := grow32(sc.lineIdx, len(hits)+len(ix.all)*len(lines))[:0]
	sc.lineIdx = backing
	cands := sc.cands[:0]
	// Merge the sorted hits with the (sorted) whole-order promotions, in canonical order.
	for i, k := 0, 0; i < len(hits) || k < len(ix.all); {
		var n int32
		whole := i == len(hits) || (k < len(ix.all) && ix.all[k] < hits[i].n())
		if whole {
			n = ix.all[k]
			k++
		} else {
			n = hits[i].n()
		}
		p := &ix.promos[n]
		m := &ix.meta[n]
		slab = append(slab, cand{n: n, p: p, scope: &ix.scopes[n], level: m.level, msg: m.msg, label: m.label, plain: m.plain})
		c := &slab[len(slab)-1]
		start := len(backing)
		if whole {
			for li := range lines {
				if !outside(c, &lines[li]) {
					backing = append(backing, int32(li))
				}
			}
		}
		for ; !whole && i < len(hits) && hits[i].n() == n; i++ {
			li := hits[i].li()
			if m := len(backing); (m > start && backing[m-1] == li) || outside(c, &lines[li]) {
				continue
			}
			backing = append(backing, li)
		}
		c.lines = backing[start:len(backing):len(backing)]
		cands = append(cands, c)
	}
	sc.slab, sc.cands = slab, cands

	res := Result{Rejected: make([]Explanation, 0, len(ix.invalid)+len(cands))}
	res.Rejected = append(res.Rejected, ix.invalid...)
	eligible := sc.eligible[:0]
	defer func() { sc.eligible = eligible[:0] }()
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
		if msg, ok := ctx.Limited[c.p.ID]; ok {
			res.Rejected = append(res.Rejected, Explanation{PromotionID: c.p.ID, Code: CodeLimitReached, Condition: "limits", Message: msg})
			continue
		}
		if cond, msg := conditionFailure(c, lines, amounts, &ctx, local); cond != "" {
			res.Rejected = append(res.Rejected, Explanation{PromotionID: c.p.ID, Code: CodeConditionFailed,
				Condition: cond, Message: msg})
			continue
		}
		eligible = append(eligible, c)
	}

	// Delivery-fee promotions stay out of the goods search: they are decided on the
	// goods it leaves.
	goods := eligible
	var delivery []*cand
	if slices.ContainsFunc(eligible, func(c *cand) bool { return c.p.Kind == KindDeliveryFee }) {
		goods = nil
		for _, c := range eligible {
			if c.p.Kind == KindDeliveryFee {
				delivery = append(delivery, c)
			} else {
				goods = append(goods, c)
			}
		}
	}

	markConflicts(goods, len(lines), ctx.ItemStacking)
	ev := &evaluator{lines: lines, amounts: amounts, ctx: &ctx, today: dayNumber(local.Date()), sc: sc}
	best := search(ev, goods, ctx.MaxCombinations)
	res.Combinations, res.Truncated, res.Decomposed = best.evaluated, best.truncated, best.decomposed
	out := ev.run(best.chosen, true)
	ev.explain(&res, out, goods, best)
	for _, a := range amounts {
		res.Subtotal += a
	}
	res.Lines = make([]LineResult, 0, len(lines)+len(out.gifts))
	for i, l := range lines {
		lr := LineResult{Line: l, Amount: amounts[i], Net: out.nets[i], Discount: amounts[i] - out.nets[i]}
		lr.Allocations = out.lineAllocs[i]
		res.Lines = append(res.Lines, lr)
		res.Total += lr.Net
	}
	res.Lines = append(res.Lines, out.gifts...)
	res.Discount = res.Subtotal - res.Total
	deliveryFee(&res, cart, delivery, out.nets)
	return res, nil
}

// deliveryFee applies the delivery-fee candidate that saves most (ties: canonical
// order) to the cart's fee, measuring each one's spend on the goods nets, and
// explains the rest; one that targets delivery methods applies only to them.
func deliveryFee(res *Result, cart Cart, cands []*cand, nets []int64) {
	fee := cart.DeliveryFee
	res.DeliveryFee = fee
	type eval struct {
		c          *cand
		spend, off int64
		method     bool // the cart's delivery method is one the promotion targets
	}
	var best *eval
	evals := make([]eval, len(cands))
	for i, c := range cands {
		e := &evals[i]
		e.c = c
		for _, li := range c.lines {
			e.spend += nets[li]
		}
		d := c.p.DeliveryFee
		e.method = len(d.Methods) == 0 || contains(d.Methods, cart.DeliveryMethod)
		if e.spend < d.Spend || !e.method {
			continue
		}
		e.off = d.save(fee)
		if e.off > 0 && (best == nil || e.off > best.off) {
			best = e
		}
	}
	for i := range evals {
		e := &evals[i]
		p := e.c.p
		d := p.DeliveryFee
		save := d.save(fee)
		what := "free delivery"
		if save < fee {
			what = Yuan(save) + " off delivery"
			if d.OffBP > 0 {
				what = percent(d.OffBP) + " off delivery (" + Yuan(save) + ")"
			}
		}
		switch {
		case e == best:
			res.DeliveryDiscount = e.off
			res.Delivery = &DeliveryResult{PromotionID: p.ID, Name: p.Name, Spend: e.spend, Discount: e.off,
				Message: fmt.Sprintf("spent %s on eligible goods after discounts (at least %s): %s", Yuan(e.spend), Yuan(d.Spend), what)}
		case !e.method:
			method := cart.DeliveryMethod
			if method == "" {
				method = "none"
			}
			res.Rejected = append(res.Rejected, Explanation{PromotionID: p.ID, Code: CodeConditionFailed, Condition: "delivery_method",
				Message: fmt.Sprintf("only for delivery by %s; this order's delivery method is %s", strings.Join(d.Methods, ", "), method)})
		case e.spend < d.Spend:
			missing := d.Spend - e.spend
			res.Rejected = append(res.Rejected, Explanation{PromotionID: p.ID, Code: CodeThresholdNotMet, Missing: missing,
				Message: fmt.Sprintf("spend %s more on eligible goods (after discounts) for %s", Yuan(missing), what)})
			if save > 0 {
				res.Hints = append(res.Hints, Hint{PromotionID: p.ID, Missing: missing, Save: save,
					Message: fmt.Sprintf("add %s more for %s", Yuan(missing), what)})
			}
		case e.off == 0:
			res.Rejected = append(res.Rejected, Explanation{PromotionID: p.ID, Code: CodeNoDiscount,
				Message: "the cart has no delivery fee to reduce"})
		default:
			res.Rejected = append(res.Rejected, Explanation{PromotionID: p.ID, Code: CodeExcludedByStacking, WinnerID: best.c.p.ID,
				Message: fmt.Sprintf("only one delivery-fee promotion applies; %s saves more on delivery", best.c.p.ID)})
		}
	}
	res.DeliveryNet = fee - res.DeliveryDiscount
	res.Payable = res.Total + res.DeliveryNet
}

// outside reports whether line l is not c's: its scope's exclusions remove it, or
// (buy-A-get-B) neither its qualifying nor its reward scope takes it in.
func outside(c *cand, l *Line) bool {
	if c.plain {
		return false
	}
	if b := c.p.BuyAGetB; b != nil {
		return !matches(&c.p.Scope, l) && !matches(&b.Reward, l)
	}
	return excluded(c.scope, l)
}

// matches reports whether scope s takes in line l.
func matches(s *Scope, l *Line) bool {
	if excluded(s, l) {
		return false
	}
	return s.All || contains(s.SKUs, l.SKU) || (l.Category != "" && contains(s.Categories, l.Category)) ||
		(l.Brand != "" && contains(s.Brands, l.Brand))
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
	if !k.onWeekday(local) {
		return "weekdays", "not on this day of the week"
	}
	if !k.inDailyWindow(local) {
		return "daily_window", "not at this time of day"
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
	if sp := p.SpecialPrice; sp != nil {
		if _, ok := sp.rule(ctx.Tier); !ok {
			return "tiers", "no price of the promotion is for this customer tier"
		}
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
