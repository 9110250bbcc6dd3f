package promotion

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// This file is what the order center calls inside its own transactions: it has
// authorised its use case (orders:write over the order's store), so these methods
// take the tenant and check no scope themselves. The order, its stock reservation,
// its redemptions and its outbox events then commit together or not at all.

// PriceOrder prices an order's cart at pc (Time zero: now) for customerID and
// freezes the result as the order's priced cart. Unlike a redemption commit it
// accepts any past time: the order center bounds how old a recorded sale may be (a
// till offline for days still recorded its sales). Errors: invalid (the cart, the
// customer, a time in the future).
func (s *Service) PriceOrder(ctx context.Context, tenantID string, cart engine.Cart, pc engine.Context, customerID string) (PricedCart, error) {
	if pc.Time.IsZero() {
		pc.Time = s.now()
	}
	if pc.Time.After(s.clock.Now().Add(orderTimeSkew)) {
		return PricedCart{}, errs.Field("body.placed_at", "the order's time %s is in the future", pc.Time.UTC().Format(time.RFC3339))
	}
	res, err := s.priceFor(ctx, tenantID, cart, pc, customerID)
	if err != nil {
		return PricedCart{}, err
	}
	return pricedOf(tenantID, customerID, pc, res), nil
}

// RedeemTx records what the order orderID takes from promotions, from priced (which
// PriceOrder made), inside tx; replaying an order id returns the first result. The
// caller rolls tx back and starts again on ErrLimitsChanged. Errors: *LimitError (a
// limit reached or a promotion no longer active since pricing), ErrLimitsChanged,
// invalid (the priced cart's customer is unknown).
func (s *Service) RedeemTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, priced PricedCart) (Redemption, error) {
	var who buyer
	if priced.CustomerID != "" {
		var err error
		if who.live, who.merged, err = s.customers.FindCustomerCluster(ctx, priced.CustomerID); errs.Is(err, errs.NotFound) {
			return Redemption{}, errs.Field("body.customer_id", "no customer %s in this tenant", priced.CustomerID)
		} else if err != nil {
			return Redemption{}, fmt.Errorf("promotion: redeem: %w", err)
		}
	}
	out, err := s.commitTx(ctx, tx, tenantID, orderID, "", priced, who)
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: redeem: %w", err)
	}
	return out, nil
}

// StageRedeemTx is RedeemTx in two steps: it writes the order's redemption rows in
// tx and returns finish, which takes the promotions' usage — the rows every order
// of a popular promotion locks until its commit. The order center runs its other
// locking statements (the stock reservation) in between and finish last, so that
// those rows are held for its statements and the commit only. Errors: those of
// RedeemTx, from either step.
func (s *Service) StageRedeemTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, priced PricedCart) (finish func() (Redemption, error), err error) {
	var who buyer
	if priced.CustomerID != "" {
		if who.live, who.merged, err = s.customers.FindCustomerCluster(ctx, priced.CustomerID); errs.Is(err, errs.NotFound) {
			return nil, errs.Field("body.customer_id", "no customer %s in this tenant", priced.CustomerID)
		} else if err != nil {
			return nil, fmt.Errorf("promotion: redeem: %w", err)
		}
	}
	stage, err := s.stageTx(ctx, tx, tenantID, orderID, "", priced, who)
	if err != nil {
		return nil, fmt.Errorf("promotion: redeem: %w", err)
	}
	return func() (Redemption, error) {
		out, err := stage()
		if err != nil {
			return Redemption{}, fmt.Errorf("promotion: redeem: %w", err)
		}
		return out, nil
	}, nil
}

// CancelRedemptionTx releases what the order orderID took from promotions, inside
// tx (a cancelled order); cancelling twice changes nothing. Errors: not_found.
func (s *Service) CancelRedemptionTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string) (Redemption, error) {
	out, err := s.cancelTx(ctx, tx, tenantID, orderID)
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: cancel redemption: %w", err)
	}
	return out, nil
}

// QuoteOrderReturn quotes the refund of returning quantities (line id → units or
// grams) of the committed order orderID from its frozen priced cart, read in q (the
// caller's transaction, so that the quote and the refund it records agree). Errors:
// invalid (returned.<line id>), not_found, conflict (*LimitError RefusedCancelled).
func (s *Service) QuoteOrderReturn(ctx context.Context, q db.Querier, tenantID, orderID string, returned map[string]int64) (engine.Quote, error) {
	r, err := getRedemption(ctx, q, tenantID, orderID)
	if err != nil {
		return engine.Quote{}, fmt.Errorf("promotion: quote return: %w", err)
	}
	if r.Status == RedemptionCancelled {
		return engine.Quote{}, &LimitError{Kind: RefusedCancelled, Field: "body.order_id",
			Message: fmt.Sprintf("order %s was cancelled: its promotions were released, nothing is refunded against them", r.OrderID)}
	}
	q2, err := engine.ReturnQuote(r.Cart.result(), returned, nil)
	if err != nil {
		return engine.Quote{}, prefixed("body", err)
	}
	return q2, nil
}
