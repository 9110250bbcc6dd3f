package org

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestDeleteRegion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		scoped := f.region(t, f.ctx, "R3")
		empty := f.region(t, f.ctx, "R4")
		f.user(t, f.ctx, "ana-r3", auth.Analyst, auth.RegionScope, scoped.ID)
		regional := as(f.user(t, f.ctx, "adm-r3", auth.HQAdmin, auth.RegionScope, scoped.ID))
		_, other := f.bootstrap(t, "other")

		tests := []struct {
			name string
			del  func() error
			code errs.Code
		}{
			{name: "with stores", del: func() error { return f.svc.DeleteRegion(f.ctx, w.r1.ID) }, code: errs.Conflict},
			{name: "a user's data scope", del: func() error { return f.svc.DeleteRegion(f.ctx, scoped.ID) }, code: errs.Conflict},
			{name: "unknown", del: func() error { return f.svc.DeleteRegion(f.ctx, "nope") }, code: errs.NotFound},
			{name: "another tenant's", del: func() error { return f.svc.DeleteRegion(as(other), empty.ID) }, code: errs.NotFound},
			{name: "a regional admin", del: func() error { return f.svc.DeleteRegion(regional, scoped.ID) }, code: errs.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, tt.del(), tt.code)
			})
		}
		page, err := f.svc.FindRegions(f.ctx, RegionFilter{})
		if err != nil || len(page.Items) != 4 {
			t.Fatalf("regions after refused deletes = %d, %v; want 4", len(page.Items), err)
		}

		if err := f.svc.DeleteRegion(f.ctx, empty.ID); err != nil {
			t.Fatalf("delete empty region: %v", err)
		}
		wantCode(t, second(f.svc.FindRegionByID(f.ctx, empty.ID)), errs.NotFound)
		var events int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND aggregate_id = $2`, EventRegionDeleted, empty.ID).Scan(&events); err != nil || events != 1 {
			t.Fatalf("%d %s events, %v; want 1", events, EventRegionDeleted, err)
		}
		// The code is free again.
		f.region(t, f.ctx, "R4")
	})
}
