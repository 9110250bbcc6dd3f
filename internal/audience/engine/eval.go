package engine

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"
)

// maxDays bounds the values compared with a days_since field, so that today minus
// the value cannot overflow.
const maxDays = 1_000_000_000

// Check reports the first reason c cannot be evaluated against ix: a malformed
// condition, an unknown field or segment, an operator or value that does not fit
// the field's kind. The error is a *PathError naming the JSON path and the field or
// segment; it wraps ErrInvalid.
func (ix *Index) Check(c Cond) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.check(c)
}

func (ix *Index) check(c Cond) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return walkLeaves(c, "", func(c Cond, path string) error {
		if c.Op == InSegment {
			if _, ok := ix.segments[c.Segment]; !ok {
				return &PathError{Path: join(path, "segment"), Msg: fmt.Sprintf("unknown segment %q", c.Segment)}
			}
			return nil
		}
		name, derived := daysSinceBase(c.Field)
		if !derived {
			name = c.Field
		}
		f, ok := ix.fields[name]
		if !ok {
			return &PathError{Path: join(path, "field"), Msg: fmt.Sprintf("unknown field %q", name)}
		}
		return checkLeaf(c, f.kind, path)
	})
}

func walkLeaves(c Cond, path string, fn func(Cond, string) error) error {
	switch c.Op {
	case And, Or:
		for i, s := range c.Conds {
			if err := walkLeaves(s, join(path, "conditions["+strconv.Itoa(i)+"]"), fn); err != nil {
				return err
			}
		}
		return nil
	case Not:
		return walkLeaves(c.Conds[0], join(path, "condition"), fn)
	}
	return fn(c, path)
}

// checkLeaf checks that comparison c fits a field of kind k.
func checkLeaf(c Cond, k Kind, path string) error {
	bad := func(sub, format string, args ...any) error {
		return &PathError{Path: join(path, sub), Msg: fmt.Sprintf(format, args...)}
	}
	_, derived := daysSinceBase(c.Field)
	if derived && k != Number {
		return bad("field", "days_since needs a number field; %q is a %s field", c.Field[len(DaysSincePrefix):], k)
	}
	if c.Op == Exists || c.Op == Missing {
		return nil
	}
	switch k {
	case Flag:
		return bad("op", "field %q is a flag: only exists and missing apply, not %q", c.Field, c.Op)
	case Set:
		if !slices.Contains([]Op{Eq, Ne, In, NotIn}, c.Op) {
			return bad("op", "field %q is a set of values: %q needs a number field (use =, !=, in, not in, exists, missing)", c.Field, c.Op)
		}
	}
	for i, v := range c.Values {
		sub := "value"
		if c.Op == Between || c.Op == In || c.Op == NotIn {
			sub = "values[" + strconv.Itoa(i) + "]"
		}
		if k == Number && !v.isNum {
			return bad(sub, "field %q is a number: %q is not a number", c.Field, v.str)
		}
		if k == Set && v.isNum {
			return bad(sub, "field %q holds strings: %d needs quotes", c.Field, v.num)
		}
		if derived && (v.num > maxDays || v.num < -maxDays) {
			return bad(sub, "days_since compares with at most %d days, not %d", maxDays, v.num)
		}
	}
	return nil
}

// Evaluate returns the live members satisfying c, today being the day relative
// day conditions (days_since) count from. The result is a new bitmap owned by the
// caller. Errors are those of Check (a *PathError wrapping ErrInvalid).
func (ix *Index) Evaluate(c Cond, today Day) (*roaring.Bitmap, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ix.check(c); err != nil {
		return nil, err
	}
	bm, owned := ix.eval(c, today, nil)
	if !owned {
		bm = bm.Clone()
	}
	return bm, nil
}

// Count returns the number of live members satisfying c (see Evaluate).
func (ix *Index) Count(c Cond, today Day) (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ix.check(c); err != nil {
		return 0, err
	}
	bm, _ := ix.eval(c, today, nil)
	return bm.GetCardinality(), nil
}

