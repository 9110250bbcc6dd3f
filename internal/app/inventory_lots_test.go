package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestInventoryBatchesAndQuotasOverHTTP: a receipt names a batch and its expiry date,
// the balance's batches and the location's near-expiry list show it, a sale takes the
// earliest batch first, quotas are set and a reservation from a channel draws on its
// quota; bad input is refused naming the field.
func TestInventoryBatchesAndQuotasOverHTTP(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			cat := h.create(t, "/api/v1/categories", `{"code":"DAIRY","name":"乳品"}`)
			product := h.create(t, "/api/v1/products", `{"category_id":"`+cat+`","code":"YOGP","name":"酸奶"}`)
			sku := h.create(t, "/api/v1/skus", `{"product_id":"`+product+`","code":"YOG","name":"酸奶 200g","list_price_fen":590}`)
			loc := h.create(t, "/api/v1/stock-locations", `{"code":"WH1","name":"上海仓","kind":"warehouse"}`)
			base := "/api/v1/stock-locations/" + loc
			for _, tc := range []struct {
				name, method, path, body string
				status                   int
				want, not                []string
			}{
				{"a batch far from expiry", "POST", base + "/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"receipt","qty":6,"batch_code":"L2","expires_on":"2099-01-10"}`, sku), 200, []string{`"batch_qty":6`}, nil},
				{"a batch expiring first", "POST", base + "/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"receipt","qty":4,"expires_on":"2099-01-05"}`, sku), 200, []string{`"batch_qty":10`}, nil},
				{"a batch on a sale", "POST", base + "/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"sale","qty":1,"batch_code":"L2"}`, sku), 422, []string{"batch_code"}, nil},
				{"a malformed expiry", "POST", base + "/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"receipt","qty":1,"expires_on":"10.01.2099"}`, sku), 422, []string{"expires_on"}, nil},
				{"a sale takes the earliest batch", "POST", base + "/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"sale","qty":5}`, sku), 200, []string{`"on_hand":5`, `"batch_qty":5`}, nil},
				{"the batches", "GET", base + "/balances/" + sku + "/batches", "", 200, []string{`"batch_code":"L2"`, `"on_hand":5`, `"untracked":0`}, []string{`"2099-01-05"`}},
				{"nothing near expiry", "GET", base + "/expiring-batches?within_days=3", "", 200, []string{`"items":[]`}, nil},
				{"a window too wide", "GET", base + "/expiring-batches?within_days=400", "", 422, []string{"within_days"}, nil},
				{"quotas", "PUT", base + "/balances/" + sku + "/quotas", `{"quotas":[{"channel":"meituan","quota":3}]}`, 200, []string{`"quota_free":3`, `"shared_available":2`}, nil},
				{"a channel twice", "PUT", base + "/balances/" + sku + "/quotas", `{"quotas":[{"channel":"meituan","quota":1},{"channel":"meituan","quota":2}]}`, 422, []string{"quotas[1].channel"}, nil},
				{"a bad channel", "PUT", base + "/balances/" + sku + "/quotas", `{"quotas":[{"channel":"Mei Tuan","quota":1}]}`, 422, []string{"channel"}, nil},
				{"a reservation without a channel beyond the shared pool", "POST", "/api/v1/stock-reservations",
					fmt.Sprintf(`{"reference":"R1","lines":[{"location_id":%q,"sku_id":%q,"qty":3}]}`, loc, sku), 409, []string{"insufficient"}, nil},
				{"a reservation from the channel", "POST", "/api/v1/stock-reservations",
					fmt.Sprintf(`{"reference":"R2","channel":"meituan","lines":[{"location_id":%q,"sku_id":%q,"qty":4}]}`, loc, sku), 201, []string{`"channel":"meituan"`}, nil},
				{"the quota used", "GET", base + "/balances/" + sku + "/quotas", "", 200, []string{`"used":3`, `"free":0`, `"shared_available":1`}, nil},
			} {
				status, _, body := h.do(t, tc.method, tc.path, h.keyA, "application/json", tc.body)
				if status != tc.status {
					t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
					continue
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s: %s lacks %s", tc.name, body, w)
					}
				}
				for _, n := range tc.not {
					if strings.Contains(body, n) {
						t.Errorf("%s: %s holds %s", tc.name, body, n)
					}
				}
			}
		})
	}
}
