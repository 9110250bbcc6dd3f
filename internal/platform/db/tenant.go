package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// DeleteTenant deletes every row of one tenant inside tx: the rows of each table
// with a tenant_id column — tables that reference another first, so foreign keys
// hold — and then the tenants row itself. Rows without tenant_id go through
// ON DELETE CASCADE (event deliveries). It returns how many rows it deleted per
// table. It knows no domain: tables are found in the schema, so a table added later
// is covered without change. Use it for a tenant that must vanish whole (an
// interrupted demo load), never for a tenant in use.
func (db *DB) DeleteTenant(ctx context.Context, tx *sql.Tx, tenantID string) (map[string]int64, error) {
	tables, refs, err := db.tenantTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	order, err := childrenFirst(tables, refs)
	if err != nil {
		return nil, err
	}
	deleted := map[string]int64{}
	for _, t := range order {
		// t comes from the schema catalogue, never from input.
		res, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE tenant_id = $1`, tenantID)
		if err != nil {
			return nil, fmt.Errorf("db: delete tenant rows of %s: %w", t, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			deleted[t] = n
		}
	}
	if ok, err := db.TableExists(ctx, tx, "tenants"); err != nil {
		return nil, err
	} else if ok {
		res, err := tx.ExecContext(ctx, `DELETE FROM tenants WHERE id = $1`, tenantID)
		if err != nil {
			return nil, fmt.Errorf("db: delete tenant: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			deleted["tenants"] = n
		}
	}
	return deleted, nil
}

// tenantTables lists the tables with a tenant_id column and the foreign keys
// between tables (child → parents).
func (db *DB) tenantTables(ctx context.Context, q Querier) ([]string, map[string][]string, error) {
	tablesQuery := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name`
	refsQuery := `SELECT m.name, f."table" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
	if db.Dialect == Postgres {
		tablesQuery = `SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' AND NOT a.attisdropped
			ORDER BY c.relname`
		refsQuery = `SELECT ch.relname, pa.relname FROM pg_constraint k
			JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
			WHERE k.contype = 'f' AND ch.relnamespace = current_schema()::regnamespace`
	}
	var tables []string
	if err := queryStrings(ctx, q, tablesQuery, func(s ...string) { tables = append(tables, s[0]) }); err != nil {
		return nil, nil, fmt.Errorf("db: list tenant tables: %w", err)
	}
	refs := map[string][]string{}
	if err := queryStrings(ctx, q, refsQuery, func(s ...string) { refs[s[0]] = append(refs[s[0]], s[1]) }); err != nil {
		return nil, nil, fmt.Errorf("db: list foreign keys: %w", err)
	}
	return tables, refs, nil
}

func queryStrings(ctx context.Context, q Querier, query string, each func(...string)) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		each(vals...)
	}
	return rows.Err()
}

// childrenFirst orders tables so that a table comes before every table it
// references (self-references aside).
func childrenFirst(tables []string, refs map[string][]string) ([]string, error) {
	referencedBy := map[string]int{} // how many not-yet-deleted tables reference each
	for _, child := range tables {
		for _, parent := range refs[child] {
			if parent != child && slices.Contains(tables, parent) {
				referencedBy[parent]++
			}
		}
	}
	var order []string
	done := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t] || referencedBy[t] > 0 {
				continue
			}
			done[t], progress = true, true
			order = append(order, t)
			for _, parent := range refs[t] {
				if parent != t && slices.Contains(tables, parent) {
					referencedBy[parent]--
				}
			}
		}
		if !progress {
			return nil, fmt.Errorf("db: foreign keys between tenant tables form a cycle")
		}
	}
	return order, nil
}
