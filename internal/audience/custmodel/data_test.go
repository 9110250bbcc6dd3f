package custmodel_test

import (
	"errors"

	"encoding/csv"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"os"
	"path/filepath"
	"testing"
)

// dataDir returns the directory of a shared data set (for example "cdnow"): the one in
// $ONERETAIL_DATA_DIR when set, otherwise the first shared/data/<name> found walking up
// from the package directory (in /work this is /work/shared/data/<name>). It skips the
// test when the data set is absent.
func dataDir(tb testing.TB, name string) string {
	tb.Helper()
	if d := os.Getenv("ONERETAIL_DATA_DIR"); d != "" {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err != nil {
			tb.Skipf("data set %s not found in ONERETAIL_DATA_DIR=%s: %v", name, d, err)
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skipf("data set %s not found: set ONERETAIL_DATA_DIR or put it in a shared/data/%s directory above the package", name, name)
		}
		dir = parent
	}
}

// readCSV reads a CSV file with a header and returns the data rows.
func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return rows[1:]
}

func asErr(err error, target **errs.Error) bool { return errors.As(err, target) }
