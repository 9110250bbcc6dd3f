// Command ledger measures points ledger postings under contention (issue 13): -workers
// goroutines redeem 1 point at a time from -members members, each holding a lot
// large enough for the run, through loyalty.Service.Redeem — which locks the member,
// takes the oldest lots, posts the entry and its allocations and publishes the event
// in one transaction. The baseline is what a competent engineer would write without
// a ledger of lots: a balance column decremented by a conditional UPDATE and an entry
// row, one transaction per posting, with the same workers and members.
//
// After the run it checks the invariants: every member's ledger reconciles with its
// lots, no balance is negative, and the points redeemed equal the postings counted.
// It exits 1 when a check fails.
//
//	go run ./bench/ledger [-postings 20000] [-workers 16] [-members 50] [-db DIR | -db postgres://…]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

const tenant = "bench"

func main() {
	postings := flag.Int("postings", 20000, "redemptions of 1 point to post")
	workers := flag.Int("workers", 16, "concurrent posters")
	members := flag.Int("members", 50, "members the postings are spread over (fewer: more contention)")
	where := flag.String("db", os.TempDir(), "directory for the SQLite files, or a PostgreSQL DSN (two schemas are made and dropped there)")
	flag.Parse()
	ctx := context.Background()
	run := func(design string) (time.Duration, db.Dialect, error) {
		return runDesign(ctx, *where, design, *postings, *workers, *members)
	}
	ledger, engine, err := run("ledger")
	if err != nil {
		fail(err)
	}
	base, _, err := run("baseline")
	if err != nil {
		fail(err)
	}
	fmt.Printf("ledger: %s, %d postings by %d workers over %d members\n", engine, *postings, *workers, *members)
	fmt.Printf("ledger   %8.0f postings/s (%s)\nbaseline %8.0f postings/s (%s)\nratio ledger/baseline: %.2f×\n",
		float64(*postings)/ledger.Seconds(), ledger.Round(time.Millisecond), float64(*postings)/base.Seconds(), base.Round(time.Millisecond),
		base.Seconds()/ledger.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ledger:", err)
	os.Exit(1)
}

type fakeCustomers struct{}

func (fakeCustomers) FindCustomerCluster(_ context.Context, id string) (string, []string, error) {
	return id, nil, nil
}

type fakeStores struct{}

func (fakeStores) StoreExists(context.Context, string) error { return nil }

type noOrders struct{}

func (noOrders) OrderSale(context.Context, string) (loyalty.Sale, error) {
	return loyalty.Sale{}, errors.New("no orders in this benchmark")
}

// runDesign posts in a fresh database through one design and returns how long the
// postings took, after checking the invariants.
func runDesign(ctx context.Context, where, design string, postings, workers, members int) (time.Duration, db.Dialect, error) {
	dsn, drop, err := benchdb.Fresh(where, "ledger_"+design)
	if err != nil {
		return 0, "", err
	}
	defer drop()
	d, err := db.Open(ctx, dsn, db.Options{})
	if err != nil {
		return 0, "", err
	}
	defer d.Close()
	if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
		return 0, "", err
	}
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'bench', 'Bench', 0)`, tenant); err != nil {
		return 0, "", err
	}
	member := func(i int) string { return fmt.Sprintf("c%05d", i%members) }
	// Each member holds enough for every posting that could land on it.
	opening := int64(postings/members + postings)
	post, check, err := prepare(ctx, d, design, members, member, opening)
	if err != nil {
		return 0, "", err
	}
	var next, done atomic.Int64
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(postings) {
					return
				}
				if err := post(member(int(i))); err != nil {
					errc <- err
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errc)
	if err := <-errc; err != nil {
		return 0, "", fmt.Errorf("%s: %w", design, err)
	}
	if err := check(int64(postings), opening); err != nil {
		return 0, "", fmt.Errorf("%s: %w", design, err)
	}
	return took, d.Dialect, nil
}

// prepare sets up design's members with opening points and returns how to post one
// redemption and how to check the invariants afterwards.
func prepare(ctx context.Context, d *db.DB, design string, members int, member func(int) string, opening int64) (
	post func(customer string) error, check func(postings, opening int64) error, err error) {
	if design == "baseline" {
		return prepareBaseline(ctx, d, members, member, opening)
	}
	c := clock.System{}
	svc := loyalty.NewService(d, events.NewOutbox(c), audit.New(d, c), c, loyalty.Deps{Orders: noOrders{}, Customers: fakeCustomers{}, Stores: fakeStores{}})
	sys := auth.WithPrincipal(ctx, auth.System(tenant))
	prog, err := svc.CreateProgram(sys, loyalty.ProgramInput{Code: "CLUB", Name: "Club", PointsPerYuan: 1, GrowthPerYuan: 1})
	if err != nil {
		return nil, nil, err
	}
	for i := range members {
		if _, err := svc.Enrol(sys, prog.ID, member(i)); err != nil {
			return nil, nil, err
		}
		if _, err := svc.Adjust(sys, prog.ID, member(i), loyalty.AdjustRequest{Points: opening, Reason: "opening balance"}); err != nil {
			return nil, nil, err
		}
	}
	post = func(customer string) error {
		_, err := svc.Redeem(sys, prog.ID, customer, loyalty.RedeemRequest{Points: 1, StoreID: "s1"})
		return err
	}
	check = func(postings, opening int64) error {
		var left int64
		for i := range members {
			b, err := svc.FindBalance(sys, prog.ID, member(i))
			if err != nil {
				return err
			}
			if b.Available < 0 || b.Total < 0 {
				return fmt.Errorf("member %s has %d points", member(i), b.Total)
			}
			if _, err := svc.Reconcile(ctx, tenant, prog.ID, member(i)); err != nil {
				return err
			}
			left += b.Total
		}
		if want := int64(members)*opening - postings; left != want {
			return fmt.Errorf("%d points left, want %d", left, want)
		}
		return nil
	}
	return post, check, nil
}

// prepareBaseline makes a balance per member and posts a redemption as a conditional
// decrement and an entry row in one transaction.
func prepareBaseline(ctx context.Context, d *db.DB, members int, member func(int) string, opening int64) (
	func(string) error, func(int64, int64) error, error) {
	for _, q := range []string{
		`CREATE TABLE bench_balances (customer_id TEXT PRIMARY KEY, points BIGINT NOT NULL CHECK (points >= 0))`,
		`CREATE TABLE bench_entries (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, points BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
		`CREATE INDEX bench_entries_customer ON bench_entries (customer_id, created_at)`,
	} {
		if _, err := d.Writer().ExecContext(ctx, q); err != nil {
			return nil, nil, err
		}
	}
	for i := range members {
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO bench_balances (customer_id, points) VALUES ($1, $2)`, member(i), opening); err != nil {
			return nil, nil, err
		}
	}
	post := func(customer string) error {
		return d.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE bench_balances SET points = points - 1 WHERE customer_id = $1 AND points >= 1`, customer)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("redeem from %s: %d rows, %v", customer, n, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO bench_entries (id, customer_id, points, created_at) VALUES ($1, $2, -1, $3)`,
				ids.New(), customer, time.Now().UnixMilli())
			return err
		})
	}
	check := func(postings, opening int64) error {
		var left, entries int64
		if err := d.Reader().QueryRowContext(ctx, `SELECT SUM(points) FROM bench_balances`).Scan(&left); err != nil {
			return err
		}
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bench_entries`).Scan(&entries); err != nil {
			return err
		}
		if want := int64(members)*opening - postings; left != want || entries != postings {
			return fmt.Errorf("%d points left and %d entries, want %d and %d", left, entries, want, postings)
		}
		return nil
	}
	return post, check, nil
}
