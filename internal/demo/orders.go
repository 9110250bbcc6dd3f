package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// streamOrders is the random stream of the demo orders.
const streamOrders uint64 = 0x6f7264 // "ord"

// OrderDays is how many days of orders the demo holds, ending on its "today".
const OrderDays = 730

// The order channels the demo uses; the values are the order center's channels.
const (
	OrderPOS         = "pos"
	OrderMiniProgram = "mini_program"
	OrderApp         = "app"
	OrderMeituan     = "meituan"
	OrderEleme       = "eleme"
)

// The fulfilments the demo uses; the values are the order center's.
const (
	FulfilInStore  = "in_store"
	FulfilPickup   = "pickup"
	FulfilDelivery = "delivery"
)

// OrdersFor is how many orders a scale's demo loads over its two years, through the
// order center's bulk ticket path: the small demo (`make run`) adds about 2,500 orders
// in a few seconds, the medium one about 200,000 orders (870,000 lines) in about five
// minutes on SQLite on the shared machine; see docs/demo-orders.md for the measured
// rates.
func OrdersFor(s Scale) int {
	switch s {
	case ScaleSmall:
		return 2500
	case ScaleMedium:
		return 200000
	}
	return 500000
}

// OrderOptions shape GenerateOrders.
type OrderOptions struct {
	// Today is the load's "today": the orders cover the OrderDays days ending with its
	// date in Asia/Shanghai and none is placed after it. Required.
	Today time.Time
	// Orders is how many orders to make; 0 means OrdersFor(the chain's scale).
	Orders int
}

// Orders is the demo's order history: what the loader records through the order
// center, and the opening stock that lets every sale move stock.
type Orders struct {
	From, To time.Time // the first and last day, midnight Asia/Shanghai
	Orders   []Order   // in PlacedAt order
	// Receipts are the goods each store received before its first sale: per store
	// and SKU sold there, what it sold over the two years and a margin.
	Receipts []Receipt
}

// Order is one demo order, placed at a store through a channel.
type Order struct {
	Ref        string // the channel's reference: DEMO-P0000001 (till), DEMO-M… (mini program), …
	StoreCode  string
	Channel    string // OrderPOS, OrderMiniProgram, OrderApp, OrderMeituan, OrderEleme
	Fulfilment string // FulfilInStore for the till; FulfilPickup or FulfilDelivery otherwise
	PlacedAt   time.Time
	// Person is the buyer's index in Customers.Persons; -1 for an anonymous walk-in.
	Person  int
	Lines   []OrderLine
	Payment string // wechat_pay, alipay, cash, bank_card, member_card, platform
	// Events names the calendar days and promotions that lifted this day's demand
	// (双11, 春节前, 店庆, …); empty on an ordinary day.
	Events    []string
	Return    *OrderReturn    // nil when nothing came back
	Complaint *OrderComplaint // nil when the buyer did not complain
}

// OrderLine is one line: a SKU and a quantity (units, or grams for a weighed SKU).
type OrderLine struct {
	SKUCode string
	Qty     int64
}

// OrderReturn is a return of part of an order: Qty of line Line (an index into
// Lines), back on the shelf when Restock (never for weighed fresh goods).
type OrderReturn struct {
	Line    int
	Qty     int64
	Restock bool
	Reason  string
}

// OrderComplaint is an after-sales case on an order and where it ended.
type OrderComplaint struct {
	Kind        string // the order center's complaint kinds
	Description string
	Status      string // open, responded or resolved
	Resolution  string // empty while open
}

// Receipt is goods received at a store before the demo's sales.
type Receipt struct {
	StoreCode string
	SKUCode   string
	Qty       int64
}

// OrderStats counts what an order history holds.
type OrderStats struct {
	Orders     int            `json:"orders"`
	Lines      int            `json:"lines"`
	ByChannel  map[string]int `json:"by_channel"`
	Members    int            `json:"member_orders"`
	Buyers     int            `json:"buyers"`
	OneTime    int            `json:"one_time_buyers"`
	Returns    int            `json:"returns"`
	Complaints int            `json:"complaints"`
	Receipts   int            `json:"receipts"`
}

