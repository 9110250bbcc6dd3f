package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
)

// PurgeExpired deletes the events delivered longer than Retention ago and returns
// how many it deleted; with a zero Retention it deletes none.
func (d *Dispatcher) PurgeExpired(ctx context.Context) (int, error) {
	if d.Retention <= 0 {
		return 0, nil
	}
	return d.Purge(ctx, d.clock.Now().Add(-d.Retention))
}

// Purge deletes the events delivered before cutoff, with their delivery records and
// their subscribers' processed marks, in transactions of PurgeBatch events, oldest
// first; it returns how many it deleted. Pending and dead events are never deleted.
// It stops between batches when ctx is cancelled.
func (d *Dispatcher) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	size := max(d.PurgeBatch, 1)
	for {
		n, err := d.purgeBatch(ctx, cutoff, size)
		total += n
		d.stats.purged.Add(int64(n))
		if err != nil {
			return total, fmt.Errorf("events: purge: %w", err)
		}
		if n < size || ctx.Err() != nil {
			return total, nil
		}
	}
}

// purgeBatch deletes the size events delivered longest before cutoff. The same
// subquery names them in each statement of the transaction — the same events, as
// delivered events never change and new ones are delivered after cutoff — rather
// than a list of parameters, which SQLite parses in time quadratic in its length.
func (d *Dispatcher) purgeBatch(ctx context.Context, cutoff time.Time, size int) (int, error) {
	const expired = ` IN (SELECT id FROM outbox_events WHERE status = 'delivered' AND delivered_at < $1
		ORDER BY delivered_at, id LIMIT $2)`
	args := []any{clock.Millis(cutoff), size}
	n := 0
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"processed_events", "event_deliveries"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE event_id`+expired, args...); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox_events WHERE id`+expired, args...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		n = int(affected)
		return err
	})
	return n, err
}
