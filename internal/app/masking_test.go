package app_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/width"
	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii/piitest"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// getOperation is a GET operation of the OpenAPI document with its query parameters.
type getOperation struct {
	path  string
	query []string
}

// getOperations lists the document's GET operations under /api/v1, in path order.
func getOperations(h *harness) []getOperation {
	var out []getOperation
	for path, item := range h.app.API.OpenAPI().Paths {
		if item.Get == nil || !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		op := getOperation{path: path}
		for _, p := range item.Get.Parameters {
			if p.In == "query" {
				op.query = append(op.query, p.Name)
			}
		}
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b getOperation) int { return strings.Compare(a.path, b.path) })
	return out
}

// maskedReaderKey creates, as tenant alpha's all-scopes key, a key holding every scope
// but customers:pii.
func maskedReaderKey(t *testing.T, h *harness) string {
	t.Helper()
	var scopes []string
	for _, s := range auth.AllScopes() {
		if s != auth.CustomersPII {
			scopes = append(scopes, string(s))
		}
	}
	body, _ := json.Marshal(map[string]any{"name": "masked reader", "scopes": scopes})
	status, _, resp := h.do(t, "POST", "/api/v1/api-keys", h.keyA, "application/json", string(body))
	var k struct {
		Secret string `json:"secret"`
	}
	if status != 201 && status != 200 || json.Unmarshal([]byte(resp), &k) != nil || k.Secret == "" {
		t.Fatalf("create key: %d %s", status, resp)
	}
	return k.Secret
}