// Stats counts the history.
func (o *Orders) Stats() OrderStats {
	st := OrderStats{Orders: len(o.Orders), ByChannel: map[string]int{}, Receipts: len(o.Receipts)}
	per := map[int]int{}
	for _, x := range o.Orders {
		st.Lines += len(x.Lines)
		st.ByChannel[x.Channel]++
		if x.Person >= 0 {
			st.Members++
			per[x.Person]++
		}
		if x.Return != nil {
			st.Returns++
		}
		if x.Complaint != nil {
			st.Complaints++
		}
	}
	st.Buyers = len(per)
	for _, n := range per {
		if n == 1 {
			st.OneTime++
		}
	}
	return st
}

// ---- the calendar ----

// Lunar holidays by Gregorian date, for the years the demo's window may cover.
var (
	springFestival = map[int]string{2023: "01-22", 2024: "02-10", 2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26", 2029: "02-13", 2030: "02-03"}
	midAutumn      = map[int]string{2023: "09-29", 2024: "09-17", 2025: "10-06", 2026: "09-25", 2027: "09-15", 2028: "10-03", 2029: "09-22", 2030: "09-12"}
	dragonBoat     = map[int]string{2023: "06-22", 2024: "06-10", 2025: "05-31", 2026: "06-19", 2027: "06-09", 2028: "05-28", 2029: "06-16", 2030: "06-05"}
)

// weekly is demand by weekday (Sunday first): weekends up.
var weekly = [7]float64{1.22, 0.88, 0.86, 0.90, 0.93, 1.06, 1.30}

// monthly is the yearly seasonality by month, before holidays: year-end and summer
// drinks up, spring quieter.
var monthly = [12]float64{1.05, 0.95, 0.94, 0.95, 1.00, 1.00, 1.05, 1.06, 1.00, 1.02, 1.00, 1.08}

// dayOf is a calendar day's demand: its factor over an ordinary day, how much more
// of it goes online than usual, and the events that explain it.
type dayOf struct {
	factor, online float64
	events         []string
}

func lunar(table map[int]string, year int, loc *time.Location) (time.Time, bool) {
	md, ok := table[year]
	if !ok {
		return time.Time{}, false
	}
	m, _ := strconv.Atoi(md[:2])
	d, _ := strconv.Atoi(md[3:])
	return time.Date(year, time.Month(m), d, 0, 0, 0, 0, loc), true
}

// calendarDay returns the holidays and promotions of day (midnight, Asia/Shanghai):
// where several apply the strongest sets the factor. It fails for a year whose lunar
// holidays the tables do not hold.
func calendarDay(day time.Time) (dayOf, error) {
	out := dayOf{factor: 1, online: 1}
	add := func(name string, factor, online float64) {
		out.events = append(out.events, name)
		out.factor = max(out.factor, factor)
		out.online = max(out.online, online)
	}
	y, m, d := day.Date()
	loc := day.Location()
	for _, year := range []int{y, y + 1} { // 年货 shopping starts in the year before a late-January festival
		sf, ok := lunar(springFestival, year, loc)
		if !ok {
			return out, errs.E(errs.Invalid, "demo: no Spring Festival date for %d; extend the table in orders.go", year)
		}
		switch k := int(day.Sub(sf).Round(time.Hour).Hours() / 24); {
		case k >= -21 && k <= -8:
			add("年货节", 1.25, 1.2)
		case k >= -7 && k <= -2:
			add("春节前", 1.65, 1.1)
		case k == -1:
			add("除夕", 1.2, 1)
		case k >= 0 && k <= 2:
			add("春节", 0, 1) // the factor is set below: quieter than an ordinary day
			out.factor = 0.55
		case k >= 3 && k <= 6:
			add("春节假期", 0, 1)
			out.factor = 0.8
		case k == 14:
			add("元宵节", 1.1, 1)
		}
	}
	if ma, ok := lunar(midAutumn, y, loc); !ok {
		return out, errs.E(errs.Invalid, "demo: no Mid-Autumn date for %d; extend the table in orders.go", y)
	} else if k := int(day.Sub(ma).Round(time.Hour).Hours() / 24); k >= -7 && k <= -1 {
		add("中秋前", 1.35, 1.2)
	} else if k == 0 {
		add("中秋节", 1.1, 1)
	}
	if db, ok := lunar(dragonBoat, y, loc); !ok {
		return out, errs.E(errs.Invalid, "demo: no Dragon Boat date for %d; extend the table in orders.go", y)
	} else if k := int(day.Sub(db).Round(time.Hour).Hours() / 24); k >= -2 && k <= 0 {
		add("端午", 1.2, 1)
	}
	switch {
	case m == time.January && d == 1:
		add("元旦", 1.2, 1)
	case m == time.March && d == 8:
		add("38女神节", 1.35, 1.6)
	case m == time.March && d == 7:
		add("38女神节预热", 1.1, 1.3)
	case m == time.May && d <= 5:
		add("劳动节", 1.25, 1)
	case m == time.June && d == 18:
		add("618", 1.7, 2.5)
	case m == time.June && d < 18:
		add("618预热", 1.1, 1.35)
	case m == time.October && d <= 7:
		add("国庆", 1.3, 1)
	case m == time.November && d == 11:
		add("双11", 2.2, 3.0)
	case m == time.November && d < 11:
		add("双11预热", 1.1, 1.4)
	case m == time.December && d == 12:
		add("双12", 1.4, 1.8)
	case m == time.December && d == 31:
		add("跨年", 1.3, 1)
	case m == time.December && d >= 20:
		add("年终", 1.1, 1)
	}
	return out, nil
}

// ---- generation ----

type storeOf struct {
	idx         int
	weight      float64
	open, close int // minutes of the day it trades in; close > 1440 never
	anniversary [2]int
}

type ordGen struct {
	r       *rand.Rand
	c       *Chain
	loc     *time.Location
	stores  []storeOf
	byCity  map[string][]int // city → indexes into stores
	storeAt map[string]int   // store code → index into stores
	skus    []int            // active SKUs, most popular first
	skuCum  []float64
	persons []int    // persons with a phone (who buy as members)
	buyers  *fenwick // their weights: heavy-tailed; a one-time buyer's drops to 0 once they bought
	once    []bool   // one-time buyers, by index into persons
	home    map[int]int
}

// GenerateOrders builds two years of orders for the chain from its own random
// stream of c.Seed: per-day volume with a weekly pattern (weekends up), yearly
// seasonality, Chinese holidays on their real dates (Spring Festival, Mid-Autumn and
// Dragon Boat from a table per year; 38 女神节, 618, 双11, 双12, National Day) and
// promotions (pre-sales before 618 and 双11, each store's anniversary week) lifting
// demand; an online share (mini program, app) growing from about 10% to 30% and
// higher on the shopping festivals, with Meituan and Eleme deliveries beside; buyers
// drawn from cs (nil: everyone is a walk-in) with a heavy-tailed repeat pattern —
// many one-time buyers, a loyal core — and anonymous walk-ins; baskets from the
// active catalogue by a long-tailed popularity; a few % returns and some complaints,
// most resolved. The same chain, customers and options give the same orders. An
// errs.Invalid error reports a missing Today, a year outside the holiday tables, or
// a chain with no open store or active SKU.
func GenerateOrders(c *Chain, cs *Customers, opt OrderOptions) (*Orders, error) {
	if opt.Today.IsZero() {
		return nil, errs.E(errs.Invalid, "demo: generate orders: Today is required")
	}
	n := opt.Orders
	if n <= 0 {
		n = OrdersFor(c.Scale)
	}
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: generate orders: %w", err)
	}
	now := opt.Today.In(loc)
	last := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	first := last.AddDate(0, 0, 1-OrderDays)
	g := &ordGen{r: newRand(c.Seed, streamOrders), c: c, loc: loc, byCity: map[string][]int{}, storeAt: map[string]int{}, home: map[int]int{}}
	if err := g.prepare(cs); err != nil {
		return nil, err
	}
	out := &Orders{From: first, To: last}

	// The days: their factors and online shares, and how many orders each gets.
	type dayPlan struct {
		day    time.Time
		cal    dayOf
		weight float64
		online float64
	}
	days := make([]dayPlan, OrderDays)
	sum := 0.0
	for i := range days {
		day := first.AddDate(0, 0, i)
		cal, err := calendarDay(day)
		if err != nil {
			return nil, err
		}
		t := float64(i) / float64(OrderDays-1)
		w := weekly[day.Weekday()] * monthly[day.Month()-1] * cal.factor * (1 + 0.10*2*t) // about +10% a year
		online := min((0.10+0.20*t)*cal.online, 0.75)
		days[i] = dayPlan{day: day, cal: cal, weight: w, online: online}
		sum += w
	}
	seq := map[string]int{}
	sold := map[[2]int]int64{} // store index, SKU index → units or grams
	for _, dp := range days {
		exact := float64(n) * dp.weight / sum
		count := int(exact)
		if g.r.Float64() < exact-float64(count) {
			count++
		}
		weights, anniv := g.storeWeights(dp.day)
		for range count {
			o := g.order(dp.day, now, dp.online, weights, anniv, dp.cal.events)
			if o.PlacedAt.IsZero() {
				continue // its time fell after today's now
			}
			prefix := map[string]string{OrderPOS: "P", OrderMiniProgram: "M", OrderApp: "A", OrderMeituan: "T", OrderEleme: "E"}[o.Channel]
			seq[prefix]++
			o.Ref = fmt.Sprintf("DEMO-%s%07d", prefix, seq[prefix])
			st := g.storeAt[o.StoreCode]
			for _, l := range o.Lines {
				sold[[2]int{st, skuIndex(l.SKUCode)}] += l.Qty
			}
			g.afterSales(&o, now)
			out.Orders = append(out.Orders, o)
		}
	}
	slices.SortStableFunc(out.Orders, func(a, b Order) int { return a.PlacedAt.Compare(b.PlacedAt) })
	keys := make([][2]int, 0, len(sold))
	for k := range sold {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		sku := c.SKUs[k[1]]
		margin := int64(6) // a shelf's worth beyond what sold
		if sku.Unit == UnitWeight {
			margin = 3000
		}
		qty := sold[k] + sold[k]*15/100 + margin
		out.Receipts = append(out.Receipts, Receipt{StoreCode: c.Stores[g.stores[k[0]].idx].Code, SKUCode: sku.Code, Qty: qty})
	}
	return out, nil
}

