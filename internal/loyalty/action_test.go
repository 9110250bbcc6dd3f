package loyalty

import (
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
)

// actionProgram is a program that rewards a daily sign-in (5 growth and 10 points,
// once a day), a completed profile (100 growth, once ever) and reviews (20 growth,
// no cap), with a 普通 tier at 0 and a 银卡 tier at 100 growth.
func (f fixture) actionProgram(t *testing.T) Program {
	t.Helper()
	p := f.program(t, ProgramInput{ActionRules: []ActionRule{
		{Action: "sign_in", Growth: 5, Points: 10, PerDay: 1},
		{Action: "profile_completed", Growth: 100, Lifetime: 1},
		{Action: "review", Growth: 20},
	}})
	for _, in := range []TierInput{{Code: "BASIC", Name: "普通", Threshold: 0}, {Code: "SILVER", Name: "银卡", Threshold: 100}} {
		if _, err := f.s.CreateTier(as(auth.Marketer), p.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	p, err := f.s.FindProgramByID(as(auth.Marketer), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func isConflictOn(err error, field string) bool { return isCodeOn(err, errs.Conflict, field) }

// TestActionCredits: actions earn their rule's growth and points, a replayed
// reference credits once, the daily cap counts days in the program's zone, the
// lifetime cap holds, growth from an action moves the tier up at once and shows in
// the tier history, and bad reports are refused naming the field.
func TestActionCredits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.actionProgram(t)
		f.enrol(t, p.ID, "alice")
		till := as(auth.Associate)
		credit := func(action, ref string, at time.Time) (ActionCredit, error) {
			return f.s.CreditAction(till, p.ID, "alice", ActionRequest{Action: action, Reference: ref, At: at})
		}

		first, err := credit("sign_in", "day-1", time.Time{})
		if err != nil || first.Growth != 5 || first.Points != 10 || first.EntryID == "" || first.Replayed || first.Day != "2026-03-02" {
			t.Fatalf("first sign-in: %+v, %v", first, err)
		}
		again, err := credit("sign_in", "day-1", time.Time{})
		if err != nil || !again.Replayed || again.ID != first.ID || again.Member.Growth != 5 {
			t.Fatalf("replayed sign-in: %+v, %v", again, err)
		}
		if _, err := credit("sign_in", "day-1-bis", time.Time{}); !isConflictOn(err, "body.action") {
			t.Fatalf("second sign-in the same day: %v, want a conflict on body.action", err)
		}
		// 23:59 and 00:01 in Shanghai are 15:59 and 16:01 UTC on one UTC day: two days
		// in the program's zone, so both count.
		late := time.Date(2026, 2, 27, 15, 59, 0, 0, time.UTC)
		if c, err := credit("sign_in", "fri", late); err != nil || c.Day != "2026-02-27" {
			t.Fatalf("sign-in at 23:59 Shanghai: %+v, %v", c, err)
		}
		if c, err := credit("sign_in", "sat", late.Add(2*time.Minute)); err != nil || c.Day != "2026-02-28" {
			t.Fatalf("sign-in at 00:01 Shanghai: %+v, %v", c, err)
		}
		f.clock.Advance(24 * time.Hour)
		if _, err := credit("sign_in", "day-2", time.Time{}); err != nil {
			t.Fatalf("sign-in the next day: %v", err)
		}

		profile, err := credit("profile_completed", "profile", time.Time{})
		if err != nil || profile.Member.TierID == "" || profile.Member.Growth != 4*5+100 {
			t.Fatalf("profile completed: %+v, %v", profile, err)
		}
		if tier := tierByID(p.Tiers, profile.Member.TierID); tier == nil || tier.Code != "SILVER" {
			t.Fatalf("growth 120 after the profile: tier %q, want SILVER at once", profile.Member.TierID)
		}
		if _, err := credit("profile_completed", "profile-again", time.Time{}); !isConflictOn(err, "body.action") {
			t.Fatalf("second profile completion: %v, want a conflict on body.action", err)
		}
		for i := range 3 {
			if _, err := credit("review", fmt.Sprintf("review-%d", i), time.Time{}); err != nil {
				t.Fatalf("review %d: %v", i, err)
			}
		}

		b := f.balance(t, p.ID, "alice")
		if b.Total != 4*10 || b.Member.Growth != 4*5+100+3*20 {
			t.Fatalf("balance %+v, want 40 points (four sign-ins) and growth 180", b)
		}
		moves, err := f.s.FindTierMoves(as(auth.Marketer), p.ID, "alice", 10)
		if err != nil || len(moves) != 1 || moves[0].Reason != MoveUpgrade || moves[0].ToTierID != profile.Member.TierID ||
			moves[0].FromTierID != p.Tiers[0].ID || moves[0].Growth != 120 {
			t.Fatalf("tier moves %+v, %v; want one upgrade from BASIC to SILVER at growth 120", moves, err)
		}
		credits, err := f.s.FindActionCredits(as(auth.Marketer), p.ID, "alice", 50)
		if err != nil || len(credits) != 8 {
			t.Fatalf("%d credits (%v), want 8", len(credits), err)
		}

		for _, c := range []struct {
			customer, action, ref string
			at                    time.Time
			invalid               string // the field of an invalid report
			code                  errs.Code
		}{
			{"alice", "Sign In", "x", time.Time{}, "body.action", errs.Invalid},
			{"alice", "share", "x", time.Time{}, "body.action", errs.Invalid}, // no rule
			{"alice", "review", "", time.Time{}, "body.reference", errs.Invalid},
			{"alice", "review", "future", f.clock.Now().Add(time.Hour), "body.occurred_at", errs.Invalid},
			{"alice", "review", "old", f.clock.Now().AddDate(0, 0, -91), "body.occurred_at", errs.Invalid},
			{"bob", "review", "x", time.Time{}, "", errs.NotFound}, // not a member
		} {
			_, err := f.s.CreditAction(till, p.ID, c.customer, ActionRequest{Action: c.action, Reference: c.ref, At: c.at})
			var fe *errs.Error
			if !errors.As(err, &fe) || fe.Code != c.code || (c.invalid != "" && fe.Field != c.invalid) {
				t.Errorf("%s %q %q: %v, want %s on %q", c.customer, c.action, c.ref, err, c.code, c.invalid)
			}
		}
		f.enrol(t, p.ID, "bob")
		if c, err := f.s.CreditAction(till, p.ID, "bob", ActionRequest{Action: "sign_in", Reference: "day-2"}); err != nil || c.Replayed || c.Points != 10 {
			t.Fatalf("bob's sign-in with alice's reference (references are each member's own): %+v, %v", c, err)
		}
		if _, err := f.s.CreditAction(as(auth.Analyst), p.ID, "alice", ActionRequest{Action: "review", Reference: "r"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an analyst crediting: %v, want forbidden", err)
		}
	})
}

// TestParallelActionsRespectCaps: 60 sign-ins of one member with distinct references
// at once against a cap of 3 a day credit exactly 3, and 60 reports of one review
// reference at once credit it once.
func TestParallelActionsRespectCaps(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.program(t, ProgramInput{ActionRules: []ActionRule{{Action: "sign_in", Growth: 5, Points: 10, PerDay: 3}, {Action: "review", Growth: 20}}})
		f.enrol(t, p.ID, "alice")
		var credited, capped, replayed atomic.Int64
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, err := f.s.CreditAction(as(auth.Associate), p.ID, "alice", ActionRequest{Action: "sign_in", Reference: fmt.Sprint("s", i)})
				switch {
				case err == nil:
					credited.Add(1)
				case isConflictOn(err, "body.action"):
					capped.Add(1)
				default:
					t.Errorf("sign-in %d: %v", i, err)
				}
			}()
			go func() {
				defer wg.Done()
				c, err := f.s.CreditAction(as(auth.Associate), p.ID, "alice", ActionRequest{Action: "review", Reference: "one-review"})
				if err != nil {
					t.Errorf("review report %d: %v", i, err)
				} else if c.Replayed {
					replayed.Add(1)
				}
			}()
		}
		wg.Wait()
		b := f.balance(t, p.ID, "alice")
		if credited.Load() != 3 || capped.Load() != 57 || replayed.Load() != 59 || b.Total != 30 || b.Member.Growth != 3*5+20 {
			t.Fatalf("credited %d, capped %d, review replays %d, balance %+v; want 3, 57, 59, 30 points, growth 35",
				credited.Load(), capped.Load(), replayed.Load(), b)
		}
		t.Logf("%s: 60 parallel sign-ins against 3 a day: 3 credited, 57 refused; 60 parallel reports of one review: credited once; 30 points, growth 35",
			d.Dialect)
	})
}

