package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
)

// TestImportCustomersCommand runs `oneretail import customers` on a file with a bad
// row: the good rows are stored, the command fails naming the error report, and a
// second run stores nothing twice.
func TestImportCustomersCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "one.db")
	ctx := context.Background()
	opts := &options{db: dbPath, logFormat: "text", logLevel: "error"}
	a, err := opts.open(ctx, app.Config{Org: org.TestConfig()})
	if err != nil {
		t.Fatal(err)
	}
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "shop", TenantName: "Shop", AdminLogin: "admin", AdminName: "A", AdminPassword: "admin-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	if _, err := a.Identity.CreateTouchpoint(sys, identity.NewTouchpoint{Code: "crm", Name: "CRM", Type: identity.TypeOffline, Channel: "other"}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	file := filepath.Join(dir, "members.csv")
	if err := os.WriteFile(file, []byte("手机号,姓名\n13800138000,王小明\n12345,坏号码\n13900139000,李雷\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func() (string, error) {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs([]string{"import", "customers", file, "--db", dbPath, "--tenant", "shop", "--touchpoint", "crm", "--log-level", "error"})
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	out, err := run()
	if err == nil || !strings.Contains(err.Error(), "members.csv.errors.csv") {
		t.Fatalf("err = %v, want the error report named", err)
	}
	if !strings.Contains(out, "3 rows: 2 stored, 0 already stored, 1 rejected") || !strings.Contains(out, "line 3: identifiers.phone") {
		t.Fatalf("output:\n%s", out)
	}
	report, err := os.ReadFile(file + ".errors.csv")
	if err != nil || !strings.HasPrefix(string(report), "line,field,reason\n3,identifiers.phone,") {
		t.Fatalf("report %q, %v", report, err)
	}
	out, _ = run()
	if !strings.Contains(out, "3 rows: 0 stored, 2 already stored, 1 rejected") {
		t.Fatalf("second run:\n%s", out)
	}
}
