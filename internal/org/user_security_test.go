package org

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// keyAs creates an API key with scopes as the principal of ctx and returns a context
// carrying the key as Authenticate resolves it, and its secret.
func (f *fixture) keyAs(t *testing.T, ctx context.Context, name string, scopes ...auth.Scope) (context.Context, string) {
	t.Helper()
	_, secret, err := f.svc.CreateAPIKey(ctx, APIKeyCreate{Name: name, Scopes: scopes})
	if err != nil {
		t.Fatalf("create key %s: %v", name, err)
	}
	return f.authenticated(t, secret), secret
}

// authenticated returns a context carrying the principal of a token.
func (f *fixture) authenticated(t *testing.T, token string) context.Context {
	t.Helper()
	p, err := f.svc.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return auth.WithPrincipal(context.Background(), p)
}

// session logs in and returns the token and a context carrying the session.
func (f *fixture) session(t *testing.T, login, password string) (context.Context, string) {
	t.Helper()
	_, token, _, err := f.svc.Login(context.Background(), LoginInput{Login: login, Password: password, ClientIP: "10.9.0.1"})
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return f.authenticated(t, token), token
}

// Finding 1: a key with users:write could reset an hq_admin's password (or status,
// data scope, name) and log in with every scope. Now changing another user needs
// every scope of their role, hq_admin accounts are changed only by an hq_admin, and
// an API key — which has no role — never changes one.
func TestSecurity01_NarrowKeyCannotTakeOverAnAccount(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		assoc := f.user(t, f.ctx, "assoc", auth.Associate, auth.TenantScope, "")
		mkt := f.user(t, f.ctx, "mkt", auth.Marketer, auth.TenantScope, "")
		_, adminToken := f.session(t, "acme-admin", adminPassword)
		hr, _ := f.keyAs(t, f.ctx, "hr", auth.UsersRead, auth.UsersWrite, auth.OrgRead, auth.CatalogRead, auth.CustomersRead, auth.OrdersRead, auth.OrdersWrite,
			auth.LoyaltyRead, auth.LoyaltyRedeem)
		root, _ := f.keyAs(t, f.ctx, "root", auth.AllScopes()...)

		const stolen = "attacker chosen 2025"
		takeovers := []struct {
			name string
			in   UserUpdate
		}{
			{"password", UserUpdate{Password: new(stolen)}},
			{"status", UserUpdate{Status: new(UserDisabled)}},
			{"data scope", UserUpdate{ScopeType: new(auth.StoreScope), ScopeID: &w.s1.ID}},
			{"role", UserUpdate{Role: new(auth.Associate)}},
			{"name", UserUpdate{Name: new("pwned")}},
		}
		for _, key := range []struct {
			name string
			ctx  context.Context
		}{{"narrow key", hr}, {"key with every scope", root}} {
			for _, tt := range takeovers {
				_, err := f.svc.UpdateUser(key.ctx, f.admin.ID, tt.in)
				if errs.CodeOf(err) != errs.Forbidden {
					t.Errorf("%s changes the hq_admin's %s: %v", key.name, tt.name, err)
				}
			}
			wantCode(t, f.svc.RevokeSession(key.ctx, sessionID(t, f, adminToken)), errs.Forbidden)
		}
		// The hq_admin is untouched: the old password works, the attacker's does not.
		if _, _, _, err := login(f, "acme-admin", stolen, "10.9.1.1"); err == nil {
			t.Fatal("the attacker's password logs in")
		}
		if _, err := f.svc.Authenticate(context.Background(), adminToken); err != nil {
			t.Fatalf("the hq_admin's session ended: %v", err)
		}
		got, _ := f.svc.FindUserByID(f.ctx, f.admin.ID)
		if got.Role != auth.HQAdmin || got.Status != UserActive || got.ScopeType != auth.TenantScope || got.Name != f.admin.Name {
			t.Fatalf("hq_admin changed: %+v", got)
		}

		// Keys cannot make an hq_admin either, by creation or promotion.
		_, err := f.svc.CreateUser(root, UserCreate{Login: "boss", Name: "x", Password: adminPassword, Role: auth.HQAdmin, ScopeType: auth.TenantScope})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.UpdateUser(root, assoc.ID, UserUpdate{Role: new(auth.HQAdmin)})
		wantCode(t, err, errs.Forbidden)
		// A narrow key may change a user whose role it covers, not one whose role it does not.
		if _, err := f.svc.UpdateUser(hr, assoc.ID, UserUpdate{Name: new("店员")}); err != nil {
			t.Fatalf("narrow key on an associate: %v", err)
		}
		_, err = f.svc.UpdateUser(hr, mkt.ID, UserUpdate{Password: new(stolen)})
		wantCode(t, err, errs.Forbidden)
		// Another hq_admin may change the hq_admin.
		boss := f.user(t, f.ctx, "boss", auth.HQAdmin, auth.TenantScope, "")
		if _, err := f.svc.UpdateUser(as(boss), f.admin.ID, UserUpdate{Name: new("总部管理员")}); err != nil {
			t.Fatalf("hq_admin on hq_admin: %v", err)
		}
	})
}

