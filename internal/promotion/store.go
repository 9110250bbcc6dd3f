package promotion

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// querier is a *sql.Tx or a *sql.DB.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const promotionColumns = `id, tenant_id, code, name, status, definition, starts_at, ends_at, created_at, updated_at`

// promotionSelect reads a promotion (alias p) with its limits, usage and the version
// of its status and limits from its usage row; the usage adds the row's shards
// (migration 00056).
const promotionSelect = `SELECT p.id, p.tenant_id, p.code, p.name, p.status, p.definition, p.starts_at, p.ends_at,
	p.created_at, p.updated_at, u.budget_fen, u.max_uses, u.max_uses_per_customer,
	COALESCE(u.discount_fen, 0) + COALESCE(sh.discount_fen, 0), COALESCE(u.uses, 0) + COALESCE(sh.uses, 0), COALESCE(u.version, 0)
	FROM promotions p
	LEFT JOIN promotion_usage u ON u.tenant_id = p.tenant_id AND u.promotion_id = p.id
	LEFT JOIN (SELECT tenant_id, promotion_id, SUM(discount_fen) AS discount_fen, SUM(uses) AS uses FROM promotion_usage_shards
		GROUP BY tenant_id, promotion_id) sh ON sh.tenant_id = p.tenant_id AND sh.promotion_id = p.id`

type scanner interface{ Scan(dest ...any) error }

func scanPromotion(r scanner) (Promotion, error) {
	var p Promotion
	var def string
	var starts, ends sql.NullInt64
	var created, updated int64
	var budget, maxUses, perCustomer sql.NullInt64
	if err := r.Scan(&p.ID, &p.TenantID, &p.Code, &p.Name, &p.Status, &def, &starts, &ends, &created, &updated,
		&budget, &maxUses, &perCustomer, &p.Usage.DiscountFen, &p.Usage.Uses, &p.version); err != nil {
		return p, err
	}
	p.Limits = Limits{BudgetFen: ptrOf(budget), MaxUses: ptrOf(maxUses), MaxUsesPerCustomer: ptrOf(perCustomer)}
	if err := json.Unmarshal([]byte(def), &p.Definition); err != nil {
		return p, fmt.Errorf("decode definition of %s: %w", p.ID, err)
	}
	p.Definition.ID, p.Definition.Name, p.Definition.Code = p.ID, p.Name, p.Code
	if starts.Valid {
		t := clock.FromMillis(starts.Int64)
		p.StartsAt = &t
	}
	if ends.Valid {
		t := clock.FromMillis(ends.Int64)
		p.EndsAt = &t
	}
	p.CreatedAt, p.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return p, nil
}

func ptrOf(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func nullInt(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

// saveLimits writes a promotion's limits onto its usage row (creating it at zero
// usage) and bumps the row's version, so that a commit that read the old status or
// per-customer limit retries; it sets p.Usage and p.version to the row as written (on
// PostgreSQL after waiting for any commit holding it, so the usage is exact).
func saveLimits(ctx context.Context, q querier, p *Promotion) error {
	l := p.Limits
	err := q.QueryRowContext(ctx, `INSERT INTO promotion_usage (tenant_id, promotion_id, discount_fen, uses, budget_fen, max_uses, max_uses_per_customer, version)
		VALUES ($1, $2, 0, 0, $3, $4, $5, 1) ON CONFLICT (tenant_id, promotion_id) DO UPDATE SET budget_fen = excluded.budget_fen,
		max_uses = excluded.max_uses, max_uses_per_customer = excluded.max_uses_per_customer, version = promotion_usage.version + 1
		RETURNING discount_fen, uses, version`,
		p.TenantID, p.ID, nullInt(l.BudgetFen), nullInt(l.MaxUses), nullInt(l.MaxUsesPerCustomer)).Scan(&p.Usage.DiscountFen, &p.Usage.Uses, &p.version)
	if err != nil {
		return fmt.Errorf("save limits: %w", err)
	}
	// The row is ours now (the commits adding to shards under a share lock are done):
	// fold the shards back so that the limits are checked against the whole usage.
	var shardDiscount, shardUses int64
	err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(discount_fen), 0), COALESCE(SUM(uses), 0) FROM promotion_usage_shards
		WHERE tenant_id = $1 AND promotion_id = $2`, p.TenantID, p.ID).Scan(&shardDiscount, &shardUses)
	if err != nil || (shardDiscount == 0 && shardUses == 0) {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM promotion_usage_shards WHERE tenant_id = $1 AND promotion_id = $2`, p.TenantID, p.ID); err != nil {
		return fmt.Errorf("fold usage shards: %w", err)
	}
	err = q.QueryRowContext(ctx, `UPDATE promotion_usage SET discount_fen = discount_fen + $3, uses = uses + $4
		WHERE tenant_id = $1 AND promotion_id = $2 RETURNING discount_fen, uses`, p.TenantID, p.ID, shardDiscount, shardUses).
		Scan(&p.Usage.DiscountFen, &p.Usage.Uses)
	if err != nil {
		return fmt.Errorf("fold usage shards: %w", err)
	}
	return nil
}

func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return clock.Millis(*t)
}

