package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// emptyApp is a running app over a database without any tenant.
func emptyApp(t *testing.T, dialect db.Dialect) *harness {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DB: dbtest.MigratedDSN(t, dialect), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Org: org.TestConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h := &harness{app: a, server: httptest.NewServer(a.Handler())}
	t.Cleanup(h.server.Close)
	return h
}

// TestFirstRunPage: the first-run endpoint works only while no tenant exists and
// only with the setup token; of concurrent posts one creates the tenant; the new
// admin then logs in.
func TestFirstRunPage(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := emptyApp(t, dialect)
			body := func(token, login, password string) string {
				return fmt.Sprintf(`{"token":%q,"tenant_name":"华联集团","admin_login":%q,"admin_password":%q}`, token, login, password)
			}
			expect := func(name, method, path, reqBody string, status int, want string) {
				t.Helper()
				got, _, resp := h.do(t, method, path, "", "application/json", reqBody)
				if got != status || !strings.Contains(resp, want) {
					t.Fatalf("%s: %d %s, want %d with %q", name, got, resp, status, want)
				}
			}
			expect("status", "GET", "/api/v1/setup", "", 200, `"needed":true`)
			expect("closed", "POST", "/api/v1/setup", body("", "owner", "correct horse battery"), 403, "body.token")
			h.app.OpenSetup("the-setup-token")
			expect("wrong token", "POST", "/api/v1/setup", body("the-setup-tokeN", "owner", "correct horse battery"), 403, "setup token")
			expect("weak password", "POST", "/api/v1/setup", body("the-setup-token", "owner", "admin12345"), 422, "body.admin_password")
			expect("no group", "POST", "/api/v1/setup", `{"token":"the-setup-token","tenant_name":" ","admin_login":"owner","admin_password":"correct horse battery"}`, 422, "body.tenant_name")

			const n = 6
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					statuses[i], _, _ = h.do(t, "POST", "/api/v1/setup", "", "application/json",
						body("the-setup-token", fmt.Sprintf("owner%d", i), "correct horse battery"))
				})
			}
			wg.Wait()
			created := 0
			for _, s := range statuses {
				switch s {
				case 201:
					created++
				case 403, 409: // spent token, or lost the race inside the transaction
				default:
					t.Errorf("concurrent first run: %d", s)
				}
			}
			tenants, err := h.app.Org.ListTenants(context.Background())
			if created != 1 || err != nil || len(tenants) != 1 || tenants[0].Code != app.DefaultTenantCode || tenants[0].Name != "华联集团" {
				t.Fatalf("concurrent first runs: %v created %d; tenants %+v, %v", statuses, created, tenants, err)
			}
			expect("status after", "GET", "/api/v1/setup", "", 200, `"needed":false`)
			h.app.OpenSetup("another-token") // a restarted serve never opens it, but the service refuses anyway
			expect("second first run", "POST", "/api/v1/setup", body("another-token", "late", "correct horse battery"), 409, "already set up")

			var winner string
			for i, s := range statuses {
				if s == 201 {
					winner = fmt.Sprintf("owner%d", i)
				}
			}
			expect("login", "POST", "/api/v1/auth/login", fmt.Sprintf(`{"login":%q,"password":"correct horse battery"}`, winner), 200, `"hq_admin"`)
		})
	}
}
