package org

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func firstRun(n int) BootstrapInput {
	return BootstrapInput{TenantCode: fmt.Sprintf("main%d", n), TenantName: "华联集团",
		AdminLogin: fmt.Sprintf("owner%d", n), AdminName: "Owner", AdminPassword: adminPassword}
}

func emptyService(d *db.DB) *Service {
	c := clock.NewFixed(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	return newNode(d, TestConfig(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestSetupOnlyOnAnEmptyInstallation: the first run creates a tenant and an hq_admin;
// a second one, or one after the demo or an operator created a tenant, is refused.
func TestSetupOnlyOnAnEmptyInstallation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := emptyService(d)
		if _, _, err := svc.Setup(ctx, BootstrapInput{TenantCode: "main", TenantName: "华联集团", AdminLogin: "owner",
			AdminName: "Owner", AdminPassword: "admin12345"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a common password: %v", err)
		}
		tn, u, err := svc.Setup(ctx, firstRun(1))
		if err != nil {
			t.Fatal(err)
		}
		if tn.Name != "华联集团" || u.Role != "hq_admin" || u.TenantID != tn.ID {
			t.Fatalf("setup = %+v, %+v", tn, u)
		}
		if _, _, err := svc.Setup(ctx, firstRun(2)); !errors.Is(err, ErrAlreadySetUp) {
			t.Fatalf("second setup: %v", err)
		}
		// The operator may still add tenants.
		if _, _, err := svc.Bootstrap(ctx, firstRun(3)); err != nil {
			t.Fatal(err)
		}
		ts, err := svc.ListTenants(ctx)
		if err != nil || len(ts) != 2 || ts[0].Code != "main1" || ts[1].Code != "main3" {
			t.Fatalf("tenants = %+v, %v", ts, err)
		}

		other := emptyService(dbtest.Open(t, d.Dialect))
		if _, _, err := other.Bootstrap(ctx, firstRun(1)); err != nil { // as the demo does
			t.Fatal(err)
		}
		if _, _, err := other.Setup(ctx, firstRun(2)); !errors.Is(err, ErrAlreadySetUp) {
			t.Fatalf("setup after a tenant exists: %v", err)
		}
	})
}

// TestSetupConcurrent: of many first runs at the same moment, exactly one creates a
// tenant; the others are refused with ErrAlreadySetUp, never another error.
func TestSetupConcurrent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := emptyService(d)
		const n = 8
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Go(func() { _, _, results[i] = svc.Setup(context.Background(), firstRun(i)) })
		}
		wg.Wait()
		created := 0
		for _, err := range results {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, ErrAlreadySetUp):
				t.Errorf("concurrent setup: %v", err)
			}
		}
		ts, err := svc.ListTenants(context.Background())
		if created != 1 || err != nil || len(ts) != 1 {
			t.Fatalf("created %d, tenants %+v, %v", created, ts, err)
		}
	})
}
