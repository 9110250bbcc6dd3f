package graph

import (
	"fmt"
	"hash/maphash"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

var errTooMany = errs.E(errs.Invalid, "too many links (at most 2^31-1)")

// Link says that two identifiers were seen together (for example an openid and a
// unionid in one mini-program event). Values must already be normalised
// ([NewIdentifier]); ResolveAll compares them byte for byte.
type Link struct {
	A, B Identifier
}

// Reason says why ResolveAll refused a link.
type Reason uint8

// The refusal reasons.
const (
	ReasonUniqueness  Reason = iota + 1 // the joined cluster would hold too many identifiers of Refusal.Type
	ReasonClusterSize                   // the joined cluster would exceed Rules.MaxClusterSize
	ReasonWeakLink                      // a weak link between two clusters that both have stronger keys
)

// String returns "uniqueness", "cluster_size" or "weak_link".
func (r Reason) String() string {
	switch r {
	case ReasonUniqueness:
		return "uniqueness"
	case ReasonClusterSize:
		return "cluster_size"
	case ReasonWeakLink:
		return "weak_link"
	}
	return "invalid"
}

// Refusal is one link ResolveAll did not follow; it is the batch form of a Review.
type Refusal struct {
	Link   int    // index into the links passed to ResolveAll
	Reason Reason // why
	Type   Type   // the identifier type whose limit was hit (ReasonUniqueness only)
}

// Result is the outcome of [ResolveAll] or [ConnectedComponents]: every identifier
// that occurs in a followed or refused link belongs to exactly one cluster (one
// customer), numbered densely from 0 in order of first appearance. A Result keeps a
// reference to the links it was computed from.
type Result struct {
	// Identifiers is the number of distinct identifiers.
	Identifiers int
	// Clusters is the number of clusters.
	Clusters int
	// Skipped counts links with an invalid or non-linking identifier type.
	Skipped int
	// Refused lists the links that were not followed, in link order within each pass
	// (links between two strong or medium identifiers first, then weak links).
	Refused []Refusal

	links   []Link
	in      interner
	cluster []uint32 // by node
	shared  map[uint32]bool
	pairs   []uint32 // node of links[i].A at 2i, of links[i].B at 2i+1; noNode when skipped
}

// Cluster returns the cluster of identifier id, and false when id occurs in no link.
func (r *Result) Cluster(id Identifier) (uint32, bool) {
	n, ok := r.in.find(id, r.links)
	if !ok {
		return 0, false
	}
	return r.cluster[n], true
}

// LinkCluster returns the cluster of links[i].A, and false when link i was skipped.
func (r *Result) LinkCluster(i int) (uint32, bool) {
	n := r.pairs[2*i]
	if n == noNode {
		return 0, false
	}
	return r.cluster[n], true
}

// Shared reports whether identifier id was found shared: a weak identifier whose link
// was refused between two clusters that together hold more identifiers of a strong
// type than one customer may (as [Decision.Shared]).
func (r *Result) Shared(id Identifier) bool {
	n, ok := r.in.find(id, r.links)
	return ok && r.shared[n]
}

// RefusedBy counts the refusals per reason.
func (r *Result) RefusedBy() map[Reason]int {
	m := map[Reason]int{}
	for _, f := range r.Refused {
		m[f.Reason]++
	}
	return m
}

const noNode = ^uint32(0)

// interner maps identifiers to dense node numbers with an open-addressing table of
// 64-bit hashes; a hash hit is confirmed against the identifier's first occurrence.
type interner struct {
	seed   maphash.Seed
	mask   uint64
	hashes []uint64 // 0 marks an empty slot
	slots  []uint32 // node of each slot
	typ    []Type   // by node
	ref    []uint32 // by node: 2*link + side of its first occurrence
}

// newInterner sizes the table for links links: at most 2*links identifiers, so a
// table of the next power of two at or above 2*links stays under 70% load and
// never grows; grow is the safety net.
func newInterner(links int) interner {
	size := uint64(1024)
	for size < 2*uint64(links) {
		size <<= 1
	}
	return interner{
		seed:   maphash.MakeSeed(),
		mask:   size - 1,
		hashes: make([]uint64, size),
		slots:  make([]uint32, size),
		typ:    make([]Type, 0, links),
		ref:    make([]uint32, 0, links),
	}
}

func (in *interner) hash(id Identifier) uint64 {
	h := maphash.String(in.seed, id.Value) ^ (uint64(id.Type) * 0x9E3779B97F4A7C15)
	if h == 0 {
		h = 1
	}
	return h
}

func identAt(links []Link, ref uint32) Identifier {
	if ref&1 == 0 {
		return links[ref>>1].A
	}
	return links[ref>>1].B
}

// intern returns the node of id, adding it (first seen at ref) when new.
func (in *interner) intern(id Identifier, ref uint32, links []Link) uint32 {
	h := in.hash(id)
	for i := h & in.mask; ; i = (i + 1) & in.mask {
		s := in.hashes[i]
		if s == 0 {
			n := uint32(len(in.typ))
			in.hashes[i] = h
			in.slots[i] = n
			in.typ = append(in.typ, id.Type)
			in.ref = append(in.ref, ref)
			if uint64(len(in.typ))*10 > (in.mask+1)*7 {
				in.grow()
			}
			return n
		}
		if s == h {
			n := in.slots[i]
			if in.typ[n] == id.Type && identAt(links, in.ref[n]).Value == id.Value {
				return n
			}
		}
	}
}

func (in *interner) find(id Identifier, links []Link) (uint32, bool) {
	h := in.hash(id)
	for i := h & in.mask; ; i = (i + 1) & in.mask {
		s := in.hashes[i]
		if s == 0 {
			return 0, false
		}
		if s == h {
			n := in.slots[i]
			if in.typ[n] == id.Type && identAt(links, in.ref[n]).Value == id.Value {
				return n, true
			}
		}
	}
}

func (in *interner) grow() {
	size := (in.mask + 1) * 2
	hashes := make([]uint64, size)
	slots := make([]uint32, size)
	mask := size - 1
	for i, h := range in.hashes {
		if h == 0 {
			continue
		}
		j := h & mask
		for hashes[j] != 0 {
			j = (j + 1) & mask
		}
		hashes[j] = h
		slots[j] = in.slots[i]
	}
	in.hashes, in.slots, in.mask = hashes, slots, mask
}

// ResolveAll re-resolves a whole tenant from identifier links, for backfills: a
// union-find over the identifiers that follows links between strong or medium
// identifiers first and weak links (devices, cookies) second, and refuses any union
// that would break rules the way [Graph.Resolve] does: more identifiers of a type
// than MaxPerCustomer, more than MaxClusterSize in total, or a weak link between two
// clusters that both have stronger keys; when that refused weak link also joins more
// identifiers of a strong type than one customer may hold (two phones), its weak
// identifier is reported by [Result.Shared]. Links with an invalid or non-linking type
// (masked phone) are skipped. The outcome is deterministic for a given link order.
// It returns an errs.Invalid error when rules do not validate or there are more than
// 2^31-1 links.
func ResolveAll(links []Link, rules Rules) (*Result, error) {
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("graph: resolve all: %w", err)
	}
	return resolveAll(links, &rules)
}

