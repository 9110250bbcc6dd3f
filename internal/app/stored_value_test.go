package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestStoredValueThroughOrders runs the order integration end to end: an online order
// of customer[0] paid with stored_value debits its account in the payment's
// transaction, an order it cannot cover is refused 409 and stays unpaid, and
// cancelling the paid order credits the account back to the fen.
func TestStoredValueThroughOrders(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			sv := "/api/v1/loyalty/customers/" + w.customer[0] + "/stored-value"
			balance := func() int64 {
				var b struct {
					BalanceFen int64 `json:"balance_fen"`
				}
				w.decode(w.admin("GET", sv, "", ""), &b)
				return b.BalanceFen
			}
			order := func() (string, int64) {
				var o struct {
					ID     string `json:"id"`
					Totals struct {
						PayableFen int64 `json:"payable_fen"`
					} `json:"totals"`
				}
				w.decode(w.admin("POST", "/api/v1/orders", "", fmt.Sprintf(`{"channel":"app","store_id":%q,"customer_id":%q,"fulfilment":"pickup","lines":[{"sku_id":%q,"qty":1}]}`,
					w.store[0], w.customer[0], w.sku)), &o)
				return o.ID, o.Totals.PayableFen
			}
			before := balance()
			id, payable := order()
			w.admin("POST", "/api/v1/orders/"+id+"/pay", "", fmt.Sprintf(`{"method":"stored_value","amount_fen":%d,"reference":"p1"}`, payable))
			w.admin("POST", "/api/v1/orders/"+id+"/pay", "", fmt.Sprintf(`{"method":"stored_value","amount_fen":%d,"reference":"p1"}`, payable))
			if got := balance(); got != before-payable {
				t.Fatalf("after paying %d: balance %d, want %d", payable, got, before-payable)
			}
			// Drain the account below the next order's payable: the payment is refused
			// and nothing is recorded.
			left := balance()
			w.admin("POST", sv+"/spends", "", fmt.Sprintf(`{"amount_fen":%d,"reference":"drain"}`, left-1))
			id2, payable2 := order()
			status, _, body := w.h.do(t, "POST", "/api/v1/orders/"+id2+"/pay", w.h.keyA, "application/json",
				fmt.Sprintf(`{"method":"stored_value","amount_fen":%d}`, payable2))
			if status != 409 || !strings.Contains(body, "stored value") {
				t.Fatalf("paying %d with 1 fen of stored value: %d %s", payable2, status, body)
			}
			if !strings.Contains(w.admin("GET", "/api/v1/orders/"+id2, "", ""), `"status":"created"`) {
				t.Fatal("the refused order is no longer awaiting payment")
			}
			w.admin("POST", sv+"/top-ups", "", fmt.Sprintf(`{"amount_fen":%d,"reference":"refill"}`, left-1))
			w.admin("POST", "/api/v1/orders/"+id+"/cancel", "", `{"reason":"changed mind"}`)
			if got := balance(); got != before {
				t.Fatalf("after cancelling the paid order: balance %d, want %d back", got, before)
			}
			// A gift card: the till spends it with the order's id, then records the
			// payment; the order center refuses it until the cards cover the payable.
			card := func() int64 {
				var c struct {
					BalanceFen int64 `json:"balance_fen"`
				}
				w.decode(w.admin("POST", "/api/v1/loyalty/gift-cards/balance-enquiries", "", fmt.Sprintf(`{"code":%q,"pin":%q}`, w.giftCode, w.giftPIN)), &c)
				return c.BalanceFen
			}
			cardBefore := card()
			payByCard := fmt.Sprintf(`{"method":"gift_card","amount_fen":%d,"reference":"gc"}`, payable2)
			if status, _, body := w.h.do(t, "POST", "/api/v1/orders/"+id2+"/pay", w.h.keyA, "application/json", payByCard); status != 409 {
				t.Fatalf("gift_card payment before the card was spent: %d %s", status, body)
			}
			w.admin("POST", "/api/v1/loyalty/gift-cards/spends", "", fmt.Sprintf(`{"code":%q,"pin":%q,"amount_fen":%d,"reference":"o2","order_id":%q}`,
				w.giftCode, w.giftPIN, payable2, id2))
			w.admin("POST", "/api/v1/orders/"+id2+"/pay", "", payByCard)
			w.admin("POST", "/api/v1/orders/"+id2+"/cancel", "", `{"reason":"changed mind"}`)
			if got := card(); got != cardBefore {
				t.Fatalf("card after paying and cancelling: %d, want %d", got, cardBefore)
			}
			t.Logf("%s: an order of %d fen paid with stored_value debited it once (payment replayed), an uncovered order was refused 409 and stayed unpaid, cancelling credited %d back exactly; a gift_card payment was refused until the card paid, and cancelling put it back on the card", dialect, payable, payable)
		})
	}
}
