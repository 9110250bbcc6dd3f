package org

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)

		tests := []struct {
			name  string
			in    UserCreate
			code  errs.Code
			field string
		}{
			{name: "store manager", in: UserCreate{Login: " Mgr.S1@Acme ", Name: "王经理", Password: adminPassword, Role: auth.StoreManager, ScopeType: auth.StoreScope, ScopeID: w.s1.ID}},
			{name: "regional analyst", in: UserCreate{Login: "ana", Name: "x", Password: adminPassword, Role: auth.Analyst, ScopeType: auth.RegionScope, ScopeID: w.r1.ID}},
			{name: "brand marketer", in: UserCreate{Login: "mkt", Name: "x", Password: adminPassword, Role: auth.Marketer, ScopeType: auth.BrandScope, ScopeID: w.b1.ID}},
			{name: "login taken", in: UserCreate{Login: "MGR.s1@acme", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.TenantScope}, code: errs.Conflict, field: "body.login"},
			{name: "short password", in: UserCreate{Login: "user1", Name: "x", Password: "123456789", Role: auth.Associate, ScopeType: auth.TenantScope}, code: errs.Invalid, field: "body.password"},
			{name: "bad login", in: UserCreate{Login: "a b", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.TenantScope}, code: errs.Invalid, field: "body.login"},
			{name: "unknown role", in: UserCreate{Login: "user2", Name: "x", Password: adminPassword, Role: "ceo", ScopeType: auth.TenantScope}, code: errs.Invalid, field: "body.role"},
			{name: "unknown scope type", in: UserCreate{Login: "user3", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: "city"}, code: errs.Invalid, field: "body.scope_type"},
			{name: "tenant with id", in: UserCreate{Login: "user4", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.TenantScope, ScopeID: w.s1.ID}, code: errs.Invalid, field: "body.scope_id"},
			{name: "store without id", in: UserCreate{Login: "user5", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.StoreScope}, code: errs.Invalid, field: "body.scope_id"},
			{name: "unknown store", in: UserCreate{Login: "user6", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.StoreScope, ScopeID: w.b1.ID}, code: errs.Invalid, field: "body.scope_id"},
			{name: "unknown region", in: UserCreate{Login: "user7", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.RegionScope, ScopeID: w.s1.ID}, code: errs.Invalid, field: "body.scope_id"},
		}
		for _, tt := range tests {
			u, err := f.svc.CreateUser(f.ctx, tt.in)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				if u.Login != strings.ToLower(strings.TrimSpace(tt.in.Login)) || u.Status != UserActive {
					t.Fatalf("%s: user = %+v", tt.name, u)
				}
				continue
			}
			if errs.CodeOf(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
				continue
			}
			wantField(t, err, tt.field)
		}

		// The audit trail and the event never carry the password.
		var changes, payload string
		_ = d.Reader().QueryRow(`SELECT changes FROM audit_events WHERE action = 'user.create' ORDER BY id DESC LIMIT 1`).Scan(&changes)
		_ = d.Reader().QueryRow(`SELECT payload FROM outbox_events WHERE type = $1 ORDER BY id DESC LIMIT 1`, EventUserCreated).Scan(&payload)
		for _, s := range []string{changes, payload} {
			if s == "" || strings.Contains(s, adminPassword) || strings.Contains(s, "argon2") {
				t.Fatalf("user audit/event leaks or is missing: %q", s)
			}
		}

		all, err := f.svc.FindUsers(f.ctx, UserFilter{})
		if err != nil || len(all.Items) != 4 {
			t.Fatalf("FindUsers = %d, %v", len(all.Items), err)
		}
		mgr := all.Items[1]
		if mgr.Login != "mgr.s1@acme" {
			t.Fatalf("second user = %+v", mgr)
		}
		byRole, _ := f.svc.FindUsers(f.ctx, UserFilter{Role: auth.Analyst})
		if len(byRole.Items) != 1 || byRole.Items[0].Login != "ana" {
			t.Fatalf("FindUsers(role=analyst) = %+v", byRole.Items)
		}

		// A store manager reads the users of their store only, and manages none.
		s1mate := f.user(t, f.ctx, "assoc-s1", auth.Associate, auth.StoreScope, w.s1.ID)
		s3mate := f.user(t, f.ctx, "assoc-s3", auth.Associate, auth.StoreScope, w.s3.ID)
		m := as(mgr)
		seen, err := f.svc.FindUsers(m, UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(seen.Items, func(u User) string { return u.Login }); !slices.Equal(got, []string{"mgr.s1@acme", "assoc-s1"}) {
			t.Fatalf("store manager sees users %v", got)
		}
		_, err = f.svc.FindUserByID(m, s3mate.ID)
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.FindUserByID(m, f.admin.ID)
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.UpdateUser(m, s1mate.ID, UserUpdate{Name: new("x")})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.CreateUser(m, UserCreate{Login: "new", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.StoreScope, ScopeID: w.s1.ID})
		wantCode(t, err, errs.Forbidden)
		// The regional analyst has no users:read.
		_, err = f.svc.FindUsers(as(all.Items[2]), UserFilter{})
		wantCode(t, err, errs.Forbidden)

		// Updates.
		u, err := f.svc.UpdateUser(f.ctx, s1mate.ID, UserUpdate{Role: new(auth.StoreManager), ScopeType: new(auth.TenantScope)})
		if err != nil || u.Role != auth.StoreManager || u.ScopeType != auth.TenantScope || u.ScopeID != "" {
			t.Fatalf("UpdateUser = %+v, %v", u, err)
		}
		_, err = f.svc.UpdateUser(f.ctx, s1mate.ID, UserUpdate{ScopeType: new(auth.RegionScope)})
		wantField(t, err, "body.scope_id")
		_, err = f.svc.UpdateUser(f.ctx, s1mate.ID, UserUpdate{ScopeType: new(auth.RegionScope), ScopeID: &w.b1.ID})
		wantField(t, err, "body.scope_id")
		_, err = f.svc.UpdateUser(f.ctx, s1mate.ID, UserUpdate{Password: new("short")})
		wantField(t, err, "body.password")
		_, err = f.svc.UpdateUser(f.ctx, f.admin.ID, UserUpdate{Status: new(UserDisabled)})
		wantCode(t, err, errs.Forbidden)
		if _, err := f.svc.UpdateUser(f.ctx, s1mate.ID, UserUpdate{Password: new("a new password")}); err != nil {
			t.Fatal(err)
		}
		_ = d.Reader().QueryRow(`SELECT changes FROM audit_events WHERE action = 'user.update' ORDER BY id DESC LIMIT 1`).Scan(&changes)
		if !strings.Contains(changes, `"password":"reset"`) || strings.Contains(changes, "a new password") {
			t.Fatalf("password change audit = %s", changes)
		}
	})
}

