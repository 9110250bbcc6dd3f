package promotion

import (
	"context"
	"encoding/json"
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
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

type fakeAuth map[string]*auth.Principal

func (f fakeAuth) Authenticate(_ context.Context, token string) (*auth.Principal, error) {
	if p, ok := f[token]; ok {
		return p, nil
	}
	return nil, errs.E(errs.Unauthorized, "unknown token")
}

func do(t *testing.T, ts *httptest.Server, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// tokenOf returns the priced_token of a price response.
func tokenOf(t *testing.T, priced string) string {
	t.Helper()
	var r CartPriceResponse
	if err := json.Unmarshal([]byte(priced), &r); err != nil || r.PricedToken == "" {
		t.Fatalf("no priced_token in %s (%v)", priced, err)
	}
	return r.PricedToken
}

const cartJSON = `{"lines":[{"id":"1","sku":"MILK","unit":"each","qty":2,"unit_price":6000},{"id":"2","sku":"BREAD","unit":"each","qty":1,"unit_price":12000}]}`

func TestHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		tokens := fakeAuth{
			"merch":   principal(tenantA, auth.Merchandiser),
			"mkt":     principal(tenantA, auth.Marketer),
			"pos":     principal(tenantA, auth.Integrator),
			"merch-b": principal(tenantB, auth.Merchandiser),
			"analyst": principal(tenantA, auth.Analyst),
		}
		srv := httpapi.New(httpapi.Options{Auth: tokens})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		mj := `{"code":"MJ","name":"满199减20","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":19900,"off":2000},{"spend":29900,"off":5000}]}}}`
		half := `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["MILK"]},"nth_item":{"n":2,"off_bp":5000}}}`
		ids := map[string]string{}
		for code, body := range map[string]string{"MJ": mj, "HALF": half} {
			status, resp := do(t, ts, "POST", "/api/v1/promotions", "merch", body)
			if status != 201 {
				t.Fatalf("create %s: %d %s", code, status, resp)
			}
			var p PromotionResponse
			if err := json.Unmarshal([]byte(resp), &p); err != nil {
				t.Fatal(err)
			}
			ids[code] = p.ID
		}
		r := strings.NewReplacer("{mj}", ids["MJ"], "{half}", ids["HALF"])
		scenarios := []struct {
			name, method, path, token, body string
			status                          int
			want                            []string
		}{
			{name: "no token", method: "GET", path: "/api/v1/promotions", status: 401},
			{name: "price without token", method: "POST", path: "/api/v1/carts/price", body: cartJSON, status: 401},
			{name: "marketer creates", method: "POST", path: "/api/v1/promotions", token: "mkt", body: mj, status: 403},
			{name: "analyst prices", method: "POST", path: "/api/v1/carts/price", token: "analyst", body: cartJSON, status: 403, want: []string{"pricing:use"}},
			{name: "contradictory definition", method: "POST", path: "/api/v1/promotions", token: "merch",
				body:   `{"code":"BAD","name":"x","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":100,"off":500}]}}}`,
				status: 422, want: []string{"body.definition.threshold.tiers[0].off"}},
			{name: "unknown definition field", method: "POST", path: "/api/v1/promotions", token: "merch",
				body: `{"code":"BAD","name":"x","definition":{"kind":"threshold","colour":"red"}}`, status: 422, want: []string{"body.definition", "colour"}},
			{name: "list", method: "GET", path: "/api/v1/promotions?status=draft", token: "mkt", status: 200, want: []string{`"code":"MJ"`, `"code":"HALF"`}},
			{name: "other tenant gets", method: "GET", path: "/api/v1/promotions/{mj}", token: "merch-b", status: 404},
			{name: "other tenant activates", method: "POST", path: "/api/v1/promotions/{mj}/activate", token: "merch-b", status: 404},
			{name: "preview a draft", method: "POST", path: "/api/v1/promotions/{half}/preview", token: "mkt", body: cartJSON, status: 200, want: []string{`"total":21000`}},
			{name: "price before activation", method: "POST", path: "/api/v1/carts/price", token: "pos", body: cartJSON, status: 200, want: []string{`"total":24000`}},
			{name: "activate 满减", method: "POST", path: "/api/v1/promotions/{mj}/activate", token: "merch", status: 200, want: []string{`"status":"active"`}},
			{name: "activate 第二件半价", method: "POST", path: "/api/v1/promotions/{half}/activate", token: "merch", status: 200, want: []string{`"status":"active"`}},
			// ¥240: 第二件半价 takes ¥30 off the second MILK; ¥210 after item discounts
			// meets spend ¥199, save ¥20: ¥190.
			{name: "price with both", method: "POST", path: "/api/v1/carts/price", token: "pos", body: cartJSON, status: 200,
				want: []string{`"subtotal":24000`, `"discount":5000`, `"total":19000`, `"promotion_id":"{half}"`, `"promotion_id":"{mj}"`}},
			{name: "bad cart", method: "POST", path: "/api/v1/carts/price", token: "pos", body: `{"lines":[{"id":"1","sku":"A","unit":"each","qty":1,"unit_price":1},{"id":"1","sku":"B","unit":"each","qty":1,"unit_price":1}]}`,
				status: 422, want: []string{"body.lines[1].id"}},
			{name: "bad time zone", method: "POST", path: "/api/v1/carts/price", token: "pos", body: `{"time_zone":"Mars/Olympus","lines":[{"id":"1","sku":"A","unit":"each","qty":1,"unit_price":1}]}`,
				status: 422, want: []string{"body.time_zone"}},
			{name: "pause 第二件半价", method: "POST", path: "/api/v1/promotions/{half}/pause", token: "merch", status: 200, want: []string{`"status":"paused"`}},
			// ¥240 meets spend ¥199 only: save ¥20.
			{name: "price after pause", method: "POST", path: "/api/v1/carts/price", token: "pos", body: cartJSON, status: 200, want: []string{`"total":22000`}},
			{name: "edit paused", method: "PATCH", path: "/api/v1/promotions/{half}", token: "merch", body: `{"definition":{"kind":"nth_item","scope":{"skus":["MILK"]},"nth_item":{"n":2,"off_bp":10000}}}`, status: 200, want: []string{`"off_bp":10000`}},
			{name: "create a member price", method: "POST", path: "/api/v1/promotions", token: "merch",
				body:   `{"code":"MILK-GOLD","name":"金卡会员价","definition":{"kind":"special_price","scope":{"skus":["MILK"]},"special_price":{"prices":[{"tier":"gold","price":1280},{"off":100}],"max_per_customer":2}}}`,
				status: 201, want: []string{`"tier":"gold"`, `"max_per_customer":2`}},
			{name: "create buy A get B", method: "POST", path: "/api/v1/promotions", token: "merch",
				body:   `{"code":"SWEATER-TEE","name":"买毛衣送T恤","definition":{"kind":"buy_a_get_b","scope":{"categories":["sweaters"]},"buy_a_get_b":{"buy":1,"reward":{"categories":["tees"]},"get":1,"off_bp":10000,"pick":"cheapest"}}}`,
				status: 201, want: []string{`"reward":{"categories":["tees"]}`}},
			{name: "buy A get B without reward", method: "POST", path: "/api/v1/promotions", token: "merch",
				body:   `{"code":"BAD2","name":"x","definition":{"kind":"buy_a_get_b","scope":{"categories":["sweaters"]},"buy_a_get_b":{"buy":1,"get":1,"off_bp":10000}}}`,
				status: 422, want: []string{"body.definition.buy_a_get_b.reward"}},
			{name: "settings default", method: "GET", path: "/api/v1/pricing-settings", token: "pos", status: 200,
				want: []string{`"item_stacking":"one_per_unit"`, `"time_zone":"Asia/Shanghai"`}},
			{name: "settings need promotions:write", method: "PATCH", path: "/api/v1/pricing-settings", token: "mkt", body: `{"item_stacking":"stack"}`, status: 403},
			{name: "settings bad rule", method: "PATCH", path: "/api/v1/pricing-settings", token: "merch", body: `{"item_stacking":"many"}`, status: 422,
				want: []string{"body.item_stacking"}},
			{name: "settings bad zone", method: "PATCH", path: "/api/v1/pricing-settings", token: "merch", body: `{"time_zone":"Mars/Olympus"}`, status: 422,
				want: []string{"body.time_zone"}},
			{name: "settings other tenant", method: "PATCH", path: "/api/v1/pricing-settings", token: "merch-b", body: `{"time_zone":"Asia/Urumqi"}`, status: 200,
				want: []string{`"time_zone":"Asia/Urumqi"`, `"updated_at"`}},
			{name: "settings unchanged here", method: "GET", path: "/api/v1/pricing-settings", token: "mkt", status: 200, want: []string{`"time_zone":"Asia/Shanghai"`}},
			{name: "edit active", method: "PATCH", path: "/api/v1/promotions/{mj}", token: "merch", body: `{"definition":{"kind":"threshold","scope":{"all":true},"threshold":{"repeat":{"every":10000,"off":1000}}}}`, status: 409},
		}
		for _, sc := range scenarios {
			status, body := do(t, ts, sc.method, r.Replace(sc.path), sc.token, sc.body)
			if status != sc.status {
				t.Errorf("%s: status %d, want %d: %s", sc.name, status, sc.status, body)
				continue
			}
			for _, w := range sc.want {
				if !strings.Contains(body, r.Replace(w)) {
					t.Errorf("%s: %s lacks %s", sc.name, body, r.Replace(w))
				}
			}
		}

		// A return quote from the priced cart's token: return the BREAD line.
		_, priced := do(t, ts, "POST", "/api/v1/carts/price", "pos", cartJSON)
		token := tokenOf(t, priced)
		status, body := do(t, ts, "POST", "/api/v1/carts/return-quote", "pos", `{"priced_token":"`+token+`","returned":{"2":1}}`)
		// ¥220 total with ¥20 prorated 12000:12000 → ¥10 on BREAD: refund ¥110.
		if status != 200 || !strings.Contains(body, `"refund":11000`) {
			t.Errorf("return quote: %d %s", status, body)
		}
		status, body = do(t, ts, "POST", "/api/v1/carts/return-quote", "pos", `{"priced_token":"`+token+`","returned":{"9":1}}`)
		if status != 422 || !strings.Contains(body, "body.returned.9") {
			t.Errorf("return unknown line: %d %s", status, body)
		}
		// A preview prices a draft: it gives no token to commit.
		if status, body := do(t, ts, "POST", r.Replace("/api/v1/promotions/{half}/preview"), "mkt", cartJSON); status != 200 || strings.Contains(body, "priced_token") {
			t.Errorf("preview: %d %s", status, body)
		}
	})
}

