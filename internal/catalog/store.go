package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// SQL helpers. Each takes the querier (a transaction or the read pool) explicitly and
// filters by tenant; "not found" is an errs.NotFound error, never a nil result.

// conds accumulates WHERE conditions and their $N arguments.
type conds struct {
	where []string
	args  []any
}

// arg appends v and returns its placeholder.
func (c *conds) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

func (c *conds) add(cond string) { c.where = append(c.where, cond) }

func (c *conds) sql() string { return strings.Join(c.where, " AND ") }

// placeholders adds vs as arguments and returns "$a, $b, …".
func (c *conds) placeholders(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = c.arg(v)
	}
	return strings.Join(ph, ", ")
}

// idConds limits the rows whose key is col to ids (when not nil) and away from
// notIDs.
func idConds(c *conds, d db.Dialect, col string, ids, notIDs []string) {
	if ids != nil {
		c.add(col + db.In(d, &c.args, ids))
	}
	if len(notIDs) > 0 {
		c.add("NOT (" + col + db.In(d, &c.args, notIDs) + ")")
	}
}

// descendantsCTE selects the category $cat and all its descendants as sub(id); the
// caller passes the placeholders of the tenant and the category.
func descendantsCTE(tenant, cat string) string {
	return `WITH RECURSIVE sub(id) AS (
		SELECT id FROM categories WHERE tenant_id = ` + tenant + ` AND id = ` + cat + `
		UNION ALL
		SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id WHERE c.tenant_id = ` + tenant + `) `
}

func notFoundIf(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// --- categories ---

const categoryCols = `id, tenant_id, COALESCE(parent_id, ''), code, name, level, sort, created_at, updated_at`

func scanCategory(sc interface{ Scan(...any) error }) (Category, error) {
	var c Category
	var created, updated int64
	err := sc.Scan(&c.ID, &c.TenantID, &c.ParentID, &c.Code, &c.Name, &c.Level, &c.Sort, &created, &updated)
	c.CreatedAt, c.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return c, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func insertCategory(ctx context.Context, q db.Querier, c Category) error {
	_, err := q.ExecContext(ctx, `INSERT INTO categories (id, tenant_id, parent_id, code, name, level, sort, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, c.TenantID, nullable(c.ParentID), c.Code, c.Name, c.Level, c.Sort,
		clock.Millis(c.CreatedAt), clock.Millis(c.UpdatedAt))
	return err
}

func updateCategoryRow(ctx context.Context, q db.Querier, c Category) error {
	_, err := q.ExecContext(ctx, `UPDATE categories SET parent_id = $3, code = $4, name = $5, level = $6, sort = $7, updated_at = $8
		WHERE tenant_id = $1 AND id = $2`, c.TenantID, c.ID, nullable(c.ParentID), c.Code, c.Name, c.Level, c.Sort, clock.Millis(c.UpdatedAt))
	return err
}

func getCategory(ctx context.Context, q db.Querier, tenantID, id, lock string) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	return c, notFoundIf(err, "category")
}

func getCategoryByCode(ctx context.Context, q db.Querier, tenantID, code string) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE tenant_id = $1 AND code = $2`, tenantID, code))
	return c, notFoundIf(err, "category")
}

// allCategories returns every category of the tenant; lock takes row locks on all of
// them, which serialises re-parenting within a tenant.
func allCategories(ctx context.Context, q db.Querier, tenantID, lock string) ([]Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE tenant_id = $1 ORDER BY id`+lock, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func findCategories(ctx context.Context, q db.Querier, tenantID string, f CategoryFilter, after string, limit int) ([]Category, error) {
	var c conds
	c.add("tenant_id = " + c.arg(tenantID))
	if f.ParentID != nil {
		if *f.ParentID == "" {
			c.add("parent_id IS NULL")
		} else {
			c.add("parent_id = " + c.arg(*f.ParentID))
		}
	}
	if after != "" {
		c.add("id > " + c.arg(after))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE `+c.sql()+` ORDER BY id LIMIT `+c.arg(limit), c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		cat, err := scanCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cat)
	}
	return out, rows.Err()
}

