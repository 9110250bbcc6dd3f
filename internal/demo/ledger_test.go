package demo_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func setup(t *testing.T, dialect db.Dialect) *app.App {
	t.Helper()
	return setupAt(t, dialect, nil)
}

// setupAt is setup with the app on clk (nil: the system clock), for a load whose
// today is clk's: the promotion service commits only the last day's till orders.
func setupAt(t *testing.T, dialect db.Dialect, clk clock.Clock) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DB: dbtest.MigratedDSN(t, dialect), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Org: org.TestConfig(), PIISecret: pii.TestSecret(), DBOptions: db.Options{Sync: db.SyncNormal}, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// rowCounts counts the rows of the tables a demo load writes, all tenants together.
func rowCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"tenants", "users", "brands", "regions", "stores", "categories", "products", "skus", "sku_prices",
		"price_zones", "touchpoints", "events", "customers", "customer_identifiers", "customer_profiles", "identity_reviews",
		"outbox_events", "audit_events", "demo_loads"} {
		var n int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// TestResilience04_CancelledLoadLeavesNothing cancels the demo load part-way through
// the customer events (the longest stage, after organisation, catalogue and prices):
// before, the tenant stayed half-loaded — `demo` then refused to run again and
// `serve --demo` started on it. Now Load removes everything it wrote, and a rerun
// loads the chain.
func TestResilience04_CancelledLoadLeavesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads the small demo chain twice per engine")
	}
	chain, err := demo.Generate(demo.ScaleSmall, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := setup(t, dialect)
			services := demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog, Identity: a.Identity}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var once sync.Once
			err := demo.Load(ctx, chain, services, demo.LoadOptions{AdminPassword: "demo-admin-password", Progress: func(stage string, done, total int) {
				if stage == "customer events" && done > total/3 {
					once.Do(cancel)
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled load returned %v, want context.Canceled", err)
			}
			for table, n := range rowCounts(t, a.DB) {
				if n != 0 {
					t.Errorf("after the cancelled load %s holds %d rows", table, n)
				}
			}
			if err := demo.CheckLoads(context.Background(), a.DB); err != nil {
				t.Errorf("CheckLoads after a cleaned-up load: %v", err)
			}

			// The rerun skips the customers (the slow part; the CLI test reloads them).
			services.Identity = nil
			if err := demo.Load(context.Background(), chain, services, demo.LoadOptions{AdminPassword: "demo-admin-password"}); err != nil {
				t.Fatalf("rerun: %v", err)
			}
			got := rowCounts(t, a.DB)
			st := chain.Stats()
			if got["tenants"] != 1 || got["stores"] != st.Stores || got["skus"] != st.SKUs || got["products"] != st.Products || got["demo_loads"] != 0 {
				t.Errorf("rerun loaded %v, want 1 tenant, %d stores, %d products, %d SKUs and no load mark", got, st.Stores, st.Products, st.SKUs)
			}
		})
	}
}

// TestResilience04_KilledLoadIsFoundAndDiscarded stands for a load killed outright
// (kill -9, power loss) right after its tenant was created: the mark remains without
// the tenant id. CheckLoads refuses it by name, and Discard removes that tenant's
// rows and the mark — and nothing of another tenant.
func TestResilience04_KilledLoadIsFoundAndDiscarded(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a := setup(t, dialect)
			keep, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "other", TenantName: "Other", AdminLogin: "admin", AdminName: "A", AdminPassword: "other-password-1"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.DB.Writer().Exec(`INSERT INTO demo_loads (tenant_code, scale, seed, started_at) VALUES ('halfway', 'small', 7, 1700000000000)`); err != nil {
				t.Fatal(err)
			}
			partial, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "halfway", TenantName: "Half", AdminLogin: "half.admin", AdminName: "A", AdminPassword: "halfway-password"})
			if err != nil {
				t.Fatal(err)
			}
			for _, tenant := range []org.Tenant{keep, partial} {
				sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
				if _, err := a.Org.CreateBrand(sys, org.BrandCreate{Code: "B", Name: "Brand"}); err != nil {
					t.Fatal(err)
				}
				if _, err := a.Identity.CreateTouchpoint(sys, identity.NewTouchpoint{Code: "pos", Name: "POS", Type: identity.TypeOffline, Channel: "pos"}); err != nil {
					t.Fatal(err)
				}
			}

			err = demo.CheckLoads(ctx, a.DB)
			if !errors.Is(err, demo.ErrInterruptedLoad) || !strings.Contains(err.Error(), `tenant "halfway" (small demo, seed 7`) || !strings.Contains(err.Error(), "oneretail demo") {
				t.Fatalf("CheckLoads = %v, want the interrupted load named with what to do", err)
			}
			loads, err := demo.InterruptedLoads(ctx, a.DB)
			if err != nil || len(loads) != 1 {
				t.Fatalf("InterruptedLoads = %v, %v", loads, err)
			}
			removed, err := demo.Discard(ctx, a.DB, a.Org, loads[0])
			if err != nil {
				t.Fatal(err)
			}
			if removed["tenants"] != 1 || removed["brands"] != 1 || removed["touchpoints"] != 1 || removed["users"] != 1 {
				t.Errorf("Discard removed %v, want the partial tenant, its user, brand and touchpoint", removed)
			}
			if err := demo.CheckLoads(ctx, a.DB); err != nil {
				t.Errorf("CheckLoads after Discard: %v", err)
			}
			if _, err := a.Org.FindTenantByCode(ctx, "halfway"); err == nil {
				t.Error("the partial tenant is still there")
			}
			var brands, touchpoints int
			a.DB.Reader().QueryRow(`SELECT COUNT(*) FROM brands WHERE tenant_id = $1`, keep.ID).Scan(&brands)
			a.DB.Reader().QueryRow(`SELECT COUNT(*) FROM touchpoints WHERE tenant_id = $1`, keep.ID).Scan(&touchpoints)
			if brands != 1 || touchpoints != 1 {
				t.Errorf("the other tenant lost rows: %d brands, %d touchpoints", brands, touchpoints)
			}
		})
	}
}

// TestLoadRefusesAnExistingTenant: a load never touches (or, failing, removes) a
// tenant it did not create.
func TestLoadRefusesAnExistingTenant(t *testing.T) {
	t.Parallel()
	chain, err := demo.Generate(demo.ScaleSmall, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := setup(t, db.SQLite)
	ctx := context.Background()
	if _, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: chain.Tenant.Code, TenantName: "Real", AdminLogin: "admin", AdminName: "A", AdminPassword: "real-tenant-pass"}); err != nil {
		t.Fatal(err)
	}
	err = demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog}, demo.LoadOptions{AdminPassword: "demo-admin-password"})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Load over an existing tenant = %v", err)
	}
	if n := rowCounts(t, a.DB); n["tenants"] != 1 || n["users"] != 1 || n["demo_loads"] != 0 {
		t.Errorf("after the refused load: %v", n)
	}
}
