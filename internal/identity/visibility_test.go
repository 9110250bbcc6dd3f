package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// The organisation of the data-scope tests: tenant A has brands X and Y and
// regions east and north; X runs a Shanghai (east) and a Beijing (north) store, Y a
// Hangzhou (east) store.
const (
	storeSH     = "store-sh"
	storeBJ     = "store-bj"
	storeHZ     = "store-hz"
	brandX      = "brand-x"
	brandY      = "brand-y"
	regionEast  = "region-east"
	regionNorth = "region-north"
)

type orgStore struct{ tenant, brand, region string }

// scopedOrg plays the org domain: it knows each store's brand and region.
type scopedOrg map[string]orgStore

func (o scopedOrg) StoreExists(ctx context.Context, id string) error {
	if p := auth.FromContext(ctx); p == nil || o[id].tenant != p.TenantID {
		return errs.E(errs.NotFound, "store not found")
	}
	return nil
}

func (o scopedOrg) StoreCount(ctx context.Context) (int, error) {
	ids, err := o.ScopeStoreIDs(ctx)
	return len(ids), err
}

func (o scopedOrg) ScopeStoreIDs(ctx context.Context) ([]string, error) {
	p := auth.FromContext(ctx)
	var out []string
	for id, st := range o {
		if st.tenant != p.TenantID {
			continue
		}
		switch {
		case p.DataScope == auth.TenantScope,
			p.DataScope == auth.BrandScope && st.brand == p.DataID,
			p.DataScope == auth.RegionScope && st.region == p.DataID,
			p.DataScope == auth.StoreScope && id == p.DataID:
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// scoped returns a principal of role limited to a data scope of tenant A.
func scoped(role auth.Role, scope auth.ScopeType, id string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: fmt.Sprintf("%s@%s", role, id), Name: string(role),
		TenantID: tenantA, Role: role, Scopes: auth.RoleScopes(role), DataScope: scope, DataID: id})
}

// scopeEnv holds the customers of the data-scope tests by name: sh, bj, hz (one
// store each), web (online only), the cluster mx (Beijing) ← my (Shanghai) and the
// cluster mz (Hangzhou) ← mw (Shanghai).
type scopeEnv struct {
	*env
	ids    map[string]string
	idents map[string]string // an identifier of each, TYPE:VALUE
}

func setupScopes(t *testing.T, d *db.DB) *scopeEnv {
	t.Helper()
	e := setup(t, d)
	org := scopedOrg{storeSH: {tenantA, brandX, regionEast}, storeBJ: {tenantA, brandX, regionNorth}, storeHZ: {tenantA, brandY, regionEast}}
	e.svc = NewService(d, events.NewOutbox(e.clock), audit.New(d, e.clock), e.clock, org, nil, mustKeys(t))
	for _, tp := range []NewTouchpoint{
		{Code: "POS-SH", Name: "上海", Type: TypeOffline, Channel: "pos", StoreID: storeSH},
		{Code: "POS-BJ", Name: "北京", Type: TypeOffline, Channel: "pos", StoreID: storeBJ},
		{Code: "POS-HZ", Name: "杭州", Type: TypeOffline, Channel: "pos", StoreID: storeHZ},
		{Code: "MINI", Name: "小程序", Type: TypeOnline, Channel: "wechat_mini_program"},
	} {
		if _, err := e.svc.CreateTouchpoint(admin(tenantA), tp); err != nil {
			t.Fatal(err)
		}
	}
	se := &scopeEnv{env: e, ids: map[string]string{}, idents: map[string]string{
		"sh": "phone:13811110001", "bj": "phone:13811110002", "hz": "phone:13811110003", "web": "phone:13811110004",
		"mx": "phone:13811110005", "my": "member_card:MY1", "mz": "email:mz@example.com", "mw": "member_card:MW1",
	}}
	send(t, e,
		ev{"POS-SH", "sh1", "visit", "2026-03-01T06:00:00Z", `{"phone":"13811110001"}`, `{"name":"张伟"}`},
		ev{"POS-BJ", "bj1", "visit", "2026-03-01T06:01:00Z", `{"phone":"13811110002"}`, ``},
		ev{"POS-HZ", "hz1", "visit", "2026-03-01T06:02:00Z", `{"phone":"13811110003"}`, `{"name":"张伟"}`},
		ev{"MINI", "web1", "visit", "2026-03-01T06:03:00Z", `{"phone":"13811110004"}`, ``},
		ev{"POS-BJ", "mx1", "visit", "2026-03-01T06:04:00Z", `{"phone":"13811110005"}`, ``},
		ev{"POS-SH", "my1", "visit", "2026-03-01T06:05:00Z", `{"member_card":"MY1"}`, ``},
		ev{"POS-HZ", "mz1", "visit", "2026-03-01T06:06:00Z", `{"email":"mz@example.com"}`, ``},
		ev{"POS-SH", "mw1", "visit", "2026-03-01T06:07:00Z", `{"member_card":"MW1"}`, ``},
	)
	for name, ident := range se.idents {
		se.ids[name] = idOf(t, e, ident)
	}
	for _, m := range [][2]string{{"mx", "my"}, {"mz", "mw"}} {
		if _, err := e.svc.MergeCustomers(admin(tenantA), se.ids[m[0]], []string{se.ids[m[1]]}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return se
}

// TestSecurity05_CustomerReadsFollowDataScopes: for every role × data scope ×
// customer read, a customer whose cluster has no event at a store of the scope is
// not found (404), exactly like an unknown id, and a customer inside it is returned;
// a role without the operation's scope gets 403 first. Before the fix every scoped
// principal read every customer of the tenant.
func TestSecurity05_CustomerReadsFollowDataScopes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		principals := []struct {
			name string
			ctx  context.Context
			sees []string // of sh, bj, hz, web and the cluster mx ← my
		}{
			{"hq_admin tenant", admin(tenantA), []string{"sh", "bj", "hz", "web", "mx"}},
			{"store_manager Shanghai", scoped(auth.StoreManager, auth.StoreScope, storeSH), []string{"sh", "mx"}},
			{"associate Beijing", scoped(auth.Associate, auth.StoreScope, storeBJ), []string{"bj", "mx"}},
			{"marketer brand X", scoped(auth.Marketer, auth.BrandScope, brandX), []string{"sh", "bj", "mx"}},
			{"marketer brand Y", scoped(auth.Marketer, auth.BrandScope, brandY), []string{"hz"}},
			{"associate region north", scoped(auth.Associate, auth.RegionScope, regionNorth), []string{"bj", "mx"}},
			{"analyst region east", scoped(auth.Analyst, auth.RegionScope, regionEast), []string{"sh", "hz", "mx"}},
			{"hq_admin Hangzhou", scoped(auth.HQAdmin, auth.StoreScope, storeHZ), []string{"hz"}},
			{"store_manager of an unknown store", scoped(auth.StoreManager, auth.StoreScope, "store-gone"), nil},
			{"integrator tenant", as(tenantA, auth.Integrator), nil},
		}
		resources := []struct {
			name  string
			scope auth.Scope
			call  func(ctx context.Context, name string) error
		}{
			{"360", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, err := se.svc.FindCustomer360(ctx, se.ids[name])
				return err
			}},
			{"look-up by identifier", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, err := se.svc.FindCustomerByIdentifier(ctx, se.idents[name])
				return err
			}},
			{"search hit", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, value, _ := strings.Cut(se.idents[name], ":")
				hits, err := se.svc.SearchCustomers(ctx, value, 10)
				if err == nil && len(hits) == 0 {
					return errs.E(errs.NotFound, "no hit")
				}
				return err
			}},
			{"timeline", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, err := se.svc.FindCustomerEvents(ctx, se.ids[name], CustomerEventFilter{})
				return err
			}},
			{"consent history", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, err := se.svc.FindConsentHistory(ctx, se.ids[name], ConsentHistoryFilter{})
				return err
			}},
			{"merges", auth.CustomersRead, func(ctx context.Context, name string) error {
				_, err := se.svc.FindMerges(ctx, se.ids[name])
				return err
			}},
			{"record consent", auth.CustomersWrite, func(ctx context.Context, name string) error {
				_, err := se.svc.RecordConsent(ctx, se.ids[name], NewConsent{Purpose: "marketing", Channel: "sms", Granted: true, Source: "console"})
				return err
			}},
			{"export", auth.CustomersPII, func(ctx context.Context, name string) error {
				_, err := se.svc.ExportCustomer(ctx, se.ids[name])
				return err
			}},
		}
		for _, pr := range principals {
			for _, res := range resources {
				// my is merged into mx: its id and identifiers reach the cluster.
				for _, name := range []string{"sh", "bj", "hz", "web", "my"} {
					t.Run(pr.name+"/"+res.name+"/"+name, func(t *testing.T) {
						cluster := name
						if name == "my" {
							cluster = "mx"
						}
						err := res.call(pr.ctx, name)
						switch {
						case !auth.FromContext(pr.ctx).Has(res.scope):
							wantCode(t, err, errs.Forbidden, "")
						case slices.Contains(pr.sees, cluster):
							if err != nil {
								t.Fatalf("inside the scope: %v", err)
							}
						default:
							wantCode(t, err, errs.NotFound, "")
						}
					})
				}
			}
		}
		// A consent refused for lying outside the scope was not written.
		if n := countRows(t, d, `SELECT COUNT(*) FROM customer_consent_history WHERE tenant_id = $1 AND customer_id = $2`, tenantA, se.ids["web"]); n != 1 {
			t.Fatalf("web holds %d consents, want only the tenant-wide admin's", n)
		}
	})
}

