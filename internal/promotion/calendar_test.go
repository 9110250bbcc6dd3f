package promotion

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func TestPromotionCalendarHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		memberDay := tenOff()
		memberDay.Conditions.Weekdays = []time.Weekday{time.Tuesday}
		memberDay.Group, memberDay.Priority = "member", 5
		happy := secondHalf()
		happy.Conditions.DailyFrom, happy.Conditions.DailyTo = 14*60, 17*60
		happy.Conditions.Stores = []string{"S1"}
		plain := manjian()
		plain.Conditions.Start = time.Date(2026, 3, 1, 0, 0, 0, 0, sh)
		plain.Conditions.End = time.Date(2026, 3, 4, 12, 0, 0, 0, sh)
		past := manjian()
		past.Conditions.End = time.Date(2026, 1, 1, 0, 0, 0, 0, sh)
		for code, def := range map[string]engine.Promotion{"MEMBER": memberDay, "HAPPY": happy, "PLAIN": plain, "PAST": past} {
			mustCreate(t, s, ctx, code, def)
		}
		ended := mustCreate(t, s, ctx, "ENDED", tenOff())
		if _, err := s.End(ctx, ended.ID); err != nil {
			t.Fatal(err)
		}
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"mkt": principal(tenantA, auth.Marketer), "pos": principal(tenantA, auth.Integrator)}})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)

		q := func(from, to string, extra ...string) string {
			v := url.Values{"from": {from}, "to": {to}}
			for i := 0; i+1 < len(extra); i += 2 {
				v.Set(extra[i], extra[i+1])
			}
			return "/api/v1/promotions/calendar?" + v.Encode()
		}
		week := []string{"2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00"} // Monday to Monday
		status, body := do(t, ts, "GET", q(week[0], week[1]), "mkt", "")
		if status != 200 {
			t.Fatalf("calendar: %d %s", status, body)
		}
		var cal PromotionCalendar
		if err := json.Unmarshal([]byte(body), &cal); err != nil {
			t.Fatal(err)
		}
		got := map[string][]CalendarWindow{}
		for _, it := range cal.Items {
			got[it.Code] = it.Windows
			if it.Code == "MEMBER" && (it.StackingGroup != "member" || it.Priority != 5 || it.Type != "amount_off" || it.Status != "draft") {
				t.Errorf("member day item %+v", it)
			}
		}
		at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, sh) }
		want := map[string][]CalendarWindow{
			"MEMBER": {{at(3, 0), at(4, 0)}},
			"PLAIN":  {{at(2, 0), at(4, 12)}},
			"HAPPY":  {{at(2, 14), at(2, 17)}, {at(3, 14), at(3, 17)}, {at(4, 14), at(4, 17)}, {at(5, 14), at(5, 17)}, {at(6, 14), at(6, 17)}, {at(7, 14), at(7, 17)}, {at(8, 14), at(8, 17)}},
		}
		if len(got) != len(want) {
			t.Fatalf("calendar items %v, want %v", got, want)
		}
		for code, ws := range want {
			if len(got[code]) != len(ws) {
				t.Fatalf("%s: %v, want %v", code, got[code], ws)
			}
			for i := range ws {
				if !got[code][i].Start.Equal(ws[i].Start) || !got[code][i].End.Equal(ws[i].End) {
					t.Errorf("%s window %d: %v, want %v", code, i, got[code][i], ws[i])
				}
			}
		}
		for _, tc := range []struct {
			name, path string
			status     int
			want, not  []string
		}{
			{name: "other store hides the happy hour", path: q(week[0], week[1], "store_id", "S2"), status: 200, want: []string{`"MEMBER"`}, not: []string{`"HAPPY"`}},
			{name: "ended on request", path: q(week[0], week[1], "status", "ended"), status: 200, want: []string{`"ENDED"`}, not: []string{`"MEMBER"`}},
			{name: "range over 93 days", path: q("2026-01-01T00:00:00Z", "2026-04-05T00:00:00Z"), status: 422, want: []string{`query.to`}},
			{name: "to before from", path: q(week[1], week[0]), status: 422, want: []string{`query.to`}},
			{name: "bad from", path: q("yesterday", week[1]), status: 422, want: []string{`query.from`}},
			{name: "bad time zone", path: q(week[0], week[1], "time_zone", "Mars/Base"), status: 422, want: []string{`query.time_zone`}},
			{name: "integrator lacks promotions:read", path: q(week[0], week[1]), status: 403},
		} {
			token := "mkt"
			if strings.HasPrefix(tc.name, "integrator") {
				token = "pos"
			}
			status, body := do(t, ts, "GET", tc.path, token, "")
			if status != tc.status {
				t.Errorf("%s: %d %s", tc.name, status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: lacks %s: %s", tc.name, w, body)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("%s: has %s: %s", tc.name, w, body)
				}
			}
		}
	})
}
