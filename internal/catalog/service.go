package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Service is the catalog's use cases. Every method acts for the principal in ctx
// (auth.FromContext; auth.System for background work) and within its tenant.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	stores StoreFinder
}

// NewService returns the catalog service. stores checks the store ids named by price
// overrides, zone assignments and effective-price queries.
func NewService(d *db.DB, outbox *events.Outbox, audit *audit.Log, c clock.Clock, stores StoreFinder) *Service {
	return &Service{db: d, outbox: outbox, audit: audit, clock: c, stores: stores}
}

// Page limits.
const (
	defaultLimit         = 50
	defaultCategoryLimit = 1000
)

func pageLimit(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, httpapi.MaxLimit)
}

// wrapFind adds the operation to a listing's error; %w keeps its code.
func wrapFind(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("catalog: find %s: %w", what, err)
}

// now returns the current time at the millisecond precision it is stored with.
func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

func (s *Service) lock() string { return s.db.Dialect.ForUpdate() }

// writer returns the principal of ctx when it may change the tenant's catalog: a
// tenant-scope principal holding catalog:write.
func writer(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.CatalogWrite, "changing the catalog")
}

// record writes the audit entry and the outbox event of a change in tx.
func (s *Service) record(ctx context.Context, tx *sql.Tx, tenantID, action, resourceType, resourceID string, changes any, eventType string, payload any) error {
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: action, ResourceType: resourceType, ResourceID: resourceID, Changes: changes}); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, eventType, resourceID, payload)
	return err
}

func codeConflict(what, code string) error {
	return &errs.Error{Code: errs.Conflict, Field: "body.code", Message: fmt.Sprintf("a %s with code %s already exists", what, code)}
}

// fieldNotFound turns a NotFound error about a referenced resource into an invalid
// input error naming the field; other errors pass through.
func fieldNotFound(err error, field, what string) error {
	if errs.Is(err, errs.NotFound) {
		return errs.Field(field, "no such %s", what)
	}
	return err
}

// --- categories ---

// CreateCategory adds a category under n.ParentID (or as a root). Errors: invalid
// (fields, unknown parent, tree deeper than MaxCategoryDepth), conflict (code taken),
// unauthorized, forbidden.
func (s *Service) CreateCategory(ctx context.Context, n NewCategory) (Category, error) {
	p, err := writer(ctx)
	if err != nil {
		return Category{}, err
	}
	n.Code, n.Name, n.ParentID = strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.ParentID)
	if err := n.Validate(); err != nil {
		return Category{}, err
	}
	now := s.now()
	c := Category{ID: ids.New(), TenantID: p.TenantID, ParentID: n.ParentID, Code: n.Code, Name: n.Name, Sort: n.Sort, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c.Level = 1
		if c.ParentID != "" {
			// The lock keeps a concurrent move of the parent from making c's level stale.
			parent, err := getCategory(ctx, tx, p.TenantID, c.ParentID, s.lock())
			if err != nil {
				return fieldNotFound(err, "body.parent_id", "category")
			}
			if parent.Level >= MaxCategoryDepth {
				return errs.Field("body.parent_id", "the category tree is at most %d levels deep", MaxCategoryDepth)
			}
			c.Level = parent.Level + 1
		}
		if err := insertCategory(ctx, tx, c); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict("category", c.Code)
			}
			return err
		}
		return s.record(ctx, tx, p.TenantID, "category.create", "category", c.ID, categoryEvent(c), EventCategoryCreated, categoryEvent(c))
	})
	if err != nil {
		return Category{}, fmt.Errorf("catalog: create category: %w", err)
	}
	return c, nil
}

// UpdateCategory changes a category. Moving it under another parent moves its whole
// subtree; a move under itself or one of its descendants, or one that makes the tree
// deeper than MaxCategoryDepth, is refused. Errors: not_found, invalid, conflict (code
// taken), unauthorized, forbidden.
func (s *Service) UpdateCategory(ctx context.Context, id string, u CategoryUpdate) (Category, error) {
	p, err := writer(ctx)
	if err != nil {
		return Category{}, err
	}
	trimPtr(u.Code, u.Name, u.ParentID)
	if err := u.Validate(); err != nil {
		return Category{}, err
	}
	var next Category
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getCategory(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		next = cur
		setIf(&next.Code, u.Code)
		setIf(&next.Name, u.Name)
		setIf(&next.Sort, u.Sort)
		next.UpdatedAt = s.now()
		if u.ParentID != nil && *u.ParentID != cur.ParentID {
			if err := s.moveCategory(ctx, tx, &next, *u.ParentID); err != nil {
				return err
			}
		}
		if err := updateCategoryRow(ctx, tx, next); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict("category", next.Code)
			}
			return err
		}
		changes := map[string]any{"before": categoryEvent(cur), "after": categoryEvent(next)}
		return s.record(ctx, tx, p.TenantID, "category.update", "category", id, changes, EventCategoryUpdated, categoryEvent(next))
	})
	if err != nil {
		return Category{}, fmt.Errorf("catalog: update category: %w", err)
	}
	return next, nil
}

