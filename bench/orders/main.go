// Command orders measures online order creation through the HTTP API: OneRetail's
// POST /api/v1/orders with 5-line orders over 200 SKUs picked at random per request
// (the server prices each against active promotions, reserves its stock, redeems its
// promotions and writes the outbox event, in one transaction) against a baseline handler on the same database that decodes
// the same request and inserts the same rows — the order, its five lines, the five
// reserved balances and one outbox event — in one transaction with plain SQL, no
// router, authentication, catalogue read, pricing or redemption. Both are driven by
// wrk from a second process; it prints orders/s, latency percentiles and the ratio.
//
//	go run ./bench/orders
//	go run ./bench/orders --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

func main() {
	target := flag.String("db", os.TempDir(), "a directory for a fresh SQLite file, or a postgres:// DSN (a new schema is made there)")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per target")
	connections := flag.Int("connections", 16, "wrk connections")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the OneRetail run to this file (go tool pprof)")
	flag.Parse()
	if err := run(*target, *duration, *connections, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "orders:", err)
		os.Exit(1)
	}
}

// chain is what the benchmark's orders need: a store with a stock location and five
// SKUs.
type chain struct {
	tenant, store, location string
	skus                    []string
}

func run(target string, duration time.Duration, connections int, cpuProfile string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := benchapi.Start(ctx, benchapi.BootOptions{Target: target, Name: "orders", Scopes: auth.AllScopes()})
	if err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	defer b.Close()
	a, base := b.App, b.Base
	fmt.Fprintln(os.Stderr, "orders: setting up the chain, promotions and stock")
	c, key, err := setUp(b)
	if err != nil {
		return err
	}
	lines := make([]map[string]any, 5)
	for i := range lines {
		lines[i] = map[string]any{"sku_id": c.skus[i], "qty": 1 + i%3}
	}
	body, err := json.Marshal(map[string]any{"channel": "mini_program", "store_id": c.store, "fulfilment": "pickup", "lines": lines})
	if err != nil {
		return err
	}
	if _, err := call(base+"/api/v1/orders", "POST", key, body, http.StatusCreated); err != nil {
		return err
	}
	skuList, err := json.Marshal(c.skus)
	if err != nil {
		return err
	}
	baseLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(baseLn, baseline(a.DB, c))
	script := filepath.Join(os.TempDir(), fmt.Sprintf("orders-%d.lua", os.Getpid()))
	lua := fmt.Sprintf(`wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local skus = {%s}
request = function()
  local lines = {}
  for i = 1, 5 do
    lines[i] = string.format('{"sku_id":"%%s","qty":%%d}', skus[math.random(#skus)], 1 + (i - 1) %% 3)
  end
  return wrk.format(nil, nil, nil, string.format('{"channel":"mini_program","store_id":"%s","fulfilment":"pickup","lines":[%%s]}', table.concat(lines, ",")))
end
`, key, string(skuList[1:len(skuList)-1]), c.store)
	if err := os.WriteFile(script, []byte(lua), 0o600); err != nil {
		return err
	}
	defer os.Remove(script)
	fmt.Fprintln(os.Stderr, "orders: baseline (plain inserts of the same rows)")
	plain, err := wrk.Run("http://"+baseLn.Addr().String()+"/", duration, connections, "-s", script)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "orders: POST /api/v1/orders")
	stop, err := benchapi.Profile(cpuProfile)
	if err != nil {
		return err
	}
	got, err := wrk.Run(base+"/api/v1/orders", duration, connections, "-s", script)
	if err := errors.Join(err, stop()); err != nil {
		return err
	}
	var placed int
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE channel = 'mini_program'`).Scan(&placed); err != nil {
		return err
	}
	out, _ := json.Marshal(map[string]any{"engine": b.Engine, "endpoint": "POST /api/v1/orders (5 random lines of 200 SKUs, 3 active promotions, reservation, redemption, outbox)",
		"connections": connections, "duration_s": duration.Seconds(), "baseline": plain, "oneretail": got, "ratio": got.RPS / plain.RPS,
		"orders_placed": placed})
	fmt.Println(string(out))
	return nil
}

// setUp makes the chain through the API with the boot's all-scopes key and returns it with
// an orders:write key (the mini program's back end).
func setUp(b *benchapi.Boot) (chain, string, error) {
	c := chain{tenant: b.Tenant.ID}
	a, base, admin := b.App, b.Base, b.Key
	_, key, err := a.Org.CreateAPIKey(b.System, org.APIKeyCreate{Name: "mini program", Scopes: []auth.Scope{auth.OrdersWrite, auth.OrdersRead}})
	if err != nil {
		return c, "", err
	}
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
		return c, "", err
	}
	region, err := create("/api/v1/regions", `{"code":"R","name":"Region"}`)
	if err != nil {
		return c, "", err
	}
	if c.store, err = create("/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"S1","name":"Store","format":"supermarket","city":"上海"}`, brand, region)); err != nil {
		return c, "", err
	}
	category, err := create("/api/v1/categories", `{"code":"FOOD","name":"食品"}`)
	if err != nil {
		return c, "", err
	}
	product, err := create("/api/v1/products", `{"category_id":"`+category+`","code":"P","name":"食品"}`)
	if err != nil {
		return c, "", err
	}
	if c.location, err = create("/api/v1/stock-locations", `{"code":"L1","name":"Store","kind":"store","store_id":"`+c.store+`"}`); err != nil {
		return c, "", err
	}
	for i := range 200 {
		sku, err := create("/api/v1/skus", fmt.Sprintf(`{"product_id":%q,"code":"K%d","name":"SKU %d","list_price_fen":%d}`, product, i, i, 990+70*i))
		if err != nil {
			return c, "", err
		}
		c.skus = append(c.skus, sku)
		if _, err := call(base+"/api/v1/stock-locations/"+c.location+"/changes", "POST", admin,
			[]byte(`{"sku_id":"`+sku+`","kind":"receipt","qty":1000000000}`), http.StatusOK); err != nil {
			return c, "", err
		}
	}
	for _, p := range []string{
		`{"code":"MJ","name":"满100减20","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":2000}]}}}`,
		`{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["` + c.skus[1] + `"]},"nth_item":{"n":2,"off_bp":5000}}}`,
		`{"code":"SP","name":"特价","definition":{"kind":"special_price","scope":{"skus":["` + c.skus[2] + `"]},"special_price":{"prices":[{"price":1500}]}}}`,
	} {
		id, err := create("/api/v1/promotions", p)
		if err != nil {
			return c, "", err
		}
		if _, err := call(base+"/api/v1/promotions/"+id+"/activate", "POST", admin, nil, http.StatusOK); err != nil {
			return c, "", err
		}
	}
	return c, key, nil
}

