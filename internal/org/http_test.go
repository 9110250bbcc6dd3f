package org

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// httpEnv is the org API served over real HTTP on a fresh database.
type httpEnv struct {
	*fixture
	url    string
	srv    *httpapi.Server
	logs   *syncBuffer
	client *http.Client
}

func setupHTTP(t *testing.T, d *db.DB) *httpEnv {
	t.Helper()
	return setupHTTPConfig(t, d, TestConfig())
}

// setupHTTPConfig is setupHTTP with its own service settings.
func setupHTTPConfig(t *testing.T, d *db.DB, cfg Config) *httpEnv {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := setupConfig(t, d, cfg, log)
	srv := httpapi.New(httpapi.Options{Auth: f.svc, Log: log})
	f.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return &httpEnv{fixture: f, url: ts.URL, srv: srv, logs: logs, client: ts.Client()}
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request with an optional bearer token and JSON body.
func (e *httpEnv) do(t *testing.T, client *http.Client, method, path, token, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// token logs u in through the service and returns the session token.
func (e *httpEnv) token(t *testing.T, login string) string {
	t.Helper()
	_, tok, _, err := e.svc.Login(context.Background(), LoginInput{Login: login, Password: adminPassword, ClientIP: "198.51.100.1"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestHTTPScenarios(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		w := e.world(t)
		e.user(t, e.ctx, "mkt", auth.Marketer, auth.TenantScope, "")
		e.user(t, e.ctx, "mgr", auth.StoreManager, auth.StoreScope, w.s2.ID)
		admin, mkt, mgr := e.token(t, "acme-admin"), e.token(t, "mkt"), e.token(t, "mgr")
		key, keySecret, err := e.svc.CreateAPIKey(e.ctx, APIKeyCreate{Name: "bi", Scopes: []auth.Scope{auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		const problem = "application/problem+json"
		store := func(extra string) string {
			return `{"brand_id":"` + w.b1.ID + `","region_id":"` + w.r1.ID + `","code":"SH-9","name":"静安店","format":"supermarket","city":"上海"` + extra + `}`
		}

		scenarios := []struct {
			name         string
			method, path string
			token        string
			body         string
			status       int
			contentType  string
			contains     []string
			excludes     []string
		}{
			{name: "anonymous", method: "GET", path: "/api/v1/stores", status: 401, contentType: problem,
				contains: []string{`"type":"urn:oneretail:problem:unauthorized"`, "authentication required"}},
			{name: "bad token", method: "GET", path: "/api/v1/stores", token: "or_sess_nope", status: 401,
				contains: []string{"invalid or expired session"}, excludes: []string{"authentication required"}},
			{name: "bad API key", method: "GET", path: "/api/v1/stores", token: keySecret[:len(keySecret)-4] + "xxxx", status: 401,
				contentType: problem, contains: []string{`"detail":"invalid API key"`}, excludes: []string{"authentication required"}},
			{name: "unknown API key", method: "GET", path: "/api/v1/stores", token: "or_live_nothingofthesortatall", status: 401,
				contains: []string{`"detail":"invalid API key"`}},
			{name: "not a token", method: "GET", path: "/api/v1/stores", token: "hello", status: 401, contains: []string{"invalid token"}},
			{name: "marketer cannot create stores", method: "POST", path: "/api/v1/stores", token: mkt, body: store(""),
				status: 403, contentType: problem, contains: []string{"missing scope org:write"}},
			{name: "marketer cannot list users", method: "GET", path: "/api/v1/users", token: mkt, status: 403},
			{name: "marketer cannot list keys", method: "GET", path: "/api/v1/api-keys", token: mkt, status: 403},
			{name: "read-only key cannot write", method: "PATCH", path: "/api/v1/brands/" + w.b1.ID, token: keySecret,
				body: `{"name":"x"}`, status: 403},
			{name: "malformed JSON", method: "POST", path: "/api/v1/brands", token: admin, body: `{"code":"B9",`,
				status: 400, contentType: problem},
			{name: "unknown field", method: "POST", path: "/api/v1/brands", token: admin,
				body: `{"code":"B9","name":"x","colour":"red"}`, status: 422, contentType: problem, contains: []string{"colour"}},
			{name: "wrong type", method: "POST", path: "/api/v1/stores", token: admin, body: store(`,"latitude":"north"`),
				status: 422, contentType: problem, contains: []string{"body.latitude"}},
			{name: "latitude out of range", method: "POST", path: "/api/v1/stores", token: admin, body: store(`,"latitude":91`),
				status: 422, contains: []string{"body.latitude"}},
			{name: "bad time zone", method: "POST", path: "/api/v1/stores", token: admin, body: store(`,"time_zone":"Mars/Base"`),
				status: 422, contains: []string{"body.time_zone", "urn:oneretail:problem:invalid"}},
			{name: "bad hours", method: "POST", path: "/api/v1/stores", token: admin, body: store(`,"opening_hours":"9-5"`),
				status: 422, contains: []string{"body.opening_hours"}},
			{name: "unknown brand", method: "POST", path: "/api/v1/stores", token: admin,
				body: strings.Replace(store(""), w.b1.ID, "nope", 1), status: 422, contains: []string{"body.brand_id"}},
			{name: "create store", method: "POST", path: "/api/v1/stores", token: admin, body: store(`,"latitude":31.22,"longitude":121.45,"opening_hours":"09:00-21:00"`),
				status: 201, contains: []string{`"code":"SH-9"`, `"latitude":31.22`, `"time_zone":"Asia/Shanghai"`, `"status":"open"`}},
			{name: "duplicate store", method: "POST", path: "/api/v1/stores", token: admin, body: store(""),
				status: 409, contains: []string{"urn:oneretail:problem:conflict"}},
			{name: "create brand", method: "POST", path: "/api/v1/brands", token: admin, body: `{"code":"B9","name":"便利蜂"}`,
				status: 201, contains: []string{`"code":"B9"`, `"status":"active"`}},
			{name: "create region", method: "POST", path: "/api/v1/regions", token: admin, body: `{"code":"R9","name":"华南"}`,
				status: 201, contains: []string{`"code":"R9"`}},
			{name: "list stores", method: "GET", path: "/api/v1/stores?city=%E6%9D%AD%E5%B7%9E&limit=1", token: admin, status: 200,
				contains: []string{`"id":"` + w.s2.ID + `"`, `"floor_area_m2":1200`, `"opening_hours":"08:00-22:00"`, `"next_cursor"`},
				excludes: []string{w.s3.ID}},
			{name: "jump to a page", method: "GET", path: "/api/v1/stores?city=%E6%9D%AD%E5%B7%9E&limit=1&page=2", token: admin, status: 200,
				contains: []string{`"id":"` + w.s3.ID + `"`}, excludes: []string{w.s2.ID, `"next_cursor"`}},
			{name: "page with a cursor", method: "GET", path: "/api/v1/stores?page=2&cursor=czE", token: admin, status: 422,
				contains: []string{"query.page", "exclude"}},
			{name: "page past the jump bound", method: "GET", path: "/api/v1/stores?page=200&limit=1000", token: admin, status: 422,
				contains: []string{"query.page", "20000"}},
			{name: "page zero", method: "GET", path: "/api/v1/stores?page=0", token: admin, status: 422, contains: []string{"query.page"}},
			{name: "manager: map", method: "GET", path: "/api/v1/store-map", token: mgr, status: 200,
				contains: []string{`"cells":[{"format":"supermarket","city":"杭州","name":"Store S2","latitude":31.2,"longitude":121.5,"count":1}]`}},
			{name: "map by filter", method: "GET", path: "/api/v1/store-map?format=convenience", token: keySecret, status: 200,
				contains: []string{`"format":"convenience"`, `"name":"Store S3"`}, excludes: []string{"Store S1", "Store S2"}},
			{name: "filter by format", method: "GET", path: "/api/v1/stores?format=convenience", token: keySecret, status: 200,
				contains: []string{w.s3.ID}, excludes: []string{w.s1.ID}},
			{name: "bad format filter", method: "GET", path: "/api/v1/stores?format=kiosk", token: admin, status: 422},
			{name: "get brand", method: "GET", path: "/api/v1/brands/" + w.b1.ID, token: mkt, status: 200, contains: []string{`"code":"B1"`}},
			{name: "patch region", method: "PATCH", path: "/api/v1/regions/" + w.r1.ID, token: admin, body: `{"name":"华东"}`,
				status: 200, contains: []string{`"name":"华东"`}},
			{name: "patch brand", method: "PATCH", path: "/api/v1/brands/" + w.b2.ID, token: admin, body: `{"status":"inactive"}`,
				status: 200, contains: []string{`"status":"inactive"`}},
			{name: "list brands", method: "GET", path: "/api/v1/brands?status=inactive", token: admin, status: 200,
				contains: []string{w.b2.ID}, excludes: []string{w.b1.ID}},
			{name: "list regions", method: "GET", path: "/api/v1/regions", token: mgr, status: 200,
				contains: []string{w.r2.ID}, excludes: []string{w.r1.ID}},
			{name: "manager: other store", method: "GET", path: "/api/v1/stores/" + w.s1.ID, token: mgr, status: 404,
				contains: []string{"urn:oneretail:problem:not_found"}},
			{name: "manager: own store", method: "GET", path: "/api/v1/stores/" + w.s2.ID, token: mgr, status: 200},
			{name: "manager: list", method: "GET", path: "/api/v1/stores", token: mgr, status: 200,
				contains: []string{w.s2.ID}, excludes: []string{w.s1.ID, w.s3.ID}},
			{name: "manager: move store", method: "PATCH", path: "/api/v1/stores/" + w.s2.ID, token: mgr,
				body: `{"region_id":"` + w.r1.ID + `"}`, status: 403, contains: []string{"brand, region or code"}},
			{name: "manager: change hours", method: "PATCH", path: "/api/v1/stores/" + w.s2.ID, token: mgr,
				body: `{"opening_hours":"07:30-22:30"}`, status: 200, contains: []string{`"opening_hours":"07:30-22:30"`}},
			{name: "manager: patch other", method: "PATCH", path: "/api/v1/stores/" + w.s1.ID, token: mgr,
				body: `{"name":"x"}`, status: 404},
			{name: "manager: summary", method: "GET", path: "/api/v1/store-summary", token: mgr, status: 200,
				contains: []string{`"total":1`}},
			{name: "summary", method: "GET", path: "/api/v1/store-summary", token: admin, status: 200,
				contains: []string{`"total":4`, `"by_format":[{"key":"supermarket","count":2}`, `{"key":"杭州","count":2}`,
					`{"key":"` + w.r2.ID + `","name":"Region R2","count":2}`, `"by_brand":[{"key":"` + w.b1.ID + `","name":"Brand B1","count":3}`}},
			{name: "create user", method: "POST", path: "/api/v1/users", token: admin,
				body:   `{"login":"Assoc1","name":"李四","password":"a long password","role":"associate","scope_type":"store","scope_id":"` + w.s1.ID + `"}`,
				status: 201, contains: []string{`"login":"assoc1"`, `"scope_id":"` + w.s1.ID + `"`},
				excludes: []string{`"password":`, "argon2", "a long password"}},
			{name: "user short password", method: "POST", path: "/api/v1/users", token: admin,
				body:   `{"login":"assoc2","name":"x","password":"short","role":"associate","scope_type":"tenant"}`,
				status: 422, contains: []string{"body.password"}},
			{name: "user bad scope", method: "POST", path: "/api/v1/users", token: admin,
				body:   `{"login":"assoc2","name":"x","password":"a long password","role":"associate","scope_type":"store","scope_id":"nope"}`,
				status: 422, contains: []string{"body.scope_id"}},
			{name: "list users", method: "GET", path: "/api/v1/users", token: admin, status: 200,
				contains: []string{`"login":"acme-admin"`, `"login":"mgr"`}, excludes: []string{`"password":`, "argon2", "a long password"}},
			{name: "manager lists users", method: "GET", path: "/api/v1/users", token: mgr, status: 200,
				contains: []string{`"login":"mgr"`}, excludes: []string{"acme-admin", "assoc1"}},
			{name: "manager cannot create users", method: "POST", path: "/api/v1/users", token: mgr,
				body:   `{"login":"assoc3","name":"x","password":"a long password","role":"associate","scope_type":"store","scope_id":"` + w.s2.ID + `"}`,
				status: 403},
			{name: "create key", method: "POST", path: "/api/v1/api-keys", token: admin, body: `{"name":"POS","scopes":["org:read","catalog:read"]}`,
				status: 201, contains: []string{`"secret":"or_live_`, `"scopes":["org:read","catalog:read"]`, `"prefix":"`}},
			{name: "key with unknown scope", method: "POST", path: "/api/v1/api-keys", token: admin, body: `{"name":"POS","scopes":["root"]}`,
				status: 422, contains: []string{"body.scopes[0]"}},
			{name: "key without scopes", method: "POST", path: "/api/v1/api-keys", token: admin, body: `{"name":"POS","scopes":[]}`,
				status: 422},
			{name: "list keys", method: "GET", path: "/api/v1/api-keys", token: admin, status: 200,
				contains: []string{`"name":"bi"`, `"last_used_at"`}, excludes: []string{"secret", keySecret}},
			{name: "me with key", method: "GET", path: "/api/v1/me", token: keySecret, status: 200,
				contains: []string{`"kind":"api_key"`, `"id":"` + key.ID + `"`, `"scopes":["org:read"]`, `"scope_type":"tenant"`}},
			{name: "me", method: "GET", path: "/api/v1/me", token: mgr, status: 200,
				contains: []string{`"kind":"user"`, `"login":"mgr"`, `"role":"store_manager"`, `"scope_type":"store"`, `"scope_id":"` + w.s2.ID + `"`, `"org:write"`}},
			{name: "sessions", method: "GET", path: "/api/v1/sessions", token: mgr, status: 200,
				contains: []string{`"current":true`, `"client_ip":"198.51.100.1"`}},
			{name: "revoke unknown session", method: "DELETE", path: "/api/v1/sessions/nope", token: mgr, status: 404},
			{name: "revoke key", method: "DELETE", path: "/api/v1/api-keys/" + key.ID, token: admin, status: 204},
			{name: "revoked key", method: "GET", path: "/api/v1/me", token: keySecret, status: 401, contains: []string{`"detail":"invalid API key"`}},
			{name: "unknown key", method: "DELETE", path: "/api/v1/api-keys/nope", token: admin, status: 404},
		}
		for _, sc := range scenarios {
			res := e.do(t, e.client, sc.method, sc.path, sc.token, sc.body)
			if res.status != sc.status {
				t.Errorf("%s: status %d, want %d: %s", sc.name, res.status, sc.status, res.body)
				continue
			}
			if sc.contentType != "" && !strings.HasPrefix(res.header.Get("Content-Type"), sc.contentType) {
				t.Errorf("%s: content type %q, want %q", sc.name, res.header.Get("Content-Type"), sc.contentType)
			}
			for _, s := range sc.contains {
				if !strings.Contains(res.body, s) {
					t.Errorf("%s: body lacks %q: %s", sc.name, s, res.body)
				}
			}
			for _, s := range sc.excludes {
				if strings.Contains(res.body, s) {
					t.Errorf("%s: body contains %q: %s", sc.name, s, res.body)
				}
			}
		}
	})
}

// TestHTTPEveryRouteNeedsAuth calls every operation org registers, except login,
// without credentials.
func TestHTTPEveryRouteNeedsAuth(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		param := regexp.MustCompile(`\{[^}]+\}`)
		n := 0
		for path, item := range e.srv.API.OpenAPI().Paths {
			for method, op := range map[string]any{"GET": item.Get, "POST": item.Post, "PATCH": item.Patch, "DELETE": item.Delete, "PUT": item.Put} {
				if op == nil || isNilOp(op) || path == "/api/v1/auth/login" {
					continue
				}
				n++
				res := e.do(t, e.client, method, param.ReplaceAllString(path, "x"), "", `{}`)
				if res.status != http.StatusUnauthorized || !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s %s without credentials: %d %s", method, path, res.status, res.body)
				}
			}
		}
		if n < 24 {
			t.Fatalf("only %d operations checked", n)
		}
	})
}

func isNilOp(op any) bool {
	b, _ := json.Marshal(op)
	return string(b) == "null"
}

func TestHTTPLoginCookieAndLogs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar}

		res := e.do(t, browser, "POST", "/api/v1/auth/login", "", `{"login":"ACME-admin","password":"`+adminPassword+`"}`)
		if res.status != 200 {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		var body struct {
			Token     string         `json:"token"`
			ExpiresAt string         `json:"expires_at"`
			User      map[string]any `json:"user"`
		}
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(body.Token, SessionTokenPrefix) || body.ExpiresAt != "2025-03-01T20:00:00Z" ||
			body.User["login"] != "acme-admin" || body.User["role"] != "hq_admin" || body.User["scope_type"] != "tenant" {
			t.Fatalf("login body = %s", res.body)
		}
		if strings.Contains(res.body, `"password":`) || strings.Contains(res.body, adminPassword) || strings.Contains(res.body, "argon2") {
			t.Fatalf("login body leaks: %s", res.body)
		}
		cookie := res.header.Get("Set-Cookie")
		for _, want := range []string{"oneretail_session=" + body.Token, "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=43200"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("Set-Cookie %q lacks %q", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("Set-Cookie %q is Secure over plain HTTP", cookie)
		}

		// The cookie alone authenticates.
		me := e.do(t, browser, "GET", "/api/v1/me", "", "")
		if me.status != 200 || !strings.Contains(me.body, `"login":"acme-admin"`) || !strings.Contains(me.body, `"kind":"user"`) {
			t.Fatalf("me with cookie: %d %s", me.status, me.body)
		}
		// The API key secret appears only in the create response.
		created := e.do(t, browser, "POST", "/api/v1/api-keys", "", `{"name":"erp","scopes":["org:read"]}`)
		if created.status != 201 {
			t.Fatalf("create key: %d %s", created.status, created.body)
		}
		var k struct{ Secret string }
		_ = json.Unmarshal([]byte(created.body), &k)
		if res := e.do(t, e.client, "GET", "/api/v1/stores", k.Secret, ""); res.status != 200 {
			t.Fatalf("key auth: %d %s", res.status, res.body)
		}

		// Logout ends the session and clears the cookie.
		out := e.do(t, browser, "POST", "/api/v1/auth/logout", "", "")
		if out.status != 204 || !strings.Contains(out.header.Get("Set-Cookie"), "oneretail_session=;") ||
			!strings.Contains(out.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %d %q", out.status, out.header.Get("Set-Cookie"))
		}
		if res := e.do(t, e.client, "GET", "/api/v1/me", body.Token, ""); res.status != 401 {
			t.Fatalf("me after logout: %d", res.status)
		}
		if res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"acme-admin","password":"Tr0ub4dor&3x"}`); res.status != 401 ||
			!strings.Contains(res.body, "invalid login or password") {
			t.Fatalf("wrong password: %d %s", res.status, res.body)
		}

		logs := e.logs.String()
		if !strings.Contains(logs, "login") {
			t.Fatalf("nothing logged: %q", logs)
		}
		for _, secret := range []string{adminPassword, "Tr0ub4dor&3x", body.Token, body.Token[len(SessionTokenPrefix):], k.Secret} {
			if strings.Contains(logs, secret) {
				t.Fatalf("log contains a secret %q:\n%s", secret, logs)
			}
		}
	})
}
