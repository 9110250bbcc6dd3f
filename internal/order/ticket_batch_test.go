package order_test

import (
	"context"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestRecordTicketsInOneBatch: a batch's good tickets are stored together with the
// single path's rules — server prices, a price_mismatch exception with both figures,
// a stock_shortfall exception where the location keeps stock from going negative, a
// sale movement per line with the balance moved by the sum — while a bad ticket is
// refused alone, a reference stored before returns its order, a reference twice in
// the batch is recorded once, and a fulfilled import goes through its lifecycle.
func TestRecordTicketsInOneBatch(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			sys := auth.WithPrincipal(context.Background(), auth.System(w.tenant))
			at := time.Now().Add(-time.Hour)
			ticket := func(ref string, stated int64, lines ...order.NewLine) order.Ticket {
				return order.Ticket{Channel: order.ChannelPOS, ExternalRef: ref, StoreID: w.store, PlacedAt: at, Lines: lines,
					StatedPayableFen: stated, Payments: []order.PaymentRequest{{Method: "cash", AmountFen: stated}}}
			}
			first, err := w.app.Order.RecordTicket(sys, ticket("B-0", 800, order.NewLine{SKUID: w.bread, Qty: 1}))
			if err != nil {
				t.Fatal(err)
			}
			fulfilled := ticket("B-6", 1490, order.NewLine{SKUID: w.milk, Qty: 1})
			fulfilled.Channel, fulfilled.Fulfilment, fulfilled.Fulfilled = order.ChannelMiniProgram, order.FulfilDelivery, true
			fulfilled.Receiver = &order.Receiver{Name: "张三", Phone: "13800000000", Address: "上海市徐汇区"}
			results, err := w.app.Order.RecordTickets(sys, []order.Ticket{
				ticket("B-1", 2980, order.NewLine{SKUID: w.milk, Qty: 2}, order.NewLine{SKUID: w.bread, Qty: 3}), // stated short of 5380
				ticket("B-2", 800, order.NewLine{SKUID: "nope", Qty: 1}),
				ticket("B-0", 800, order.NewLine{SKUID: w.bread, Qty: 1}),
				ticket("B-3", 2000, order.NewLine{SKUID: w.eggs, Qty: 60}, order.NewLine{SKUID: w.milk, Qty: 1}), // stated differs too
				ticket("B-4", 120000, order.NewLine{SKUID: w.eggs, Qty: 60}),                                     // 120 of 100 eggs: a shortfall
				ticket("B-1", 2980, order.NewLine{SKUID: w.milk, Qty: 2}, order.NewLine{SKUID: w.bread, Qty: 3}),
				fulfilled,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 7 {
				t.Fatalf("%d results for 7 tickets", len(results))
			}
			for i, r := range results {
				if (i == 1) != (r.Err != nil) {
					t.Errorf("result %d (%s): %v", i, r.ExternalRef, r.Err)
				}
			}
			if !errs.Is(results[1].Err, errs.Invalid) {
				t.Errorf("unknown SKU: %v, want invalid", results[1].Err)
			}
			if results[2].Order == nil || results[2].Order.ID != first.ID {
				t.Errorf("B-0 again: %+v, want the first order %s", results[2].Order, first.ID)
			}
			if results[5].Order == nil || results[5].Order.ID != results[0].Order.ID {
				t.Errorf("B-1 twice in the batch: %+v and %+v", results[0].Order, results[5].Order)
			}
			b1, err := w.app.Order.FindOrderByID(sys, results[0].Order.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b1.Status != order.StatusCompleted || b1.Money.PayableFen != 5380 || len(b1.Lines) != 2 || b1.PaidFen != 2980 ||
				len(b1.Exceptions) != 1 || b1.Exceptions[0].Kind != order.PriceMismatch || b1.Exceptions[0].StatedFen != 2980 || b1.Exceptions[0].ServerFen != 5380 {
				t.Errorf("B-1 stored: %+v", b1)
			}
			if len(b1.Timeline) != 2 || b1.Timeline[0].Kind != "created" || b1.Timeline[1].Kind != "exception" {
				t.Errorf("B-1 timeline %+v", b1.Timeline)
			}
			if ev := w.events(t, b1.ID); ev["order.created"] != 1 || ev["order.completed"] != 1 || ev["order.exception"] != 1 {
				t.Errorf("B-1 events %v", ev)
			}
			b4, err := w.app.Order.FindOrderByID(sys, results[4].Order.ID)
			if err != nil {
				t.Fatal(err)
			}
			// B-3 took 60 eggs first; B-4's 60 find 40: its line is a shortfall.
			if len(b4.Exceptions) != 1 || b4.Exceptions[0].Kind != order.StockShortfall || b4.Exceptions[0].StatedFen != 60 {
				t.Errorf("B-4 exceptions %+v", b4.Exceptions)
			}
			// Milk: 2 (B-1) + 1 (B-3) + 1 (B-6); bread: 1 (B-0) + 3 (B-1); eggs: 60 (B-3).
			for sku, want := range map[string]int64{w.milk: 96, w.bread: 96, w.eggs: 40} {
				if onHand, _ := w.balance(t, sku); onHand != want {
					t.Errorf("on hand of %s: %d, want %d", sku, onHand, want)
				}
			}
			var moves, diff int
			if err := w.app.DB.Reader().QueryRow(`SELECT COUNT(*) FROM stock_movements WHERE kind = 'sale'`).Scan(&moves); err != nil {
				t.Fatal(err)
			}
			if moves != 6 { // B-0, B-1 ×2, B-3 ×2, B-6
				t.Errorf("%d sale movements, want 6", moves)
			}
			if err := w.app.DB.Reader().QueryRow(`SELECT COUNT(*) FROM stock_balances b WHERE on_hand <> (SELECT COALESCE(SUM(on_hand_delta), 0)
				FROM stock_movements m WHERE m.tenant_id = b.tenant_id AND m.location_id = b.location_id AND m.sku_id = b.sku_id)`).Scan(&diff); err != nil {
				t.Fatal(err)
			}
			if diff != 0 {
				t.Errorf("%d balances differ from their ledger", diff)
			}
			b6, err := w.app.Order.FindOrderByID(sys, results[6].Order.ID)
			if err != nil {
				t.Fatal(err)
			}
			var steps []order.Status
			for _, e := range b6.Timeline {
				steps = append(steps, e.To)
			}
			want := []order.Status{order.StatusPaid, order.StatusAllocated, order.StatusPicking, order.StatusReady, order.StatusOutForDelivery, order.StatusCompleted}
			if b6.Status != order.StatusCompleted || len(steps) != len(want) {
				t.Fatalf("fulfilled import: %s through %v, want completed through %v", b6.Status, steps, want)
			}
			for i := range want {
				if steps[i] != want[i] {
					t.Errorf("fulfilled import step %d: %s, want %s", i, steps[i], want[i])
				}
			}
			if ev := w.events(t, b6.ID); ev["order.created"] != 1 || ev["order.paid"] != 1 || ev["order.out_for_delivery"] != 1 || ev["order.completed"] != 1 {
				t.Errorf("fulfilled import events %v", ev)
			}
			// Only the platform itself records an order's later steps.
			user := auth.WithPrincipal(context.Background(), &auth.Principal{ID: "u1", TenantID: w.tenant, Kind: auth.UserPrincipal,
				Scopes: []auth.Scope{auth.OrdersWrite}, DataScope: auth.TenantScope})
			done := ticket("B-7", 800, order.NewLine{SKUID: w.bread, Qty: 1})
			done.Fulfilment, done.Fulfilled = order.FulfilPickup, true
			results, err = w.app.Order.RecordTickets(user, []order.Ticket{done})
			if err != nil || !errs.Is(results[0].Err, errs.Invalid) {
				t.Errorf("a user recording a fulfilled ticket: %v %+v, want invalid", err, results)
			}
		})
	}
}

// TestRecordTicketsRacingTheSameReference: two batches with the same references at
// once store each ticket once; the batch that loses falls back to one ticket at a
// time and returns the winner's orders.
func TestRecordTicketsRacingTheSameReference(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			sys := auth.WithPrincipal(context.Background(), auth.System(w.tenant))
			var batch []order.Ticket
			for _, ref := range []string{"R-1", "R-2", "R-3"} {
				batch = append(batch, order.Ticket{Channel: order.ChannelPOS, ExternalRef: ref, StoreID: w.store, PlacedAt: time.Now().Add(-time.Minute),
					Lines: []order.NewLine{{SKUID: w.milk, Qty: 1}}, StatedPayableFen: 1490})
			}
			type outcome struct {
				r   []order.TicketResult
				err error
			}
			done := make(chan outcome, 2)
			for range 2 {
				go func() {
					r, err := w.app.Order.RecordTickets(sys, batch)
					done <- outcome{r, err}
				}()
			}
			a, b := <-done, <-done
			if a.err != nil || b.err != nil {
				t.Fatal(a.err, b.err)
			}
			for i := range batch {
				if a.r[i].Err != nil || b.r[i].Err != nil || a.r[i].Order.ID != b.r[i].Order.ID {
					t.Errorf("ticket %d: %+v and %+v", i, a.r[i], b.r[i])
				}
			}
			if onHand, _ := w.balance(t, w.milk); onHand != 97 {
				t.Errorf("milk after the race: %d, want 97", onHand)
			}
		})
	}
}