func sessionID(t *testing.T, f *fixture, token string) string {
	t.Helper()
	p, err := f.svc.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p.SessionID
}

// Finding 1: a password set by someone else must be changed at the next login; until
// then the session holds no scope, and the change needs the current password.
func TestSecurity01_AdminResetForcesAPasswordChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.world(t)
		assoc := f.user(t, f.ctx, "assoc", auth.Associate, auth.TenantScope, "")
		_, oldToken := f.session(t, "assoc", adminPassword)

		const temporary = "temporary pass 7"
		u, err := f.svc.UpdateUser(f.ctx, assoc.ID, UserUpdate{Password: new(temporary)})
		if err != nil || !u.MustChangePassword {
			t.Fatalf("reset = %+v, %v", u, err)
		}
		if _, err := f.svc.Authenticate(context.Background(), oldToken); err == nil {
			t.Fatal("a session from before the reset still works")
		}
		_, _, lu, err := login(f, "assoc", temporary, "10.9.2.1")
		if err != nil || !lu.MustChangePassword {
			t.Fatalf("login after reset = %+v, %v", lu, err)
		}
		ctx, token := f.session(t, "assoc", temporary)
		p := auth.FromContext(ctx)
		if !p.PasswordChangeRequired || len(p.Scopes) != 0 {
			t.Fatalf("restricted principal = %+v", p)
		}
		_, err = f.svc.FindStores(ctx, StoreFilter{})
		wantCode(t, err, errs.Forbidden)
		if me, err := f.svc.Me(ctx); err != nil || !me.MustChangePassword {
			t.Fatalf("Me = %+v, %v", me, err)
		}
		_, other := f.session(t, "assoc", temporary)

		tests := []struct {
			name, current, next, field string
		}{
			{"wrong current password", "not the password", "a fresh password 42", "body.current_password"},
			{"trivial new password", temporary, "1234567890", "body.new_password"},
			{"same password", temporary, temporary, "body.new_password"},
		}
		for _, tt := range tests {
			err := f.svc.ChangePassword(ctx, tt.current, tt.next)
			wantField(t, err, tt.field)
			if strings.Contains(err.Error(), tt.next) || strings.Contains(err.Error(), tt.current) {
				t.Errorf("%s: the error echoes a password: %v", tt.name, err)
			}
		}
		if err := f.svc.ChangePassword(ctx, temporary, "a fresh password 42"); err != nil {
			t.Fatal(err)
		}
		p, err = f.svc.Authenticate(context.Background(), token)
		if err != nil || p.PasswordChangeRequired || !p.Has(auth.CustomersRead) {
			t.Fatalf("after the change = %+v, %v", p, err)
		}
		if _, err := f.svc.Authenticate(context.Background(), other); err == nil {
			t.Fatal("the other session survived the password change")
		}
		if _, _, lu, err := login(f, "assoc", "a fresh password 42", "10.9.2.2"); err != nil || lu.MustChangePassword {
			t.Fatalf("login with the new password = %+v, %v", lu, err)
		}

		// One's own password is changed only with the current one; keys have none.
		_, err = f.svc.UpdateUser(f.ctx, f.admin.ID, UserUpdate{Password: new("a fresh password 43")})
		wantCode(t, err, errs.Forbidden)
		keyCtx, _ := f.keyAs(t, f.ctx, "k", auth.OrgRead)
		wantCode(t, f.svc.ChangePassword(keyCtx, "x", "a fresh password 44"), errs.Forbidden)

		// The admin command's reset forces a change too.
		system := auth.WithPrincipal(context.Background(), auth.System(f.tenant.ID))
		if err := f.svc.SetPasswordByLogin(system, "assoc", "from the shell 99"); err != nil {
			t.Fatal(err)
		}
		if _, _, lu, err := login(f, "assoc", "from the shell 99", "10.9.2.3"); err != nil || !lu.MustChangePassword {
			t.Fatalf("login after the admin command = %+v, %v", lu, err)
		}
	})
}

