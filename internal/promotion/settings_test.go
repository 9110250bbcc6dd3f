package promotion

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// TestItemStackingSetting: a bundle of two yogurts for ¥10.00 and 10% off yogurt on
// the same line. By default (one_per_unit) only the better applies; a tenant that
// sets stack gets both, from the next price call.
func TestItemStackingSetting(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		merch := as(tenantA, auth.Merchandiser)
		bundle := engine.Promotion{Kind: engine.KindBundle, Priority: 1, Bundle: &engine.Bundle{Price: 1000,
			Components: []engine.BundleComponent{{SKUs: []string{"YOGURT"}, Qty: 2}}}}
		ten := engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{SKUs: []string{"YOGURT"}}, PercentOff: &engine.PercentOff{OffBP: 1000}}
		for code, def := range map[string]engine.Promotion{"BUNDLE": bundle, "TEN": ten} {
			p := mustCreate(t, s, merch, code, def)
			if _, err := s.Activate(merch, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		cart := engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "YOGURT", Unit: engine.UnitEach, Qty: 2, UnitPrice: 600}}}
		price := func() int64 {
			t.Helper()
			res, err := s.PriceCart(as(tenantA, auth.Integrator), cart, engine.Context{}, "")
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		// ¥12.00: the bundle saves ¥2.00, 10% saves ¥1.20; stacked, the bundle comes
		// first (higher priority) and 10% takes ¥1.00 off the ¥10.00 left: ¥9.00.
		if got := price(); got != 1000 {
			t.Fatalf("one per unit: total %d, want 1000 (the bundle alone)", got)
		}
		stack := engine.StackItems
		if _, err := s.UpdateSettings(merch, SettingsUpdate{ItemStacking: &stack}); err != nil {
			t.Fatal(err)
		}
		if got := price(); got != 900 {
			t.Fatalf("stack: total %d, want 900 (both)", got)
		}
		st, err := s.FindSettings(as(tenantA, auth.Marketer))
		if err != nil || st.ItemStacking != engine.StackItems || st.TimeZone != DefaultTimeZone {
			t.Fatalf("settings %+v %v", st, err)
		}
	})
}
