package loyalty

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// periodEnd2027 is 1 January 2027, 00:00 in Shanghai: the end of the first annual
// period of a program evaluated on 1 January, from testNow.
var periodEnd2027 = time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)

// tiered creates a program evaluated every 1 January with Basic 0, Silver 1,000,
// Gold 5,000 (kept with 3,000 a period) and Diamond 20,000.
func (f fixture) tiered(t testing.TB, ev Evaluation) (Program, map[string]string) {
	t.Helper()
	p := f.program(t, ProgramInput{AutoEnrol: true, Evaluation: ev})
	keepGold := int64(3000)
	tierIDs := map[string]string{}
	for _, in := range []TierInput{{Code: "BASIC", Name: "普通", Threshold: 0}, {Code: "SILVER", Name: "银卡", Threshold: 1000},
		{Code: "GOLD", Name: "金卡", Threshold: 5000, Retention: &keepGold}, {Code: "DIAMOND", Name: "钻石", Threshold: 20000}} {
		tier, err := f.s.CreateTier(as(auth.Marketer), p.ID, in)
		if err != nil {
			t.Fatalf("tier %s: %v", in.Code, err)
		}
		tierIDs[in.Code] = tier.ID
	}
	return p, tierIDs
}

// buy completes an order of yuan yuan (as many growth) for customer.
func (f fixture) buy(t testing.TB, orderID, customer string, yuan int64) {
	t.Helper()
	if err := f.s.onCompleted(context.Background(), f.completed(t, orderID, customer, line{id: "L1", category: "a", qty: 1, net: yuan * 100})); err != nil {
		t.Fatalf("complete %s: %v", orderID, err)
	}
}

// giveBack returns yuan of order orderID's line.
func (f fixture) giveBack(t testing.TB, orderID string, version, yuan int64) {
	t.Helper()
	if err := f.s.onReturned(context.Background(), f.returned(t, orderID, version, map[string]int64{"L1": yuan * 100})); err != nil {
		t.Fatalf("return %s: %v", orderID, err)
	}
}

func (f fixture) member(t testing.TB, programID, customer string) Member {
	t.Helper()
	return f.balance(t, programID, customer).Member
}

