package promotion

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

// testNow is the tests' fixed clock.
var testNow = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// testTokenKey signs the tests' priced-cart tokens.
var testTokenKey = []byte("promotion-test-token-key-0123456789")

func setup(t testing.TB, d *db.DB) *Service {
	t.Helper()
	c := clock.NewFixed(testNow)
	return NewService(d, events.NewOutbox(c), audit.New(d, c), c, Config{Customers: newFakeCustomers(), Stores: fakeStores{},
		TokenKey: testTokenKey})
}

// fakeStores stands in for the organisation service: tenant A has a store in Urumqi
// (UTC+6) and one in Shanghai.
type fakeStores struct{}

func (fakeStores) StoreTimeZone(ctx context.Context, storeID string) (string, error) {
	zones := map[string]string{tenantA + "/urumqi": "Asia/Urumqi", tenantA + "/shanghai": "Asia/Shanghai"}
	if z, ok := zones[auth.FromContext(ctx).TenantID+"/"+storeID]; ok {
		return z, nil
	}
	return "", errs.E(errs.NotFound, "store not found")
}

// fakeCustomers stands in for the identity service: alice, bob, carol, dora and c0…c99
// are customers of tenant A; merge folds one into another.
type fakeCustomers struct {
	mu     sync.Mutex
	into   map[string]string // tenant/id → the id it was merged into
	exists map[string]bool   // tenant/id
}

func newFakeCustomers() *fakeCustomers {
	f := &fakeCustomers{into: map[string]string{}, exists: map[string]bool{}}
	for _, id := range []string{"alice", "bob", "carol", "dora"} {
		f.exists[tenantA+"/"+id] = true
	}
	for i := range 100 {
		f.exists[fmt.Sprintf("%s/c%d", tenantA, i)] = true
	}
	return f
}

// customersOf returns the fake identity service of a test's Service.
func customersOf(s *Service) *fakeCustomers { return s.customers.(*fakeCustomers) }

// merge merges from into into (both of tenant A).
func (f *fakeCustomers) merge(into, from string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.into[tenantA+"/"+from] = into
}

func (f *fakeCustomers) FindCustomerCluster(ctx context.Context, id string) (string, []string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tenant := auth.FromContext(ctx).TenantID
	if !f.exists[tenant+"/"+id] {
		return "", nil, errs.E(errs.NotFound, "customer not found")
	}
	live := id
	for f.into[tenant+"/"+live] != "" {
		live = f.into[tenant+"/"+live]
	}
	var merged []string
	for k, v := range f.into {
		if strings.HasPrefix(k, tenant+"/") && v == live {
			merged = append(merged, strings.TrimPrefix(k, tenant+"/"))
		}
	}
	slices.Sort(merged)
	return live, merged, nil
}

func principal(tenantID string, role auth.Role) *auth.Principal {
	return &auth.Principal{Kind: auth.UserPrincipal, ID: string(role) + "-" + tenantID, Name: string(role),
		TenantID: tenantID, Role: role, Scopes: auth.RoleScopes(role), DataScope: auth.TenantScope}
}

func as(tenantID string, role auth.Role) context.Context {
	return auth.WithPrincipal(context.Background(), principal(tenantID, role))
}

// manjian is 满减: spend ¥199 save ¥20, spend ¥299 save ¥50, on the whole order.
func manjian() engine.Promotion {
	return engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
		Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 2000}, {Spend: 29900, Off: 5000}}}}
}

// secondHalf is 第二件半价 on MILK.
func secondHalf() engine.Promotion {
	return engine.Promotion{Kind: engine.KindNthItem, Scope: engine.Scope{SKUs: []string{"MILK"}},
		NthItem: &engine.NthItem{N: 2, OffBP: 5000}}
}

func mustCreate(t *testing.T, s *Service, ctx context.Context, code string, def engine.Promotion) Promotion {
	t.Helper()
	p, err := s.CreatePromotion(ctx, NewPromotion{Code: code, Name: "Promotion " + code, Definition: def})
	if err != nil {
		t.Fatalf("create %s: %v", code, err)
	}
	return p
}
