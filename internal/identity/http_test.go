package identity

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

// fakeAuth maps fixed bearer tokens to principals, standing in for org's authenticator.
type fakeAuth map[string]*auth.Principal

func (f fakeAuth) Authenticate(_ context.Context, token string) (*auth.Principal, error) {
	if p, ok := f[token]; ok {
		return p, nil
	}
	return nil, errs.E(errs.Unauthorized, "unknown token")
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tokens := fakeAuth{
			"admin":      auth.FromContext(admin(tenantA)),
			"admin-b":    auth.FromContext(admin(tenantB)),
			"integrator": auth.FromContext(integrator(tenantA)),
			"marketer":   auth.FromContext(as(tenantA, auth.Marketer)),
		}
		srv := httpapi.New(httpapi.Options{Auth: tokens})
		e.svc.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		tp := mkTouchpoint(t, e, admin(tenantA), "POS")

		ev := `{"id":"h1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"138 0013 8000"}}`
		scenarios := []struct {
			name, method, path, token, contentType, body string
			status                                       int
			contains                                     string
		}{
			{"create", "POST", "/api/v1/touchpoints", "admin", "application/json", `{"code":"MINI","name":"小程序","type":"online","channel":"wechat_mini_program"}`, 201, `"channel":"wechat_mini_program"`},
			{"create bad channel", "POST", "/api/v1/touchpoints", "admin", "application/json", `{"code":"X","name":"x","type":"online","channel":"fax"}`, 422, `body.channel`},
			{"create without write", "POST", "/api/v1/touchpoints", "integrator", "application/json", `{"code":"Y","name":"y","type":"online","channel":"app"}`, 403, ``},
			{"get", "GET", "/api/v1/touchpoints/" + tp.ID, "integrator", "", "", 200, `"health":{"events_today":0,"rejected_today":0}`},
			{"get other tenant", "GET", "/api/v1/touchpoints/" + tp.ID, "admin-b", "", "", 404, ``},
			{"patch", "PATCH", "/api/v1/touchpoints/" + tp.ID, "admin", "application/json", `{"name":"Till"}`, 200, `"name":"Till"`},
			{"list", "GET", "/api/v1/touchpoints?channel=pos", "admin", "", "", 200, `"code":"POS"`},
			{"list by part of the code", "GET", "/api/v1/touchpoints?q=po", "admin", "", "", 200, `"code":"POS"`},
			{"list by part of the name", "GET", "/api/v1/touchpoints?q=till", "admin", "", "", 200, `"code":"POS"`},
			{"list by a wildcard taken literally", "GET", "/api/v1/touchpoints?q=%25", "admin", "", "", 200, `"items":[]`},
			{"ingest json", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":"POS","events":[` + ev + `,{"id":"h2"}]}`, 200,
				`{"accepted":1,"duplicates":0,"rejected":[{"index":1,"field":"type","reason":"is required and must be snake_case (a-z, 0-9, _), at most 64 characters"}],"events":[{"index":0,"touchpoint":"POS","id":"h1","customer_id":"`},
			{"ingest json again", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":"POS","events":[` + ev + `]}`, 200, `{"accepted":0,"duplicates":1,"rejected":[],"events":[{"index":0,"touchpoint":"POS","id":"h1","customer_id":"`},
			{"ingest touchpoint in query", "POST", "/api/v1/events?touchpoint=POS", "integrator", "application/json", `{"events":[]}`, 200, `"accepted":0`},
			{"ingest without content type", "POST", "/api/v1/events?touchpoint=POS", "integrator", "", `{"events":[]}`, 415, `header.Content-Type`},
			{"ingest ndjson", "POST", "/api/v1/events?touchpoint=POS", "integrator", "application/x-ndjson",
				`{"id":"n1","type":"scan","occurred_at":"2026-03-01T07:00:00Z"}` + "\n" + `{"id":"n2","type":"scan","occurred_at":"2026-03-01T07:00:00Z"}` + "\n", 200, `"accepted":2`},
			{"ingest ndjson without touchpoint", "POST", "/api/v1/events", "integrator", "application/x-ndjson", ev + "\n", 422, `query.touchpoint`},
			{"ingest unknown field", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":"POS","events":[],"x":1}`, 422, `unknown field`},
			{"ingest array body", "POST", "/api/v1/events", "integrator", "application/json", `[]`, 422, `"body"`},
			{"ingest wrong type", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":7,"events":[]}`, 422, `body.touchpoint`},
			{"ingest missing events", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":"POS"}`, 422, `body.events`},
			{"ingest malformed", "POST", "/api/v1/events", "integrator", "application/json", `{"touchpoint":`, 422, ``},
			{"ingest csv", "POST", "/api/v1/events", "integrator", "text/csv", `a,b`, 415, `header.Content-Type`},
			{"ingest without scope", "POST", "/api/v1/events", "marketer", "application/json", `{"touchpoint":"POS","events":[]}`, 403, ``},
			{"ingest without auth", "POST", "/api/v1/events", "", "application/json", `{"touchpoint":"POS","events":[]}`, 401, ``},
			{"maturity", "GET", "/api/v1/touchpoints/maturity?days=7", "admin", "", "", 200,
				`"quality":{"accepted":3,"rejected":1,"identified":1,"rejection_rate":0.25,"identified_rate":0.3333333333333333}`},
			{"maturity default window", "GET", "/api/v1/touchpoints/maturity", "admin", "", "", 200, `"days":30,"from":"2026-01-31"`},
			{"maturity bad window", "GET", "/api/v1/touchpoints/maturity?days=91", "admin", "", "", 422, `query.days`},
			{"maturity without scope", "GET", "/api/v1/touchpoints/maturity", "marketer", "", "", 403, ``},
			{"customer by identifier", "GET", "/api/v1/customers?identifier=phone:138%200013%208000", "admin", "", "", 200, `"identifiers":[{"type":"phone","value":"+8613800138000","strength":"strong",`},
			{"customer by unknown identifier", "GET", "/api/v1/customers?identifier=phone:13900139000", "admin", "", "", 404, ``},
			{"customer by other tenant", "GET", "/api/v1/customers?identifier=phone:13800138000", "admin-b", "", "", 404, ``},
			{"customer by bad identifier", "GET", "/api/v1/customers?identifier=shoe:42", "admin", "", "", 422, `query.identifier`},
			{"customer without auth", "GET", "/api/v1/customers?identifier=phone:13800138000", "", "", "", 401, ``},
			{"unknown customer", "GET", "/api/v1/customers/nope", "admin", "", "", 404, ``},
			{"unknown customer events", "GET", "/api/v1/customers/nope/events", "admin", "", "", 404, ``},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				req, err := http.NewRequest(sc.method, ts.URL+sc.path, strings.NewReader(sc.body))
				if err != nil {
					t.Fatal(err)
				}
				if sc.token != "" {
					req.Header.Set("Authorization", "Bearer "+sc.token)
				}
				if sc.contentType != "" {
					req.Header.Set("Content-Type", sc.contentType)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != sc.status || !strings.Contains(string(b), sc.contains) {
					t.Fatalf("status %d, body %s; want %d containing %s", resp.StatusCode, b, sc.status, sc.contains)
				}
			})
		}

		var got TouchpointResponse
		status, body := get(t, ts.URL+"/api/v1/touchpoints/"+tp.ID, "admin")
		if err := json.Unmarshal(body, &got); err != nil || status != 200 {
			t.Fatalf("status %d, %s", status, body)
		}
		if got.Health.EventsToday != 3 || got.Health.RejectedToday != 1 || got.Health.LastSeenAt == nil {
			t.Fatalf("health = %+v", got.Health)
		}

		var c CustomerResponse
		status, body = get(t, ts.URL+"/api/v1/customers?identifier=phone:13800138000", "admin")
		if err := json.Unmarshal(body, &c); err != nil || status != 200 {
			t.Fatalf("status %d, %s", status, body)
		}
		status, body = get(t, ts.URL+"/api/v1/customers/"+c.ID, "admin")
		if status != 200 || !strings.Contains(string(body), `"event_count":1`) {
			t.Fatalf("get customer: status %d, %s", status, body)
		}
		status, body = get(t, ts.URL+"/api/v1/customers/"+c.ID+"/events?limit=10", "admin")
		if status != 200 || !strings.Contains(string(body), `"id":"h1"`) {
			t.Fatalf("customer events: status %d, %s", status, body)
		}
		if status, body = get(t, ts.URL+"/api/v1/customers/"+c.ID+"/events?cursor=!!", "admin"); status != 422 {
			t.Fatalf("bad cursor: status %d, %s", status, body)
		}
	})
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
