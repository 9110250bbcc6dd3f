package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// generate is a test helper that fails the test when Generate fails.
func generate(t testing.TB, s Scale, seed uint64) *Chain {
	t.Helper()
	c, err := Generate(s, seed)
	if err != nil {
		t.Fatalf("Generate(%s, %d): %v", s, seed, err)
	}
	return c
}

func csvBytes(t testing.TB, c *Chain) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WriteSKUCSV(&buf); err != nil {
		t.Fatalf("WriteSKUCSV: %v", err)
	}
	return buf.Bytes()
}

func TestParseScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		want  Scale
		isErr bool
	}{
		{name: "small", in: "small", want: ScaleSmall},
		{name: "medium with spaces and case", in: " Medium ", want: ScaleMedium},
		{name: "large upper case", in: "LARGE", want: ScaleLarge},
		{name: "unknown", in: "huge", isErr: true},
		{name: "empty", in: "", isErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScale(tt.in)
			if tt.isErr {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("ParseScale(%q) error = %v, want an invalid error", tt.in, err)
				}
				for _, v := range []string{"small", "medium", "large"} {
					if !strings.Contains(err.Error(), v) {
						t.Errorf("error %q does not name %q", err, v)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseScale(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestGenerateUnknownScale(t *testing.T) {
	t.Parallel()
	if _, err := Generate("huge", 1); !errs.Is(err, errs.Invalid) {
		t.Fatalf("Generate(huge) error = %v, want an invalid error", err)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, b := generate(t, ScaleSmall, 7), generate(t, ScaleSmall, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two chains from the same seed differ")
	}
	if !bytes.Equal(csvBytes(t, a), csvBytes(t, b)) {
		t.Fatal("two CSVs from the same seed differ")
	}
	other := generate(t, ScaleSmall, 8)
	if bytes.Equal(csvBytes(t, a), csvBytes(t, other)) {
		t.Fatal("seeds 7 and 8 gave the same CSV")
	}
	if reflect.DeepEqual(a.Stores, other.Stores) {
		t.Fatal("seeds 7 and 8 gave the same stores")
	}
	// The category tree is reference data: the same for every seed.
	if !reflect.DeepEqual(a.Categories, other.Categories) {
		t.Fatal("category tree depends on the seed")
	}
}

func TestGenerateScales(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                                    string
		scale                                   Scale
		minStores, minCities, minBrands, minSKU int
		maxSKU                                  int
		formats                                 int
	}{
		{name: "small", scale: ScaleSmall, minStores: 40, minCities: 8, minBrands: 2, minSKU: 2000, maxSKU: 3000, formats: 3},
		{name: "medium", scale: ScaleMedium, minStores: 180, minCities: 18, minBrands: 3, minSKU: 9000, maxSKU: 11000, formats: 5},
		{name: "large", scale: ScaleLarge, minStores: 1000, minCities: 30, minBrands: 3, minSKU: 50000, maxSKU: 60000, formats: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.scale == ScaleLarge && testing.Short() {
				t.Skip("large scale in -short mode")
			}
			c := generate(t, tt.scale, 42)
			s := c.Stats()
			if s.Stores < tt.minStores || s.Cities < tt.minCities || s.Brands < tt.minBrands ||
				s.SKUs < tt.minSKU || s.SKUs > tt.maxSKU || len(s.StoresByFormat) < tt.formats {
				t.Fatalf("stats %+v below the scale's minimums %+v", s, tt)
			}
			if s.WeighedSKUs == 0 {
				t.Error("no weighed SKUs")
			}
			if s.ZonePrices < 200 || s.ZonePrices > 1000 || s.StorePrices == 0 {
				t.Errorf("zone prices %d, store prices %d; want a few hundred and some", s.ZonePrices, s.StorePrices)
			}
			if s.StoresByStatus[StoreOpen] < s.Stores*9/10 || s.StoresByStatus[StorePlanned] == 0 || s.StoresByStatus[StoreClosed] == 0 {
				t.Errorf("statuses %v: want mostly open and a few planned and closed", s.StoresByStatus)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			checkStores(t, c)
			checkCatalogue(t, c)
			checkPrices(t, c)
			checkCSV(t, c)
		})
	}
}

// provinceRegion is the official regional division (华东, 华北, …) by province.
var provinceRegion = map[string]string{
	"上海": "EAST", "江苏省": "EAST", "浙江省": "EAST", "安徽省": "EAST", "福建省": "EAST", "江西省": "EAST", "山东省": "EAST",
	"北京": "NORTH", "天津": "NORTH", "河北省": "NORTH", "山西省": "NORTH", "内蒙古自治区": "NORTH",
	"广东省": "SOUTH", "广西壮族自治区": "SOUTH", "海南省": "SOUTH",
	"河南省": "CENTRAL", "湖北省": "CENTRAL", "湖南省": "CENTRAL",
	"重庆": "SOUTHWEST", "四川省": "SOUTHWEST", "贵州省": "SOUTHWEST", "云南省": "SOUTHWEST",
	"陕西省": "NORTHWEST", "甘肃省": "NORTHWEST", "青海省": "NORTHWEST", "宁夏回族自治区": "NORTHWEST", "新疆维吾尔自治区": "NORTHWEST",
	"辽宁省": "NORTHEAST", "吉林省": "NORTHEAST", "黑龙江省": "NORTHEAST",
}

var (
	storeCodeRE = regexp.MustCompile(`^[A-Z]{2,3}\d{3}$`)
	hoursRE     = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]|24):[0-5]\d$`)
)

func checkStores(t *testing.T, c *Chain) {
	t.Helper()
	areas := map[StoreFormat][2]int{
		FormatHypermarket: {8000, 20000}, FormatSupermarket: {1000, 5000}, FormatConvenience: {60, 200},
		FormatSpecialty: {100, 800}, FormatDepartmentStore: {20000, 60000},
	}
	cities := map[string]City{}
	for _, ct := range c.Cities {
		cities[ct.Name] = ct
		key := ct.Province
		if key == "" {
			key = ct.Name
		}
		if want := provinceRegion[key]; want != ct.RegionCode {
			t.Errorf("city %s (%s) in region %s, want %s", ct.Name, key, ct.RegionCode, want)
		}
	}
	known := map[string][2]float64{"上海": {31.2304, 121.4737}, "北京": {39.9042, 116.4074}}
	for name, ll := range known {
		if ct, ok := cities[name]; ok && (ct.Latitude != ll[0] || ct.Longitude != ll[1]) {
			t.Errorf("%s centre %v,%v, want %v", name, ct.Latitude, ct.Longitude, ll)
		}
	}
	brands := map[string]Brand{}
	for _, b := range c.Brands {
		brands[b.Code] = b
	}
	allDay := 0
	for _, st := range c.Stores {
		ct, ok := cities[st.City]
		if !ok {
			t.Fatalf("store %s: unknown city %q", st.Code, st.City)
		}
		if !storeCodeRE.MatchString(st.Code) || !strings.HasPrefix(st.Code, ct.Code) {
			t.Errorf("store code %q does not start with city code %s", st.Code, ct.Code)
		}
		if st.RegionCode != ct.RegionCode {
			t.Errorf("store %s region %s, city %s is in %s", st.Code, st.RegionCode, ct.Name, ct.RegionCode)
		}
		if b, ok := brands[st.BrandCode]; !ok || !slices.Contains(b.Formats, st.Format) {
			t.Errorf("store %s: brand %s does not run format %s", st.Code, st.BrandCode, st.Format)
		}
		if !strings.HasPrefix(st.Name, brandName(c, st.BrandCode)+"·"+st.City) {
			t.Errorf("store %s name %q does not start with brand·city", st.Code, st.Name)
		}
		if !strings.Contains(st.Address, st.City+"市"+st.District) || !strings.HasSuffix(st.Address, "号") {
			t.Errorf("store %s address %q lacks city, district or number", st.Code, st.Address)
		}
		if st.Latitude < 18 || st.Latitude > 54 || st.Longitude < 73 || st.Longitude > 135 {
			t.Errorf("store %s at %v,%v is outside China", st.Code, st.Latitude, st.Longitude)
		}
		if d := distanceKm(st.Latitude, st.Longitude, ct.Latitude, ct.Longitude); d > 20 {
			t.Errorf("store %s is %.1f km from the centre of %s", st.Code, d, ct.Name)
		}
		if r := areas[st.Format]; st.FloorAreaM2 < r[0] || st.FloorAreaM2 > r[1] {
			t.Errorf("store %s (%s) floor area %d outside %v", st.Code, st.Format, st.FloorAreaM2, r)
		}
		if !hoursRE.MatchString(st.OpeningHours) {
			t.Errorf("store %s opening hours %q", st.Code, st.OpeningHours)
		}
		if st.OpeningHours == "00:00-24:00" {
			allDay++
		}
		if st.TimeZone != "Asia/Shanghai" {
			t.Errorf("store %s time zone %q", st.Code, st.TimeZone)
		}
		wantZone := ZoneStandard
		if ct.Tier == 1 {
			wantZone = ZoneTier1
		}
		if st.PriceZoneCode != wantZone {
			t.Errorf("store %s in %s has zone %s, want %s", st.Code, ct.Name, st.PriceZoneCode, wantZone)
		}
		if (st.Status == StorePlanned) != (st.OpenedOn == "") {
			t.Errorf("store %s status %s opened on %q", st.Code, st.Status, st.OpenedOn)
		}
	}
	if allDay == 0 {
		t.Error("no 24-hour stores")
	}
}

func brandName(c *Chain, code string) string {
	for _, b := range c.Brands {
		if b.Code == code {
			return b.Name
		}
	}
	return ""
}

// distanceKm is the great-circle distance.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371 * math.Asin(math.Sqrt(a))
}

var (
	productCodeRE = regexp.MustCompile(`^P\d{6}$`)
	skuCodeRE     = regexp.MustCompile(`^S\d{7}$`)
)

func checkCatalogue(t *testing.T, c *Chain) {
	t.Helper()
	var top []string
	for _, cat := range c.Categories {
		if cat.Level == 1 {
			top = append(top, cat.Name)
		}
		if cat.Level > 3 {
			t.Errorf("category %s at level %d", cat.Code, cat.Level)
		}
	}
	for _, want := range []string{"生鲜", "肉禽蛋", "乳品", "烘焙", "休闲零食", "酒水饮料", "酒类", "日用百货", "个人护理", "母婴", "粮油调味", "冷冻食品"} {
		if !slices.Contains(top, want) {
			t.Errorf("top-level categories %v lack %s", top, want)
		}
	}
	products := map[string]Product{}
	for _, p := range c.Products {
		if !productCodeRE.MatchString(p.Code) {
			t.Errorf("product code %q", p.Code)
		}
		products[p.Code] = p
	}
	seen := map[string]bool{}
	weighedFresh := map[string]bool{}
	for _, k := range c.SKUs {
		if !skuCodeRE.MatchString(k.Code) {
			t.Errorf("SKU code %q", k.Code)
		}
		if k.ListPrice <= 0 || k.Cost <= 0 || k.Cost >= k.ListPrice {
			t.Errorf("SKU %s price %d cost %d", k.Code, k.ListPrice, k.Cost)
		}
		if k.Cost*100 < k.ListPrice*55 || k.Cost*100 > k.ListPrice*86 {
			t.Errorf("SKU %s cost %d is not 60–85%% of %d", k.Code, k.Cost, k.ListPrice)
		}
		if len(k.Barcodes) != 1 {
			t.Errorf("SKU %s has %d barcodes", k.Code, len(k.Barcodes))
		}
		for _, bc := range k.Barcodes {
			if seen[bc] {
				t.Errorf("barcode %s repeated", bc)
			}
			seen[bc] = true
			switch k.Unit {
			case UnitEach:
				if !ValidEAN13(bc) || bc[:2] != "69" {
					t.Errorf("SKU %s barcode %s is not a 69x EAN-13", k.Code, bc)
				}
			case UnitWeight:
				if len(bc) != 6 || bc[0] != '2' || !allDigits(bc) {
					t.Errorf("SKU %s in-store code %s is not 2 + PLU", k.Code, bc)
				}
			default:
				t.Errorf("SKU %s unit %q", k.Code, k.Unit)
			}
		}
		if k.Unit == UnitWeight {
			weighedFresh[products[k.ProductCode].CategoryCode[:2]] = true
		}
	}
	for _, top := range []string{"10", "11"} { // 生鲜, 肉禽蛋
		if !weighedFresh[top] {
			t.Errorf("no weighed SKUs under category %s", top)
		}
	}
}

func checkPrices(t *testing.T, c *Chain) {
	t.Helper()
	skus := map[string]SKU{}
	for _, k := range c.SKUs {
		skus[k.Code] = k
	}
	stores := map[string]Store{}
	for _, st := range c.Stores {
		stores[st.Code] = st
	}
	zone := map[string]int64{}
	for _, zp := range c.ZonePrices {
		k := skus[zp.SKUCode]
		if zp.ZoneCode != ZoneTier1 || zp.Price*100 < k.ListPrice*103 || zp.Price*100 > k.ListPrice*108 {
			t.Errorf("zone price %+v for list price %d is not 3–8%% higher in %s", zp, k.ListPrice, ZoneTier1)
		}
		zone[zp.SKUCode] = zp.Price
	}
	for _, sp := range c.StorePrices {
		st, k := stores[sp.StoreCode], skus[sp.SKUCode]
		base := k.ListPrice
		if zp, ok := zone[k.Code]; ok && st.PriceZoneCode == ZoneTier1 {
			base = zp
		}
		if sp.Price <= 0 || sp.Price >= base || st.Status != StoreOpen {
			t.Errorf("store price %+v: base %d, store status %s", sp, base, st.Status)
		}
	}
}

var yuanRE = regexp.MustCompile(`^\d+\.\d\d$`)

func checkCSV(t *testing.T, c *Chain) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(csvBytes(t, c)))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	want := "category_code,product_code,product_name,brand_name,sku_code,sku_name,spec,unit,barcode,list_price,cost,status"
	if got := strings.Join(rows[0], ","); got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	if len(rows) != len(c.SKUs)+1 {
		t.Fatalf("%d rows for %d SKUs", len(rows)-1, len(c.SKUs))
	}
	for i, row := range rows[1:] {
		if len(row) != 12 {
			t.Fatalf("row %d has %d columns", i+2, len(row))
		}
		if row[7] != "each" && row[7] != "weight" || !yuanRE.MatchString(row[9]) || !yuanRE.MatchString(row[10]) || row[8] == "" {
			t.Fatalf("row %d: %q", i+2, row)
		}
		if k := c.SKUs[i]; row[4] != k.Code || row[9] != Yuan(k.ListPrice) {
			t.Fatalf("row %d is %q, want SKU %s at %s", i+2, row, k.Code, Yuan(k.ListPrice))
		}
	}
}

func TestValidEAN13(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "valid", in: "4006381333931", want: true},
		{name: "valid china", in: "6901234567892", want: true},
		{name: "wrong check digit", in: "6901234567893"},
		{name: "too short", in: "690123456789"},
		{name: "letters", in: "69012345678a2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ValidEAN13(tt.in); got != tt.want {
				t.Errorf("ValidEAN13(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestYuan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fen  int64
		want string
	}{
		{name: "zero", fen: 0, want: "0.00"},
		{name: "fen", fen: 5, want: "0.05"},
		{name: "price", fen: 1250, want: "12.50"},
		{name: "large", fen: 220000, want: "2200.00"},
		{name: "negative", fen: -1999, want: "-19.99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Yuan(tt.fen); got != tt.want {
				t.Errorf("Yuan(%d) = %q, want %q", tt.fen, got, tt.want)
			}
		})
	}
}

func TestRetailPrice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     int64
		want   int64
		within int64 // per mille of the input
	}{
		{name: "tiny", in: 3, want: 10},
		{name: "under ten yuan", in: 234, want: 230},
		{name: "ninety ending", in: 1288, want: 1290},
		{name: "fifty ending", in: 1547, want: 1550},
		{name: "whole yuan ending nine", in: 12870, want: 12900},
		{name: "whole yuan ending five", in: 13320, want: 13500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := retailPrice(tt.in); got != tt.want {
				t.Errorf("retailPrice(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
	for p := int64(100); p < 500000; p += 37 {
		if got := retailPrice(p); got <= 0 || abs(got-p)*100 > p*6 {
			t.Fatalf("retailPrice(%d) = %d, more than 6%% away", p, got)
		}
	}
}

func TestApportion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		total   int
		weights []int
		caps    []int
		min     int
		want    []int
		isErr   bool
	}{
		{name: "proportional", total: 10, weights: []int{1, 1, 2}, want: []int{3, 2, 5}},
		{name: "minimum each", total: 10, weights: []int{1, 0, 100}, min: 2, want: []int{2, 0, 8}},
		{name: "caps spill over", total: 10, weights: []int{5, 1}, caps: []int{3, 20}, want: []int{3, 7}},
		{name: "caps too small", total: 10, weights: []int{1, 1}, caps: []int{3, 3}, isErr: true},
		{name: "minimums too big", total: 3, weights: []int{1, 1}, min: 2, isErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := apportion(tt.total, tt.weights, tt.caps, tt.min)
			if tt.isErr {
				if err == nil {
					t.Fatalf("apportion = %v, want an error", got)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("apportion = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestReferenceTables checks the tables Generate draws from: unique city codes, a city
// per region, parseable vocabularies, and room in the vocabulary for the large scale.
func TestReferenceTables(t *testing.T) {
	t.Parallel()
	codes, names := map[string]bool{}, map[string]bool{}
	for _, d := range cityDefs {
		if codes[d.Code] || names[d.Name] {
			t.Errorf("city %s %s repeated", d.Code, d.Name)
		}
		codes[d.Code], names[d.Name] = true, true
		if d.RadiusKm <= 0 || d.RadiusKm > 15 {
			t.Errorf("city %s radius %v km", d.Name, d.RadiusKm)
		}
	}
	if len(cityDefs) < 30 {
		t.Errorf("%d cities, want at least 30", len(cityDefs))
	}
	capacity := 0
	for _, d := range categoryDefs {
		for _, ld := range d.Lines {
			l, err := parseLine(ld)
			if err != nil {
				t.Fatalf("category %s: %v", d.Code, err)
			}
			k := len(l.each)
			if l.weighed != nil {
				k++
			}
			capacity += l.combos() * k
		}
	}
	p, _ := paramsFor(ScaleLarge)
	if capacity < p.skus*3/2 {
		t.Errorf("the vocabulary holds %d SKUs; want comfortably more than %d", capacity, p.skus)
	}
}

func ExampleGenerate() {
	c, err := Generate(ScaleSmall, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := c.Stats()
	fmt.Println(c.Tenant.Name, s.Brands, "brands,", s.Cities, "cities,", s.Stores, "stores,", s.SKUs, "SKUs")
	// Output: 华联优选零售集团 2 brands, 10 cities, 48 stores, 2400 SKUs
}

func BenchmarkGenerate(b *testing.B) {
	for _, s := range Scales() {
		b.Run(string(s), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(s, 42); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteSKUCSV(b *testing.B) {
	c := generate(b, ScaleLarge, 42)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := c.WriteSKUCSV(&buf); err != nil {
			b.Fatal(err)
		}
	}
}
