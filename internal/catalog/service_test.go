package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func TestCategories(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		root := mkCategory(t, e, ctx, "FOOD", "")
		drinks := mkCategory(t, e, ctx, "DRINK", root.ID)
		soda := mkCategory(t, e, ctx, "SODA", drinks.ID)
		if root.Level != 1 || drinks.Level != 2 || soda.Level != 3 || soda.ParentID != drinks.ID {
			t.Fatalf("levels = %d %d %d, parent %q", root.Level, drinks.Level, soda.Level, soda.ParentID)
		}

		// A chain of MaxCategoryDepth levels is fine; one more is refused.
		parent := ""
		var chain []Category
		for i := range MaxCategoryDepth {
			c := mkCategory(t, e, ctx, fmt.Sprintf("L%d", i+1), parent)
			chain = append(chain, c)
			parent = c.ID
		}
		_, err := e.svc.CreateCategory(ctx, NewCategory{ParentID: parent, Code: "L6", Name: "too deep"})
		wantCode(t, err, errs.Invalid, "body.parent_id")

		cases := []struct {
			name  string
			in    NewCategory
			code  errs.Code
			field string
		}{
			{"duplicate code", NewCategory{Code: "FOOD", Name: "again"}, errs.Conflict, "body.code"},
			{"missing code", NewCategory{Name: "x"}, errs.Invalid, "body.code"},
			{"bad code", NewCategory{Code: "a b", Name: "x"}, errs.Invalid, "body.code"},
			{"missing name", NewCategory{Code: "X1", Name: "  "}, errs.Invalid, "body.name"},
			{"unknown parent", NewCategory{Code: "X2", Name: "x", ParentID: "nope"}, errs.Invalid, "body.parent_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateCategory(ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}

		// Moving DRINK (with SODA below) to a root shifts both levels.
		empty := ""
		moved, err := e.svc.UpdateCategory(ctx, drinks.ID, CategoryUpdate{ParentID: &empty, Name: ptr("Drinks")})
		if err != nil {
			t.Fatal(err)
		}
		if moved.Level != 1 || moved.ParentID != "" || moved.Name != "Drinks" {
			t.Fatalf("moved = %+v", moved)
		}
		page, err := e.svc.FindCategories(ctx, CategoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		levels := map[string]int{}
		for _, c := range page.Items {
			levels[c.Code] = c.Level
		}
		if levels["SODA"] != 2 || levels["DRINK"] != 1 || len(page.Items) != 3+MaxCategoryDepth {
			t.Fatalf("levels after move = %v (%d items)", levels, len(page.Items))
		}

		moveCases := []struct {
			name   string
			id     string
			parent string
		}{
			{"under itself", drinks.ID, drinks.ID},
			{"under its child", drinks.ID, soda.ID},
			{"too deep", drinks.ID, chain[3].ID}, // level 5 + subtree of 2 levels
			{"unknown parent", drinks.ID, "nope"},
			{"cycle deep", chain[0].ID, chain[4].ID},
		}
		for _, tc := range moveCases {
			t.Run("move "+tc.name, func(t *testing.T) {
				_, err := e.svc.UpdateCategory(ctx, tc.id, CategoryUpdate{ParentID: &tc.parent})
				wantCode(t, err, errs.Invalid, "body.parent_id")
			})
		}
		// Back under FOOD at level 2 with SODA at 3 is allowed.
		if _, err := e.svc.UpdateCategory(ctx, drinks.ID, CategoryUpdate{ParentID: &root.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateCategory(ctx, soda.ID, CategoryUpdate{Code: ptr("FOOD")})
		wantCode(t, err, errs.Conflict, "body.code")
		_, err = e.svc.UpdateCategory(ctx, "nope", CategoryUpdate{Name: ptr("x")})
		wantCode(t, err, errs.NotFound, "")

		// Pagination by id.
		first, err := e.svc.FindCategories(ctx, CategoryFilter{Limit: 3})
		if err != nil || len(first.Items) != 3 || first.NextCursor == "" {
			t.Fatalf("first page = %+v, %v", first, err)
		}
		rest, err := e.svc.FindCategories(ctx, CategoryFilter{Limit: 100, Cursor: first.NextCursor})
		if err != nil || len(rest.Items) != len(page.Items)-3 || rest.NextCursor != "" {
			t.Fatalf("second page = %d items, cursor %q, %v", len(rest.Items), rest.NextCursor, err)
		}
		roots, err := e.svc.FindCategories(ctx, CategoryFilter{ParentID: &empty})
		if err != nil || len(roots.Items) != 2 {
			t.Fatalf("roots = %+v, %v", roots.Items, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestProducts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		food := mkCategory(t, e, ctx, "FOOD", "")
		drinks := mkCategory(t, e, ctx, "DRINK", food.ID)
		toys := mkCategory(t, e, ctx, "TOYS", "")

		cola, err := e.svc.CreateProduct(ctx, NewProduct{CategoryID: drinks.ID, Code: "COLA", Name: "可口可乐", BrandName: "Coca-Cola"})
		if err != nil {
			t.Fatal(err)
		}
		if cola.Unit != UnitEach || cola.Status != StatusActive {
			t.Fatalf("defaults = %s %s", cola.Unit, cola.Status)
		}
		apple, err := e.svc.CreateProduct(ctx, NewProduct{CategoryID: food.ID, Code: "APPLE", Name: "苹果", Unit: UnitWeight})
		if err != nil {
			t.Fatal(err)
		}
		ball := mkProduct(t, e, ctx, "BALL", toys.ID)

		cases := []struct {
			name  string
			in    NewProduct
			code  errs.Code
			field string
		}{
			{"duplicate code", NewProduct{CategoryID: food.ID, Code: "COLA", Name: "x"}, errs.Conflict, "body.code"},
			{"no category", NewProduct{Code: "P1", Name: "x"}, errs.Invalid, "body.category_id"},
			{"unknown category", NewProduct{CategoryID: "nope", Code: "P1", Name: "x"}, errs.Invalid, "body.category_id"},
			{"bad unit", NewProduct{CategoryID: food.ID, Code: "P1", Name: "x", Unit: "box"}, errs.Invalid, "body.unit"},
			{"bad status", NewProduct{CategoryID: food.ID, Code: "P1", Name: "x", Status: "gone"}, errs.Invalid, "body.status"},
			{"no name", NewProduct{CategoryID: food.ID, Code: "P1"}, errs.Invalid, "body.name"},
			{"long brand", NewProduct{CategoryID: food.ID, Code: "P1", Name: "x", BrandName: string(make([]rune, 101))}, errs.Invalid, "body.brand_name"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateProduct(ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}

		mkSKU(t, e, ctx, "COLA-330", cola.ID, 350)
		mkSKU(t, e, ctx, "COLA-500", cola.ID, 450)
		got, err := e.svc.FindProductByID(ctx, cola.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SKUCount != 2 || len(got.SKUs) != 2 || got.SKUs[0].Code != "COLA-330" || got.Name != "可口可乐" {
			t.Fatalf("detail = %+v", got)
		}

		updated, err := e.svc.UpdateProduct(ctx, ball.ID, ProductUpdate{Status: ptr(StatusDiscontinued), CategoryID: &food.ID, Description: ptr("round")})
		if err != nil {
			t.Fatal(err)
		}
		if updated.Status != StatusDiscontinued || updated.CategoryID != food.ID || updated.Description != "round" || updated.Name != ball.Name {
			t.Fatalf("updated = %+v", updated)
		}
		_, err = e.svc.UpdateProduct(ctx, ball.ID, ProductUpdate{CategoryID: ptr("nope")})
		wantCode(t, err, errs.Invalid, "body.category_id")
		_, err = e.svc.UpdateProduct(ctx, ball.ID, ProductUpdate{Code: ptr("COLA")})
		wantCode(t, err, errs.Conflict, "body.code")
		_, err = e.svc.FindProductByID(ctx, "nope")
		wantCode(t, err, errs.NotFound, "")

		filters := []struct {
			name string
			f    ProductFilter
			want []string
		}{
			{"all", ProductFilter{}, []string{"COLA", "APPLE", "BALL"}},
			{"q name", ProductFilter{Q: "可乐"}, []string{"COLA"}},
			{"q code case-insensitive", ProductFilter{Q: "app"}, []string{"APPLE"}},
			{"q wildcard is literal", ProductFilter{Q: "%"}, nil},
			{"category with descendants", ProductFilter{CategoryID: food.ID}, []string{"COLA", "APPLE", "BALL"}},
			{"leaf category", ProductFilter{CategoryID: drinks.ID}, []string{"COLA"}},
			{"empty category", ProductFilter{CategoryID: toys.ID}, nil},
			{"status", ProductFilter{Status: StatusDiscontinued}, []string{"BALL"}},
			{"brand", ProductFilter{BrandName: "Coca-Cola"}, []string{"COLA"}},
		}
		for _, tc := range filters {
			t.Run(tc.name, func(t *testing.T) {
				page, err := e.svc.FindProducts(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, p := range page.Items {
					codes = append(codes, p.Code)
				}
				if !slices.Equal(codes, tc.want) {
					t.Fatalf("codes = %v, want %v", codes, tc.want)
				}
			})
		}
		page, err := e.svc.FindProducts(ctx, ProductFilter{Q: "COLA"})
		if err != nil || len(page.Items) != 1 || page.Items[0].SKUCount != 2 {
			t.Fatalf("sku_count in list = %+v, %v", page.Items, err)
		}
		_, err = e.svc.FindProducts(ctx, ProductFilter{Status: "bogus"})
		wantCode(t, err, errs.Invalid, "query.status")
		_ = apple
	})
}

func TestCheckBarcode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		code string
		ok   bool
	}{
		{"EAN-13", "4006381333931", true},
		{"EAN-13 bad check digit", "4006381333932", false},
		{"EAN-13 Chinese prefix", gtin("690123456789"), true},
		{"EAN-8", "96385074", true},
		{"EAN-8 bad", "96385075", false},
		{"UPC-A", "036000291452", true},
		{"UPC-A bad", "036000291453", false},
		{"in-store digits", "200012", true},
		{"in-store alphanumeric", "A12B", true},
		{"GTIN-14 length is in-store", "12345678901234", true},
		{"too short", "123", false},
		{"too long", "123456789012345678901234567890123", false},
		{"punctuation", "AB-12", false},
		{"space", "AB 12", false},
		{"non-ASCII", "条码1234", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if r := checkBarcode(tc.code); (r == "") != tc.ok {
				t.Fatalf("checkBarcode(%q) = %q, want ok=%v", tc.code, r, tc.ok)
			}
		})
	}
}

func TestSKUs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		food := mkCategory(t, e, ctx, "FOOD", "")
		fruit := mkCategory(t, e, ctx, "FRUIT", food.ID)
		cola := mkProduct(t, e, ctx, "COLA", food.ID)
		apple, err := e.svc.CreateProduct(ctx, NewProduct{CategoryID: fruit.ID, Code: "APPLE", Name: "苹果", Unit: UnitWeight})
		if err != nil {
			t.Fatal(err)
		}
		ean1, ean2, ean3 := gtin("690000000001"), gtin("690000000002"), gtin("690000000003")

		s1, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: cola.ID, Code: "COLA-330", Name: "可乐 330ml", Spec: "330ml",
			Barcodes: []string{ean2, ean1}, ListPriceFen: 350, CostFen: 210})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s1.Barcodes, []string{ean1, ean2}) || s1.Unit != UnitEach || s1.Status != StatusActive {
			t.Fatalf("created = %+v", s1)
		}
		s2, err := e.svc.CreateSKU(ctx, NewSKU{ProductID: apple.ID, Code: "APPLE-LOOSE", Name: "苹果 散装", Spec: "per 500g",
			Barcodes: []string{"200012"}, ListPriceFen: 1280})
		if err != nil {
			t.Fatal(err)
		}
		if s2.Unit != UnitWeight {
			t.Fatalf("unit = %s, want the product's weight", s2.Unit)
		}

		cases := []struct {
			name  string
			in    NewSKU
			code  errs.Code
			field string
			msg   string
		}{
			{"duplicate code", NewSKU{ProductID: cola.ID, Code: "COLA-330", Name: "x", ListPriceFen: 1}, errs.Conflict, "body.code", ""},
			{"barcode taken", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, Barcodes: []string{ean3, ean1}}, errs.Conflict, "body.barcodes", ean1},
			{"bad check digit", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, Barcodes: []string{ean3, "4006381333932"}}, errs.Invalid, "body.barcodes[1]", "EAN-13"},
			{"barcode twice", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, Barcodes: []string{ean3, ean3}}, errs.Invalid, "body.barcodes[1]", ""},
			{"zero price", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x"}, errs.Invalid, "body.list_price_fen", ""},
			{"negative cost", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, CostFen: -1}, errs.Invalid, "body.cost_fen", ""},
			{"unknown product", NewSKU{ProductID: "nope", Code: "X1", Name: "x", ListPriceFen: 1}, errs.Invalid, "body.product_id", ""},
			{"bad unit", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, Unit: "box"}, errs.Invalid, "body.unit", ""},
			{"long spec", NewSKU{ProductID: cola.ID, Code: "X1", Name: "x", ListPriceFen: 1, Spec: string(make([]byte, 65))}, errs.Invalid, "body.spec", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateSKU(ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
				if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error %q does not name %q", err, tc.msg)
				}
			})
		}
		// The failed create with a taken barcode left nothing behind.
		if n := countRows(t, d, `SELECT COUNT(*) FROM sku_barcodes WHERE barcode = $1`, ean3); n != 0 {
			t.Fatalf("barcode of a failed create was stored")
		}

		up, err := e.svc.UpdateSKU(ctx, s1.ID, SKUUpdate{Barcodes: &[]string{ean3}, ListPriceFen: ptr(int64(380)), Status: ptr(StatusInactive)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(up.Barcodes, []string{ean3}) || up.ListPriceFen != 380 || up.Status != StatusInactive || up.CostFen != 210 {
			t.Fatalf("updated = %+v", up)
		}
		// ean1 is free again.
		if _, err := e.svc.UpdateSKU(ctx, s2.ID, SKUUpdate{Barcodes: &[]string{"200012", ean1}}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateSKU(ctx, s1.ID, SKUUpdate{Barcodes: &[]string{ean1}})
		wantCode(t, err, errs.Conflict, "body.barcodes")
		_, err = e.svc.UpdateSKU(ctx, s1.ID, SKUUpdate{ListPriceFen: ptr(int64(0))})
		wantCode(t, err, errs.Invalid, "body.list_price_fen")
		_, err = e.svc.UpdateSKU(ctx, "nope", SKUUpdate{Name: ptr("x")})
		wantCode(t, err, errs.NotFound, "")

		filters := []struct {
			name string
			f    SKUFilter
			want []string
		}{
			{"all", SKUFilter{}, []string{"COLA-330", "APPLE-LOOSE"}},
			{"q", SKUFilter{Q: "散装"}, []string{"APPLE-LOOSE"}},
			{"q code", SKUFilter{Q: "cola"}, []string{"COLA-330"}},
			{"barcode", SKUFilter{Barcode: ean1}, []string{"APPLE-LOOSE"}},
			{"barcode is exact", SKUFilter{Barcode: "2000"}, nil},
			{"product", SKUFilter{ProductID: cola.ID}, []string{"COLA-330"}},
			{"category with descendants", SKUFilter{CategoryID: food.ID}, []string{"COLA-330", "APPLE-LOOSE"}},
			{"leaf category", SKUFilter{CategoryID: fruit.ID}, []string{"APPLE-LOOSE"}},
			{"status", SKUFilter{Status: StatusInactive}, []string{"COLA-330"}},
		}
		for _, tc := range filters {
			t.Run(tc.name, func(t *testing.T) {
				page, err := e.svc.FindSKUs(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, s := range page.Items {
					codes = append(codes, s.Code)
				}
				if !slices.Equal(codes, tc.want) {
					t.Fatalf("codes = %v, want %v", codes, tc.want)
				}
			})
		}
		page, err := e.svc.FindSKUs(ctx, SKUFilter{Limit: 1})
		if err != nil || len(page.Items) != 1 || page.NextCursor == "" || len(page.Items[0].Barcodes) != 1 {
			t.Fatalf("page = %+v, %v", page, err)
		}
		next, err := e.svc.FindSKUs(ctx, SKUFilter{Limit: 1, Cursor: page.NextCursor})
		if err != nil || len(next.Items) != 1 || next.Items[0].Code != "APPLE-LOOSE" || next.NextCursor != "" {
			t.Fatalf("next page = %+v, %v", next, err)
		}
		_, err = e.svc.FindSKUs(ctx, SKUFilter{Cursor: "!!"})
		wantCode(t, err, errs.Invalid, "query.cursor")

		sum, err := e.svc.CatalogSummary(ctx)
		if err != nil || sum != (Summary{Categories: 2, Products: 2, SKUs: 2}) {
			t.Fatalf("summary = %+v, %v", sum, err)
		}
	})
}

// priced builds a tenant-A SKU with list price 1000 fen.
func priced(t *testing.T, e *env) SKU {
	t.Helper()
	ctx := admin(tenantA)
	c := mkCategory(t, e, ctx, "FOOD", "")
	p := mkProduct(t, e, ctx, "COLA", c.ID)
	return mkSKU(t, e, ctx, "COLA-330", p.ID, 1000)
}

func TestEffectivePrice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		sku := priced(t, e)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssignStores(ctx, zone.ID, []string{storeA1, storeA2}); err != nil {
			t.Fatal(err)
		}

		want := func(store string, price int64, source PriceSource, scope string) {
			t.Helper()
			ep, err := e.svc.EffectivePrice(ctx, sku.ID, store)
			if err != nil {
				t.Fatal(err)
			}
			if ep.PriceFen != price || ep.Source != source || ep.ScopeID != scope || ep.ListPriceFen != 1000 {
				t.Fatalf("effective price at %s = %+v, want %d from %s %s", store, ep, price, source, scope)
			}
		}
		want(storeA1, 1000, SourceList, "")
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, 900); err != nil {
			t.Fatal(err)
		}
		want(storeA1, 900, SourcePriceZone, zone.ID)
		o, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, 850)
		if err != nil {
			t.Fatal(err)
		}
		if o.PriceFen != 850 || o.ScopeName != storeA1 {
			t.Fatalf("override = %+v", o)
		}
		want(storeA1, 850, SourceStore, storeA1)
		want(storeA2, 900, SourcePriceZone, zone.ID)

		detail, err := e.svc.FindSKUByID(ctx, sku.ID)
		if err != nil {
			t.Fatal(err)
		}
		var scopes []string
		for _, o := range detail.PriceOverrides {
			scopes = append(scopes, fmt.Sprintf("%s:%s:%s:%d", o.ScopeType, o.ScopeID, o.ScopeName, o.PriceFen))
		}
		wantScopes := []string{"price_zone:" + zone.ID + ":华东:900", "store:" + storeA1 + ":" + storeA1 + ":850"}
		if !slices.Equal(scopes, wantScopes) {
			t.Fatalf("overrides = %v, want %v", scopes, wantScopes)
		}

		// Moving storeA2 out of the zone falls back to the list price.
		if _, err := e.svc.AssignStores(ctx, zone.ID, []string{storeA1}); err != nil {
			t.Fatal(err)
		}
		want(storeA2, 1000, SourceList, "")
		if err := e.svc.DeletePrice(ctx, sku.ID, ScopeStore, storeA1); err != nil {
			t.Fatal(err)
		}
		want(storeA1, 900, SourcePriceZone, zone.ID)
		if err := e.svc.DeletePrice(ctx, sku.ID, ScopePriceZone, zone.ID); err != nil {
			t.Fatal(err)
		}
		want(storeA1, 1000, SourceList, "")
		wantCode(t, e.svc.DeletePrice(ctx, sku.ID, ScopePriceZone, zone.ID), errs.NotFound, "")

		_, err = e.svc.EffectivePrice(ctx, sku.ID, storeB1)
		wantCode(t, err, errs.NotFound, "")
		_, err = e.svc.EffectivePrice(ctx, "nope", storeA1)
		wantCode(t, err, errs.NotFound, "")
		_, err = e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, 0)
		wantCode(t, err, errs.Invalid, "body.price_fen")
		_, err = e.svc.SetPrice(ctx, sku.ID, "region", storeA1, 10)
		wantCode(t, err, errs.Invalid, "path.scope_type")
		_, err = e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, "nope", 10)
		wantCode(t, err, errs.NotFound, "")
		_, err = e.svc.AssignStores(ctx, zone.ID, []string{storeA1, storeB1})
		wantCode(t, err, errs.Invalid, "body.store_ids[1]")
		_, err = e.svc.AssignStores(ctx, zone.ID, []string{storeA1, storeA1})
		wantCode(t, err, errs.Invalid, "body.store_ids[1]")

		// A store in another zone moves to the new one.
		west, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "WEST", Name: "西部"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssignStores(ctx, west.ID, []string{storeA1}); err != nil {
			t.Fatal(err)
		}
		zones, err := e.svc.FindPriceZones(ctx, PriceZoneFilter{})
		if err != nil || len(zones.Items) != 2 {
			t.Fatalf("zones = %+v, %v", zones, err)
		}
		if len(zones.Items[0].StoreIDs) != 0 || !slices.Equal(zones.Items[1].StoreIDs, []string{storeA1}) {
			t.Fatalf("zone stores = %v / %v", zones.Items[0].StoreIDs, zones.Items[1].StoreIDs)
		}
		_, err = e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "WEST", Name: "again"})
		wantCode(t, err, errs.Conflict, "body.code")
	})
}

