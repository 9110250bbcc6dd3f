package app_test

import (
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestTenantIsolation creates one resource of every kind as tenant alpha, then proves
// that tenant beta can neither read nor change any of them: each answers 404 (not
// 403, so ids cannot be probed), and alpha's rows are unchanged afterwards.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			create := func(path, body string) string { return h.create(t, path, body) }
			brand := create("/api/v1/brands", `{"code":"ALPHA","name":"Alpha Mart"}`)
			region := create("/api/v1/regions", `{"code":"EAST","name":"华东"}`)
			store := create("/api/v1/stores", `{"brand_id":"`+brand+`","region_id":"`+region+`","code":"SH001","name":"上海一店","format":"supermarket","city":"上海"}`)
			user := create("/api/v1/users", `{"login":"alpha.merch","name":"Merch","password":"long enough pw","role":"merchandiser","scope_type":"tenant"}`)
			key := create("/api/v1/api-keys", `{"name":"pos","scopes":["catalog:read"]}`)
			category := create("/api/v1/categories", `{"code":"10","name":"生鲜"}`)
			product := create("/api/v1/products", `{"code":"P1","name":"苹果","category_id":"`+category+`","unit":"weight"}`)
			sku := create("/api/v1/skus", `{"product_id":"`+product+`","code":"S1","name":"红富士苹果","unit":"weight","list_price_fen":1590,"cost_fen":1000}`)
			zone := create("/api/v1/price-zones", `{"code":"T1","name":"一线城市"}`)
			if status, _, resp := h.do(t, "PUT", "/api/v1/skus/"+sku+"/prices/store/"+store, h.keyA, "application/json", `{"price_fen":1490}`); status != 200 {
				t.Fatalf("set store price: %d %s", status, resp)
			}

			tests := []struct {
				name, method, path, body string
			}{
				{"read brand", "GET", "/api/v1/brands/" + brand, ""},
				{"change brand", "PATCH", "/api/v1/brands/" + brand, `{"name":"stolen"}`},
				{"read region", "GET", "/api/v1/regions/" + region, ""},
				{"change region", "PATCH", "/api/v1/regions/" + region, `{"name":"stolen"}`},
				{"read store", "GET", "/api/v1/stores/" + store, ""},
				{"change store", "PATCH", "/api/v1/stores/" + store, `{"name":"stolen"}`},
				{"read user", "GET", "/api/v1/users/" + user, ""},
				{"change user", "PATCH", "/api/v1/users/" + user, `{"name":"stolen"}`},
				{"revoke key", "DELETE", "/api/v1/api-keys/" + key, ""},
				{"change category", "PATCH", "/api/v1/categories/" + category, `{"name":"stolen"}`},
				{"read product", "GET", "/api/v1/products/" + product, ""},
				{"change product", "PATCH", "/api/v1/products/" + product, `{"name":"stolen"}`},
				{"read sku", "GET", "/api/v1/skus/" + sku, ""},
				{"change sku", "PATCH", "/api/v1/skus/" + sku, `{"name":"stolen"}`},
				{"read sku price", "GET", "/api/v1/skus/" + sku + "/price?store_id=" + store, ""},
				{"set sku price", "PUT", "/api/v1/skus/" + sku + "/prices/store/" + store, `{"price_fen":1}`},
				{"delete sku price", "DELETE", "/api/v1/skus/" + sku + "/prices/store/" + store, ""},
				{"assign zone stores", "PUT", "/api/v1/price-zones/" + zone + "/stores", `{"store_ids":[]}`},
			}
			for _, tt := range tests {
				ct := ""
				if tt.body != "" {
					ct = "application/json"
				}
				status, _, resp := h.do(t, tt.method, tt.path, h.keyB, ct, tt.body)
				if status != 404 {
					t.Errorf("%s as another tenant: status %d, want 404: %.200s", tt.name, status, resp)
				}
			}
			// Lists of the other tenant show none of alpha's rows.
			for _, path := range []string{"/api/v1/brands", "/api/v1/regions", "/api/v1/stores", "/api/v1/users", "/api/v1/api-keys",
				"/api/v1/categories", "/api/v1/products", "/api/v1/skus", "/api/v1/price-zones", "/api/v1/audit-events", "/api/v1/domain-events"} {
				status, _, resp := h.do(t, "GET", path, h.keyB, "", "")
				if status != 200 {
					t.Errorf("GET %s as beta: %d", path, status)
				}
				for _, id := range []string{brand, region, store, user, key, category, product, sku, zone} {
					if strings.Contains(resp, id) {
						t.Errorf("GET %s as beta shows alpha's %s", path, id)
					}
				}
			}
			// Alpha's data is untouched and its key still works.
			status, _, resp := h.do(t, "GET", "/api/v1/skus/"+sku, h.keyA, "", "")
			if status != 200 || strings.Contains(resp, "stolen") || !strings.Contains(resp, `"price_fen":1490`) {
				t.Errorf("alpha's SKU after beta's attempts: %d %s", status, resp)
			}
			status, _, resp = h.do(t, "GET", "/api/v1/brands/"+brand, h.keyA, "", "")
			if status != 200 || strings.Contains(resp, "stolen") {
				t.Errorf("alpha's brand after beta's attempts: %d %s", status, resp)
			}
		})
	}
}
