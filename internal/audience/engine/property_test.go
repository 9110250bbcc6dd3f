package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// schema is the random test schema: a few fields of every kind.
var (
	testNumbers = []string{"age", "orders:30d", "spend_fen:90d", "score", LastOrderDay}
	testSets    = []string{"tier", "city", "bought_category:90d"}
	testFlags   = []string{"tag:vip", "tag:new", "opted_in"}
	testSegs    = []string{"low_churn", "vip_layer"}
	setValues   = []string{"a", "b", "c", "上海", "d"}
)

const testToday = Day(20000)

func newTestIndex(t interface{ Fatalf(string, ...any) }) *Index {
	ix := NewIndex()
	for _, f := range testNumbers {
		if err := ix.Define(f, Number); err != nil {
			t.Fatalf("define: %v", err)
		}
	}
	for _, f := range testSets {
		if err := ix.Define(f, Set); err != nil {
			t.Fatalf("define: %v", err)
		}
	}
	for _, f := range testFlags {
		if err := ix.Define(f, Flag); err != nil {
			t.Fatalf("define: %v", err)
		}
	}
	return ix
}

func drawNumber(t *rapid.T, label string) int64 {
	switch rapid.IntRange(0, 3).Draw(t, label+"_kind") {
	case 0:
		return rapid.Int64Range(-1<<40, 1<<40).Draw(t, label)
	case 1:
		return int64(testToday) - rapid.Int64Range(-5, 400).Draw(t, label)
	}
	return rapid.Int64Range(-8, 40).Draw(t, label)
}

func drawRow(t *rapid.T) Row {
	row := Row{}
	for _, f := range testNumbers {
		if rapid.Bool().Draw(t, "has_"+f) {
			row[f] = drawNumber(t, f)
		}
	}
	for _, f := range testSets {
		if vs := rapid.SliceOfNDistinct(rapid.SampledFrom(setValues), 0, 3, rapid.ID[string]).Draw(t, f); len(vs) > 0 {
			row[f] = vs
		}
	}
	for _, f := range testFlags {
		if rapid.Bool().Draw(t, f) {
			row[f] = true
		}
	}
	return row
}

func drawLiteral(t *rapid.T) Value { return Int(drawNumber(t, "lit")) }

func drawCond(t *rapid.T, depth int) Cond {
	kind := rapid.IntRange(0, 9).Draw(t, "node")
	if depth <= 0 && kind < 3 {
		kind = 3 + kind
	}
	switch kind {
	case 0, 1:
		n := rapid.IntRange(2, 4).Draw(t, "n")
		cs := make([]Cond, n)
		for i := range cs {
			cs[i] = drawCond(t, depth-1)
		}
		return Cond{Op: []Op{And, Or}[kind], Conds: cs}
	case 2:
		return Negate(drawCond(t, depth-1))
	case 3, 4, 5:
		f := rapid.SampledFrom(testNumbers).Draw(t, "field")
		if f == LastOrderDay && rapid.Bool().Draw(t, "days_since") {
			f = DaysSincePrefix + f
		}
		op := rapid.SampledFrom([]Op{Eq, Ne, Lt, Le, Gt, Ge, Between, In, NotIn, Exists, Missing}).Draw(t, "op")
		var vs []Value
		switch op {
		case Between:
			vs = []Value{drawLiteral(t), drawLiteral(t)}
		case In, NotIn:
			for range rapid.IntRange(1, 3).Draw(t, "nvals") {
				vs = append(vs, drawLiteral(t))
			}
		case Exists, Missing:
		default:
			vs = []Value{drawLiteral(t)}
		}
		if _, derived := daysSinceBase(f); derived {
			for i := range vs {
				vs[i] = Int(rapid.Int64Range(-5, 400).Draw(t, "days"))
			}
		}
		return Compare(f, op, vs...)
	case 6, 7:
		f := rapid.SampledFrom(testSets).Draw(t, "field")
		op := rapid.SampledFrom([]Op{Eq, Ne, In, NotIn, Exists, Missing}).Draw(t, "op")
		var vs []Value
		switch op {
		case In, NotIn:
			for _, s := range rapid.SliceOfN(rapid.SampledFrom(append(setValues, "zz")), 1, 3).Draw(t, "vals") {
				vs = append(vs, Str(s))
			}
		case Eq, Ne:
			vs = []Value{Str(rapid.SampledFrom(append(setValues, "zz")).Draw(t, "val"))}
		}
		return Compare(f, op, vs...)
	case 8:
		return Compare(rapid.SampledFrom(testFlags).Draw(t, "field"), rapid.SampledFrom([]Op{Exists, Missing}).Draw(t, "op"))
	}
	return Member(rapid.SampledFrom(testSegs).Draw(t, "segment"))
}

