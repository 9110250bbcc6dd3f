package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Channel allocation (docs/inventory.md "Channel allocation", decision 0026). A
// balance's available stock is a shared pool unless quotas set some aside for sales
// channels: a reservation from a channel takes its quota first and then the shared
// pool (available less what the quotas still hold back, quota_free), never beyond
// available. Quota rows change only under the balance row's lock, which every
// reservation takes.

// ChannelQuota is the stock of a location and SKU set aside for one sales channel.
type ChannelQuota struct {
	Channel string
	Quota   int64
	// Used is what the channel's active reservations hold against the quota.
	Used int64
}

// Free is what the quota still holds back for its channel.
func (q ChannelQuota) Free() int64 { return max(q.Quota-q.Used, 0) }

// Allocation is a balance and the channel quotas carved out of it.
type Allocation struct {
	Balance Balance
	Quotas  []ChannelQuota // by channel
}

// SharedAvailable is what any channel may reserve beyond its own quota: available
// less what the quotas still hold back; negative when the quotas exceed the stock.
func (a Allocation) SharedAvailable() int64 { return a.Balance.Available() - a.Balance.QuotaFree }

// MaxQuotas bounds the channels with a quota at one balance.
const MaxQuotas = 20

var channelPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func validChannel(c string) bool { return channelPattern.MatchString(c) }

// pool is a balance's stock as reservations draw on it, under its row lock.
type pool struct {
	available int64            // on hand - reserved - safety stock
	quotaFree int64            // what the quotas still hold back
	free      map[string]int64 // per channel, what its quota still holds
}

// take reserves q for channel, from its quota first and then the shared pool, and
// returns the part drawn from the quota; false, changing nothing, when q does not fit.
func (p *pool) take(channel string, q int64) (int64, bool) {
	fromQuota := min(q, p.free[channel])
	shared := q - fromQuota
	if q <= 0 || q > p.available || (shared > 0 && shared > p.available-p.quotaFree) {
		return 0, false
	}
	p.available -= q
	p.quotaFree -= fromQuota
	if fromQuota > 0 {
		p.free[channel] -= fromQuota
	}
	return fromQuota, true
}

// lockPool reads a balance's pool and holds its row until the transaction ends
// (SQLite has one writer); a balance never stocked has nothing. Quotas are read only
// when some hold stock back.
func lockPool(ctx context.Context, tx *sql.Tx, lock, tenantID, locationID, skuID string) (pool, error) {
	p := pool{free: map[string]int64{}}
	err := tx.QueryRowContext(ctx, `SELECT on_hand - reserved - safety_stock, quota_free FROM stock_balances
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`+lock, tenantID, locationID, skuID).Scan(&p.available, &p.quotaFree)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return pool{}, fmt.Errorf("read available: %w", err)
	}
	if p.quotaFree == 0 {
		return p, nil
	}
	quotas, err := readQuotas(ctx, tx, tenantID, locationID, skuID)
	if err != nil {
		return pool{}, err
	}
	for _, q := range quotas {
		p.free[q.Channel] = q.Free()
	}
	return p, nil
}

// reserveFromQuota is reserveUnits for a channel while quotas hold stock back: it
// locks the balance, decides from its pool and moves reserved, quota_free and the
// channel's used together.
func reserveFromQuota(ctx context.Context, tx *sql.Tx, lock, tenantID, channel string, l Line, now time.Time) (int64, int64, bool, error) {
	p, err := lockPool(ctx, tx, lock, tenantID, l.LocationID, l.SKUID)
	if err != nil {
		return 0, 0, false, err
	}
	drawn, ok := p.take(channel, l.Qty)
	if !ok {
		return 0, 0, false, nil
	}
	if err := drawOnQuotas(ctx, tx, tenantID, l.LocationID, l.SKUID, l.Qty, map[string]int64{channel: drawn}, now); err != nil {
		return 0, 0, false, err
	}
	// take lowered the pool's available by the reservation.
	return drawn, p.available, true, nil
}