// --- products ---

const productCols = `p.id, p.tenant_id, p.category_id, p.code, p.name, p.brand_name, p.unit, p.status, p.description, p.created_at, p.updated_at`

func scanProduct(sc interface{ Scan(...any) error }, extra ...any) (Product, error) {
	var p Product
	var created, updated int64
	dest := append([]any{&p.ID, &p.TenantID, &p.CategoryID, &p.Code, &p.Name, &p.BrandName, &p.Unit, &p.Status, &p.Description, &created, &updated}, extra...)
	err := sc.Scan(dest...)
	p.CreatedAt, p.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return p, err
}

func insertProduct(ctx context.Context, q db.Querier, p Product) error {
	_, err := q.ExecContext(ctx, `INSERT INTO products (id, tenant_id, category_id, code, name, brand_name, unit, status, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, p.ID, p.TenantID, p.CategoryID, p.Code, p.Name, p.BrandName,
		string(p.Unit), string(p.Status), p.Description, clock.Millis(p.CreatedAt), clock.Millis(p.UpdatedAt))
	return err
}

func updateProductRow(ctx context.Context, q db.Querier, p Product) error {
	_, err := q.ExecContext(ctx, `UPDATE products SET category_id = $3, code = $4, name = $5, brand_name = $6, unit = $7, status = $8,
		description = $9, updated_at = $10 WHERE tenant_id = $1 AND id = $2`, p.TenantID, p.ID, p.CategoryID, p.Code, p.Name,
		p.BrandName, string(p.Unit), string(p.Status), p.Description, clock.Millis(p.UpdatedAt))
	return err
}

func getProduct(ctx context.Context, q db.Querier, tenantID, id, lock string) (Product, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols+` FROM products p WHERE p.tenant_id = $1 AND p.id = $2`+lock, tenantID, id))
	return p, notFoundIf(err, "product")
}

func getProductByCode(ctx context.Context, q db.Querier, tenantID, code string) (Product, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols+` FROM products p WHERE p.tenant_id = $1 AND p.code = $2`, tenantID, code))
	return p, notFoundIf(err, "product")
}

// findProducts returns the products matching f after the id after, in id order; a
// digit query's exact matches come first on the first page.
func findProducts(ctx context.Context, q db.Querier, d *db.DB, tenantID string, f ProductFilter, after string, limit int) ([]Product, error) {
	if !allDigits(f.Q) {
		return queryProducts(ctx, q, d, tenantID, f, after, limit)
	}
	exact, err := exactIDs(ctx, q, tenantID, `SELECT id FROM products WHERE tenant_id = $1 AND code = $2
		UNION SELECT s.product_id FROM sku_barcodes b JOIN skus s ON s.tenant_id = b.tenant_id AND s.id = b.sku_id
		WHERE b.tenant_id = $1 AND b.barcode = $2`, f.Q)
	if err != nil {
		return nil, err
	}
	return exactFirst(exact, after, limit, func(ids, notIDs []string, after string, limit int) ([]Product, error) {
		g := f
		if ids != nil {
			g.Q = ""
		}
		g.ids, g.notIDs = ids, notIDs
		return queryProducts(ctx, q, d, tenantID, g, after, limit)
	})
}

func queryProducts(ctx context.Context, q db.Querier, d *db.DB, tenantID string, f ProductFilter, after string, limit int) ([]Product, error) {
	var c conds
	tenant := c.arg(tenantID)
	prefix := ""
	c.add("p.tenant_id = " + tenant)
	if f.CategoryID != "" {
		prefix = descendantsCTE(tenant, c.arg(f.CategoryID))
		c.add("p.category_id IN (SELECT id FROM sub)")
	}
	from, key := " FROM products p", "p.id"
	if f.Q != "" {
		like := c.arg(db.EscapeLike(f.Q))
		c.add(fmt.Sprintf(`(p.name %[1]s %[2]s ESCAPE '\' OR p.code %[1]s %[2]s ESCAPE '\')`, d.Like(), like))
		if searchable(f.Q) {
			if err := gramWalk(ctx, q, &c, tenant, tenantID, gramProduct, f.Q); err != nil {
				return nil, err
			}
			from, key = " FROM search_grams g JOIN products p ON p.tenant_id = g.tenant_id AND p.id = g.id", "g.id"
		}
	}
	if f.Status != "" {
		c.add("p.status = " + c.arg(string(f.Status)))
	}
	idConds(&c, d.Dialect, key, f.ids, f.notIDs)
	if f.BrandName != "" {
		c.add("p.brand_name = " + c.arg(f.BrandName))
	}
	if after != "" {
		c.add(key + " > " + c.arg(after))
	}
	rows, err := q.QueryContext(ctx, prefix+`SELECT `+productCols+`,
		(SELECT COUNT(*) FROM skus s WHERE s.tenant_id = p.tenant_id AND s.product_id = p.id)`+
		from+` WHERE `+c.sql()+` ORDER BY `+key+` LIMIT `+c.arg(limit), c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var n int
		p, err := scanProduct(rows, &n)
		if err != nil {
			return nil, err
		}
		p.SKUCount = n
		out = append(out, p)
	}
	return out, rows.Err()
}

// --- SKUs ---

const skuCols = `s.id, s.tenant_id, s.product_id, s.code, s.name, s.spec, s.unit, s.list_price_fen, s.cost_fen, s.status, s.created_at, s.updated_at`

func scanSKU(sc interface{ Scan(...any) error }) (SKU, error) {
	var s SKU
	var created, updated int64
	err := sc.Scan(&s.ID, &s.TenantID, &s.ProductID, &s.Code, &s.Name, &s.Spec, &s.Unit, &s.ListPriceFen, &s.CostFen, &s.Status, &created, &updated)
	s.CreatedAt, s.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return s, err
}

func insertSKU(ctx context.Context, q db.Querier, s SKU) error {
	_, err := q.ExecContext(ctx, `INSERT INTO skus (id, tenant_id, product_id, code, name, spec, unit, list_price_fen, cost_fen, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, s.ID, s.TenantID, s.ProductID, s.Code, s.Name, s.Spec,
		string(s.Unit), s.ListPriceFen, s.CostFen, string(s.Status), clock.Millis(s.CreatedAt), clock.Millis(s.UpdatedAt))
	return err
}

func updateSKURow(ctx context.Context, q db.Querier, s SKU) error {
	_, err := q.ExecContext(ctx, `UPDATE skus SET code = $3, name = $4, spec = $5, unit = $6, list_price_fen = $7, cost_fen = $8,
		status = $9, updated_at = $10 WHERE tenant_id = $1 AND id = $2`, s.TenantID, s.ID, s.Code, s.Name, s.Spec, string(s.Unit),
		s.ListPriceFen, s.CostFen, string(s.Status), clock.Millis(s.UpdatedAt))
	return err
}

// getSKU returns the SKU with its barcodes.
func getSKU(ctx context.Context, q db.Querier, tenantID, id, lock string) (SKU, error) {
	s, err := scanSKU(q.QueryRowContext(ctx, `SELECT `+skuCols+` FROM skus s WHERE s.tenant_id = $1 AND s.id = $2`+lock, tenantID, id))
	if err != nil {
		return s, notFoundIf(err, "sku")
	}
	return s, withBarcodes(ctx, q, tenantID, []*SKU{&s})
}

// getSKUByCode returns the SKU with its barcodes.
func getSKUByCode(ctx context.Context, q db.Querier, tenantID, code, lock string) (SKU, error) {
	s, err := scanSKU(q.QueryRowContext(ctx, `SELECT `+skuCols+` FROM skus s WHERE s.tenant_id = $1 AND s.code = $2`+lock, tenantID, code))
	if err != nil {
		return s, notFoundIf(err, "sku")
	}
	return s, withBarcodes(ctx, q, tenantID, []*SKU{&s})
}

// findSKUs returns the SKUs matching f after the id after, in id order, with their
// barcodes; a digit query's exact matches come first on the first page. limit <= 0
// means all.
func findSKUs(ctx context.Context, q db.Querier, d *db.DB, tenantID string, f SKUFilter, after string, limit int) ([]SKU, error) {
	if !allDigits(f.Q) {
		return querySKUs(ctx, q, d, tenantID, f, after, limit)
	}
	exact, err := exactIDs(ctx, q, tenantID, `SELECT id FROM skus WHERE tenant_id = $1 AND code = $2
		UNION SELECT sku_id FROM sku_barcodes WHERE tenant_id = $1 AND barcode = $2`, f.Q)
	if err != nil {
		return nil, err
	}
	return exactFirst(exact, after, limit, func(ids, notIDs []string, after string, limit int) ([]SKU, error) {
		g := f
		if ids != nil {
			g.Q = ""
		}
		g.ids, g.notIDs = ids, notIDs
		return querySKUs(ctx, q, d, tenantID, g, after, limit)
	})
}

// exactFirst answers a digit query: on the first page (after == "") the items whose
// ids are exact, then the query's other matches after the id after, leaving the
// exact ones out so that no page repeats them. find runs the query limited to ids
// (when not nil) and away from notIDs. limit <= 0 means all.
func exactFirst[T any](exact []string, after string, limit int, find func(ids, notIDs []string, after string, limit int) ([]T, error)) ([]T, error) {
	if len(exact) == 0 {
		return find(nil, nil, after, limit)
	}
	var first []T
	if after == "" {
		var err error
		if first, err = find(exact, nil, "", limit); err != nil {
			return nil, err
		}
	}
	if limit > 0 && len(first) >= limit {
		return first, nil
	}
	rest, err := find(nil, exact, after, max(limit-len(first), 0))
	return append(first, rest...), err
}

// exactIDs returns the ids query finds for the tenant ($1) and value ($2).
func exactIDs(ctx context.Context, q db.Querier, tenantID, query, value string) ([]string, error) {
	var ids []string
	err := db.EachRow(ctx, q, query, []any{tenantID, value}, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

func querySKUs(ctx context.Context, q db.Querier, d *db.DB, tenantID string, f SKUFilter, after string, limit int) ([]SKU, error) {
	var c conds
	tenant := c.arg(tenantID)
	prefix := ""
	c.add("s.tenant_id = " + tenant)
	if f.CategoryID != "" {
		prefix = descendantsCTE(tenant, c.arg(f.CategoryID))
		c.add("s.product_id IN (SELECT p.id FROM products p WHERE p.tenant_id = " + tenant + " AND p.category_id IN (SELECT id FROM sub))")
	}
	from, key := " FROM skus s", "s.id"
	if f.Q != "" {
		like := c.arg(db.EscapeLike(f.Q))
		c.add(fmt.Sprintf(`(s.name %[1]s %[2]s ESCAPE '\' OR s.code %[1]s %[2]s ESCAPE '\')`, d.Like(), like))
		if searchable(f.Q) {
			if err := gramWalk(ctx, q, &c, tenant, tenantID, gramSKU, f.Q); err != nil {
				return nil, err
			}
			from, key = " FROM search_grams g JOIN skus s ON s.tenant_id = g.tenant_id AND s.id = g.id", "g.id"
		}
	}
	if f.Barcode != "" {
		c.add("s.id IN (SELECT b.sku_id FROM sku_barcodes b WHERE b.tenant_id = " + tenant + " AND b.barcode = " + c.arg(f.Barcode) + ")")
	}
	if f.ProductID != "" {
		c.add("s.product_id = " + c.arg(f.ProductID))
	}
	if f.Status != "" {
		c.add("s.status = " + c.arg(string(f.Status)))
	}
	idConds(&c, d.Dialect, key, f.ids, f.notIDs)
	if after != "" {
		c.add(key + " > " + c.arg(after))
	}
	var lim string
	if limit > 0 {
		lim = " LIMIT " + c.arg(limit)
	}
	rows, err := q.QueryContext(ctx, prefix+`SELECT `+skuCols+from+` WHERE `+c.sql()+` ORDER BY `+key+lim, c.args...)
	if err != nil {
		return nil, err
	}
	var out []SKU
	for rows.Next() {
		s, err := scanSKU(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	ptrs := make([]*SKU, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, withBarcodes(ctx, q, tenantID, ptrs)
}

// withBarcodes loads the barcodes of skus, in barcode order.
func withBarcodes(ctx context.Context, q db.Querier, tenantID string, skus []*SKU) error {
	if len(skus) == 0 {
		return nil
	}
	byID := make(map[string]*SKU, len(skus))
	ids := make([]string, len(skus))
	for i, s := range skus {
		s.Barcodes = []string{}
		byID[s.ID] = s
		ids[i] = s.ID
	}
	var c conds
	tenant := c.arg(tenantID)
	rows, err := q.QueryContext(ctx, `SELECT sku_id, barcode FROM sku_barcodes WHERE tenant_id = `+tenant+
		` AND sku_id IN (`+c.placeholders(ids)+`) ORDER BY sku_id, barcode`, c.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		if s := byID[id]; s != nil {
			s.Barcodes = append(s.Barcodes, code)
		}
	}
	return rows.Err()
}

// barcodeOwner returns the id and code of the SKU holding barcode, or a NotFound error.
func barcodeOwner(ctx context.Context, q db.Querier, tenantID, barcode string) (id, code string, err error) {
	err = q.QueryRowContext(ctx, `SELECT s.id, s.code FROM sku_barcodes b JOIN skus s ON s.id = b.sku_id
		WHERE b.tenant_id = $1 AND b.barcode = $2`, tenantID, barcode).Scan(&id, &code)
	return id, code, notFoundIf(err, "barcode")
}

// replaceBarcodes makes codes the SKU's whole set of barcodes. A barcode held by
// another SKU is an errs.Conflict naming it.
func replaceBarcodes(ctx context.Context, q db.Querier, tenantID, skuID string, codes []string) error {
	for _, b := range codes {
		owner, code, err := barcodeOwner(ctx, q, tenantID, b)
		switch {
		case errs.Is(err, errs.NotFound):
		case err != nil:
			return err
		case owner != skuID:
			return barcodeConflict(b, code)
		}
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM sku_barcodes WHERE tenant_id = $1 AND sku_id = $2`, tenantID, skuID); err != nil {
		return err
	}
	for _, b := range codes {
		if _, err := q.ExecContext(ctx, `INSERT INTO sku_barcodes (tenant_id, barcode, sku_id) VALUES ($1, $2, $3)`, tenantID, b, skuID); err != nil {
			if db.IsUniqueViolation(err) {
				return barcodeConflict(b, "")
			}
			return err
		}
	}
	return nil
}

func barcodeConflict(barcode, skuCode string) error {
	return &errs.Error{Code: errs.Conflict, Field: "body.barcodes", Message: barcodeConflictMessage(barcode, skuCode)}
}

func barcodeConflictMessage(barcode, skuCode string) string {
	if skuCode == "" {
		return fmt.Sprintf("barcode %s is already used by another SKU", barcode)
	}
	return fmt.Sprintf("barcode %s is already used by SKU %s", barcode, skuCode)
}

// --- price zones ---

const zoneCols = `id, tenant_id, code, name, created_at, updated_at`

func scanZone(sc interface{ Scan(...any) error }) (PriceZone, error) {
	var z PriceZone
	var created, updated int64
	err := sc.Scan(&z.ID, &z.TenantID, &z.Code, &z.Name, &created, &updated)
	z.CreatedAt, z.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return z, err
}

func insertZone(ctx context.Context, q db.Querier, z PriceZone) error {
	_, err := q.ExecContext(ctx, `INSERT INTO price_zones (id, tenant_id, code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		z.ID, z.TenantID, z.Code, z.Name, clock.Millis(z.CreatedAt), clock.Millis(z.UpdatedAt))
	return err
}

func updateZoneRow(ctx context.Context, q db.Querier, z PriceZone) error {
	_, err := q.ExecContext(ctx, `UPDATE price_zones SET code = $3, name = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2`,
		z.TenantID, z.ID, z.Code, z.Name, clock.Millis(z.UpdatedAt))
	return err
}

func getZone(ctx context.Context, q db.Querier, tenantID, id, lock string) (PriceZone, error) {
	z, err := scanZone(q.QueryRowContext(ctx, `SELECT `+zoneCols+` FROM price_zones WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if err != nil {
		return z, notFoundIf(err, "price zone")
	}
	return z, withZoneStores(ctx, q, tenantID, []*PriceZone{&z})
}

func findZones(ctx context.Context, q db.Querier, tenantID, after string, limit int) ([]PriceZone, error) {
	var c conds
	c.add("tenant_id = " + c.arg(tenantID))
	if after != "" {
		c.add("id > " + c.arg(after))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+zoneCols+` FROM price_zones WHERE `+c.sql()+` ORDER BY id LIMIT `+c.arg(limit), c.args...)
	if err != nil {
		return nil, err
	}
	var out []PriceZone
	for rows.Next() {
		z, err := scanZone(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, z)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	ptrs := make([]*PriceZone, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, withZoneStores(ctx, q, tenantID, ptrs)
}

func withZoneStores(ctx context.Context, q db.Querier, tenantID string, zones []*PriceZone) error {
	if len(zones) == 0 {
		return nil
	}
	byID := make(map[string]*PriceZone, len(zones))
	ids := make([]string, len(zones))
	for i, z := range zones {
		z.StoreIDs = []string{}
		byID[z.ID] = z
		ids[i] = z.ID
	}
	var c conds
	tenant := c.arg(tenantID)
	rows, err := q.QueryContext(ctx, `SELECT zone_id, store_id FROM price_zone_stores WHERE tenant_id = `+tenant+
		` AND zone_id IN (`+c.placeholders(ids)+`) ORDER BY zone_id, store_id`, c.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var zone, store string
		if err := rows.Scan(&zone, &store); err != nil {
			return err
		}
		if z := byID[zone]; z != nil {
			z.StoreIDs = append(z.StoreIDs, store)
		}
	}
	return rows.Err()
}

// zoneOfStore returns the id of the store's price zone, or "".
func zoneOfStore(ctx context.Context, q db.Querier, tenantID, storeID string) (string, error) {
	var zone string
	err := q.QueryRowContext(ctx, `SELECT zone_id FROM price_zone_stores WHERE tenant_id = $1 AND store_id = $2`, tenantID, storeID).Scan(&zone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return zone, err
}

// --- price overrides ---

// getOverride returns the override price, or ok == false when there is none.
func getOverride(ctx context.Context, q db.Querier, tenantID, skuID string, scope ScopeType, scopeID string) (price int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT price_fen FROM sku_prices WHERE tenant_id = $1 AND sku_id = $2 AND scope_type = $3 AND scope_id = $4`,
		tenantID, skuID, string(scope), scopeID).Scan(&price)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return price, err == nil, err
}

func upsertOverride(ctx context.Context, q db.Querier, tenantID string, o PriceOverride) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sku_prices (tenant_id, sku_id, scope_type, scope_id, price_fen, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, sku_id, scope_type, scope_id) DO UPDATE SET price_fen = excluded.price_fen, updated_at = excluded.updated_at`,
		tenantID, o.SKUID, string(o.ScopeType), o.ScopeID, o.PriceFen, clock.Millis(o.UpdatedAt))
	return err
}

func deleteOverride(ctx context.Context, q db.Querier, tenantID, skuID string, scope ScopeType, scopeID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sku_prices WHERE tenant_id = $1 AND sku_id = $2 AND scope_type = $3 AND scope_id = $4`,
		tenantID, skuID, string(scope), scopeID)
	return err
}

// overrideKey is the sort key of a price override within its SKU.
type overrideKey struct {
	ScopeType ScopeType
	ScopeID   string
}

// cursorKey is the key a page cursor carries: "scope_type:scope_id".
func (k overrideKey) cursorKey() string { return string(k.ScopeType) + ":" + k.ScopeID }

// parseOverrideKey reads a key made by cursorKey; ok is false when s is not one.
func parseOverrideKey(s string) (k overrideKey, ok bool) {
	typ, id, found := strings.Cut(s, ":")
	k = overrideKey{ScopeType: ScopeType(typ), ScopeID: id}
	return k, found && k.ScopeType.Valid() && id != ""
}

// overridesOf returns the SKU's overrides ordered by scope type (zones first) and scope
// id, each with the zone name as ScopeName for zones and the store id for stores. It
// starts after the key after when it is set, and returns at most limit rows when
// limit > 0.
func overridesOf(ctx context.Context, q db.Querier, tenantID, skuID string, after *overrideKey, limit int) ([]PriceOverride, error) {
	var c conds
	c.add("o.tenant_id = " + c.arg(tenantID))
	c.add("o.sku_id = " + c.arg(skuID))
	if after != nil {
		typ := c.arg(string(after.ScopeType))
		c.add("(o.scope_type > " + typ + " OR (o.scope_type = " + typ + " AND o.scope_id > " + c.arg(after.ScopeID) + "))")
	}
	var lim string
	if limit > 0 {
		lim = " LIMIT " + c.arg(limit)
	}
	rows, err := q.QueryContext(ctx, `SELECT o.scope_type, o.scope_id, COALESCE(z.name, o.scope_id), o.price_fen, o.updated_at
		FROM sku_prices o LEFT JOIN price_zones z ON o.scope_type = 'price_zone' AND z.tenant_id = o.tenant_id AND z.id = o.scope_id
		WHERE `+c.sql()+` ORDER BY o.scope_type, o.scope_id`+lim, c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PriceOverride{}
	for rows.Next() {
		o := PriceOverride{SKUID: skuID}
		var updated int64
		if err := rows.Scan(&o.ScopeType, &o.ScopeID, &o.ScopeName, &o.PriceFen, &updated); err != nil {
			return nil, err
		}
		o.UpdatedAt = clock.FromMillis(updated)
		out = append(out, o)
	}
	return out, rows.Err()
}

// overrideSummary counts the SKU's overrides by scope type, with their price range:
// one range of the primary key, however many stores price the SKU.
func overrideSummary(ctx context.Context, q db.Querier, tenantID, skuID string) (OverrideSummary, error) {
	var sum OverrideSummary
	err := db.EachRow(ctx, q, `SELECT scope_type, COUNT(*), MIN(price_fen), MAX(price_fen) FROM sku_prices
		WHERE tenant_id = $1 AND sku_id = $2 GROUP BY scope_type`, []any{tenantID, skuID}, func(r *sql.Rows) error {
		var typ ScopeType
		var n int
		var lo, hi int64
		if err := r.Scan(&typ, &n, &lo, &hi); err != nil {
			return err
		}
		if sum.Total == 0 || lo < sum.MinPriceFen {
			sum.MinPriceFen = lo
		}
		sum.MaxPriceFen = max(sum.MaxPriceFen, hi)
		sum.Total += n
		if typ == ScopePriceZone {
			sum.PriceZones += n
		} else {
			sum.Stores += n
		}
		return nil
	})
	return sum, err
}

// --- summary ---

func countCatalog(ctx context.Context, q db.Querier, tenantID string) (Summary, error) {
	var s Summary
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM categories WHERE tenant_id = $1),
		(SELECT COUNT(*) FROM products WHERE tenant_id = $1),
		(SELECT COUNT(*) FROM skus WHERE tenant_id = $1)`, tenantID).Scan(&s.Categories, &s.Products, &s.SKUs)
	return s, err
}
