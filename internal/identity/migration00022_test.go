package identity

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// TestMigration00022EventsPerTouchpoint writes events, a recorded auto merge and
// reviews in the shape before migration 00022 (event ids unique per tenant, merge
// items and reviews naming events by id alone), applies it, and checks that the data
// keeps working: the merge items and reviews now name their event's touchpoint, the
// merge can still be undone exactly, and another touchpoint can store an event with an
// id that was taken.
func TestMigration00022EventsPerTouchpoint(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d, err := db.Open(ctx, dbtest.DSN(t, dialect), db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if err := migrations.MigrateTo(ctx, d, 21); err != nil {
				t.Fatal(err)
			}
			e := setup(t, d)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.Writer().ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			tpA, tpB, x, y, merge := ids.New(), ids.New(), ids.New(), ids.New(), ids.New()
			for _, tp := range []string{tpA, tpB} {
				exec(`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at)
					VALUES ($1, $2, $3, 'tp', 'offline', 'pos', 'active', 1, 1)`, tp, tenantA, "TP-"+tp)
			}
			// y was merged into x by event e1 of touchpoint A; e2 of touchpoint B was x's own.
			exec(`INSERT INTO customers (tenant_id, id, merged_into, created_at, updated_at, first_seen_at, last_seen_at, event_count)
				VALUES ($1, $2, NULL, 1, 1, 1000, 2000, 2), ($1, $3, $2, 2, 2, 1000, 1000, 1)`, tenantA, x, y)
			idents, props := e.svc.pii.Seal("{}", eventIdentifiersContext), e.svc.pii.Seal("{}", eventPropertiesContext)
			exec(`INSERT INTO events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
				VALUES ($1, 'e1', $2, 'visit', 1000, 1000, $4, $5, $6), ($1, 'e2', $3, 'visit', 2000, 2000, $4, $5, $6)`, tenantA, tpA, tpB, idents, props, x)
			exec(`INSERT INTO customer_merges (tenant_id, id, survivor_id, absorbed_id, kind, reason, created_at) VALUES ($1, $2, $3, $4, 'auto', 'event e1', 3)`,
				tenantA, merge, x, y)
			exec(`INSERT INTO customer_merge_items (tenant_id, merge_id, kind, item) VALUES ($1, $2, 'event', 'e1'), ($1, $2, 'event', 'gone'),
				($1, $2, 'identifier', 'e2')`, tenantA, merge)
			exec(`INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, status, created_at)
				VALUES ($1, 'r1', 'e2', $2, $3, 'why', 'open', 4), ($1, 'r2', 'gone', $2, $3, 'why', 'open', 5)`, tenantA, x, `["`+x+`"]`)

			if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
				t.Fatal(err)
			}

			items, err := queryStrings(ctx, d.Reader(), `SELECT kind || ':' || item FROM customer_merge_items WHERE tenant_id = $1 AND merge_id = $2`, tenantA, merge)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(items)
			if want := []string{"event:" + tpA + "/e1", "event:gone", "identifier:e2"}; !slices.Equal(items, want) {
				t.Fatalf("merge items %v, want %v", items, want)
			}
			page, err := e.svc.FindReviews(admin(tenantA), ReviewFilter{Status: "open"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range page.Items {
				got[r.EventID] = r.EventTouchpointID
			}
			if len(got) != 2 || got["e2"] != tpB || got["gone"] != "" {
				t.Fatalf("reviews name events %v, want e2 at %s and an unknown event", got, tpB)
			}
			// Touchpoint B may now store an "e1" of its own, and the old merge still
			// moves back exactly the event it recorded.
			exec(`INSERT INTO events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
				VALUES ($1, 'e1', $2, 'visit', 3000, 3000, $3, $4, $5)`, tenantA, tpB, idents, props, x)
			var dup error
			_, dup = d.Writer().ExecContext(ctx, `INSERT INTO events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties)
				VALUES ($1, 'e1', $2, 'visit', 3000, 3000, '', '')`, tenantA, tpA)
			if !db.IsUniqueViolation(dup) {
				t.Fatalf("a second e1 of touchpoint A: err = %v, want a unique violation", dup)
			}
			if _, _, err := e.svc.UnmergeCustomer(admin(tenantA), x, y); err != nil {
				t.Fatal(err)
			}
			for customer, want := range map[string][]string{x: {tpB + "/e1", tpB + "/e2"}, y: {tpA + "/e1"}} {
				got, err := queryStrings(ctx, d.Reader(), `SELECT `+eventRefSQL+` FROM events WHERE tenant_id = $1 AND customer_id = $2 ORDER BY 1`, tenantA, customer)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("events of %s after unmerge: %v, want %v", customer, got, want)
				}
			}
			var count int64
			var merged sql.NullString
			if err := d.Reader().QueryRowContext(ctx, `SELECT event_count, merged_into FROM customers WHERE tenant_id = $1 AND id = $2`, tenantA, y).
				Scan(&count, &merged); err != nil || count != 1 || merged.Valid {
				t.Fatalf("restored customer: count %d, merged into %v, err %v", count, merged, err)
			}
		})
	}
}
