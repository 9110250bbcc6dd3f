package migrations_test

import (
	"context"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMigration00040BackfillsShipments: 00040 records a shipment per location of
// every online order still on its way, so capacity counts them from the upgrade on;
// till tickets, finished orders and lines without a location are left out, and an
// order split over two locations has two. Going down drops the tables.
func TestMigration00040BackfillsShipments(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, dialect)
			if err := migrations.MigrateTo(ctx, d, 39); err != nil {
				t.Fatal(err)
			}
			w := d.Writer()
			order := func(id, channel, status, fulfilment string) string {
				return `INSERT INTO orders (id, tenant_id, number, channel, status, fulfilment, subtotal_fen, discount_fen, payable_fen, placed_at, created_at, updated_at)
					VALUES ('` + id + `', 't1', '` + id + `', '` + channel + `', '` + status + `', '` + fulfilment + `', 100, 0, 100, 5000, 5000, 5000)`
			}
			line := func(orderID, lineID, loc string) string {
				return `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, unit, qty, unit_price_fen, amount_fen, discount_fen, net_fen, location_id)
					VALUES ('t1', '` + orderID + `', '` + lineID + `', 'sku', 'each', 1, 100, 100, 0, 100, '` + loc + `')`
			}
			for _, q := range []string{
				`INSERT INTO tenants (id, code, name, created_at) VALUES ('t1', 'acme', 'Acme', 1)`,
				order("split", "app", "picking", "delivery"), line("split", "L1", "loc-a"), line("split", "L2", "loc-b"), line("split", "L3", "loc-a"),
				order("new", "mini_program", "created", "pickup"), line("new", "L1", "loc-a"),
				order("done", "app", "completed", "delivery"), line("done", "L1", "loc-a"),
				order("gone", "web", "cancelled", "ship"), line("gone", "L1", "loc-b"),
				order("till", "pos", "completed", "in_store"), line("till", "L1", "loc-a"),
				order("push", "meituan", "paid", "delivery"), line("push", "L1", "loc-a"),
				order("nowhere", "app", "paid", "ship"), line("nowhere", "L1", ""),
			} {
				if _, err := w.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrations.MigrateTo(ctx, d, 40); err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			rows, err := w.QueryContext(ctx, `SELECT order_id, location_id, placed_at FROM order_shipments WHERE tenant_id = 't1'`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var o, l string
				var at int64
				if err := rows.Scan(&o, &l, &at); err != nil {
					t.Fatal(err)
				}
				if at != 5000 {
					t.Errorf("%s at %s placed %d, want the order's 5000", o, l, at)
				}
				got[o+"@"+l]++
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"split@loc-a": 1, "split@loc-b": 1, "new@loc-a": 1}
			if len(got) != len(want) {
				t.Errorf("shipments %v, want %v", got, want)
			}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("shipments %v, want %v", got, want)
				}
			}
			if err := migrations.MigrateTo(ctx, d, 39); err != nil {
				t.Fatal(err)
			}
			if _, err := w.ExecContext(ctx, `SELECT 1 FROM order_shipments`); err == nil {
				t.Error("order_shipments is still there after going down")
			}
		})
	}
}
