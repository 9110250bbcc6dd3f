package catalog

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// fakeStores stands in for the org domain: stores belong to tenants, and a store is
// visible to any principal of its tenant.
type fakeStores struct {
	mu     sync.Mutex
	tenant map[string]string // store id → tenant id
	names  map[string]string // store id → name, when the fake also names stores
}

var _ StoreFinder = (*fakeStores)(nil)

func (f *fakeStores) add(tenantID, storeID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tenant[storeID] = tenantID
}

func (f *fakeStores) StoreExists(ctx context.Context, storeID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := auth.FromContext(ctx)
	if p == nil || f.tenant[storeID] != p.TenantID {
		return errs.E(errs.NotFound, "store not found")
	}
	// Like org: a store-scoped principal sees its own store only.
	if p.DataScope == auth.StoreScope && p.DataID != storeID {
		return errs.E(errs.NotFound, "store not found")
	}
	return nil
}

// namingStores is a fakeStores that also names stores.
type namingStores struct{ *fakeStores }

var _ StoreNamer = namingStores{}

func (n namingStores) StoreNames(_ context.Context, ids []string) (map[string]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		if name, ok := n.names[id]; ok {
			out[id] = name
		}
	}
	return out, nil
}

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
	storeA1 = "store-a1"
	storeA2 = "store-a2"
	storeB1 = "store-b1"
)

type env struct {
	svc    *Service
	db     *db.DB
	stores *fakeStores
	clock  *clock.Fixed
}

func setup(t testing.TB, d *db.DB) *env {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	stores := &fakeStores{tenant: map[string]string{}, names: map[string]string{}}
	stores.add(tenantA, storeA1)
	stores.add(tenantA, storeA2)
	stores.add(tenantB, storeB1)
	return &env{svc: NewService(d, events.NewOutbox(c), audit.New(d, c), c, stores), db: d, stores: stores, clock: c}
}

// admin is a tenant-wide principal with every scope.
func admin(tenantID string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "admin-" + tenantID, Name: "admin",
		TenantID: tenantID, Role: auth.HQAdmin, Scopes: auth.RoleScopes(auth.HQAdmin), DataScope: auth.TenantScope})
}

// manager is a store manager of storeID.
func manager(tenantID, storeID string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "mgr-" + storeID, Name: "manager",
		TenantID: tenantID, Role: auth.StoreManager, Scopes: auth.RoleScopes(auth.StoreManager), DataScope: auth.StoreScope, DataID: storeID})
}

// marketer reads the catalog but may not change it.
func marketer(tenantID string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "mkt", Name: "marketer",
		TenantID: tenantID, Role: auth.Marketer, Scopes: auth.RoleScopes(auth.Marketer), DataScope: auth.TenantScope})
}

func mkCategory(t *testing.T, e *env, ctx context.Context, code, parentID string) Category {
	t.Helper()
	c, err := e.svc.CreateCategory(ctx, NewCategory{ParentID: parentID, Code: code, Name: "Category " + code})
	if err != nil {
		t.Fatalf("create category %s: %v", code, err)
	}
	return c
}

func mkProduct(t *testing.T, e *env, ctx context.Context, code, categoryID string) Product {
	t.Helper()
	p, err := e.svc.CreateProduct(ctx, NewProduct{CategoryID: categoryID, Code: code, Name: "Product " + code, BrandName: "Brand"})
	if err != nil {
		t.Fatalf("create product %s: %v", code, err)
	}
	return p
}

func mkSKU(t *testing.T, e *env, ctx context.Context, code, productID string, priceFen int64, barcodes ...string) SKU {
	t.Helper()
	s, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: productID, Code: code, Name: "SKU " + code, Barcodes: barcodes, ListPriceFen: priceFen, CostFen: priceFen / 2})
	if err != nil {
		t.Fatalf("create sku %s: %v", code, err)
	}
	return s
}

// gtin completes an all-digit code with its GS1 check digit.
func gtin(body string) string {
	sum := 0
	for i, w := len(body)-1, 3; i >= 0; i, w = i-1, 4-w {
		sum += int(body[i]-'0') * w
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// wantCode fails the test unless err carries code (and, when field is set, names it).
func wantCode(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || err == nil {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if field != "" {
		var e *errs.Error
		if !errors.As(err, &e) || e.Field != field {
			t.Fatalf("error = %v, want field %s", err, field)
		}
	}
}

func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}
