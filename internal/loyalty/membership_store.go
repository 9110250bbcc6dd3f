package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

const planColumns = `id, code, name, status, period, fee_fen, multiplier_bp, rebate_bp, rebate_cap_fen, created_at, updated_at`

func scanPlan(sc interface{ Scan(...any) error }) (MembershipPlan, error) {
	var p MembershipPlan
	var created, updated int64
	err := sc.Scan(&p.ID, &p.Code, &p.Name, &p.Status, &p.Period, &p.FeeFen, &p.MultiplierBP, &p.RebateBP, &p.RebateCapFen, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, err
}

func insertPlan(ctx context.Context, tx *sql.Tx, tenantID string, p MembershipPlan) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO membership_plans (id, tenant_id, code, name, status, period, fee_fen, multiplier_bp, rebate_bp,
		rebate_cap_fen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ID, tenantID, p.Code, p.Name, p.Status, p.Period, p.FeeFen, p.MultiplierBP, p.RebateBP, p.RebateCapFen, millis(p.CreatedAt), millis(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert membership plan: %w", conflictIfUnique(err, "a plan with code %s exists", p.Code))
	}
	return nil
}

func updatePlanRow(ctx context.Context, tx *sql.Tx, tenantID string, p MembershipPlan) error {
	res, err := tx.ExecContext(ctx, `UPDATE membership_plans SET code = $1, name = $2, status = $3, period = $4, fee_fen = $5, multiplier_bp = $6,
		rebate_bp = $7, rebate_cap_fen = $8, updated_at = $9 WHERE tenant_id = $10 AND id = $11`,
		p.Code, p.Name, p.Status, p.Period, p.FeeFen, p.MultiplierBP, p.RebateBP, p.RebateCapFen, millis(p.UpdatedAt), tenantID, p.ID)
	if err != nil {
		return fmt.Errorf("update membership plan: %w", conflictIfUnique(err, "a plan with code %s exists", p.Code))
	}
	return mustAffect(res, "membership plan %s not found", p.ID)
}

func getPlan(ctx context.Context, q db.Querier, tenantID, id string) (MembershipPlan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM membership_plans WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return MembershipPlan{}, errs.E(errs.NotFound, "membership plan %s not found", id)
	} else if err != nil {
		return MembershipPlan{}, fmt.Errorf("read membership plan: %w", err)
	}
	return p, nil
}

