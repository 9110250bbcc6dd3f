package catalog

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestDeleteCategory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		root := mkCategory(t, e, ctx, "FOOD", "")
		dairy := mkCategory(t, e, ctx, "DAIRY", root.ID)
		empty := mkCategory(t, e, ctx, "EMPTY", root.ID)
		mkProduct(t, e, ctx, "MILK", dairy.ID)

		cases := []struct {
			name string
			del  func() error
			code errs.Code
		}{
			{"with sub-categories", func() error { return e.svc.DeleteCategory(ctx, root.ID) }, errs.Conflict},
			{"with products", func() error { return e.svc.DeleteCategory(ctx, dairy.ID) }, errs.Conflict},
			{"unknown", func() error { return e.svc.DeleteCategory(ctx, "nope") }, errs.NotFound},
			{"another tenant's", func() error { return e.svc.DeleteCategory(admin(tenantB), empty.ID) }, errs.NotFound},
			{"a store manager", func() error { return e.svc.DeleteCategory(manager(tenantA, storeA1), empty.ID) }, errs.Forbidden},
			{"a marketer", func() error { return e.svc.DeleteCategory(marketer(tenantA), empty.ID) }, errs.Forbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.del(), tc.code, "")
			})
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM categories WHERE tenant_id = $1`, tenantA); n != 3 {
			t.Fatalf("refused deletes removed categories: %d left", n)
		}

		if err := e.svc.DeleteCategory(ctx, empty.ID); err != nil {
			t.Fatalf("delete empty category: %v", err)
		}
		if _, err := e.svc.FindCategoryByID(ctx, empty.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("find deleted category: %v", err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND aggregate_id = $2`, EventCategoryDeleted, empty.ID); n != 1 {
			t.Fatalf("%d %s events, want 1", n, EventCategoryDeleted)
		}
		// Its code is free again.
		mkCategory(t, e, ctx, "EMPTY", "")
	})
}

func TestDeletePriceZone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		sku := mkSKU(t, e, ctx, "MILK-1L", mkProduct(t, e, ctx, "MILK", mkCategory(t, e, ctx, "FOOD", "").ID).ID, 1290)
		zone, err := e.svc.CreatePriceZone(ctx, NewPriceZone{Code: "EAST", Name: "华东"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssignStores(ctx, zone.ID, []string{storeA1}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.DeletePriceZone(ctx, zone.ID), errs.Conflict, "")

		if _, err := e.svc.AssignStores(ctx, zone.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPrice(ctx, sku.ID, ScopePriceZone, zone.ID, 1190); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.DeletePriceZone(ctx, zone.ID), errs.Conflict, "")
		wantCode(t, e.svc.DeletePriceZone(manager(tenantA, storeA1), zone.ID), errs.Forbidden, "")
		wantCode(t, e.svc.DeletePriceZone(admin(tenantB), zone.ID), errs.NotFound, "")

		if err := e.svc.DeletePrice(ctx, sku.ID, ScopePriceZone, zone.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeletePriceZone(ctx, zone.ID); err != nil {
			t.Fatalf("delete empty zone: %v", err)
		}
		if _, err := e.svc.FindPriceZoneByID(ctx, zone.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("find deleted zone: %v", err)
		}
		wantCode(t, e.svc.DeletePriceZone(ctx, zone.ID), errs.NotFound, "")
	})
}
