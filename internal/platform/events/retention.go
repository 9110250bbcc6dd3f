package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
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

func (d *Dispatcher) purgeBatch(ctx context.Context, cutoff time.Time, size int) (int, error) {
	n := 0
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		var ids []string
		err := db.EachRow(ctx, tx, `SELECT id FROM outbox_events WHERE status = 'delivered' AND delivered_at < $1
			ORDER BY delivered_at LIMIT $2`, []any{clock.Millis(cutoff), size}, func(r *sql.Rows) error {
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, table := range []string{"processed_events", "event_deliveries"} {
			var args []any
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE event_id`+db.In(d.db.Dialect, &args, ids), args...); err != nil {
				return err
			}
		}
		args := []any{}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox_events WHERE status = 'delivered' AND id`+db.In(d.db.Dialect, &args, ids), args...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		n = int(affected)
		return err
	})
	return n, err
}
