package audience

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func millis(t time.Time) int64 { return clock.Millis(t) }

func fromMillis(ms int64) time.Time { return clock.FromMillis(ms) }

const tagCols = `id, tenant_id, code, name, group_name, kind, value_type, enum_values, expression, description, status, created_at, updated_at`

func scanTag(row interface{ Scan(...any) error }) (TagDefinition, error) {
	var t TagDefinition
	var enum string
	var created, updated int64
	if err := row.Scan(&t.ID, &t.TenantID, &t.Code, &t.Name, &t.Group, &t.Kind, &t.ValueType, &enum, &t.Expression, &t.Description,
		&t.Status, &created, &updated); err != nil {
		return TagDefinition{}, err
	}
	if err := json.Unmarshal([]byte(enum), &t.EnumValues); err != nil {
		return TagDefinition{}, fmt.Errorf("enum values of tag %s: %w", t.ID, err)
	}
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	return t, nil
}

func insertTag(ctx context.Context, tx *sql.Tx, t TagDefinition) error {
	enum, err := json.Marshal(nonNil(t.EnumValues))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audience_tag_definitions (`+tagCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		t.ID, t.TenantID, t.Code, t.Name, t.Group, t.Kind, t.ValueType, string(enum), t.Expression, t.Description, t.Status,
		millis(t.CreatedAt), millis(t.UpdatedAt))
	if db.IsUniqueViolation(err) {
		return errs.Field("body.code", "a tag with code %s exists", t.Code)
	}
	return err
}

func updateTag(ctx context.Context, tx *sql.Tx, t TagDefinition) error {
	enum, err := json.Marshal(nonNil(t.EnumValues))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE audience_tag_definitions SET name = $3, group_name = $4, enum_values = $5, expression = $6,
		description = $7, status = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`,
		t.TenantID, t.ID, t.Name, t.Group, string(enum), t.Expression, t.Description, t.Status, millis(t.UpdatedAt))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func findTag(ctx context.Context, q db.Querier, tenantID, id string) (TagDefinition, error) {
	t, err := scanTag(q.QueryRowContext(ctx, `SELECT `+tagCols+` FROM audience_tag_definitions WHERE tenant_id = $1 AND id = $2`,
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return TagDefinition{}, errs.E(errs.NotFound, "tag not found")
	}
	return t, err
}

func findTagByCode(ctx context.Context, q db.Querier, tenantID, code string) (TagDefinition, error) {
	t, err := scanTag(q.QueryRowContext(ctx, `SELECT `+tagCols+` FROM audience_tag_definitions
		WHERE tenant_id = $1 AND lower(code) = lower($2)`, tenantID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return TagDefinition{}, errs.E(errs.NotFound, "tag %s not found", code)
	}
	return t, err
}

// TagFilter narrows a tag list.
type TagFilter struct {
	Group  string
	Kind   TagKind
	Status Status
	Limit  int
	Cursor string // the code of the last tag of the previous page
}

// findTags pages the tag library by code, building the WHERE clause from the filters
// that are set.
func findTags(ctx context.Context, q db.Querier, tenantID string, f TagFilter, limit int) ([]TagDefinition, error) {
	where, args := `tenant_id = $1 AND code > $2`, []any{tenantID, f.Cursor}
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where += fmt.Sprintf(" AND %s = $%d", col, len(args))
		}
	}
	add("group_name", f.Group)
	add("kind", string(f.Kind))
	add("status", string(f.Status))
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+tagCols+` FROM audience_tag_definitions WHERE `+where+
		fmt.Sprintf(` ORDER BY code LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TagDefinition{}
	for rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// allTags returns every tag definition of a tenant (the index and the rule
// evaluator need them all; a tag library holds thousands, not millions).
func allTags(ctx context.Context, q db.Querier, tenantID string) ([]TagDefinition, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+tagCols+` FROM audience_tag_definitions WHERE tenant_id = $1 ORDER BY code`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TagDefinition
	for rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// countTagCustomers returns how many customers hold a value of each of ids.
func countTagCustomers(ctx context.Context, q db.Querier, d db.Dialect, tenantID string, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	in := db.In(d, &args, ids)
	err := db.EachRow(ctx, q, `SELECT tag_id, COUNT(*) FROM audience_tag_values WHERE tenant_id = $1 AND tag_id `+in+` GROUP BY tag_id`,
		args, func(rs *sql.Rows) error {
			var id string
			var n int64
			if err := rs.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
			return nil
		})
	return out, err
}

// tagValueRow is a value to write.
type tagValueRow struct {
	TagID      string
	CustomerID string
	Value      string
	Num        *float64
	Source     string
}

// upsertTagValues writes tag values. Values with and without a number go in two
// statements: a column of NULLs only has no type PostgreSQL could infer.
func upsertTagValues(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, now time.Time, rows []tagValueRow) error {
	var numbered, plain []tagValueRow
	for _, r := range rows {
		if r.Num != nil {
			numbered = append(numbered, r)
		} else {
			plain = append(plain, r)
		}
	}
	const conflict = ` ON CONFLICT (tenant_id, tag_id, customer_id) DO UPDATE SET value = excluded.value, value_num = excluded.value_num,
			source = excluded.source, updated_at = excluded.updated_at`
	err := db.WriteRows(ctx, tx, d, db.Rows{
		Head: `INSERT INTO audience_tag_values (tenant_id, updated_at, tag_id, customer_id, value, value_num, source)`,
		Lead: "$1, $2", Fixed: []any{tenantID, millis(now)}, Tail: conflict,
	}, numbered, func(r tagValueRow) []any { return []any{r.TagID, r.CustomerID, r.Value, *r.Num, r.Source} }, nil)
	if err != nil {
		return err
	}
	return db.WriteRows(ctx, tx, d, db.Rows{
		Head: `INSERT INTO audience_tag_values (tenant_id, updated_at, tag_id, customer_id, value, source)`,
		Lead: "$1, $2", Fixed: []any{tenantID, millis(now)}, Tail: conflict,
	}, plain, func(r tagValueRow) []any { return []any{r.TagID, r.CustomerID, r.Value, r.Source} }, nil)
}

func deleteTagValue(ctx context.Context, tx *sql.Tx, tenantID, tagID, customerID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM audience_tag_values WHERE tenant_id = $1 AND tag_id = $2 AND customer_id = $3`,
		tenantID, tagID, customerID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// customerTagValues returns a customer's tag values, named.
func customerTagValues(ctx context.Context, q db.Querier, tenantID, customerID string) ([]TagValue, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.tag_id, t.code, t.name, t.value_type, v.customer_id, v.value, v.source, v.updated_at
		FROM audience_tag_values v JOIN audience_tag_definitions t ON t.id = v.tag_id
		WHERE v.tenant_id = $1 AND v.customer_id = $2 ORDER BY t.group_name, t.code`, tenantID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TagValue{}
	for rows.Next() {
		var v TagValue
		var at int64
		if err := rows.Scan(&v.TagID, &v.TagCode, &v.TagName, &v.ValueType, &v.CustomerID, &v.Value, &v.Source, &at); err != nil {
			return nil, err
		}
		v.UpdatedAt = fromMillis(at)
		out = append(out, v)
	}
	return out, rows.Err()
}
