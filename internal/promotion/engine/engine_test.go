package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestPriceScenarios(t *testing.T) {
	t.Parallel()
	tiered := func(id string) Promotion { return manjian(id, Tier{19900, 2000}, Tier{29900, 5000}) }
	memberDay := Promotion{ID: "member-day", Kind: KindMemberPrice, Scope: allScope(), PercentOff: &PercentOff{OffBP: 1200},
		Conditions: Conditions{Tiers: []string{"gold", "platinum"}, Weekdays: []time.Weekday{time.Tuesday}}}
	happyHour := Promotion{ID: "happy-hour", Kind: KindPercentOff, Scope: cats("bakery"), PercentOff: &PercentOff{OffBP: 5000},
		Conditions: Conditions{DailyFrom: 14 * 60, DailyTo: 17 * 60}}
	coffeeBread := Promotion{ID: "coffee-bread", Kind: KindBundle, Bundle: &Bundle{Price: 1500, Components: []BundleComponent{
		{SKUs: []string{"latte", "americano"}, Qty: 1}, {SKUs: []string{"croissant"}, Qty: 1}}}}
	towel := Promotion{ID: "towel", Kind: KindGift, Scope: allScope(), Gift: &Gift{SKU: "towel", Qty: 1, Spend: 10000}}

	tests := []struct {
		name       string
		lines      []Line
		promos     []Promotion
		ctx        func(*Context)
		total      int64
		applied    []string        // promotion ids applied, in application order
		rejected   map[string]Code // promotion id → code
		winner     map[string]string
		hint       string
		lineNets   map[string]int64
		giftLines  int
		condFailed string
		fee        int64             // the cart's delivery fee
		payable    int64             // checked with delivery when not 0
		delivery   int64             // expected delivery discount
		msgs       map[string]string // promotion id → text its explanation contains
	}{
		{name: "no promotions", lines: []Line{each("a", "milk", "dairy", "", 2, 1250), each("b", "bread", "bakery", "", 1, 800)}, total: 3300},
		{name: "weighed line rounds half up", lines: []Line{weighed("a", "pork", "meat", 1234, 3980)}, total: 4911},
		{name: "weighed half fen rounds up", lines: []Line{weighed("a", "apple", "fruit", 250, 1234)}, total: 309},
		{name: "满减 199-20", lines: []Line{each("a", "oil", "grocery", "", 1, 21000)}, promos: []Promotion{tiered("mj")}, total: 19000, applied: []string{"mj"},
			hint: "add ¥89.00 more to get ¥50.00 off"},
		{name: "满减 highest tier 299-50", lines: []Line{each("a", "oil", "grocery", "", 1, 21000), each("b", "rice", "grocery", "", 1, 11000)},
			promos: []Promotion{tiered("mj")}, total: 27000, applied: []string{"mj"}},
		{name: "满减 not met gives hint", lines: []Line{each("a", "oil", "grocery", "", 1, 15000)}, promos: []Promotion{tiered("mj")},
			total: 15000, rejected: map[string]Code{"mj": CodeThresholdNotMet}, hint: "add ¥49.00 more to get ¥20.00 off"},
		{name: "every 100 save 10", lines: []Line{each("a", "oil", "grocery", "", 1, 25600)},
			promos: []Promotion{{ID: "rep", Kind: KindThreshold, Scope: allScope(), Threshold: &Threshold{Repeat: &Repeat{Every: 10000, Off: 1000, Cap: 3000}}}},
			total:  23600, applied: []string{"rep"}, hint: "add ¥44.00 more to get ¥30.00 off"},
		{name: "every 100 save 10 capped at 30", lines: []Line{each("a", "oil", "grocery", "", 1, 45600)},
			promos: []Promotion{{ID: "rep", Kind: KindThreshold, Scope: allScope(), Threshold: &Threshold{Repeat: &Repeat{Every: 10000, Off: 1000, Cap: 3000}}}},
			total:  42600, applied: []string{"rep"}},
		{name: "第二件半价 two units", lines: []Line{each("a", "milk", "dairy", "", 2, 650)}, promos: []Promotion{halfSecond("h2", skus("milk"))},
			total: 975, applied: []string{"h2"}},
		{name: "第二件半价 three units: one half price", lines: []Line{each("a", "milk", "dairy", "", 3, 650)}, promos: []Promotion{halfSecond("h2", skus("milk"))},
			total: 1625, applied: []string{"h2"}},
		{name: "第二件半价 one unit", lines: []Line{each("a", "milk", "dairy", "", 1, 650)}, promos: []Promotion{halfSecond("h2", skus("milk"))},
			total: 650, rejected: map[string]Code{"h2": CodeQuantityNotMet}},
		{name: "第二件半价 per SKU, not across SKUs", lines: []Line{each("a", "milk", "dairy", "", 1, 650), each("b", "yogurt", "dairy", "", 1, 900)},
			promos: []Promotion{halfSecond("h2", cats("dairy"))}, total: 1550, rejected: map[string]Code{"h2": CodeQuantityNotMet}},
		{name: "buy 2 get 1 cheapest free", lines: []Line{each("a", "chips", "snacks", "", 1, 1000), each("b", "nuts", "snacks", "", 1, 800), each("c", "candy", "snacks", "", 1, 600)},
			promos: []Promotion{{ID: "b2g1", Kind: KindBuyXGetY, Scope: cats("snacks"), BuyXGetY: &BuyXGetY{Buy: 2, Get: 1}}},
			total:  1800, applied: []string{"b2g1"}, lineNets: map[string]int64{"c": 0}},
		{name: "buy 2 get 1 with an incomplete group", lines: []Line{each("a", "s10", "snacks", "", 1, 1000), each("b", "s9", "snacks", "", 1, 900),
			each("c", "s8", "snacks", "", 1, 800), each("d", "s7", "snacks", "", 1, 700), each("e", "s6", "snacks", "", 1, 600)},
			promos: []Promotion{{ID: "b2g1", Kind: KindBuyXGetY, Scope: cats("snacks"), BuyXGetY: &BuyXGetY{Buy: 2, Get: 1}}},
			total:  3200, lineNets: map[string]int64{"c": 0, "e": 600}},
		{name: "coffee + bread bundle for 15", lines: []Line{each("a", "latte", "coffee", "", 1, 1200), each("b", "croissant", "bakery", "", 1, 800)},
			promos: []Promotion{coffeeBread}, total: 1500, lineNets: map[string]int64{"a": 900, "b": 600}},
		{name: "bundle twice, a coffee left over", lines: []Line{each("a", "latte", "coffee", "", 3, 1200), each("b", "croissant", "bakery", "", 2, 800)},
			promos: []Promotion{coffeeBread}, total: 4200},
		{name: "gift with purchase", lines: []Line{each("a", "oil", "grocery", "", 1, 12000)}, promos: []Promotion{towel},
			total: 12000, applied: []string{"towel"}, giftLines: 1},
		{name: "gift not yet earned", lines: []Line{each("a", "oil", "grocery", "", 1, 8000)}, promos: []Promotion{towel},
			total: 8000, rejected: map[string]Code{"towel": CodeThresholdNotMet}, hint: "add ¥20.00 more to get 1 × towel free"},
		{name: "member day on Tuesday", lines: []Line{each("a", "oil", "grocery", "", 1, 10000)}, promos: []Promotion{memberDay},
			total: 8800, applied: []string{"member-day"}},
		{name: "member day not on Wednesday", lines: []Line{each("a", "oil", "grocery", "", 1, 10000)}, promos: []Promotion{memberDay},
			ctx: func(c *Context) { c.Time = c.Time.Add(24 * time.Hour) }, total: 10000, rejected: map[string]Code{"member-day": CodeConditionFailed}, condFailed: "weekdays"},
		{name: "member day: Tuesday in Shanghai is still Monday in UTC", lines: []Line{each("a", "oil", "grocery", "", 1, 10000)}, promos: []Promotion{memberDay},
			ctx: func(c *Context) { c.Time = time.Date(2026, 11, 24, 1, 0, 0, 0, shanghai) }, total: 8800},
		{name: "member day needs a tier", lines: []Line{each("a", "oil", "grocery", "", 1, 10000)}, promos: []Promotion{memberDay},
			ctx: func(c *Context) { c.Tier = "silver" }, total: 10000, condFailed: "tiers"},
		{name: "happy hour 15:30", lines: []Line{each("a", "baguette", "bakery", "", 2, 900)}, promos: []Promotion{happyHour},
			ctx: func(c *Context) { c.Time = time.Date(2026, 11, 24, 15, 30, 0, 0, shanghai) }, total: 900},
		{name: "happy hour over at 17:00", lines: []Line{each("a", "baguette", "bakery", "", 2, 900)}, promos: []Promotion{happyHour},
			ctx: func(c *Context) { c.Time = time.Date(2026, 11, 24, 17, 0, 0, 0, shanghai) }, total: 1800, condFailed: "daily_window"},
		{name: "满减 after 第二件半价 on the discounted amount", lines: []Line{each("a", "wine", "liquor", "", 2, 15000)},
			promos: []Promotion{halfSecond("h2", skus("wine")), tiered("mj")}, total: 20500, applied: []string{"h2", "mj"},
			hint: "add ¥74.00 more to get ¥50.00 off"},
		{name: "exclusive 30% off beats 第二件半价 + 满减", lines: []Line{each("a", "wine", "liquor", "", 3, 10000)},
			promos: []Promotion{halfSecond("h2", skus("wine")), tiered("mj"),
				{ID: "vip30", Kind: KindPercentOff, Exclusive: true, Scope: allScope(), PercentOff: &PercentOff{OffBP: 3000}}},
			total: 21000, applied: []string{"vip30"}, rejected: map[string]Code{"h2": CodeExcludedByStacking, "mj": CodeExcludedByStacking},
			winner: map[string]string{"h2": "vip30", "mj": "vip30"}},
		{name: "stack beats a weak exclusive", lines: []Line{each("a", "wine", "liquor", "", 3, 10000)},
			promos: []Promotion{halfSecond("h2", skus("wine")), tiered("mj"),
				{ID: "vip10", Kind: KindPercentOff, Exclusive: true, Scope: allScope(), PercentOff: &PercentOff{OffBP: 1000}}},
			total: 23000, applied: []string{"h2", "mj"}, rejected: map[string]Code{"vip10": CodeExcludedByStacking}},
		{name: "one per group: the better one", lines: []Line{each("a", "tv", "electronics", "", 1, 10000)},
			promos: []Promotion{withGroup(pct("p10", allScopeItem(), 1000), "g"), withGroup(pct("p15", allScopeItem(), 1500), "g")},
			total:  8500, applied: []string{"p15"}, winner: map[string]string{"p10": "p15"}},
		{name: "a group member left out so that 满减 is still met", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{withGroup(pct("p5", cats("grocery"), 500), "item"), tiered("mj")},
			total:  18000, applied: []string{"mj"}, rejected: map[string]Code{"p5": CodeExcludedByStacking}},
		{name: "coupon not presented", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{{ID: "c10", Kind: KindAmountOff, CouponCode: "SAVE10", Scope: allScope(), AmountOff: &AmountOff{Amount: 1000}}},
			total:  20000, condFailed: "coupon_code"},
		{name: "满减券 combines with an item discount", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{{ID: "coupon", Kind: KindThreshold, CouponCode: "MJ100", CombinableWithCoupons: true, Scope: allScope(), Threshold: tiers(Tier{10000, 1000})},
				{ID: "p10", Kind: KindPercentOff, CombinableWithCoupons: true, Scope: cats("grocery"), PercentOff: &PercentOff{OffBP: 1000}}},
			ctx: func(c *Context) { c.Coupons = []string{"MJ100"} }, total: 17000, applied: []string{"p10", "coupon"}},
		{name: "non-combinable coupon wins over the item discount", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{{ID: "coupon", Kind: KindAmountOff, CouponCode: "C30", Scope: allScope(), AmountOff: &AmountOff{Amount: 3000}},
				pct("p10", cats("grocery"), 1000)},
			ctx: func(c *Context) { c.Coupons = []string{"C30"} }, total: 17000, applied: []string{"coupon"},
			rejected: map[string]Code{"p10": CodeExcludedByStacking}, winner: map[string]string{"p10": "coupon"}},
		{name: "满减 prorated by largest remainder", lines: []Line{each("a", "x", "c", "", 1, 10000), each("b", "y", "c", "", 1, 10000), each("c", "z", "c", "", 1, 10000)},
			promos: []Promotion{tiered("mj")}, total: 25000, lineNets: map[string]int64{"a": 8333, "b": 8333, "c": 8334}},
		{name: "channel condition", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{{ID: "mp", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 1000}, Conditions: Conditions{Channels: []string{"mini_program"}}}},
			total:  20000, condFailed: "channels"},
		{name: "ended promotion", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{{ID: "old", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 1000}, Conditions: Conditions{End: tuesday10}}},
			total:  20000, condFailed: "end"},
		{name: "weighed line 20% off", lines: []Line{weighed("a", "beef", "meat", 500, 3000)}, promos: []Promotion{pct("m20", cats("meat"), 2000)}, total: 1200},
		{name: "category discount excluding a SKU", lines: []Line{each("a", "milk", "dairy", "", 1, 1000), each("b", "butter", "dairy", "", 1, 2000)},
			promos: []Promotion{{ID: "d10", Kind: KindPercentOff, Scope: Scope{Categories: []string{"dairy"}, ExcludeSKUs: []string{"butter"}}, PercentOff: &PercentOff{OffBP: 1000}}},
			total:  2900, lineNets: map[string]int64{"b": 2000}},
		{name: "invalid definition is reported, not applied", lines: []Line{each("a", "oil", "grocery", "", 1, 20000)},
			promos: []Promotion{manjian("bad", Tier{19900, 5000}, Tier{29900, 2000})}, total: 20000, rejected: map[string]Code{"bad": CodeInvalidDefinition}},
		// Tiered quantity discounts: 买2件9折, 买3件8折 on drinks.
		{name: "买2件9折 buy 2 get 10% off", lines: []Line{each("a", "cola", "drinks", "", 2, 350)}, promos: []Promotion{tieredQty("tq")},
			total: 630, applied: []string{"tq"}, msgs: map[string]string{"tq": "buy 1 more for 20% off"}},
		{name: "买3件8折 across SKUs", lines: []Line{each("a", "cola", "drinks", "", 2, 350), each("b", "sprite", "drinks", "", 1, 400)},
			promos: []Promotion{tieredQty("tq")}, total: 880, lineNets: map[string]int64{"a": 560, "b": 320}},
		{name: "tiered quantity: one unit is not enough", lines: []Line{each("a", "cola", "drinks", "", 1, 350)}, promos: []Promotion{tieredQty("tq")},
			total: 350, rejected: map[string]Code{"tq": CodeQuantityNotMet}, msgs: map[string]string{"tq": "buy 1 more eligible unit(s) to get 10% off"}},
		{name: "满减 measured after the tiered quantity discount", lines: []Line{each("a", "wine", "drinks", "", 3, 7000)},
			promos: []Promotion{tieredQty("tq"), tiered("mj")}, total: 16800, applied: []string{"tq"},
			rejected: map[string]Code{"mj": CodeThresholdNotMet}, hint: "add ¥31.00 more to get ¥20.00 off"},
		// Flash sale: eggs ¥15.90 at ¥9.90, 2 per customer.
		{name: "flash sale within the limit", lines: []Line{each("a", "eggs", "fresh", "", 2, 1590)}, promos: []Promotion{flash("fs", 2, "eggs")},
			total: 1980, msgs: map[string]string{"fs": "flash price ¥9.90 for 2 unit(s)"}},
		{name: "flash sale: units beyond the per-customer limit pay the normal price", lines: []Line{each("a", "eggs", "fresh", "", 5, 1590)},
			promos: []Promotion{flash("fs", 2, "eggs")}, total: 6750, msgs: map[string]string{"fs": "3 unit(s) beyond it pay the normal price"}},
		{name: "flash sale: one unit left from order history", lines: []Line{each("a", "eggs", "fresh", "", 3, 1590)},
			promos: []Promotion{flash("fs", 2, "eggs")}, ctx: func(c *Context) { c.FlashAllowance = map[string]int64{"fs": 1} }, total: 4170},
		{name: "flash sale: limit used up", lines: []Line{each("a", "eggs", "fresh", "", 2, 1590)}, promos: []Promotion{flash("fs", 2, "eggs")},
			ctx: func(c *Context) { c.FlashAllowance = map[string]int64{"fs": 0} }, total: 3180, rejected: map[string]Code{"fs": CodeLimitReached}},
		{name: "flash sale: the allowance goes to the units that save most", lines: []Line{each("a", "eggs", "fresh", "", 2, 1590), each("b", "duck-eggs", "fresh", "", 2, 2590)},
			promos: []Promotion{flash("fs", 3, "eggs", "duck-eggs")}, total: 4560, lineNets: map[string]int64{"a": 2580, "b": 1980}},
		// Near-expiry markdown: dairy half off within 2 days of expiry (today is 2026-11-24).
		{name: "near-expiry batch half off, fresh batch full price", lines: []Line{batch(each("a", "milk", "dairy", "", 2, 1200), "B1", 25), batch(each("b", "milk", "dairy", "", 1, 1200), "B2", 40)},
			promos: []Promotion{markdown("xm")}, total: 2400, lineNets: map[string]int64{"a": 1200, "b": 1200}},
		{name: "near-expiry: expiring today is marked down, past expiry is not", lines: []Line{batch(each("a", "yogurt", "dairy", "", 1, 800), "B1", 24), batch(each("b", "yogurt", "dairy", "", 1, 800), "B0", 23)},
			promos: []Promotion{markdown("xm")}, total: 1200, msgs: map[string]string{"xm": "1 line(s) past expiry are not marked down"}},
		{name: "near-expiry: no batch close to expiry", lines: []Line{batch(each("a", "milk", "dairy", "", 1, 1200), "B2", 30), each("b", "cheese", "dairy", "", 1, 3000)},
			promos: []Promotion{markdown("xm")}, total: 4200, rejected: map[string]Code{"xm": CodeNoDiscount}},
		{name: "near-expiry: days counted from the store's date, not UTC's", lines: []Line{batch(each("a", "milk", "dairy", "", 1, 1000), "B1", 27)},
			promos: []Promotion{markdown("xm")}, ctx: func(c *Context) { c.Time = time.Date(2026, 11, 25, 1, 0, 0, 0, shanghai) }, total: 500},
		{name: "near-expiry weighed meat", lines: []Line{batch(weighed("a", "pork", "dairy", 500, 3000), "B7", 26)}, promos: []Promotion{markdown("xm")}, total: 750},
		// Delivery fee: ¥6, free from ¥39 of goods after discounts.
		{name: "免配送费 满39", lines: []Line{each("a", "rice", "grocery", "", 1, 4000)}, promos: []Promotion{freeDelivery("fd", 3900, 0)},
			fee: 600, total: 4000, payable: 4000, delivery: 600},
		{name: "免配送费 measured after goods discounts: not met, hint", lines: []Line{each("a", "rice", "grocery", "", 1, 4200)},
			promos: []Promotion{freeDelivery("fd", 3900, 0), pct("p10", cats("grocery"), 1000)}, fee: 600, total: 3780, payable: 4380,
			rejected: map[string]Code{"fd": CodeThresholdNotMet}, hint: "add ¥1.20 more for free delivery"},
		{name: "delivery: ¥3 off from 29 when free delivery from 59 is not met", lines: []Line{each("a", "rice", "grocery", "", 1, 4000)},
			promos: []Promotion{freeDelivery("fd59", 5900, 0), freeDelivery("fd3", 2900, 300)}, fee: 600, total: 4000, payable: 4300, delivery: 300,
			rejected: map[string]Code{"fd59": CodeThresholdNotMet}},
		{name: "delivery: the promotion that saves most applies", lines: []Line{each("a", "rice", "grocery", "", 1, 6000)},
			promos: []Promotion{freeDelivery("fd59", 5900, 0), freeDelivery("fd3", 2900, 300)}, fee: 600, total: 6000, payable: 6000, delivery: 600,
			winner: map[string]string{"fd3": "fd59"}},
		{name: "delivery: no fee to waive", lines: []Line{each("a", "rice", "grocery", "", 1, 6000)}, promos: []Promotion{freeDelivery("fd", 3900, 0)},
			total: 6000, rejected: map[string]Code{"fd": CodeNoDiscount}},
		{name: "delivery with 满减: goods discount and delivery reported apart", lines: []Line{each("a", "oil", "grocery", "", 1, 21000)},
			promos: []Promotion{tiered("mj"), freeDelivery("fd", 3900, 0)}, fee: 800, total: 19000, payable: 19000, delivery: 800, applied: []string{"mj"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := baseCtx()
			if tt.ctx != nil {
				tt.ctx(&ctx)
			}
			cart := Cart{Lines: tt.lines, DeliveryFee: tt.fee}
			res, err := Price(cart, tt.promos, ctx)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, cart, res)
			if res.Total != tt.total {
				t.Fatalf("total %d, want %d\n%+v", res.Total, tt.total, res)
			}
			if tt.applied != nil {
				var got []string
				for _, a := range res.Applied {
					got = append(got, a.PromotionID)
				}
				if strings.Join(got, ",") != strings.Join(tt.applied, ",") {
					t.Errorf("applied %v, want %v", got, tt.applied)
				}
			}
			for id, code := range tt.rejected {
				e := findRejected(res, id)
				if e == nil || e.Code != code {
					t.Errorf("rejected %s: %+v, want code %s", id, e, code)
				}
			}
			for id, w := range tt.winner {
				if e := findRejected(res, id); e == nil || e.WinnerID != w {
					t.Errorf("rejected %s: %+v, want winner %s", id, e, w)
				}
			}
			if tt.condFailed != "" {
				found := false
				for _, e := range res.Rejected {
					found = found || (e.Code == CodeConditionFailed && e.Condition == tt.condFailed)
				}
				if !found {
					t.Errorf("no condition_failed %s in %+v", tt.condFailed, res.Rejected)
				}
			}
			if tt.hint != "" {
				found := false
				for _, h := range res.Hints {
					found = found || h.Message == tt.hint
				}
				if !found {
					t.Errorf("no hint %q in %+v", tt.hint, res.Hints)
				}
			}
			for id, net := range tt.lineNets {
				for _, l := range res.Lines {
					if l.ID == id && l.Net != net {
						t.Errorf("line %s net %d, want %d", id, l.Net, net)
					}
				}
			}
			if tt.payable != 0 && (res.Payable != tt.payable || res.DeliveryDiscount != tt.delivery) {
				t.Errorf("payable %d delivery discount %d, want %d and %d", res.Payable, res.DeliveryDiscount, tt.payable, tt.delivery)
			}
			for id, text := range tt.msgs {
				var msgs []string
				for _, a := range res.Applied {
					if a.PromotionID == id {
						msgs = append(msgs, a.Message)
					}
				}
				if e := findRejected(res, id); e != nil {
					msgs = append(msgs, e.Message)
				}
				if d := res.Delivery; d != nil && d.PromotionID == id {
					msgs = append(msgs, d.Message)
				}
				if !strings.Contains(strings.Join(msgs, "|"), text) {
					t.Errorf("%s: messages %q do not contain %q", id, msgs, text)
				}
			}
			gifts := 0
			for _, l := range res.Lines {
				if l.Gift {
					gifts++
				}
			}
			if gifts != tt.giftLines {
				t.Errorf("%d gift lines, want %d", gifts, tt.giftLines)
			}
		})
	}
}

