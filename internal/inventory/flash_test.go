package inventory

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// sale runs attempts concurrent reservations of one unit each (qty(i) units for
// attempt i) through the given services in turn and returns the units granted and
// the refusals; any other error fails the test.
func sale(t tester, w *world, svcs []*Service, loc Location, sku string, attempts int, qty func(int) int64) (granted, refused int64) {
	t.Helper()
	var g, r atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := qty(i)
			_, err := svcs[i%len(svcs)].Reserve(w.ctx, ReserveRequest{Reference: fmt.Sprintf("sale-%d", i), TTL: 15 * time.Minute,
				Lines: []Line{{LocationID: loc.ID, SKUID: sku, Qty: q}}})
			switch {
			case err == nil:
				g.Add(q)
			case errs.Is(err, errs.Insufficient):
				r.Add(1)
			default:
				failed.Store(fmt.Sprintf("reserve %d: %v", i, err))
			}
		}()
	}
	wg.Wait()
	if msg := failed.Load(); msg != nil {
		t.Fatal(msg)
	}
	return g.Load(), r.Load()
}

func (w *world) reservations(t tester, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM stock_reservations WHERE tenant_id = $1 AND status = 'active'`, w.tenant).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFlashSale5000: 100 units and 5,000 concurrent one-unit reservations: exactly
// 100 succeed, 4,900 are refused as insufficient, available ends at 0, there are 100
// reservations and the ledger reconciles — and the broker wrote them in batches.
func TestFlashSale5000(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "flash5000")
		w.receive(t, w.warehouse, w.milk, 100)
		granted, refused := sale(t, w, []*Service{w.svc}, w.warehouse, w.milk, 5000, func(int) int64 { return 1 })
		b := w.balance(t, w.warehouse, w.milk)
		if granted != 100 || refused != 4900 || b.Reserved != 100 || b.Available() != 0 {
			t.Fatalf("granted %d, refused %d; balance %+v", granted, refused, b)
		}
		if n := w.reservations(t, d); n != 100 {
			t.Fatalf("%d active reservations, want 100", n)
		}
		w.reconciles(t)
		st := w.svc.FlashStats()
		if st.Asks != 5000 || st.Fallback != 0 || st.Batches >= 5000 {
			t.Fatalf("flash stats %+v for 5000 asks: the broker did not batch them", st)
		}
		if err := w.svc.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFlashTwoNodes: two services on one database, each with its own broker (two
// nodes), sell 100 units to 1,000 concurrent asks of one or three units: the
// database's conditional UPDATE keeps them from overselling together.
func TestFlashTwoNodes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "twonodes")
		other := NewService(d, events.NewOutbox(w.clock), audit.New(d, w.clock), w.clock, storesOfScope{})
		t.Cleanup(func() { _ = other.Close(context.Background()) })
		w.receive(t, w.warehouse, w.milk, 100)
		granted, _ := sale(t, w, []*Service{w.svc, other}, w.warehouse, w.milk, 1000, func(i int) int64 { return int64(1 + 2*(i%3/2)) })
		b := w.balance(t, w.warehouse, w.milk)
		if granted > 100 || b.Reserved != granted || b.Available() < 0 || b.Available() > 2 {
			t.Fatalf("granted %d of 100; balance %+v", granted, b)
		}
		w.reconciles(t)
	})
}

// TestFlashWithOtherPaths: while flash asks run, multi-line reservations of the
// same SKU take the per-line path, reservations are released and stock arrives;
// nothing is oversold and the ledger reconciles.
func TestFlashWithOtherPaths(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "mixed")
		w.receive(t, w.warehouse, w.milk, 50)
		w.receive(t, w.warehouse, w.bread, 1000)
		var wg sync.WaitGroup
		var granted atomic.Int64
		fail := make(chan error, 1000)
		for i := range 400 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ref := fmt.Sprintf("m-%d", i)
				lines := []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}}
				switch i % 4 {
				case 1: // a cart: milk and bread together, the per-line path
					lines = append(lines, Line{LocationID: w.warehouse.ID, SKUID: w.bread, Qty: 1})
				case 2: // stock arrives
					if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 1}); err != nil {
						fail <- err
					}
					return
				}
				_, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: ref, TTL: time.Minute, Lines: lines})
				if errs.Is(err, errs.Insufficient) {
					return
				}
				if err != nil {
					fail <- err
					return
				}
				granted.Add(1)
				if i%8 == 3 { // some are cancelled at once
					if _, err := w.svc.Release(w.ctx, ref, "cancelled"); err != nil {
						fail <- err
					}
					granted.Add(-1)
				}
			}()
		}
		wg.Wait()
		close(fail)
		for err := range fail {
			t.Fatal(err)
		}
		b := w.balance(t, w.warehouse, w.milk)
		if b.Reserved != granted.Load() || b.Available() < 0 || b.OnHand != 150 {
			t.Fatalf("%d reservations held; milk %+v", granted.Load(), b)
		}
		w.reconciles(t)
	})
}

// TestFlashIdempotent: one reference asked many times at once is reserved once and
// every ask gets that reservation; asking for other stock under it is a conflict;
// a reference reserved through the per-line path is found by the flash path.
func TestFlashIdempotent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "idem")
		w.receive(t, w.warehouse, w.milk, 10)
		line := Line{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 2}
		ids := make([]string, 50)
		errOf := make([]error, 50)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := line
				if i == 49 {
					l.Qty = 3 // the same reference for other stock
				}
				r, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "ORDER-1", TTL: time.Minute, Lines: []Line{l}})
				ids[i], errOf[i] = r.ID, err
			}()
		}
		wg.Wait()
		winner := ""
		for i := range ids {
			switch {
			case errOf[i] != nil && !errs.Is(errOf[i], errs.Conflict):
				t.Fatalf("ask %d: %v", i, errOf[i])
			case errOf[i] != nil:
				continue
			case winner == "":
				winner = ids[i]
			case ids[i] != winner:
				t.Fatalf("ask %d got reservation %s, another %s", i, ids[i], winner)
			}
		}
		b := w.balance(t, w.warehouse, w.milk)
		if winner == "" || (b.Reserved != 2 && b.Reserved != 3) || w.reservations(t, d) != 1 {
			t.Fatalf("one reference reserved as %q; balance %+v", winner, b)
		}

		// A cart of two lines of milk is one location and SKU: the flash path sums it
		// and a repeat finds it.
		cart := ReserveRequest{Reference: "ORDER-2", TTL: time.Minute, Lines: []Line{line, line}}
		first, err := w.svc.Reserve(w.ctx, cart)
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Reserve(w.ctx, cart)
		if err != nil || again.ID != first.ID || len(again.Lines) != 1 || again.Lines[0].Qty != 4 {
			t.Fatalf("repeated cart: %+v, %v (first %+v)", again, err, first)
		}
		w.reconciles(t)
	})
}

// TestFlashCloseAndOff: a cancelled caller gets its context's error; after Close, or
// with the flash path off, Reserve still reserves (in a transaction of its own).
func TestFlashCloseAndOff(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "close")
		w.receive(t, w.warehouse, w.milk, 10)
		gone, cancel := context.WithCancel(w.ctx)
		cancel()
		if _, err := w.svc.Reserve(gone, ReserveRequest{Reference: "GONE", TTL: time.Minute, Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}}}); err == nil {
			t.Fatal("a cancelled caller got a reservation")
		}
		w.svc.SetFlash(FlashOptions{Off: true})
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "OFF", TTL: time.Minute, Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		w.svc.SetFlash(FlashOptions{MaxBatch: 3})
		granted, _ := sale(t, w, []*Service{w.svc}, w.warehouse, w.milk, 20, func(int) int64 { return 1 })
		ctx, stop := context.WithTimeout(context.Background(), time.Minute)
		defer stop()
		if err := w.svc.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "AFTER", TTL: time.Minute, Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.apples, Qty: 1}}}); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("after Close, apples never stocked: got %v, want insufficient", err)
		}
		b := w.balance(t, w.warehouse, w.milk)
		if b.Reserved != 10 || granted+1 != 10 || w.reservations(t, d) != 10 {
			t.Fatalf("granted %d + 1 of 10; %+v", granted, b)
		}
		w.reconciles(t)
	})
}

// TestGrant: a batch never grants more than is available; it grants in order and
// refuses only asks that no longer fit when their turn came; a reference granted once
// answers its later asks, one reserved before the batch answers all of its asks, and
// one refused stays open for a later, smaller ask.
func TestGrant(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		available := rapid.Int64Range(-5, 50).Draw(t, "available")
		n := rapid.IntRange(0, 30).Draw(t, "n")
		qty := make([]int64, n)
		ref := make([]string, n)
		for i := range n {
			qty[i] = rapid.Int64Range(1, 8).Draw(t, "qty")
			ref[i] = fmt.Sprint(rapid.IntRange(0, 12).Draw(t, "ref"))
		}
		before := func(r string) bool { return r == "0" }
		decided, total := grant(available, qty, ref, before)
		var sum int64
		grantedAt := map[string]int{}
		for i, d := range decided {
			j, granted := grantedAt[ref[i]]
			switch {
			case granted && d != j:
				t.Fatalf("ask %d for %s granted at %d answered by %d", i, ref[i], j, d)
			case granted:
			case before(ref[i]) && d != reservedBefore:
				t.Fatalf("ask %d for %s reserved before: %d", i, ref[i], d)
			case before(ref[i]):
			case d == i:
				sum += qty[i]
				grantedAt[ref[i]] = i
			case d == shortOfStock:
				if qty[i] <= available-sum {
					t.Fatalf("ask %d for %d refused with %d left", i, qty[i], available-sum)
				}
			default:
				t.Fatalf("ask %d: decided %d", i, d)
			}
		}
		if sum != total || (total > 0 && total > available) {
			t.Fatalf("granted %d (reported %d) of %d", sum, total, available)
		}
	})
}

// TestFlashSaleProperty: for any stock and any mix of concurrent asks (one to three
// units, some references repeated), the units granted never exceed the stock, every
// refused ask was for more than what is left, and the ledger reconciles.
func TestFlashSaleProperty(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.SQLite)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		w := setup(rt, d, fmt.Sprintf("fprop%d", n))
		stock := rapid.Int64Range(0, 30).Draw(rt, "stock")
		if stock > 0 {
			w.receive(rt, w.warehouse, w.milk, stock)
		}
		w.svc.SetFlash(FlashOptions{MaxBatch: rapid.IntRange(1, 8).Draw(rt, "batch")})
		asks := rapid.SliceOfN(rapid.Int64Range(1, 3), 1, 40).Draw(rt, "asks")
		refs := rapid.IntRange(1, 40).Draw(rt, "refs") // fewer references than asks repeat some
		got := make([]Reservation, len(asks))
		errOf := make([]error, len(asks))
		var wg sync.WaitGroup
		for i, q := range asks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errOf[i] = w.svc.Reserve(w.ctx, ReserveRequest{Reference: fmt.Sprintf("p-%d", i%refs), TTL: time.Minute,
					Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: q}}})
			}()
		}
		wg.Wait()
		b := w.balance(rt, w.warehouse, w.milk)
		held := map[string]int64{}
		for i, q := range asks {
			switch {
			case errOf[i] == nil:
				held[got[i].ID] = got[i].Lines[0].Qty
			case errs.Is(errOf[i], errs.Insufficient):
				if q <= b.Available() {
					rt.Fatalf("ask %d for %d refused, %d still available", i, q, b.Available())
				}
			case !errs.Is(errOf[i], errs.Conflict):
				rt.Fatalf("ask %d: %v", i, errOf[i])
			}
		}
		var sum int64
		for _, q := range held {
			sum += q
		}
		if sum > stock || b.Reserved != sum || b.Available() < 0 {
			rt.Fatalf("held %d of %d; balance %+v", sum, stock, b)
		}
		w.reconciles(rt)
		if err := w.svc.Close(context.Background()); err != nil {
			rt.Fatal(err)
		}
	})
}

// crashEnv passes the database to TestFlashCrashChild.
const crashEnv = "ONERETAIL_FLASH_CRASH"

// TestFlashSurvivesKill: a process reserving through the flash path is killed with
// SIGKILL while batches are in flight; every reservation it acknowledged is in the
// database afterwards, nothing is oversold and the ledger reconciles.
func TestFlashSurvivesKill(t *testing.T) {
	t.Parallel()
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.MigratedDSN(t, dialect)
			d, err := db.Open(context.Background(), dsn, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if _, err := migrations.Up(context.Background(), d, migrations.Options{}); err != nil {
				t.Fatal(err)
			}
			w := setup(t, d, "crash")
			const stock = 100_000 // more than the child sells before it is killed
			w.receive(t, w.warehouse, w.milk, stock)

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFlashCrashChild$", "-test.count=1")
			child.Env = append(os.Environ(), crashEnv+"="+strings.Join([]string{dsn, w.warehouse.ID, w.milk}, "\n"))
			out, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[string]bool{}
			lines := bufio.NewScanner(out)
			for lines.Scan() {
				if ref, ok := strings.CutPrefix(lines.Text(), "reserved "); ok {
					acked[ref] = true
					if len(acked) == 100 {
						_ = child.Process.Signal(syscall.SIGKILL)
					}
				}
			}
			_ = child.Wait()
			if len(acked) < 100 {
				t.Fatalf("the child acknowledged %d reservations before it ended", len(acked))
			}
			active := map[string]bool{}
			err = db.EachRow(context.Background(), d.Reader(), `SELECT reference FROM stock_reservations WHERE tenant_id = $1 AND status = 'active'`,
				[]any{w.tenant}, func(rows *sql.Rows) error {
					var ref string
					err := rows.Scan(&ref)
					active[ref] = true
					return err
				})
			if err != nil {
				t.Fatal(err)
			}
			for ref := range acked {
				if !active[ref] {
					t.Fatalf("%s was acknowledged and is lost (%d acknowledged, %d in the database)", ref, len(acked), len(active))
				}
			}
			t.Logf("killed after %d acknowledged; %d reservations in the database", len(acked), len(active))
			if len(active) == stock {
				t.Fatal("the child sold out before it was killed")
			}
			b := w.balance(t, w.warehouse, w.milk)
			if b.Reserved != int64(len(active)) || b.Available() < 0 {
				t.Fatalf("%d reservations; balance %+v", len(active), b)
			}
			w.reconciles(t)
		})
	}
}

// TestFlashCrashChild is the process TestFlashSurvivesKill kills: 200 clients
// reserve one unit each at a time and print each reservation once it is made.
func TestFlashCrashChild(t *testing.T) {
	t.Parallel()
	env := os.Getenv(crashEnv)
	if env == "" {
		t.Skip("run by TestFlashSurvivesKill")
	}
	args := strings.Split(env, "\n")
	d, err := db.Open(context.Background(), args[0], db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFixed(testNow)
	svc := NewService(d, events.NewOutbox(c), audit.New(d, c), c, storesOfScope{})
	ctx := auth.WithPrincipal(context.Background(), auth.System("crash"))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for client := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				ref := fmt.Sprintf("c%d-%d", client, n)
				_, err := svc.Reserve(ctx, ReserveRequest{Reference: ref, TTL: time.Hour, Lines: []Line{{LocationID: args[1], SKUID: args[2], Qty: 1}}})
				if err != nil {
					return // sold out, or the database went away
				}
				mu.Lock()
				fmt.Printf("reserved %s\n", ref)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
