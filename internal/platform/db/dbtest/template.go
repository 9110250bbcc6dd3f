package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The templates live outside any one test process: a file in the temporary directory
// for SQLite and a database of the server for PostgreSQL, named by the migrations'
// fingerprint, so every package of a run (and the next run) reuses them and a changed
// migration gets a new one.
const (
	templateDirName  = "oneretail-dbtest"
	pgTemplatePrefix = "oneretail_tmpl_"
	pgClonePrefix    = "ort_"
	// A clone older than this belongs to a run that was killed before its cleanup.
	staleClone = 6 * time.Hour
)

// MigratedDSN returns the DSN of a fresh database of the given engine holding every
// migration and no data, dropped when the test ends: for tests that open the database
// themselves (app.New, a second node).
func MigratedDSN(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(sqliteTemplate(t), path); err != nil {
			t.Fatalf("dbtest: copy the template: %v", err)
		}
		return path
	}
	if dsn, ok := postgresClone(t); ok {
		return dsn
	}
	// The test role may not create databases: a new schema, migrated here.
	dsn := DSN(t, dialect)
	d := openDSN(t, dialect, dsn)
	if _, err := migrations.Up(context.Background(), d, migrations.Options{}); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", dialect, err)
	}
	return dsn
}

// sqliteTemplate returns the path of the migrated SQLite template, building it when
// this set of migrations has none yet. It is built under a temporary name and renamed,
// so a reader never sees half of one; two processes building at once both rename a
// whole one.
func sqliteTemplate(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), templateDirName)
	path := filepath.Join(dir, "sqlite-"+migrations.Fingerprint()+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("dbtest: template directory: %v", err)
	}
	building := filepath.Join(dir, "building-"+uniqueSuffix()+".db")
	defer removeSQLite(building)
	d, err := db.Open(context.Background(), building, db.Options{Sync: db.SyncNormal})
	if err != nil {
		t.Fatalf("dbtest: open the template: %v", err)
	}
	_, err = migrations.Up(context.Background(), d, migrations.Options{})
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("dbtest: migrate the template: %v", err)
	}
	// Closing the last connection checkpoints the write-ahead log into the file; a log
	// left over would hold part of the schema.
	if fi, err := os.Stat(building + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("dbtest: the template's write-ahead log was not checkpointed")
	}
	if err := os.Rename(building, path); err != nil {
		t.Fatalf("dbtest: store the template: %v", err)
	}
	return path
}

func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// postgresClone creates a database from the migrated template and returns its DSN;
// false when the test role has no right to create databases.
func postgresClone(t testing.TB) (string, bool) {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("dbtest: %s is not set", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	defer admin.Close()
	ctx := context.Background()
	template, err := postgresTemplate(ctx, admin, base)
	if isPrivilegeError(err) {
		return "", false
	}
	if err != nil {
		t.Fatalf("dbtest: postgres template: %v", err)
	}
	name := pgClonePrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + uniqueSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("dbtest: clone the template: %v", err)
	}
	t.Cleanup(func() { dropDatabase(base, name) })
	dropStaleClones(ctx, admin, base)
	return withDatabase(t, base, name), true
}

// postgresTemplate returns the name of the migrated template database, building it
// when this set of migrations has none yet. Processes of one run take turns through a
// session lock; processes on other databases of the server build under their own
// name, and only one rename wins.
func postgresTemplate(ctx context.Context, admin *sql.DB, base string) (string, error) {
	name := pgTemplatePrefix + migrations.Fingerprint()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	h := fnv.New64a()
	h.Write([]byte(name))
	key := int64(h.Sum64() &^ (1 << 63))
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck // the session ends with conn
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := pgTemplatePrefix + "b_" + uniqueSuffix() // within the 63 bytes of a name
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	defer dropDatabase(base, building)
	dsn, err := databaseURL(base, building)
	if err != nil {
		return "", err
	}
	d, err := db.Open(ctx, dsn, db.Options{})
	if err != nil {
		return "", err
	}
	_, err = migrations.Up(ctx, d, migrations.Options{})
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	_, err = conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another built it
		return name, nil
	}
	return name, err
}

func isPrivilegeError(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501" // insufficient_privilege
}

// dropDatabase drops a test's database, ending the sessions a test left open.
func dropDatabase(base, name string) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer admin.Close()
	_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// dropStaleClones drops the clones a killed run left behind (their name holds the
// time they were made).
func dropStaleClones(ctx context.Context, admin *sql.DB, base string) {
	var stale []string
	err := db.EachRow(ctx, admin, `SELECT datname FROM pg_database WHERE datname LIKE 'ort\_%'`, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		at, _, _ := strings.Cut(strings.TrimPrefix(name, pgClonePrefix), "_")
		if sec, err := strconv.ParseInt(at, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > staleClone {
			stale = append(stale, name)
		}
		return nil
	})
	if err != nil {
		return
	}
	for _, name := range stale {
		dropDatabase(base, name)
	}
}

func withDatabase(t testing.TB, base, name string) string {
	dsn, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("dbtest: %s is not a URL: %v", PostgresEnv, err)
	}
	return dsn
}

func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// uniqueSuffix is a name part no other test or process takes.
func uniqueSuffix() string { return strings.ReplaceAll(ids.New(), "-", "") }
