package org

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// adminPassword is the password of every user the tests create.
const adminPassword = "correct horse battery"

// fixture is a service over a fresh database with one bootstrapped tenant.
type fixture struct {
	svc    *Service
	db     *db.DB
	clock  *clock.Fixed
	tenant Tenant
	admin  User
	// ctx carries the tenant's hq_admin as principal.
	ctx context.Context
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	return setupWithLog(t, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func setupWithLog(t *testing.T, d *db.DB, log *slog.Logger) *fixture {
	t.Helper()
	return setupConfig(t, d, TestConfig(), log)
}

// setupConfig is setup with its own settings (a counting Hasher, tighter limits).
func setupConfig(t *testing.T, d *db.DB, cfg Config, log *slog.Logger) *fixture {
	t.Helper()
	c := clock.NewFixed(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	f := &fixture{svc: newNode(d, cfg, c, log), db: d, clock: c}
	f.tenant, f.admin = f.bootstrap(t, "acme")
	f.ctx = as(f.admin)
	return f
}

// newNode returns a service over d, as another node behind a load balancer would run it.
func newNode(d *db.DB, cfg Config, c clock.Clock, log *slog.Logger) *Service {
	return NewService(cfg, d, events.NewOutbox(c), audit.New(d, c), ratelimit.New(d, c), c, log)
}

// bootstrap creates another tenant with an hq_admin whose login is "<code>-admin".
func (f *fixture) bootstrap(t *testing.T, code string) (Tenant, User) {
	t.Helper()
	tn, u, err := f.svc.Bootstrap(context.Background(), BootstrapInput{TenantCode: code, TenantName: code + " Retail",
		AdminLogin: code + "-admin", AdminName: "Admin of " + code, AdminPassword: adminPassword})
	if err != nil {
		t.Fatalf("bootstrap %s: %v", code, err)
	}
	return tn, u
}

// as returns a context whose principal is u, as a console session would give.
func as(u User) context.Context {
	return auth.WithPrincipal(context.Background(), userPrincipal(u, ""))
}

func (f *fixture) brand(t *testing.T, ctx context.Context, code string) Brand {
	t.Helper()
	b, err := f.svc.CreateBrand(ctx, BrandCreate{Code: code, Name: "Brand " + code})
	if err != nil {
		t.Fatalf("create brand %s: %v", code, err)
	}
	return b
}

func (f *fixture) region(t *testing.T, ctx context.Context, code string) Region {
	t.Helper()
	r, err := f.svc.CreateRegion(ctx, RegionCreate{Code: code, Name: "Region " + code})
	if err != nil {
		t.Fatalf("create region %s: %v", code, err)
	}
	return r
}

func (f *fixture) store(t *testing.T, ctx context.Context, b Brand, r Region, code, city string, format StoreFormat) Store {
	t.Helper()
	s, err := f.svc.CreateStore(ctx, StoreCreate{BrandID: b.ID, RegionID: r.ID, Code: code, Name: "Store " + code,
		Format: format, City: city, Latitude: new(31.2), Longitude: new(121.5), FloorAreaM2: new(1200),
		OpeningHours: "08:00-22:00"})
	if err != nil {
		t.Fatalf("create store %s: %v", code, err)
	}
	return s
}

func (f *fixture) user(t *testing.T, ctx context.Context, login string, role auth.Role, st auth.ScopeType, scopeID string) User {
	t.Helper()
	u, err := f.svc.CreateUser(ctx, UserCreate{Login: login, Name: "User " + login, Password: adminPassword,
		Role: role, ScopeType: st, ScopeID: scopeID})
	if err != nil {
		t.Fatalf("create user %s: %v", login, err)
	}
	return u
}

// world is a tenant with two brands, two regions and three stores.
type world struct {
	b1, b2 Brand
	r1, r2 Region
	s1, s2 Store // b1/r1, b1/r2
	s3     Store // b2/r2
}

func (f *fixture) world(t *testing.T) world {
	t.Helper()
	var w world
	w.b1, w.b2 = f.brand(t, f.ctx, "B1"), f.brand(t, f.ctx, "B2")
	w.r1, w.r2 = f.region(t, f.ctx, "R1"), f.region(t, f.ctx, "R2")
	w.s1 = f.store(t, f.ctx, w.b1, w.r1, "S1", "上海", Hypermarket)
	w.s2 = f.store(t, f.ctx, w.b1, w.r2, "S2", "杭州", Supermarket)
	w.s3 = f.store(t, f.ctx, w.b2, w.r2, "S3", "杭州", Convenience)
	return w
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); err == nil || got != code {
		t.Fatalf("error = %v (code %s), want code %s", err, got, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Field != field {
		t.Fatalf("error = %v, want an error on field %s", err, field)
	}
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = id(v)
	}
	return out
}
