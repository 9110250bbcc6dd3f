package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMigration00023MovesPromotionLimits: 00023 moves each promotion's limits from
// promotion_limits onto its usage row, creates the usage row of a promotion that had
// none, keeps every redemption's discount as its value and marks old redemption
// orders as not priced; going down puts the limits back.
func TestMigration00023MovesPromotionLimits(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, dialect)
			if err := migrations.MigrateTo(ctx, d, 22); err != nil {
				t.Fatal(err)
			}
			w := d.Writer()
			for _, q := range []string{
				`INSERT INTO promotions (id, tenant_id, code, name, status, definition, created_at, updated_at)
					VALUES ('p1', 't', 'P1', 'one', 'active', '{}', 0, 0), ('p2', 't', 'P2', 'two', 'draft', '{}', 0, 0)`,
				`INSERT INTO promotion_limits (tenant_id, promotion_id, budget_fen, max_uses, max_uses_per_customer) VALUES ('t', 'p1', 7000, NULL, 2)`,
				`INSERT INTO promotion_usage (tenant_id, promotion_id, discount_fen, uses) VALUES ('t', 'p1', 3000, 3)`,
				`INSERT INTO promotion_redemption_orders (tenant_id, order_id, customer_id, status, created_at) VALUES ('t', 'o1', 'c1', 'committed', 0)`,
				`INSERT INTO promotion_redemptions (tenant_id, order_id, promotion_id, discount_fen, flash_units) VALUES ('t', 'o1', 'p1', 1000, 0)`,
			} {
				if _, err := w.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrations.MigrateTo(ctx, d, 23); err != nil {
				t.Fatal(err)
			}
			type row struct {
				discount, uses          int64
				budget, maxUses, perCus sql.NullInt64
				version                 int64
			}
			read := func(id string) row {
				var r row
				if err := w.QueryRowContext(ctx, `SELECT discount_fen, uses, budget_fen, max_uses, max_uses_per_customer, version
					FROM promotion_usage WHERE tenant_id = 't' AND promotion_id = $1`, id).Scan(&r.discount, &r.uses, &r.budget, &r.maxUses, &r.perCus, &r.version); err != nil {
					t.Fatalf("usage of %s: %v", id, err)
				}
				return r
			}
			if r := read("p1"); r.discount != 3000 || r.uses != 3 || r.budget.Int64 != 7000 || r.maxUses.Valid || r.perCus.Int64 != 2 || r.version != 0 {
				t.Errorf("p1 usage %+v", r)
			}
			if r := read("p2"); r.discount != 0 || r.uses != 0 || r.budget.Valid || r.maxUses.Valid || r.perCus.Valid {
				t.Errorf("p2 usage %+v", r)
			}
			var value int64
			var priced bool
			if err := w.QueryRowContext(ctx, `SELECT r.value_fen, o.priced FROM promotion_redemptions r JOIN promotion_redemption_orders o
				ON o.tenant_id = r.tenant_id AND o.order_id = r.order_id WHERE r.order_id = 'o1'`).Scan(&value, &priced); err != nil || value != 1000 || priced {
				t.Errorf("old redemption: value %d, priced %v, %v", value, priced, err)
			}
			if _, err := w.ExecContext(ctx, `SELECT 1 FROM promotion_limits`); err == nil {
				t.Error("promotion_limits is still there")
			}

			if err := migrations.MigrateTo(ctx, d, 22); err != nil {
				t.Fatal(err)
			}
			var budget, perCustomer int64
			if err := w.QueryRowContext(ctx, `SELECT budget_fen, max_uses_per_customer FROM promotion_limits WHERE promotion_id = 'p1'`).Scan(&budget, &perCustomer); err != nil ||
				budget != 7000 || perCustomer != 2 {
				t.Errorf("limits after down: %d %d %v", budget, perCustomer, err)
			}
		})
	}
}
