package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// TestDomainEventLag: GET /api/v1/domain-events/lag reports the tenant's backlog,
// which the dispatcher clears, and the retention the server was started with
// (--outbox-retention; a negative Config value keeps delivered events forever).
func TestDomainEventLag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		retention time.Duration
		want      int64
	}{
		{"default", 0, int64((7 * 24 * time.Hour).Seconds())},
		{"one day", 24 * time.Hour, 86400},
		{"forever", -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setupWith(t, db.SQLite, func(c *app.Config) { c.OutboxRetention = tc.retention })
			lag := func() (out struct {
				Pending   int64 `json:"pending"`
				Retention int64 `json:"retention_seconds"`
			}) {
				status, _, body := h.do(t, "GET", "/api/v1/domain-events/lag", h.keyA, "", "")
				if status != 200 {
					t.Fatalf("GET lag: %d %s", status, body)
				}
				if err := json.Unmarshal([]byte(body), &out); err != nil {
					t.Fatal(err)
				}
				return out
			}
			before := lag()
			if before.Pending == 0 || before.Retention != tc.want {
				t.Fatalf("lag before delivery = %+v, want events pending and retention %d s", before, tc.want)
			}
			h.deliverOutbox(t)
			if after := lag(); after.Pending != 0 {
				t.Fatalf("lag after delivery = %+v, want nothing pending", after)
			}
		})
	}
}
