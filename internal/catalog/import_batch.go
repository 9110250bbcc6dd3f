package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// An import writes a row at a time (importRow) in about twenty statements: look-ups,
// a savepoint, the product, the SKU, its barcodes and search bigrams, audit entries and
// events. Most rows of a catalogue file are new SKUs, and for a run of them the same
// outcome needs a handful of statements: the look-ups for the whole run at once, then
// one multi-row write per table. Rows that update a SKU keep the row-at-a-time path,
// in file order between the runs, so a row sees what the rows before it wrote.

// errBatchConflict says a run's write hit a unique index: a code that differs from a
// stored one only in case, or a concurrent import. The chunk is then written again a
// row at a time, which rejects exactly the rows at fault.
var errBatchConflict = errors.New("catalog: import run conflicts")

// importChunk writes the rows of one transaction; batched lets runs of new SKUs be
// written together.
func (s *Service) importChunk(ctx context.Context, tx *sql.Tx, tenantID string, chunk []importRow, batched bool) ([]rowOutcome, error) {
	outcomes := make([]rowOutcome, 0, len(chunk))
	if !batched {
		for _, row := range chunk {
			o, err := s.importRow(ctx, tx, tenantID, row)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", row.line, err)
			}
			outcomes = append(outcomes, o)
		}
		return outcomes, nil
	}
	stored, err := s.storedSKUCodes(ctx, tx, tenantID, chunk)
	if err != nil {
		return nil, err
	}
	var run []importRow
	flush := func() error {
		o, err := s.importNewSKUs(ctx, tx, tenantID, run)
		outcomes = append(outcomes, o...)
		run = run[:0]
		return err
	}
	for _, row := range chunk {
		if row.err == nil && !stored[strings.ToLower(row.skuCode)] {
			run = append(run, row)
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		o, err := s.importRow(ctx, tx, tenantID, row)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", row.line, err)
		}
		outcomes = append(outcomes, o)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return outcomes, nil
}

// storedSKUCodes returns the lower-cased codes of the chunk's SKUs that exist,
// whatever their case (codes are unique regardless of case).
func (s *Service) storedSKUCodes(ctx context.Context, q db.Querier, tenantID string, chunk []importRow) (map[string]bool, error) {
	var codes []string
	for _, row := range chunk {
		if row.err == nil {
			codes = append(codes, strings.ToLower(row.skuCode))
		}
	}
	stored := map[string]bool{}
	if len(codes) == 0 {
		return stored, nil
	}
	args := []any{tenantID}
	err := db.EachRow(ctx, q, `SELECT lower(code) FROM skus WHERE tenant_id = $1 AND lower(code)`+db.In(s.db.Dialect, &args, codes), args,
		func(r *sql.Rows) error {
			var c string
			if err := r.Scan(&c); err != nil {
				return err
			}
			stored[c] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read stored sku codes: %w", err)
	}
	return stored, nil
}

// importNewSKUs writes a run of rows whose SKUs do not exist yet, rejecting a row for
// the same reasons and with the same messages as importRow, in the same order.
func (s *Service) importNewSKUs(ctx context.Context, tx *sql.Tx, tenantID string, run []importRow) ([]rowOutcome, error) {
	if len(run) == 0 {
		return nil, nil
	}
	refs, err := s.runReferences(ctx, tx, tenantID, run)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var w newCatalogRows
	outcomes := make([]rowOutcome, len(run))
	for i, row := range run {
		reject := func(field, format string, args ...any) {
			outcomes[i] = rowOutcome{err: &ImportError{Line: row.line, Field: field, Reason: fmt.Sprintf(format, args...)}}
		}
		var categoryID string
		if row.categoryCode != "" {
			id, ok := refs.categories[row.categoryCode]
			if !ok {
				reject(colCategoryCode, "unknown category %s", row.categoryCode)
				continue
			}
			categoryID = id
		}
		prod, productExists := refs.products[row.productCode]
		switch {
		case !productExists && row.productName == "":
			reject(colProductName, "required to create product %s", row.productCode)
			continue
		case !productExists && categoryID == "":
			reject(colCategoryCode, "required to create product %s", row.productCode)
			continue
		case row.skuName == "":
			reject(colSKUName, "required to create SKU %s", row.skuCode)
			continue
		case !row.hasListPrice:
			reject(colListPrice, "required to create SKU %s", row.skuCode)
			continue
		}
		if !productExists && refs.productCodes[strings.ToLower(row.productCode)] {
			// importRow finds this when the insert meets the unique index.
			reject(colProductCode, "a product with code %s already exists", row.productCode)
			continue
		}
		if b, owner, taken := refs.takenBarcode(row.barcodes); taken {
			reject(colBarcode, "%s", barcodeConflictMessage(b, owner))
			continue
		}
		if !productExists {
			prod = newImportedProduct(tenantID, row, categoryID, now)
			refs.products[prod.Code] = prod
			refs.productCodes[strings.ToLower(prod.Code)] = true
			w.addProduct(prod)
		}
		w.addSKU(newImportedSKU(tenantID, row, prod, now))
		outcomes[i] = rowOutcome{created: true}
	}
	if err := s.writeNewCatalogRows(ctx, tx, w); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, errBatchConflict
		}
		return nil, err
	}
	return outcomes, nil
}

