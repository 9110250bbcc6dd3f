package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// StoreFinder finds a store visible to the principal in ctx — in its tenant and data
// scope, whether or not it holds org:read; errs.NotFound otherwise. The org domain
// satisfies it; catalog uses it to check the stores named by price overrides, price
// zones and effective-price queries, so a store outside the caller's scope is 404.
type StoreFinder interface {
	StoreExists(ctx context.Context, storeID string) error
}

// StoreNamer may also be implemented by the StoreFinder: it names stores so that store
// price overrides show the store's name. Ids it does not return are shown as the id.
type StoreNamer interface {
	StoreNames(ctx context.Context, storeIDs []string) (map[string]string, error)
}

// MaxCategoryDepth is the deepest level of the category tree; roots are level 1.
const MaxCategoryDepth = 5

// Unit is how a SKU is counted and priced.
type Unit string

// The units. UnitWeight means quantities are grams and prices are per kilogram.
const (
	UnitEach   Unit = "each"
	UnitWeight Unit = "weight"
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return u == UnitEach || u == UnitWeight }

// Status is the life-cycle state of a product or SKU.
type Status string

// The statuses.
const (
	StatusActive       Status = "active"
	StatusInactive     Status = "inactive"
	StatusDiscontinued Status = "discontinued"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusInactive || s == StatusDiscontinued
}

// ScopeType says what a price override applies to.
type ScopeType string

// The price override scopes.
const (
	ScopeStore     ScopeType = "store"
	ScopePriceZone ScopeType = "price_zone"
)

// Valid reports whether t is a known override scope.
func (t ScopeType) Valid() bool { return t == ScopeStore || t == ScopePriceZone }

// PriceSource says where an effective price came from.
type PriceSource string

// The price sources, from most to least specific.
const (
	SourceStore     PriceSource = "store"
	SourcePriceZone PriceSource = "price_zone"
	SourceList      PriceSource = "list"
)

