package events_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// crashEnv passes the database to the dispatcher process TestCrashMidBatch kills.
const crashEnv = "ONERETAIL_OUTBOX_CRASH_DSN"

// The crash scenario: crashEvents events delivered crashBatch at a time to an
// idempotent subscriber; the process is killed (SIGKILL) inside the subscriber's
// transaction for event crashAt, in the middle of the second batch.
const (
	crashEvents = 300
	crashBatch  = 100
	crashAt     = 151
)

// TestCrashMidBatch: a dispatcher process killed in the middle of a batch — after
// its subscriber committed the effects of half the batch, and inside the
// subscriber's transaction of the next event — loses nothing and duplicates
// nothing: once the batch's lease lapses another dispatcher delivers the batch
// again (at least once: the subscriber is called a second time for the events it
// had handled), and the subscriber's processed marks (MarkProcessed) keep each
// event's effect single.
func TestCrashMidBatch(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := dbtest.DSN(t, dialect)
			d := openCrashDB(t, dsn)
			for _, q := range []string{`CREATE TABLE crash_calls (event_id TEXT NOT NULL)`,
				`CREATE TABLE crash_effects (event_id TEXT NOT NULL)`} {
				if _, err := d.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			publishMany(t, d, events.NewOutbox(clock.System{}), "x.happened", crashEvents)

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the dispatcher process was not killed (%v):\n%s", err, out)
			}
			if got := countStatus(t, d, events.StatusDelivered); got != crashBatch {
				t.Fatalf("%d delivered when the process died, want the first batch of %d", got, crashBatch)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM crash_effects`); got != crashAt-1 {
				t.Fatalf("%d effects committed when the process died, want %d", got, crashAt-1)
			}

			// Another dispatcher, once the lease of the killed one has lapsed.
			later := clock.NewFixed(time.Now().Add(2 * time.Minute))
			disp := events.NewDispatcher(d, events.NewOutbox(later), later, nil)
			disp.BatchSize = crashBatch
			disp.Subscribe("effect", crashSubscriber(d, later, nil))
			drain(t, disp)

			if got := countStatus(t, d, events.StatusDelivered); got != crashEvents {
				t.Errorf("%d delivered, want every one of %d", got, crashEvents)
			}
			if got := count(t, d, `SELECT COUNT(DISTINCT event_id) FROM crash_effects`); got != crashEvents {
				t.Errorf("effects of %d events, want %d: events were lost", got, crashEvents)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM crash_effects`); got != crashEvents {
				t.Errorf("%d effects for %d events: an effect was applied twice", got, crashEvents)
			}
			twice := count(t, d, `SELECT COUNT(*) FROM (SELECT event_id FROM crash_calls GROUP BY event_id HAVING COUNT(*) > 1) AS x`)
			if want := crashAt - 1 - crashBatch; twice != want {
				t.Errorf("%d events handed over twice, want the %d the killed batch had handled", twice, want)
			}
		})
	}
}

// TestCrashChild is the dispatcher process that TestCrashMidBatch kills: it kills
// itself inside the subscriber's transaction of the crashAt-th event.
func TestCrashChild(t *testing.T) {
	t.Parallel()
	dsn := os.Getenv(crashEnv)
	if dsn == "" {
		t.Skip("run by TestCrashMidBatch")
	}
	d := openCrashDB(t, dsn)
	c := clock.System{}
	disp := events.NewDispatcher(d, events.NewOutbox(c), c, nil)
	disp.BatchSize = crashBatch
	calls := 0
	disp.Subscribe("effect", crashSubscriber(d, c, func() {
		if calls++; calls == crashAt {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}))
	drain(t, disp)
	t.Fatal("the dispatcher delivered everything without being killed")
}

// crashSubscriber is an idempotent subscriber: in one transaction it records the
// call, marks the event processed and, the first time only, applies its effect.
// inTx, when not nil, runs inside the transaction before the commit.
func crashSubscriber(d *db.DB, c clock.Clock, inTx func()) events.Handler {
	return func(ctx context.Context, e events.Event) error {
		return d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO crash_calls (event_id) VALUES ($1)`, e.ID); err != nil {
				return err
			}
			if inTx != nil {
				inTx()
			}
			first, err := events.MarkProcessed(ctx, tx, c.Now(), "effect", e.ID)
			if err != nil || !first {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO crash_effects (event_id) VALUES ($1)`, e.ID)
			return err
		})
	}
}

func openCrashDB(t *testing.T, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn, db.Options{Sync: db.SyncNormal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := migrations.Up(context.Background(), d, migrations.Options{}); err != nil {
		t.Fatal(err)
	}
	return d
}
