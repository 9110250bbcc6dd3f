package org

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	cfg := TestConfig()
	h := cfg.hashPassword("s3cret-passw0rd")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %s", h)
	}
	if h2 := cfg.hashPassword("s3cret-passw0rd"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name     string
		phc, pwd string
		want     bool
	}{
		{"right", h, "s3cret-passw0rd", true},
		{"wrong", h, "s3cret-passw0rD", false},
		{"empty", h, "", false},
		{"malformed", "$argon2id$v=19$m=64$x$y", "s3cret-passw0rd", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "s3cret-passw0rd", false},
		{"not a hash", "", "", false},
	}
	for _, tt := range tests {
		if got := verifyPassword(tt.phc, tt.pwd); got != tt.want {
			t.Errorf("%s: verify = %v, want %v", tt.name, got, tt.want)
		}
	}
	def := DefaultConfig()
	if def.Argon2Memory != 19*1024 || def.Argon2Time != 2 || def.Argon2Threads != 1 || def.SessionTTL != 12*time.Hour ||
		def.LoginFreeFailures != 5 || def.LoginDelay != time.Second || def.LoginMaxDelay != 10*time.Minute {
		t.Fatalf("DefaultConfig = %+v", def)
	}
}

func login(f *fixture, login, password, ip string) (Session, string, User, error) {
	return f.svc.Login(context.Background(), LoginInput{Login: login, Password: password, ClientIP: ip, UserAgent: "test"})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		mgr := f.user(t, f.ctx, "mgr", auth.StoreManager, auth.StoreScope, w.s2.ID)

		sess, token, u, err := login(f, " MGR ", adminPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != mgr.ID || !strings.HasPrefix(token, SessionTokenPrefix) || len(token) != len(SessionTokenPrefix)+52 ||
			!sess.ExpiresAt.Equal(f.clock.Now().Add(12*time.Hour)) || sess.ClientIP != "10.0.0.1" {
			t.Fatalf("login = %+v %q %+v", sess, token, u)
		}
		var stored string
		_ = d.Reader().QueryRow(`SELECT token_hash FROM sessions WHERE id = $1`, sess.ID).Scan(&stored)
		if stored != tokenHash(token) || strings.Contains(stored, token) {
			t.Fatalf("stored token hash = %q", stored)
		}

		p, err := f.svc.Authenticate(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		want := auth.Principal{Kind: auth.UserPrincipal, ID: mgr.ID, Name: "mgr", TenantID: f.tenant.ID, Role: auth.StoreManager,
			DataScope: auth.StoreScope, DataID: w.s2.ID, SessionID: sess.ID}
		if p.Kind != want.Kind || p.ID != want.ID || p.Name != want.Name || p.TenantID != want.TenantID || p.Role != want.Role ||
			p.DataScope != want.DataScope || p.DataID != want.DataID || p.SessionID != want.SessionID ||
			!slices.Equal(p.Scopes, auth.RoleScopes(auth.StoreManager)) {
			t.Fatalf("principal = %+v", p)
		}
		me, err := f.svc.Me(auth.WithPrincipal(context.Background(), p))
		if err != nil || me.Login != "mgr" || me.Name != mgr.Name || me.ScopeID != w.s2.ID {
			t.Fatalf("Me = %+v, %v", me, err)
		}

		failures := []struct {
			name, login, password string
		}{
			{"wrong password", "mgr", "wrong password!"},
			{"unknown login", "nobody", adminPassword},
			{"empty", "", ""},
		}
		for _, tt := range failures {
			_, _, _, err := login(f, tt.login, tt.password, "10.0.0.9")
			wantCode(t, err, errs.Unauthorized)
			if err.Error() != "unauthorized: invalid login or password" {
				t.Errorf("%s: message %q", tt.name, err.Error())
			}
		}
		for _, tok := range []string{"", "garbage", SessionTokenPrefix + "x", token + "x", APIKeyPrefix + "short",
			APIKeyPrefix + strings.Repeat("a", 52), strings.Repeat("x", 500)} {
			_, err := f.svc.Authenticate(context.Background(), tok)
			wantCode(t, err, errs.Unauthorized)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		u := f.user(t, f.ctx, "carol", auth.Analyst, auth.TenantScope, "")
		s1, t1, _, err := login(f, "carol", adminPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		s2, t2, _, err := login(f, "carol", adminPassword, "10.0.0.2")
		if err != nil {
			t.Fatal(err)
		}
		p1, err := f.svc.Authenticate(context.Background(), t1)
		if err != nil {
			t.Fatal(err)
		}
		c1 := auth.WithPrincipal(context.Background(), p1)
		list, err := f.svc.FindSessions(c1)
		if err != nil || !slices.Equal(idsOf(list, func(s Session) string { return s.ID }), []string{s2.ID, s1.ID}) {
			t.Fatalf("FindSessions = %+v, %v", list, err)
		}

		// last_seen_at is written at most once a minute.
		f.clock.Advance(30 * time.Second)
		_, _ = f.svc.Authenticate(context.Background(), t1)
		var seen int64
		_ = d.Reader().QueryRow(`SELECT last_seen_at FROM sessions WHERE id = $1`, s1.ID).Scan(&seen)
		if seen != s1.CreatedAt.UnixMilli() {
			t.Fatalf("last_seen_at moved after 30s")
		}
		f.clock.Advance(31 * time.Second)
		_, _ = f.svc.Authenticate(context.Background(), t1)
		_ = d.Reader().QueryRow(`SELECT last_seen_at FROM sessions WHERE id = $1`, s1.ID).Scan(&seen)
		if seen != f.clock.Now().UnixMilli() {
			t.Fatalf("last_seen_at not updated after 61s")
		}

		// Another user cannot see or end carol's sessions; the admin can end them.
		other := f.user(t, f.ctx, "dave", auth.Analyst, auth.TenantScope, "")
		wantCode(t, f.svc.RevokeSession(as(other), s2.ID), errs.NotFound)
		if err := f.svc.RevokeSession(f.ctx, s2.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RevokeSession(f.ctx, s2.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		_, err = f.svc.Authenticate(context.Background(), t2)
		wantCode(t, err, errs.Unauthorized)

		// Logout ends the current session.
		if err := f.svc.Logout(c1); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(context.Background(), t1)
		wantCode(t, err, errs.Unauthorized)
		if list, _ := f.svc.FindSessions(c1); len(list) != 0 {
			t.Fatalf("sessions after logout: %d", len(list))
		}

		// Sessions expire after the TTL.
		_, t3, _, err := login(f, "carol", adminPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(12*time.Hour - time.Millisecond)
		if _, err := f.svc.Authenticate(context.Background(), t3); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		f.clock.Advance(time.Millisecond)
		_, err = f.svc.Authenticate(context.Background(), t3)
		wantCode(t, err, errs.Unauthorized)

		// A disabled user can't log in, and their live sessions stop working.
		_, t4, _, err := login(f, "carol", adminPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateUser(f.ctx, u.ID, UserUpdate{Status: new(UserDisabled)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(context.Background(), t4)
		wantCode(t, err, errs.Unauthorized)
		_, _, _, err = login(f, "carol", adminPassword, "10.0.0.1")
		wantCode(t, err, errs.Unauthorized)
		if _, err := f.svc.UpdateUser(f.ctx, u.ID, UserUpdate{Status: new(UserActive)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(context.Background(), t4)
		wantCode(t, err, errs.Unauthorized) // disabling ended the session for good
		if _, _, _, err := login(f, "carol", adminPassword, "10.0.0.1"); err != nil {
			t.Fatalf("re-enabled user: %v", err)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		k, secret, err := f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "POS sync", Scopes: []auth.Scope{auth.OrgRead, auth.CatalogRead, auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, APIKeyPrefix) || k.Prefix != secret[8:20] || len(k.Prefix) != 12 ||
			!slices.Equal(k.Scopes, []auth.Scope{auth.OrgRead, auth.CatalogRead}) || k.CreatedBy != f.admin.ID {
			t.Fatalf("key = %+v, secret %q", k, secret)
		}
		var hash string
		_ = d.Reader().QueryRow(`SELECT secret_hash FROM api_keys WHERE id = $1`, k.ID).Scan(&hash)
		if hash != tokenHash(secret) {
			t.Fatal("secret hash not stored")
		}

		p, err := f.svc.Authenticate(context.Background(), secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != auth.KeyPrincipal || p.ID != k.ID || p.Name != "POS sync" || p.TenantID != f.tenant.ID ||
			p.DataScope != auth.TenantScope || !slices.Equal(p.Scopes, k.Scopes) || p.Role != "" {
			t.Fatalf("principal = %+v", p)
		}
		list, err := f.svc.FindAPIKeys(f.ctx, httpapi.PageParams{})
		if err != nil || len(list.Items) != 1 || list.Items[0].LastUsedAt == nil || !list.Items[0].LastUsedAt.Equal(f.clock.Now()) {
			t.Fatalf("FindAPIKeys = %+v, %v", list, err)
		}
		me, err := f.svc.Me(auth.WithPrincipal(context.Background(), p))
		if err != nil || me.Kind != auth.KeyPrincipal || me.Name != "POS sync" {
			t.Fatalf("Me = %+v, %v", me, err)
		}

		// A right prefix with a wrong rest is refused.
		forged := secret[:20] + strings.Repeat("a", len(secret)-20)
		_, err = f.svc.Authenticate(context.Background(), forged)
		wantCode(t, err, errs.Unauthorized)

		// Scope escalation: a key cannot grant what it does not hold, nor can a store manager make keys.
		keyCtx := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KeyPrincipal, ID: "k", TenantID: f.tenant.ID,
			Scopes: []auth.Scope{auth.APIKeysWrite, auth.OrgRead}, DataScope: auth.TenantScope})
		if _, _, err := f.svc.CreateAPIKey(keyCtx, APIKeyCreate{Name: "sub", Scopes: []auth.Scope{auth.OrgRead}}); err != nil {
			t.Fatalf("granting a held scope: %v", err)
		}
		_, _, err = f.svc.CreateAPIKey(keyCtx, APIKeyCreate{Name: "sub", Scopes: []auth.Scope{auth.OrgWrite}})
		wantCode(t, err, errs.Forbidden)
		w := f.world(t)
		mgr := as(f.user(t, f.ctx, "mgr", auth.StoreManager, auth.StoreScope, w.s1.ID))
		_, _, err = f.svc.CreateAPIKey(mgr, APIKeyCreate{Name: "x", Scopes: []auth.Scope{auth.OrgRead}})
		wantCode(t, err, errs.Forbidden)
		_, _, err = f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "x", Scopes: []auth.Scope{"org:admin"}})
		wantField(t, err, "body.scopes[0]")
		_, _, err = f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "x"})
		wantField(t, err, "body.scopes")

		// Revocation takes effect at once and is idempotent.
		if err := f.svc.RevokeAPIKey(f.ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RevokeAPIKey(f.ctx, k.ID); err != nil {
			t.Fatalf("second revoke: %v", err)
		}
		_, err = f.svc.Authenticate(context.Background(), secret)
		wantCode(t, err, errs.Unauthorized)
		wantCode(t, f.svc.RevokeAPIKey(f.ctx, "missing"), errs.NotFound)
		var n int
		_ = d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'api_key.revoke'`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d revoke audit entries, want 1", n)
		}
		var changes string
		_ = d.Reader().QueryRow(`SELECT changes FROM audit_events WHERE action = 'api_key.create' ORDER BY id LIMIT 1`).Scan(&changes)
		if strings.Contains(changes, secret) || strings.Contains(changes, hash) {
			t.Fatalf("audit leaks the secret: %s", changes)
		}
	})
}
