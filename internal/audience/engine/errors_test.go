package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		offset     int
		want       string
	}{
		{"empty", ``, 0, `expected a condition (a field, did, bought, spend, orders, days_since, tag, in_segment, not or a parenthesis), found end of input`},
		{"missing value", `tier = and x = 1`, 7, `expected a value (a number or a string in double quotes), found "and"`},
		{"missing operator", `tier "gold"`, 5, `expected an operator (=, !=, <, <=, >, >=, between, in, not in, exists, missing) after "tier", found string "gold"`},
		{"list without comma", `tier in ("gold" "platinum")`, 16, `expected "," or ")" in the list, found string "platinum"`},
		{"column counts runes", `city = "上海" and age > "x" or`, 32, `expected a condition`},
		{"unknown window", `bought("milk", 60d)`, 15, `expected a window (7d, 30d, 90d, 180d, 365d or all), found "60d"`},
		{"event needs quotes", `did(order, 30d)`, 4, `expected an event type in double quotes, found "order"`},
		{"unclosed paren", `(a = 1 or b = 2`, 15, `expected ")" to close the parenthesis, found end of input`},
		{"between needs and", `age between 1 or 2`, 14, `expected "and" between the bounds, found "or"`},
		{"money has two decimals", `spend(90d) > 1.234`, 13, `invalid amount 1.234: want yuan with at most 2 decimals`},
		{"integer only", `age > 1.5`, 6, `invalid integer 1.5`},
		{"unterminated string", `city = "上海`, 7, `unterminated string`},
		{"stray character", `age > 3 & b = 1`, 8, `unexpected character '&'`},
		{"trailing token", `age > 3 b = 1`, 8, `expected "and", "or" or end of input, found "b"`},
		{"keyword as field", `and = 1`, 0, `expected a condition`},
		{"empty segment", `in_segment("")`, 11, `empty segment code`},
		{"int overflow", `age > 99999999999999999999`, 6, `invalid integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.text)
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error = %v, want a *ParseError wrapping ErrInvalid", tt.text, err)
			}
			if pe.Offset != tt.offset || !strings.Contains(pe.Msg, tt.want) {
				t.Fatalf("Parse(%q) = byte %d %q, want byte %d %q", tt.text, pe.Offset, pe.Msg, tt.offset, tt.want)
			}
			if want := len([]rune(tt.text[:pe.Offset])) + 1; pe.Column != want {
				t.Fatalf("column = %d, want %d", pe.Column, want)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, js, want string }{
		{"bad op deep", `{"op":"and","conditions":[{"op":"=","field":"a","value":1},{"op":"=","field":"b","value":2},{"op":"like","field":"c","value":"x"}]}`,
			`segment: conditions[2].op: unknown operator "like"`},
		{"missing field", `{"op":"not","condition":{"op":"exists"}}`, `segment: condition.field: missing (op "exists" needs it)`},
		{"extra key", `{"op":"exists","field":"a","value":1}`, `segment: value: not allowed with op "exists"`},
		{"between arity", `{"op":"or","conditions":[{"op":"between","field":"a","values":[1]},{"op":"exists","field":"b"}]}`,
			`segment: conditions[0].values: between needs exactly 2 values, found 1`},
		{"fraction", `{"op":"=","field":"spend_fen:90d","value":12.5}`, `segment: value: expected an integer (amounts are in fen), found 12.5`},
		{"bad value type", `{"op":"in","field":"a","values":["x",true]}`, `segment: values[1]: expected a number or a string, found a boolean`},
		{"empty group", `{"op":"and","conditions":[]}`, `segment: conditions: needs at least one condition`},
		{"not an object", `[1]`, `segment: expected an object, found an array`},
		{"bad field name", "{\"op\":\"exists\",\"field\":\"a`b\"}", "segment: field: field name \"a`b\" has a backtick"},
		{"not json", `{"op":`, `segment: invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseJSON([]byte(tt.js))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseJSON(%s) error = %v, want prefix %q wrapping ErrInvalid", tt.js, err, tt.want)
			}
		})
	}
}

func TestCheckNamesFieldAndSegment(t *testing.T) {
	t.Parallel()
	ix := newTestIndex(t)
	_ = ix.Update(func(tx *Tx) error { tx.SetSegment("low_churn", roaring.New()); return nil })
	tests := []struct{ name, text, want string }{
		{"unknown field", `age > 3 and (tier = "a" or colour = "red")`, `segment: conditions[1].conditions[1].field: unknown field "colour"`},
		{"unknown segment", `not in_segment("high_churn")`, `segment: condition.segment: unknown segment "high_churn"`},
		{"unknown days_since base", `days_since(first_order_day) > 3`, `segment: field: unknown field "first_order_day"`},
		{"range on a set", `tier > "a"`, `segment: op: field "tier" is a set of values: ">" needs a number field`},
		{"string for a number", `age in (1, "2")`, `segment: values[1]: field "age" is a number: "2" is not a number`},
		{"number for a set", `city = 3`, `segment: value: field "city" holds strings: 3 needs quotes`},
		{"flag compared", `opted_in = 1`, `segment: op: field "opted_in" is a flag: only exists and missing apply`},
		{"days_since on a set", `days_since(tier) > 1`, `segment: field: days_since needs a number field; "tier" is a set field`},
		{"days_since bound", `days_since(last_order_day) > 2000000000`, `segment: value: days_since compares with at most`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			err = ix.Check(c)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Check(%s) = %v, want prefix %q", tt.text, err, tt.want)
			}
			if _, err := ix.Evaluate(c, testToday); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Evaluate(%s) = %v, want %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestOrderAndCycles(t *testing.T) {
	t.Parallel()
	mustParse := func(s string) Cond {
		c, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	defs := map[string]Cond{
		"a": mustParse(`in_segment("b") and not in_segment("c")`),
		"b": mustParse(`in_segment("c") or in_segment("outside")`),
		"c": mustParse(`age > 3`),
	}
	got, err := Order(defs)
	if err != nil || !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Fatalf("Order = %v, %v; want [c b a]", got, err)
	}
	defs["c"] = mustParse(`age > 3 or (tier = "x" and in_segment("a"))`)
	_, err = Order(defs)
	if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "a → b → c → a") {
		t.Fatalf("Order with a cycle = %v, want the cycle a → b → c → a", err)
	}
	_, err = Order(map[string]Cond{"self": Member("self")})
	if err == nil || !strings.Contains(err.Error(), "self → self") {
		t.Fatalf("self reference = %v", err)
	}
}

func TestDefineAndUpdateErrors(t *testing.T) {
	t.Parallel()
	ix := newTestIndex(t)
	if err := ix.Define("age", Set); err == nil || !errors.Is(err, ErrInvalid) {
		t.Fatalf("redefine with another kind = %v", err)
	}
	if err := ix.Define("age", Number); err != nil {
		t.Fatalf("redefine with the same kind = %v", err)
	}
	if err := ix.Define("days_since:x", Number); err == nil {
		t.Fatal("reserved prefix accepted")
	}
	err := ix.Update(func(tx *Tx) error { return tx.Put(1, Row{"age": "old"}) })
	if err == nil || !strings.Contains(err.Error(), `field "age" is a number field`) {
		t.Fatalf("put string into number = %v", err)
	}
	err = ix.Update(func(tx *Tx) error { return tx.SetFlag(1, "nope", true) })
	if err == nil || !strings.Contains(err.Error(), `unknown field "nope"`) {
		t.Fatalf("unknown field = %v", err)
	}
	if _, err := EvalRow(mustCompare(t, `age > 3`), Row{"age": "x"}, 0); err == nil {
		t.Fatal("EvalRow accepted a string for a number comparison")
	}
}

func mustCompare(t *testing.T, s string) Cond {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
