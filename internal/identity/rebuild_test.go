package identity

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestRebuild(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
		ingestOne(t, e, tenantA, "POS", "e2", `{"wechat_unionid":"u1","wechat_openid":"o1"}`)
		ingestOne(t, e, tenantA, "POS", "e3", `{"wechat_unionid":"u1","phone":"13800138000"}`)
		ingestOne(t, e, tenantA, "POS", "e4", `{"phone":"13900139000","device_id":"tablet"}`)
		ingestOne(t, e, tenantA, "POS", "e5", `{"member_card":"C1","device_id":"tablet"}`)
		ingestOne(t, e, tenantA, "POS", "e6", `{"email":"x@example.com"}`) // no other link
		before := eventCustomer(t, d, "e1")
		rep, err := e.svc.Rebuild(admin(tenantA), RebuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Events != 6 || rep.Attached != 6 || rep.Previous != 4 || rep.Customers != 4 || rep.Refused["weak_link"] != 1 || rep.Reviews != 0 {
			t.Fatalf("report = %+v", rep)
		}
		after := eventCustomer(t, d, "e1")
		if after == before || eventCustomer(t, d, "e2") != after || eventCustomer(t, d, "e3") != after {
			t.Fatal("e1..e3 are not one new customer")
		}
		// A family tablet does not join a phone customer and a card customer.
		if eventCustomer(t, d, "e4") == eventCustomer(t, d, "e5") || eventCustomer(t, d, "e6") == after {
			t.Fatal("unexpected clustering of e4..e6")
		}
		c, err := e.svc.FindCustomerByID(admin(tenantA), before)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != after || c.MergedFrom != before || c.EventCount != 3 || len(c.Identifiers) != 3 {
			t.Fatalf("old id answers %+v", c)
		}
		if got := lookup(t, e, tenantA, "wechat_openid:o1"); got.ID != after {
			t.Fatalf("openid now on %s, want %s", got.ID, after)
		}
		if n := liveCustomers(t, d, tenantA); n != 4 {
			t.Fatalf("%d live customers", n)
		}
		// The rewritten identifiers are sealed and indexed as ingestion writes them.
		if hits := plainTextHits(t, d, []string{"13800138000", "13900139000", "x@example.com", "tablet"}); len(hits) > 0 {
			t.Fatalf("plain text after the rebuild:\n%s", strings.Join(hits, "\n"))
		}
	})
}

// TestRebuildKeepsErasure: an erased customer's events carry no identifiers; a
// rebuild leaves them, the customer's counts and its erased status alone, and the
// erased phone stays unknown.
func TestRebuildKeepsErasure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
		ingestOne(t, e, tenantA, "POS", "e2", `{"phone":"13800138000","member_card":"C1"}`)
		ingestOne(t, e, tenantA, "POS", "e3", `{"phone":"13900139000"}`)
		erased := eventCustomer(t, d, "e1")
		if _, err := e.svc.EraseCustomer(admin(tenantA), erased); err != nil {
			t.Fatal(err)
		}
		rep, err := e.svc.Rebuild(admin(tenantA), RebuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Events != 3 || rep.Attached != 1 || rep.Customers != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if eventCustomer(t, d, "e1") != erased || eventCustomer(t, d, "e2") != erased {
			t.Fatal("the erased customer's events moved")
		}
		c, err := e.svc.FindCustomerByID(admin(tenantA), erased)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != CustomerErased || c.EventCount != 2 || len(c.Identifiers) != 0 || c.MergedFrom != "" {
			t.Fatalf("erased customer after the rebuild: %+v", c)
		}
		if _, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:13800138000"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("erased phone look-up: err = %v, want not found", err)
		}
	})
}

