package org

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

func storeXLSX(t *testing.T, rows [][]any) []byte {
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

func TestImportStores(t *testing.T) {
	t.Parallel()
	header := "code,name,brand_code,region_code,format,city,address,latitude,longitude,floor_area_m2,time_zone,opening_hours,status"
	csvLines := []string{
		header,
		"SH-10,静安店,B1,R1,supermarket,上海,南京西路 1 号,31.22,121.45,800,,08:00-22:00,", // 2 created
		"SH-11,徐汇店,B9,R1,supermarket,上海,,,,,,,",                                  // 3 unknown brand
		"S1,旗舰店 新名,,,,,,,,,,,",                                                   // 4 updates S1's name only
		"SH-12,浦东店,B1,R1,kiosk,上海,,,,,,,",                                        // 5 bad format (service)
		"SH-13,闵行店,B1,R1,convenience,上海,,abc,,,,,",                               // 6 bad latitude
		"SH-10,again,B1,R1,supermarket,上海,,,,,,,",                                // 7 repeats line 2
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(strings.Join(csvLines, "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := StoreImportReport{Rows: 6, Created: 1, Updated: 1, Failed: 4, Errors: []StoreImportError{
		{Line: 3, Field: "brand_code", Reason: "unknown brand B9"},
		{Line: 5, Field: "format", Reason: "format must be one of hypermarket, supermarket, convenience, specialty, department_store"},
		{Line: 6, Field: "latitude", Reason: `"abc" is not a number`},
		{Line: 7, Field: "code", Reason: "code SH-10 repeats line 2"},
	}}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		report, err := f.svc.ImportStores(f.ctx, bytes.NewReader(gbk), "text/csv")
		if err != nil {
			t.Fatal(err)
		}
		// The format message is the service's; compare its field and line only.
		if len(report.Errors) == 4 && report.Errors[1].Field == "format" {
			report.Errors[1].Reason = wantCSV.Errors[1].Reason
		}
		if fmt.Sprint(report) != fmt.Sprint(wantCSV) {
			t.Fatalf("GBK CSV report =\n%+v\nwant\n%+v", report, wantCSV)
		}
		s1, err := f.svc.FindStoreByID(f.ctx, w.s1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s1.Name != "旗舰店 新名" || s1.City != w.s1.City || s1.FloorAreaM2 == nil || *s1.FloorAreaM2 != 1200 {
			t.Fatalf("S1 after import = %+v (empty cells must keep values)", s1)
		}

		// An xlsx workbook with one bad row: the good rows are stored.
		file := storeXLSX(t, [][]any{
			{"code", "name", "brand_code", "region_code", "format", "city", "floor_area_m2"},
			{"HZ-1", "西湖店", "B2", "R2", "hypermarket", "杭州", 9000},
			{"HZ-2", "滨江店", "B2", "R2", "hypermarket", "杭州", "big"},
			{"HZ-3", "拱墅店", "B2", "R2", "specialty", "杭州", ""},
		})
		report, err = f.svc.ImportStores(f.ctx, bytes.NewReader(file), "")
		if err != nil {
			t.Fatal(err)
		}
		want := StoreImportReport{Rows: 3, Created: 2, Failed: 1, Errors: []StoreImportError{{Line: 3, Field: "floor_area_m2", Reason: `"big" is not a whole number`}}}
		if fmt.Sprint(report) != fmt.Sprint(want) {
			t.Fatalf("xlsx report = %+v, want %+v", report, want)
		}
		page, err := f.svc.FindStores(f.ctx, StoreFilter{Q: "HZ-"})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, s := range page.Items {
			codes = append(codes, s.Code)
		}
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"HZ-1", "HZ-3"}) {
			t.Fatalf("imported stores = %v", codes)
		}

		// Only tenant-wide writers import.
		mgr := as(f.user(t, f.ctx, "mgr-s2", auth.StoreManager, auth.StoreScope, w.s2.ID))
		if _, err := f.svc.ImportStores(mgr, bytes.NewReader(gbk), ""); errs.CodeOf(err) != errs.Forbidden && errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("store manager import: %v, want forbidden", err)
		}
		if _, err := f.svc.ImportStores(f.ctx, strings.NewReader("name\nx\n"), ""); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("header without code: %v, want invalid", err)
		}
	})
}

// readSheet reads an exported file into its header and rows.
func readSheet(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	r, err := sheet.Open(data, "", "body")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows [][]string
	for {
		_, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rec)
	}
}

func TestHTTPExportStores(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		w := e.world(t)
		if _, err := e.svc.UpdateStore(e.ctx, w.s3.ID, StoreUpdate{Name: new("=cmd|'/c calc'!A1")}); err != nil {
			t.Fatal(err)
		}
		e.user(t, e.ctx, "mgr", auth.StoreManager, auth.StoreScope, w.s2.ID)
		admin, mgr := e.token(t, "acme-admin"), e.token(t, "mgr")
		get := func(token, query string) response {
			return e.do(t, e.client, "GET", "/api/v1/stores/export?"+query, token, "")
		}
		tests := []struct {
			name, token, query string
			codes              []string
		}{
			{"filtered by city, xlsx", admin, "city=杭州", []string{"S2", "S3"}},
			{"filtered by format, csv", admin, "format=convenience&file_format=csv", []string{"S3"}},
			{"store manager sees their store only", mgr, "file_format=csv", []string{"S2"}},
		}
		for _, tt := range tests {
			res := get(tt.token, tt.query)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", tt.name, res.status, res.body)
			}
			header, rows := readSheet(t, []byte(res.body))
			if !slices.Equal(header, StoreColumns()) {
				t.Fatalf("%s: header %q", tt.name, header)
			}
			var codes []string
			for _, r := range rows {
				codes = append(codes, r[0])
				if r[0] == "S3" && (r[1] != "=cmd|'/c calc'!A1" || r[2] != "B2" || r[3] != "R2") {
					t.Fatalf("%s: S3 row %q", tt.name, r)
				}
			}
			slices.Sort(codes)
			if !slices.Equal(codes, tt.codes) {
				t.Fatalf("%s: exported %v, want %v", tt.name, codes, tt.codes)
			}
			if strings.Contains(tt.query, "csv") {
				if !strings.HasPrefix(res.body, "\uFEFF") {
					t.Fatalf("%s: no BOM", tt.name)
				}
				if tt.codes[0] == "S3" && !strings.Contains(res.body, ",'=cmd") {
					t.Fatalf("%s: formula not escaped:\n%s", tt.name, res.body)
				}
			}
		}
		if res := get("", ""); res.status != http.StatusUnauthorized {
			t.Fatalf("no token: %d", res.status)
		}
		if res := get(admin, "file_format=pdf"); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("file_format=pdf: %d %s", res.status, res.body)
		}
		// Export → import as is: nothing changes.
		res := get(admin, "")
		before, _ := e.svc.FindStores(e.ctx, StoreFilter{})
		report, err := e.svc.ImportStores(context.WithoutCancel(e.ctx), strings.NewReader(res.body), sheet.MediaXLSX)
		if err != nil || report.Updated != 3 || report.Failed != 0 {
			t.Fatalf("re-import: %+v %v", report, err)
		}
		after, _ := e.svc.FindStores(e.ctx, StoreFilter{})
		asJSON := func(items []Store) string {
			b, _ := json.Marshal(items)
			return string(b)
		}
		if asJSON(before.Items) != asJSON(after.Items) {
			t.Fatalf("re-import changed stores:\n%v\n%v", before.Items, after.Items)
		}
	})
}
