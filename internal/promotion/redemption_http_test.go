package promotion

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func TestRedemptionHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{
			"merch": principal(tenantA, auth.Merchandiser),
			"pos":   principal(tenantA, auth.Integrator),
			"mkt":   principal(tenantA, auth.Marketer),
		}})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		status, body := do(t, ts, "POST", "/api/v1/promotions", "merch",
			`{"code":"TEN","name":"¥10 off milk","limits":{"budget_fen":1500,"max_uses":null},"definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":1000}}}`)
		if status != 201 || !strings.Contains(body, `"limits":{"budget_fen":1500,"max_uses":null,"max_uses_per_customer":null}`) ||
			!strings.Contains(body, `"usage":{"discount_fen":0,"uses":0}`) {
			t.Fatalf("create: %d %s", status, body)
		}
		var p PromotionResponse
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if status, body := do(t, ts, "POST", "/api/v1/promotions/"+p.ID+"/activate", "merch", ""); status != 200 {
			t.Fatalf("activate: %d %s", status, body)
		}
		_, priced := do(t, ts, "POST", "/api/v1/carts/price", "pos", cartJSON)
		steps := []struct {
			name, method, path, token, body string
			status                          int
			want                            []string
		}{
			{name: "commit the priced cart", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A1","customer_id":"alice","priced_cart":` + priced + `}`, status: 201,
				want: []string{`"order_id":"A1"`, `"status":"committed"`, `"code":"TEN"`, `"discount_fen":1000`}},
			{name: "replay returns the first result", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A1","promotions":[]}`, status: 201, want: []string{`"discount_fen":1000`}},
			{name: "budget left is ¥5", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A2","priced_cart":` + priced + `}`, status: 409,
				want: []string{`"type":"urn:oneretail:problem:budget_exhausted"`, `"promotion_id":"` + p.ID + `"`, `"promotion_code":"TEN"`}},
			{name: "slim list", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A3","promotions":[{"promotion_id":"` + p.ID + `","discount":500}]}`, status: 201},
			{name: "usage shows on the promotion", method: "GET", path: "/api/v1/promotions/" + p.ID, token: "mkt", status: 200,
				want: []string{`"usage":{"discount_fen":1500,"uses":2}`}},
			{name: "exhausted promotion not applied", method: "POST", path: "/api/v1/carts/price", token: "pos", body: cartJSON, status: 200,
				want: []string{`"code":"limit_reached"`, `budget of ¥15.00 is exhausted`}},
			{name: "both forms", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A4","priced_cart":` + priced + `,"promotions":[]}`, status: 422, want: []string{`body.promotions`}},
			{name: "unknown promotion", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A5","promotions":[{"promotion_id":"nope","discount":1}]}`, status: 422, want: []string{`body.promotions[0].promotion_id`}},
			{name: "marketer may not commit", method: "POST", path: "/api/v1/promotion-redemptions", token: "mkt",
				body: `{"order_id":"A6","promotions":[]}`, status: 403},
			{name: "cancel", method: "POST", path: "/api/v1/promotion-redemptions/A1/cancel", token: "pos", status: 200,
				want: []string{`"status":"cancelled"`, `"cancelled_at"`}},
			{name: "get", method: "GET", path: "/api/v1/promotion-redemptions/A1", token: "mkt", status: 200, want: []string{`"status":"cancelled"`}},
			{name: "cancel unknown", method: "POST", path: "/api/v1/promotion-redemptions/zz/cancel", token: "pos", status: 404},
			{name: "bad limit", method: "PATCH", path: "/api/v1/promotions/" + p.ID, token: "merch", body: `{"limits":{"budget_fen":0}}`, status: 422,
				want: []string{`body.limits.budget_fen`}},
			{name: "limits change while active", method: "PATCH", path: "/api/v1/promotions/" + p.ID, token: "merch", body: `{"limits":{"max_uses":10}}`, status: 200,
				want: []string{`"limits":{"budget_fen":null,"max_uses":10,"max_uses_per_customer":null}`, `"usage":{"discount_fen":500,"uses":1}`}},
		}
		for _, st := range steps {
			status, body := do(t, ts, st.method, st.path, st.token, st.body)
			if status != st.status {
				t.Fatalf("%s: %d %s", st.name, status, body)
			}
			for _, w := range st.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: %s lacks %s", st.name, body, w)
				}
			}
		}
	})
}
