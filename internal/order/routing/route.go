package routing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// demand is the order grouped by SKU, in order of first appearance.
type demand struct {
	skus  []string
	qty   []int64 // total ordered per SKU
	lines [][]int // indexes into Order.Lines per SKU
}

func newDemand(lines []Line) demand {
	var d demand
	at := make(map[string]int, len(lines))
	for i, l := range lines {
		j, ok := at[l.SKUID]
		if !ok {
			j = len(d.skus)
			at[l.SKUID] = j
			d.skus = append(d.skus, l.SKUID)
			d.qty = append(d.qty, 0)
			d.lines = append(d.lines, nil)
		}
		d.qty[j] += l.Qty
		d.lines[j] = append(d.lines[j], i)
	}
	return d
}

// cand is a candidate as the engine sees it for one order.
type cand struct {
	*Candidate
	dist     float64 // km to the delivery point; 0 when there is none
	hasDist  bool
	radius   float64 // 0: no limit
	kindRank int
	open     opening
	from, to time.Time
	cost     int64
	stock    []int64 // available per demand SKU (never below zero)
	full     bool    // holds every SKU in full
	some     bool    // holds some of at least one SKU
	excluded []Detail
}

func (c *cand) eligible() bool { return len(c.excluded) == 0 }

// better reports whether a ranks above b: earlier promise, then preferred kind,
// then nearer, then cheaper, then id.
func better(a, b *cand) bool { return rank(a, b) < 0 }

func rank(a, b *cand) int {
	if c := a.to.Compare(b.to); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.kindRank, b.kindRank), cmp.Compare(a.dist, b.dist),
		cmp.Compare(a.cost, b.cost), cmp.Compare(a.ID, b.ID))
}

// Route decides where order goes among candidates: one location with everything
// if any (preferring the earliest promise, then store over front warehouse over
// warehouse, then the nearest, then the cheapest), else a split over the fewest
// locations (then the earliest completion, then the lowest cost). The Decision
// explains every candidate. Route returns an errs.Invalid error when the order, a
// candidate or the options are malformed (duplicate candidate ids, a pickup store
// not among the candidates); an order it cannot fulfil is a Decision with
// Fulfillable false, not an error. The result does not depend on the order of
// candidates.
func Route(order Order, candidates []Candidate, opts Options) (Decision, error) {
	if err := opts.Validate(); err != nil {
		return Decision{}, fmt.Errorf("routing: route: %w", err)
	}
	if err := order.Validate(); err != nil {
		return Decision{}, fmt.Errorf("routing: route: %w", err)
	}
	opts = opts.withDefaults()
	seen := make(map[string]bool, len(candidates))
	for i := range candidates {
		if err := candidates[i].Validate(); err != nil {
			return Decision{}, fmt.Errorf("routing: route: candidate %d: %w", i, err)
		}
		if seen[candidates[i].ID] {
			return Decision{}, fmt.Errorf("routing: route: %w", errs.Field("candidates", "candidate id %q appears twice", candidates[i].ID))
		}
		seen[candidates[i].ID] = true
	}
	if order.Fulfilment == Pickup && !seen[order.PickupLocationID] {
		return Decision{}, fmt.Errorf("routing: route: %w", errs.Field("pickup_location_id", "%q is not among the candidates", order.PickupLocationID))
	}
	r := router{order: order, opts: opts, demand: newDemand(order.Lines)}
	r.prepare(candidates)
	if order.Fulfilment == Pickup {
		return r.pickup(), nil
	}
	return r.route(), nil
}

type router struct {
	order  Order
	opts   Options
	demand demand
	cands  []*cand // in id order
}

func (r *router) prepare(candidates []Candidate) {
	r.cands = make([]*cand, len(candidates))
	backing := make([]cand, len(candidates))
	stock := make([]int64, len(candidates)*len(r.demand.skus))
	for i := range candidates {
		c := &backing[i]
		c.Candidate = &candidates[i]
		c.stock = stock[i*len(r.demand.skus) : (i+1)*len(r.demand.skus) : (i+1)*len(r.demand.skus)]
		r.evaluate(c)
		r.cands[i] = c
	}
	slices.SortFunc(r.cands, func(a, b *cand) int { return strings.Compare(a.ID, b.ID) })
}

