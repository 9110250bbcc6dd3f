package order

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// The payment methods loyalty holds the money of. MethodStoredValue debits the
// customer's stored-value account in the payment's own transaction; MethodGiftCard
// records a payment the till already took from gift cards (POST
// /loyalty/gift-cards/spends with the order's id, PIN checked there), after checking
// in the same transaction that the cards paid that much. Refunds of either go back to
// the accounts and cards the money came from.
const (
	MethodStoredValue = "stored_value"
	MethodGiftCard    = "gift_card"
)

// StoredValue is what the order center needs of loyalty's stored value: debit the
// customer's account for a payment and credit a refund back, both inside the order's
// transaction tx so the payment row and the money move together (decision 0032).
// PayOrderTx errors: invalid, insufficient, not_found, forbidden (the caller lacks
// loyalty:redeem). RefundOrderTx errors: not_found (not paid with stored value).
// GiftCardPaidTx returns what gift cards paid towards the order, net of refunds.
type StoredValue interface {
	PayOrderTx(ctx context.Context, tx *sql.Tx, customerID, orderID, storeID string, amountFen int64) error
	RefundOrderTx(ctx context.Context, tx *sql.Tx, orderID, changeID string, amountFen int64) error
	GiftCardPaidTx(ctx context.Context, tx *sql.Tx, orderID string) (int64, error)
}

// UseStoredValue lets orders be paid with stored value. The app calls it once while
// wiring (loyalty is built after the order center, which it reads); until then the
// method is refused.
func (s *Service) UseStoredValue(sv StoredValue) { s.deps.StoredValue = sv }

// payStoredValue debits the stored value of a payment by MethodStoredValue, or
// checks that gift cards paid a payment by MethodGiftCard.
func (s *Service) payStoredValue(ctx context.Context, tx *sql.Tx, o Order, pay PaymentRequest) error {
	if (pay.Method != MethodStoredValue && pay.Method != MethodGiftCard) || pay.AmountFen == 0 {
		return nil
	}
	if s.deps.StoredValue == nil {
		return errs.Field("body.method", "%s is not available", pay.Method)
	}
	if pay.Method == MethodGiftCard {
		paid, err := s.deps.StoredValue.GiftCardPaidTx(ctx, tx, o.ID)
		if err != nil {
			return fmt.Errorf("pay with gift cards: %w", err)
		}
		if paid < pay.AmountFen {
			return errs.E(errs.Insufficient, "gift cards paid %d fen of this order's %d: spend the rest with a card (order_id %s) first",
				paid, pay.AmountFen, o.ID)
		}
		return nil
	}
	if err := s.deps.StoredValue.PayOrderTx(ctx, tx, o.CustomerID, o.ID, o.StoreID, pay.AmountFen); err != nil {
		return fmt.Errorf("pay with stored value: %w", err)
	}
	return nil
}

// refundStoredValue credits a refund back to the stored value or gift cards the
// order was paid with.
func (s *Service) refundStoredValue(ctx context.Context, tx *sql.Tx, o Order, method string, c Change) error {
	if (method != MethodStoredValue && method != MethodGiftCard) || c.RefundFen <= 0 || s.deps.StoredValue == nil {
		return nil
	}
	if err := s.deps.StoredValue.RefundOrderTx(ctx, tx, o.ID, c.ID, c.RefundFen); err != nil {
		return fmt.Errorf("refund to %s: %w", method, err)
	}
	return nil
}
