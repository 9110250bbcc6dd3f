package identity

import (
	"context"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// fakeZones puts tenant A in Shanghai and tenant B in UTC.
type fakeZones struct{}

func (fakeZones) TenantTimeZone(_ context.Context, tenantID string) (*time.Location, error) {
	if tenantID == tenantA {
		return time.LoadLocation("Asia/Shanghai")
	}
	return time.UTC, nil
}

// TestTouchpointTodayIsTheTenantDay: "events today" on touchpoint health, the counts
// by type and the maturity window start at midnight in the tenant's time zone, not
// at midnight UTC.
func TestTouchpointTodayIsTheTenantDay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.svc.SetTenantZones(fakeZones{})
		for _, tenant := range []string{tenantA, tenantB} {
			mkTouchpoint(t, e, admin(tenant), "POS")
		}
		e.clock.Advance(7*time.Hour + 30*time.Minute) // 2026-03-01 15:30 UTC, 23:30 in Shanghai
		ingest := func(tenant, id string) {
			t.Helper()
			r, err := e.svc.Ingest(integrator(tenant), "POS", raws(`{"id":"`+id+`","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`))
			if err != nil || r.Accepted != 1 {
				t.Fatalf("ingest %s %s: %+v %v", tenant, id, r, err)
			}
		}
		today := func(tenant string) int64 {
			t.Helper()
			page, err := e.svc.FindTouchpoints(admin(tenant), TouchpointFilter{})
			if err != nil {
				t.Fatal(err)
			}
			counts, err := e.svc.CountTouchpoints(admin(tenant), TouchpointFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{tenantA: "Asia/Shanghai", tenantB: "UTC"}[tenant]; counts.TimeZone != want {
				t.Errorf("%s: counts in %s, want %s", tenant, counts.TimeZone, want)
			}
			if len(counts.ByType) != 1 || counts.ByType[0].EventsToday != page.Items[0].Health.EventsToday {
				t.Fatalf("%s: counts %+v disagree with health %+v", tenant, counts.ByType, page.Items[0].Health)
			}
			return page.Items[0].Health.EventsToday
		}
		for _, tenant := range []string{tenantA, tenantB} {
			ingest(tenant, "late-1")
			ingest(tenant, "late-2")
		}
		e.clock.Advance(time.Hour) // 16:30 UTC: still 1 March in UTC, 2 March 00:30 in Shanghai
		if n := today(tenantA); n != 0 {
			t.Errorf("Shanghai tenant just after its midnight: %d events today, want 0", n)
		}
		if n := today(tenantB); n != 2 {
			t.Errorf("UTC tenant: %d events today, want 2", n)
		}
		ingest(tenantA, "early")
		if n := today(tenantA); n != 1 {
			t.Errorf("Shanghai tenant after one more event: %d events today, want 1", n)
		}
		m, err := e.svc.TouchpointMaturity(admin(tenantA), 7)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.From.Format(time.DateOnly); got != "2026-02-24" {
			t.Errorf("maturity from %s, want 2026-02-24 (seven Shanghai days up to 2 March)", got)
		}
		if m.Accepted != 3 {
			t.Errorf("maturity accepted %d, want 3", m.Accepted)
		}
	})
}