// moveCategory re-parents c (whose Level is still the old one) under parentID and
// shifts the levels of its descendants.
func (s *Service) moveCategory(ctx context.Context, tx *sql.Tx, c *Category, parentID string) error {
	all, err := allCategories(ctx, tx, c.TenantID, s.lock())
	if err != nil {
		return err
	}
	byID := make(map[string]Category, len(all))
	children := make(map[string][]string)
	for _, cat := range all {
		byID[cat.ID] = cat
		if cat.ParentID != "" {
			children[cat.ParentID] = append(children[cat.ParentID], cat.ID)
		}
	}
	// The subtree of c, c excluded.
	var subtree []string
	height := 0
	for queue := children[c.ID]; len(queue) > 0; queue = queue[1:] {
		id := queue[0]
		subtree = append(subtree, id)
		height = max(height, byID[id].Level-c.Level)
		queue = append(queue, children[id]...)
	}
	newLevel := 1
	if parentID != "" {
		parent, ok := byID[parentID]
		if !ok {
			return errs.Field("body.parent_id", "no such category")
		}
		if parentID == c.ID || slices.Contains(subtree, parentID) {
			return errs.Field("body.parent_id", "a category cannot move under itself or one of its descendants")
		}
		newLevel = parent.Level + 1
	}
	if newLevel+height > MaxCategoryDepth {
		return errs.Field("body.parent_id", "the category tree is at most %d levels deep", MaxCategoryDepth)
	}
	if delta := newLevel - c.Level; delta != 0 {
		for _, id := range subtree {
			if _, err := tx.ExecContext(ctx, `UPDATE categories SET level = level + $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
				c.TenantID, id, delta, clock.Millis(c.UpdatedAt)); err != nil {
				return err
			}
		}
	}
	c.ParentID, c.Level = parentID, newLevel
	return nil
}

// FindCategories returns the tenant's categories as a flat list ordered by id; each
// carries its parent id and level. Errors: invalid (cursor), unauthorized.
func (s *Service) FindCategories(ctx context.Context, f CategoryFilter) (httpapi.Page[Category], error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[Category]{}, err
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultCategoryLimit, func(after string, n int) ([]Category, error) {
		return findCategories(ctx, s.db.Reader(), p.TenantID, f, after, n)
	}, func(c Category) string { return c.ID })
	return page, wrapFind("categories", err)
}

// FindCategoryByID returns a category of the tenant. Errors: not_found, unauthorized.
func (s *Service) FindCategoryByID(ctx context.Context, id string) (Category, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Category{}, err
	}
	c, err := getCategory(ctx, s.db.Reader(), p.TenantID, id, "")
	if err != nil {
		return Category{}, fmt.Errorf("catalog: find category: %w", err)
	}
	return c, nil
}

// --- products ---

// CreateProduct adds a product to a category of the tenant. Errors: invalid (fields,
// unknown category), conflict (code taken), unauthorized, forbidden.
func (s *Service) CreateProduct(ctx context.Context, n NewProduct) (Product, error) {
	p, err := writer(ctx)
	if err != nil {
		return Product{}, err
	}
	n.CategoryID, n.Code, n.Name, n.BrandName = strings.TrimSpace(n.CategoryID), strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.BrandName)
	if n.Unit == "" {
		n.Unit = UnitEach
	}
	if n.Status == "" {
		n.Status = StatusActive
	}
	if err := n.Validate(); err != nil {
		return Product{}, err
	}
	now := s.now()
	prod := Product{ID: ids.New(), TenantID: p.TenantID, CategoryID: n.CategoryID, Code: n.Code, Name: n.Name, BrandName: n.BrandName,
		Unit: n.Unit, Status: n.Status, Description: n.Description, CreatedAt: now, UpdatedAt: now, SKUs: []SKU{}}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := getCategory(ctx, tx, p.TenantID, prod.CategoryID, ""); err != nil {
			return fieldNotFound(err, "body.category_id", "category")
		}
		return s.insertProduct(ctx, tx, prod)
	})
	if err != nil {
		return Product{}, fmt.Errorf("catalog: create product: %w", err)
	}
	return prod, nil
}

// insertProduct writes a new product with its audit entry and event.
func (s *Service) insertProduct(ctx context.Context, tx *sql.Tx, prod Product) error {
	if err := insertProduct(ctx, tx, prod); err != nil {
		if db.IsUniqueViolation(err) {
			return codeConflict("product", prod.Code)
		}
		return err
	}
	if err := indexNames(ctx, tx, s.db.Dialect, prod.TenantID, gramProduct, prod.ID, prod.Name, prod.Code); err != nil {
		return err
	}
	return s.record(ctx, tx, prod.TenantID, "product.create", "product", prod.ID, productEvent(prod), EventProductCreated, productEvent(prod))
}

// UpdateProduct changes a product. Errors: not_found, invalid (fields, unknown
// category), conflict (code taken), unauthorized, forbidden.
func (s *Service) UpdateProduct(ctx context.Context, id string, u ProductUpdate) (Product, error) {
	p, err := writer(ctx)
	if err != nil {
		return Product{}, err
	}
	trimPtr(u.CategoryID, u.Code, u.Name, u.BrandName)
	if err := u.Validate(); err != nil {
		return Product{}, err
	}
	var next Product
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getProduct(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		next = cur
		setIf(&next.CategoryID, u.CategoryID)
		setIf(&next.Code, u.Code)
		setIf(&next.Name, u.Name)
		setIf(&next.BrandName, u.BrandName)
		setIf(&next.Unit, u.Unit)
		setIf(&next.Status, u.Status)
		setIf(&next.Description, u.Description)
		next.UpdatedAt = s.now()
		if next.CategoryID != cur.CategoryID {
			if _, err := getCategory(ctx, tx, p.TenantID, next.CategoryID, ""); err != nil {
				return fieldNotFound(err, "body.category_id", "category")
			}
		}
		if err := updateProductRow(ctx, tx, next); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict("product", next.Code)
			}
			return err
		}
		if next.Name != cur.Name || next.Code != cur.Code {
			if err := indexNames(ctx, tx, s.db.Dialect, p.TenantID, gramProduct, id, next.Name, next.Code); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM skus WHERE tenant_id = $1 AND product_id = $2`, p.TenantID, id).Scan(&next.SKUCount); err != nil {
			return err
		}
		changes := map[string]any{"before": productEvent(cur), "after": productEvent(next)}
		return s.record(ctx, tx, p.TenantID, "product.update", "product", id, changes, EventProductUpdated, productEvent(next))
	})
	if err != nil {
		return Product{}, fmt.Errorf("catalog: update product: %w", err)
	}
	return next, nil
}

