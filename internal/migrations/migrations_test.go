package migrations_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pressly/goose/v3/lock"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestUpIsRepeatable applies every migration to an empty database, then again, and
// checks nothing is pending afterwards.
func TestUpIsRepeatable(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, dialect)
			applied, err := migrations.Up(ctx, d, migrations.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) == 0 {
				t.Fatal("no migration applied to an empty database")
			}
			again, err := migrations.Up(ctx, d, migrations.Options{})
			if err != nil || len(again) != 0 {
				t.Fatalf("second Up applied %d (err %v), want 0", len(again), err)
			}
			allApplied(t, d)
		})
	}
}

// openEmpty opens a fresh database of dialect with no migration applied, closed when
// the test ends.
func openEmpty(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dbtest.DSN(t, dialect), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// allApplied fails the test for every migration not applied and returns how many
// there are.
func allApplied(t *testing.T, d *db.DB) int {
	t.Helper()
	status, err := migrations.Status(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if s.State != "applied" {
			t.Errorf("migration %d is %s", s.Source.Version, s.State)
		}
	}
	return len(status)
}

// TestSchemasMigrateIndependently: PostgreSQL scopes advisory locks to a database,
// so the lock that serialises migrations is per schema. While a session holds the
// public schema's lock (a node of another installation migrating), a database on its
// own schema still migrates; before, it waited for the other to finish.
func TestSchemasMigrateIndependently(t *testing.T) {
	t.Parallel()
	if !slices.Contains(dbtest.Dialects(), db.Postgres) {
		t.Skip("PostgreSQL only: set " + dbtest.PostgresEnv)
	}
	ctx := context.Background()
	holder := openEmpty(t, db.Postgres)
	conn, err := holder.Writer().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lock.DefaultLockID) //nolint:errcheck // the session ends with the test

	d := openEmpty(t, db.Postgres)
	timeout, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := migrations.Up(timeout, d, migrations.Options{}); err != nil {
		t.Fatalf("a schema of its own waited for the public schema's migration lock: %v", err)
	}
	allApplied(t, d)
}