// TestSecurity05_CustomerSearchKeepsToTheScope: a name shared by customers of two
// brands finds only the one inside the searcher's scope.
func TestSecurity05_CustomerSearchKeepsToTheScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want []string
		}{
			{"tenant", admin(tenantA), []string{"hz", "sh"}},
			{"brand X", scoped(auth.Marketer, auth.BrandScope, brandX), []string{"sh"}},
			{"Hangzhou", scoped(auth.StoreManager, auth.StoreScope, storeHZ), []string{"hz"}},
			{"north", scoped(auth.Associate, auth.RegionScope, regionNorth), nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hits, err := se.svc.SearchCustomers(tc.ctx, "张伟", 20)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range hits {
					for name, id := range se.ids {
						if h.ID == id {
							got = append(got, name)
						}
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("hits = %v, want %v", got, tc.want)
				}
			})
		}
	})
}

// TestSecurity05_CustomerActionsFollowDataScopes: merge (both customers), unmerge
// (both customers as they are after), erase and the review queue (list and
// resolution) answer 404 outside the scope and change nothing; inside it they work.
func TestSecurity05_CustomerActionsFollowDataScopes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		se := setupScopes(t, d)
		id := se.ids
		brandXMarketer, brandYMarketer := scoped(auth.Marketer, auth.BrandScope, brandX), scoped(auth.Marketer, auth.BrandScope, brandY)
		shManager := scoped(auth.StoreManager, auth.StoreScope, storeSH)
		live := liveCustomers(t, d, tenantA)

		// Merge: the survivor and every absorbed customer must be inside the scope.
		_, err := se.svc.MergeCustomers(brandXMarketer, id["sh"], []string{id["hz"]}, "")
		wantCode(t, err, errs.NotFound, "body.customer_ids")
		_, err = se.svc.MergeCustomers(brandXMarketer, id["hz"], []string{id["sh"]}, "")
		wantCode(t, err, errs.NotFound, "")
		_, err = se.svc.MergeCustomers(brandYMarketer, id["hz"], []string{id["web"]}, "")
		wantCode(t, err, errs.NotFound, "body.customer_ids")
		if got := liveCustomers(t, d, tenantA); got != live {
			t.Fatalf("refused merges changed the live customers: %d → %d", live, got)
		}

		// Unmerge: brand Y cannot see mx ← my at all; brand X sees mz ← mw through mw
		// (Shanghai) but mz alone is a Hangzhou customer, so separating them is refused
		// and undoes nothing.
		_, _, err = se.svc.UnmergeCustomer(brandYMarketer, id["mx"], id["my"])
		wantCode(t, err, errs.NotFound, "")
		_, _, err = se.svc.UnmergeCustomer(brandXMarketer, id["mz"], id["mw"])
		wantCode(t, err, errs.NotFound, "")
		if s, err := survivor(context.Background(), d.Reader(), tenantA, id["mw"]); err != nil || s != id["mz"] {
			t.Fatalf("mw after the refused unmerge → %s, %v; want still merged into mz", s, err)
		}
		if _, _, err := se.svc.UnmergeCustomer(brandXMarketer, id["mx"], id["my"]); err != nil {
			t.Fatalf("unmerge inside brand X: %v", err)
		}

		// Reviews: a review is listed and resolved only when every customer it names is
		// inside the scope.
		for _, r := range []struct{ id, customer, candidates string }{
			{"rv-local", id["sh"], `["` + id["sh"] + `","` + id["my"] + `"]`},
			{"rv-cross", id["sh"], `["` + id["sh"] + `","` + id["hz"] + `"]`},
		} {
			if _, err := d.Writer().ExecContext(context.Background(), `INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, status, created_at)
				VALUES ($1, $2, 'sh1', $3, $4, 'similar name', 'open', 0)`, tenantA, r.id, r.customer, r.candidates); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want []string
		}{
			{"tenant", admin(tenantA), []string{"rv-cross", "rv-local"}},
			{"Shanghai", shManager, []string{"rv-local"}},
			{"brand Y", brandYMarketer, nil},
		} {
			var got []string
			for cursor := ""; ; {
				page, err := se.svc.FindReviews(tc.ctx, ReviewFilter{Status: "open", Limit: 1, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Items {
					got = append(got, r.ID)
				}
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%s lists reviews %v, want %v", tc.name, got, tc.want)
			}
			if c, err := se.svc.CountReviews(tc.ctx, "open"); err != nil || c.Total != len(tc.want) {
				t.Fatalf("%s counts reviews %+v, %v; want %d", tc.name, c, err, len(tc.want))
			}
		}
		_, err = se.svc.ResolveReview(brandXMarketer, "rv-cross", ReviewSeparate, "")
		wantCode(t, err, errs.NotFound, "")
		if r, err := se.svc.ResolveReview(brandXMarketer, "rv-local", ReviewSeparate, ""); err != nil || r.Status != "resolved" {
			t.Fatalf("resolve inside the scope = %+v, %v", r, err)
		}

		// Erase, by an administrator scoped to Shanghai.
		shAdmin := scoped(auth.HQAdmin, auth.StoreScope, storeSH)
		for _, name := range []string{"hz", "web", "bj"} {
			_, err := se.svc.EraseCustomer(shAdmin, id[name])
			wantCode(t, err, errs.NotFound, "")
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND status = 'erased'`, tenantA); n != 0 {
			t.Fatalf("%d customers erased by refused erasures", n)
		}
		if _, err := se.svc.EraseCustomer(shAdmin, id["sh"]); err != nil {
			t.Fatalf("erase inside the scope: %v", err)
		}
	})
}
