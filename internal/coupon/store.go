package coupon

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return clock.Millis(t)
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return clock.FromMillis(ms)
}

const templateCols = `id, tenant_id, code, name, status, promotion_id, promo_code, discount, budget_fen, valid_from, valid_to,
	valid_days, per_member_limit, total_limit, issued, refund_policy, triggers, created_at, updated_at`

func insertTemplate(ctx context.Context, tx *sql.Tx, t Template) error {
	def, err := json.Marshal(t.Discount)
	if err != nil {
		return fmt.Errorf("encode discount: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO coupon_templates (`+templateCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		t.ID, t.TenantID, t.Code, t.Name, t.Status, t.PromotionID, t.PromoCode, string(def), t.BudgetFen, millis(t.ValidFrom),
		millis(t.ValidTo), t.ValidDays, t.PerMemberLimit, t.TotalLimit, t.Issued, t.RefundPolicy, joinTriggers(t.Triggers),
		millis(t.CreatedAt), millis(t.UpdatedAt))
	return err
}

func scanTemplate(row interface{ Scan(...any) error }) (Template, error) {
	var t Template
	var def, triggers string
	var budget sql.NullInt64
	var from, to, created, updated int64
	err := row.Scan(&t.ID, &t.TenantID, &t.Code, &t.Name, &t.Status, &t.PromotionID, &t.PromoCode, &def, &budget, &from, &to,
		&t.ValidDays, &t.PerMemberLimit, &t.TotalLimit, &t.Issued, &t.RefundPolicy, &triggers, &created, &updated)
	if err != nil {
		return Template{}, err
	}
	t.Triggers = splitTriggers(triggers)
	if err := json.Unmarshal([]byte(def), &t.Discount); err != nil {
		return Template{}, fmt.Errorf("decode discount of template %s: %w", t.ID, err)
	}
	if budget.Valid {
		t.BudgetFen = &budget.Int64
	}
	t.ValidFrom, t.ValidTo, t.CreatedAt, t.UpdatedAt = fromMillis(from), fromMillis(to), fromMillis(created), fromMillis(updated)
	return t, nil
}

// getTemplate reads a template; forUpdate locks its row (PostgreSQL) so that the
// issuance counters of one template move one transaction at a time.
func getTemplate(ctx context.Context, q db.Querier, d db.Dialect, tenantID, id string, forUpdate bool) (Template, error) {
	query := `SELECT ` + templateCols + ` FROM coupon_templates WHERE tenant_id = $1 AND id = $2`
	if forUpdate {
		query += d.ForUpdate()
	}
	t, err := scanTemplate(q.QueryRowContext(ctx, query, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, errs.E(errs.NotFound, "coupon template %s not found", id)
	}
	return t, err
}

func findTemplates(ctx context.Context, q db.Querier, tenantID, cursor string, limit int) ([]Template, error) {
	return queryTemplates(ctx, q, `SELECT `+templateCols+` FROM coupon_templates WHERE tenant_id = $1 AND id > $2
		ORDER BY id LIMIT $3`, tenantID, cursor, limit)
}

// queryTemplates reads the templates query returns (it selects templateCols).
func queryTemplates(ctx context.Context, q db.Querier, query string, args ...any) ([]Template, error) {
	out := []Template{}
	err := db.EachRow(ctx, q, query, args, func(r *sql.Rows) error {
		t, err := scanTemplate(r)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// joinTriggers is the triggers column: the triggers comma-separated.
func joinTriggers(ts []Trigger) string {
	parts := make([]string, len(ts))
	for i, tr := range ts {
		parts[i] = string(tr)
	}
	return strings.Join(parts, ",")
}

func splitTriggers(s string) []Trigger {
	out := []Trigger{}
	if s == "" {
		return out
	}
	for part := range strings.SplitSeq(s, ",") {
		out = append(out, Trigger(part))
	}
	return out
}

// setTriggers replaces a template's triggers.
func setTriggers(ctx context.Context, tx *sql.Tx, tenantID, id string, ts []Trigger, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE coupon_templates SET triggers = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, joinTriggers(ts), millis(now))
	return err
}

// triggeredTemplates returns the active templates of tenantID that trigger issues.
func triggeredTemplates(ctx context.Context, q db.Querier, tenantID string, trigger Trigger) ([]Template, error) {
	return queryTemplates(ctx, q, `SELECT `+templateCols+` FROM coupon_templates
		WHERE tenant_id = $1 AND status = 'active' AND ',' || triggers || ',' LIKE $2 ORDER BY id`, tenantID, "%,"+string(trigger)+",%")
}

// triggeredTenants returns the tenants with an active template that trigger issues.
func triggeredTenants(ctx context.Context, q db.Querier, trigger Trigger) ([]string, error) {
	var out []string
	err := db.EachRow(ctx, q, `SELECT DISTINCT tenant_id FROM coupon_templates WHERE status = 'active' AND ',' || triggers || ',' LIKE $1
		ORDER BY tenant_id`, []any{"%," + string(trigger) + ",%"}, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}

// existingSources returns which of keys are source keys of coupons of the tenant,
// one probe of the source index per key on PostgreSQL (see membersHeld).
func existingSources(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	query := db.SelectIn(d, &args, db.Select{Cols: "source_key", Table: "coupons", Where: "tenant_id = $1", Column: "source_key"}, keys)
	err := db.EachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		out[k] = true
		return nil
	})
	return out, err
}

func addIssued(ctx context.Context, tx *sql.Tx, tenantID, id string, n int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE coupon_templates SET issued = issued + $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, n, millis(now))
	return err
}

const couponCols = `id, tenant_id, template_id, code, customer_id, status, valid_from, expires_at, order_id, locked_until,
	redeemed_at, issue_id, store_id, issued_by, issued_at, updated_at`

func scanCoupon(row interface{ Scan(...any) error }) (Coupon, error) {
	var c Coupon
	var from, exp, until, redeemed, issued, updated int64
	err := row.Scan(&c.ID, &c.TenantID, &c.TemplateID, &c.Code, &c.CustomerID, &c.Status, &from, &exp, &c.OrderID, &until,
		&redeemed, &c.IssueID, &c.StoreID, &c.IssuedBy, &issued, &updated)
	c.ValidFrom, c.ExpiresAt, c.LockedUntil, c.RedeemedAt = fromMillis(from), fromMillis(exp), fromMillis(until), fromMillis(redeemed)
	c.IssuedAt, c.UpdatedAt = fromMillis(issued), fromMillis(updated)
	return c, err
}

func getCouponByCode(ctx context.Context, q db.Querier, tenantID, code string) (Coupon, error) {
	c, err := scanCoupon(q.QueryRowContext(ctx, `SELECT `+couponCols+` FROM coupons WHERE tenant_id = $1 AND code = $2`, tenantID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, errs.E(errs.NotFound, "no coupon with this code")
	}
	return c, err
}

func getCouponBySource(ctx context.Context, q db.Querier, tenantID, key string) (Coupon, error) {
	c, err := scanCoupon(q.QueryRowContext(ctx, `SELECT `+couponCols+` FROM coupons WHERE tenant_id = $1 AND source_key = $2`, tenantID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, errs.E(errs.NotFound, "no coupon")
	}
	return c, err
}

func queryCoupons(ctx context.Context, q db.Querier, query string, args ...any) ([]Coupon, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Coupon{}
	for rows.Next() {
		c, err := scanCoupon(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func findCoupons(ctx context.Context, q db.Querier, tenantID string, f CouponFilter) ([]Coupon, error) {
	where := []string{"tenant_id = $1", "id > $2"}
	args := []any{tenantID, f.Cursor}
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
		}
	}
	add("customer_id", f.CustomerID)
	add("template_id", f.TemplateID)
	add("status", string(f.Status))
	args = append(args, f.Limit)
	return queryCoupons(ctx, q, `SELECT `+couponCols+` FROM coupons WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY id LIMIT $%d", len(args)), args...)
}

// membersHeld counts the coupons of a template each of customers was issued (any
// status), in one query; customers without any are absent from the map. On
// PostgreSQL each customer is one probe of the member index (db.SelectIn): while a
// bulk issue fills a fresh table autovacuum has not analysed, customer_id = ANY($3)
// was planned as a scan of the template's coupons — 1–2 s a batch at 400,000 coupons,
// most of the issue's time (docs/benchmarks.md, Coupons).
func membersHeld(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID, templateID string, customers []string) (map[string]int, error) {
	out := map[string]int{}
	if len(customers) == 0 {
		return out, nil
	}
	args := []any{tenantID, templateID}
	query := `SELECT customer_id, COUNT(*) FROM (` + db.SelectIn(d, &args, db.Select{Cols: "customer_id", Table: "coupons",
		Where: "tenant_id = $1 AND template_id = $2", Column: "customer_id"}, customers) + `) AS held GROUP BY customer_id`
	err := db.EachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return err
		}
		out[c] = n
		return nil
	})
	return out, err
}

// insertCoupons writes issued coupons in one statement per chunk (SQLite) or one
// statement (PostgreSQL); keys are their source keys.
func insertCoupons(ctx context.Context, tx *sql.Tx, d db.Dialect, cs []Coupon, keys []string) error {
	type row struct {
		c   Coupon
		key string
	}
	rows := make([]row, len(cs))
	for i := range cs {
		rows[i] = row{cs[i], keys[i]}
	}
	return db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO coupons (` + couponCols + `, source_key)`}, rows, func(r row) []any {
		c := r.c
		return []any{c.ID, c.TenantID, c.TemplateID, c.Code, c.CustomerID, string(c.Status), millis(c.ValidFrom), millis(c.ExpiresAt),
			c.OrderID, millis(c.LockedUntil), millis(c.RedeemedAt), c.IssueID, c.StoreID, c.IssuedBy, millis(c.IssuedAt),
			millis(c.UpdatedAt), r.key}
	}, nil)
}

// lockCoupon locks the coupon to ref until until when it is free at now: issued, or
// locked with its lock run out, or already locked to ref (a retry renews it), and
// inside its validity. One conditional UPDATE: of many racing callers exactly one
// changes the row. It reports whether it did.
func lockCoupon(ctx context.Context, tx db.Querier, tenantID, id, customerID, ref string, now, until time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'locked', order_id = $4, locked_until = $6, updated_at = $5
		WHERE tenant_id = $1 AND id = $2 AND customer_id = $3 AND valid_from <= $5 AND expires_at > $5
		AND (status = 'issued' OR (status = 'locked' AND (locked_until <= $5 OR order_id = $4)))`,
		tenantID, id, customerID, ref, millis(now), millis(until))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// releaseCoupons frees the coupons locked to ref (not those redeemed).
func releaseCoupons(ctx context.Context, tx db.Querier, tenantID, ref string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'issued', locked_until = 0, updated_at = $3
		WHERE tenant_id = $1 AND order_id = $2 AND status = 'locked'`, tenantID, ref, millis(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// redeemCoupons marks as redeemed the coupons of order orderID: locked to it, or
// released by an expired lock and not taken by another order since (a late payment).
func redeemCoupons(ctx context.Context, tx db.Querier, tenantID, orderID string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'redeemed', redeemed_at = $3, locked_until = 0, updated_at = $3
		WHERE tenant_id = $1 AND order_id = $2 AND status IN ('locked', 'issued')`, tenantID, orderID, millis(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// returnCoupons gives back the redeemed coupons of order orderID whose template's
// refund policy is return: issued again, or expired when past their validity.
func returnCoupons(ctx context.Context, tx db.Querier, tenantID, orderID string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = CASE WHEN expires_at > $3 THEN 'issued' ELSE 'expired' END,
		order_id = '', redeemed_at = 0, updated_at = $3
		WHERE tenant_id = $1 AND order_id = $2 AND status = 'redeemed'
		AND template_id IN (SELECT id FROM coupon_templates WHERE tenant_id = $1 AND refund_policy = 'return')`,
		tenantID, orderID, millis(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sweep releases run-out locks and expires unused coupons past their validity, at
// most limit rows each, across tenants.
func sweep(ctx context.Context, tx db.Querier, now time.Time, limit int) (released, expired int64, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'issued', locked_until = 0, updated_at = $1
		WHERE id IN (SELECT id FROM coupons WHERE status = 'locked' AND locked_until <= $1 LIMIT $2)`, millis(now), limit)
	if err != nil {
		return 0, 0, err
	}
	if released, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	res, err = tx.ExecContext(ctx, `UPDATE coupons SET status = 'expired', updated_at = $1
		WHERE id IN (SELECT id FROM coupons WHERE status = 'issued' AND expires_at <= $1 LIMIT $2)`, millis(now), limit)
	if err != nil {
		return 0, 0, err
	}
	expired, err = res.RowsAffected()
	return released, expired, err
}

const issueCols = `id, template_id, request_key, store_id, actor, total, done, issued, skipped, status, created_at, updated_at`

func insertIssue(ctx context.Context, tx *sql.Tx, tenantID string, is Issuance) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO coupon_issues (tenant_id, `+issueCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, tenantID, is.ID, is.TemplateID, is.Key, is.StoreID,
		is.Actor, is.Total, is.Done, is.Issued, is.Skipped, is.Status, millis(is.CreatedAt), millis(is.UpdatedAt))
	return err
}

func scanIssue(row interface{ Scan(...any) error }) (Issuance, error) {
	var is Issuance
	var created, updated int64
	err := row.Scan(&is.ID, &is.TemplateID, &is.Key, &is.StoreID, &is.Actor, &is.Total, &is.Done, &is.Issued, &is.Skipped,
		&is.Status, &created, &updated)
	is.CreatedAt, is.UpdatedAt = fromMillis(created), fromMillis(updated)
	return is, err
}

func getIssue(ctx context.Context, q db.Querier, tenantID, id string) (Issuance, error) {
	is, err := scanIssue(q.QueryRowContext(ctx, `SELECT `+issueCols+` FROM coupon_issues WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Issuance{}, errs.E(errs.NotFound, "coupon issue %s not found", id)
	}
	return is, err
}

func getIssueByKey(ctx context.Context, q db.Querier, tenantID, templateID, key string) (Issuance, error) {
	is, err := scanIssue(q.QueryRowContext(ctx, `SELECT `+issueCols+` FROM coupon_issues
		WHERE tenant_id = $1 AND template_id = $2 AND request_key = $3`, tenantID, templateID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Issuance{}, errs.E(errs.NotFound, "no issue request with this key")
	}
	return is, err
}

func updateIssue(ctx context.Context, tx *sql.Tx, tenantID string, is Issuance) error {
	_, err := tx.ExecContext(ctx, `UPDATE coupon_issues SET done = $3, issued = $4, skipped = $5, status = $6, updated_at = $7
		WHERE tenant_id = $1 AND id = $2`, tenantID, is.ID, is.Done, is.Issued, is.Skipped, is.Status, millis(is.UpdatedAt))
	return err
}
