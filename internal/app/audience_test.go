package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// TestAudienceFollowsOrders runs the audience wiring end to end: a rule tag and a
// segment over dairy buyers hold nobody until a till ticket of customer 0 with milk
// completes; once the outbox delivers order.completed the customer carries the rule
// tag and is in the segment (within one second of the delivery), segment.entered is
// published once, and a second node on the same database reports the same count
// without having handled the event.
func TestAudienceFollowsOrders(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			ctx := context.Background()
			w.h.deliverOutbox(t)
			w.admin("POST", "/api/v1/audience-tags", "", `{"code":"dairy_fan","name":"乳品爱好者","kind":"rule","value_type":"boolean",
				"expression":"bought(\"DAIRY\", 30d) and orders(30d) >= 1"}`)
			seg := w.id(w.admin("POST", "/api/v1/audience-segments", "", `{"code":"dairy30","name":"30 天乳品顾客",
				"text":"tag(\"dairy_fan\") and city = \"上海\" or bought(\"DAIRY\", 30d)"}`))
			count := func(h *harness) int64 {
				status, _, body := h.do(t, "GET", "/api/v1/audience-segments/"+seg, h.keyA, "", "")
				if status != 200 {
					t.Fatalf("segment: %d %s", status, body)
				}
				var g struct {
					Count int64 `json:"count"`
				}
				w.decode(body, &g)
				return g.Count
			}
			if n := count(w.h); n != 0 {
				t.Fatalf("before any order the segment holds %d, want 0", n)
			}
			// A second node on the same database, serving reads only.
			second, err := app.New(ctx, app.Config{DB: w.dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.TestConfig(),
				PIISecret: pii.TestSecret()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { second.Close() })
			h2 := &harness{app: second, server: httptest.NewServer(second.Handler()), keyA: w.h.keyA}
			t.Cleanup(h2.server.Close)
			if n := count(h2); n != 0 {
				t.Fatalf("the second node counts %d before any order, want 0", n)
			}

			ticket := fmt.Sprintf(`{"external_ref":"A%d","store_id":%q,"customer_id":%q,"placed_at":%q,"stated_payable_fen":1490,
				"lines":[{"sku_id":%q,"qty":1}],"payments":[{"method":"cash","amount_fen":1490}]}`,
				w.next(), w.store[0], w.customer[0], time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), w.sku)
			w.admin("POST", "/api/v1/pos-tickets", "", ticket)
			w.h.deliverOutbox(t)
			delivered := time.Now()
			if n := count(w.h); n != 1 {
				t.Fatalf("after the ticket the segment holds %d, want 1", n)
			}
			tags := w.admin("GET", "/api/v1/customers/"+w.customer[0]+"/tags", "", "")
			if !strings.Contains(tags, `"tag_code":"dairy_fan"`) {
				t.Fatalf("customer 0's tags lack the rule tag: %s", tags)
			}
			if took := time.Since(delivered); took > time.Second {
				t.Fatalf("tags and segment current %v after delivery, want within 1 s", took)
			}
			members := w.admin("GET", "/api/v1/audience-segments/"+seg+"/members", "", "")
			if !strings.Contains(members, w.customer[0]) || strings.Contains(members, w.customer[1]) {
				t.Fatalf("members: %s", members)
			}
			var entered int
			if err := w.h.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_events WHERE type = 'audience.segment.entered' AND aggregate_id = $1`, seg).Scan(&entered); err != nil || entered != 1 {
				t.Fatalf("%d segment.entered events (%v), want 1", entered, err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for count(h2) != 1 {
				if time.Now().After(deadline) {
					t.Fatalf("the second node still counts %d, want 1", count(h2))
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err := w.h.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_events WHERE type = 'audience.segment.entered' AND aggregate_id = $1`, seg).Scan(&entered); err != nil || entered != 1 {
				t.Fatalf("%d segment.entered events after the second node caught up (%v), want 1", entered, err)
			}
			preview := w.admin("POST", "/api/v1/audience-segments/preview", "", `{"text":"not in_segment(\"dairy30\")"}`)
			var pv struct {
				Count int64 `json:"count"`
				Base  int64 `json:"base"`
			}
			w.decode(preview, &pv)
			if pv.Base < 2 || pv.Count != pv.Base-1 {
				t.Fatalf("preview of the complement: %s, want every live member but customer 0", preview)
			}
			t.Logf("%s: a dairy ticket put customer 0 in the rule tag and the segment %v after delivery; the second node agreed", dialect,
				time.Since(delivered).Round(time.Millisecond))
		})
	}
}

// TestAudienceHandOffs takes a segment out of the platform the three ways a marketer
// does: a member file, an advertising audience of hashed phones that leaves out
// customers without the advertising consent, and coupons issued to every member.
func TestAudienceHandOffs(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			seg := w.audienceSegment // every live member
			csv := w.admin("GET", "/api/v1/audience-segments/"+seg+"/members/export?file_format=csv", "", "")
			if !strings.HasPrefix(strings.TrimPrefix(csv, "\uFEFF"), "customer_id,city,gender,tiers,last_order_on,spend_yuan") ||
				!strings.Contains(csv, w.customer[0]) || !strings.Contains(csv, w.customer[1]) {
				t.Fatalf("member export:\n%s", csv)
			}
			if strings.Contains(csv, w.phone[0]) {
				t.Fatalf("the member export holds a phone:\n%s", csv)
			}
			// Only customer 0 consents to advertising.
			w.admin("POST", "/api/v1/customers/"+w.customer[0]+"/consents", "", `{"purpose":"advertising","channel":"ads","granted":true,"source":"console"}`)
			status, headers, body := w.h.do(t, "GET", "/api/v1/audience-segments/"+seg+"/ad-audience?identifier=phone&hash=sha256", w.h.keyA, "", "")
			sum := sha256.Sum256([]byte(w.phone[0]))
			if status != 200 || strings.TrimSpace(body) != hex.EncodeToString(sum[:]) || headers.Get("X-Exported") != "1" {
				t.Fatalf("ad audience: %d %v %q, want only customer 0's hashed phone", status, headers, body)
			}
			var iss struct {
				ID     string `json:"id"`
				Issued int64  `json:"issued"`
				Total  int64  `json:"total"`
			}
			w.decode(w.admin("POST", "/api/v1/audience-segments/"+seg+"/coupon-issues", "", `{"template_id":"`+w.couponTemplate+`","key":"seg-1"}`), &iss)
			if iss.Total < 2 || iss.Issued == 0 {
				t.Fatalf("coupon issue to the segment: %+v", iss)
			}
			var again struct {
				ID string `json:"id"`
			}
			w.decode(w.admin("POST", "/api/v1/audience-segments/"+seg+"/coupon-issues", "", `{"template_id":"`+w.couponTemplate+`","key":"seg-1"}`), &again)
			if again.ID != iss.ID {
				t.Fatalf("replaying the key made issue %s, want %s", again.ID, iss.ID)
			}
		})
	}
}
