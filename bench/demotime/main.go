// Command demotime measures how long the demo takes to load per scale against what it
// must at least cost, measured in the same run:
//
//   - generate: building it in memory, no database (the chain, and with -full its
//     customers and two years of orders; the median of -generations runs);
//   - load: loading it through the domain services into a fresh database, migrations
//     included, as `oneretail demo` does;
//   - bulk: writing the very rows that load left into another fresh database with the
//     same schema by plain bulk insert (COPY on PostgreSQL, multi-row INSERTs on
//     SQLite; see bulkCopy).
//
// It prints one JSON line per scale and engine with load_x = load ÷ (generate + bulk)
// (issue 17's target: at most 2) and gen_x = load ÷ generate, and the machine's load
// average. Progress goes to stderr.
//
//	go run ./bench/demotime --scales small,medium --db-dir /tmp
//	go run ./bench/demotime --scales small --pg 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./bench/demotime --scales medium --full=false   # organisation and catalogue only
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func main() {
	scales := flag.String("scales", "small,medium", "comma-separated scales to measure")
	dir := flag.String("db-dir", os.TempDir(), "directory for the SQLite databases")
	pg := flag.String("pg", "", "PostgreSQL DSN; when set, each load also runs in a fresh schema there")
	generations := flag.Int("generations", 5, "in-memory generations per scale; the baseline is their median")
	full := flag.Bool("full", true, "load the whole demo as `oneretail demo` does (customers, events, orders, loyalty, audiences, promotions); false: organisation and catalogue only")
	orders := flag.Int("orders", 0, "orders with -full (0: the scale's default, -1: none)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "demotime:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	if *generations < 1 {
		fmt.Fprintln(os.Stderr, "demotime: -generations must be at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, s := range strings.Split(*scales, ",") {
		if err := measure(ctx, run{scale: s, dir: *dir, pg: *pg, generations: *generations, full: *full, orders: *orders}); err != nil {
			fmt.Fprintln(os.Stderr, "demotime:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

// run is one scale's measurement settings.
type run struct {
	scale, dir, pg string
	generations    int
	full           bool
	orders         int
}

func measure(ctx context.Context, r run) error {
	sc, err := demo.ParseScale(r.scale)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: generating in memory (%d runs)\n", r.scale, r.generations)
	generate, stats, err := generation(sc, r)
	if err != nil {
		return err
	}
	targets := [][2]string{{"sqlite", r.dir}}
	if r.pg != "" {
		targets = append(targets, [2]string{"postgres", r.pg})
	}
	for _, t := range targets {
		result, err := loadAndCopy(ctx, sc, r, t[0], t[1])
		if err != nil {
			return fmt.Errorf("%s on %s: %w", r.scale, t[0], err)
		}
		result["scale"], result["engine"], result["full"], result["stats"] = r.scale, t[0], r.full, stats
		result["generate_s"] = round(generate)
		result["load_x"] = round(result["load_s"].(float64) / (generate + result["bulk_s"].(float64)))
		result["gen_x"] = round(result["load_s"].(float64) / generate)
		result["loadavg"] = loadavg()
		out, _ := json.Marshal(result)
		fmt.Println(string(out))
	}
	return nil
}

// generation is the median time to build the demo in memory.
func generation(sc demo.Scale, r run) (float64, demo.Stats, error) {
	times := make([]time.Duration, r.generations)
	var stats demo.Stats
	for i := range times {
		start := time.Now()
		chain, err := demo.Generate(sc, 1)
		if err != nil {
			return 0, stats, fmt.Errorf("generate %s: %w", r.scale, err)
		}
		if r.full {
			cs := demo.GenerateCustomers(chain)
			if r.orders >= 0 {
				if _, err := demo.GenerateOrders(chain, cs, demo.OrderOptions{Today: time.Now(), Orders: r.orders}); err != nil {
					return 0, stats, fmt.Errorf("generate orders: %w", err)
				}
			}
		}
		times[i] = time.Since(start)
		stats = chain.Stats()
	}
	slices.Sort(times)
	return times[len(times)/2].Seconds(), stats, nil
}

// loadAndCopy loads the demo into a fresh database of one engine, then bulk-copies
// what it wrote into a second one.
func loadAndCopy(ctx context.Context, sc demo.Scale, r run, engine, target string) (map[string]any, error) {
	dsn, drop, err := benchdb.Fresh(target, "demotime_"+r.scale)
	if err != nil {
		return nil, err
	}
	defer drop()
	fmt.Fprintf(os.Stderr, "%s: loading on %s\n", r.scale, engine)
	start := time.Now()
	a, err := openApp(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	stages, err := load(ctx, a, sc, r)
	if err != nil {
		return nil, err
	}
	loadSecs := time.Since(start).Seconds()

	copyDSN, dropCopy, err := benchdb.Fresh(target, "demotime_bulk_"+r.scale)
	if err != nil {
		return nil, err
	}
	defer dropCopy()
	b, err := openApp(ctx, copyDSN) // migrated, so the same schema and indexes
	if err != nil {
		return nil, err
	}
	defer b.Close()
	fmt.Fprintf(os.Stderr, "%s: bulk-copying the loaded rows on %s\n", r.scale, engine)
	bulk, rows, err := bulkCopy(ctx, a.DB, b.DB)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return map[string]any{"load_s": round(loadSecs), "bulk_s": round(bulk), "rows": rows, "stages_s": stages}, nil
}

func openApp(ctx context.Context, dsn string) (*app.App, error) {
	return app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
}

// load loads the demo into a and returns the seconds each of its stages took, from the
// load's progress reports (a stage runs until the next one reports).
func load(ctx context.Context, a *app.App, sc demo.Scale, r run) (map[string]float64, error) {
	chain, err := demo.Generate(sc, 1)
	if err != nil {
		return nil, err
	}
	s := demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog}
	if r.full {
		s = demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog, Identity: a.Identity, Order: a.Order, Inventory: a.Inventory,
			Loyalty: a.Loyalty, Coupon: a.Coupon, Audience: a.Audience, Promotion: a.Promotion}
	}
	stages := map[string]float64{}
	last, since := "start", time.Now()
	progress := func(stage string, done, total int) {
		if stage == last {
			return
		}
		stages[last] += round(time.Since(since).Seconds())
		fmt.Fprintf(os.Stderr, "  %s\n", stage)
		last, since = stage, time.Now()
	}
	err = demo.Load(ctx, chain, s, demo.LoadOptions{AdminPassword: "demotime-password", Orders: r.orders, Progress: progress})
	stages[last] += round(time.Since(since).Seconds())
	return stages, err
}

func round(x float64) float64 { return math.Round(x*100) / 100 }

// loadavg is the first three fields of /proc/loadavg, or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
