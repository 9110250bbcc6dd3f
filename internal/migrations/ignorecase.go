package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// CaseConflict is a set of rows whose codes differ only in case, in one table and
// one tenant (Scope: the other columns' values; empty for the tenants table).
type CaseConflict struct {
	Table string
	Scope string
	Codes string // the smallest and the largest of them, "POS-1 / pos-1"
	Rows  int
}

// CaseConflictError is returned by Up, having applied nothing, when a pending
// migration makes codes unique regardless of case and the database holds codes that
// differ only in case: they are reported, never merged or renamed.
type CaseConflictError struct {
	File      string
	Conflicts []CaseConflict
}

func (e *CaseConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = fmt.Sprintf("%s %s (%d rows)", c.Table, c.Codes, c.Rows)
		if c.Scope != "" {
			parts[i] = fmt.Sprintf("%s %s in tenant %s (%d rows)", c.Table, c.Codes, c.Scope, c.Rows)
		}
	}
	return fmt.Sprintf("migrations: %s makes codes unique regardless of case, and these differ only in case: %s. "+
		"Nothing was applied. Give one of each a different code (with the version you run now: the console, the API, "+
		"or SQL), then start again", e.File, strings.Join(parts, "; "))
}

// maxCaseConflicts bounds the conflicts reported per table.
const maxCaseConflicts = 20

// caseConflicts returns a *CaseConflictError when a pending migration declares
// `unique-ignoring-case` columns whose rows already collide. A table that does not
// exist yet is created empty by an earlier pending migration.
func caseConflicts(ctx context.Context, database *db.DB, fsys fs.FS) error {
	return eachPending(ctx, database, fsys, func(_ int64, name string, decl declaration) error {
		e := &CaseConflictError{File: name}
		for _, d := range decl.ignoringCase {
			found, err := collisions(ctx, database, d[0], d[1:len(d)-1], d[len(d)-1])
			if err != nil {
				return fmt.Errorf("migrations: check %s before %s: %w", d[0], name, err)
			}
			e.Conflicts = append(e.Conflicts, found...)
		}
		if len(e.Conflicts) > 0 {
			return e
		}
		return nil
	})
}

// collisions lists the values of column in table that differ only in case within
// the same values of scope. Names come from the embedded migration files, never from
// input.
func collisions(ctx context.Context, database *db.DB, table string, scope []string, column string) ([]CaseConflict, error) {
	exists, err := database.TableExists(ctx, database.Writer(), table)
	if err != nil || !exists {
		return nil, err
	}
	scopeExpr, group := "''", "lower(x."+column+")"
	if len(scope) > 0 {
		shown := make([]string, len(scope))
		for i, c := range scope {
			shown[i] = "x." + c
			if c == "tenant_id" { // the operator knows tenants by code
				shown[i] = "(SELECT tn.code FROM tenants tn WHERE tn.id = x.tenant_id)"
			}
			group = "x." + c + ", " + group
		}
		scopeExpr = strings.Join(shown, " || ' ' || ")
	}
	query := fmt.Sprintf(`SELECT %s, MIN(x.%s), MAX(x.%s), COUNT(*) FROM %s x GROUP BY %s HAVING COUNT(*) > 1 ORDER BY 2 LIMIT %d`,
		scopeExpr, column, column, table, group, maxCaseConflicts)
	var out []CaseConflict
	err = db.EachRow(ctx, database.Writer(), query, nil, func(rows *sql.Rows) error {
		c := CaseConflict{Table: table}
		var lo, hi string
		if err := rows.Scan(&c.Scope, &lo, &hi, &c.Rows); err != nil {
			return err
		}
		c.Codes = lo + " / " + hi
		out = append(out, c)
		return nil
	})
	return out, err
}
