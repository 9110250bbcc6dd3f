package engine

import (
	"fmt"
	"slices"
)

// Row is one member's values by field name, as EvalRow and Tx.Put read them: a
// Number field holds an int64 (or int, int32, Day), a Set field a string or a
// []string, a Flag field a bool (false is absent). A missing key or nil is no
// value. EvalRow reads segment membership from SegmentKey(code) holding a bool.
type Row map[string]any

func rowNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case Day:
		return int64(x), true
	}
	return 0, false
}

// EvalRow reports whether the member whose values are row satisfies c, today being
// the day days_since counts from. It is the rule-tag evaluator (plain field names,
// no index) and gives the same answer as Index.Evaluate for a member holding row.
// A field absent from row has no value; a value whose type does not fit the
// condition is an error wrapping ErrInvalid, as is a malformed c.
func EvalRow(c Cond, row Row, today Day) (bool, error) {
	if err := c.Validate(); err != nil {
		return false, err
	}
	return evalRow(c, row, today)
}

func evalRow(c Cond, row Row, today Day) (bool, error) {
	switch c.Op {
	case And, Or:
		for _, s := range c.Conds {
			ok, err := evalRow(s, row, today)
			if err != nil {
				return false, err
			}
			if ok == (c.Op == Or) {
				return ok, nil
			}
		}
		return c.Op == And, nil
	case Not:
		ok, err := evalRow(c.Conds[0], row, today)
		return !ok, err
	case InSegment:
		in, _ := row[SegmentKey(c.Segment)].(bool)
		return in, nil
	}
	name, derived := daysSinceBase(c.Field)
	if !derived {
		name = c.Field
	}
	raw := row[name]
	mismatch := func(k Kind) error {
		return fmt.Errorf("segment: field %q: value %v (%T) is not a %s: %w", name, raw, raw, k, ErrInvalid)
	}
	var kind Kind
	var num int64
	var strs []string
	present := false
	switch x := raw.(type) {
	case nil:
	case bool:
		kind, present = Flag, x
	case string:
		kind, strs, present = Set, []string{x}, true
	case []string:
		kind, strs, present = Set, x, len(x) > 0
	default:
		n, ok := rowNumber(raw)
		if !ok {
			return false, mismatch(Number)
		}
		kind, num, present = Number, n, true
	}
	if kind != 0 {
		if err := checkLeaf(c, kind, ""); err != nil {
			return false, fmt.Errorf("segment: row value of %q: %w", name, err)
		}
	} else if derived {
		if err := checkLeaf(c, Number, ""); err != nil {
			return false, err
		}
	}
	switch c.Op {
	case Exists:
		return present, nil
	case Missing:
		return !present, nil
	}
	if !present {
		return false, nil
	}
	if kind == Set {
		hit := false
		for _, v := range c.Values {
			hit = hit || slices.Contains(strs, v.str)
		}
		if c.Op == Ne || c.Op == NotIn {
			return !hit, nil
		}
		return hit, nil
	}
	op, vs := numericOp(c, derived, today)
	switch op {
	case Eq:
		return num == vs[0], nil
	case Ne:
		return num != vs[0], nil
	case Lt:
		return num < vs[0], nil
	case Le:
		return num <= vs[0], nil
	case Gt:
		return num > vs[0], nil
	case Ge:
		return num >= vs[0], nil
	case Between:
		return vs[0] <= num && num <= vs[1], nil
	case In:
		return slices.Contains(vs, num), nil
	case NotIn:
		return !slices.Contains(vs, num), nil
	}
	return false, fmt.Errorf("segment: operator %q: %w", op, ErrInvalid)
}