func (f fixture) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.d.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestTierEvaluation: at the end of an annual period a Gold member who earned its
// retention threshold keeps Gold, one who reached Gold and returned most of it drops
// to the tier its period's growth reaches, a Diamond member who returned everything
// drops one level only (max_drop 1), growth resets; a year without growth drops the
// kept member one level; the evaluation runs once however often the job does.
func TestTierEvaluation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p, tier := f.tiered(t, Evaluation{Kind: EvaluateAnnual, Month: 1, Day: 1, MaxDrop: 1})
		ctx := context.Background()
		f.buy(t, "o-keeper", "keeper", 6000)
		f.buy(t, "o-lapsed", "lapsed", 6000)
		f.giveBack(t, "o-lapsed", 1, 4000) // growth 2,000: still Gold until the period ends
		f.buy(t, "o-diamond", "diamond", 20000)
		f.giveBack(t, "o-diamond", 1, 20000)
		for c, want := range map[string]string{"keeper": "GOLD", "lapsed": "GOLD", "diamond": "DIAMOND"} {
			m := f.member(t, p.ID, c)
			if m.TierID != tier[want] || !m.ValidUntil.Equal(periodEnd2027) {
				t.Fatalf("%s before the period's end: tier %s valid until %s, want %s until %s", c, m.TierID, m.ValidUntil, want, periodEnd2027)
			}
		}
		if b := f.balance(t, p.ID, "lapsed"); b.RetentionNeeded != 1000 {
			t.Fatalf("lapsed needs %d growth to keep Gold, want 1,000", b.RetentionNeeded)
		}
		f.clock.Advance(periodEnd2027.Add(-time.Millisecond).Sub(f.clock.Now()))
		if n, err := f.s.EvaluateTiers(ctx, 100); err != nil || n != 0 {
			t.Fatalf("evaluation a millisecond before the end: %d, %v", n, err)
		}
		f.clock.Advance(periodEnd2027.Add(time.Hour).Sub(f.clock.Now()))
		for range 3 {
			if _, err := f.s.EvaluateTiers(ctx, 100); err != nil {
				t.Fatal(err)
			}
		}
		nextEnd := time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC)
		for c, want := range map[string]string{"keeper": "GOLD", "lapsed": "SILVER", "diamond": "GOLD"} {
			m := f.member(t, p.ID, c)
			if m.TierID != tier[want] || m.Growth != 0 || m.PeriodGrowth != 0 || !m.ValidUntil.Equal(nextEnd) {
				t.Errorf("%s after the period: tier %s growth %d/%d valid until %s, want %s, 0, until %s", c, m.TierID, m.Growth, m.PeriodGrowth,
					m.ValidUntil, want, nextEnd)
			}
		}
		moves := func(reason string) int {
			return f.count(t, `SELECT COUNT(*) FROM loyalty_tier_moves WHERE program_id = $1 AND reason = $2 AND period_end = $3`,
				p.ID, reason, millis(periodEnd2027))
		}
		if r, dn := moves(MoveRetained), moves(MoveDowngrade); r != 1 || dn != 2 {
			t.Fatalf("%d retained and %d downgrade moves, want 1 and 2", r, dn)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND payload LIKE '%"reason":"downgrade"%'`, EventMemberUpgraded); n != 2 {
			t.Fatalf("%d downgrade events, want 2", n)
		}
		report, err := reportMoves(ctx, d.Reader(), tenantA, p.ID, testNow, periodEnd2027.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, mv := range report {
			if mv.FromTierID == mv.ToTierID {
				t.Errorf("the points report counts a retained member as a move: %+v", mv)
			}
		}
		// A year without growth: Gold drops one level, the lowest tier stays.
		f.clock.Advance(nextEnd.Sub(f.clock.Now()))
		if n, err := f.s.EvaluateTiers(ctx, 100); err != nil || n != 3 {
			t.Fatalf("second evaluation: %d, %v", n, err)
		}
		if m := f.member(t, p.ID, "keeper"); m.TierID != tier["SILVER"] {
			t.Fatalf("keeper after a year without growth: %s, want Silver", m.TierID)
		}
		t.Logf("%s: Gold kept with 6,000 ≥ 3,000; Gold with 2,000 → Silver; Diamond with 0 → Gold (max_drop 1); a year later Gold with 0 → Silver", d.Dialect)
	})
}

// TestTierEvaluationSettings: growth carried per policy, rolling periods from the
// upgrade, programs without evaluation never evaluated, and validation naming fields.
func TestTierEvaluationSettings(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p, tier := f.tiered(t, Evaluation{Kind: EvaluateRolling, Months: 12, GrowthAtEnd: GrowthKeepExcess})
		f.clock.Advance(24 * time.Hour) // 2026-03-03 10:00 in Shanghai
		f.buy(t, "o1", "roller", 7000)
		m := f.member(t, p.ID, "roller")
		want := time.Date(2027, 3, 2, 16, 0, 0, 0, time.UTC) // 3 March 2027, 00:00 in Shanghai
		if m.TierID != tier["GOLD"] || !m.ValidUntil.Equal(want) || m.PeriodGrowth != 0 {
			t.Fatalf("rolling upgrade: tier %s valid until %s, period growth %d; want Gold until %s, 0", m.TierID, m.ValidUntil, m.PeriodGrowth, want)
		}
		f.buy(t, "o2", "roller", 3500)
		f.clock.Advance(want.Sub(f.clock.Now()))
		if n, err := f.s.EvaluateTiers(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("rolling evaluation: %d, %v", n, err)
		}
		m = f.member(t, p.ID, "roller")
		if m.TierID != tier["GOLD"] || m.Growth != 10500-3000 || !m.ValidUntil.Equal(time.Date(2028, 3, 2, 16, 0, 0, 0, time.UTC)) {
			t.Fatalf("rolling keep_excess: tier %s growth %d until %s; want Gold, 7,500, a year on", m.TierID, m.Growth, m.ValidUntil)
		}

		// A program without evaluation (every program created before it existed).
		plain := f.program(t, ProgramInput{Code: "PLAIN", Name: "p", BrandIDs: []string{"other"}})
		f.enrol(t, plain.ID, "still")
		f.clock.Advance(3 * 365 * 24 * time.Hour)
		for range 5 { // the rolling member's next three periods are due; the plain member never is
			if _, err := f.s.EvaluateTiers(context.Background(), 10); err != nil {
				t.Fatal(err)
			}
		}
		if m := f.member(t, plain.ID, "still"); !m.ValidUntil.IsZero() {
			t.Fatalf("member of a program without evaluation valid until %s", m.ValidUntil)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM loyalty_tier_moves WHERE program_id = $1`, plain.ID); n != 0 {
			t.Fatalf("%d tier moves in a program without evaluation", n)
		}
		if m := f.member(t, p.ID, "roller"); m.TierID != tier["BASIC"] || !m.ValidUntil.After(f.clock.Now()) {
			t.Fatalf("roller after three empty years: %s until %s, want Basic, a period still running", m.TierID, m.ValidUntil)
		}

		neg := int64(-1)
		cases := []struct {
			ev    Evaluation
			field string
		}{
			{Evaluation{Kind: "weekly"}, "body.evaluation.kind"},
			{Evaluation{Kind: EvaluateAnnual, Month: 13, Day: 1}, "body.evaluation.month"},
			{Evaluation{Kind: EvaluateAnnual, Month: 2, Day: 29}, "body.evaluation.day"},
			{Evaluation{Kind: EvaluateRolling}, "body.evaluation.months"},
			{Evaluation{Kind: EvaluateRolling, Months: 12, MaxDrop: -1}, "body.evaluation.max_drop"},
			{Evaluation{Kind: EvaluateRolling, Months: 12, GrowthAtEnd: "half"}, "body.evaluation.growth_at_period_end"},
		}
		for _, c := range cases {
			_, err := f.s.CreateProgram(as(auth.Marketer), ProgramInput{Code: "BAD", Name: "b", BrandIDs: []string{"b9"}, Evaluation: c.ev})
			var e *errs.Error
			if !asErr(err, &e) || e.Code != errs.Invalid || e.Field != c.field {
				t.Errorf("%+v: %v, want invalid %s", c.ev, err, c.field)
			}
		}
		_, err := f.s.CreateTier(as(auth.Marketer), p.ID, TierInput{Code: "X", Name: "x", Threshold: 9, Retention: &neg})
		var e *errs.Error
		if !asErr(err, &e) || e.Field != "body.retention_threshold" {
			t.Errorf("negative retention: %v, want body.retention_threshold", err)
		}
	})
}