func insertPromotion(ctx context.Context, q querier, p *Promotion) error {
	def, err := json.Marshal(p.Definition)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO promotions (`+promotionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.ID, p.TenantID, p.Code, p.Name, p.Status, string(def), nullMillis(p.StartsAt), nullMillis(p.EndsAt),
		clock.Millis(p.CreatedAt), clock.Millis(p.UpdatedAt))
	if err != nil {
		return err
	}
	return saveLimits(ctx, q, p)
}

func updatePromotion(ctx context.Context, q querier, p *Promotion) error {
	def, err := json.Marshal(p.Definition)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE promotions SET name = $1, status = $2, definition = $3, starts_at = $4, ends_at = $5, updated_at = $6
		WHERE tenant_id = $7 AND id = $8`,
		p.Name, p.Status, string(def), nullMillis(p.StartsAt), nullMillis(p.EndsAt), clock.Millis(p.UpdatedAt), p.TenantID, p.ID)
	if err != nil {
		return err
	}
	return saveLimits(ctx, q, p)
}

// getPromotion returns a promotion of the tenant or an errs.NotFound error; lock is
// appended to the query (FOR UPDATE on PostgreSQL inside a write transaction).
func getPromotion(ctx context.Context, q querier, tenantID, id, lock string) (Promotion, error) {
	p, err := scanPromotion(q.QueryRowContext(ctx, promotionSelect+` WHERE p.tenant_id = $1 AND p.id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "promotion %s not found", id)
	}
	return p, err
}

func findPromotions(ctx context.Context, q querier, tenantID string, f PromotionFilter, after string, limit int) ([]Promotion, error) {
	query := promotionSelect + ` WHERE p.tenant_id = $1 AND p.id > $2`
	args := []any{tenantID, after}
	if f.Status != "" {
		args = append(args, f.Status)
		query += fmt.Sprintf(` AND p.status = $%d`, len(args))
	}
	if f.ActiveAt != nil {
		args = append(args, clock.Millis(*f.ActiveAt))
		n := len(args)
		query += fmt.Sprintf(` AND p.status = 'active' AND (p.starts_at IS NULL OR p.starts_at <= $%d) AND (p.ends_at IS NULL OR p.ends_at > $%d)`, n, n)
	}
	if f.Effective == EffectiveDraft {
		query += ` AND p.status = 'draft'`
	} else if f.Effective != "" {
		args = append(args, clock.Millis(f.At))
		query += effectiveCondition(f.Effective, len(args))
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY p.id LIMIT $%d`, len(args))
	return queryPromotions(ctx, q, query, args...)
}

// effectiveCondition is the SQL condition (starting with AND) that keeps the
// promotions whose effective status at the instant in $n is e, any but draft; it
// mirrors Promotion.EffectiveAt.
func effectiveCondition(e EffectiveStatus, n int) string {
	over := fmt.Sprintf(`(p.ends_at IS NOT NULL AND p.ends_at <= $%d)`, n)
	switch e {
	case EffectiveScheduled:
		return fmt.Sprintf(` AND p.status = 'active' AND NOT %s AND p.starts_at IS NOT NULL AND p.starts_at > $%d`, over, n)
	case EffectiveRunning:
		return fmt.Sprintf(` AND p.status = 'active' AND NOT %s AND (p.starts_at IS NULL OR p.starts_at <= $%d)`, over, n)
	case EffectivePaused:
		return fmt.Sprintf(` AND p.status = 'paused' AND NOT %s`, over)
	default: // ended
		return fmt.Sprintf(` AND (p.status = 'ended' OR (p.status IN ('active', 'paused') AND %s))`, over)
	}
}

func queryPromotions(ctx context.Context, q querier, query string, args ...any) ([]Promotion, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Promotion
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// activePromotions returns every active promotion of the tenant.
func activePromotions(ctx context.Context, q querier, tenantID string) ([]Promotion, error) {
	return queryPromotions(ctx, q, promotionSelect+` WHERE p.tenant_id = $1 AND p.status = 'active' ORDER BY p.id`, tenantID)
}

// bumpVersion increments the tenant's promotions version (creating it at 1).
func bumpVersion(ctx context.Context, q querier, tenantID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO promotions_version (tenant_id, version) VALUES ($1, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET version = promotions_version.version + 1`, tenantID)
	return err
}

// readVersion returns the tenant's promotions version, 0 when it has none.
func readVersion(ctx context.Context, q querier, tenantID string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT version FROM promotions_version WHERE tenant_id = $1`, tenantID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// promotionsInRange returns up to limit promotions of the tenant whose stored window
// overlaps [from, to), in id order; status "" means any.
func promotionsInRange(ctx context.Context, q querier, tenantID string, from, to time.Time, status Status, limit int) ([]Promotion, error) {
	query := promotionSelect + ` WHERE p.tenant_id = $1 AND (p.starts_at IS NULL OR p.starts_at < $2) AND (p.ends_at IS NULL OR p.ends_at > $3)`
	args := []any{tenantID, clock.Millis(to), clock.Millis(from)}
	if status != "" {
		args = append(args, status)
		query += fmt.Sprintf(` AND p.status = $%d`, len(args))
	}
	args = append(args, limit)
	return queryPromotions(ctx, q, query+fmt.Sprintf(` ORDER BY p.id LIMIT $%d`, len(args)), args...)
}