// Category is a node of the tenant's category tree.
type Category struct {
	ID        string
	TenantID  string
	ParentID  string // "" for a root
	Code      string
	Name      string
	Level     int // 1 for a root, at most MaxCategoryDepth
	Sort      int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewCategory is the input of CreateCategory.
type NewCategory struct {
	ParentID string // "" for a root
	Code     string
	Name     string
	Sort     int
}

// Validate checks the fields of a new category; errors name the body field.
func (n NewCategory) Validate() error {
	if r := bizcode.Problem(n.Code); r != "" {
		return errs.Field("body.code", "%s", r)
	}
	if r := checkName(n.Name, 100); r != "" {
		return errs.Field("body.name", "%s", r)
	}
	return nil
}

// CategoryUpdate changes a category; nil fields stay unchanged. ParentID set to ""
// makes the category a root.
type CategoryUpdate struct {
	ParentID *string
	Code     *string
	Name     *string
	Sort     *int
}

// Validate checks the fields being set.
func (u CategoryUpdate) Validate() error {
	if u.Code != nil {
		if r := bizcode.Problem(*u.Code); r != "" {
			return errs.Field("body.code", "%s", r)
		}
	}
	if u.Name != nil {
		if r := checkName(*u.Name, 100); r != "" {
			return errs.Field("body.name", "%s", r)
		}
	}
	return nil
}

// CategoryFilter narrows FindCategories. Results are ordered by id.
type CategoryFilter struct {
	ParentID *string // children of this category; "" for roots; nil for all
	Limit    int     // 1..1000; 0 means 1000
	Cursor   string
}

// Product is a product (SPU): what a customer would call one item, sold as one or
// more SKUs.
type Product struct {
	ID          string
	TenantID    string
	CategoryID  string
	Code        string
	Name        string
	BrandName   string
	Unit        Unit
	Status      Status
	Description string
	SKUCount    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SKUs        []SKU // set by FindProductByID only
}

// NewProduct is the input of CreateProduct. Unit defaults to each and Status to active.
type NewProduct struct {
	CategoryID  string
	Code        string
	Name        string
	BrandName   string
	Unit        Unit
	Status      Status
	Description string
}

// Validate checks the fields of a new product after defaults are applied.
func (n NewProduct) Validate() error {
	if strings.TrimSpace(n.CategoryID) == "" {
		return errs.Field("body.category_id", "required")
	}
	if r := bizcode.Problem(n.Code); r != "" {
		return errs.Field("body.code", "%s", r)
	}
	if r := checkName(n.Name, 200); r != "" {
		return errs.Field("body.name", "%s", r)
	}
	if r := checkText(n.BrandName, 100); r != "" {
		return errs.Field("body.brand_name", "%s", r)
	}
	if !n.Unit.Valid() {
		return errs.Field("body.unit", "must be each or weight")
	}
	if !n.Status.Valid() {
		return errs.Field("body.status", "must be active, inactive or discontinued")
	}
	if r := checkText(n.Description, 4000); r != "" {
		return errs.Field("body.description", "%s", r)
	}
	return nil
}

// ProductUpdate changes a product; nil fields stay unchanged.
type ProductUpdate struct {
	CategoryID  *string
	Code        *string
	Name        *string
	BrandName   *string
	Unit        *Unit
	Status      *Status
	Description *string
}

// Validate checks the fields being set.
func (u ProductUpdate) Validate() error {
	if u.CategoryID != nil && strings.TrimSpace(*u.CategoryID) == "" {
		return errs.Field("body.category_id", "must not be empty")
	}
	if u.Code != nil {
		if r := bizcode.Problem(*u.Code); r != "" {
			return errs.Field("body.code", "%s", r)
		}
	}
	if u.Name != nil {
		if r := checkName(*u.Name, 200); r != "" {
			return errs.Field("body.name", "%s", r)
		}
	}
	if u.BrandName != nil {
		if r := checkText(*u.BrandName, 100); r != "" {
			return errs.Field("body.brand_name", "%s", r)
		}
	}
	if u.Unit != nil && !u.Unit.Valid() {
		return errs.Field("body.unit", "must be each or weight")
	}
	if u.Status != nil && !u.Status.Valid() {
		return errs.Field("body.status", "must be active, inactive or discontinued")
	}
	if u.Description != nil {
		if r := checkText(*u.Description, 4000); r != "" {
			return errs.Field("body.description", "%s", r)
		}
	}
	return nil
}

// ProductFilter narrows FindProducts. Results are ordered by id.
type ProductFilter struct {
	// Q is a substring of name or code, case-insensitive; a query of digits only
	// also finds the product with that code, or with a SKU with that barcode,
	// exactly, first on the first page.
	Q          string
	CategoryID string // this category and its descendants
	Status     Status
	BrandName  string // exact
	Limit      int    // 1..1000; 0 means 50
	Cursor     string

	ids, notIDs []string // only these, none of these (exact matches of a digit query)
}

// SKU is a sellable variant of a product. For unit weight, quantities are grams and
// ListPriceFen, CostFen and overrides are per kilogram.
type SKU struct {
	ID           string
	TenantID     string
	ProductID    string
	Code         string
	Name         string
	Spec         string // for example "500ml" or "per 500g"
	Unit         Unit
	Barcodes     []string
	ListPriceFen int64
	CostFen      int64
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Set by FindSKUByID only: the first DetailOverrides overrides, the cursor of the
	// next page of FindPriceOverrides ("" when that was all), and a summary of all.
	PriceOverrides []PriceOverride
	OverridesNext  string
	Overrides      OverrideSummary
}

// DetailOverrides is how many price overrides a SKU detail holds; the others are
// paged through FindPriceOverrides.
const DetailOverrides = 20

// OverrideSummary counts a SKU's price overrides and gives their price range (zero
// when there are none).
type OverrideSummary struct {
	Total       int
	PriceZones  int
	Stores      int
	MinPriceFen int64
	MaxPriceFen int64
}

// NewSKU is the input of CreateSKU. Unit defaults to the product's unit and Status to
// active.
type NewSKU struct {
	ProductID    string
	Code         string
	Name         string
	Spec         string
	Unit         Unit
	Barcodes     []string
	ListPriceFen int64
	CostFen      int64
	Status       Status
}

// Validate checks the fields of a new SKU after defaults are applied.
func (n NewSKU) Validate() error {
	if strings.TrimSpace(n.ProductID) == "" {
		return errs.Field("body.product_id", "required")
	}
	if r := bizcode.Problem(n.Code); r != "" {
		return errs.Field("body.code", "%s", r)
	}
	if r := checkName(n.Name, 200); r != "" {
		return errs.Field("body.name", "%s", r)
	}
	if r := checkText(n.Spec, 64); r != "" {
		return errs.Field("body.spec", "%s", r)
	}
	if !n.Unit.Valid() {
		return errs.Field("body.unit", "must be each or weight")
	}
	if err := validateBarcodes(n.Barcodes); err != nil {
		return err
	}
	if err := checkPrice("body.list_price_fen", n.ListPriceFen); err != nil {
		return err
	}
	if err := checkCost("body.cost_fen", n.CostFen); err != nil {
		return err
	}
	if !n.Status.Valid() {
		return errs.Field("body.status", "must be active, inactive or discontinued")
	}
	return nil
}

// SKUUpdate changes a SKU; nil fields stay unchanged. Barcodes, when set, replaces the
// SKU's whole set of barcodes.
type SKUUpdate struct {
	Code         *string
	Name         *string
	Spec         *string
	Unit         *Unit
	Barcodes     *[]string
	ListPriceFen *int64
	CostFen      *int64
	Status       *Status
}

// Validate checks the fields being set.
func (u SKUUpdate) Validate() error {
	if u.Code != nil {
		if r := bizcode.Problem(*u.Code); r != "" {
			return errs.Field("body.code", "%s", r)
		}
	}
	if u.Name != nil {
		if r := checkName(*u.Name, 200); r != "" {
			return errs.Field("body.name", "%s", r)
		}
	}
	if u.Spec != nil {
		if r := checkText(*u.Spec, 64); r != "" {
			return errs.Field("body.spec", "%s", r)
		}
	}
	if u.Unit != nil && !u.Unit.Valid() {
		return errs.Field("body.unit", "must be each or weight")
	}
	if u.Barcodes != nil {
		if err := validateBarcodes(*u.Barcodes); err != nil {
			return err
		}
	}
	if u.ListPriceFen != nil {
		if err := checkPrice("body.list_price_fen", *u.ListPriceFen); err != nil {
			return err
		}
	}
	if u.CostFen != nil {
		if err := checkCost("body.cost_fen", *u.CostFen); err != nil {
			return err
		}
	}
	if u.Status != nil && !u.Status.Valid() {
		return errs.Field("body.status", "must be active, inactive or discontinued")
	}
	return nil
}

// checkPrice refuses a selling price outside 1..money.MaxAmount fen (the pricing
// engine's bound), naming field.
func checkPrice(field string, fen int64) error {
	if fen <= 0 || fen > money.MaxAmount {
		return errs.Field(field, "must be 1..%d fen (¥10,000,000.00)", int64(money.MaxAmount))
	}
	return nil
}

// checkCost refuses a cost outside 0..money.MaxAmount fen, naming field.
func checkCost(field string, fen int64) error {
	if !money.InRange(fen) {
		return errs.Field(field, "must be 0..%d fen (¥10,000,000.00)", int64(money.MaxAmount))
	}
	return nil
}

// SKUFilter narrows FindSKUs. Results are ordered by id.
type SKUFilter struct {
	// Q is a substring of name or code, case-insensitive; a query of digits only
	// also finds the SKU with that barcode or code exactly, first on the first page.
	Q          string
	Barcode    string // exact
	ProductID  string
	CategoryID string // SKUs of products in this category or its descendants
	Status     Status
	Limit      int // 1..1000; 0 means 50
	Cursor     string

	ids, notIDs []string // only these, none of these (exact matches of a digit query)
}

// PriceOverride is the price of a SKU in one store or one price zone.
type PriceOverride struct {
	SKUID     string
	ScopeType ScopeType
	ScopeID   string
	ScopeName string // the zone's name; the store's name when known, else its id
	PriceFen  int64
	UpdatedAt time.Time
}

// PriceOverrideFilter pages FindPriceOverrides. Results are ordered by scope type
// (price zones first), then scope id, as on the SKU detail.
type PriceOverrideFilter struct {
	Limit  int // 1..1000; 0 means 50
	Cursor string
}

// PriceZone groups stores that share price overrides.
type PriceZone struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	StoreIDs  []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewPriceZone is the input of CreatePriceZone.
type NewPriceZone struct {
	Code string
	Name string
}

// Validate checks the fields of a new price zone.
func (n NewPriceZone) Validate() error {
	if r := bizcode.Problem(n.Code); r != "" {
		return errs.Field("body.code", "%s", r)
	}
	if r := checkName(n.Name, 100); r != "" {
		return errs.Field("body.name", "%s", r)
	}
	return nil
}

// PriceZoneUpdate changes a price zone; nil fields stay unchanged. Its stores change
// through AssignStores.
type PriceZoneUpdate struct {
	Code *string
	Name *string
}

// Validate checks the fields being set.
func (u PriceZoneUpdate) Validate() error {
	if u.Code != nil {
		if r := bizcode.Problem(*u.Code); r != "" {
			return errs.Field("body.code", "%s", r)
		}
	}
	if u.Name != nil {
		if r := checkName(*u.Name, 100); r != "" {
			return errs.Field("body.name", "%s", r)
		}
	}
	return nil
}

// PriceZoneFilter narrows FindPriceZones. Results are ordered by id.
type PriceZoneFilter struct {
	Limit  int // 1..1000; 0 means 50
	Cursor string
}

// EffectivePrice is the price a store sells a SKU at and where it came from.
type EffectivePrice struct {
	SKUID        string
	StoreID      string
	PriceFen     int64
	Source       PriceSource
	ScopeID      string // the store or zone id of the override; "" for the list price
	ListPriceFen int64
}

// Summary counts a tenant's catalog.
type Summary struct {
	Categories int
	Products   int
	SKUs       int
}

// checkName returns why s is not a valid display name of at most max characters, or "".
func checkName(s string, max int) string {
	if strings.TrimSpace(s) == "" {
		return "required"
	}
	return checkText(s, max)
}

// checkText returns why s is not valid optional text of at most max characters, or "".
func checkText(s string, max int) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("at most %d characters", max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return "control characters are not allowed"
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maxBarcodes bounds the barcodes of one SKU.
const maxBarcodes = 20

// validateBarcodes checks each barcode and that none repeats.
func validateBarcodes(codes []string) error {
	if len(codes) > maxBarcodes {
		return errs.Field("body.barcodes", "at most %d barcodes", maxBarcodes)
	}
	seen := make(map[string]bool, len(codes))
	for i, c := range codes {
		field := fmt.Sprintf("body.barcodes[%d]", i)
		if r := checkBarcode(c); r != "" {
			return errs.Field(field, "%s", r)
		}
		if seen[c] {
			return errs.Field(field, "barcode %s is listed twice", c)
		}
		seen[c] = true
	}
	return nil
}

// checkBarcode returns why s is not an acceptable barcode, or "". All-digit codes of
// 8, 12 or 13 digits are EAN-8, UPC-A or EAN-13 and must carry a valid check digit;
// other codes are in-store codes of 4 to 32 ASCII letters and digits.
func checkBarcode(s string) string {
	if len(s) < 4 || len(s) > 32 {
		return "a barcode has 4 to 32 characters"
	}
	digits := true
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return "a barcode has only letters and digits"
		}
		if s[i] < '0' || s[i] > '9' {
			digits = false
		}
	}
	if digits && (len(s) == 8 || len(s) == 12 || len(s) == 13) && !gtinCheckDigitOK(s) {
		kind := map[int]string{8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}[len(s)]
		return fmt.Sprintf("%s check digit is wrong", kind)
	}
	return ""
}

// gtinCheckDigitOK verifies the GS1 mod-10 check digit of an all-digit code: from the
// right, excluding the check digit, digits are weighted 3, 1, 3, …
func gtinCheckDigitOK(s string) bool {
	sum := 0
	for i, w := len(s)-2, 3; i >= 0; i, w = i-1, 4-w {
		sum += int(s[i]-'0') * w
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}
