// Command outbox measures how fast the dispatcher works through a large outbox
// (issue 17). It loads -n pending events into two fresh databases of one engine —
// the same rows in both — and then:
//
//   - deliver: in the first, the events.Dispatcher delivers every event to a no-op
//     subscriber in batches of -batch; in the second, the baseline, a plain batched
//     UPDATE marks the same rows delivered -batch at a time, which is the least any
//     delivery has to write;
//   - purge: the dispatcher's retention deletes every delivered event in batches of
//     -purge-batch (with their delivery records and processed marks), against a plain
//     batched DELETE of the same rows in the baseline database.
//
// It prints events/s of each and the ratio (dispatcher / baseline), the lag read at
// the full backlog, and progress on stderr; it exits 1 when an event was not
// delivered.
//
//	go run ./bench/outbox [-n 1000000] [-batch 500] [-db DIR | -db postgres://…]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
)

func main() {
	n := flag.Int("n", 1_000_000, "events to load and deliver")
	batch := flag.Int("batch", events.DefaultBatchSize, "events per claim (dispatcher) and per UPDATE (baseline)")
	purgeBatch := flag.Int("purge-batch", events.DefaultPurgeBatch, "events per retention delete (dispatcher) and per DELETE (baseline)")
	where := flag.String("db", os.TempDir(), "directory for the SQLite files, or a PostgreSQL DSN (two schemas are made and dropped there)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "outbox:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), *where, *n, *batch, *purgeBatch); err != nil {
		fmt.Fprintln(os.Stderr, "outbox:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(ctx context.Context, where string, n, batch, purgeBatch int) error {
	subject, err := open(ctx, where, "outbox_dispatcher")
	if err != nil {
		return err
	}
	defer subject.close()
	baseline, err := open(ctx, where, "outbox_baseline")
	if err != nil {
		return err
	}
	defer baseline.close()
	engine := subject.db.Dialect
	fmt.Printf("outbox: %s, %d events, batches of %d (purge %d)\n", engine, n, batch, purgeBatch)

	start := time.Now()
	for _, t := range []*target{subject, baseline} {
		if err := load(ctx, t.db, n, progress("load "+t.name, n)); err != nil {
			return err
		}
	}
	fmt.Printf("load: %d events into each database in %s\n", n, time.Since(start).Round(time.Millisecond))

	disp := events.NewDispatcher(subject.db, events.NewOutbox(clock.System{}), clock.System{}, nil)
	disp.BatchSize, disp.PurgeBatch = batch, purgeBatch
	disp.Subscribe("noop", func(context.Context, events.Event) error { return nil })
	start = time.Now()
	lag, err := disp.Lag(ctx, "")
	if err != nil {
		return err
	}
	lagRead := time.Since(start).Round(time.Millisecond)
	fmt.Printf("lag at the full backlog: %d pending, oldest %s old, read in %s\n",
		lag.Pending, lag.OldestPending.Round(time.Second), lagRead)

	deliver := compare("deliver", n,
		func(p func(int)) (int, error) { return dispatchAll(ctx, disp, p) },
		func(p func(int)) (int, error) { return updateAll(ctx, baseline.db, batch, p) })
	if deliver.err != nil {
		return deliver.err
	}
	if err := checkDelivered(ctx, subject.db, n); err != nil {
		return err
	}
	purge := compare("purge", n,
		func(p func(int)) (int, error) {
			return disp.Purge(ctx, time.Now().Add(time.Hour)) // progress: the dispatcher's batches are internal
		},
		func(p func(int)) (int, error) { return deleteAll(ctx, baseline.db, purgeBatch, p) })
	if purge.err != nil {
		return purge.err
	}
	fmt.Printf("| %s | %s | %s | %d | %s | %s | **%.2f** | %s | %s | %.2f | %s |\n", time.Now().Format(time.DateOnly), engine,
		thousands(int64(n)), batch, rate(deliver.subject), rate(deliver.baseline), deliver.ratio(),
		rate(purge.subject), rate(purge.baseline), purge.ratio(), lagRead)
	return nil
}

// target is one fresh database.
type target struct {
	name  string
	db    *db.DB
	close func()
}

func open(ctx context.Context, where, name string) (*target, error) {
	dsn, drop, err := benchdb.Fresh(where, name)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, dsn, db.Options{Sync: db.SyncNormal})
	if err != nil {
		drop()
		return nil, err
	}
	if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
		d.Close()
		drop()
		return nil, err
	}
	return &target{name: name, db: d, close: func() { d.Close(); drop() }}, nil
}

