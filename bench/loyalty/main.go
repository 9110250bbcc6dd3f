// Command loyalty measures points earning throughput (issue 13): completed orders
// earned through the loyalty subscriber — the outbox dispatcher delivers
// order.completed, the service reads the program, locks the member, checks the
// source key and posts the entry, lot, allocation and order earn — against the
// baseline, plain inserts of the same ledger rows, one transaction per order.
//
// Each design gets a fresh database of the same engine with one program and
// -customers members; -orders orders of 3 lines are earned. It prints orders/s for
// both and the ratio, and checks the subscriber's database afterwards: one earn per
// order, and every member's ledger reconciles. It exits 1 when a check fails.
//
//	go run ./bench/loyalty [-orders 5000] [-customers 500] [-db DIR | -db postgres://…]
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

const tenant = "bench"

func main() {
	orders := flag.Int("orders", 5000, "completed orders to earn on")
	customers := flag.Int("customers", 500, "members the orders are spread over")
	where := flag.String("db", os.TempDir(), "directory for the SQLite files, or a PostgreSQL DSN (two schemas are made and dropped there)")
	flag.Parse()
	ctx := context.Background()
	sub, engine, err := runDesign(ctx, *where, "subscriber", *orders, *customers)
	if err != nil {
		fail(err)
	}
	base, _, err := runDesign(ctx, *where, "baseline", *orders, *customers)
	if err != nil {
		fail(err)
	}
	fmt.Printf("loyalty: %s, %d orders of 3 lines over %d members\n", engine, *orders, *customers)
	fmt.Printf("subscriber %8.0f orders/s (%s)\nbaseline   %8.0f orders/s (%s)\nratio subscriber/baseline: %.2f×\n",
		float64(*orders)/sub.Seconds(), sub.Round(time.Millisecond), float64(*orders)/base.Seconds(), base.Round(time.Millisecond),
		base.Seconds()/sub.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loyalty:", err)
	os.Exit(1)
}

// fakeOrders says every order is of brand B with 3 lines of category food.
type fakeOrders struct{}

func (fakeOrders) OrderSale(context.Context, string) (loyalty.Sale, error) {
	return loyalty.Sale{StoreID: "s1", BrandID: "B", Lines: map[string]loyalty.SaleLine{
		"L1": {SKUID: "a", CategoryID: "food"}, "L2": {SKUID: "b", CategoryID: "food"}, "L3": {SKUID: "c", CategoryID: "food"}}}, nil
}

// fakeCustomers knows every customer as itself.
type fakeCustomers struct{}

func (fakeCustomers) FindCustomerCluster(_ context.Context, id string) (string, []string, error) {
	return id, nil, nil
}

type fakeStores struct{}

func (fakeStores) StoreExists(context.Context, string) error { return nil }

// runDesign earns -orders orders in a fresh database through one design and returns
// how long the earning took.
func runDesign(ctx context.Context, where, design string, orders, customers int) (time.Duration, db.Dialect, error) {
	dsn, drop, err := benchdb.Fresh(where, "loyalty_"+design)
	if err != nil {
		return 0, "", err
	}
	defer drop()
	d, err := db.Open(ctx, dsn, db.Options{})
	if err != nil {
		return 0, "", err
	}
	defer d.Close()
	if _, err := migrations.Up(ctx, d, migrations.Options{}); err != nil {
		return 0, "", err
	}
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'bench', 'Bench', 0)`, tenant); err != nil {
		return 0, "", err
	}
	c := clock.System{}
	outbox := events.NewOutbox(c)
	svc := loyalty.NewService(d, outbox, audit.New(d, c), c, loyalty.Deps{Orders: fakeOrders{}, Customers: fakeCustomers{}, Stores: fakeStores{}})
	sys := auth.WithPrincipal(ctx, auth.System(tenant))
	prog, err := svc.CreateProgram(sys, loyalty.ProgramInput{Code: "CLUB", Name: "Club", PointsPerYuan: 1, GrowthPerYuan: 1,
		ExpiryKind: loyalty.ExpiryEndOfNextYear, PendingDays: 7})
	if err != nil {
		return 0, "", err
	}
	member := func(i int) string { return fmt.Sprintf("c%05d", i%customers) }
	for i := range customers {
		if _, err := svc.Enrol(sys, prog.ID, member(i)); err != nil {
			return 0, "", err
		}
	}
	if design == "baseline" {
		took, err := baseline(ctx, d, prog.ID, orders, member)
		return took, d.Dialect, err
	}
	// The subscriber: publish every order.completed, then time the dispatcher draining them.
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		for i := range orders {
			if _, err := outbox.Publish(ctx, tx, tenant, "order.completed", fmt.Sprintf("o%d", i), orderEvent(i, member(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	disp := events.NewDispatcher(d, outbox, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	disp.BatchSize = 500
	svc.Subscribe(disp)
	start := time.Now()
	for {
		n, err := disp.DispatchDue(ctx, nil)
		if err != nil {
			return 0, "", err
		}
		if n == 0 {
			break
		}
	}
	took := time.Since(start)
	var earned int
	if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'earn'`).Scan(&earned); err != nil {
		return 0, "", err
	}
	if earned != orders {
		return 0, "", fmt.Errorf("%d earn entries for %d orders", earned, orders)
	}
	for i := range min(customers, orders) {
		if _, err := svc.Reconcile(ctx, tenant, prog.ID, member(i)); err != nil {
			return 0, "", err
		}
	}
	return took, d.Dialect, nil
}

