package catalog

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// MaxImportBytes is the largest CSV file the import endpoint accepts.
const MaxImportBytes = 32 << 20

// --- response bodies ---

// CategoryResponse is a category as the API shows it.
type CategoryResponse struct {
	ID       string  `json:"id"`
	ParentID *string `json:"parent_id" nullable:"true" doc:"null for a root category"`
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Level    int     `json:"level" doc:"1 for a root, at most 5"`
	Sort     int     `json:"sort"`
}

// ProductResponse is a product (SPU) as lists show it.
type ProductResponse struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	CategoryID  string    `json:"category_id"`
	BrandName   string    `json:"brand_name"`
	Unit        Unit      `json:"unit" enum:"each,weight"`
	Status      Status    `json:"status" enum:"active,inactive,discontinued"`
	Description string    `json:"description"`
	SKUCount    int       `json:"sku_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ProductDetailResponse is a product with its SKUs.
type ProductDetailResponse struct {
	ProductResponse
	SKUs []SKUResponse `json:"skus" nullable:"false"`
}

// SKUResponse is a SKU as lists show it. For unit weight, prices are per kilogram.
type SKUResponse struct {
	ID           string    `json:"id"`
	ProductID    string    `json:"product_id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Spec         string    `json:"spec"`
	Unit         Unit      `json:"unit" enum:"each,weight" doc:"weight: quantities in grams, prices per kilogram"`
	Barcodes     []string  `json:"barcodes" nullable:"false"`
	ListPriceFen int64     `json:"list_price_fen"`
	CostFen      int64     `json:"cost_fen"`
	Status       Status    `json:"status" enum:"active,inactive,discontinued"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SKUDetailResponse is a SKU with the summary of its price overrides and the first
// of them; the rest are paged through list-sku-prices.
type SKUDetailResponse struct {
	SKUResponse
	PriceOverrides []SKUPriceOverrideResponse `json:"price_overrides" nullable:"false" doc:"The first 20 overrides, in the order of list-sku-prices."`
	OverridesNext  string                     `json:"price_overrides_next_cursor,omitempty" doc:"Pass as cursor to list-sku-prices (price_overrides_url) for the overrides after price_overrides; absent when price_overrides holds them all."`
	OverridesURL   string                     `json:"price_overrides_url" doc:"The paged list of all the SKU's overrides (list-sku-prices)."`
	Summary        SKUOverrideSummaryResponse `json:"price_override_summary"`
}

// SKUOverrideSummaryResponse counts a SKU's price overrides.
type SKUOverrideSummaryResponse struct {
	Total       int   `json:"total"`
	PriceZones  int   `json:"price_zones"`
	Stores      int   `json:"stores"`
	MinPriceFen int64 `json:"min_price_fen" doc:"The lowest override price; 0 when there are none."`
	MaxPriceFen int64 `json:"max_price_fen" doc:"The highest override price; 0 when there are none."`
}

// SKUPriceOverrideResponse is the price of a SKU in one store or price zone.
type SKUPriceOverrideResponse struct {
	ScopeType ScopeType `json:"scope_type" enum:"store,price_zone"`
	ScopeID   string    `json:"scope_id"`
	ScopeName string    `json:"scope_name" doc:"the zone's or store's name; a store's id when its name is unknown"`
	PriceFen  int64     `json:"price_fen"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PriceZoneResponse is a price zone with its stores.
