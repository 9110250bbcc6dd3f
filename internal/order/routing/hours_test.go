package routing

import (
	"testing"
	"time"
)

func TestOpenAt(t *testing.T) {
	t.Parallel()
	h := time.Hour
	tests := []struct {
		name  string
		hours Hours
		zone  *time.Location
		at    time.Time
		start time.Time
		code  Code
	}{
		{name: "always open", at: at10(3, 0), start: at10(3, 0), zone: cst},
		{name: "open all day explicitly", hours: Hours{Close: 24 * h}, at: at10(23, 59), start: at10(23, 59), zone: cst},
		{name: "open, before cut-off", hours: Hours{Open: 8 * h, Close: 22 * h, CutOff: 21 * h}, at: at10(20, 59), start: at10(20, 59), zone: cst},
		{name: "before opening", hours: Hours{Open: 8 * h, Close: 22 * h}, at: at10(6, 0), start: at10(8, 0), code: CodeOpensLater, zone: cst},
		{name: "at cut-off", hours: Hours{Open: 8 * h, Close: 22 * h, CutOff: 21 * h}, at: at10(21, 0), start: at10(8, 0).AddDate(0, 0, 1), code: CodePastCutOff, zone: cst},
		{name: "after close, no cut-off", hours: Hours{Open: 8 * h, Close: 22 * h}, at: at10(22, 0), start: at10(8, 0).AddDate(0, 0, 1), code: CodeClosed, zone: cst},
		{name: "after close with cut-off", hours: Hours{Open: 8 * h, Close: 22 * h, CutOff: 21 * h}, at: at10(23, 0), start: at10(8, 0).AddDate(0, 0, 1), code: CodeClosed, zone: cst},
		{name: "all day with cut-off", hours: Hours{CutOff: 21 * h}, at: at10(22, 0), start: at10(0, 0).AddDate(0, 0, 1), code: CodePastCutOff, zone: cst},
		{name: "past midnight, still open", hours: Hours{Open: 8 * h, Close: 2 * h}, at: at10(1, 0), start: at10(1, 0), zone: cst},
		{name: "past midnight, past a cut-off after midnight", hours: Hours{Open: 8 * h, Close: 2 * h, CutOff: h}, at: at10(1, 30), start: at10(8, 0), code: CodePastCutOff, zone: cst},
		{name: "past midnight, past an evening cut-off", hours: Hours{Open: 8 * h, Close: 2 * h, CutOff: 23 * h}, at: at10(0, 30), start: at10(8, 0), code: CodePastCutOff, zone: cst},
		{name: "past midnight, closed", hours: Hours{Open: 8 * h, Close: 2 * h}, at: at10(3, 0), start: at10(8, 0), code: CodeOpensLater, zone: cst},
		{name: "past midnight, evening", hours: Hours{Open: 8 * h, Close: 2 * h, CutOff: 23 * h}, at: at10(23, 30), start: at10(8, 0).AddDate(0, 0, 1), code: CodePastCutOff, zone: cst},
		{name: "zone decides the day", hours: Hours{Open: 8 * h, Close: 22 * h}, at: at10(23, 0), zone: time.UTC, start: at10(23, 0)},                              // 15:00 UTC
		{name: "nil zone is UTC", hours: Hours{Open: 8 * h, Close: 22 * h}, at: at10(7, 0), start: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), code: CodeClosed}, // 23:00 UTC the day before
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.hours.openAt(tt.at, tt.zone)
			if !got.start.Equal(tt.start) || got.code != tt.code {
				t.Errorf("openAt(%v) = %v %q, want %v %q", tt.at, got.start, got.code, tt.start, tt.code)
			}
			if (got.code == "") != (got.message == "") {
				t.Errorf("code %q with message %q", got.code, got.message)
			}
		})
	}
}
