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

type scanner interface{ Scan(dest ...any) error }

func scanPromotion(r scanner) (Promotion, error) {
	var p Promotion
	var def string
	var starts, ends sql.NullInt64
	var created, updated int64
	if err := r.Scan(&p.ID, &p.TenantID, &p.Code, &p.Name, &p.Status, &def, &starts, &ends, &created, &updated); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(def), &p.Definition); err != nil {
		return p, fmt.Errorf("decode definition of %s: %w", p.ID, err)
	}
	p.Definition.ID, p.Definition.Name = p.ID, p.Name
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

func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return clock.Millis(*t)
}

func insertPromotion(ctx context.Context, q querier, p Promotion) error {
	def, err := json.Marshal(p.Definition)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO promotions (`+promotionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.ID, p.TenantID, p.Code, p.Name, p.Status, string(def), nullMillis(p.StartsAt), nullMillis(p.EndsAt),
		clock.Millis(p.CreatedAt), clock.Millis(p.UpdatedAt))
	return err
}

func updatePromotion(ctx context.Context, q querier, p Promotion) error {
	def, err := json.Marshal(p.Definition)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE promotions SET name = $1, status = $2, definition = $3, starts_at = $4, ends_at = $5, updated_at = $6
		WHERE tenant_id = $7 AND id = $8`,
		p.Name, p.Status, string(def), nullMillis(p.StartsAt), nullMillis(p.EndsAt), clock.Millis(p.UpdatedAt), p.TenantID, p.ID)
	return err
}

// getPromotion returns a promotion of the tenant or an errs.NotFound error; lock is
// appended to the query (FOR UPDATE on PostgreSQL inside a write transaction).
func getPromotion(ctx context.Context, q querier, tenantID, id, lock string) (Promotion, error) {
	p, err := scanPromotion(q.QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "promotion %s not found", id)
	}
	return p, err
}

func findPromotions(ctx context.Context, q querier, tenantID string, f PromotionFilter, after string, limit int) ([]Promotion, error) {
	query := `SELECT ` + promotionColumns + ` FROM promotions WHERE tenant_id = $1 AND id > $2`
	args := []any{tenantID, after}
	if f.Status != "" {
		args = append(args, f.Status)
		query += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if f.ActiveAt != nil {
		args = append(args, clock.Millis(*f.ActiveAt))
		n := len(args)
		query += fmt.Sprintf(` AND status = 'active' AND (starts_at IS NULL OR starts_at <= $%d) AND (ends_at IS NULL OR ends_at > $%d)`, n, n)
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args))
	return queryPromotions(ctx, q, query, args...)
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
	return queryPromotions(ctx, q, `SELECT `+promotionColumns+` FROM promotions WHERE tenant_id = $1 AND status = 'active' ORDER BY id`, tenantID)
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