// prepare picks the stores that trade, the SKUs by popularity and the buyers with
// their weights and home stores.
func (g *ordGen) prepare(cs *Customers) error {
	formatWeight := map[StoreFormat]float64{FormatHypermarket: 5, FormatSupermarket: 3, FormatConvenience: 1.2, FormatSpecialty: 0.6, FormatDepartmentStore: 2}
	for i, st := range g.c.Stores {
		if st.Status != StoreOpen {
			continue
		}
		open, close := 0, 24*60
		if from, to, ok := strings.Cut(st.OpeningHours, "-"); ok {
			open, close = minutes(from), minutes(to)
		}
		s := storeOf{idx: i, weight: formatWeight[st.Format] * (0.7 + 0.6*g.r.Float64()), open: open, close: close}
		if on, err := time.Parse(time.DateOnly, st.OpenedOn); err == nil {
			s.anniversary = [2]int{int(on.Month()), on.Day()}
		}
		g.byCity[st.City] = append(g.byCity[st.City], len(g.stores))
		g.storeAt[st.Code] = len(g.stores)
		g.stores = append(g.stores, s)
	}
	for i, k := range g.c.SKUs {
		if k.Status == StatusActive {
			g.skus = append(g.skus, i)
		}
	}
	if len(g.stores) == 0 || len(g.skus) == 0 {
		return errs.E(errs.Invalid, "demo: generate orders: the chain has no open store or active SKU")
	}
	// Popularity: a long tail over a shuffled catalogue (Zipf-like, s = 1.1).
	g.r.Shuffle(len(g.skus), func(i, j int) { g.skus[i], g.skus[j] = g.skus[j], g.skus[i] })
	g.skuCum = cumulative(len(g.skus), func(i int) float64 { return 1 / math.Pow(float64(i+8), 1.1) })
	if cs == nil {
		return nil
	}
	// Buyers: two in five buy once and never again; the others have Pareto weights
	// (α = 1.05), so most of them buy a few times and a loyal core every week or two.
	for i, p := range cs.Persons {
		if p.Phone == "" {
			continue
		}
		g.persons = append(g.persons, i)
		if stores := g.byCity[p.City]; len(stores) > 0 {
			g.home[i] = stores[g.r.IntN(len(stores))]
		} else {
			g.home[i] = g.r.IntN(len(g.stores))
		}
	}
	g.buyers, g.once = newFenwick(len(g.persons)), make([]bool, len(g.persons))
	for i := range g.persons {
		w := min(math.Pow(1-g.r.Float64(), -1/1.05), 400)
		if g.r.IntN(100) < 40 {
			g.once[i], w = true, 2
		}
		g.buyers.add(i, w)
	}
	return nil
}

