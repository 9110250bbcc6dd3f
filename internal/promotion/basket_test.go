package promotion

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseBaskets(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		name      string
		csv       string
		lines     int
		errors    []RowError
		wantField string // a file-level error's field
	}{
		{name: "minimal columns, BOM, any order",
			csv:   "\uFEFFsku_id,Order_ID,quantity,unit_price_fen,ordered_at\nMILK,o1,2,6000,2026-03-02 10:00:00\nBREAD,o1,1,12000,2026-03-02 10:00:00\n",
			lines: 2},
		{name: "a bad row drops its whole order",
			csv: "order_id,ordered_at,sku_id,quantity,unit_price_fen,unit_cost_fen\n" +
				"o1,2026-03-02T10:00:00+08:00,MILK,2,6000,4000\no2,2026-03-02 10:00:00,MILK,0,6000,\no2,2026-03-02 10:00:00,BREAD,1,100,\n" +
				"o3,yesterday,MILK,1,1,\no4,2026-03-02 10:00:00,,1,1,\no5,2026-03-02 10:00:00,X,1,1,-3\n",
			lines: 1,
			errors: []RowError{{Line: 3, Field: "quantity", Reason: "must be a whole number 1..1000000"},
				{Line: 5, Field: "ordered_at", Reason: "must be RFC 3339 or YYYY-MM-DD HH:MM:SS"},
				{Line: 6, Field: "sku_id", Reason: "required"},
				{Line: 7, Field: "unit_cost_fen", Reason: "must be a whole number 0..1000000000"}}},
		{name: "wrong field count is a row error", csv: "order_id,ordered_at,sku_id,quantity,unit_price_fen\no1,2026-03-02 10:00:00,M,1,1,extra\no2,2026-03-02 10:00:00,M,1,1\n",
			lines: 2},
		{name: "a POS export: SKU by barcode, category by code", csv: "order_id,ordered_at,barcode,category_code,quantity,unit_price_fen\no1,2026-03-02 10:00:00,6901234567892,DAIRY,1,100\n",
			lines: 1},
		{name: "sku_id and barcode both given", csv: "order_id,ordered_at,sku_id,barcode,quantity,unit_price_fen\no1,2026-03-02 10:00:00,M,1,1,1\n", wantField: "body"},
		{name: "missing required column", csv: "order_id,sku_id,quantity,unit_price_fen\no1,M,1,1\n", wantField: "body"},
		{name: "empty file", csv: "", wantField: "body"},
		{name: "not UTF-8", csv: "order_id\xff\n", wantField: "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, rowErrs, err := ParseBaskets([]byte(tc.csv), sh)
			if tc.wantField != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantField) {
					t.Fatalf("err %v, want one naming %s", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != tc.lines {
				t.Errorf("%d lines, want %d: %+v", len(lines), tc.lines, lines)
			}
			if tc.errors != nil && len(rowErrs) != len(tc.errors) {
				t.Fatalf("errors %+v, want %+v", rowErrs, tc.errors)
			}
			for i := range tc.errors {
				if rowErrs[i] != tc.errors[i] {
					t.Errorf("error %d: %+v, want %+v", i, rowErrs[i], tc.errors[i])
				}
			}
		})
	}
	lines, _, _ := ParseBaskets([]byte("order_id,ordered_at,sku_id,quantity,unit_price_fen\no1,2026-03-02 10:00:00,M,1,1\n"), sh)
	if want := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC); !lines[0].OrderedAt.Equal(want) {
		t.Errorf("local time read as %v, want %v", lines[0].OrderedAt, want)
	}
}

// FuzzParseBaskets: the parser never panics, keeps only valid lines, and every line
// it keeps is within the engine's limits and belongs to an order without errors.
func FuzzParseBaskets(f *testing.F) {
	f.Add([]byte("order_id,ordered_at,sku_id,quantity,unit_price_fen,unit_cost_fen\no1,2026-03-02 10:00:00,MILK,2,6000,4000\n"))
	f.Add([]byte("\uFEFFsku_id,order_id,quantity,unit_price_fen,ordered_at,store_id\nA,o,1,1,2026-03-02T10:00:00Z,s\n\"x\ny\",o,1,1,z,\n"))
	f.Add([]byte("order_id,ordered_at,sku_id,quantity,unit_price_fen\n\"o1,2026"))
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, rowErrs, err := ParseBaskets(data, sh)
		if err != nil {
			if lines != nil || rowErrs != nil {
				t.Fatal("a file-level error returned lines")
			}
			return
		}
		if len(rowErrs) > maxBasketErrors {
			t.Fatalf("%d errors", len(rowErrs))
		}
		perOrder := map[string]int{}
		for _, l := range lines {
			perOrder[l.OrderID]++
			if l.OrderID == "" || l.SKUID == "" || l.Quantity < 1 || l.Quantity > maxBasketQuantity ||
				l.UnitPriceFen < 0 || l.UnitPriceFen > maxBasketUnitPrice || l.OrderedAt.IsZero() {
				t.Fatalf("invalid line kept: %+v", l)
			}
			if perOrder[l.OrderID] > maxLinesPerBasket {
				t.Fatalf("order %s has more than %d lines", l.OrderID, maxLinesPerBasket)
			}
		}
	})
}

// TestParseBasketsFromAGBKExport: a basket file saved by a Chinese POS or Excel comes
// in GBK with full-width header letters; its text reads as it would in UTF-8.
func TestParseBasketsFromAGBKExport(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	text := "ｏｒｄｅｒ＿ｉｄ,ordered_at,sku_code,quantity,unit_price_fen,channel\n" +
		"小票001,2026-03-02 10:00:00,牛奶,2,6000,门店\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	lines, errs, err := ParseBaskets([]byte(gbk), sh)
	if err != nil || len(errs) != 0 {
		t.Fatalf("err %v, row errors %v", err, errs)
	}
	if len(lines) != 1 || lines[0].OrderID != "小票001" || lines[0].SKUID != "牛奶" || lines[0].Channel != "门店" || lines[0].Quantity != 2 {
		t.Fatalf("lines = %+v", lines)
	}
}
