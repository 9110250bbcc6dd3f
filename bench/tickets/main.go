// Command tickets measures the order center's bulk ticket path: till tickets of five
// lines recorded with order.Service.RecordTickets in batches of 500 (each ticket
// checked, priced by the server, its redemption, its stock leaving the store as sale
// movements summed per SKU, its timeline and outbox events — in one transaction per
// batch) against a baseline on the same database, in the same run, that writes the
// same rows of the same tickets — orders, lines, payments, timeline entries, outbox
// events, stock movements and the balances moved — with plain multi-row INSERTs and
// nothing else: no validation, pricing, redemption or replay check. It prints lines/s
// of both and the ratio.
//
//	go run ./bench/tickets [-orders 20000]
//	go run ./bench/tickets --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

func main() {
	target := flag.String("db", os.TempDir(), "a directory for a fresh SQLite file, or a postgres:// DSN (a new schema is made there)")
	orders := flag.Int("orders", 20000, "tickets to record by each path")
	batch := flag.Int("batch", order.MaxTicketBatch, "tickets per call (and per baseline transaction)")
	flag.Parse()
	if err := run(*target, *orders, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "tickets:", err)
		os.Exit(1)
	}
}

// chain is what the tickets need: a store with a stock location and 200 SKUs.
type chain struct {
	tenant, store, location string
	skus                    []string
	prices                  []int64
}

