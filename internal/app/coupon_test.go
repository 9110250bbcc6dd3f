package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCouponThroughOrders runs the coupon wiring end to end: a template priced by
// the promotion engine, a coupon issued to a customer, an online order presenting
// its code (a wrong check character is refused 422 before any lookup) priced with
// the coupon and locking it, a second order for the same code refused 409, and the
// payment redeeming it through the outbox.
func TestCouponThroughOrders(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			tmpl := w.id(w.admin("POST", "/api/v1/coupon-templates", "", `{"code":"FIVE20","name":"¥5 off ¥20","valid_days":30,
				"discount":{"kind":"amount_off","scope":{"all":true},"conditions":{"min_spend":2000},"amount_off":{"amount":500}}}`))
			var issued struct {
				Coupons []struct {
					Code string `json:"code"`
				} `json:"coupons"`
			}
			w.decode(w.admin("POST", "/api/v1/coupon-templates/"+tmpl+"/issues", "", `{"customer_ids":["`+w.customer[0]+`"]}`), &issued)
			if len(issued.Coupons) != 1 {
				t.Fatalf("issued %+v", issued)
			}
			code := issued.Coupons[0].Code
			order := func(ref, code string) (int, string) {
				status, _, resp := w.h.do(t, "POST", "/api/v1/orders", w.h.keyA, "application/json", fmt.Sprintf(
					`{"channel":"app","external_ref":%q,"store_id":%q,"fulfilment":"pickup","customer_id":%q,"coupons":[%q],"lines":[{"sku_id":%q,"qty":2}]}`,
					ref, w.store[0], w.customer[0], code, w.sku))
				return status, resp
			}
			bad := code[:len(code)-1] + "2"
			if bad == code {
				bad = code[:len(code)-1] + "3"
			}
			if status, resp := order("C0", bad); status != 422 || !strings.Contains(resp, "body.coupons[0]") {
				t.Fatalf("wrong check character: %d %s", status, resp)
			}
			status, resp := order("C1", code)
			if status != 201 || !strings.Contains(resp, `"payable_fen":2480`) {
				t.Fatalf("order with the coupon: %d %s", status, resp)
			}
			orderID := w.id(resp)
			if status, resp := order("C2", code); status != 409 {
				t.Fatalf("second order with the same coupon: %d %s", status, resp)
			}
			coupons := func() string {
				return w.admin("GET", "/api/v1/coupons?customer_id="+w.customer[0], "", "")
			}
			if got := coupons(); !strings.Contains(got, `"status":"locked"`) || !strings.Contains(got, orderID) {
				t.Fatalf("after the order: %s", got)
			}
			w.admin("POST", "/api/v1/orders/"+orderID+"/pay", "", `{"method":"cash","amount_fen":2480}`)
			w.h.deliverOutbox(t)
			if got := coupons(); !strings.Contains(got, `"status":"redeemed"`) {
				t.Fatalf("after payment: %s", got)
			}
			// The template's internal code cannot be presented by a client: refused by the
			// pricing API, dropped from a till ticket (which is then priced without it).
			internal := "coupon-template." + tmpl
			if status, _, resp := w.h.do(t, "POST", "/api/v1/carts/price", w.h.keyA, "application/json",
				`{"store_id":"`+w.store[0]+`","coupons":["`+internal+`"],"lines":[{"id":"1","sku":"MILK","unit":"each","qty":2,"unit_price":1490}]}`); status != 422 ||
				!strings.Contains(resp, "body.coupons[0]") {
				t.Fatalf("price with the internal code: %d %s", status, resp)
			}
			ticket := fmt.Sprintf(`{"external_ref":"CT1","store_id":%q,"customer_id":%q,"placed_at":%q,"stated_payable_fen":2980,"coupons":[%q],
				"lines":[{"sku_id":%q,"qty":2}],"payments":[{"method":"cash","amount_fen":2980}]}`,
				w.store[0], w.customer[0], time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), internal, w.sku)
			if resp := w.admin("POST", "/api/v1/pos-tickets", "", ticket); !strings.Contains(resp, `"payable_fen":2980`) {
				t.Fatalf("ticket with the internal code: %s", resp)
			}
			t.Logf("%s: an order presenting a ¥5 coupon was priced at ¥24.80 by the engine, locked the coupon, a second order was refused 409, payment redeemed it", dialect)
		})
	}
}

