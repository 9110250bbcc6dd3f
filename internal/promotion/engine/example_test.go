package engine_test

import (
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// A basket with 第二件半价 on wine and a store-wide 满减 (199−20, 299−50). The threshold
// is checked on the amount after the half-price discount: ¥300.00 − ¥75.00 = ¥225.00,
// which earns ¥20.00 off, not ¥50.00.
func ExamplePrice() {
	cart := engine.Cart{Lines: []engine.Line{
		{ID: "1", SKU: "wine", Category: "liquor", Unit: engine.UnitEach, Qty: 2, UnitPrice: 15000},
		{ID: "2", SKU: "pork", Category: "meat", Unit: engine.UnitWeight, Qty: 500, UnitPrice: 3000}, // 500 g at ¥30.00/kg
	}}
	promos := []engine.Promotion{
		{ID: "half", Kind: engine.KindNthItem, Scope: engine.Scope{SKUs: []string{"wine"}},
			NthItem: &engine.NthItem{N: 2, OffBP: 5000}},
		{ID: "manjian", Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
			Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 2000}, {Spend: 29900, Off: 5000}}}},
	}
	ctx := engine.Context{Time: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), Channel: "pos"}
	res, err := engine.Price(cart, promos, ctx)
	if err != nil {
		panic(err)
	}
	for _, a := range res.Applied {
		fmt.Printf("%s: %s (%s)\n", a.PromotionID, engine.Yuan(a.Discount), a.Message)
	}
	for _, l := range res.Lines {
		fmt.Printf("line %s: %s − %s = %s\n", l.ID, engine.Yuan(l.Amount), engine.Yuan(l.Discount), engine.Yuan(l.Net))
	}
	fmt.Println("total", engine.Yuan(res.Total))
	for _, h := range res.Hints {
		fmt.Println("hint:", h.Message)
	}
	// Output:
	// half: ¥75.00 (every 2nd unit 50% off)
	// manjian: ¥20.00 (measured on ¥240.00 (eligible items after item-level discounts): ¥20.00 off)
	// line 1: ¥300.00 − ¥93.75 = ¥206.25
	// line 2: ¥15.00 − ¥1.25 = ¥13.75
	// total ¥220.00
	// hint: add ¥59.00 more to get ¥50.00 off
}

// A partial return after 满减 199−20 with the claw_back policy: the remaining ¥120.00
// no longer earns the discount, so the part of it left on the kept line is deducted.
func ExampleReturnQuote() {
	cart := engine.Cart{Lines: []engine.Line{
		{ID: "a", SKU: "oil", Unit: engine.UnitEach, Qty: 1, UnitPrice: 12000},
		{ID: "b", SKU: "rice", Unit: engine.UnitEach, Qty: 1, UnitPrice: 10000},
	}}
	promos := []engine.Promotion{{ID: "mj", Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
		ReturnPolicy: engine.ReturnClawBack,
		Threshold:    &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 2000}}}}}
	res, err := engine.Price(cart, promos, engine.Context{Time: time.Now()})
	if err != nil {
		panic(err)
	}
	q, err := engine.ReturnQuote(res, map[string]int64{"b": 1}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("paid", engine.Yuan(res.Total), "refund", engine.Yuan(q.Refund))
	fmt.Println(q.Adjustments[0].Message)
	// Output:
	// paid ¥200.00 refund ¥80.00
	// spend after the return ¥120.00 earns ¥0.00 instead of the ¥10.91 kept: ¥10.91 is deducted from the refund
}

// Happy hour 14:00–17:00 on Tuesdays in Shanghai, expanded into the windows of one
// week for a calendar.
func ExampleConditions_Windows() {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	k := engine.Conditions{Weekdays: []time.Weekday{time.Tuesday}, DailyFrom: 14 * 60, DailyTo: 17 * 60}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, sh) // a Monday
	for _, w := range k.Windows(from, from.AddDate(0, 0, 7), sh) {
		fmt.Println(w.Start.Format("Mon 2006-01-02 15:04"), "to", w.End.Format("15:04 MST"))
	}
	fmt.Println(k.ActiveAt(time.Date(2026, 3, 3, 16, 59, 0, 0, sh), sh), k.ActiveAt(time.Date(2026, 3, 3, 17, 0, 0, 0, sh), sh))
	// Output:
	// Tue 2026-03-03 14:00 to 17:00 CST
	// true false
}
