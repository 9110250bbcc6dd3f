// Package db opens the OneRetail database — embedded SQLite by default, PostgreSQL
// for production — and runs write transactions with retry. The same `$N` SQL runs
// on both; the few dialect differences are methods on DB.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Dialect names the database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is what read helpers need: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is the database handle. On SQLite it holds one writer connection (SQLite has
// a single writer; BEGIN IMMEDIATE avoids upgrade deadlocks) and a read-only pool;
// on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	readers int                // idle reader connections kept (SQLite)
	stop    context.CancelFunc // ends the statistics refresher (SQLite)
}

// Sync says when a SQLite commit reaches the disk (PRAGMA synchronous in WAL mode).
type Sync string

// The SQLite durability settings.
const (
	// SyncFull syncs the write-ahead log at every commit: an acknowledged
	// transaction survives a power loss or an operating-system crash. The default.
	SyncFull Sync = "full"
	// SyncNormal syncs only when the log is checkpointed: a commit survives the
	// process being killed, but the last ones before a power loss or an
	// operating-system crash may be rolled back.
	SyncNormal Sync = "normal"
)

// ParseSync returns the Sync named s ("full" or "normal").
func ParseSync(s string) (Sync, error) {
	switch Sync(strings.ToLower(s)) {
	case SyncFull:
		return SyncFull, nil
	case SyncNormal:
		return SyncNormal, nil
	}
	return "", fmt.Errorf("db: SQLite sync must be full or normal, not %q", s)
}

// Defaults of Options.
const (
	DefaultPostgresConns = 16   // PostgreSQL pool size
	DefaultSQLiteReaders = 4    // SQLite read-only connections (besides the one writer)
	DefaultSQLiteCache   = 2048 // SQLite page cache per connection, KiB (SQLite's own default)
)

// Options tune the connection pools. The zero value is the default.
type Options struct {
	// MaxOpenConns is the PostgreSQL pool size (default DefaultPostgresConns) and the
	// number of SQLite read-only connections (default DefaultSQLiteReaders).
	MaxOpenConns int
	// Sync is SQLite's durability setting; "" means SyncFull.
	Sync Sync
	// CacheKiB bounds SQLite's page cache per connection (default
	// DefaultSQLiteCache). The process holds at most (readers + 1) × CacheKiB of page
	// cache.
	CacheKiB int
	// OptimizeEvery is how often SQLite's planner statistics are refreshed while the
	// database is open (Optimize); 0 means DefaultOptimizeEvery, negative never.
	OptimizeEvery time.Duration
	// Log receives the refresher's failures; nil discards them.
	Log *slog.Logger
}

// Open connects to dsn: a `postgres://` or `postgresql://` URL, or a SQLite file path
// (optionally prefixed with `file:`); the SQLite file's directory is created.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Sync == "" {
		opts.Sync = SyncFull
	}
	if _, err := ParseSync(string(opts.Sync)); err != nil {
		return nil, err
	}
	if opts.CacheKiB <= 0 {
		opts.CacheKiB = DefaultSQLiteCache
	}
	if IsPostgresDSN(dsn) {
		if opts.MaxOpenConns <= 0 {
			opts.MaxOpenConns = DefaultPostgresConns
		}
		return openPostgres(ctx, dsn, opts)
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = DefaultSQLiteReaders
	}
	return openSQLite(ctx, dsn, opts)
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string, opts Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse postgres DSN: %w", err)
	}
	// pgx caches prepared statements per connection, and PostgreSQL may then switch
	// to a generic plan made while a table was still small — a sequential scan that
	// stays in use as the table grows (an import slowed 6x that way). Custom plans
	// are re-made with current sizes; planning these short queries is cheap.
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(opts.MaxOpenConns)
	pool.SetMaxIdleConns(opts.MaxOpenConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: pool, read: pool, readers: opts.MaxOpenConns, stop: func() {}}, nil
}

func openSQLite(ctx context.Context, dsn string, opts Options) (*DB, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return nil, errors.New("db: sqlite needs a file path (in-memory databases cannot share a writer and readers)")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("db: create sqlite directory: %w", err)
		}
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)",
		"synchronous(" + strings.ToUpper(string(opts.Sync)) + ")", fmt.Sprintf("cache_size(-%d)", opts.CacheKiB)} {
		pragmas.Add("_pragma", p)
	}
	writeDSN := "file:" + path + "?" + pragmas.Encode() + "&_txlock=immediate"
	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("db: ping sqlite: %w", err)
	}
	pragmas.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("db: open sqlite readers: %w", err)
	}
	read.SetMaxOpenConns(opts.MaxOpenConns)
	read.SetMaxIdleConns(opts.MaxOpenConns)
	// An idle reader is closed after a while, and its page cache with it.
	read.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: SQLite, write: write, read: read, readers: opts.MaxOpenConns, stop: func() {}}
	if opts.OptimizeEvery == 0 {
		opts.OptimizeEvery = DefaultOptimizeEvery
	}
	if opts.OptimizeEvery > 0 {
		log := opts.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		var loop context.Context
		loop, d.stop = context.WithCancel(context.Background())
		go d.optimizeLoop(loop, opts.OptimizeEvery, log)
	}
	return d, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stop()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Reader returns the pool for queries outside a transaction. On SQLite its
// connections are read-only.
func (db *DB) Reader() *sql.DB { return db.read }

// Writer returns the pool that accepts writes; use Tx rather than writing directly.
func (db *DB) Writer() *sql.DB { return db.write }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// Tx runs fn in a write transaction, committing when fn returns nil. A transaction
// that fails because of SQLite lock contention or a PostgreSQL serialization failure
// or deadlock is retried from the start, so fn must be safe to run more than once;
// when every attempt failed so, the error carries errs.Unavailable (the client may
// retry shortly), never a bare internal error.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	const attempts = 8
	backoff := 5 * time.Millisecond
	var err error
	for range attempts {
		err = db.tryTx(ctx, fn)
		if err == nil || !db.retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	return errors.Join(errs.E(errs.Unavailable, "the database is busy; retry shortly"),
		fmt.Errorf("db: transaction gave up after %d attempts: %w", attempts, err))
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}
