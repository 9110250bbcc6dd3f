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

// TestSystemImportsOwnChannelsAsTickets: the platform itself (the SYSTEM principal:
// an import, the demo) may record a past mini-program order as a ticket, priced at its
// own time; an API caller may not — its online orders go through CreateOrder.
func TestSystemImportsOwnChannelsAsTickets(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			ticket := func(ref string) order.Ticket {
				return order.Ticket{Channel: order.ChannelMiniProgram, ExternalRef: ref, StoreID: w.store, Fulfilment: order.FulfilPickup,
					PlacedAt: time.Now().Add(-400 * 24 * time.Hour), Lines: []order.NewLine{{SKUID: w.milk, Qty: 1}},
					StatedPayableFen: 1490, Payments: []order.PaymentRequest{{Method: "wechat_pay", AmountFen: 1490}}}
			}
			sys := auth.WithPrincipal(context.Background(), auth.System(w.tenant))
			o, err := w.app.Order.RecordTicket(sys, ticket("MP-1"))
			if err != nil {
				t.Fatal(err)
			}
			if o.Channel != order.ChannelMiniProgram || o.Status != order.StatusPaid || o.Money.PayableFen != 1490 || len(o.Exceptions) != 0 {
				t.Errorf("imported mini-program order: %+v", o)
			}
			if onHand, _ := w.balance(t, w.milk); onHand != 99 {
				t.Errorf("milk after the import: %d, want 99", onHand)
			}
			// Through the API (an API key, not the platform), the same is refused.
			status, body := w.do(t, "POST", "/api/v1/pos-tickets", `{"channel":"mini_program","external_ref":"MP-2","store_id":"`+w.store+
				`","placed_at":"`+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`","stated_payable_fen":1490,"lines":[{"sku_id":"`+w.milk+`","qty":1}]}`)
			if status != 422 {
				t.Errorf("API key recording a mini_program ticket: %d %s, want 422", status, body)
			}
			user := auth.WithPrincipal(context.Background(), &auth.Principal{ID: "u1", TenantID: w.tenant, Kind: auth.UserPrincipal,
				Scopes: []auth.Scope{auth.OrdersWrite}, DataScope: auth.TenantScope})
			if _, err := w.app.Order.RecordTicket(user, ticket("MP-3")); !errs.Is(err, errs.Invalid) {
				t.Errorf("a user recording a mini_program ticket: %v, want invalid", err)
			}
		})
	}
}