// TestTierEvaluationOnce: two evaluators on two "nodes" (services on the same
// database) race over the same due members, and a run stopped half-way is finished by
// a restarted process: every member's period is evaluated exactly once.
func TestTierEvaluationOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p, tier := f.tiered(t, Evaluation{Kind: EvaluateAnnual, Month: 1, Day: 1})
		const members = 30
		for i := range members {
			c := fmt.Sprintf("m%02d", i)
			f.buy(t, "o-"+c, c, 6000)
			f.giveBack(t, "o-"+c, 1, 6000)
		}
		f.clock.Advance(periodEnd2027.Sub(f.clock.Now()))
		ctx := context.Background()
		// Restart mid-run: the first process evaluates 5 and stops.
		if n, err := f.s.EvaluateTiers(ctx, 5); err != nil || n != 5 {
			t.Fatalf("first run (stopped after 5): %d, %v", n, err)
		}
		nodes := []*Service{
			NewService(d, events.NewOutbox(f.clock), f.s.audit, f.clock, f.s.deps),
			NewService(d, events.NewOutbox(f.clock), f.s.audit, f.clock, f.s.deps),
		}
		var wg sync.WaitGroup
		done := make([]int, len(nodes))
		errc := make(chan error, len(nodes))
		for i, s := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.EvaluateTiers(ctx, 1000)
				done[i] = n
				errc <- err
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if done[0]+done[1] != members-5 {
			t.Fatalf("the two nodes evaluated %d and %d, want %d in all", done[0], done[1], members-5)
		}
		if n, err := nodes[0].EvaluateTiers(ctx, 1000); err != nil || n != 0 {
			t.Fatalf("a further run: %d, %v", n, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM loyalty_tier_moves WHERE program_id = $1 AND reason = 'downgrade' AND period_end = $2`, p.ID,
			millis(periodEnd2027)); n != members {
			t.Fatalf("%d downgrades recorded, want %d", n, members)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND payload LIKE '%"reason":"downgrade"%'`, EventMemberUpgraded); n != members {
			t.Fatalf("%d downgrade events, want %d", n, members)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM loyalty_members WHERE program_id = $1 AND tier_id = $2`, p.ID, tier["BASIC"]); n != members {
			t.Fatalf("%d members in Basic, want %d", n, members)
		}
		t.Logf("%s: %d due; 5 before a restart, then %d and %d by two concurrent nodes; %d moves, %d events", d.Dialect, members, done[0], done[1], members, members)
	})
}

// TestGrowthPerOrder: an order that earns adds the program's growth per order on top
// of its growth per yuan (to the period's growth too); an order that earns nothing
// adds none; a full return takes it all back.
func TestGrowthPerOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true, GrowthPerOrder: 50, ExcludedCategories: []string{"tobacco"}})
		f.buy(t, "o1", "ordered", 100)
		if m := f.member(t, p.ID, "ordered"); m.Growth != 150 || m.PeriodGrowth != 150 {
			t.Fatalf("after a ¥100 order: growth %d, period %d; want 100 per yuan + 50 per order", m.Growth, m.PeriodGrowth)
		}
		if err := f.s.onCompleted(context.Background(), f.completed(t, "o2", "ordered", line{id: "L1", category: "tobacco", qty: 1, net: 5000})); err != nil {
			t.Fatal(err)
		}
		if m := f.member(t, p.ID, "ordered"); m.Growth != 150 {
			t.Fatalf("an order of excluded lines added growth: %d", m.Growth)
		}
		f.giveBack(t, "o1", 1, 100)
		if m := f.member(t, p.ID, "ordered"); m.Growth != 0 || m.PeriodGrowth != 0 {
			t.Fatalf("after the full return: growth %d, period %d; want 0", m.Growth, m.PeriodGrowth)
		}
		_, err := f.s.CreateProgram(as(auth.Marketer), ProgramInput{Code: "NEG", Name: "n", BrandIDs: []string{"b7"}, GrowthPerOrder: -1})
		var e *errs.Error
		if !asErr(err, &e) || e.Field != "body.growth_per_order" {
			t.Fatalf("negative growth per order: %v, want body.growth_per_order", err)
		}
	})
}
