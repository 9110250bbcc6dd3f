package app_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// Finding 11 of issue 10, end to end: a customers:pii key made by an admin reads a
// customer's phone in full; once the admin is disabled the key reads nothing, and
// once the admin is only an analyst the key reads the customer masked at most.
func TestSecurity11_DisabledAdminsKeyNoLongerReadsPersonalData(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			h.create(t, "/api/v1/touchpoints", `{"code":"pos-1","name":"POS 1","type":"offline","channel":"pos"}`)
			status, _, body := h.do(t, "POST", "/api/v1/events", h.keyA, "application/json",
				`{"touchpoint":"pos-1","events":[{"id":"e1","type":"registration","occurred_at":"2026-01-01T00:00:00Z","identifiers":{"phone":"13812345678"},"properties":{"name":"张伟"}}]}`)
			if status != 200 {
				t.Fatalf("ingest: %d %s", status, body)
			}
			ctx := context.Background()
			tenant, err := h.app.Org.FindTenantByCode(ctx, "alpha")
			if err != nil {
				t.Fatal(err)
			}
			system := auth.WithPrincipal(ctx, auth.System(tenant.ID))
			admin, err := h.app.Org.CreateUser(system, org.UserCreate{Login: "alpha-dpo", Name: "DPO", Password: "correct horse battery",
				Role: auth.HQAdmin, ScopeType: auth.TenantScope})
			if err != nil {
				t.Fatal(err)
			}
			_, token, _, err := h.app.Org.Login(ctx, org.LoginInput{Login: "alpha-dpo", Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			status, _, body = h.do(t, "POST", "/api/v1/api-keys", token, "application/json", `{"name":"crm","scopes":["customers:read","customers:pii"]}`)
			if status != 201 {
				t.Fatalf("create key: %d %s", status, body)
			}
			var key struct{ Secret string }
			_ = json.Unmarshal([]byte(body), &key)
			lookup := "/api/v1/customers?identifier=" + url.QueryEscape("phone:13812345678")
			if status, _, body := h.do(t, "GET", lookup, key.Secret, "", ""); status != 200 || !strings.Contains(body, "13812345678") {
				t.Fatalf("the admin's key before: %d %s", status, body)
			}

			if _, err := h.app.Org.UpdateUser(system, admin.ID, org.UserUpdate{Status: new(org.UserDisabled)}); err != nil {
				t.Fatal(err)
			}
			if status, _, body := h.do(t, "GET", lookup, key.Secret, "", ""); status != 403 || strings.Contains(body, "13812345678") {
				t.Fatalf("the disabled admin's key: %d %s", status, body)
			}

			if _, err := h.app.Org.UpdateUser(system, admin.ID, org.UserUpdate{Status: new(org.UserActive), Role: new(auth.Analyst)}); err != nil {
				t.Fatal(err)
			}
			status, _, body = h.do(t, "GET", lookup, key.Secret, "", "")
			if status != 200 || strings.Contains(body, "13812345678") || !strings.Contains(body, "5678") {
				t.Fatalf("the key of an admin turned analyst: %d %s", status, body)
			}
		})
	}
}
