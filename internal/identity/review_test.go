package identity

import (
	"context"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestReviewResolveFlows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{"POS1", "r1", "visit", "2026-03-01T06:00:00Z", `{"phone":"13800138000","member_card":"K1"}`, ``},
			ev{"POS1", "r2", "visit", "2026-03-01T06:10:00Z", `{"phone":"13900139000","member_card":"K1"}`, ``},
			ev{"POS1", "r3", "visit", "2026-03-01T06:20:00Z", `{"phone":"13700137000"}`, ``},
			ev{"POS1", "r4", "visit", "2026-03-01T06:30:00Z", `{"phone":"13700137000","member_card":"K1"}`, ``},
		)
		open, err := e.svc.FindReviews(ctx, ReviewFilter{Status: "open"})
		if err != nil || len(open.Items) != 2 {
			t.Fatalf("open reviews = %+v, %v", open, err)
		}
		single, double := open.Items[0], open.Items[1]
		if single.EventID != "r2" || len(single.Candidates) != 1 || single.Score != nil || double.EventID != "r4" || len(double.Candidates) != 2 {
			t.Fatalf("reviews = %+v", open.Items)
		}

		// Merging what the rules forbid is refused with the rule; the review stays open.
		_, err = e.svc.ResolveReview(ctx, double.ID, ReviewMerge, "")
		wantCode(t, err, errs.Conflict, "body.action")
		if !strings.Contains(err.Error(), "phone identifiers") {
			t.Fatalf("err = %v", err)
		}
		_, err = e.svc.ResolveReview(ctx, single.ID, ReviewMerge, "")
		wantCode(t, err, errs.Conflict, "")
		r, err := e.svc.ResolveReview(as(tenantA, auth.Marketer), double.ID, ReviewSeparate, "two people")
		if err != nil || r.Status != "resolved" || r.Resolution != ReviewSeparate || r.ResolvedAt == nil || r.Note != "two people" {
			t.Fatalf("separate = %+v, %v", r, err)
		}
		_, err = e.svc.ResolveReview(ctx, double.ID, ReviewSeparate, "")
		wantCode(t, err, errs.Conflict, "")
		_, err = e.svc.ResolveReview(ctx, single.ID, "maybe", "")
		wantCode(t, err, errs.Invalid, "body.action")
		_, err = e.svc.ResolveReview(as(tenantA, auth.Analyst), single.ID, ReviewSeparate, "")
		wantCode(t, err, errs.Forbidden, "")
		_, err = e.svc.ResolveReview(ctx, "nope", ReviewSeparate, "")
		wantCode(t, err, errs.NotFound, "")

		// A review whose candidates may be joined (as fuzzy matching will queue them):
		// merge joins them into the oldest, recorded as a manual merge.
		send(t, e,
			ev{"POS1", "f1", "visit", "2026-03-01T06:40:00Z", `{"phone":"13600136000"}`, ``},
			ev{"MINI", "f2", "visit", "2026-03-01T06:50:00Z", `{"wechat_unionid":"u9"}`, ``},
		)
		a, b := idOf(t, e, "phone:13600136000"), idOf(t, e, "wechat_unionid:u9")
		if _, err := d.Writer().ExecContext(context.Background(), `INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, status, created_at, score)
			VALUES ($1, 'zz-fuzzy', 'f2', $2, $3, 'similar name', 'open', 0, 0.9)`, tenantA, b, `["`+a+`","`+b+`"]`); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.ResolveReview(ctx, "zz-fuzzy", ReviewMerge, "same person")
		if err != nil || r.Resolution != ReviewMerge || r.Score == nil || *r.Score != 0.9 {
			t.Fatalf("merge = %+v, %v", r, err)
		}
		if got := lookup(t, e, tenantA, "wechat_unionid:u9"); got.ID != a || got.EventCount != 2 {
			t.Fatalf("after review merge = %+v", got)
		}
		ms, err := e.svc.FindMerges(ctx, a)
		if err != nil || len(ms) != 1 || ms[0].Kind != MergeManual || ms[0].Reason != "review zz-fuzzy: same person" {
			t.Fatalf("merges = %+v, %v", ms, err)
		}
		resolved, err := e.svc.FindReviews(ctx, ReviewFilter{Status: "resolved", Limit: 1})
		if err != nil || len(resolved.Items) != 1 || resolved.NextCursor == "" {
			t.Fatalf("resolved = %+v, %v", resolved, err)
		}
		_, err = e.svc.FindReviews(ctx, ReviewFilter{Status: "closed"})
		wantCode(t, err, errs.Invalid, "query.status")
	})
}