// eval returns a bitmap whose members within the members of within (nil: all)
// are exactly those satisfying a checked c; owned is false when the bitmap belongs
// to the index and must not be changed. An and passes what its cheap conditions
// left as within to its costly ones, so number comparisons only visit candidates.
func (ix *Index) eval(c Cond, today Day, within *roaring.Bitmap) (bm *roaring.Bitmap, owned bool) {
	switch c.Op {
	case And:
		var pos, neg []Cond
		for _, s := range c.Conds {
			if s.Op == Not {
				neg = append(neg, s.Conds[0])
			} else {
				pos = append(pos, s)
			}
		}
		slices.SortStableFunc(pos, func(a, b Cond) int { return ix.cost(a) - ix.cost(b) })
		slices.SortStableFunc(neg, func(a, b Cond) int { return ix.cost(a) - ix.cost(b) })
		bm, owned = ix.universe, false
		if within != nil {
			bm = within
		}
		for i, s := range pos {
			r, _ := ix.eval(s, today, bm)
			switch {
			case i == 0 && within == nil:
				bm = r
			case owned:
				bm.And(r)
			default:
				bm, owned = roaring.And(bm, r), true
			}
			if bm.IsEmpty() {
				return bm, owned
			}
		}
		for _, s := range neg {
			if bm.IsEmpty() {
				break
			}
			r, _ := ix.eval(s, today, bm)
			if owned {
				bm.AndNot(r)
			} else {
				bm, owned = roaring.AndNot(bm, r), true
			}
		}
		return bm, owned
	case Or:
		bms := make([]*roaring.Bitmap, len(c.Conds))
		for i, s := range c.Conds {
			bms[i], _ = ix.eval(s, today, within)
		}
		return roaring.FastOr(bms...), true
	case Not:
		r, _ := ix.eval(c.Conds[0], today, within)
		return roaring.AndNot(ix.scope(within), r), true
	case InSegment:
		return roaring.And(ix.segments[c.Segment], ix.scope(within)), true
	}
	name, derived := daysSinceBase(c.Field)
	if !derived {
		name = c.Field
	}
	f := ix.fields[name]
	present := f.any
	if f.kind == Number {
		present = f.num.exists
	}
	switch c.Op {
	case Exists:
		return present, false
	case Missing:
		return roaring.AndNot(ix.scope(within), present), true
	}
	if f.kind == Number {
		op, vs := numericOp(c, derived, today)
		return f.num.eval(op, vs, within), true
	}
	strs := make([]string, len(c.Values))
	for i, v := range c.Values {
		strs[i] = v.str
	}
	var in *roaring.Bitmap
	if len(strs) == 1 {
		if in = f.values[strs[0]]; in == nil {
			in = roaring.New()
		}
	} else {
		bms := make([]*roaring.Bitmap, 0, len(strs))
		for _, s := range strs {
			if bm := f.values[s]; bm != nil {
				if within != nil {
					bm = roaring.And(bm, within)
				}
				bms = append(bms, bm)
			}
		}
		in = roaring.FastOr(bms...)
	}
	switch c.Op {
	case Ne, NotIn:
		return roaring.AndNot(f.any, in), true
	}
	return in, false
}

// scope returns within, or the universe when within is nil.
func (ix *Index) scope(within *roaring.Bitmap) *roaring.Bitmap {
	if within != nil {
		return within
	}
	return ix.universe
}

// cost orders the conditions of an and: look-ups of stored bitmaps first, then
// number comparisons (which visit their candidates), then nested conditions.
func (ix *Index) cost(c Cond) int {
	switch c.Op {
	case And, Or, Not:
		return 3
	case InSegment, Exists:
		return 0
	}
	name, derived := daysSinceBase(c.Field)
	if !derived {
		name = c.Field
	}
	switch f := ix.fields[name]; {
	case f != nil && f.kind == Number && c.Op != Missing:
		return 2
	case f != nil && f.kind != Number && (c.Op == Eq || c.Op == In && len(c.Values) == 1):
		return 0 // a stored bitmap
	}
	return 1
}

var mirrored = map[Op]Op{Lt: Gt, Le: Ge, Gt: Lt, Ge: Le}

// numericOp returns the operator and values to compare a number field's stored
// value with: for days_since(F) op n that is F op' (today - n), op' mirrored.
func numericOp(c Cond, derived bool, today Day) (Op, []int64) {
	vs := make([]int64, len(c.Values))
	for i, v := range c.Values {
		vs[i] = v.num
		if derived {
			vs[i] = int64(today) - v.num
		}
	}
	op := c.Op
	if derived {
		if m, ok := mirrored[op]; ok {
			op = m
		}
		if op == Between {
			vs[0], vs[1] = vs[1], vs[0]
		}
	}
	return op, vs
}
