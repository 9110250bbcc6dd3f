package promotion

import (
	"context"
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// fakeCatalog knows SKU sku-milk (code MILK-1L, barcode 6901234567892, category
// cat-dairy, brand 光明) and sku-bread (code BREAD, category cat-bakery), and the
// categories cat-dairy (code DAIRY) and cat-bakery (code BAKERY).
type fakeCatalog struct{}

var fakeItems = map[string]catalog.SaleItem{
	"sku-milk":  {SKUID: "sku-milk", Code: "MILK-1L", Name: "光明鲜牛奶 1L", CategoryID: "cat-dairy", Brand: "光明"},
	"sku-bread": {SKUID: "sku-bread", Code: "BREAD", Name: "全麦面包", CategoryID: "cat-bakery"},
}

func (fakeCatalog) SaleItems(_ context.Context, _ string, ids []string) (map[string]catalog.SaleItem, error) {
	out := map[string]catalog.SaleItem{}
	for _, id := range ids {
		if it, ok := fakeItems[id]; ok {
			out[id] = it
		}
	}
	return out, nil
}

func (fakeCatalog) SKUIDsByCode(_ context.Context, codes []string) (map[string]string, error) {
	known := map[string]string{"milk-1l": "sku-milk", "bread": "sku-bread", "6901234567892": "sku-milk"}
	out := map[string]string{}
	for _, c := range codes {
		if id, ok := known[lower(c)]; ok {
			out[c] = id
		}
	}
	return out, nil
}

func (fakeCatalog) CategoryIDsByRef(_ context.Context, refs []string) (map[string]string, error) {
	known := map[string]string{"cat-dairy": "cat-dairy", "cat-bakery": "cat-bakery", "dairy": "cat-dairy", "bakery": "cat-bakery"}
	out := map[string]string{}
	for _, r := range refs {
		if id, ok := known[lower(r)]; ok {
			out[r] = id
		}
	}
	return out, nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestBasketMatching: a POS export naming SKUs by code or barcode and categories by
// code is read as catalogue ids (so category-scoped promotions apply), rows that match
// nothing are counted and named, and top SKUs carry their names.
func TestBasketMatching(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(testNow)
		s := NewService(d, events.NewOutbox(c), audit.New(d, c), c, Config{Customers: newFakeCustomers(), Stores: fakeStores{},
			Catalog: fakeCatalog{}, TokenKey: testTokenKey})
		merch := as(tenantA, auth.Merchandiser)
		file := "order_id,ordered_at,barcode,category_code,quantity,unit_price_fen\n" +
			"o1,2026-03-02 10:00:00,6901234567892,,2,1000\n" + // barcode; category from the SKU
			"o1,2026-03-02 10:00:00,bread,BAKERY,1,800\n" + // code in another case, category code
			"o2,2026-03-02 11:00:00,sku-milk,dairy,1,1000\n" + // an id still works
			"o2,2026-03-02 11:00:00,UNKNOWN-9,SNACKS,1,500\n" + // neither known
			"o3,2026-03-02 12:00:00,UNKNOWN-9,,3,500\n"
		imp, err := s.CreateBasketSet(merch, "pos export", []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		m := imp.Match
		if !m.Checked || m.UnmatchedSKURows != 2 || m.UnmatchedCategoryRows != 1 ||
			!slices.Equal(m.UnmatchedSKUs, []string{"UNKNOWN-9"}) || !slices.Equal(m.UnmatchedCategories, []string{"SNACKS"}) {
			t.Fatalf("match %+v", m)
		}
		if imp.Set.Lines != 5 || imp.Set.Orders != 3 || imp.Rejected != 0 {
			t.Fatalf("import %+v", imp)
		}
		// 10% off dairy: the milk of o1 (¥20, by barcode, category from the SKU) and o2 (¥10,
		// by id, category by code in another case); nothing else.
		rep, err := s.Simulate(merch, SimulationRequest{BasketSetID: imp.Set.ID, Definition: &engine.Promotion{
			Kind: engine.KindPercentOff, Scope: engine.Scope{Categories: []string{"cat-dairy"}}, PercentOff: &engine.PercentOff{OffBP: 1000}}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.DiscountFen != 300 || rep.AffectedOrders != 2 {
			t.Errorf("discount %d over %d orders, want 300 over 2", rep.DiscountFen, rep.AffectedOrders)
		}
		if len(rep.TopSKUs) != 1 || rep.TopSKUs[0].SKUID != "sku-milk" || rep.TopSKUs[0].Name != "光明鲜牛奶 1L" || rep.TopSKUs[0].Code != "MILK-1L" {
			t.Errorf("top SKUs %+v", rep.TopSKUs)
		}
	})
}