// Finding 1 over HTTP: the takeover is refused, and a reset user's session answers
// 403 password_change_required everywhere but /me, logout and the change itself.
func TestSecurity01_HTTPTakeoverRefusedAndResetRestricted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		e.user(t, e.ctx, "boss", auth.HQAdmin, auth.TenantScope, "")
		_, hr, err := e.svc.CreateAPIKey(e.ctx, APIKeyCreate{Name: "hr", Scopes: []auth.Scope{auth.UsersRead, auth.UsersWrite, auth.OrgRead, auth.CatalogRead}})
		if err != nil {
			t.Fatal(err)
		}
		admin := "/api/v1/users/" + e.admin.ID
		for _, body := range []string{`{"password":"attacker chosen 2025"}`, `{"status":"disabled"}`, `{"scope_type":"brand","scope_id":"x"}`} {
			if res := e.do(t, e.client, "PATCH", admin, hr, body); res.status != 403 || !strings.Contains(res.body, "only an hq_admin") {
				t.Fatalf("key PATCH %s: %d %s", body, res.status, res.body)
			}
		}
		boss := e.token(t, "boss")
		res := e.do(t, e.client, "PATCH", admin, boss, `{"password":"temporary pass 7"}`)
		if res.status != 200 || !strings.Contains(res.body, `"must_change_password":true`) {
			t.Fatalf("reset by another hq_admin: %d %s", res.status, res.body)
		}
		res = e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"acme-admin","password":"temporary pass 7"}`)
		if res.status != 200 || !strings.Contains(res.body, `"must_change_password":true`) {
			t.Fatalf("login after reset: %d %s", res.status, res.body)
		}
		var lr struct{ Token string }
		if err := json.Unmarshal([]byte(res.body), &lr); err != nil {
			t.Fatal(err)
		}
		_, spare, _, _ := e.svc.Login(context.Background(), LoginInput{Login: "acme-admin", Password: "temporary pass 7"})

		const restricted = "urn:oneretail:problem:password_change_required"
		for _, path := range []string{"/api/v1/stores", "/api/v1/users", "/api/v1/api-keys", "/api/v1/sessions"} {
			if res := e.do(t, e.client, "GET", path, lr.Token, ""); res.status != 403 || !strings.Contains(res.body, restricted) {
				t.Fatalf("GET %s while restricted: %d %s", path, res.status, res.body)
			}
		}
		if res := e.do(t, e.client, "POST", "/api/v1/api-keys", lr.Token, `{"name":"x","scopes":["org:read"]}`); res.status != 403 || !strings.Contains(res.body, restricted) {
			t.Fatalf("creating a key while restricted: %d %s", res.status, res.body)
		}
		if res := e.do(t, e.client, "GET", "/api/v1/me", lr.Token, ""); res.status != 200 || !strings.Contains(res.body, `"must_change_password":true`) {
			t.Fatalf("me while restricted: %d %s", res.status, res.body)
		}
		if res := e.do(t, e.client, "POST", "/api/v1/auth/logout", spare, ""); res.status != 204 {
			t.Fatalf("logout while restricted: %d %s", res.status, res.body)
		}
		res = e.do(t, e.client, "POST", "/api/v1/me/password", lr.Token, `{"current_password":"wrong one","new_password":"my own secret 2025"}`)
		if res.status != 422 || !strings.Contains(res.body, "body.current_password") {
			t.Fatalf("wrong current password: %d %s", res.status, res.body)
		}
		res = e.do(t, e.client, "POST", "/api/v1/me/password", lr.Token, `{"current_password":"temporary pass 7","new_password":"my own secret 2025"}`)
		if res.status != 204 {
			t.Fatalf("change: %d %s", res.status, res.body)
		}
		if res := e.do(t, e.client, "GET", "/api/v1/stores", lr.Token, ""); res.status != 200 {
			t.Fatalf("stores after the change: %d %s", res.status, res.body)
		}
		if res := e.do(t, e.client, "GET", "/api/v1/me", lr.Token, ""); !strings.Contains(res.body, `"must_change_password":false`) {
			t.Fatalf("me after the change: %s", res.body)
		}
	})
}

// Finding 12: the password policy refuses trivial passwords wherever a password is
// set, naming the field, without echoing the password.
func TestSecurity12_PasswordPolicyRefusesTrivialPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, login, reason string
	}{
		{"too short", "abc123xyz", "", "at least 10"},
		{"one character", "aaaaaaaaaaaa", "", "repeated"},
		{"one character, mixed case", "AAAAAaaaaa", "", "repeated"},
		{"short pattern", "abababababab", "", "repeated"},
		{"only spaces", "            ", "", "space"},
		{"leading space", " correct horse battery", "", "space"},
		{"control character", "correct\thorse battery", "", "control"},
		{"digits in a row", "0123456789", "", "run"},
		{"letters in a row", "abcdefghijkl", "", "run"},
		{"backwards", "9876543210", "", "run"},
		{"common", "woaini1314", "", "common"},
		{"common, upper case", "QQ123456789", "", "common"},
		{"common with digits", "password2024", "", "common"},
		{"common with punctuation", "iloveyou520!", "", "common"},
		{"common Chinese", "5201314520", "", "common"},
		{"keyboard", "1qaz2wsx3edc", "", "common"},
		{"the login", "zhangsan.sh", "zhangsan.sh", "login"},
		{"the login reversed", "hs.nasgnahz", "zhangsan.sh", "login"},
		{"the login plus digits", "Zhangsan.sh2025", "zhangsan.sh", "login"},
		{"the login plus a run", "zhangsan123456", "zhangsan", "login"},
		{"the e-mail's name", "wang.lei@2025", "wang.lei@example.com", "login"},
	}
	for _, tt := range tests {
		err := checkPassword("password", tt.password, tt.login)
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "body.password" {
			t.Errorf("%s: %v, want invalid body.password", tt.name, err)
			continue
		}
		if !strings.Contains(e.Message, tt.reason) || (strings.TrimSpace(tt.password) != "" && strings.Contains(e.Message, strings.TrimSpace(tt.password))) {
			t.Errorf("%s: message %q (want it to mention %q and not the password)", tt.name, e.Message, tt.reason)
		}
	}
	for _, ok := range []struct{ password, login string }{
		{adminPassword, "acme-admin"},
		{"e2e-admin-pass", "admin"},
		{"Tr0ub4dor&3x", ""},
		{"松鼠爱吃坚果的金色秋天", ""},
		{"zhangsan loves hotpot", "zhangsan"},
	} {
		if err := checkPassword("password", ok.password, ok.login); err != nil {
			t.Errorf("%q refused: %v", ok.password, err)
		}
	}
	if n := len(commonPasswords()); n < 300 {
		t.Fatalf("the common-password list has %d entries", n)
	}
}

// Finding 12: every way to set a password applies the policy — bootstrap, create,
// administrator reset, own change and the admin command.
func TestSecurity12_PasswordPolicyOnEveryPath(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		assoc := f.user(t, f.ctx, "assoc", auth.Associate, auth.TenantScope, "")
		own, _ := f.session(t, "assoc", adminPassword)
		system := auth.WithPrincipal(context.Background(), auth.System(f.tenant.ID))
		const weak = "woaini1314"
		paths := []struct {
			name, field string
			call        func() error
		}{
			{"bootstrap", "body.admin_password", func() error {
				_, _, err := f.svc.Bootstrap(context.Background(), BootstrapInput{TenantCode: "t2", TenantName: "T2",
					AdminLogin: "t2-admin", AdminName: "x", AdminPassword: weak})
				return err
			}},
			{"create", "body.password", func() error {
				_, err := f.svc.CreateUser(f.ctx, UserCreate{Login: "new1", Name: "x", Password: weak, Role: auth.Associate, ScopeType: auth.TenantScope})
				return err
			}},
			{"create, login as password", "body.password", func() error {
				_, err := f.svc.CreateUser(f.ctx, UserCreate{Login: "xiaoming.li", Name: "x", Password: "xiaoming.li", Role: auth.Associate, ScopeType: auth.TenantScope})
				return err
			}},
			{"reset", "body.password", func() error {
				_, err := f.svc.UpdateUser(f.ctx, assoc.ID, UserUpdate{Password: new(weak)})
				return err
			}},
			{"reset to the login", "body.password", func() error {
				_, err := f.svc.UpdateUser(f.ctx, assoc.ID, UserUpdate{Password: new("assoc12345")})
				return err
			}},
			{"own change", "body.new_password", func() error { return f.svc.ChangePassword(own, adminPassword, weak) }},
			{"admin command", "body.password", func() error { return f.svc.SetPasswordByLogin(system, "assoc", weak) }},
		}
		for _, p := range paths {
			err := p.call()
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != p.field || strings.Contains(e.Message, weak) {
				t.Errorf("%s: %v, want invalid %s without the password", p.name, err, p.field)
			}
		}
		if _, _, _, err := login(f, "assoc", adminPassword, "10.9.3.1"); err != nil {
			t.Fatalf("a refused reset changed the password: %v", err)
		}
	})
}

// Finding 12 over HTTP: 422 naming the field, and the password never in the answer —
// also when it is too short for the schema.
func TestSecurity12_PasswordHTTPRefusalNamesTheFieldOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		assoc := e.user(t, e.ctx, "assoc", auth.Associate, auth.TenantScope, "")
		admin, own := e.token(t, "acme-admin"), e.token(t, "assoc")
		tests := []struct {
			name, method, path, token, body, password, field string
		}{
			{"create, common", "POST", "/api/v1/users", admin, `{"login":"user1","name":"x","password":"qq123456789","role":"associate","scope_type":"tenant"}`, "qq123456789", "body.password"},
			{"create, short", "POST", "/api/v1/users", admin, `{"login":"user1","name":"x","password":"s3cr3t","role":"associate","scope_type":"tenant"}`, "s3cr3t", "body.password"},
			{"create, repeated", "POST", "/api/v1/users", admin, `{"login":"user1","name":"x","password":"zzzzzzzzzzzz","role":"associate","scope_type":"tenant"}`, "zzzzzzzzzzzz", "body.password"},
			{"reset", "PATCH", "/api/v1/users/" + assoc.ID, admin, `{"password":"a123456789"}`, "a123456789", "body.password"},
			{"own change", "POST", "/api/v1/me/password", own, `{"current_password":"` + adminPassword + `","new_password":"88888888888"}`, "88888888888", "body.new_password"},
		}
		for _, tt := range tests {
			res := e.do(t, e.client, tt.method, tt.path, tt.token, tt.body)
			if res.status != 422 || !strings.Contains(res.body, `"location":"`+tt.field+`"`) || strings.Contains(res.body, tt.password) {
				t.Errorf("%s: %d %s", tt.name, res.status, res.body)
			}
		}
	})
}
