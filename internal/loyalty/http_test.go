package loyalty

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

// TestHTTP walks the API as a scenario table: set-up by a marketer, enrolment and
// redemption at a till, the ledger, and the refusals with their fields.
func TestHTTP(t *testing.T) {
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
		f.s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		status, resp := do(t, ts, "POST", "/api/v1/loyalty/programs", "mkt",
			`{"code":"CLUB","name":"会员","points_per_yuan":1,"growth_per_yuan":1,"member_days":[{"weekday":2,"multiplier_bp":20000}],"expiry_kind":"end_of_next_year"}`)
		if status != 201 {
			t.Fatalf("create program: %d %s", status, resp)
		}
		var prog ProgramResponse
		if err := json.Unmarshal([]byte(resp), &prog); err != nil {
			t.Fatal(err)
		}
		r := strings.NewReplacer("{p}", prog.ID)
		member := "/api/v1/loyalty/programs/{p}/members/alice"
		const report = "/api/v1/loyalty/reports/points?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"
		scenarios := []struct {
			name, method, path, token, body string
			status                          int
			want, not                       []string
		}{
			{name: "no token", method: "GET", path: "/api/v1/loyalty/programs", status: 401},
			{name: "associate configures", method: "POST", path: "/api/v1/loyalty/programs", token: "assoc", body: `{"code":"X","name":"x","points_per_yuan":1,"growth_per_yuan":1}`, status: 403},
			{name: "bad time zone", method: "PUT", path: "/api/v1/loyalty/programs/{p}", token: "mkt", body: `{"code":"CLUB","name":"x","points_per_yuan":1,"growth_per_yuan":1,"time_zone":"Mars/Base"}`, status: 422, want: []string{"body.time_zone"}},
			{name: "tier", method: "POST", path: "/api/v1/loyalty/programs/{p}/tiers", token: "mkt", body: `{"code":"GOLD","name":"金卡","threshold":500,"multiplier_bp":15000}`, status: 201, want: []string{`"code":"GOLD"`}},
			{name: "same threshold", method: "POST", path: "/api/v1/loyalty/programs/{p}/tiers", token: "mkt", body: `{"code":"GOLD2","name":"x","threshold":500}`, status: 409},
			{name: "associate enrols", method: "POST", path: "/api/v1/loyalty/programs/{p}/members", token: "assoc", body: `{"customer_id":"alice"}`, status: 200, want: []string{`"source":"explicit"`}},
			{name: "unknown customer", method: "POST", path: "/api/v1/loyalty/programs/{p}/members", token: "assoc", body: `{"customer_id":"ghost"}`, status: 404},
			{name: "adjust", method: "POST", path: member + "/adjustments", token: "mkt", body: `{"points":300,"reason":"迁移旧积分"}`, status: 201, want: []string{`"kind":"adjust"`, `"points":300`}},
			{name: "associate adjusts", method: "POST", path: member + "/adjustments", token: "assoc", body: `{"points":300,"reason":"x"}`, status: 403},
			{name: "redeem without store", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":10}`, status: 422, want: []string{"body.store_id"}},
			{name: "redeem at another store", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":10,"store_id":"elsewhere"}`, status: 404},
			{name: "redeem", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":120,"store_id":"s1","reference":"T-1"}`, status: 201, want: []string{`"points":-120`}},
			{name: "redeem replayed", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":120,"store_id":"s1","reference":"T-1"}`, status: 201, want: []string{`"points":-120`}},
			{name: "reference reused for another amount", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":5,"store_id":"s1","reference":"T-1"}`, status: 409, want: []string{"body.reference"}},
			{name: "redeem too much", method: "POST", path: member + "/redemptions", token: "assoc", body: `{"points":181,"store_id":"s1"}`, status: 409, want: []string{"not enough points"}},
			{name: "balance", method: "GET", path: member, token: "analyst", status: 200, want: []string{`"total":180`, `"available":180`, `"code":"GOLD"`}},
			{name: "all balances", method: "GET", path: "/api/v1/loyalty/customers/old", token: "assoc", status: 200, want: []string{`"customer_id":"alice"`, `"total":180`}},
			{name: "lots", method: "GET", path: member + "/lots", token: "analyst", status: 200, want: []string{`"remaining":180`, `"expires_at":"2027-12-31T16:00:00Z"`}},
			{name: "ledger", method: "GET", path: member + "/entries?limit=1", token: "analyst", status: 200, want: []string{`"kind":"redeem"`, `"next_cursor"`}, not: []string{`"kind":"adjust"`}},
			{name: "analyst redeems", method: "POST", path: member + "/redemptions", token: "analyst", body: `{"points":1}`, status: 403},
			{name: "list", method: "GET", path: "/api/v1/loyalty/programs", token: "assoc", status: 200, want: []string{`"code":"CLUB"`, `"weekday":2`}},
			{name: "report", method: "GET", path: report + "&program_id={p}", token: "analyst", status: 200,
				want: []string{`"balance":180`, `"month":"2027-12","points":180`, `"store_id":"s1","channel":"","earned":0,"redeemed":120`, `"adjusted":300`, `"tier_id":"","tier_name":"","members":1`, `"moves":[]`}, not: []string{"alice"}},
			{name: "report at a store", method: "GET", path: report, token: "assoc", status: 403, want: []string{"whole tenant"}},
			{name: "report backwards", method: "GET", path: "/api/v1/loyalty/reports/points?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: "analyst", status: 422, want: []string{"query.to"}},
			{name: "report without range", method: "GET", path: "/api/v1/loyalty/reports/points", token: "analyst", status: 422, want: []string{"query.from"}},
			{name: "evaluation on 29 February", method: "PUT", path: "/api/v1/loyalty/programs/{p}", token: "mkt", body: `{"code":"CLUB","name":"会员","points_per_yuan":1,"growth_per_yuan":1,"expiry_kind":"end_of_next_year","evaluation":{"kind":"annual","month":2,"day":29}}`, status: 422, want: []string{"body.evaluation.day"}},
			{name: "rolling without months", method: "PUT", path: "/api/v1/loyalty/programs/{p}", token: "mkt", body: `{"code":"CLUB","name":"会员","points_per_yuan":1,"growth_per_yuan":1,"evaluation":{"kind":"rolling"}}`, status: 422, want: []string{"body.evaluation.months"}},
			{name: "annual evaluation", method: "PUT", path: "/api/v1/loyalty/programs/{p}", token: "mkt", body: `{"code":"CLUB","name":"会员","points_per_yuan":1,"growth_per_yuan":1,"expiry_kind":"end_of_next_year","evaluation":{"kind":"annual","month":1,"day":1,"max_drop":1}}`, status: 200, want: []string{`"kind":"annual"`, `"max_drop":1`, `"growth_at_period_end":"reset"`}},
			{name: "tier with a retention threshold", method: "POST", path: "/api/v1/loyalty/programs/{p}/tiers", token: "mkt", body: `{"code":"BASIC","name":"普通","threshold":0,"retention_threshold":0}`, status: 201, want: []string{`"retention_threshold":0`}},
			{name: "negative retention", method: "POST", path: "/api/v1/loyalty/programs/{p}/tiers", token: "mkt", body: `{"code":"X","name":"x","threshold":7,"retention_threshold":-1}`, status: 422, want: []string{"body.retention_threshold"}},
			{name: "tier valid until", method: "GET", path: member, token: "analyst", status: 200, want: []string{`"valid_until":"2026-12-31T16:00:00Z"`, `"period_growth":0`, `"retention_needed":0`}},
			{name: "report of an unknown program", method: "GET", path: report + "&program_id=nope", token: "analyst", status: 422, want: []string{"query.program_id"}},
		}
		for _, sc := range scenarios {
			status, resp := do(t, ts, sc.method, r.Replace(sc.path), sc.token, sc.body)
			if status != sc.status {
				t.Errorf("%s: %d, want %d: %s", sc.name, status, sc.status, resp)
				continue
			}
			for _, w := range sc.want {
				if !strings.Contains(resp, w) {
					t.Errorf("%s: %s lacks %s", sc.name, resp, w)
				}
			}
			for _, n := range sc.not {
				if strings.Contains(resp, n) {
					t.Errorf("%s: %s has %s", sc.name, resp, n)
				}
			}
		}
	})
}
