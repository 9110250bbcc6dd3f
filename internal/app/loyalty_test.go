package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestLoyaltyThroughOrders runs the wiring end to end: a till ticket of a member
// completes, the outbox delivers order.completed and loyalty earns on the net paid
// (read back through the order center, org and catalogue); returning one of the two
// units reverses half; delivering everything again changes nothing.
func TestLoyaltyThroughOrders(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			ctx := context.Background()
			w.h.deliverOutbox(t)
			before := w.loyaltyTotal()
			ticket := fmt.Sprintf(`{"external_ref":"L%d","store_id":%q,"customer_id":%q,"placed_at":%q,"stated_payable_fen":2980,
				"lines":[{"sku_id":%q,"qty":2}],"payments":[{"method":"cash","amount_fen":2980}]}`,
				w.next(), w.store[0], w.customer[0], time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), w.sku)
			order := w.id(w.admin("POST", "/api/v1/pos-tickets", "", ticket))
			w.h.deliverOutbox(t)
			if got := w.loyaltyTotal() - before; got != 29 {
				t.Fatalf("earned %d on ¥29.80, want 29", got)
			}
			w.admin("POST", "/api/v1/orders/"+order+"/changes", "", `{"kind":"return","reference":"R1","lines":[{"line_id":"L1","qty":1}],"restock":true}`)
			w.h.deliverOutbox(t)
			if got := w.loyaltyTotal() - before; got != 14 {
				t.Fatalf("after returning 1 of 2: %d, want 14 (29 − round-half-up(14.5))", got)
			}
			// Deliver every event again, as if nothing had been recorded: only the ledger's
			// source keys stand between a replay and a second award.
			for _, q := range []string{`DELETE FROM event_deliveries`, `DELETE FROM processed_events`,
				`UPDATE outbox_events SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0`} {
				if _, err := w.h.app.DB.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			w.h.deliverOutbox(t)
			var redelivered int
			if err := w.h.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM processed_events WHERE subscriber LIKE 'loyalty.%'`).Scan(&redelivered); err != nil || redelivered < 3 {
				t.Fatalf("%d loyalty deliveries after the replay (%v), want the completed, returned and refunded events", redelivered, err)
			}
			if got := w.loyaltyTotal() - before; got != 14 {
				t.Fatalf("after redelivering every event: %d, want 14", got)
			}
			t.Logf("%s: a member's till ticket of ¥29.80 earned 29 points through the outbox; returning 1 of 2 units reversed 15; redelivering every event changed nothing", dialect)
		})
	}
}

// loyaltyTotal is customer[0]'s points in the world's program.
func (w *world) loyaltyTotal() int64 {
	w.t.Helper()
	var b struct {
		Total int64 `json:"total"`
	}
	w.decode(w.admin("GET", w.loyaltyMember(""), "", ""), &b)
	return b.Total
}