// TestRebuildQueuesReviews: links refused for a per-customer limit or the cluster size
// are queued for review as inline resolution queues them, the reviews inline
// resolution left open are closed, a weak link queues nothing, a second rebuild leaves
// one open review per event, and the queued reviews resolve like any other.
func TestRebuildQueuesReviews(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		mkTouchpoint(t, e, ctx, "POS")
		if _, err := e.svc.UpdateIdentityRules(ctx, RulesUpdate{MaxClusterSize: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		// One card, two phones (at most 1 phone per customer).
		ingestOne(t, e, tenantA, "POS", "e1", `{"member_card":"C1","phone":"13800138001"}`)
		ingestOne(t, e, tenantA, "POS", "e2", `{"member_card":"C1","phone":"13800138002"}`)
		// A family tablet between a phone customer and a card customer.
		ingestOne(t, e, tenantA, "POS", "e3", `{"phone":"13800138003","device_id":"tablet"}`)
		ingestOne(t, e, tenantA, "POS", "e4", `{"member_card":"C4","device_id":"tablet"}`)
		// Two customers of two identifiers each, joined past the cluster size limit 3.
		ingestOne(t, e, tenantA, "POS", "e5", `{"phone":"13800138005","email":"five@example.com"}`)
		ingestOne(t, e, tenantA, "POS", "e6", `{"member_card":"C6","wechat_unionid":"u6"}`)
		ingestOne(t, e, tenantA, "POS", "e7", `{"phone":"13800138005","member_card":"C6"}`)
		inline := openReviews(t, e)
		if len(inline) != 2 {
			t.Fatalf("%d open reviews after ingestion, want 2 (e2, e7)", len(inline))
		}
		if inline[0].EventID != "e2" {
			inline[0], inline[1] = inline[1], inline[0]
		}

		for round := 1; round <= 2; round++ {
			rep, err := e.svc.Rebuild(ctx, RebuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Reviews != 2 || rep.Superseded != 2 || rep.Refused["uniqueness"] != 1 || rep.Refused["cluster_size"] != 1 || rep.Refused["weak_link"] != 1 {
				t.Fatalf("round %d: report = %+v", round, rep)
			}
			open := openReviews(t, e)
			if len(open) != 2 {
				t.Fatalf("round %d: open reviews = %+v", round, open)
			}
			unique, cluster := open[0], open[1]
			if unique.EventID != "e2" || cluster.EventID != "e7" {
				unique, cluster = cluster, unique
			}
			// As inline resolution did: e2 stays with the card's customer, its second phone
			// is dropped (no customer without events is made for it), and the review
			// names that customer alone with inline's reason.
			card := lookup(t, e, tenantA, "member_card:C1").ID
			if _, err := e.svc.FindCustomerByIdentifier(ctx, "phone:13800138002"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("round %d: the refused second phone is held by a customer (%v)", round, err)
			}
			if unique.EventID != "e2" || unique.CustomerID != eventCustomer(t, d, "e2") || unique.CustomerID != card ||
				!slices.Equal(unique.Candidates, []string{card}) || unique.Reason != inline[0].Reason || unique.Score != nil {
				t.Fatalf("round %d: uniqueness review = %+v (card customer %s; inline review %+v)", round, unique, card, inline[0])
			}
			if unique.Reason != "would hold 2 phone identifiers (at most 1 allowed); a phone identifier not added: at most 1 phone identifiers per customer" {
				t.Fatalf("round %d: uniqueness reason %q", round, unique.Reason)
			}
			phone5, card6 := lookup(t, e, tenantA, "phone:13800138005").ID, lookup(t, e, tenantA, "member_card:C6").ID
			if cluster.EventID != "e7" || cluster.CustomerID != eventCustomer(t, d, "e7") || cluster.CustomerID != phone5 ||
				!slices.Equal(cluster.Candidates, []string{phone5, card6}) || cluster.Reason != "would hold 4 identifiers (cluster size limit 3)" {
				t.Fatalf("round %d: cluster size review = %+v (phone customer %s, card customer %s)", round, cluster, phone5, card6)
			}
			// The tablet joined nobody and queued nothing.
			if eventCustomer(t, d, "e3") == eventCustomer(t, d, "e4") {
				t.Fatalf("round %d: the tablet joined e3 and e4", round)
			}
		}
		superseded := 0
		for _, r := range allReviews(t, e, "resolved") {
			if r.Note == rebuildNote && r.Resolution == "" && r.ResolvedAt != nil {
				superseded++
			}
		}
		if superseded != 4 {
			t.Fatalf("%d superseded reviews, want 4 (2 inline, 2 from the first rebuild)", superseded)
		}

		// Resolving: e2's review names one customer (its second phone was dropped), so
		// only separate applies, as for inline's review; with the cluster limit lifted,
		// e7's customers merge.
		open := openReviews(t, e)
		unique, cluster := open[0], open[1]
		if unique.EventID != "e2" {
			unique, cluster = cluster, unique
		}
		_, err := e.svc.ResolveReview(ctx, unique.ID, ReviewMerge, "")
		wantCode(t, err, errs.Conflict, "")
		if _, err := e.svc.ResolveReview(ctx, unique.ID, ReviewSeparate, "two people"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateIdentityRules(ctx, RulesUpdate{MaxClusterSize: ptr(0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResolveReview(ctx, cluster.ID, ReviewMerge, ""); err != nil {
			t.Fatal(err)
		}
		if a, b := lookup(t, e, tenantA, "phone:13800138005").ID, lookup(t, e, tenantA, "wechat_unionid:u6").ID; a != b {
			t.Fatalf("after the merge: phone on %s, unionid on %s", a, b)
		}

		// The next rebuild joins e7's customers itself and keeps e2 apart as decided,
		// without asking again.
		rep, err := e.svc.Rebuild(ctx, RebuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Refused["uniqueness"] != 1 || rep.Refused["cluster_size"] != 0 || rep.Reviews != 0 || rep.Superseded != 0 {
			t.Fatalf("report after resolving = %+v", rep)
		}
		if n := len(openReviews(t, e)); n != 0 {
			t.Fatalf("%d open reviews after resolving both", n)
		}
		if eventCustomer(t, d, "e5") != eventCustomer(t, d, "e6") {
			t.Fatal("e5 and e6 apart without a cluster size limit")
		}
	})
}

func openReviews(t *testing.T, e *env) []Review { return allReviews(t, e, "open") }

func allReviews(t *testing.T, e *env, status string) []Review {
	t.Helper()
	page, err := e.svc.FindReviews(admin(tenantA), ReviewFilter{Status: status, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// TestRebuildRecomputesProfiles: a rebuild that splits a customer (here because the
// tenant stopped linking app user ids) gives each new customer the profile, masked
// phone and store visits of its own events, not the old customer's.
func TestRebuildRecomputesProfiles(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		if _, err := e.svc.CreateTouchpoint(ctx, NewTouchpoint{Code: "POS", Name: "POS", Type: TypeOffline, Channel: "pos", StoreID: storeA1}); err != nil {
			t.Fatal(err)
		}
		send := func(id, idents, props string) {
			t.Helper()
			r, err := e.svc.Ingest(integrator(tenantA), "POS", raws(`{"id":"`+id+`","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":`+idents+`,"properties":`+props+`}`))
			if err != nil || len(r.Rejected) > 0 {
				t.Fatalf("ingest %s: %+v %v", id, r, err)
			}
		}
		send("e1", `{"app_user_id":"U1","phone":"13800138001"}`, `{"name":"王一","city":"北京"}`)
		send("e2", `{"app_user_id":"U1","email":"two@example.com","masked_phone":"139****0002"}`, `{"name":"李二","city":"上海"}`)
		if eventCustomer(t, d, "e1") != eventCustomer(t, d, "e2") {
			t.Fatal("e1 and e2 not one customer before the rule change")
		}
		if _, err := e.svc.UpdateIdentityRules(ctx, RulesUpdate{Types: []RuleChange{{Type: "app_user_id", Links: ptr(false)}}}); err != nil {
			t.Fatal(err)
		}
		last := map[string][2]int{} // stage → the last (done, total) reported
		if _, err := e.svc.Rebuild(ctx, RebuildOptions{Progress: func(stage string, done, total int) { last[stage] = [2]int{done, total} }}); err != nil {
			t.Fatal(err)
		}
		if last["profiles"] != [2]int{2, 2} || last["write"][0] != last["write"][1] {
			t.Errorf("progress reported %v, want write complete and profiles 2 of 2", last)
		}
		one, two := eventCustomer(t, d, "e1"), eventCustomer(t, d, "e2")
		if one == two {
			t.Fatal("the rebuild did not split e1 and e2")
		}
		for _, c := range []struct{ id, name, city string }{{one, "王一", "北京"}, {two, "李二", "上海"}} {
			c360, err := e.svc.FindCustomer360(ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if c360.Profile.Name != c.name || c360.Profile.City != c.city || c360.Profile.PreferredStoreID != storeA1 {
				t.Errorf("customer of %s: profile %+v", c.name, c360.Profile)
			}
		}
		rows, err := e.svc.profileRows(context.Background(), d.Reader(), tenantA, []string{two})
		if err != nil || rows[two].maskedPhone != "139****0002" {
			t.Errorf("masked phone of the split customer = %q (%v)", rows[two].maskedPhone, err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM customer_store_visits WHERE tenant_id = $1`, tenantA); n != 2 {
			t.Errorf("%d store visit rows, want one per new customer", n)
		}
	})
}
