package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTextFunctionsExpandToFields: the text form's functions are the field naming
// convention, amounts after spend are yuan, and Format prints them back.
func TestTextFunctionsExpandToFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       Cond
		canonical  string
	}{
		{"spend in yuan", `spend(90d) between 100 and 500.5`,
			Compare("spend_fen:90d", Between, Int(10000), Int(50050)), `spend(90d) between 100.00 and 500.50`},
		{"negative yuan", `spend(all) > -0.05`, Compare("spend_fen:all", Gt, Int(-5)), `spend(all) > -0.05`},
		{"bought", `bought("infant_formula", 90d)`, Compare("bought_category:90d", In, Str("infant_formula")), `bought("infant_formula", 90d)`},
		{"did alone", `did("wechat_open", 30d)`, Compare("events:wechat_open:30d", Ge, Int(1)), `did("wechat_open", 30d)`},
		{"did counted", `did("order",7d)>=3`, Compare("events:order:7d", Ge, Int(3)), `did("order", 7d) >= 3`},
		{"orders", `orders(365d) in (1, 2)`, Compare("orders:365d", In, Int(1), Int(2)), `orders(365d) in (1, 2)`},
		{"days since", `days_since(last_order_day) > 30`, Compare("days_since:last_order_day", Gt, Int(30)), `days_since(last_order_day) > 30`},
		{"tag", `tag("vip")`, Compare("tag:vip", Exists), `tag("vip")`},
		{"quoted field", "`城市` not in (\"北京\")", Compare("城市", NotIn, Str("北京")), "`城市` not in (\"北京\")"},
		{"precedence", `a = 1 or b = 2 and not c missing`,
			AnyOf(Compare("a", Eq, Int(1)), AllOf(Compare("b", Eq, Int(2)), Negate(Compare("c", Missing)))),
			`a = 1 or (b = 2 and not c missing)`},
		{"rule tag", `orders_90d >= 3 and avg_basket_yuan > 200`,
			AllOf(Compare("orders_90d", Ge, Int(3)), Compare("avg_basket_yuan", Gt, Int(200))), `orders_90d >= 3 and avg_basket_yuan > 200`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(Value{})); d != "" {
				t.Fatalf("Parse(%q) (-want +got):\n%s", tt.text, d)
			}
			if f := Format(got); f != tt.canonical {
				t.Fatalf("Format = %q, want %q", f, tt.canonical)
			}
		})
	}
}

// TestEvalRowRuleTag evaluates a rule tag and the relative-day and missing-value
// rules on single rows.
func TestEvalRowRuleTag(t *testing.T) {
	t.Parallel()
	rule := mustCompare(t, `orders_90d >= 3 and avg_basket_yuan > 200`)
	for _, tt := range []struct {
		row  Row
		want bool
	}{
		{Row{"orders_90d": 3, "avg_basket_yuan": int64(201)}, true},
		{Row{"orders_90d": 3, "avg_basket_yuan": int64(200)}, false},
		{Row{"orders_90d": 2, "avg_basket_yuan": int64(500)}, false},
		{Row{"avg_basket_yuan": int64(500)}, false},
	} {
		if got, err := EvalRow(rule, tt.row, 0); err != nil || got != tt.want {
			t.Errorf("EvalRow(%v) = %v, %v; want %v", tt.row, got, err, tt.want)
		}
	}
	lapsed := mustCompare(t, `days_since(last_order_day) > 30`)
	for _, tt := range []struct {
		row  Row
		want bool
	}{
		{Row{LastOrderDay: Day(100)}, true},  // 31 days before today
		{Row{LastOrderDay: Day(101)}, false}, // 30 days
		{Row{}, false},                       // never ordered: no value
	} {
		if got, err := EvalRow(lapsed, tt.row, 131); err != nil || got != tt.want {
			t.Errorf("EvalRow(%v) = %v, %v; want %v", tt.row, got, err, tt.want)
		}
	}
	ne := mustCompare(t, `tier != "gold"`)
	if got, _ := EvalRow(ne, Row{}, 0); got {
		t.Error(`tier != "gold" matched a member without a tier`)
	}
	if got, _ := EvalRow(ne, Row{"tier": []string{"silver", "gold"}}, 0); got {
		t.Error(`tier != "gold" matched a member holding gold`)
	}
}