// evaluate fills in everything about c that does not depend on the other candidates.
func (r *router) evaluate(c *cand) {
	o, opts := r.order, r.opts
	if o.To != nil && o.Fulfilment != Pickup {
		c.dist, c.hasDist = Haversine(*o.To, c.At), true
	}
	var p Promise
	switch o.Fulfilment {
	case Delivery:
		c.kindRank = kindRank(c.Kind, false)
		switch c.Kind {
		case KindStore:
			c.radius, p = opts.StoreRadiusKm, opts.StorePromise
		case KindFrontWarehouse:
			c.radius, p = opts.FrontWarehouseRadiusKm, opts.FrontWarehousePromise
		default:
			c.radius, p = opts.WarehouseRadiusKm, opts.WarehousePromise
		}
		if c.RadiusKm > 0 {
			c.radius = c.RadiusKm
		}
	case Ship:
		c.kindRank = kindRank(c.Kind, true)
		p = opts.ShipPromise
	case Pickup:
		p = opts.PickupPromise
	}
	c.open = c.Hours.openAt(o.At, c.Zone)
	c.from, c.to = c.open.start.Add(p.Min), c.open.start.Add(p.Max)
	c.cost = c.CostPerOrder
	if c.hasDist {
		c.cost += int64(math.Round(float64(c.CostPerKm) * c.dist))
	}
	c.full = true
	for j, sku := range r.demand.skus {
		s := max(0, c.Stock[sku])
		c.stock[j] = s
		c.some = c.some || s > 0
		c.full = c.full && s >= r.demand.qty[j]
	}
	if o.Fulfilment == Ship && c.Kind == KindStore && !opts.ShipFromStores {
		c.excluded = append(c.excluded, Detail{CodeKindNotAllowed, "stores do not ship by courier"})
	}
	if o.Fulfilment == Delivery && c.radius > 0 && c.dist > c.radius {
		c.excluded = append(c.excluded, Detail{CodeOutOfRadius, fmt.Sprintf("out of radius: %s > %s", km(c.dist), km(c.radius))})
	}
	if !c.Unlimited && c.Capacity <= 0 {
		c.excluded = append(c.excluded, Detail{CodeAtCapacity, "at capacity: takes no more orders in this window"})
	}
}

// kindRank orders kinds for delivery (store first) or for shipping (warehouse first).
func kindRank(k Kind, ship bool) int {
	r := 0
	switch k {
	case KindFrontWarehouse:
		r = 1
	case KindWarehouse:
		r = 2
	}
	if ship {
		r = 2 - r
	}
	return r
}

func km(d float64) string {
	s := fmt.Sprintf("%.1f", d)
	return strings.TrimSuffix(s, ".0") + " km"
}

// lacks describes what c is missing of the order, or "" when it holds everything.
func (r *router) lacks(c *cand) string {
	var parts []string
	for j, sku := range r.demand.skus {
		if c.stock[j] < r.demand.qty[j] {
			parts = append(parts, fmt.Sprintf("lacks SKU %s (has %d of %d)", sku, c.stock[j], r.demand.qty[j]))
		}
	}
	return strings.Join(parts, "; ")
}

// route places a delivery or ship order.
func (r *router) route() Decision {
	var best *cand
	var pool []*cand // eligible candidates holding part of the order
	for _, c := range r.cands {
		if !c.eligible() || !c.some {
			continue
		}
		pool = append(pool, c)
		if c.full && (best == nil || better(c, best)) {
			best = c
		}
	}
	if best != nil {
		d := r.decide([]*cand{best}, "")
		d.Summary = r.singleSummary(best)
		return d
	}
	slices.SortFunc(pool, rank)
	need := slices.Clone(r.demand.qty)
	for _, c := range pool {
		for j := range need {
			need[j] -= min(need[j], c.stock[j])
		}
	}
	if slices.ContainsFunc(need, func(n int64) bool { return n > 0 }) {
		return r.unfulfillable(pool, need)
	}
	members, search := r.cover(pool)
	if members == nil {
		_, left := r.greedy(pool)
		return r.tooMany(pool, left)
	}
	d := r.decide(members, search)
	d.Summary = fmt.Sprintf("split into %d shipments: no single eligible location has everything; "+
		"fewest locations, then earliest completion (%s), then lowest cost (%s) — %s search over %d locations",
		len(d.Shipments), d.To.In(zoneOf(members[0])).Format("01-02 15:04"), yuan(d.Cost), search, len(pool))
	return d
}

