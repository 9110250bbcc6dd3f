package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// importFixture seeds tenant A with the categories DRINK and FRUIT and an existing SKU
// OLD-1 holding barcode taken, and returns the file to import with its expected report.
func importFixture(t *testing.T, e *env) (file string, want ImportReport, taken string) {
	t.Helper()
	ctx := admin(tenantA)
	drink := mkCategory(t, e, ctx, "DRINK", "")
	mkCategory(t, e, ctx, "FRUIT", "")
	old := mkProduct(t, e, ctx, "OLD", drink.ID)
	taken = gtin("690000000099")
	mkSKU(t, e, ctx, "OLD-1", old.ID, 100, taken)
	ean1, ean2 := gtin("690000000001"), gtin("690000000002")
	lines := []string{
		"Category_Code,product_code,product_name,brand_name,SKU_CODE,sku_name,spec,unit,barcode,list_price,cost,status,remark",
		"DRINK,P1,可口可乐,可口可乐,S1,可口可乐 330ml,330ml,each," + ean1 + ",3.50,2.10,active,first", // 2 created (and P1)
		"DRINK,P1,,,S2,可口可乐 500ml,500ml,,A12B|" + ean2 + ",4.5,,,",                        // 3 created under P1
		"DRINK,P2,雪碧,雪碧,S3,雪碧 330ml,330ml,each,,3.505,,,",                                 // 4 three decimals
		"NOPE,P3,芬达,芬达,S4,芬达,330ml,each,,3,,,",                                            // 5 unknown category
		"DRINK,P1,,,S1,again,,,,3,,,",               // 6 sku_code repeats line 2
		"DRINK,P4,美年达,,S5,美年达,,,A12B,3,,,",          // 7 barcode repeats line 3
		"DRINK,P9,新品,,S9,新品 1,,," + taken + ",3,,,", // 8 barcode of OLD-1: fails at write time
		"FRUIT,P5,苹果,,S7,苹果 散装,per ５００g,ＷＥＩＧＨＴ,２０００１２,１２．８０,,,", // 9 full-width, created
		"",
		"  ,,,,,,,,,,,,",
		"DRINK,P5,,,S8,苹果 礼盒,,each,,-1,,,", // 12 negative price
	}
	file = strings.Join(lines, "\r\n") + "\r\n"
	want = ImportReport{Rows: 9, Created: 3, Updated: 0, Failed: 6, Processed: 9, Errors: []ImportError{
		{Line: 4, Field: "list_price", Reason: `"3.505" has more than 2 decimals`},
		{Line: 5, Field: "category_code", Reason: "unknown category NOPE"},
		{Line: 6, Field: "sku_code", Reason: "sku_code S1 repeats line 2"},
		{Line: 7, Field: "barcode", Reason: "barcode A12B repeats line 3"},
		{Line: 8, Field: "barcode", Reason: "barcode " + taken + " is already used by SKU OLD-1"},
		{Line: 12, Field: "list_price", Reason: `"-1" is not a price in yuan such as 12.50`},
	}}
	return file, want, taken
}