type PriceZoneResponse struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	StoreIDs  []string  `json:"store_ids" nullable:"false"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SKUEffectivePriceResponse is the price a store sells a SKU at and where it came from.
type SKUEffectivePriceResponse struct {
	SKUID        string      `json:"sku_id"`
	StoreID      string      `json:"store_id"`
	PriceFen     int64       `json:"price_fen"`
	Source       PriceSource `json:"source" enum:"store,price_zone,list"`
	ScopeID      string      `json:"scope_id,omitempty" doc:"the store or price zone whose override applies"`
	ListPriceFen int64       `json:"list_price_fen"`
}

// SKUImportErrorResponse is one rejected row of an import.
type SKUImportErrorResponse struct {
	Line   int    `json:"line" doc:"line in the file; the header is line 1"`
	Field  string `json:"field" doc:"column name; empty when the line could not be read"`
	Reason string `json:"reason"`
}

// SKUImportReportResponse is the outcome of a SKU import.
type SKUImportReportResponse struct {
	Rows      int                      `json:"rows"`
	Created   int                      `json:"created"`
	Updated   int                      `json:"updated"`
	Failed    int                      `json:"failed"`
	Processed int                      `json:"processed" doc:"rows of the committed batches; less than rows when the import stopped early"`
	Canceled  bool                     `json:"canceled"`
	Errors    []SKUImportErrorResponse `json:"errors" nullable:"false" doc:"the first 1,000 rejected rows"`
}

// CatalogSummaryResponse counts the tenant's catalog.
type CatalogSummaryResponse struct {
	Categories int `json:"categories"`
	Products   int `json:"products"`
	SKUs       int `json:"skus"`
}

// --- request bodies ---

// CategoryCreateRequest creates a category.
type CategoryCreateRequest struct {
	ParentID string `json:"parent_id,omitempty" maxLength:"64" doc:"omit for a root category"`
	Code     string `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name     string `json:"name" minLength:"1" maxLength:"100"`
	Sort     int    `json:"sort,omitempty"`
}

// CategoryUpdateRequest changes a category; omitted fields stay unchanged.
type CategoryUpdateRequest struct {
	ParentID *string `json:"parent_id,omitempty" maxLength:"64" doc:"\"\" makes the category a root"`
	Code     *string `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name     *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
	Sort     *int    `json:"sort,omitempty"`
}

// ProductCreateRequest creates a product.
type ProductCreateRequest struct {
	CategoryID  string `json:"category_id" minLength:"1" maxLength:"64"`
	Code        string `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name        string `json:"name" minLength:"1" maxLength:"200"`
	BrandName   string `json:"brand_name,omitempty" maxLength:"100"`
	Unit        Unit   `json:"unit,omitempty" enum:"each,weight" doc:"default each"`
	Status      Status `json:"status,omitempty" enum:"active,inactive,discontinued" doc:"default active"`
	Description string `json:"description,omitempty" maxLength:"4000"`
}

// ProductUpdateRequest changes a product; omitted fields stay unchanged.
type ProductUpdateRequest struct {
	CategoryID  *string `json:"category_id,omitempty" minLength:"1" maxLength:"64"`
	Code        *string `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name        *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	BrandName   *string `json:"brand_name,omitempty" maxLength:"100"`
	Unit        *Unit   `json:"unit,omitempty" enum:"each,weight"`
	Status      *Status `json:"status,omitempty" enum:"active,inactive,discontinued"`
	Description *string `json:"description,omitempty" maxLength:"4000"`
}

// SKUCreateRequest creates a SKU.
type SKUCreateRequest struct {
	ProductID    string   `json:"product_id" minLength:"1" maxLength:"64"`
	Code         string   `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name         string   `json:"name" minLength:"1" maxLength:"200"`
	Spec         string   `json:"spec,omitempty" maxLength:"64" doc:"for example 500ml or per 500g"`
	Unit         Unit     `json:"unit,omitempty" enum:"each,weight" doc:"default: the product's unit; weight means grams and prices per kilogram"`
	Barcodes     []string `json:"barcodes,omitempty" maxItems:"20" doc:"EAN-13, EAN-8, UPC-A (check digit verified) or in-store codes of 4-32 letters and digits"`
	ListPriceFen int64    `json:"list_price_fen" minimum:"1" maximum:"1000000000" doc:"at most ¥10,000,000.00 (the pricing engine's bound)"`
	CostFen      int64    `json:"cost_fen,omitempty" minimum:"0" maximum:"1000000000"`
	Status       Status   `json:"status,omitempty" enum:"active,inactive,discontinued" doc:"default active"`
}

// SKUUpdateRequest changes a SKU; omitted fields stay unchanged and barcodes, when
// sent, replaces the whole list.
type SKUUpdateRequest struct {
	Code         *string   `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name         *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Spec         *string   `json:"spec,omitempty" maxLength:"64"`
	Unit         *Unit     `json:"unit,omitempty" enum:"each,weight"`
	Barcodes     *[]string `json:"barcodes,omitempty" maxItems:"20"`
	ListPriceFen *int64    `json:"list_price_fen,omitempty" minimum:"1" maximum:"1000000000"`
	CostFen      *int64    `json:"cost_fen,omitempty" minimum:"0" maximum:"1000000000"`
	Status       *Status   `json:"status,omitempty" enum:"active,inactive,discontinued"`
}

// SKUPriceSetRequest sets a price override.
type SKUPriceSetRequest struct {
	PriceFen int64 `json:"price_fen" minimum:"1" maximum:"1000000000" doc:"per kilogram for weighed SKUs; at most ¥10,000,000.00"`
}

// PriceZoneCreateRequest creates a price zone.
type PriceZoneCreateRequest struct {
	Code string `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name string `json:"name" minLength:"1" maxLength:"100"`
}

