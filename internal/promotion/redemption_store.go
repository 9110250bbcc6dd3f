package promotion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// insertRedemptionOrder claims an order id; it reports false when the order was
// already recorded (a replay).
func insertRedemptionOrder(ctx context.Context, q querier, tenantID string, r Redemption) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO promotion_redemption_orders (tenant_id, order_id, customer_id, status, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, order_id) DO NOTHING`,
		tenantID, r.OrderID, r.CustomerID, r.Status, clock.Millis(r.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("insert redemption order: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func insertRedemptionLine(ctx context.Context, q querier, tenantID, orderID string, l RedemptionLine) error {
	_, err := q.ExecContext(ctx, `INSERT INTO promotion_redemptions (tenant_id, order_id, promotion_id, discount_fen, flash_units)
		VALUES ($1, $2, $3, $4, $5)`, tenantID, orderID, l.PromotionID, l.DiscountFen, l.FlashUnits)
	if err != nil {
		return fmt.Errorf("insert redemption: %w", err)
	}
	return nil
}

// addUsage adds discount and one use to a promotion's usage unless that would
// exceed its limits, in one conditional UPDATE (a concurrent commit waits for the
// row and the condition is checked again on the value it left). It returns the new
// usage and false when a limit refused it.
func addUsage(ctx context.Context, q querier, tenantID, id string, discount int64, l Limits) (Usage, bool, error) {
	query := `UPDATE promotion_usage SET discount_fen = discount_fen + $3, uses = uses + 1
		WHERE tenant_id = $1 AND promotion_id = $2`
	args := []any{tenantID, id, discount}
	if l.BudgetFen != nil {
		args = append(args, *l.BudgetFen)
		query += fmt.Sprintf(` AND discount_fen + $3 <= $%d`, len(args))
	}
	if l.MaxUses != nil {
		args = append(args, *l.MaxUses)
		query += fmt.Sprintf(` AND uses + 1 <= $%d`, len(args))
	}
	var u Usage
	err := q.QueryRowContext(ctx, query+` RETURNING discount_fen, uses`, args...).Scan(&u.DiscountFen, &u.Uses)
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("add usage: %w", err)
	}
	return u, true, nil
}

// addCustomerUsage adds one use and flash units to the customer's usage of a
// promotion unless that exceeds maxUses (nil: none) or flashLimit (0: none); false
// when refused. The caller checks that a first purchase fits flashLimit.
func addCustomerUsage(ctx context.Context, q querier, tenantID, id, customerID string, flash int64, maxUses *int64, flashLimit int64) (bool, error) {
	query := `INSERT INTO promotion_customer_usage (tenant_id, promotion_id, customer_id, uses, flash_units)
		VALUES ($1, $2, $3, 1, $4) ON CONFLICT (tenant_id, customer_id, promotion_id) DO UPDATE
		SET uses = promotion_customer_usage.uses + 1, flash_units = promotion_customer_usage.flash_units + excluded.flash_units
		WHERE 1 = 1`
	args := []any{tenantID, id, customerID, flash}
	if maxUses != nil {
		args = append(args, *maxUses)
		query += fmt.Sprintf(` AND promotion_customer_usage.uses + 1 <= $%d`, len(args))
	}
	if flashLimit > 0 {
		args = append(args, flashLimit)
		query += fmt.Sprintf(` AND promotion_customer_usage.flash_units + excluded.flash_units <= $%d`, len(args))
	}
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("add customer usage: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// releaseUsage takes a cancelled order's line back out of the promotion's usage.
func releaseUsage(ctx context.Context, q querier, tenantID string, l RedemptionLine) (Usage, error) {
	var u Usage
	err := q.QueryRowContext(ctx, `UPDATE promotion_usage SET discount_fen = discount_fen - $3, uses = uses - 1
		WHERE tenant_id = $1 AND promotion_id = $2 RETURNING discount_fen, uses`,
		tenantID, l.PromotionID, l.DiscountFen).Scan(&u.DiscountFen, &u.Uses)
	if err != nil {
		return u, fmt.Errorf("release usage: %w", err)
	}
	return u, nil
}

func releaseCustomerUsage(ctx context.Context, q querier, tenantID, customerID string, l RedemptionLine) error {
	_, err := q.ExecContext(ctx, `UPDATE promotion_customer_usage SET uses = uses - 1, flash_units = flash_units - $4
		WHERE tenant_id = $1 AND customer_id = $2 AND promotion_id = $3`, tenantID, customerID, l.PromotionID, l.FlashUnits)
	if err != nil {
		return fmt.Errorf("release customer usage: %w", err)
	}
	return nil
}

func cancelRedemptionOrder(ctx context.Context, q querier, tenantID, orderID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE promotion_redemption_orders SET status = 'cancelled', cancelled_at = $3
		WHERE tenant_id = $1 AND order_id = $2`, tenantID, orderID, clock.Millis(at))
	if err != nil {
		return fmt.Errorf("cancel redemption order: %w", err)
	}
	return nil
}

