package identity

import (
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
		if rep.Events != 6 || rep.Attached != 6 || rep.Previous != 4 || rep.Customers != 4 || rep.Refused["weak_link"] != 1 {
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
