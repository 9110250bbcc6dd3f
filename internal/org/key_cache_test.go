package org

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestKeyCacheRevocation checks what the API-key cache promises: a revoked key stops
// working at once on the node that revoked it and, on another node that had it
// cached, once the cache's TTL has passed; so does a key whose owner is disabled.
func TestKeyCacheRevocation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		other := newNode(d, TestConfig(), f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
		authn := func(s *Service, secret string) error {
			_, err := s.Authenticate(context.Background(), secret)
			return err
		}

		k, secret, err := f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "till", Scopes: []auth.Scope{auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*Service{f.svc, other} {
			if err := authn(s, secret); err != nil {
				t.Fatalf("before revocation: %v", err)
			}
		}
		if err := f.svc.RevokeAPIKey(f.ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, authn(f.svc, secret), errs.Unauthorized) // the revoking node: at once
		if err := authn(other, secret); err != nil {
			t.Fatalf("another node within the TTL still trusts its cache: %v", err)
		}
		f.clock.Advance(DefaultKeyCacheTTL)
		wantCode(t, authn(other, secret), errs.Unauthorized)

		// A key acts with its owner's role: disabling the owner suspends its scopes.
		owner := f.user(t, f.ctx, "ops", auth.HQAdmin, auth.TenantScope, "")
		_, secret2, err := f.svc.CreateAPIKey(as(owner), APIKeyCreate{Name: "ops key", Scopes: []auth.Scope{auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		if p, err := f.svc.Authenticate(context.Background(), secret2); err != nil || !p.Has(auth.OrgRead) {
			t.Fatalf("owner active: %+v, %v", p, err)
		}
		if _, err := f.svc.UpdateUser(f.ctx, owner.ID, UserUpdate{Status: new(UserDisabled)}); err != nil {
			t.Fatal(err)
		}
		if p, err := f.svc.Authenticate(context.Background(), secret2); err != nil || p.Has(auth.OrgRead) {
			t.Fatalf("owner disabled: %+v, %v; want no scopes at once", p, err)
		}

		// With the cache off every look-up reads the key.
		off := TestConfig()
		off.KeyCacheTTL = -1
		uncached := newNode(d, off, f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
		k3, secret3, err := f.svc.CreateAPIKey(f.ctx, APIKeyCreate{Name: "third", Scopes: []auth.Scope{auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		if err := authn(uncached, secret3); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RevokeAPIKey(f.ctx, k3.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, authn(uncached, secret3), errs.Unauthorized)
	})
}
