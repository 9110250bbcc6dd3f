package identity

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestResolveWithinOneBatch checks that events linked earlier in a batch follow
// their customer when a later event of the same batch merges it away (event
// customers are written once per batch).
func TestResolveWithinOneBatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		r, err := e.svc.Ingest(integrator(tenantA), "POS", raws(
			`{"id":"e1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13800138000"}}`,
			`{"id":"e2","type":"visit","occurred_at":"2026-03-01T07:00:01Z","identifiers":{"wechat_unionid":"u1"}}`,
			`{"id":"e3","type":"visit","occurred_at":"2026-03-01T07:00:02Z","identifiers":{"phone":"13800138000","member_card":"K1"}}`,
			`{"id":"e4","type":"visit","occurred_at":"2026-03-01T07:00:03Z","identifiers":{"wechat_unionid":"u1","member_card":"K1"}}`,
		))
		if err != nil || r.Accepted != 4 {
			t.Fatalf("ingest: %+v, %v", r, err)
		}
		s := lookup(t, e, tenantA, "phone:13800138000")
		if s.EventCount != 4 || len(s.Identifiers) != 3 || liveCustomers(t, e.db, tenantA) != 1 {
			t.Fatalf("survivor = %+v", s)
		}
		if n := countRows(t, e.db, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id = $2`, tenantA, s.ID); n != 4 {
			t.Fatalf("events of the survivor = %d, want 4", n)
		}
	})
}
