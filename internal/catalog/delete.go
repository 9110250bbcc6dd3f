package catalog

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// DeleteCategory removes a category that nothing hangs on: no sub-categories and no
// products (move or delete those first). Errors: not_found, conflict (the category
// is in use), unauthorized, forbidden.
func (s *Service) DeleteCategory(ctx context.Context, id string) error {
	p, err := writer(ctx)
	if err != nil {
		return fmt.Errorf("catalog: delete category: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getCategory(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		children, err := countOf(ctx, tx, `SELECT COUNT(*) FROM categories WHERE tenant_id = $1 AND parent_id = $2`, p.TenantID, id)
		if err != nil {
			return err
		}
		if children > 0 {
			return errs.E(errs.Conflict, "category %s has %d sub-categories; move or delete them first", cur.Code, children)
		}
		products, err := countOf(ctx, tx, `SELECT COUNT(*) FROM products WHERE tenant_id = $1 AND category_id = $2`, p.TenantID, id)
		if err != nil {
			return err
		}
		if products > 0 {
			return errs.E(errs.Conflict, "category %s has %d products; move them to another category first", cur.Code, products)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE tenant_id = $1 AND id = $2`, p.TenantID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p.TenantID, "category.delete", "category", id, categoryEvent(cur), EventCategoryDeleted, categoryEvent(cur))
	})
	if err != nil {
		return fmt.Errorf("catalog: delete category: %w", err)
	}
	return nil
}

// DeletePriceZone removes a price zone without stores and without prices (empty its
// stores and delete its price overrides first, so no store's price changes by
// surprise). Errors: not_found, conflict (the zone is in use), unauthorized, forbidden.
func (s *Service) DeletePriceZone(ctx context.Context, id string) error {
	p, err := writer(ctx)
	if err != nil {
		return fmt.Errorf("catalog: delete price zone: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getZone(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		if n := len(cur.StoreIDs); n > 0 {
			return errs.E(errs.Conflict, "price zone %s has %d stores; remove them first", cur.Code, n)
		}
		prices, err := countOf(ctx, tx, `SELECT COUNT(*) FROM sku_prices WHERE tenant_id = $1 AND scope_type = $2 AND scope_id = $3`,
			p.TenantID, string(ScopePriceZone), id)
		if err != nil {
			return err
		}
		if prices > 0 {
			return errs.E(errs.Conflict, "price zone %s has %d SKU prices; delete them first", cur.Code, prices)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM price_zones WHERE tenant_id = $1 AND id = $2`, p.TenantID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p.TenantID, "price_zone.delete", "price_zone", id, priceZoneEvent(cur), EventPriceZoneDeleted, priceZoneEvent(cur))
	})
	if err != nil {
		return fmt.Errorf("catalog: delete price zone: %w", err)
	}
	return nil
}

// countOf runs a COUNT(*) query.
func countOf(ctx context.Context, q db.Querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}
