package routing

import (
	"fmt"
	"time"
)

// opening is when a candidate can start on an order: at the order time, later today
// when it has not opened yet, or at the next opening when it is past its cut-off or
// closed. Code is empty when it starts at once.
type opening struct {
	start   time.Time
	code    Code
	message string
}

// clock formats an offset from midnight as 15:04.
func clock(d time.Duration) string {
	d %= day
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// at is local midnight of the date y-m-d (plus days) in loc, moved by off of wall
// clock; time.Date normalises the overflow on the civil fields, so a DST change
// does not shift it.
func at(t time.Time, days int, off time.Duration, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+days, 0, 0, 0, int(off), loc)
}

// openAt reports when a location with hours h, in zone loc, can start on an order
// placed at t.
func (h Hours) openAt(t time.Time, loc *time.Location) opening {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	open := h.Open
	end := h.Close // end of the business day, as an offset from the midnight it began after
	switch {
	case h.Open == 0 && (h.Close == 0 || h.Close == day):
		end = day
	case h.Close <= h.Open:
		end = h.Close + day
	}
	wall := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	date := 0 // the business day's date, relative to t's local date
	if wall < open {
		if wall+day < end {
			wall, date = wall+day, -1 // still yesterday's business day, after midnight
		} else {
			s := at(t, 0, open, loc)
			return opening{start: s, code: CodeOpensLater, message: fmt.Sprintf("closed until %s; promise starts then", clock(open))}
		}
	}
	limit := end
	if c := h.CutOff; c != 0 {
		if c < open {
			c += day
		}
		limit = min(limit, c)
	}
	if wall < limit {
		return opening{start: t}
	}
	next := at(t, date+1, open, loc)
	if wall < end {
		return opening{start: next, code: CodePastCutOff,
			message: fmt.Sprintf("past cut-off %s; promise starts at next opening %s", clock(h.CutOff), next.Format("01-02 15:04"))}
	}
	return opening{start: next, code: CodeClosed,
		message: fmt.Sprintf("closed since %s; promise starts at next opening %s", clock(h.Close), next.Format("01-02 15:04"))}
}
