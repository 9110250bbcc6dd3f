package org

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// listedKey returns the key named name from FindAPIKeys.
func (f *fixture) listedKey(t *testing.T, name string) APIKey {
	t.Helper()
	page, err := f.svc.FindAPIKeys(f.ctx, httpapi.PageParams{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range page.Items {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key %s", name)
	return APIKey{}
}

// Finding 11: a key may use only the scopes its creator still holds. Disabling the
// creator suspends the key, removing a scope from the creator (a new role) suspends
// that scope, narrowing the creator below the tenant suspends the key (keys always
// see the whole tenant); restoring the creator restores the key. Keys of the platform
// keep their scopes; a key made by a key is bounded by the same user.
func TestSecurity11_KeysAreBoundedByTheirCreator(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		boss := f.user(t, f.ctx, "boss", auth.HQAdmin, auth.TenantScope, "")
		bossCtx, _ := f.session(t, "boss", adminPassword)
		scopes := []auth.Scope{auth.CustomersPII, auth.CustomersRead, auth.OrgRead, auth.AuditRead, auth.APIKeysWrite}
		_, secret, err := f.svc.CreateAPIKey(bossCtx, APIKeyCreate{Name: "crm export", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		keyCtx := f.authenticated(t, secret)
		_, childSecret, err := f.svc.CreateAPIKey(keyCtx, APIKeyCreate{Name: "child", Scopes: []auth.Scope{auth.CustomersPII, auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		system := auth.WithPrincipal(context.Background(), auth.System(f.tenant.ID))
		_, platformSecret, err := f.svc.CreateAPIKey(system, APIKeyCreate{Name: "platform", Scopes: []auth.Scope{auth.CustomersPII}})
		if err != nil {
			t.Fatal(err)
		}

		uses := func(secret string) []auth.Scope {
			t.Helper()
			p, err := f.svc.Authenticate(context.Background(), secret)
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			return p.Scopes
		}
		steps := []struct {
			name      string
			change    UserUpdate
			key       []auth.Scope
			child     []auth.Scope
			reason    SuspendReason
			suspended []auth.Scope
		}{
			{"creator active", UserUpdate{}, scopes, []auth.Scope{auth.CustomersPII, auth.OrgRead}, "", []auth.Scope{}},
			{"creator disabled", UserUpdate{Status: new(UserDisabled)}, nil, nil, SuspendedCreatorDisabled, scopes},
			{"creator enabled again", UserUpdate{Status: new(UserActive)}, scopes, []auth.Scope{auth.CustomersPII, auth.OrgRead}, "", []auth.Scope{}},
			{"creator is now an analyst", UserUpdate{Role: new(auth.Analyst)},
				[]auth.Scope{auth.CustomersRead, auth.OrgRead, auth.AuditRead}, []auth.Scope{auth.OrgRead},
				SuspendedCreatorLacksScopes, []auth.Scope{auth.CustomersPII, auth.APIKeysWrite}},
			{"creator narrowed to a brand", UserUpdate{Role: new(auth.HQAdmin), ScopeType: new(auth.BrandScope), ScopeID: &w.b1.ID},
				nil, nil, SuspendedCreatorNotTenantWide, scopes},
			{"creator restored", UserUpdate{ScopeType: new(auth.TenantScope)}, scopes, []auth.Scope{auth.CustomersPII, auth.OrgRead}, "", []auth.Scope{}},
		}
		for _, st := range steps {
			if _, err := f.svc.UpdateUser(f.ctx, boss.ID, st.change); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got := uses(secret); !slices.Equal(got, st.key) && !(len(got) == 0 && len(st.key) == 0) {
				t.Errorf("%s: key uses %v, want %v", st.name, got, st.key)
			}
			if got := uses(childSecret); !slices.Equal(got, st.child) && !(len(got) == 0 && len(st.child) == 0) {
				t.Errorf("%s: key made by the key uses %v, want %v", st.name, got, st.child)
			}
			if got := uses(platformSecret); !slices.Equal(got, []auth.Scope{auth.CustomersPII}) {
				t.Errorf("%s: the platform's key uses %v", st.name, got)
			}
			k := f.listedKey(t, "crm export")
			_, suspended, reason := k.Access()
			if reason != st.reason || !slices.Equal(suspended, st.suspended) {
				t.Errorf("%s: listed as suspended %v (%s), want %v (%s)", st.name, suspended, reason, st.suspended, st.reason)
			}
		}

		// The list names each key's creator.
		k := f.listedKey(t, "crm export")
		if k.CreatedByKind != CreatorUser || k.CreatedBy != boss.ID || k.CreatorLogin != "boss" || k.CreatorName != boss.Name ||
			k.LastUsedAt == nil {
			t.Fatalf("listed key = %+v", k)
		}
		child := f.listedKey(t, "child")
		if child.CreatedByKind != CreatorAPIKey || child.CreatedBy != k.ID || child.CreatorName != "crm export" ||
			child.Owner.UserID != boss.ID {
			t.Fatalf("key made by a key = %+v", child)
		}
		platform := f.listedKey(t, "platform")
		if platform.CreatedByKind != CreatorSystem || platform.CreatedBy != "system" || platform.Owner.Kind != CreatorSystem {
			t.Fatalf("platform key = %+v", platform)
		}
	})
}

// Finding 11 over HTTP: a disabled creator's key is refused at once, and the key list
// shows the creator, last use, scopes and what is suspended and why.
func TestSecurity11_HTTPDisabledCreatorsKeyIsSuspended(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		boss := e.user(t, e.ctx, "boss", auth.HQAdmin, auth.TenantScope, "")
		bossToken, admin := e.token(t, "boss"), e.token(t, "acme-admin")
		res := e.do(t, e.client, "POST", "/api/v1/api-keys", bossToken, `{"name":"pii export","scopes":["org:read","customers:pii","api_keys:write"]}`)
		if res.status != 201 {
			t.Fatalf("create key: %d %s", res.status, res.body)
		}
		secret := between(res.body, `"secret":"`, `"`)
		if res := e.do(t, e.client, "GET", "/api/v1/stores", secret, ""); res.status != 200 {
			t.Fatalf("key before: %d %s", res.status, res.body)
		}
		list := e.do(t, e.client, "GET", "/api/v1/api-keys", admin, "")
		for _, want := range []string{`"created_by":{"kind":"user","id":"` + boss.ID + `","login":"boss","name":"` + boss.Name + `"}`,
			`"effective_scopes":["org:read","customers:pii","api_keys:write"]`, `"suspended_scopes":[]`, `"last_used_at"`} {
			if !strings.Contains(list.body, want) {
				t.Fatalf("key list lacks %s: %s", want, list.body)
			}
		}

		if res := e.do(t, e.client, "PATCH", "/api/v1/users/"+boss.ID, admin, `{"status":"disabled"}`); res.status != 200 {
			t.Fatalf("disable: %d %s", res.status, res.body)
		}
		for _, path := range []string{"/api/v1/stores", "/api/v1/api-keys"} {
			if res := e.do(t, e.client, "GET", path, secret, ""); res.status != 403 {
				t.Fatalf("GET %s with the disabled creator's key: %d %s", path, res.status, res.body)
			}
		}
		if res := e.do(t, e.client, "GET", "/api/v1/me", secret, ""); !strings.Contains(res.body, `"scopes":[]`) {
			t.Fatalf("me with the suspended key: %s", res.body)
		}
		list = e.do(t, e.client, "GET", "/api/v1/api-keys", admin, "")
		for _, want := range []string{`"effective_scopes":[]`, `"suspended_scopes":["org:read","customers:pii","api_keys:write"]`,
			`"suspended_reason":"creator_disabled"`} {
			if !strings.Contains(list.body, want) {
				t.Fatalf("key list lacks %s: %s", want, list.body)
			}
		}
	})
}

// between returns the text of s between the first start and the next end.
func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}
