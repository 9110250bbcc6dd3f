package custmodel_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

// TestLifecycleHandTable checks the stages on 2026-12-07 with the default windows
// (new < 30 days since the first order, active < 90, dormant < 180 days since the last),
// on both sides of every boundary.
func TestLifecycleHandTable(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC)
	ago := func(d int) time.Time { return time.Date(2026, 12, 7-d, 9, 0, 0, 0, time.UTC) }
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name        string
		first, last time.Time
		want        custmodel.Stage
		sinceFirst  int
		sinceLast   int
	}{
		{"no order", time.Time{}, time.Time{}, custmodel.StageProspect, -1, -1},
		{"first order today", ago(0), ago(0), custmodel.StageNew, 0, 0},
		{"first order 29 days ago", ago(29), ago(29), custmodel.StageNew, 29, 29},
		{"first 29 days ago, reordered today", ago(29), ago(0), custmodel.StageNew, 29, 0},
		{"first order 30 days ago: no longer new", ago(30), ago(30), custmodel.StageActive, 30, 30},
		{"last order 89 days ago", ago(300), ago(89), custmodel.StageActive, 300, 89},
		{"last order 90 days ago", ago(300), ago(90), custmodel.StageDormant, 300, 90},
		{"last order 179 days ago", ago(300), ago(179), custmodel.StageDormant, 300, 179},
		{"last order 180 days ago", ago(300), ago(180), custmodel.StageLost, 300, 180},
		{"last order 400 days ago", ago(500), ago(400), custmodel.StageLost, 500, 400},
		// 2026-11-07 23:59 in Shanghai is calendar day 11-07 there: 30 days before 12-07.
		{"other location counts its own date", time.Date(2026, 11, 7, 23, 59, 0, 0, shanghai), time.Date(2026, 11, 7, 23, 59, 0, 0, shanghai), custmodel.StageActive, 30, 30},
	}
	in := make([]custmodel.LifecycleInput, len(tests))
	for i, tt := range tests {
		in[i] = custmodel.LifecycleInput{CustomerID: tt.name, FirstOrder: tt.first, LastOrder: tt.last}
	}
	got, err := custmodel.Lifecycle(today, in, custmodel.LifecycleWindows{})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		want := custmodel.LifecycleResult{CustomerID: tt.name, Stage: tt.want, DaysSinceFirst: tt.sinceFirst, DaysSinceLast: tt.sinceLast}
		if got[i] != want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got[i], want)
		}
	}

	// Custom windows: new < 7, active < 30, dormant < 60.
	w := custmodel.LifecycleWindows{NewDays: 7, ActiveDays: 30, DormantDays: 60}
	custom := []struct {
		first, last int
		want        custmodel.Stage
	}{
		{6, 6, custmodel.StageNew}, {7, 0, custmodel.StageActive}, {40, 29, custmodel.StageActive},
		{40, 30, custmodel.StageDormant}, {80, 59, custmodel.StageDormant}, {80, 60, custmodel.StageLost},
	}
	for _, c := range custom {
		r, err := custmodel.StageOf(today, custmodel.LifecycleInput{FirstOrder: ago(c.first), LastOrder: ago(c.last)}, w)
		if err != nil || r.Stage != c.want {
			t.Errorf("custom first %d last %d: %+v %v, want %s", c.first, c.last, r, err, c.want)
		}
	}
}

func TestLifecycleInvalid(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		in    custmodel.LifecycleInput
		w     custmodel.LifecycleWindows
		field string
	}{
		{"last before first", custmodel.LifecycleInput{FirstOrder: day(5), LastOrder: day(4)}, custmodel.LifecycleWindows{}, "customers[1].last_order"},
		{"last after today", custmodel.LifecycleInput{FirstOrder: day(5), LastOrder: day(8)}, custmodel.LifecycleWindows{}, "customers[1].last_order"},
		{"last missing", custmodel.LifecycleInput{FirstOrder: day(5)}, custmodel.LifecycleWindows{}, "customers[1].last_order"},
		{"new window", custmodel.LifecycleInput{}, custmodel.LifecycleWindows{NewDays: -1, ActiveDays: 90, DormantDays: 180}, "windows.new_days"},
		{"active window", custmodel.LifecycleInput{}, custmodel.LifecycleWindows{NewDays: 30, DormantDays: 180}, "windows.active_days"},
		{"dormant window", custmodel.LifecycleInput{}, custmodel.LifecycleWindows{NewDays: 30, ActiveDays: 90, DormantDays: 90}, "windows.dormant_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := custmodel.Lifecycle(today, []custmodel.LifecycleInput{{}, tt.in}, tt.w)
			assertField(t, err, tt.field)
		})
	}
}

// TestLifecycleProperties: with the last order fixed, moving today forward never moves
// a customer back to an earlier stage (new → active → dormant → lost).
func TestLifecycleProperties(t *testing.T) {
	t.Parallel()
	order := map[custmodel.Stage]int{custmodel.StageNew: 0, custmodel.StageActive: 1, custmodel.StageDormant: 2, custmodel.StageLost: 3}
	rapid.Check(t, func(t *rapid.T) {
		first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 300).Draw(t, "first"))
		last := first.AddDate(0, 0, rapid.IntRange(0, 200).Draw(t, "gap"))
		today := last.AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "since"))
		later := today.AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "more"))
		c := custmodel.LifecycleInput{FirstOrder: first, LastOrder: last}
		a, err := custmodel.StageOf(today, c, custmodel.DefaultLifecycleWindows())
		if err != nil {
			t.Fatal(err)
		}
		b, err := custmodel.StageOf(later, c, custmodel.DefaultLifecycleWindows())
		if err != nil {
			t.Fatal(err)
		}
		if order[b.Stage] < order[a.Stage] {
			t.Fatalf("stage went back from %s to %s", a.Stage, b.Stage)
		}
	})
}

// BenchmarkLifecycle classifies one million customers.
func BenchmarkLifecycle(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	in := make([]custmodel.LifecycleInput, n)
	for i := range in {
		first := today.AddDate(0, 0, -rng.IntN(730))
		in[i] = custmodel.LifecycleInput{CustomerID: strconv.Itoa(i), FirstOrder: first, LastOrder: first.AddDate(0, 0, rng.IntN(int(today.Sub(first).Hours()/24)+1))}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := custmodel.Lifecycle(today, in, custmodel.LifecycleWindows{}); err != nil {
			b.Fatal(err)
		}
	}
}