func withGroup(p Promotion, g string) Promotion { p.Group = g; return p }

// allScopeItem is a whole-order scope at item level (per-line rounding).
func allScopeItem() Scope { return Scope{Categories: []string{"electronics"}} }

func findRejected(res Result, id string) *Explanation {
	for i := range res.Rejected {
		if res.Rejected[i].PromotionID == id {
			return &res.Rejected[i]
		}
	}
	return nil
}

func TestReturnQuote(t *testing.T) {
	t.Parallel()
	mj := func(policy ReturnPolicy) Promotion {
		p := manjian("mj", Tier{19900, 2000})
		p.ReturnPolicy = policy
		return p
	}
	tests := []struct {
		name     string
		lines    []Line
		promo    Promotion
		returned map[string]int64
		override map[string]ReturnPolicy
		refund   int64
		claw     int64
	}{
		{name: "return after 满减, claw back", lines: []Line{each("a", "x", "c", "", 1, 12000), each("b", "y", "c", "", 1, 10000)},
			promo: mj(ReturnClawBack), returned: map[string]int64{"b": 1}, refund: 8000, claw: 1091},
		{name: "return after 满减, keep", lines: []Line{each("a", "x", "c", "", 1, 12000), each("b", "y", "c", "", 1, 10000)},
			promo: mj(ReturnKeep), returned: map[string]int64{"b": 1}, refund: 9091},
		{name: "override to keep", lines: []Line{each("a", "x", "c", "", 1, 12000), each("b", "y", "c", "", 1, 10000)},
			promo: mj(ReturnClawBack), returned: map[string]int64{"b": 1}, override: map[string]ReturnPolicy{"mj": ReturnKeep}, refund: 9091},
		{name: "one of three units, claw back", lines: []Line{each("a", "x", "c", "", 3, 7000)},
			promo: mj(ReturnClawBack), returned: map[string]int64{"a": 1}, refund: 5000, claw: 1333},
		{name: "threshold still met", lines: []Line{each("a", "x", "c", "", 1, 25000), each("b", "y", "c", "", 1, 1000)},
			promo: mj(ReturnClawBack), returned: map[string]int64{"b": 1}, refund: 923},
		{name: "everything back", lines: []Line{each("a", "x", "c", "", 1, 12000), each("b", "y", "c", "", 1, 10000)},
			promo: mj(ReturnClawBack), returned: map[string]int64{"a": 1, "b": 1}, refund: 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Price(Cart{Lines: tt.lines}, []Promotion{tt.promo}, baseCtx())
			if err != nil {
				t.Fatal(err)
			}
			q, err := ReturnQuote(res, tt.returned, tt.override)
			if err != nil {
				t.Fatal(err)
			}
			var claw int64
			for _, a := range q.Adjustments {
				claw += a.ClawBack
			}
			if q.Refund != tt.refund || claw != tt.claw {
				t.Fatalf("refund %d claw %d, want %d and %d\n%+v", q.Refund, claw, tt.refund, tt.claw, q)
			}
		})
	}
}

