package events

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// claim leases up to BatchSize due events to this dispatcher and returns them in the
// order they fell due. On PostgreSQL the rows are locked with SKIP LOCKED, so a
// concurrent claim takes the next events instead of waiting; SQLite runs one write
// transaction at a time.
//
// A claim starts where this dispatcher's last claim ended, so that it does not walk
// the index entries of the events it has delivered — on PostgreSQL they stay in the
// index, dead, until autovacuum removes them, and under a backlog of millions the
// walk cost more than the delivery. Events behind that point (released by a stopped
// round, due again after a failure while others were claimed, or committed late by a
// long transaction) are found by a claim from the start, made whenever the claim
// from the last point finds nothing and at least every fullScanEvery.
func (d *Dispatcher) claim(ctx context.Context, now time.Time) ([]*claimed, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cursor.id != "" && now.Sub(d.cursor.fullAt) < fullScanEvery {
		batch, err := d.claimFrom(ctx, now, &d.cursor)
		if err != nil || len(batch) > 0 {
			return batch, err
		}
	}
	batch, err := d.claimFrom(ctx, now, nil)
	d.cursor.fullAt = now
	return batch, err
}

// fullScanEvery bounds how long events behind a dispatcher's last claim may wait.
const fullScanEvery = 5 * time.Second

// claimCursor is where a dispatcher's last claim ended.
type claimCursor struct {
	due    int64
	id     string
	fullAt time.Time // the last claim from the start
}

