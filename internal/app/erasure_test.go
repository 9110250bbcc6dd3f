package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// Erasing a customer reaches the promotion domain through identity.customer.erased:
// once the dispatcher delivers it, the customer's redemption orders carry no
// customer id and its per-customer usage is gone, while the promotion's totals stay
// and a later cancel still releases them. A second delivery changes nothing.
func TestErasureReachesPromotions(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			ctx := context.Background()
			h.create(t, "/api/v1/touchpoints", `{"code":"pos","name":"POS","type":"offline","channel":"pos"}`)
			ingest := `{"touchpoint":"pos","events":[{"id":"e1","type":"order","occurred_at":"2026-01-01T00:00:00Z","identifiers":{"phone":"13800138000"}}]}`
			if status, _, body := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json", ingest); status != 200 {
				t.Fatalf("ingest: %d %s", status, body)
			}
			_, _, body := h.do(t, "GET", "/api/v1/customers?identifier=phone:13800138000", h.keyA, "", "")
			var customer struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(body), &customer); err != nil || customer.ID == "" {
				t.Fatalf("customer: %s", body)
			}
			promo := h.create(t, "/api/v1/promotions", `{"code":"TEN","name":"¥10 off","limits":{"max_uses_per_customer":3},
				"definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":1000}}}`)
			if status, _, body := h.do(t, "POST", "/api/v1/promotions/"+promo+"/activate", h.keyA, "", ""); status != 200 {
				t.Fatalf("activate: %d %s", status, body)
			}
			redeem := `{"order_id":"O1","payable":2000,"cart":{"customer_id":"` + customer.ID + `","lines":[{"id":"1","sku":"MILK","unit":"each","qty":1,"unit_price":3000}]}}`
			if status, _, body := h.do(t, "POST", "/api/v1/promotion-redemptions", h.keyA, "application/json", redeem); status != 201 {
				t.Fatalf("redeem: %d %s", status, body)
			}
			customerUsage := func() int {
				var n int
				if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM promotion_customer_usage WHERE customer_id = $1`, customer.ID).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if customerUsage() != 1 {
				t.Fatal("no per-customer usage recorded")
			}

			if status, _, body := h.do(t, "POST", "/api/v1/customers/"+customer.ID+"/erase", h.keyA, "application/json", `{}`); status != 200 {
				t.Fatalf("erase: %d %s", status, body)
			}
			for range 2 { // at-least-once: a repeated delivery is harmless
				if _, err := h.app.Dispatcher.DispatchDue(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, body := h.do(t, "GET", "/api/v1/promotion-redemptions/O1", h.keyA, "", ""); strings.Contains(body, customer.ID) || !strings.Contains(body, `"status":"committed"`) {
				t.Fatalf("redemption after erasure: %s", body)
			}
			if n := customerUsage(); n != 0 {
				t.Fatalf("%d per-customer usage rows left", n)
			}
			if _, _, body := h.do(t, "GET", "/api/v1/promotions/"+promo, h.keyA, "", ""); !strings.Contains(body, `"usage":{"discount_fen":1000,"uses":1}`) {
				t.Fatalf("promotion totals after erasure: %s", body)
			}
			if status, _, body := h.do(t, "POST", "/api/v1/promotion-redemptions/O1/cancel", h.keyA, "", ""); status != 200 {
				t.Fatalf("cancel after erasure: %d %s", status, body)
			}
			if _, _, body := h.do(t, "GET", "/api/v1/promotions/"+promo, h.keyA, "", ""); !strings.Contains(body, `"usage":{"discount_fen":0,"uses":0}`) {
				t.Fatalf("promotion totals after the cancel: %s", body)
			}
			var delivered int
			if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM processed_events WHERE subscriber = 'promotion.customer-erasure'`).Scan(&delivered); err != nil || delivered != 1 {
				t.Fatalf("erasure processed %d times (%v), want once", delivered, err)
			}
		})
	}
}