func zoneOf(c *cand) *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// span formats c's promised window in its zone: 12-07 10:00–11:00, or with the
// date on both ends when it ends on another day.
func span(c *cand) string {
	from, to := c.from.In(zoneOf(c)), c.to.In(zoneOf(c))
	end := to.Format("15:04")
	if from.Format(time.DateOnly) != to.Format(time.DateOnly) {
		end = to.Format("01-02 15:04")
	}
	return from.Format("01-02 15:04") + "–" + end
}

func yuan(fen int64) string { return fmt.Sprintf("¥%d.%02d", fen/100, fen%100) }

// words names a kind in a message.
func words(k Kind) string { return strings.ReplaceAll(string(k), "_", " ") }

func (r *router) singleSummary(c *cand) string {
	var alts, nearer int
	for _, o := range r.cands {
		if o != c && o.eligible() && o.full {
			alts++
		}
		if o.Kind == c.Kind && o != c && o.eligible() && o.full && o.dist < c.dist {
			nearer++
		}
	}
	what := words(c.Kind)
	if nearer == 0 && c.hasDist && r.order.Fulfilment == Delivery {
		what = "nearest " + what
	}
	s := fmt.Sprintf("chosen: %s with everything", what)
	if c.hasDist {
		s += ", " + km(c.dist)
	}
	s += "; promise " + span(c)
	if r.order.Fulfilment == Delivery {
		for _, k := range []Kind{KindStore, KindFrontWarehouse} {
			if kindRank(k, false) >= c.kindRank {
				break
			}
			if r.anyFull(k) {
				s += fmt.Sprintf("; the %ss with everything promise later", words(k))
			} else {
				s += fmt.Sprintf("; no %s in reach has everything", words(k))
			}
		}
	}
	if alts > 0 {
		s += fmt.Sprintf("; ranked first of %d locations with everything", alts+1)
	}
	return s
}

// anyFull reports whether an eligible candidate of kind k holds everything.
func (r *router) anyFull(k Kind) bool {
	return slices.ContainsFunc(r.cands, func(c *cand) bool { return c.Kind == k && c.eligible() && c.full })
}

// decide builds the Decision that ships from members (rank order), allocating every
// line; members that end up with nothing are dropped.
func (r *router) decide(members []*cand, search string) Decision {
	alloc := r.allocate(members)
	d := Decision{Fulfillable: true, Fulfilment: r.order.Fulfilment, Code: CodeSingle, Search: search}
	used := make(map[*cand]bool, len(members))
	for i, c := range members {
		if len(alloc[i]) == 0 {
			continue
		}
		used[c] = true
		d.Shipments = append(d.Shipments, Shipment{LocationID: c.ID, LocationName: c.Name, Kind: c.Kind,
			DistanceKm: c.dist, Lines: alloc[i], From: c.from, To: c.to, Cost: c.cost})
		d.Cost += c.cost
		if d.From.IsZero() || c.from.Before(d.From) {
			d.From = c.from
		}
		if c.to.After(d.To) {
			d.To = c.to
		}
	}
	if len(d.Shipments) > 1 {
		d.Code = CodeSplit
	}
	first := members[0]
	for _, c := range r.cands {
		n := r.baseNote(c)
		switch {
		case used[c] && len(d.Shipments) == 1:
			n.Code, n.Message = CodeChosen, r.singleSummary(c)
			if r.order.Fulfilment == Pickup {
				n.Message = "chosen: the pickup store has everything"
			}
		case used[c]:
			n.Code, n.Message = CodeSplitMember, fmt.Sprintf("ships %s", describe(alloc[slices.Index(members, c)]))
		case len(c.excluded) > 0:
			// headed by the first rule that excluded it
		case c.full:
			n.Code, n.Message = CodeRankedLower, "has everything but "+why(c, first)
		case c.some && len(d.Shipments) > 1:
			n.Code, n.Message = CodeNotNeeded, "not needed in the split: "+r.lacks(c)
		}
		d.Candidates = append(d.Candidates, n)
	}
	return d
}

