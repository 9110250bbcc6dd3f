package catalog

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// xlsxOf builds a workbook whose first sheet holds rows; a cell is a string, or an
// int or float64 typed as a number the way Excel users type barcodes and prices.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	book := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := book.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportSKUsXLSX(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		mkCategory(t, e, ctx, "DRINK", "")
		file := xlsxOf(t, [][]any{
			{"category_code", "product_code", "product_name", "sku_code", "sku_name", "barcode", "list_price", "cost"},
			{"DRINK", "P1", "可口可乐", "S1", "可口可乐 330ml", 6901234567892, 3.5, "2.10"},
			{"DRINK", "P1", "", "S2", "可口可乐 500ml", "", "4.505", ""}, // line 3: three decimals
			{},
			{"DRINK", "P1", "", "S3", "可口可乐 1L", "", 12, ""}, // line 5
		})
		report, err := e.svc.ImportSKUs(ctx, bytes.NewReader(file), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertReport(t, report, ImportReport{Rows: 3, Created: 2, Failed: 1, Processed: 3, Errors: []ImportError{
			{Line: 3, Field: "list_price", Reason: `"4.505" has more than 2 decimals`},
		}})
		page, err := e.svc.FindSKUs(ctx, SKUFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range page.Items {
			got = append(got, fmt.Sprintf("%s %s %v %d %d", s.Code, s.Name, s.Barcodes, s.ListPriceFen, s.CostFen))
		}
		want := []string{"S1 可口可乐 330ml [6901234567892] 350 210", "S3 可口可乐 1L [] 1200 0"}
		if !slices.Equal(got, want) {
			t.Fatalf("SKUs = %q, want %q", got, want)
		}
	})
}

// exportServer serves the catalog API with an admin token.
func exportServer(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"admin": principalOf(admin(tenantA)), "org-only": principalOf(marketer(tenantA))}})
	e.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return ts
}

func do(t *testing.T, ts *httptest.Server, method, path, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer admin")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestExportSKUsRoundTrip exports a filtered SKU list over HTTP as xlsx and CSV and
// imports each file back: every row updates its SKU without changing it.
func TestExportSKUsRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		drink := mkCategory(t, e, ctx, "DRINK", "")
		cola := mkProduct(t, e, ctx, "COLA", drink.ID)
		mkSKU(t, e, ctx, "COLA-330", cola.ID, 350, gtin("690000000001"), "A12B")
		_, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "COLA-ODD", Name: "=HYPERLINK(\"http://x\")", Spec: "-1", ListPriceFen: 1,
			Unit: UnitWeight})
		if err != nil {
			t.Fatal(err)
		}
		off, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "COLA-OFF", Name: "停售", ListPriceFen: 100, Status: StatusInactive})
		if err != nil {
			t.Fatal(err)
		}
		ts := exportServer(t, e)
		before, err := e.svc.FindSKUs(ctx, SKUFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
			resp, body := do(t, ts, "GET", "/api/v1/skus/export?status=active&file_format="+string(f), "", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s export: %d %s", f, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, strings.Split(f.MediaType(), ";")[0]) {
				t.Fatalf("%s export Content-Type = %q", f, ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != "attachment; filename=skus."+string(f) {
				t.Fatalf("Content-Disposition = %q", cd)
			}
			r, err := sheet.Open(body, "", "body")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Header, ImportColumns()) {
				t.Fatalf("%s header = %q, want the import's columns", f, r.Header)
			}
			var codes []string
			for {
				_, rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, rec[4])
			}
			_ = r.Close()
			// The filter applies: the inactive SKU is not exported.
			if want := []string{"COLA-330", "COLA-ODD"}; !slices.Equal(slices.Sorted(slices.Values(codes)), want) {
				t.Fatalf("%s exported %q, want %q (not %s)", f, codes, want, off.Code)
			}
			if f == sheet.CSV && !strings.Contains(string(body), `'=HYPERLINK`) {
				t.Fatalf("CSV export does not escape the formula:\n%s", body)
			}
			resp, body = do(t, ts, "POST", "/api/v1/imports/skus", "application/octet-stream", body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s re-import: %d %s", f, resp.StatusCode, body)
			}
			if !strings.Contains(string(body), `"rows":2,"created":0,"updated":2,"failed":0`) {
				t.Fatalf("%s re-import report = %s", f, body)
			}
			after, err := e.svc.FindSKUs(ctx, SKUFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(before.Items, after.Items, func(a, b SKU) bool {
				return a.Code == b.Code && skuUnchanged(a, b) && a.UpdatedAt.Equal(b.UpdatedAt)
			}) {
				t.Fatalf("%s round trip changed SKUs:\n%+v\n%+v", f, before.Items, after.Items)
			}
		}
	})
}