// FindProductByID returns a product with all its SKUs. Errors: not_found, unauthorized.
func (s *Service) FindProductByID(ctx context.Context, id string) (Product, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Product{}, err
	}
	prod, err := getProduct(ctx, s.db.Reader(), p.TenantID, id, "")
	if err != nil {
		return Product{}, fmt.Errorf("catalog: find product: %w", err)
	}
	prod.SKUs, err = findSKUs(ctx, s.db.Reader(), s.db, p.TenantID, SKUFilter{ProductID: id}, "", 0)
	if err != nil {
		return Product{}, fmt.Errorf("catalog: find product: %w", err)
	}
	if prod.SKUs == nil {
		prod.SKUs = []SKU{}
	}
	prod.SKUCount = len(prod.SKUs)
	return prod, nil
}

// FindProducts returns the tenant's products matching f, ordered by id, each with its
// SKU count. Errors: invalid (cursor, status), unauthorized.
func (s *Service) FindProducts(ctx context.Context, f ProductFilter) (httpapi.Page[Product], error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[Product]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return httpapi.Page[Product]{}, errs.Field("query.status", "must be active, inactive or discontinued")
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]Product, error) {
		return findProducts(ctx, s.db.Reader(), s.db, p.TenantID, f, after, n)
	}, func(p Product) string { return p.ID })
	return page, wrapFind("products", err)
}

// --- SKUs ---

