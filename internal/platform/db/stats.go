package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// AnalysisLimit bounds the rows SQLite's ANALYZE reads per index (PRAGMA
// analysis_limit): statistics good enough to choose between indexes, in
// milliseconds per table whatever its size.
const AnalysisLimit = 1000

// DefaultOptimizeEvery is how often a serving process refreshes SQLite's statistics
// (Options.OptimizeEvery).
const DefaultOptimizeEvery = time.Hour

// Optimize refreshes the query planner's statistics where they are missing or stale.
// On SQLite it runs PRAGMA optimize over every table (mask 0x10002: tables whose
// indexes were never analysed or that grew 25-fold since), each read up to
// AnalysisLimit rows per index; reader connections opened before it are retired so
// that every query plans with the new statistics. On PostgreSQL autovacuum keeps
// statistics and Optimize does nothing; after a bulk load use Analyze.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: optimize: %w", err)
	}
	defer conn.Close()
	for _, stmt := range []string{fmt.Sprintf("PRAGMA analysis_limit = %d", AnalysisLimit), "PRAGMA optimize = 0x10002"} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("db: optimize: %s: %w", stmt, err)
		}
	}
	db.retireReaders()
	return nil
}

// retireReaders closes the idle reader connections: a SQLite connection reads the
// statistics when it loads the schema, and new statistics do not change the schema,
// so only new connections see them. Connections in use are closed when returned.
func (db *DB) retireReaders() {
	if db.read == db.write {
		return
	}
	db.read.SetMaxIdleConns(0)
	db.read.SetMaxIdleConns(db.readers)
}

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Analyze refreshes the statistics of tables after a bulk load wrote many of their
// rows: ANALYZE of those tables on PostgreSQL (autovacuum may take minutes to notice,
// and plans made meanwhile assume the tables are small), Optimize on SQLite. Table
// names must be plain identifiers.
func (db *DB) Analyze(ctx context.Context, tables ...string) error {
	if db.Dialect != Postgres {
		return db.Optimize(ctx)
	}
	if len(tables) == 0 {
		return nil
	}
	for _, t := range tables {
		if !tableName.MatchString(t) {
			return fmt.Errorf("db: analyze: %q is not a table name", t)
		}
	}
	if _, err := db.write.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("db: analyze %s: %w", strings.Join(tables, ", "), err)
	}
	return nil
}

// AnalyzeAll refreshes the statistics of every table: ANALYZE of each table of the
// current schema on PostgreSQL, Optimize on SQLite. For after an upgrade, whose
// migrations may have rebuilt or filled tables.
func (db *DB) AnalyzeAll(ctx context.Context) error {
	if db.Dialect != Postgres {
		return db.Optimize(ctx)
	}
	var tables []string
	err := EachRow(ctx, db.write, `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
		AND relkind = 'r' ORDER BY relname`, nil, func(r *sql.Rows) error {
		var t string
		if err := r.Scan(&t); err != nil {
			return err
		}
		tables = append(tables, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: analyze all: %w", err)
	}
	return db.Analyze(ctx, tables...)
}

// optimizeLoop runs Optimize every interval until ctx is done, logging failures.
func (db *DB) optimizeLoop(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			start := time.Now()
			if err := db.Optimize(ctx); err != nil && ctx.Err() == nil {
				log.Warn("sqlite statistics not refreshed", "err", err)
				continue
			}
			log.Debug("sqlite statistics refreshed", "duration", time.Since(start))
		}
	}
}