// TestSecurity02_NoPlantedPersonalValueReachesAMaskedReader is issue 10's masking
// property through the real HTTP API: random event properties plant personal data
// under any key (the finding's names, random Chinese and mixed-case names, declared
// names), at any depth and in any JSON type, beside personal identifiers, a merge note,
// a review note and a consent source; then every GET operation of the OpenAPI
// document is called with a key holding every scope but customers:pii — path ids
// filled with the customer's (or the touchpoint's) id, each query parameter set to a
// planted value in turn — and no response may hold a planted value or eight
// consecutive digits of a planted phone or identity card number.
func TestSecurity02_NoPlantedPersonalValueReachesAMaskedReader(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			// The walk reads every customer endpoint many times per run: lift the
			// look-up limits, which TestSecurity06_LookupRateLimitedOverHTTP covers.
			h := setupWith(t, dialect, func(c *app.Config) {
				c.CustomerLookups = identity.LookupLimits{
					Search: ratelimit.Rule{Limit: 1_000_000, Window: time.Hour},
					Read:   ratelimit.Rule{Limit: 1_000_000, Window: time.Hour},
				}
			})
			reader := maskedReaderKey(t, h)
			tp := h.create(t, "/api/v1/touchpoints", `{"code":"pos","name":"POS","type":"offline","channel":"pos"}`)
			var schema struct {
				NonPersonal []string `json:"non_personal"`
			}
			if _, _, body := h.do(t, "GET", "/api/v1/event-schema", reader, "", ""); json.Unmarshal([]byte(body), &schema) != nil || len(schema.NonPersonal) == 0 {
				t.Fatalf("event schema: %s", body)
			}
			ops := getOperations(h)
			if len(ops) < 30 {
				t.Fatalf("only %d GET operations found", len(ops))
			}
			n, last, lastPhone := 0, "", ""
			rapid.Check(t, func(rt *rapid.T) {
				n++
				var planted piitest.Planted
				plant := func(p piitest.Planted) string {
					planted.Add(p)
					return fmt.Sprint(p.Properties["v"])
				}
				phone := fmt.Sprint(piitest.Phone().Filter(func(p piitest.Planted) bool { _, ok := p.Properties["v"].(string); return ok }).Draw(rt, "queryPhone").Properties["v"])
				phoneDigits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, width.Fold.String(phone))
				planted.Add(piitest.Planted{Needles: []string{phone}, Digits: []string{phoneDigits[len(phoneDigits)-11:]}})
				name := plant(piitest.Name().Draw(rt, "queryName"))
				card := fmt.Sprintf("VIP%d%s", n, piitest.Digits().Draw(rt, "card"))
				other := fmt.Sprintf("dev-%d-%08d", n, rapid.IntRange(0, 99999999).Draw(rt, "device"))
				// Identifiers are unique per run (shrinking repeats draws): a phone or
				// e-mail shared with an earlier run would join its customer.
				unionid := fmt.Sprintf("oU%d", n) + rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyz")), 16, 16, -1).Draw(rt, "unionid")
				ep := piitest.Email().Draw(rt, "email")
				local, domain, _ := strings.Cut(fmt.Sprint(ep.Properties["v"]), "@")
				email := fmt.Sprintf("%s%d@%s", local, n, domain)
				planted.Add(piitest.Planted{Needles: []string{email, strings.ToLower(local[1:])}})
				identPhone, secondPhone := fmt.Sprintf("139%08d", n), fmt.Sprintf("137%08d", n)
				planted.Add(piitest.Planted{Needles: []string{card[:len(card)-4], unionid[:len(unionid)-4], other[:len(other)-4]},
					Digits: []string{identPhone, secondPhone, card[len(card)-8:]}})

				events := []map[string]any{}
				for i := range rapid.IntRange(1, 3).Draw(rt, "events") {
					p := piitest.Properties(schema.NonPersonal).Draw(rt, "properties")
					planted.Add(p)
					ev := map[string]any{"id": fmt.Sprintf("c%d-e%d", n, i), "type": "order", "occurred_at": "2026-01-01T00:00:00Z",
						"identifiers": map[string]string{"member_card": card, "phone": identPhone, "email": email, "wechat_unionid": unionid},
						"properties":  p.Properties}
					events = append(events, ev)
				}
				// A second customer, merged below with a note; a second phone for the
				// first one's card, refused into a review.
				events = append(events,
					map[string]any{"id": fmt.Sprintf("c%d-b", n), "type": "visit", "occurred_at": "2026-01-01T00:00:00Z", "identifiers": map[string]string{"device_id": other}},
					map[string]any{"id": fmt.Sprintf("c%d-r", n), "type": "visit", "occurred_at": "2026-01-02T00:00:00Z",
						"identifiers": map[string]string{"member_card": card, "phone": secondPhone}})
				body, _ := json.Marshal(map[string]any{"touchpoint": "pos", "events": events})
				if status, _, resp := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json", string(body)); status != 200 || !strings.Contains(resp, `"rejected":[]`) {
					rt.Fatalf("ingest: %d %s\n%s", status, resp, body)
				}
				customer, absorbed := customerID(t, h, "member_card:"+card), customerID(t, h, "device_id:"+other)
				note := name + " " + phone + " " + email
				if status, _, resp := h.do(t, "POST", "/api/v1/customers/"+customer+"/merge", h.keyA, "application/json",
					`{"customer_ids":["`+absorbed+`"],"note":`+quote(note)+`}`); status != 200 {
					rt.Fatalf("merge: %d %s", status, resp)
				}
				if status, _, resp := h.do(t, "POST", "/api/v1/customers/"+customer+"/consents", h.keyA, "application/json",
					`{"purpose":"marketing","channel":"sms","granted":true,"source":`+quote("门店 "+name+" "+phone)+`}`); status != 200 {
					rt.Fatalf("consent: %d %s", status, resp)
				}
				resolveReviews(t, h, note)
				last, lastPhone = customer, identPhone

				for _, op := range ops {
					path := op.path
					id := "0190a0a0-0000-7000-8000-000000000000"
					switch {
					case strings.HasPrefix(path, "/api/v1/customers/"):
						id = customer
					case strings.HasPrefix(path, "/api/v1/touchpoints/"):
						id = tp
					}
					path = fillPath(path, id)
					requests := []string{path}
					if slices.Contains(op.query, "limit") {
						requests[0] += "?limit=1000"
					}
					for _, q := range op.query {
						// Every parameter gets a phone number; the searches get names too.
						// (Other parameters may quote a caller's own text back in an
						// error, such as an unknown code: reflection, not disclosure.)
						values := []string{phone}
						switch q {
						case "q":
							values = append(values, name)
						case "identifier":
							values = []string{"phone:" + identPhone, "member_card:" + card, phone + ":" + name, name}
						}
						for _, v := range values {
							requests = append(requests, path+"?"+q+"="+url.QueryEscape(v))
						}
					}
					for _, r := range requests {
						status, _, resp := h.do(t, "GET", r, reader, "", "")
						if status >= 500 {
							rt.Fatalf("GET %s: %d %s", r, status, resp)
						}
						if leaks := planted.Leaks(resp); len(leaks) > 0 {
							rt.Fatalf("GET %s shows %q to a reader without customers:pii:\n%s", r, leaks, resp)
						}
						if r == "/api/v1/customers/"+customer && (status != 200 || !strings.Contains(resp, `"masked":true`)) {
							rt.Fatalf("GET %s: %d %s", r, status, resp)
						}
					}
				}
			})
			// The walk read what it checked: the hq_admin's key sees the planted values.
			if _, _, body := h.do(t, "GET", "/api/v1/customers/"+last, h.keyA, "", ""); !strings.Contains(body, lastPhone) {
				t.Fatalf("admin 360: %s", body)
			}
		})
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// customerID looks a customer up by TYPE:VALUE as tenant alpha's admin key.
func customerID(t *testing.T, h *harness, identifier string) string {
	t.Helper()
	_, _, body := h.do(t, "GET", "/api/v1/customers?identifier="+url.QueryEscape(identifier), h.keyA, "", "")
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil || c.ID == "" {
		t.Fatalf("customer %s: %s", identifier, body)
	}
	return c.ID
}

// resolveReviews resolves every open identity review of tenant alpha with note.
func resolveReviews(t *testing.T, h *harness, note string) {
	t.Helper()
	_, _, body := h.do(t, "GET", "/api/v1/identity-reviews?status=open&limit=1000", h.keyA, "", "")
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("reviews: %s", body)
	}
	for _, r := range page.Items {
		if status, _, resp := h.do(t, "POST", "/api/v1/identity-reviews/"+r.ID+"/resolve", h.keyA, "application/json",
			`{"action":"separate","note":`+quote(note)+`}`); status != 200 {
			t.Fatalf("resolve %s: %d %s", r.ID, status, resp)
		}
	}
}
