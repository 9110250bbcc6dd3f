package demo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/promotion"
)

// TestLoadOrders loads the small chain with its customers, a short order history and
// the demo promotions through the services on each engine: every order is there,
// completed (or returned in part), at its own time, bought by One ID customers or
// walk-ins, and the stock moved: no order has a stock shortfall or a price difference
// (the promotions, loaded after, did not price the history). The promotions list
// holds running, scheduled, ended, paused and draft ones, with till usage.
func TestLoadOrders(t *testing.T) {
	t.Parallel()
	chain, err := demo.Generate(demo.ScaleSmall, 3)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200 // the generated history holds returns and complaints at this size (checked below)
	today := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	want, err := demo.GenerateOrders(chain, demo.GenerateCustomers(chain), demo.OrderOptions{Today: today, Orders: n})
	if err != nil {
		t.Fatal(err)
	}
	wantResolved, wantRestocked := 0, 0
	for _, o := range want.Orders {
		if o.Complaint != nil && o.Complaint.Status == "resolved" {
			wantResolved++
		}
		if o.Return != nil && o.Return.Restock {
			wantRestocked++
		}
	}
	st := want.Stats()
	if st.Returns == 0 || st.Complaints == 0 {
		t.Fatalf("the generated history has %d returns and %d complaints: the load would check nothing of them", st.Returns, st.Complaints)
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := clock.NewFixed(today)
			a := setupAt(t, dialect, clk)
			stages := map[string]bool{}
			err = demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog, Identity: a.Identity, Order: a.Order, Inventory: a.Inventory,
				Loyalty: a.Loyalty, Coupon: a.Coupon, Promotion: a.Promotion},
				demo.LoadOptions{AdminPassword: "demo-admin-password", Orders: n, Clock: clk, Progress: func(stage string, _, _ int) { stages[stage] = true }})
			if err != nil {
				t.Fatal(err)
			}
			if !stages["orders"] || !stages["opening stock"] || !stages["promotions"] {
				t.Errorf("progress stages %v: want orders, opening stock and promotions", stages)
			}
			tenant, err := a.Org.FindTenantByCode(ctx, chain.Tenant.Code)
			if err != nil {
				t.Fatal(err)
			}
			sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
			var all []order.Order
			f := order.OrderFilter{Limit: 100}
			for {
				page, err := a.Order.FindOrders(sys, f)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, page.Items...)
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if len(all) != st.Orders {
				t.Fatalf("%d orders loaded, want %d", len(all), st.Orders)
			}
			channels, members, refunded := map[order.Channel]int{}, 0, 0
			for _, o := range all {
				channels[o.Channel]++
				if o.Status != order.StatusCompleted {
					t.Errorf("order %s (%s) is %s, want completed", o.Number, o.Channel, o.Status)
				}
				if o.CustomerID != "" {
					members++
				}
				if o.RefundedFen > 0 {
					refunded++
				}
				if o.PaidFen != o.Money.PayableFen {
					t.Errorf("order %s paid %d of %d", o.Number, o.PaidFen, o.Money.PayableFen)
				}
			}
			t.Logf("channels %v, %d with a customer, %d refunded", channels, members, refunded)
			if channels[order.ChannelPOS] < n/2 || channels[order.ChannelMiniProgram] == 0 || members == 0 || members == len(all) {
				t.Errorf("channels %v, %d of %d with a customer", channels, members, len(all))
			}
			var exceptions, negative int
			if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM order_exceptions`).Scan(&exceptions); err != nil {
				t.Fatal(err)
			}
			if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_balances WHERE on_hand < 0`).Scan(&negative); err != nil {
				t.Fatal(err)
			}
			if exceptions != 0 || negative != 0 {
				t.Errorf("%d order exceptions and %d negative balances: want the demo's prices and stock to match its sales", exceptions, negative)
			}
			count := func(query string) int {
				t.Helper()
				var n int
				if err := a.DB.Reader().QueryRowContext(ctx, query).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if got := count(`SELECT COUNT(*) FROM order_changes WHERE kind = 'return'`); got != st.Returns || refunded != st.Returns {
				t.Errorf("%d returns (%d orders refunded), want %d", got, refunded, st.Returns)
			}
			if got, resolved := count(`SELECT COUNT(*) FROM order_complaints`), count(`SELECT COUNT(*) FROM order_complaints WHERE status = 'resolved'`); got != st.Complaints || resolved != wantResolved {
				t.Errorf("%d complaints, %d resolved; want %d, %d", got, resolved, st.Complaints, wantResolved)
			}
			if got := count(`SELECT COUNT(*) FROM stock_movements WHERE kind = 'return'`); got != wantRestocked {
				t.Errorf("%d return movements, want %d (returns restocked)", got, wantRestocked)
			}
			var sales int
			if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_movements WHERE kind = 'sale'`).Scan(&sales); err != nil {
				t.Fatal(err)
			}
			if sales < len(all) {
				t.Errorf("%d sale movements for %d orders", sales, len(all))
			}

			// The membership program and coupons: the history's completed orders enrol
			// their buyers and earn through the outbox once it is delivered.
			if got := count(`SELECT COUNT(*) FROM loyalty_tiers`); got != 4 {
				t.Errorf("%d loyalty tiers, want 4", got)
			}
			holders := count(`SELECT COUNT(DISTINCT customer_id) FROM coupons`)
			if holders == 0 || count(`SELECT COUNT(*) FROM coupons`) != 3*holders {
				t.Errorf("%d coupons for %d holders, want one of each of the 3 templates each", count(`SELECT COUNT(*) FROM coupons`), holders)
			}
			if n := count(`SELECT COUNT(*) FROM coupon_templates WHERE triggers = 'birthday' AND issued = 0`); n != 1 {
				t.Errorf("%d birthday-triggered templates waiting for the birthday job, want 1", n)
			}
			for {
				n, err := a.Dispatcher.DispatchDue(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			enrolled := count(`SELECT COUNT(*) FROM loyalty_members`)
			earned := count(`SELECT COUNT(DISTINCT order_id) FROM loyalty_entries WHERE kind = 'earn' AND order_id <> ''`)
			var memberOrders int
			for _, o := range all {
				if o.CustomerID != "" {
					memberOrders++
				}
			}
			if enrolled == 0 || earned == 0 || earned > memberOrders {
				t.Errorf("after delivering the outbox: %d members, %d orders earned points (of %d member orders)", enrolled, earned, memberOrders)
			}
			// The first members' week of actions, paid memberships, stored value and
			// gift cards (loyalty_load.go: activeMembers).
			const activeMembers = 30
			credited := count(`SELECT COUNT(DISTINCT customer_id) FROM loyalty_action_credits`)
			profiles := count(`SELECT COUNT(*) FROM loyalty_action_credits WHERE action = 'profile_completed'`)
			plus := count(`SELECT COUNT(DISTINCT customer_id) FROM memberships`)
			cards := count(`SELECT COUNT(*) FROM gift_cards WHERE status = 'active'`)
			if credited != activeMembers || profiles != (activeMembers+2)/3 || plus != activeMembers/2 || cards != 20+10 {
				t.Errorf("%d members with actions (%d profiles), %d on PLUS, %d gift cards sold; want %d, %d, %d, 30",
					credited, profiles, plus, cards, activeMembers, (activeMembers+2)/3, activeMembers/2)
			}
			t.Logf("%s: %d loyalty members enrolled by %d earning orders; %d customers hold the demo's coupons; %d with a week of actions, %d on PLUS, %d gift cards sold",
				dialect, enrolled, earned, holders, credited, plus, cards)
			checkDemoPromotions(t, sys, a.Promotion)
		})
	}
}

// TestCancelledOrderLoadLeavesNothing interrupts the load in the middle of the orders
// (recorded two at a time): Load removes the tenant with its orders, stock and events.
func TestCancelledOrderLoadLeavesNothing(t *testing.T) {
	t.Parallel()
	chain, err := demo.Generate(demo.ScaleSmall, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := setup(t, dialect)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var once sync.Once
			err := demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog, Order: a.Order, Inventory: a.Inventory},
				demo.LoadOptions{AdminPassword: "demo-admin-password", Orders: 120, Progress: func(stage string, done, total int) {
					if stage == "orders" && done >= 40 {
						once.Do(cancel)
					}
				}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled load returned %v, want context.Canceled", err)
			}
			for _, table := range []string{"tenants", "orders", "order_lines", "order_timeline", "stock_locations", "stock_balances", "stock_movements", "outbox_events", "demo_loads"} {
				var n int
				if err := a.DB.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("after the cancelled load %s holds %d rows", table, n)
				}
			}
		})
	}
}

// checkDemoPromotions reads the demo promotions back as the console lists them: each
// in its effective status, the running ones and the ended one used by tills, the
// others not.
func checkDemoPromotions(t *testing.T, ctx context.Context, svc *promotion.Service) {
	t.Helper()
	want := map[string]struct {
		status promotion.EffectiveStatus
		used   bool
	}{
		"DEMO-FRESH-100-20":    {promotion.EffectiveRunning, true},
		"DEMO-DAIRY-90":        {promotion.EffectiveRunning, true},
		"DEMO-SNACK-59-10":     {promotion.EffectiveEnded, true},
		"DEMO-NEWYEAR-199-30":  {promotion.EffectiveScheduled, false},
		"DEMO-MEMBER-DAY-95":   {promotion.EffectivePaused, false},
		"DEMO-DRINKS-2ND-HALF": {promotion.EffectiveDraft, false},
	}
	for _, status := range []promotion.EffectiveStatus{promotion.EffectiveRunning, promotion.EffectiveScheduled, promotion.EffectiveEnded,
		promotion.EffectivePaused, promotion.EffectiveDraft} {
		page, err := svc.FindPromotions(ctx, promotion.PromotionFilter{Effective: status, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			w, ok := want[p.Code]
			if !ok {
				continue // a coupon template's promotion
			}
			delete(want, p.Code)
			if w.status != status {
				t.Errorf("%s (%s) is %s, want %s", p.Code, p.Name, status, w.status)
			}
			if used := p.Usage.Uses > 0 && p.Usage.DiscountFen > 0; used != w.used {
				t.Errorf("%s (%s, %s): %d uses, %d fen given: want used %v", p.Code, p.Name, status, p.Usage.Uses, p.Usage.DiscountFen, w.used)
			}
			t.Logf("%s %s: %s, %d uses, ¥%.2f off", p.Code, p.Name, status, p.Usage.Uses, float64(p.Usage.DiscountFen)/100)
		}
	}
	for code := range want {
		t.Errorf("promotion %s not listed", code)
	}
}
