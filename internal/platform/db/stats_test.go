package db_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// fillSkewed makes a table whose index choice depends on statistics: without them
// SQLite prefers the primary key's tenant prefix (one value, every row) to the index
// on sku (two rows per value).
func fillSkewed(t *testing.T, d *db.DB, rows int) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		for i := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO skewed (tenant, barcode, sku) VALUES ('t', $1, $2)`,
				strconv.Itoa(i), strconv.Itoa(i/2)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func plan(t *testing.T, q db.Querier, query string) string {
	t.Helper()
	var b strings.Builder
	err := db.EachRow(context.Background(), q, `EXPLAIN QUERY PLAN `+query, nil, func(r *sql.Rows) error {
		var id, parent, unused int
		var detail string
		if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
			return err
		}
		b.WriteString(detail + "; ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestOptimizeReachesReaders shows that Optimize gives SQLite statistics where a
// table was analysed while empty and then grew, and that queries on the reader pool
// — including a connection opened before — plan with them.
func TestOptimizeReachesReaders(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TABLE skewed (tenant TEXT NOT NULL, barcode TEXT NOT NULL, sku TEXT NOT NULL, PRIMARY KEY (tenant, barcode))`,
		`CREATE INDEX skewed_sku ON skewed (sku)`,
	} {
		if _, err := d.Writer().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Optimize(ctx); err != nil { // analysed while empty
		t.Fatal(err)
	}
	fillSkewed(t, d, 5000)
	const query = `SELECT sku, barcode FROM skewed WHERE tenant = 't' AND sku IN ('5', '6')`
	if p := plan(t, d.Reader(), query); !strings.Contains(p, "sqlite_autoindex_skewed_1") {
		t.Fatalf("before Optimize the plan is %q; want the primary key (the test no longer shows anything)", p)
	}
	if err := d.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if p := plan(t, d.Reader(), query); !strings.Contains(p, "skewed_sku") {
		t.Fatalf("after Optimize the plan is %q; want the index on sku", p)
	}
}

// TestAnalyze checks that AnalyzeAll gives PostgreSQL statistics for the tables of
// the schema (and runs on SQLite), and that Analyze refuses what is not a table.
func TestAnalyze(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE skewed (tenant TEXT NOT NULL, barcode TEXT NOT NULL, sku TEXT NOT NULL, PRIMARY KEY (tenant, barcode))`); err != nil {
			t.Fatal(err)
		}
		fillSkewed(t, d, 500)
		analyze := d.Analyze
		if d.Dialect == db.Postgres {
			analyze = func(ctx context.Context, _ ...string) error { return d.AnalyzeAll(ctx) }
		}
		if err := d.Analyze(ctx, "nothing_here"); err == nil && d.Dialect == db.Postgres {
			t.Fatal("Analyze of a missing table succeeded")
		}
		if err := analyze(ctx, "skewed"); err != nil {
			t.Fatal(err)
		}
		query := `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'skewed'`
		if d.Dialect == db.Postgres {
			query = `SELECT COUNT(*) FROM pg_stats WHERE tablename = 'skewed' AND schemaname = current_schema()`
		}
		var n int
		if err := d.Reader().QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no statistics after Analyze")
		}
		if err := d.Analyze(ctx, "skewed; DROP TABLE skewed"); err == nil && d.Dialect == db.Postgres {
			t.Fatal("Analyze accepted a statement as a table name")
		}
	})
}
