package migrations

import (
	"context"
	"io/fs"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// UpFiles is Up over the given migration files: tests build databases as older
// builds, which embedded fewer files, made them.
func UpFiles(ctx context.Context, d *db.DB, opts Options, fsys fs.FS) ([]Applied, error) {
	return up(ctx, d, opts, fsys)
}

// Files returns the embedded migration files.
func Files() fs.FS { return sqlFiles() }

// Declared returns the tables a migration file declares it removes rows from and
// those it declares it keeps.
func Declared(src []byte) (removes, keeps []string) {
	d := declarations(src)
	return d.removes, d.keeps
}
