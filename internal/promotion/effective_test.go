package promotion

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestEffectiveAt: the status a merchandiser reads combines the stored status and
// the window [start, end).
func TestEffectiveAt(t *testing.T) {
	t.Parallel()
	now := testNow
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	tests := []struct {
		name       string
		status     Status
		start, end *time.Time
		want       EffectiveStatus
	}{
		{name: "draft in its window", status: StatusDraft, start: at(-time.Hour), want: EffectiveDraft},
		{name: "active, open window", status: StatusActive, want: EffectiveRunning},
		{name: "active, starts in an hour", status: StatusActive, start: at(time.Hour), end: at(48 * time.Hour), want: EffectiveScheduled},
		{name: "active, starts now", status: StatusActive, start: at(0), want: EffectiveRunning},
		{name: "active, ends now (end is exclusive)", status: StatusActive, end: at(0), want: EffectiveEnded},
		{name: "active, ended yesterday", status: StatusActive, start: at(-72 * time.Hour), end: at(-24 * time.Hour), want: EffectiveEnded},
		{name: "active, ends in a second", status: StatusActive, end: at(time.Second), want: EffectiveRunning},
		{name: "paused in its window", status: StatusPaused, end: at(time.Hour), want: EffectivePaused},
		{name: "paused past its end", status: StatusPaused, end: at(-time.Hour), want: EffectiveEnded},
		{name: "ended before its end", status: StatusEnded, end: at(time.Hour), want: EffectiveEnded},
	}
	for _, tc := range tests {
		p := Promotion{Status: tc.status, StartsAt: tc.start, EndsAt: tc.end}
		if got := p.EffectiveAt(now); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestFindPromotionsByEffectiveStatus: the list's effective_status filter, in SQL on
// each engine, keeps exactly the promotions whose EffectiveAt is the one asked for, and
// the response carries the same effective status.
func TestFindPromotionsByEffectiveStatus(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		merch := as(tenantA, auth.Merchandiser)
		type spec struct {
			code       string
			start, end time.Duration // from testNow; 0 means open
			action     string        // "", activate, pause, end
		}
		specs := []spec{
			{code: "DRAFT", start: -time.Hour},
			{code: "SCHEDULED", start: 24 * time.Hour, end: 48 * time.Hour, action: "activate"},
			{code: "RUNNING", start: -time.Hour, end: time.Hour, action: "activate"},
			{code: "RUNNING-OPEN", action: "activate"},
			{code: "PAUSED", end: time.Hour, action: "pause"},
			{code: "ENDED", action: "end"},
		}
		want := map[EffectiveStatus][]string{}
		for _, sp := range specs {
			def := manjian()
			if sp.start != 0 {
				def.Conditions.Start = testNow.Add(sp.start)
			}
			if sp.end != 0 {
				def.Conditions.End = testNow.Add(sp.end)
			}
			p := mustCreate(t, s, merch, sp.code, def)
			var err error
			switch sp.action {
			case "activate":
				p, err = s.Activate(merch, p.ID)
			case "pause":
				if p, err = s.Activate(merch, p.ID); err == nil {
					p, err = s.Pause(merch, p.ID)
				}
			case "end":
				p, err = s.End(merch, p.ID)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", sp.action, sp.code, err)
			}
			e := p.EffectiveAt(testNow)
			want[e] = append(want[e], sp.code)
			if r := s.promotionResponse(p); r.EffectiveStatus != string(e) {
				t.Errorf("%s: response says %s, EffectiveAt %s", sp.code, r.EffectiveStatus, e)
			}
		}
		if !slices.Equal(want[EffectiveScheduled], []string{"SCHEDULED"}) || len(want[EffectiveRunning]) != 2 {
			t.Fatalf("set-up: %v", want)
		}
		for _, e := range []EffectiveStatus{EffectiveDraft, EffectiveScheduled, EffectiveRunning, EffectivePaused, EffectiveEnded} {
			page, err := s.FindPromotions(merch, PromotionFilter{Effective: e})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range page.Items {
				got = append(got, p.Code)
			}
			slices.Sort(got)
			slices.Sort(want[e])
			if !slices.Equal(got, want[e]) {
				t.Errorf("effective %s: %v, want %v", e, got, want[e])
			}
		}
		// Two days on, the scheduled one runs and the one-hour windows are over.
		later := testNow.Add(25 * time.Hour)
		page, err := s.FindPromotions(merch, PromotionFilter{Effective: EffectiveEnded, At: later})
		if err != nil {
			t.Fatal(err)
		}
		var ended []string
		for _, p := range page.Items {
			ended = append(ended, p.Code)
		}
		slices.Sort(ended)
		if !slices.Equal(ended, []string{"ENDED", "PAUSED", "RUNNING"}) {
			t.Errorf("ended a day later: %v", ended)
		}
		if _, err := s.FindPromotions(merch, PromotionFilter{Effective: "soon"}); err == nil {
			t.Error("an unknown effective status was accepted")
		}
	})
}

// TestEffectiveConditionAgrees: for any status, window and instant, the SQL filter
// and EffectiveAt put a promotion in the same one effective status.
func TestEffectiveConditionAgrees(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) { checkEffectiveCondition(t, d) })
}

func checkEffectiveCondition(t *testing.T, d *db.DB) {
	t.Helper()
	s := setup(t, d)
	merch := as(tenantA, auth.Merchandiser)
	created := map[string]Promotion{}
	for i, w := range []struct{ start, end time.Duration }{{0, 0}, {-2 * time.Hour, 0}, {0, 2 * time.Hour}, {-2 * time.Hour, 2 * time.Hour}, {time.Hour, 3 * time.Hour}} {
		def := manjian()
		if w.start != 0 {
			def.Conditions.Start = testNow.Add(w.start)
		}
		if w.end != 0 {
			def.Conditions.End = testNow.Add(w.end)
		}
		for _, st := range []string{"draft", "active", "paused", "ended"} {
			code := st + "-" + string(rune('A'+i))
			p := mustCreate(t, s, merch, code, def)
			var err error
			switch st {
			case "active":
				p, err = s.Activate(merch, p.ID)
			case "paused":
				if p, err = s.Activate(merch, p.ID); err == nil {
					p, err = s.Pause(merch, p.ID)
				}
			case "ended":
				p, err = s.End(merch, p.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			created[p.Code] = p
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		now := testNow.Add(time.Duration(rapid.Int64Range(-4, 4).Draw(rt, "hours")) * time.Hour)
		seen := map[string]EffectiveStatus{}
		for _, e := range []EffectiveStatus{EffectiveDraft, EffectiveScheduled, EffectiveRunning, EffectivePaused, EffectiveEnded} {
			page, err := s.FindPromotions(merch, PromotionFilter{Effective: e, At: now, Limit: 100})
			if err != nil {
				rt.Fatal(err)
			}
			for _, p := range page.Items {
				if prev, ok := seen[p.Code]; ok {
					rt.Fatalf("%s is both %s and %s", p.Code, prev, e)
				}
				seen[p.Code] = e
				if got := p.EffectiveAt(now); got != e {
					rt.Fatalf("%s: SQL says %s, EffectiveAt %s", p.Code, e, got)
				}
			}
		}
		if len(seen) != len(created) {
			rt.Fatalf("%d of %d promotions in some effective status", len(seen), len(created))
		}
	})
}
