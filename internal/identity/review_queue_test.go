package identity

import (
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestReviewReasons: every reason text the resolver and fuzzy matching write reads
// as its stable code with its parameters.
func TestReviewReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, reason string
		want         []ReviewReason
	}{
		{"fuzzy", "fuzzy score 0.97: name fold +9.1, city equal +3.2", []ReviewReason{{Code: ReasonFuzzyMatch, Score: 0.97}}},
		{"type limit and dropped", "would hold 2 phone identifiers (at most 1 allowed); a phone identifier not added: at most 1 phone identifiers per customer",
			[]ReviewReason{{Code: ReasonTypeLimit, Type: "phone", Count: 2, Limit: 1}, {Code: ReasonNotAddedType, Type: "phone", Limit: 1}}},
		{"cluster", "would hold 51 identifiers (cluster size limit 50)", []ReviewReason{{Code: ReasonClusterSize, Count: 51, Limit: 50}}},
		{"dropped cluster", "a email identifier not added: cluster size limit 50", []ReviewReason{{Code: ReasonNotAddedCluster, Type: "email", Limit: 50}}},
		{"weak", "weak identifier shared with customer 3, which has stronger keys: not linked", []ReviewReason{{Code: ReasonWeakShared}}},
		{"conflict", "would join customers with different identifiers of a one-per-customer type", []ReviewReason{{Code: ReasonConflictingTypes}}},
		{"none", "no valid identifier", []ReviewReason{{Code: ReasonNoIdentifier}}},
		{"unknown", "similar name", []ReviewReason{{Code: ReasonOther}}},
		{"empty", "", []ReviewReason{{Code: ReasonOther}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ReviewReasons(tt.reason)
			for i := range got {
				got[i].Text = ""
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ReviewReasons(%q) = %+v, want %+v", tt.reason, got, tt.want)
			}
		})
	}
}

// FuzzReviewReasons: any text reads as at least one reason with a known code.
func FuzzReviewReasons(f *testing.F) {
	f.Add("would hold 2 phone identifiers (at most 1 allowed); fuzzy score 0.9: x")
	f.Add("would hold 99999999999999999999 identifiers (cluster size limit 1)")
	known := []string{ReasonFuzzyMatch, ReasonConflictingTypes, ReasonTypeLimit, ReasonClusterSize, ReasonNotAddedType, ReasonNotAddedCluster, ReasonWeakShared, ReasonNoIdentifier, ReasonOther}
	f.Fuzz(func(t *testing.T, s string) {
		rs := ReviewReasons(s)
		if len(rs) == 0 {
			t.Fatal("no reason")
		}
		for _, r := range rs {
			if !slices.Contains(known, r.Code) {
				t.Fatalf("code %q", r.Code)
			}
		}
	})
}

// TestReviewQueue_SidesBulkAndMoot: a review never shows the same customer on both
// sides (the resolver lists the event's customer among the candidates; merges since
// may join both sides, and such reviews close themselves); bulk resolution reports
// each review's outcome and is idempotent; a store manager cannot resolve a review
// outside their store.
func TestReviewQueue_SidesBulkAndMoot(t *testing.T) {
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
			t.Fatalf("open = %+v, %v", open, err)
		}
		for _, r := range open.Items {
			if slices.Contains(r.Right, r.Left) {
				t.Fatalf("review %s: %s on both sides (%v)", r.ID, r.Left, r.Right)
			}
		}
		single, double := open.Items[0], open.Items[1]
		if len(single.Right) != 0 || len(double.Right) != 1 || !slices.Contains(double.Candidates, double.Left) {
			t.Fatalf("sides: single %v→%v, double %v→%v (candidates %v)", single.Left, single.Right, double.Left, double.Right, double.Candidates)
		}
		if rs := ReviewReasons(double.Reason); rs[0].Code != ReasonTypeLimit || rs[0].Type != "phone" {
			t.Fatalf("reasons = %+v", rs)
		}

		// Bulk: separate both, then again — the second request changes nothing.
		ids := []string{single.ID, double.ID, "nope"}
		out, err := e.svc.ResolveReviews(ctx, ids, ReviewSeparate, "")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{BulkResolved, BulkResolved, BulkNotFound}
		for i, o := range out {
			if o.ReviewID != ids[i] || o.Outcome != want[i] {
				t.Fatalf("first = %+v", out)
			}
		}
		out, err = e.svc.ResolveReviews(ctx, ids, ReviewSeparate, "")
		if err != nil || out[0].Outcome != BulkUnchanged || out[1].Outcome != BulkUnchanged || out[2].Outcome != BulkNotFound {
			t.Fatalf("repeat = %+v, %v", out, err)
		}
		out, err = e.svc.ResolveReviews(ctx, ids[:1], ReviewMerge, "")
		if err != nil || out[0].Outcome != BulkConflict {
			t.Fatalf("merge after separate = %+v, %v", out, err)
		}
		_, err = e.svc.ResolveReviews(ctx, nil, ReviewMerge, "")
		wantCode(t, err, errs.Invalid, "body.review_ids")
		_, err = e.svc.ResolveReviews(ctx, ids, "maybe", "")
		wantCode(t, err, errs.Invalid, "body.action")
		_, err = e.svc.ResolveReviews(as(tenantA, auth.Analyst), ids, ReviewMerge, "")
		wantCode(t, err, errs.Forbidden, "")

		// A fuzzy review of two customers that a manual merge joins since: it closes
		// itself and leaves the open queue.
		send(t, e,
			ev{"POS1", "f1", "visit", "2026-03-01T06:40:00Z", `{"phone":"13600136000"}`, ``},
			ev{"MINI", "f2", "visit", "2026-03-01T06:50:00Z", `{"wechat_unionid":"u9"}`, ``},
		)
		a, b := idOf(t, e, "phone:13600136000"), idOf(t, e, "wechat_unionid:u9")
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, status, created_at, score)
			VALUES ($1, 'zz-fuzzy', 'f2', $2, $3, 'fuzzy score 0.96: name fold +9.1', 'open', 0, 0.96)`, tenantA, b, `["`+a+`","`+b+`"]`); err != nil {
			t.Fatal(err)
		}
		hi, err := e.svc.FindReviews(ctx, ReviewFilter{Status: "open", MinScore: 0.95})
		if err != nil || len(hi.Items) != 1 || hi.Items[0].ID != "zz-fuzzy" || hi.Items[0].Left != b || !slices.Equal(hi.Items[0].Right, []string{a}) {
			t.Fatalf("min score = %+v, %v", hi.Items, err)
		}
		if _, err := e.svc.MergeCustomers(ctx, a, []string{b}, "same"); err != nil {
			t.Fatal(err)
		}
		open, err = e.svc.FindReviews(ctx, ReviewFilter{Status: "open"})
		if err != nil || len(open.Items) != 0 {
			t.Fatalf("open after merge = %+v, %v", open.Items, err)
		}
		r, err := getReview(ctx, d.Reader(), tenantA, "zz-fuzzy", "")
		if err != nil || r.Status != "resolved" || r.Resolution != ReviewMerge || r.Note != mootNote {
			t.Fatalf("moot review = %+v, %v", r, err)
		}
		out, err = e.svc.ResolveReviews(ctx, []string{"zz-fuzzy"}, ReviewMerge, "")
		if err != nil || out[0].Outcome != BulkUnchanged {
			t.Fatalf("bulk merge of a closed review = %+v, %v", out, err)
		}
	})
}