func minutes(hhmm string) int {
	h, m, _ := strings.Cut(hhmm, ":")
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return hh*60 + mm
}

func cumulative(n int, w func(int) float64) []float64 {
	out := make([]float64, n)
	sum := 0.0
	for i := range out {
		sum += w(i)
		out[i] = sum
	}
	return out
}

// draw picks an index by cumulative weights.
func draw(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	return min(sort.SearchFloat64s(cum, x), len(cum)-1)
}

// storeWeights are the stores' shares of a day's orders, each store's anniversary
// week (店庆) lifting its own.
func (g *ordGen) storeWeights(day time.Time) ([]float64, []bool) {
	anniv := make([]bool, len(g.stores))
	w := cumulative(len(g.stores), func(i int) float64 {
		s := g.stores[i]
		if s.anniversary[0] != 0 {
			a := time.Date(day.Year(), time.Month(s.anniversary[0]), s.anniversary[1], 0, 0, 0, 0, g.loc)
			if k := day.Sub(a).Hours() / 24; k >= 0 && k < 7 {
				anniv[i] = true
				return s.weight * 1.6
			}
		}
		return s.weight
	})
	return w, anniv
}

var (
	posHours    = [24]float64{0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1, 2, 4, 5, 6, 8, 8, 6, 5, 5, 6, 9, 10, 9, 7, 4, 2, 0.8}
	onlineHours = [24]float64{0.8, 0.4, 0.2, 0.1, 0.1, 0.2, 0.6, 1.5, 3, 4, 4, 5, 6, 4, 3, 3, 3, 4, 5, 6, 8, 9, 7, 3}
)