// baseNote is c's Note with its Details (exclusions, missing stock, hours) and the
// first exclusion or shortage as its headline.
func (r *router) baseNote(c *cand) Note {
	n := Note{LocationID: c.ID, Kind: c.Kind, DistanceKm: c.dist}
	n.Details = append(n.Details, c.excluded...)
	if !c.some {
		n.Details = append(n.Details, Detail{CodeNoStock, "holds none of the ordered SKUs"})
	} else if !c.full {
		n.Details = append(n.Details, Detail{CodeLacksStock, r.lacks(c)})
	}
	if c.open.code != "" {
		n.Details = append(n.Details, Detail{c.open.code, c.open.message})
	}
	if len(n.Details) > 0 {
		n.Code, n.Message = n.Details[0].Code, n.Details[0].Message
	}
	return n
}

// why says why c ranks below the chosen location w.
func why(c, w *cand) string {
	switch {
	case c.to.After(w.to):
		return fmt.Sprintf("promises later (by %s, chosen by %s)", c.to.In(zoneOf(c)).Format("01-02 15:04"), w.to.In(zoneOf(w)).Format("01-02 15:04"))
	case c.kindRank > w.kindRank:
		return fmt.Sprintf("a %s is preferred to a %s", words(w.Kind), words(c.Kind))
	case c.dist > w.dist:
		return fmt.Sprintf("is farther (%s, chosen %s)", km(c.dist), km(w.dist))
	case c.cost > w.cost:
		return fmt.Sprintf("costs more (%s, chosen %s)", yuan(c.cost), yuan(w.cost))
	}
	return "ties with the chosen location, which has the lower id"
}

func describe(lines []Allocation) string {
	parts := make([]string, len(lines))
	for i, a := range lines {
		parts[i] = fmt.Sprintf("%s×%d", a.SKUID, a.Qty)
	}
	return strings.Join(parts, ", ")
}

// allocate assigns every order line to members (in rank order): all of a SKU's
// lines go to the best member holding the SKU's whole quantity; when none does,
// they fill members in rank order, a line splitting only where a member runs out.
// It assumes the members together hold the order.
func (r *router) allocate(members []*cand) [][]Allocation {
	out := make([][]Allocation, len(members))
	for j := range r.demand.skus {
		whole := slices.IndexFunc(members, func(c *cand) bool { return c.stock[j] >= r.demand.qty[j] })
		if whole >= 0 {
			for _, li := range r.demand.lines[j] {
				l := r.order.Lines[li]
				out[whole] = append(out[whole], Allocation{LineID: l.ID, SKUID: l.SKUID, Qty: l.Qty})
			}
			continue
		}
		m, left := 0, members[0].stock[j]
		for _, li := range r.demand.lines[j] {
			l := r.order.Lines[li]
			for q := l.Qty; q > 0; {
				for left == 0 {
					m++
					left = members[m].stock[j]
				}
				take := min(q, left)
				out[m] = append(out[m], Allocation{LineID: l.ID, SKUID: l.SKUID, Qty: take})
				q, left = q-take, left-take
			}
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i], func(a, b Allocation) int {
			return cmp.Compare(r.lineIndex(a.LineID), r.lineIndex(b.LineID))
		})
	}
	return out
}

func (r *router) lineIndex(id string) int {
	return slices.IndexFunc(r.order.Lines, func(l Line) bool { return l.ID == id })
}

