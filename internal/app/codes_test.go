package app_test

import (
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCodesUniqueIgnoringCase: a business code that differs from an existing one only
// in case is refused with 409 naming the field (issue 16: "POS-SH001" and
// "pos-sh001" were two touchpoints); another tenant may use it.
func TestCodesUniqueIgnoringCase(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			for _, c := range []struct{ path, first, second string }{
				{"/api/v1/touchpoints", `{"code":"POS-SH001","name":"A","type":"offline","channel":"pos"}`, `{"code":"pos-sh001","name":"B","type":"offline","channel":"pos"}`},
				{"/api/v1/brands", `{"code":"HL","name":"A"}`, `{"code":"hl","name":"B"}`},
				{"/api/v1/categories", `{"code":"DAIRY","name":"A"}`, `{"code":"Dairy","name":"B"}`},
			} {
				h.create(t, c.path, c.first)
				status, _, body := h.do(t, "POST", c.path, h.keyA, "application/json", c.second)
				if status != 409 || !strings.Contains(body, "body.code") {
					t.Errorf("POST %s %s: %d %s, want 409 on body.code", c.path, c.second, status, body)
				}
				if status, _, body := h.do(t, "POST", c.path, h.keyB, "application/json", c.second); status != 201 {
					t.Errorf("POST %s %s as another tenant: %d %s", c.path, c.second, status, body)
				}
			}
		})
	}
}
