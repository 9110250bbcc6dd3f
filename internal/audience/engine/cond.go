package engine

import (
	"errors"
	"slices"
	"strconv"
)

// Op is the operator of a Cond.
type Op string

// The operators. And, Or and Not combine conditions; the comparisons test a
// field; InSegment tests membership of another segment.
const (
	And       Op = "and"
	Or        Op = "or"
	Not       Op = "not"
	Eq        Op = "="
	Ne        Op = "!="
	Lt        Op = "<"
	Le        Op = "<="
	Gt        Op = ">"
	Ge        Op = ">="
	Between   Op = "between"
	In        Op = "in"
	NotIn     Op = "not_in"
	Exists    Op = "exists"
	Missing   Op = "missing"
	InSegment Op = "in_segment"
)

// Cond is a segment or rule-tag condition. Its shape depends on Op:
//
//   - And, Or: Conds holds two or more conditions;
//   - Not: Conds holds exactly one;
//   - Eq, Ne, Lt, Le, Gt, Ge: Field and one value in Values;
//   - Between: Field and two values (inclusive bounds);
//   - In, NotIn: Field and one or more values;
//   - Exists, Missing: Field only;
//   - InSegment: Segment, the code of the other segment.
//
// Parse, ParseJSON and the constructors build valid conditions; Validate checks a
// Cond built by hand.
type Cond struct {
	Op      Op
	Conds   []Cond
	Field   string
	Values  []Value
	Segment string
}

// Value is a literal in a condition: an int64 or a string.
type Value struct {
	num   int64
	str   string
	isNum bool
}

// Int returns the number literal n.
func Int(n int64) Value { return Value{num: n, isNum: true} }

// Str returns the string literal s.
func Str(s string) Value { return Value{str: s} }

// IsNum reports whether v is a number.
func (v Value) IsNum() bool { return v.isNum }

// Num returns v's number (0 for a string).
func (v Value) Num() int64 { return v.num }

// String returns v's string, or the decimal form of a number.
func (v Value) String() string {
	if v.isNum {
		return strconv.FormatInt(v.num, 10)
	}
	return v.str
}

// AllOf returns the conjunction of cs (cs[0] alone when there is one).
func AllOf(cs ...Cond) Cond { return group(And, cs) }

// AnyOf returns the disjunction of cs (cs[0] alone when there is one).
func AnyOf(cs ...Cond) Cond { return group(Or, cs) }

func group(op Op, cs []Cond) Cond {
	if len(cs) == 1 {
		return cs[0]
	}
	return Cond{Op: op, Conds: cs}
}

// Negate returns "not c".
func Negate(c Cond) Cond { return Cond{Op: Not, Conds: []Cond{c}} }

// Compare returns the comparison "field op values…".
func Compare(field string, op Op, values ...Value) Cond {
	return Cond{Op: op, Field: field, Values: values}
}

// Member returns in_segment(code).
func Member(code string) Cond { return Cond{Op: InSegment, Segment: code} }

// ErrInvalid is wrapped by every error about a malformed condition, an unknown
// field or segment, a type mismatch or a cycle of segment references.
var ErrInvalid = errors.New("invalid condition")

// Validate reports whether c is well formed (shape, arity, names); it does not know
// field kinds (see Index.Check). Errors wrap ErrInvalid and name the JSON path.
func (c Cond) Validate() error {
	if err := validate(c, ""); err != nil {
		return err
	}
	return nil
}

func validate(c Cond, path string) error {
	bad := func(sub, msg string) error { return &PathError{Path: join(path, sub), Msg: msg} }
	switch c.Op {
	case And, Or:
		if len(c.Conds) < 2 {
			return bad("conditions", "and/or needs at least two conditions")
		}
	case Not:
		if len(c.Conds) != 1 {
			return bad("condition", "not needs exactly one condition")
		}
	case InSegment:
		if c.Segment == "" {
			return bad("segment", "empty segment code")
		}
		return nil
	case Eq, Ne, Lt, Le, Gt, Ge, Between, In, NotIn, Exists, Missing:
		if msg := validFieldName(c.Field); msg != "" {
			return bad("field", msg)
		}
		want := map[Op]int{Between: 2, Exists: 0, Missing: 0}
		n, fixed := want[c.Op]
		switch {
		case c.Op == In || c.Op == NotIn:
			if len(c.Values) == 0 {
				return bad("values", "needs at least one value")
			}
		case fixed && len(c.Values) != n:
			return bad("values", "needs "+strconv.Itoa(n)+" values")
		case !fixed && len(c.Values) != 1:
			return bad("value", "needs one value")
		}
		return nil
	default:
		return bad("op", "unknown operator "+strconv.Quote(string(c.Op)))
	}
	for i, sub := range c.Conds {
		p := join(path, "conditions["+strconv.Itoa(i)+"]")
		if c.Op == Not {
			p = join(path, "condition")
		}
		if err := validate(sub, p); err != nil {
			return err
		}
	}
	return nil
}

func join(path, sub string) string {
	if path == "" {
		return sub
	}
	return path + "." + sub
}

// PathError is an error in a condition at a JSON path such as
// "conditions[2].op". It wraps ErrInvalid.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string {
	if e.Path == "" {
		return "segment: " + e.Msg
	}
	return "segment: " + e.Path + ": " + e.Msg
}

// Unwrap returns ErrInvalid.
func (e *PathError) Unwrap() error { return ErrInvalid }

// Refs returns the codes of the segments c refers to, sorted, without repeats.
func Refs(c Cond) []string {
	var out []string
	var walk func(Cond)
	walk = func(c Cond) {
		if c.Op == InSegment {
			out = append(out, c.Segment)
		}
		for _, s := range c.Conds {
			walk(s)
		}
	}
	walk(c)
	slices.Sort(out)
	return slices.Compact(out)
}

// Fields returns the fields c reads, sorted, without repeats; a derived
// "days_since:F" field is listed as F.
func Fields(c Cond) []string {
	var out []string
	var walk func(Cond)
	walk = func(c Cond) {
		if c.Field != "" {
			f := c.Field
			if base, ok := daysSinceBase(f); ok {
				f = base
			}
			out = append(out, f)
		}
		for _, s := range c.Conds {
			walk(s)
		}
	}
	walk(c)
	slices.Sort(out)
	return slices.Compact(out)
}

func daysSinceBase(field string) (string, bool) {
	if len(field) > len(DaysSincePrefix) && field[:len(DaysSincePrefix)] == DaysSincePrefix {
		return field[len(DaysSincePrefix):], true
	}
	return "", false
}