// ConnectedComponents is the rule-free baseline of [ResolveAll]: plain connected
// components over the same links with the same interning (every link followed,
// only invalid types skipped). It exists to measure what the rules cost.
func ConnectedComponents(links []Link) (*Result, error) {
	return resolveAll(links, nil)
}

type unionFind struct {
	parent []uint32
	size   []uint32
	keyed  []bool
	counts []uint8 // nc per node
	nc     int
}

func (u *unionFind) find(x uint32) uint32 {
	p := u.parent
	for p[x] != x {
		p[x] = p[p[x]]
		x = p[x]
	}
	return x
}

func resolveAll(links []Link, rules *Rules) (*Result, error) {
	if len(links) > 1<<31-1 {
		return nil, fmt.Errorf("graph: resolve all: %d links: %w", len(links), errTooMany)
	}
	res := &Result{links: links, in: newInterner(len(links)), pairs: make([]uint32, 2*len(links))}
	in := &res.in
	linking := func(t Type) bool {
		if !t.Valid() {
			return false
		}
		return rules == nil || rules.Types[t].Links
	}
	for i := range links {
		l := &links[i]
		if !linking(l.A.Type) || !linking(l.B.Type) {
			res.pairs[2*i], res.pairs[2*i+1] = noNode, noNode
			res.Skipped++
			continue
		}
		res.pairs[2*i] = in.intern(l.A, uint32(2*i), links)
		res.pairs[2*i+1] = in.intern(l.B, uint32(2*i+1), links)
	}
	n := len(in.typ)
	res.Identifiers = n

	u := unionFind{parent: make([]uint32, n), size: make([]uint32, n)}
	for i := range u.parent {
		u.parent[i] = uint32(i)
		u.size[i] = 1
	}
	if rules == nil {
		for i := 0; i < len(links); i++ {
			a, b := res.pairs[2*i], res.pairs[2*i+1]
			if a == noNode {
				continue
			}
			ra, rb := u.find(a), u.find(b)
			if ra != rb {
				u.join(ra, rb)
			}
		}
	} else {
		resolveRules(res, &u, rules)
	}
	res.label(&u)
	return res, nil
}