// cover finds the members of a split: the fewest locations of pool (sorted by rank)
// that together hold the order, then the earliest completion, then the lowest cost,
// then the best ranks. It searches exactly when the combinations fit
// Options.ExactLimit, else greedily; nil means no cover within MaxShipments.
func (r *router) cover(pool []*cand) ([]*cand, string) {
	k := min(r.opts.MaxShipments, len(pool))
	if k < 2 {
		return nil, ""
	}
	if r.opts.ExactLimit >= 0 && combinations(len(pool), k, r.opts.ExactLimit) <= r.opts.ExactLimit {
		return r.exact(pool, k), "exact"
	}
	members, left := r.greedy(pool)
	if slices.ContainsFunc(left, func(n int64) bool { return n > 0 }) {
		return nil, "greedy"
	}
	slices.SortFunc(members, rank)
	return members, "greedy"
}

// combinations counts the subsets of 2..k of n items, stopping once it passes limit.
func combinations(n, k, limit int) int {
	total, c := 0, 1 // c = C(n, s)
	for s := 1; s <= k; s++ {
		c = c * (n - s + 1) / s
		if s >= 2 {
			total += c
		}
		if total > limit || c > limit {
			return limit + 1
		}
	}
	return total
}

func (r *router) exact(pool []*cand, k int) []*cand {
	nsku := len(r.demand.skus)
	sums := make([]int64, (k+1)*nsku) // running totals per depth
	pick := make([]int, k)
	var best []int
	var bestTo time.Time
	var bestCost int64
	for size := 2; size <= k && best == nil; size++ {
		var walk func(depth, start int, to time.Time, cost int64)
		walk = func(depth, start int, to time.Time, cost int64) {
			prev := sums[depth*nsku : (depth+1)*nsku]
			if depth == size {
				for j, n := range r.demand.qty {
					if prev[j] < n {
						return
					}
				}
				if best == nil || to.Before(bestTo) || (to.Equal(bestTo) && cost < bestCost) {
					best, bestTo, bestCost = slices.Clone(pick[:size]), to, cost
				}
				return
			}
			next := sums[(depth+1)*nsku : (depth+2)*nsku]
			for i := start; i <= len(pool)-(size-depth); i++ {
				c := pool[i]
				for j, n := range r.demand.qty {
					next[j] = min(n, prev[j]+c.stock[j])
				}
				pick[depth] = i
				t := to
				if c.to.After(t) {
					t = c.to
				}
				walk(depth+1, i+1, t, cost+c.cost)
			}
		}
		walk(0, 0, time.Time{}, 0)
	}
	if best == nil {
		return nil
	}
	out := make([]*cand, len(best))
	for i, p := range best {
		out[i] = pool[p]
	}
	return out
}

// greedy picks up to MaxShipments locations of pool one at a time: each time the one
// that completes the most SKUs still missing, then covers the largest share of what
// is missing, then ranks best. It returns the picks and what is still missing.
func (r *router) greedy(pool []*cand) ([]*cand, []int64) {
	left := slices.Clone(r.demand.qty)
	var picks []*cand
	used := make([]bool, len(pool))
	for len(picks) < r.opts.MaxShipments {
		bi, bDone, bShare := -1, 0, 0.0
		for i, c := range pool {
			if used[i] {
				continue
			}
			done, share := 0, 0.0
			for j, n := range left {
				if n == 0 {
					continue
				}
				if c.stock[j] >= n {
					done++
				}
				share += float64(min(n, c.stock[j])) / float64(r.demand.qty[j])
			}
			if share > 0 && (bi < 0 || done > bDone || done == bDone && share > bShare) {
				bi, bDone, bShare = i, done, share
			}
		}
		if bi < 0 {
			break
		}
		used[bi] = true
		picks = append(picks, pool[bi])
		for j := range left {
			left[j] -= min(left[j], pool[bi].stock[j])
		}
		if !slices.ContainsFunc(left, func(n int64) bool { return n > 0 }) {
			break
		}
	}
	return picks, left
}

// unfulfillable is the Decision when the eligible locations together lack stock.
func (r *router) unfulfillable(pool []*cand, need []int64) Decision {
	d := r.none(CodeInsufficientStock)
	var parts []string
	for j, sku := range r.demand.skus {
		if need[j] == 0 {
			continue
		}
		var avail int64
		for _, c := range pool {
			avail += c.stock[j]
		}
		msg := fmt.Sprintf("SKU %s: %d ordered, %d available at the %d eligible locations", sku, r.demand.qty[j], avail, len(pool))
		d.Shortages = append(d.Shortages, Shortage{SKUID: sku, Ordered: r.demand.qty[j], Available: avail, Code: CodeInsufficientStock, Message: msg})
		parts = append(parts, sku)
	}
	d.Summary = "cannot fulfil: not enough stock within reach of " + strings.Join(parts, ", ")
	return d
}

