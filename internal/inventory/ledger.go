package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// BalanceStatus filters a location's balance list.
type BalanceStatus string

// The balance filters. Low is the condition of EventLowStock (nothing left to reserve
// online), out of stock that nothing is left to sell at all, negative that till sales
// went beyond the books.
const (
	StatusAll        BalanceStatus = "all"
	StatusNegative   BalanceStatus = "negative"     // on_hand < 0
	StatusLow        BalanceStatus = "low"          // available <= 0 (alias below_safety)
	StatusOutOfStock BalanceStatus = "out_of_stock" // on_hand - reserved <= 0
)

// BalanceFilter narrows FindBalances.
type BalanceFilter struct {
	// Q matches the SKU's code or name (a substring, case-insensitive).
	Q      string
	Status BalanceStatus
}

// LocatedBalance is a balance with its SKU's code and name, for lists.
type LocatedBalance struct {
	Balance
	SKUCode string
	SKUName string
}

// MovementBatch is what one movement took from or added to one batch.
type MovementBatch struct {
	BatchID   string
	BatchCode string
	ExpiresOn string
	Qty       int64
}

// LedgerEntry is a movement with the batches it moved.
type LedgerEntry struct {
	Movement
	Batches []MovementBatch
}

func statusCondition(s BalanceStatus) (string, error) {
	switch s {
	case "", StatusAll:
		return "", nil
	case StatusNegative:
		return ` AND b.on_hand < 0`, nil
	case StatusLow, "below_safety":
		return ` AND b.on_hand - b.reserved - b.safety_stock <= 0`, nil
	case StatusOutOfStock:
		return ` AND b.on_hand - b.reserved <= 0`, nil
	}
	return "", errs.Field("query.status", "must be all, negative, low, below_safety or out_of_stock, not %q", s)
}

// FindBalances lists the balances of a location inside the caller's data scope by SKU
// code, a page at a time, with the SKU's code and name. Errors: invalid (status,
// cursor), not_found (location), unauthorized, forbidden.
func (s *Service) FindBalances(ctx context.Context, locationID string, f BalanceFilter, page httpapi.PageParams) (httpapi.Page[LocatedBalance], error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return httpapi.Page[LocatedBalance]{}, err
	}
	cond, err := statusCondition(f.Status)
	if err != nil {
		return httpapi.Page[LocatedBalance]{}, err
	}
	if len(f.Q) > 100 {
		return httpapi.Page[LocatedBalance]{}, errs.Field("query.q", "must be at most 100 characters")
	}
	if _, err := s.visible(ctx, s.db.Reader(), p, locationID); err != nil {
		return httpapi.Page[LocatedBalance]{}, fmt.Errorf("inventory: %w", err)
	}
	return httpapi.FindPage(page.Cursor, page.Limit, 50, func(after string, n int) ([]LocatedBalance, error) {
		// SKU codes are unique per tenant, so the code alone is a stable keyset.
		args := []any{p.TenantID, locationID, after}
		query := `SELECT b.sku_id, k.code, k.name, b.on_hand, b.reserved, b.safety_stock, b.batch_qty, b.quota_free, b.updated_at
			FROM stock_balances b JOIN skus k ON k.tenant_id = b.tenant_id AND k.id = b.sku_id
			WHERE b.tenant_id = $1 AND b.location_id = $2 AND k.code > $3` + cond
		if q := strings.TrimSpace(f.Q); q != "" {
			args = append(args, db.EscapeLike(q))
			query += fmt.Sprintf(` AND (k.code %[1]s $%[2]d ESCAPE '\' OR k.name %[1]s $%[2]d ESCAPE '\')`, s.db.Like(), len(args))
		}
		args = append(args, n)
		query += fmt.Sprintf(` ORDER BY k.code LIMIT $%d`, len(args))
		var out []LocatedBalance
		err := db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
			b := LocatedBalance{Balance: Balance{LocationID: locationID}}
			var updated int64
			err := rows.Scan(&b.SKUID, &b.SKUCode, &b.SKUName, &b.OnHand, &b.Reserved, &b.SafetyStock, &b.BatchQty, &b.QuotaFree, &updated)
			b.UpdatedAt = clock.FromMillis(updated)
			out = append(out, b)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("inventory: list balances: %w", err)
		}
		return out, nil
	}, func(b LocatedBalance) string { return b.SKUCode })
}

// FindMovements lists the ledger of one balance inside the caller's data scope, newest
// first, a page at a time, each movement with the batches it moved. Errors: invalid
// (cursor), not_found (location), unauthorized, forbidden.
func (s *Service) FindMovements(ctx context.Context, locationID, skuID string, page httpapi.PageParams) (httpapi.Page[LedgerEntry], error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return httpapi.Page[LedgerEntry]{}, err
	}
	if _, err := s.visible(ctx, s.db.Reader(), p, locationID); err != nil {
		return httpapi.Page[LedgerEntry]{}, fmt.Errorf("inventory: %w", err)
	}
	return httpapi.FindPage(page.Cursor, page.Limit, 50, func(after string, n int) ([]LedgerEntry, error) {
		// Newest first by (occurred_at, id): many movements share a millisecond (a
		// reservation's lines, a ticket batch), so the id breaks ties.
		args := []any{p.TenantID, locationID, skuID}
		query := `SELECT id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at FROM stock_movements
			WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`
		if after != "" {
			at, id, ok := strings.Cut(after, "|")
			ms, err := strconv.ParseInt(at, 10, 64)
			if !ok || err != nil {
				return nil, errs.Field("query.cursor", "malformed cursor")
			}
			args = append(args, ms, id)
			query += ` AND (occurred_at < $4 OR (occurred_at = $4 AND id < $5))`
		}
		args = append(args, n)
		query += fmt.Sprintf(` ORDER BY occurred_at DESC, id DESC LIMIT $%d`, len(args))
		var out []LedgerEntry
		err := db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
			e := LedgerEntry{Movement: Movement{LocationID: locationID, SKUID: skuID}}
			var at int64
			err := rows.Scan(&e.ID, &e.Kind, &e.OnHandDelta, &e.ReservedDelta, &e.Reference, &e.Reason, &e.ActorID, &at)
			e.OccurredAt = clock.FromMillis(at)
			out = append(out, e)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("inventory: list movements: %w", err)
		}
		return out, s.movementBatches(ctx, p.TenantID, out)
	}, func(e LedgerEntry) string { return strconv.FormatInt(clock.Millis(e.OccurredAt), 10) + "|" + e.ID })
}

// movementBatches fills in the batches each of entries moved, in one query.
func (s *Service) movementBatches(ctx context.Context, tenantID string, entries []LedgerEntry) error {
	if len(entries) == 0 {
		return nil
	}
	idx := make(map[string]int, len(entries))
	idsOf := make([]string, len(entries))
	for i, e := range entries {
		idx[e.ID], idsOf[i] = i, e.ID
	}
	args := []any{tenantID}
	query := `SELECT mb.movement_id, mb.batch_id, b.code, b.expires_on, mb.qty FROM stock_movement_batches mb
		JOIN stock_batches b ON b.id = mb.batch_id
		WHERE mb.tenant_id = $1 AND mb.movement_id` + db.In(s.db.Dialect, &args, idsOf) + ` ORDER BY b.expires_on, b.code`
	err := db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
		var id string
		var mb MovementBatch
		if err := rows.Scan(&id, &mb.BatchID, &mb.BatchCode, &mb.ExpiresOn, &mb.Qty); err != nil {
			return err
		}
		entries[idx[id]].Batches = append(entries[idx[id]].Batches, mb)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inventory: batches of movements: %w", err)
	}
	return nil
}