// skuAudit is what the audit trail keeps of a SKU, cost included.
type skuAudit struct {
	ProductID    string   `json:"product_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Spec         string   `json:"spec"`
	Unit         Unit     `json:"unit"`
	Barcodes     []string `json:"barcodes"`
	ListPriceFen int64    `json:"list_price_fen"`
	CostFen      int64    `json:"cost_fen"`
	Status       Status   `json:"status"`
}

func auditSKU(s SKU) skuAudit {
	return skuAudit{ProductID: s.ProductID, Code: s.Code, Name: s.Name, Spec: s.Spec, Unit: s.Unit, Barcodes: s.Barcodes,
		ListPriceFen: s.ListPriceFen, CostFen: s.CostFen, Status: s.Status}
}

// CreateSKU adds a SKU to a product. Unit defaults to the product's unit. Errors:
// invalid (fields, barcodes, unknown product), conflict (code or a barcode taken; the
// message names the barcode), unauthorized, forbidden.
func (s *Service) CreateSKU(ctx context.Context, n NewSKU) (SKU, error) {
	p, err := writer(ctx)
	if err != nil {
		return SKU{}, err
	}
	n.ProductID, n.Code, n.Name, n.Spec = strings.TrimSpace(n.ProductID), strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.Spec)
	n.Barcodes = trimAll(n.Barcodes)
	if n.Status == "" {
		n.Status = StatusActive
	}
	check := n
	if check.Unit == "" {
		check.Unit = UnitEach
	}
	if err := check.Validate(); err != nil {
		return SKU{}, err
	}
	now := s.now()
	sku := SKU{ID: ids.New(), TenantID: p.TenantID, ProductID: n.ProductID, Code: n.Code, Name: n.Name, Spec: n.Spec, Unit: n.Unit,
		Barcodes: slices.Sorted(slices.Values(n.Barcodes)), ListPriceFen: n.ListPriceFen, CostFen: n.CostFen, Status: n.Status, CreatedAt: now, UpdatedAt: now}
	if sku.Barcodes == nil {
		sku.Barcodes = []string{}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		prod, err := getProduct(ctx, tx, p.TenantID, sku.ProductID, "")
		if err != nil {
			return fieldNotFound(err, "body.product_id", "product")
		}
		if n.Unit == "" {
			sku.Unit = prod.Unit
		}
		return s.insertSKU(ctx, tx, sku)
	})
	if err != nil {
		return SKU{}, fmt.Errorf("catalog: create sku: %w", err)
	}
	return sku, nil
}

// insertSKU writes a new SKU and its barcodes with the audit entry and event.
func (s *Service) insertSKU(ctx context.Context, tx *sql.Tx, sku SKU) error {
	if err := insertSKU(ctx, tx, sku); err != nil {
		if db.IsUniqueViolation(err) {
			return codeConflict("SKU", sku.Code)
		}
		return err
	}
	if err := replaceBarcodes(ctx, tx, sku.TenantID, sku.ID, sku.Barcodes); err != nil {
		return err
	}
	if err := indexNames(ctx, tx, s.db.Dialect, sku.TenantID, gramSKU, sku.ID, sku.Name, sku.Code); err != nil {
		return err
	}
	return s.record(ctx, tx, sku.TenantID, "sku.create", "sku", sku.ID, auditSKU(sku), EventSKUCreated, skuEvent(sku))
}

// UpdateSKU changes a SKU; a new Barcodes list replaces the old one. A list price
// change is also published as catalog.price.changed. Errors: not_found, invalid,
// conflict (code or a barcode taken), unauthorized, forbidden.
func (s *Service) UpdateSKU(ctx context.Context, id string, u SKUUpdate) (SKU, error) {
	p, err := writer(ctx)
	if err != nil {
		return SKU{}, err
	}
	trimPtr(u.Code, u.Name, u.Spec)
	if u.Barcodes != nil {
		b := trimAll(*u.Barcodes)
		u.Barcodes = &b
	}
	if err := u.Validate(); err != nil {
		return SKU{}, err
	}
	var next SKU
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getSKU(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		next = cur
		setIf(&next.Code, u.Code)
		setIf(&next.Name, u.Name)
		setIf(&next.Spec, u.Spec)
		setIf(&next.Unit, u.Unit)
		setIf(&next.ListPriceFen, u.ListPriceFen)
		setIf(&next.CostFen, u.CostFen)
		setIf(&next.Status, u.Status)
		if u.Barcodes != nil {
			next.Barcodes = append([]string{}, *u.Barcodes...)
			slices.Sort(next.Barcodes)
		}
		next.UpdatedAt = s.now()
		return s.updateSKU(ctx, tx, cur, next, u.Barcodes != nil)
	})
	if err != nil {
		return SKU{}, fmt.Errorf("catalog: update sku: %w", err)
	}
	return next, nil
}

// updateSKU writes next over cur, with its barcodes when barcodes is set, the audit
// entry and the events.
func (s *Service) updateSKU(ctx context.Context, tx *sql.Tx, cur, next SKU, barcodes bool) error {
	if err := updateSKURow(ctx, tx, next); err != nil {
		if db.IsUniqueViolation(err) {
			return codeConflict("SKU", next.Code)
		}
		return err
	}
	if next.Name != cur.Name || next.Code != cur.Code {
		if err := indexNames(ctx, tx, s.db.Dialect, next.TenantID, gramSKU, next.ID, next.Name, next.Code); err != nil {
			return err
		}
	}
	if barcodes {
		if err := replaceBarcodes(ctx, tx, next.TenantID, next.ID, next.Barcodes); err != nil {
			return err
		}
	}
	changes := map[string]any{"before": auditSKU(cur), "after": auditSKU(next)}
	if err := s.record(ctx, tx, next.TenantID, "sku.update", "sku", next.ID, changes, EventSKUUpdated, skuEvent(next)); err != nil {
		return err
	}
	if cur.ListPriceFen != next.ListPriceFen {
		old, nw := cur.ListPriceFen, next.ListPriceFen
		ev := PriceChangedEvent{SKUID: next.ID, ScopeType: string(SourceList), OldPriceFen: &old, NewPriceFen: &nw}
		if _, err := s.outbox.Publish(ctx, tx, next.TenantID, EventPriceChanged, next.ID, ev); err != nil {
			return err
		}
	}
	return nil
}

// FindSKUByID returns a SKU with its barcodes, the summary of its price overrides and
// the first DetailOverrides of them (OverridesNext continues with
// FindPriceOverrides): bounded whatever the number of stores that price it. Errors:
// not_found, unauthorized.
func (s *Service) FindSKUByID(ctx context.Context, id string) (SKU, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return SKU{}, err
	}
	q := s.db.Reader()
	sku, err := getSKU(ctx, q, p.TenantID, id, "")
	if err != nil {
		return SKU{}, fmt.Errorf("catalog: find sku: %w", err)
	}
	if sku.Overrides, err = overrideSummary(ctx, q, p.TenantID, id); err != nil {
		return SKU{}, fmt.Errorf("catalog: find sku: %w", err)
	}
	first, err := overridesOf(ctx, q, p.TenantID, id, nil, DetailOverrides+1)
	if err != nil {
		return SKU{}, fmt.Errorf("catalog: find sku: %w", err)
	}
	page := httpapi.PageOf(first, DetailOverrides, func(o PriceOverride) string {
		return overrideKey{ScopeType: o.ScopeType, ScopeID: o.ScopeID}.cursorKey()
	})
	sku.PriceOverrides, sku.OverridesNext = page.Items, page.NextCursor
	if err := s.nameStores(ctx, sku.PriceOverrides); err != nil {
		return SKU{}, fmt.Errorf("catalog: find sku: %w", err)
	}
	return sku, nil
}

// FindPriceOverrides returns a page of the SKU's price overrides, the same items as
// PriceOverrides of FindSKUByID: price zones first, then stores, each ordered by id.
// Errors: not_found (SKU), invalid (cursor), unauthorized.
func (s *Service) FindPriceOverrides(ctx context.Context, skuID string, f PriceOverrideFilter) (httpapi.Page[PriceOverride], error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[PriceOverride]{}, err
	}
	cursor, err := httpapi.DecodeCursor(f.Cursor)
	if err != nil {
		return httpapi.Page[PriceOverride]{}, err
	}
	var after *overrideKey
	if cursor != "" {
		k, ok := parseOverrideKey(cursor)
		if !ok {
			return httpapi.Page[PriceOverride]{}, errs.Field("query.cursor", "malformed cursor")
		}
		after = &k
	}
	limit := pageLimit(f.Limit, defaultLimit)
	q := s.db.Reader()
	if _, err := getSKU(ctx, q, p.TenantID, skuID, ""); err != nil {
		return httpapi.Page[PriceOverride]{}, fmt.Errorf("catalog: find price overrides: %w", err)
	}
	items, err := overridesOf(ctx, q, p.TenantID, skuID, after, limit+1)
	if err != nil {
		return httpapi.Page[PriceOverride]{}, fmt.Errorf("catalog: find price overrides: %w", err)
	}
	page := httpapi.PageOf(items, limit, func(o PriceOverride) string {
		return overrideKey{ScopeType: o.ScopeType, ScopeID: o.ScopeID}.cursorKey()
	})
	if err := s.nameStores(ctx, page.Items); err != nil {
		return httpapi.Page[PriceOverride]{}, fmt.Errorf("catalog: find price overrides: %w", err)
	}
	return page, nil
}

// nameStores replaces store ids with store names when the StoreFinder can name them.
func (s *Service) nameStores(ctx context.Context, overrides []PriceOverride) error {
	namer, ok := s.stores.(StoreNamer)
	if !ok {
		return nil
	}
	var storeIDs []string
	for _, o := range overrides {
		if o.ScopeType == ScopeStore {
			storeIDs = append(storeIDs, o.ScopeID)
		}
	}
	if len(storeIDs) == 0 {
		return nil
	}
	names, err := namer.StoreNames(ctx, storeIDs)
	if err != nil {
		return err
	}
	for i, o := range overrides {
		if n := names[o.ScopeID]; o.ScopeType == ScopeStore && n != "" {
			overrides[i].ScopeName = n
		}
	}
	return nil
}

// FindSKUs returns the tenant's SKUs matching f, ordered by id, each with its
// barcodes. Errors: invalid (cursor, status), unauthorized.
func (s *Service) FindSKUs(ctx context.Context, f SKUFilter) (httpapi.Page[SKU], error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[SKU]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return httpapi.Page[SKU]{}, errs.Field("query.status", "must be active, inactive or discontinued")
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]SKU, error) {
		return findSKUs(ctx, s.db.Reader(), s.db, p.TenantID, f, after, n)
	}, func(s SKU) string { return s.ID })
	return page, wrapFind("skus", err)
}

// --- price zones ---

// CreatePriceZone adds a price zone without stores. Errors: invalid, conflict (code
// taken), unauthorized, forbidden.
func (s *Service) CreatePriceZone(ctx context.Context, n NewPriceZone) (PriceZone, error) {
	p, err := writer(ctx)
	if err != nil {
		return PriceZone{}, err
	}
	n.Code, n.Name = strings.TrimSpace(n.Code), strings.TrimSpace(n.Name)
	if err := n.Validate(); err != nil {
		return PriceZone{}, err
	}
	now := s.now()
	z := PriceZone{ID: ids.New(), TenantID: p.TenantID, Code: n.Code, Name: n.Name, StoreIDs: []string{}, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertZone(ctx, tx, z); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict("price zone", z.Code)
			}
			return err
		}
		return s.record(ctx, tx, p.TenantID, "price_zone.create", "price_zone", z.ID, priceZoneEvent(z), EventPriceZoneCreated, priceZoneEvent(z))
	})
	if err != nil {
		return PriceZone{}, fmt.Errorf("catalog: create price zone: %w", err)
	}
	return z, nil
}

// FindPriceZones returns the tenant's price zones ordered by id, each with its stores.
// Errors: invalid (cursor), unauthorized.
func (s *Service) FindPriceZones(ctx context.Context, f PriceZoneFilter) (httpapi.Page[PriceZone], error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[PriceZone]{}, err
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]PriceZone, error) {
		return findZones(ctx, s.db.Reader(), p.TenantID, after, n)
	}, func(z PriceZone) string { return z.ID })
	return page, wrapFind("price zones", err)
}

// FindPriceZoneByID returns a price zone of the tenant with its stores. Errors:
// not_found, unauthorized.
func (s *Service) FindPriceZoneByID(ctx context.Context, id string) (PriceZone, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return PriceZone{}, err
	}
	z, err := getZone(ctx, s.db.Reader(), p.TenantID, id, "")
	if err != nil {
		return PriceZone{}, fmt.Errorf("catalog: find price zone: %w", err)
	}
	return z, nil
}

// UpdatePriceZone changes the code or name of a price zone; its stores change through
// AssignStores. Errors: not_found, invalid, conflict (code taken), unauthorized,
// forbidden.
func (s *Service) UpdatePriceZone(ctx context.Context, id string, u PriceZoneUpdate) (PriceZone, error) {
	p, err := writer(ctx)
	if err != nil {
		return PriceZone{}, err
	}
	trimPtr(u.Code, u.Name)
	if err := u.Validate(); err != nil {
		return PriceZone{}, err
	}
	var next PriceZone
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getZone(ctx, tx, p.TenantID, id, s.lock())
		if err != nil {
			return err
		}
		next = cur
		setIf(&next.Code, u.Code)
		setIf(&next.Name, u.Name)
		next.UpdatedAt = s.now()
		if err := updateZoneRow(ctx, tx, next); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict("price zone", next.Code)
			}
			return err
		}
		changes := map[string]any{"before": priceZoneEvent(cur), "after": priceZoneEvent(next)}
		return s.record(ctx, tx, p.TenantID, "price_zone.update", "price_zone", id, changes, EventPriceZoneUpdated, priceZoneEvent(next))
	})
	if err != nil {
		return PriceZone{}, fmt.Errorf("catalog: update price zone: %w", err)
	}
	return next, nil
}

// maxZoneStores bounds one zone assignment.
const maxZoneStores = 10000

// AssignStores makes storeIDs the zone's whole set of stores. A store belongs to one
// zone at most, so a store listed here leaves its previous zone. Errors: not_found
// (zone), invalid (unknown or repeated store), unauthorized, forbidden.
func (s *Service) AssignStores(ctx context.Context, zoneID string, storeIDs []string) (PriceZone, error) {
	p, err := writer(ctx)
	if err != nil {
		return PriceZone{}, err
	}
	if len(storeIDs) > maxZoneStores {
		return PriceZone{}, errs.Field("body.store_ids", "at most %d stores", maxZoneStores)
	}
	seen := make(map[string]bool, len(storeIDs))
	for i, id := range storeIDs {
		field := fmt.Sprintf("body.store_ids[%d]", i)
		if id == "" || seen[id] {
			return PriceZone{}, errs.Field(field, "store ids must be non-empty and listed once")
		}
		seen[id] = true
		if err := s.stores.StoreExists(ctx, id); err != nil {
			return PriceZone{}, fmt.Errorf("catalog: assign stores: %w", fieldNotFound(err, field, "store"))
		}
	}
	var z PriceZone
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getZone(ctx, tx, p.TenantID, zoneID, s.lock())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM price_zone_stores WHERE tenant_id = $1 AND zone_id = $2`, p.TenantID, zoneID); err != nil {
			return err
		}
		for _, id := range storeIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO price_zone_stores (tenant_id, zone_id, store_id) VALUES ($1, $2, $3)
				ON CONFLICT (tenant_id, store_id) DO UPDATE SET zone_id = excluded.zone_id`, p.TenantID, zoneID, id); err != nil {
				return err
			}
		}
		z = cur
		z.StoreIDs = slices.Sorted(slices.Values(storeIDs))
		if z.StoreIDs == nil {
			z.StoreIDs = []string{}
		}
		z.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE price_zones SET updated_at = $3 WHERE tenant_id = $1 AND id = $2`, p.TenantID, zoneID, clock.Millis(z.UpdatedAt)); err != nil {
			return err
		}
		changes := map[string]any{"before": cur.StoreIDs, "after": z.StoreIDs}
		return s.record(ctx, tx, p.TenantID, "price_zone.assign_stores", "price_zone", zoneID, changes, EventPriceZoneStoresAssigned, priceZoneEvent(z))
	})
	if err != nil {
		return PriceZone{}, fmt.Errorf("catalog: assign stores: %w", err)
	}
	return z, nil
}