func TestReturnQuoteErrors(t *testing.T) {
	t.Parallel()
	res, err := Price(Cart{Lines: []Line{each("a", "x", "c", "", 2, 100)}}, nil, baseCtx())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		returned map[string]int64
	}{{"unknown line", map[string]int64{"zz": 1}}, {"too many", map[string]int64{"a": 3}}, {"zero", map[string]int64{"a": 0}}} {
		if _, err := ReturnQuote(res, tt.returned, nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: err %v, want invalid", tt.name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     Promotion
		field string
	}{
		{"no id", Promotion{Kind: KindPercentOff}, "id"},
		{"unknown kind", Promotion{ID: "x", Kind: "magic", Scope: allScope()}, "kind"},
		{"missing params", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope()}, "percent_off"},
		{"other kind's params", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, AmountOff: &AmountOff{Amount: 1}}, "amount_off"},
		{"percent over 100", pct("x", allScope(), 10001), "percent_off.off_bp"},
		{"tiers not increasing", manjian("x", Tier{20000, 2000}, Tier{10000, 3000}), "threshold.tiers[1].spend"},
		{"higher tier saves less", manjian("x", Tier{19900, 5000}, Tier{29900, 2000}), "threshold.tiers[1].off"},
		{"off above spend", manjian("x", Tier{1000, 2000}), "threshold.tiers[0].off"},
		{"tiers and repeat", Promotion{ID: "x", Kind: KindThreshold, Scope: allScope(), Threshold: &Threshold{Tiers: []Tier{{100, 10}}, Repeat: &Repeat{Every: 100, Off: 10}}}, "threshold"},
		{"cap below off", Promotion{ID: "x", Kind: KindThreshold, Scope: allScope(), Threshold: &Threshold{Repeat: &Repeat{Every: 100, Off: 10, Cap: 5}}}, "threshold.repeat.cap"},
		{"window backwards", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, Conditions: Conditions{Start: tuesday10, End: tuesday10}}, "conditions.end"},
		{"sku included and excluded", Promotion{ID: "x", Kind: KindPercentOff, Scope: Scope{SKUs: []string{"a"}, ExcludeSKUs: []string{"a"}}, PercentOff: &PercentOff{OffBP: 10}}, "scope.exclude_skus"},
		{"all and a list", Promotion{ID: "x", Kind: KindPercentOff, Scope: Scope{All: true, SKUs: []string{"a"}}, PercentOff: &PercentOff{OffBP: 10}}, "scope.all"},
		{"empty scope", Promotion{ID: "x", Kind: KindPercentOff, PercentOff: &PercentOff{OffBP: 10}}, "scope"},
		{"exclusive in a group", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, Exclusive: true, Group: "g"}, "group"},
		{"exclusive but combinable", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, Exclusive: true, CombinableWithCoupons: true}, "combinable_with_coupons"},
		{"claw back on a percent", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, ReturnPolicy: ReturnClawBack}, "return_policy"},
		{"threshold at item level", Promotion{ID: "x", Kind: KindThreshold, Level: LevelItem, Scope: allScope(), Threshold: tiers(Tier{100, 10})}, "level"},
		{"member price without tiers", Promotion{ID: "x", Kind: KindMemberPrice, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}}, "conditions.tiers"},
		{"nth item n=1", Promotion{ID: "x", Kind: KindNthItem, Scope: allScope(), NthItem: &NthItem{N: 1, OffBP: 5000}}, "nth_item.n"},
		{"bundle sku twice", Promotion{ID: "x", Kind: KindBundle, Bundle: &Bundle{Price: 100, Components: []BundleComponent{{SKUs: []string{"a"}, Qty: 1}, {SKUs: []string{"a"}, Qty: 1}}}}, "bundle.components[1].skus"},
		{"bundle with a scope", Promotion{ID: "x", Kind: KindBundle, Scope: allScope(), Bundle: &Bundle{Price: 100, Components: []BundleComponent{{SKUs: []string{"a", "b"}, Qty: 2}}}}, "scope"},
		{"daily window empty", Promotion{ID: "x", Kind: KindPercentOff, Scope: allScope(), PercentOff: &PercentOff{OffBP: 10}, Conditions: Conditions{DailyFrom: 60, DailyTo: 60}}, "conditions.daily_to"},
		{"gift without sku", Promotion{ID: "x", Kind: KindGift, Scope: allScope(), Gift: &Gift{Qty: 1}}, "gift.sku"},
		{"tiered qty steps not increasing", Promotion{ID: "x", Kind: KindTieredQty, Scope: allScope(), TieredQty: &TieredQty{Steps: []QtyStep{{3, 1000}, {2, 2000}}}}, "tiered_qty.steps[1].min_qty"},
		{"tiered qty higher step saves less", Promotion{ID: "x", Kind: KindTieredQty, Scope: allScope(), TieredQty: &TieredQty{Steps: []QtyStep{{2, 2000}, {3, 1000}}}}, "tiered_qty.steps[1].off_bp"},
		{"tiered qty of one unit", Promotion{ID: "x", Kind: KindTieredQty, Scope: allScope(), TieredQty: &TieredQty{Steps: []QtyStep{{1, 1000}}}}, "tiered_qty.steps[0].min_qty"},
		{"tiered qty without steps", Promotion{ID: "x", Kind: KindTieredQty, Scope: allScope(), TieredQty: &TieredQty{}}, "tiered_qty.steps"},
		{"flash sale on a category", Promotion{ID: "x", Kind: KindFlashSale, Scope: cats("fresh"), FlashSale: &FlashSale{Price: 100}}, "scope"},
		{"flash sale negative limit", Promotion{ID: "x", Kind: KindFlashSale, Scope: skus("a"), FlashSale: &FlashSale{Price: 100, PerCustomer: -1}}, "flash_sale.per_customer"},
		{"flash sale at order level", Promotion{ID: "x", Kind: KindFlashSale, Level: LevelOrder, Scope: skus("a"), FlashSale: &FlashSale{Price: 100}}, "level"},
		{"markdown negative days", Promotion{ID: "x", Kind: KindExpiryMarkdown, Scope: allScope(), ExpiryMarkdown: &ExpiryMarkdown{WithinDays: -1, OffBP: 100}}, "expiry_markdown.within_days"},
		{"markdown no percent", Promotion{ID: "x", Kind: KindExpiryMarkdown, Scope: allScope(), ExpiryMarkdown: &ExpiryMarkdown{WithinDays: 1}}, "expiry_markdown.off_bp"},
		{"delivery fee in a group", withGroup(freeDelivery("x", 3900, 0), "g"), "group"},
		{"delivery fee exclusive", Promotion{ID: "x", Kind: KindDeliveryFee, Exclusive: true, Scope: allScope(), DeliveryFee: &DeliveryFee{Spend: 1}}, "group"},
		{"delivery fee at item level", Promotion{ID: "x", Kind: KindDeliveryFee, Level: LevelItem, Scope: allScope(), DeliveryFee: &DeliveryFee{Spend: 1}}, "level"},
		{"special price without rules", specialOf(SpecialPrice{}), "special_price.prices"},
		{"special price and off", specialOf(SpecialPrice{Prices: []UnitPrice{{Price: 100, Off: 10}}}), "special_price.prices[0].price"},
		{"special price neither", specialOf(SpecialPrice{Prices: []UnitPrice{{Tier: "gold"}}}), "special_price.prices[0].price"},
		{"special price twice for everyone", specialOf(SpecialPrice{Prices: []UnitPrice{{Price: 100}, {Off: 10}}}), "special_price.prices[1].tier"},
		{"special price twice for gold", specialOf(SpecialPrice{Prices: []UnitPrice{{Tier: "gold", Price: 100}, {Tier: "gold", Off: 10}}}), "special_price.prices[1].tier"},
		{"special price negative off", specialOf(SpecialPrice{Prices: []UnitPrice{{Off: -1}}}), "special_price.prices[0].off"},
		{"special price too high", specialOf(SpecialPrice{Prices: []UnitPrice{{Price: MaxUnitPrice + 1}}}), "special_price.prices[0].price"},
		{"special price negative cap", specialOf(SpecialPrice{Prices: []UnitPrice{{Price: 1}}, MaxPerOrder: -1}), "special_price.max_per_order"},
		{"stacking at order level", Promotion{ID: "x", Kind: KindThreshold, StacksWithItems: true, Scope: allScope(), Threshold: tiers(Tier{100, 10})}, "stacks_with_items"},
		{"buy A get B without get", Promotion{ID: "x", Kind: KindBuyAGetB, Scope: cats("a"), BuyAGetB: &BuyAGetB{Buy: 1, OffBP: 100, Reward: cats("b")}}, "buy_a_get_b.get"},
		{"buy A get B empty reward", Promotion{ID: "x", Kind: KindBuyAGetB, Scope: cats("a"), BuyAGetB: &BuyAGetB{Buy: 1, Get: 1, OffBP: 100}}, "buy_a_get_b.reward"},
		{"buy A get B reward sku excluded", Promotion{ID: "x", Kind: KindBuyAGetB, Scope: cats("a"), BuyAGetB: &BuyAGetB{Buy: 1, Get: 1, OffBP: 100,
			Reward: Scope{SKUs: []string{"t"}, ExcludeSKUs: []string{"t"}}}}, "buy_a_get_b.reward.exclude_skus"},
		{"buy A get B bad pick", Promotion{ID: "x", Kind: KindBuyAGetB, Scope: cats("a"), BuyAGetB: &BuyAGetB{Buy: 1, Get: 1, OffBP: 100, Pick: "random", Reward: cats("b")}}, "buy_a_get_b.pick"},
		{"delivery fee off and percent", Promotion{ID: "x", Kind: KindDeliveryFee, Scope: allScope(), DeliveryFee: &DeliveryFee{Off: 100, OffBP: 5000}}, "delivery_fee.off_bp"},
		{"delivery fee empty method", Promotion{ID: "x", Kind: KindDeliveryFee, Scope: allScope(), DeliveryFee: &DeliveryFee{Methods: []string{""}}}, "delivery_fee.methods[0]"},
		{"delivery fee negative off", Promotion{ID: "x", Kind: KindDeliveryFee, Scope: allScope(), DeliveryFee: &DeliveryFee{Spend: 1, Off: -1}}, "delivery_fee.off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			var e *errs.Error
			if !asErr(err, &e) || e.Code != errs.Invalid || e.Field != tt.field {
				t.Fatalf("err %v, want invalid on field %s", err, tt.field)
			}
		})
	}
}

func TestCartValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []Line
		field string
	}{
		{"empty", nil, "lines"},
		{"duplicate id", []Line{each("a", "x", "", "", 1, 1), each("a", "y", "", "", 1, 1)}, "lines[1].id"},
		{"zero qty", []Line{each("a", "x", "", "", 0, 1)}, "lines[0].qty"},
		{"bad unit", []Line{{ID: "a", SKU: "x", Unit: "box", Qty: 1}}, "lines[0].unit"},
		{"negative price", []Line{each("a", "x", "", "", 1, -1)}, "lines[0].unit_price"},
		{"duplicate before a bad quantity", []Line{each("a", "x", "", "", 1, 1), each("a", "y", "", "", 1, 1), each("b", "z", "", "", 0, 1)}, "lines[1].id"},
		{"bad quantity before a duplicate", []Line{each("b", "z", "", "", 0, 1), each("a", "x", "", "", 1, 1), each("a", "y", "", "", 1, 1)}, "lines[0].qty"},
		{"long batch", []Line{batch(each("a", "x", "", "", 1, 1), strings.Repeat("b", 65), 25)}, "lines[0].batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Price(Cart{Lines: tt.lines}, nil, baseCtx())
			var e *errs.Error
			if !asErr(err, &e) || e.Field != tt.field {
				t.Fatalf("err %v, want field %s", err, tt.field)
			}
		})
	}
}
