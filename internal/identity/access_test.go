package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// limited gives e's service a limiter with small rules.
func limited(t *testing.T, e *env, search, read ratelimit.Rule) {
	t.Helper()
	if err := e.svc.LimitLookups(ratelimit.New(e.db, e.clock), LookupLimits{Search: search, Read: read}); err != nil {
		t.Fatal(err)
	}
}

func wantLimited(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.RateLimited || e.RetryAfter != retryAfter {
		t.Fatalf("err = %v, want rate_limited retrying after %s", err, retryAfter)
	}
}

// TestSecurity06_LookupRateLimited: a principal's searches and look-ups by
// identifier share one budget and its 360 reads and timeline pages another;
// past the burst the next attempt is refused with the wait until the next slot
// (429 + Retry-After over HTTP), other principals are unaffected, and the budget
// refills with time. Before the fix 501 look-ups in 3 s all answered.
func TestSecurity06_LookupRateLimited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		limited(t, e, ratelimit.Rule{Limit: 3, Window: time.Minute}, ratelimit.Rule{Limit: 4, Window: time.Minute})
		send(t, e, ev{"POS1", "a1", "visit", "", `{"phone":"13800138000"}`, `{"name":"张伟"}`},
			ev{"POS1", "a2", "visit", "", `{"phone":"13800138000"}`, ``})
		id := idOf(t, e, "phone:13800138000") // the admin's first look-up
		associate := as(tenantA, auth.Associate)

		// Searches: 3 per minute, a search and a look-up by identifier alike, hits or not.
		for i, q := range []string{"13800138000", "13900000000", "张伟"} {
			if _, err := e.svc.SearchCustomers(associate, q, 10); err != nil {
				t.Fatalf("search %d: %v", i, err)
			}
		}
		_, err := e.svc.FindCustomerByIdentifier(associate, "phone:13800138000")
		wantLimited(t, err, 20*time.Second)
		_, err = e.svc.SearchCustomers(associate, "13800138000", 10)
		wantLimited(t, err, 20*time.Second)

		// Reads are counted apart: 4 per minute, 360s and timeline pages alike — a
		// next page too, since a cursor can be made up to read a first page.
		for range 2 {
			if _, err := e.svc.FindCustomer360(associate, id); err != nil {
				t.Fatal(err)
			}
		}
		page, err := e.svc.FindCustomerEvents(associate, id, CustomerEventFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindCustomerEvents(associate, id, CustomerEventFilter{Limit: 1, Cursor: page.NextCursor}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.FindCustomer360(associate, id)
		wantLimited(t, err, 15*time.Second)
		forged := httpapi.EncodeCursor("99999999999999|")
		_, err = e.svc.FindCustomerEvents(associate, id, CustomerEventFilter{Cursor: forged})
		wantLimited(t, err, 15*time.Second)

		// Another principal has its own budget; the admin spent one look-up above.
		if _, err := e.svc.SearchCustomers(admin(tenantA), "13800138000", 10); err != nil {
			t.Fatalf("another principal: %v", err)
		}
		// The budget refills: one search every 20 s.
		e.clock.Advance(20 * time.Second)
		if _, err := e.svc.SearchCustomers(associate, "13800138000", 10); err != nil {
			t.Fatalf("after 20 s: %v", err)
		}
		_, err = e.svc.SearchCustomers(associate, "13800138000", 10)
		wantLimited(t, err, 20*time.Second)
		// Invalid input is refused before it counts.
		_, err = e.svc.FindCustomerByIdentifier(associate, "phone:123")
		wantCode(t, err, errs.Invalid, "query.identifier")
	})
}

// TestSecurity06_LookupLimitsValidated: rules that cannot be enforced are refused
// when wiring.
func TestSecurity06_LookupLimitsValidated(t *testing.T) {
	t.Parallel()
	e := setup(t, dbtest.Open(t, db.SQLite))
	l := ratelimit.New(e.db, e.clock)
	for _, bad := range []LookupLimits{
		{Search: ratelimit.Rule{Limit: 0, Window: time.Minute}, Read: DefaultLookupLimits().Read},
		{Search: DefaultLookupLimits().Search, Read: ratelimit.Rule{Limit: 5000, Window: time.Second}},
	} {
		if err := e.svc.LimitLookups(l, bad); !errs.Is(err, errs.Invalid) {
			t.Fatalf("LimitLookups(%+v) = %v, want invalid", bad, err)
		}
	}
}

