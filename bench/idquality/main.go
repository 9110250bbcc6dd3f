// Command idquality measures identity resolution on the independent evaluation set
// (internal/identity/evalset, written without the matcher's rules): for each seed it
// starts OneRetail in this process on a fresh database (SQLite or PostgreSQL),
// ingests the set through the identity service as its touchpoints would send it,
// runs the fuzzy pass, and prints pairwise precision and recall before and after
// the pass, every trap's result, and the times.
//
//	go run ./bench/idquality -people 8000 -seeds 1,2,3
//	go run ./bench/idquality -db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' -people 8000
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/identity/evalset"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func main() {
	target := flag.String("db", os.TempDir(), "where to make a fresh database: a directory for SQLite, or a postgres:// DSN (a new schema is made there)")
	people := flag.Int("people", 8000, "people in the set (about 5.5 events each); medium 8000, large 80000")
	seeds := flag.String("seeds", "1,2,3", "comma-separated generator seeds")
	flag.Parse()
	for _, s := range strings.Split(*seeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err == nil {
			err = run(*target, *people, seed)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "idquality:", err)
			os.Exit(1)
		}
	}
}

const tenant = "quality"

func run(target string, people int, seed uint64) error {
	ctx := context.Background()
	dsn, drop, err := benchdb.Fresh(target, fmt.Sprintf("idquality_%d", seed))
	if err != nil {
		return err
	}
	defer drop()
	a, err := app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		return err
	}
	defer a.Close()
	sys := auth.WithPrincipal(ctx, auth.System(tenant))
	set := evalset.Generate(evalset.Options{Seed: seed, People: people})
	fmt.Printf("seed %d on %s: %d people, %d events, %d trap pairs\n", seed, a.DB.Dialect, set.People, len(set.Events), len(set.Pairs))
	for _, tp := range set.Touchpoints {
		if _, err := a.Identity.CreateTouchpoint(sys, identity.NewTouchpoint{Code: tp.Code, Name: tp.Name,
			Type: identity.TouchpointType(tp.Type), Channel: identity.Channel(tp.Channel)}); err != nil {
			return err
		}
	}
	start := time.Now()
	err = set.Batches(identity.MaxBatchEvents, func(tp string, batch []json.RawMessage) error {
		rep, err := a.Identity.Ingest(sys, tp, batch)
		if err == nil && len(rep.Rejected) > 0 {
			err = fmt.Errorf("%s: %d events rejected, first: %s: %s", tp, len(rep.Rejected), rep.Rejected[0].Field, rep.Rejected[0].Reason)
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("ingested in %s\n", time.Since(start).Round(time.Millisecond))
	if err := report(ctx, a.DB, set, "deterministic"); err != nil {
		return err
	}
	start = time.Now()
	rep, err := a.Identity.MatchFuzzy(sys, identity.FuzzyOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("fuzzy pass in %s: %d customers, %d pairs compared, %d merged, %d reviews, %d refused, %d blocks skipped\n%s",
		time.Since(start).Round(time.Millisecond), rep.Customers, rep.Compared, rep.Merged, rep.Reviews, rep.Refused, rep.Skipped, identity.FuzzyModelSummary(rep))
	return report(ctx, a.DB, set, "with fuzzy pass")
}

func report(ctx context.Context, d *db.DB, set *evalset.Set, label string) error {
	assigned := map[string]string{}
	err := db.EachRow(ctx, d.Reader(), `SELECT id, COALESCE(customer_id, '') FROM events WHERE tenant_id = $1`, []any{tenant},
		func(rs *sql.Rows) error {
			var id, c string
			if err := rs.Scan(&id, &c); err != nil {
				return err
			}
			assigned[id] = c
			return nil
		})
	if err != nil {
		return err
	}
	evalset.Report(os.Stdout, label, evalset.Measure(assigned, set.Truth()), set.Traps(assigned))
	return nil
}
