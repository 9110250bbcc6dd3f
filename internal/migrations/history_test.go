package migrations_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// setup opens an empty database of the given engine (no migration applied).
func setup(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dbtest.DSN(t, dialect), db.Options{Sync: db.SyncNormal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// only returns the embedded migrations with the given versions, as a build that had
// only those files would have embedded them.
func only(t *testing.T, versions ...int64) fs.FS {
	t.Helper()
	all := migrations.Files()
	entries, err := fs.ReadDir(all, ".")
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%05d_", &v); err != nil {
			t.Fatalf("migration file %s has no version", e.Name())
		}
		if slices.Contains(versions, v) {
			b, err := fs.ReadFile(all, e.Name())
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	if len(out) != len(versions) {
		t.Fatalf("asked for versions %v, found %d files", versions, len(out))
	}
	return out
}

// applyOnly applies exactly the given versions, as a build that had only them did.
func applyOnly(t *testing.T, d *db.DB, versions ...int64) {
	t.Helper()
	if _, err := migrations.UpFiles(context.Background(), d, migrations.Options{AllowDataLoss: true}, only(t, versions...)); err != nil {
		t.Fatalf("apply %v: %v", versions, err)
	}
}

func exec(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.Writer().Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func count(t *testing.T, d *db.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := d.Writer().QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func upTo(from, to int64) []int64 {
	var out []int64
	for v := from; v <= to; v++ {
		if v != 10 { // there never was a 00010
			out = append(out, v)
		}
	}
	return out
}

// TestUpgrade03_EveryMainlineHistoryMigrates builds, for the sets of migrations
// mainline commits embedded (reconstructed with `git log --first-parent` over
// internal/migrations/sql: every set with a gap, and in-order prefixes from the first
// commit to v0.1.0), a database with exactly those applied and some rows in them, then
// migrates it with the current files. Between commits f0f0f40 (00011)
// and c46902b (00009 merged) mainline had 00011/00012 without 00007–00009: goose
// refused those databases with "missing (out-of-order) migration" until Up allowed
// missing migrations.
func TestUpgrade03_EveryMainlineHistoryMigrates(t *testing.T) {
	t.Parallel()
	histories := []struct {
		name    string
		applied []int64
	}{
		{"ad96c8d platform only", upTo(1, 1)},
		{"3fad787 org and catalogue", upTo(1, 3)},
		{"5f376ad promotions", upTo(1, 6)},
		{"f0f0f40 identity rules before 00007-00009", append(upTo(1, 6), 11)},
		{"7ce20fa touchpoint keys before 00007-00009", append(upTo(1, 6), 11, 12)},
		{"8c6e439 privacy merged, 00007 and 00009 missing", append(upTo(1, 6), 8, 11, 12)},
		{"2f958ed promotion usage merged, 00009 missing", append(upTo(1, 8), 11, 12)},
		{"c46902b customer 360 merged", upTo(1, 12)},
		{"v0.1.0", upTo(1, 16)},
	}
	for _, h := range histories {
		for _, dialect := range dbtest.Dialects() {
			t.Run(h.name+"/"+string(dialect), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				d := setup(t, dialect)
				applyOnly(t, d, h.applied...)
				has := func(v int64) bool { return slices.Contains(h.applied, v) }
				if has(2) {
					exec(t, d, `INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
						`INSERT INTO brands (id, tenant_id, code, name, created_at, updated_at) VALUES ('b1', 't1', 'B1', 'Brand', 1, 1)`)
				}
				if has(6) {
					exec(t, d, `INSERT INTO promotions (id, tenant_id, code, name, status, definition, created_at, updated_at)
						VALUES ('p1', 't1', 'P1', 'Promo', 'active', '{"kind":"percent_off"}', 1, 1)`)
				}
				applied, err := migrations.Up(ctx, d, migrations.Options{})
				if err != nil {
					t.Fatalf("upgrade: %v", err)
				}
				if want := allApplied(t, d) - len(h.applied); len(applied) != want {
					t.Errorf("applied %d migrations, want %d", len(applied), want)
				}
				if has(2) && count(t, d, `SELECT COUNT(*) FROM brands WHERE id = 'b1' AND name = 'Brand'`) != 1 {
					t.Error("the brand written before the upgrade is gone")
				}
				if has(6) && count(t, d, `SELECT COUNT(*) FROM promotions WHERE id = 'p1' AND status = 'active'`) != 1 {
					t.Error("the promotion written before the upgrade is gone")
				}
			})
		}
	}
}

// seedPlainIdentity writes identity rows as builds before 00008 stored them (plain
// identifier values): 3 events, 2 customers, 4 identifiers, 1 review.
func seedPlainIdentity(t *testing.T, d *db.DB) {
	t.Helper()
	exec(t, d,
		`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
		`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES ('tp1', 't1', 'pos', 'POS', 'offline', 'pos', 'active', 1, 1)`,
		`INSERT INTO events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id) VALUES
			('t1', 'e1', 'tp1', 'visit', 1, 1, '{"phone":"13800138000"}', '{}', 'c1'),
			('t1', 'e2', 'tp1', 'visit', 2, 2, '{"phone":"13800138000"}', '{}', 'c1'),
			('t1', 'e3', 'tp1', 'order', 3, 3, '{"phone":"13900139000"}', '{}', 'c2')`,
		`INSERT INTO customers (tenant_id, id, created_at, updated_at, first_seen_at, last_seen_at, event_count) VALUES ('t1', 'c1', 1, 2, 1, 2, 2), ('t1', 'c2', 3, 3, 3, 3, 1)`,
		`INSERT INTO customer_identifiers (tenant_id, type, value, customer_id, strength, created_at) VALUES
			('t1', 'phone', '13800138000', 'c1', 'strong', 1), ('t1', 'device_id', 'd1', 'c1', 'weak', 1),
			('t1', 'phone', '13900139000', 'c2', 'strong', 3), ('t1', 'device_id', 'd2', 'c2', 'weak', 3)`,
		`INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, created_at) VALUES ('t1', 'r1', 'e3', 'c2', '["c1"]', 'shared device', 3)`,
	)
}

// TestUpgrade03_Migration00008RefusesToDropIdentityData: 00008 drops every event,
// customer, identifier and review written before personal data was sealed. Up used
// to apply it silently ("10 migration(s) applied"); now it refuses, applies nothing
// and names the counts, unless AllowDataLoss is set — then it reports what went.
func TestUpgrade03_Migration00008RefusesToDropIdentityData(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := setup(t, dialect)
			applyOnly(t, d, upTo(1, 7)...)
			seedPlainIdentity(t, d)

			_, err := migrations.Up(ctx, d, migrations.Options{})
			var loss *migrations.DataLossError
			if !errors.As(err, &loss) || !errors.Is(err, migrations.ErrDataLoss) {
				t.Fatalf("Up without AllowDataLoss = %v, want a DataLossError", err)
			}
			for _, want := range []string{"00008_identity_privacy.sql", "3 rows of events", "2 rows of customers", "4 rows of customer_identifiers",
				"1 rows of identity_reviews", "--allow-data-loss", "plain text"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal %q does not say %q", err, want)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM events`); n != 3 {
				t.Fatalf("the refused upgrade left %d events, want all 3", n)
			}
			if v := count(t, d, `SELECT MAX(version_id) FROM goose_db_version`); v != 7 {
				t.Fatalf("the refused upgrade moved the schema to version %d, want 7 (nothing applied)", v)
			}
			pending, err := migrations.Pending(ctx, d)
			if err != nil || len(pending) != 1 || pending[0].Version != 8 {
				t.Fatalf("Pending = %+v, %v; want 00008", pending, err)
			}

			applied, err := migrations.Up(ctx, d, migrations.Options{AllowDataLoss: true})
			if err != nil {
				t.Fatal(err)
			}
			var removed []string
			for _, a := range applied {
				for _, r := range a.Removed {
					removed = append(removed, fmt.Sprintf("%s=%d", r.Table, r.Rows))
				}
			}
			if got, want := strings.Join(removed, " "), "identity_reviews=1 events=3 customers=2 customer_identifiers=4"; got != want {
				t.Errorf("reported removals %q, want %q", got, want)
			}
			for _, table := range []string{"events", "customers", "customer_identifiers", "identity_reviews"} {
				if n := count(t, d, `SELECT COUNT(*) FROM `+table); n != 0 {
					t.Errorf("%s holds %d rows after 00008", table, n)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM touchpoints`); n != 1 {
				t.Errorf("00008 removed touchpoints (%d left), which it keeps", n)
			}
		})
	}
}

// TestUpgrade03_Migration00008OnEmptyTablesNeedsNoFlag: with nothing to remove the
// destructive migration runs like any other.
func TestUpgrade03_Migration00008OnEmptyTablesNeedsNoFlag(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			d := setup(t, dialect)
			applyOnly(t, d, upTo(1, 7)...)
			exec(t, d, `INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`)
			applied, err := migrations.Up(context.Background(), d, migrations.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range applied {
				if len(a.Removed) > 0 {
					t.Errorf("%s reported removals %+v from empty tables", a.File, a.Removed)
				}
			}
		})
	}
}

// TestMigrationsThatTouchRows runs each migration that changes tables holding rows
// on a database at the version before it, with rows, and checks the rows after it
// (the Gitea way: one case per migration).
func TestMigrationsThatTouchRows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version int64
		seed    []string
		checks  map[string]int64 // query → expected count
	}{
		{
			version: 9, // customer 360: new columns on identity_reviews
			seed: []string{
				`INSERT INTO identity_reviews (tenant_id, id, event_id, customer_id, candidates, reason, status, created_at) VALUES ('t1', 'r1', 'e1', 'c1', '["c2"]', 'shared device', 'open', 5)`,
			},
			checks: map[string]int64{
				`SELECT COUNT(*) FROM identity_reviews WHERE id = 'r1' AND reason = 'shared device' AND status = 'open' AND score IS NULL AND resolved_at IS NULL AND resolution IS NULL AND note = ''`: 1,
			},
		},
		{
			version: 12, // API keys may belong to a touchpoint: existing keys belong to none
			seed: []string{
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
				`INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by, created_at) VALUES ('k1', 't1', 'pos', 'or_live_ab', 'hash', '["events:ingest"]', 'u1', 1)`,
			},
			checks: map[string]int64{`SELECT COUNT(*) FROM api_keys WHERE id = 'k1' AND touchpoint_id IS NULL AND secret_hash = 'hash'`: 1},
		},
		{
			version: 13, // events rebuilt without the touchpoint foreign key: every row copied
			seed: []string{
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
				`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES ('tp1', 't1', 'pos', 'POS', 'offline', 'pos', 'active', 1, 1)`,
				`INSERT INTO events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id) VALUES
					('t1', 'e1', 'tp1', 'visit', 10, 11, 'sealed-1', 'sealed-p1', 'c1'),
					('t1', 'e2', 'tp1', 'order', 20, 21, 'sealed-2', '', NULL)`,
			},
			checks: map[string]int64{
				`SELECT COUNT(*) FROM events`: 2,
				`SELECT COUNT(*) FROM events WHERE id = 'e1' AND touchpoint_id = 'tp1' AND type = 'visit' AND occurred_at = 10 AND received_at = 11 AND identifiers = 'sealed-1' AND properties = 'sealed-p1' AND customer_id = 'c1'`: 1,
				`SELECT COUNT(*) FROM events WHERE id = 'e2' AND customer_id IS NULL AND properties = ''`:                                                                                                                             1,
			},
		},
		{
			version: 15, // touchpoint_days.identified: days before it count none
			seed: []string{
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
				`INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, status, created_at, updated_at) VALUES ('tp1', 't1', 'pos', 'POS', 'offline', 'pos', 'active', 1, 1)`,
				`INSERT INTO touchpoint_days (tenant_id, touchpoint_id, day, accepted, rejected) VALUES ('t1', 'tp1', 20000, 7, 2)`,
			},
			checks: map[string]int64{`SELECT COUNT(*) FROM touchpoint_days WHERE day = 20000 AND accepted = 7 AND rejected = 2 AND identified = 0`: 1},
		},
		{
			version: 16, // customer_profiles.masked_phone: profiles before it have none
			seed: []string{
				`INSERT INTO customer_profiles (tenant_id, customer_id, name, city, updated_at) VALUES ('t1', 'c1', 'sealed-name', '上海', 9)`,
			},
			checks: map[string]int64{`SELECT COUNT(*) FROM customer_profiles WHERE customer_id = 'c1' AND name = 'sealed-name' AND city = '上海' AND masked_phone = ''`: 1},
		},
	}
	for _, c := range cases {
		for _, dialect := range dbtest.Dialects() {
			t.Run(fmt.Sprintf("%05d/%s", c.version, dialect), func(t *testing.T) {
				t.Parallel()
				d := setup(t, dialect)
				applyOnly(t, d, upTo(1, c.version-1)...)
				exec(t, d, c.seed...)
				applyOnly(t, d, upTo(1, c.version)...)
				for q, want := range c.checks {
					if got := count(t, d, q); got != want {
						t.Errorf("%s = %d, want %d", q, got, want)
					}
				}
			})
		}
	}
}

var (
	upSection    = regexp.MustCompile(`(?s)-- \+goose Up(.*?)(-- \+goose Down|$)`)
	removesRows  = regexp.MustCompile(`(?i)\b(?:DELETE\s+FROM|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?)\s+(\w+)`)
	dropsColumns = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+(\w+)\s+DROP\b`)
)

// TestDestructiveStatementsAreDeclared keeps the next migration honest: every DELETE,
// DROP TABLE, TRUNCATE or ALTER TABLE … DROP in an Up section names its table in a
// `-- oneretail:removes` line (so Up refuses it while the table holds rows) or in a
// `-- oneretail:keeps` line (a rebuild that copies the rows first).
func TestDestructiveStatementsAreDeclared(t *testing.T) {
	t.Parallel()
	all := migrations.Files()
	entries, err := fs.ReadDir(all, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := fs.ReadFile(all, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m := upSection.FindSubmatch(src)
		if m == nil {
			t.Errorf("%s has no -- +goose Up section", e.Name())
			continue
		}
		removes, keeps := migrations.Declared(src)
		hits := append(removesRows.FindAllSubmatch(m[1], -1), dropsColumns.FindAllSubmatch(m[1], -1)...)
		for _, hit := range hits {
			table := strings.ToLower(string(hit[1]))
			if !slices.Contains(removes, table) && !slices.Contains(keeps, table) {
				t.Errorf("%s: %q removes data from %s but the file declares neither `-- oneretail:removes %s` nor `-- oneretail:keeps %s …`",
					e.Name(), hit[0], table, table, table)
			}
		}
	}
}
