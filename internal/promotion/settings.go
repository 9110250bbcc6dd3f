package promotion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Settings are a tenant's pricing settings: the rule for item-level promotions on the
// same unit (one per unit by default) and the time zone that pricing, the calendar
// and simulations use when the request names no store.
type Settings struct {
	ItemStacking engine.ItemStacking
	TimeZone     string
	UpdatedAt    time.Time // zero for a tenant that never stored its settings
}

// defaultSettings are the settings of a tenant without a row.
func defaultSettings() Settings {
	return Settings{ItemStacking: engine.OnePerUnit, TimeZone: DefaultTimeZone}
}

// SettingsUpdate changes the pricing settings; nil fields stay unchanged.
type SettingsUpdate struct {
	ItemStacking *engine.ItemStacking
	TimeZone     *string
}

// FindSettings returns the tenant's pricing settings (the defaults when it never
// changed them). Errors: unauthorized, forbidden (pricing:use or promotions:read).
func (s *Service) FindSettings(ctx context.Context) (Settings, error) {
	pr, err := pricer(ctx)
	if err != nil {
		return Settings{}, err
	}
	st, err := readSettings(ctx, s.db.Reader(), pr.TenantID)
	if err != nil {
		return Settings{}, fmt.Errorf("promotion: find settings: %w", err)
	}
	return st, nil
}

// UpdateSettings changes the tenant's pricing settings, audited as
// promotion.settings; prices follow from the next call on every node. Errors:
// invalid (body.item_stacking, body.time_zone), unauthorized, forbidden
// (promotions:write over the whole tenant).
func (s *Service) UpdateSettings(ctx context.Context, u SettingsUpdate) (Settings, error) {
	pr, err := writer(ctx)
	if err != nil {
		return Settings{}, err
	}
	if u.ItemStacking != nil && (*u.ItemStacking == "" || !u.ItemStacking.Valid()) {
		return Settings{}, errs.Field("body.item_stacking", "must be one_per_unit or stack")
	}
	if u.TimeZone != nil {
		if _, err := s.location(*u.TimeZone); err != nil || *u.TimeZone == "" || *u.TimeZone == "Local" {
			return Settings{}, errs.Field("body.time_zone", "unknown time zone %q; use an IANA name such as Asia/Shanghai", *u.TimeZone)
		}
	}
	var st Settings
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if st, err = readSettings(ctx, tx, pr.TenantID); err != nil {
			return err
		}
		if u.ItemStacking != nil {
			st.ItemStacking = *u.ItemStacking
		}
		if u.TimeZone != nil {
			st.TimeZone = *u.TimeZone
		}
		st.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO pricing_settings (tenant_id, item_stacking, time_zone, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE
			SET item_stacking = excluded.item_stacking, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
			pr.TenantID, string(st.ItemStacking), st.TimeZone, clock.Millis(st.UpdatedAt)); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: pr.TenantID, Action: "promotion.settings", ResourceType: "pricing_settings",
			ResourceID: pr.TenantID, Changes: map[string]any{"item_stacking": st.ItemStacking, "time_zone": st.TimeZone}}); err != nil {
			return err
		}
		s.forget(pr.TenantID)
		return bumpVersion(ctx, tx, pr.TenantID)
	})
	s.forget(pr.TenantID)
	if err != nil {
		return Settings{}, fmt.Errorf("promotion: update settings: %w", err)
	}
	return st, nil
}

// readSettings returns the tenant's settings, the defaults when it has no row.
func readSettings(ctx context.Context, q querier, tenantID string) (Settings, error) {
	st := defaultSettings()
	var stacking string
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT item_stacking, time_zone, updated_at FROM pricing_settings WHERE tenant_id = $1`, tenantID).
		Scan(&stacking, &st.TimeZone, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read pricing settings: %w", err)
	}
	st.ItemStacking, st.UpdatedAt = engine.ItemStacking(stacking), clock.FromMillis(updated)
	return st, nil
}