// tooMany is the Decision when the stock exists but not within MaxShipments locations.
func (r *router) tooMany(pool []*cand, left []int64) Decision {
	d := r.none(CodeTooManyShipments)
	for j, sku := range r.demand.skus {
		if left[j] == 0 {
			continue
		}
		var avail int64
		for _, c := range pool {
			avail += c.stock[j]
		}
		d.Shortages = append(d.Shortages, Shortage{SKUID: sku, Ordered: r.demand.qty[j], Available: avail, Code: CodeTooManyShipments,
			Message: fmt.Sprintf("SKU %s: still %d short after the best %d locations", sku, left[j], r.opts.MaxShipments)})
	}
	d.Summary = fmt.Sprintf("cannot fulfil: the stock is spread over more than %d locations (max shipments)", r.opts.MaxShipments)
	return d
}

// none is an unfulfillable Decision with every candidate explained.
func (r *router) none(code Code) Decision {
	d := Decision{Fulfilment: r.order.Fulfilment, Code: code}
	for _, c := range r.cands {
		n := r.baseNote(c)
		if n.Code == "" || n.Code == CodeOpensLater || n.Code == CodePastCutOff || n.Code == CodeClosed {
			n.Code, n.Message = CodeNotNeeded, "holds everything but was not enough" // unreachable in practice: a full eligible candidate would be chosen
		}
		d.Candidates = append(d.Candidates, n)
	}
	return d
}

// pickup places an order collected at the named store: it alone must hold everything.
func (r *router) pickup() Decision {
	i := slices.IndexFunc(r.cands, func(c *cand) bool { return c.ID == r.order.PickupLocationID })
	store := r.cands[i]
	if store.eligible() && store.full {
		d := r.decide([]*cand{store}, "")
		d.Summary = fmt.Sprintf("pickup at %s: it has everything; ready %s", store.ID, span(store))
		r.notPickup(&d, store)
		return d
	}
	var d Decision
	if !store.eligible() {
		d = r.none(CodePickupStoreFull)
		d.Summary = fmt.Sprintf("cannot fulfil: pickup store %s is at capacity", store.ID)
	} else {
		d = r.none(CodePickupStoreLacks)
		d.Summary = fmt.Sprintf("cannot fulfil: pickup store %s lacks part of the order; transfer stock or offer delivery", store.ID)
		for j, sku := range r.demand.skus {
			short := r.demand.qty[j] - store.stock[j]
			if short <= 0 {
				continue
			}
			var from []*cand
			for _, c := range r.cands {
				if c != store && c.stock[j] >= short {
					from = append(from, c)
				}
			}
			slices.SortFunc(from, func(a, b *cand) int {
				return cmp.Or(cmp.Compare(Haversine(store.At, a.At), Haversine(store.At, b.At)), strings.Compare(a.ID, b.ID))
			})
			s := Shortage{SKUID: sku, Ordered: r.demand.qty[j], Available: store.stock[j], Code: CodePickupStoreLacks,
				Message: fmt.Sprintf("pickup store lacks SKU %s (has %d of %d)", sku, store.stock[j], r.demand.qty[j])}
			for _, c := range from {
				s.TransferFrom = append(s.TransferFrom, c.ID)
			}
			if len(from) > 0 {
				s.Message += fmt.Sprintf("; %s could transfer %d", from[0].ID, short)
			}
			d.Shortages = append(d.Shortages, s)
		}
	}
	r.notPickup(&d, store)
	return d
}

// notPickup heads the Note of every candidate but the pickup store with CodeNotPickupStore.
func (r *router) notPickup(d *Decision, store *cand) {
	for i := range d.Candidates {
		n := &d.Candidates[i]
		if n.LocationID != store.ID {
			n.Code, n.Message = CodeNotPickupStore, "the order is collected at "+store.ID
		}
	}
}
