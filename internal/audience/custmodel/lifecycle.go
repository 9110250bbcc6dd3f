package custmodel

import (
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Stage is a customer's lifecycle stage.
type Stage string

// The lifecycle stages.
const (
	StageProspect Stage = "prospect" // no order yet
	StageNew      Stage = "new"      // first order within the New window
	StageActive   Stage = "active"   // last order within the Active window
	StageDormant  Stage = "dormant"  // last order within the Dormant window
	StageLost     Stage = "lost"     // last order longer ago
)

// LifecycleWindows are the stage windows in days. A day d is "within N days" of today
// when 0 ≤ today − d < N calendar days: a 30-day window is today and the 29 days before.
type LifecycleWindows struct {
	NewDays     int // default 30
	ActiveDays  int // default 90
	DormantDays int // default 180
}

// DefaultLifecycleWindows returns the default windows: new 30, active 90, dormant 180.
func DefaultLifecycleWindows() LifecycleWindows {
	return LifecycleWindows{NewDays: 30, ActiveDays: 90, DormantDays: 180}
}

// Validate returns an errs.Invalid error naming the field when a window is not positive
// or DormantDays is not greater than ActiveDays.
func (w LifecycleWindows) Validate() error {
	switch {
	case w.NewDays <= 0:
		return errs.Field("windows.new_days", "must be positive, got %d", w.NewDays)
	case w.ActiveDays <= 0:
		return errs.Field("windows.active_days", "must be positive, got %d", w.ActiveDays)
	case w.DormantDays <= w.ActiveDays:
		return errs.Field("windows.dormant_days", "must be greater than active_days (%d), got %d", w.ActiveDays, w.DormantDays)
	}
	return nil
}

// LifecycleInput is one customer's first and last order day. Only the calendar date of
// each time (in its own location) counts. A zero FirstOrder means no order yet.
type LifecycleInput struct {
	CustomerID string
	FirstOrder time.Time
	LastOrder  time.Time
}

// LifecycleResult is one customer's stage. DaysSinceFirst and DaysSinceLast are −1 for a
// prospect.
type LifecycleResult struct {
	CustomerID     string
	Stage          Stage
	DaysSinceFirst int
	DaysSinceLast  int
}

// StageOf returns the stage of one customer on the calendar date of today, with the
// rules applied in order:
//
//   - no order (zero FirstOrder): prospect;
//   - first order within NewDays: new (a new customer is also recent; new wins);
//   - last order within ActiveDays: active;
//   - last order within DormantDays: dormant;
//   - otherwise lost.
//
// It returns an errs.Invalid error when the windows are invalid, when LastOrder is
// zero or before FirstOrder, or when an order day is after today.
func StageOf(today time.Time, c LifecycleInput, w LifecycleWindows) (LifecycleResult, error) {
	if err := w.Validate(); err != nil {
		return LifecycleResult{}, fmt.Errorf("custmodel: lifecycle stage: %w", err)
	}
	return stageOf(civilDay(today), c, w, -1)
}

// stageOf classifies c; idx ≥ 0 is its position in a batch, used to name the field in
// errors.
func stageOf(today int64, c LifecycleInput, w LifecycleWindows, idx int) (LifecycleResult, error) {
	field := func(name string) string {
		if idx < 0 {
			return name
		}
		return fmt.Sprintf("customers[%d].%s", idx, name)
	}
	r := LifecycleResult{CustomerID: c.CustomerID, Stage: StageProspect, DaysSinceFirst: -1, DaysSinceLast: -1}
	if c.FirstOrder.IsZero() {
		return r, nil
	}
	if c.LastOrder.IsZero() {
		return r, fmt.Errorf("custmodel: lifecycle stage: %w", errs.Field(field("last_order"), "is required when first_order is set"))
	}
	first, last := civilDay(c.FirstOrder), civilDay(c.LastOrder)
	switch {
	case last < first:
		return r, fmt.Errorf("custmodel: lifecycle stage: %w", errs.Field(field("last_order"), "is before first_order"))
	case last > today:
		return r, fmt.Errorf("custmodel: lifecycle stage: %w", errs.Field(field("last_order"), "is after today"))
	}
	r.DaysSinceFirst, r.DaysSinceLast = int(today-first), int(today-last)
	switch {
	case r.DaysSinceFirst < w.NewDays:
		r.Stage = StageNew
	case r.DaysSinceLast < w.ActiveDays:
		r.Stage = StageActive
	case r.DaysSinceLast < w.DormantDays:
		r.Stage = StageDormant
	default:
		r.Stage = StageLost
	}
	return r, nil
}

// Lifecycle returns the stage of every customer in input order (see StageOf). A zero
// LifecycleWindows means DefaultLifecycleWindows. It returns an errs.Invalid error
// naming the first invalid element. It runs in O(n).
func Lifecycle(today time.Time, in []LifecycleInput, w LifecycleWindows) ([]LifecycleResult, error) {
	if w == (LifecycleWindows{}) {
		w = DefaultLifecycleWindows()
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("custmodel: lifecycle: %w", err)
	}
	t := civilDay(today)
	out := make([]LifecycleResult, len(in))
	for i, c := range in {
		r, err := stageOf(t, c, w, i)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// civilDay returns the number of days from 1970-01-01 to t's calendar date in t's own
// location.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
