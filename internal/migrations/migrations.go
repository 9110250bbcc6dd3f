// Package migrations holds the versioned schema of OneRetail — one set of numbered
// `.sql` files that runs unchanged on SQLite and PostgreSQL — and applies it with goose.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/oneretail/oneretail/internal/platform/db"
)

//go:embed sql/*.sql
var files embed.FS

// Up applies every pending migration and returns how many it applied. On PostgreSQL a
// session advisory lock keeps nodes that start together from racing on DDL.
func Up(ctx context.Context, database *db.DB, log *slog.Logger) (int, error) {
	p, err := provider(database)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: up: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return len(results), nil
}

// Status returns the applied and pending versions.
func Status(ctx context.Context, database *db.DB) ([]*goose.MigrationStatus, error) {
	p, err := provider(database)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: status: %w", err)
	}
	return st, nil
}

func provider(database *db.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: embedded files: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if database.Dialect == db.Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, database.Writer(), sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: provider: %w", err)
	}
	return p, nil
}