// at draws a time on day within the store's hours (online: any hour, evenings up),
// or the zero time when it falls after now.
func (g *ordGen) at(day, now time.Time, s storeOf, online bool) time.Time {
	hours := posHours
	if online {
		hours = onlineHours
	}
	cum := cumulative(24, func(h int) float64 {
		if !online && (h*60+59 < s.open || h*60 >= s.close) {
			return 0
		}
		return hours[h]
	})
	if cum[23] == 0 {
		cum = cumulative(24, func(h int) float64 { return hours[h] })
	}
	h := draw(g.r, cum)
	t := day.Add(time.Duration(h)*time.Hour + time.Duration(g.r.IntN(3600))*time.Second)
	if t.After(now) {
		return time.Time{}
	}
	return t
}

func (g *ordGen) order(day, now time.Time, onlineShare float64, storeCum []float64, anniv []bool, events []string) Order {
	r := g.r
	o := Order{Person: -1, Fulfilment: FulfilInStore, Channel: OrderPOS}
	switch u := r.Float64(); {
	case u < onlineShare:
		o.Channel = OrderMiniProgram
		if r.IntN(100) < 35 {
			o.Channel = OrderApp
		}
		o.Fulfilment = FulfilDelivery
		if r.IntN(100) < 40 {
			o.Fulfilment = FulfilPickup
		}
	case u < onlineShare+0.05:
		o.Channel, o.Fulfilment = OrderMeituan, FulfilDelivery
		if r.IntN(100) < 35 {
			o.Channel = OrderEleme
		}
	}
	member := map[string]int{OrderPOS: 55, OrderMiniProgram: 97, OrderApp: 97, OrderMeituan: 35, OrderEleme: 35}[o.Channel]
	si := -1
	if len(g.persons) > 0 && r.IntN(100) < member && g.buyers.total() > 0 {
		bi := g.buyers.find(r.Float64() * g.buyers.total())
		if g.once[bi] {
			g.buyers.add(bi, -g.buyers.weight(bi))
		}
		o.Person = g.persons[bi]
		si = g.home[o.Person]
		if r.IntN(100) < 12 { // now and then another store of the city, or a trip
			si = draw(r, storeCum)
		}
	} else {
		si = draw(r, storeCum)
	}
	s := g.stores[si]
	st := g.c.Stores[s.idx]
	o.StoreCode = st.Code
	o.PlacedAt = g.at(day, now, s, o.Channel != OrderPOS)
	o.Events = slices.Clone(events)
	if anniv[si] {
		o.Events = append(o.Events, "店庆")
	}

	// The basket: bigger at a hypermarket and online, small at a convenience store.
	mean := map[StoreFormat]float64{FormatHypermarket: 6, FormatSupermarket: 4.5, FormatConvenience: 2.2, FormatSpecialty: 1.8, FormatDepartmentStore: 2.5}[st.Format]
	if o.Channel != OrderPOS {
		mean += 2
	}
	lines := 1
	for lines < 40 && r.Float64() < 1-1/mean {
		lines++
	}
	seen := map[int]bool{}
	for len(o.Lines) < lines {
		k := g.skus[draw(r, g.skuCum)]
		if seen[k] {
			if len(seen) >= len(g.skus) {
				break
			}
			continue
		}
		seen[k] = true
		sku := g.c.SKUs[k]
		var qty int64 = 1
		if sku.Unit == UnitWeight {
			qty = int64(150 + 5*r.IntN(271)) // 150–1,500 g
		} else if u := r.IntN(100); u >= 90 {
			qty = int64(3 + r.IntN(4))
		} else if u >= 70 {
			qty = 2
		}
		o.Lines = append(o.Lines, OrderLine{SKUCode: sku.Code, Qty: qty})
	}
	// In SKU order, as a till prints them: two orders loaded side by side then lock
	// their stock balances in the same order.
	slices.SortFunc(o.Lines, func(a, b OrderLine) int { return strings.Compare(a.SKUCode, b.SKUCode) })

	switch o.Channel {
	case OrderMiniProgram:
		o.Payment = "wechat_pay"
	case OrderApp:
		o.Payment = []string{"wechat_pay", "alipay"}[r.IntN(2)]
	case OrderMeituan, OrderEleme:
		o.Payment = "platform"
	default:
		o.Payment = []string{"wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay", "wechat_pay",
			"alipay", "alipay", "alipay", "alipay", "alipay", "alipay", "alipay", "cash", "cash", "bank_card", "member_card"}[r.IntN(20)]
	}
	return o
}

