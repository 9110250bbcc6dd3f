package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// The order center's event a customer's activity follows (docs/orders.md is its
// contract). Orders are not events of One ID — they carry no identifiers to link —
// but a customer who last scanned a code a year ago and bought yesterday was active
// yesterday: the 360 page's "last seen" and every "inactive for N days" reading of
// it must count purchases.
const (
	orderCreated            = "order.created"
	orderActivitySubscriber = "identity.order_activity"
)

// orderActivity is the part of an order event that says who bought when.
type orderActivity struct {
	CustomerID string    `json:"customer_id"`
	PlacedAt   time.Time `json:"placed_at"`
}

// Subscribe registers One ID's subscribers on the bus: a customer's last seen moves
// to their latest order.
func (s *Service) Subscribe(bus events.Bus) {
	bus.SubscribeBatch(orderActivitySubscriber, s.onOrders, orderCreated)
}

// onOrders moves each buyer's last seen to the latest order of the batch placed for
// them, on the customer they were merged into if they were. Idempotent: last seen
// only moves forward, so a redelivery changes nothing.
func (s *Service) onOrders(ctx context.Context, batch []events.Event) error {
	type buyer struct{ tenantID, customerID string }
	latest := map[buyer]time.Time{}
	for _, e := range batch {
		var o orderActivity
		if err := json.Unmarshal(e.Payload, &o); err != nil {
			return fmt.Errorf("identity: order activity %s: %w", e.ID, err)
		}
		if o.CustomerID == "" || o.PlacedAt.IsZero() {
			continue // an anonymous sale
		}
		k := buyer{e.TenantID, o.CustomerID}
		if o.PlacedAt.After(latest[k]) {
			latest[k] = o.PlacedAt
		}
	}
	if len(latest) == 0 {
		return nil
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for k, at := range latest {
			live, err := survivor(ctx, tx, k.tenantID, k.customerID)
			if err != nil {
				return fmt.Errorf("customer %s: %w", k.customerID, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET last_seen_at = $3
				WHERE tenant_id = $1 AND id = $2 AND last_seen_at < $3`, k.tenantID, live, clock.Millis(at)); err != nil {
				return fmt.Errorf("customer %s: %w", live, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity: order activity: %w", err)
	}
	return nil
}
