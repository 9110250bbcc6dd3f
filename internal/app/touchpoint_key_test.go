package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// A touchpoint's credential sends events for that touchpoint only, can do nothing
// else, shows in the key list with its touchpoint, and stops working when revoked.
func TestTouchpointCredential(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			pos := h.create(t, "/api/v1/touchpoints", `{"code":"pos-1","name":"POS 1","type":"offline","channel":"pos"}`)
			h.create(t, "/api/v1/touchpoints", `{"code":"app","name":"App","type":"online","channel":"app"}`)
			status, _, body := h.do(t, "POST", "/api/v1/touchpoints/"+pos+"/api-keys", h.keyA, "application/json", `{}`)
			if status != 201 {
				t.Fatalf("issue key: %d %s", status, body)
			}
			var key struct {
				ID           string   `json:"id"`
				Name         string   `json:"name"`
				Secret       string   `json:"secret"`
				Scopes       []string `json:"scopes"`
				TouchpointID string   `json:"touchpoint_id"`
			}
			if err := json.Unmarshal([]byte(body), &key); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(key.Secret, "or_live_") || key.TouchpointID != pos || key.Name != "POS 1 (pos-1)" || len(key.Scopes) != 1 || key.Scopes[0] != "events:ingest" {
				t.Fatalf("key %s", body)
			}
			event := func(touchpoint, id string) string {
				return `{"touchpoint":"` + touchpoint + `","events":[{"id":"` + id + `","type":"visit","occurred_at":"2026-01-01T00:00:00Z"}]}`
			}
			if status, _, body := h.do(t, "POST", "/api/v1/events", key.Secret, "application/json", event("pos-1", "e1")); status != 200 {
				t.Fatalf("own touchpoint: %d %s", status, body)
			}
			if status, _, body := h.do(t, "POST", "/api/v1/events", key.Secret, "application/json", event("app", "e2")); status != 403 {
				t.Fatalf("other touchpoint: %d %s", status, body)
			}
			if status, _, _ := h.do(t, "GET", "/api/v1/stores", key.Secret, "", ""); status != 403 {
				t.Fatalf("a touchpoint key read stores: %d", status)
			}
			if status, _, _ := h.do(t, "POST", "/api/v1/touchpoints/"+pos+"/api-keys", h.keyB, "application/json", `{}`); status != 404 {
				t.Fatalf("other tenant issued a key for the touchpoint: %d", status)
			}
			_, _, list := h.do(t, "GET", "/api/v1/api-keys", h.keyA, "", "")
			if !strings.Contains(list, `"touchpoint_id":"`+pos+`"`) {
				t.Fatalf("key list lacks the touchpoint: %s", list)
			}
			if status, _, body := h.do(t, "DELETE", "/api/v1/api-keys/"+key.ID, h.keyA, "", ""); status >= 300 {
				t.Fatalf("revoke: %d %s", status, body)
			}
			if status, _, _ := h.do(t, "POST", "/api/v1/events", key.Secret, "application/json", event("pos-1", "e3")); status != 401 {
				t.Fatalf("revoked key: %d", status)
			}
		})
	}
}
