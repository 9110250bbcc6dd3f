package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// SaleItem is what a sale needs of a SKU at one store: its names, unit, the price the
// store sells it at (store override, else price zone override, else list price) and
// the category and brand promotions select lines by.
type SaleItem struct {
	SKUID      string
	Code       string
	Name       string
	Unit       Unit
	PriceFen   int64
	CategoryID string
	Brand      string
	Status     Status
}

// SaleItems returns the sale items of skuIDs at storeID, by SKU id, in one query;
// ids unknown in the tenant are missing from the map (the caller names the field).
// It reads the catalogue only; the calling domain has authorised its use case.
// Errors: unauthorized.
func (s *Service) SaleItems(ctx context.Context, storeID string, skuIDs []string) (map[string]SaleItem, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]SaleItem, len(skuIDs))
	if len(skuIDs) == 0 {
		return out, nil
	}
	args := []any{p.TenantID, storeID}
	marks := make([]string, len(skuIDs))
	for i, id := range skuIDs {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+3)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT k.id, k.code, k.name, k.unit, k.status, p.category_id, p.brand_name,
		COALESCE(
			(SELECT sp.price_fen FROM sku_prices sp WHERE sp.tenant_id = k.tenant_id AND sp.sku_id = k.id AND sp.scope_type = 'store' AND sp.scope_id = $2),
			(SELECT sp.price_fen FROM price_zone_stores z JOIN sku_prices sp ON sp.tenant_id = z.tenant_id AND sp.scope_type = 'price_zone' AND sp.scope_id = z.zone_id
				WHERE z.tenant_id = k.tenant_id AND z.store_id = $2 AND sp.sku_id = k.id),
			k.list_price_fen)
		FROM skus k JOIN products p ON p.id = k.product_id
		WHERE k.tenant_id = $1 AND k.id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("catalog: sale items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it SaleItem
		if err := rows.Scan(&it.SKUID, &it.Code, &it.Name, &it.Unit, &it.Status, &it.CategoryID, &it.Brand, &it.PriceFen); err != nil {
			return nil, fmt.Errorf("catalog: sale items: %w", err)
		}
		out[it.SKUID] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: sale items: %w", err)
	}
	return out, nil
}

// SKUIDsByCode returns the ids of the SKUs with codes (matched regardless of case,
// as codes are unique, else as a barcode), by the code asked for; unknown codes are
// missing. It serves the order center's channel adapters, which name SKUs by the
// code or barcode the merchant gave the platform. Errors: unauthorized.
func (s *Service) SKUIDsByCode(ctx context.Context, codes []string) (map[string]string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	lower := make([]string, len(codes))
	for i, c := range codes {
		lower[i] = strings.ToLower(c)
	}
	// One query for the codes, one for the barcodes of what is left: a push names
	// each SKU once.
	args := []any{p.TenantID}
	byCode := map[string]string{}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT lower(code), id FROM skus WHERE tenant_id = $1 AND lower(code)`+db.In(s.db.Dialect, &args, lower),
		args, func(rows *sql.Rows) error {
			var code, id string
			err := rows.Scan(&code, &id)
			byCode[code] = id
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("catalog: SKUs by code: %w", err)
	}
	var rest []string
	for i, c := range codes {
		if id, ok := byCode[lower[i]]; ok {
			out[c] = id
		} else {
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	args = []any{p.TenantID}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT barcode, sku_id FROM sku_barcodes WHERE tenant_id = $1 AND barcode`+db.In(s.db.Dialect, &args, rest),
		args, func(rows *sql.Rows) error {
			var code, id string
			err := rows.Scan(&code, &id)
			out[code] = id
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("catalog: SKUs by barcode: %w", err)
	}
	return out, nil
}

// CategoryIDsByRef returns the ids of the categories refs name, by the ref asked for:
// a ref is a category id or code (codes matched regardless of case); unknown refs are
// missing. It serves files exported by tills, which name categories by code. Errors:
// unauthorized.
func (s *Service) CategoryIDsByRef(ctx context.Context, refs []string) (map[string]string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	lower := make([]string, len(refs))
	for i, r := range refs {
		lower[i] = strings.ToLower(r)
	}
	byRef := map[string]string{}
	args := []any{p.TenantID}
	in := db.In(s.db.Dialect, &args, refs)
	err = db.EachRow(ctx, s.db.Reader(), `SELECT id, id FROM categories WHERE tenant_id = $1 AND id`+in, args, func(rows *sql.Rows) error {
		var ref, id string
		err := rows.Scan(&ref, &id)
		byRef[ref] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: categories by id: %w", err)
	}
	args = []any{p.TenantID}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT lower(code), id FROM categories WHERE tenant_id = $1 AND lower(code)`+db.In(s.db.Dialect, &args, lower),
		args, func(rows *sql.Rows) error {
			var code, id string
			err := rows.Scan(&code, &id)
			byRef["\x00"+code] = id
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("catalog: categories by code: %w", err)
	}
	for i, r := range refs {
		if id, ok := byRef[r]; ok {
			out[r] = id
		} else if id, ok := byRef["\x00"+lower[i]]; ok {
			out[r] = id
		}
	}
	return out, nil
}
