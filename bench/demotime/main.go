// Command demotime measures how long the demo chain takes per scale: generating it in
// memory (the baseline: no database; the median of -generations runs), and loading it
// through the domain services into a fresh database, migrations included. It prints
// one JSON line per scale with each load's ratio to the generation measured in the
// same run (load_sqlite_x: load time ÷ generation time) and the machine's load
// average.
//
//	go run ./bench/demotime --scales small,medium --db-dir /tmp
//	go run ./bench/demotime --scales small --pg 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
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
	"slices"
	"strings"
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
	flag.Parse()
	if *generations < 1 {
		fmt.Fprintln(os.Stderr, "demotime: -generations must be at least 1")
		os.Exit(2)
	}
	for _, s := range strings.Split(*scales, ",") {
		if err := measure(s, *dir, *pg, *generations); err != nil {
			fmt.Fprintln(os.Stderr, "demotime:", err)
			os.Exit(1)
		}
	}
}

func measure(scale, dir, pg string, generations int) error {
	sc, err := demo.ParseScale(scale)
	if err != nil {
		return err
	}
	var chain *demo.Chain
	times := make([]time.Duration, generations)
	for i := range times {
		start := time.Now()
		if chain, err = demo.Generate(sc, 1); err != nil {
			return fmt.Errorf("generate %s: %w", scale, err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	generate := times[len(times)/2].Seconds()
	result := map[string]any{"scale": scale, "stats": chain.Stats(), "generate_s": generate}
	targets := map[string]string{"sqlite": dir}
	if pg != "" {
		targets["postgres"] = pg
	}
	for engine, target := range targets {
		dsn, drop, err := benchdb.Fresh(target, "demotime_"+scale)
		if err != nil {
			return err
		}
		secs, err := load(chain, dsn)
		drop()
		if err != nil {
			return fmt.Errorf("load %s on %s: %w", scale, engine, err)
		}
		result["load_"+engine+"_s"] = secs
		result["load_"+engine+"_x"] = math.Round(secs/generate*10) / 10
	}
	result["loadavg"] = loadavg()
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
	return nil
}

// loadavg is the first three fields of /proc/loadavg, or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func load(chain *demo.Chain, dsn string) (float64, error) {
	ctx := context.Background()
	start := time.Now()
	a, err := app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		return 0, err
	}
	defer a.Close()
	if err := demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog}, demo.LoadOptions{AdminPassword: "demotime-password"}); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}
