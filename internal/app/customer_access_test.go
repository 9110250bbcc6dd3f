package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// login creates a user as tenant alpha and returns its session token; each user
// logs in from its own address, so the login limiter never counts them together.
func (h *harness) login(t *testing.T, login, role, scopeType, scopeID string) string {
	t.Helper()
	body := fmt.Sprintf(`{"login":%q,"name":%q,"password":"long enough pw","role":%q,"scope_type":%q,"scope_id":%q}`, login, login, role, scopeType, scopeID)
	h.create(t, "/api/v1/users", body)
	_, token, _, err := h.app.Org.Login(context.Background(), org.LoginInput{Login: login, Password: "long enough pw", ClientIP: "10.0.0." + fmt.Sprint(len(login))})
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return token
}

// customerOf looks the customer holding identifier up with the all-scopes key.
func (h *harness) customerOf(t *testing.T, identifier string) string {
	t.Helper()
	status, _, body := h.do(t, "GET", "/api/v1/customers?identifier="+identifier, h.keyA, "", "")
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &c); status != 200 || err != nil || c.ID == "" {
		t.Fatalf("customer %s: %d %s", identifier, status, body)
	}
	return c.ID
}

// TestSecurity05_ScopedUsersOverHTTP is the finding as reported: a marketer of brand
// X got 404 on a store of brand Y but 200 on that store's customers, their consents,
// merges and unmerges; a store manager read a customer of a store in another city.
// Through the real org domain (brands, stores, users, sessions) every one of those
// now answers 404, and the customers of their own stores still answer.
func TestSecurity05_ScopedUsersOverHTTP(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			brandX := h.create(t, "/api/v1/brands", `{"code":"X","name":"X Mart"}`)
			brandY := h.create(t, "/api/v1/brands", `{"code":"Y","name":"Y Fresh"}`)
			region := h.create(t, "/api/v1/regions", `{"code":"EAST","name":"华东"}`)
			sh := h.create(t, "/api/v1/stores", `{"brand_id":"`+brandX+`","region_id":"`+region+`","code":"SH1","name":"上海一店","format":"supermarket","city":"上海"}`)
			hz := h.create(t, "/api/v1/stores", `{"brand_id":"`+brandY+`","region_id":"`+region+`","code":"HZ1","name":"杭州一店","format":"supermarket","city":"杭州"}`)
			h.create(t, "/api/v1/touchpoints", `{"code":"pos-sh","name":"POS SH","type":"offline","channel":"pos","store_id":"`+sh+`"}`)
			h.create(t, "/api/v1/touchpoints", `{"code":"pos-hz","name":"POS HZ","type":"offline","channel":"pos","store_id":"`+hz+`"}`)
			for tp, phone := range map[string]string{"pos-sh": "13800000001", "pos-hz": "13800000002"} {
				ingest := `{"touchpoint":"` + tp + `","events":[{"id":"` + tp + `-1","type":"visit","occurred_at":"2026-01-01T00:00:00Z","identifiers":{"phone":"` + phone + `"}}]}`
				if status, _, body := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json", ingest); status != 200 {
					t.Fatalf("ingest: %d %s", status, body)
				}
			}
			cSH, cHZ := h.customerOf(t, "phone:13800000001"), h.customerOf(t, "phone:13800000002")
			marketer := h.login(t, "mkt.x", "marketer", "brand", brandX)
			manager := h.login(t, "mgr.hz", "store_manager", "store", hz)
			regional := h.login(t, "ana.east", "analyst", "region", region)

			consent := `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`
			tests := []struct {
				name, token, method, path, body string
				want                            int
			}{
				{"marketer X: store of brand Y", marketer, "GET", "/api/v1/stores/" + hz, "", 404},
				{"marketer X: customer of brand Y", marketer, "GET", "/api/v1/customers/" + cHZ, "", 404},
				{"marketer X: look-up of brand Y's customer", marketer, "GET", "/api/v1/customers?identifier=phone:13800000002", "", 404},
				{"marketer X: consents of brand Y's customer", marketer, "GET", "/api/v1/customers/" + cHZ + "/consents/history", "", 404},
				{"marketer X: record a consent", marketer, "POST", "/api/v1/customers/" + cHZ + "/consents", consent, 404},
				{"marketer X: merge brand Y's customer in", marketer, "POST", "/api/v1/customers/" + cSH + "/merge", `{"customer_ids":["` + cHZ + `"]}`, 404},
				{"marketer X: merge into brand Y's customer", marketer, "POST", "/api/v1/customers/" + cHZ + "/merge", `{"customer_ids":["` + cSH + `"]}`, 404},
				{"marketer X: unmerge", marketer, "POST", "/api/v1/customers/" + cHZ + "/unmerge", `{"customer_id":"` + cSH + `"}`, 404},
				{"marketer X: timeline", marketer, "GET", "/api/v1/customers/" + cHZ + "/events", "", 404},
				{"marketer X: own customer", marketer, "GET", "/api/v1/customers/" + cSH, "", 200},
				{"marketer X: own customer's consent", marketer, "POST", "/api/v1/customers/" + cSH + "/consents", consent, 200},
				{"manager HZ: customer in another city", manager, "GET", "/api/v1/customers/" + cSH, "", 404},
				{"manager HZ: own customer", manager, "GET", "/api/v1/customers/" + cHZ, "", 200},
				{"analyst east: both stores' customers", regional, "GET", "/api/v1/customers/" + cSH, "", 200},
				{"analyst east: both stores' customers", regional, "GET", "/api/v1/customers/" + cHZ, "", 200},
			}
			for _, tt := range tests {
				ct := ""
				if tt.body != "" {
					ct = "application/json"
				}
				status, _, body := h.do(t, tt.method, tt.path, tt.token, ct, tt.body)
				if status != tt.want {
					t.Errorf("%s: %d, want %d: %.200s", tt.name, status, tt.want, body)
				}
			}
			// A search finds only the customers of the caller's stores.
			_, _, body := h.do(t, "GET", "/api/v1/customers/search?q=13800000001", manager, "", "")
			if strings.Contains(body, cSH) || !strings.Contains(body, `"items":[]`) {
				t.Errorf("manager HZ searching a Shanghai phone: %s", body)
			}
		})
	}
}

