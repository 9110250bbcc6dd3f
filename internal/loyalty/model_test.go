package loyalty

import (
	"testing"
	"time"
)

func TestEarnPoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		perYuan, cap        int64
		base, tierBP, dayBP int64
		want                int64
	}{
		{name: "floor of a yuan", perYuan: 1, base: 12399, tierBP: 10000, dayBP: 10000, want: 123},
		{name: "tier 1.5× member day 2×", perYuan: 2, base: 10001, tierBP: 15000, dayBP: 20000, want: 600},
		{name: "cap", perYuan: 10, cap: 500, base: 100000, tierBP: 10000, dayBP: 10000, want: 500},
		{name: "nothing below a yuan", perYuan: 1, base: 99, tierBP: 10000, dayBP: 10000, want: 0},
		{name: "no overflow at ¥10 billion × 1000 × 10 × 10", perYuan: 1000, base: 1_000_000_000_000, tierBP: 100000, dayBP: 100000, want: 1_000_000_000_000_000},
	}
	for _, tt := range tests {
		p := Program{PointsPerYuan: tt.perYuan, MaxPointsPerOrder: tt.cap}
		if got := p.earnPoints(tt.base, tt.tierBP, tt.dayBP); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestProportion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                     string
		total, part, whole, want int64
	}{
		{name: "half rounds up", total: 29, part: 1490, whole: 2980, want: 15},
		{name: "a third", total: 600, part: 3333, whole: 20000, want: 100},
		{name: "all", total: 600, part: 20000, whole: 20000, want: 600},
		{name: "more than all is all", total: 600, part: 30000, whole: 20000, want: 600},
		{name: "nothing", total: 600, part: 0, whole: 20000, want: 0},
		{name: "no base", total: 0, part: 10, whole: 0, want: 0},
	}
	for _, tt := range tests {
		if got := proportion(tt.total, tt.part, tt.whole); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ur, _ := time.LoadLocation("Asia/Urumqi")
	// 16:30 UTC on 31 Dec 2026 is already 00:30 on 1 January 2027 in Shanghai, still
	// 22:30 on 31 December in Urumqi.
	earned := time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    Program
		loc  *time.Location
		want time.Time
	}{
		{name: "never", p: Program{ExpiryKind: ExpiryNever}, loc: sh, want: time.Time{}},
		{name: "1 day: the end of the next local day", p: Program{ExpiryKind: ExpiryDays, ExpiryDays: 1}, loc: sh,
			want: time.Date(2027, 1, 3, 0, 0, 0, 0, sh)},
		{name: "end of next year, by the local year (2027 in Shanghai)", p: Program{ExpiryKind: ExpiryEndOfNextYear}, loc: sh,
			want: time.Date(2029, 1, 1, 0, 0, 0, 0, sh)},
		{name: "1 day in Urumqi, where it is still 31 December", p: Program{ExpiryKind: ExpiryDays, ExpiryDays: 1}, loc: ur,
			want: time.Date(2027, 1, 2, 0, 0, 0, 0, ur)},
		{name: "end of next year in Urumqi (2026 there)", p: Program{ExpiryKind: ExpiryEndOfNextYear}, loc: ur,
			want: time.Date(2028, 1, 1, 0, 0, 0, 0, ur)},
	}
	for _, tt := range tests {
		if got := tt.p.expiry(earned, tt.loc); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTierFor(t *testing.T) {
	t.Parallel()
	tiers := []Tier{{ID: "s", Threshold: 0}, {ID: "g", Threshold: 100}, {ID: "p", Threshold: 1000}}
	for growth, want := range map[int64]string{0: "s", 99: "s", 100: "g", 999: "g", 1000: "p", 5000: "p"} {
		if got := tierFor(tiers, growth); got == nil || got.ID != want {
			t.Errorf("growth %d: %v, want %s", growth, got, want)
		}
	}
	if tierFor(tiers[1:], 50) != nil {
		t.Error("below the lowest threshold there is no tier")
	}
}
