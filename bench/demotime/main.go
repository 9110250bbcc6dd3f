// Command demotime measures how long the demo chain takes per scale: generating it in
// memory (the baseline: no database), and loading it through the domain services
// into a fresh database.
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
	"os"
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
	flag.Parse()
	for _, s := range strings.Split(*scales, ",") {
		if err := measure(s, *dir, *pg); err != nil {
			fmt.Fprintln(os.Stderr, "demotime:", err)
			os.Exit(1)
		}
	}
}

func measure(scale, dir, pg string) error {
	sc, err := demo.ParseScale(scale)
	if err != nil {
		return err
	}
	start := time.Now()
	chain, err := demo.Generate(sc, 1)
	if err != nil {
		return err
	}
	generate := time.Since(start)
	result := map[string]any{"scale": scale, "stats": chain.Stats(), "generate_s": generate.Seconds()}
	targets := map[string]string{"load_sqlite_s": dir}
	if pg != "" {
		targets["load_postgres_s"] = pg
	}
	for key, target := range targets {
		dsn, drop, err := benchdb.Fresh(target, "demotime_"+scale)
		if err != nil {
			return err
		}
		result[key], err = load(chain, dsn)
		drop()
		if err != nil {
			return err
		}
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
	return nil
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