// TestSecurity06_LookupRateLimitedOverHTTP: with the default limits a principal's
// 31st customer search within seconds answers 429 with Retry-After (a slot every 10
// s), as problem+json; another key is not affected.
func TestSecurity06_LookupRateLimitedOverHTTP(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			var limited int
			for i := range 40 {
				status, hdr, body := h.do(t, "GET", fmt.Sprintf("/api/v1/customers/search?q=1380000%04d", i), h.keyA, "", "")
				switch {
				case status == 200 && limited == 0:
				case status == 429:
					limited++
					if ra := hdr.Get("Retry-After"); ra == "" || ra == "0" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") {
						t.Fatalf("429 with Retry-After %q, content type %q: %s", ra, hdr.Get("Content-Type"), body)
					}
				default:
					t.Fatalf("search %d: %d %s", i, status, body)
				}
			}
			if limited != 10 {
				t.Fatalf("%d of 40 searches refused, want the 10 past a burst of 30", limited)
			}
			if status, _, body := h.do(t, "GET", "/api/v1/customers/search?q=13800000000", h.keyB, "", ""); status != 200 {
				t.Fatalf("another key: %d %s", status, body)
			}
		})
	}
}

// TestSecurity06_AccessLogOverHTTP: a privacy officer (the new role) reads the
// customer access log through the API; a marketer may not.
func TestSecurity06_AccessLogOverHTTP(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			h.create(t, "/api/v1/touchpoints", `{"code":"pos","name":"POS","type":"offline","channel":"pos"}`)
			ingest := `{"touchpoint":"pos","events":[{"id":"e1","type":"visit","occurred_at":"2026-01-01T00:00:00Z","identifiers":{"phone":"13800138000"},"properties":{"name":"李雷"}}]}`
			if status, _, body := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json", ingest); status != 200 {
				t.Fatalf("ingest: %d %s", status, body)
			}
			marketer := h.login(t, "mkt", "marketer", "tenant", "")
			officer := h.login(t, "privacy", "privacy_officer", "tenant", "")
			_, _, hits := h.do(t, "GET", "/api/v1/customers/search?q=13800138000", marketer, "", "")
			if !strings.Contains(hits, "138****8000") {
				t.Fatalf("search: %s", hits)
			}
			status, _, body := h.do(t, "GET", "/api/v1/customer-access-log?action=search_hit", officer, "", "")
			if status != 200 || !strings.Contains(body, `"principal_name":"mkt"`) || !strings.Contains(body, `"matched":"phone"`) ||
				!strings.Contains(body, `"shown":"masked"`) || strings.Contains(body, "13800138000") || strings.Contains(body, "李") {
				t.Fatalf("access log: %d %s", status, body)
			}
			if status, _, _ := h.do(t, "GET", "/api/v1/customer-access-log", marketer, "", ""); status != 403 {
				t.Fatalf("marketer reading the access log: %d, want 403", status)
			}
			if status, _, _ := h.do(t, "GET", "/api/v1/customer-access-log?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", officer, "", ""); status != 422 {
				t.Fatalf("reversed time range: %d, want 422", status)
			}
		})
	}
}