func TestImportSKUs(t *testing.T) {
	t.Parallel()
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	encodings := []struct {
		name   string
		encode func(string) []byte
	}{
		{"utf-8", func(s string) []byte { return []byte(s) }},
		{"utf-8 with BOM", func(s string) []byte { return append([]byte("\xEF\xBB\xBF"), s...) }},
		{"gbk", gbk},
		{"gb18030 with BOM", func(s string) []byte {
			b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("\uFEFF" + s))
			return b
		}},
	}
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := setup(t, d)
				ctx := admin(tenantA)
				file, want, _ := importFixture(t, e)
				var progress []string
				report, err := e.svc.ImportSKUs(ctx, bytes.NewReader(enc.encode(file)), ImportOptions{BatchSize: 4, Progress: func(done, total int) {
					progress = append(progress, fmt.Sprintf("%d/%d", done, total))
				}})
				if err != nil {
					t.Fatal(err)
				}
				assertReport(t, report, want)
				if !slices.Equal(progress, []string{"4/9", "8/9", "9/9"}) {
					t.Fatalf("progress = %v", progress)
				}

				page, err := e.svc.FindSKUs(ctx, SKUFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range page.Items {
					got = append(got, fmt.Sprintf("%s %s %s %s %v %d %d %s", s.Code, s.Name, s.Spec, s.Unit, s.Barcodes, s.ListPriceFen, s.CostFen, s.Status))
				}
				wantSKUs := []string{
					"OLD-1 SKU OLD-1  each [" + gtin("690000000099") + "] 100 50 active",
					"S1 可口可乐 330ml 330ml each [" + gtin("690000000001") + "] 350 210 active",
					"S2 可口可乐 500ml 500ml each [" + gtin("690000000002") + " A12B] 450 0 active",
					"S7 苹果 散装 per 500g weight [200012] 1280 0 active",
				}
				if !slices.Equal(got, wantSKUs) {
					t.Fatalf("SKUs =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSKUs, "\n"))
				}
				products, err := e.svc.FindProducts(ctx, ProductFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, p := range products.Items {
					codes = append(codes, fmt.Sprintf("%s:%s:%s:%d", p.Code, p.Name, p.Unit, p.SKUCount))
				}
				// P9 was created for line 8 and rolled back with it.
				if want := []string{"OLD:Product OLD:each:1", "P1:可口可乐:each:2", "P5:苹果:weight:1"}; !slices.Equal(codes, want) {
					t.Fatalf("products = %v, want %v", codes, want)
				}
				if n := countRows(t, d, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'sku.create'`, tenantA); n != 4 {
					t.Fatalf("sku.create audit entries = %d, want 4", n)
				}
				if n := countRows(t, d, `SELECT COUNT(*) FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventProductCreated); n != 3 {
					t.Fatalf("product events = %d, want 3 (the rolled-back product has none)", n)
				}
			})
		})
	}
}

func assertReport(t *testing.T, got, want ImportReport) {
	t.Helper()
	if got.Rows != want.Rows || got.Created != want.Created || got.Updated != want.Updated || got.Failed != want.Failed ||
		got.Processed != want.Processed || got.Canceled != want.Canceled {
		t.Fatalf("report = rows %d created %d updated %d failed %d processed %d canceled %v, want %+v",
			got.Rows, got.Created, got.Updated, got.Failed, got.Processed, got.Canceled, want)
	}
	if !slices.Equal(got.Errors, want.Errors) {
		t.Fatalf("errors =\n%v\nwant\n%v", got.Errors, want.Errors)
	}
}

func TestImportUpdates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		cat := mkCategory(t, e, ctx, "DRINK", "")
		other := mkProduct(t, e, ctx, "OTHER", cat.ID)
		mkSKU(t, e, ctx, "X1", other.ID, 100)
		first := "sku_code,product_code,product_name,category_code,sku_name,list_price,barcode,cost\n" +
			"S1,P1,Cola,DRINK,Cola 330,3.5," + gtin("690000000001") + ",2\n" +
			"S2,P1,Cola,DRINK,Cola 500,4,,\n"
		report, err := e.svc.ImportSKUs(ctx, strings.NewReader(first), ImportOptions{})
		if err != nil || report.Created != 2 || report.Failed != 0 {
			t.Fatalf("first import = %+v, %v", report, err)
		}
		// Empty cells keep values; the barcode column replaces barcodes; unchanged rows count
		// as updated; a SKU cannot move to another product.
		second := "sku_code,product_code,sku_name,list_price,barcode,status\n" +
			"S1,P1,,3.80,,\n" +
			"S2,P1,Cola 500ml,4.00," + gtin("690000000002") + ",inactive\n" +
			"S2b,P1,Cola 1L,,,\n" +
			"X1,P1,moved,1,,\n" +
			"S3,P404,new,1,,\n"
		report, err = e.svc.ImportSKUs(ctx, strings.NewReader(second), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertReport(t, report, ImportReport{Rows: 5, Updated: 2, Failed: 3, Processed: 5, Errors: []ImportError{
			{Line: 4, Field: "list_price", Reason: "required to create SKU S2b"},
			{Line: 5, Field: "product_code", Reason: "SKU X1 belongs to product OTHER"},
			{Line: 6, Field: "product_name", Reason: "required to create product P404"},
		}})
		page, err := e.svc.FindSKUs(ctx, SKUFilter{ProductID: ""})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range page.Items {
			got = append(got, fmt.Sprintf("%s %s %v %d %d %s", s.Code, s.Name, s.Barcodes, s.ListPriceFen, s.CostFen, s.Status))
		}
		want := []string{
			"X1 SKU X1 [] 100 50 active",
			"S1 Cola 330 [" + gtin("690000000001") + "] 380 200 active",
			"S2 Cola 500ml [" + gtin("690000000002") + "] 400 0 inactive",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("SKUs =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventPriceChanged); n != 1 {
			t.Fatalf("price events = %d, want 1 (S1's list price)", n)
		}
	})
}

