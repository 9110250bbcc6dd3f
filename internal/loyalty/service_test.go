package loyalty

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// TestParallelRedemptions: 1,000 redemptions of 1 point race for a balance of 100.
func TestParallelRedemptions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{})
		f.enrol(t, p.ID, "alice")
		// Two lots (60 + 40) so that redemptions cross from one lot to the next.
		for _, n := range []int64{60, 40} {
			if _, err := f.s.Adjust(as(auth.Marketer), p.ID, "alice", AdjustRequest{Points: n, Reason: "opening balance"}); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		var ok, short, other atomic.Int64
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				_, err := f.s.Redeem(as(auth.Associate), p.ID, "alice", RedeemRequest{Points: 1, StoreID: "s1"})
				switch {
				case err == nil:
					ok.Add(1)
				case errs.Is(err, errs.Insufficient):
					short.Add(1)
				default:
					other.Add(1)
					t.Errorf("redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		b := f.balance(t, p.ID, "alice")
		if ok.Load() != 100 || short.Load() != 900 || b.Total != 0 || b.Available != 0 {
			t.Fatalf("succeeded %d, refused %d, balance %+v; want 100, 900, 0", ok.Load(), short.Load(), b)
		}
		var redeemed int64
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'redeem'`).Scan(&redeemed); err != nil || redeemed != 100 {
			t.Fatalf("%d redeem entries (%v), want 100", redeemed, err)
		}
		t.Logf("%s: 1000 parallel redemptions of 1 point against 100: %d succeeded, %d refused as insufficient, balance 0, the ledger (100 redeem entries across 2 lots) sums to 0, in %v",
			d.Dialect, ok.Load(), short.Load(), time.Since(start).Round(time.Millisecond))
	})
}

// TestEarnOnce: one order.completed delivered many times (the same event 50 times
// concurrently, and 5 further events for the same order) awards points once.
func TestEarnOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true})
		e := f.completed(t, "o1", "bob", line{id: "L1", category: "food", qty: 2, net: 12345})
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.s.onCompleted(context.Background(), e); err != nil {
					t.Errorf("deliver: %v", err)
				}
			}()
		}
		wg.Wait()
		for range 5 {
			again := f.completed(t, "o1", "bob", line{id: "L1", category: "food", qty: 2, net: 12345})
			if err := f.s.onCompleted(context.Background(), again); err != nil {
				t.Fatalf("replay: %v", err)
			}
		}
		b := f.balance(t, p.ID, "bob")
		if b.Total != 123 || b.Member.Source != JoinOrder || b.Member.Growth != 123 {
			t.Fatalf("balance %+v, want 123 points (¥123.45 × 1) and growth 123, enrolled by the order", b)
		}
		t.Logf("%s: order.completed delivered 55 times (50 concurrent + 5 new event ids): customer auto-enrolled once, 123 points earned once on ¥123.45", d.Dialect)
	})
}

// TestEarnRules: net after discounts, gift and excluded lines, tier and member-day
// multipliers, the cap, upgrade on reaching a threshold, and an order of a
// non-member when the program does not auto-enrol.
func TestEarnRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// testNow is Monday in Shanghai: Monday is a 3× member day.
		p := f.program(t, ProgramInput{ExcludedCategories: []string{"tobacco"}, MaxPointsPerOrder: 1000,
			MemberDays: []MemberDay{{Weekday: time.Monday, MultiplierBP: 30000}}})
		for _, tier := range []TierInput{{Code: "SILVER", Name: "Silver", Threshold: 0}, {Code: "GOLD", Name: "Gold", Threshold: 100, MultiplierBP: 20000}} {
			if _, err := f.s.CreateTier(as(auth.Marketer), p.ID, tier); err != nil {
				t.Fatal(err)
			}
		}
		f.enrol(t, p.ID, "carol")
		ctx := context.Background()
		// ¥100 of food, ¥50 of tobacco (excluded), a gift: 100 × 3 (member day) × 1 (silver) = 300.
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "carol", line{id: "L1", category: "food", qty: 1, net: 10000},
			line{id: "L2", category: "tobacco", qty: 1, net: 5000}, line{id: "L3", category: "food", qty: 1, net: 0, gift: true})); err != nil {
			t.Fatal(err)
		}
		b := f.balance(t, p.ID, "carol")
		if b.Total != 300 || b.Tier == nil || b.Tier.Code != "GOLD" {
			t.Fatalf("after o1: %+v tier %+v, want 300 points and GOLD (growth 100 reaches it at once)", b, b.Tier)
		}
		// Gold (2×) on a member day (3×): ¥400 → 2400, capped at 1000.
		if err := f.s.onCompleted(ctx, f.completed(t, "o2", "carol", line{id: "L1", category: "food", qty: 4, net: 40000})); err != nil {
			t.Fatal(err)
		}
		if b := f.balance(t, p.ID, "carol"); b.Total != 1300 {
			t.Fatalf("after o2: %d, want 1300 (cap 1000 per order)", b.Total)
		}
		if err := f.s.onCompleted(ctx, f.completed(t, "o3", "dan", line{id: "L1", category: "food", qty: 1, net: 10000})); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FindBalance(as(auth.Analyst), p.ID, "dan"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a non-member of a program without auto-enrolment: %v, want not_found", err)
		}
		t.Logf("%s: excluded category and gift line earn nothing; member day 3×, tier 2×, cap 1000; GOLD reached on the order that crossed 100 growth", d.Dialect)
	})
}

// TestPartialReturn: refunding one line of a 3-line order reverses points in
// proportion to its refunded share of the net paid, and a full return reverses the
// rest exactly.
func TestPartialReturn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true, PointsPerYuan: 3})
		ctx := context.Background()
		// Nets after discounts: 33.33 + 66.67 + 100.00 = ¥200.00 → 600 points.
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "erin", line{id: "L1", category: "a", qty: 1, net: 3333},
			line{id: "L2", category: "a", qty: 2, net: 6667}, line{id: "L3", category: "a", qty: 1, net: 10000})); err != nil {
			t.Fatal(err)
		}
		if b := f.balance(t, p.ID, "erin"); b.Total != 600 {
			t.Fatalf("earned %d, want 600", b.Total)
		}
		// Return L1 (¥33.33 of ¥200): round(600 × 3333 / 20000) = 100 points; delivered as
		// order.returned and order.refunded of the same change, and twice.
		ret := f.returned(t, "o1", 1, map[string]int64{"L1": 3333})
		refunded := ret
		refunded.Type = orderRefunded
		refunded.ID = ids.New()
		for _, e := range []events.Event{ret, refunded, ret} {
			if err := f.s.onReturned(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		b := f.balance(t, p.ID, "erin")
		if b.Total != 500 || b.Member.Growth != 167 {
			t.Fatalf("after returning L1: %d points, growth %d; want 500 and 167 (200 − round(200 × 3333/20000))", b.Total, b.Member.Growth)
		}
		// Return the rest in two more changes: everything earned is reversed, exactly.
		for v, r := range []map[string]int64{{"L2": 3334}, {"L2": 3333, "L3": 10000}} {
			if err := f.s.onReturned(ctx, f.returned(t, "o1", int64(v+2), r)); err != nil {
				t.Fatal(err)
			}
		}
		b = f.balance(t, p.ID, "erin")
		if b.Total != 0 || b.Member.Growth != 0 {
			t.Fatalf("after returning everything: %d points, growth %d; want 0", b.Total, b.Member.Growth)
		}
		t.Logf("%s: 3-line order earned 600; returning line 1 (¥33.33 of ¥200) reversed exactly 100 once (returned + refunded + redelivery); returning the rest in two steps reversed the remaining 500: ledger reconciles to 0", d.Dialect)
	})
}

// TestReturnAfterSpending: a return whose points were already redeemed takes what
// is left and records the shortfall; the balance never goes negative.
func TestReturnAfterSpending(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true})
		ctx := context.Background()
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "finn", line{id: "L1", category: "a", qty: 1, net: 10000})); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Redeem(as(auth.Marketer), p.ID, "finn", RedeemRequest{Points: 80}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.onReturned(ctx, f.returned(t, "o1", 1, map[string]int64{"L1": 10000})); err != nil {
			t.Fatal(err)
		}
		b := f.balance(t, p.ID, "finn")
		var shortfall int64
		if err := d.Reader().QueryRow(`SELECT shortfall FROM loyalty_entries WHERE kind = 'reverse'`).Scan(&shortfall); err != nil {
			t.Fatal(err)
		}
		if b.Total != 0 || shortfall != 80 {
			t.Fatalf("balance %d, shortfall %d; want 0 and 80", b.Total, shortfall)
		}
		t.Logf("%s: 100 earned, 80 redeemed, the order returned: the reversal took the 20 left and recorded a shortfall of 80; balance 0, never negative", d.Dialect)
	})
}

// TestExpiryAcrossRestart: a sweep that stops half-way (here: after 2 of 5 lots) and a
// new process that sweeps again expire every lot exactly once.
func TestExpiryAcrossRestart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true, ExpiryKind: ExpiryDays, ExpiryDays: 1})
		ctx := context.Background()
		customers := []string{"k1", "k2", "k3", "k4", "k5"}
		for i, c := range customers {
			if err := f.s.onCompleted(ctx, f.completed(t, fmt.Sprintf("o%d", i), c, line{id: "L1", category: "a", qty: 1, net: 1000})); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(3 * 24 * time.Hour)
		if n, err := f.s.SweepExpired(ctx, 2); err != nil || n != 2 {
			t.Fatalf("first sweep (stopped after 2): %d, %v", n, err)
		}
		// The restarted process: a new service on the same database and clock.
		restarted := NewService(d, events.NewOutbox(f.clock), f.s.audit, f.clock, f.s.deps)
		n, err := restarted.SweepExpired(ctx, 100)
		if err != nil || n != 3 {
			t.Fatalf("sweep after the restart: %d, %v; want the 3 lots left", n, err)
		}
		if n, err := restarted.SweepExpired(ctx, 100); err != nil || n != 0 {
			t.Fatalf("a further sweep: %d, %v", n, err)
		}
		for _, c := range customers {
			if b := f.balance(t, p.ID, c); b.Total != 0 {
				t.Fatalf("%s keeps %d points", c, b.Total)
			}
		}
		var expired int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'expire'`).Scan(&expired); err != nil || expired != 5 {
			t.Fatalf("%d expire entries (%v), want 5", expired, err)
		}
		t.Logf("%s: 5 lots due; a sweep stopped after 2, the restarted process expired the other 3, a further sweep none: 5 expiries in all", d.Dialect)
	})
}

