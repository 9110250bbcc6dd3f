package events_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// gauges gathers the gauges of a collector by name.
func gauges(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if g := f.GetMetric()[0].GetGauge(); g != nil {
			out[f.GetName()] = g.GetValue()
		}
	}
	return out
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRetention: events delivered longer than the retention ago are deleted in
// batches with their delivery records and processed marks; events delivered more
// recently stay, and undelivered events — pending or dead — are never deleted,
// however old.
func TestRetention(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o, disp, c := setup(t, d)
		disp.PurgeBatch = 3
		disp.Subscribe("marker", func(ctx context.Context, e events.Event) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := events.MarkProcessed(ctx, tx, c.Now(), "marker", e.ID)
				return err
			})
		}, "old.happened", "new.happened")
		disp.Subscribe("picky", func(ctx context.Context, e events.Event) error { return errors.New("never works") }, "stuck.happened", "dead.happened")
		disp.Subscribe("lenient", func(context.Context, events.Event) error { return nil }, "stuck.happened", "dead.happened")

		old := publishMany(t, d, o, "old.happened", 10)
		publishMany(t, d, o, "dead.happened", 2)
		drain(t, disp)
		for range disp.MaxAttempts { // the dead ones fail every round
			c.Advance(time.Hour)
			drain(t, disp)
		}
		disp.Backoff = func(int) time.Duration { return 30 * 24 * time.Hour }
		publishMany(t, d, o, "stuck.happened", 2) // stays pending for a month after its first failure
		drain(t, disp)
		c.Advance(6 * 24 * time.Hour)
		recent := publishMany(t, d, o, "new.happened", 4)
		drain(t, disp)
		c.Advance(2 * 24 * time.Hour) // old events: 8 days since delivery; new: 2 days

		if got := count(t, d, `SELECT COUNT(*) FROM processed_events WHERE event_id = $1`, old[0].ID); got != 1 {
			t.Fatalf("processed marks of an old event before the purge = %d, want 1", got)
		}
		n, err := disp.PurgeExpired(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(old) {
			t.Errorf("purged %d, want the %d events delivered 8 days ago", n, len(old))
		}
		for _, tc := range []struct {
			status string
			want   int
		}{{events.StatusDelivered, len(recent)}, {events.StatusPending, 2}, {events.StatusDead, 2}} {
			if got := countStatus(t, d, tc.status); got != tc.want {
				t.Errorf("%d %s events left, want %d", got, tc.status, tc.want)
			}
		}
		if got := count(t, d, `SELECT COUNT(*) FROM processed_events WHERE event_id = $1`, old[0].ID); got != 0 {
			t.Errorf("%d processed marks of a purged event left", got)
		}
		if got := count(t, d, `SELECT COUNT(*) FROM processed_events`); got != len(recent) {
			t.Errorf("%d processed marks left, want the %d of the recent events", got, len(recent))
		}
		if got := count(t, d, `SELECT COUNT(*) FROM event_deliveries`); got != 4 {
			t.Errorf("%d delivery records left, want 4 (lenient took the dead and the stuck events)", got)
		}

		// A year later, still nothing undelivered is deleted; zero retention deletes nothing.
		c.Advance(365 * 24 * time.Hour)
		disp.Retention = 0
		if n, _ := disp.PurgeExpired(ctx); n != 0 {
			t.Errorf("zero retention purged %d", n)
		}
		disp.Retention = events.DefaultRetention
		if n, _ := disp.PurgeExpired(ctx); n != len(recent) {
			t.Errorf("purged %d a year later, want %d", n, len(recent))
		}
		if got := count(t, d, `SELECT COUNT(*) FROM outbox_events`); got != 4 {
			t.Errorf("%d events left a year later, want the 4 undelivered", got)
		}
	})
}

// TestLag: the backlog counts the pending events of the tenant and the oldest
// pending event's age grows with the clock; delivering them clears both.
func TestLag(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o, disp, c := setup(t, d)
		first := publishMany(t, d, o, "x.happened", 3)
		c.Advance(90 * time.Second)
		publishMany(t, d, o, "x.happened", 2)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := o.Publish(ctx, tx, "t2", "x.happened", "agg", nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(30 * time.Second)
		l, err := disp.Lag(ctx, "t1")
		if err != nil {
			t.Fatal(err)
		}
		if l.Pending != 5 || l.OldestPending != 2*time.Minute || !l.OldestPendingAt.Equal(first[0].CreatedAt) {
			t.Errorf("lag of t1 = %+v, want 5 pending, the oldest 2m old", l)
		}
		if all, _ := disp.Lag(ctx, ""); all.Pending != 6 {
			t.Errorf("lag of all tenants = %+v, want 6 pending", all)
		}
		g := gauges(t, disp.Collector())
		if g["oneretail_outbox_backlog_events"] != 6 || g["oneretail_outbox_oldest_pending_age_seconds"] != 120 {
			t.Errorf("outbox gauges = %v, want a backlog of 6, the oldest 120 s old", g)
		}
		drain(t, disp)
		if l, _ := disp.Lag(ctx, "t1"); l.Pending != 0 || l.OldestPending != 0 || !l.OldestPendingAt.IsZero() {
			t.Errorf("lag after delivery = %+v, want none", l)
		}
	})
}
