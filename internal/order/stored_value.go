package order

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// MethodStoredValue is the payment method that debits the customer's stored-value
// account (loyalty) in the payment's own transaction.
const MethodStoredValue = "stored_value"

// StoredValue is what the order center needs of loyalty's stored value: debit the
// customer's account for a payment and credit a refund back, both inside the order's
// transaction tx so the payment row and the money move together (decision 0032).
// PayOrderTx errors: invalid, insufficient, not_found, forbidden (the caller lacks
// loyalty:redeem). RefundOrderTx errors: not_found (not paid with stored value).
type StoredValue interface {
	PayOrderTx(ctx context.Context, tx *sql.Tx, customerID, orderID, storeID string, amountFen int64) error
	RefundOrderTx(ctx context.Context, tx *sql.Tx, orderID, changeID string, amountFen int64) error
}

// UseStoredValue lets orders be paid with stored value. The app calls it once while
// wiring (loyalty is built after the order center, which it reads); until then the
// method is refused.
func (s *Service) UseStoredValue(sv StoredValue) { s.deps.StoredValue = sv }

// payStoredValue debits the stored value of a payment by MethodStoredValue.
func (s *Service) payStoredValue(ctx context.Context, tx *sql.Tx, o Order, pay PaymentRequest) error {
	if pay.Method != MethodStoredValue || pay.AmountFen == 0 {
		return nil
	}
	if s.deps.StoredValue == nil {
		return errs.Field("body.method", "stored_value is not available")
	}
	if err := s.deps.StoredValue.PayOrderTx(ctx, tx, o.CustomerID, o.ID, o.StoreID, pay.AmountFen); err != nil {
		return fmt.Errorf("pay with stored value: %w", err)
	}
	return nil
}

// refundStoredValue credits a refund back to stored value when the order was paid
// with it.
func (s *Service) refundStoredValue(ctx context.Context, tx *sql.Tx, o Order, method string, c Change) error {
	if method != MethodStoredValue || c.RefundFen <= 0 || s.deps.StoredValue == nil {
		return nil
	}
	if err := s.deps.StoredValue.RefundOrderTx(ctx, tx, o.ID, c.ID, c.RefundFen); err != nil {
		return fmt.Errorf("refund to stored value: %w", err)
	}
	return nil
}