// PriceZoneUpdateRequest changes a price zone; omitted fields stay unchanged.
type PriceZoneUpdateRequest struct {
	Code *string `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
}

// PriceZoneStoresRequest replaces the stores of a price zone.
type PriceZoneStoresRequest struct {
	StoreIDs []string `json:"store_ids" maxItems:"10000" nullable:"false"`
}

// --- converters ---

func categoryResponse(c Category) CategoryResponse {
	r := CategoryResponse{ID: c.ID, Code: c.Code, Name: c.Name, Level: c.Level, Sort: c.Sort}
	if c.ParentID != "" {
		parent := c.ParentID
		r.ParentID = &parent
	}
	return r
}

func productResponse(p Product) ProductResponse {
	return ProductResponse{ID: p.ID, Code: p.Code, Name: p.Name, CategoryID: p.CategoryID, BrandName: p.BrandName, Unit: p.Unit,
		Status: p.Status, Description: p.Description, SKUCount: p.SKUCount, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func productDetailResponse(p Product) ProductDetailResponse {
	return ProductDetailResponse{ProductResponse: productResponse(p), SKUs: mapSlice(p.SKUs, skuResponse)}
}

func skuResponse(s SKU) SKUResponse {
	b := s.Barcodes
	if b == nil {
		b = []string{}
	}
	return SKUResponse{ID: s.ID, ProductID: s.ProductID, Code: s.Code, Name: s.Name, Spec: s.Spec, Unit: s.Unit, Barcodes: b,
		ListPriceFen: s.ListPriceFen, CostFen: s.CostFen, Status: s.Status, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func skuDetailResponse(s SKU) SKUDetailResponse {
	o := s.Overrides
	return SKUDetailResponse{SKUResponse: skuResponse(s), PriceOverrides: mapSlice(s.PriceOverrides, priceOverrideResponse),
		OverridesNext: s.OverridesNext, OverridesURL: "/api/v1/skus/" + url.PathEscape(s.ID) + "/prices",
		Summary: SKUOverrideSummaryResponse{Total: o.Total, PriceZones: o.PriceZones, Stores: o.Stores, MinPriceFen: o.MinPriceFen, MaxPriceFen: o.MaxPriceFen}}
}

func priceOverrideResponse(o PriceOverride) SKUPriceOverrideResponse {
	return SKUPriceOverrideResponse{ScopeType: o.ScopeType, ScopeID: o.ScopeID, ScopeName: o.ScopeName, PriceFen: o.PriceFen, UpdatedAt: o.UpdatedAt}
}

func priceZoneResponse(z PriceZone) PriceZoneResponse {
	ids := z.StoreIDs
	if ids == nil {
		ids = []string{}
	}
	return PriceZoneResponse{ID: z.ID, Code: z.Code, Name: z.Name, StoreIDs: ids, CreatedAt: z.CreatedAt, UpdatedAt: z.UpdatedAt}
}

func effectivePriceResponse(e EffectivePrice) SKUEffectivePriceResponse {
	return SKUEffectivePriceResponse{SKUID: e.SKUID, StoreID: e.StoreID, PriceFen: e.PriceFen, Source: e.Source, ScopeID: e.ScopeID, ListPriceFen: e.ListPriceFen}
}

func importReportResponse(r ImportReport) SKUImportReportResponse {
	return SKUImportReportResponse{Rows: r.Rows, Created: r.Created, Updated: r.Updated, Failed: r.Failed, Processed: r.Processed,
		Canceled: r.Canceled, Errors: mapSlice(r.Errors, func(e ImportError) SKUImportErrorResponse {
			return SKUImportErrorResponse{Line: e.Line, Field: e.Field, Reason: e.Reason}
		})}
}

func summaryResponse(s Summary) CatalogSummaryResponse {
	return CatalogSummaryResponse{Categories: s.Categories, Products: s.Products, SKUs: s.SKUs}
}

func newCategory(r CategoryCreateRequest) NewCategory {
	return NewCategory{ParentID: r.ParentID, Code: r.Code, Name: r.Name, Sort: r.Sort}
}

func categoryUpdate(r CategoryUpdateRequest) CategoryUpdate {
	return CategoryUpdate{ParentID: r.ParentID, Code: r.Code, Name: r.Name, Sort: r.Sort}
}

func newProduct(r ProductCreateRequest) NewProduct {
	return NewProduct{CategoryID: r.CategoryID, Code: r.Code, Name: r.Name, BrandName: r.BrandName, Unit: r.Unit, Status: r.Status, Description: r.Description}
}

func productUpdate(r ProductUpdateRequest) ProductUpdate {
	return ProductUpdate{CategoryID: r.CategoryID, Code: r.Code, Name: r.Name, BrandName: r.BrandName, Unit: r.Unit, Status: r.Status, Description: r.Description}
}

func newSKU(r SKUCreateRequest) NewSKU {
	return NewSKU{ProductID: r.ProductID, Code: r.Code, Name: r.Name, Spec: r.Spec, Unit: r.Unit, Barcodes: r.Barcodes,
		ListPriceFen: r.ListPriceFen, CostFen: r.CostFen, Status: r.Status}
}

func skuUpdate(r SKUUpdateRequest) SKUUpdate {
	return SKUUpdate{Code: r.Code, Name: r.Name, Spec: r.Spec, Unit: r.Unit, Barcodes: r.Barcodes, ListPriceFen: r.ListPriceFen,
		CostFen: r.CostFen, Status: r.Status}
}

func priceZoneUpdate(r PriceZoneUpdateRequest) PriceZoneUpdate {
	return PriceZoneUpdate{Code: r.Code, Name: r.Name}
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// --- inputs and outputs ---

type catalogIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type categoryListInput struct {
	Limit    int    `query:"limit" minimum:"1" maximum:"1000" default:"1000" doc:"Maximum number of items to return."`
	Cursor   string `query:"cursor" maxLength:"200" doc:"Opaque cursor from a previous page's next_cursor."`
	ParentID string `query:"parent_id" maxLength:"64" doc:"Only the children of this category."`
}

type categoryCreateInput struct{ Body CategoryCreateRequest }

type categoryUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body CategoryUpdateRequest
}

type productListInput struct {
	httpapi.PageParams
	Q          string `query:"q" maxLength:"100" doc:"Part of the name or code, case-insensitive. Digits only also find the product with that code, or with a SKU with that barcode, exactly (first on the first page)."`
	CategoryID string `query:"category_id" maxLength:"64" doc:"Products of this category and its descendants."`
	Status     Status `query:"status" enum:"active,inactive,discontinued,"`
	BrandName  string `query:"brand_name" maxLength:"100"`
}

type productCreateInput struct{ Body ProductCreateRequest }

type productUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ProductUpdateRequest
}

type skuListInput struct {
	httpapi.PageParams
	Q          string `query:"q" maxLength:"100" doc:"Part of the name or code, case-insensitive. Digits only also find the SKU with that barcode or code exactly (first on the first page)."`
	Barcode    string `query:"barcode" maxLength:"32" doc:"Exact barcode."`
	ProductID  string `query:"product_id" maxLength:"64"`
	CategoryID string `query:"category_id" maxLength:"64" doc:"SKUs of products in this category and its descendants."`
	Status     Status `query:"status" enum:"active,inactive,discontinued,"`
}

type skuExportInput struct {
	httpapi.ExportParams
	Q          string `query:"q" maxLength:"100" doc:"As in GET /api/v1/skus."`
	Barcode    string `query:"barcode" maxLength:"32"`
	ProductID  string `query:"product_id" maxLength:"64"`
	CategoryID string `query:"category_id" maxLength:"64"`
	Status     Status `query:"status" enum:"active,inactive,discontinued,"`
}

type skuCreateInput struct{ Body SKUCreateRequest }

type skuUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body SKUUpdateRequest
}

type effectivePriceInput struct {
	ID      string `path:"id" maxLength:"64"`
	StoreID string `query:"store_id" required:"true" minLength:"1" maxLength:"64"`
}

type priceScopeInput struct {
	ID        string    `path:"id" maxLength:"64"`
	ScopeType ScopeType `path:"scope_type" enum:"store,price_zone"`
	ScopeID   string    `path:"scope_id" maxLength:"64"`
}

type priceSetInput struct {
	ID        string    `path:"id" maxLength:"64"`
	ScopeType ScopeType `path:"scope_type" enum:"store,price_zone"`
	ScopeID   string    `path:"scope_id" maxLength:"64"`
	Body      SKUPriceSetRequest
}

type priceZoneListInput struct{ httpapi.PageParams }

type priceZoneCreateInput struct{ Body PriceZoneCreateRequest }

type priceZoneUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body PriceZoneUpdateRequest
}

type skuPriceListInput struct {
	ID string `path:"id" maxLength:"64"`
	httpapi.PageParams
}

type priceZoneStoresInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body PriceZoneStoresRequest
}

type skuImportInput struct {
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"text/csv"`
}

