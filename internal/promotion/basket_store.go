package promotion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

const basketSetColumns = `id, tenant_id, name, orders, lines, first_order_at, last_order_at, created_at`

func scanBasketSet(r scanner) (BasketSet, error) {
	var b BasketSet
	var first, last sql.NullInt64
	var created int64
	if err := r.Scan(&b.ID, &b.TenantID, &b.Name, &b.Orders, &b.Lines, &first, &last, &created); err != nil {
		return b, err
	}
	if first.Valid {
		t := clock.FromMillis(first.Int64)
		b.FirstOrderAt = &t
	}
	if last.Valid {
		t := clock.FromMillis(last.Int64)
		b.LastOrderAt = &t
	}
	b.CreatedAt = clock.FromMillis(created)
	return b, nil
}

func insertBasketSet(ctx context.Context, q querier, b BasketSet) error {
	_, err := q.ExecContext(ctx, `INSERT INTO basket_sets (`+basketSetColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		b.ID, b.TenantID, b.Name, b.Orders, b.Lines, nullMillis(b.FirstOrderAt), nullMillis(b.LastOrderAt), clock.Millis(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert basket set: %w", err)
	}
	return nil
}

// basketColumnsSQL are the columns of basket_lines in insert order.
const basketColumnsSQL = `basket_set_id, line_no, order_id, ordered_at, store_id, channel, customer_id, customer_tier,
	sku_id, category_id, brand_id, quantity, unit_price_fen, unit_cost_fen`

func basketRow(setID string, n int, l BasketLine) []any {
	return []any{setID, n, l.OrderID, clock.Millis(l.OrderedAt), l.StoreID, l.Channel, l.CustomerID, l.CustomerTier,
		l.SKUID, l.CategoryID, l.BrandID, l.Quantity, l.UnitPriceFen, nullInt(l.UnitCostFen)}
}

// insertBasketLines writes lines numbered from 1. On PostgreSQL it sends multi-row
// INSERTs of 100 rows (one round trip each; 500 was slower, measured); on SQLite, where there is no round trip
// and modernc was ten times slower with thousands of parameters per statement
// (measured), one prepared single-row INSERT.
func insertBasketLines(ctx context.Context, tx *sql.Tx, dialect db.Dialect, setID string, lines []BasketLine) error {
	if dialect == db.Postgres {
		return insertBasketBatches(ctx, tx, 100, setID, lines)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO basket_lines (`+basketColumnsSQL+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`)
	if err != nil {
		return fmt.Errorf("insert basket lines: %w", err)
	}
	defer stmt.Close()
	for i, l := range lines {
		if _, err := stmt.ExecContext(ctx, basketRow(setID, i+1, l)...); err != nil {
			return fmt.Errorf("insert basket line %d: %w", i+1, err)
		}
	}
	return nil
}

func insertBasketBatches(ctx context.Context, tx *sql.Tx, rowsPerInsert int, setID string, lines []BasketLine) error {
	for start := 0; start < len(lines); start += rowsPerInsert {
		batch := lines[start:min(start+rowsPerInsert, len(lines))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO basket_lines (` + basketColumnsSQL + `) VALUES `)
		args := make([]any, 0, len(batch)*14)
		for i, l := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for c := 1; c <= 14; c++ {
				if c > 1 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "$%d", len(args)+c)
			}
			sb.WriteString(")")
			args = append(args, basketRow(setID, start+i+1, l)...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert basket lines %d..: %w", start+1, err)
		}
	}
	return nil
}

func getBasketSet(ctx context.Context, q querier, tenantID, id string) (BasketSet, error) {
	b, err := scanBasketSet(q.QueryRowContext(ctx, `SELECT `+basketSetColumns+` FROM basket_sets WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "basket set %s not found", id)
	}
	return b, err
}

func findBasketSets(ctx context.Context, q querier, tenantID, after string, limit int) ([]BasketSet, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+basketSetColumns+` FROM basket_sets WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BasketSet
	for rows.Next() {
		b, err := scanBasketSet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// basketLines returns a set's lines ordered at or after from and before to, in file
// order.
func basketLines(ctx context.Context, q querier, setID string, from, to int64) ([]BasketLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT line_no, order_id, ordered_at, store_id, channel, customer_id, customer_tier,
		sku_id, category_id, brand_id, quantity, unit_price_fen, unit_cost_fen FROM basket_lines
		WHERE basket_set_id = $1 AND ordered_at >= $2 AND ordered_at < $3 ORDER BY line_no`, setID, from, to)
	if err != nil {
		return nil, fmt.Errorf("basket lines: %w", err)
	}
	defer rows.Close()
	var out []BasketLine
	for rows.Next() {
		var l BasketLine
		var at int64
		var cost sql.NullInt64
		if err := rows.Scan(&l.Line, &l.OrderID, &at, &l.StoreID, &l.Channel, &l.CustomerID, &l.CustomerTier, &l.SKUID,
			&l.CategoryID, &l.BrandID, &l.Quantity, &l.UnitPriceFen, &cost); err != nil {
			return nil, err
		}
		l.OrderedAt, l.UnitCostFen = clock.FromMillis(at), ptrOf(cost)
		out = append(out, l)
	}
	return out, rows.Err()
}

func insertSimulation(ctx context.Context, q querier, tenantID string, r SimulationReport, report []byte) error {
	_, err := q.ExecContext(ctx, `INSERT INTO promotion_simulations (id, tenant_id, basket_set_id, report, created_at) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, tenantID, r.BasketSetID, string(report), clock.Millis(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert simulation: %w", err)
	}
	return nil
}

func getSimulation(ctx context.Context, q querier, tenantID, id string) ([]byte, error) {
	var report string
	err := q.QueryRowContext(ctx, `SELECT report FROM promotion_simulations WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&report)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "simulation %s not found", id)
	}
	return []byte(report), err
}
