package demo

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// ordersToday is the fixed "today" of the generator tests.
var ordersToday = time.Date(2026, 12, 7, 12, 30, 0, 0, time.FixedZone("CST", 8*3600))

func generateOrders(t *testing.T, n int) (*Chain, *Customers, *Orders) {
	t.Helper()
	c, err := Generate(ScaleSmall, 7)
	if err != nil {
		t.Fatal(err)
	}
	cs := GenerateCustomers(c)
	o, err := GenerateOrders(c, cs, OrderOptions{Today: ordersToday, Orders: n})
	if err != nil {
		t.Fatal(err)
	}
	return c, cs, o
}

// TestGenerateOrdersIsConsistent: the history is deterministic, in time order within
// its two years and never after now, at open stores, of active SKUs, with unique
// references, and the receipts cover every sale.
func TestGenerateOrdersIsConsistent(t *testing.T) {
	t.Parallel()
	c, cs, o := generateOrders(t, 5000)
	again, err := GenerateOrders(c, cs, OrderOptions{Today: ordersToday, Orders: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, again) {
		t.Fatal("GenerateOrders is not deterministic")
	}
	st := o.Stats()
	t.Logf("%+v", st)
	if st.Orders < 4900 || st.Orders > 5100 {
		t.Errorf("%d orders, want about 5000", st.Orders)
	}
	if got := o.To.Sub(o.From).Hours() / 24; int(got+0.5) != OrderDays-1 {
		t.Errorf("window %s..%s is %.1f days", o.From, o.To, got)
	}
	stores := map[string]Store{}
	for _, s := range c.Stores {
		stores[s.Code] = s
	}
	refs := map[string]bool{}
	sold := map[[2]string]int64{}
	for i, x := range o.Orders {
		if i > 0 && x.PlacedAt.Before(o.Orders[i-1].PlacedAt) {
			t.Fatalf("order %d out of time order", i)
		}
		if x.PlacedAt.Before(o.From) || x.PlacedAt.After(ordersToday) {
			t.Fatalf("order %s placed %s, outside %s..%s", x.Ref, x.PlacedAt, o.From, ordersToday)
		}
		if refs[x.Ref] || x.Ref == "" {
			t.Fatalf("reference %q empty or repeated", x.Ref)
		}
		refs[x.Ref] = true
		if s, ok := stores[x.StoreCode]; !ok || s.Status != StoreOpen {
			t.Fatalf("order %s at store %q that is not open", x.Ref, x.StoreCode)
		}
		if len(x.Lines) == 0 || len(x.Lines) > 40 {
			t.Fatalf("order %s has %d lines", x.Ref, len(x.Lines))
		}
		if (x.Channel == OrderPOS) != (x.Fulfilment == FulfilInStore) {
			t.Fatalf("order %s: channel %s with fulfilment %s", x.Ref, x.Channel, x.Fulfilment)
		}
		if x.Person >= len(cs.Persons) {
			t.Fatalf("order %s: person %d of %d", x.Ref, x.Person, len(cs.Persons))
		}
		for _, l := range x.Lines {
			k := c.SKUs[skuIndex(l.SKUCode)]
			if k.Code != l.SKUCode || k.Status != StatusActive || l.Qty < 1 {
				t.Fatalf("order %s: line %+v (SKU %s %s)", x.Ref, l, k.Code, k.Status)
			}
			sold[[2]string{x.StoreCode, l.SKUCode}] += l.Qty
		}
		if r := x.Return; r != nil && (r.Line >= len(x.Lines) || r.Qty < 1 || r.Qty > x.Lines[r.Line].Qty) {
			t.Fatalf("order %s: return %+v", x.Ref, r)
		}
	}
	received := map[[2]string]int64{}
	for _, r := range o.Receipts {
		received[[2]string{r.StoreCode, r.SKUCode}] += r.Qty
	}
	for k, n := range sold {
		if received[k] < n {
			t.Fatalf("store %s SKU %s: %d received, %d sold", k[0], k[1], received[k], n)
		}
	}
}

// TestGeneratedOrdersHaveTheirShape checks the claimed distribution on generated
// data: weekends above weekdays, 双11 above an ordinary November day, the weeks
// before Spring Festival up and its first days down, the online share growing, and
// buyers heavy-tailed (many one-time buyers, a loyal core).
func TestGeneratedOrdersHaveTheirShape(t *testing.T) {
	t.Parallel()
	_, _, o := generateOrders(t, 60000)
	perDay := map[string]int{}
	days := map[string]time.Time{}
	for _, x := range o.Orders {
		d := x.PlacedAt.In(o.From.Location()).Format(time.DateOnly)
		perDay[d]++
		days[d] = x.PlacedAt.In(o.From.Location())
	}
	mean := func(keep func(time.Time) bool) float64 {
		n, sum := 0, 0
		for d := o.From; !d.After(o.To.AddDate(0, 0, -1)); d = d.AddDate(0, 0, 1) {
			if keep(d) {
				n++
				sum += perDay[d.Format(time.DateOnly)]
			}
		}
		if n == 0 {
			t.Fatal("no day matched")
		}
		return float64(sum) / float64(n)
	}
	ordinary := func(d time.Time) bool {
		cal, err := calendarDay(d)
		if err != nil {
			t.Fatal(err)
		}
		return len(cal.events) == 0
	}
	weekend := mean(func(d time.Time) bool {
		return ordinary(d) && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday)
	})
	weekday := mean(func(d time.Time) bool {
		return ordinary(d) && d.Weekday() >= time.Monday && d.Weekday() <= time.Thursday
	})
	if weekend < 1.25*weekday {
		t.Errorf("weekend days average %.1f orders, Monday–Thursday %.1f: want the weekend at least 25%% up", weekend, weekday)
	}
	double11 := mean(func(d time.Time) bool { return d.Month() == time.November && d.Day() == 11 })
	november := mean(func(d time.Time) bool { return d.Month() == time.November && d.Day() > 12 && ordinary(d) })
	if double11 < 1.7*november {
		t.Errorf("双11 averages %.1f orders, an ordinary November day %.1f: want at least 1.7×", double11, november)
	}
	sf := []time.Time{time.Date(2025, 1, 29, 0, 0, 0, 0, o.From.Location()), time.Date(2026, 2, 17, 0, 0, 0, 0, o.From.Location())}
	within := func(d time.Time, lo, hi int) bool {
		for _, f := range sf {
			if k := int(d.Sub(f).Round(time.Hour).Hours() / 24); k >= lo && k <= hi {
				return true
			}
		}
		return false
	}
	before := mean(func(d time.Time) bool { return within(d, -7, -2) })
	festival := mean(func(d time.Time) bool { return within(d, 0, 2) })
	plain := mean(ordinary)
	if before < 1.3*plain || festival > 0.8*plain {
		t.Errorf("Spring Festival: the week before %.1f, the first days %.1f, an ordinary day %.1f", before, festival, plain)
	}
	share := func(from, to time.Time) float64 {
		n, online := 0, 0
		for _, x := range o.Orders {
			if !x.PlacedAt.Before(from) && x.PlacedAt.Before(to) {
				n++
				if x.Channel == OrderMiniProgram || x.Channel == OrderApp {
					online++
				}
			}
		}
		return float64(online) / float64(n)
	}
	early, late := share(o.From, o.From.AddDate(0, 3, 0)), share(o.To.AddDate(0, -3, 0), o.To)
	if early > 0.16 || late < 0.24 || late < early+0.1 {
		t.Errorf("online share %.1f%% in the first quarter, %.1f%% in the last: want about 10%% growing to about 30%%", 100*early, 100*late)
	}

	per := map[int]int{}
	member := 0
	for _, x := range o.Orders {
		if x.Person >= 0 {
			per[x.Person]++
			member++
		}
	}
	counts := make([]int, 0, len(per))
	oneTime, loyal := 0, 0
	for _, n := range per {
		counts = append(counts, n)
		if n == 1 {
			oneTime++
		}
		if n >= 20 {
			loyal++
		}
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, n := range counts[:len(counts)/10] {
		top += n
	}
	t.Logf("%d buyers, %d one-time, %d with 20+ orders, top 10%% place %.0f%% of %d member orders; walk-ins %d of %d",
		len(per), oneTime, loyal, 100*float64(top)/float64(member), member, len(o.Orders)-member, len(o.Orders))
	if float64(oneTime) < 0.3*float64(len(per)) {
		t.Errorf("%d one-time buyers of %d: want at least 30%%", oneTime, len(per))
	}
	if float64(top) < 0.4*float64(member) || loyal < 10 {
		t.Errorf("the top 10%% of buyers place %d of %d member orders and %d buyers have 20+: want a loyal core", top, member, loyal)
	}
	if walkIns := len(o.Orders) - member; walkIns < len(o.Orders)/4 {
		t.Errorf("%d anonymous walk-ins of %d orders: want many", walkIns, len(o.Orders))
	}

	returns, complaints, resolved := 0, 0, 0
	for _, x := range o.Orders {
		if x.Return != nil {
			returns++
		}
		if x.Complaint != nil {
			complaints++
			if x.Complaint.Status == "resolved" {
				resolved++
			}
		}
	}
	if r := float64(returns) / float64(len(o.Orders)); r < 0.01 || r > 0.05 {
		t.Errorf("returns %.2f%% of orders: want a few %%", 100*r)
	}
	if complaints < len(o.Orders)/500 || resolved < complaints*7/10 {
		t.Errorf("%d complaints, %d resolved, of %d orders", complaints, resolved, len(o.Orders))
	}
}

func TestGenerateOrdersRefusesYearsOutsideTheTables(t *testing.T) {
	t.Parallel()
	c, err := Generate(ScaleSmall, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateOrders(c, nil, OrderOptions{Today: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), Orders: 10}); err == nil {
		t.Error("orders in 2038–2040: want an error naming the missing Spring Festival date")
	}
	if _, err := GenerateOrders(c, nil, OrderOptions{Orders: 10}); err == nil {
		t.Error("no Today: want an error")
	}
}
