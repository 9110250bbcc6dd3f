package loyalty

import (
	"context"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestPaidMembership: buying with stored value debits the fee; a renewal extends from
// the current end; a replayed purchase buys nothing; a member's completed order is
// rebated once (the same event 20 times in parallel and a second event of the order),
// within the yearly cap; the plan's multiplier doubles its points.
func TestPaidMembership(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		prog := f.program(t, ProgramInput{})
		f.enrol(t, prog.ID, "alice")
		plan, err := f.s.CreatePlan(as(auth.Marketer), MembershipPlan{Code: "PLUS", Name: "Plus", Period: PeriodYear, FeeFen: 9_900,
			MultiplierBP: 20_000, RebateBP: 200, RebateCapFen: 500})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreatePlan(as(auth.Marketer), MembershipPlan{Code: "X", Name: "X", Period: "week"}); !isField(err, "body.period") {
			t.Fatalf("bad period: %v", err)
		}
		buy := PurchaseRequest{PlanID: plan.ID, Method: "stored_value", Reference: "sale-1", StoreID: "s1"}
		if _, err := f.s.PurchaseMembership(as(auth.Associate), "alice", buy); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("buying with an empty account: %v", err)
		}
		f.topUp(t, "alice", 20_000, "t1")
		m1, err := f.s.PurchaseMembership(as(auth.Associate), "alice", buy)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.s.PurchaseMembership(as(auth.Associate), "alice", buy)
		if err != nil || again.ID != m1.ID {
			t.Fatalf("replayed purchase: %+v %v", again, err)
		}
		buy.Reference, buy.Method = "sale-2", "wechat_pay"
		m2, err := f.s.PurchaseMembership(as(auth.Associate), "alice", buy)
		if err != nil || !m2.StartsAt.Equal(m1.EndsAt) || !m2.EndsAt.Equal(m1.EndsAt.AddDate(1, 0, 0)) {
			t.Fatalf("renewal %+v after %+v: %v", m2, m1, err)
		}
		if b := f.svBalance(t, "alice"); b != 10_100 {
			t.Fatalf("balance %d after one fee by stored value, want 10100", b)
		}
		// ¥150 order: 2% is 300 fen; delivered 20 times at once and a second event.
		ev := f.completed(t, "o1", "alice", line{id: "L1", category: "c", qty: 1, net: 15_000})
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.s.onCompletedRebate(context.Background(), ev); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if err := f.s.onCompletedRebate(context.Background(), f.completed(t, "o1", "alice", line{id: "L1", category: "c", qty: 1, net: 15_000})); err != nil {
			t.Fatal(err)
		}
		if b := f.svBalance(t, "alice"); b != 10_400 {
			t.Fatalf("balance %d after the rebate of o1, want 10400 (once)", b)
		}
		// The next ¥150 order reaches the ¥5 yearly cap: 200 of its 300.
		if err := f.s.onCompletedRebate(context.Background(), f.completed(t, "o2", "alice", line{id: "L1", category: "c", qty: 1, net: 15_000})); err != nil {
			t.Fatal(err)
		}
		st, err := f.s.FindMembership(as(auth.Analyst), "alice")
		if err != nil || st.Active == nil || st.Active.ID != m1.ID || st.RebatedFen != 500 || len(st.Periods) != 2 {
			t.Fatalf("membership %+v %v", st, err)
		}
		if b := f.svBalance(t, "alice"); b != 10_600 {
			t.Fatalf("balance %d, want 10600 (capped)", b)
		}
		// Returning half of o1 (the same change as order.returned and order.refunded)
		// takes back half its rebate, once.
		for range 2 {
			if err := f.s.onReturnedRebate(context.Background(), f.returned(t, "o1", 2, map[string]int64{"L1": 7_500})); err != nil {
				t.Fatal(err)
			}
		}
		if b := f.svBalance(t, "alice"); b != 10_450 {
			t.Fatalf("balance %d after returning half of o1, want 10450", b)
		}
		if err := f.s.onCompleted(context.Background(), f.completed(t, "o3", "alice", line{id: "L1", category: "c", qty: 1, net: 1_000})); err != nil {
			t.Fatal(err)
		}
		if pts := f.balance(t, prog.ID, "alice").Total; pts != 20 {
			t.Fatalf("points on ¥10 for a 2× paid member: %d, want 20", pts)
		}
		t.Logf("%s: fee debited from stored value; renewal runs from the current end; o1 delivered 21 times rebated 300 fen once; o2 capped at the ¥5 yearly cap (200 fen); returning half of o1 (delivered twice) took back 150 once; 2× points for the member", d.Dialect)
	})
}