// newImportedProduct is the product a row makes when its product_code is new.
func newImportedProduct(tenantID string, row importRow, categoryID string, now time.Time) Product {
	unit := row.unit
	if unit == "" {
		unit = UnitEach
	}
	return Product{ID: ids.New(), TenantID: tenantID, CategoryID: categoryID, Code: row.productCode, Name: row.productName,
		BrandName: row.brandName, Unit: unit, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
}

// newImportedSKU is the SKU a new row makes, with the defaults for its empty cells.
func newImportedSKU(tenantID string, row importRow, prod Product, now time.Time) SKU {
	sku := SKU{ID: ids.New(), TenantID: tenantID, ProductID: prod.ID, Code: row.skuCode, Name: row.skuName, Spec: row.spec,
		Unit: row.unit, Barcodes: row.barcodes, ListPriceFen: row.listPrice, CostFen: row.cost, Status: row.status,
		CreatedAt: now, UpdatedAt: now}
	if sku.Unit == "" {
		sku.Unit = prod.Unit
	}
	if sku.Status == "" {
		sku.Status = StatusActive
	}
	if sku.Barcodes == nil {
		sku.Barcodes = []string{}
	}
	return sku
}

// runReferences are what the rows of a run refer to: categories and products by code
// (exactly, as importRow reads them) and the owners of their barcodes.
type runReferences struct {
	categories   map[string]string  // code → id
	products     map[string]Product // code → product; grows with the run's new products
	productCodes map[string]bool    // lower-cased codes of those products
	barcodes     map[string]string  // barcode → code of the SKU holding it
}

func (r runReferences) takenBarcode(codes []string) (barcode, owner string, taken bool) {
	for _, b := range codes {
		if owner, ok := r.barcodes[b]; ok {
			return b, owner, true
		}
	}
	return "", "", false
}

func (s *Service) runReferences(ctx context.Context, q db.Querier, tenantID string, run []importRow) (runReferences, error) {
	refs := runReferences{products: map[string]Product{}, productCodes: map[string]bool{}}
	var categoryCodes, productCodes, barcodes []string
	for _, row := range run {
		if row.categoryCode != "" {
			categoryCodes = append(categoryCodes, row.categoryCode)
		}
		productCodes = append(productCodes, strings.ToLower(row.productCode))
		barcodes = append(barcodes, row.barcodes...)
	}
	var err error
	if refs.categories, err = s.codeMap(ctx, q, `SELECT code, id FROM categories WHERE tenant_id = $1 AND code`, tenantID, categoryCodes); err != nil {
		return refs, fmt.Errorf("read categories: %w", err)
	}
	args := []any{tenantID}
	err = db.EachRow(ctx, q, `SELECT `+productCols+` FROM products p WHERE p.tenant_id = $1 AND lower(p.code)`+db.In(s.db.Dialect, &args, productCodes), args,
		func(r *sql.Rows) error {
			p, err := scanProduct(r)
			if err != nil {
				return err
			}
			refs.products[p.Code] = p
			refs.productCodes[strings.ToLower(p.Code)] = true
			return nil
		})
	if err != nil {
		return refs, fmt.Errorf("read products: %w", err)
	}
	refs.barcodes, err = s.codeMap(ctx, q, `SELECT b.barcode, s.code FROM sku_barcodes b JOIN skus s ON s.id = b.sku_id
		WHERE b.tenant_id = $1 AND b.barcode`, tenantID, barcodes)
	if err != nil {
		return refs, fmt.Errorf("read barcodes: %w", err)
	}
	return refs, nil
}

// codeMap runs selectWhere, a two-column SELECT whose condition ends with the column to
// match, for the tenant and values, and maps the first column to the second.
func (s *Service) codeMap(ctx context.Context, q db.Querier, selectWhere, tenantID string, values []string) (map[string]string, error) {
	out := map[string]string{}
	if len(values) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	err := db.EachRow(ctx, q, selectWhere+db.In(s.db.Dialect, &args, values), args, func(r *sql.Rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		out[key] = value
		return nil
	})
	return out, err
}

// newCatalogRows are the rows a run writes, in file order: a row's product before
// its SKU, and their audit entries and events in the same order.
type newCatalogRows struct {
	products []Product
	skus     []SKU
	grams    []searchGram
	audit    []audit.Entry
	events   []events.Message
}

type searchGram struct{ kind, id, gram string }

func (w *newCatalogRows) addProduct(p Product) {
	w.products = append(w.products, p)
	for _, g := range bigrams(p.Name, p.Code) {
		w.grams = append(w.grams, searchGram{gramProduct, p.ID, g})
	}
	w.audit = append(w.audit, audit.Entry{TenantID: p.TenantID, Action: "product.create", ResourceType: "product", ResourceID: p.ID, Changes: productEvent(p)})
	w.events = append(w.events, events.Message{TenantID: p.TenantID, Type: EventProductCreated, AggregateID: p.ID, Payload: productEvent(p)})
}

func (w *newCatalogRows) addSKU(sku SKU) {
	w.skus = append(w.skus, sku)
	for _, g := range bigrams(sku.Name, sku.Code) {
		w.grams = append(w.grams, searchGram{gramSKU, sku.ID, g})
	}
	w.audit = append(w.audit, audit.Entry{TenantID: sku.TenantID, Action: "sku.create", ResourceType: "sku", ResourceID: sku.ID, Changes: auditSKU(sku)})
	w.events = append(w.events, events.Message{TenantID: sku.TenantID, Type: EventSKUCreated, AggregateID: sku.ID, Payload: skuEvent(sku)})
}

// writeNewCatalogRows writes w with one statement per table (per chunk of rows on
// SQLite).
func (s *Service) writeNewCatalogRows(ctx context.Context, tx *sql.Tx, w newCatalogRows) error {
	if len(w.skus) == 0 {
		return nil
	}
	d := s.db.Dialect
	tenantID := w.skus[0].TenantID
	err := db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO products (id, tenant_id, category_id, code, name, brand_name, unit, status,
		description, created_at, updated_at)`}, w.products, func(p Product) []any {
		return []any{p.ID, p.TenantID, p.CategoryID, p.Code, p.Name, p.BrandName, string(p.Unit), string(p.Status), p.Description,
			clock.Millis(p.CreatedAt), clock.Millis(p.UpdatedAt)}
	}, nil)
	if err != nil {
		return fmt.Errorf("insert products: %w", err)
	}
	err = db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO skus (id, tenant_id, product_id, code, name, spec, unit, list_price_fen,
		cost_fen, status, created_at, updated_at)`}, w.skus, func(s SKU) []any {
		return []any{s.ID, s.TenantID, s.ProductID, s.Code, s.Name, s.Spec, string(s.Unit), s.ListPriceFen, s.CostFen, string(s.Status),
			clock.Millis(s.CreatedAt), clock.Millis(s.UpdatedAt)}
	}, nil)
	if err != nil {
		return fmt.Errorf("insert skus: %w", err)
	}
	type barcode struct{ code, skuID string }
	var barcodes []barcode
	for _, sku := range w.skus {
		for _, b := range sku.Barcodes {
			barcodes = append(barcodes, barcode{b, sku.ID})
		}
	}
	err = db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO sku_barcodes (tenant_id, barcode, sku_id)`, Lead: "$1", Fixed: []any{tenantID}},
		barcodes, func(b barcode) []any { return []any{b.code, b.skuID} }, nil)
	if err != nil {
		return fmt.Errorf("insert barcodes: %w", err)
	}
	err = db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO search_grams (tenant_id, kind, id, gram)`, Lead: "$1", Fixed: []any{tenantID}},
		w.grams, func(g searchGram) []any { return []any{g.kind, g.id, g.gram} }, nil)
	if err != nil {
		return fmt.Errorf("insert search bigrams: %w", err)
	}
	if err := s.audit.RecordAll(ctx, tx, w.audit); err != nil {
		return err
	}
	return s.outbox.PublishAll(ctx, tx, d, w.events)
}
