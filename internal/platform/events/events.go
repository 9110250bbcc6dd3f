// Package events is the transactional outbox: a domain writes its event in the same
// transaction as the change, and the Dispatcher delivers it to in-process subscribers
// at least once, in batches, with retries, backoff and a dead-letter state; delivered
// events are deleted after a retention, and Lag reports the backlog. Subscribers are
// idempotent by event id (MarkProcessed). A NATS JetStream relay can take the
// Dispatcher's place behind the Bus interface when the platform runs on several nodes.
package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Event is one domain event.
type Event struct {
	ID          string          `json:"id"`
	TenantID    string          `json:"tenant_id"`
	Type        string          `json:"type"`
	AggregateID string          `json:"aggregate_id"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
}

// Handler processes one event. Returning an error schedules a retry.
type Handler func(ctx context.Context, e Event) error

// BatchHandler processes several events at once, in the order they fell due. An
// error fails every event of the call: each is handed over again after the backoff,
// so a batch subscriber is idempotent by event id like any other.
type BatchHandler func(ctx context.Context, batch []Event) error

// Bus is what domains need to react to events: a durable subscription by name.
// The Dispatcher implements it in process; a NATS JetStream relay can take its
// place when the platform runs on several nodes.
type Bus interface {
	// Subscribe registers h under a durable subscriber name for the given event
	// types (none means every type). Call before Run.
	Subscribe(name string, h Handler, types ...string)
	// SubscribeBatch registers h, which takes the events it wants of a batch in
	// one call, under a durable subscriber name for the given event types (none
	// means every type). Call before Run.
	SubscribeBatch(name string, h BatchHandler, types ...string)
}

// Outbox writes events inside the caller's transaction.
type Outbox struct {
	clock clock.Clock
	wake  chan struct{}
}

// NewOutbox returns an outbox writer.
func NewOutbox(c clock.Clock) *Outbox {
	return &Outbox{clock: c, wake: make(chan struct{}, 1)}
}

// Publish stores an event of type typ about aggregateID in tx. The event becomes
// visible to the dispatcher when tx commits.
func (o *Outbox) Publish(ctx context.Context, tx *sql.Tx, tenantID, typ, aggregateID string, payload any) (Event, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Event{}, fmt.Errorf("events: encode %s: %w", typ, err)
	}
	now := o.clock.Now()
	e := Event{ID: ids.New(), TenantID: tenantID, Type: typ, AggregateID: aggregateID, Payload: body, CreatedAt: now}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox_events (id, tenant_id, type, aggregate_id, payload, created_at, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, e.ID, tenantID, typ, aggregateID, string(body), clock.Millis(now))
	if err != nil {
		return Event{}, fmt.Errorf("events: publish %s: %w", typ, err)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return e, nil
}

// MarkProcessed records that subscriber handled eventID, inside the subscriber's own
// transaction. It returns false when the event was already processed, so the caller
// skips it: this is what makes at-least-once delivery safe.
func MarkProcessed(ctx context.Context, tx *sql.Tx, now time.Time, subscriber, eventID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO processed_events (subscriber, event_id, processed_at) VALUES ($1, $2, $3)
		ON CONFLICT (subscriber, event_id) DO NOTHING`, subscriber, eventID, clock.Millis(now))
	if err != nil {
		return false, fmt.Errorf("events: mark processed: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("events: mark processed: %w", err)
	}
	return n == 1, nil
}

// rawJSON lets stored JSON text pass through an `any` field unchanged.
type rawJSON string

// MarshalJSON returns the stored text.
func (r rawJSON) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("null"), nil
	}
	return []byte(r), nil
}

// Message is one event to publish with PublishAll.
type Message struct {
	TenantID    string
	Type        string
	AggregateID string
	Payload     any
}

// PublishAll stores msgs in tx with one multi-row statement (d is tx's dialect), in
// their order: a bulk writer (a batch of recorded tickets) publishes what one Publish
// per event would, without a round trip per event.
func (o *Outbox) PublishAll(ctx context.Context, tx *sql.Tx, d db.Dialect, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	now := clock.Millis(o.clock.Now())
	type row struct{ id, tenant, typ, agg, body string }
	rows := make([]row, len(msgs))
	for i, m := range msgs {
		body, err := json.Marshal(m.Payload)
		if err != nil {
			return fmt.Errorf("events: encode %s: %w", m.Type, err)
		}
		rows[i] = row{ids.New(), m.TenantID, m.Type, m.AggregateID, string(body)}
	}
	w := db.Rows{Head: `INSERT INTO outbox_events (id, tenant_id, type, aggregate_id, payload, created_at, next_attempt_at)`}
	if err := db.WriteRows(ctx, tx, d, w, rows, func(r row) []any { return []any{r.id, r.tenant, r.typ, r.agg, r.body, now, now} }, nil); err != nil {
		return fmt.Errorf("events: publish %d events: %w", len(msgs), err)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}
