package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// SKUExportRow is a SKU with what an import file says about its product, so that an
// exported list re-imports unchanged.
type SKUExportRow struct {
	SKU          SKU
	ProductCode  string
	ProductName  string
	BrandName    string
	CategoryCode string
}

// ImportColumns are the columns of a SKU import file in the order an export writes
// them.
func ImportColumns() []string { return slices.Clone(knownColumns) }

// FindSKUExportRows is FindSKUs with each SKU's product code, name and brand and its
// category's code. Errors: those of FindSKUs.
func (s *Service) FindSKUExportRows(ctx context.Context, f SKUFilter) (httpapi.Page[SKUExportRow], error) {
	page, err := s.FindSKUs(ctx, f)
	if err != nil {
		return httpapi.Page[SKUExportRow]{}, err
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[SKUExportRow]{}, err
	}
	var ids []string
	for _, sku := range page.Items {
		if !slices.Contains(ids, sku.ProductID) {
			ids = append(ids, sku.ProductID)
		}
	}
	labels, err := productLabels(ctx, s.db.Reader(), p.TenantID, ids)
	if err != nil {
		return httpapi.Page[SKUExportRow]{}, fmt.Errorf("catalog: export skus: %w", err)
	}
	out := httpapi.Page[SKUExportRow]{Items: make([]SKUExportRow, len(page.Items)), NextCursor: page.NextCursor}
	for i, sku := range page.Items {
		l := labels[sku.ProductID]
		out.Items[i] = SKUExportRow{SKU: sku, ProductCode: l.ProductCode, ProductName: l.ProductName, BrandName: l.BrandName,
			CategoryCode: l.CategoryCode}
	}
	return out, nil
}

// productLabels returns the code, name, brand and category code of each product in
// ids, keyed by product id.
func productLabels(ctx context.Context, q db.Querier, tenantID string, ids []string) (map[string]SKUExportRow, error) {
	out := make(map[string]SKUExportRow, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	c := &conds{}
	c.arg(tenantID)
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.code, p.name, p.brand_name, COALESCE(c.code, '')
		FROM products p LEFT JOIN categories c ON c.tenant_id = p.tenant_id AND c.id = p.category_id
		WHERE p.tenant_id = $1 AND p.id IN (`+c.placeholders(ids)+`)`, c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var l SKUExportRow
		if err := rows.Scan(&id, &l.ProductCode, &l.ProductName, &l.BrandName, &l.CategoryCode); err != nil {
			return nil, err
		}
		out[id] = l
	}
	return out, rows.Err()
}

// skuExportRow is the file row of a SKU, in ImportColumns order; the SKU's fields come
// from the list's conversion (skuResponse).
func skuExportRow(r SKUExportRow) []string {
	v := skuResponse(r.SKU)
	return []string{r.CategoryCode, r.ProductCode, r.ProductName, r.BrandName, v.Code, v.Name, v.Spec, string(v.Unit),
		strings.Join(v.Barcodes, "|"), sheet.Yuan(v.ListPriceFen), sheet.Yuan(v.CostFen), string(v.Status)}
}
