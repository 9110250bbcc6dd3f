package identity

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func TestCustomer360HTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		tokens := fakeAuth{
			"admin":    auth.FromContext(admin(tenantA)),
			"marketer": auth.FromContext(as(tenantA, auth.Marketer)),
			"analyst":  auth.FromContext(as(tenantA, auth.Analyst)),
			"admin-b":  auth.FromContext(admin(tenantB)),
		}
		srv := httpapi.New(httpapi.Options{Auth: tokens})
		e.svc.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		send(t, e,
			ev{"POS1", "h1", "visit", "", `{"phone":"13800138000"}`, `{"name":"王小明","birthday":"1990-05-01"}`},
			ev{"POS1", "h2", "visit", "", `{"phone":"13900139000"}`, ``},
			ev{"POS1", "h3", "visit", "", `{"phone":"13900139000","member_card":"K1"}`, ``},
			ev{"POS1", "h4", "visit", "", `{"phone":"13800138000","member_card":"K1"}`, ``},
			ev{"MINI", "h5", "visit", "", `{"email":"w@example.com"}`, ``},
			// A review whose reason names the phone left out.
			ev{"POS1", "h6", "visit", "", `{"phone":"13700137000","member_card":"K1"}`, ``},
		)
		x, y, w := idOf(t, e, "phone:13800138000"), idOf(t, e, "phone:13900139000"), idOf(t, e, "email:w@example.com")
		reviews, err := e.svc.FindReviews(admin(tenantA), ReviewFilter{})
		if err != nil || len(reviews.Items) != 2 {
			t.Fatalf("reviews = %+v, %v", reviews, err)
		}
		review := reviews.Items[0].ID

		scenarios := []struct {
			name, method, path, token, body string
			status                          int
			contains, absent                string
		}{
			{"search by phone, masked", "GET", "/api/v1/customers/search?q=138%200013%208000", "marketer", "", 200, `"phone":"138****8000","city":""`, "13800138000"},
			{"search by name, full", "GET", "/api/v1/customers/search?q=%E7%8E%8B%E5%B0%8F%E6%98%8E", "admin", "", 200, `"name":"王小明","phone":"+8613800138000"`, ""},
			{"search nothing", "GET", "/api/v1/customers/search?q=nobody", "admin", "", 200, `{"items":[]}`, ""},
			{"search without q", "GET", "/api/v1/customers/search", "admin", "", 422, `query.q`, ""},
			{"search limit too big", "GET", "/api/v1/customers/search?q=x&limit=51", "admin", "", 422, `query.limit`, ""},
			{"export masked as the search", "GET", "/api/v1/customers/search/export?file_format=csv&q=13800138000", "marketer", "", 200, `,王**,138****8000,`, "13800138000"},
			{"export full, escaped", "GET", "/api/v1/customers/search/export?file_format=csv&q=13800138000", "admin", "", 200, "\uFEFFid,name,phone,", ""},
			{"export full phone keeps its + behind a quote", "GET", "/api/v1/customers/search/export?file_format=csv&q=13800138000", "admin", "", 200, `,王小明,'+8613800138000,`, ""},
			{"export without q", "GET", "/api/v1/customers/search/export", "admin", "", 422, `query.q`, ""},
			{"search other tenant", "GET", "/api/v1/customers/search?q=13800138000", "admin-b", "", 200, `{"items":[]}`, ""},
			{"360 masked", "GET", "/api/v1/customers/" + x, "marketer", "", 200, `"masked":true`, "王小明"},
			{"360 masked name", "GET", "/api/v1/customers/" + x, "analyst", "", 200, `"name":"王**","gender":"unknown","birthday":"1990-**-**"`, ""},
			{"360 full", "GET", "/api/v1/customers/" + x, "admin", "", 200, `"slots":{"orders":null,"points":null,"coupons":null,"tags":[],"associate":null}`, ""},
			{"lookup masked", "GET", "/api/v1/customers?identifier=phone:13800138000", "marketer", "", 200, `"value":"138****8000"`, "+8613800138000"},
			{"consent", "POST", "/api/v1/customers/" + x + "/consents", "marketer", `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`, 200, `"items":[{"purpose":"marketing","channel":"sms","granted":true,"source":"console"`, ""},
			{"consent bad channel", "POST", "/api/v1/customers/" + x + "/consents", "marketer", `{"purpose":"marketing","channel":"fax","granted":true,"source":"console"}`, 422, `body.channel`, ""},
			{"consent unknown field", "POST", "/api/v1/customers/" + x + "/consents", "marketer", `{"purpose":"marketing","channel":"sms","granted":true,"source":"c","x":1}`, 422, ``, ""},
			{"consent without write", "POST", "/api/v1/customers/" + x + "/consents", "analyst", `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`, 403, ``, ""},
			{"consent unknown customer", "POST", "/api/v1/customers/nobody/consents", "admin", `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`, 404, ``, ""},
			{"consent history", "GET", "/api/v1/customers/" + x + "/consents/history", "analyst", "", 200, `"source":"console","occurred_at"`, ""},
			{"merge refused", "POST", "/api/v1/customers/" + x + "/merge", "admin", `{"customer_ids":["` + y + `"]}`, 409, `2 phone identifiers (at most 1 allowed)`, ""},
			{"merge empty", "POST", "/api/v1/customers/" + x + "/merge", "admin", `{"customer_ids":[]}`, 422, `body.customer_ids`, ""},
			{"merge unknown", "POST", "/api/v1/customers/" + x + "/merge", "admin", `{"customer_ids":["nobody"]}`, 404, `body.customer_ids`, ""},
			{"merge without write", "POST", "/api/v1/customers/" + x + "/merge", "analyst", `{"customer_ids":["` + y + `"]}`, 403, ``, ""},
			{"unmerge not merged", "POST", "/api/v1/customers/" + x + "/unmerge", "admin", `{"customer_id":"` + y + `"}`, 409, `body.customer_id`, ""},
			{"unmerge unknown", "POST", "/api/v1/customers/" + x + "/unmerge", "admin", `{"customer_id":"nobody"}`, 404, ``, ""},
			{"merges", "GET", "/api/v1/customers/" + x + "/merges", "analyst", "", 200, `{"items":[]}`, ""},
			{"merge", "POST", "/api/v1/customers/" + x + "/merge", "marketer", `{"customer_ids":["` + w + `"],"note":"same"}`, 200, `"value":"w***@example.com"`, ""},
			{"merge again", "POST", "/api/v1/customers/" + x + "/merge", "marketer", `{"customer_ids":["` + w + `"]}`, 409, `already merged`, ""},
			{"merged id", "GET", "/api/v1/customers/" + w, "admin", "", 200, `"merged_from":"` + w + `"`, ""},
			{"merges after merge", "GET", "/api/v1/customers/" + w + "/merges", "analyst", "", 200, `"absorbed_id":"` + w + `","kind":"manual","reason":"manual merge: s***"`, "same"},
			{"merges after merge, full", "GET", "/api/v1/customers/" + w + "/merges", "admin", "", 200, `"reason":"manual merge: same"`, ""},
			{"unmerge", "POST", "/api/v1/customers/" + x + "/unmerge", "marketer", `{"customer_id":"` + w + `"}`, 200, `"restored":{"id":"` + w + `"`, ""},
			{"reviews masked", "GET", "/api/v1/identity-reviews", "analyst", "", 200, `a phone identifier not added`, "13700137000"},
			{"reviews full", "GET", "/api/v1/identity-reviews", "admin", "", 200, `a phone identifier not added`, "13700137000"},
			{"merges unknown", "GET", "/api/v1/customers/nobody/merges", "analyst", "", 404, ``, ""},
			{"reviews", "GET", "/api/v1/identity-reviews?status=open", "analyst", "", 200, `"score":null,"explanation":null,"status":"open"`, ""},
			{"reviews bad status", "GET", "/api/v1/identity-reviews?status=closed", "analyst", "", 422, `query.status`, ""},
			{"resolve bad action", "POST", "/api/v1/identity-reviews/" + review + "/resolve", "admin", `{"action":"maybe"}`, 422, `body.action`, ""},
			{"resolve merge refused", "POST", "/api/v1/identity-reviews/" + review + "/resolve", "admin", `{"action":"merge"}`, 409, `phone identifiers`, ""},
			{"resolve separate", "POST", "/api/v1/identity-reviews/" + review + "/resolve", "admin", `{"action":"separate","note":"two people"}`, 200, `"status":"resolved"`, ""},
			{"resolve twice", "POST", "/api/v1/identity-reviews/" + review + "/resolve", "admin", `{"action":"separate"}`, 409, ``, ""},
			{"resolve unknown", "POST", "/api/v1/identity-reviews/nope/resolve", "admin", `{"action":"separate"}`, 404, ``, ""},
			{"reviews carry reason codes and sides", "GET", "/api/v1/identity-reviews?status=open", "analyst", "", 200, `"reasons":[{"code":"type_limit","type":"phone","count":2,"limit":1},{"code":"identifier_not_added_type_limit","type":"phone","limit":1}],"left":"`, ""},
			{"reviews by score", "GET", "/api/v1/identity-reviews?min_score=0.5", "analyst", "", 200, `{"items":[]}`, ""},
			{"reviews bad min score", "GET", "/api/v1/identity-reviews?min_score=2", "analyst", "", 422, `min_score`, ""},
			{"bulk resolve", "POST", "/api/v1/identity-reviews/resolve", "admin", `{"action":"separate","review_ids":["` + review + `","nope"]}`, 200, `{"items":[{"review_id":"` + review + `","outcome":"unchanged"},{"review_id":"nope","outcome":"not_found","message":"review not found"}]}`, ""},
			{"bulk resolve empty", "POST", "/api/v1/identity-reviews/resolve", "admin", `{"action":"separate","review_ids":[]}`, 422, `body.review_ids`, ""},
			{"bulk resolve without write", "POST", "/api/v1/identity-reviews/resolve", "analyst", `{"action":"separate","review_ids":["` + review + `"]}`, 403, ``, ""},
			{"list masked", "GET", "/api/v1/customers/list?limit=10", "marketer", "", 200, `"phone":"138****8000"`, "13800138000"},
			{"list full", "GET", "/api/v1/customers/list", "admin", "", 200, `"phone":"+8613800138000"`, ""},
			{"list total", "GET", "/api/v1/customers/list?min_identifiers=2", "admin", "", 200, `"total":1,"total_exact":true`, ""},
			{"list bad status", "GET", "/api/v1/customers/list?status=gone", "admin", "", 422, `status`, ""},
			{"list bad bounds", "GET", "/api/v1/customers/list?min_identifiers=3&max_identifiers=2", "admin", "", 422, `query.max_identifiers`, ""},
			{"list bad cursor", "GET", "/api/v1/customers/list?cursor=bm9wZQ", "admin", "", 422, `query.cursor`, ""},
			{"list other tenant", "GET", "/api/v1/customers/list", "admin-b", "", 200, `"items":[]`, "8613800138000"},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				req, err := http.NewRequest(s.method, ts.URL+s.path, strings.NewReader(s.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+s.token)
				if s.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != s.status || !strings.Contains(string(b), s.contains) || (s.absent != "" && strings.Contains(string(b), s.absent)) {
					t.Fatalf("status %d, body %s\n; want %d containing %s without %q", res.StatusCode, b, s.status, s.contains, s.absent)
				}
				if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("content type %s", res.Header.Get("Content-Type"))
				}
			})
		}
	})
}
