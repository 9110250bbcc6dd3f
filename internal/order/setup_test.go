package order_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// world is a running app with one tenant: a store with a stock location, three SKUs
// (milk ¥14.90, eggs ¥20.00, bread ¥8.00) with 100 of each on hand, and an all-scopes
// API key.
type world struct {
	app    *app.App
	server *httptest.Server
	key    string
	tenant string
	store  string
	loc    string
	milk   string
	eggs   string
	bread  string
}

func setup(t *testing.T, dialect db.Dialect) *world {
	t.Helper()
	return setupWith(t, dialect, clock.System{})
}

// setupWith is setup with the app reading the time from c.
func setupWith(t *testing.T, dialect db.Dialect, c clock.Clock) *world {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DB: dbtest.MigratedDSN(t, dialect), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Org: org.TestConfig(), PIISecret: pii.TestSecret(), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	w := &world{app: a, server: httptest.NewServer(a.Handler())}
	t.Cleanup(w.server.Close)
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "alpha", TenantName: "Alpha", AdminLogin: "admin",
		AdminName: "Admin", AdminPassword: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	w.tenant = tenant.ID
	if _, w.key, err = a.Org.CreateAPIKey(auth.WithPrincipal(ctx, auth.System(tenant.ID)), org.APIKeyCreate{Name: "all", Scopes: auth.AllScopes()}); err != nil {
		t.Fatal(err)
	}
	brand := w.create(t, "/api/v1/brands", `{"code":"B","name":"Brand"}`)
	region := w.create(t, "/api/v1/regions", `{"code":"R","name":"Region"}`)
	w.store = w.create(t, "/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"S1","name":"徐汇店","format":"supermarket","city":"上海"}`, brand, region))
	category := w.create(t, "/api/v1/categories", `{"code":"FOOD","name":"食品"}`)
	product := w.create(t, "/api/v1/products", `{"category_id":"`+category+`","code":"P","name":"食品"}`)
	w.milk = w.create(t, "/api/v1/skus", `{"product_id":"`+product+`","code":"MILK","name":"牛奶 1L","list_price_fen":1490}`)
	w.eggs = w.create(t, "/api/v1/skus", `{"product_id":"`+product+`","code":"EGGS","name":"鸡蛋 10枚","list_price_fen":2000}`)
	w.bread = w.create(t, "/api/v1/skus", `{"product_id":"`+product+`","code":"BREAD","name":"面包","list_price_fen":800}`)
	w.loc = w.create(t, "/api/v1/stock-locations", `{"code":"L1","name":"徐汇店","kind":"store","store_id":"`+w.store+`"}`)
	for _, sku := range []string{w.milk, w.eggs, w.bread} {
		w.must(t, "POST", "/api/v1/stock-locations/"+w.loc+"/changes", `{"sku_id":"`+sku+`","kind":"receipt","qty":100}`, 200)
	}
	return w
}

// send sends a request without credentials (a platform's push) with a content type.
func (w *world) send(t *testing.T, path, contentType string, body []byte) (int, string) {
	t.Helper()
	res, err := w.server.Client().Post(w.server.URL+path, contentType, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// do sends a request with the tenant's key and returns the status and body.
func (w *world) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, w.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// must sends a request and fails unless it answers status; it returns the body.
func (w *world) must(t *testing.T, method, path, body string, status int) string {
	t.Helper()
	got, resp := w.do(t, method, path, body)
	if got != status {
		t.Fatalf("%s %s: %d (want %d) %s", method, path, got, status, resp)
	}
	return resp
}

func (w *world) create(t *testing.T, path, body string) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	resp := w.must(t, "POST", path, body, 201)
	if err := json.Unmarshal([]byte(resp), &out); err != nil || out.ID == "" {
		t.Fatalf("POST %s: no id in %s", path, resp)
	}
	return out.ID
}

// promote creates and activates a promotion and returns its id.
func (w *world) promote(t *testing.T, body string) string {
	t.Helper()
	id := w.create(t, "/api/v1/promotions", body)
	w.must(t, "POST", "/api/v1/promotions/"+id+"/activate", "", 200)
	return id
}

// balance returns on hand and reserved of a SKU at the store's location.
func (w *world) balance(t *testing.T, sku string) (int64, int64) {
	t.Helper()
	var b struct {
		OnHand   int64 `json:"on_hand"`
		Reserved int64 `json:"reserved"`
	}
	decode(t, w.must(t, "GET", "/api/v1/stock-locations/"+w.loc+"/balances/"+sku, "", 200), &b)
	return b.OnHand, b.Reserved
}

// events counts the outbox events about an order by type.
func (w *world) events(t *testing.T, orderID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	rows, err := w.app.DB.Reader().Query(`SELECT type FROM outbox_events WHERE aggregate_id = $1`, orderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			t.Fatal(err)
		}
		out[typ]++
	}
	return out
}

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// orderView is what the tests read of an order.
type orderView struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Status      string `json:"status"`
	CustomerID  string `json:"customer_id"`
	PaidFen     int64  `json:"paid_fen"`
	RefundedFen int64  `json:"refunded_fen"`
	Version     int64  `json:"version"`
	Totals      struct {
		SubtotalFen int64 `json:"subtotal_fen"`
		DiscountFen int64 `json:"discount_fen"`
		PayableFen  int64 `json:"payable_fen"`
	} `json:"totals"`
	Lines []struct {
		ID          string `json:"id"`
		SKUID       string `json:"sku_id"`
		Qty         int64  `json:"qty"`
		AmountFen   int64  `json:"amount_fen"`
		NetFen      int64  `json:"net_fen"`
		ReturnedQty int64  `json:"returned_qty"`
		Shares      []struct {
			PromotionID string `json:"promotion_id"`
			DiscountFen int64  `json:"discount_fen"`
		} `json:"shares"`
	} `json:"lines"`
	Receiver *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"receiver"`
	Exceptions []struct {
		Kind      string `json:"kind"`
		StatedFen int64  `json:"stated_fen"`
		ServerFen int64  `json:"server_fen"`
	} `json:"exceptions"`
	Payments []struct {
		Kind      string `json:"kind"`
		AmountFen int64  `json:"amount_fen"`
	} `json:"payments"`
}

type changeView struct {
	ID        string `json:"id"`
	Version   int64  `json:"version"`
	RefundFen int64  `json:"refund_fen"`
	Lines     []struct {
		LineID    string `json:"line_id"`
		Qty       int64  `json:"qty"`
		RefundFen int64  `json:"refund_fen"`
	} `json:"lines"`
}
