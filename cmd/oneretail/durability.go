package main

import (
	"context"
	"log/slog"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// checkDurability logs at start what "acknowledged" means with this database
// (docs/operations.md, Durability): on SQLite, whether a commit is synced to disk
// before it is acknowledged (--sqlite-sync full, the default) or only at checkpoints;
// on PostgreSQL it warns when the server is configured to acknowledge commits it may
// lose (synchronous_commit or fsync off).
func checkDurability(ctx context.Context, a *app.App, sync db.Sync, log *slog.Logger) {
	if a.DB.Dialect == db.SQLite {
		if sync == db.SyncNormal {
			log.Warn("SQLite runs with --sqlite-sync normal: a write survives the process being killed, but the last acknowledged writes may be lost on a power loss or operating-system crash")
		}
		return
	}
	var syncCommit, fsync string
	err := a.DB.Reader().QueryRowContext(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync')`).Scan(&syncCommit, &fsync)
	if err != nil {
		log.Warn("could not read PostgreSQL's durability settings", "err", err)
		return
	}
	if syncCommit == "off" || fsync == "off" {
		log.Warn("PostgreSQL may lose acknowledged writes on a server crash", "synchronous_commit", syncCommit, "fsync", fsync)
	}
}
