package identity

import (
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestConsentHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{"MINI", "c1", "consent", "2026-03-01T06:00:00Z", `{"phone":"13800138000"}`, `{"purpose":"marketing","channel":"wechat","granted":true}`},
			// A consent event with a bad channel is kept, but records nothing.
			ev{"MINI", "c2", "consent", "2026-03-01T06:05:00Z", `{"phone":"13800138000"}`, `{"purpose":"marketing","channel":"fax","granted":true}`},
		)
		id := idOf(t, e, "phone:13800138000")
		at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
		steps := []struct {
			name string
			n    NewConsent
			want map[string]bool // channel → granted in force
		}{
			{"grant sms", NewConsent{Purpose: "marketing", Channel: "sms", Granted: true, Source: "console", OccurredAt: at(6)}, map[string]bool{"sms": true, "wechat": true}},
			{"withdraw sms", NewConsent{Purpose: "marketing", Channel: "sms", Granted: false, Source: "store call", OccurredAt: at(7)}, map[string]bool{"sms": false, "wechat": true}},
			{"an older grant goes to the history only", NewConsent{Purpose: "marketing", Channel: "sms", Granted: true, Source: "import", OccurredAt: at(5)}, map[string]bool{"sms": false, "wechat": true}},
			{"withdraw wechat now", NewConsent{Purpose: "marketing", Channel: "wechat", Granted: false, Source: "console"}, map[string]bool{"sms": false, "wechat": false}},
		}
		for _, s := range steps {
			cur, err := e.svc.RecordConsent(as(tenantA, auth.Marketer), id, s.n)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got := map[string]bool{}
			for _, c := range cur {
				got[c.Channel] = c.Granted
			}
			if len(got) != len(s.want) || got["sms"] != s.want["sms"] || got["wechat"] != s.want["wechat"] {
				t.Fatalf("%s: consents = %+v", s.name, cur)
			}
		}
		page, err := e.svc.FindConsentHistory(ctx, id, ConsentHistoryFilter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 3 || page.NextCursor == "" || page.Items[0].Source != "MINI" || page.Items[0].Channel != "wechat" || page.Items[1].Source != "console" {
			t.Fatalf("history page 1 = %+v", page)
		}
		rest, err := e.svc.FindConsentHistory(ctx, id, ConsentHistoryFilter{Limit: 3, Cursor: page.NextCursor})
		if err != nil || len(rest.Items) != 2 || rest.Items[0].Source != "import" || rest.Items[0].Granted != true || rest.NextCursor != "" {
			t.Fatalf("history page 2 = %+v, %v", rest, err)
		}
		c := find360(t, ctx, e, "phone:13800138000")
		if len(c.Consents) != 2 || c.Consents[0].Channel != "sms" || c.Consents[0].Source != "store call" {
			t.Fatalf("360 consents = %+v", c.Consents)
		}

		// Consents of a merged customer count for the survivor (the latest wins) and
		// stay with it when unmerged.
		send(t, e, ev{"MINI", "c3", "consent", "2026-03-01T07:30:00Z", `{"member_card":"K1"}`, `{"purpose":"marketing","channel":"sms","granted":true}`})
		other := idOf(t, e, "member_card:K1")
		if _, err := e.svc.MergeCustomers(ctx, id, []string{other}, ""); err != nil {
			t.Fatal(err)
		}
		if c := find360(t, ctx, e, "phone:13800138000"); len(c.Consents) != 2 || !c.Consents[0].Granted || c.Consents[0].Source != "MINI" {
			t.Fatalf("merged consents = %+v", c.Consents)
		}
		if _, _, err := e.svc.UnmergeCustomer(ctx, id, other); err != nil {
			t.Fatal(err)
		}
		if c := find360(t, ctx, e, "phone:13800138000"); c.Consents[0].Granted {
			t.Fatalf("unmerged consents = %+v", c.Consents)
		}

		tests := []struct {
			name  string
			n     NewConsent
			field string
		}{
			{"purpose", NewConsent{Purpose: "sales", Channel: "sms", Source: "x"}, "body.purpose"},
			{"channel", NewConsent{Purpose: "marketing", Channel: "fax", Source: "x"}, "body.channel"},
			{"source", NewConsent{Purpose: "marketing", Channel: "sms", Source: " "}, "body.source"},
			{"future", NewConsent{Purpose: "marketing", Channel: "sms", Source: "x", OccurredAt: at(12)}, "body.occurred_at"},
		}
		for _, tt := range tests {
			_, err := e.svc.RecordConsent(ctx, id, tt.n)
			wantCode(t, err, errs.Invalid, tt.field)
		}
		_, err = e.svc.RecordConsent(as(tenantA, auth.Analyst), id, steps[0].n)
		wantCode(t, err, errs.Forbidden, "")
		_, err = e.svc.RecordConsent(ctx, "nobody", steps[0].n)
		wantCode(t, err, errs.NotFound, "")
	})
}