// --- prices ---

// priceAudit is what the audit trail keeps of a price change.
type priceAudit struct {
	SKUCode     string    `json:"sku_code"`
	ScopeType   ScopeType `json:"scope_type"`
	ScopeID     string    `json:"scope_id"`
	OldPriceFen *int64    `json:"old_price_fen"`
	NewPriceFen *int64    `json:"new_price_fen"`
}

// authorizePrice checks that the principal may change the overrides of the scope, and
// that the scope exists: a tenant-scope principal with catalog:write for any store or
// zone, a store-scoped one only for its own store.
func (s *Service) authorizePrice(ctx context.Context, scopeType ScopeType, scopeID string) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !scopeType.Valid() {
		return nil, errs.Field("path.scope_type", "must be store or price_zone")
	}
	if strings.TrimSpace(scopeID) == "" {
		return nil, errs.Field("path.scope_id", "required")
	}
	if !p.Has(auth.CatalogWrite) {
		return nil, errs.E(errs.Forbidden, "changing prices needs catalog:write")
	}
	if scopeType == ScopeStore {
		if err := s.stores.StoreExists(ctx, scopeID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return nil, errs.E(errs.NotFound, "store not found")
			}
			return nil, err
		}
	}
	// StoreExists saw the store through the caller's data scope (404 outside it): a
	// brand, region or store user may set the overrides of the stores it sees. Zone
	// prices span stores of any scope and need the whole tenant.
	if p.DataScope != auth.TenantScope && scopeType != ScopeStore {
		return nil, errs.E(errs.Forbidden, "zone prices need catalog:write over the whole tenant; a brand, region or store user sets the overrides of its own stores")
	}
	return p, nil
}