// TestPriceDetailLines checks the lean price response of ?detail=lines: the same
// money, lines, allocations and applied promotions as the full one, a priced_token
// that quotes returns alike, and none of the explanation the full one carries.
func TestPriceDetailLines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		merch := as(tenantA, auth.Merchandiser)
		for _, def := range []struct {
			code string
			def  func() engine.Promotion
		}{{"MJ", manjian}, {"HALF", secondHalf}} {
			if _, err := s.Activate(merch, mustCreate(t, s, merch, def.code, def.def()).ID); err != nil {
				t.Fatal(err)
			}
		}
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"pos": principal(tenantA, auth.Integrator)}})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		price := func(query string) (CartPriceResponse, map[string]any, string) {
			t.Helper()
			status, body := do(t, ts, "POST", "/api/v1/carts/price"+query, "pos", cartJSON)
			if status != 200 {
				t.Fatalf("price%s: %d %s", query, status, body)
			}
			var typed CartPriceResponse
			var raw map[string]any
			if err := json.Unmarshal([]byte(body), &typed); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(body), &raw); err != nil {
				t.Fatal(err)
			}
			return typed, raw, body
		}
		full, fullRaw, fullBody := price("")
		lean, leanRaw, leanBody := price("?detail=lines")
		if full.Total != 19000 || lean.Total != full.Total || lean.Payable != full.Payable || lean.Discount != full.Discount ||
			len(lean.Lines) != len(full.Lines) || len(lean.Applied) != 2 || len(full.Applied) != 2 {
			t.Fatalf("lean %+v differs from full %+v", lean, full)
		}
		for i, l := range lean.Lines {
			f := full.Lines[i]
			if l.ID != f.ID || l.Net != f.Net || l.Discount != f.Discount || len(l.Allocations) != len(f.Allocations) {
				t.Errorf("line %d: lean %+v, full %+v", i, l, f)
			}
		}
		for i, a := range lean.Applied {
			f := full.Applied[i]
			if a.PromotionID != f.PromotionID || a.Discount != f.Discount || a.Message != f.Message || len(a.Lines) != len(f.Lines) {
				t.Errorf("applied %d: lean %+v, full %+v", i, a, f)
			}
		}
		if _, ok := fullRaw["rejected"]; !ok {
			t.Errorf("full response lacks rejected: %s", fullBody)
		}
		if _, ok := leanRaw["rejected"]; ok {
			t.Errorf("lean response has rejected: %s", leanBody)
		}
		for i, a := range leanRaw["applied"].([]any) {
			m := a.(map[string]any)
			if _, ok := m["basis"]; ok {
				t.Errorf("lean applied %d has basis", i)
			}
			if _, ok := m["promotion"]; ok {
				t.Errorf("lean applied %d has the definition", i)
			}
			full := fullRaw["applied"].([]any)[i].(map[string]any)
			if _, ok := full["basis"]; !ok {
				t.Errorf("full applied %d lacks basis", i)
			}
			if _, ok := full["promotion"]; !ok {
				t.Errorf("full applied %d lacks the definition", i)
			}
		}
		if len(leanBody) >= len(fullBody) {
			t.Errorf("lean response %d bytes, full %d", len(leanBody), len(fullBody))
		}
		// The lean token quotes a return like the full one: BREAD's ¥120 less its
		// 12000/21000 share of the ¥20 满减.
		for _, tok := range []string{lean.PricedToken, full.PricedToken} {
			status, body := do(t, ts, "POST", "/api/v1/carts/return-quote", "pos", `{"priced_token":"`+tok+`","returned":{"2":1}}`)
			if status != 200 || !strings.Contains(body, `"refund":10857`) {
				t.Errorf("return quote: %d %s", status, body)
			}
		}
		if status, body := do(t, ts, "POST", "/api/v1/carts/price?detail=everything", "pos", cartJSON); status != 422 ||
			!strings.Contains(body, "query.detail") {
			t.Errorf("unknown detail: %d %s", status, body)
		}
	})
}