func run(target string, n, size int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := benchapi.Start(ctx, benchapi.BootOptions{Target: target, Name: "tickets", Scopes: auth.AllScopes()})
	if err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	defer b.Close()
	a := b.App
	fmt.Fprintln(os.Stderr, "tickets: setting up the chain and its stock")
	c, err := setUp(b)
	if err != nil {
		return err
	}
	// The same tickets for both paths: five lines of 200 SKUs, placed over the last
	// 80 days, stated at the shelf price (no exception).
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	tickets := make([]order.Ticket, n)
	lines := 0
	for i := range tickets {
		t := order.Ticket{Channel: order.ChannelPOS, ExternalRef: fmt.Sprintf("T-%07d", i), StoreID: c.store,
			PlacedAt: now.Add(-time.Duration(rng.Int64N(int64(80 * 24 * time.Hour))))}
		for j := range 5 {
			k, qty := rng.IntN(len(c.skus)), int64(1+j%3)
			t.Lines = append(t.Lines, order.NewLine{SKUID: c.skus[k], Qty: qty})
			t.StatedPayableFen += c.prices[k] * qty
		}
		t.Payments = []order.PaymentRequest{{Method: "wechat_pay", AmountFen: t.StatedPayableFen}}
		tickets[i] = t
		lines += len(t.Lines)
	}
	fmt.Fprintln(os.Stderr, "tickets: baseline (plain multi-row inserts of the same rows)")
	start := time.Now()
	for lo := 0; lo < n; lo += size {
		if err := baseline(ctx, a.DB, c, tickets[lo:min(lo+size, n)]); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	plain := time.Since(start)
	fmt.Fprintln(os.Stderr, "tickets: order.Service.RecordTickets")
	sys := auth.WithPrincipal(ctx, auth.System(c.tenant))
	start = time.Now()
	for lo := 0; lo < n; lo += size {
		results, err := a.Order.RecordTickets(sys, tickets[lo:min(lo+size, n)])
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil {
				return fmt.Errorf("ticket %s: %w", r.ExternalRef, r.Err)
			}
		}
	}
	got := time.Since(start)
	var recorded, exceptions, moves int
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE channel = 'pos'`).Scan(&recorded); err != nil {
		return err
	}
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM order_exceptions`).Scan(&exceptions); err != nil {
		return err
	}
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_movements WHERE kind = 'sale' AND actor_id <> ''`).Scan(&moves); err != nil {
		return err
	}
	out, _ := json.Marshal(map[string]any{"engine": b.Engine, "orders": n, "lines": lines, "batch": size,
		"baseline_s": plain.Seconds(), "baseline_lines_per_s": float64(lines) / plain.Seconds(),
		"oneretail_s": got.Seconds(), "oneretail_lines_per_s": float64(lines) / got.Seconds(), "oneretail_orders_per_s": float64(n) / got.Seconds(),
		"ratio": plain.Seconds() / got.Seconds(), "recorded": recorded, "exceptions": exceptions, "sale_movements": moves})
	fmt.Println(string(out))
	return nil
}

// baseline writes the rows RecordTickets writes for tickets, in one transaction with
// one multi-row INSERT per table and the balances moved by their sums.
func baseline(ctx context.Context, d *db.DB, c chain, tickets []order.Ticket) error {
	now := time.Now().UnixMilli()
	type row struct {
		id string
		t  order.Ticket
	}
	type line struct {
		order string
		n     int
		l     order.NewLine
	}
	type event struct{ order, typ string }
	rows := make([]row, len(tickets))
	var ls []line
	var evs []event
	sums := map[string]int64{}
	for i, t := range tickets {
		rows[i] = row{ids.New(), t}
		for j, l := range t.Lines {
			ls = append(ls, line{rows[i].id, j + 1, l})
			sums[l.SKUID] += l.Qty
		}
		evs = append(evs, event{rows[i].id, "order.created"}, event{rows[i].id, "order.completed"})
	}
	skus := make([]string, 0, len(sums))
	for s := range sums {
		skus = append(skus, s)
	}
	slices.Sort(skus) // balance rows in one order, as RecordTickets takes them
	return d.Tx(ctx, func(tx *sql.Tx) error {
		err := db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO orders (id, tenant_id, number, channel, external_ref, store_id, status, fulfilment,
			subtotal_fen, discount_fen, payable_fen, paid_fen, placed_at, created_at, updated_at)`}, rows, func(r row) []any {
			return []any{r.id, c.tenant, r.id, "baseline", r.t.ExternalRef, c.store, "completed", "in_store",
				r.t.StatedPayableFen, int64(0), r.t.StatedPayableFen, r.t.StatedPayableFen, r.t.PlacedAt.UnixMilli(), now, now}
		}, nil)
		if err != nil {
			return err
		}
		err = db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, unit, qty, unit_price_fen, amount_fen,
			discount_fen, net_fen, location_id)`}, ls, func(l line) []any {
			return []any{c.tenant, l.order, fmt.Sprintf("L%d", l.n), l.l.SKUID, "each", l.l.Qty, int64(0), int64(0), int64(0), int64(0), c.location}
		}, nil)
		if err != nil {
			return err
		}
		err = db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO order_payments (tenant_id, order_id, seq, kind, method, amount_fen, at)`}, rows, func(r row) []any {
			return []any{c.tenant, r.id, int64(1), "payment", "wechat_pay", r.t.StatedPayableFen, now}
		}, nil)
		if err != nil {
			return err
		}
		err = db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO order_timeline (tenant_id, order_id, seq, kind, to_status, at)`}, rows, func(r row) []any {
			return []any{c.tenant, r.id, int64(1), "created", "completed", now}
		}, nil)
		if err != nil {
			return err
		}
		err = db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO outbox_events (id, tenant_id, type, aggregate_id, payload, created_at, next_attempt_at)`}, evs, func(e event) []any {
			return []any{ids.New(), c.tenant, e.typ, e.order, "{}", now, now}
		}, nil)
		if err != nil {
			return err
		}
		err = db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO stock_movements (id, tenant_id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, occurred_at)`}, ls, func(l line) []any {
			return []any{ids.New(), c.tenant, c.location, l.l.SKUID, "sale", -l.l.Qty, int64(0), l.order, now}
		}, nil)
		if err != nil {
			return err
		}
		return db.WriteRows(ctx, tx, d.Dialect, db.Rows{Head: `INSERT INTO stock_balances (tenant_id, location_id, sku_id, on_hand, updated_at)`,
			Tail: ` ON CONFLICT (tenant_id, location_id, sku_id) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at`}, skus, func(s string) []any {
			return []any{c.tenant, c.location, s, -sums[s], now}
		}, nil)
	})
}

// setUp makes the chain through the API with the boot's all-scopes key.
func setUp(b *benchapi.Boot) (chain, error) {
	c := chain{tenant: b.Tenant.ID}
	base, admin := b.Base, b.Key
	create := func(path, body string) (string, error) {
		resp, err := call(base+path, "POST", admin, []byte(body), http.StatusCreated)
		if err != nil {
			return "", err
		}
		var out struct {
			ID string `json:"id"`
		}
		return out.ID, json.Unmarshal(resp, &out)
	}
	brand, err := create("/api/v1/brands", `{"code":"B","name":"Brand"}`)
	if err != nil {
		return c, err
	}
	region, err := create("/api/v1/regions", `{"code":"R","name":"Region"}`)
	if err != nil {
		return c, err
	}
	if c.store, err = create("/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"S1","name":"Store","format":"supermarket","city":"上海"}`, brand, region)); err != nil {
		return c, err
	}
	category, err := create("/api/v1/categories", `{"code":"FOOD","name":"食品"}`)
	if err != nil {
		return c, err
	}
	product, err := create("/api/v1/products", `{"category_id":"`+category+`","code":"P","name":"食品"}`)
	if err != nil {
		return c, err
	}
	if c.location, err = create("/api/v1/stock-locations", `{"code":"L1","name":"Store","kind":"store","store_id":"`+c.store+`"}`); err != nil {
		return c, err
	}
	for i := range 200 {
		price := int64(990 + 70*i)
		sku, err := create("/api/v1/skus", fmt.Sprintf(`{"product_id":%q,"code":"K%d","name":"SKU %d","list_price_fen":%d}`, product, i, i, price))
		if err != nil {
			return c, err
		}
		c.skus, c.prices = append(c.skus, sku), append(c.prices, price)
		if _, err := call(base+"/api/v1/stock-locations/"+c.location+"/changes", "POST", admin,
			[]byte(`{"sku_id":"`+sku+`","kind":"receipt","qty":1000000000}`), http.StatusOK); err != nil {
			return c, err
		}
	}
	return c, nil
}

func call(url, method, key string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != want {
		err = fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	return b, err
}
