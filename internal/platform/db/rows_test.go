package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

type rowsTestRow struct {
	id    string
	n     any // int64 or nil
	flag  bool
	label any // string or nil
}

// TestWriteRows writes rows with text, bigint, boolean and NULL columns through
// WriteRows on both engines — more rows than one SQLite VALUES list holds — then
// upserts a second set over part of them and reads back what RETURNING reported and
// what the table holds.
func TestWriteRows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE rows_test (tenant_id TEXT NOT NULL, at BIGINT NOT NULL, id TEXT NOT NULL,
			n BIGINT, flag BOOLEAN NOT NULL, label TEXT, PRIMARY KEY (tenant_id, id))`); err != nil {
			t.Fatal(err)
		}
		var first []rowsTestRow
		for i := range 1000 {
			r := rowsTestRow{id: fmt.Sprintf("r%04d", i), flag: i%2 == 0}
			if i%3 != 0 {
				r.n = int64(i)
			}
			if i%5 != 0 {
				r.label = fmt.Sprintf("标签 %d", i)
			}
			first = append(first, r)
		}
		values := func(r rowsTestRow) []any { return []any{r.id, r.n, r.flag, r.label} }
		w := db.Rows{Head: `INSERT INTO rows_test (tenant_id, at, id, n, flag, label)`, Lead: "$1, $2", Fixed: []any{"t1", int64(42)},
			Tail: ` ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`}
		var returned []string
		each := func(rs *sql.Rows) error {
			var id string
			returned = append(returned, id)
			return rs.Scan(&returned[len(returned)-1])
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return db.WriteRows(ctx, tx, d.Dialect, w, first, values, each) }); err != nil {
			t.Fatal(err)
		}
		if len(returned) != len(first) {
			t.Fatalf("first write returned %d ids, want %d", len(returned), len(first))
		}

		// 500 old ids (not written again) and 100 new ones.
		returned = nil
		second := []rowsTestRow{}
		for i := 500; i < 1100; i++ {
			second = append(second, rowsTestRow{id: fmt.Sprintf("r%04d", i), n: int64(-i), flag: true})
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return db.WriteRows(ctx, tx, d.Dialect, w, second, values, each) }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(returned)
		if len(returned) != 100 || returned[0] != "r1000" || returned[99] != "r1099" {
			t.Fatalf("second write returned %d ids (%v…), want r1000…r1099", len(returned), returned[:min(3, len(returned))])
		}

		got := map[string]rowsTestRow{}
		rs, err := d.Reader().QueryContext(ctx, `SELECT id, at, n, flag, label FROM rows_test WHERE tenant_id = 't1'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var r rowsTestRow
			var at int64
			var n sql.NullInt64
			var label sql.NullString
			if err := rs.Scan(&r.id, &at, &n, &r.flag, &label); err != nil {
				t.Fatal(err)
			}
			if at != 42 {
				t.Fatalf("%s: at = %d, want the fixed 42", r.id, at)
			}
			if n.Valid {
				r.n = n.Int64
			}
			if label.Valid {
				r.label = label.String
			}
			got[r.id] = r
		}
		if len(got) != 1100 {
			t.Fatalf("table holds %d rows, want 1100", len(got))
		}
		for _, want := range append(first, second[500:]...) {
			if got[want.id] != want {
				t.Fatalf("%s = %+v, want %+v", want.id, got[want.id], want)
			}
		}
	})
}

// TestWriteRowsRefusesMixedColumns: a column whose rows hold different Go types is an
// error before anything is sent.
func TestWriteRowsRefusesMixedColumns(t *testing.T) {
	rows := []any{"a", int64(1)}
	err := db.WriteRows(context.Background(), nil, db.Postgres, db.Rows{Head: "INSERT INTO x (v)"}, rows, func(v any) []any { return []any{v} }, nil)
	if err == nil {
		t.Fatal("mixed string and int64 column accepted")
	}
}

// TestIn finds rows by a list of ids with db.In on both engines.
func TestIn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE in_test (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO in_test (id) VALUES ('a'), ('b'), ('c'), ('d')`); err != nil {
			t.Fatal(err)
		}
		args := []any{"a"}
		rs, err := d.Reader().QueryContext(ctx, `SELECT id FROM in_test WHERE id <> $1 AND id`+db.In(d.Dialect, &args, []string{"a", "c", "d", "x"})+` ORDER BY id`, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var got []string
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		if !slices.Equal(got, []string{"c", "d"}) {
			t.Fatalf("got %v, want [c d]", got)
		}
	})
}
