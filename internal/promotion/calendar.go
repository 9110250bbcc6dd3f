package promotion

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Calendar limits.
const (
	maxCalendarRange = 93 * 24 * time.Hour
	maxCalendarItems = 2000
)

// DefaultTimeZone is the time zone of a tenant that set none in its pricing settings.
const DefaultTimeZone = "Asia/Shanghai"

// CalendarFilter selects the promotions of a calendar: [From, To) at most 93 days,
// a status (default: every status but ended), and only those that may run in a store
// or channel (a promotion without a store or channel condition runs everywhere).
// Recurring windows are expanded in Location (nil: the store's zone when StoreID
// names one, else the tenant's).
type CalendarFilter struct {
	From, To time.Time
	Status   Status
	StoreID  string
	Channel  string
	Location *time.Location
}

// CalendarItem is a promotion and the windows when it runs within the range.
type CalendarItem struct {
	Promotion Promotion
	Windows   []engine.Window
}

// PromotionCalendar returns the promotions that run within the range with their
// windows (see engine.Conditions.Windows), ordered by their first window and id.
// Errors: invalid (query.from, query.to, query.status), unauthorized.
func (s *Service) PromotionCalendar(ctx context.Context, f CalendarFilter) ([]CalendarItem, error) {
	pr, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case f.From.IsZero():
		return nil, errs.Field("query.from", "required (RFC 3339)")
	case f.To.IsZero():
		return nil, errs.Field("query.to", "required (RFC 3339)")
	case !f.From.Before(f.To):
		return nil, errs.Field("query.to", "must be after from")
	case f.To.Sub(f.From) > maxCalendarRange:
		return nil, errs.Field("query.to", "the range is at most 93 days")
	}
	switch f.Status {
	case "", StatusDraft, StatusActive, StatusPaused, StatusEnded:
	default:
		return nil, errs.Field("query.status", "must be draft, active, paused or ended")
	}
	if f.Location == nil {
		st, err := readSettings(ctx, s.db.Reader(), pr.TenantID)
		if err != nil {
			return nil, fmt.Errorf("promotion: calendar: %w", err)
		}
		if f.Location, err = s.pricingZone(ctx, pr.TenantID, f.StoreID, st); err != nil {
			return nil, fmt.Errorf("promotion: calendar: %w", err)
		}
	}
	rows, err := promotionsInRange(ctx, s.db.Reader(), pr.TenantID, f.From, f.To, f.Status, maxCalendarItems)
	if err != nil {
		return nil, fmt.Errorf("promotion: calendar: %w", err)
	}
	var out []CalendarItem
	for _, p := range rows {
		k := &p.Definition.Conditions
		if f.Status == "" && p.Status == StatusEnded {
			continue
		}
		if (f.StoreID != "" && len(k.Stores) > 0 && !slices.Contains(k.Stores, f.StoreID)) ||
			(f.Channel != "" && len(k.Channels) > 0 && !slices.Contains(k.Channels, f.Channel)) {
			continue
		}
		if ws := k.Windows(f.From, f.To, f.Location); len(ws) > 0 {
			out = append(out, CalendarItem{Promotion: p, Windows: ws})
		}
	}
	slices.SortStableFunc(out, func(a, b CalendarItem) int {
		if c := a.Windows[0].Start.Compare(b.Windows[0].Start); c != 0 {
			return c
		}
		return strings.Compare(a.Promotion.ID, b.Promotion.ID)
	})
	return out, nil
}
