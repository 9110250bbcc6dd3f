package db

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
)

// LockMode is how a transaction holds a named lock (XactLock).
type LockMode bool

// The lock modes: any number of transactions hold a lock Shared at once; one holds
// it Exclusive, alone.
const (
	Shared    LockMode = true
	Exclusive LockMode = false
)

// XactLock takes the lock named key in tx, waiting for it, until tx ends. On
// PostgreSQL it is an advisory lock on a 64-bit hash of key
// (pg_advisory_xact_lock[_shared]); a waiting Exclusive request queues later Shared
// ones behind it, so it is not starved. SQLite serialises write transactions (BEGIN
// IMMEDIATE): each already holds every lock alone, and XactLock does nothing. Take
// it first in a transaction, before any row lock, so that it cannot take part in a
// deadlock.
func XactLock(ctx context.Context, tx *sql.Tx, d Dialect, key string, mode LockMode) error {
	if d != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	fn := "pg_advisory_xact_lock"
	if mode == Shared {
		fn = "pg_advisory_xact_lock_shared"
	}
	if _, err := tx.ExecContext(ctx, `SELECT `+fn+`($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("db: lock %s: %w", key, err)
	}
	return nil
}