func getRedemption(ctx context.Context, q querier, tenantID, orderID string) (Redemption, error) {
	return getRedemptionForUpdate(ctx, q, tenantID, orderID, "")
}

// getRedemptionForUpdate reads an order's redemptions (lines in promotion id order)
// or returns an errs.NotFound error; lock is appended to the order's query.
func getRedemptionForUpdate(ctx context.Context, q querier, tenantID, orderID, lock string) (Redemption, error) {
	r := Redemption{OrderID: orderID}
	var created int64
	var cancelled sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT customer_id, status, created_at, cancelled_at FROM promotion_redemption_orders
		WHERE tenant_id = $1 AND order_id = $2`+lock, tenantID, orderID).Scan(&r.CustomerID, &r.Status, &created, &cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "no redemptions recorded for order %s", orderID)
	}
	if err != nil {
		return r, fmt.Errorf("get redemption: %w", err)
	}
	r.CreatedAt = clock.FromMillis(created)
	if cancelled.Valid {
		t := clock.FromMillis(cancelled.Int64)
		r.CancelledAt = &t
	}
	rows, err := q.QueryContext(ctx, `SELECT r.promotion_id, COALESCE(p.code, ''), r.discount_fen, r.flash_units
		FROM promotion_redemptions r LEFT JOIN promotions p ON p.tenant_id = r.tenant_id AND p.id = r.promotion_id
		WHERE r.tenant_id = $1 AND r.order_id = $2 ORDER BY r.promotion_id`, tenantID, orderID)
	if err != nil {
		return r, fmt.Errorf("get redemption lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l RedemptionLine
		if err := rows.Scan(&l.PromotionID, &l.Code, &l.DiscountFen, &l.FlashUnits); err != nil {
			return r, err
		}
		r.Lines = append(r.Lines, l)
	}
	return r, rows.Err()
}

// customerUse is what one customer has used of one promotion.
type customerUse struct {
	PromotionID string
	Uses        int64
	FlashUnits  int64
}

func customerUsage(ctx context.Context, q querier, tenantID, customerID string) ([]customerUse, error) {
	rows, err := q.QueryContext(ctx, `SELECT promotion_id, uses, flash_units FROM promotion_customer_usage
		WHERE tenant_id = $1 AND customer_id = $2 AND uses > 0`, tenantID, customerID)
	if err != nil {
		return nil, fmt.Errorf("customer usage: %w", err)
	}
	defer rows.Close()
	var out []customerUse
	for rows.Next() {
		var u customerUse
		if err := rows.Scan(&u.PromotionID, &u.Uses, &u.FlashUnits); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// usageExists reports whether the promotion has a usage row.
func usageExists(ctx context.Context, q querier, tenantID, id string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM promotion_usage WHERE tenant_id = $1 AND promotion_id = $2`, tenantID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("usage exists: %w", err)
	}
	return true, nil
}
