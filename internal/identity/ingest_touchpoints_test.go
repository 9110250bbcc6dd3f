package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// touchpointKey is the principal of an API key that belongs to one touchpoint.
func touchpointKey(tenantID, touchpointID string) *auth.Principal {
	return &auth.Principal{Kind: auth.KeyPrincipal, ID: "key-" + touchpointID, Name: "key", TenantID: tenantID,
		Scopes: []auth.Scope{auth.EventsIngest}, DataScope: auth.TenantScope, TouchpointID: touchpointID}
}

// call sends a JSON request and decodes a 2xx answer into out (when not nil).
func call(t *testing.T, method, u, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, u, err, b)
		}
	}
	if resp.StatusCode/100 != 2 {
		t.Logf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// timelineEvent is an event of a customer's timeline, as the test compares it.
type timelineEvent struct{ touchpoint, id, amount string }

// TestSecurity08_EventIDsAreUniquePerTouchpoint (issue 10 finding 8): event ids are
// the sending touchpoint's, so a key of touchpoint A posting id X never makes
// touchpoint B's event X a duplicate. Every place that finds an event by its id —
// de-duplication and replays, the timeline and its cursor, merge records and
// unmerge, reviews, the rebuild and key rotation — tells the two apart. Through the
// HTTP API with one key per touchpoint.
func TestSecurity08_EventIDsAreUniquePerTouchpoint(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tpA := mkTouchpoint(t, e, admin(tenantA), "POS-A")
		tpB := mkTouchpoint(t, e, admin(tenantA), "APP-B")
		base := ingestServer(t, e, fakeAuth{
			"key-a": touchpointKey(tenantA, tpA.ID),
			"key-b": touchpointKey(tenantA, tpB.ID),
			"admin": auth.FromContext(admin(tenantA)),
		})
		event := func(id, at, identifiers string, amount int) string {
			return fmt.Sprintf(`{"id":%q,"type":"order","occurred_at":"2026-03-01T07:%s:00Z","identifiers":%s,"properties":{"amount_fen":%d}}`,
				id, at, identifiers, amount)
		}
		send := func(token, code string, events ...string) EventIngestResponse {
			t.Helper()
			status, _, body := postEvents(t, base, token, code, events)
			var r EventIngestResponse
			if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
				t.Fatalf("POST /events as %s: %d %s", token, status, body)
			}
			return r
		}
		customerOf := func(phoneOrCard string) string {
			t.Helper()
			var c CustomerResponse
			if status := call(t, "GET", base+"/api/v1/customers?identifier="+url.QueryEscape(phoneOrCard), "admin", "", &c); status != http.StatusOK {
				t.Fatalf("look-up %s: %d", phoneOrCard, status)
			}
			return c.ID
		}
		timeline := func(customer string, limit int) []timelineEvent {
			t.Helper()
			var out []timelineEvent
			cursor := ""
			for range 20 {
				var page struct {
					Items      []CustomerEventResponse `json:"items"`
					NextCursor string                  `json:"next_cursor"`
				}
				u := fmt.Sprintf("%s/api/v1/customers/%s/events?limit=%d&cursor=%s", base, customer, limit, cursor)
				if status := call(t, "GET", u, "admin", "", &page); status != http.StatusOK {
					t.Fatalf("timeline of %s: %d", customer, status)
				}
				for _, ev := range page.Items {
					out = append(out, timelineEvent{ev.TouchpointID, ev.ID, fmt.Sprint(ev.Properties["amount_fen"])})
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			slices.SortFunc(out, func(a, b timelineEvent) int { return strings.Compare(a.touchpoint+a.id, b.touchpoint+b.id) })
			return out
		}
		sortedEvents := func(evs ...timelineEvent) []timelineEvent {
			slices.SortFunc(evs, func(a, b timelineEvent) int { return strings.Compare(a.touchpoint+a.id, b.touchpoint+b.id) })
			return evs
		}
		wantTimeline := func(what, customer string, want ...timelineEvent) {
			t.Helper()
			if got := timeline(customer, 1); !slices.Equal(got, sortedEvents(want...)) {
				t.Fatalf("%s: timeline %v, want %v", what, got, sortedEvents(want...))
			}
		}

		// A's key posts the id B is about to use; B's real event is still stored.
		if r := send("key-a", "POS-A", event("order-1001", "00", `{"phone":"13800000001"}`, 1)); r.Accepted != 1 {
			t.Fatalf("A's event: %+v", r)
		}
		if r := send("key-b", "APP-B", event("order-1001", "00", `{"phone":"13800000002"}`, 2)); r.Accepted != 1 || r.Duplicates != 0 {
			t.Fatalf("B's event with an id A used: %+v, want it accepted", r)
		}
		// Each touchpoint's own replays are still duplicates.
		for _, tp := range []struct{ key, code, phone string }{{"key-a", "POS-A", "13800000001"}, {"key-b", "APP-B", "13800000002"}} {
			if r := send(tp.key, tp.code, event("order-1001", "00", `{"phone":"`+tp.phone+`"}`, 9)); r.Accepted != 0 || r.Duplicates != 1 {
				t.Fatalf("%s replays its event: %+v", tp.code, r)
			}
		}
		for _, tp := range []Touchpoint{tpA, tpB} {
			var got TouchpointResponse
			if call(t, "GET", base+"/api/v1/touchpoints/"+tp.ID, "admin", "", &got); got.Health.EventsToday != 1 {
				t.Fatalf("%s: events today %d, want 1", tp.Code, got.Health.EventsToday)
			}
		}
		wantTimeline("A's customer", customerOf("phone:13800000001"), timelineEvent{tpA.ID, "order-1001", "1"})
		wantTimeline("B's customer", customerOf("phone:13800000002"), timelineEvent{tpB.ID, "order-1001", "2"})

		// One customer, the same long id at the same instant from both touchpoints:
		// the timeline pages through both, one per page.
		long := strings.Repeat("订", 128)
		send("key-a", "POS-A", event(long, "03", `{"phone":"13800000003"}`, 3))
		send("key-b", "APP-B", event(long, "03", `{"phone":"13800000003"}`, 4))
		wantTimeline("two events with one id", customerOf("phone:13800000003"), timelineEvent{tpA.ID, long, "3"}, timelineEvent{tpB.ID, long, "4"})

		// A merge moves both touchpoints' events "e-4004"; unmerging gives back only
		// the absorbed customer's.
		send("key-a", "POS-A", event("e-4004", "04", `{"phone":"13800000004"}`, 5))
		send("key-b", "APP-B", event("e-4004", "04", `{"member_card":"VIP-4"}`, 6))
		x, y := customerOf("phone:13800000004"), customerOf("member_card:VIP-4")
		send("key-a", "POS-A", event("link-4", "05", `{"phone":"13800000004","member_card":"VIP-4"}`, 7))
		if customerOf("member_card:VIP-4") != x {
			t.Fatal("the linking event did not merge the two customers")
		}
		if status := call(t, "POST", base+"/api/v1/customers/"+x+"/unmerge", "admin", `{"customer_id":"`+y+`"}`, nil); status != http.StatusOK {
			t.Fatalf("unmerge: %d", status)
		}
		wantTimeline("survivor after unmerge", x, timelineEvent{tpA.ID, "e-4004", "5"}, timelineEvent{tpA.ID, "link-4", "7"})
		wantTimeline("restored after unmerge", y, timelineEvent{tpB.ID, "e-4004", "6"})

		// A review names its event with the touchpoint that sent it.
		send("key-a", "POS-A", event("r-5005", "06", `{"phone":"13800000005","member_card":"VIP-5"}`, 8))
		send("key-b", "APP-B", event("r-5005", "06", `{"phone":"13800000006","member_card":"VIP-5"}`, 9))
		var reviews struct{ Items []ReviewResponse }
		call(t, "GET", base+"/api/v1/identity-reviews?status=open", "admin", "", &reviews)
		if len(reviews.Items) != 1 || reviews.Items[0].EventID != "r-5005" || reviews.Items[0].EventTouchpointID != tpB.ID {
			t.Fatalf("reviews = %+v, want one for B's r-5005", reviews.Items)
		}

		// A rebuild re-resolves both order-1001 events to their own customers, and a
		// key rotation re-seals each with its own values.
		if _, err := e.svc.Rebuild(admin(tenantA), RebuildOptions{}); err != nil {
			t.Fatal(err)
		}
		wantTimeline("A's customer after a rebuild", customerOf("phone:13800000001"), timelineEvent{tpA.ID, "order-1001", "1"})
		wantTimeline("B's customer after a rebuild", customerOf("phone:13800000002"), timelineEvent{tpB.ID, "order-1001", "2"})
		next := keysOf(t, 'n')
		if _, err := RotateKeys(context.Background(), d, e.svc.pii, next, RotateOptions{BatchSize: 1}); err != nil {
			t.Fatal(err)
		}
		rotated := serviceWith(e, next)
		for _, want := range []struct{ phone, touchpoint, amount string }{{"+8613800000001", tpA.ID, "1"}, {"+8613800000002", tpB.ID, "2"}} {
			c, err := rotated.FindCustomerByIdentifier(admin(tenantA), "phone:"+want.phone)
			if err != nil {
				t.Fatal(err)
			}
			page, err := rotated.FindCustomerEvents(admin(tenantA), c.ID, CustomerEventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 1 || page.Items[0].TouchpointID != want.touchpoint || page.Items[0].Identifiers["phone"] != want.phone ||
				fmt.Sprint(page.Items[0].Properties["amount_fen"]) != want.amount {
				t.Fatalf("after rotation, %s's events: %+v", want.phone, page.Items)
			}
		}
	})
}
