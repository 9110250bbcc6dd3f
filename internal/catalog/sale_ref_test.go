package catalog

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCategoryIDsByRef: a category is found by id or by code in any case, only in
// the caller's tenant; unknown refs are missing. SKUIDsByCode finds SKUs by code and
// barcode the same way.
func TestCategoryIDsByRef(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		a, b := admin(tenantA), admin(tenantB)
		dairy := mkCategory(t, e, a, "DAIRY", "")
		other := mkCategory(t, e, b, "SNACKS", "")
		got, err := e.svc.CategoryIDsByRef(a, []string{"dairy", dairy.ID, "DAIRY", "SNACKS", other.ID, "nothing"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"dairy": dairy.ID, dairy.ID: dairy.ID, "DAIRY": dairy.ID}
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		p := mkProduct(t, e, a, "MILK", dairy.ID)
		sku := mkSKU(t, e, a, "MILK-1L", p.ID, 1000, "6901234567892")
		ids, err := e.svc.SKUIDsByCode(a, []string{"milk-1l", "6901234567892", "690"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids["milk-1l"] != sku.ID || ids["6901234567892"] != sku.ID {
			t.Errorf("SKUs by code %v", ids)
		}
	})
}
