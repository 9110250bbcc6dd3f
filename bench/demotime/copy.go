package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// copyChunk is how many rows the baseline reads from the loaded database and writes
// in one transaction.
const copyChunk = 5000

// sqliteRowsPerInsert bounds one multi-row INSERT on SQLite (positional parameters,
// well under its 32,766 for the widest table).
const sqliteRowsPerInsert = 200

// bulkCopy is the baseline the demo load is measured against: it writes every row the
// load left in src into dst, an empty database with the same schema and indexes, the
// way a competent engineer bulk-loads rows that are already known to be consistent —
// COPY on PostgreSQL, multi-row INSERTs with positional parameters in large
// transactions on SQLite, foreign-key checks off. Only the writes are timed: reading
// src is not. It returns the seconds spent writing and the rows written.
func bulkCopy(ctx context.Context, src, dst *db.DB) (float64, int64, error) {
	tables, err := tableNames(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	conn, err := dst.Writer().Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("baseline connection: %w", err)
	}
	defer conn.Close()
	if err := foreignKeysOff(ctx, conn, dst.Dialect); err != nil {
		return 0, 0, err
	}
	var spent time.Duration
	var written int64
	for _, t := range tables {
		cols, err := insertableColumns(ctx, src, t)
		if err != nil {
			return 0, 0, err
		}
		// Migrations may seed rows; the baseline starts from the same empty tables.
		if _, err := conn.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return 0, 0, fmt.Errorf("empty %s: %w", t, err)
		}
		d, n, err := copyTable(ctx, src, conn, dst.Dialect, t, cols)
		if err != nil {
			return 0, 0, fmt.Errorf("copy %s: %w", t, err)
		}
		spent += d
		written += n
	}
	return spent.Seconds(), written, nil
}

// tableNames lists the application's tables, without the migrations' own.
func tableNames(ctx context.Context, d *db.DB) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`
	if d.Dialect == db.Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var out []string
	err := db.EachRow(ctx, d.Reader(), query, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if name != "goose_db_version" {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return out, nil
}

// insertableColumns lists a table's columns that an INSERT may name (not generated).
func insertableColumns(ctx context.Context, d *db.DB, table string) ([]string, error) {
	query := `SELECT name FROM pragma_table_xinfo($1) WHERE hidden = 0 ORDER BY cid`
	if d.Dialect == db.Postgres {
		query = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
			AND is_generated = 'NEVER' ORDER BY ordinal_position`
	}
	var cols []string
	err := db.EachRow(ctx, d.Reader(), query, []any{table}, func(r *sql.Rows) error {
		var c string
		if err := r.Scan(&c); err != nil {
			return err
		}
		cols = append(cols, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	return cols, nil
}

func foreignKeysOff(ctx context.Context, conn *sql.Conn, d db.Dialect) error {
	stmt := "PRAGMA foreign_keys = OFF"
	if d == db.Postgres {
		stmt = "SET session_replication_role = replica" // skips foreign-key triggers; needs a superuser
	}
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("baseline: %s: %w", stmt, err)
	}
	return nil
}

// copyTable reads table from src in chunks (untimed) and writes each chunk to dst in
// one transaction (timed).
func copyTable(ctx context.Context, src *db.DB, dst *sql.Conn, d db.Dialect, table string, cols []string) (time.Duration, int64, error) {
	list := strings.Join(quoted(cols), ", ")
	rows, err := src.Reader().QueryContext(ctx, "SELECT "+list+" FROM "+table)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var spent time.Duration
	var n int64
	chunk := make([][]any, 0, copyChunk)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		start := time.Now()
		err := writeChunk(ctx, dst, d, table, cols, chunk)
		spent += time.Since(start)
		n += int64(len(chunk))
		chunk = chunk[:0]
		return err
	}
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, 0, err
		}
		chunk = append(chunk, row)
		if len(chunk) == copyChunk {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	return spent, n, flush()
}

func writeChunk(ctx context.Context, conn *sql.Conn, d db.Dialect, table string, cols []string, rows [][]any) error {
	if d == db.Postgres {
		return conn.Raw(func(driverConn any) error {
			_, err := driverConn.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(quoted(cols), ", ") + ") VALUES "
	for lo := 0; lo < len(rows); lo += sqliteRowsPerInsert {
		part := rows[lo:min(lo+sqliteRowsPerInsert, len(rows))]
		args := make([]any, 0, len(part)*len(cols))
		for _, r := range part {
			args = append(args, r...)
		}
		query := head + strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ")
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func quoted(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = `"` + c + `"`
	}
	return out
}