func TestStoreNames(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.stores.names[storeA1] = "徐汇店"
		e.svc.stores = namingStores{e.stores}
		sku := priced(t, e)
		o, err := e.svc.SetPrice(admin(tenantA), sku.ID, ScopeStore, storeA1, 990)
		if err != nil || o.ScopeName != "徐汇店" {
			t.Fatalf("override = %+v, %v", o, err)
		}
		got, err := e.svc.FindSKUByID(admin(tenantA), sku.ID)
		if err != nil || len(got.PriceOverrides) != 1 || got.PriceOverrides[0].ScopeName != "徐汇店" {
			t.Fatalf("overrides = %+v, %v", got.PriceOverrides, err)
		}
	})
}

func TestDataScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		sku := priced(t, e)
		zone, err := e.svc.CreatePriceZone(admin(tenantA), NewPriceZone{Code: "EAST", Name: "East"})
		if err != nil {
			t.Fatal(err)
		}
		mgr := manager(tenantA, storeA1)
		if _, err := e.svc.SetPrice(mgr, sku.ID, ScopeStore, storeA1, 880); err != nil {
			t.Fatalf("manager sets own store price: %v", err)
		}
		if err := e.svc.DeletePrice(mgr, sku.ID, ScopeStore, storeA1); err != nil {
			t.Fatalf("manager deletes own store price: %v", err)
		}
		if _, err := e.svc.FindSKUByID(mgr, sku.ID); err != nil {
			t.Fatalf("manager reads the catalog: %v", err)
		}
		if _, err := e.svc.EffectivePrice(mgr, sku.ID, storeA1); err != nil {
			t.Fatalf("manager reads the effective price: %v", err)
		}
		if _, err := e.svc.FindPriceZoneByID(mgr, zone.ID); err != nil {
			t.Fatalf("manager reads a price zone: %v", err)
		}
		if _, err := e.svc.FindPriceOverrides(mgr, sku.ID, PriceOverrideFilter{}); err != nil {
			t.Fatalf("manager reads a SKU's prices: %v", err)
		}
		noPrincipal := context.Background()
		cases := []struct {
			name string
			do   func() error
			code errs.Code
		}{
			{"manager sets another store", func() error { _, err := e.svc.SetPrice(mgr, sku.ID, ScopeStore, storeA2, 1); return err }, errs.NotFound},
			{"manager deletes another store", func() error { return e.svc.DeletePrice(mgr, sku.ID, ScopeStore, storeA2) }, errs.NotFound},
			{"manager sets another tenant's store", func() error { _, err := e.svc.SetPrice(mgr, sku.ID, ScopeStore, storeB1, 1); return err }, errs.NotFound},
			{"manager sets a zone price", func() error { _, err := e.svc.SetPrice(mgr, sku.ID, ScopePriceZone, zone.ID, 1); return err }, errs.Forbidden},
			{"manager changes the list price", func() error {
				_, err := e.svc.UpdateSKU(mgr, sku.ID, SKUUpdate{ListPriceFen: ptr(int64(1))})
				return err
			}, errs.Forbidden},
			{"manager creates a category", func() error { _, err := e.svc.CreateCategory(mgr, NewCategory{Code: "X", Name: "x"}); return err }, errs.Forbidden},
			{"manager updates a zone", func() error {
				_, err := e.svc.UpdatePriceZone(mgr, zone.ID, PriceZoneUpdate{Name: ptr("x")})
				return err
			}, errs.Forbidden},
			{"marketer updates a zone", func() error {
				_, err := e.svc.UpdatePriceZone(marketer(tenantA), zone.ID, PriceZoneUpdate{Name: ptr("x")})
				return err
			}, errs.Forbidden},
			{"manager assigns stores", func() error { _, err := e.svc.AssignStores(mgr, zone.ID, []string{storeA1}); return err }, errs.Forbidden},
			{"manager imports", func() error { _, err := e.svc.ImportSKUs(mgr, nil, ImportOptions{}); return err }, errs.Forbidden},
			{"marketer sets a price", func() error { _, err := e.svc.SetPrice(marketer(tenantA), sku.ID, ScopeStore, storeA1, 1); return err }, errs.Forbidden},
			{"marketer updates a SKU", func() error {
				_, err := e.svc.UpdateSKU(marketer(tenantA), sku.ID, SKUUpdate{Name: ptr("x")})
				return err
			}, errs.Forbidden},
			{"no principal reads", func() error { _, err := e.svc.FindSKUs(noPrincipal, SKUFilter{}); return err }, errs.Unauthorized},
			{"no principal writes", func() error {
				_, err := e.svc.CreatePriceZone(noPrincipal, NewPriceZone{Code: "A", Name: "a"})
				return err
			}, errs.Unauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.do(), tc.code, "")
			})
		}
		ep, err := e.svc.EffectivePrice(admin(tenantA), sku.ID, storeA2)
		if err != nil || ep.Source != SourceList || ep.PriceFen != 1000 {
			t.Fatalf("price after refused changes = %+v, %v", ep, err)
		}
		// The system principal used by background work may change everything.
		if _, err := e.svc.SetPrice(auth.WithPrincipal(context.Background(), auth.System(tenantA)), sku.ID, ScopePriceZone, zone.ID, 777); err != nil {
			t.Fatalf("system sets a zone price: %v", err)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		a := admin(tenantA)
		cat := mkCategory(t, e, a, "FOOD", "")
		prod := mkProduct(t, e, a, "COLA", cat.ID)
		sku := mkSKU(t, e, a, "COLA-330", prod.ID, 350, gtin("690000000001"))
		zone, err := e.svc.CreatePriceZone(a, NewPriceZone{Code: "EAST", Name: "East"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(a, sku.ID, ScopePriceZone, zone.ID, 300); err != nil {
			t.Fatal(err)
		}

		b := admin(tenantB)
		bCat := mkCategory(t, e, b, "FOOD", "") // the same codes are free in another tenant
		bProd := mkProduct(t, e, b, "COLA", bCat.ID)
		bSKU := mkSKU(t, e, b, "COLA-330", bProd.ID, 360, gtin("690000000001"))

		cases := []struct {
			name string
			do   func() error
		}{
			{"find category", func() error { _, err := e.svc.FindCategoryByID(b, cat.ID); return err }},
			{"update category", func() error { _, err := e.svc.UpdateCategory(b, cat.ID, CategoryUpdate{Name: ptr("x")}); return err }},
			{"find product", func() error { _, err := e.svc.FindProductByID(b, prod.ID); return err }},
			{"update product", func() error { _, err := e.svc.UpdateProduct(b, prod.ID, ProductUpdate{Name: ptr("x")}); return err }},
			{"find sku", func() error { _, err := e.svc.FindSKUByID(b, sku.ID); return err }},
			{"update sku", func() error { _, err := e.svc.UpdateSKU(b, sku.ID, SKUUpdate{ListPriceFen: ptr(int64(1))}); return err }},
			{"set price on A's sku", func() error { _, err := e.svc.SetPrice(b, sku.ID, ScopeStore, storeB1, 1); return err }},
			{"set price in A's zone", func() error { _, err := e.svc.SetPrice(b, bSKU.ID, ScopePriceZone, zone.ID, 1); return err }},
			{"set price in A's store", func() error { _, err := e.svc.SetPrice(b, bSKU.ID, ScopeStore, storeA1, 1); return err }},
			{"delete A's zone price", func() error { return e.svc.DeletePrice(b, sku.ID, ScopePriceZone, zone.ID) }},
			{"find A's zone", func() error { _, err := e.svc.FindPriceZoneByID(b, zone.ID); return err }},
			{"update A's zone", func() error { _, err := e.svc.UpdatePriceZone(b, zone.ID, PriceZoneUpdate{Name: ptr("x")}); return err }},
			{"prices of A's sku", func() error { _, err := e.svc.FindPriceOverrides(b, sku.ID, PriceOverrideFilter{}); return err }},
			{"assign stores to A's zone", func() error { _, err := e.svc.AssignStores(b, zone.ID, []string{storeB1}); return err }},
			{"effective price of A's sku", func() error { _, err := e.svc.EffectivePrice(b, sku.ID, storeB1); return err }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.do(), errs.NotFound, "")
			})
		}
		refs := []struct {
			name  string
			do    func() error
			field string
		}{
			{"product in A's category", func() error {
				_, err := e.svc.CreateProduct(b, NewProduct{CategoryID: cat.ID, Code: "X", Name: "x"})
				return err
			}, "body.category_id"},
			{"sku of A's product", func() error {
				_, err := e.svc.CreateSKU(b, NewSKU{ProductID: prod.ID, Code: "X", Name: "x", ListPriceFen: 1})
				return err
			}, "body.product_id"},
			{"category under A's category", func() error {
				_, err := e.svc.CreateCategory(b, NewCategory{ParentID: cat.ID, Code: "X", Name: "x"})
				return err
			}, "body.parent_id"},
			{"move under A's category", func() error {
				_, err := e.svc.UpdateCategory(b, bCat.ID, CategoryUpdate{ParentID: &cat.ID})
				return err
			}, "body.parent_id"},
		}
		for _, tc := range refs {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.do(), errs.Invalid, tc.field)
			})
		}
		for name, find := range map[string]func() (int, error){
			"categories": func() (int, error) { p, err := e.svc.FindCategories(b, CategoryFilter{}); return len(p.Items), err },
			"products":   func() (int, error) { p, err := e.svc.FindProducts(b, ProductFilter{}); return len(p.Items), err },
			"skus":       func() (int, error) { p, err := e.svc.FindSKUs(b, SKUFilter{}); return len(p.Items), err },
			"by barcode": func() (int, error) {
				p, err := e.svc.FindSKUs(b, SKUFilter{Barcode: gtin("690000000001")})
				return len(p.Items), err
			},
			"zones": func() (int, error) { p, err := e.svc.FindPriceZones(b, PriceZoneFilter{}); return len(p.Items), err },
		} {
			n, err := find()
			want := 1
			if name == "zones" {
				want = 0
			}
			if err != nil || n != want {
				t.Fatalf("tenant B sees %d %s (want %d), %v", n, name, want, err)
			}
		}
		got, err := e.svc.FindSKUByID(a, sku.ID)
		if err != nil || got.ListPriceFen != 350 || len(got.PriceOverrides) != 1 {
			t.Fatalf("tenant A's SKU changed: %+v, %v", got, err)
		}
	})
}

func TestAuditAndEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		sku := priced(t, e)
		if _, err := e.svc.UpdateSKU(ctx, sku.ID, SKUUpdate{ListPriceFen: ptr(int64(1200))}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, 1100); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, 1050); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeletePrice(ctx, sku.ID, ScopeStore, storeA1); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Reader().Query(`SELECT action, changes FROM audit_events WHERE tenant_id = $1 ORDER BY id`, tenantA)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var actions []string
		var prices []string
		for rows.Next() {
			var action, changes string
			if err := rows.Scan(&action, &changes); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, action)
			if action == "price.set" || action == "price.delete" {
				var c priceAudit
				if err := json.Unmarshal([]byte(changes), &c); err != nil {
					t.Fatal(err)
				}
				prices = append(prices, fmt.Sprintf("%s %v→%v", c.ScopeType, deref(c.OldPriceFen), deref(c.NewPriceFen)))
			}
			if action == "sku.update" && !strings.Contains(changes, `"list_price_fen":1000`) || action == "sku.update" && !strings.Contains(changes, `"list_price_fen":1200`) {
				t.Fatalf("sku.update changes = %s, want the old and new list price", changes)
			}
		}
		wantActions := []string{"category.create", "product.create", "sku.create", "sku.update", "price.set", "price.set", "price.delete"}
		if !slices.Equal(actions, wantActions) {
			t.Fatalf("audit actions = %v, want %v", actions, wantActions)
		}
		wantPrices := []string{"store none→1100", "store 1100→1050", "store 1050→none"}
		if !slices.Equal(prices, wantPrices) {
			t.Fatalf("price audit = %v, want %v", prices, wantPrices)
		}
		evRows, err := d.Reader().Query(`SELECT type FROM outbox_events WHERE tenant_id = $1 ORDER BY id`, tenantA)
		if err != nil {
			t.Fatal(err)
		}
		defer evRows.Close()
		var types []string
		for evRows.Next() {
			var typ string
			if err := evRows.Scan(&typ); err != nil {
				t.Fatal(err)
			}
			types = append(types, typ)
		}
		wantTypes := []string{EventCategoryCreated, EventProductCreated, EventSKUCreated, EventSKUUpdated, EventPriceChanged,
			EventPriceChanged, EventPriceChanged, EventPriceChanged}
		if !slices.Equal(types, wantTypes) {
			t.Fatalf("events = %v, want %v", types, wantTypes)
		}
	})
}

