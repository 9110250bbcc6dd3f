package migrations

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// MigrateTo applies or reverts migrations until the database is at version: what a
// test of a migration that moves data needs (rows written at the version before it,
// then the migration applied and its down checked).
func MigrateTo(ctx context.Context, database *db.DB, version int64) error {
	p, err := provider(ctx, database, sqlFiles())
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrations: version: %w", err)
	}
	if version >= current {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.DownTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrations: to %d: %w", version, err)
	}
	return nil
}