func TestUserRoleEscalation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// A key that may manage users but holds only some scopes cannot hand out more.
		k, _, err := f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "hr", Scopes: []auth.Scope{auth.UsersRead, auth.UsersWrite, auth.OrgRead, auth.CatalogRead, auth.CustomersRead, auth.OrdersRead, auth.OrdersWrite,
			auth.LoyaltyRead, auth.LoyaltyRedeem}})
		if err != nil {
			t.Fatal(err)
		}
		key := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KeyPrincipal, ID: k.ID, Name: k.Name,
			TenantID: f.tenant.ID, Scopes: k.Scopes, DataScope: auth.TenantScope})
		if _, err := f.svc.CreateUser(key, UserCreate{Login: "assoc", Name: "x", Password: adminPassword, Role: auth.Associate, ScopeType: auth.TenantScope}); err != nil {
			t.Fatalf("granting a role within the key's scopes: %v", err)
		}
		_, err = f.svc.CreateUser(key, UserCreate{Login: "boss", Name: "x", Password: adminPassword, Role: auth.HQAdmin, ScopeType: auth.TenantScope})
		wantCode(t, err, errs.Forbidden)
		users, _ := f.svc.FindUsers(key, UserFilter{Q: "assoc"})
		_, err = f.svc.UpdateUser(key, users.Items[0].ID, UserUpdate{Role: new(auth.Merchandiser)})
		wantCode(t, err, errs.Forbidden)
	})
}
