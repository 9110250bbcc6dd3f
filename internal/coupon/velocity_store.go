package coupon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

const ruleCols = `id, tenant_id, template_id, dimension, window_seconds, threshold, action, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var window, created, updated int64
	if err := row.Scan(&r.ID, &r.TenantID, &r.TemplateID, &r.Dimension, &window, &r.Threshold, &r.Action, &created, &updated); err != nil {
		return Rule{}, err
	}
	r.Window, r.CreatedAt, r.UpdatedAt = time.Duration(window)*time.Second, fromMillis(created), fromMillis(updated)
	return r, nil
}

// upsertRule inserts r or replaces the window, threshold and action of the rule of
// its template and dimension (which keeps its id).
func upsertRule(ctx context.Context, tx *sql.Tx, r Rule) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO coupon_velocity_rules (`+ruleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, template_id, dimension) DO UPDATE SET window_seconds = excluded.window_seconds,
		threshold = excluded.threshold, action = excluded.action, updated_at = excluded.updated_at`,
		r.ID, r.TenantID, r.TemplateID, r.Dimension, int64(r.Window/time.Second), r.Threshold, r.Action, millis(r.CreatedAt), millis(r.UpdatedAt))
	return err
}

func getRuleByKey(ctx context.Context, q db.Querier, tenantID, templateID string, d Dimension) (Rule, error) {
	return scanRule(q.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM coupon_velocity_rules
		WHERE tenant_id = $1 AND template_id = $2 AND dimension = $3`, tenantID, templateID, d))
}

func findRules(ctx context.Context, q db.Querier, tenantID string) ([]Rule, error) {
	var out []Rule
	err := db.EachRow(ctx, q, `SELECT `+ruleCols+` FROM coupon_velocity_rules WHERE tenant_id = $1
		ORDER BY template_id, dimension`, []any{tenantID}, func(rows *sql.Rows) error {
		r, err := scanRule(rows)
		out = append(out, r)
		return err
	})
	return out, err
}