// baseline is the handler a competent engineer would write without the platform:
// decode the order, insert it with its lines, reserve its stock with conditional
// updates (in SKU order) and write one outbox event, in one transaction.
func baseline(d *db.DB, c chain) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Channel string `json:"channel"`
			StoreID string `json:"store_id"`
			Lines   []struct {
				SKUID string `json:"sku_id"`
				Qty   int64  `json:"qty"`
			} `json:"lines"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// Balance rows in one order (by SKU), so concurrent orders never deadlock.
		sort.Slice(in.Lines, func(i, j int) bool { return in.Lines[i].SKUID < in.Lines[j].SKUID })
		id := ids.New()
		now := time.Now().UnixMilli()
		err := d.Tx(r.Context(), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(r.Context(), `INSERT INTO orders (id, tenant_id, number, channel, store_id, status, fulfilment,
				subtotal_fen, discount_fen, payable_fen, placed_at, created_at, updated_at) VALUES ($1, $2, $3, 'baseline', $4, 'created', 'pickup', 0, 0, 0, $5, $5, $5)`,
				id, c.tenant, id, in.StoreID, now); err != nil {
				return err
			}
			for i, l := range in.Lines {
				if _, err := tx.ExecContext(r.Context(), `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, unit, qty, unit_price_fen, amount_fen, discount_fen, net_fen)
					VALUES ($1, $2, $3, $4, 'each', $5, 0, 0, 0, 0)`, c.tenant, id, fmt.Sprintf("L%d", i+1), l.SKUID, l.Qty); err != nil {
					return err
				}
				res, err := tx.ExecContext(r.Context(), `UPDATE stock_balances SET reserved = reserved + $1 WHERE tenant_id = $2 AND location_id = $3 AND sku_id = $4
					AND on_hand - reserved - safety_stock >= $1`, l.Qty, c.tenant, c.location, l.SKUID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("not enough of %s", l.SKUID)
				}
			}
			_, err := tx.ExecContext(r.Context(), `INSERT INTO outbox_events (id, tenant_id, type, aggregate_id, payload, created_at, next_attempt_at)
				VALUES ($1, $2, 'order.created', $3, '{}', $4, $4)`, ids.New(), c.tenant, id, now)
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%q}`, id)
	})
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
