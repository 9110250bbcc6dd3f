package promotion

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func postCSV(t *testing.T, ts *httptest.Server, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// simulationServer serves s with a merchandiser ("merch"), a marketer ("mkt") and an
// integrator ("pos") of tenant A.
func simulationServer(t *testing.T, s *Service) *httptest.Server {
	t.Helper()
	srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"merch": principal(tenantA, auth.Merchandiser),
		"mkt": principal(tenantA, auth.Marketer), "pos": principal(tenantA, auth.Integrator)}})
	s.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return ts
}

const basketCSV = `order_id,ordered_at,store_id,channel,customer_id,customer_tier,sku_id,category_id,brand_id,quantity,unit_price_fen,unit_cost_fen
O1,2026-03-02 10:00:00,S1,pos,c1,gold,MILK,dairy,,2,6000,4000
O1,2026-03-02 10:00:00,S1,pos,c1,gold,BREAD,bakery,,1,12000,8000
O2,2026-03-02 15:00:00,S1,pos,,,BREAD,bakery,,1,12000,
O3,2026-03-03T09:00:00+08:00,S2,app,c2,,MILK,dairy,,1,6000,
O4,2026-03-03 09:00:00,S2,app,c2,,MILK,dairy,,many,6000,
`

func TestSimulationHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ts := simulationServer(t, s)
		ctx := as(tenantA, auth.Merchandiser)
		half := mustCreate(t, s, ctx, "HALF", secondHalf())
		if _, err := s.Activate(ctx, half.ID); err != nil {
			t.Fatal(err)
		}
		mj := mustCreate(t, s, ctx, "MJ", manjian()) // a draft: simulated by id

		status, body := postCSV(t, ts, "/api/v1/basket-sets?name=March", "merch", basketCSV)
		if status != 201 {
			t.Fatalf("import: %d %s", status, body)
		}
		var set BasketSetImportResponse
		if err := json.Unmarshal([]byte(body), &set); err != nil {
			t.Fatal(err)
		}
		if set.Orders != 3 || set.Lines != 4 || set.Rejected != 1 || len(set.Errors) != 1 ||
			set.Errors[0] != (BasketRowError{Line: 6, Field: "quantity", Reason: "must be a whole number 1..1000000"}) ||
			set.FirstOrderAt.UTC().Format("2006-01-02T15") != "2026-03-02T02" {
			t.Fatalf("import report %+v", set)
		}
		draft := `{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":19900,"off":2000},{"spend":29900,"off":5000}]}}`
		for _, req := range []string{
			`{"basket_set_id":"` + set.ID + `","promotion_id":"` + mj.ID + `"}`,
			`{"basket_set_id":"` + set.ID + `","definition":` + draft + `}`,
		} {
			status, body = do(t, ts, "POST", "/api/v1/promotion-simulations", "mkt", req)
			if status != 201 {
				t.Fatalf("simulate: %d %s", status, body)
			}
			var rep SimulationReport
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatal(err)
			}
			// O1 (¥240): 第二件半价 takes ¥30 off MILK in both runs, and the ¥199 tier of 满减,
			// measured after it (¥210), takes ¥20 more; O2 and O3 stay below ¥199.
			if rep.Orders != 3 || rep.AffectedOrders != 1 || rep.GrossFen != 42000 || rep.DiscountFen != 2000 ||
				rep.MarginBeforeFen != 23000 || rep.MarginAfterFen != 21000 || rep.MarginImpactFen != -2000 {
				t.Errorf("totals %+v", rep)
			}
			if len(rep.ByDay) != 2 || rep.ByDay[0] != (SimulationDay{Date: "2026-03-02", Orders: 2, AffectedOrders: 1, DiscountFen: 2000}) ||
				rep.ByDay[1] != (SimulationDay{Date: "2026-03-03", Orders: 1}) {
				t.Errorf("by day %+v", rep.ByDay)
			}
			if len(rep.TopSKUs) != 2 || rep.TopSKUs[0] != (SimulationSKU{SKUID: "BREAD", DiscountFen: 1143, Quantity: 1}) ||
				rep.TopSKUs[1] != (SimulationSKU{SKUID: "MILK", DiscountFen: 857, Quantity: 2}) {
				t.Errorf("top skus %+v", rep.TopSKUs)
			}
			var bucketed int64
			for _, b := range rep.SavingsHistogram {
				bucketed += b.Orders
				if b.Orders == 1 && (b.MinFen != 2000 || b.MaxFen == nil || *b.MaxFen != 5000) {
					t.Errorf("bucket %+v", b)
				}
			}
			if bucketed != 1 || len(rep.Others) != 1 || rep.Others[0] != half.ID {
				t.Errorf("histogram %+v, others %v", rep.SavingsHistogram, rep.Others)
			}
			status, stored := do(t, ts, "GET", "/api/v1/promotion-simulations/"+rep.ID, "mkt", "")
			if status != 200 || !strings.Contains(stored, `"discount_fen":2000`) {
				t.Errorf("stored report: %d %s", status, stored)
			}
		}
		for _, tc := range []struct {
			name, method, path, token, body string
			csv                             bool
			status                          int
			want                            string
		}{
			{name: "list", method: "GET", path: "/api/v1/basket-sets", token: "mkt", status: 200, want: `"name":"March"`},
			{name: "get", method: "GET", path: "/api/v1/basket-sets/" + set.ID, token: "mkt", status: 200, want: `"orders":3`},
			{name: "marketer may not import", method: "POST", path: "/api/v1/basket-sets?name=x", token: "mkt", csv: true, body: basketCSV, status: 403},
			{name: "no valid order", method: "POST", path: "/api/v1/basket-sets?name=x", token: "merch", csv: true,
				body: "order_id,ordered_at,sku_id,quantity,unit_price_fen\nO1,never,M,1,1\n", status: 422, want: `line 2: ordered_at`},
			{name: "missing column", method: "POST", path: "/api/v1/basket-sets?name=x", token: "merch", csv: true,
				body: "order_id,sku_id\n", status: 422, want: `ordered_at`},
			{name: "no name", method: "POST", path: "/api/v1/basket-sets", token: "merch", csv: true, body: basketCSV, status: 422, want: `name`},
			{name: "unknown basket set", method: "POST", path: "/api/v1/promotion-simulations", token: "mkt",
				body: `{"basket_set_id":"nope","promotion_id":"` + mj.ID + `"}`, status: 422, want: `body.basket_set_id`},
			{name: "contradictory draft", method: "POST", path: "/api/v1/promotion-simulations", token: "mkt",
				body: `{"basket_set_id":"` + set.ID + `","definition":{"kind":"threshold","scope":{"all":true},"threshold":{}}}`, status: 422, want: `body.definition.threshold`},
			{name: "neither promotion nor draft", method: "POST", path: "/api/v1/promotion-simulations", token: "mkt",
				body: `{"basket_set_id":"` + set.ID + `"}`, status: 422, want: `body.promotion_id`},
			{name: "unknown simulation", method: "GET", path: "/api/v1/promotion-simulations/nope", token: "mkt", status: 404},
		} {
			var status int
			var body string
			if tc.csv {
				status, body = postCSV(t, ts, tc.path, tc.token, tc.body)
			} else {
				status, body = do(t, ts, tc.method, tc.path, tc.token, tc.body)
			}
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d %s", tc.name, status, body)
			}
		}
	})
}