func TestImportHeader(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		cases := []struct {
			name string
			file string
			msg  string
		}{
			{"empty", "", "empty"},
			{"blank", "\n\n", "empty"},
			{"missing columns", "sku_code,sku_name\nS1,x\n", "product_code, list_price"},
			{"repeated column", "sku_code,product_code,sku_name,list_price,SKU_code\n", "twice"},
			{"not text", "\xff\xfe\x00\x00sku_code", "UTF-8"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.ImportSKUs(ctx, strings.NewReader(tc.file), ImportOptions{})
				wantCode(t, err, errs.Invalid, "body")
				if !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error %q does not say %q", err, tc.msg)
				}
			})
		}
		// A header alone is an empty import.
		report, err := e.svc.ImportSKUs(ctx, strings.NewReader("sku_code,product_code,sku_name,list_price\n"), ImportOptions{})
		if err != nil || report.Rows != 0 || len(report.Errors) != 0 {
			t.Fatalf("header only = %+v, %v", report, err)
		}
	})
}

func TestImportErrorCap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		var b strings.Builder
		b.WriteString("sku_code,product_code,sku_name,list_price\n")
		for i := range 1200 {
			fmt.Fprintf(&b, "S%d,P1,x,1.234\n", i)
		}
		report, err := e.svc.ImportSKUs(admin(tenantA), strings.NewReader(b.String()), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if report.Rows != 1200 || report.Failed != 1200 || len(report.Errors) != maxImportErrors || report.Errors[999].Line != 1001 {
			t.Fatalf("report = rows %d failed %d errors %d", report.Rows, report.Failed, len(report.Errors))
		}
	})
}