var (
	returnReasons = []string{"质量问题", "买错了", "不想要了", "临期商品", "包装破损", "与描述不符"}
	complaintText = map[string][2]string{
		"quality":      {"商品有异味，质量有问题", "已为顾客退款并下架同批次商品"},
		"missing_item": {"配送少了一件商品", "已补发缺少的商品"},
		"wrong_item":   {"收到的商品规格不对", "已上门换货"},
		"late":         {"配送超时一个多小时", "已致歉并赠送优惠券"},
		"damaged":      {"鸡蛋在配送中碎了", "已按破损部分退款"},
		"service":      {"收银员态度不好", "已与门店沟通并致歉"},
		"other":        {"小票金额与标价不一致", "已核对价签并更正"},
	}
)

// afterSales decides whether an order comes back (in part) and whether its buyer
// complains: online and delivery orders more often than the till.
func (g *ordGen) afterSales(o *Order, now time.Time) {
	r := g.r
	age := now.Sub(o.PlacedAt)
	returnPct, complaintPermille := 15, 6
	if o.Channel != OrderPOS {
		returnPct, complaintPermille = 40, 15
	}
	if age > 24*time.Hour && r.IntN(1000) < returnPct {
		li := r.IntN(len(o.Lines))
		l := o.Lines[li]
		qty := l.Qty
		weighed := g.c.SKUs[skuIndex(l.SKUCode)].Unit == UnitWeight
		if !weighed && qty > 1 && r.IntN(2) == 0 {
			qty = 1 + r.Int64N(qty-1)
		}
		o.Return = &OrderReturn{Line: li, Qty: qty, Restock: !weighed, Reason: returnReasons[r.IntN(len(returnReasons))]}
	}
	if r.IntN(1000) < complaintPermille {
		var kinds []string
		if o.Channel == OrderPOS {
			kinds = []string{"quality", "quality", "service", "other", "damaged"}
		} else {
			kinds = []string{"late", "late", "missing_item", "wrong_item", "damaged", "quality", "service"}
		}
		kind := kinds[r.IntN(len(kinds))]
		c := &OrderComplaint{Kind: kind, Description: complaintText[kind][0], Status: "resolved", Resolution: complaintText[kind][1]}
		switch u := r.IntN(100); {
		case age < 3*24*time.Hour && u < 60, u < 5:
			c.Status, c.Resolution = "open", ""
		case u < 12:
			c.Status, c.Resolution = "responded", "已联系顾客，正在处理"
		}
		o.Complaint = c
	}
}