// result is one timed run: how many events it handled in how long.
type result struct {
	events int
	took   time.Duration
}

func (r result) perSecond() float64 { return float64(r.events) / r.took.Seconds() }

// comparison is the dispatcher's run and the baseline's on the same rows.
type comparison struct {
	subject, baseline result
	err               error
}

func (c comparison) ratio() float64 { return c.subject.perSecond() / c.baseline.perSecond() }

// compare times subject then baseline, each over n events, and prints both.
func compare(what string, n int, subject, baseline func(progress func(int)) (int, error)) comparison {
	var c comparison
	for _, r := range []struct {
		name string
		fn   func(func(int)) (int, error)
		out  *result
	}{{"dispatcher", subject, &c.subject}, {"baseline", baseline, &c.baseline}} {
		start := time.Now()
		done, err := r.fn(progress(what+" "+r.name, n))
		if err != nil {
			c.err = fmt.Errorf("%s %s: %w", what, r.name, err)
			return c
		}
		*r.out = result{events: done, took: time.Since(start)}
		fmt.Printf("%s: %s %s events/s (%d in %s)\n", what, r.name, rate(*r.out), done, r.out.took.Round(time.Millisecond))
	}
	fmt.Printf("%s: ratio dispatcher/baseline %.2f\n", what, c.ratio())
	return c
}

func rate(r result) string { return thousands(int64(r.perSecond())) }

// progress returns a function that reports how many of total are done on stderr,
// at most every two seconds.
func progress(what string, total int) func(int) {
	last := time.Now()
	start := last
	return func(done int) {
		if time.Since(last) < 2*time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "  %s: %s/%s (%d%%), %s/s\n", what, thousands(int64(done)), thousands(int64(total)),
			done*100/max(total, 1), thousands(int64(float64(done)/time.Since(start).Seconds())))
	}
}

// dispatchAll runs the dispatcher until nothing is due.
func dispatchAll(ctx context.Context, disp *events.Dispatcher, progress func(int)) (int, error) {
	total := 0
	for {
		n, err := disp.DispatchDue(ctx, nil)
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total += n
		progress(total)
	}
}

// updateAll is the delivery baseline: it marks the pending events delivered, batch
// by batch, in the order the dispatcher claims them, one transaction per batch.
func updateAll(ctx context.Context, d *db.DB, batch int, progress func(int)) (int, error) {
	return batches(ctx, d, progress, `UPDATE outbox_events SET status = 'delivered', delivered_at = $1 WHERE id IN (
		SELECT id FROM outbox_events WHERE status = 'pending' ORDER BY next_attempt_at, id LIMIT $2)`,
		clock.Millis(time.Now()), batch)
}

// deleteAll is the retention baseline: it deletes the delivered events, oldest
// first, batch by batch.
func deleteAll(ctx context.Context, d *db.DB, batch int, progress func(int)) (int, error) {
	return batches(ctx, d, progress, `DELETE FROM outbox_events WHERE id IN (
		SELECT id FROM outbox_events WHERE status = 'delivered' ORDER BY delivered_at, id LIMIT $1)`, batch)
}

// batches runs query with args, one transaction at a time, until it affects no row.
func batches(ctx context.Context, d *db.DB, progress func(int), query string, args ...any) (int, error) {
	total := 0
	for {
		var n int64
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, query, args...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total += int(n)
		progress(total)
	}
}

func checkDelivered(ctx context.Context, d *db.DB, n int) error {
	var delivered int
	err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_events WHERE status = 'delivered'`).Scan(&delivered)
	if err != nil {
		return err
	}
	if delivered != n {
		return fmt.Errorf("%d of %d events delivered", delivered, n)
	}
	return nil
}

func thousands(v int64) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
