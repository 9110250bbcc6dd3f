package catalog

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// TestSecurity12_CatalogMoneyBounded (issue 10 finding 12): every money field the
// catalogue accepts — list price, cost, store and zone overrides, imported prices —
// is bounded by the pricing engine's maximum (money.MaxAmount, ¥10,000,000.00) with
// a 422 naming the field, so that no price the catalogue hands to pricing can
// overflow a cart; the maximum itself is accepted.
func TestSecurity12_CatalogMoneyBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		food := mkCategory(t, e, ctx, "FOOD", "")
		cola := mkProduct(t, e, ctx, "COLA", food.ID)
		sku := mkSKU(t, e, ctx, "COLA-330", cola.ID, 350)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		over, huge := int64(money.MaxAmount+1), int64(1<<62)
		tests := []struct {
			name  string
			do    func() error
			field string // "" means accepted
		}{
			{name: "list price at the maximum", do: func() error {
				_, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "MAX", Name: "max", ListPriceFen: money.MaxAmount, CostFen: money.MaxAmount})
				return err
			}},
			{name: "list price over", field: "body.list_price_fen", do: func() error {
				_, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "OVER", Name: "over", ListPriceFen: over})
				return err
			}},
			{name: "cost over", field: "body.cost_fen", do: func() error {
				_, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "COST", Name: "cost", ListPriceFen: 100, CostFen: huge})
				return err
			}},
			{name: "updated list price over", field: "body.list_price_fen", do: func() error {
				_, err := e.svc.UpdateSKU(ctx, sku.ID, SKUUpdate{ListPriceFen: &huge})
				return err
			}},
			{name: "updated cost over", field: "body.cost_fen", do: func() error {
				_, err := e.svc.UpdateSKU(ctx, sku.ID, SKUUpdate{CostFen: &over})
				return err
			}},
			{name: "store price over", field: "body.price_fen", do: func() error {
				_, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, over)
				return err
			}},
			{name: "zone price over", field: "body.price_fen", do: func() error {
				_, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, huge)
				return err
			}},
			{name: "zone price at the maximum", do: func() error {
				_, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, money.MaxAmount)
				return err
			}},
		}
		for _, tc := range tests {
			err := tc.do()
			if tc.field == "" {
				if err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
				continue
			}
			wantCode(t, err, errs.Invalid, tc.field)
		}
		got, err := e.svc.FindSKUByID(ctx, sku.ID)
		if err != nil || got.ListPriceFen != 350 || got.CostFen != 175 {
			t.Errorf("a refused change was written: %+v %v", got, err)
		}

		// An imported price over the maximum rejects its row, naming the column.
		rep, err := e.svc.ImportSKUs(ctx, strings.NewReader("sku_code,product_code,sku_name,list_price,cost\n"+
			"BIG,COLA,big,100000000.00,1\nBIGCOST,COLA,big cost,1,92233720368547758.07\nOK,COLA,ok,10000000.00,0\n"), ImportOptions{})
		if err != nil || rep.Created != 1 || rep.Failed != 2 || rep.Errors[0].Field != "list_price" || rep.Errors[1].Field != "cost" {
			t.Errorf("import: %+v %v", rep, err)
		}

		// Over HTTP the bound is part of the schema: 422 naming the field.
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"admin": principalOf(ctx)}})
		e.svc.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		for _, body := range []string{
			`{"product_id":"` + cola.ID + `","code":"H","name":"h","list_price_fen":9223372036854775807}`,
			`{"product_id":"` + cola.ID + `","code":"H","name":"h","list_price_fen":100,"cost_fen":1000000001}`,
		} {
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/skus", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer admin")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 422 {
				t.Errorf("POST /skus %s: %d, want 422", body, resp.StatusCode)
			}
		}
	})
}