// SetPrice sets the price of a SKU in one store or one price zone (1..money.MaxAmount fen). The
// audit trail records the old and new price. Errors: not_found (SKU, store, zone),
// invalid, unauthorized, forbidden (see the package doc for who may set which price).
func (s *Service) SetPrice(ctx context.Context, skuID string, scopeType ScopeType, scopeID string, priceFen int64) (PriceOverride, error) {
	p, err := s.authorizePrice(ctx, scopeType, scopeID)
	if err != nil {
		return PriceOverride{}, fmt.Errorf("catalog: set price: %w", err)
	}
	if err := checkPrice("body.price_fen", priceFen); err != nil {
		return PriceOverride{}, err
	}
	o := PriceOverride{SKUID: skuID, ScopeType: scopeType, ScopeID: scopeID, ScopeName: scopeID, PriceFen: priceFen}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Locking the SKU row serialises concurrent changes of its prices, so the old
		// price in the audit trail is exact.
		sku, err := getSKU(ctx, tx, p.TenantID, skuID, s.lock())
		if err != nil {
			return err
		}
		if scopeType == ScopePriceZone {
			z, err := getZone(ctx, tx, p.TenantID, scopeID, "")
			if err != nil {
				return err
			}
			o.ScopeName = z.Name
		}
		old, had, err := getOverride(ctx, tx, p.TenantID, skuID, scopeType, scopeID)
		if err != nil {
			return err
		}
		o.UpdatedAt = s.now()
		if err := upsertOverride(ctx, tx, p.TenantID, o); err != nil {
			return err
		}
		change := priceAudit{SKUCode: sku.Code, ScopeType: scopeType, ScopeID: scopeID, NewPriceFen: &o.PriceFen}
		if had {
			change.OldPriceFen = &old
		}
		ev := PriceChangedEvent{SKUID: skuID, ScopeType: string(scopeType), ScopeID: scopeID, OldPriceFen: change.OldPriceFen, NewPriceFen: change.NewPriceFen}
		return s.record(ctx, tx, p.TenantID, "price.set", "sku", skuID, change, EventPriceChanged, ev)
	})
	if err != nil {
		return PriceOverride{}, fmt.Errorf("catalog: set price: %w", err)
	}
	if scopeType == ScopeStore {
		list := []PriceOverride{o}
		if err := s.nameStores(ctx, list); err == nil {
			o = list[0]
		}
	}
	return o, nil
}

