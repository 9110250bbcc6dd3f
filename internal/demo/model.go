package demo

import (
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Scale is how big a generated chain is.
type Scale string

// The scales.
const (
	ScaleSmall  Scale = "small"  // 48 stores in 10 cities, 2,400 SKUs
	ScaleMedium Scale = "medium" // 200 stores in 20 cities, 10,000 SKUs
	ScaleLarge  Scale = "large"  // 1,200 stores in every city of the table, 52,000 SKUs
)

// Scales returns the scales from smallest to largest.
func Scales() []Scale { return []Scale{ScaleSmall, ScaleMedium, ScaleLarge} }

// ParseScale returns the Scale named by s (surrounding spaces and case are ignored).
// An unknown name is an errs.Invalid error that lists the valid values.
func ParseScale(s string) (Scale, error) {
	switch v := Scale(strings.ToLower(strings.TrimSpace(s))); v {
	case ScaleSmall, ScaleMedium, ScaleLarge:
		return v, nil
	}
	return "", errs.E(errs.Invalid, "unknown demo scale %q: use small, medium or large", s)
}

// rank orders scales: small < medium < large.
func (s Scale) rank() int {
	switch s {
	case ScaleSmall:
		return 1
	case ScaleMedium:
		return 2
	case ScaleLarge:
		return 3
	}
	return 0
}

// StoreFormat is a store's trading format; the values are the org domain's formats.
type StoreFormat string

// The store formats.
const (
	FormatHypermarket     StoreFormat = "hypermarket"
	FormatSupermarket     StoreFormat = "supermarket"
	FormatConvenience     StoreFormat = "convenience"
	FormatSpecialty       StoreFormat = "specialty"
	FormatDepartmentStore StoreFormat = "department_store"
)

// StoreStatus is a store's life-cycle state; the values are the org domain's statuses.
type StoreStatus string

// The store statuses.
const (
	StoreOpen    StoreStatus = "open"
	StorePlanned StoreStatus = "planned"
	StoreClosed  StoreStatus = "closed"
)

// Unit is how a SKU is counted and priced; the values are the catalog domain's units.
type Unit string

// The units. UnitWeight means quantities are grams and every price is per kilogram.
const (
	UnitEach   Unit = "each"
	UnitWeight Unit = "weight"
)

// Status is the life-cycle state of a product or SKU; the values are the catalog
// domain's statuses.
type Status string

// The product and SKU statuses.
const (
	StatusActive       Status = "active"
	StatusInactive     Status = "inactive"
	StatusDiscontinued Status = "discontinued"
)

// TimeZone is the time zone of every generated store.
const TimeZone = "Asia/Shanghai"

// Chain is a generated retail group: organisation, catalogue and prices. Every slice is
// in a stable order and every cross-reference is by code, so a loader can create the
// rows in slice order and resolve codes to the ids it was given.
//
// Later capabilities add fields here (customers, identities, orders, promotions,
// inventory), each generated from its own random stream so the existing parts stay
// identical for the same seed.
type Chain struct {
	Scale Scale
	Seed  uint64

	Tenant  Tenant
	Brands  []Brand
	Regions []Region // the regions that have stores
	Cities  []City   // the cities that have stores
	Stores  []Store

	Categories []Category // parents before children
	Products   []Product
	SKUs       []SKU // grouped by product, in product order

	PriceZones  []PriceZone
	ZonePrices  []ZonePrice  // sorted by zone, then SKU code
	StorePrices []StorePrice // sorted by store code, then SKU code
}

// Tenant is the retail group.
type Tenant struct {
	Code     string // "demo"
	Name     string
	Currency string // ISO 4217; every amount in the chain is in its minor unit (fen)
}

// Brand is a banner the group trades under and the formats its stores use.
type Brand struct {
	Code    string
	Name    string
	Formats []StoreFormat
}

// Region is a sales region (华东, 华北, …).
type Region struct {
	Code string
	Name string
}

// City is a city the group has stores in.
type City struct {
	Code       string // store code prefix
	Name       string // 上海
	Province   string // 浙江省; empty for a municipality
	RegionCode string
	Tier       int     // 1 一线, 2 新一线, 3 二线
	Latitude   float64 // city centre, WGS-84
	Longitude  float64
}

// Store is one store.
type Store struct {
	Code          string // city code + number: SH001
	Name          string // 华联优选·上海徐汇店
	BrandCode     string
	RegionCode    string
	City          string // Chinese city name, as in City.Name
	District      string // 徐汇区
	Address       string // 上海市徐汇区漕溪北路388号
	Latitude      float64
	Longitude     float64
	Format        StoreFormat
	FloorAreaM2   int
	OpeningHours  string // "08:00-22:00"; convenience stores often "00:00-24:00"
	TimeZone      string
	Status        StoreStatus
	OpenedOn      string // YYYY-MM-DD; empty for a planned store
	PriceZoneCode string
}

// Category is one node of the category tree.
type Category struct {
	Code       string // 2 digits per level: 10, 1001, 100101
	Name       string
	ParentCode string // empty at the top level
	Level      int    // 1 at the top
	Sort       int    // position among its siblings, from 1
}

// Product is a product (SPU): what the SKUs of one name have in common.
type Product struct {
	Code         string // P000001
	Name         string
	BrandName    string // empty for unbranded fresh goods
	CategoryCode string // always a leaf
	Unit         Unit
	Status       Status
}

// SKU is one sellable item of a product. For UnitWeight, ListPrice and Cost are per
// kilogram and the single barcode is a scale's in-store code ("2" + 5-digit PLU).
type SKU struct {
	Code        string // S0000001
	ProductCode string
	Name        string
	Spec        string
	Unit        Unit
	Barcodes    []string
	ListPrice   int64 // fen
	Cost        int64 // fen
	Status      Status
}

// The price zones.
const (
	ZoneTier1    = "TIER1"    // 一线城市: list prices 3–8% higher on a few hundred SKUs
	ZoneStandard = "STANDARD" // 标准: list prices
)

// PriceZone is a group of stores that share price overrides.
type PriceZone struct {
	Code string
	Name string
}

// ZonePrice overrides a SKU's list price in every store of a price zone.
type ZonePrice struct {
	ZoneCode string
	SKUCode  string
	Price    int64 // fen; per kilogram for weighed SKUs
}

// StorePrice overrides a SKU's price in one store; it wins over a zone price.
type StorePrice struct {
	StoreCode string
	SKUCode   string
	Price     int64 // fen; per kilogram for weighed SKUs
}

// Stats counts what a chain holds.
type Stats struct {
	Brands         int                 `json:"brands"`
	Regions        int                 `json:"regions"`
	Cities         int                 `json:"cities"`
	Stores         int                 `json:"stores"`
	StoresByFormat map[StoreFormat]int `json:"stores_by_format"`
	StoresByStatus map[StoreStatus]int `json:"stores_by_status"`
	Categories     int                 `json:"categories"`
	LeafCategories int                 `json:"leaf_categories"`
	Products       int                 `json:"products"`
	SKUs           int                 `json:"skus"`
	WeighedSKUs    int                 `json:"weighed_skus"`
	Barcodes       int                 `json:"barcodes"`
	PriceZones     int                 `json:"price_zones"`
	ZonePrices     int                 `json:"zone_prices"`
	StorePrices    int                 `json:"store_prices"`
}

// Stats counts the chain's contents.
func (c *Chain) Stats() Stats {
	s := Stats{
		Brands:         len(c.Brands),
		Regions:        len(c.Regions),
		Cities:         len(c.Cities),
		Stores:         len(c.Stores),
		StoresByFormat: map[StoreFormat]int{},
		StoresByStatus: map[StoreStatus]int{},
		Categories:     len(c.Categories),
		Products:       len(c.Products),
		SKUs:           len(c.SKUs),
		PriceZones:     len(c.PriceZones),
		ZonePrices:     len(c.ZonePrices),
		StorePrices:    len(c.StorePrices),
	}
	for _, st := range c.Stores {
		s.StoresByFormat[st.Format]++
		s.StoresByStatus[st.Status]++
	}
	parents := make(map[string]bool, len(c.Categories))
	for _, cat := range c.Categories {
		parents[cat.ParentCode] = true
	}
	for _, cat := range c.Categories {
		if !parents[cat.Code] {
			s.LeafCategories++
		}
	}
	for _, k := range c.SKUs {
		if k.Unit == UnitWeight {
			s.WeighedSKUs++
		}
		s.Barcodes += len(k.Barcodes)
	}
	return s
}

// Validate checks the chain's invariants: unique codes and barcodes, resolvable
// references (a store's brand operates its format, its region is its city's region),
// products in leaf categories, valid barcodes, 0 <= cost < price, positive overrides.
// It returns an errs.Invalid error naming the first violation.
func (c *Chain) Validate() error {
	bad := func(format string, args ...any) error {
		return errs.E(errs.Invalid, "demo: "+format, args...)
	}
	if c.Tenant.Code == "" || c.Tenant.Name == "" {
		return bad("tenant code and name are required")
	}
	brands := make(map[string]Brand, len(c.Brands))
	for _, b := range c.Brands {
		if _, dup := brands[b.Code]; dup || b.Code == "" {
			return bad("brand code %q is empty or repeated", b.Code)
		}
		brands[b.Code] = b
	}
	regions := make(map[string]bool, len(c.Regions))
	for _, r := range c.Regions {
		if regions[r.Code] || r.Code == "" {
			return bad("region code %q is empty or repeated", r.Code)
		}
		regions[r.Code] = true
	}
	cities := make(map[string]City, len(c.Cities))
	for _, ct := range c.Cities {
		if _, dup := cities[ct.Name]; dup || ct.Name == "" {
			return bad("city %q is empty or repeated", ct.Name)
		}
		if !regions[ct.RegionCode] {
			return bad("city %s: unknown region %q", ct.Name, ct.RegionCode)
		}
		cities[ct.Name] = ct
	}
	zones := make(map[string]bool, len(c.PriceZones))
	for _, z := range c.PriceZones {
		if zones[z.Code] || z.Code == "" {
			return bad("price zone code %q is empty or repeated", z.Code)
		}
		zones[z.Code] = true
	}
	stores := make(map[string]bool, len(c.Stores))
	for _, st := range c.Stores {
		if stores[st.Code] || st.Code == "" {
			return bad("store code %q is empty or repeated", st.Code)
		}
		stores[st.Code] = true
		b, ok := brands[st.BrandCode]
		if !ok {
			return bad("store %s: unknown brand %q", st.Code, st.BrandCode)
		}
		if !containsFormat(b.Formats, st.Format) {
			return bad("store %s: brand %s does not operate format %s", st.Code, b.Code, st.Format)
		}
		ct, ok := cities[st.City]
		if !ok {
			return bad("store %s: unknown city %q", st.Code, st.City)
		}
		if ct.RegionCode != st.RegionCode {
			return bad("store %s: region %s is not its city's region %s", st.Code, st.RegionCode, ct.RegionCode)
		}
		if !zones[st.PriceZoneCode] {
			return bad("store %s: unknown price zone %q", st.Code, st.PriceZoneCode)
		}
		if st.FloorAreaM2 <= 0 || st.Name == "" || st.Address == "" || st.OpeningHours == "" {
			return bad("store %s: name, address, opening hours and floor area are required", st.Code)
		}
	}
	cats := make(map[string]Category, len(c.Categories))
	parents := make(map[string]bool, len(c.Categories))
	for _, cat := range c.Categories {
		if _, dup := cats[cat.Code]; dup || cat.Code == "" {
			return bad("category code %q is empty or repeated", cat.Code)
		}
		if cat.ParentCode == "" {
			if cat.Level != 1 {
				return bad("category %s: a root has level 1", cat.Code)
			}
		} else if p, ok := cats[cat.ParentCode]; !ok || p.Level+1 != cat.Level {
			return bad("category %s: parent %q missing, after it, or not one level up", cat.Code, cat.ParentCode)
		}
		cats[cat.Code] = cat
		parents[cat.ParentCode] = true
	}
	products := make(map[string]Product, len(c.Products))
	for _, p := range c.Products {
		if _, dup := products[p.Code]; dup || p.Code == "" {
			return bad("product code %q is empty or repeated", p.Code)
		}
		if _, ok := cats[p.CategoryCode]; !ok || parents[p.CategoryCode] {
			return bad("product %s: category %q is not a leaf category", p.Code, p.CategoryCode)
		}
		products[p.Code] = p
	}
	skus := make(map[string]bool, len(c.SKUs))
	barcodes := make(map[string]string, len(c.SKUs))
	for _, k := range c.SKUs {
		if skus[k.Code] || k.Code == "" {
			return bad("SKU code %q is empty or repeated", k.Code)
		}
		skus[k.Code] = true
		p, ok := products[k.ProductCode]
		if !ok {
			return bad("SKU %s: unknown product %q", k.Code, k.ProductCode)
		}
		if k.Unit != p.Unit {
			return bad("SKU %s: unit %s differs from its product's %s", k.Code, k.Unit, p.Unit)
		}
		if k.ListPrice <= 0 || k.Cost < 0 || k.Cost >= k.ListPrice {
			return bad("SKU %s: want 0 <= cost (%d) < list price (%d)", k.Code, k.Cost, k.ListPrice)
		}
		if len(k.Barcodes) == 0 {
			return bad("SKU %s: no barcode", k.Code)
		}
		for _, bc := range k.Barcodes {
			if prev, dup := barcodes[bc]; dup {
				return bad("barcode %s is on SKUs %s and %s", bc, prev, k.Code)
			}
			barcodes[bc] = k.Code
			if err := checkBarcode(bc, k.Unit); err != nil {
				return bad("SKU %s: %s", k.Code, err)
			}
		}
	}
	for _, zp := range c.ZonePrices {
		if !zones[zp.ZoneCode] || !skus[zp.SKUCode] || zp.Price <= 0 {
			return bad("zone price %s/%s: unknown zone or SKU, or price %d <= 0", zp.ZoneCode, zp.SKUCode, zp.Price)
		}
	}
	for _, sp := range c.StorePrices {
		if !stores[sp.StoreCode] || !skus[sp.SKUCode] || sp.Price <= 0 {
			return bad("store price %s/%s: unknown store or SKU, or price %d <= 0", sp.StoreCode, sp.SKUCode, sp.Price)
		}
	}
	return nil
}

func containsFormat(fs []StoreFormat, f StoreFormat) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// checkBarcode accepts an EAN-13 with a GS1 China prefix (690–699) for a SKU sold by
// the piece, and an in-store code "2" + 5-digit PLU for a weighed one.
func checkBarcode(bc string, u Unit) error {
	switch u {
	case UnitWeight:
		if len(bc) != 6 || bc[0] != '2' || !allDigits(bc) {
			return fmt.Errorf("in-store code %q is not \"2\" + 5 digits", bc)
		}
	default:
		if !strings.HasPrefix(bc, "69") || !ValidEAN13(bc) {
			return fmt.Errorf("barcode %q is not a GS1 China EAN-13", bc)
		}
	}
	return nil
}

// ValidEAN13 reports whether s is 13 digits with a correct check digit.
func ValidEAN13(s string) bool {
	if len(s) != 13 || !allDigits(s) {
		return false
	}
	return ean13CheckDigit(s[:12]) == s[12]
}

// ean13CheckDigit returns the check digit of the 12 digits in s.
func ean13CheckDigit(s string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
