package org

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func TestStoreCreateValidate(t *testing.T) {
	t.Parallel()
	valid := func() StoreCreate {
		return StoreCreate{BrandID: "b", RegionID: "r", Code: "SH-001", Name: "徐汇店", Format: Hypermarket, City: "上海",
			Latitude: new(31.2), Longitude: new(121.4), FloorAreaM2: new(8000), OpeningHours: "08:00-22:00"}
	}
	tests := []struct {
		name   string
		modify func(*StoreCreate)
		field  string // "" means valid
	}{
		{name: "valid", modify: func(*StoreCreate) {}},
		{name: "overnight hours", modify: func(s *StoreCreate) { s.OpeningHours = "22:00-06:00" }},
		{name: "until midnight", modify: func(s *StoreCreate) { s.OpeningHours = "00:00-24:00" }},
		{name: "no hours", modify: func(s *StoreCreate) { s.OpeningHours = "" }},
		{name: "other time zone", modify: func(s *StoreCreate) { s.TimeZone = "Asia/Urumqi" }},
		{name: "missing brand", modify: func(s *StoreCreate) { s.BrandID = "" }, field: "body.brand_id"},
		{name: "missing region", modify: func(s *StoreCreate) { s.RegionID = "" }, field: "body.region_id"},
		{name: "bad code", modify: func(s *StoreCreate) { s.Code = "上海 1" }, field: "body.code"},
		{name: "blank name", modify: func(s *StoreCreate) { s.Name = "  " }, field: "body.name"},
		{name: "unknown format", modify: func(s *StoreCreate) { s.Format = "kiosk" }, field: "body.format"},
		{name: "no city", modify: func(s *StoreCreate) { s.City = "" }, field: "body.city"},
		{name: "latitude too big", modify: func(s *StoreCreate) { s.Latitude = new(91.0) }, field: "body.latitude"},
		{name: "latitude too small", modify: func(s *StoreCreate) { s.Latitude = new(-90.5) }, field: "body.latitude"},
		{name: "longitude", modify: func(s *StoreCreate) { s.Longitude = new(181.0) }, field: "body.longitude"},
		{name: "floor area", modify: func(s *StoreCreate) { s.FloorAreaM2 = new(0) }, field: "body.floor_area_m2"},
		{name: "unknown time zone", modify: func(s *StoreCreate) { s.TimeZone = "Mars/Olympus" }, field: "body.time_zone"},
		{name: "local time zone", modify: func(s *StoreCreate) { s.TimeZone = "Local" }, field: "body.time_zone"},
		{name: "hours shape", modify: func(s *StoreCreate) { s.OpeningHours = "8-22" }, field: "body.opening_hours"},
		{name: "hours out of range", modify: func(s *StoreCreate) { s.OpeningHours = "08:00-25:00" }, field: "body.opening_hours"},
		{name: "hours minutes", modify: func(s *StoreCreate) { s.OpeningHours = "08:60-22:00" }, field: "body.opening_hours"},
		{name: "empty hours span", modify: func(s *StoreCreate) { s.OpeningHours = "08:00-08:00" }, field: "body.opening_hours"},
		{name: "unknown status", modify: func(s *StoreCreate) { s.Status = "demolished" }, field: "body.status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := valid()
			tt.modify(&in)
			err := in.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, errs.Invalid)
			wantField(t, err, tt.field)
		})
	}
	in := valid()
	if err := in.Validate(); err != nil || in.TimeZone != DefaultTimeZone || in.Status != StoreOpen {
		t.Fatalf("defaults: err=%v time_zone=%q status=%q", err, in.TimeZone, in.Status)
	}
}

