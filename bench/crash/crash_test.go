package main

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCrashShort is the short form of the crash harness that `make test` runs: one
// round each of ingestion, CSV import and redemptions killed with SIGKILL on SQLite,
// and of ingestion and redemptions on PostgreSQL when ONERETAIL_TEST_PG is set. Each
// round prints what it acknowledged and what it found after the restart.
func TestCrashShort(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := Build(context.Background(), root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	engines := []struct {
		name      string
		pg        string
		scenarios []Scenario
	}{{"sqlite", "", []Scenario{Ingest, Import, Redeem}}}
	if pg := os.Getenv(dbtest.PostgresEnv); pg != "" {
		engines = append(engines, struct {
			name      string
			pg        string
			scenarios []Scenario
		}{"postgres", pg, []Scenario{Ingest, Redeem}})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			h := &Harness{Bin: bin, Dir: t.TempDir(), PGBase: e.pg, DemoOrders: -1}
			t.Cleanup(h.Close)
			ctx := context.Background()
			if err := h.Prepare(ctx); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(20261206, 7))
			for _, s := range e.scenarios {
				res := s(ctx, h, 0, rng)
				t.Log(res)
				if !res.OK() {
					t.Error(res)
				}
			}
		})
	}
}