func TestImportCancel(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		base := admin(tenantA)
		mkCategory(t, e, base, "DRINK", "")
		var b strings.Builder
		b.WriteString("sku_code,product_code,product_name,category_code,sku_name,list_price\n")
		for i := range 25 {
			fmt.Fprintf(&b, "S%02d,P%d,Product,DRINK,SKU %d,%d.99\n", i, i%3, i, i+1)
		}
		ctx, cancel := context.WithCancel(base)
		defer cancel()
		report, err := e.svc.ImportSKUs(ctx, strings.NewReader(b.String()), ImportOptions{BatchSize: 10, Progress: func(done, _ int) {
			if done == 10 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		assertReport(t, report, ImportReport{Rows: 25, Created: 10, Processed: 10, Canceled: true, Errors: []ImportError{}})
		sum, err := e.svc.CatalogSummary(base)
		if err != nil || sum.SKUs != 10 || sum.Products != 3 {
			t.Fatalf("after cancel = %+v, %v; want exactly the first batch", sum, err)
		}
		// A second run of the same file finishes the job: the first batch updates.
		report, err = e.svc.ImportSKUs(base, strings.NewReader(b.String()), ImportOptions{BatchSize: 10})
		if err != nil || report.Created != 15 || report.Updated != 10 || report.Processed != 25 {
			t.Fatalf("rerun = %+v, %v", report, err)
		}
	})
}

func TestParseYuan(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		fen  int64
		fail bool
	}{
		{"12.50", 1250, false},
		{"12.5", 1250, false},
		{"12", 1200, false},
		{"0.01", 1, false},
		{"0", 0, false},
		{"007.10", 710, false},
		{" ¥3.20 ", 320, false},
		{"￥3", 300, false},
		{"10000000.00", 1_000_000_000, false},
		{"10000000.01", 0, true},
		{"999999999999.99", 0, true},
		{"1.234", 0, true},
		{"12.", 0, true},
		{".5", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{"1e3", 0, true},
		{"1,000.00", 0, true},
		{"", 0, true},
		{"abc", 0, true},
		{"1000000000000", 0, true},
		{"1.2.3", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			fen, err := ParseYuan(tc.in)
			if (err != nil) != tc.fail || fen != tc.fen {
				t.Fatalf("ParseYuan(%q) = %d, %v; want %d, fail=%v", tc.in, fen, err, tc.fen, tc.fail)
			}
		})
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"12.50", "0", "1.234", "¥3", "99999999999.99", "-1", "1e3", "０.５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := ParseYuan(s)
		if err != nil {
			if fen != 0 {
				t.Fatalf("ParseYuan(%q) = %d with error %v", s, fen, err)
			}
			return
		}
		if fen < 0 || fen > money.MaxAmount {
			t.Fatalf("ParseYuan(%q) = %d, outside 0..money.MaxAmount", s, fen)
		}
		again, err := ParseYuan(fmt.Sprintf("%d.%02d", fen/100, fen%100))
		if err != nil || again != fen {
			t.Fatalf("round trip of %q: %d → %d, %v", s, fen, again, err)
		}
	})
}

func FuzzImportSKUs(f *testing.F) {
	d := dbtest.Open(f, db.SQLite)
	e := setup(f, d)
	ctx := auth.WithPrincipal(context.Background(), auth.System(tenantA))
	if _, err := e.svc.CreateCategory(ctx, NewCategory{Code: "DRINK", Name: "Drinks"}); err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		"sku_code,product_code,product_name,category_code,sku_name,list_price,barcode,cost,unit,status\n" +
			"S1,P1,Cola,DRINK,Cola,3.50," + gtin("690000000001") + "|A12B,1,each,active\nS2,P1,,,x,1,,,weight,\n",
		"\xEF\xBB\xBFsku_code,product_code,sku_name,list_price\nS1,P1,x,1.234\nS1,P1,x,1\n",
		"sku_code,product_code,sku_name,list_price\n\"S1,P1,x,1\n",
		"sku_code,product_code,sku_name,list_price\nS\"1,P1,x,1\n,,,\n",
		"SKU_CODE,PRODUCT_CODE,SKU_NAME,LIST_PRICE\nＳ１,Ｐ１,名,１２．５\n",
		"sku_code\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		report, err := e.svc.ImportSKUs(ctx, bytes.NewReader(data), ImportOptions{BatchSize: 3})
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("import error %v is not a validation error", err)
			}
			return
		}
		if report.Created+report.Updated+report.Failed != report.Rows || report.Processed != report.Rows || report.Canceled {
			t.Fatalf("report does not add up: %+v", report)
		}
		if len(report.Errors) != min(report.Failed, maxImportErrors) {
			t.Fatalf("%d errors listed for %d failed rows", len(report.Errors), report.Failed)
		}
		for _, ie := range report.Errors {
			if ie.Line < 2 || ie.Reason == "" {
				t.Fatalf("bad error entry %+v", ie)
			}
		}
	})
}
