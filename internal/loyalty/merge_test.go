package loyalty

import (
	"context"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMergeMovesPoints: when One ID merges two members, the absorbed one's lots move
// to the survivor with their availability and expiry, growth adds up, a redelivery
// moves nothing more, and a later return of the absorbed customer's order reverses
// from the survivor.
func TestMergeMovesPoints(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{AutoEnrol: true, PendingDays: 7, ExpiryKind: ExpiryDays, ExpiryDays: 90})
		if _, err := f.s.CreateTier(as("marketer"), p.ID, TierInput{Code: "GOLD", Name: "Gold", Threshold: 150}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := f.s.onCompleted(ctx, f.completed(t, "o1", "sara", line{id: "L1", category: "a", qty: 1, net: 10000})); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(8 * 24 * time.Hour)
		if err := f.s.onCompleted(ctx, f.completed(t, "o2", "sam", line{id: "L1", category: "a", qty: 2, net: 8000})); err != nil {
			t.Fatal(err)
		}
		merged := f.event(t, identity.EventCustomerMerged, identity.CustomerMergedEvent{SurvivorID: "sara", Absorbed: []string{"sam"}})
		for range 2 {
			if err := f.s.onMerged(ctx, merged); err != nil {
				t.Fatal(err)
			}
		}
		sara, sam := f.balance(t, p.ID, "sara"), f.balance(t, p.ID, "sam")
		if sara.Total != 180 || sara.Available != 100 || sara.Pending != 80 || sam.Total != 0 {
			t.Fatalf("sara %+v, sam %+v; want 180 (100 available, 80 pending) and 0", sara, sam)
		}
		if sara.Member.Growth != 180 || sara.Tier == nil || sara.Tier.Code != "GOLD" {
			t.Fatalf("sara's growth %d, tier %+v; want 180 and GOLD", sara.Member.Growth, sara.Tier)
		}
		// Returning one of sam's two units reverses 40 from sara.
		if err := f.s.onReturned(ctx, f.returned(t, "o2", 1, map[string]int64{"L1": 4000})); err != nil {
			t.Fatal(err)
		}
		if b := f.balance(t, p.ID, "sara"); b.Total != 140 || b.Available != 100 || b.Pending != 40 {
			t.Fatalf("after sam's return: sara has %+v, want 140 of which 40 pending (taken from the order's own moved lot)", b)
		}
		t.Logf("%s: merging sam (80 pending) into sara (100 available) moved the lots with their pending date: 180, growth 180 → GOLD; delivered twice, moved once; sam's later return reversed 40 from the order's moved lot", d.Dialect)
	})
}

// TestMergeMovesActionCredits: the survivor inherits the absorbed customer's action
// credits, so a lifetime cap holds for the person; a credit both have under the same
// reference stays with the absorbed id instead of failing the merge.
func TestMergeMovesActionCredits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{ActionRules: []ActionRule{{Action: "profile_completed", Growth: 50, Lifetime: 1},
			{Action: "sign_in", Growth: 1, PerDay: 1}}})
		f.enrol(t, p.ID, "sara")
		f.enrol(t, p.ID, "sam")
		till := as(auth.Associate)
		for _, c := range []struct{ customer, action, ref string }{
			{"sam", "profile_completed", "profile"}, {"sam", "sign_in", "2026-03-02"}, {"sara", "sign_in", "2026-03-02"},
		} {
			if _, err := f.s.CreditAction(till, p.ID, c.customer, ActionRequest{Action: c.action, Reference: c.ref}); err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
		}
		merged := f.event(t, identity.EventCustomerMerged, identity.CustomerMergedEvent{SurvivorID: "sara", Absorbed: []string{"sam"}})
		if err := f.s.onMerged(context.Background(), merged); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreditAction(till, p.ID, "sara", ActionRequest{Action: "profile_completed", Reference: "profile-2"}); !isConflictOn(err, "body.action") {
			t.Fatalf("sara completing a profile after sam's moved to her: %v, want the lifetime cap", err)
		}
		credits, err := f.s.FindActionCredits(as(auth.Marketer), p.ID, "sara", 10)
		if err != nil || len(credits) != 2 {
			t.Fatalf("sara's credits after the merge: %+v, %v; want her sign-in and sam's profile (sam's same-day sign-in stays behind)", credits, err)
		}
		if b := f.balance(t, p.ID, "sara"); b.Member.Growth != 1+50+1 {
			t.Fatalf("sara's growth %d, want 52 (hers, and sam's moved)", b.Member.Growth)
		}
	})
}
