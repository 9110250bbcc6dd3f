// Command apiload measures API read throughput: it starts OneRetail in this process on
// a demo chain (SQLite or PostgreSQL) next to a trivial baseline handler, drives both
// with wrk from a second process, and prints requests/s and the ratio to the baseline.
// Any failure to set up (wrk missing, the demo load, an answer outside 2xx while
// warming up) ends it with a non-zero exit and the step that failed.
//
//	go run ./bench/apiload --db /tmp
//	go run ./bench/apiload --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "where to make a fresh database: a directory for SQLite, or a postgres:// DSN (a new schema is made there)")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per target")
	connections := flag.Int("connections", 32, "wrk connections")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the OneRetail run to this file")
	flag.Parse()
	if err := run(*dsn, *duration, *connections, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "apiload: FAILED:", err)
		os.Exit(1)
	}
}

func run(target string, duration time.Duration, connections int, cpuProfile string) error {
	if err := wrk.Check(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := benchapi.Start(ctx, benchapi.BootOptions{Target: target, Name: "apiload", Demo: true, Scopes: []auth.Scope{auth.OrgRead}})
	if err != nil {
		return err
	}
	defer b.Close()
	stores, err := b.App.Org.FindStores(b.System, org.StoreFilter{PageParams: httpapi.PageParams{Limit: 1}})
	if err != nil {
		return fmt.Errorf("find a store to read: %w", err)
	}
	if len(stores.Items) == 0 {
		return errors.New("find a store to read: the demo chain has none")
	}
	path := "/api/v1/stores/" + stores.Items[0].ID
	body, err := b.Warm(100, http.MethodGet, path, "")
	if err != nil {
		return err
	}

	// The baseline answers the same JSON body with no router, auth or database.
	baseLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the baseline: %w", err)
	}
	go http.Serve(baseLn, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))

	base, err := wrk.Run("http://"+baseLn.Addr().String()+"/", duration, connections)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	stop, err := benchapi.Profile(cpuProfile)
	if err != nil {
		return err
	}
	got, err := wrk.Run(b.Base+path, duration, connections, "-H", "Authorization: Bearer "+b.Key)
	if err := errors.Join(err, stop()); err != nil {
		return fmt.Errorf("OneRetail: %w", err)
	}
	out, _ := json.Marshal(map[string]any{
		"engine": b.Engine, "endpoint": "GET /api/v1/stores/{id} (API key auth)", "connections": connections,
		"duration_s": duration.Seconds(), "baseline_rps": base.RPS, "oneretail_rps": got.RPS, "ratio": got.RPS / base.RPS,
		"oneretail_p99_ms": got.P99ms, "baseline_p99_ms": base.P99ms,
	})
	fmt.Println(string(out))
	return nil
}
