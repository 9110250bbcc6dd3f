// Command apiload measures API read throughput: it starts OneRetail in this process on
// a demo chain (SQLite or PostgreSQL) next to a trivial baseline handler, drives both
// with wrk from a second process, and prints requests/s and the ratio to the baseline.
//
//	go run ./bench/apiload --db /tmp
//	go run ./bench/apiload --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "where to make a fresh database: a directory for SQLite, or a postgres:// DSN (a new schema is made there)")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per target")
	connections := flag.Int("connections", 32, "wrk connections")
	flag.Parse()
	if err := run(*dsn, *duration, *connections); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

func run(target string, duration time.Duration, connections int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn, drop, err := benchdb.Fresh(target, "apiload")
	if err != nil {
		return err
	}
	defer drop()
	a, err := app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		return err
	}
	defer a.Close()
	chain, err := demo.Generate(demo.ScaleSmall, 1)
	if err != nil {
		return err
	}
	if err := demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog}, demo.LoadOptions{AdminPassword: "bench-password-1"}); err != nil {
		return err
	}
	tenant, err := a.Org.FindTenantByCode(ctx, chain.Tenant.Code)
	if err != nil {
		return err
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	_, key, err := a.Org.CreateAPIKey(sys, org.APIKeyCreate{Name: "bench", Scopes: []auth.Scope{auth.OrgRead}})
	if err != nil {
		return err
	}
	stores, err := a.Org.FindStores(sys, org.StoreFilter{PageParams: httpapi.PageParams{Limit: 1}})
	if err != nil || len(stores.Items) == 0 {
		return fmt.Errorf("no store to read: %w", err)
	}
	storeID := stores.Items[0].ID

	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go a.Run(ctx, appLn)

	// The baseline answers the same JSON body with no router, auth or database.
	body := fetch("http://"+appLn.Addr().String()+"/api/v1/stores/"+storeID, key)
	baseLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(baseLn, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))

	base, err := wrk.Run("http://"+baseLn.Addr().String()+"/", duration, connections)
	if err != nil {
		return err
	}
	got, err := wrk.Run("http://"+appLn.Addr().String()+"/api/v1/stores/"+storeID, duration, connections, "-H", "Authorization: Bearer "+key)
	if err != nil {
		return err
	}
	engine := "sqlite"
	if db.IsPostgresDSN(dsn) {
		engine = "postgres"
	}
	out, _ := json.Marshal(map[string]any{
		"engine": engine, "endpoint": "GET /api/v1/stores/{id} (API key auth)", "connections": connections,
		"duration_s": duration.Seconds(), "baseline_rps": base.RPS, "oneretail_rps": got.RPS, "ratio": got.RPS / base.RPS,
	})
	fmt.Println(string(out))
	return nil
}

func fetch(url, key string) []byte {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return []byte(`{}`)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b
}
