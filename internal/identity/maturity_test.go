package identity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestTouchpointMaturity drives five touchpoints through a week — steady and
// identified, mostly anonymous, noisy, disabled and silent, registered today — and
// checks every level, gap, rate and summary figure of a 7-day window.
func TestTouchpointMaturity(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		create := func(code string, typ TouchpointType, ch Channel, store string) Touchpoint {
			tp, err := e.svc.CreateTouchpoint(ctx, NewTouchpoint{Code: code, Name: code, Type: typ, Channel: ch, StoreID: store})
			if err != nil {
				t.Fatal(err)
			}
			return tp
		}
		create("POS", TypeOffline, "pos", storeA1)
		create("APP", TypeOnline, "app", "")
		create("MINI", TypeSocial, "wechat_mini_program", "")
		old := create("OLD", TypeOffline, "pos", "")
		if _, err := e.svc.UpdateTouchpoint(ctx, old.ID, TouchpointUpdate{Status: ptr(StatusDisabled)}); err != nil {
			t.Fatal(err)
		}
		n := 0
		send := func(code string, identified, anonymous, invalid int) {
			t.Helper()
			var evs []string
			for range identified {
				n++
				evs = append(evs, fmt.Sprintf(`{"id":"e%d","type":"visit","occurred_at":"2026-03-01T00:00:00Z","identifiers":{"phone":"1380013%04d"}}`, n, n))
			}
			for range anonymous {
				n++
				evs = append(evs, fmt.Sprintf(`{"id":"e%d","type":"visit","occurred_at":"2026-03-01T00:00:00Z"}`, n))
			}
			for range invalid {
				evs = append(evs, `{"id":"bad","occurred_at":"2026-03-01T00:00:00Z"}`)
			}
			if _, err := e.svc.Ingest(integrator(tenantA), code, raws(evs...)); err != nil {
				t.Fatal(err)
			}
		}
		// Day 0 (2026-03-01) to day 6: POS from day 1 on, APP on days 2 and 4, MINI every day.
		for day := range 7 {
			if day > 0 {
				send("POS", 10, 0, 0)
			}
			if day == 2 || day == 4 {
				send("APP", 3, 7, 0)
			}
			send("MINI", 10, 0, 1)
			if day < 6 {
				e.clock.Advance(24 * time.Hour)
			}
		}
		create("NEW", TypeCommercial, "meituan", "")
		send("NEW", 5, 0, 0)

		m, err := e.svc.TouchpointMaturity(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if m.From.Format(time.DateOnly) != "2026-03-01" || m.Days != 7 {
			t.Fatalf("window from %s, %d days", m.From, m.Days)
		}
		byCode := map[string]TouchpointMaturity{}
		var codes []string
		for _, it := range m.Items {
			byCode[it.Touchpoint.Code] = it
			codes = append(codes, it.Touchpoint.Code)
		}
		if !slices.Equal(codes, []string{"APP", "MINI", "NEW", "OLD", "POS"}) {
			t.Fatalf("items %v, want by code", codes)
		}
		want := map[string]struct {
			level                          MaturityLevel
			gaps                           []string
			accepted, rejected, identified int64
			active, window                 int
		}{
			"POS":  {LevelMature, nil, 60, 0, 60, 6, 7},
			"APP":  {LevelConnected, []string{GapLowIdentified}, 20, 0, 6, 2, 7},
			"MINI": {LevelIdentified, []string{GapHighRejection}, 70, 7, 70, 7, 7},
			"OLD":  {LevelRegistered, []string{GapNoEvents, GapDisabled}, 0, 0, 0, 0, 7},
			"NEW":  {LevelMature, nil, 5, 0, 5, 1, 1},
		}
		for code, w := range want {
			it := byCode[code]
			if it.Level != w.level || !slices.Equal(it.Gaps, w.gaps) || it.Accepted != w.accepted || it.Rejected != w.rejected ||
				it.Identified != w.identified || it.ActiveDays != w.active || it.WindowDays != w.window {
				t.Errorf("%s = level %s gaps %v accepted %d rejected %d identified %d active %d/%d, want %+v", code, it.Level, it.Gaps,
					it.Accepted, it.Rejected, it.Identified, it.ActiveDays, it.WindowDays, w)
			}
		}
		if r := byCode["MINI"].RejectionRate; math.Abs(r-1.0/11) > 1e-9 {
			t.Errorf("MINI rejection rate %v, want 1/11", r)
		}
		if r := byCode["APP"].IdentifiedRate; math.Abs(r-0.3) > 1e-9 {
			t.Errorf("APP identified rate %v, want 0.3", r)
		}

		if m.Touchpoints != 5 || m.Active != 4 || m.Connected != 4 || m.SeenLastDay != 3 {
			t.Errorf("connection: %d touchpoints, %d active, %d connected, %d seen in 24 h; want 5, 4, 4, 3 (APP last sent on day 4)",
				m.Touchpoints, m.Active, m.Connected, m.SeenLastDay)
		}
		if m.ByType[TypeOffline] != 1 || m.ByType[TypeOnline] != 1 || m.ByType[TypeSocial] != 1 || m.ByType[TypeCommercial] != 1 ||
			m.ByChannel["pos"] != 1 || m.ByChannel["meituan"] != 1 {
			t.Errorf("coverage by type %v, by channel %v (the disabled OLD counts in neither)", m.ByType, m.ByChannel)
		}
		if m.Stores == nil || *m.Stores != 1 || m.StoresWithTouch != 1 || m.StoresConnected != 1 {
			t.Errorf("stores %v, with a touchpoint %d, connected %d; want 1, 1, 1", m.Stores, m.StoresWithTouch, m.StoresConnected)
		}
		if m.Accepted != 155 || m.Rejected != 7 || m.Identified != 141 {
			t.Errorf("quality: accepted %d rejected %d identified %d, want 155, 7, 141", m.Accepted, m.Rejected, m.Identified)
		}
		if m.ByLevel[LevelMature] != 2 || m.ByLevel[LevelIdentified] != 1 || m.ByLevel[LevelConnected] != 1 || m.ByLevel[LevelRegistered] != 1 {
			t.Errorf("levels %v", m.ByLevel)
		}

		// A one-day window sees today only: POS, MINI and NEW sent today, APP did not.
		today, err := e.svc.TouchpointMaturity(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if today.Connected != 3 || today.Accepted != 25 {
			t.Errorf("today: %d connected, %d accepted; want 3, 25", today.Connected, today.Accepted)
		}

		// A caller that may read touchpoints but not stores sees coverage without the total.
		keyCtx := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KeyPrincipal, ID: "k", TenantID: tenantA,
			Scopes: []auth.Scope{auth.TouchpointsRead}, DataScope: auth.TenantScope})
		if m, err := e.svc.TouchpointMaturity(keyCtx, 7); err != nil || m.Stores != nil || m.StoresWithTouch != 1 {
			t.Errorf("without org:read: stores %v, with a touchpoint %d, err %v", m.Stores, m.StoresWithTouch, err)
		}
		for _, days := range []int{0, MaxMaturityDays + 1} {
			_, err := e.svc.TouchpointMaturity(ctx, days)
			wantCode(t, err, errs.Invalid, "query.days")
		}
		if _, err := e.svc.TouchpointMaturity(as(tenantA, auth.Marketer), 7); !errs.Is(err, errs.Forbidden) {
			t.Errorf("marketer without touchpoints:read: %v", err)
		}
		// Another tenant sees nothing of these.
		if m, err := e.svc.TouchpointMaturity(admin(tenantB), 7); err != nil || m.Touchpoints != 0 || m.Accepted != 0 {
			t.Errorf("tenant B: %d touchpoints, %d events, %v", m.Touchpoints, m.Accepted, err)
		}
	})
}
