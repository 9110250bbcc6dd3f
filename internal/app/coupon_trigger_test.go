package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCouponTriggersThroughApp runs the triggers' wiring end to end: a customer
// registered with today's birthday (sealed by One ID) gets the birthday coupon from
// the job, once however often it runs; of two completed till tickets only the first
// issues the first-order coupon, and a customer who bought before the trigger was set
// gets none on the next ticket.
func TestCouponTriggersThroughApp(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			tmpl := w.id(w.admin("POST", "/api/v1/coupon-templates", "", `{"code":"HELLO","name":"hello","valid_days":7,
				"triggers":["birthday"],
				"discount":{"kind":"amount_off","scope":{"all":true},"amount_off":{"amount":500}}}`))
			shanghai, err := time.LoadLocation("Asia/Shanghai")
			if err != nil {
				t.Fatal(err)
			}
			phone := fmt.Sprintf("137%08d", w.next())
			ev, _ := json.Marshal(map[string]any{"touchpoint": w.touchpointCode[0], "events": []map[string]any{{
				"id": "reg-bday", "type": "registration", "occurred_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
				"identifiers": map[string]string{"phone": phone},
				"properties":  map[string]string{"birthday": "1990" + time.Now().In(shanghai).Format("-01-02")},
			}}})
			w.admin("POST", "/api/v1/events", "", string(ev))
			customer := w.h.customerOf(t, "phone:"+phone)
			for range 2 {
				if _, err := w.h.app.Coupon.IssueBirthdayCoupons(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			held := func(customer, trigger string) int {
				t.Helper()
				var n int
				if err := w.h.app.DB.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE template_id = $1 AND customer_id = $2 AND source_key LIKE $3`,
					tmpl, customer, "trigger:"+trigger+":%").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := held(customer, "birthday"); n != 1 {
				t.Fatalf("%d birthday coupons, want 1", n)
			}
			ticket := func(ref, customer string, ago time.Duration) {
				t.Helper()
				w.admin("POST", "/api/v1/pos-tickets", "", fmt.Sprintf(`{"external_ref":%q,"store_id":%q,"customer_id":%q,"placed_at":%q,
					"stated_payable_fen":2980,"lines":[{"sku_id":%q,"qty":2}],"payments":[{"method":"cash","amount_fen":2980}]}`,
					ref, w.store[0], customer, time.Now().UTC().Add(-ago).Format(time.RFC3339), w.sku))
				w.h.deliverOutbox(t)
			}
			regular := w.customer[1]
			ticket("TRIG0", regular, 5*time.Minute) // before the trigger is set
			w.admin("PUT", "/api/v1/coupon-templates/"+tmpl+"/triggers", "", `{"triggers":["birthday","first_order"]}`)
			ticket("TRIG1", customer, 3*time.Minute)
			ticket("TRIG2", customer, 2*time.Minute)
			ticket("TRIG3", regular, time.Minute)
			w.h.deliverOutbox(t)
			if n := held(customer, "first_order"); n != 1 {
				t.Fatalf("%d first-order coupons after two tickets, want 1", n)
			}
			if n := held(regular, "first_order"); n != 0 {
				t.Fatalf("a customer whose first order came before the trigger got %d first-order coupons on the next, want 0", n)
			}
			t.Logf("%s: the birthday job issued once for a sealed birthday; two completed tickets issued one first-order coupon", dialect)
		})
	}
}
