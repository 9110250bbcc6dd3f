package order_test

import (
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestOrdersDrawOnTheirChannelsQuota: an online order reserves with its channel, so
// with 5 of 100 set aside for the mini program and 92 for Meituan an app order gets
// only the 3 shared, and a mini-program order takes its own quota first.
func TestOrdersDrawOnTheirChannelsQuota(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			quotas := "/api/v1/stock-locations/" + w.loc + "/balances/" + w.bread + "/quotas"
			w.must(t, "PUT", quotas, `{"quotas":[{"channel":"mini_program","quota":5},{"channel":"meituan","quota":92}]}`, 200)
			place := func(channel, ref, qty string) (int, string) {
				return w.do(t, "POST", "/api/v1/orders", `{"channel":"`+channel+`","external_ref":"`+ref+`","store_id":"`+w.store+`","fulfilment":"delivery",
					"receiver":{"name":"王小明","phone":"13800138000","address":"上海市徐汇区漕溪北路1号"},
					"lines":[{"sku_id":"`+w.bread+`","qty":`+qty+`}]}`)
			}
			if status, body := place("app", "A1", "3"); status != 201 {
				t.Fatalf("an app order within the shared 3: %d %s", status, body)
			}
			if status, body := place("app", "A2", "1"); status == 201 || !strings.Contains(body, "insufficient") {
				t.Fatalf("an app order beyond the shared pool: %d %s, want refused as insufficient", status, body)
			}
			if status, body := place("mini_program", "M1", "4"); status != 201 {
				t.Fatalf("a mini-program order within its quota: %d %s", status, body)
			}
			body := w.must(t, "GET", quotas, "", 200)
			if !strings.Contains(body, `"channel":"mini_program","quota":5,"used":4`) || !strings.Contains(body, `"shared_available":0`) {
				t.Fatalf("after the orders: %s", body)
			}
		})
	}
}
