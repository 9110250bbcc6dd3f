package db_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
)

func pragma(t *testing.T, pool *sql.DB, name string) int {
	t.Helper()
	var v int
	if err := pool.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestDurability06_SQLiteSyncsEveryCommitByDefault: SQLite used to run with
// synchronous=NORMAL, so a power loss or OS crash could roll back acknowledged
// commits. The default is now FULL (2) on every connection; NORMAL (1) is an
// explicit choice.
func TestDurability06_SQLiteSyncsEveryCommitByDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sync db.Sync
		want int
	}{
		{name: "default", sync: "", want: 2},
		{name: "full", sync: db.SyncFull, want: 2},
		{name: "normal", sync: db.SyncNormal, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "sync.db"), db.Options{Sync: tt.sync})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if w, r := pragma(t, d.Writer(), "synchronous"), pragma(t, d.Reader(), "synchronous"); w != tt.want || r != tt.want {
				t.Errorf("synchronous = %d on the writer, %d on a reader; want %d", w, r, tt.want)
			}
		})
	}
	if _, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "bad.db"), db.Options{Sync: "sometimes"}); err == nil {
		t.Error("an unknown sync setting was accepted")
	}
	if s, err := db.ParseSync("NORMAL"); err != nil || s != db.SyncNormal {
		t.Errorf("ParseSync(NORMAL) = %q, %v", s, err)
	}
}

// TestMemory07_SQLiteCachesAreBounded: memory outside the Go heap grew with the
// page caches of 17 SQLite connections (16 readers and the writer, 2 MiB each by
// default, filled as the database grew). The reader pool is now 4 by default and
// each connection's cache is set explicitly, so the page cache is bounded by
// (readers + 1) × CacheKiB.
func TestMemory07_SQLiteCachesAreBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        db.Options
		readers     int
		wantPragmas int
	}{
		{name: "default", opts: db.Options{}, readers: db.DefaultSQLiteReaders, wantPragmas: -db.DefaultSQLiteCache},
		{name: "set", opts: db.Options{MaxOpenConns: 2, CacheKiB: 512}, readers: 2, wantPragmas: -512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "cache.db"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if n := d.Reader().Stats().MaxOpenConnections; n != tt.readers {
				t.Errorf("reader pool holds up to %d connections, want %d", n, tt.readers)
			}
			if n := d.Writer().Stats().MaxOpenConnections; n != 1 {
				t.Errorf("writer pool holds up to %d connections, want 1", n)
			}
			if w, r := pragma(t, d.Writer(), "cache_size"), pragma(t, d.Reader(), "cache_size"); w != tt.wantPragmas || r != tt.wantPragmas {
				t.Errorf("cache_size = %d on the writer, %d on a reader; want %d (KiB)", w, r, tt.wantPragmas)
			}
		})
	}
}
