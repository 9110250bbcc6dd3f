package identity

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Touchpoint maturity follows the three measurable dimensions of the seed material's
// touchpoint digitisation model (覆盖与布局, 在线与连接, 数据与质量): which channels and
// stores have touchpoints, which of them actually send events, and how good those
// events are — refused by validation, or attached to a customer.

// MaturityLevel is how far one touchpoint has come over a window, each level
// including the ones before.
type MaturityLevel string

// The maturity levels.
const (
	LevelRegistered MaturityLevel = "registered" // no event stored in the window
	LevelConnected  MaturityLevel = "connected"  // events stored in the window
	LevelIdentified MaturityLevel = "identified" // at least half of them attached to a customer
	LevelMature     MaturityLevel = "mature"     // mostly identified, clean and steady
)

// The thresholds of the levels.
const (
	identifiedRateForIdentified = 0.5
	identifiedRateForMature     = 0.8
	rejectionRateForMature      = 0.01
	activeDaysRateForMature     = 0.8
)

// The gaps that keep a touchpoint from the next level, as codes a console words.
const (
	GapNoEvents      = "no_events"      // nothing stored in the window
	GapLowIdentified = "low_identified" // too few events attached to a customer
	GapHighRejection = "high_rejection" // too many events refused by validation
	GapIrregular     = "irregular"      // events on too few of the window's days
	GapDisabled      = "disabled"       // the touchpoint is disabled
)

// MaxMaturityDays bounds the window of TouchpointMaturity.
const MaxMaturityDays = 90

// TouchpointMaturity is one touchpoint's measures over the window.
type TouchpointMaturity struct {
	Touchpoint     Touchpoint
	Accepted       int64
	Rejected       int64
	Identified     int64 // accepted events attached to a customer
	ActiveDays     int   // days of the window with accepted events
	WindowDays     int   // days of the window since the touchpoint was registered
	RejectionRate  float64
	IdentifiedRate float64
	Level          MaturityLevel
	Gaps           []string // what keeps it from the next level
}

// Maturity is the tenant's touchpoint maturity over the Days days up to today (in the tenant's time zone).
type Maturity struct {
	Days int
	From time.Time // first day of the window: midnight in the tenant's time zone

	// Coverage and layout.
	ByType          map[TouchpointType]int // active touchpoints per type
	ByChannel       map[Channel]int        // active touchpoints per channel
	Stores          *int                   // stores of the tenant; nil when the caller may not read them
	StoresWithTouch int                    // stores with an active touchpoint
	StoresConnected int                    // stores with a touchpoint that stored events in the window

	// Online and connection.
	Touchpoints int // registered, active or disabled
	Active      int // not disabled
	Connected   int // stored events in the window
	SeenLastDay int // sent a request in the last 24 hours

	// Data and quality.
	Accepted       int64
	Rejected       int64
	Identified     int64
	RejectionRate  float64
	IdentifiedRate float64

	ByLevel map[MaturityLevel]int
	Items   []TouchpointMaturity // by code
}

// TouchpointMaturity measures the tenant's touchpoints over the last days days of the tenant's time zone
// (today included; 1…MaxMaturityDays). Errors: invalid (days), unauthorized,
// forbidden (touchpoints:read).
func (s *Service) TouchpointMaturity(ctx context.Context, days int) (Maturity, error) {
	p, err := touchpointReader(ctx)
	if err != nil {
		return Maturity{}, err
	}
	if days < 1 || days > MaxMaturityDays {
		return Maturity{}, errs.Field("query.days", "must be 1 to %d", MaxMaturityDays)
	}
	now := s.clock.Now()
	loc, err := s.zones.get(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return Maturity{}, fmt.Errorf("identity: touchpoint maturity: %w", err)
	}
	today := localDay(now, loc)
	first := today - int64(days) + 1
	tps, err := allTouchpoints(ctx, s.db.Reader(), p.TenantID, today)
	if err != nil {
		return Maturity{}, fmt.Errorf("identity: touchpoint maturity: %w", err)
	}
	sums, err := touchpointSums(ctx, s.db.Reader(), p.TenantID, first)
	if err != nil {
		return Maturity{}, fmt.Errorf("identity: touchpoint maturity: %w", err)
	}
	m := Maturity{Days: days, From: midnight(first, loc), ByType: map[TouchpointType]int{}, ByChannel: map[Channel]int{},
		ByLevel: map[MaturityLevel]int{}, Touchpoints: len(tps)}
	withTouch, connected := map[string]bool{}, map[string]bool{}
	for _, t := range tps {
		item := measure(t, sums[t.ID], first, today, loc)
		m.Items = append(m.Items, item)
		m.ByLevel[item.Level]++
		m.Accepted += item.Accepted
		m.Rejected += item.Rejected
		m.Identified += item.Identified
		if item.Accepted > 0 {
			m.Connected++
		}
		if t.Health.LastSeenAt != nil && now.Sub(*t.Health.LastSeenAt) <= 24*time.Hour {
			m.SeenLastDay++
		}
		if t.Status != StatusActive {
			continue
		}
		m.Active++
		m.ByType[t.Type]++
		m.ByChannel[t.Channel]++
		if t.StoreID != "" {
			withTouch[t.StoreID] = true
			if item.Accepted > 0 {
				connected[t.StoreID] = true
			}
		}
	}
	m.StoresWithTouch, m.StoresConnected = len(withTouch), len(connected)
	m.RejectionRate, m.IdentifiedRate = rates(m.Accepted, m.Rejected, m.Identified)
	stores, err := s.stores.StoreCount(ctx)
	switch {
	case err == nil:
		m.Stores = &stores
	case errs.Is(err, errs.Forbidden):
		// The caller may read touchpoints but not stores: coverage is shown without
		// the total.
	default:
		return Maturity{}, fmt.Errorf("identity: touchpoint maturity: %w", err)
	}
	return m, nil
}