// orderEvent is a completed order of 3 lines (¥12.34, ¥56.78, ¥9.00).
func orderEvent(i int, customer string) map[string]any {
	return map[string]any{"order_id": fmt.Sprintf("o%d", i), "store_id": "s1", "customer_id": customer, "paid_fen": 7812,
		"placed_at": time.Now().UTC(), "lines": []map[string]any{{"line_id": "L1", "qty": 1, "net_fen": 1234},
			{"line_id": "L2", "qty": 2, "net_fen": 5678}, {"line_id": "L3", "qty": 1, "net_fen": 900}}}
}

// baseline writes the rows an earn writes — processed event, entry, lot, allocation,
// order earn, member growth — with plain statements, one transaction per order.
func baseline(ctx context.Context, d *db.DB, programID string, orders int, member func(int) string) (time.Duration, error) {
	lines, _ := json.Marshal([]map[string]any{{"line_id": "L1", "net_fen": 1234}, {"line_id": "L2", "net_fen": 5678}, {"line_id": "L3", "net_fen": 900}})
	start := time.Now()
	for i := range orders {
		now := time.Now().UnixMilli()
		entry, lot, order, customer := ids.New(), ids.New(), fmt.Sprintf("o%d", i), member(i)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO processed_events (subscriber, event_id, processed_at) VALUES ('loyalty.earn', $1, $2)`, []any{ids.New(), now}},
				{`INSERT INTO loyalty_entries (id, tenant_id, program_id, customer_id, kind, points, shortfall, source_key, order_id, store_id, reason, actor, created_at)
					VALUES ($1, $2, $3, $4, 'earn', 78, 0, $5, $6, 's1', '', 'system', $7)`, []any{entry, tenant, programID, customer, "earn:" + order + ":" + programID + ":base", order, now}},
				{`INSERT INTO loyalty_lots (id, tenant_id, program_id, customer_id, entry_id, points, remaining, available_at, expires_at, order_id, created_at)
					VALUES ($1, $2, $3, $4, $5, 78, 78, $6, $7, $8, $6)`, []any{lot, tenant, programID, customer, entry, now, now + 1e10, order}},
				{`INSERT INTO loyalty_entry_lots (tenant_id, entry_id, lot_id, points) VALUES ($1, $2, $3, 78)`, []any{tenant, entry, lot}},
				{`INSERT INTO loyalty_order_earns (tenant_id, order_id, program_id, customer_id, entry_id, base_fen, points, growth, eligible_lines, created_at)
					VALUES ($1, $2, $3, $4, $5, 7812, 78, 78, $6, $7)`, []any{tenant, order, programID, customer, entry, string(lines), now}},
				{`UPDATE loyalty_members SET growth = growth + 78, updated_at = $1 WHERE program_id = $2 AND customer_id = $3`, []any{now, programID, customer}},
			} {
				if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
