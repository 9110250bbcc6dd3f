package loyalty

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

// TestStoredValueHTTP walks the stored-value, gift-card and membership API: a till
// tops up and spends, caps and references refuse with their fields, codes are masked
// outside the batch listing, PINs never come back after issuance.
func TestStoredValueHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		principal := func(r auth.Role, scope auth.ScopeType) *auth.Principal {
			return &auth.Principal{Kind: auth.UserPrincipal, ID: string(r), Name: string(r), TenantID: tenantA, Role: r,
				Scopes: auth.RoleScopes(r), DataScope: scope, DataID: "s1"}
		}
		tokens := fakeAuth{"mkt": principal(auth.Marketer, auth.TenantScope), "assoc": principal(auth.Associate, auth.StoreScope),
			"analyst": principal(auth.Analyst, auth.TenantScope)}
		srv := httpapi.New(httpapi.Options{Auth: tokens})
		f.s.RegisterStoredValue(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		status, resp := do(t, ts, "POST", "/api/v1/loyalty/gift-card-batches", "mkt", `{"name":"春节","face_value_fen":50000,"quantity":2}`)
		if status != 201 {
			t.Fatalf("issue: %d %s", status, resp)
		}
		var issued IssuedBatchResponse
		if err := json.Unmarshal([]byte(resp), &issued); err != nil || len(issued.Cards) != 2 || issued.Cards[0].PIN == "" {
			t.Fatalf("issued %s: %v", resp, err)
		}
		code, pin := issued.Cards[0].Code, issued.Cards[0].PIN
		r := strings.NewReplacer("{code}", code, "{pin}", pin, "{batch}", issued.Batch.ID)
		sv := "/api/v1/loyalty/customers/alice/stored-value"
		scenarios := []struct {
			name, method, path, token, body string
			status                          int
			want, not                       []string
		}{
			{name: "top-up without store", method: "POST", path: sv + "/top-ups", token: "assoc", body: `{"amount_fen":100,"reference":"a"}`, status: 422, want: []string{"body.store_id"}},
			{name: "top-up elsewhere", method: "POST", path: sv + "/top-ups", token: "assoc", body: `{"amount_fen":100,"reference":"a","store_id":"elsewhere"}`, status: 404},
			{name: "top-up", method: "POST", path: sv + "/top-ups", token: "assoc", body: `{"amount_fen":10000,"reference":"T1","store_id":"s1"}`, status: 201, want: []string{`"balance_fen":10000`, `"kind":"top_up"`}},
			{name: "top-up replayed", method: "POST", path: sv + "/top-ups", token: "assoc", body: `{"amount_fen":10000,"reference":"T1","store_id":"s1"}`, status: 201, want: []string{`"balance_fen":10000`}},
			{name: "top-up above cap", method: "POST", path: sv + "/top-ups", token: "assoc", body: `{"amount_fen":490001,"reference":"T2","store_id":"s1"}`, status: 422, want: []string{"body.amount_fen", "500000"}},
			{name: "spend too much", method: "POST", path: sv + "/spends", token: "assoc", body: `{"amount_fen":10001,"reference":"S1","store_id":"s1"}`, status: 409, want: []string{"not enough stored value"}},
			{name: "spend", method: "POST", path: sv + "/spends", token: "assoc", body: `{"amount_fen":2500,"reference":"S2","store_id":"s1"}`, status: 201, want: []string{`"amount_fen":-2500`, `"balance_fen":7500`}},
			{name: "associate adjusts", method: "POST", path: sv + "/adjustments", token: "assoc", body: `{"amount_fen":1,"reason":"x"}`, status: 403},
			{name: "analyst reads", method: "GET", path: sv, token: "analyst", status: 200, want: []string{`"balance_fen":7500`, `"kind":"spend"`}},
			{name: "associate issues", method: "POST", path: "/api/v1/loyalty/gift-card-batches", token: "assoc", body: `{"name":"x","quantity":1}`, status: 403},
			{name: "anonymous face above cap", method: "POST", path: "/api/v1/loyalty/gift-card-batches", token: "mkt", body: `{"name":"x","face_value_fen":100001,"quantity":1}`, status: 422, want: []string{"body.face_value_fen"}},
			{name: "typo in code", method: "POST", path: "/api/v1/loyalty/gift-cards/activations", token: "assoc", body: `{"code":"0000000000000000Z","store_id":"s1"}`, status: 422, want: []string{"body.code"}},
			{name: "sell", method: "POST", path: "/api/v1/loyalty/gift-cards/activations", token: "assoc", body: `{"code":"{code}","reference":"sale","store_id":"s1"}`, status: 201, want: []string{`"balance_fen":50000`, `"status":"active"`}, not: []string{"{code}", `"pin"`}},
			{name: "anonymous card beyond ¥1,000", method: "POST", path: "/api/v1/loyalty/gift-cards/top-ups", token: "assoc", body: `{"code":"{code}","amount_fen":50001,"reference":"g1","store_id":"s1"}`, status: 422, want: []string{"body.amount_fen", "100000"}},
			{name: "wrong pin", method: "POST", path: "/api/v1/loyalty/gift-cards/spends", token: "assoc", body: `{"code":"{code}","pin":"9999999","amount_fen":1,"reference":"g2","store_id":"s1"}`, status: 422, want: []string{"body.pin", "4 attempts left"}},
			{name: "spend card", method: "POST", path: "/api/v1/loyalty/gift-cards/spends", token: "assoc", body: `{"code":"{code}","pin":"{pin}","amount_fen":1000,"reference":"g3","store_id":"s1"}`, status: 201, want: []string{`"balance_fen":49000`}},
			{name: "balance enquiry", method: "POST", path: "/api/v1/loyalty/gift-cards/balance-enquiries", token: "analyst", body: `{"code":"{code}","pin":"{pin}"}`, status: 200, want: []string{`"balance_fen":49000`, `"code":"****`}, not: []string{"{code}"}},
			{name: "batch cards", method: "GET", path: "/api/v1/loyalty/gift-card-batches/{batch}/cards", token: "mkt", status: 200, want: []string{"{code}"}, not: []string{"{pin}", `"pin"`}},
			{name: "analyst lists codes", method: "GET", path: "/api/v1/loyalty/gift-card-batches/{batch}/cards", token: "analyst", status: 403},
			{name: "liability", method: "GET", path: "/api/v1/loyalty/stored-value/liability", token: "analyst", status: 200, want: []string{`"accounts_fen":7500`, `"cards_active_fen":49000`, `"cards_issued":1`, `"total_fen":56500`}},
			{name: "associate liability", method: "GET", path: "/api/v1/loyalty/stored-value/liability", token: "assoc", status: 403},
			{name: "plan", method: "POST", path: "/api/v1/loyalty/membership-plans", token: "mkt", body: `{"code":"PLUS","name":"Plus","period":"year","fee_fen":5000,"rebate_bp":200,"rebate_cap_fen":10000}`, status: 201, want: []string{`"multiplier_bp":10000`}},
			{name: "caps", method: "PUT", path: "/api/v1/loyalty/stored-value/settings", token: "mkt", body: `{"anonymous_card_cap_fen":200000,"registered_cap_fen":800000}`, status: 200, want: []string{`"anonymous_card_cap_fen":200000`}},
			{name: "higher cap", method: "POST", path: "/api/v1/loyalty/gift-cards/top-ups", token: "assoc", body: `{"code":"{code}","amount_fen":50001,"reference":"g1","store_id":"s1"}`, status: 201, want: []string{`"balance_fen":99001`}},
		}
		for _, sc := range scenarios {
			status, resp := do(t, ts, sc.method, r.Replace(sc.path), sc.token, r.Replace(sc.body))
			if status != sc.status {
				t.Errorf("%s: %d, want %d: %s", sc.name, status, sc.status, resp)
				continue
			}
			for _, w := range sc.want {
				if !strings.Contains(resp, r.Replace(w)) {
					t.Errorf("%s: %s lacks %s", sc.name, resp, r.Replace(w))
				}
			}
			for _, n := range sc.not {
				if strings.Contains(resp, r.Replace(n)) {
					t.Errorf("%s: %s has %s", sc.name, resp, r.Replace(n))
				}
			}
		}
		var plans itemsOf[MembershipPlanBody]
		_, resp = do(t, ts, "GET", "/api/v1/loyalty/membership-plans", "assoc", "")
		if err := json.Unmarshal([]byte(resp), &plans.Body); err != nil || len(plans.Body.Items) != 1 {
			t.Fatalf("plans %s: %v", resp, err)
		}
		status, resp = do(t, ts, "POST", "/api/v1/loyalty/customers/alice/memberships", "assoc",
			`{"plan_id":"`+plans.Body.Items[0].ID+`","method":"stored_value","reference":"M1","store_id":"s1"}`)
		if status != 201 {
			t.Fatalf("purchase: %d %s", status, resp)
		}
		if _, resp = do(t, ts, "GET", "/api/v1/loyalty/customers/alice/membership", "analyst", ""); !strings.Contains(resp, `"code":"PLUS"`) {
			t.Fatalf("membership: %s", resp)
		}
		if _, resp = do(t, ts, "GET", sv, "analyst", ""); !strings.Contains(resp, `"balance_fen":2500`) {
			t.Fatalf("after the fee: %s", resp)
		}
		t.Logf("%s: %d scenarios; caps refused 422 naming body.amount_fen / body.face_value_fen; codes masked outside the batch listing; PINs only at issuance; membership fee debited", d.Dialect, len(scenarios))
	})
}
