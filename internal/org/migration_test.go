package org

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// Migration 00019 records what created each existing API key and who owns it: keys
// of users are owned by them, keys of the platform by nobody, keys made by keys by
// their maker's owner (through chains), and keys whose creator is gone stay unknown,
// which suspends them. Users start without a forced password change.
func TestMigration00019_KeyCreatorsAndOwners(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := dbtest.OpenAt(t, dialect, 18)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.Writer().ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 0)`)
			exec(`INSERT INTO users (id, tenant_id, login, name, password_hash, role, scope_type, scope_id, status, created_at, updated_at)
				VALUES ('u1', 't1', 'admin', 'Admin', 'x', 'hq_admin', 'tenant', '', 'active', 0, 0)`)
			keys := []struct{ id, createdBy string }{
				{"k-user", "u1"},
				{"k-system", "system"},
				{"k-child", "k-user"},
				{"k-grandchild", "k-child"},
				{"k-great", "k-grandchild"},
				{"k-of-system-key", "k-system"},
				{"k-orphan", "u-deleted"},
				{"k-orphan-child", "k-orphan"},
			}
			for _, k := range keys {
				exec(`INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by, created_at)
					VALUES ($1, 't1', $1, $1, 'h', 'org:read', $2, 0)`, k.id, k.createdBy)
			}
			if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
				t.Fatal(err)
			}
			want := map[string][3]string{
				"k-user":          {"user", "user", "u1"},
				"k-system":        {"system", "system", ""},
				"k-child":         {"api_key", "user", "u1"},
				"k-grandchild":    {"api_key", "user", "u1"},
				"k-great":         {"api_key", "user", "u1"},
				"k-of-system-key": {"api_key", "system", ""},
				"k-orphan":        {"unknown", "unknown", ""},
				"k-orphan-child":  {"api_key", "unknown", ""},
			}
			for id, w := range want {
				var createdByKind, ownerKind string
				var owner sql.NullString
				if err := d.Reader().QueryRowContext(ctx, `SELECT created_by_kind, owner_kind, owner_user_id FROM api_keys WHERE id = $1`, id).
					Scan(&createdByKind, &ownerKind, &owner); err != nil {
					t.Fatal(err)
				}
				if got := [3]string{createdByKind, ownerKind, owner.String}; got != w {
					t.Errorf("%s: %v, want %v", id, got, w)
				}
			}
			var must bool
			if err := d.Reader().QueryRowContext(ctx, `SELECT must_change_password FROM users WHERE id = 'u1'`).Scan(&must); err != nil || must {
				t.Fatalf("must_change_password = %v, %v", must, err)
			}
		})
	}
}