func deref(p *int64) any {
	if p == nil {
		return "none"
	}
	return *p
}

func TestConcurrentSetPrice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		sku := priced(t, e)
		const n = 20
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				ctx := admin(tenantA)
				if i%2 == 1 {
					ctx = manager(tenantA, storeA1)
				}
				_, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, storeA1, int64(500+i))
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := countRows(t, d, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'price.set' AND resource_id = $2`, tenantA, sku.ID); got != n {
			t.Fatalf("price audit entries = %d, want %d", got, n)
		}
		// The audit trail is a chain: each old price is the previous entry's new price.
		rows, err := d.Reader().Query(`SELECT changes FROM audit_events WHERE tenant_id = $1 AND action = 'price.set' ORDER BY at, id`, tenantA)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		olds := map[string]int{}
		news := map[int64]bool{}
		for rows.Next() {
			var changes string
			if err := rows.Scan(&changes); err != nil {
				t.Fatal(err)
			}
			var c priceAudit
			if err := json.Unmarshal([]byte(changes), &c); err != nil {
				t.Fatal(err)
			}
			olds[fmt.Sprint(deref(c.OldPriceFen))]++
			news[*c.NewPriceFen] = true
		}
		if olds["none"] != 1 || len(news) != n {
			t.Fatalf("old prices = %v, new prices = %v: want one first set and %d distinct prices", olds, news, n)
		}
		for old, k := range olds {
			if k != 1 {
				t.Fatalf("old price %s recorded %d times: concurrent changes were not serialised", old, k)
			}
		}
		ep, err := e.svc.EffectivePrice(admin(tenantA), sku.ID, storeA1)
		if err != nil {
			t.Fatal(err)
		}
		if ep.Source != SourceStore || ep.PriceFen < 500 || ep.PriceFen >= 500+n {
			t.Fatalf("final price = %+v, want one of the prices set", ep)
		}
		if olds[fmt.Sprint(ep.PriceFen)] != 0 {
			t.Fatalf("final price %d was later replaced according to the audit trail", ep.PriceFen)
		}
	})
}

func TestFindCategoryByID(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		root := mkCategory(t, e, admin(tenantA), "FOOD", "")
		child := mkCategory(t, e, admin(tenantA), "DRINK", root.ID)
		list, err := e.svc.FindCategories(admin(tenantA), CategoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]Category{}
		for _, c := range list.Items {
			listed[c.ID] = c
		}
		cases := []struct {
			name string
			ctx  context.Context
			id   string
			code errs.Code // "" when found
		}{
			{name: "root", ctx: admin(tenantA), id: root.ID},
			{name: "child", ctx: admin(tenantA), id: child.ID},
			{name: "store manager", ctx: manager(tenantA, storeA1), id: child.ID},
			{name: "marketer", ctx: marketer(tenantA), id: root.ID},
			{name: "unknown", ctx: admin(tenantA), id: "nope", code: errs.NotFound},
			{name: "empty id", ctx: admin(tenantA), id: "", code: errs.NotFound},
			{name: "other tenant", ctx: admin(tenantB), id: root.ID, code: errs.NotFound},
			{name: "other tenant's manager", ctx: manager(tenantB, storeB1), id: root.ID, code: errs.NotFound},
			{name: "no principal", ctx: context.Background(), id: root.ID, code: errs.Unauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.svc.FindCategoryByID(tc.ctx, tc.id)
				if tc.code != "" {
					wantCode(t, err, tc.code, "")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := listed[tc.id]; got != want {
					t.Fatalf("category = %+v, want the listed %+v", got, want)
				}
			})
		}
	})
}

func TestFindPriceZoneByID(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		east, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		west, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "WEST", Name: "西部"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssignStores(ctx, east.ID, []string{storeA2, storeA1}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.FindPriceZones(ctx, PriceZoneFilter{})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]PriceZone{}
		for _, z := range list.Items {
			listed[z.ID] = z
		}
		cases := []struct {
			name   string
			ctx    context.Context
			id     string
			stores []string
			code   errs.Code
		}{
			{name: "with stores", ctx: ctx, id: east.ID, stores: []string{storeA1, storeA2}},
			{name: "without stores", ctx: ctx, id: west.ID, stores: []string{}},
			{name: "store manager", ctx: manager(tenantA, storeA1), id: east.ID, stores: []string{storeA1, storeA2}},
			{name: "unknown", ctx: ctx, id: "nope", code: errs.NotFound},
			{name: "other tenant", ctx: admin(tenantB), id: east.ID, code: errs.NotFound},
			{name: "no principal", ctx: context.Background(), id: east.ID, code: errs.Unauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.svc.FindPriceZoneByID(tc.ctx, tc.id)
				if tc.code != "" {
					wantCode(t, err, tc.code, "")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.StoreIDs == nil || !slices.Equal(got.StoreIDs, tc.stores) {
					t.Fatalf("store ids = %#v, want %v", got.StoreIDs, tc.stores)
				}
				want := listed[tc.id]
				if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Fatalf("zone = %+v, want the listed %+v", got, want)
				}
			})
		}
	})
}

func TestUpdatePriceZone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		sku := priced(t, e)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "East"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "WEST", Name: "West"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssignStores(ctx, zone.ID, []string{storeA1}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, 900); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)

		got, err := e.svc.UpdatePriceZone(ctx, zone.ID, PriceZoneUpdate{Name: ptr("  华东  ")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "华东" || got.Code != "EAST" || !slices.Equal(got.StoreIDs, []string{storeA1}) || !got.UpdatedAt.After(got.CreatedAt) {
			t.Fatalf("renamed zone = %+v", got)
		}
		got, err = e.svc.UpdatePriceZone(ctx, zone.ID, PriceZoneUpdate{Code: ptr("EAST-1")})
		if err != nil || got.Code != "EAST-1" || got.Name != "华东" {
			t.Fatalf("recoded zone = %+v, %v", got, err)
		}
		found, err := e.svc.FindPriceZoneByID(ctx, zone.ID)
		if err != nil || fmt.Sprintf("%+v", found) != fmt.Sprintf("%+v", got) {
			t.Fatalf("stored zone = %+v, %v; want %+v", found, err, got)
		}
		// Zone overrides show the zone's current name.
		detail, err := e.svc.FindSKUByID(ctx, sku.ID)
		if err != nil || len(detail.PriceOverrides) != 1 || detail.PriceOverrides[0].ScopeName != "华东" {
			t.Fatalf("overrides = %+v, %v", detail.PriceOverrides, err)
		}

		cases := []struct {
			name  string
			ctx   context.Context
			id    string
			u     PriceZoneUpdate
			code  errs.Code
			field string
		}{
			{name: "code taken", ctx: ctx, id: zone.ID, u: PriceZoneUpdate{Code: ptr("WEST")}, code: errs.Conflict, field: "body.code"},
			{name: "bad code", ctx: ctx, id: zone.ID, u: PriceZoneUpdate{Code: ptr("a b")}, code: errs.Invalid, field: "body.code"},
			{name: "blank name", ctx: ctx, id: zone.ID, u: PriceZoneUpdate{Name: ptr("  ")}, code: errs.Invalid, field: "body.name"},
			{name: "long name", ctx: ctx, id: zone.ID, u: PriceZoneUpdate{Name: ptr(strings.Repeat("x", 101))}, code: errs.Invalid, field: "body.name"},
			{name: "unknown zone", ctx: ctx, id: "nope", u: PriceZoneUpdate{Name: ptr("x")}, code: errs.NotFound},
			{name: "other tenant", ctx: admin(tenantB), id: zone.ID, u: PriceZoneUpdate{Name: ptr("x")}, code: errs.NotFound},
			{name: "store manager", ctx: manager(tenantA, storeA1), id: zone.ID, u: PriceZoneUpdate{Name: ptr("x")}, code: errs.Forbidden},
			{name: "marketer", ctx: marketer(tenantA), id: zone.ID, u: PriceZoneUpdate{Name: ptr("x")}, code: errs.Forbidden},
			{name: "no principal", ctx: context.Background(), id: zone.ID, u: PriceZoneUpdate{Name: ptr("x")}, code: errs.Unauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.UpdatePriceZone(tc.ctx, tc.id, tc.u)
				wantCode(t, err, tc.code, tc.field)
			})
		}
		after, err := e.svc.FindPriceZoneByID(ctx, zone.ID)
		if err != nil || after.Code != "EAST-1" || after.Name != "华东" {
			t.Fatalf("zone after refused updates = %+v, %v", after, err)
		}

		// Two updates: two audit entries with before and after, two events.
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'price_zone.update' AND resource_type = 'price_zone' AND resource_id = $2`, tenantA, zone.ID); n != 2 {
			t.Fatalf("%d price_zone.update audit entries, want 2", n)
		}
		var changes string
		if err := d.Reader().QueryRow(`SELECT changes FROM audit_events WHERE tenant_id = $1 AND action = 'price_zone.update' ORDER BY id LIMIT 1`, tenantA).Scan(&changes); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(changes, `"name":"East"`) || !strings.Contains(changes, `"name":"华东"`) {
			t.Fatalf("audit changes = %s, want the old and new name", changes)
		}
		var payload string
		if err := d.Reader().QueryRow(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = $2 AND aggregate_id = $3 ORDER BY id DESC LIMIT 1`,
			tenantA, EventPriceZoneUpdated, zone.ID).Scan(&payload); err != nil {
			t.Fatalf("no %s event: %v", EventPriceZoneUpdated, err)
		}
		var ev PriceZoneEvent
		if err := json.Unmarshal([]byte(payload), &ev); err != nil || ev.Code != "EAST-1" || ev.Name != "华东" || !slices.Equal(ev.StoreIDs, []string{storeA1}) {
			t.Fatalf("event payload = %s, %v", payload, err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM outbox_events WHERE type = $1`, EventPriceZoneUpdated); n != 2 {
			t.Fatalf("%d %s events, want 2", n, EventPriceZoneUpdated)
		}
	})
}

