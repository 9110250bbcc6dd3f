package audience

import (
	"math"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/audience/engine"
)

// The attribute fields every index defines besides the behaviour convention of the
// engine (orders:<w>, spend_fen:<w>, bought_category:<w>, events:<type>:<w>,
// last_order_day) and the tags (tag:<code>). docs/audiences.md lists them.
const (
	fieldGender        = "gender"
	fieldCity          = "city"
	fieldAge           = "age"
	fieldTier          = "tier"
	fieldRegChannel    = "registration_channel"
	fieldPreferred     = "preferred_store"
	fieldRegisteredDay = "registered_day"
	fieldConsent       = "consent"
	fieldFirstOrderDay = "first_order_day"
	fieldChannels      = "channel:365d"
	fieldStores        = "store:365d"
)

// windowDays is how many days each behaviour window spans, today included; "all"
// is every order (lifetime figures).
var windowDays = map[engine.Window]int64{"7d": 7, "30d": 30, "90d": 90, "180d": 180, "365d": 365}

// factsHorizon is how far back the facts of orders and events are read: the
// longest window.
const factsHorizon = 366 * 24 * time.Hour

// avgBasketField names the Number field of the average basket in fen within w.
func avgBasketField(w engine.Window) string { return "avg_basket_fen:" + string(w) }

// baseFields are the fields of every index with their kinds.
func baseFields() map[string]engine.Kind {
	f := map[string]engine.Kind{fieldGender: engine.Set, fieldCity: engine.Set, fieldAge: engine.Number, fieldTier: engine.Set,
		fieldRegChannel: engine.Set, fieldPreferred: engine.Set, fieldRegisteredDay: engine.Number, fieldConsent: engine.Set,
		fieldFirstOrderDay: engine.Number, engine.LastOrderDay: engine.Number, fieldChannels: engine.Set, fieldStores: engine.Set}
	for _, w := range engine.Windows() {
		f[engine.OrdersField(w)] = engine.Number
		f[engine.SpendField(w)] = engine.Number
		f[engine.BoughtField(w)] = engine.Set
		f[avgBasketField(w)] = engine.Number
	}
	return f
}

// tagKind is the engine kind of a tag's field.
func tagKind(t ValueType) engine.Kind {
	switch t {
	case ValueBoolean:
		return engine.Flag
	case ValueEnum:
		return engine.Set
	}
	return engine.Number
}

// memberRow turns a member's facts into its engine row as of today (a day in the
// tenant's time zone zone). Windows count days up to and including today.
func memberRow(m Member, today engine.Day, zone *time.Location) engine.Row {
	row := engine.Row{}
	setText := func(field, v string) {
		if v != "" {
			row[field] = v
		}
	}
	setText(fieldGender, m.Gender)
	setText(fieldCity, m.City)
	setText(fieldRegChannel, m.RegistrationChannel)
	setText(fieldPreferred, m.PreferredStoreID)
	if m.BirthYear > 0 {
		row[fieldAge] = int64(dayTime(today).Year() - m.BirthYear)
	}
	if len(m.Tiers) > 0 {
		row[fieldTier] = slices.Clone(m.Tiers)
	}
	if len(m.Consents) > 0 {
		row[fieldConsent] = slices.Clone(m.Consents)
	}
	if !m.RegisteredAt.IsZero() {
		row[fieldRegisteredDay] = engine.DayOf(m.RegisteredAt.In(zone))
	}
	if m.LifetimeOrders > 0 {
		row[engine.OrdersField("all")] = m.LifetimeOrders
		row[engine.EventsField("order", "all")] = m.LifetimeOrders
		row[engine.SpendField("all")] = m.LifetimeSpendFen
		row[avgBasketField("all")] = m.LifetimeSpendFen / m.LifetimeOrders
		row[fieldFirstOrderDay] = engine.DayOf(m.FirstOrderAt.In(zone))
		row[engine.LastOrderDay] = engine.DayOf(m.LastOrderAt.In(zone))
	}
	orderWindows(row, m.Orders, today, zone)
	eventWindows(row, m.Events, today, zone)
	return row
}

func orderWindows(row engine.Row, orders []OrderFact, today engine.Day, zone *time.Location) {
	var channels, stores, allCats []string
	for w, days := range windowDays {
		var n, spend int64
		var cats []string
		for _, o := range orders {
			if engine.DayOf(o.At.In(zone)) <= today-engine.Day(days) {
				continue
			}
			n++
			spend += o.NetFen
			cats = union(cats, o.Categories)
			if w == "365d" {
				channels = union(channels, []string{o.Channel})
				stores = union(stores, []string{o.StoreID})
			}
		}
		if n == 0 {
			continue
		}
		row[engine.OrdersField(w)] = n
		row[engine.EventsField("order", w)] = n // did("order", 30d) reads the orders as events
		row[engine.SpendField(w)] = spend
		row[avgBasketField(w)] = spend / n
		row[engine.BoughtField(w)] = cats
		if w == "365d" {
			allCats = cats
		}
	}
	if len(allCats) > 0 {
		row[engine.BoughtField("all")] = allCats // the facts reach back a year: all history of categories is the last year's
	}
	if len(channels) > 0 {
		row[fieldChannels] = channels
	}
	if len(stores) > 0 {
		row[fieldStores] = stores
	}
}

func eventWindows(row engine.Row, evs []EventFact, today engine.Day, zone *time.Location) {
	for w, days := range windowDays {
		counts := map[string]int64{}
		for _, e := range evs {
			if engine.DayOf(e.At.In(zone)) > today-engine.Day(days) {
				counts[e.Type]++
			}
		}
		for typ, n := range counts {
			row[engine.EventsField(typ, w)] = n
		}
	}
}

// union appends to a the values of b it lacks.
func union(a, b []string) []string {
	for _, v := range b {
		if v != "" && !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

// dayTime is midnight UTC of day d (for its calendar date).
func dayTime(d engine.Day) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// tagRowValue is a stored tag value as its engine row value: true for a boolean,
// the text for an enum, the rounded number for a number, the day for a date.
func tagRowValue(t ValueType, value string, num *float64) (any, bool) {
	switch t {
	case ValueBoolean:
		return true, value == "true"
	case ValueEnum:
		return value, value != ""
	case ValueNumber, ValueDate:
		if num == nil {
			return nil, false
		}
		return int64(math.Round(*num)), true
	}
	return nil, false
}
