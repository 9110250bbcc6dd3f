package promotion

import (
	"context"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

func setup(t testing.TB, d *db.DB) *Service {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	return NewService(d, events.NewOutbox(c), audit.New(d, c), c)
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