func TestFindPriceOverrides(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.stores.names[storeA1] = "徐汇店"
		e.svc.stores = namingStores{e.stores}
		ctx := admin(tenantA)
		sku := priced(t, e)
		bare := mkSKU(t, e, ctx, "COLA-500", sku.ProductID, 500)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		for _, set := range []struct {
			scope ScopeType
			id    string
			price int64
		}{{ScopeStore, storeA2, 880}, {ScopePriceZone, zone.ID, 900}, {ScopeStore, storeA1, 850}} {
			if _, err := e.svc.SetPrice(ctx, sku.ID, set.scope, set.id, set.price); err != nil {
				t.Fatal(err)
			}
		}
		detail, err := e.svc.FindSKUByID(ctx, sku.ID)
		if err != nil || len(detail.PriceOverrides) != 3 {
			t.Fatalf("detail overrides = %+v, %v", detail.PriceOverrides, err)
		}
		want := fmt.Sprintf("%+v", detail.PriceOverrides)

		cases := []struct {
			name  string
			ctx   context.Context
			limit int
		}{
			{name: "one page", ctx: ctx},
			{name: "pages of one", ctx: ctx, limit: 1},
			{name: "pages of two", ctx: ctx, limit: 2},
			{name: "store manager", ctx: manager(tenantA, storeA1), limit: 1},
			{name: "marketer", ctx: marketer(tenantA)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var all []PriceOverride
				pages := 0
				for cursor := ""; ; {
					page, err := e.svc.FindPriceOverrides(tc.ctx, sku.ID, PriceOverrideFilter{Limit: tc.limit, Cursor: cursor})
					if err != nil {
						t.Fatal(err)
					}
					pages++
					all = append(all, page.Items...)
					if cursor = page.NextCursor; cursor == "" || pages > 5 {
						break
					}
				}
				if got := fmt.Sprintf("%+v", all); got != want {
					t.Fatalf("overrides = %s, want the detail's %s", got, want)
				}
				if tc.limit > 0 && pages != (3+tc.limit-1)/tc.limit {
					t.Fatalf("%d pages of %d", pages, tc.limit)
				}
			})
		}
		if all := detail.PriceOverrides; all[0].ScopeType != ScopePriceZone || all[0].ScopeName != "华东" || all[1].ScopeName != "徐汇店" || all[2].ScopeName != storeA2 {
			t.Fatalf("overrides = %+v, want the zone first and named stores", all)
		}

		empty, err := e.svc.FindPriceOverrides(ctx, bare.ID, PriceOverrideFilter{})
		if err != nil || empty.Items == nil || len(empty.Items) != 0 || empty.NextCursor != "" {
			t.Fatalf("overrides of a SKU without any = %+v, %v", empty, err)
		}
		errCases := []struct {
			name  string
			ctx   context.Context
			id    string
			f     PriceOverrideFilter
			code  errs.Code
			field string
		}{
			{name: "unknown sku", ctx: ctx, id: "nope", code: errs.NotFound},
			{name: "other tenant", ctx: admin(tenantB), id: sku.ID, code: errs.NotFound},
			{name: "other tenant's manager", ctx: manager(tenantB, storeB1), id: sku.ID, code: errs.NotFound},
			{name: "no principal", ctx: context.Background(), id: sku.ID, code: errs.Unauthorized},
			{name: "undecodable cursor", ctx: ctx, id: sku.ID, f: PriceOverrideFilter{Cursor: "!!"}, code: errs.Invalid, field: "query.cursor"},
			{name: "foreign cursor", ctx: ctx, id: sku.ID, f: PriceOverrideFilter{Cursor: httpapi.EncodeCursor(sku.ID)}, code: errs.Invalid, field: "query.cursor"},
			{name: "bad scope in cursor", ctx: ctx, id: sku.ID, f: PriceOverrideFilter{Cursor: httpapi.EncodeCursor("region:x")}, code: errs.Invalid, field: "query.cursor"},
		}
		for _, tc := range errCases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.FindPriceOverrides(tc.ctx, tc.id, tc.f)
				wantCode(t, err, tc.code, tc.field)
			})
		}
	})
}

