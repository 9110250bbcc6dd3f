package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// loadTx is how many events one load transaction writes.
const loadTx = 50_000

// The events to load, made by the database itself (a recursive CTE on SQLite,
// generate_series on PostgreSQL) so that loading a million takes seconds: event i
// has an id that sorts by i, one of five types, a small JSON payload, and was
// published, and fell due, i milliseconds after $3.
const (
	loadSQLite = `WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $2)
		INSERT INTO outbox_events (tenant_id, id, type, aggregate_id, payload, created_at, next_attempt_at)
		SELECT 'bench-tenant', printf('0190a000-0000-7000-8000-%012d', i),` + loadColumns + ` FROM s`
	loadPostgres = `INSERT INTO outbox_events (tenant_id, id, type, aggregate_id, payload, created_at, next_attempt_at)
		SELECT 'bench-tenant', '0190a000-0000-7000-8000-' || lpad(i::text, 12, '0'),` + loadColumns + `
		FROM generate_series($1::bigint, $2::bigint - 1) AS s (i)`
	loadColumns = ` CASE i % 5 WHEN 0 THEN 'order.completed' WHEN 1 THEN 'identity.customer.created'
		WHEN 2 THEN 'catalog.sku.updated' WHEN 3 THEN 'promotion.activated' ELSE 'identity.event.ingested' END,
		'agg-' || (i % 10000), '{"order_id":"o-' || i || '","total_fen":' || (i % 100000) || ',"lines":3}', $3 + i, $3 + i`
)

// load writes n pending events, the same in every database, and analyses the table
// so that both databases start with statistics.
func load(ctx context.Context, d *db.DB, n int, progress func(int)) error {
	query := loadSQLite
	if d.Dialect == db.Postgres {
		query = loadPostgres
	}
	base := clock.Millis(time.Now().Add(-time.Hour))
	for from := 0; from < n; from += loadTx {
		to := min(from+loadTx, n)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, query, int64(from), int64(to), base)
			return err
		})
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		progress(to)
	}
	analyse := "ANALYZE"
	if d.Dialect == db.Postgres {
		analyse = "VACUUM ANALYZE outbox_events"
	}
	if _, err := d.Writer().ExecContext(ctx, analyse); err != nil {
		return fmt.Errorf("load: %s: %w", analyse, err)
	}
	return nil
}
