package dbtest

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// Plan returns the engine's query plan of query, one line per step. On PostgreSQL
// sequential scans and sorts are switched off for the plan, so a plan that still
// has one has no index to use instead (the tables of a test are too small for the
// planner to prefer an index on its own).
func Plan(t testing.TB, d *db.DB, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	read := func(q db.Querier) error {
		return db.EachRow(ctx, q, "EXPLAIN "+query, args, func(r *sql.Rows) error {
			cols, err := r.Columns()
			if err != nil {
				return err
			}
			vals := make([]any, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			if err := r.Scan(vals...); err != nil {
				return err
			}
			line, _ := (*vals[len(vals)-1].(*any)).(string)
			lines = append(lines, line)
			return nil
		})
	}
	var err error
	if d.Dialect == db.Postgres {
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			for _, set := range []string{`SET LOCAL enable_seqscan = off`, `SET LOCAL enable_sort = off`} {
				if _, err := tx.ExecContext(ctx, set); err != nil {
					return err
				}
			}
			return read(tx)
		})
	} else {
		query = "QUERY PLAN " + query
		err = read(d.Reader())
	}
	if err != nil {
		t.Fatalf("dbtest: plan of %s: %v", query, err)
	}
	return strings.Join(lines, "\n")
}

// RequireIndexed fails the test when the plan of query reads a whole table or sorts:
// a list or look-up that should be one range of an index.
func RequireIndexed(t testing.TB, d *db.DB, query string, args ...any) {
	t.Helper()
	p := Plan(t, d, query, args...)
	for _, line := range strings.Split(p, "\n") {
		bad := strings.Contains(line, "Seq Scan") || strings.Contains(line, "Sort") || strings.Contains(line, "TEMP B-TREE") ||
			(strings.HasPrefix(strings.TrimSpace(line), "SCAN ") && !strings.Contains(line, "VIRTUAL TABLE"))
		if bad {
			t.Fatalf("query reads a whole table or sorts:\n%s\nplan:\n%s", query, p)
		}
	}
}