// countingNamer names stores like namingStores and counts the calls.
type countingNamer struct {
	namingStores
	calls *int
}

func (c countingNamer) StoreNames(ctx context.Context, ids []string) (map[string]string, error) {
	*c.calls++
	return c.namingStores.StoreNames(ctx, ids)
}

// TestSKUDetailBounded checks that a SKU priced in more stores than a detail holds
// gets the first DetailOverrides overrides, a summary of all of them and the cursor
// of the rest, with the stores named in one call.
func TestSKUDetailBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		calls := 0
		e.svc.stores = countingNamer{namingStores{e.stores}, &calls}
		ctx := admin(tenantA)
		sku := priced(t, e)
		const stores = DetailOverrides + 5
		for i := range stores {
			id := fmt.Sprintf("store-many-%02d", i)
			e.stores.add(tenantA, id)
			e.stores.names[id] = fmt.Sprintf("门店%02d", i)
			if _, err := e.svc.SetPrice(ctx, sku.ID, ScopeStore, id, int64(800+i)); err != nil {
				t.Fatal(err)
			}
		}
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, 950); err != nil {
			t.Fatal(err)
		}
		calls = 0
		detail, err := e.svc.FindSKUByID(ctx, sku.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := OverrideSummary{Total: stores + 1, PriceZones: 1, Stores: stores, MinPriceFen: 800, MaxPriceFen: 950}
		if detail.Overrides != want {
			t.Fatalf("summary = %+v, want %+v", detail.Overrides, want)
		}
		if len(detail.PriceOverrides) != DetailOverrides || detail.OverridesNext == "" {
			t.Fatalf("detail has %d overrides, next %q; want %d and a cursor", len(detail.PriceOverrides), detail.OverridesNext, DetailOverrides)
		}
		if calls != 1 || detail.PriceOverrides[1].ScopeName != "门店00" {
			t.Fatalf("%d StoreNames calls, second override %+v; want one call and named stores", calls, detail.PriceOverrides[1])
		}
		rest, err := e.svc.FindPriceOverrides(ctx, sku.ID, PriceOverrideFilter{Cursor: detail.OverridesNext})
		if err != nil || len(rest.Items) != stores+1-DetailOverrides || rest.NextCursor != "" {
			t.Fatalf("rest = %d items, next %q, %v", len(rest.Items), rest.NextCursor, err)
		}
		bare := mkSKU(t, e, ctx, "COLA-500", sku.ProductID, 500)
		none, err := e.svc.FindSKUByID(ctx, bare.ID)
		if err != nil || none.Overrides != (OverrideSummary{}) || len(none.PriceOverrides) != 0 || none.OverridesNext != "" {
			t.Fatalf("SKU without overrides: %+v, %v", none, err)
		}
	})
}
