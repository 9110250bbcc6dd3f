package db_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestTxConcurrentIncrements proves that read-modify-write transactions from many
// goroutines lose no update on either engine (SQLite busy and PostgreSQL
// serialization failures are retried).
func TestTxConcurrentIncrements(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)`)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO counter (id, n) VALUES (1, 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errc := make(chan error, workers*each)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					errc <- d.Tx(ctx, func(tx *sql.Tx) error {
						var n int64
						q := `SELECT n FROM counter WHERE id = 1`
						if d.Dialect == db.Postgres {
							q += ` FOR UPDATE`
						}
						if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, `UPDATE counter SET n = $1 WHERE id = 1`, n+1)
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatalf("tx: %v", err)
			}
		}
		var n int64
		if err := d.Reader().QueryRowContext(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != workers*each {
			t.Fatalf("counter = %d, want %d", n, workers*each)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE u (k TEXT PRIMARY KEY)`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO u (k) VALUES ('a')`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO u (k) VALUES ('a')`)
			return err
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(%v) = false", err)
		}
		// The failed transaction rolled back as a whole: the table does not exist.
		if _, err := d.Reader().ExecContext(ctx, `SELECT k FROM u`); err == nil {
			t.Fatal("table u exists after a rolled-back transaction")
		}
	})
}

func TestSQLiteReaderIsReadOnly(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.SQLite)
	if _, err := d.Reader().Exec(`CREATE TABLE x (a INTEGER)`); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "milk", "%milk%"},
		{"wildcards", "50%_off", `%50\%\_off%`},
		{"backslash", `a\b`, `%a\\b%`},
	}
	for _, tt := range tests {
		if got := db.EscapeLike(tt.in); got != tt.want {
			t.Errorf("%s: EscapeLike(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