// dayCounts is a touchpoint's counters summed over the window.
type dayCounts struct {
	accepted, rejected, identified int64
	activeDays                     int
}

// midnight is the start of day number day (see localDay) in loc.
func midnight(day int64, loc *time.Location) time.Time {
	y, m, d := time.Unix(day*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// measure rates one touchpoint over the window first…today, days in loc.
func measure(t Touchpoint, c dayCounts, first, today int64, loc *time.Location) TouchpointMaturity {
	window := int(today - max(first, localDay(t.CreatedAt, loc)) + 1)
	item := TouchpointMaturity{Touchpoint: t, Accepted: c.accepted, Rejected: c.rejected, Identified: c.identified,
		ActiveDays: c.activeDays, WindowDays: max(window, 1)}
	item.RejectionRate, item.IdentifiedRate = rates(c.accepted, c.rejected, c.identified)
	item.Level = LevelRegistered
	switch {
	case c.accepted == 0:
		item.Gaps = append(item.Gaps, GapNoEvents)
	case item.IdentifiedRate < identifiedRateForIdentified:
		item.Level = LevelConnected
		item.Gaps = append(item.Gaps, GapLowIdentified)
	default:
		item.Level = LevelIdentified
		if item.IdentifiedRate < identifiedRateForMature {
			item.Gaps = append(item.Gaps, GapLowIdentified)
		}
		if item.RejectionRate > rejectionRateForMature {
			item.Gaps = append(item.Gaps, GapHighRejection)
		}
		if float64(item.ActiveDays) < activeDaysRateForMature*float64(item.WindowDays) {
			item.Gaps = append(item.Gaps, GapIrregular)
		}
		if len(item.Gaps) == 0 {
			item.Level = LevelMature
		}
	}
	if t.Status != StatusActive {
		item.Gaps = append(item.Gaps, GapDisabled)
	}
	return item
}

// rates returns the share of received events refused and of stored events attached
// to a customer (0 without events).
func rates(accepted, rejected, identified int64) (rejection, identifiedRate float64) {
	if accepted+rejected > 0 {
		rejection = float64(rejected) / float64(accepted+rejected)
	}
	if accepted > 0 {
		identifiedRate = float64(identified) / float64(accepted)
	}
	return rejection, identifiedRate
}

// allTouchpoints returns the tenant's touchpoints by code, with today's health.
func allTouchpoints(ctx context.Context, q db.Querier, tenantID string, today int64) ([]Touchpoint, error) {
	var out []Touchpoint
	err := db.EachRow(ctx, q, `SELECT `+touchpointCols+touchpointFrom("$2")+` WHERE t.tenant_id = $1 ORDER BY t.code`, []any{tenantID, today},
		func(rs *sql.Rows) error {
			t, err := scanTouchpoint(rs)
			out = append(out, t)
			return err
		})
	return out, err
}

// touchpointSums sums the daily counters of each touchpoint from day first on.
func touchpointSums(ctx context.Context, q db.Querier, tenantID string, first int64) (map[string]dayCounts, error) {
	out := map[string]dayCounts{}
	err := db.EachRow(ctx, q, `SELECT touchpoint_id, SUM(accepted), SUM(rejected), SUM(identified), SUM(CASE WHEN accepted > 0 THEN 1 ELSE 0 END)
		FROM touchpoint_days WHERE tenant_id = $1 AND day >= $2 GROUP BY touchpoint_id`, []any{tenantID, first}, func(rs *sql.Rows) error {
		var id string
		var c dayCounts
		if err := rs.Scan(&id, &c.accepted, &c.rejected, &c.identified, &c.activeDays); err != nil {
			return err
		}
		out[id] = c
		return nil
	})
	return out, err
}
