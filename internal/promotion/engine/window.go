package engine

import (
	"slices"
	"time"
)

// Window is a half-open interval of time [Start, End) when a promotion's time
// conditions hold.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// onWeekday reports whether local (a time in the store's zone) is on one of the
// weekdays (member day); no weekdays means every day.
func (k *Conditions) onWeekday(local time.Time) bool {
	return len(k.Weekdays) == 0 || slices.Contains(k.Weekdays, local.Weekday())
}

// inDailyWindow reports whether local is inside the daily window [DailyFrom, DailyTo)
// (minutes after local midnight; both 0: all day; from > to wraps past midnight).
func (k *Conditions) inDailyWindow(local time.Time) bool {
	if k.DailyFrom == 0 && k.DailyTo == 0 {
		return true
	}
	m := local.Hour()*60 + local.Minute()
	to := k.dailyTo()
	if k.DailyFrom > to {
		return m >= k.DailyFrom || m < to
	}
	return m >= k.DailyFrom && m < to
}

func (k *Conditions) dailyTo() int {
	if k.DailyTo == 0 {
		return 1440
	}
	return k.DailyTo
}

// ActiveAt reports whether the time conditions (start, end, weekdays, daily window in
// loc; nil means UTC) hold at t, exactly as Price checks them.
func (k *Conditions) ActiveAt(t time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	return (k.Start.IsZero() || !t.Before(k.Start)) && (k.End.IsZero() || t.Before(k.End)) &&
		k.onWeekday(local) && k.inDailyWindow(local)
}

// Windows returns the windows, in order and merged where they touch, when the time
// conditions hold within [from, to): a plain start–end window clipped to the range,
// or the recurring member days and happy hours expanded day by day in loc (nil means
// UTC). A time t in [from, to) is in a window exactly when ActiveAt(t, loc).
func (k *Conditions) Windows(from, to time.Time, loc *time.Location) []Window {
	if loc == nil {
		loc = time.UTC
	}
	if !k.Start.IsZero() && k.Start.After(from) {
		from = k.Start
	}
	if !k.End.IsZero() && k.End.Before(to) {
		to = k.End
	}
	if !from.Before(to) {
		return nil
	}
	var out []Window
	add := func(s, e time.Time) {
		s, e = later(s, from), earlier(e, to)
		if !s.Before(e) {
			return
		}
		if n := len(out); n > 0 && !out[n-1].End.Before(s) {
			out[n-1].End = later(out[n-1].End, e)
			return
		}
		out = append(out, Window{Start: s, End: e})
	}
	// Walk the local days that overlap [from, to); a day's segments come from the
	// weekday and daily-window rules of that day (a window wrapping past midnight is
	// two segments, each checked against its own day's weekday, as Price does).
	y, m, d := from.In(loc).Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, loc); day.Before(to); {
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		if k.onWeekday(day) {
			at := func(min int) time.Time { return wallClock(day, min, loc) }
			switch dt := k.dailyTo(); {
			case k.DailyFrom == 0 && k.DailyTo == 0:
				add(day, next)
			case k.DailyFrom < dt:
				add(at(k.DailyFrom), at(dt))
			default: // wraps past midnight
				add(day, at(dt))
				add(at(k.DailyFrom), next)
			}
		}
		day = next
	}
	return out
}

// wallClock returns the first instant of day (a local midnight) at which loc's clock
// reads min minutes past midnight or later — what ActiveAt compares. It differs from
// time.Date only when the clock skips min (a daylight-saving gap): then it is the
// instant the clock jumps, where time.Date may pick an instant an hour early.
func wallClock(day time.Time, min int, loc *time.Location) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), 0, min, 0, 0, loc)
	local := t.In(loc)
	got := local.Hour()*60 + local.Minute()
	if local.Day() != day.Day() {
		got += 24 * 60
	}
	switch start, end := t.ZoneBounds(); {
	case got < min && !end.IsZero():
		return end // counted with the offset before the gap: the clock reaches min when it ends
	case got > min && !start.IsZero():
		return start // counted with the offset after the gap: the clock passed min when it began
	}
	return t
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
