// Package benchdb gives the benchmark commands a fresh, empty database.
package benchdb

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Fresh returns a DSN for an empty database: for a postgres:// DSN a new schema in
// that database, otherwise a new SQLite file in the directory dirOrDSN. The returned
// function drops it.
func Fresh(dirOrDSN, name string) (string, func(), error) {
	suffix := strings.ReplaceAll(ids.New(), "-", "")
	if !db.IsPostgresDSN(dirOrDSN) {
		path := filepath.Join(dirOrDSN, name+"-"+suffix+".db")
		return path, func() {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(path + s)
			}
		}, nil
	}
	schema := name + "_" + suffix
	admin, err := sql.Open("pgx", dirOrDSN)
	if err != nil {
		return "", nil, fmt.Errorf("benchdb: %w", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("benchdb: create schema: %w", err)
	}
	u, err := url.Parse(dirOrDSN)
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("benchdb: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }, nil
}
