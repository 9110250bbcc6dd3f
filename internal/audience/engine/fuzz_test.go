package engine

import (
	"testing"
)

var fuzzSeeds = []string{
	`tier in ("gold","platinum") and city = "上海" and bought("infant_formula", 90d) and not did("order", 30d) and did("wechat_open", 30d) >= 1 and not in_segment("low_churn") and spend(90d) between 100 and 500`,
	`orders_90d >= 3 and avg_basket_yuan > 200`,
	`(a = 1 or b != "x") and not (c exists or d missing)`,
	"`城市` not in (\"北京\", \"上海\") or days_since(last_order_day) > 30",
	`tag("vip") and orders(all) between -3 and 7 and spend(7d) < 12.5`,
	`x = "\xff"`, `a in ()`, `did("x", 8d)`, `not not not a exists`,
}

// FuzzParse: the text parser never panics, and whatever it accepts formats and
// re-parses to the same condition and survives the JSON round trip.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse(%q) gave an invalid condition: %v", text, err)
		}
		assertRoundTrips(t, c)
		_, _ = EvalRow(c, Row{"a": int64(1), "tier": "gold"}, 100)
	})
}

// FuzzParseJSON: the JSON parser never panics, and whatever it accepts formats and
// re-parses (text and JSON) to the same condition.
func FuzzParseJSON(f *testing.F) {
	for _, s := range fuzzSeeds {
		if c, err := Parse(s); err == nil {
			js, _ := c.MarshalJSON()
			f.Add(string(js))
		}
	}
	f.Add(`{"op":"and","conditions":[{"op":"=","field":"a","value":1.0}]}`)
	f.Add(`{"op":"not","condition":{"op":"in_segment","segment":"x"}}`)
	f.Add(`{"op":"between","field":"a","values":[1e3,"x"]}`)
	f.Fuzz(func(t *testing.T, js string) {
		c, err := ParseJSON([]byte(js))
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseJSON(%s) gave an invalid condition: %v", js, err)
		}
		assertRoundTrips(t, c)
	})
}