// TestCouponOnTillTickets: a customer's coupon scanned at a till prices the ticket,
// is locked to it and redeemed when the ticket's order.completed is delivered; the
// same coupon on a later ticket (alone, or twice in one batch) is refused without
// refusing the sale, which is priced without it and kept as a price_mismatch that
// names the coupon.
func TestCouponOnTillTickets(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			tmpl := w.id(w.admin("POST", "/api/v1/coupon-templates", "", `{"code":"TILL5","name":"¥5 off ¥20","valid_days":30,
				"discount":{"kind":"amount_off","scope":{"all":true},"conditions":{"min_spend":2000},"amount_off":{"amount":500}}}`))
			var issued struct {
				Coupons []struct {
					Code string `json:"code"`
				} `json:"coupons"`
			}
			var codes []string
			for range 2 {
				w.decode(w.admin("POST", "/api/v1/coupon-templates/"+tmpl+"/issues", "", `{"customer_ids":["`+w.customer[0]+`"]}`), &issued)
				if len(issued.Coupons) != 1 {
					t.Fatalf("issued %+v", issued)
				}
				codes = append(codes, issued.Coupons[0].Code)
			}
			placed := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
			ticket := func(ref, code string, stated int64) string {
				return fmt.Sprintf(`{"external_ref":%q,"store_id":%q,"customer_id":%q,"placed_at":%q,"stated_payable_fen":%d,"coupons":[%q],
					"lines":[{"sku_id":%q,"qty":2}],"payments":[{"method":"cash","amount_fen":%d}]}`,
					ref, w.store[0], w.customer[0], placed, stated, code, w.sku, stated)
			}
			first := codes[0]
			resp := w.admin("POST", "/api/v1/pos-tickets", "", ticket("T1", first, 2480))
			if !strings.Contains(resp, `"payable_fen":2480`) || !strings.Contains(resp, `"exceptions":[]`) {
				t.Fatalf("ticket with the customer's coupon: %s", resp)
			}
			w.h.deliverOutbox(t)
			coupons := w.admin("GET", "/api/v1/coupons?customer_id="+w.customer[0], "", "")
			if strings.Count(coupons, `"status":"redeemed"`) != 1 || !strings.Contains(coupons, w.id(resp)) {
				t.Fatalf("after the ticket's events: %s", coupons)
			}
			resp = w.admin("POST", "/api/v1/pos-tickets", "", ticket("T2", first, 2480))
			if !strings.Contains(resp, `"payable_fen":2980`) || !strings.Contains(resp, "price_mismatch") || !strings.Contains(resp, "coupons refused") {
				t.Fatalf("the redeemed coupon again: %s", resp)
			}
			// Twice in one batch: the batch's transaction cannot lock it twice, so each
			// ticket is recorded on its own; the first takes it, the second is refused.
			second := codes[1]
			var batch struct {
				Results []struct {
					Status int `json:"status"`
					Order  struct {
						Totals struct {
							PayableFen int64 `json:"payable_fen"`
						} `json:"totals"`
					} `json:"order"`
				} `json:"results"`
			}
			w.decode(w.admin("POST", "/api/v1/pos-tickets/batch", "", `{"tickets":[`+ticket("B1", second, 2480)+`,`+ticket("B2", second, 2480)+`]}`), &batch)
			if len(batch.Results) != 2 || batch.Results[0].Status != 201 || batch.Results[1].Status != 201 ||
				batch.Results[0].Order.Totals.PayableFen != 2480 || batch.Results[1].Order.Totals.PayableFen != 2980 {
				t.Fatalf("batch: %+v, want B1 at ¥24.80 with the coupon and B2 at ¥29.80 without", batch)
			}
			t.Logf("%s: a till ticket with the customer's coupon priced at ¥24.80 and redeemed it; the coupon again (alone, and twice in a batch) was refused and the sale kept at ¥29.80 with a price_mismatch", dialect)
		})
	}
}