func TestOrgCreateAndFind(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)

		got, err := f.svc.FindStoreByID(f.ctx, w.s1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != w.s1.Name || got.TimeZone != DefaultTimeZone || got.Latitude == nil || *got.Latitude != 31.2 ||
			*got.FloorAreaM2 != 1200 || got.OpeningHours != "08:00-22:00" || got.Status != StoreOpen {
			t.Fatalf("FindStoreByID = %+v", got)
		}

		tests := []struct {
			name   string
			filter StoreFilter
			want   []string
		}{
			{name: "all", filter: StoreFilter{}, want: []string{w.s1.ID, w.s2.ID, w.s3.ID}},
			{name: "brand", filter: StoreFilter{BrandID: w.b1.ID}, want: []string{w.s1.ID, w.s2.ID}},
			{name: "region", filter: StoreFilter{RegionID: w.r2.ID}, want: []string{w.s2.ID, w.s3.ID}},
			{name: "format", filter: StoreFilter{Format: Convenience}, want: []string{w.s3.ID}},
			{name: "city", filter: StoreFilter{City: "杭州"}, want: []string{w.s2.ID, w.s3.ID}},
			{name: "q code", filter: StoreFilter{Q: "s2"}, want: []string{w.s2.ID}},
			{name: "q wildcard is literal", filter: StoreFilter{Q: "%"}, want: []string{}},
			{name: "status", filter: StoreFilter{Status: StoreClosed}, want: []string{}},
		}
		for _, tt := range tests {
			page, err := f.svc.FindStores(f.ctx, tt.filter)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got := idsOf(page.Items, func(s Store) string { return s.ID }); !slices.Equal(got, tt.want) {
				t.Errorf("%s: stores = %v, want %v", tt.name, got, tt.want)
			}
		}

		// Pagination walks every store once, in id order.
		var seen []string
		cursor := ""
		for {
			page, err := f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, idsOf(page.Items, func(s Store) string { return s.ID })...)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if want := []string{w.s1.ID, w.s2.ID, w.s3.ID}; !slices.Equal(seen, want) {
			t.Fatalf("paged = %v, want %v", seen, want)
		}
		_, err = f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Cursor: "!!"}})
		wantField(t, err, "query.cursor")

		// A page jump starts where following the cursors would, and goes on by cursor.
		for i, want := range []string{w.s1.ID, w.s2.ID, w.s3.ID} {
			page, err := f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: 1}, Page: i + 1})
			if err != nil || len(page.Items) != 1 || page.Items[0].ID != want || (page.NextCursor == "") != (i == 2) {
				t.Fatalf("page %d = %+v, %v; want %s", i+1, page, err, want)
			}
		}
		if page, err := f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: 2}, Page: 3}); err != nil || len(page.Items) != 0 {
			t.Fatalf("page past the end = %+v, %v", page, err)
		}
		_, err = f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: 1, Cursor: httpapi.EncodeCursor(w.s1.ID)}, Page: 2})
		wantField(t, err, "query.page")
		_, err = f.svc.FindStores(f.ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: 100}, Page: MaxStoreJump/100 + 2})
		wantField(t, err, "query.page")

		// Codes are unique per tenant.
		_, err = f.svc.CreateBrand(f.ctx, BrandCreate{Code: "B1", Name: "again"})
		wantCode(t, err, errs.Conflict)
		_, err = f.svc.CreateStore(f.ctx, StoreCreate{BrandID: w.b1.ID, RegionID: w.r1.ID, Code: "S1", Name: "x", Format: Specialty, City: "x"})
		wantCode(t, err, errs.Conflict)
		_, err = f.svc.CreateStore(f.ctx, StoreCreate{BrandID: "nope", RegionID: w.r1.ID, Code: "S9", Name: "x", Format: Specialty, City: "x"})
		wantField(t, err, "body.brand_id")
		_, err = f.svc.CreateStore(f.ctx, StoreCreate{BrandID: w.b1.ID, RegionID: "nope", Code: "S9", Name: "x", Format: Specialty, City: "x"})
		wantField(t, err, "body.region_id")

		sum, err := f.svc.StoreSummary(f.ctx, StoreFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 3 || len(sum.ByFormat) != 3 || sum.ByCity[0] != (Count{Key: "杭州", Count: 2}) ||
			sum.ByRegion[0] != (NamedCount{Key: w.r2.ID, Name: w.r2.Name, Count: 2}) ||
			sum.ByBrand[0] != (NamedCount{Key: w.b1.ID, Name: w.b1.Name, Count: 2}) {
			t.Fatalf("summary = %+v", sum)
		}
		if hz, err := f.svc.StoreSummary(f.ctx, StoreFilter{City: "杭州"}); err != nil || hz.Total != 2 || len(hz.ByCity) != 1 {
			t.Fatalf("summary of 杭州 = %+v, %v", hz, err)
		}
		if none, err := f.svc.StoreSummary(f.ctx, StoreFilter{Q: "no such store"}); err != nil || none.Total != 0 || none.ByCity == nil {
			t.Fatalf("summary of nothing = %+v, %v", none, err)
		}

		brands, err := f.svc.FindBrands(f.ctx, BrandFilter{Q: "b2"})
		if err != nil || len(brands.Items) != 1 || brands.Items[0].ID != w.b2.ID {
			t.Fatalf("FindBrands(q=b2) = %+v, %v", brands, err)
		}
		regions, err := f.svc.FindRegions(f.ctx, RegionFilter{})
		if err != nil || len(regions.Items) != 2 {
			t.Fatalf("FindRegions = %+v, %v", regions, err)
		}
	})
}

