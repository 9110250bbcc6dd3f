package identity

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ingestOne stores one event with identifiers (JSON object text) at touchpoint tp.
func ingestOne(t *testing.T, e *env, tenantID, tp, id, identifiers string) {
	t.Helper()
	r, err := e.svc.Ingest(integrator(tenantID), tp, raws(fmt.Sprintf(`{"id":%q,"type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":%s}`, id, identifiers)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) > 0 {
		t.Fatalf("rejected: %+v", r.Rejected)
	}
}

func lookup(t *testing.T, e *env, tenantID, identifier string) Customer {
	t.Helper()
	c, err := e.svc.FindCustomerByIdentifier(admin(tenantID), identifier)
	if err != nil {
		t.Fatalf("lookup %s: %v", identifier, err)
	}
	return c
}

func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func liveCustomers(t *testing.T, d *db.DB, tenantID string) int {
	return countRows(t, d, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, tenantID)
}

func TestResolution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps func(t *testing.T, e *env)
	}{
		{"same phone at POS and mini program is one customer", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
			ingestOne(t, e, tenantA, "MINI", "e2", `{"phone":"+86 138 0013 8000","wechat_openid":"o1"}`)
			c := lookup(t, e, tenantA, "phone:138-0013-8000")
			if c.EventCount != 2 || len(c.Identifiers) != 2 || liveCustomers(t, e.db, tenantA) != 1 {
				t.Fatalf("customer = %+v", c)
			}
		}},
		{"unionid and openid link to the phone customer", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
			ingestOne(t, e, tenantA, "MINI", "e2", `{"phone":"13800138000","wechat_unionid":"u1","wechat_openid":"o1"}`)
			ingestOne(t, e, tenantA, "MINI", "e3", `{"wechat_unionid":"u1","wechat_openid":"o2"}`)
			c := lookup(t, e, tenantA, "wechat_openid:o2")
			if c.ID != lookup(t, e, tenantA, "phone:13800138000").ID || c.EventCount != 3 || liveCustomers(t, e.db, tenantA) != 1 {
				t.Fatalf("customer = %+v", c)
			}
		}},
		{"a shared device does not merge two phone customers", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000","device_id":"d1"}`)
			ingestOne(t, e, tenantA, "POS", "e2", `{"phone":"13900139000","device_id":"d1"}`)
			ingestOne(t, e, tenantA, "POS", "e3", `{"device_id":"d1"}`)
			a, b := lookup(t, e, tenantA, "phone:13800138000"), lookup(t, e, tenantA, "phone:13900139000")
			if a.ID == b.ID || liveCustomers(t, e.db, tenantA) != 2 {
				t.Fatalf("a = %+v, b = %+v", a, b)
			}
		}},
		{"two different phones never merge", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000","member_card":"K1"}`)
			ingestOne(t, e, tenantA, "POS", "e2", `{"phone":"13900139000","member_card":"K1"}`)
			ingestOne(t, e, tenantA, "POS", "e3", `{"phone":"13700137000"}`)
			ingestOne(t, e, tenantA, "POS", "e4", `{"phone":"13700137000","member_card":"K1"}`)
			if n := liveCustomers(t, e.db, tenantA); n != 2 {
				t.Fatalf("live customers = %d, want 2", n)
			}
			// e2 stays on the card's customer without its phone; e4 goes to the customer
			// of its first strongest identifier (phone before member card) for review.
			c := lookup(t, e, tenantA, "member_card:K1")
			if c.EventCount != 2 || len(c.Identifiers) != 2 {
				t.Fatalf("card customer = %+v", c)
			}
			if c := lookup(t, e, tenantA, "phone:13700137000"); c.EventCount != 2 || len(c.Identifiers) != 1 {
				t.Fatalf("third phone customer = %+v", c)
			}
			_, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:13900139000")
			if !errs.Is(err, errs.NotFound) {
				t.Fatalf("second phone: err = %v, want not found", err)
			}
			if n := countRows(t, e.db, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1`, tenantA); n != 2 {
				t.Fatalf("reviews = %d, want 2", n)
			}
		}},
		{"a shared member card merges into the oldest customer", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
			ingestOne(t, e, tenantA, "MINI", "e2", `{"wechat_unionid":"u1"}`)
			old := lookup(t, e, tenantA, "wechat_unionid:u1")
			ingestOne(t, e, tenantA, "POS", "e3", `{"phone":"13800138000","member_card":"K1"}`)
			ingestOne(t, e, tenantA, "MINI", "e4", `{"wechat_unionid":"u1","member_card":"K1"}`)
			s := lookup(t, e, tenantA, "phone:13800138000")
			if s.ID == old.ID || s.EventCount != 4 || len(s.Identifiers) != 3 || liveCustomers(t, e.db, tenantA) != 1 {
				t.Fatalf("survivor = %+v", s)
			}
			if n := countRows(t, e.db, `SELECT COUNT(*) FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventCustomerMerged); n != 1 {
				t.Fatalf("merge events = %d, want 1", n)
			}
			got, err := e.svc.FindCustomerByID(admin(tenantA), old.ID)
			if err != nil || got.ID != s.ID || got.MergedFrom != old.ID {
				t.Fatalf("old id: %+v, %v", got, err)
			}
			page, err := e.svc.FindCustomerEvents(admin(tenantA), old.ID, CustomerEventFilter{Limit: 3})
			if err != nil || len(page.Items) != 3 || page.NextCursor == "" || page.Items[0].ID != "e4" {
				t.Fatalf("events page 1: %+v, %v", page, err)
			}
			page, err = e.svc.FindCustomerEvents(admin(tenantA), s.ID, CustomerEventFilter{Limit: 3, Cursor: page.NextCursor})
			if err != nil || len(page.Items) != 1 || page.Items[0].ID != "e1" || page.NextCursor != "" {
				t.Fatalf("events page 2: %+v, %v", page, err)
			}
		}},
		{"replayed events do not change counts", func(t *testing.T, e *env) {
			for range 3 {
				ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
			}
			if c := lookup(t, e, tenantA, "phone:13800138000"); c.EventCount != 1 {
				t.Fatalf("customer = %+v", c)
			}
		}},
		{"concurrent requests with one new phone make one customer", func(t *testing.T, e *env) {
			var wg sync.WaitGroup
			errc := make(chan error, 20)
			for i := range 20 {
				wg.Go(func() {
					_, err := e.svc.Ingest(integrator(tenantA), "POS", raws(fmt.Sprintf(
						`{"id":"c%d","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13800138000","device_id":"dev%d"}}`, i, i)))
					errc <- err
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := countRows(t, e.db, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1`, tenantA); n != 1 {
				t.Fatalf("customers = %d, want 1", n)
			}
			// Every event is attached; the per-customer limit of 8 devices holds under
			// concurrency (the others are queued for review).
			if c := lookup(t, e, tenantA, "phone:13800138000"); c.EventCount != 20 || len(c.Identifiers) != 9 {
				t.Fatalf("customer = %+v", c)
			}
			if n := countRows(t, e.db, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1`, tenantA); n != 12 {
				t.Fatalf("reviews = %d, want 12", n)
			}
		}},
		{"other tenants and bad input", func(t *testing.T, e *env) {
			ingestOne(t, e, tenantA, "POS", "e1", `{"phone":"13800138000"}`)
			c := lookup(t, e, tenantA, "phone:13800138000")
			if _, err := e.svc.FindCustomerByIdentifier(admin(tenantB), "phone:13800138000"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("lookup in B: %v", err)
			}
			if _, err := e.svc.FindCustomerByID(admin(tenantB), c.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("get in B: %v", err)
			}
			if _, err := e.svc.FindCustomerEvents(admin(tenantB), c.ID, CustomerEventFilter{}); !errs.Is(err, errs.NotFound) {
				t.Fatalf("events in B: %v", err)
			}
			for _, bad := range []string{"", "phone", "shoe:42", "phone:12"} {
				_, err := e.svc.FindCustomerByIdentifier(admin(tenantA), bad)
				wantCode(t, err, errs.Invalid, "query.identifier")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := setup(t, d)
				mkTouchpoint(t, e, admin(tenantA), "POS")
				mkTouchpoint(t, e, admin(tenantA), "MINI")
				tc.steps(t, e)
			})
		})
	}
}
