package promotion

import (
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// TestPricingTimeZone: a happy hour 14:00–17:00 read in the store's time zone, else
// the tenant's (Asia/Shanghai unless set), at the window's opening minute — never UTC.
func TestPricingTimeZone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		merch := as(tenantA, auth.Merchandiser)
		p := mustCreate(t, s, merch, "HAPPY", engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{SKUs: []string{"BREAD"}},
			PercentOff: &engine.PercentOff{OffBP: 5000}, Conditions: engine.Conditions{DailyFrom: 14 * 60, DailyTo: 17 * 60}})
		if _, err := s.Activate(merch, p.ID); err != nil {
			t.Fatal(err)
		}
		bread := engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "BREAD", Unit: engine.UnitEach, Qty: 1, UnitPrice: 1000}}}
		utc := func(h, m, sec int) time.Time { return time.Date(2026, 3, 2, h, m, sec, 0, time.UTC) }
		tokyo := "Asia/Tokyo"
		tests := []struct {
			name   string
			at     time.Time
			store  string
			zone   string // explicit time_zone
			tenant *string
			total  int64
		}{
			{name: "tenant default Shanghai: 13:59:59 local", at: utc(5, 59, 59), total: 1000},
			{name: "tenant default Shanghai: 14:00 local", at: utc(6, 0, 0), total: 500},
			{name: "unknown store: the tenant's zone", at: utc(6, 0, 0), store: "nowhere", total: 500},
			{name: "Urumqi store: 13:59:59 there (15:59:59 in Shanghai)", at: utc(7, 59, 59), store: "urumqi", total: 1000},
			{name: "Urumqi store: 14:00 there", at: utc(8, 0, 0), store: "urumqi", total: 500},
			{name: "Urumqi store: 16:59:59 there", at: utc(10, 59, 59), store: "urumqi", total: 500},
			{name: "Urumqi store: 17:00 there (window closed)", at: utc(11, 0, 0), store: "urumqi", total: 1000},
			{name: "explicit time_zone wins over the store's", at: utc(8, 0, 0), store: "urumqi", zone: "UTC", total: 1000},
			{name: "tenant set to Tokyo: 14:00 there", at: utc(5, 0, 0), tenant: &tokyo, total: 500},
			{name: "tenant set to Tokyo: 13:59:59 there", at: utc(4, 59, 59), total: 1000},
		}
		for _, tt := range tests {
			if tt.tenant != nil {
				if _, err := s.UpdateSettings(merch, SettingsUpdate{TimeZone: tt.tenant}); err != nil {
					t.Fatal(err)
				}
			}
			pc := engine.Context{Time: tt.at, StoreID: tt.store}
			if tt.zone != "" {
				loc, _ := time.LoadLocation(tt.zone)
				pc.Location = loc
			}
			res, err := s.PriceCart(as(tenantA, auth.Integrator), bread, pc, "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.total {
				t.Errorf("%s: total %d, want %d", tt.name, res.Total, tt.total)
			}
		}
		// The calendar reads the same zones: the Urumqi store's happy hour opens at
		// 08:00 UTC.
		items, err := s.PromotionCalendar(merch, CalendarFilter{From: utc(0, 0, 0), To: utc(23, 59, 0), StoreID: "urumqi"})
		if err != nil || len(items) != 1 || len(items[0].Windows) != 1 || !items[0].Windows[0].Start.Equal(utc(8, 0, 0)) {
			t.Fatalf("calendar for the Urumqi store: %+v %v", items, err)
		}
	})
}