// TestExpiryOnce: points expire at the end of the day in the program's zone, and
// the sweep expires each lot exactly once, however often and however concurrently
// it runs.
func TestExpiryOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true, ExpiryKind: ExpiryDays, ExpiryDays: 30, PendingDays: 7})
		ctx := context.Background()
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "gus", line{id: "L1", category: "a", qty: 1, net: 5000})); err != nil {
			t.Fatal(err)
		}
		lots, err := f.s.FindLots(as(auth.Analyst), p.ID, "gus")
		if err != nil || len(lots) != 1 {
			t.Fatalf("lots %v, %v", lots, err)
		}
		// Earned Monday 2 March 10:00 Shanghai: available 9 March, expires at the end of 1 April (Shanghai).
		wantExp := time.Date(2026, 4, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		if !lots[0].ExpiresAt.Equal(wantExp) || !lots[0].AvailableAt.Equal(testNow.AddDate(0, 0, 7)) {
			t.Fatalf("lot available %v expires %v; want %v and %v", lots[0].AvailableAt, lots[0].ExpiresAt, testNow.AddDate(0, 0, 7), wantExp)
		}
		if b := f.balance(t, p.ID, "gus"); b.Pending != 50 || b.Available != 0 {
			t.Fatalf("pending %+v", b)
		}
		if _, err := f.s.Redeem(as(auth.Marketer), p.ID, "gus", RedeemRequest{Points: 1}); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("redeeming pending points: %v, want insufficient", err)
		}
		f.clock.Advance(wantExp.Sub(testNow) - time.Millisecond)
		if n, err := f.s.SweepExpired(ctx, 100); err != nil || n != 0 {
			t.Fatalf("a millisecond before the day ends: swept %d, %v", n, err)
		}
		if _, err := f.s.Redeem(as(auth.Marketer), p.ID, "gus", RedeemRequest{Points: 10}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Millisecond)
		var total atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := f.s.SweepExpired(ctx, 100)
				if err != nil {
					t.Errorf("sweep: %v", err)
				}
				total.Add(int64(n))
			}()
		}
		wg.Wait()
		if n, err := f.s.SweepExpired(ctx, 100); err != nil || n != 0 {
			t.Fatalf("a sweep after the sweeps: %d, %v", n, err)
		}
		var expired, pts int64
		if err := d.Reader().QueryRow(`SELECT COUNT(*), COALESCE(SUM(points), 0) FROM loyalty_entries WHERE kind = 'expire'`).Scan(&expired, &pts); err != nil {
			t.Fatal(err)
		}
		b := f.balance(t, p.ID, "gus")
		if total.Load() != 1 || expired != 1 || pts != -40 || b.Total != 0 {
			t.Fatalf("swept %d, %d expire entries of %d points, balance %d; want 1, 1, -40, 0", total.Load(), expired, pts, b.Total)
		}
		t.Logf("%s: 50 points pending 7 days, expiring at the end of day 30 in Asia/Shanghai; 8 concurrent sweeps + 1 more expired the lot's remaining 40 exactly once", d.Dialect)
	})
}

