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

// redemptionServer serves s with a merchandiser ("merch"), an integrator ("pos"), a
// marketer ("mkt") of tenant A and an integrator of tenant B ("pos-b").
func redemptionServer(t *testing.T, s *Service) *httptest.Server {
	t.Helper()
	srv := httpapi.New(httpapi.Options{Auth: fakeAuth{
		"merch": principal(tenantA, auth.Merchandiser),
		"pos":   principal(tenantA, auth.Integrator),
		"mkt":   principal(tenantA, auth.Marketer),
		"pos-b": principal(tenantB, auth.Integrator),
	}})
	s.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return ts
}

// createActive creates and activates a promotion over HTTP and returns its id.
func createActive(t *testing.T, ts *httptest.Server, body string) string {
	t.Helper()
	status, created := do(t, ts, "POST", "/api/v1/promotions", "merch", body)
	if status != 201 {
		t.Fatalf("create: %d %s", status, created)
	}
	var p PromotionResponse
	if err := json.Unmarshal([]byte(created), &p); err != nil {
		t.Fatal(err)
	}
	if status, body := do(t, ts, "POST", "/api/v1/promotions/"+p.ID+"/activate", "merch", ""); status != 200 {
		t.Fatalf("activate: %d %s", status, body)
	}
	return p.ID
}

func TestRedemptionHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ts := redemptionServer(t, s)
		status, body := do(t, ts, "POST", "/api/v1/promotions", "merch",
			`{"code":"X","name":"x","limits":{"budget_fen":1500,"max_uses":null},"definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":1000}}}`)
		if status != 201 || !strings.Contains(body, `"limits":{"budget_fen":1500,"max_uses":null,"max_uses_per_customer":null}`) ||
			!strings.Contains(body, `"usage":{"discount_fen":0,"uses":0}`) {
			t.Fatalf("create: %d %s", status, body)
		}
		id := createActive(t, ts, `{"code":"TEN","name":"¥10 off milk","limits":{"budget_fen":1500},"definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":1000}}}`)
		_, priced := do(t, ts, "POST", "/api/v1/carts/price", "pos", cartJSON)
		token := tokenOf(t, priced)
		_, priced2 := do(t, ts, "POST", "/api/v1/carts/price", "pos", cartJSON)
		steps := []struct {
			name, method, path, token, body string
			status                          int
			want                            []string
		}{
			{name: "commit the priced cart", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A1","priced_token":"` + token + `"}`, status: 201,
				want: []string{`"order_id":"A1"`, `"status":"committed"`, `"code":"TEN"`, `"discount_fen":1000`, `"value_fen":1000`, `"priced":true`,
					`"payable_fen":23000`, `"line_id":"1"`, `"shares":[{"promotion_id":"` + id + `","discount_fen":1000}]`}},
			{name: "replay returns the first result", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A1","priced_token":"forged"}`, status: 201, want: []string{`"discount_fen":1000`}},
			{name: "the token commits one order", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A9","priced_token":"` + token + `"}`, status: 409,
				want: []string{`"type":"urn:oneretail:problem:priced_token_used"`, `"location":"body.priced_token"`}},
			{name: "budget left is ¥5", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A2","priced_token":"` + tokenOf(t, priced2) + `"}`, status: 409,
				want: []string{`"type":"urn:oneretail:problem:budget_exhausted"`, `"promotion_id":"` + id + `"`, `"promotion_code":"TEN"`}},
			{name: "a cart priced again: the till's payable is not the server's", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A3","cart":` + cartJSON + `,"payable":22000}`, status: 409,
				want: []string{`"type":"urn:oneretail:problem:price_mismatch"`, `"payable":23000`, `"location":"body.payable"`}},
			{name: "a cart priced again: the budget refuses", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A3","cart":` + cartJSON + `,"payable":23000}`, status: 409,
				want: []string{`"type":"urn:oneretail:problem:budget_exhausted"`}},
			{name: "a cart priced again without promotions", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A3","cart":{"lines":[{"id":"1","sku":"BREAD","unit":"each","qty":1,"unit_price":12000}]},"payable":12000}`, status: 201,
				want: []string{`"redemptions":[]`, `"payable_fen":12000`, `"sku":"BREAD"`}},
			{name: "a bad cart line names the field under body.cart", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body:   `{"order_id":"A5","cart":{"lines":[{"id":"1","sku":"BREAD","unit":"each","qty":1,"unit_price":12000},{"id":"1","sku":"B","unit":"each","qty":1,"unit_price":1}]},"payable":1}`,
				status: 422, want: []string{`body.cart.lines[1].id`}},
			{name: "usage shows on the promotion", method: "GET", path: "/api/v1/promotions/" + id, token: "mkt", status: 200,
				want: []string{`"usage":{"discount_fen":1000,"uses":1}`}},
			{name: "the old client-stated shape is gone", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos",
				body: `{"order_id":"A4","promotions":[{"promotion_id":"` + id + `","discount":500}]}`, status: 422, want: []string{`promotions`}},
			{name: "another tenant's token", method: "POST", path: "/api/v1/promotion-redemptions", token: "pos-b",
				body: `{"order_id":"B1","priced_token":"` + tokenOf(t, priced2) + `"}`, status: 422, want: []string{`body.priced_token`}},
			{name: "marketer may not commit", method: "POST", path: "/api/v1/promotion-redemptions", token: "mkt",
				body: `{"order_id":"A6","priced_token":"` + tokenOf(t, priced2) + `"}`, status: 403},
			{name: "quote a return of the committed order", method: "POST", path: "/api/v1/carts/return-quote", token: "pos",
				body: `{"order_id":"A1","returned":{"1":2}}`, status: 200, want: []string{`"refund":11000`}},
			{name: "cancel", method: "POST", path: "/api/v1/promotion-redemptions/A1/cancel", token: "pos", status: 200,
				want: []string{`"status":"cancelled"`, `"cancelled_at"`}},
			{name: "get", method: "GET", path: "/api/v1/promotion-redemptions/A1", token: "mkt", status: 200, want: []string{`"status":"cancelled"`}},
			{name: "no return quote for a cancelled order", method: "POST", path: "/api/v1/carts/return-quote", token: "pos",
				body: `{"order_id":"A1","returned":{"1":1}}`, status: 409, want: []string{`"type":"urn:oneretail:problem:redemption_cancelled"`}},
			{name: "cancel unknown", method: "POST", path: "/api/v1/promotion-redemptions/zz/cancel", token: "pos", status: 404},
			{name: "return quote for an unknown order", method: "POST", path: "/api/v1/carts/return-quote", token: "pos",
				body: `{"order_id":"zz","returned":{"1":1}}`, status: 404},
			{name: "bad limit", method: "PATCH", path: "/api/v1/promotions/" + id, token: "merch", body: `{"limits":{"budget_fen":0}}`, status: 422,
				want: []string{`body.limits.budget_fen`}},
			{name: "limits change while active", method: "PATCH", path: "/api/v1/promotions/" + id, token: "merch", body: `{"limits":{"max_uses":10}}`, status: 200,
				want: []string{`"limits":{"budget_fen":null,"max_uses":10,"max_uses_per_customer":null}`, `"usage":{"discount_fen":0,"uses":0}`}},
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
