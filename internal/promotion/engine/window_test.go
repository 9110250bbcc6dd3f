package engine

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestWindowsMemberDayAndHappyHour(t *testing.T) {
	t.Parallel()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, sh) // a Sunday
	to := time.Date(2026, 3, 15, 0, 0, 0, 0, sh)
	tests := []struct {
		name string
		k    Conditions
		want []Window
	}{
		{name: "member day every Tuesday", k: Conditions{Weekdays: []time.Weekday{time.Tuesday}},
			want: []Window{
				{time.Date(2026, 3, 3, 0, 0, 0, 0, sh), time.Date(2026, 3, 4, 0, 0, 0, 0, sh)},
				{time.Date(2026, 3, 10, 0, 0, 0, 0, sh), time.Date(2026, 3, 11, 0, 0, 0, 0, sh)},
			}},
		{name: "happy hour 14:00-17:00 on two days", k: Conditions{DailyFrom: 14 * 60, DailyTo: 17 * 60,
			Start: time.Date(2026, 3, 5, 15, 0, 0, 0, sh), End: time.Date(2026, 3, 7, 0, 0, 0, 0, sh)},
			want: []Window{
				{time.Date(2026, 3, 5, 15, 0, 0, 0, sh), time.Date(2026, 3, 5, 17, 0, 0, 0, sh)},
				{time.Date(2026, 3, 6, 14, 0, 0, 0, sh), time.Date(2026, 3, 6, 17, 0, 0, 0, sh)},
			}},
		{name: "plain window clipped to the range", k: Conditions{Start: time.Date(2026, 2, 1, 0, 0, 0, 0, sh), End: time.Date(2026, 3, 2, 12, 0, 0, 0, sh)},
			want: []Window{{from, time.Date(2026, 3, 2, 12, 0, 0, 0, sh)}}},
		{name: "open window is the whole range", k: Conditions{}, want: []Window{{from, to}}},
		{name: "window outside the range", k: Conditions{End: from}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.k.Windows(from, to, sh)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Start.Equal(tc.want[i].Start) || !got[i].End.Equal(tc.want[i].End) {
					t.Fatalf("window %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestWindowsAgreeWithActiveAt: an instant is inside a window exactly when the
// pricing engine's time conditions hold at it.
func TestWindowsAgreeWithActiveAt(t *testing.T) {
	t.Parallel()
	zones := []string{"Asia/Shanghai", "UTC", "America/New_York"}
	rapid.Check(t, func(t *rapid.T) {
		loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
		if err != nil {
			t.Fatal(err)
		}
		// Both of New York's 2026 clock changes (8 March, 1 November) fall in range.
		base := rapid.SampledFrom([]time.Time{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)}).Draw(t, "base")
		minute := func(label string, lo, hi int) time.Time {
			return base.Add(time.Duration(rapid.IntRange(lo, hi).Draw(t, label)) * time.Minute)
		}
		var k Conditions
		if rapid.Bool().Draw(t, "bounded") {
			k.Start, k.End = minute("start", 0, 20000), minute("end", 20001, 40000)
		}
		for d := time.Sunday; d <= time.Saturday; d++ {
			if rapid.IntRange(0, 3).Draw(t, "day") == 0 {
				k.Weekdays = append(k.Weekdays, d)
			}
		}
		if rapid.Bool().Draw(t, "daily") {
			k.DailyFrom = rapid.IntRange(0, 1439).Draw(t, "from")
			k.DailyTo = rapid.IntRange(0, 1440).Draw(t, "to")
			if k.DailyFrom == k.DailyTo {
				k.DailyTo = 0
			}
		}
		from, to := minute("range_from", -2000, 30000), minute("range_to", 30001, 50000)
		ws := k.Windows(from, to, loc)
		for i := 0; i < 50; i++ {
			at := minute("at", -2000, 50000).Add(time.Duration(rapid.IntRange(0, 59).Draw(t, "sec")) * time.Second)
			in := false
			for _, w := range ws {
				in = in || (!at.Before(w.Start) && at.Before(w.End))
			}
			want := !at.Before(from) && at.Before(to) && k.ActiveAt(at, loc)
			if in != want {
				t.Fatalf("at %v (%v): in a window %v, ActiveAt %v; windows %v", at, at.In(loc), in, want, ws)
			}
		}
		for i := 1; i < len(ws); i++ {
			if !ws[i-1].End.Before(ws[i].Start) {
				t.Fatalf("windows overlap or touch: %v", ws)
			}
		}
	})
}
