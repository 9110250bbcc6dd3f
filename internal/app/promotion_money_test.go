package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestSecurity07_CustomersResolvedByIdentity (issue 10 finding 7), through the wired
// identity service: pricing or committing for a customer id unknown in the tenant is
// a 422 naming the field, and two customers merged into one share one per-customer
// limit — with a limit of 2, one use under the absorbed id before the merge and 20
// orders priced for either id committed at once after it, exactly one commits, and
// it counts for the survivor.
func TestSecurity07_CustomersResolvedByIdentity(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			h.create(t, "/api/v1/touchpoints", `{"code":"pos","name":"POS","type":"offline","channel":"pos"}`)
			customer := func(typ, value string) string {
				ingest := `{"touchpoint":"pos","events":[{"id":"e-` + typ + `","type":"order","occurred_at":"2026-01-01T00:00:00Z","identifiers":{"` + typ + `":"` + value + `"}}]}`
				if status, _, body := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json", ingest); status != 200 {
					t.Fatalf("ingest: %d %s", status, body)
				}
				_, _, body := h.do(t, "GET", "/api/v1/customers?identifier="+typ+":"+value, h.keyA, "", "")
				var c struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal([]byte(body), &c); err != nil || c.ID == "" {
					t.Fatalf("customer: %s", body)
				}
				return c.ID
			}
			survivor, absorbed := customer("phone", "13800138000"), customer("email", "wang@example.com")
			promo := h.create(t, "/api/v1/promotions", `{"code":"TEN","name":"¥10 off","limits":{"max_uses_per_customer":2},
				"definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":1000}}}`)
			if status, _, body := h.do(t, "POST", "/api/v1/promotions/"+promo+"/activate", h.keyA, "", ""); status != 200 {
				t.Fatalf("activate: %d %s", status, body)
			}
			cart := func(customer string) string {
				return `{"customer_id":"` + customer + `","lines":[{"id":"1","sku":"MILK","unit":"each","qty":1,"unit_price":3000}]}`
			}
			for _, tc := range []struct{ name, key, path, body, field string }{
				{"price for an unknown id", h.keyA, "/api/v1/carts/price", cart("nobody"), "body.customer_id"},
				{"commit for an unknown id", h.keyA, "/api/v1/promotion-redemptions", `{"order_id":"X","payable":2000,"cart":` + cart("nobody") + `}`, "body.cart.customer_id"},
				{"another tenant's customer", h.keyB, "/api/v1/carts/price", cart(survivor), "body.customer_id"},
			} {
				if status, _, body := h.do(t, "POST", tc.path, tc.key, "application/json", tc.body); status != 422 || !strings.Contains(body, tc.field) {
					t.Errorf("%s: %d %s", tc.name, status, body)
				}
			}
			token := func(customer string) string {
				status, _, body := h.do(t, "POST", "/api/v1/carts/price", h.keyA, "application/json", cart(customer))
				var r struct {
					PricedToken string `json:"priced_token"`
				}
				if err := json.Unmarshal([]byte(body), &r); status != 200 || err != nil || r.PricedToken == "" {
					t.Fatalf("price: %d %s", status, body)
				}
				return r.PricedToken
			}
			commit := func(order, token string) (int, string) {
				status, _, body := h.do(t, "POST", "/api/v1/promotion-redemptions", h.keyA, "application/json",
					`{"order_id":"`+order+`","priced_token":"`+token+`"}`)
				return status, body
			}
			if status, body := commit("before", token(absorbed)); status != 201 {
				t.Fatalf("before the merge: %d %s", status, body)
			}
			tokens := make([]string, 20)
			for i := range tokens {
				tokens[i] = token([]string{survivor, absorbed}[i%2])
			}
			if status, _, body := h.do(t, "POST", "/api/v1/customers/"+survivor+"/merge", h.keyA, "application/json",
				`{"customer_ids":["`+absorbed+`"]}`); status != 200 {
				t.Fatalf("merge: %d %s", status, body)
			}
			statuses := make([]int, 20)
			bodies := make([]string, 20)
			var wg sync.WaitGroup
			for i := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i], bodies[i] = commit(fmt.Sprintf("after-%d", i), tokens[i])
				}()
			}
			wg.Wait()
			committed := 0
			for i, st := range statuses {
				switch {
				case st == 201:
					committed++
					if !strings.Contains(bodies[i], `"customer_id":"`+survivor+`"`) {
						t.Errorf("committed for another id than the survivor: %s", bodies[i])
					}
				case st != 409 || !strings.Contains(bodies[i], "customer_limit_reached"):
					t.Errorf("order %d: %d %s", i, st, bodies[i])
				}
			}
			if committed != 1 {
				t.Errorf("%d orders committed after the merge, want 1", committed)
			}
			if _, _, body := h.do(t, "GET", "/api/v1/promotions/"+promo, h.keyA, "", ""); !strings.Contains(body, `"usage":{"discount_fen":2000,"uses":2}`) {
				t.Errorf("promotion usage: %s", body)
			}
		})
	}
}
