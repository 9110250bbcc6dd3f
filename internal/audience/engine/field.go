package engine

import (
	"fmt"
	"strings"
	"time"
)

// Kind is the type of a field in an Index.
type Kind uint8

// The field kinds.
const (
	// Number holds one int64 per member (ages, counts, amounts in fen, day numbers),
	// stored as a bit-sliced index so that range predicates are bitmap operations.
	Number Kind = iota + 1
	// Set holds zero or more string values per member (city, tier, categories
	// bought, channels). An enum is a Set whose members hold at most one value.
	Set
	// Flag is present or absent per member (boolean tags).
	Flag
)

// String returns the kind's name as used in errors: "number", "set" or "flag".
func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case Set:
		return "set"
	case Flag:
		return "flag"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Day is a calendar day counted from 1970-01-01 in the tenant's time zone. Day
// fields such as LastOrderDay hold Day values; evaluation takes today's Day.
type Day int64

// DayOf returns the Day of t in t's location.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Window is a behaviour window: one of Windows.
type Window string

// windowList holds the behaviour windows the service keeps aggregates for,
// shortest first: "7d" … "365d" are the days up to and including today, "all" is
// all history.
var windowList = [...]Window{"7d", "30d", "90d", "180d", "365d", "all"}

// Windows returns the behaviour windows, shortest first: 7d, 30d, 90d, 180d, 365d, all.
func Windows() []Window { return append([]Window(nil), windowList[:]...) }

// Valid reports whether w is one of Windows.
func (w Window) Valid() bool {
	for _, x := range windowList {
		if x == w {
			return true
		}
	}
	return false
}

// Field-name prefixes and names of the behaviour convention (see the package doc).
const (
	// LastOrderDay is the Number field holding the Day of the member's last order.
	LastOrderDay = "last_order_day"
	// DaysSincePrefix marks a derived field: "days_since:F" is today minus the
	// Day in Number field F. It is computed at evaluation and never stored.
	DaysSincePrefix = "days_since:"
	// TagPrefix starts tag fields: "tag:<code>".
	TagPrefix = "tag:"
)

// OrdersField names the Number field counting the member's orders within w:
// "orders:<w>".
func OrdersField(w Window) string { return "orders:" + string(w) }

// SpendField names the Number field with the member's spend in fen within w:
// "spend_fen:<w>".
func SpendField(w Window) string { return "spend_fen:" + string(w) }

// BoughtField names the Set field of category codes bought within w:
// "bought_category:<w>".
func BoughtField(w Window) string { return "bought_category:" + string(w) }

// EventsField names the Number field counting events of type eventType within w:
// "events:<type>:<w>".
func EventsField(eventType string, w Window) string {
	return "events:" + eventType + ":" + string(w)
}

// TagField names the field of the tag with the given code: "tag:<code>".
func TagField(code string) string { return TagPrefix + code }

// SegmentKey is the Row key EvalRow reads for membership of segment code:
// "segment:<code>" holding a bool.
func SegmentKey(code string) string { return "segment:" + code }

// splitWindowed splits "prefix<middle>:<window>" for one of the behaviour prefixes.
func splitWindowed(field, prefix string) (middle string, w Window, ok bool) {
	rest, found := strings.CutPrefix(field, prefix)
	if !found {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return "", "", false
	}
	w = Window(rest[i+1:])
	if !w.Valid() {
		return "", "", false
	}
	return rest[:i], w, true
}

// validFieldName reports why name cannot be a field name, or "" when it can.
func validFieldName(name string) string {
	if name == "" {
		return "empty field name"
	}
	for _, r := range name {
		if r == '`' || r < 0x20 || r == 0x7f || r == 0xfffd {
			return fmt.Sprintf("field name %q has a backtick, control or invalid character", name)
		}
	}
	return ""
}