func findPlans(ctx context.Context, q db.Querier, tenantID string) ([]MembershipPlan, error) {
	out := []MembershipPlan{}
	err := db.EachRow(ctx, q, `SELECT `+planColumns+` FROM membership_plans WHERE tenant_id = $1 ORDER BY code`, []any{tenantID},
		func(rows *sql.Rows) error {
			p, err := scanPlan(rows)
			out = append(out, p)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read membership plans: %w", err)
	}
	return out, nil
}

const membershipColumns = `id, customer_id, plan_id, starts_at, ends_at, fee_fen, method, reference, actor, created_at`

func scanMembership(sc interface{ Scan(...any) error }) (Membership, error) {
	var m Membership
	var starts, ends, created int64
	err := sc.Scan(&m.ID, &m.CustomerID, &m.PlanID, &starts, &ends, &m.FeeFen, &m.Method, &m.Reference, &m.Actor, &created)
	m.StartsAt, m.EndsAt, m.CreatedAt = fromMillis(starts), fromMillis(ends), fromMillis(created)
	return m, err
}

func insertMembership(ctx context.Context, tx *sql.Tx, tenantID string, m Membership) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (id, tenant_id, customer_id, plan_id, starts_at, ends_at, fee_fen, method, reference,
		actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, m.ID, tenantID, m.CustomerID, m.PlanID, millis(m.StartsAt),
		millis(m.EndsAt), m.FeeFen, m.Method, m.Reference, m.Actor, millis(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert membership: %w", conflictIfUnique(err, "reference %s already bought a membership", m.Reference))
	}
	return nil
}

func membershipByReference(ctx context.Context, q db.Querier, tenantID, ref string) (Membership, error) {
	m, err := scanMembership(q.QueryRowContext(ctx, `SELECT `+membershipColumns+` FROM memberships WHERE tenant_id = $1 AND reference = $2`, tenantID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, errs.E(errs.NotFound, "no membership bought with reference %s", ref)
	} else if err != nil {
		return Membership{}, fmt.Errorf("read membership: %w", err)
	}
	return m, nil
}

// findMemberships reads a customer's periods, newest first.
func findMemberships(ctx context.Context, q db.Querier, tenantID, customerID string) ([]Membership, error) {
	out := []Membership{}
	err := db.EachRow(ctx, q, `SELECT `+membershipColumns+` FROM memberships WHERE tenant_id = $1 AND customer_id = $2 ORDER BY ends_at DESC, id DESC LIMIT 200`,
		[]any{tenantID, customerID}, func(rows *sql.Rows) error {
			m, err := scanMembership(rows)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read memberships: %w", err)
	}
	return out, nil
}

// activeMembership is the period in force at t. Errors: not_found.
func activeMembership(ctx context.Context, q db.Querier, tenantID, customerID string, t time.Time) (Membership, error) {
	m, err := scanMembership(q.QueryRowContext(ctx, `SELECT `+membershipColumns+` FROM memberships WHERE tenant_id = $1 AND customer_id = $2
		AND starts_at <= $3 AND ends_at > $3 ORDER BY starts_at DESC LIMIT 1`, tenantID, customerID, millis(t)))
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, errs.E(errs.NotFound, "no paid membership in force")
	} else if err != nil {
		return Membership{}, fmt.Errorf("read active membership: %w", err)
	}
	return m, nil
}

// rebatedIn is what a customer's rebates came to in a calendar year.
func rebatedIn(ctx context.Context, q db.Querier, tenantID, customerID string, year int) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(rebate_fen - reversed_fen), 0) FROM membership_rebates WHERE tenant_id = $1 AND customer_id = $2 AND year = $3`,
		tenantID, customerID, year).Scan(&n); err != nil {
		return 0, fmt.Errorf("sum rebates: %w", err)
	}
	return n, nil
}

// insertRebate records an order's rebate unless it has one; it reports whether it did.
func insertRebate(ctx context.Context, tx *sql.Tx, tenantID, orderID, customerID, planID string, year int, eligible, rebate int64, entryID string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO membership_rebates (tenant_id, order_id, customer_id, plan_id, year, eligible_fen, rebate_fen, entry_id,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, order_id) DO NOTHING`,
		tenantID, orderID, customerID, planID, year, eligible, rebate, entryID, millis(now))
	if err != nil {
		return false, fmt.Errorf("record rebate: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// orderRebate is what an order was rebated and what of it was taken back.
type orderRebate struct {
	CustomerID                                    string
	EligibleFen, RebateFen, RefundedFen, Reversed int64
}

// getOrderRebate reads an order's rebate. Errors: not_found.
func getOrderRebate(ctx context.Context, tx *sql.Tx, tenantID, orderID string) (orderRebate, error) {
	var r orderRebate
	err := tx.QueryRowContext(ctx, `SELECT customer_id, eligible_fen, rebate_fen, refunded_fen, reversed_fen FROM membership_rebates
		WHERE tenant_id = $1 AND order_id = $2`, tenantID, orderID).Scan(&r.CustomerID, &r.EligibleFen, &r.RebateFen, &r.RefundedFen, &r.Reversed)
	if errors.Is(err, sql.ErrNoRows) {
		return orderRebate{}, errs.E(errs.NotFound, "order %s earned no rebate", orderID)
	} else if err != nil {
		return orderRebate{}, fmt.Errorf("read order rebate: %w", err)
	}
	return r, nil
}

func updateOrderRebate(ctx context.Context, tx *sql.Tx, tenantID, orderID string, refunded, reversed int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE membership_rebates SET refunded_fen = $1, reversed_fen = $2 WHERE tenant_id = $3 AND order_id = $4`,
		refunded, reversed, tenantID, orderID); err != nil {
		return fmt.Errorf("update order rebate: %w", err)
	}
	return nil
}
