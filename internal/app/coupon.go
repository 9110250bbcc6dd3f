package app

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// couponFacts is what the coupon triggers read of other domains: whether an order is
// a customer's first completed order (the order center's table) and which customers
// were born on a day (One ID's profiles). Like the audience facts they are bulk reads
// of the owners' tables (decision 0036): a birthday is sealed, so finding a day's
// birthdays opens every profile's, once per tenant and day.
type couponFacts struct {
	db   *db.DB
	keys *pii.Keys
}

var (
	_ coupon.FirstOrders = couponFacts{}
	_ coupon.Birthdays   = couponFacts{}
)

// sealBirthday is the context One ID seals customer_profiles.birthday with
// (internal/identity/profile.go).
const sealBirthday = "customer_profiles.birthday"

// IsFirstCompletedOrder implements coupon.FirstOrders: no other completed order of
// customerIDs was placed before orderID (the earlier id first at the same instant).
func (f couponFacts) IsFirstCompletedOrder(ctx context.Context, tenantID, orderID string, customerIDs []string) (bool, error) {
	if len(customerIDs) == 0 {
		return false, nil
	}
	args := []any{tenantID, orderID}
	var earlier int
	err := f.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM orders o, orders this
		WHERE this.tenant_id = $1 AND this.id = $2 AND o.tenant_id = $1 AND o.status = 'completed' AND o.id <> $2
		AND (o.placed_at < this.placed_at OR (o.placed_at = this.placed_at AND o.id < this.id))
		AND o.customer_id`+db.In(f.db.Dialect, &args, customerIDs), args...).Scan(&earlier)
	if err != nil {
		return false, fmt.Errorf("app: first order: %w", err)
	}
	return earlier == 0, nil
}

// CustomersBornOn implements coupon.Birthdays: the live (not merged, not erased)
// customers of tenantID whose profile's birthday falls on month and day.
func (f couponFacts) CustomersBornOn(ctx context.Context, tenantID string, month time.Month, day int) ([]string, error) {
	var out []string
	err := db.EachRow(ctx, f.db.Reader(), `SELECT c.id, p.birthday FROM customers c
		JOIN customer_profiles p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id
		WHERE c.tenant_id = $1 AND c.merged_into IS NULL AND c.status = 'active' AND p.birthday <> ''`, []any{tenantID},
		func(rs *sql.Rows) error {
			var id, sealed string
			if err := rs.Scan(&id, &sealed); err != nil {
				return err
			}
			b, err := f.keys.Open(sealed, sealBirthday)
			if err != nil {
				return fmt.Errorf("birthday of %s: %w", id, err)
			}
			if t, err := time.Parse(time.DateOnly, b); err == nil && t.Month() == month && t.Day() == day {
				out = append(out, id)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("app: birthdays: %w", err)
	}
	return out, nil
}

// issueBirthdayCoupons runs the birthday trigger every hour: the first run of a
// tenant's day issues its birthday coupons; the coupons' source keys keep them once
// a year whichever node runs it.
func (a *App) issueBirthdayCoupons(ctx context.Context) {
	run := func() {
		if n, err := a.Coupon.IssueBirthdayCoupons(ctx); err != nil {
			a.cfg.Log.Error("issue birthday coupons", "err", err, "issued", n)
		}
	}
	run()
	every(ctx, time.Hour, run)
}
