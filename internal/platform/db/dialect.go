package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// retryable reports whether err is a transient concurrency failure worth retrying.
func (db *DB) retryable(err error) bool {
	switch db.Dialect {
	case Postgres:
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return pgErr.Code == "40001" || pgErr.Code == "40P01"
		}
	case SQLite:
		var sqErr *sqlite.Error
		if errors.As(err, &sqErr) {
			code := sqErr.Code() & 0xff
			return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a unique or primary-key constraint
// violation on either engine.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key violation on either engine.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Like returns the case-insensitive substring-match operator for this engine.
// SQLite's LIKE is already case-insensitive for ASCII; PostgreSQL needs ILIKE.
func (db *DB) Like() string {
	if db.Dialect == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// EscapeLike escapes the LIKE wildcards in s and wraps it in % for a substring match;
// queries using it must say `ESCAPE '\'`.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// TableExists reports whether a table named name exists: in the database on SQLite,
// on the search path on PostgreSQL.
func (db *DB) TableExists(ctx context.Context, q Querier, name string) (bool, error) {
	query := `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.Dialect == Postgres {
		query = `SELECT to_regclass($1) IS NOT NULL`
	}
	var ok bool
	if err := q.QueryRowContext(ctx, query, name).Scan(&ok); err != nil {
		return false, fmt.Errorf("db: does table %s exist: %w", name, err)
	}
	return ok, nil
}

// ForUpdate returns the row-lock suffix of a SELECT inside a write transaction:
// " FOR UPDATE" on PostgreSQL; nothing on SQLite, whose write transactions are
// serialised by BEGIN IMMEDIATE.
func (d Dialect) ForUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