// DeletePrice removes the price of a SKU in one store or price zone, so the next
// wider price applies. Errors: not_found (SKU, store, zone, or no such override),
// invalid, unauthorized, forbidden.
func (s *Service) DeletePrice(ctx context.Context, skuID string, scopeType ScopeType, scopeID string) error {
	p, err := s.authorizePrice(ctx, scopeType, scopeID)
	if err != nil {
		return fmt.Errorf("catalog: delete price: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		sku, err := getSKU(ctx, tx, p.TenantID, skuID, s.lock())
		if err != nil {
			return err
		}
		old, had, err := getOverride(ctx, tx, p.TenantID, skuID, scopeType, scopeID)
		if err != nil {
			return err
		}
		if !had {
			return errs.E(errs.NotFound, "price override not found")
		}
		if err := deleteOverride(ctx, tx, p.TenantID, skuID, scopeType, scopeID); err != nil {
			return err
		}
		change := priceAudit{SKUCode: sku.Code, ScopeType: scopeType, ScopeID: scopeID, OldPriceFen: &old}
		ev := PriceChangedEvent{SKUID: skuID, ScopeType: string(scopeType), ScopeID: scopeID, OldPriceFen: &old}
		return s.record(ctx, tx, p.TenantID, "price.delete", "sku", skuID, change, EventPriceChanged, ev)
	})
	if err != nil {
		return fmt.Errorf("catalog: delete price: %w", err)
	}
	return nil
}