// TestEvaluateMatchesEvalRow: over random data built by random sets, replacements
// and removals, the bitmap result of random conditions is exactly the set of live
// members for which EvalRow is true; every condition also survives Format/Parse
// and JSON round trips.
func TestEvaluateMatchesEvalRow(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		ix := newTestIndex(t)
		rows := map[uint32]Row{}
		maxID := rapid.Uint32Range(1, 400).Draw(t, "max_id")
		steps := rapid.IntRange(1, 300).Draw(t, "steps")
		err := ix.Update(func(tx *Tx) error {
			for range steps {
				m := rapid.Uint32Range(0, maxID).Draw(t, "member")
				switch rapid.IntRange(0, 9).Draw(t, "change") {
				case 0: // removal
					tx.Remove(m)
					delete(rows, m)
				case 1, 2: // partial update of one field
					row := drawRow(t)
					if rows[m] == nil {
						rows[m] = Row{}
					}
					for _, f := range append(append(append([]string(nil), testNumbers...), testSets...), testFlags...) {
						if rapid.IntRange(0, 5).Draw(t, "touch") == 0 {
							if err := tx.Put(m, Row{f: row[f]}); err != nil {
								return err
							}
							if row[f] == nil {
								delete(rows[m], f)
							} else {
								rows[m][f] = row[f]
							}
						}
					}
					tx.Add(m)
				default: // replace
					row := drawRow(t)
					if err := tx.Replace(m, row); err != nil {
						return err
					}
					rows[m] = row
				}
			}
			for _, s := range testSegs {
				bm := roaring.New()
				for m := range maxID + 5 {
					if rapid.IntRange(0, 2).Draw(t, "in_seg") == 0 {
						bm.Add(m)
					}
				}
				tx.SetSegment(s, bm)
				for m, row := range rows {
					row[SegmentKey(s)] = bm.Contains(m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if got := ix.Members(); got != uint64(len(rows)) {
			t.Fatalf("members = %d, want %d", got, len(rows))
		}
		for i := range 30 {
			c := drawCond(t, 3)
			got, err := ix.Evaluate(c, testToday)
			if err != nil {
				t.Fatalf("evaluate %s: %v", Format(c), err)
			}
			want := roaring.New()
			for m, row := range rows {
				ok, err := EvalRow(c, row, testToday)
				if err != nil {
					t.Fatalf("evalrow %s: %v", Format(c), err)
				}
				if ok {
					want.Add(m)
				}
			}
			if !got.Equals(want) {
				t.Fatalf("condition %d %s:\nengine %v\nrows   %v", i, Format(c), got.ToArray(), want.ToArray())
			}
			n, err := ix.Count(c, testToday)
			if err != nil || n != want.GetCardinality() {
				t.Fatalf("count %s = %d, %v; want %d", Format(c), n, err, want.GetCardinality())
			}
			assertRoundTrips(t, c)
		}
	})
}

func assertRoundTrips(t interface{ Fatalf(string, ...any) }, c Cond) {
	text := Format(c)
	back, err := Parse(text)
	if err != nil {
		t.Fatalf("parse of formatted %q: %v", text, err)
	}
	if d := cmp.Diff(c, back, cmp.AllowUnexported(Value{})); d != "" {
		t.Fatalf("Parse(Format(c)) differs for %q (-want +got):\n%s", text, d)
	}
	js, err := c.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back, err = ParseJSON(js)
	if err != nil {
		t.Fatalf("parse of JSON %s: %v", js, err)
	}
	if d := cmp.Diff(c, back, cmp.AllowUnexported(Value{})); d != "" {
		t.Fatalf("ParseJSON(MarshalJSON(c)) differs for %s (-want +got):\n%s", js, d)
	}
}

// TestRoundTripRandomConditions formats and re-parses random conditions with
// random names and literals, including ones that need quoting.
func TestRoundTripRandomConditions(t *testing.T) {
	t.Parallel()
	names := rapid.OneOf(rapid.SampledFrom([]string{"age", "and", "did", "tag:x", "events:order:30d", "events::all",
		"spend_fen:90d", "orders:7d", "bought_category:365d", "days_since:last_order_day", "城市", "a-b.c", "x y", "days_since:"}),
		rapid.StringMatching("[a-z_:]{1,6}"))
	rapid.Check(t, func(t *rapid.T) {
		var gen func(depth int) Cond
		gen = func(depth int) Cond {
			switch k := rapid.IntRange(0, 6).Draw(t, "k"); {
			case k < 2 && depth > 0:
				cs := make([]Cond, rapid.IntRange(2, 3).Draw(t, "n"))
				for i := range cs {
					cs[i] = gen(depth - 1)
				}
				return Cond{Op: []Op{And, Or}[k], Conds: cs}
			case k == 2 && depth > 0:
				return Negate(gen(depth - 1))
			case k == 3:
				return Member(rapid.StringN(1, 8, -1).Draw(t, "seg"))
			}
			op := rapid.SampledFrom([]Op{Eq, Ne, Lt, Le, Gt, Ge, Between, In, NotIn, Exists, Missing}).Draw(t, "op")
			n := map[Op]int{Between: 2, Exists: 0, Missing: 0, In: rapid.IntRange(1, 3).Draw(t, "nv"), NotIn: 1}
			cnt, ok := n[op]
			if !ok {
				cnt = 1
			}
			vs := make([]Value, cnt)
			for i := range vs {
				if rapid.Bool().Draw(t, "num") {
					vs[i] = Int(rapid.Int64().Draw(t, "int"))
				} else {
					vs[i] = Str(rapid.String().Draw(t, "str"))
				}
			}
			if len(vs) == 0 {
				vs = nil
			}
			return Cond{Op: op, Field: names.Draw(t, "field"), Values: vs}
		}
		c := gen(3)
		if c.Validate() != nil {
			t.Skip("invalid")
		}
		assertRoundTrips(t, c)
	})
}

func ExampleIndex_Count() {
	ix := NewIndex()
	_ = ix.Define("tier", Set)
	_ = ix.Define("city", Set)
	_ = ix.Define(OrdersField("30d"), Number)
	_ = ix.Define(SpendField("90d"), Number)
	_ = ix.Define(BoughtField("90d"), Set)
	_ = ix.Update(func(tx *Tx) error {
		_ = tx.Put(1, Row{"tier": "gold", "city": "上海", BoughtField("90d"): []string{"infant_formula", "snacks"}, SpendField("90d"): int64(25000)})
		_ = tx.Put(2, Row{"tier": "gold", "city": "上海", BoughtField("90d"): "infant_formula", OrdersField("30d"): int64(2)})
		_ = tx.Put(3, Row{"tier": "silver", "city": "北京"})
		return nil
	})
	c, err := Parse(`tier in ("gold", "platinum") and city = "上海" and bought("infant_formula", 90d) and not orders(30d) >= 1`)
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _ := ix.Count(c, DayOf(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)))
	fmt.Println(n)
	fmt.Println(Format(c))
	_, err = Parse(`tier in ("gold" "platinum")`)
	fmt.Println(err)
	// Output:
	// 1
	// tier in ("gold", "platinum") and city = "上海" and bought("infant_formula", 90d) and not orders(30d) >= 1
	// segment: column 17 (byte 16): expected "," or ")" in the list, found string "platinum"
}
