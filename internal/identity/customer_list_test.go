package identity

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"pgregory.net/rapid"
)

// listNames returns the names (of se.ids) of the customers of a list, in order.
func listNames(t *testing.T, se *scopeEnv, l CustomerList) []string {
	t.Helper()
	var out []string
	for _, c := range l.Items {
		for name, id := range se.ids {
			if id == c.ID && name != "my" && name != "mw" {
				out = append(out, name)
			}
		}
	}
	return out
}

// TestFindCustomers_Filters: each filter keeps exactly the customers it names, on
// both engines; merged customers are left out unless asked for; the list pages
// newest first without repeats and counts on the first page.
func TestFindCustomers_Filters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		ctx := admin(tenantA)
		from := time.Date(2026, 3, 1, 6, 2, 0, 0, time.UTC)
		tests := []struct {
			name string
			f    CustomerFilter
			want []string // sorted names
		}{
			{"live by default", CustomerFilter{}, []string{"bj", "hz", "mx", "mz", "sh", "web"}},
			{"store visited (cluster member my visited Shanghai)", CustomerFilter{StoreID: storeSH}, []string{"mx", "mz", "sh"}},
			{"store Beijing", CustomerFilter{StoreID: storeBJ}, []string{"bj", "mx"}},
			{"touchpoint channel", CustomerFilter{Channel: "wechat_mini_program"}, []string{"web"}},
			{"registration period", CustomerFilter{RegisteredFrom: &from}, []string{"hz", "mx", "mz", "web"}},
			{"identity count at least 2 (merged clusters)", CustomerFilter{MinIdentifiers: 2}, []string{"mx", "mz"}},
			{"identity count at most 1", CustomerFilter{MaxIdentifiers: 1}, []string{"bj", "hz", "sh", "web"}},
			{"unknown store", CustomerFilter{StoreID: "store-gone"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l, err := se.svc.FindCustomers(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := listNames(t, se, l)
				slices.Sort(got)
				if !slices.Equal(got, tt.want) || l.Total == nil || *l.Total != len(tt.want) || !l.TotalExact {
					t.Fatalf("got %v (total %v), want %v", got, l.Total, tt.want)
				}
			})
		}

		merged, err := se.svc.FindCustomers(ctx, CustomerFilter{Status: ListMerged})
		if err != nil || len(merged.Items) != 2 {
			t.Fatalf("merged = %+v, %v", merged, err)
		}
		for _, c := range merged.Items {
			if c.MergedFrom != se.ids["my"] && c.MergedFrom != se.ids["mw"] {
				t.Fatalf("merged item = %+v", c.Customer)
			}
		}

		// Pages of 2 walk all six customers newest first, then stop.
		var seen []string
		cursor := ""
		for range 10 {
			l, err := se.svc.FindCustomers(ctx, CustomerFilter{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if (cursor == "") != (l.Total != nil) {
				t.Fatalf("total on page %q = %v", cursor, l.Total)
			}
			for i, c := range l.Items {
				if slices.Contains(seen, c.ID) {
					t.Fatalf("repeated %s", c.ID)
				}
				if i > 0 && c.CreatedAt.After(l.Items[i-1].CreatedAt) {
					t.Fatal("not newest first")
				}
				seen = append(seen, c.ID)
			}
			if cursor = l.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 6 {
			t.Fatalf("paged %d customers, want 6", len(seen))
		}

		for _, bad := range []struct {
			f     CustomerFilter
			field string
		}{
			{CustomerFilter{Status: "gone"}, "query.status"},
			{CustomerFilter{MinIdentifiers: 3, MaxIdentifiers: 2}, "query.max_identifiers"},
			{CustomerFilter{RegisteredFrom: &from, RegisteredTo: &from}, "query.registered_to"},
			{CustomerFilter{Cursor: "bm9wZQ"}, "query.cursor"},
		} {
			_, err := se.svc.FindCustomers(ctx, bad.f)
			wantCode(t, err, errs.Invalid, bad.field)
		}
	})
}

// TestFindCustomers_MaskingAndScope: without customers:pii every listed value is
// masked exactly as the 360 masks it; a store manager lists only the customers of
// their store (a cluster counts when any member visited it) and the total counts
// only those; a role without customers:read is refused.
func TestFindCustomers_MaskingAndScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		for _, tt := range []struct {
			name   string
			ctx    context.Context
			want   []string
			masked bool
		}{
			{"hq_admin sees full values", admin(tenantA), []string{"bj", "hz", "mx", "mz", "sh", "web"}, false},
			{"store_manager Shanghai", scoped(auth.StoreManager, auth.StoreScope, storeSH), []string{"mx", "mz", "sh"}, true},
			{"associate Beijing", scoped(auth.Associate, auth.StoreScope, storeBJ), []string{"bj", "mx"}, true},
			{"marketer brand Y", scoped(auth.Marketer, auth.BrandScope, brandY), []string{"hz", "mz"}, true},
			{"unknown store", scoped(auth.StoreManager, auth.StoreScope, "store-gone"), nil, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				l, err := se.svc.FindCustomers(tt.ctx, CustomerFilter{})
				if err != nil {
					t.Fatal(err)
				}
				got := listNames(t, se, l)
				slices.Sort(got)
				if !slices.Equal(got, tt.want) || *l.Total != len(tt.want) {
					t.Fatalf("got %v (total %d), want %v", got, *l.Total, tt.want)
				}
				for _, c := range l.Items {
					want, err := se.svc.FindCustomer360(tt.ctx, c.ID)
					if err != nil {
						t.Fatal(err)
					}
					if c.Masked != tt.masked || c.Profile.Name != want.Profile.Name || !slices.Equal(c.Identifiers, want.Identifiers) {
						t.Fatalf("listed %+v, 360 %+v", c.Customer, want.Customer)
					}
					for _, id := range c.Identifiers {
						if tt.masked && id.Type == "phone" && !strings.Contains(id.Value, "*") {
							t.Fatalf("unmasked phone %s", id.Value)
						}
					}
				}
			})
		}
		_, err := se.svc.FindCustomers(as(tenantA, auth.Integrator), CustomerFilter{})
		wantCode(t, err, errs.Forbidden, "")
		// Every customer shown is in the access log: 6 + 3 + 2 + 2 rows.
		var logged int
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM customer_access_log WHERE tenant_id = $1 AND action = 'list' AND matched = 'list'`,
			tenantA).Scan(&logged); err != nil || logged != 13 {
			t.Fatalf("list rows in the access log = %d, %v", logged, err)
		}
	})
}

// TestFindCustomers_Indexed: the list's page query on a large tenant walks an
// index in order rather than reading and sorting the customers table.
func TestFindCustomers_Indexed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		args := []any{tenantA}
		where := customerListWhere(&args, CustomerFilter{Status: ListLive}, customerScope{all: true})
		args = append(args, 21)
		dbtest.RequireIndexed(t, d, `SELECT c.id, c.created_at FROM customers c
			LEFT JOIN customer_profiles pr ON pr.tenant_id = c.tenant_id AND pr.customer_id = c.id
			WHERE `+where+` ORDER BY c.created_at DESC, c.id DESC LIMIT $2`, args...)
	})
}

// TestFindCustomers_PagesProperty: for any filter, reading the list in pages of any
// size gives the one-page list, in order and without repeats; the first page's total
// is its length; every item meets the filter's identifier and registration bounds;
// and a filtered list is part of the unfiltered one.
func TestFindCustomers_PagesProperty(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		ctx := admin(tenantA)
		ids := func(l []Customer360) []string {
			out := make([]string, len(l))
			for i, c := range l {
				out[i] = c.ID + "|" + c.MergedFrom
			}
			return out
		}
		all, err := se.svc.FindCustomers(ctx, CustomerFilter{Status: ListAll, Limit: maxListLimit})
		if err != nil {
			t.Fatal(err)
		}
		rapid.Check(t, func(rt *rapid.T) {
			f := CustomerFilter{
				StoreID:        rapid.SampledFrom([]string{"", storeSH, storeBJ, storeHZ}).Draw(rt, "store"),
				Channel:        rapid.SampledFrom([]string{"", "pos", "wechat_mini_program", "tmall"}).Draw(rt, "channel"),
				MinIdentifiers: rapid.IntRange(0, 3).Draw(rt, "min"),
				Status:         rapid.SampledFrom([]string{"", ListAll, ListMerged}).Draw(rt, "status"),
			}
			if max := rapid.IntRange(0, 3).Draw(rt, "max"); max >= f.MinIdentifiers {
				f.MaxIdentifiers = max
			}
			if rapid.Bool().Draw(rt, "from") {
				at := time.Date(2026, 3, 1, 6, rapid.IntRange(0, 8).Draw(rt, "minute"), 0, 0, time.UTC)
				f.RegisteredFrom = &at
			}
			one := f
			one.Limit = maxListLimit
			whole, err := se.svc.FindCustomers(ctx, one)
			if err != nil {
				rt.Fatal(err)
			}
			if whole.Total == nil || *whole.Total != len(whole.Items) || whole.NextCursor != "" {
				rt.Fatalf("total %v for %d items", whole.Total, len(whole.Items))
			}
			var paged []Customer360
			f.Limit = rapid.IntRange(1, 4).Draw(rt, "limit")
			for range 20 {
				p, err := se.svc.FindCustomers(ctx, f)
				if err != nil {
					rt.Fatal(err)
				}
				paged = append(paged, p.Items...)
				if f.Cursor = p.NextCursor; f.Cursor == "" {
					break
				}
			}
			if !slices.Equal(ids(paged), ids(whole.Items)) {
				rt.Fatalf("paged %v, whole %v", ids(paged), ids(whole.Items))
			}
			for _, c := range whole.Items {
				n := len(c.Identifiers)
				if n < f.MinIdentifiers || (f.MaxIdentifiers > 0 && n > f.MaxIdentifiers) {
					rt.Fatalf("%s holds %d identifiers, filter [%d, %d]", c.ID, n, f.MinIdentifiers, f.MaxIdentifiers)
				}
				reg := c.CreatedAt
				if c.Profile.RegisteredAt != nil {
					reg = *c.Profile.RegisteredAt
				}
				if f.RegisteredFrom != nil && c.MergedFrom == "" && reg.Before(*f.RegisteredFrom) {
					rt.Fatalf("%s registered %s, before %s", c.ID, reg, f.RegisteredFrom)
				}
				if f.Status != ListMerged && !slices.Contains(ids(all.Items), c.ID+"|") {
					rt.Fatalf("%s is not in the unfiltered list", c.ID)
				}
			}
		})
	})
}
