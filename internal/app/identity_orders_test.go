package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestOrdersMoveLastSeen: a customer's last seen (the 360 page, "inactive for N days")
// follows their latest order through the outbox, and an older order recorded later —
// a till's late upload — never moves it back.
func TestOrdersMoveLastSeen(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			ctx := context.Background()
			w.h.deliverOutbox(t)
			long := time.Now().Add(-400 * 24 * time.Hour).UnixMilli()
			if _, err := w.h.app.DB.Writer().ExecContext(ctx, `UPDATE customers SET last_seen_at = $1 WHERE id = $2`, long, w.customer[0]); err != nil {
				t.Fatal(err)
			}
			lastSeen := func() time.Time {
				var c struct {
					LastSeenAt time.Time `json:"last_seen_at"`
				}
				w.decode(w.admin("GET", "/api/v1/customers/"+w.customer[0], "", ""), &c)
				return c.LastSeenAt
			}
			ticket := func(at time.Time) {
				w.admin("POST", "/api/v1/pos-tickets", "", fmt.Sprintf(`{"external_ref":"S%d","store_id":%q,"customer_id":%q,"placed_at":%q,"stated_payable_fen":1490,
					"lines":[{"sku_id":%q,"qty":1}],"payments":[{"method":"cash","amount_fen":1490}]}`,
					w.next(), w.store[0], w.customer[0], at.Format(time.RFC3339), w.sku))
				w.h.deliverOutbox(t)
			}
			bought := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
			ticket(bought)
			if got := lastSeen(); !got.Equal(bought) {
				t.Fatalf("last seen %s after an order placed at %s", got, bought)
			}
			ticket(bought.Add(-48 * time.Hour))
			if got := lastSeen(); !got.Equal(bought) {
				t.Fatalf("last seen %s after an older order, want it to stay at %s", got, bought)
			}
			t.Logf("%s: last seen moved from 400 days ago to the order's time and stayed there for an older order", dialect)
		})
	}
}