// rulesFor returns the rule that applies to a template per dimension: its own, or
// the tenant default.
func rulesFor(ctx context.Context, q db.Querier, tenantID, templateID string) (map[Dimension]Rule, error) {
	out := map[Dimension]Rule{}
	err := db.EachRow(ctx, q, `SELECT `+ruleCols+` FROM coupon_velocity_rules WHERE tenant_id = $1 AND template_id IN ($2, '')`,
		[]any{tenantID, templateID}, func(rows *sql.Rows) error {
			r, err := scanRule(rows)
			if err != nil {
				return err
			}
			if old, ok := out[r.Dimension]; !ok || old.TemplateID == "" {
				out[r.Dimension] = r
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read velocity rules: %w", err)
	}
	return out, nil
}

func deleteRule(ctx context.Context, tx *sql.Tx, tenantID, id string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM coupon_velocity_rules WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// touchVelocityKey creates or updates the counter row of a value: the row stays
// locked until the transaction ends, so the checks of one value against one
// template run one at a time (SQLite has one writer anyway).
func touchVelocityKey(ctx context.Context, q db.Querier, tenantID, templateID string, d Dimension, hash string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO coupon_velocity_keys (tenant_id, template_id, dimension, value_hash, touched_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, template_id, dimension, value_hash) DO UPDATE SET touched_at = excluded.touched_at`,
		tenantID, templateID, d, hash, millis(now))
	if err != nil {
		return fmt.Errorf("lock velocity counter: %w", err)
	}
	return nil
}

// countVelocityHits counts the customers other than customerID that used coupons of
// the template with the value after since.
func countVelocityHits(ctx context.Context, q db.Querier, tenantID, templateID string, d Dimension, hash, customerID string, since time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM coupon_velocity_hits WHERE tenant_id = $1 AND template_id = $2
		AND dimension = $3 AND value_hash = $4 AND customer_id <> $5 AND last_at > $6`,
		tenantID, templateID, d, hash, customerID, millis(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count velocity hits: %w", err)
	}
	return n, nil
}

func recordVelocityHit(ctx context.Context, q db.Querier, tenantID, templateID string, d Dimension, hash, customerID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO coupon_velocity_hits (tenant_id, template_id, dimension, value_hash, customer_id, last_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, template_id, dimension, value_hash, customer_id)
		DO UPDATE SET last_at = excluded.last_at`, tenantID, templateID, d, hash, customerID, millis(now))
	if err != nil {
		return fmt.Errorf("record velocity hit: %w", err)
	}
	return nil
}

// sweepVelocity deletes up to limit hits, and up to limit counter rows, older than
// any window can look back. A check that needs a deleted counter row inserts it again.
func sweepVelocity(ctx context.Context, tx *sql.Tx, now time.Time, limit int) error {
	cutoff := millis(now.Add(-MaxWindow))
	if _, err := tx.ExecContext(ctx, `DELETE FROM coupon_velocity_hits WHERE (tenant_id, template_id, dimension, value_hash, customer_id) IN (
		SELECT tenant_id, template_id, dimension, value_hash, customer_id FROM coupon_velocity_hits WHERE last_at < $1 LIMIT $2)`,
		cutoff, limit); err != nil {
		return fmt.Errorf("sweep velocity hits: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM coupon_velocity_keys WHERE (tenant_id, template_id, dimension, value_hash) IN (
		SELECT tenant_id, template_id, dimension, value_hash FROM coupon_velocity_keys WHERE touched_at < $1 LIMIT $2)`,
		cutoff, limit); err != nil {
		return fmt.Errorf("sweep velocity counters: %w", err)
	}
	return nil
}

// customerBarred reports whether a confirmed flag bars the customer from the
// template's coupons.
func customerBarred(ctx context.Context, q db.Querier, tenantID, templateID, customerID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM coupon_velocity_flags WHERE tenant_id = $1 AND template_id = $2
		AND customer_id = $3 AND status = 'confirmed'`, tenantID, templateID, customerID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read confirmed velocity flags: %w", err)
	}
	return n > 0, nil
}

const flagCols = `id, tenant_id, template_id, rule_id, dimension, value_hash, customer_id, coupon_id, reference, customers, threshold,
	window_seconds, status, note, reviewed_by, reviewed_at, created_at`

// insertFlag records a flag unless an open one covers the same template, value and
// customer.
func insertFlag(ctx context.Context, q db.Querier, f Flag) error {
	_, err := q.ExecContext(ctx, `INSERT INTO coupon_velocity_flags (`+flagCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
		f.ID, f.TenantID, f.TemplateID, f.RuleID, f.Dimension, f.ValueHash, f.CustomerID, f.CouponID, f.Reference, f.Customers,
		f.Threshold, int64(f.Window/time.Second), f.Status, f.Note, f.ReviewedBy, millis(f.ReviewedAt), millis(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("record velocity flag: %w", err)
	}
	return nil
}

func scanFlag(row interface{ Scan(...any) error }) (Flag, error) {
	var f Flag
	var window, reviewed, created int64
	err := row.Scan(&f.ID, &f.TenantID, &f.TemplateID, &f.RuleID, &f.Dimension, &f.ValueHash, &f.CustomerID, &f.CouponID, &f.Reference,
		&f.Customers, &f.Threshold, &window, &f.Status, &f.Note, &f.ReviewedBy, &reviewed, &created)
	if err != nil {
		return Flag{}, err
	}
	f.Window, f.ReviewedAt, f.CreatedAt = time.Duration(window)*time.Second, fromMillis(reviewed), fromMillis(created)
	return f, nil
}

func getFlag(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID, id string) (Flag, error) {
	f, err := scanFlag(tx.QueryRowContext(ctx, `SELECT `+flagCols+` FROM coupon_velocity_flags WHERE tenant_id = $1 AND id = $2`+d.ForUpdate(),
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Flag{}, errs.E(errs.NotFound, "velocity flag %s not found", id)
	}
	return f, err
}

func updateFlagReview(ctx context.Context, tx *sql.Tx, f Flag) error {
	_, err := tx.ExecContext(ctx, `UPDATE coupon_velocity_flags SET status = $3, note = $4, reviewed_by = $5, reviewed_at = $6
		WHERE tenant_id = $1 AND id = $2`, f.TenantID, f.ID, f.Status, f.Note, f.ReviewedBy, millis(f.ReviewedAt))
	return err
}

// findFlags lists flags newest first (ids are time-ordered), after the cursor.
func findFlags(ctx context.Context, q db.Querier, tenantID string, f FlagFilter) ([]Flag, error) {
	where := []string{"tenant_id = $1"}
	args := []any{tenantID}
	add := func(cond, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf(cond, len(args)))
		}
	}
	add("id < $%d", f.Cursor)
	add("status = $%d", string(f.Status))
	add("template_id = $%d", f.TemplateID)
	add("dimension = $%d", string(f.Dimension))
	args = append(args, f.Limit)
	var out []Flag
	err := db.EachRow(ctx, q, `SELECT `+flagCols+` FROM coupon_velocity_flags WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args)), args, func(rows *sql.Rows) error {
		fl, err := scanFlag(rows)
		out = append(out, fl)
		return err
	})
	return out, err
}
