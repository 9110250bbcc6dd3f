package migrations_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMigration00033ReportsCodesDifferingOnlyInCase: a database holding codes that
// differ only in case is not migrated — Up names them and applies nothing; once one
// of each is renamed, Up applies 00033 and such codes are refused from then on,
// while codes of other tenants stay independent.
func TestMigration00033ReportsCodesDifferingOnlyInCase(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, dialect)
			if err := migrations.MigrateTo(ctx, d, 32); err != nil {
				t.Fatal(err)
			}
			w := d.Writer()
			exec := func(q string) error { _, err := w.ExecContext(ctx, q); return err }
			for _, q := range []string{
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'demo', 'Demo', 0), ('t2', 'other', 'Other', 0)`,
				`INSERT INTO brands (id, tenant_id, code, name, created_at, updated_at) VALUES
					('b1', 't1', 'HL', 'a', 0, 0), ('b2', 't1', 'hl', 'b', 0, 0), ('b3', 't2', 'hl', 'c', 0, 0)`,
				`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES
					('p1', 't1', 'POS-SH001', 'a', 'offline', 'pos', 'active', 0, 0), ('p2', 't1', 'pos-sh001', 'b', 'offline', 'pos', 'active', 0, 0)`,
			} {
				if err := exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, err := migrations.Up(ctx, d, migrations.Options{})
			var conflict *migrations.CaseConflictError
			if !errors.As(err, &conflict) || len(conflict.Conflicts) != 2 {
				t.Fatalf("Up = %v, want both conflicts", err)
			}
			for _, want := range []string{"brands HL / hl in tenant demo (2 rows)", "touchpoints POS-SH001 / pos-sh001 in tenant demo (2 rows)", "Nothing was applied"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			if applied33(t, d) {
				t.Fatal("00033 was applied despite the conflicts")
			}

			if err := exec(`UPDATE brands SET code = 'HL2' WHERE id = 'b2'`); err != nil {
				t.Fatal(err)
			}
			if err := exec(`UPDATE touchpoints SET code = 'POS-SH002' WHERE id = 'p2'`); err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
				t.Fatal(err)
			}
			if !applied33(t, d) {
				t.Fatal("00033 not applied")
			}
			for _, q := range []string{
				`INSERT INTO brands (id, tenant_id, code, name, created_at, updated_at) VALUES ('b4', 't1', 'hl2', 'd', 0, 0)`,
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t3', 'DEMO', 'Shout', 0)`,
				`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES
					('p3', 't1', 'Pos-Sh001', 'c', 'offline', 'pos', 'active', 0, 0)`,
			} {
				if err := exec(q); !db.IsUniqueViolation(err) {
					t.Errorf("%s: %v, want a unique violation", q, err)
				}
			}
			if err := exec(`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES
					('p4', 't2', 'pos-sh001', 'd', 'offline', 'pos', 'active', 0, 0)`); err != nil {
				t.Errorf("the same code in another tenant: %v", err)
			}
		})
	}
}

func applied33(t *testing.T, d *db.DB) bool {
	t.Helper()
	var n int
	if err := d.Writer().QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM goose_db_version WHERE version_id = 33 AND is_applied`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
