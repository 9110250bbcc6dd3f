// Package dbtest gives each test a fresh, migrated database: SQLite always, and
// PostgreSQL as well when ONERETAIL_TEST_PG holds a DSN.
//
// Migrating takes about 0.1 s on SQLite and 1 s on PostgreSQL, and the suite opens
// hundreds of databases, so a migrated database is a copy of a template migrated once
// per set of migrations (template.go): a file copy on SQLite, CREATE DATABASE …
// TEMPLATE on PostgreSQL. An empty database (DSN) is a new file or schema.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// PostgresEnv is the environment variable holding the test PostgreSQL DSN.
const PostgresEnv = "ONERETAIL_TEST_PG"

// Dialects returns the engines under test: SQLite, plus PostgreSQL when configured.
func Dialects() []db.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// Each runs fn as a parallel subtest named after each engine, with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a fresh migrated database of the given engine, closed and dropped when
// the test ends.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	return openDSN(t, dialect, MigratedDSN(t, dialect))
}

// OpenAt returns a fresh database of the given engine migrated up to and including
// version, for the test of a migration that moves data: it fills the tables as they
// were, then runs migrations.Up.
func OpenAt(t testing.TB, dialect db.Dialect, version int64) *db.DB {
	t.Helper()
	d := openDSN(t, dialect, DSN(t, dialect))
	if err := migrations.MigrateTo(context.Background(), d, version); err != nil {
		t.Fatalf("dbtest: migrate %s to %d: %v", dialect, version, err)
	}
	return d
}

func openDSN(t testing.TB, dialect db.Dialect, dsn string) *db.DB {
	t.Helper()
	// Tests need no power-loss durability: SQLite syncs at checkpoints only.
	d, err := db.Open(context.Background(), dsn, db.Options{MaxOpenConns: 8, Sync: db.SyncNormal})
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", dialect, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// DSN returns a DSN for a fresh, empty database of the given engine: a file in the
// test's temporary directory, or a new schema in the ONERETAIL_TEST_PG database.
func DSN(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("dbtest: %s is not set", PostgresEnv)
	}
	schema := "t_" + uniqueSuffix()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return withSearchPath(t, base, schema)
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: %s is not a URL: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
