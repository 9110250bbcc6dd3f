package promotion

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/clock"
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

// basketChunkLines is the number of lines stored per basket_chunks row.
const basketChunkLines = 2000

// chunkLine is a basket line as stored: a JSON array
// [order_id, ordered_at ms, store_id, channel, customer_id, customer_tier, sku_id,
// category_id, brand_id, quantity, unit_price_fen, unit_cost_fen|null, file line].
type chunkLine [13]any

// insertBasketLines writes lines in chunks of basketChunkLines, in file order.
func insertBasketLines(ctx context.Context, tx *sql.Tx, setID string, lines []BasketLine) error {
	for start, n := 0, 0; start < len(lines); start, n = start+basketChunkLines, n+1 {
		chunk := lines[start:min(start+basketChunkLines, len(lines))]
		rows := make([]chunkLine, len(chunk))
		first, last := chunk[0].OrderedAt, chunk[0].OrderedAt
		for i, l := range chunk {
			rows[i] = chunkLine{l.OrderID, clock.Millis(l.OrderedAt), l.StoreID, l.Channel, l.CustomerID, l.CustomerTier,
				l.SKUID, l.CategoryID, l.BrandID, l.Quantity, l.UnitPriceFen, l.UnitCostFen, l.Line}
			if l.OrderedAt.Before(first) {
				first = l.OrderedAt
			}
			if l.OrderedAt.After(last) {
				last = l.OrderedAt
			}
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return fmt.Errorf("encode basket chunk: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO basket_chunks (basket_set_id, chunk_no, first_at, last_at, lines) VALUES ($1, $2, $3, $4, $5)`,
			setID, n, clock.Millis(first), clock.Millis(last), string(b)); err != nil {
			return fmt.Errorf("insert basket chunk %d: %w", n, err)
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

// storedLine is chunkLine as decoded.
type storedLine struct {
	OrderID, StoreID, Channel, CustomerID, CustomerTier, SKUID, CategoryID, BrandID string
	At, Quantity, UnitPriceFen                                                      int64
	UnitCostFen                                                                     *int64
	Line                                                                            int
}

// UnmarshalJSON reads the array form of chunkLine.
func (l *storedLine) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &[]any{&l.OrderID, &l.At, &l.StoreID, &l.Channel, &l.CustomerID, &l.CustomerTier, &l.SKUID,
		&l.CategoryID, &l.BrandID, &l.Quantity, &l.UnitPriceFen, &l.UnitCostFen, &l.Line})
}

// basketLines returns a set's lines ordered at or after from and before to (Unix ms),
// in file order.
func basketLines(ctx context.Context, q querier, setID string, from, to int64) ([]BasketLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT lines FROM basket_chunks WHERE basket_set_id = $1 AND last_at >= $2 AND first_at < $3
		ORDER BY chunk_no`, setID, from, to)
	if err != nil {
		return nil, fmt.Errorf("basket lines: %w", err)
	}
	defer rows.Close()
	var out []BasketLine
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var chunk []storedLine
		if err := json.Unmarshal([]byte(raw), &chunk); err != nil {
			return nil, fmt.Errorf("decode basket chunk: %w", err)
		}
		for _, l := range chunk {
			if l.At < from || l.At >= to {
				continue
			}
			out = append(out, BasketLine{Line: l.Line, OrderID: l.OrderID, OrderedAt: clock.FromMillis(l.At), StoreID: l.StoreID,
				Channel: l.Channel, CustomerID: l.CustomerID, CustomerTier: l.CustomerTier, SKUID: l.SKUID, CategoryID: l.CategoryID,
				BrandID: l.BrandID, Quantity: l.Quantity, UnitPriceFen: l.UnitPriceFen, UnitCostFen: l.UnitCostFen})
		}
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