// claimFrom claims the due events after from (from the start when from is nil) and
// moves the cursor to the last one.
func (d *Dispatcher) claimFrom(ctx context.Context, now time.Time, from *claimCursor) ([]*claimed, error) {
	size := min(max(d.BatchSize, 1), maxBatchSize)
	args := []any{clock.Millis(now.Add(d.Lease)), clock.Millis(now), size}
	after := ""
	if from != nil {
		after = " AND (next_attempt_at, id) > ($4, $5)"
		args = append(args, from.due, from.id)
	}
	lock := ""
	if d.db.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	query := `UPDATE outbox_events SET claimed_until = $1 WHERE id IN (
		SELECT id FROM outbox_events WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until < $2` + after + `
		ORDER BY next_attempt_at, id LIMIT $3` + lock + `)
		RETURNING id, tenant_id, type, aggregate_id, payload, created_at, attempts, next_attempt_at`
	var batch []*claimed
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		batch = batch[:0]
		return db.EachRow(ctx, tx, query, args, func(r *sql.Rows) error {
			var c claimed
			var payload string
			var created int64
			if err := r.Scan(&c.ID, &c.TenantID, &c.Type, &c.AggregateID, &payload, &created, &c.attempts, &c.due); err != nil {
				return err
			}
			c.Payload, c.CreatedAt = []byte(payload), clock.FromMillis(created)
			batch = append(batch, &c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("events: claim: %w", err)
	}
	slices.SortFunc(batch, func(a, b *claimed) int {
		return cmp.Or(cmp.Compare(a.due, b.due), cmp.Compare(a.ID, b.ID))
	})
	if len(batch) > 0 {
		last := batch[len(batch)-1]
		d.cursor.due, d.cursor.id = last.due, last.ID
	}
	return batch, nil
}

// deliveredTo returns, per event of batch, the subscribers that took it in earlier
// rounds.
func (d *Dispatcher) deliveredTo(ctx context.Context, batch []*claimed) (map[string]map[string]bool, error) {
	var args []any
	query := `SELECT event_id, subscriber FROM event_deliveries WHERE event_id` + idsIn(d.db.Dialect, &args, eventIDs(batch))
	done := map[string]map[string]bool{}
	err := db.EachRow(ctx, d.db.Reader(), query, args, func(r *sql.Rows) error {
		var id, sub string
		if err := r.Scan(&id, &sub); err != nil {
			return err
		}
		if done[id] == nil {
			done[id] = map[string]bool{}
		}
		done[id][sub] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events: earlier deliveries: %w", err)
	}
	return done, nil
}

// idsIn returns the condition that a column is one of ids, for appending after the
// column name, with its parameter appended to args. On SQLite the ids are one JSON
// array read by json_each: SQLite finds each $N parameter by a linear search of the
// statement's parameters, so a list of 500 cost more to prepare than the statement
// took to run. On PostgreSQL it is db.In, one array parameter.
func idsIn(d db.Dialect, args *[]any, ids []string) string {
	if d != db.SQLite {
		return db.In(d, args, ids)
	}
	list, _ := json.Marshal(ids) // a []string always encodes
	*args = append(*args, string(list))
	return " IN (SELECT value FROM json_each($" + strconv.Itoa(len(*args)) + "))"
}

func eventIDs(batch []*claimed) []string {
	ids := make([]string, len(batch))
	for i, c := range batch {
		ids[i] = c.ID
	}
	return ids
}

// delivery is one subscriber that took an event in a round that did not finish it.
type delivery struct{ eventID, subscriber string }

// settle records a delivery round in one transaction: events every subscriber that
// wants them has taken become delivered (in one statement), failed events are
// rescheduled with backoff or become dead, events the round did not finish are
// released at once, and for the last two the subscribers that did take them are
// recorded so that the next round skips them. It returns the events delivered or
// failed.
func (d *Dispatcher) settle(ctx context.Context, batch []*claimed, done map[string]map[string]bool) (int, error) {
	now := d.clock.Now()
	var delivered, free []string
	var bad []*claimed
	var took []delivery
	for _, c := range batch {
		switch d.outcome(c, done) {
		case StatusDelivered:
			delivered = append(delivered, c.ID)
			continue
		case released:
			free = append(free, c.ID)
		default:
			bad = append(bad, c)
		}
		for _, s := range c.fresh {
			took = append(took, delivery{c.ID, s})
		}
	}
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		if len(delivered) > 0 {
			args := []any{clock.Millis(now)}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_events SET status = 'delivered', delivered_at = $1, claimed_until = 0,
				last_error = '' WHERE id`+idsIn(d.db.Dialect, &args, delivered), args...); err != nil {
				return err
			}
		}
		if len(free) > 0 {
			var args []any
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_events SET claimed_until = 0 WHERE id`+
				idsIn(d.db.Dialect, &args, free), args...); err != nil {
				return err
			}
		}
		err := db.WriteRows(ctx, tx, d.db.Dialect, db.Rows{
			Head: "INSERT INTO event_deliveries (event_id, subscriber, delivered_at)",
			Tail: " ON CONFLICT (event_id, subscriber) DO NOTHING",
		}, took, func(t delivery) []any { return []any{t.eventID, t.subscriber, clock.Millis(now)} }, nil)
		if err != nil {
			return err
		}
		for _, c := range bad {
			if err := d.reschedule(ctx, tx, c, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("events: settle: %w", err)
	}
	d.stats.delivered.Add(int64(len(delivered)))
	d.stats.failed.Add(int64(len(bad)))
	return len(delivered) + len(bad), nil
}

// reschedule records a failed round of c: it is due again after the backoff, or
// dead after MaxAttempts rounds.
func (d *Dispatcher) reschedule(ctx context.Context, tx *sql.Tx, c *claimed, now time.Time) error {
	attempts := c.attempts + 1
	status := StatusPending
	if attempts >= d.MaxAttempts {
		status = StatusDead
	}
	_, err := tx.ExecContext(ctx, `UPDATE outbox_events SET status = $2, attempts = $3, next_attempt_at = $4,
		claimed_until = 0, last_error = $5 WHERE id = $1`,
		c.ID, status, attempts, clock.Millis(now.Add(d.Backoff(attempts))), failureMessage(c.failures))
	return err
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
