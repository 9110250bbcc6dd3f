// Command flashsale measures reservations per second on one hot SKU (issue 12): the
// inventory service's flash-sale path (a broker per location and SKU writing every
// waiting reservation in one transaction) against the baseline, the same service
// with the flash path off — one conditional UPDATE of the balance per reservation, in
// a transaction of its own, with the same reservation and ledger rows.
//
// Each design gets a fresh database of the same engine, seeded with -stock units of
// one SKU; -clients goroutines then make -attempts one-unit reservations between them
// as fast as each is answered. It prints, for both, attempts answered per second,
// reservations granted per second and the ratio (flash / baseline), and checks each
// database afterwards: granted ≤ stock, reserved equals the units granted, one active
// reservation per grant, available = stock − granted and the ledger reconciles. It
// exits 1 when a check fails. Progress goes to stderr; Ctrl-C stops the run.
//
//	go run ./bench/flashsale [-attempts 20000] [-stock 20000] [-clients 500] [-batch 256] [-only flash|baseline] [-db DIR | -db postgres://…]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

func main() {
	attempts := flag.Int("attempts", 20000, "one-unit reservations to attempt per design")
	stock := flag.Int64("stock", -1, "units of the hot SKU in stock (default: -attempts, so that every attempt can succeed)")
	clients := flag.Int("clients", 500, "concurrent clients, each reserving one unit at a time")
	batch := flag.Int("batch", inventory.DefaultFlashBatch, "most reservations in one flash-path transaction")
	conns := flag.Int("conns", db.DefaultPostgresConns, "PostgreSQL pool size (SQLite: one writer whatever this says)")
	syncMode := flag.String("sync", "full", "SQLite synchronous setting: full (the server's default) or normal")
	where := flag.String("db", os.TempDir(), "directory for the SQLite files, or a PostgreSQL DSN (two schemas are made and dropped there)")
	only := flag.String("only", "", "run one design only (flash or baseline), e.g. to profile it; no ratio")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of both runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *only != "" && *only != "flash" && *only != "baseline" {
		fail(fmt.Errorf("-only must be flash or baseline, not %q", *only))
	}
	if *stock < 0 {
		*stock = int64(*attempts)
	}
	syncSetting, err := db.ParseSync(*syncMode)
	if err != nil {
		fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, config{where: *where, attempts: *attempts, stock: *stock, clients: *clients, batch: *batch, conns: *conns, sync: syncSetting, only: *only}); err != nil {
		pprof.StopCPUProfile()
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flashsale:", err)
	os.Exit(1)
}

type config struct {
	where    string
	attempts int
	stock    int64
	clients  int
	batch    int
	conns    int
	sync     db.Sync
	only     string
}

// result is one design's run.
type result struct {
	name              string
	granted, refused  int64
	took              time.Duration
	batches, fallback int64
}

func (r result) answered() float64  { return float64(r.granted+r.refused) / r.took.Seconds() }
func (r result) perSecond() float64 { return float64(r.granted) / r.took.Seconds() }

func run(ctx context.Context, cfg config) error {
	var results []result
	for _, design := range []string{"flash", "baseline"} {
		if cfg.only != "" && design != cfg.only {
			continue
		}
		r, engine, err := runDesign(ctx, cfg, design)
		if err != nil {
			return fmt.Errorf("%s: %w", design, err)
		}
		if len(results) == 0 {
			fmt.Printf("flashsale: %s, %d attempts of one unit, %d in stock, %d clients, batches of up to %d\n",
				engine, cfg.attempts, cfg.stock, cfg.clients, cfg.batch)
		}
		results = append(results, r)
		extra := ""
		if design == "flash" {
			extra = fmt.Sprintf(", %d transactions (%.1f reservations each), %d asks retried alone",
				r.batches, float64(r.granted+r.refused)/float64(max(r.batches, 1)), r.fallback)
		}
		fmt.Printf("%-8s %s granted, %s refused in %s: %s reservations/s, %s attempts answered/s; no oversell%s\n",
			r.name, thousands(r.granted), thousands(r.refused), r.took.Round(time.Millisecond),
			thousands(int64(r.perSecond())), thousands(int64(r.answered())), extra)
	}
	if len(results) < 2 {
		return nil
	}
	f, b := results[0], results[1]
	ratio := f.answered() / b.answered() // with stock for every attempt, reservations/s
	fmt.Printf("ratio flash/baseline (attempts answered/s): %.2f×\n", ratio)
	fmt.Printf("| %s | %s | %s | %s | %d | %s | %s | **%.1f×** | 0 / 0 |\n", time.Now().Format(time.DateOnly), engineName(cfg),
		thousands(int64(cfg.attempts)), thousands(cfg.stock), cfg.clients, thousands(int64(f.answered())), thousands(int64(b.answered())), ratio)
	return nil
}

func engineName(cfg config) string {
	if db.IsPostgresDSN(cfg.where) {
		return "postgres"
	}
	return "sqlite (" + string(cfg.sync) + ")"
}

// runDesign seeds a fresh database, runs the sale through one design and checks it.
func runDesign(ctx context.Context, cfg config, design string) (result, db.Dialect, error) {
	dsn, drop, err := benchdb.Fresh(cfg.where, "flashsale_"+design)
	if err != nil {
		return result{}, "", err
	}
	defer drop()
	d, err := db.Open(ctx, dsn, db.Options{MaxOpenConns: cfg.conns, Sync: cfg.sync})
	if err != nil {
		return result{}, "", err
	}
	defer d.Close()
	if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
		return result{}, "", err
	}
	c := clock.System{}
	svc := inventory.NewService(d, events.NewOutbox(c), audit.New(d, c), c, noStores{})
	defer svc.Close(context.Background())
	if design == "flash" {
		svc.SetFlash(inventory.FlashOptions{MaxBatch: cfg.batch})
	} else {
		svc.SetFlash(inventory.FlashOptions{Off: true})
	}
	const tenant = "flashsale"
	sys := auth.WithPrincipal(ctx, auth.System(tenant))
	loc, sku, err := seed(sys, d, svc, tenant, cfg.stock)
	if err != nil {
		return result{}, "", fmt.Errorf("seed: %w", err)
	}

	r := result{name: design}
	var granted, refused atomic.Int64
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	done := make(chan struct{})
	go progress(design, cfg.attempts, &granted, &refused, done)
	start := time.Now()
	var wg sync.WaitGroup
	for client := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each client is its own principal, as each shopper's request would be.
			p := auth.System(tenant)
			p.ID = fmt.Sprintf("client-%d", client)
			cctx := auth.WithPrincipal(ctx, p)
			for {
				i := next.Add(1) - 1
				if i >= int64(cfg.attempts) || ctx.Err() != nil {
					return
				}
				_, err := svc.Reserve(cctx, inventory.ReserveRequest{Reference: fmt.Sprintf("order-%d", i), TTL: 15 * time.Minute,
					Lines: []inventory.Line{{LocationID: loc, SKUID: sku, Qty: 1}}})
				switch {
				case err == nil:
					granted.Add(1)
				case errs.Is(err, errs.Insufficient):
					refused.Add(1)
				default:
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	r.took = time.Since(start)
	close(done)
	if firstErr != nil {
		return r, d.Dialect, firstErr
	}
	if err := ctx.Err(); err != nil {
		return r, d.Dialect, errors.New("interrupted")
	}
	r.granted, r.refused = granted.Load(), refused.Load()
	st := svc.FlashStats()
	r.batches, r.fallback = st.Batches, st.Fallback
	return r, d.Dialect, check(sys, d, svc, tenant, loc, sku, cfg.stock, r.granted)
}

// check fails unless the database holds exactly what was granted, within the stock.
func check(ctx context.Context, d *db.DB, svc *inventory.Service, tenant, loc, sku string, stock, granted int64) error {
	b, err := svc.FindBalance(ctx, loc, sku)
	if err != nil {
		return err
	}
	var active int64
	if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_reservations WHERE tenant_id = $1 AND status = 'active'`, tenant).Scan(&active); err != nil {
		return err
	}
	diff, err := svc.Verify(ctx)
	if err != nil {
		return err
	}
	switch {
	case granted > stock || b.Available() < 0:
		return fmt.Errorf("OVERSOLD: granted %d of %d; balance %+v", granted, stock, b)
	case b.Reserved != granted || active != granted || b.Available() != stock-granted:
		return fmt.Errorf("the database disagrees with the answers: granted %d, reserved %d, %d active reservations, available %d", granted, b.Reserved, active, b.Available())
	case len(diff) > 0:
		return fmt.Errorf("the ledger does not reconcile: %+v", diff)
	}
	return nil
}

// progress reports on stderr every two seconds until done closes.
func progress(design string, total int, granted, refused *atomic.Int64, done <-chan struct{}) {
	start := time.Now()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			n := granted.Load() + refused.Load()
			fmt.Fprintf(os.Stderr, "  %s: %s/%s answered (%d%%), %s/s\n", design, thousands(n), thousands(int64(total)),
				n*100/int64(max(total, 1)), thousands(int64(float64(n)/time.Since(start).Seconds())))
		}
	}
}

// seed makes the tenant, a warehouse and one SKU with stock units received.
func seed(ctx context.Context, d *db.DB, svc *inventory.Service, tenant string, stock int64) (string, string, error) {
	ms := clock.Millis(time.Now())
	sku := tenant + "-sku"
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO tenants (id, code, name, created_at) VALUES ($1, $1, $1, $2)`, []any{tenant, ms}},
		{`INSERT INTO categories (id, tenant_id, code, name, level, created_at, updated_at) VALUES ($1, $2, 'C', 'Food', 1, $3, $3)`, []any{tenant + "-cat", tenant, ms}},
		{`INSERT INTO products (id, tenant_id, category_id, code, name, unit, status, created_at, updated_at)
			VALUES ($1, $2, $3, 'P', 'Hot product', 'each', 'active', $4, $4)`, []any{tenant + "-product", tenant, tenant + "-cat", ms}},
		{`INSERT INTO skus (id, tenant_id, product_id, code, name, unit, list_price_fen, status, created_at, updated_at)
			VALUES ($1, $2, $3, $1, $1, 'each', 990, 'active', $4, $4)`, []any{sku, tenant, tenant + "-product", ms}},
	} {
		if _, err := d.Writer().ExecContext(ctx, s.q, s.args...); err != nil {
			return "", "", err
		}
	}
	loc, err := svc.CreateLocation(ctx, inventory.Location{Code: "WH", Name: "Warehouse", Kind: inventory.KindWarehouse})
	if err != nil {
		return "", "", err
	}
	if stock > 0 {
		if _, err := svc.Apply(ctx, inventory.Change{LocationID: loc.ID, SKUID: sku, Kind: inventory.MoveReceipt, Qty: stock, Reference: "PO-1"}); err != nil {
			return "", "", err
		}
	}
	return loc.ID, sku, nil
}

// noStores: the benchmark's warehouse belongs to no store.
type noStores struct{}

func (noStores) StoreExists(context.Context, string) error       { return nil }
func (noStores) ScopeStoreIDs(context.Context) ([]string, error) { return []string{}, nil }

func thousands(v int64) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
