package catalog

import (
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestSearch checks name and code search through the bigram index on both engines:
// two-character Chinese substrings, longer ones, codes in any case, renames, paging,
// and digit queries that also find barcodes and codes exactly.
func TestSearch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		c := mkCategory(t, e, ctx, "FOOD", "")
		cola := mkProduct(t, e, ctx, "COLA", c.ID)
		water := mkProduct(t, e, ctx, "WATER", c.ID)
		if _, err := e.svc.UpdateProduct(ctx, cola.ID, ProductUpdate{Name: ptr("可口可乐汽水")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateProduct(ctx, water.ID, ProductUpdate{Name: ptr("农夫山泉矿泉水")}); err != nil {
			t.Fatal(err)
		}
		ean := gtin("690000000001")
		mk := func(code, name, productID string, barcodes ...string) SKU {
			s := mkSKU(t, e, ctx, code, productID, 300, barcodes...)
			s, err := e.svc.UpdateSKU(ctx, s.ID, SKUUpdate{Name: ptr(name)})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		mk("COLA-330", "可口可乐 330ml 罐装", cola.ID, ean)
		mk("COLA-500", "可口可乐 500ml 瓶装", cola.ID)
		mk("WATER-550", "农夫山泉 550ml", water.ID)
		mk("690000", "矿泉水 整箱", water.ID)
		renamed := mk("OLD-1", "旧名字", water.ID)
		if _, err := e.svc.UpdateSKU(ctx, renamed.ID, SKUUpdate{Name: ptr("新名字"), Code: ptr("NEW-1")}); err != nil {
			t.Fatal(err)
		}
		skuTests := []struct {
			name string
			q    string
			want []string
		}{
			{"two Chinese characters", "可乐", []string{"COLA-330", "COLA-500"}},
			{"substring in the middle", "乐 5", []string{"COLA-500"}},
			{"longer", "可口可乐 330", []string{"COLA-330"}},
			{"code, any case", "cola-3", []string{"COLA-330"}},
			{"one character", "装", []string{"COLA-330", "COLA-500"}},
			{"no match", "雪碧", nil},
			{"bigrams all present, not adjacent", "可装", nil},
			{"renamed: new name", "新名", []string{"NEW-1"}},
			{"renamed: old name gone", "旧名", nil},
			{"renamed: old code gone", "old", nil},
			{"digits: barcode exact first, then code substring", ean, []string{"COLA-330"}},
			{"digits: code exact first", "690000", []string{"690000"}},
			{"digits: substring of a code", "55", []string{"WATER-550"}},
			{"wildcards are literal", "%", nil},
		}
		for _, tc := range skuTests {
			for _, limit := range []int{1, 50} {
				var codes []string
				cursor := ""
				for range 10 {
					page, err := e.svc.FindSKUs(ctx, SKUFilter{Q: tc.q, Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					for _, s := range page.Items {
						codes = append(codes, s.Code)
					}
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				if !slices.Equal(codes, tc.want) {
					t.Errorf("%s (pages of %d): SKUs %v, want %v", tc.name, limit, codes, tc.want)
				}
			}
		}
		productTests := []struct {
			name string
			q    string
			want []string
		}{
			{"two Chinese characters", "可乐", []string{"COLA"}},
			{"shared", "泉", []string{"WATER"}},
			{"code", "wat", []string{"WATER"}},
			{"a SKU's barcode", ean, []string{"COLA"}},
			{"no match", "雪碧", nil},
		}
		for _, tc := range productTests {
			page, err := e.svc.FindProducts(ctx, ProductFilter{Q: tc.q})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var codes []string
			for _, p := range page.Items {
				codes = append(codes, p.Code)
			}
			if !slices.Equal(codes, tc.want) {
				t.Errorf("products %s: %v, want %v", tc.name, codes, tc.want)
			}
		}
	})
}