// TestValidationAndAccess: bad input names its field; roles reach what they should.
func TestValidationAndAccess(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{})
		f.enrol(t, p.ID, "hana")
		cases := []struct {
			name  string
			err   error
			code  errs.Code
			field string
		}{
			{name: "program code", err: second(f.s.CreateProgram(as(auth.Marketer), ProgramInput{Name: "x"})), code: errs.Invalid, field: "body.code"},
			{name: "second shared program", err: second(f.s.CreateProgram(as(auth.Marketer), ProgramInput{Code: "B", Name: "b"})), code: errs.Conflict},
			{name: "expiry days", err: second(f.s.CreateProgram(as(auth.Marketer), ProgramInput{Code: "C", Name: "c", BrandIDs: []string{"b2"}, ExpiryKind: ExpiryDays})), code: errs.Invalid, field: "body.expiry_days"},
			{name: "zero points", err: second(f.s.Redeem(as(auth.Marketer), p.ID, "hana", RedeemRequest{})), code: errs.Invalid, field: "body.points"},
			{name: "adjust without reason", err: second(f.s.Adjust(as(auth.Marketer), p.ID, "hana", AdjustRequest{Points: 5})), code: errs.Invalid, field: "body.reason"},
			{name: "associate adjusts", err: second(f.s.Adjust(as(auth.Associate), p.ID, "hana", AdjustRequest{Points: 5, Reason: "x"})), code: errs.Forbidden},
			{name: "analyst redeems", err: second(f.s.Redeem(as(auth.Analyst), p.ID, "hana", RedeemRequest{Points: 1})), code: errs.Forbidden},
			{name: "store manager configures", err: second(f.s.CreateProgram(as(auth.StoreManager), ProgramInput{Code: "D", Name: "d"})), code: errs.Forbidden},
			{name: "unknown customer", err: second(f.s.FindBalance(as(auth.Analyst), p.ID, "ghost")), code: errs.NotFound},
			{name: "negative adjust beyond balance", err: second(f.s.Adjust(as(auth.Marketer), p.ID, "hana", AdjustRequest{Points: -1, Reason: "x"})), code: errs.Insufficient},
		}
		for _, c := range cases {
			var e *errs.Error
			if errs.CodeOf(c.err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
			} else if c.field != "" && (!asErr(c.err, &e) || e.Field != c.field) {
				t.Errorf("%s: %v, want field %s", c.name, c.err, c.field)
			}
		}
		store := &auth.Principal{Kind: auth.UserPrincipal, ID: "u", TenantID: tenantA, Role: auth.Associate, Scopes: auth.RoleScopes(auth.Associate),
			DataScope: auth.StoreScope, DataID: "s1"}
		ctx := auth.WithPrincipal(context.Background(), store)
		if _, err := f.s.Redeem(ctx, p.ID, "hana", RedeemRequest{Points: 1}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("a store associate redeeming without a store: %v", err)
		}
		if _, err := f.s.Redeem(ctx, p.ID, "hana", RedeemRequest{Points: 1, StoreID: "elsewhere"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("a store associate redeeming at another store: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func asErr(err error, target **errs.Error) bool { return errors.As(err, target) }
