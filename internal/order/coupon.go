package order

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Coupons is what the order center needs of the coupon service (internal/coupon): the
// codes a client presents checked against the customer's coupons, and the coupons
// that priced the order locked to it in the order's transaction. A nil Coupons in
// Deps passes every code to the promotion engine unchanged.
type Coupons interface {
	Present(ctx context.Context, tenantID, customerID string, presented []string) ([]string, []coupon.Held, error)
	LockTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, held []coupon.Held, applied map[string]bool, sg coupon.Signals) error
}

var _ Coupons = (*coupon.Service)(nil)

// presentCoupons replaces the customer's coupon codes in pc.Coupons by the internal
// codes of their templates' promotions, so the engine prices them; it returns the
// coupons held for the order. Errors: invalid (body.coupons[i]: a wrong check
// character, a coupon without a customer), not_found, conflict (unavailable).
func (s *Service) presentCoupons(ctx context.Context, tenantID, customerID string, pc *engine.Context) ([]coupon.Held, error) {
	if s.deps.Coupons == nil || len(pc.Coupons) == 0 {
		return nil, nil
	}
	codes, held, err := s.deps.Coupons.Present(ctx, tenantID, customerID, pc.Coupons)
	if err != nil {
		return nil, err
	}
	pc.Coupons = codes
	return held, nil
}

// lockCouponsTx locks to the order, inside its transaction, the held coupons whose
// promotion the priced order applied; a coupon locked by another order meanwhile,
// or refused by a coupon velocity rule (sg: the order's device, receiver and payment
// account), fails the order (conflict) and rolls it back.
func (s *Service) lockCouponsTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, held []coupon.Held, priced promotion.PricedCart, sg coupon.Signals) error {
	if len(held) == 0 {
		return nil
	}
	applied := make(map[string]bool, len(priced.Promotions))
	for _, p := range priced.Promotions {
		if p.Counts() || p.Delivery {
			applied[p.PromotionID] = true
		}
	}
	err := s.deps.Coupons.LockTx(ctx, tx, tenantID, orderID, held, applied, sg)
	// A velocity refusal names the coupon request's field; the order's phone and
	// address are the receiver's.
	var e *errs.Error
	if errors.As(err, &e) && (e.Field == "body.phone" || e.Field == "body.address") {
		e.Field = "body.receiver." + strings.TrimPrefix(e.Field, "body.")
	}
	return err
}

// couponSignals are what the coupon velocity rules see of the order.
func (n NewOrder) couponSignals() coupon.Signals {
	sg := coupon.Signals{DeviceID: n.DeviceID, PaymentAccount: n.PaymentAccount}
	if n.Receiver != nil {
		sg.Phone, sg.Address = n.Receiver.Phone, n.Receiver.Address
	}
	return sg
}

// ticketCoupons presents the codes of a recorded sale one at a time: the customer's
// usable coupons are held for the ticket and priced by their templates' promotions;
// a code the coupon service refuses (not the customer's, used, expired, a wrong check
// character) is priced without it and named in refused. The sale happened, so a
// refused coupon does not refuse the ticket: the till's price then differs from the
// server's, kept as a price_mismatch exception that says which coupon and why.
func (s *Service) ticketCoupons(ctx context.Context, tenantID, customerID string, presented []string) (codes []string, held []coupon.Held, refused []string, err error) {
	if s.deps.Coupons == nil || len(presented) == 0 {
		return presented, nil, nil, nil
	}
	for _, code := range presented {
		c, h, err := s.deps.Coupons.Present(ctx, tenantID, customerID, []string{code})
		var refusal *errs.Error
		switch {
		case errors.As(err, &refusal) && (refusal.Code == errs.Invalid || refusal.Code == errs.NotFound || refusal.Code == errs.Conflict):
			refused = append(refused, code+" ("+refusal.Message+")")
			continue
		case err != nil:
			return nil, nil, nil, err
		}
		codes, held = append(codes, c...), append(held, h...)
	}
	return codes, held, refused, nil
}