// drawOnQuotas reserves qty at a balance whose row the caller holds and has decided
// on, drawn[c] of it from channel c's quota. The UPDATE still refuses to take
// available below zero, whatever was decided.
func drawOnQuotas(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID string, qty int64, drawn map[string]int64, now time.Time) error {
	var total int64
	for _, c := range slices.Sorted(maps.Keys(drawn)) { // a fixed order of quota rows
		if drawn[c] == 0 {
			continue
		}
		total += drawn[c]
		if _, err := tx.ExecContext(ctx, `UPDATE stock_channel_quotas SET used = used + $5, updated_at = $6
			WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND channel = $4`,
			tenantID, locationID, skuID, c, drawn[c], clock.Millis(now)); err != nil {
			return fmt.Errorf("draw on the %s quota: %w", c, err)
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE stock_balances SET reserved = reserved + $4, quota_free = quota_free - $5, updated_at = $6
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND on_hand - reserved - safety_stock >= $4`,
		tenantID, locationID, skuID, qty, total, clock.Millis(now))
	if err != nil {
		return fmt.Errorf("reserve: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, fmt.Errorf("reserve: %d units no longer available", qty)) // cannot happen under the row lock
	}
	return nil
}

// returnQuota gives a settled reservation line's quota part back to its channel (the
// caller holds the balance row, having just unreserved it) and keeps quota_free the
// sum of what the quotas hold back.
func returnQuota(ctx context.Context, tx *sql.Tx, tenantID string, l Line, channel string, drawn int64, now time.Time) error {
	if drawn == 0 {
		return nil
	}
	var quota, used int64
	err := tx.QueryRowContext(ctx, `UPDATE stock_channel_quotas SET used = used - $5, updated_at = $6
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND channel = $4 RETURNING quota, used`,
		tenantID, l.LocationID, l.SKUID, channel, drawn, clock.Millis(now)).Scan(&quota, &used)
	if err != nil {
		return fmt.Errorf("return to the %s quota: %w", channel, err)
	}
	before := ChannelQuota{Quota: quota, Used: used + drawn}.Free()
	after := ChannelQuota{Quota: quota, Used: used}.Free()
	if after == before {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE stock_balances SET quota_free = quota_free + $4 WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`,
		tenantID, l.LocationID, l.SKUID, after-before)
	if err != nil {
		return fmt.Errorf("update quota_free: %w", err)
	}
	return nil
}

// readQuotas lists a balance's channel quotas by channel.
func readQuotas(ctx context.Context, q db.Querier, tenantID, locationID, skuID string) ([]ChannelQuota, error) {
	out := []ChannelQuota{}
	err := db.EachRow(ctx, q, `SELECT channel, quota, used FROM stock_channel_quotas
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 ORDER BY channel`, []any{tenantID, locationID, skuID}, func(rows *sql.Rows) error {
		var c ChannelQuota
		err := rows.Scan(&c.Channel, &c.Quota, &c.Used)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read channel quotas: %w", err)
	}
	return out, nil
}

// FindAllocation returns a balance and its channel quotas, at a location inside the
// caller's data scope. Errors: not_found, unauthorized, forbidden.
func (s *Service) FindAllocation(ctx context.Context, locationID, skuID string) (Allocation, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return Allocation{}, err
	}
	r := s.db.Reader()
	if _, err := s.visible(ctx, r, p, locationID); err != nil {
		return Allocation{}, fmt.Errorf("inventory: %w", err)
	}
	var a Allocation
	if a.Balance, err = getBalance(ctx, r, p.TenantID, locationID, skuID); err != nil {
		return Allocation{}, fmt.Errorf("inventory: %w", err)
	}
	if a.Quotas, err = readQuotas(ctx, r, p.TenantID, locationID, skuID); err != nil {
		return Allocation{}, fmt.Errorf("inventory: %w", err)
	}
	return a, nil
}

// SetQuotas replaces the channel quotas of a SKU at a location inside the caller's
// data scope; no quotas makes all of it the shared pool again. A channel dropped while
// its reservations still hold part of its quota keeps a zero quota until they are
// settled. Quotas may add up to more than is available: the shared pool is then empty
// and each channel is still never given more than is available. Errors: invalid
// (channel, quota, duplicate channel, unknown SKU), not_found, unauthorized, forbidden.
func (s *Service) SetQuotas(ctx context.Context, locationID, skuID string, quotas []ChannelQuota) (Allocation, error) {
	p, err := auth.Require(ctx, auth.InventoryWrite)
	if err != nil {
		return Allocation{}, err
	}
	if len(quotas) > MaxQuotas {
		return Allocation{}, errs.Field("quotas", "at most %d channels", MaxQuotas)
	}
	want := map[string]int64{}
	for i, q := range quotas {
		c := strings.TrimSpace(q.Channel)
		switch _, dup := want[c]; {
		case !validChannel(c):
			return Allocation{}, errs.Field(fmt.Sprintf("quotas[%d].channel", i), "must be 1 to 32 lower-case letters, digits or underscores")
		case dup:
			return Allocation{}, errs.Field(fmt.Sprintf("quotas[%d].channel", i), "%s is given twice", c)
		case q.Quota < 0 || q.Quota > MaxQty:
			return Allocation{}, errs.Field(fmt.Sprintf("quotas[%d].quota", i), "must be 0 to %d", MaxQty)
		}
		want[c] = q.Quota
	}
	var a Allocation
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.visible(ctx, tx, p, locationID); err != nil {
			return err
		}
		if err := checkSKU(ctx, tx, p.TenantID, skuID, "sku_id"); err != nil {
			return err
		}
		now := s.now()
		if err := ensureBalance(ctx, tx, p.TenantID, locationID, skuID, now); err != nil {
			return err
		}
		if _, err := lockPool(ctx, tx, s.lock(), p.TenantID, locationID, skuID); err != nil {
			return err
		}
		had, err := readQuotas(ctx, tx, p.TenantID, locationID, skuID)
		if err != nil {
			return err
		}
		for _, q := range had {
			if _, ok := want[q.Channel]; ok {
				continue
			}
			query := `DELETE FROM stock_channel_quotas WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND channel = $4`
			if q.Used > 0 {
				query = `UPDATE stock_channel_quotas SET quota = 0 WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND channel = $4`
			}
			if _, err := tx.ExecContext(ctx, query, p.TenantID, locationID, skuID, q.Channel); err != nil {
				return fmt.Errorf("drop the %s quota: %w", q.Channel, err)
			}
		}
		for c, quota := range want {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stock_channel_quotas (tenant_id, location_id, sku_id, channel, quota, used, updated_at)
				VALUES ($1, $2, $3, $4, $5, 0, $6)
				ON CONFLICT (tenant_id, location_id, sku_id, channel) DO UPDATE SET quota = excluded.quota, updated_at = excluded.updated_at`,
				p.TenantID, locationID, skuID, c, quota, clock.Millis(now)); err != nil {
				return fmt.Errorf("set the %s quota: %w", c, err)
			}
		}
		if a.Quotas, err = readQuotas(ctx, tx, p.TenantID, locationID, skuID); err != nil {
			return err
		}
		var free int64
		for _, q := range a.Quotas {
			free += q.Free()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stock_balances SET quota_free = $4, updated_at = $5 WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`,
			p.TenantID, locationID, skuID, free, clock.Millis(now)); err != nil {
			return fmt.Errorf("update quota_free: %w", err)
		}
		if a.Balance, err = getBalance(ctx, tx, p.TenantID, locationID, skuID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "stock_quota.set", ResourceType: "stock_balance",
			ResourceID: locationID + "/" + skuID, Changes: want})
	})
	if err != nil {
		return Allocation{}, fmt.Errorf("inventory: set quotas: %w", err)
	}
	return a, nil
}
