package identity

import (
	"math"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func ingestProfile(t *testing.T, e *env, id, identifiers, properties string) {
	t.Helper()
	r, err := e.svc.Ingest(integrator(tenantA), "POS", raws(`{"id":"`+id+`","type":"registration","occurred_at":"2026-03-01T07:00:00Z","identifiers":`+identifiers+`,"properties":`+properties+`}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) > 0 {
		t.Fatalf("rejected: %+v", r.Rejected)
	}
}

func eventCustomer(t *testing.T, d *db.DB, id string) string {
	t.Helper()
	var c string
	if err := d.Reader().QueryRowContext(t.Context(), `SELECT customer_id FROM events WHERE tenant_id = $1 AND id = $2`, tenantA, id).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMatchFuzzy(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		// A member registered at the till, and the same person on a paper form typed in
		// with a homophone surname and only the phone's last four digits.
		ingestProfile(t, e, "pos", `{"phone":"13812341234"}`, `{"name":"张伟","gender":"male","birthday":"1988-04-12","city":"上海","address":"上海市徐汇区漕溪北路88号"}`)
		ingestProfile(t, e, "desk", `{"pos_customer_ref":"SH001-C1","masked_phone":"*******1234"}`, `{"name":"章伟","birthday":"1988-04-12","city":"上海市","address":"徐汇区漕溪北路８８号"}`)
		// A namesake born the same day elsewhere: the middle band, for review.
		ingestProfile(t, e, "namesake", `{"pos_customer_ref":"BJ001-C9"}`, `{"name":"张伟","birthday":"1988-04-12","city":"上海","address":"浦东新区世纪大道100号"}`)
		// His wife at the same address: no match.
		ingestProfile(t, e, "wife", `{"pos_customer_ref":"SH001-C2","masked_phone":"*******5678"}`, `{"name":"李丽","gender":"female","birthday":"1990-02-03","city":"上海","address":"上海市徐汇区漕溪北路88号"}`)

		if _, err := e.svc.MatchFuzzy(integrator(tenantA), FuzzyOptions{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("integrator: err = %v, want forbidden", err)
		}
		dry, err := e.svc.MatchFuzzy(admin(tenantA), FuzzyOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if dry.Merged != 1 || dry.Reviews != 1 || liveCustomers(t, d, tenantA) != 4 {
			t.Fatalf("dry run = %+v, live %d", dry, liveCustomers(t, d, tenantA))
		}
		rep, err := e.svc.MatchFuzzy(admin(tenantA), FuzzyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Merged != 1 || rep.Reviews != 1 {
			t.Fatalf("report = %+v", rep)
		}
		pos := eventCustomer(t, d, "pos")
		if eventCustomer(t, d, "desk") != pos {
			t.Fatal("the desk record was not merged into the POS member")
		}
		if eventCustomer(t, d, "wife") == pos || eventCustomer(t, d, "namesake") == pos {
			t.Fatal("a different person was merged")
		}
		var reason string
		if err := d.Reader().QueryRowContext(t.Context(), `SELECT reason FROM identity_reviews WHERE tenant_id = $1 AND customer_id = $2`,
			tenantA, eventCustomer(t, d, "namesake")).Scan(&reason); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(reason, "fuzzy score 0.") || !strings.Contains(reason, "name exact +") {
			t.Fatalf("review reason %q", reason)
		}
		page, err := e.svc.FindReviews(admin(tenantA), ReviewFilter{Status: "open"})
		reviews := page.Items
		if err != nil || len(reviews) != 1 || reviews[0].Score == nil || len(reviews[0].Explanation) < 3 {
			t.Fatalf("reviews = %+v, %v", reviews, err)
		}
		bits := 0.0
		for _, term := range reviews[0].Explanation {
			bits += term.Weight
		}
		if p := 1 / (1 + math.Exp2(-bits)); math.Abs(p-*reviews[0].Score) > 1e-9 {
			t.Fatalf("explanation sums to %.3f bits (probability %v), score %v", bits, p, *reviews[0].Score)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'customer.merge' AND changes LIKE '%fuzzy score%'`, tenantA); n != 1 {
			t.Fatalf("%d audited fuzzy merges, want 1", n)
		}
		// The fuzzy merge is in the identity map's log: a consumer that read the map
		// before the pass follows it.
		if n := countRows(t, d, `SELECT COUNT(*) FROM identity_map_log WHERE tenant_id = $1 AND kind = 'merge'`, tenantA); n != 1 {
			t.Fatalf("%d merges in the identity map log, want 1", n)
		}
		again, err := e.svc.MatchFuzzy(admin(tenantA), FuzzyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Merged != 0 || again.Reviews != 0 {
			t.Fatalf("second pass = %+v", again)
		}
	})
}

func TestMatchFuzzyNeedsTenantWideWrite(t *testing.T) {
	t.Parallel()
	e := setup(t, dbtest.Open(t, db.SQLite))
	ctx := auth.WithPrincipal(t.Context(), &auth.Principal{Kind: auth.UserPrincipal, ID: "sm", TenantID: tenantA, Role: auth.StoreManager,
		Scopes: []auth.Scope{auth.CustomersWrite}, DataScope: auth.StoreScope})
	if _, err := e.svc.MatchFuzzy(ctx, FuzzyOptions{}); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("err = %v, want forbidden", err)
	}
	if _, err := e.svc.Rebuild(ctx, RebuildOptions{}); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("rebuild: err = %v, want forbidden", err)
	}
}
