package identity

import (
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// A tenant that allows two phones per customer attaches a second phone where the
// defaults (one phone) send the event to review; the other tenant keeps the defaults.
func TestTenantRulesChangeResolution(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		def, err := e.svc.IdentityRules(admin(tenantA))
		if err != nil || def.Customised || def.Rules.MaxClusterSize != 64 {
			t.Fatalf("defaults: %+v, %v", def, err)
		}
		if _, err := e.svc.UpdateIdentityRules(admin(tenantA), RulesUpdate{Types: []RuleChange{{Type: "phone", MaxPerCustomer: ptr(2)}}}); err != nil {
			t.Fatal(err)
		}
		for _, tenant := range []string{tenantA, tenantB} {
			mkTouchpoint(t, e, admin(tenant), "POS")
			_, err := e.svc.Ingest(integrator(tenant), "POS", raws(
				`{"id":"r1","type":"order","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13800138000","member_card":"C1"}}`,
				`{"id":"r2","type":"order","occurred_at":"2026-03-01T07:01:00Z","identifiers":{"phone":"13900139000","member_card":"C1"}}`))
			if err != nil {
				t.Fatal(err)
			}
		}
		a, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:13900139000")
		if err != nil || len(a.Identifiers) != 3 {
			t.Fatalf("tenant with two phones allowed: %+v, %v", a, err)
		}
		if n := countRows(t, e.db, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1`, tenantA); n != 0 {
			t.Fatalf("tenant A queued %d reviews", n)
		}
		if n := countRows(t, e.db, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1`, tenantB); n != 1 {
			t.Fatalf("tenant B (defaults) queued %d reviews, want 1", n)
		}
		if _, err := e.svc.FindCustomerByIdentifier(admin(tenantB), "phone:13900139000"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("tenant B linked the second phone: %v", err)
		}

		reset, err := e.svc.ResetIdentityRules(admin(tenantA))
		if err != nil || reset.Customised || reset.Rules.Types[1].MaxPerCustomer != 1 {
			t.Fatalf("reset: %+v, %v", reset, err)
		}
		if got, _ := e.svc.IdentityRules(admin(tenantA)); got.Customised {
			t.Fatal("rules still customised after reset")
		}
		if n := countRows(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'identity.rules.update'`, tenantA); n != 2 {
			t.Fatalf("%d audit entries, want 2", n)
		}
	})
}

func TestTenantRulesValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		cases := []struct {
			u     RulesUpdate
			field string
		}{
			{RulesUpdate{Types: []RuleChange{{Type: "shoe_size"}}}, "body.types[0].type"},
			{RulesUpdate{Types: []RuleChange{{Type: "phone"}, {Type: "phone"}}}, "body.types[1].type"},
			{RulesUpdate{Types: []RuleChange{{Type: "email", Strength: ptr("certain")}}}, "body.types[0].strength"},
			{RulesUpdate{Types: []RuleChange{{Type: "email", MaxPerCustomer: ptr(-1)}}}, "body.types[0].max_per_customer"},
			{RulesUpdate{Types: []RuleChange{{Type: "masked_phone", Links: ptr(true)}}}, "body.types[0].links"},
			{RulesUpdate{MaxClusterSize: ptr(-3)}, "body.max_cluster_size"},
		}
		for _, c := range cases {
			_, err := e.svc.UpdateIdentityRules(admin(tenantA), c.u)
			wantCode(t, err, errs.Invalid, c.field)
		}
		if got, _ := e.svc.IdentityRules(admin(tenantA)); got.Customised {
			t.Fatal("a refused update was stored")
		}
		_, err := e.svc.UpdateIdentityRules(as(tenantA, auth.Associate), RulesUpdate{MaxClusterSize: ptr(10)})
		if !errs.Is(err, errs.Forbidden) {
			t.Fatalf("associate changed the rules: %v", err)
		}
	})
}

// A second node (another Service on the same database) picks up a change within
// cacheTTL, not before.
func TestTenantRulesCacheAcrossNodes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		other := NewService(d, events.NewOutbox(e.clock), audit.New(d, e.clock), e.clock, fakeStores{storeA1: tenantA}, nil, mustKeys(t))
		before, err := other.rules.get(admin(tenantA), d.Reader(), tenantA)
		if err != nil || before.MaxClusterSize != 64 {
			t.Fatalf("node 2 rules: %+v, %v", before, err)
		}
		if _, err := e.svc.UpdateIdentityRules(admin(tenantA), RulesUpdate{MaxClusterSize: ptr(10)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.rules.get(admin(tenantA), d.Reader(), tenantA); got.MaxClusterSize != 10 {
			t.Fatalf("node 1 sees %d after its own change", got.MaxClusterSize)
		}
		if got, _ := other.rules.get(admin(tenantA), d.Reader(), tenantA); got.MaxClusterSize != 64 {
			t.Fatalf("node 2 reloaded before the TTL: %d", got.MaxClusterSize)
		}
		e.clock.Advance(cacheTTL + time.Millisecond)
		if got, _ := other.rules.get(admin(tenantA), d.Reader(), tenantA); got.MaxClusterSize != 10 {
			t.Fatalf("node 2 after the TTL sees %d, want 10", got.MaxClusterSize)
		}
	})
}