// TestPriceCartValidation holds POST /api/v1/carts/price, which decodes its body once
// and checks it in Go, to the verdicts of huma's schema validation, which the preview
// of the same cart still runs: the same status, and the location the schema names.
func TestPriceCartValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		merch := as(tenantA, auth.Merchandiser)
		draft := mustCreate(t, s, merch, "HALF", secondHalf())
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"merch": principal(tenantA, auth.Merchandiser)}})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		line := func(fields string) string { return `{"lines":[` + fields + `]}` }
		ok := `"id":"1","sku":"MILK","unit":"each","qty":1,"unit_price":100`
		long := strings.Repeat("长", 65)
		tests := []struct {
			name, body string
			status     int
			location   string
		}{
			{"valid", line(`{` + ok + `}`), 200, ""},
			{"valid with every field", `{"lines":[{` + ok + `,"category":"C","brand":"B","batch":"b1","expiry":"2026-03-09"}],"delivery_fee":500,` +
				`"delivery_method":"express","time":"2026-03-01T08:00:00Z","time_zone":"Asia/Shanghai","channel":"pos","region":"east","brand":"x",` +
				`"tier":"gold","segments":["s"],"first_order":true,"payment_method":"cash","coupons":[],"flash_allowance":{"p":1}}`, 200, ""},
			{"no lines", `{}`, 422, "body.lines"},
			{"empty lines", line(``), 422, "body.lines"},
			{"missing unit_price", line(`{"id":"1","sku":"MILK","unit":"each","qty":1}`), 422, "body.lines[0].unit_price"},
			{"missing qty", line(`{"id":"1","sku":"MILK","unit":"each","unit_price":1}`), 422, "body.lines[0].qty"},
			{"missing id", line(`{"sku":"MILK","unit":"each","qty":1,"unit_price":1}`), 422, "body.lines[0].id"},
			{"empty sku", line(`{"id":"1","sku":"","unit":"each","qty":1,"unit_price":1}`), 422, "body.lines[0].sku"},
			{"zero qty", line(`{"id":"1","sku":"MILK","unit":"each","qty":0,"unit_price":1}`), 422, "body.lines[0].qty"},
			{"negative price", line(`{"id":"1","sku":"MILK","unit":"each","qty":1,"unit_price":-1}`), 422, "body.lines[0].unit_price"},
			{"price too high", line(`{"id":"1","sku":"MILK","unit":"each","qty":1,"unit_price":1000000001}`), 422, "body.lines[0].unit_price"},
			{"unknown unit", line(`{"id":"1","sku":"MILK","unit":"box","qty":1,"unit_price":1}`), 422, "body.lines[0].unit"},
			{"long category", line(`{` + ok + `,"category":"` + long + `"}`), 422, "body.lines[0].category"},
			{"bad expiry", line(`{` + ok + `,"expiry":"9 March"}`), 422, "body.lines[0].expiry"},
			{"negative delivery fee", `{"lines":[{` + ok + `}],"delivery_fee":-5}`, 422, "body.delivery_fee"},
			{"long tier", `{"lines":[{` + ok + `}],"tier":"` + long + `"}`, 422, "body.tier"},
			{"too many coupons", `{"lines":[{` + ok + `}],"coupons":[` + strings.Repeat(`"c",`, 20) + `"c"]}`, 422, "body.coupons"},
			{"unknown field", `{"lines":[{` + ok + `}],"colour":"red"}`, 422, "colour"},
			{"unknown line field", line(`{` + ok + `,"colour":"red"}`), 422, "colour"},
			{"wrong type", line(`{"id":"1","sku":"MILK","unit":"each","qty":"2","unit_price":1}`), 422, "qty"},
			{"not JSON", `{"lines":`, 400, ""},
		}
		for _, tt := range tests {
			status, body := do(t, ts, "POST", "/api/v1/carts/price", "merch", tt.body)
			if status != tt.status || !strings.Contains(body, tt.location) {
				t.Errorf("%s: price %d %s, want %d naming %s", tt.name, status, body, tt.status, tt.location)
			}
			if preview, body := do(t, ts, "POST", "/api/v1/promotions/"+draft.ID+"/preview", "merch", tt.body); preview != tt.status {
				t.Errorf("%s: the schema's verdict (preview) is %d %s, want %d", tt.name, preview, body, tt.status)
			}
		}
	})
}
