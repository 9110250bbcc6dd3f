package catalog

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// fakeAuth maps fixed bearer tokens to principals, standing in for org's authenticator.
type fakeAuth map[string]*auth.Principal

func (f fakeAuth) Authenticate(_ context.Context, token string) (*auth.Principal, error) {
	if p, ok := f[token]; ok {
		return p, nil
	}
	return nil, errs.E(errs.Unauthorized, "unknown token")
}

func principalOf(ctx context.Context) *auth.Principal { return auth.FromContext(ctx) }

func TestHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tokens := fakeAuth{
			"admin-a":   principalOf(admin(tenantA)),
			"admin-b":   principalOf(admin(tenantB)),
			"manager":   principalOf(manager(tenantA, storeA1)),
			"marketer":  principalOf(marketer(tenantA)),
			"org-only":  {Kind: auth.KeyPrincipal, ID: "k1", Name: "key", TenantID: tenantA, Scopes: []auth.Scope{auth.OrgRead}, DataScope: auth.TenantScope},
			"read-only": {Kind: auth.KeyPrincipal, ID: "k2", Name: "key", TenantID: tenantA, Scopes: []auth.Scope{auth.CatalogRead}, DataScope: auth.TenantScope},
		}
		srv := httpapi.New(httpapi.Options{Auth: tokens})
		e.svc.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		ctx := admin(tenantA)
		food := mkCategory(t, e, ctx, "FOOD", "")
		cola := mkProduct(t, e, ctx, "COLA", food.ID)
		ean := gtin("690000000001")
		sku := mkSKU(t, e, ctx, "COLA-330", cola.ID, 350, ean)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		r := strings.NewReplacer("{cat}", food.ID, "{product}", cola.ID, "{sku}", sku.ID, "{zone}", zone.ID, "{ean}", ean)

		scenarios := []struct {
			name        string
			method      string
			path        string
			token       string
			contentType string
			body        string
			status      int
			want        []string
			unwanted    []string
		}{
			{name: "no token", method: "GET", path: "/api/v1/categories", status: 401, want: []string{"authentication required"}},
			{name: "unknown token", method: "GET", path: "/api/v1/categories", token: "nope", status: 401},
			{name: "no catalog:read", method: "GET", path: "/api/v1/skus", token: "org-only", status: 403, want: []string{"catalog:read"}},
			{name: "read-only writes", method: "POST", path: "/api/v1/categories", token: "read-only", body: `{"code":"X","name":"x"}`, status: 403, want: []string{"catalog:write"}},
			{name: "marketer imports", method: "POST", path: "/api/v1/imports/skus", token: "marketer", contentType: "text/csv", body: "x", status: 403},
			{name: "list categories", method: "GET", path: "/api/v1/categories", token: "read-only", status: 200, want: []string{`"code":"FOOD"`, `"parent_id":null`, `"level":1`}},
			{name: "create category", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":"DRINK","name":"饮料","parent_id":"{cat}"}`, status: 201, want: []string{`"code":"DRINK"`, `"level":2`, `"parent_id":"{cat}"`}},
			{name: "malformed JSON", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":`, status: 400},
			{name: "unknown field", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":"X","name":"x","colour":"red"}`, status: 422, want: []string{"colour"}},
			{name: "bad code pattern", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":"a b","name":"x"}`, status: 422, want: []string{"body.code"}},
			{name: "duplicate category", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":"FOOD","name":"x"}`, status: 409, want: []string{"FOOD"}},
			{name: "unknown parent", method: "POST", path: "/api/v1/categories", token: "admin-a", body: `{"code":"X","name":"x","parent_id":"nope"}`, status: 422, want: []string{"body.parent_id"}},
			{name: "category cycle", method: "PATCH", path: "/api/v1/categories/{cat}", token: "admin-a", body: `{"parent_id":"{cat}"}`, status: 422, want: []string{"body.parent_id"}},
			{name: "rename category", method: "PATCH", path: "/api/v1/categories/{cat}", token: "admin-a", body: `{"name":"食品"}`, status: 200, want: []string{`"name":"食品"`}},
			{name: "get category", method: "GET", path: "/api/v1/categories/{cat}", token: "read-only", status: 200, want: []string{`"id":"{cat}"`, `"code":"FOOD"`, `"name":"食品"`, `"parent_id":null`, `"level":1`}},
			{name: "manager gets category", method: "GET", path: "/api/v1/categories/{cat}", token: "manager", status: 200, want: []string{`"code":"FOOD"`}},
			{name: "unknown category", method: "GET", path: "/api/v1/categories/nope", token: "read-only", status: 404},
			{name: "other tenant gets category", method: "GET", path: "/api/v1/categories/{cat}", token: "admin-b", status: 404},
			{name: "get category without catalog:read", method: "GET", path: "/api/v1/categories/{cat}", token: "org-only", status: 403},
			{name: "other tenant's category", method: "PATCH", path: "/api/v1/categories/{cat}", token: "admin-b", body: `{"name":"x"}`, status: 404},
			{name: "create product", method: "POST", path: "/api/v1/products", token: "admin-a", body: `{"category_id":"{cat}","code":"SPRITE","name":"雪碧","unit":"each"}`, status: 201, want: []string{`"sku_count":0`, `"status":"active"`}},
			{name: "bad unit", method: "POST", path: "/api/v1/products", token: "admin-a", body: `{"category_id":"{cat}","code":"X","name":"x","unit":"box"}`, status: 422, want: []string{"body.unit"}},
			{name: "list products", method: "GET", path: "/api/v1/products?q=COLA&category_id={cat}", token: "read-only", status: 200, want: []string{`"code":"COLA"`, `"sku_count":1`}, unwanted: []string{"SPRITE"}},
			{name: "get product", method: "GET", path: "/api/v1/products/{product}", token: "read-only", status: 200, want: []string{`"skus":[`, `"code":"COLA-330"`}},
			{name: "unknown product", method: "GET", path: "/api/v1/products/nope", token: "read-only", status: 404},
			{name: "other tenant's product", method: "GET", path: "/api/v1/products/{product}", token: "admin-b", status: 404},
			{name: "update product", method: "PATCH", path: "/api/v1/products/{product}", token: "admin-a", body: `{"status":"inactive"}`, status: 200, want: []string{`"status":"inactive"`}},
			{name: "bad check digit", method: "POST", path: "/api/v1/skus", token: "admin-a", body: `{"product_id":"{product}","code":"X","name":"x","list_price_fen":100,"barcodes":["4006381333932"]}`, status: 422, want: []string{"body.barcodes[0]", "EAN-13"}},
			{name: "zero price", method: "POST", path: "/api/v1/skus", token: "admin-a", body: `{"product_id":"{product}","code":"X","name":"x","list_price_fen":0}`, status: 422, want: []string{"body.list_price_fen"}},
			{name: "taken barcode", method: "POST", path: "/api/v1/skus", token: "admin-a", body: `{"product_id":"{product}","code":"X","name":"x","list_price_fen":100,"barcodes":["{ean}"]}`, status: 409, want: []string{"{ean}", "COLA-330"}},
			{name: "create sku", method: "POST", path: "/api/v1/skus", token: "admin-a", body: `{"product_id":"{product}","code":"COLA-500","name":"可乐 500ml","spec":"500ml","list_price_fen":450,"barcodes":["A12B"]}`, status: 201, want: []string{`"barcodes":["A12B"]`, `"unit":"each"`}},
			{name: "find by barcode", method: "GET", path: "/api/v1/skus?barcode={ean}", token: "read-only", status: 200, want: []string{`"code":"COLA-330"`}, unwanted: []string{"COLA-500"}},
			{name: "page of skus", method: "GET", path: "/api/v1/skus?limit=1", token: "read-only", status: 200, want: []string{`"next_cursor"`}},
			{name: "bad limit", method: "GET", path: "/api/v1/skus?limit=0", token: "read-only", status: 422, want: []string{"limit"}},
			{name: "update list price", method: "PATCH", path: "/api/v1/skus/{sku}", token: "admin-a", body: `{"list_price_fen":380}`, status: 200, want: []string{`"list_price_fen":380`}},
			{name: "manager changes list price", method: "PATCH", path: "/api/v1/skus/{sku}", token: "manager", body: `{"list_price_fen":1}`, status: 403},
			{name: "manager sets own store", method: "PUT", path: "/api/v1/skus/{sku}/prices/store/" + storeA1, token: "manager", body: `{"price_fen":360}`, status: 200, want: []string{`"scope_type":"store"`, `"price_fen":360`}},
			{name: "manager sets other store", method: "PUT", path: "/api/v1/skus/{sku}/prices/store/" + storeA2, token: "manager", body: `{"price_fen":360}`, status: 404},
			{name: "other tenant's store", method: "PUT", path: "/api/v1/skus/{sku}/prices/store/" + storeB1, token: "admin-a", body: `{"price_fen":360}`, status: 404},
			{name: "bad scope type", method: "PUT", path: "/api/v1/skus/{sku}/prices/region/x", token: "admin-a", body: `{"price_fen":360}`, status: 422, want: []string{"scope_type"}},
			{name: "negative price", method: "PUT", path: "/api/v1/skus/{sku}/prices/store/" + storeA1, token: "admin-a", body: `{"price_fen":-5}`, status: 422, want: []string{"body.price_fen"}},
			{name: "zone price", method: "PUT", path: "/api/v1/skus/{sku}/prices/price_zone/{zone}", token: "admin-a", body: `{"price_fen":340}`, status: 200, want: []string{`"scope_name":"华东"`}},
			{name: "assign stores", method: "PUT", path: "/api/v1/price-zones/{zone}/stores", token: "admin-a", body: `{"store_ids":["` + storeA1 + `","` + storeA2 + `"]}`, status: 200, want: []string{`"store_ids":["` + storeA1 + `","` + storeA2 + `"]`}},
			{name: "assign unknown store", method: "PUT", path: "/api/v1/price-zones/{zone}/stores", token: "admin-a", body: `{"store_ids":["` + storeB1 + `"]}`, status: 422, want: []string{"body.store_ids[0]"}},
			{name: "other tenant's zone", method: "PUT", path: "/api/v1/price-zones/{zone}/stores", token: "admin-b", body: `{"store_ids":["` + storeB1 + `"]}`, status: 404},
			{name: "list zones", method: "GET", path: "/api/v1/price-zones", token: "read-only", status: 200, want: []string{`"code":"EAST"`}},
			{name: "create zone", method: "POST", path: "/api/v1/price-zones", token: "admin-a", body: `{"code":"WEST","name":"西部"}`, status: 201, want: []string{`"store_ids":[]`}},
			{name: "store price wins", method: "GET", path: "/api/v1/skus/{sku}/price?store_id=" + storeA1, token: "read-only", status: 200, want: []string{`"price_fen":360`, `"source":"store"`, `"list_price_fen":380`}},
			{name: "zone price next", method: "GET", path: "/api/v1/skus/{sku}/price?store_id=" + storeA2, token: "read-only", status: 200, want: []string{`"price_fen":340`, `"source":"price_zone"`, `"scope_id":"{zone}"`}},
			{name: "price needs store", method: "GET", path: "/api/v1/skus/{sku}/price", token: "read-only", status: 422, want: []string{"store_id"}},
			{name: "sku detail", method: "GET", path: "/api/v1/skus/{sku}", token: "read-only", status: 200, want: []string{`"price_overrides":[`, `"price_override_summary":{"total":2,"price_zones":1,"stores":1`, `"price_overrides_url":"/api/v1/skus/{sku}/prices"`, `"scope_name":"` + storeA1 + `"`, `"scope_name":"华东"`, `"barcodes":["{ean}"]`}},
			{name: "other tenant's sku", method: "GET", path: "/api/v1/skus/{sku}", token: "admin-b", status: 404},
			{name: "get zone", method: "GET", path: "/api/v1/price-zones/{zone}", token: "read-only", status: 200, want: []string{`"id":"{zone}"`, `"code":"EAST"`, `"store_ids":["` + storeA1 + `","` + storeA2 + `"]`}},
			{name: "manager gets zone", method: "GET", path: "/api/v1/price-zones/{zone}", token: "manager", status: 200, want: []string{`"code":"EAST"`}},
			{name: "unknown zone", method: "GET", path: "/api/v1/price-zones/nope", token: "read-only", status: 404},
			{name: "other tenant gets zone", method: "GET", path: "/api/v1/price-zones/{zone}", token: "admin-b", status: 404},
			{name: "rename zone", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "admin-a", body: `{"name":"华东区"}`, status: 200, want: []string{`"name":"华东区"`, `"code":"EAST"`, `"store_ids":["` + storeA1 + `","` + storeA2 + `"]`}},
			{name: "zone code taken", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "admin-a", body: `{"code":"WEST"}`, status: 409, want: []string{"WEST"}},
			{name: "bad zone code", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "admin-a", body: `{"code":"a b"}`, status: 422, want: []string{"body.code"}},
			{name: "zone store_ids by PATCH", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "admin-a", body: `{"store_ids":[]}`, status: 422, want: []string{"store_ids"}},
			{name: "manager updates zone", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "manager", body: `{"name":"x"}`, status: 403},
			{name: "read-only updates zone", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "read-only", body: `{"name":"x"}`, status: 403, want: []string{"catalog:write"}},
			{name: "other tenant updates zone", method: "PATCH", path: "/api/v1/price-zones/{zone}", token: "admin-b", body: `{"name":"x"}`, status: 404},
			{name: "list sku prices", method: "GET", path: "/api/v1/skus/{sku}/prices", token: "read-only", status: 200,
				want: []string{`"items":[{"scope_type":"price_zone","scope_id":"{zone}","scope_name":"华东区","price_fen":340`, `"scope_type":"store","scope_id":"` + storeA1 + `"`, `"price_fen":360`}, unwanted: []string{"next_cursor"}},
			{name: "page of sku prices", method: "GET", path: "/api/v1/skus/{sku}/prices?limit=1", token: "read-only", status: 200, want: []string{`"scope_type":"price_zone"`, `"next_cursor"`}, unwanted: []string{`"scope_type":"store"`}},
			{name: "manager lists sku prices", method: "GET", path: "/api/v1/skus/{sku}/prices", token: "manager", status: 200, want: []string{`"scope_type":"store"`}},
			{name: "bad prices cursor", method: "GET", path: "/api/v1/skus/{sku}/prices?cursor=!!", token: "read-only", status: 422, want: []string{"cursor"}},
			{name: "bad prices limit", method: "GET", path: "/api/v1/skus/{sku}/prices?limit=0", token: "read-only", status: 422, want: []string{"limit"}},
			{name: "unknown sku prices", method: "GET", path: "/api/v1/skus/nope/prices", token: "read-only", status: 404},
			{name: "other tenant's sku prices", method: "GET", path: "/api/v1/skus/{sku}/prices", token: "admin-b", status: 404},
			{name: "manager deletes own store price", method: "DELETE", path: "/api/v1/skus/{sku}/prices/store/" + storeA1, token: "manager", status: 204},
			{name: "deleted price is gone", method: "DELETE", path: "/api/v1/skus/{sku}/prices/store/" + storeA1, token: "admin-a", status: 404},
			{name: "zone price after delete", method: "GET", path: "/api/v1/skus/{sku}/price?store_id=" + storeA1, token: "read-only", status: 200, want: []string{`"source":"price_zone"`}},
			{name: "import", method: "POST", path: "/api/v1/imports/skus", token: "admin-a", contentType: "text/csv",
				body:   "sku_code,product_code,product_name,category_code,sku_name,list_price\nFANTA-330,FANTA,芬达,FOOD,芬达 330ml,3.00\nBAD,FANTA,,,x,1.001\n",
				status: 200, want: []string{`"rows":2`, `"created":1`, `"failed":1`, `"line":3`, `"field":"list_price"`}},
			{name: "import without required columns", method: "POST", path: "/api/v1/imports/skus", token: "admin-a", contentType: "text/csv",
				body: "sku_code,name\nX,y\n", status: 422, want: []string{"product_code", "list_price"}},
			{name: "empty import", method: "POST", path: "/api/v1/imports/skus", token: "admin-a", contentType: "text/csv", status: 400, want: []string{"body is required"}},
			{name: "header-less import", method: "POST", path: "/api/v1/imports/skus", token: "admin-a", contentType: "text/csv", body: "\n", status: 422, want: []string{"empty"}},
			{name: "imported sku", method: "GET", path: "/api/v1/skus?q=FANTA", token: "read-only", status: 200, want: []string{`"list_price_fen":300`}},
			{name: "summary", method: "GET", path: "/api/v1/catalog-summary", token: "read-only", status: 200, want: []string{`"categories":2`, `"products":3`, `"skus":3`}},
			{name: "other tenant's summary", method: "GET", path: "/api/v1/catalog-summary", token: "admin-b", status: 200, want: []string{`"categories":0`, `"skus":0`}},
		}
		for _, sc := range scenarios {
			path, body := r.Replace(sc.path), r.Replace(sc.body)
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, err := http.NewRequest(sc.method, ts.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if sc.token != "" {
				req.Header.Set("Authorization", "Bearer "+sc.token)
			}
			ct := sc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != sc.status {
				t.Fatalf("%s: %s %s = %d %s, want %d", sc.name, sc.method, path, resp.StatusCode, got, sc.status)
			}
			for _, w := range sc.want {
				if w = r.Replace(w); !strings.Contains(string(got), w) {
					t.Fatalf("%s: body %s lacks %s", sc.name, got, w)
				}
			}
			for _, u := range sc.unwanted {
				if strings.Contains(string(got), r.Replace(u)) {
					t.Fatalf("%s: body %s has %s", sc.name, got, u)
				}
			}
			if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%s: error content type %q", sc.name, resp.Header.Get("Content-Type"))
			}
		}
	})
}

func TestHTTPImportTooLarge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"admin": principalOf(admin(tenantA))}})
		e.svc.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		body := strings.Repeat("x", MaxImportBytes+1)
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/imports/skus", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer admin")
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d, want 413", resp.StatusCode)
		}
	})
}
