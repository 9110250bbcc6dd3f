package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
)

const storeA2 = "store-a2"

// setup360 is setup with two stores in tenant A and three touchpoints: POS1 (store
// a1), POS2 (store a2) and MINI (mini program, no store).
func setup360(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := setup(t, d)
	stores := fakeStores{storeA1: tenantA, storeA2: tenantA, storeB1: tenantB}
	e.svc = NewService(d, events.NewOutbox(e.clock), audit.New(d, e.clock), e.clock, stores, nil, mustKeys(t))
	ctx := admin(tenantA)
	for _, tp := range []NewTouchpoint{
		{Code: "POS1", Name: "POS 1", Type: TypeOffline, Channel: "pos", StoreID: storeA1},
		{Code: "POS2", Name: "POS 2", Type: TypeOffline, Channel: "pos", StoreID: storeA2},
		{Code: "MINI", Name: "Mini", Type: TypeOnline, Channel: "wechat_mini_program"},
	} {
		if _, err := e.svc.CreateTouchpoint(ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// ev is one event for send.
type ev struct {
	tp, id, typ, at, idents, props string
}

// send ingests events one request each (so each sees the previous ones resolved).
func send(t *testing.T, e *env, evs ...ev) {
	t.Helper()
	for _, x := range evs {
		typ, at, props := x.typ, x.at, x.props
		if typ == "" {
			typ = "visit"
		}
		if at == "" {
			at = "2026-03-01T07:00:00Z"
		}
		if props == "" {
			props = "{}"
		}
		r, err := e.svc.Ingest(integrator(tenantA), x.tp, raws(fmt.Sprintf(`{"id":%q,"type":%q,"occurred_at":%q,"identifiers":%s,"properties":%s}`,
			x.id, typ, at, x.idents, props)))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rejected) > 0 || r.Accepted != 1 {
			t.Fatalf("event %s: %+v", x.id, r)
		}
	}
}

func find360(t *testing.T, ctx context.Context, e *env, identifier string) Customer360 {
	t.Helper()
	c, err := e.svc.FindCustomerByIdentifier(ctx, identifier)
	if err != nil {
		t.Fatalf("lookup %s: %v", identifier, err)
	}
	c360, err := e.svc.FindCustomer360(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c360
}

func TestProfileFromEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		const phone = `{"phone":"13800138000"}`
		send(t, e,
			ev{"POS1", "e1", "visit", "2026-03-01T07:00:00Z", phone, `{"name":"张伟","city":"上海","gender":"male"}`},
			ev{"MINI", "e2", "register", "2026-03-01T07:30:00Z", phone, `{"birthday":"1990-05-01","address":"上海市黄浦区南京东路1号"}`},
			// Bad values are ignored one by one; the event is kept.
			ev{"POS2", "e3", "visit", "2026-03-01T07:40:00Z", phone, `{"gender":"robot","birthday":"1990-13-01","city":7}`},
			// Older than the newest event that set a field: only fills empty fields.
			ev{"POS2", "e4", "visit", "2026-03-01T07:10:00Z", phone, `{"city":"北京"}`},
			ev{"POS2", "e5", "visit", "2026-03-01T07:50:00Z", phone, ``},
		)
		c := find360(t, admin(tenantA), e, "phone:13800138000")
		p := c.Profile
		if c.EventCount != 5 || c.Masked || p.Name != "张伟" || p.Gender != "male" || p.Birthday != "1990-05-01" || p.City != "上海" ||
			p.Address != "上海市黄浦区南京东路1号" || p.PreferredStoreID != storeA2 || p.RegistrationChannel != "wechat_mini_program" ||
			p.RegisteredAt == nil || !p.RegisteredAt.Equal(time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC)) {
			t.Fatalf("360 = %+v, profile %+v", c, p)
		}

		// Personal fields are sealed at rest; the name is found by its blind index.
		var name, birthday, address, index string
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT name, birthday, address, name_index FROM customer_profiles
			WHERE tenant_id = $1 AND customer_id = $2`, tenantA, c.ID).Scan(&name, &birthday, &address, &index); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{name, birthday, address} {
			if !strings.HasPrefix(v, e.svc.pii.ID()+":") || strings.Contains(v, "张") || strings.Contains(v, "1990") || strings.Contains(v, "上海") {
				t.Fatalf("personal column stored as %q", v)
			}
		}
		if index == "" || strings.Contains(index, "张") {
			t.Fatalf("name index = %q", index)
		}
		hits, err := e.svc.SearchCustomers(admin(tenantA), " 张伟 ", 10)
		if err != nil || len(hits) != 1 || hits[0].ID != c.ID {
			t.Fatalf("search by name: %+v, %v", hits, err)
		}
		if hits, err := e.svc.SearchCustomers(admin(tenantA), "张", 10); err != nil || len(hits) != 0 {
			t.Fatalf("partial name must not match: %+v, %v", hits, err)
		}
	})
}

func TestMaskingPerRole(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		send(t, e, ev{"POS1", "e1", "visit", "", `{"phone":"13800138000","email":"wei@example.com","member_card":"K1"}`,
			`{"name":"王小明","birthday":"1990-05-01","address":"上海市黄浦区南京东路1号"}`})
		tests := []struct {
			name           string
			ctx            context.Context
			masked         bool
			phone, email   string
			pname, address string
			birthday, card string
		}{
			{"hq admin holds customers:pii", admin(tenantA), false, "+8613800138000", "wei@example.com", "王小明", "上海市黄浦区南京东路1号", "1990-05-01", "K1"},
			{"marketer sees masked data", as(tenantA, auth.Marketer), true, "138****8000", "w***@example.com", "王**", "", "1990-**-**", "****"},
			{"analyst sees masked data", as(tenantA, auth.Analyst), true, "138****8000", "w***@example.com", "王**", "", "1990-**-**", "****"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := find360(t, tt.ctx, e, "member_card:K1")
				got := map[string]string{}
				for _, id := range c.Identifiers {
					got[id.Type] = id.Value
				}
				if c.Masked != tt.masked || got["phone"] != tt.phone || got["email"] != tt.email || got["member_card"] != tt.card ||
					c.Profile.Name != tt.pname || c.Profile.Birthday != tt.birthday {
					t.Fatalf("360 = %+v (identifiers %v)", c, got)
				}
				if tt.masked && (strings.Contains(c.Profile.Address, "南京东路") || !strings.HasPrefix(c.Profile.Address, "上海市")) {
					t.Fatalf("address = %q", c.Profile.Address)
				}
				if !tt.masked && c.Profile.Address != tt.address {
					t.Fatalf("address = %q", c.Profile.Address)
				}
				// Search summaries are masked alike.
				hits, err := e.svc.SearchCustomers(tt.ctx, "K1", 5)
				if err != nil || len(hits) != 1 || summaryResponse(hits[0]).Phone != tt.phone || summaryResponse(hits[0]).Name != tt.pname {
					t.Fatalf("search = %+v, %v", hits, err)
				}
			})
		}
	})
}

func TestProfileMergeFillIn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		// Auto merge: the phone customer (oldest) survives and takes the city of the
		// unionid customer; its own name and gender stay.
		send(t, e,
			ev{"POS1", "a1", "visit", "2026-03-01T07:00:00Z", `{"phone":"13800138000"}`, `{"name":"张伟","gender":"male"}`},
			ev{"MINI", "a2", "register", "2026-03-01T07:05:00Z", `{"wechat_unionid":"u1"}`, `{"name":"张大伟","gender":"female","city":"杭州"}`},
			ev{"POS1", "a3", "visit", "2026-03-01T07:10:00Z", `{"phone":"13800138000","member_card":"K1"}`, ``},
			ev{"MINI", "a4", "visit", "2026-03-01T07:15:00Z", `{"wechat_unionid":"u1","member_card":"K1"}`, ``},
		)
		c := find360(t, admin(tenantA), e, "wechat_unionid:u1")
		p := c.Profile
		if p.Name != "张伟" || p.Gender != "male" || p.City != "杭州" || p.RegistrationChannel != "wechat_mini_program" {
			t.Fatalf("auto-merged profile = %+v", p)
		}
		// The absorbed customer's name still finds the survivor.
		if hits, err := e.svc.SearchCustomers(admin(tenantA), "张大伟", 5); err != nil || len(hits) != 1 || hits[0].ID != c.ID {
			t.Fatalf("search absorbed name: %+v, %v", hits, err)
		}

		// Manual merge and unmerge: the survivor gets the absorbed address, then loses it.
		send(t, e, ev{"POS2", "b1", "visit", "2026-03-01T07:20:00Z", `{"email":"x@example.com"}`, `{"address":"北京市朝阳区1号"}`})
		other := find360(t, admin(tenantA), e, "email:x@example.com")
		if _, err := e.svc.MergeCustomers(admin(tenantA), c.ID, []string{other.ID}, ""); err != nil {
			t.Fatal(err)
		}
		if got := find360(t, admin(tenantA), e, "phone:13800138000"); got.Profile.Address != "北京市朝阳区1号" || got.Profile.Name != "张伟" {
			t.Fatalf("after manual merge = %+v", got.Profile)
		}
		if _, _, err := e.svc.UnmergeCustomer(admin(tenantA), c.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if got := find360(t, admin(tenantA), e, "phone:13800138000"); got.Profile.Address != "" {
			t.Fatalf("after unmerge = %+v", got.Profile)
		}
		if got := find360(t, admin(tenantA), e, "email:x@example.com"); got.ID != other.ID || got.Profile.Address != "北京市朝阳区1号" ||
			got.Profile.PreferredStoreID != storeA2 {
			t.Fatalf("restored = %+v", got)
		}
	})
}

func TestExportAndEraseProfile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{"POS1", "e1", "visit", "", `{"phone":"13800138000"}`, `{"name":"张伟","address":"上海市黄浦区1号"}`},
			ev{"MINI", "e2", "consent", "", `{"phone":"13800138000"}`, `{"purpose":"marketing","channel":"sms","granted":true}`},
		)
		c := find360(t, ctx, e, "phone:13800138000")
		got, err := e.svc.ExportCustomer(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got.Sections["profile_and_consents"])
		for _, want := range []string{"张伟", "上海市黄浦区1号", `"source":"MINI"`, storeA1} {
			if !strings.Contains(string(b), want) {
				t.Fatalf("export %s lacks %s", b, want)
			}
		}
		if _, err := e.svc.EraseCustomer(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"customer_profiles", "customer_store_visits", "customer_consents", "customer_consent_history"} {
			if n := countRows(t, d, `SELECT COUNT(*) FROM `+table+` WHERE tenant_id = $1`, tenantA); n != 0 {
				t.Fatalf("%s keeps %d rows", table, n)
			}
		}
		after, err := e.svc.FindCustomer360(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != CustomerErased || after.Profile.Name != "" || len(after.Consents) != 0 || after.EventCount != 2 {
			t.Fatalf("after erase = %+v", after)
		}
	})
}

// FuzzParseProfile checks that any properties object gives only valid profile values:
// gender in the enum, birthday a real date not after the event, bounded strings.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"张伟","gender":"male","birthday":"1990-05-01"}`, `{"gender":"other","birthday":"1990-13-01"}`,
		`{"name":7,"city":null,"address":["x"]}`, `{"birthday":"2999-01-01"}`, `not json`} {
		f.Add(s)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	f.Fuzz(func(t *testing.T, props string) {
		p := parseProfile(props, at)
		switch p.gender {
		case "", "male", "female", "unknown":
		default:
			t.Fatalf("gender %q", p.gender)
		}
		if p.birthday != "" {
			d, err := time.Parse(time.DateOnly, p.birthday)
			if err != nil || d.UnixMilli() > at {
				t.Fatalf("birthday %q", p.birthday)
			}
		}
		for _, v := range []string{p.name, p.city, p.address} {
			if len([]rune(v)) > maxProfileRunes || strings.TrimSpace(v) != v {
				t.Fatalf("text %q", v)
			}
		}
		_ = normaliseName(p.name)
	})
}

// TestBatchProfilesEqualOneByOne ingests the same events one request each and, with
// other identifiers, in one batch (profiles and store visits written by flush, one
// merge inside the batch): every person must end with an equal profile.
func TestBatchProfilesEqualOneByOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		cases := func(prefix string) []ev {
			id := func(s string) string { return fmt.Sprintf(`{"phone":"1%s%s"}`, prefix, s) }
			card := func(s string) string { return fmt.Sprintf(`{"member_card":"%s%s"}`, prefix, s) }
			return []ev{
				{"POS2", prefix + "e01", "visit", "2026-02-28T08:00:00Z", id("00000001"), `{"name":"张伟","city":"上海"}`},
				{"POS2", prefix + "e02", "visit", "2026-02-28T07:00:00Z", id("00000001"), `{"city":"北京","gender":"male"}`},
				{"POS2", prefix + "e03", "register", "2026-02-28T09:00:00Z", id("00000001"), `{"birthday":"1990-05-01"}`},
				{"POS2", prefix + "e04", "visit", "2026-02-28T06:00:00Z", id("00000001"), ``},
				{"POS2", prefix + "e05", "visit", "2026-02-28T10:00:00Z", id("00000001"), `{"name":"王芳"}`},
				{"POS2", prefix + "e06", "visit", "2026-02-28T05:00:00Z", card("M2"), `{"address":"上海市黄浦区"}`},
				{"POS2", prefix + "e07", "visit", "2026-02-28T04:00:00Z", id("00000002"), `{"city":"杭州"}`},
				// links the card and the phone: an auto merge inside the batch
				{"POS2", prefix + "e08", "registration", "2026-02-28T11:00:00Z", `{"phone":"1` + prefix + `00000002","member_card":"` + prefix + `M2"}`, `{"gender":"female"}`},
				{"POS2", prefix + "e09", "visit", "2026-02-28T03:00:00Z", card("M2"), `{"address":"北京市"}`},
			}
		}
		send(t, e, cases("38")...)
		var batch []string
		for _, x := range cases("39") {
			props := x.props
			if props == "" {
				props = "{}"
			}
			batch = append(batch, fmt.Sprintf(`{"id":%q,"type":%q,"occurred_at":%q,"identifiers":%s,"properties":%s}`, x.id, x.typ, x.at, x.idents, props))
		}
		if r, err := e.svc.Ingest(integrator(tenantA), "POS2", raws(batch...)); err != nil || r.Accepted != len(batch) {
			t.Fatalf("batch: %+v %v", r, err)
		}
		for _, phone := range []string{"00000001", "00000002"} {
			one, many := find360(t, admin(tenantA), e, "phone:138"+phone), find360(t, admin(tenantA), e, "phone:139"+phone)
			if diff := cmp.Diff(one.Profile, many.Profile); diff != "" || one.EventCount != many.EventCount {
				t.Fatalf("phone %s: one by one (-) vs batch (+):\n%s (events %d, %d)", phone, diff, one.EventCount, many.EventCount)
			}
		}
		p := find360(t, admin(tenantA), e, "phone:13900000001").Profile
		if p.Name != "王芳" || p.City != "上海" || p.Gender != "male" || p.Birthday != "1990-05-01" || p.RegisteredAt == nil ||
			!p.RegisteredAt.Equal(time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("profile from the batch: %+v", p)
		}
		one, many := find360(t, admin(tenantA), e, "phone:13800000002"), find360(t, admin(tenantA), e, "phone:13900000002")
		if one.Profile.Address != "上海市黄浦区" || one.Profile.Gender != "female" || one.EventCount != 4 {
			t.Fatalf("the case must exercise the merge: %+v", one)
		}
		for _, c := range []Customer360{one, many} {
			var visits int64
			if err := d.Reader().QueryRowContext(context.Background(), `SELECT SUM(events) FROM customer_store_visits WHERE tenant_id = $1
				AND customer_id IN (SELECT id FROM customers WHERE tenant_id = $1 AND (id = $2 OR merged_into = $2))`, tenantA, c.ID).Scan(&visits); err != nil || visits != 4 {
				t.Fatalf("store visits of %s: %d %v", c.ID, visits, err)
			}
		}
	})
}
