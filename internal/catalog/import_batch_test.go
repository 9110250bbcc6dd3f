package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// TestImportBatchedAgreesWithRowAtATime: for any file — new and existing SKUs, codes
// differing only in case, unknown and missing categories, missing names and prices,
// barcodes held by stored SKUs — writing runs of new SKUs together gives the report,
// catalogue, audit entries and events that writing a row at a time gives. Each case
// imports the same file into two tenants seeded alike, one each way.
func TestImportBatchedAgreesWithRowAtATime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		taken := gtin("690000000099")
		rapid.Check(t, func(rt *rapid.T) {
			file := importFile(rt, taken)
			batch := rapid.IntRange(1, 8).Draw(rt, "batch")
			var results [2]string
			for i, rowAtATime := range []bool{false, true} {
				tenant := ids.New()
				ctx := admin(tenant)
				seedImportTenant(rt, e, ctx, taken)
				report, err := e.svc.ImportSKUs(ctx, strings.NewReader(file), ImportOptions{BatchSize: batch, rowAtATime: rowAtATime})
				if err != nil {
					rt.Fatalf("row at a time %v: %v", rowAtATime, err)
				}
				results[i] = fmt.Sprintf("%+v\n%s", report, catalogState(rt, e, ctx, tenant))
			}
			if results[0] != results[1] {
				rt.Fatalf("batched:\n%s\nrow at a time:\n%s\nfile:\n%s", results[0], results[1], file)
			}
		})
	})
}

// seedImportTenant gives the tenant of ctx the categories DRINK and FRUIT and the SKU
// OLD-1 of product OLD holding barcode taken.
func seedImportTenant(rt *rapid.T, e *env, ctx context.Context, taken string) {
	drink, err := e.svc.CreateCategory(ctx, NewCategory{Code: "DRINK", Name: "Drinks"})
	if err != nil {
		rt.Fatal(err)
	}
	if _, err := e.svc.CreateCategory(ctx, NewCategory{Code: "FRUIT", Name: "Fruit"}); err != nil {
		rt.Fatal(err)
	}
	old, err := e.svc.CreateProduct(ctx, NewProduct{CategoryID: drink.ID, Code: "OLD", Name: "Old", BrandName: "Brand"})
	if err != nil {
		rt.Fatal(err)
	}
	if _, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: old.ID, Code: "OLD-1", Name: "Old 1", Barcodes: []string{taken}, ListPriceFen: 100}); err != nil {
		rt.Fatal(err)
	}
}

// importFile draws a SKU file of up to a dozen rows over a few codes, so rows meet
// each other and the seeded SKU.
func importFile(rt *rapid.T, taken string) string {
	lines := []string{"category_code,product_code,product_name,sku_code,sku_name,barcode,list_price"}
	n := rapid.IntRange(1, 12).Draw(rt, "rows")
	for i := range n {
		pick := func(label string, from ...string) string {
			return rapid.SampledFrom(from).Draw(rt, fmt.Sprintf("%s%d", label, i))
		}
		lines = append(lines, strings.Join([]string{
			pick("category", "", "DRINK", "FRUIT", "NOPE"),
			pick("product", "P1", "P2", "p1", "OLD", "old"),
			pick("productName", "", "商品"),
			pick("sku", "S1", "S2", "S3", "s1", "OLD-1", "old-1", fmt.Sprintf("N%d", i)),
			pick("skuName", "", "规格"),
			pick("barcode", "", taken, fmt.Sprintf("B%d", i), "B0|B1"),
			pick("price", "", "3.50", "abc"),
		}, ","))
	}
	return strings.Join(lines, "\n") + "\n"
}

// catalogState is the tenant's catalogue and the audit entries and events it has,
// with ids replaced by codes.
func catalogState(rt *rapid.T, e *env, ctx context.Context, tenant string) string {
	products, err := e.svc.FindProducts(ctx, ProductFilter{Limit: 100})
	if err != nil {
		rt.Fatal(err)
	}
	code := map[string]string{}
	var out []string
	for _, p := range products.Items {
		code[p.ID] = p.Code
		out = append(out, fmt.Sprintf("product %s %s %s %s", p.Code, p.Name, p.Unit, p.Status))
	}
	skus, err := e.svc.FindSKUs(ctx, SKUFilter{Limit: 100})
	if err != nil {
		rt.Fatal(err)
	}
	for _, s := range skus.Items {
		out = append(out, fmt.Sprintf("sku %s of %s %s %v %d %s %s", s.Code, code[s.ProductID], s.Name, s.Barcodes, s.ListPriceFen, s.Unit, s.Status))
	}
	slices.Sort(out)
	for _, q := range []string{
		`SELECT action || ' ' || CAST(COUNT(*) AS TEXT) FROM audit_events WHERE tenant_id = $1 GROUP BY action ORDER BY action`,
		`SELECT type || ' ' || CAST(COUNT(*) AS TEXT) FROM outbox_events WHERE tenant_id = $1 GROUP BY type ORDER BY type`,
		`SELECT kind || ' ' || CAST(COUNT(*) AS TEXT) FROM search_grams WHERE tenant_id = $1 GROUP BY kind ORDER BY kind`,
	} {
		err := db.EachRow(ctx, e.db.Reader(), q, []any{tenant}, func(r *sql.Rows) error {
			var line string
			if err := r.Scan(&line); err != nil {
				return err
			}
			out = append(out, line)
			return nil
		})
		if err != nil {
			rt.Fatal(err)
		}
	}
	return strings.Join(out, "\n")
}
