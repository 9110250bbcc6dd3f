package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Event states.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
)

// Dispatcher delivers outbox events to subscribers. Several dispatchers (one per
// node) may run against one database: each claims an event with a lease first.
type Dispatcher struct {
	db     *db.DB
	outbox *Outbox
	clock  clock.Clock
	log    *slog.Logger
	subs   []subscription

	// MaxAttempts is how many failed delivery rounds make an event dead.
	MaxAttempts int
	// Interval is how often the dispatcher polls when not woken by a publish.
	Interval time.Duration
	// Lease is how long a claimed event is reserved for this dispatcher.
	Lease time.Duration
	// Backoff returns the wait after the given failed attempt (1-based).
	Backoff func(attempt int) time.Duration
}

type subscription struct {
	name    string
	types   []string
	handler Handler
}

var _ Bus = (*Dispatcher)(nil)

// NewDispatcher returns a dispatcher for the outbox's events.
func NewDispatcher(d *db.DB, o *Outbox, c clock.Clock, log *slog.Logger) *Dispatcher {
	return &Dispatcher{
		db: d, outbox: o, clock: c, log: log,
		MaxAttempts: 10,
		Interval:    500 * time.Millisecond,
		Lease:       time.Minute,
		Backoff:     ExponentialBackoff(time.Second, 10*time.Minute),
	}
}

// ExponentialBackoff doubles the wait from base on each attempt, up to max.
func ExponentialBackoff(base, max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		return min(d, max)
	}
}

// Subscribe registers a durable subscriber. Call before Run.
func (d *Dispatcher) Subscribe(name string, h Handler, types ...string) {
	d.subs = append(d.subs, subscription{name: name, types: types, handler: h})
}

// Run delivers due events until ctx is cancelled. An event being delivered when ctx
// is cancelled is finished first, so nothing is left half-recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.outbox.wake:
		}
		n, err := d.DispatchDue(context.WithoutCancel(ctx), ctx.Done())
		if err != nil && d.log != nil {
			d.log.Error("events: dispatch", "err", err)
		}
		next := d.Interval
		if n > 0 {
			next = 0 // more may be waiting
		}
		timer.Reset(next)
	}
}

// DispatchDue delivers the events that are due and returns how many it handled. It
// stops between events when stop is closed.
func (d *Dispatcher) DispatchDue(ctx context.Context, stop <-chan struct{}) (int, error) {
	now := d.clock.Now()
	rows, err := d.db.Reader().QueryContext(ctx, `SELECT id FROM outbox_events
		WHERE status = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1
		ORDER BY next_attempt_at, id LIMIT 100`, clock.Millis(now))
	if err != nil {
		return 0, fmt.Errorf("events: due: %w", err)
	}
	var due []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("events: due: %w", err)
		}
		due = append(due, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("events: due: %w", err)
	}
	handled := 0
	for _, id := range due {
		select {
		case <-stop:
			return handled, nil
		default:
		}
		ok, err := d.deliver(ctx, id)
		if err != nil {
			return handled, err
		}
		if ok {
			handled++
		}
	}
	return handled, nil
}

// deliver claims one event and hands it to every subscriber that has not had it yet.
func (d *Dispatcher) deliver(ctx context.Context, id string) (bool, error) {
	e, attempts, claimed, err := d.claim(ctx, id)
	if err != nil || !claimed {
		return false, err
	}
	done, err := d.deliveredTo(ctx, id)
	if err != nil {
		return false, err
	}
	var failures []string
	for _, s := range d.subs {
		if done[s.name] || (len(s.types) > 0 && !slices.Contains(s.types, e.Type)) {
			continue
		}
		if err := d.call(ctx, s, e); err != nil {
			failures = append(failures, s.name+": "+err.Error())
			continue
		}
		if err := d.recordDelivery(ctx, id, s.name); err != nil {
			return false, err
		}
	}
	return true, d.settle(ctx, id, attempts, failures)
}

func (d *Dispatcher) call(ctx context.Context, s subscription, e Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.handler(ctx, e)
}

func (d *Dispatcher) claim(ctx context.Context, id string) (Event, int, bool, error) {
	now := d.clock.Now()
	var e Event
	var attempts int
	claimed := false
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox_events SET claimed_until = $2
			WHERE id = $1 AND status = 'pending' AND claimed_until < $3`,
			id, clock.Millis(now.Add(d.Lease)), clock.Millis(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		claimed = true
		var payload string
		var created int64
		err = tx.QueryRowContext(ctx, `SELECT tenant_id, type, aggregate_id, payload, created_at, attempts
			FROM outbox_events WHERE id = $1`, id).Scan(&e.TenantID, &e.Type, &e.AggregateID, &payload, &created, &attempts)
		e.ID, e.Payload, e.CreatedAt = id, []byte(payload), clock.FromMillis(created)
		return err
	})
	if err != nil {
		return Event{}, 0, false, fmt.Errorf("events: claim %s: %w", id, err)
	}
	return e, attempts, claimed, nil
}

func (d *Dispatcher) deliveredTo(ctx context.Context, id string) (map[string]bool, error) {
	rows, err := d.db.Reader().QueryContext(ctx, `SELECT subscriber FROM event_deliveries WHERE event_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("events: deliveries of %s: %w", id, err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("events: deliveries of %s: %w", id, err)
		}
		done[s] = true
	}
	return done, rows.Err()
}

func (d *Dispatcher) recordDelivery(ctx context.Context, id, subscriber string) error {
	return d.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO event_deliveries (event_id, subscriber, delivered_at) VALUES ($1, $2, $3)
			ON CONFLICT (event_id, subscriber) DO NOTHING`, id, subscriber, clock.Millis(d.clock.Now()))
		if err != nil {
			return fmt.Errorf("events: record delivery: %w", err)
		}
		return nil
	})
}

func (d *Dispatcher) settle(ctx context.Context, id string, attempts int, failures []string) error {
	now := d.clock.Now()
	return d.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if len(failures) == 0 {
			_, err = tx.ExecContext(ctx, `UPDATE outbox_events SET status = 'delivered', delivered_at = $2, claimed_until = 0,
				last_error = '' WHERE id = $1`, id, clock.Millis(now))
		} else {
			attempts++
			status := StatusPending
			if attempts >= d.MaxAttempts {
				status = StatusDead
			}
			msg := strings.Join(failures, "; ")
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
			_, err = tx.ExecContext(ctx, `UPDATE outbox_events SET status = $2, attempts = $3, next_attempt_at = $4,
				claimed_until = 0, last_error = $5 WHERE id = $1`,
				id, status, attempts, clock.Millis(now.Add(d.Backoff(attempts))), msg)
		}
		if err != nil {
			return fmt.Errorf("events: settle %s: %w", id, err)
		}
		return nil
	})
}

// Retry puts a dead event of the tenant back in the queue.
// It returns errs.NotFound for an unknown id and errs.Conflict if it is not dead.
func (d *Dispatcher) Retry(ctx context.Context, tenantID, id string) error {
	return d.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM outbox_events WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "domain event %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("events: retry: %w", err)
		}
		if status != StatusDead {
			return errs.E(errs.Conflict, "domain event %s is %s; only dead events can be retried", id, status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox_events SET status = 'pending', attempts = 0, next_attempt_at = $2,
			claimed_until = 0 WHERE id = $1`, id, clock.Millis(d.clock.Now()))
		if err != nil {
			return fmt.Errorf("events: retry: %w", err)
		}
		return nil
	})
}