// EffectivePrice returns the price a store sells a SKU at: the store's override, else
// the override of the store's price zone, else the list price. Errors: not_found (SKU
// or store), unauthorized.
func (s *Service) EffectivePrice(ctx context.Context, skuID, storeID string) (EffectivePrice, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return EffectivePrice{}, err
	}
	q := s.db.Reader()
	sku, err := getSKU(ctx, q, p.TenantID, skuID, "")
	if err != nil {
		return EffectivePrice{}, fmt.Errorf("catalog: effective price: %w", err)
	}
	if err := s.stores.StoreExists(ctx, storeID); err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.E(errs.NotFound, "store not found")
		}
		return EffectivePrice{}, fmt.Errorf("catalog: effective price: %w", err)
	}
	ep := EffectivePrice{SKUID: skuID, StoreID: storeID, PriceFen: sku.ListPriceFen, Source: SourceList, ListPriceFen: sku.ListPriceFen}
	price, ok, err := getOverride(ctx, q, p.TenantID, skuID, ScopeStore, storeID)
	if err != nil {
		return EffectivePrice{}, fmt.Errorf("catalog: effective price: %w", err)
	}
	if ok {
		ep.PriceFen, ep.Source, ep.ScopeID = price, SourceStore, storeID
		return ep, nil
	}
	zone, err := zoneOfStore(ctx, q, p.TenantID, storeID)
	if err != nil {
		return EffectivePrice{}, fmt.Errorf("catalog: effective price: %w", err)
	}
	if zone != "" {
		price, ok, err := getOverride(ctx, q, p.TenantID, skuID, ScopePriceZone, zone)
		if err != nil {
			return EffectivePrice{}, fmt.Errorf("catalog: effective price: %w", err)
		}
		if ok {
			ep.PriceFen, ep.Source, ep.ScopeID = price, SourcePriceZone, zone
		}
	}
	return ep, nil
}

// CatalogSummary counts the tenant's categories, products and SKUs. Errors:
// unauthorized.
func (s *Service) CatalogSummary(ctx context.Context) (Summary, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Summary{}, err
	}
	sum, err := countCatalog(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return Summary{}, fmt.Errorf("catalog: summary: %w", err)
	}
	return sum, nil
}

// --- small helpers ---

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func trimPtr(ps ...*string) {
	for _, p := range ps {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
}

func trimAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