func TestOrgUpdateAuditsAndPublishes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		f.clock.Advance(1000)

		st, err := f.svc.UpdateStore(f.ctx, w.s1.ID, StoreUpdate{Name: new("徐汇旗舰店"), RegionID: &w.r2.ID, Latitude: new(30.0)})
		if err != nil {
			t.Fatal(err)
		}
		if st.Name != "徐汇旗舰店" || st.RegionID != w.r2.ID || *st.Latitude != 30 || !st.UpdatedAt.After(w.s1.UpdatedAt) {
			t.Fatalf("UpdateStore = %+v", st)
		}
		again, _ := f.svc.FindStoreByID(f.ctx, w.s1.ID)
		if again.Name != st.Name || again.RegionID != w.r2.ID || *again.Longitude != 121.5 {
			t.Fatalf("stored = %+v", again)
		}

		var changes, payload string
		if err := d.Reader().QueryRow(`SELECT changes FROM audit_events WHERE action = 'store.update' AND resource_id = $1`,
			st.ID).Scan(&changes); err != nil {
			t.Fatal(err)
		}
		var c map[string]map[string]any
		if err := json.Unmarshal([]byte(changes), &c); err != nil {
			t.Fatal(err)
		}
		if len(c) != 3 || c["name"]["after"] != "徐汇旗舰店" || c["region_id"]["before"] != w.r1.ID || c["latitude"]["after"] != 30.0 {
			t.Fatalf("audit changes = %s", changes)
		}
		if err := d.Reader().QueryRow(`SELECT payload FROM outbox_events WHERE type = $1 AND aggregate_id = $2`,
			EventStoreUpdated, st.ID).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(payload, `"changed":["latitude","name","region_id"]`) {
			t.Fatalf("event payload = %s", payload)
		}

		// An update that changes nothing writes nothing.
		if _, err := f.svc.UpdateStore(f.ctx, w.s1.ID, StoreUpdate{Name: new("徐汇旗舰店")}); err != nil {
			t.Fatal(err)
		}
		var n int
		_ = d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1`, EventStoreUpdated).Scan(&n)
		if n != 1 {
			t.Fatalf("%d store.updated events, want 1", n)
		}

		b, err := f.svc.UpdateBrand(f.ctx, w.b2.ID, BrandUpdate{Status: new(BrandInactive)})
		if err != nil || b.Status != BrandInactive {
			t.Fatalf("UpdateBrand = %+v, %v", b, err)
		}
		r, err := f.svc.UpdateRegion(f.ctx, w.r1.ID, RegionUpdate{Name: new("华东")})
		if err != nil || r.Name != "华东" {
			t.Fatalf("UpdateRegion = %+v, %v", r, err)
		}
		_, err = f.svc.UpdateRegion(f.ctx, w.r1.ID, RegionUpdate{Code: &w.r2.Code})
		wantCode(t, err, errs.Conflict)
		_, err = f.svc.UpdateStore(f.ctx, w.s1.ID, StoreUpdate{BrandID: new("missing")})
		wantField(t, err, "body.brand_id")
		_, err = f.svc.UpdateStore(f.ctx, w.s1.ID, StoreUpdate{Latitude: new(100.0)})
		wantField(t, err, "body.latitude")

		for _, typ := range []string{EventTenantCreated, EventBrandCreated, EventBrandUpdated, EventRegionCreated,
			EventRegionUpdated, EventStoreCreated, EventStoreUpdated, EventUserCreated} {
			var n int
			_ = d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1`, typ).Scan(&n)
			if n == 0 {
				t.Errorf("no %s event", typ)
			}
		}
	})
}

func TestOrgDataScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		manager := as(f.user(t, f.ctx, "mgr-s2", auth.StoreManager, auth.StoreScope, w.s2.ID))
		regional := as(f.user(t, f.ctx, "ana-r2", auth.Analyst, auth.RegionScope, w.r2.ID))
		brandy := as(f.user(t, f.ctx, "mkt-b1", auth.Marketer, auth.BrandScope, w.b1.ID))

		storeIDs := func(ctx context.Context) []string {
			page, err := f.svc.FindStores(ctx, StoreFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return idsOf(page.Items, func(s Store) string { return s.ID })
		}
		brandIDs := func(ctx context.Context) []string {
			page, err := f.svc.FindBrands(ctx, BrandFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return idsOf(page.Items, func(b Brand) string { return b.ID })
		}
		regionIDs := func(ctx context.Context) []string {
			page, err := f.svc.FindRegions(ctx, RegionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return idsOf(page.Items, func(r Region) string { return r.ID })
		}
		tests := []struct {
			name                  string
			ctx                   context.Context
			stores, brands, regns []string
			total                 int
		}{
			{name: "store manager", ctx: manager, stores: []string{w.s2.ID}, brands: []string{w.b1.ID}, regns: []string{w.r2.ID}, total: 1},
			{name: "region", ctx: regional, stores: []string{w.s2.ID, w.s3.ID}, brands: []string{w.b1.ID, w.b2.ID}, regns: []string{w.r2.ID}, total: 2},
			{name: "brand", ctx: brandy, stores: []string{w.s1.ID, w.s2.ID}, brands: []string{w.b1.ID}, regns: []string{w.r1.ID, w.r2.ID}, total: 2},
			{name: "tenant", ctx: f.ctx, stores: []string{w.s1.ID, w.s2.ID, w.s3.ID}, brands: []string{w.b1.ID, w.b2.ID}, regns: []string{w.r1.ID, w.r2.ID}, total: 3},
		}
		for _, tt := range tests {
			if got := storeIDs(tt.ctx); !slices.Equal(got, tt.stores) {
				t.Errorf("%s: stores = %v, want %v", tt.name, got, tt.stores)
			}
			if got := brandIDs(tt.ctx); !slices.Equal(got, tt.brands) {
				t.Errorf("%s: brands = %v, want %v", tt.name, got, tt.brands)
			}
			if got := regionIDs(tt.ctx); !slices.Equal(got, tt.regns) {
				t.Errorf("%s: regions = %v, want %v", tt.name, got, tt.regns)
			}
			if sum, err := f.svc.StoreSummary(tt.ctx, StoreFilter{}); err != nil || sum.Total != tt.total {
				t.Errorf("%s: summary total = %d, %v; want %d", tt.name, sum.Total, err, tt.total)
			}
			names, err := f.svc.StoreNames(tt.ctx, []string{w.s1.ID, w.s2.ID, w.s3.ID, "unknown"})
			if got := slices.Sorted(maps.Keys(names)); err != nil || !slices.Equal(got, tt.stores) || names[tt.stores[0]] == "" {
				t.Errorf("%s: store names = %v, %v; want the names of %v", tt.name, names, err, tt.stores)
			}
		}

		// By id, outside the scope is not found.
		_, err := f.svc.FindStoreByID(manager, w.s1.ID)
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.FindBrandByID(manager, w.b2.ID)
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.FindRegionByID(manager, w.r1.ID)
		wantCode(t, err, errs.NotFound)
		if _, err := f.svc.FindStoreByID(manager, w.s2.ID); err != nil {
			t.Fatal(err)
		}

		// The store manager changes their own store, but not its brand, region or code.
		st, err := f.svc.UpdateStore(manager, w.s2.ID, StoreUpdate{OpeningHours: new("07:00-23:00"), Status: new(StoreClosed)})
		if err != nil || st.OpeningHours != "07:00-23:00" {
			t.Fatalf("own store update = %+v, %v", st, err)
		}
		_, err = f.svc.UpdateStore(manager, w.s2.ID, StoreUpdate{RegionID: &w.r1.ID})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.UpdateStore(manager, w.s2.ID, StoreUpdate{Code: new("S2X")})
		wantCode(t, err, errs.Forbidden)
		if _, err := f.svc.UpdateStore(manager, w.s2.ID, StoreUpdate{BrandID: &w.b1.ID}); err != nil {
			t.Fatalf("setting the same brand: %v", err)
		}
		_, err = f.svc.UpdateStore(manager, w.s1.ID, StoreUpdate{Name: new("mine now")})
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.CreateStore(manager, StoreCreate{BrandID: w.b1.ID, RegionID: w.r2.ID, Code: "S9", Name: "x", Format: Specialty, City: "x"})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.UpdateBrand(manager, w.b1.ID, BrandUpdate{Name: new("x")})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.UpdateBrand(manager, w.b2.ID, BrandUpdate{Name: new("x")})
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.UpdateRegion(manager, w.r1.ID, RegionUpdate{Name: new("x")})
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.CreateBrand(manager, BrandCreate{Code: "B9", Name: "x"})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.CreateRegion(manager, RegionCreate{Code: "R9", Name: "x"})
		wantCode(t, err, errs.Forbidden)

		// Scopes: a marketer reads but does not write; nobody is anonymous.
		_, err = f.svc.UpdateStore(brandy, w.s1.ID, StoreUpdate{Name: new("x")})
		wantCode(t, err, errs.Forbidden)
		_, err = f.svc.FindStores(context.Background(), StoreFilter{})
		wantCode(t, err, errs.Unauthorized)
		// The system principal sees the whole tenant.
		page, err := f.svc.FindStores(auth.WithPrincipal(context.Background(), auth.System(f.tenant.ID)), StoreFilter{})
		if err != nil || len(page.Items) != 3 {
			t.Fatalf("system FindStores = %d, %v", len(page.Items), err)
		}
	})
}

func TestOrgTenantIsolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t)
		otherTenant, otherAdmin := f.bootstrap(t, "globex")
		b := as(otherAdmin)
		bw := world{b1: f.brand(t, b, "B1"), r1: f.region(t, b, "R1")}
		bw.s1 = f.store(t, b, bw.b1, bw.r1, "S1", "北京", Supermarket)
		bUser := f.user(t, b, "globex-mgr", auth.StoreManager, auth.StoreScope, bw.s1.ID)
		bKey, _, err := f.svc.CreateAPIKey(b, APIKeyCreate{Name: "pos", Scopes: []auth.Scope{auth.OrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		if otherTenant.ID == f.tenant.ID {
			t.Fatal("tenants share an id")
		}

		a := f.ctx
		checks := []struct {
			name string
			err  error
		}{
			{"find brand", second(f.svc.FindBrandByID(a, bw.b1.ID))},
			{"find region", second(f.svc.FindRegionByID(a, bw.r1.ID))},
			{"find store", second(f.svc.FindStoreByID(a, bw.s1.ID))},
			{"find user", second(f.svc.FindUserByID(a, bUser.ID))},
			{"update brand", second(f.svc.UpdateBrand(a, bw.b1.ID, BrandUpdate{Name: new("x")}))},
			{"update region", second(f.svc.UpdateRegion(a, bw.r1.ID, RegionUpdate{Name: new("x")}))},
			{"update store", second(f.svc.UpdateStore(a, bw.s1.ID, StoreUpdate{Name: new("x")}))},
			{"update user", second(f.svc.UpdateUser(a, bUser.ID, UserUpdate{Name: new("x")}))},
			{"revoke key", f.svc.RevokeAPIKey(a, bKey.ID)},
		}
		for _, c := range checks {
			if errs.CodeOf(c.err) != errs.NotFound {
				t.Errorf("%s across tenants: %v, want not_found", c.name, c.err)
			}
		}
		// Lists show only the own tenant, and references must be in the tenant.
		page, _ := f.svc.FindStores(a, StoreFilter{})
		if len(page.Items) != 3 {
			t.Fatalf("tenant A sees %d stores", len(page.Items))
		}
		users, _ := f.svc.FindUsers(a, UserFilter{})
		for _, u := range users.Items {
			if u.TenantID != f.tenant.ID {
				t.Fatalf("tenant A sees user %s of tenant %s", u.Login, u.TenantID)
			}
		}
		keys, _ := f.svc.FindAPIKeys(a, httpapi.PageParams{})
		if len(keys.Items) != 0 {
			t.Fatalf("tenant A sees %d keys", len(keys.Items))
		}
		_, err = f.svc.CreateStore(a, StoreCreate{BrandID: bw.b1.ID, RegionID: w.r1.ID, Code: "X", Name: "x", Format: Specialty, City: "x"})
		wantField(t, err, "body.brand_id")
		_, err = f.svc.UpdateStore(a, w.s1.ID, StoreUpdate{RegionID: &bw.r1.ID})
		wantField(t, err, "body.region_id")
		_, err = f.svc.CreateUser(a, UserCreate{Login: "spy", Name: "spy", Password: adminPassword, Role: auth.StoreManager,
			ScopeType: auth.StoreScope, ScopeID: bw.s1.ID})
		wantField(t, err, "body.scope_id")
		// Store codes are unique per tenant only.
		if _, err := f.svc.FindStoreByID(b, bw.s1.ID); err != nil || bw.s1.Code != w.s1.Code {
			t.Fatalf("tenant B store: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestBootstrap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		if f.admin.Role != auth.HQAdmin || f.admin.ScopeType != auth.TenantScope || f.admin.TenantID != f.tenant.ID {
			t.Fatalf("admin = %+v", f.admin)
		}
		got, err := f.svc.FindTenantByCode(context.Background(), "acme")
		if err != nil || got.ID != f.tenant.ID {
			t.Fatalf("FindTenantByCode = %+v, %v", got, err)
		}
		_, err = f.svc.FindTenantByCode(context.Background(), "nope")
		wantCode(t, err, errs.NotFound)
		n, err := f.svc.TenantCount(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("TenantCount = %d, %v", n, err)
		}
		tests := []struct {
			name string
			in   BootstrapInput
			code errs.Code
		}{
			{"tenant taken", BootstrapInput{TenantCode: "acme", TenantName: "x", AdminLogin: "new-admin", AdminName: "x", AdminPassword: adminPassword}, errs.Conflict},
			{"login taken", BootstrapInput{TenantCode: "other", TenantName: "x", AdminLogin: "ACME-admin", AdminName: "x", AdminPassword: adminPassword}, errs.Conflict},
			{"short password", BootstrapInput{TenantCode: "other", TenantName: "x", AdminLogin: "o-admin", AdminName: "x", AdminPassword: "short"}, errs.Invalid},
		}
		for _, tt := range tests {
			_, _, err := f.svc.Bootstrap(context.Background(), tt.in)
			if errs.CodeOf(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		if n, _ := f.svc.TenantCount(context.Background()); n != 1 {
			t.Fatalf("a failed bootstrap left a tenant behind: %d tenants", n)
		}
	})
}

func TestStoreMap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		w := f.world(t) // three stores of three formats at 31.2, 121.5
		at := func(code, city string, format StoreFormat, lat, lon *float64) {
			t.Helper()
			_, err := f.svc.CreateStore(f.ctx, StoreCreate{BrandID: w.b2.ID, RegionID: w.r1.ID, Code: code, Name: "Store " + code,
				Format: format, City: city, Latitude: lat, Longitude: lon})
			if err != nil {
				t.Fatal(err)
			}
		}
		at("S4", "上海", Hypermarket, new(31.23), new(121.46)) // the same cell as S1, about 5 km away
		at("S5", "北京", Hypermarket, new(39.91), new(116.4))
		at("S6", "北京", Hypermarket, nil, nil) // not located: not on the map

		cells, err := f.svc.StoreMap(f.ctx, StoreFilter{Format: Hypermarket})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) != 2 {
			t.Fatalf("hypermarket cells = %+v, want 2", cells)
		}
		var sh, bj StoreCell
		for _, c := range cells {
			if c.City == "北京" {
				bj = c
			} else {
				sh = c
			}
		}
		if sh.Count != 2 || sh.City != "上海" || sh.Name != "" || math.Abs(sh.Latitude-31.215) > 1e-9 || math.Abs(sh.Longitude-121.48) > 1e-9 {
			t.Errorf("上海 cell = %+v, want 2 stores at their mean position, unnamed", sh)
		}
		if bj.Count != 1 || bj.Name != "Store S5" || bj.Latitude != 39.91 {
			t.Errorf("北京 cell = %+v, want Store S5 alone", bj)
		}

		// Formats keep their own cells where they share a place; the data scope holds.
		all, err := f.svc.StoreMap(f.ctx, StoreFilter{})
		if err != nil || len(all) != 4 {
			t.Fatalf("all cells = %+v, %v; want 4 (three formats at 31.2, 121.5 and 北京)", all, err)
		}
		regional := as(f.user(t, f.ctx, "ana-r2", auth.Analyst, auth.RegionScope, w.r2.ID))
		mine, err := f.svc.StoreMap(regional, StoreFilter{})
		if err != nil || len(mine) != 2 || mine[0].Count+mine[1].Count != 2 {
			t.Fatalf("region r2 cells = %+v, %v; want S2 and S3", mine, err)
		}
		if _, err := f.svc.StoreMap(context.Background(), StoreFilter{}); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("anonymous map: %v", err)
		}
	})
}
