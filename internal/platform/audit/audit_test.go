package audit

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func record(t *testing.T, l *Log, actor string, entries ...Entry) {
	t.Helper()
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: actor, Name: actor, TenantID: "t1"})
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if err := l.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFindFilters checks every filter alone and together, newest first, across
// pages, and that each query is one range of an index (no table scan, no sort).
func TestFindFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := New(d, clock.NewFixed(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)))
		record(t, l, "alice",
			Entry{Action: "store.update", ResourceType: "store", ResourceID: "s1"},
			Entry{Action: "store.update", ResourceType: "store", ResourceID: "s2"},
			Entry{Action: "price.set", ResourceType: "sku", ResourceID: "k1"})
		record(t, l, "bob",
			Entry{Action: "store.update", ResourceType: "store", ResourceID: "s1"},
			Entry{Action: "price.set", ResourceType: "sku", ResourceID: "k1"})
		record(t, l, "carol", Entry{TenantID: "t2", Action: "store.update", ResourceType: "store", ResourceID: "s1"})
		tests := []struct {
			name string
			f    Filter
			want []string // actor/resource of each item, newest first
		}{
			{name: "none", want: []string{"bob/k1", "bob/s1", "alice/k1", "alice/s2", "alice/s1"}},
			{name: "action", f: Filter{Action: "store.update"}, want: []string{"bob/s1", "alice/s2", "alice/s1"}},
			{name: "actor", f: Filter{ActorID: "alice"}, want: []string{"alice/k1", "alice/s2", "alice/s1"}},
			{name: "resource type", f: Filter{ResourceType: "sku"}, want: []string{"bob/k1", "alice/k1"}},
			{name: "resource", f: Filter{ResourceType: "store", ResourceID: "s1"}, want: []string{"bob/s1", "alice/s1"}},
			{name: "all", f: Filter{ResourceType: "store", ResourceID: "s1", ActorID: "alice", Action: "store.update"}, want: []string{"alice/s1"}},
			{name: "no match", f: Filter{Action: "nothing"}},
		}
		for _, tc := range tests {
			var got []string
			cursor := ""
			for {
				page, err := l.Find(context.Background(), "t1", tc.f, httpapi.PageParams{Limit: 2, Cursor: cursor})
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				for _, e := range page.Items {
					got = append(got, e.ActorID+"/"+e.ResourceID)
				}
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
				}
			}
			query, args := findQuery("t1", tc.f, "", 50)
			dbtest.RequireIndexed(t, d, query, args...)
			query, args = findQuery("t1", tc.f, "zzz", 50)
			dbtest.RequireIndexed(t, d, query, args...)
		}
	})
}
