package coupon

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// The events coupons publish and consume.
const (
	// EventIssued: a batch of an issue request was issued (IssuedEvent).
	EventIssued = "coupon.issued"

	orderPaid         = "order.paid" // docs/orders.md, the order center's contract
	orderCompleted    = "order.completed"
	orderCancelled    = "order.cancelled"
	orderRefunded     = "order.refunded"
	redeemSubscriber  = "coupon.redeem"
	releaseSubscriber = "coupon.release"
	returnSubscriber  = "coupon.return"
)

// IssuedEvent is the payload of coupon.issued: a batch's count and the request's
// progress, or for a triggered issue its trigger (and no issue request).
type IssuedEvent struct {
	TemplateID string  `json:"template_id"`
	IssueID    string  `json:"issue_id"`
	Issued     int64   `json:"issued"`
	Done       int64   `json:"done"`
	Total      int64   `json:"total"`
	StoreID    string  `json:"store_id,omitempty"`
	Trigger    Trigger `json:"trigger,omitempty"`
}

// orderEvent is the part of the order center's OrderEvent coupons read.
type orderEvent struct {
	OrderID     string `json:"order_id"`
	PaidFen     int64  `json:"paid_fen"`
	RefundedFen int64  `json:"refunded_fen"`
}

// Subscribe registers the coupon lifecycle on the order center's events: an order
// paid (or completed without a payment step, a till's ticket) redeems the coupons
// locked to it; a cancelled order releases them; an order refunded in full returns
// those whose template says so. Each reaction is one idempotent UPDATE, so a
// redelivered event changes nothing more. It also registers the triggered issuance:
// an enrolment issues the registration templates, a customer's first completed
// order the first-order templates, each once per template and customer.
func (s *Service) Subscribe(bus events.Bus) {
	bus.Subscribe(redeemSubscriber, s.onOrder(redeemCoupons), orderPaid, orderCompleted)
	bus.Subscribe(releaseSubscriber, s.onOrder(releaseCoupons), orderCancelled)
	bus.Subscribe(returnSubscriber, s.onRefunded, orderRefunded)
	s.subscribeTriggers(bus)
}

func (s *Service) onOrder(apply func(context.Context, db.Querier, string, string, time.Time) (int64, error)) events.Handler {
	return func(ctx context.Context, e events.Event) error {
		var ev orderEvent
		if err := json.Unmarshal(e.Payload, &ev); err != nil {
			return fmt.Errorf("coupon: %s %s: %w", e.Type, e.ID, err)
		}
		if _, err := apply(ctx, s.db.Writer(), e.TenantID, ev.OrderID, s.now()); err != nil {
			return fmt.Errorf("coupon: %s of order %s: %w", e.Type, ev.OrderID, err)
		}
		return nil
	}
}

// onRefunded returns the coupons of an order refunded in full (by template policy).
func (s *Service) onRefunded(ctx context.Context, e events.Event) error {
	var ev orderEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("coupon: %s %s: %w", e.Type, e.ID, err)
	}
	if ev.PaidFen <= 0 || ev.RefundedFen < ev.PaidFen {
		return nil // a partial refund keeps the coupon spent; the engine's return policy prices the rest
	}
	if _, err := returnCoupons(ctx, s.db.Writer(), e.TenantID, ev.OrderID, s.now()); err != nil {
		return fmt.Errorf("coupon: refund of order %s: %w", ev.OrderID, err)
	}
	return nil
}
