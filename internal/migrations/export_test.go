package migrations

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// UpTo applies the migrations up to and including version, for tests of a
// migration that moves data.
func UpTo(ctx context.Context, database *db.DB, version int64) error {
	p, err := provider(database)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: up to %d: %w", version, err)
	}
	return nil
}
