package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// TestSecurity10_LoginBehindTrustedProxy logs in through a trusted proxy that says
// the client used HTTPS from 203.0.113.9: the session cookie is Secure, HSTS is sent
// and the session records the forwarded address. The same headers from a peer that is
// not trusted change nothing.
func TestSecurity10_LoginBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.MigratedDSN(t, dialect)
			for _, tc := range []struct {
				name    string
				trusted []netip.Prefix
				secure  bool
				client  string
			}{
				{"trusted", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true, "203.0.113.9"},
				{"not trusted", nil, false, "127.0.0.1"},
			} {
				a, err := app.New(context.Background(), app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.TestConfig(),
					PIISecret: pii.TestSecret(), TrustedProxies: tc.trusted})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				if tc.name == "trusted" {
					tenantKey(t, a, "alpha")
				}
				ts := httptest.NewServer(a.Handler())
				t.Cleanup(ts.Close)
				req, _ := http.NewRequest("POST", ts.URL+"/api/v1/auth/login", strings.NewReader(`{"login":"alpha-admin","password":"correct horse battery"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.9")
				req.Header.Set("X-Forwarded-Proto", "https")
				res, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				cookie := res.Header.Get("Set-Cookie")
				if res.StatusCode != 200 || strings.Contains(cookie, "Secure") != tc.secure || (res.Header.Get("Strict-Transport-Security") != "") != tc.secure {
					t.Fatalf("%s: %d cookie %q hsts %q", tc.name, res.StatusCode, cookie, res.Header.Get("Strict-Transport-Security"))
				}
				token := cookie[strings.Index(cookie, "=")+1 : strings.Index(cookie, ";")]
				req, _ = http.NewRequest("GET", ts.URL+"/api/v1/sessions", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err = ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if !strings.Contains(string(b), `"client_ip":"`+tc.client+`"`) {
					t.Fatalf("%s: sessions %s, want client %s", tc.name, b, tc.client)
				}
			}
		})
	}
}