type importReportOutput struct{ Body SKUImportReportResponse }

// Register adds the catalog operations to the API.
func (s *Service) Register(api huma.API) {
	tags := []string{"Catalog"}
	read, write := httpapi.Secured(auth.CatalogRead), httpapi.Secured(auth.CatalogWrite)

	huma.Register(api, huma.Operation{
		OperationID: "list-categories", Method: http.MethodGet, Path: "/api/v1/categories",
		Summary: "List categories", Description: "The category tree as a flat list ordered by id; each item has its parent id and level.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *categoryListInput) (*httpapi.Body[httpapi.Page[CategoryResponse]], error) {
		f := CategoryFilter{Limit: in.Limit, Cursor: in.Cursor}
		if in.ParentID != "" {
			f.ParentID = &in.ParentID
		}
		return httpapi.ReplyPage(categoryResponse)(s.FindCategories(ctx, f))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-category", Method: http.MethodPost, Path: "/api/v1/categories",
		Summary: "Create a category", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *categoryCreateInput) (*httpapi.Body[CategoryResponse], error) {
		return httpapi.Reply(categoryResponse)(s.CreateCategory(ctx, newCategory(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-category", Method: http.MethodGet, Path: "/api/v1/categories/{id}",
		Summary: "Get a category", Tags: tags, Security: read,
	}, func(ctx context.Context, in *catalogIDInput) (*httpapi.Body[CategoryResponse], error) {
		return httpapi.Reply(categoryResponse)(s.FindCategoryByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-category", Method: http.MethodPatch, Path: "/api/v1/categories/{id}",
		Summary: "Update a category", Description: "Changing parent_id moves the whole subtree; cycles and trees deeper than 5 levels are refused.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *categoryUpdateInput) (*httpapi.Body[CategoryResponse], error) {
		return httpapi.Reply(categoryResponse)(s.UpdateCategory(ctx, in.ID, categoryUpdate(in.Body)))
	})

	huma.Register(api, huma.Operation{
		OperationID: "delete-category", Method: http.MethodDelete, Path: "/api/v1/categories/{id}",
		Summary: "Delete a category", Description: "Only a category without sub-categories and without products; otherwise 409.",
		Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *catalogIDInput) (*struct{}, error) {
		if err := s.DeleteCategory(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "list-products", Method: http.MethodGet, Path: "/api/v1/products",
		Summary: "List products", Tags: tags, Security: read,
	}, func(ctx context.Context, in *productListInput) (*httpapi.Body[httpapi.Page[ProductResponse]], error) {
		return httpapi.ReplyPage(productResponse)(s.FindProducts(ctx, ProductFilter{Q: in.Q, CategoryID: in.CategoryID,
			Status: in.Status, BrandName: in.BrandName, Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-product", Method: http.MethodPost, Path: "/api/v1/products",
		Summary: "Create a product", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *productCreateInput) (*httpapi.Body[ProductResponse], error) {
		return httpapi.Reply(productResponse)(s.CreateProduct(ctx, newProduct(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-product", Method: http.MethodGet, Path: "/api/v1/products/{id}",
		Summary: "Get a product with its SKUs", Tags: tags, Security: read,
	}, func(ctx context.Context, in *catalogIDInput) (*httpapi.Body[ProductDetailResponse], error) {
		return httpapi.Reply(productDetailResponse)(s.FindProductByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-product", Method: http.MethodPatch, Path: "/api/v1/products/{id}",
		Summary: "Update a product", Tags: tags, Security: write,
	}, func(ctx context.Context, in *productUpdateInput) (*httpapi.Body[ProductResponse], error) {
		return httpapi.Reply(productResponse)(s.UpdateProduct(ctx, in.ID, productUpdate(in.Body)))
	})

	huma.Register(api, huma.Operation{
		OperationID: "list-skus", Method: http.MethodGet, Path: "/api/v1/skus",
		Summary: "List SKUs", Tags: tags, Security: read,
	}, func(ctx context.Context, in *skuListInput) (*httpapi.Body[httpapi.Page[SKUResponse]], error) {
		return httpapi.ReplyPage(skuResponse)(s.FindSKUs(ctx, SKUFilter{Q: in.Q, Barcode: in.Barcode, ProductID: in.ProductID,
			CategoryID: in.CategoryID, Status: in.Status, Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "export-skus", Method: http.MethodGet, Path: "/api/v1/skus/export",
		Summary: "Export SKUs to Excel or CSV",
		Description: "Every SKU matching the filters of GET /api/v1/skus, as an .xlsx workbook or a UTF-8 CSV file with BOM, with the " +
			"columns of POST /api/v1/imports/skus (prices in yuan), so the file re-imports unchanged. Cells starting with =, +, -, @, tab " +
			"or CR get a leading ' against formula injection (the import drops it).",
		Tags: tags, Security: read, Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *skuExportInput) (*huma.StreamResponse, error) {
		f := SKUFilter{Q: in.Q, Barcode: in.Barcode, ProductID: in.ProductID, CategoryID: in.CategoryID, Status: in.Status}
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[SKUExportRow]{Name: "skus", Header: ImportColumns(), Row: skuExportRow,
			Page: func(ctx context.Context, cursor string, limit int) (httpapi.Page[SKUExportRow], error) {
				f.Cursor, f.Limit = cursor, limit
				return s.FindSKUExportRows(ctx, f)
			}})
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-sku", Method: http.MethodPost, Path: "/api/v1/skus",
		Summary: "Create a SKU", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *skuCreateInput) (*httpapi.Body[SKUResponse], error) {
		return httpapi.Reply(skuResponse)(s.CreateSKU(ctx, newSKU(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-sku", Method: http.MethodGet, Path: "/api/v1/skus/{id}",
		Summary: "Get a SKU with its barcodes and price overrides",
		Description: "The overrides are summarised (counts by scope, price range) and the first 20 are included; " +
			"the rest are paged through list-sku-prices from price_overrides_next_cursor.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *catalogIDInput) (*httpapi.Body[SKUDetailResponse], error) {
		return httpapi.Reply(skuDetailResponse)(s.FindSKUByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-sku", Method: http.MethodPatch, Path: "/api/v1/skus/{id}",
		Summary: "Update a SKU", Tags: tags, Security: write,
	}, func(ctx context.Context, in *skuUpdateInput) (*httpapi.Body[SKUResponse], error) {
		return httpapi.Reply(skuResponse)(s.UpdateSKU(ctx, in.ID, skuUpdate(in.Body)))
	})

	huma.Register(api, huma.Operation{
		OperationID: "get-sku-effective-price", Method: http.MethodGet, Path: "/api/v1/skus/{id}/price",
		Summary: "Get the price of a SKU in a store", Description: "The store's override, else its price zone's override, else the list price.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *effectivePriceInput) (*httpapi.Body[SKUEffectivePriceResponse], error) {
		return httpapi.Reply(effectivePriceResponse)(s.EffectivePrice(ctx, in.ID, in.StoreID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-sku-prices", Method: http.MethodGet, Path: "/api/v1/skus/{id}/prices",
		Summary: "List a SKU's price overrides", Description: "The items of price_overrides on the SKU detail: price zones first, then stores, each ordered by id.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *skuPriceListInput) (*httpapi.Body[httpapi.Page[SKUPriceOverrideResponse]], error) {
		return httpapi.ReplyPage(priceOverrideResponse)(s.FindPriceOverrides(ctx, in.ID, PriceOverrideFilter{Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "set-sku-price", Method: http.MethodPut, Path: "/api/v1/skus/{id}/prices/{scope_type}/{scope_id}",
		Summary: "Set a SKU's price in a store or price zone", Description: "Store managers may set the prices of their own store only.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *priceSetInput) (*httpapi.Body[SKUPriceOverrideResponse], error) {
		return httpapi.Reply(priceOverrideResponse)(s.SetPrice(ctx, in.ID, in.ScopeType, in.ScopeID, in.Body.PriceFen))
	})
	huma.Register(api, huma.Operation{
		OperationID: "delete-sku-price", Method: http.MethodDelete, Path: "/api/v1/skus/{id}/prices/{scope_type}/{scope_id}",
		Summary: "Delete a SKU's price in a store or price zone", Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *priceScopeInput) (*struct{}, error) {
		if err := s.DeletePrice(ctx, in.ID, in.ScopeType, in.ScopeID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "list-price-zones", Method: http.MethodGet, Path: "/api/v1/price-zones",
		Summary: "List price zones", Tags: tags, Security: read,
	}, func(ctx context.Context, in *priceZoneListInput) (*httpapi.Body[httpapi.Page[PriceZoneResponse]], error) {
		return httpapi.ReplyPage(priceZoneResponse)(s.FindPriceZones(ctx, PriceZoneFilter{Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-price-zone", Method: http.MethodPost, Path: "/api/v1/price-zones",
		Summary: "Create a price zone", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *priceZoneCreateInput) (*httpapi.Body[PriceZoneResponse], error) {
		return httpapi.Reply(priceZoneResponse)(s.CreatePriceZone(ctx, NewPriceZone{Code: in.Body.Code, Name: in.Body.Name}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-price-zone", Method: http.MethodGet, Path: "/api/v1/price-zones/{id}",
		Summary: "Get a price zone with its stores", Tags: tags, Security: read,
	}, func(ctx context.Context, in *catalogIDInput) (*httpapi.Body[PriceZoneResponse], error) {
		return httpapi.Reply(priceZoneResponse)(s.FindPriceZoneByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-price-zone", Method: http.MethodPatch, Path: "/api/v1/price-zones/{id}",
		Summary: "Update a price zone", Description: "Changes the code or name; the stores change through set-price-zone-stores.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *priceZoneUpdateInput) (*httpapi.Body[PriceZoneResponse], error) {
		return httpapi.Reply(priceZoneResponse)(s.UpdatePriceZone(ctx, in.ID, priceZoneUpdate(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "delete-price-zone", Method: http.MethodDelete, Path: "/api/v1/price-zones/{id}",
		Summary: "Delete a price zone", Description: "Only a zone without stores and without SKU prices; otherwise 409.",
		Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *catalogIDInput) (*struct{}, error) {
		if err := s.DeletePriceZone(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "set-price-zone-stores", Method: http.MethodPut, Path: "/api/v1/price-zones/{id}/stores",
		Summary: "Set the stores of a price zone", Description: "Replaces the zone's stores; a store listed here leaves its previous zone.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *priceZoneStoresInput) (*httpapi.Body[PriceZoneResponse], error) {
		return httpapi.Reply(priceZoneResponse)(s.AssignStores(ctx, in.ID, in.Body.StoreIDs))
	})

	huma.Register(api, huma.Operation{
		OperationID: "import-skus", Method: http.MethodPost, Path: "/api/v1/imports/skus",
		Summary: "Import SKUs from CSV or Excel",
		Description: "Creates or updates SKUs by sku_code from a CSV file (UTF-8 with or without BOM, or GBK) or an Excel .xlsx workbook " +
			"(first sheet; recognised by its content or the Content-Type " + sheet.MediaXLSX + ") of at most 32 MiB. " +
			"The columns are those of GET /api/v1/skus/export, so an exported file re-imports unchanged. " +
			"Required columns: sku_code, product_code, sku_name, list_price (yuan, at most 2 decimals); optional: category_code, " +
			"product_name, brand_name, spec, unit, barcode (several separated by |), cost, status. Rejected rows are listed in the report; " +
			"a header lacking required columns is a 422.",
		Tags: tags, Security: write, MaxBodyBytes: MaxImportBytes,
	}, func(ctx context.Context, in *skuImportInput) (*importReportOutput, error) {
		report, err := s.ImportSKUs(ctx, bytes.NewReader(in.RawBody), ImportOptions{ContentType: in.ContentType})
		if err != nil && !report.Canceled {
			return nil, httpapi.Problem(err)
		}
		return &importReportOutput{Body: importReportResponse(report)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "get-catalog-summary", Method: http.MethodGet, Path: "/api/v1/catalog-summary",
		Summary: "Count categories, products and SKUs", Tags: tags, Security: read,
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[CatalogSummaryResponse], error) {
		return httpapi.Reply(summaryResponse)(s.CatalogSummary(ctx))
	})
}
