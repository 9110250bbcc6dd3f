package graph

import (
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// CustomerID is a dense customer number inside one Graph; 0 means "no customer".
// Lower ids are older customers.
type CustomerID uint32

// Kind is what a [Decision] asks for.
type Kind uint8

// The decision kinds.
const (
	Create Kind = iota + 1 // a new customer with Decision.Add
	Attach                 // add Decision.Add to Decision.Customer
	Merge                  // merge Decision.Absorbed into Decision.Customer, then add Decision.Add
	Review                 // refused: a person has to decide (Decision.Reasons says why)
)

// String returns "create", "attach", "merge" or "review".
func (k Kind) String() string {
	switch k {
	case Create:
		return "create"
	case Attach:
		return "attach"
	case Merge:
		return "merge"
	case Review:
		return "review"
	}
	return "invalid"
}

// Rejected is an input identifier that failed normalisation.
type Rejected struct {
	Identifier Identifier
	Err        error
}

// Decision is the outcome of [Graph.Resolve]. It changes nothing until applied.
type Decision struct {
	Kind Kind
	// Customer is the customer to attach to (Attach) or the survivor (Merge); 0 for
	// Create and Review.
	Customer CustomerID
	// Absorbed are the customers merged into Customer, ascending (Merge only).
	Absorbed []CustomerID
	// Add are the normalised identifiers not yet held by the customer.
	Add []Identifier
	// Candidates are the customers the event matched (Review only).
	Candidates []CustomerID
	// Reasons says why a Review was refused; for the other kinds it lists weak links
	// that were deliberately not followed.
	Reasons []string
	// Rejected are input identifiers that failed normalisation and were ignored.
	Rejected []Rejected
	// Shared are the event's weak identifiers held by a customer whose strong
	// identifiers conflict with the event's (two different phones where one is
	// allowed): several people use that device, so from now on it links nothing
	// ([Graph.Share]).
	Shared []Identifier
}

// MergeRecord is one customer absorbed into another, kept so the merge can be reversed.
type MergeRecord struct {
	Survivor CustomerID
	Absorbed CustomerID
	At       time.Time
	// Moved are the identifiers the absorbed customer held when merged.
	Moved []Identifier
	// UndoneAt is set when the merge was reversed.
	UndoneAt time.Time
}

type customer struct {
	ids      []Identifier
	redirect CustomerID // the customer this one was merged into; 0 while live
}

// Graph holds one tenant's customers and identifier links in memory. The zero value
// is not usable; call [New].
type Graph struct {
	rules     Rules
	now       func() time.Time
	owner     map[Identifier]CustomerID // linking identifiers only; always a live customer
	shared    map[Identifier]bool       // identifiers that stopped linking ([Graph.Share])
	customers []customer                // index is the CustomerID; 0 unused
	merges    []MergeRecord
}

// New returns an empty Graph under rules. now supplies merge timestamps (nil means
// time.Now). It returns an errs.Invalid error when rules do not validate.
func New(rules Rules, now func() time.Time) (*Graph, error) {
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("graph: new: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Graph{rules: rules, now: now, owner: map[Identifier]CustomerID{}, shared: map[Identifier]bool{}, customers: make([]customer, 1)}, nil
}

// Len returns the number of live (not merged away) customers.
func (g *Graph) Len() int {
	n := 0
	for _, c := range g.customers[1:] {
		if c.redirect == 0 {
			n++
		}
	}
	return n
}

// Canonical returns the live customer id that id has been merged into (id itself
// when live), or 0 when id is unknown. Canonical(Canonical(id)) == Canonical(id).
func (g *Graph) Canonical(id CustomerID) CustomerID {
	for range len(g.customers) {
		if id == 0 || int(id) >= len(g.customers) {
			return 0
		}
		next := g.customers[id].redirect
		if next == 0 {
			return id
		}
		id = next
	}
	return 0 // unreachable: redirects never form a cycle
}

// Lookup returns the customer holding the linking identifier id.
func (g *Graph) Lookup(id Identifier) (CustomerID, bool) {
	c, ok := g.owner[id]
	return c, ok
}

// Identifiers returns a copy of the identifiers of Canonical(id), sorted by type
// and value; nil for an unknown id.
func (g *Graph) Identifiers(id CustomerID) []Identifier {
	id = g.Canonical(id)
	if id == 0 {
		return nil
	}
	out := slices.Clone(g.customers[id].ids)
	sortIdentifiers(out)
	return out
}

// Merges returns a copy of the merge history, oldest first.
func (g *Graph) Merges() []MergeRecord {
	out := slices.Clone(g.merges)
	for i := range out {
		out[i].Moved = slices.Clone(out[i].Moved)
	}
	return out
}

func sortIdentifiers(ids []Identifier) {
	slices.SortFunc(ids, func(a, b Identifier) int {
		if a.Type != b.Type {
			return int(a.Type) - int(b.Type)
		}
		switch {
		case a.Value < b.Value:
			return -1
		case a.Value > b.Value:
			return 1
		}
		return 0
	})
}

func (g *Graph) keyed(c CustomerID) bool {
	for _, id := range g.customers[c].ids {
		r := g.rules.Types[id.Type]
		if r.Links && r.Strength >= Medium {
			return true
		}
	}
	return false
}

func (g *Graph) holds(c CustomerID, id Identifier) bool {
	return slices.Contains(g.customers[c].ids, id)
}

// Share marks id as shared by several people: it stays with the customer holding it
// but Resolve ignores it from now on, so it neither links an event nor is added.
func (g *Graph) Share(id Identifier) { g.shared[id] = true }

// Shared reports whether id was marked shared.
func (g *Graph) Shared(id Identifier) bool { return g.shared[id] }

// Resolve decides where an event with the given identifiers belongs. Identifiers are
// normalised with the Graph's rules; invalid ones are reported in Decision.Rejected
// and ignored, and so are shared ones ([Graph.Share]). Strong and medium identifiers
// link directly; a weak identifier (device, cookie) is followed only when at most one
// side carries stronger keys, so a shared family device never merges two customers
// with phones; when the two sides' strong identifiers conflict (more of a strong type
// than a customer may hold), the weak identifier is reported in Decision.Shared. A
// result that would give a customer more identifiers of a type than allowed, or more
// than MaxClusterSize, is a Review. An event without any valid identifier is a Review
// too.
func (g *Graph) Resolve(in []Identifier) Decision {
	var d Decision
	ids := make([]Identifier, 0, len(in))
	for _, raw := range in {
		id, err := g.rules.NewIdentifier(raw.Type, raw.Value)
		if err != nil {
			d.Rejected = append(d.Rejected, Rejected{Identifier: raw, Err: err})
			continue
		}
		if !slices.Contains(ids, id) && !g.shared[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		d.Kind = Review
		d.Reasons = append(d.Reasons, "no valid identifier")
		return d
	}

	var direct, weak []CustomerID
	weakIDs := map[CustomerID][]Identifier{} // the event's weak identifiers each customer holds
	keyedSide := false
	for _, id := range ids {
		r := g.rules.Types[id.Type]
		if !r.Links {
			continue
		}
		if r.Strength >= Medium {
			keyedSide = true
		}
		c, ok := g.owner[id]
		if !ok {
			continue
		}
		if r.Strength >= Medium {
			direct = append(direct, c)
		} else {
			weak = append(weak, c)
			weakIDs[c] = append(weakIDs[c], id)
		}
	}
	slices.Sort(direct)
	direct = slices.Compact(direct)
	slices.Sort(weak)
	weak = slices.Compact(weak)
	for _, c := range direct {
		keyedSide = keyedSide || g.keyed(c)
	}
	accepted := direct
	for _, c := range weak {
		if slices.Contains(direct, c) {
			continue
		}
		k := g.keyed(c)
		if keyedSide && k {
			if g.conflicts(c, ids, direct) {
				d.Shared = append(d.Shared, weakIDs[c]...)
			}
			d.Reasons = append(d.Reasons, fmt.Sprintf("weak identifier shared with customer %d, which has stronger keys: not linked", c))
			continue
		}
		accepted = append(accepted, c)
		keyedSide = keyedSide || k
	}
	slices.Sort(accepted)

	for _, id := range ids {
		if _, ok := g.owner[id]; ok {
			continue // already linked: it stays where it is or moves with its customer
		}
		if !g.rules.Types[id.Type].Links && len(accepted) > 0 && g.holds(accepted[0], id) {
			continue
		}
		d.Add = append(d.Add, id)
	}

	if reasons := g.check(accepted, d.Add); len(reasons) > 0 {
		d.Kind = Review
		d.Candidates = accepted
		d.Reasons = append(reasons, d.Reasons...)
		return d
	}
	switch len(accepted) {
	case 0:
		d.Kind = Create
	case 1:
		d.Kind = Attach
		d.Customer = accepted[0]
	default:
		d.Kind = Merge
		d.Customer = accepted[0]
		d.Absorbed = slices.Clone(accepted[1:])
	}
	return d
}

// conflicts reports whether customer c and the side of an event (its identifiers ids
// and the customers direct it links) together hold more identifiers of a strong type
// than one customer may: two different phones, two member cards.
func (g *Graph) conflicts(c CustomerID, ids []Identifier, direct []CustomerID) bool {
	side := slices.Clone(ids)
	for _, o := range direct {
		side = append(side, g.customers[o].ids...)
	}
	all := append(slices.Clone(g.customers[c].ids), side...)
	sortIdentifiers(all)
	all = slices.Compact(all)
	var count [numTypes]int
	for _, id := range all {
		count[id.Type]++
	}
	for _, t := range Types() {
		r := g.rules.Types[t]
		if r.Strength == Strong && r.MaxPerCustomer > 0 && count[t] > r.MaxPerCustomer {
			return true
		}
	}
	return false
}

// check returns why customers cs joined together with add would break the rules.
func (g *Graph) check(cs []CustomerID, add []Identifier) []string {
	var all []Identifier
	for _, c := range cs {
		all = append(all, g.customers[c].ids...)
	}
	all = append(all, add...)
	sortIdentifiers(all)
	all = slices.Compact(all)
	var reasons []string
	var count [numTypes]int
	for _, id := range all {
		count[id.Type]++
	}
	for _, t := range Types() {
		if limit := g.rules.Types[t].MaxPerCustomer; limit > 0 && count[t] > limit {
			reasons = append(reasons, fmt.Sprintf("would hold %d %s identifiers (at most %d allowed)", count[t], t, limit))
		}
	}
	if g.rules.MaxClusterSize > 0 && len(all) > g.rules.MaxClusterSize {
		reasons = append(reasons, fmt.Sprintf("would hold %d identifiers (cluster size limit %d)", len(all), g.rules.MaxClusterSize))
	}
	return reasons
}

func (g *Graph) live(c CustomerID) bool {
	return c != 0 && int(c) < len(g.customers) && g.customers[c].redirect == 0
}

// Apply carries out d and returns the customer the event now belongs to. It returns
// an errs.Conflict error for a Review decision, or when the graph changed since d was
// made so that d is stale (a customer was merged away, an identifier to add is now
// held elsewhere, or the rules would now be broken); errs.Invalid for a malformed d.
func (g *Graph) Apply(d Decision) (CustomerID, error) {
	var target CustomerID
	switch d.Kind {
	case Review:
		return 0, errs.E(errs.Conflict, "identity decision needs review")
	case Create:
		if len(d.Add) == 0 {
			return 0, errs.E(errs.Invalid, "create decision without identifiers")
		}
	case Attach, Merge:
		target = d.Customer
		if !g.live(target) {
			return 0, errs.E(errs.Conflict, "stale identity decision: customer %d is not live", target)
		}
	default:
		return 0, errs.E(errs.Invalid, "unknown decision kind %d", d.Kind)
	}
	if d.Kind != Merge && len(d.Absorbed) > 0 {
		return 0, errs.E(errs.Invalid, "%s decision with absorbed customers", d.Kind)
	}
	for _, a := range d.Absorbed {
		if !g.live(a) || a == target {
			return 0, errs.E(errs.Conflict, "stale identity decision: customer %d is not live", a)
		}
	}
	for _, id := range d.Add {
		if !id.Type.Valid() {
			return 0, errs.E(errs.Invalid, "identifier of unknown type %d", id.Type)
		}
		if _, ok := g.owner[id]; ok {
			return 0, errs.E(errs.Conflict, "stale identity decision: %s is already linked", id)
		}
	}
	cs := append([]CustomerID(nil), d.Absorbed...)
	if target != 0 {
		cs = append(cs, target)
	}
	if reasons := g.check(cs, d.Add); len(reasons) > 0 {
		return 0, errs.E(errs.Conflict, "stale identity decision: %s", reasons[0])
	}

	if d.Kind == Create {
		target = CustomerID(len(g.customers))
		g.customers = append(g.customers, customer{})
	}
	at := g.now()
	for _, a := range d.Absorbed {
		moved := g.customers[a].ids
		g.merges = append(g.merges, MergeRecord{Survivor: target, Absorbed: a, At: at, Moved: slices.Clone(moved)})
		g.move(a, target, moved)
		g.customers[a].redirect = target
	}
	g.add(target, d.Add)
	for _, id := range d.Shared {
		g.Share(id)
	}
	return target, nil
}

// add links ids to c, skipping ones c already holds.
func (g *Graph) add(c CustomerID, ids []Identifier) {
	for _, id := range ids {
		if g.holds(c, id) {
			continue
		}
		g.customers[c].ids = append(g.customers[c].ids, id)
		if g.rules.Types[id.Type].Links {
			g.owner[id] = c
		}
	}
}

// move moves ids (all held by from) to to.
func (g *Graph) move(from, to CustomerID, ids []Identifier) {
	ids = slices.Clone(ids)
	g.customers[from].ids = slices.DeleteFunc(g.customers[from].ids, func(id Identifier) bool {
		return slices.Contains(ids, id)
	})
	g.add(to, ids)
}

// Unmerge splits identifiers out of the live customer c. When they are exactly the
// identifiers a recorded merge brought into c, the absorbed customer is restored
// (its id is live again and old references to it stop redirecting); otherwise a new
// customer receives them. It returns the customer now holding them; errs.NotFound
// when c is not a live customer, errs.Invalid when an identifier is not held by c,
// the list is empty, or it would leave c with no identifiers.
func (g *Graph) Unmerge(c CustomerID, ids []Identifier) (CustomerID, error) {
	if !g.live(c) {
		return 0, errs.E(errs.NotFound, "customer %d not found", c)
	}
	if len(ids) == 0 {
		return 0, errs.E(errs.Invalid, "unmerge needs identifiers")
	}
	set := slices.Clone(ids)
	sortIdentifiers(set)
	set = slices.Compact(set)
	for _, id := range set {
		if !g.holds(c, id) {
			return 0, errs.E(errs.Invalid, "customer %d does not hold %s", c, id)
		}
	}
	if len(set) == len(g.customers[c].ids) {
		return 0, errs.E(errs.Invalid, "unmerge would leave customer %d without identifiers", c)
	}
	for i := len(g.merges) - 1; i >= 0; i-- {
		r := &g.merges[i]
		if !r.UndoneAt.IsZero() || g.Canonical(r.Absorbed) != c {
			continue
		}
		moved := slices.Clone(r.Moved)
		sortIdentifiers(moved)
		if slices.Equal(moved, set) {
			return r.Absorbed, g.undo(i)
		}
	}
	n := CustomerID(len(g.customers))
	g.customers = append(g.customers, customer{})
	g.move(c, n, set)
	return n, nil
}

// UndoMerge reverses the latest merge that absorbed customer a: a becomes live again
// and gets back the identifiers it brought that its survivor still holds. It returns
// errs.NotFound when a was never merged or that merge was already undone.
func (g *Graph) UndoMerge(a CustomerID) error {
	for i := len(g.merges) - 1; i >= 0; i-- {
		r := g.merges[i]
		if r.Absorbed == a && r.UndoneAt.IsZero() && g.customers[a].redirect != 0 {
			return g.undo(i)
		}
	}
	return errs.E(errs.NotFound, "no merge of customer %d to undo", a)
}

func (g *Graph) undo(i int) error {
	r := &g.merges[i]
	cur := g.Canonical(r.Absorbed)
	if cur == 0 || cur == r.Absorbed {
		return errs.E(errs.Conflict, "merge of customer %d cannot be undone", r.Absorbed)
	}
	var back []Identifier
	for _, id := range r.Moved {
		if g.holds(cur, id) {
			back = append(back, id)
		}
	}
	g.customers[r.Absorbed].redirect = 0
	g.move(cur, r.Absorbed, back)
	r.UndoneAt = g.now()
	return nil
}
