package promotion

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// The events the promotion service publishes through the outbox; the aggregate id is
// the promotion id. It consumes identity.customer.erased (Subscribe).
const (
	EventPromotionCreated   = "promotion.created"
	EventPromotionUpdated   = "promotion.updated"
	EventPromotionActivated = "promotion.activated"
	EventPromotionPaused    = "promotion.paused"
	EventPromotionEnded     = "promotion.ended"
)

// PromotionEvent is the payload of the promotion events.
type PromotionEvent struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status Status `json:"status"`
}

// erasureSubscriber is the durable name of the subscription to customer erasure.
const erasureSubscriber = "promotion.customer-erasure"

// Subscribe registers the promotion service's reactions to other domains' events on
// bus: on identity.customer.erased it forgets which erased customer redeemed what.
func (s *Service) Subscribe(bus events.Bus) {
	bus.Subscribe(erasureSubscriber, s.forgetCustomer, identity.EventCustomerErased)
}

// forgetCustomer unlinks the erased customer (and the customers merged into it) from
// the promotion data: its redemption orders keep their lines, totals and status but
// no customer id (a later cancel then releases the totals only, as for an order
// redeemed without one), and its per-customer usage rows are deleted. The anonymous
// aggregates — each promotion's discount and uses, the redemption lines — stay.
// Idempotent by event id.
func (s *Service) forgetCustomer(ctx context.Context, e events.Event) error {
	var ev identity.CustomerErasedEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("promotion: customer erased %s: %w", e.ID, err)
	}
	customers := append([]string{ev.CustomerID}, ev.MergedIDs...)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.clock.Now(), erasureSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		args := []any{e.TenantID}
		in := db.In(s.db.Dialect, &args, customers)
		if _, err := tx.ExecContext(ctx, `UPDATE promotion_redemption_orders SET customer_id = '' WHERE tenant_id = $1 AND customer_id`+in, args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM promotion_customer_usage WHERE tenant_id = $1 AND customer_id`+in, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("promotion: customer erased %s: %w", e.ID, err)
	}
	return nil
}
