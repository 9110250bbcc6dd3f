package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Rows is a statement that writes many rows at once. Head is the statement up to its
// row source ("INSERT INTO t (tenant_id, a, b)"), Lead the expressions every row starts
// with (placeholders of Fixed: "$1"), Fixed the parameters they refer to, and Tail
// what follows the source (an ON CONFLICT or RETURNING clause).
type Rows struct {
	Head  string
	Lead  string
	Fixed []any
	Tail  string
}

// valuesChunk bounds the rows of one VALUES list, well under SQLite's 32,766
// parameters for rows of up to 80 values.
const valuesChunk = 400

// WriteRows runs w for rows, the values of each row after w.Lead given by values
// (string, int64, float64, bool or nil). each, when not nil, reads the rows the statement
// returns.
//
// On SQLite the rows become VALUES lists of at most valuesChunk rows. On PostgreSQL
// they become one array per column, unnested: one statement whatever the number of
// rows, with text and parameter count that do not grow with them — parsing, planning
// and binding thousands of placeholders cost more than the write itself.
func WriteRows[T any](ctx context.Context, q Querier, d Dialect, w Rows, rows []T, values func(T) []any, each func(*sql.Rows) error) error {
	if len(rows) == 0 {
		return nil
	}
	if d == Postgres {
		query, args, err := unnestSQL(w, rows, values)
		if err != nil {
			return err
		}
		return run(ctx, q, query, args, each)
	}
	for chunk := range slices.Chunk(rows, valuesChunk) {
		query, args := valuesSQL(w, chunk, values)
		if err := run(ctx, q, query, args, each); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, q Querier, query string, args []any, each func(*sql.Rows) error) error {
	if each == nil {
		_, err := q.ExecContext(ctx, query, args...)
		return err
	}
	return EachRow(ctx, q, query, args, each)
}

// EachRow runs a query and calls fn for each row it returns.
func EachRow(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rs, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := fn(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

// valuesSQL is w with a VALUES list of rows. The rows' parameters are not written
// $NNN: SQLite takes $NNN for a name, looks each up among the statement's
// parameters when it parses it and again when the driver binds it (by name), which
// made a statement of thousands of parameters quadratic — most of a bulk insert's
// time. Without Fixed they are anonymous ? (numbered in order, nothing to look up);
// with Fixed, ?NNN (no look-up at parse time), which the driver binds by number as
// it binds the lead's $NNN.
func valuesSQL[T any](w Rows, rows []T, values func(T) []any) (string, []any) {
	var b strings.Builder
	b.WriteString(w.Head + " VALUES ")
	args := slices.Clone(w.Fixed)
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + w.Lead)
		for j, v := range values(r) {
			if j > 0 || w.Lead != "" {
				b.WriteString(", ")
			}
			args = append(args, v)
			if len(w.Fixed) == 0 {
				b.WriteString("?")
			} else {
				b.WriteString("?" + strconv.Itoa(len(args)))
			}
		}
		b.WriteString(")")
	}
	b.WriteString(w.Tail)
	return b.String(), args
}

// unnestSQL is w selecting from one array per column of rows: Head SELECT Lead, the
// columns FROM unnest($k::type[], …). A column's array type comes from its non-nil
// values; a column of nils only is text.
func unnestSQL[T any](w Rows, rows []T, values func(T) []any) (string, []any, error) {
	var cols [][]any
	for i, r := range rows {
		vs := values(r)
		if i == 0 {
			cols = make([][]any, len(vs))
		}
		if len(vs) != len(cols) {
			return "", nil, fmt.Errorf("row %d has %d values, row 0 has %d", i, len(vs), len(cols))
		}
		for j, v := range vs {
			cols[j] = append(cols[j], v)
		}
	}
	args := slices.Clone(w.Fixed)
	sources := make([]string, len(cols))
	names := make([]string, len(cols))
	for j, col := range cols {
		arr, typ, err := pgArray(col)
		if err != nil {
			return "", nil, fmt.Errorf("column %d: %w", j, err)
		}
		args = append(args, arr)
		sources[j] = "$" + strconv.Itoa(len(args)) + "::" + typ + "[]"
		names[j] = "c" + strconv.Itoa(j)
	}
	lead := w.Lead
	if lead != "" {
		lead += ", "
	}
	query := w.Head + " SELECT " + lead + "u." + strings.Join(names, ", u.") +
		" FROM unnest(" + strings.Join(sources, ", ") + ") AS u (" + strings.Join(names, ", ") + ")" + w.Tail
	return query, args, nil
}

// pgArray converts a column of values into a typed slice pgx sends as an array,
// with pointers where the column holds NULLs.
func pgArray(col []any) (any, string, error) {
	kind, nulls := "", false
	for _, v := range col {
		var k string
		switch v.(type) {
		case nil:
			nulls = true
			continue
		case string:
			k = "text"
		case int64:
			k = "bigint"
		case bool:
			k = "boolean"
		case float64:
			k = "double precision"
		default:
			return nil, "", fmt.Errorf("unsupported value type %T", v)
		}
		if kind != "" && kind != k {
			return nil, "", fmt.Errorf("mixed value types %s and %s", kind, k)
		}
		kind = k
	}
	switch kind {
	case "bigint":
		return typed[int64](col, nulls), kind, nil
	case "boolean":
		return typed[bool](col, nulls), kind, nil
	case "double precision":
		return typed[float64](col, nulls), kind, nil
	default:
		return typed[string](col, nulls), "text", nil
	}
}

// typed returns col as []E, or as []*E (nil for NULL) when it has nulls.
func typed[E any](col []any, nulls bool) any {
	if !nulls {
		out := make([]E, len(col))
		for i, v := range col {
			out[i] = v.(E)
		}
		return out
	}
	out := make([]*E, len(col))
	for i, v := range col {
		if v != nil {
			e := v.(E)
			out[i] = &e
		}
	}
	return out
}

// In returns the condition that a column is one of values, for appending after the
// column name, with values appended to args: " IN ($2, $3, …)" on SQLite, " = ANY($2)"
// (one array parameter, whatever the number of values) on PostgreSQL. values must
// not be empty.
func In(d Dialect, args *[]any, values []string) string {
	if d == Postgres {
		*args = append(*args, values)
		return " = ANY($" + strconv.Itoa(len(*args)) + ")"
	}
	// ?NNN, not $NNN: see valuesSQL.
	ph := make([]string, len(values))
	for i, v := range values {
		*args = append(*args, v)
		ph[i] = "?" + strconv.Itoa(len(*args))
	}
	return " IN (" + strings.Join(ph, ", ") + ")"
}

// Placeholders returns "$n, $n+1, …" for values appended to args after the ones
// there.
func Placeholders(args *[]any, values []string) string {
	ph := make([]string, len(values))
	for i, v := range values {
		*args = append(*args, v)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return strings.Join(ph, ", ")
}

// Select is a query for the rows of Table whose Column is one of a list of values:
// SELECT Cols FROM Table WHERE Where AND Column …, with Lock (FOR UPDATE or empty)
// applied to the rows found.
type Select struct {
	Cols   string // unqualified column names
	Table  string
	Where  string // conditions on the parameters already in args
	Column string
	Lock   string
}

// SelectIn returns q for values, which are appended to args (values must not be
// empty). On SQLite Column is matched against an IN list. On PostgreSQL each value is
// one look-up through a LATERAL subquery that OFFSET 0 keeps the planner from
// flattening: a plan no statistics can change. With statistics from when a table was
// small (a fresh or fast-growing table before autovacuum analyses it), Column =
// ANY($n) was planned as a scan of every row of the tenant — slower with every
// batch of a bulk load.
func SelectIn(d Dialect, args *[]any, q Select, values []string) string {
	if d != Postgres {
		return "SELECT " + q.Cols + " FROM " + q.Table + " WHERE " + q.Where + " AND " + q.Column + In(d, args, values) + q.Lock
	}
	*args = append(*args, values)
	return "SELECT " + q.Cols + " FROM unnest($" + strconv.Itoa(len(*args)) + "::text[]) AS probe (probe_value) CROSS JOIN LATERAL (SELECT " +
		q.Cols + " FROM " + q.Table + " WHERE " + q.Where + " AND " + q.Column + " = probe.probe_value OFFSET 0" + q.Lock + ") AS found"
}