// accessRows returns every column of every access log row as text.
func accessRows(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Reader().QueryContext(context.Background(), `SELECT tenant_id, id, at, principal_kind, principal_id, principal_name, customer_id,
		action, shown, matched, request_id, client_ip FROM customer_access_log ORDER BY at, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tenant, id, kind, pid, pname, cid, action, shown, matched, req, ip string
		var at int64
		if err := rows.Scan(&tenant, &id, &at, &kind, &pid, &pname, &cid, &action, &shown, &matched, &req, &ip); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{tenant, id, kind, pid, pname, cid, action, shown, matched, req, ip}, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSecurity06_AccessLogRecordsWhoReadWhom: every read of a customer's personal
// data (360, look-up, search hit, timeline, consent history, export) and every
// action on it (consent, merge, unmerge, erasure) leaves one entry naming the
// principal, the customer, the action, whether values were full or masked, what a
// search matched, the request id and the client address — and no personal value:
// the phone digits, e-mail, name and the search text appear in no column. The log is
// read by a tenant-wide privacy:read holder, filtered and paged. Before the fix no
// read was recorded.
func TestSecurity06_AccessLogRecordsWhoReadWhom(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		send(t, e,
			ev{"POS1", "a1", "visit", "", `{"phone":"13800138000"}`, `{"name":"王小明","address":"上海市黄浦区南京东路1号"}`},
			ev{"POS2", "b1", "visit", "", `{"email":"bob@example.com"}`, ``},
		)
		a, b := idOf(t, e, "phone:13800138000"), idOf(t, e, "email:bob@example.com")
		if _, err := d.Writer().ExecContext(context.Background(), `DELETE FROM customer_access_log`); err != nil {
			t.Fatal(err) // the look-ups above
		}
		req := func(ctx context.Context, id string) context.Context {
			return context.WithValue(ctx, middleware.RequestIDKey, id)
		}
		associate, adm := req(as(tenantA, auth.Associate), "req-assoc"), req(admin(tenantA), "req-admin")
		steps := []struct {
			name string
			do   func() error
		}{
			{"search", func() error { _, err := e.svc.SearchCustomers(associate, "13800138000", 10); return err }},
			{"search by name", func() error { _, err := e.svc.SearchCustomers(associate, "王小明", 10); return err }},
			{"search without hit", func() error { _, err := e.svc.SearchCustomers(associate, "13999999999", 10); return err }},
			{"look-up", func() error { _, err := e.svc.FindCustomerByIdentifier(associate, "email:bob@example.com"); return err }},
			{"360", func() error { _, err := e.svc.FindCustomer360(associate, a); return err }},
			{"timeline", func() error { _, err := e.svc.FindCustomerEvents(associate, a, CustomerEventFilter{}); return err }},
			{"consent history", func() error { _, err := e.svc.FindConsentHistory(associate, a, ConsentHistoryFilter{}); return err }},
			{"consent", func() error {
				_, err := e.svc.RecordConsent(adm, a, NewConsent{Purpose: "marketing", Channel: "sms", Granted: true, Source: "console"})
				return err
			}},
			{"export", func() error { _, err := e.svc.ExportCustomer(adm, a); return err }},
			{"merge", func() error { _, err := e.svc.MergeCustomers(adm, a, []string{b}, ""); return err }},
			{"unmerge", func() error { _, _, err := e.svc.UnmergeCustomer(adm, a, b); return err }},
			{"erase", func() error { _, err := e.svc.EraseCustomer(adm, b); return err }},
		}
		for _, s := range steps {
			e.clock.Advance(time.Second)
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		want := []string{
			"associate|" + a + "|search_hit|masked|phone|req-assoc",
			"associate|" + a + "|search_hit|masked|name|req-assoc",
			"associate|" + b + "|lookup|masked|email|req-assoc",
			"associate|" + a + "|view|masked||req-assoc",
			"associate|" + a + "|timeline|masked||req-assoc",
			"associate|" + a + "|consent_history|masked||req-assoc",
			"hq_admin|" + a + "|consent_record|full||req-admin",
			"hq_admin|" + a + "|export|full||req-admin",
			"hq_admin|" + a + "|merge|full||req-admin",
			"hq_admin|" + b + "|merge|full||req-admin",
			"hq_admin|" + a + "|unmerge|full||req-admin",
			"hq_admin|" + b + "|unmerge|full||req-admin",
			"hq_admin|" + b + "|erase|none||req-admin",
		}
		rows := accessRows(t, d)
		var got []string
		for _, r := range rows {
			f := strings.Split(r, "|")
			if f[0] != tenantA || f[2] != "user" || f[3] != f[4]+"-"+tenantA {
				t.Fatalf("row %s: wrong tenant or principal", r)
			}
			got = append(got, strings.Join([]string{f[4], f[5], f[6], f[7], f[8], f[9]}, "|"))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("access log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// No personal value, in any form, and no search text.
		for _, r := range rows {
			for _, needle := range []string{"13800138000", "138****", "13999999999", "bob@", "b***@", "example.com", "王", "小明", "上海", "南京"} {
				if strings.Contains(r, needle) {
					t.Fatalf("access log row %q holds %q", r, needle)
				}
			}
		}

		// The privacy officer reads it, filtered and paged, newest first.
		officer := as(tenantA, auth.PrivacyOfficer)
		all, err := e.svc.FindCustomerAccess(officer, CustomerAccessFilter{CustomerID: a, Limit: 3})
		if err != nil || len(all.Items) != 3 || all.NextCursor == "" || all.Items[0].Action != AccessUnmerge || all.Items[0].PrincipalName != "hq_admin" {
			t.Fatalf("first page = %+v, %v", all, err)
		}
		var seen []string
		for cursor := ""; ; {
			page, err := e.svc.FindCustomerAccess(officer, CustomerAccessFilter{CustomerID: a, Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				seen = append(seen, it.Action)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 9 || seen[0] != AccessUnmerge || seen[8] != AccessSearchHit {
			t.Fatalf("customer a's entries, newest first: %v", seen)
		}
		byPrincipal, err := e.svc.FindCustomerAccess(officer, CustomerAccessFilter{PrincipalID: "associate-" + tenantA, Action: AccessSearchHit})
		if err != nil || len(byPrincipal.Items) != 2 {
			t.Fatalf("associate's search hits = %+v, %v", byPrincipal, err)
		}
		start := clockStart(e)
		window, err := e.svc.FindCustomerAccess(officer, CustomerAccessFilter{From: start.Add(4 * time.Second), To: start.Add(6 * time.Second)})
		if err != nil || len(window.Items) != 2 || window.Items[0].Action != AccessView || window.Items[1].Action != AccessLookup {
			t.Fatalf("entries of seconds 4 and 5 = %+v, %v", window, err)
		}

		// Reading the log needs privacy:read over the whole tenant.
		for _, tc := range []struct {
			name string
			ctx  context.Context
		}{
			{"marketer", as(tenantA, auth.Marketer)},
			{"analyst", as(tenantA, auth.Analyst)},
			{"privacy officer of one store", scoped(auth.PrivacyOfficer, auth.StoreScope, storeA1)},
		} {
			_, err := e.svc.FindCustomerAccess(tc.ctx, CustomerAccessFilter{})
			wantCode(t, err, errs.Forbidden, "")
		}
		_, err = e.svc.FindCustomerAccess(officer, CustomerAccessFilter{Action: "peek"})
		wantCode(t, err, errs.Invalid, "query.action")
		_, err = e.svc.FindCustomerAccess(officer, CustomerAccessFilter{From: start, To: start})
		wantCode(t, err, errs.Invalid, "query.to")
		// Another tenant's officer sees none of it.
		other, err := e.svc.FindCustomerAccess(as(tenantB, auth.PrivacyOfficer), CustomerAccessFilter{})
		if err != nil || len(other.Items) != 0 {
			t.Fatalf("tenant B = %+v, %v", other, err)
		}
	})
}

// clockStart is the instant the test clock starts at (setup).
func clockStart(*env) time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) }
