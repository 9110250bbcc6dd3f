package identity

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
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
	})
}
