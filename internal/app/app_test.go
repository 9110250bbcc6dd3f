package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// harness is a running app with two tenants, each with an all-scopes API key.
type harness struct {
	app    *app.App
	server *httptest.Server
	keyA   string
	keyB   string
}

func setup(t *testing.T, dialect db.Dialect) *harness {
	t.Helper()
	return setupWith(t, dialect, func(*app.Config) {})
}

// setupWith is setup with a configuration changed by configure.
func setupWith(t *testing.T, dialect db.Dialect, configure func(*app.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	cfg := app.Config{
		DB:        dbtest.MigratedDSN(t, dialect),
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Org:       org.TestConfig(),
		PIISecret: pii.TestSecret(),
	}
	configure(&cfg)
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h := &harness{app: a, server: httptest.NewServer(a.Handler())}
	t.Cleanup(h.server.Close)
	h.keyA = tenantKey(t, a, "alpha")
	h.keyB = tenantKey(t, a, "beta")
	return h
}

func tenantKey(t *testing.T, a *app.App, code string) string {
	t.Helper()
	ctx := context.Background()
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{
		TenantCode: code, TenantName: code + " group", AdminLogin: code + "-admin", AdminName: "Admin", AdminPassword: "correct horse battery",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := a.Org.CreateAPIKey(auth.WithPrincipal(ctx, auth.System(tenant.ID)), org.APIKeyCreate{Name: "all", Scopes: auth.AllScopes()})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (h *harness) do(t *testing.T, method, path, token, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// deliverOutbox runs the dispatcher until no event is due, so a test sees every
// subscriber's effect of what it did before the call.
func (h *harness) deliverOutbox(t *testing.T) {
	t.Helper()
	for {
		n, err := h.app.Dispatcher.DispatchDue(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// create POSTs body as tenant alpha and returns the new resource's id.
func (h *harness) create(t *testing.T, path, body string) string {
	t.Helper()
	status, _, resp := h.do(t, "POST", path, h.keyA, "application/json", body)
	if status != 201 && status != 200 {
		t.Fatalf("POST %s: %d %s", path, status, resp)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(resp), &out); err != nil || out.ID == "" {
		t.Fatalf("POST %s: no id in %s", path, resp)
	}
	return out.ID
}

// TestOpenAPIDocumentsEveryRoute walks the router: every /api route must be in the
// OpenAPI document, so no endpoint exists outside the contract.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	h := setup(t, db.SQLite)
	paths := h.app.API.OpenAPI().Paths
	router := h.app.Handler().(chi.Routes)
	var checked int
	err := chi.Walk(router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/api/v1/") {
			return nil
		}
		checked++
		item, ok := paths[route]
		if !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", method, route)
			return nil
		}
		if op := operationOf(item, method); op == nil {
			t.Errorf("%s %s: method missing from the OpenAPI document", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d /api/v1 routes found; the walk is broken", checked)
	}
	status, hdr, body := h.do(t, "GET", "/api/openapi.json", "", "", "")
	if status != 200 || !strings.Contains(hdr.Get("Content-Type"), "json") || !strings.Contains(body, `"/api/v1/stores"`) {
		t.Fatalf("GET /api/openapi.json: %d %s", status, hdr.Get("Content-Type"))
	}
}

// TestEveryEndpointRejectsBadInput is a table test generated from the OpenAPI
// document: for every operation, missing auth, malformed JSON, wrong types, unknown
// fields, oversized bodies and unknown ids answer 4xx problem+json, never 5xx.
func TestEveryEndpointRejectsBadInput(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			unknownID := "0190a0a0-0000-7000-8000-000000000000"
			for path, item := range h.app.API.OpenAPI().Paths {
				for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
					op := operationOf(item, method)
					if op == nil {
						continue
					}
					concrete := fillPath(path, unknownID)
					type attempt struct {
						name, token, contentType, body string
						want                           func(int) bool
					}
					is4xx := func(s int) bool { return s >= 400 && s < 500 }
					attempts := []attempt{}
					if len(op.Security) > 0 {
						attempts = append(attempts, attempt{"no auth", "", "application/json", "{}", func(s int) bool { return s == 401 }})
						attempts = append(attempts, attempt{"bad token", "or_live_nonsense", "application/json", "{}", func(s int) bool { return s == 401 }})
					}
					if op.RequestBody != nil {
						attempts = append(attempts,
							attempt{"malformed json", h.keyA, "application/json", `{"name":`, is4xx},
							attempt{"wrong types", h.keyA, "application/json", `{"name":12,"code":[],"price_fen":"x","scopes":"x","store_ids":7}`, is4xx},
							attempt{"unknown field", h.keyA, "application/json", `{"definitely_not_a_field":1}`, is4xx},
							attempt{"array body", h.keyA, "application/json", `[]`, is4xx},
							attempt{"oversized", h.keyA, "application/json", `{"name":"` + strings.Repeat("x", 33<<20) + `"}`, is4xx},
						)
					}
					if strings.Contains(path, "{") {
						attempts = append(attempts, attempt{"unknown id", h.keyA, "", "", func(s int) bool { return is4xx(s) }})
					}
					for _, at := range attempts {
						body := at.body
						if method == "GET" || method == "DELETE" {
							body = ""
						}
						status, hdr, resp := h.do(t, method, concrete, at.token, at.contentType, body)
						if !at.want(status) {
							t.Errorf("%s %s (%s): status %d: %.300s", method, path, at.name, status, resp)
							continue
						}
						if !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") {
							t.Errorf("%s %s (%s): content type %q, want problem+json", method, path, at.name, hdr.Get("Content-Type"))
						}
					}
				}
			}
		})
	}
}

func operationOf(item interface{}, method string) *opInfo {
	b, _ := json.Marshal(item)
	var m map[string]*opInfo
	_ = json.Unmarshal(b, &m)
	return m[strings.ToLower(method)]
}

// opInfo is the part of an OpenAPI operation the tests look at.
type opInfo struct {
	Security    []map[string][]string `json:"security"`
	RequestBody json.RawMessage       `json:"requestBody"`
}

func fillPath(path, id string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		j := strings.IndexByte(path[i:], '}')
		name := path[i+1 : i+j]
		b.WriteString(path[:i])
		switch name {
		case "scope_type":
			b.WriteString("store")
		default:
			b.WriteString(id)
		}
		path = path[i+j+1:]
	}
}

// TestOperationalEndpoints checks the unauthenticated operational endpoints: health,
// readiness and Prometheus metrics that count the requests served.
func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	h := setup(t, db.SQLite)
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _, body := h.do(t, "GET", path, "", "", ""); status != 200 || !strings.Contains(body, `"status":"ok"`) {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	h.do(t, "GET", "/api/v1/stores", h.keyA, "", "")
	status, _, body := h.do(t, "GET", "/metrics", "", "", "")
	if status != 200 {
		t.Fatalf("GET /metrics: %d", status)
	}
	for _, want := range []string{`oneretail_http_requests_total{method="GET",route="/api/v1/stores",status="200"} 1`, "go_goroutines", "oneretail_http_request_duration_seconds_bucket",
		"oneretail_outbox_backlog_events ", "oneretail_outbox_oldest_pending_age_seconds ", "oneretail_outbox_dead_events 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if status, _, body := h.do(t, "GET", "/", "", "", ""); status != 200 || !strings.Contains(body, "<html") {
		t.Errorf("GET / (console): %d %.100s", status, body)
	}
}