// skuIndex turns a SKU code (S0000001) into its index in Chain.SKUs.
func skuIndex(code string) int {
	n, _ := strconv.Atoi(code[1:])
	return n - 1
}

// fenwick is a Fenwick tree of weights for drawing by weight while weights change.
type fenwick struct {
	tree, w []float64
}

func newFenwick(n int) *fenwick { return &fenwick{tree: make([]float64, n+1), w: make([]float64, n)} }

func (f *fenwick) add(i int, d float64) {
	f.w[i] += d
	for j := i + 1; j < len(f.tree); j += j & -j {
		f.tree[j] += d
	}
}

func (f *fenwick) weight(i int) float64 { return f.w[i] }

func (f *fenwick) total() float64 {
	s := 0.0
	for j := len(f.tree) - 1; j > 0; j -= j & -j {
		s += f.tree[j]
	}
	return s
}

// find returns the index whose cumulative weight range holds x (0 <= x < total),
// never one of weight 0.
func (f *fenwick) find(x float64) int {
	pos, step := 0, 1
	for step*2 < len(f.tree) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next < len(f.tree) && f.tree[next] <= x {
			pos = next
			x -= f.tree[next]
		}
	}
	for pos < len(f.w)-1 && f.w[pos] == 0 { // rounding at a boundary
		pos++
	}
	return min(pos, len(f.w)-1)
}
