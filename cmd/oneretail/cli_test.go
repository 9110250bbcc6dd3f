package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
)

// openTenant creates the SQLite database dbPath with a tenant (code) and a
// touchpoint, and returns the open app and a context acting as the tenant's system
// principal. The caller closes the app before running commands on the file.
func openTenant(t *testing.T, dbPath, code string, tp identity.NewTouchpoint) (*app.App, context.Context) {
	t.Helper()
	ctx := context.Background()
	opts := &options{db: dbPath, logFormat: "text", logLevel: "error"}
	a, err := opts.open(ctx, app.Config{Org: org.TestConfig()})
	if err != nil {
		t.Fatal(err)
	}
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: code, TenantName: code, AdminLogin: "admin", AdminName: "Admin", AdminPassword: "cli-test-password"})
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	if _, err := a.Identity.CreateTouchpoint(sys, tp); err != nil {
		a.Close()
		t.Fatal(err)
	}
	return a, sys
}

// runCLI runs the root command with args and returns what it printed.
func runCLI(args ...string) (string, error) {
	return runCLIContext(context.Background(), args...)
}

// runCLIContext is runCLI under ctx (a command that serves stops when ctx ends).
func runCLIContext(ctx context.Context, args ...string) (string, error) {
	var out bytes.Buffer
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	err := root.ExecuteContext(ctx)
	return out.String(), err
}
