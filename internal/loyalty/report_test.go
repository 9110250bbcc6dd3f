package loyalty

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestPointsReport: a fixture with known lots and entries gives exact figures —
// the liability by expiry month adds up to the balance, earn/burn is split by store
// and by the channel of the entry's order, tiers and the period's moves are counted.
func TestPointsReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		p := f.program(t, ProgramInput{AutoEnrol: true, ExpiryKind: ExpiryDays, ExpiryDays: 30})
		var gold Tier
		for _, in := range []TierInput{{Code: "BASIC", Name: "Basic", Threshold: 0}, {Code: "GOLD", Name: "Gold", Threshold: 100}} {
			tier, err := f.s.CreateTier(as(auth.Marketer), p.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if in.Code == "GOLD" {
				gold = tier
			}
		}
		// Orders o1 (till) and o2 (mini program) are known to the order center; o3 is not.
		for _, o := range []struct{ id, channel string }{{"o1", "pos"}, {"o2", "mini_program"}} {
			if _, err := d.Writer().Exec(`INSERT INTO orders (id, tenant_id, number, channel, store_id, status, fulfilment, subtotal_fen,
				discount_fen, payable_fen, placed_at, created_at, updated_at) VALUES ($1, $2, $1, $3, 's1', 'completed', 'pickup', 0, 0, 0, 0, 0, 0)`,
				o.id, tenantA, o.channel); err != nil {
				t.Fatalf("order: %v", err)
			}
		}
		start := f.clock.Now()
		// 2026-03-02: alice earns 50 on o1, expiring at the end of 2026-04-01.
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "alice", line{id: "L1", category: "food", qty: 1, net: 5000})); err != nil {
			t.Fatal(err)
		}
		// 40 days later: bob earns 80 on o2, alice 60 on o3 (growth 110: Gold), both
		// expiring in May; bob redeems 30 at s2 towards o2; alice is adjusted +10 (May).
		f.clock.Advance(40 * 24 * time.Hour)
		if err := f.s.onCompleted(ctx, f.completed(t, "o2", "bob", line{id: "L1", category: "food", qty: 1, net: 8000})); err != nil {
			t.Fatal(err)
		}
		if err := f.s.onCompleted(ctx, f.completed(t, "o3", "alice", line{id: "L1", category: "food", qty: 1, net: 6000})); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Redeem(as(auth.Marketer), p.ID, "bob", RedeemRequest{Points: 30, StoreID: "s2", OrderID: "o2", Reference: "r1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Adjust(as(auth.Marketer), p.ID, "alice", AdjustRequest{Points: 10, Reason: "goodwill"}); err != nil {
			t.Fatal(err)
		}
		r, err := f.s.FindPointsReport(as(auth.Analyst), ReportFilter{From: start.Add(-time.Hour), To: f.clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Programs) != 1 {
			t.Fatalf("%d programs", len(r.Programs))
		}
		pf := r.Programs[0]
		wantLiability := []LiabilityMonth{{Month: "2026-04", Points: 50, Lots: 1}, {Month: "2026-05", Points: 120, Lots: 3}}
		if pf.Balance != 170 || !reflect.DeepEqual(pf.Liability, wantLiability) {
			t.Fatalf("balance %d, liability %+v; want 170 and %+v", pf.Balance, pf.Liability, wantLiability)
		}
		var sum int64
		for _, l := range pf.Liability {
			sum += l.Points
		}
		if sum != f.balance(t, p.ID, "alice").Total+f.balance(t, p.ID, "bob").Total {
			t.Fatalf("liability sums to %d, the members' balances differ", sum)
		}
		wantEB := []EarnBurnRow{
			{StoreID: "", Channel: "", Adjusted: 10, Entries: 1},
			{StoreID: "s1", Channel: "", Earned: 60, Entries: 1},
			{StoreID: "s1", Channel: "mini_program", Earned: 80, Entries: 1},
			{StoreID: "s1", Channel: "pos", Earned: 50, Entries: 1},
			{StoreID: "s2", Channel: "mini_program", Redeemed: 30, Entries: 1},
		}
		if !reflect.DeepEqual(pf.EarnBurn, wantEB) {
			t.Fatalf("earn/burn %+v\nwant %+v", pf.EarnBurn, wantEB)
		}
		wantTiers := []TierCount{{TierID: pf.Tiers[0].TierID, TierName: "Basic", Members: 1}, {TierID: gold.ID, TierName: "Gold", Members: 1}}
		if !reflect.DeepEqual(pf.Tiers, wantTiers) {
			t.Fatalf("tiers %+v, want %+v", pf.Tiers, wantTiers)
		}
		if len(pf.Moves) != 1 || pf.Moves[0].FromTierName != "Basic" || pf.Moves[0].ToTierID != gold.ID || pf.Moves[0].Moves != 1 {
			t.Fatalf("moves %+v, want one Basic → Gold", pf.Moves)
		}
		// A period after the first order leaves o1 out of earn/burn; liability stays.
		r, err = f.s.FindPointsReport(as(auth.Analyst), ReportFilter{ProgramID: p.ID, From: start.Add(time.Hour), To: f.clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Programs[0]; len(got.EarnBurn) != 4 || got.Balance != 170 {
			t.Fatalf("later period: %+v", got)
		}
		// Bad input and scope.
		for _, c := range []struct {
			name string
			ctx  context.Context
			f    ReportFilter
			code errs.Code
		}{
			{"to before from", as(auth.Analyst), ReportFilter{From: start, To: start.Add(-time.Hour)}, errs.Invalid},
			{"over three years", as(auth.Analyst), ReportFilter{From: start, To: start.AddDate(4, 0, 0)}, errs.Invalid},
			{"unknown program", as(auth.Analyst), ReportFilter{ProgramID: "nope", From: start, To: start.Add(time.Hour)}, errs.Invalid},
			{"store scope", auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "m", TenantID: tenantA, Role: auth.StoreManager,
				Scopes: auth.RoleScopes(auth.StoreManager), DataScope: auth.StoreScope, DataID: "s1"}), ReportFilter{From: start, To: start.Add(time.Hour)}, errs.Forbidden},
		} {
			if _, err := f.s.FindPointsReport(c.ctx, c.f); errs.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		t.Logf("%s: liability 2026-04 50 + 2026-05 120 = balance 170; earn/burn in 5 store×channel rows; Basic 1, Gold 1, one move", d.Dialect)
	})
}
