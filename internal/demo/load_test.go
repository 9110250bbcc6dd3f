package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// TestLoadSmallChain loads the small demo through the services on each engine and
// reads it back through the same services.
func TestLoadSmallChain(t *testing.T) {
	t.Parallel()
	chain, err := demo.Generate(demo.ScaleSmall, 42)
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, err := app.New(ctx, app.Config{DB: dbtest.MigratedDSN(t, dialect), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.TestConfig(), PIISecret: pii.TestSecret()})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			stages := map[string]bool{}
			err = demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog}, demo.LoadOptions{
				AdminPassword: "demo-admin-password",
				Progress:      func(stage string, done, total int) { stages[stage] = true },
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"stores", "skus", "prices"} {
				if !stages[s] {
					t.Errorf("no progress reported for %s", s)
				}
			}
			tenant, err := a.Org.FindTenantByCode(ctx, chain.Tenant.Code)
			if err != nil {
				t.Fatal(err)
			}
			sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
			summary, err := a.Org.StoreSummary(sys, org.StoreFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if summary.Total != len(chain.Stores) {
				t.Errorf("stores loaded = %d, want %d", summary.Total, len(chain.Stores))
			}
			cat, err := a.Catalog.CatalogSummary(sys)
			if err != nil {
				t.Fatal(err)
			}
			st := chain.Stats()
			if cat.SKUs != st.SKUs || cat.Products != st.Products || cat.Categories != st.Categories {
				t.Errorf("catalogue = %+v, want %d categories, %d products, %d SKUs", cat, st.Categories, st.Products, st.SKUs)
			}
			// A store price override wins over the list price.
			sp := chain.StorePrices[0]
			store, err := a.Org.FindStores(sys, org.StoreFilter{Q: sp.StoreCode, PageParams: httpapi.PageParams{Limit: 10}})
			if err != nil || len(store.Items) == 0 {
				t.Fatalf("store %s: %v", sp.StoreCode, err)
			}
			skus, err := a.Catalog.FindSKUs(sys, catalog.SKUFilter{Q: sp.SKUCode, Limit: 10})
			if err != nil || len(skus.Items) == 0 {
				t.Fatalf("sku %s: %v", sp.SKUCode, err)
			}
			var skuID string
			for _, s := range skus.Items {
				if s.Code == sp.SKUCode {
					skuID = s.ID
				}
			}
			price, err := a.Catalog.EffectivePrice(sys, skuID, store.Items[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if price.PriceFen != sp.Price || price.Source != catalog.SourceStore {
				t.Errorf("effective price = %+v, want %d from the store", price, sp.Price)
			}
			// The demo users can log in; the store manager sees only their store.
			_, token, _, err := a.Org.Login(ctx, org.LoginInput{Login: "store.manager", Password: "demo-admin-password", ClientIP: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Org.Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			mine, err := a.Org.FindStores(auth.WithPrincipal(ctx, p), org.StoreFilter{PageParams: httpapi.PageParams{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if len(mine.Items) != 1 || mine.Items[0].Code != chain.Stores[0].Code {
				t.Errorf("store manager sees %d stores, want only %s", len(mine.Items), chain.Stores[0].Code)
			}
		})
	}
}
