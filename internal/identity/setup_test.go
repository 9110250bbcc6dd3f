package identity

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
	storeA1 = "store-a1"
	storeB1 = "store-b1"
)

// fakeStores knows which tenant each store belongs to.
type fakeStores map[string]string

func (f fakeStores) StoreExists(ctx context.Context, id string) error {
	p := auth.FromContext(ctx)
	if p == nil || f[id] != p.TenantID {
		return errs.E(errs.NotFound, "store not found")
	}
	return nil
}

// StoreCount counts the caller's tenant's stores; a caller without org:read may not.
func (f fakeStores) StoreCount(ctx context.Context) (int, error) {
	p := auth.FromContext(ctx)
	if p == nil || !p.Has(auth.OrgRead) {
		return 0, errs.E(errs.Forbidden, "may not read stores")
	}
	n := 0
	for _, tenant := range f {
		if tenant == p.TenantID {
			n++
		}
	}
	return n, nil
}

// ScopeStoreIDs knows no brands or regions: they hold no stores.
func (f fakeStores) ScopeStoreIDs(context.Context) ([]string, error) { return nil, nil }

type env struct {
	svc   *Service
	db    *db.DB
	clock *clock.Fixed
}

func setup(t testing.TB, d *db.DB) *env {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	stores := fakeStores{storeA1: tenantA, storeB1: tenantB}
	return &env{svc: NewService(d, events.NewOutbox(c), audit.New(d, c), c, stores, nil, mustKeys(t)), db: d, clock: c}
}

// as returns a tenant-wide principal of role in tenantID.
func as(tenantID string, role auth.Role) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: string(role) + "-" + tenantID, Name: string(role),
		TenantID: tenantID, Role: role, Scopes: auth.RoleScopes(role), DataScope: auth.TenantScope})
}

func admin(tenantID string) context.Context { return as(tenantID, auth.HQAdmin) }

func wantCode(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s %s", err, code, field)
	}
	if e.Code != code || e.Field != field {
		t.Fatalf("err = %v (code %s, field %q), want %s %q", err, e.Code, e.Field, code, field)
	}
}

func mkTouchpoint(t *testing.T, e *env, ctx context.Context, code string) Touchpoint {
	t.Helper()
	tp, err := e.svc.CreateTouchpoint(ctx, NewTouchpoint{Code: code, Name: "Touchpoint " + code, Type: TypeOffline, Channel: "pos"})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func mustKeys(t testing.TB) *pii.Keys {
	t.Helper()
	k, err := pii.NewKeys(pii.TestSecret())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openColumn opens a sealed column value, failing the test if it does not open.
func openColumn(t testing.TB, keys *pii.Keys, sealed, context string) string {
	t.Helper()
	plain, err := keys.Open(sealed, context)
	if err != nil {
		t.Fatalf("open %s: %v", context, err)
	}
	return plain
}
