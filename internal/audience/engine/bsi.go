package engine

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// bsi is a bit-sliced index of int64 values: exists holds the members with a
// value, neg those with a negative one, and planes[i] the members whose magnitude
// has bit i set. The magnitude of v ≥ 0 is v, of v < 0 it is ^v (-v-1), so that
// both halves compare as unsigned numbers and a field of small non-negative counts
// has only a few planes. Comparisons walk the planes from the highest bit down
// with whole-bitmap AND/ANDNOT/OR (O'Neil and Quass), never member by member.
type bsi struct {
	exists, neg *roaring.Bitmap
	planes      []*roaring.Bitmap
}

func newBSI() *bsi { return &bsi{exists: roaring.New(), neg: roaring.New()} }

func magnitude(v int64) uint64 {
	if v >= 0 {
		return uint64(v)
	}
	return uint64(^v)
}

func (b *bsi) set(m uint32, v int64) {
	had := b.exists.Contains(m)
	u := magnitude(v)
	for bits.Len64(u) > len(b.planes) {
		b.planes = append(b.planes, roaring.New())
	}
	for i, p := range b.planes {
		if u>>uint(i)&1 == 1 {
			p.Add(m)
		} else if had {
			p.Remove(m)
		}
	}
	if v < 0 {
		b.neg.Add(m)
	} else if had {
		b.neg.Remove(m)
	}
	b.exists.Add(m)
}

func (b *bsi) clear(m uint32) {
	if !b.exists.CheckedRemove(m) {
		return
	}
	for _, p := range b.planes {
		p.Remove(m)
	}
	b.neg.Remove(m)
}

// ucompare splits base (members with a value, all on one side of zero) into those
// whose magnitude is below, equal to and above u. lt and gt are computed only when
// asked for (nil otherwise).
func (b *bsi) ucompare(base *roaring.Bitmap, u uint64, wantLT, wantGT bool) (lt, eq, gt *roaring.Bitmap) {
	if wantLT {
		lt = roaring.New()
	}
	if wantGT {
		gt = roaring.New()
	}
	if bits.Len64(u) > len(b.planes) {
		if wantLT {
			lt = base.Clone()
		}
		return lt, roaring.New(), gt
	}
	eq = base.Clone()
	for i := len(b.planes) - 1; i >= 0 && !eq.IsEmpty(); i-- {
		p := b.planes[i]
		if u>>uint(i)&1 == 1 {
			if wantLT {
				lt.Or(roaring.AndNot(eq, p))
			}
			eq.And(p)
		} else {
			if wantGT {
				gt.Or(roaring.And(eq, p))
			}
			eq.AndNot(p)
		}
	}
	return lt, eq, gt
}

// compare returns the members whose value is below, equal to and above c (lt and
// gt only when asked for).
func (b *bsi) compare(c int64, within *roaring.Bitmap, wantLT, wantGT bool) (lt, eq, gt *roaring.Bitmap) {
	hasNeg := !b.neg.IsEmpty()
	exists, neg := b.exists, b.neg
	if within != nil {
		exists = roaring.And(exists, within)
		if hasNeg {
			neg = roaring.And(neg, within)
		}
	}
	pos := exists
	if hasNeg {
		pos = roaring.AndNot(exists, neg)
	}
	if c >= 0 {
		l, e, g := b.ucompare(pos, uint64(c), wantLT, wantGT)
		if wantLT && hasNeg {
			l.Or(neg)
		}
		return l, e, g
	}
	// Among negative values a larger magnitude is a smaller value.
	l, e, g := b.ucompare(neg, uint64(^c), wantGT, wantLT)
	if wantGT {
		l.Or(pos)
	}
	return g, e, l
}

// eval returns the members satisfying "value op vs…" (a new bitmap), exact within
// the members of within (nil: all).
func (b *bsi) eval(op Op, vs []int64, within *roaring.Bitmap) *roaring.Bitmap {
	switch op {
	case Eq:
		_, eq, _ := b.compare(vs[0], within, false, false)
		return eq
	case Ne:
		_, eq, _ := b.compare(vs[0], within, false, false)
		return roaring.AndNot(b.exists, eq)
	case Lt:
		lt, _, _ := b.compare(vs[0], within, true, false)
		return lt
	case Le:
		lt, eq, _ := b.compare(vs[0], within, true, false)
		lt.Or(eq)
		return lt
	case Gt:
		_, _, gt := b.compare(vs[0], within, false, true)
		return gt
	case Ge:
		_, eq, gt := b.compare(vs[0], within, false, true)
		gt.Or(eq)
		return gt
	case Between:
		if vs[0] > vs[1] {
			return roaring.New()
		}
		lo := b.eval(Ge, vs[:1], within)
		lo.And(b.eval(Le, vs[1:], lo))
		return lo
	case In, NotIn:
		out := roaring.New()
		for _, v := range vs {
			_, eq, _ := b.compare(v, within, false, false)
			out.Or(eq)
		}
		if op == NotIn {
			return roaring.AndNot(b.exists, out)
		}
		return out
	case Exists:
		return b.exists.Clone()
	case Missing:
		return roaring.New() // the caller subtracts exists from the universe
	}
	return roaring.New()
}
