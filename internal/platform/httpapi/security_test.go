package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

type who struct {
	ClientIP string `json:"client_ip"`
	HTTPS    bool   `json:"https"`
	ID       string `json:"request_id"`
}

func whoami(t *testing.T, f *fixture, header ...string) (who, http.Header) {
	t.Helper()
	status, h, body := do(t, f.ts, "GET", "/api/v1/whoami", "reader", "", header...)
	if status != http.StatusOK {
		t.Fatalf("whoami: %d %s", status, body)
	}
	var w who
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	return w, h
}

// TestSecurity10_TrustedProxies: X-Forwarded-For and X-Forwarded-Proto count only
// from a trusted proxy. Without --trusted-proxies a client cannot choose its address
// (and so its rate-limit bucket) or claim HTTPS; behind a trusted proxy the client is
// the first untrusted hop from the right, and the proxy's X-Forwarded-Proto decides
// HTTPS (HSTS, the Secure cookie).
func TestSecurity10_TrustedProxies(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		direct := setup(t, d)
		proxied := setup(t, d, func(o *fixtureOptions) { o.proxies = []string{"127.0.0.1", "10.0.0.0/8"} })
		tests := []struct {
			name  string
			f     *fixture
			xff   string
			proto string
			ip    string
			https bool
		}{
			{name: "no proxy trusted: forwarded headers ignored", f: direct, xff: "203.0.113.9", proto: "https", ip: "127.0.0.1"},
			{name: "trusted proxy, one hop", f: proxied, xff: "203.0.113.9", proto: "https", ip: "203.0.113.9", https: true},
			{name: "spoofed left entries are skipped", f: proxied, xff: "198.51.100.66, 203.0.113.9, 10.1.2.3", proto: "http", ip: "203.0.113.9"},
			{name: "every hop trusted: the leftmost", f: proxied, xff: "10.9.9.9, 10.1.2.3", ip: "10.9.9.9"},
			{name: "malformed hop: the last good one", f: proxied, xff: "203.0.113.9, not-an-ip, 10.1.2.3", ip: "10.1.2.3"},
			{name: "ipv6 client", f: proxied, xff: "2001:db8::7", ip: "2001:db8::7"},
			{name: "no header: the proxy itself", f: proxied, ip: "127.0.0.1"},
			{name: "last proto wins", f: proxied, proto: "https, http", ip: "127.0.0.1"},
		}
		for _, tt := range tests {
			var header []string
			if tt.xff != "" {
				header = append(header, "X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				header = append(header, "X-Forwarded-Proto", tt.proto)
			}
			w, h := whoami(t, tt.f, header...)
			if w.ClientIP != tt.ip || w.HTTPS != tt.https || (h.Get("Strict-Transport-Security") != "") != tt.https {
				t.Errorf("%s: client %s https %v hsts %q; want %s %v", tt.name, w.ClientIP, w.HTTPS, h.Get("Strict-Transport-Security"), tt.ip, tt.https)
			}
		}
	})
}

// TestSecurity12_RequestIDBounded: a well-formed X-Request-Id is kept and echoed; an
// overlong one or one with other characters (log forging) is replaced.
func TestSecurity12_RequestIDBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, tt := range []struct {
			name, sent string
			kept       bool
		}{
			{"well formed", "pos-7:till_3.req-0042", true},
			{"64 characters", strings.Repeat("a", 64), true},
			{"65 characters", strings.Repeat("a", 65), false},
			{"tab", "abc\tinjected=1", false},
			{"space and quote", `abc "x"`, false},
			{"non-ascii", "请求-1", false},
		} {
			w, h := whoami(t, f, httpapi.RequestIDHeader, tt.sent)
			if got := h.Get(httpapi.RequestIDHeader); got != w.ID || (got == tt.sent) != tt.kept || len(got) > 64 || got == "" {
				t.Errorf("%s: sent %q, request id %q, echoed %q", tt.name, tt.sent, w.ID, got)
			}
		}
	})
}

// TestSecurity12_ResponseHeaders: every API response — success, problem, unknown
// route — says Cache-Control: no-store and carries the Content-Security-Policy; HSTS
// is sent over TLS only.
func TestSecurity12_ResponseHeaders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		plain := setup(t, d)
		tls := setup(t, d, func(o *fixtureOptions) { o.tls = true })
		for _, tt := range []struct {
			name, method, path, token, body string
			f                               *fixture
			hsts                            bool
		}{
			{"created", "POST", "/api/v1/widgets", "writer", `{"name":"h","price_fen":1}`, plain, false},
			{"list", "GET", "/api/v1/widgets", "reader", "", plain, false},
			{"problem", "POST", "/api/v1/widgets", "reader", `{"name":"h","price_fen":1}`, plain, false},
			{"unknown route", "GET", "/api/v1/nothing", "reader", "", plain, false},
			{"over TLS", "GET", "/api/v1/widgets", "reader", "", tls, true},
		} {
			_, h, _ := do(t, tt.f.ts, tt.method, tt.path, tt.token, tt.body)
			csp := h.Get("Content-Security-Policy")
			if h.Get("Cache-Control") != "no-store" || !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self';") ||
				!strings.Contains(csp, "frame-ancestors 'none'") || (h.Get("Strict-Transport-Security") != "") != tt.hsts {
				t.Errorf("%s: Cache-Control %q, CSP %q, HSTS %q", tt.name, h.Get("Cache-Control"), csp, h.Get("Strict-Transport-Security"))
			}
		}
	})
}