// resolveRules runs the two passes of ResolveAll.
func resolveRules(res *Result, u *unionFind, rules *Rules) {
	in := &res.in
	n := len(in.typ)
	var cidx [numTypes]int8
	var maxes []int
	for t := range cidx {
		cidx[t] = -1
		if m := rules.Types[t].MaxPerCustomer; Type(t).Valid() && m > 0 && m < 255 {
			cidx[t] = int8(len(maxes))
			maxes = append(maxes, m)
		}
	}
	nc := len(maxes)
	u.nc = nc
	u.counts = make([]uint8, n*nc)
	u.keyed = make([]bool, n)
	var weak [numTypes]bool
	for t := range weak {
		weak[t] = rules.Types[t].Strength < Medium
	}
	strong := make([]bool, nc) // by constraint index: the limit of a strong type
	for k := range strong {
		strong[k] = rules.Types[typeOfIndex(cidx, k)].Strength == Strong
	}
	for i, t := range in.typ {
		if k := cidx[t]; k >= 0 {
			u.counts[i*nc+int(k)] = 1
		}
		u.keyed[i] = !weak[t]
	}
	maxCluster := uint32(rules.MaxClusterSize)
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < len(res.links); i++ {
			a, b := res.pairs[2*i], res.pairs[2*i+1]
			if a == noNode {
				continue
			}
			isWeak := weak[in.typ[a]] || weak[in.typ[b]]
			if isWeak != (pass == 1) {
				continue
			}
			ra, rb := u.find(a), u.find(b)
			if ra == rb {
				continue
			}
			if isWeak && u.keyed[ra] && u.keyed[rb] {
				res.Refused = append(res.Refused, Refusal{Link: i, Reason: ReasonWeakLink})
				if t, bad := u.exceeds(ra, rb, maxes); bad && strong[t] {
					// The weak side of the link (b, the non-star end, when both are).
					if !weak[in.typ[b]] {
						b = a
					}
					res.share(b)
				}
				continue
			}
			if maxCluster > 0 && u.size[ra]+u.size[rb] > maxCluster {
				res.Refused = append(res.Refused, Refusal{Link: i, Reason: ReasonClusterSize})
				continue
			}
			if t, bad := u.exceeds(ra, rb, maxes); bad {
				res.Refused = append(res.Refused, Refusal{Link: i, Reason: ReasonUniqueness, Type: typeOfIndex(cidx, t)})
				continue
			}
			u.join(ra, rb)
		}
	}
}

// share marks node n shared.
func (res *Result) share(n uint32) {
	if res.shared == nil {
		res.shared = map[uint32]bool{}
	}
	res.shared[n] = true
}

func typeOfIndex(cidx [numTypes]int8, k int) Type {
	for t, c := range cidx {
		if int(c) == k {
			return Type(t)
		}
	}
	return 0
}

// exceeds reports the first constrained type index whose limit the union of roots
// ra and rb would break.
func (u *unionFind) exceeds(ra, rb uint32, maxes []int) (int, bool) {
	ca := u.counts[int(ra)*u.nc : int(ra)*u.nc+u.nc]
	cb := u.counts[int(rb)*u.nc : int(rb)*u.nc+u.nc]
	for k, m := range maxes {
		if int(ca[k])+int(cb[k]) > m {
			return k, true
		}
	}
	return 0, false
}

// join unites roots ra and rb: the larger cluster's root survives (the lower node on
// a tie), and it inherits counts and keys.
func (u *unionFind) join(ra, rb uint32) {
	if u.size[ra] < u.size[rb] || (u.size[ra] == u.size[rb] && rb < ra) {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
	if u.nc > 0 {
		ca := u.counts[int(ra)*u.nc : int(ra)*u.nc+u.nc]
		cb := u.counts[int(rb)*u.nc : int(rb)*u.nc+u.nc]
		for k := range ca {
			s := int(ca[k]) + int(cb[k])
			if s > 255 {
				s = 255
			}
			ca[k] = uint8(s)
		}
	}
	if u.keyed != nil {
		u.keyed[ra] = u.keyed[ra] || u.keyed[rb]
	}
}

// label numbers clusters densely in node order and drops the union-find state.
func (res *Result) label(u *unionFind) {
	label := u.size // reused: no longer needed
	for i := range label {
		label[i] = noNode
	}
	k := uint32(0)
	for i := range u.parent {
		r := u.find(uint32(i))
		u.parent[i] = r // full compression: every node now points at its root
		if label[r] == noNode {
			label[r] = k
			k++
		}
	}
	for i, r := range u.parent {
		u.parent[i] = label[r]
	}
	res.cluster = u.parent
	res.Clusters = int(k)
}
