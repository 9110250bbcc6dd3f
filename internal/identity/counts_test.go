package identity

import (
	"context"
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestCountTouchpoints(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		for _, n := range []NewTouchpoint{
			{Code: "POS1", Name: "Till 1", Type: TypeOffline, Channel: "pos"},
			{Code: "POS2", Name: "Till 2", Type: TypeOffline, Channel: "pos"},
			{Code: "APP", Name: "App", Type: TypeOnline, Channel: "app"},
		} {
			if _, err := e.svc.CreateTouchpoint(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		mkTouchpoint(t, e, admin(tenantB), "OTHER")
		c, err := e.svc.CountTouchpoints(ctx, TouchpointFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []TouchpointGroup{{Key: "pos", Touchpoints: 2}, {Key: "app", Touchpoints: 1}}
		if c.Total != 3 || !slices.Equal(c.ByChannel, want) || len(c.ByType) != 2 || c.ByType[0].Key != string(TypeOffline) || c.ByType[0].Touchpoints != 2 {
			t.Fatalf("counts = %+v", c)
		}
		if c, err := e.svc.CountTouchpoints(ctx, TouchpointFilter{Channel: "app"}); err != nil || c.Total != 1 || len(c.ByChannel) != 1 {
			t.Fatalf("app counts = %+v, %v", c, err)
		}
		_, err = e.svc.CountTouchpoints(ctx, TouchpointFilter{Channel: "pigeon"})
		wantCode(t, err, errs.Invalid, "query.channel")
		_, err = e.svc.CountTouchpoints(scoped(auth.StoreManager, auth.StoreScope, storeA1), TouchpointFilter{})
		wantCode(t, err, errs.Forbidden, "")
	})
}

func TestCountReviews(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for _, r := range []struct {
			id, reason, status string
			score              any
		}{
			{"r1", "similar name", "open", 0.95},
			{"r2", "similar name", "open", 0.91},
			{"r3", "similar name", "open", 0.55},
			{"r4", "weak identifier", "open", nil},
			{"r5", "weak identifier", "resolved", nil},
			{"r6", "similar name", "open", 0.2},
		} {
			if _, err := d.Writer().ExecContext(context.Background(), `INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, score, status, created_at)
				VALUES ($1, $2, 'e', 'c', '["c2"]', $3, $4, $5, 0)`, tenantA, r.id, r.reason, r.score, r.status); err != nil {
				t.Fatal(err)
			}
		}
		c, err := e.svc.CountReviews(admin(tenantA), "open")
		if err != nil {
			t.Fatal(err)
		}
		wantReasons := []Count{{"similar name", 4}, {"weak identifier", 1}}
		wantBands := []Count{{"0.9", 2}, {"0.5", 1}, {"<0.5", 1}, {"none", 1}}
		if c.Total != 5 || !slices.Equal(c.ByReason, wantReasons) || !slices.Equal(c.ByScoreBand, wantBands) {
			t.Fatalf("counts = %+v", c)
		}
		if all, err := e.svc.CountReviews(admin(tenantA), ""); err != nil || all.Total != 6 {
			t.Fatalf("all = %+v, %v", all, err)
		}
		if other, err := e.svc.CountReviews(admin(tenantB), ""); err != nil || other.Total != 0 || len(other.ByReason) != 0 {
			t.Fatalf("tenant B = %+v, %v", other, err)
		}
		_, err = e.svc.CountReviews(admin(tenantA), "closed")
		wantCode(t, err, errs.Invalid, "query.status")
		_, err = e.svc.CountReviews(as(tenantA, auth.Merchandiser), "")
		wantCode(t, err, errs.Forbidden, "")
	})
}
