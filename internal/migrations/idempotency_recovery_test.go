package migrations_test

import (
	"context"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMigration00018WithholdsPlainStoredResponses: responses stored in plain text
// before 00018 (they may hold API key secrets, session tokens, personal data) lose
// their body and become 'withheld', so that a retry answers 409 instead of running
// again; a key in progress stays in progress, and lapses (no node, no claim time).
func TestMigration00018WithholdsPlainStoredResponses(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d, err := db.Open(ctx, dbtest.DSN(t, dialect), db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := migrations.MigrateTo(ctx, d, 17); err != nil {
				t.Fatal(err)
			}
			for _, row := range [][]any{
				{"secret", "completed", 201, "application/json", `{"secret":"or_live_abc"}`},
				{"running", "in_progress", 0, "", ""},
			} {
				if _, err := d.Writer().ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, principal_id, key, method, path, request_hash,
					status, response_code, response_type, response_body, created_at) VALUES ('t1', 'k1', $1, 'POST', '/api/v1/api-keys', 'h', $2, $3, $4, $5, 1)`,
					row...); err != nil {
					t.Fatal(err)
				}
			}
			if err := migrations.MigrateTo(ctx, d, 18); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string][3]string{"secret": {"withheld", "", ""}, "running": {"in_progress", "", ""}} {
				var status, typ, body, node string
				var claimed int64
				if err := d.Reader().QueryRowContext(ctx, `SELECT status, response_type, response_body, node_id, claimed_at FROM idempotency_keys WHERE key = $1`, key).
					Scan(&status, &typ, &body, &node, &claimed); err != nil {
					t.Fatal(err)
				}
				if status != want[0] || typ != want[1] || body != want[2] || node != "" || claimed != 0 {
					t.Fatalf("%s after 00018: %s %q %q node %q claimed %d", key, status, typ, body, node, claimed)
				}
			}
		})
	}
}