// TestSecurity12_JSONContentTypeRequired: a JSON operation refuses a body without
// application/json (or a +json type) with 415 before reading it; operations taking
// other media types keep taking them.
func TestSecurity12_JSONContentTypeRequired(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		body := `{"name":"ct","price_fen":1}`
		for _, tt := range []struct {
			name, path, contentType string
			status                  int
		}{
			{"missing", "/api/v1/widgets", "", 415},
			{"text/plain", "/api/v1/widgets", "text/plain", 415},
			{"form", "/api/v1/widgets", "application/x-www-form-urlencoded", 415},
			{"malformed", "/api/v1/widgets", "application/", 415},
			{"json", "/api/v1/widgets", "application/json", 201},
			{"json with charset", "/api/v1/widgets", "application/json; charset=utf-8", 201},
			{"upper case", "/api/v1/widgets", "Application/JSON", 201},
			{"+json", "/api/v1/widgets", "application/vnd.oneretail+json", 201},
			{"csv operation, csv", "/api/v1/widget-imports", "text/csv", 200},
			{"csv operation, no type", "/api/v1/widget-imports", "", 200},
		} {
			status, h, b := do(t, f.ts, "POST", tt.path, "writer", body, "Content-Type", tt.contentType)
			if status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, status, b, tt.status)
			}
			if status == 415 && (!strings.Contains(b, "problem:unsupported_media_type") || !strings.Contains(b, "header.Content-Type") ||
				!strings.HasPrefix(h.Get("Content-Type"), "application/problem+json")) {
				t.Errorf("%s: %s", tt.name, b)
			}
		}
	})
}

// TestSecurity12_ErrorsWithoutGoTypeNames: messages that encoding/json or a domain
// would phrase in Go (struct fields, int64, []json.RawMessage) reach the client in
// JSON terms, with the field's location.
func TestSecurity12_ErrorsWithoutGoTypeNames(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, tt := range []struct {
			name, body, location string
		}{
			{"integer out of range", `{"name":"a","price_fen":1e30}`, `"location":"body.price_fen"`},
			{"integer beyond int64", `{"name":"a","price_fen":12345678901234567890}`, `"location":"body.price_fen"`},
			{"domain message with a Go type", `{"name":"go types","price_fen":1}`, `"location":"body.name"`},
		} {
			status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", tt.body)
			if status != http.StatusUnprocessableEntity || !strings.Contains(b, tt.location) {
				t.Errorf("%s: %d %s", tt.name, status, b)
			}
			for _, leak := range []string{"Go struct", "Go value", "int64", "json.RawMessage", "[]", "unmarshal"} {
				if strings.Contains(b, leak) {
					t.Errorf("%s: the problem shows %q: %s", tt.name, leak, b)
				}
			}
		}
	})
}

// TestResilience05_FiveHundredsExplainedInLog: a 500 from a handler's error and one
// from a panic each log one error line with the request id the client got, the
// operation, method, route and the error chain — and neither the body nor the
// credentials, with phone numbers masked.
func TestResilience05_FiveHundredsExplainedInLog(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, tt := range []struct {
			name, path, body, op, cause string
		}{
			{"handler error", "/api/v1/widgets", `{"name":"boom","price_fen":424242}`, "create-widget", "widgets: insert: database exploded: disk full"},
			{"panic", "/api/v1/widget-crashes", `{"name":"crash","price_fen":424242}`, "crash-widget", "panic: widget crashed for 138"},
		} {
			status, h, b := do(t, f.ts, "POST", tt.path, "writer", tt.body, httpapi.RequestIDHeader, "req-"+tt.op)
			if status != 500 || strings.Contains(b, "exploded") || strings.Contains(b, "crashed") || h.Get(httpapi.RequestIDHeader) != "req-"+tt.op {
				t.Fatalf("%s: %d %q %s", tt.name, status, h.Get(httpapi.RequestIDHeader), b)
			}
			var line map[string]any
			for l := range strings.SplitSeq(f.log.String(), "\n") {
				if strings.Contains(l, `"msg":"http request"`) && strings.Contains(l, `"request_id":"req-`+tt.op+`"`) {
					if err := json.Unmarshal([]byte(l), &line); err != nil {
						t.Fatal(err)
					}
				}
			}
			if line["level"] != "ERROR" || line["op"] != tt.op || line["method"] != "POST" || line["route"] != tt.path || line["status"] != float64(500) ||
				!strings.HasPrefix(line["error"].(string), tt.cause) {
				t.Errorf("%s: log line %v", tt.name, line)
			}
		}
		log := f.log.String()
		for _, leak := range []string{"424242", "13812345678", "Bearer", `"writer"`} {
			if strings.Contains(log, leak) {
				t.Errorf("the log holds %q:\n%s", leak, log)
			}
		}
	})
}