// TestActionRulesValidation: each bad rule is refused naming its field.
func TestActionRulesValidation(t *testing.T) {
	for _, c := range []struct {
		rules []ActionRule
		field string
	}{
		{[]ActionRule{{Action: "x", Growth: 1}}, "body.action_rules[0].action"},
		{[]ActionRule{{Action: "sign_in", Growth: 1}, {Action: "sign_in", Points: 1}}, "body.action_rules[1].action"},
		{[]ActionRule{{Action: "sign_in"}}, "body.action_rules[0].growth"},
		{[]ActionRule{{Action: "sign_in", Growth: -1}}, "body.action_rules[0].growth"},
		{[]ActionRule{{Action: "sign_in", Points: 2_000_000}}, "body.action_rules[0].points"},
		{[]ActionRule{{Action: "sign_in", Growth: 1, PerDay: -1}}, "body.action_rules[0].per_day"},
		{[]ActionRule{{Action: "sign_in", Growth: 1, Lifetime: -1}}, "body.action_rules[0].lifetime"},
	} {
		in := ProgramInput{Code: "C", Name: "c", ActionRules: c.rules}
		if err := in.Validate(); !isField(err, c.field) {
			t.Errorf("%+v: %v, want invalid %s", c.rules, err, c.field)
		}
	}
}
