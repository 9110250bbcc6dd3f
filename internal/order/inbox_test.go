package order_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// The sample pushes of internal/order/channel/testdata and their apps.
const (
	mtNewURL    = "https://shop.example.com/api/channels/meituan/orders"
	mtCancelURL = "https://shop.example.com/api/channels/meituan/cancellations"
	mtSecret    = "mt-test-secret-0001"
	eleSecret   = "ele-test-secret-0001"
)

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("channel/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.TrimSpace(string(b))) // the files end with a newline the platform does not send
}

// TestPlatformPushesImportOnceAndRefusalsAreKept: the Meituan-style and Eleme-style
// sample pushes import as delivery sales at the stores with their codes; their
// cancellations cancel them; a replayed push, a tampered signature and a malformed
// (but signed) push are refused and kept in the inbox with the reason and payload.
func TestPlatformPushesImportOnceAndRefusalsAreKept(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFixed(time.Unix(1796613630, 0))
			w := setupWith(t, dialect, clk)
			brand := w.create(t, "/api/v1/brands", `{"code":"B2","name":"Brand 2"}`)
			region := w.create(t, "/api/v1/regions", `{"code":"R2","name":"Region 2"}`)
			category := w.create(t, "/api/v1/categories", `{"code":"DLV","name":"外卖"}`)
			product := w.create(t, "/api/v1/products", `{"category_id":"`+category+`","code":"DLVP","name":"外卖商品"}`)
			for _, code := range []string{"SH-PD-001", "160239871"} {
				store := w.create(t, "/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":%q,"name":"店 %s","format":"convenience","city":"上海"}`, brand, region, code, code))
				w.create(t, "/api/v1/stock-locations", `{"code":"L-`+code+`","name":"L","kind":"store","store_id":"`+store+`","allow_negative":true}`)
			}
			for _, code := range []string{"MILK-950", "BREAD-TOAST-400", "EGG-10", "WATER-550", "CHIPS-75", "6970000000012"} {
				w.create(t, "/api/v1/skus", `{"product_id":"`+product+`","code":"`+code+`","name":"`+code+`","list_price_fen":1000}`)
			}
			w.must(t, "PUT", "/api/v1/order-channel-apps/meituan/6789", `{"secret":"`+mtSecret+`","new_order_url":"`+mtNewURL+`","cancel_url":"`+mtCancelURL+`"}`, 200)
			w.must(t, "PUT", "/api/v1/order-channel-apps/eleme/58329104", `{"secret":"`+eleSecret+`"}`, 200)
			const form, js = "application/x-www-form-urlencoded", "application/json"
			mtNew, eleNew := sample(t, "meituan_new_order.form"), sample(t, "eleme_new_order.json")

			var ack struct {
				OrderID string `json:"order_id"`
			}
			status, resp := w.send(t, "/api/v1/channel-notifications/meituan/6789/new", form, mtNew)
			if status != 200 {
				t.Fatalf("meituan new: %d %s", status, resp)
			}
			decode(t, resp, &ack)
			var mt orderView
			decode(t, w.must(t, "GET", "/api/v1/orders/"+ack.OrderID, "", 200), &mt)
			if mt.Status != "paid" || len(mt.Lines) != 3 || mt.Receiver == nil || mt.Receiver.Phone != "13812345678" {
				t.Errorf("meituan order: %+v", mt)
			}
			if len(mt.Exceptions) != 1 || mt.Exceptions[0].Kind != "price_mismatch" {
				t.Errorf("the platform's prices differ from the store's: exceptions %+v", mt.Exceptions)
			}
			if status, resp := w.send(t, "/api/v1/channel-notifications/meituan/6789/new", form, mtNew); status != 409 {
				t.Errorf("replayed push: %d %s", status, resp)
			}
			tampered := []byte(strings.Replace(string(mtNew), "quantity%22%3A2", "quantity%22%3A20", 1))
			if string(tampered) == string(mtNew) {
				t.Fatal("the sample's quantity was not found to tamper with")
			}
			if status, resp := w.send(t, "/api/v1/channel-notifications/meituan/6789/new", form, tampered); status != 401 {
				t.Errorf("tampered push: %d %s", status, resp)
			}
			params := channel.SignMeituan(mtNewURL, mtSecret, url.Values{"app_id": {"6789"}, "timestamp": {"1796613600"}, "app_poi_code": {"SH-PD-001"}})
			if status, resp := w.send(t, "/api/v1/channel-notifications/meituan/6789/new", form, []byte(params.Encode())); status != 422 || !strings.Contains(resp, "order_id") {
				t.Errorf("signed push without an order id: %d %s", status, resp)
			}
			if status, resp := w.send(t, "/api/v1/channel-notifications/meituan/9999/new", form, mtNew); status != 401 {
				t.Errorf("unknown app: %d %s", status, resp)
			}

			status, resp = w.send(t, "/api/v1/channel-notifications/eleme/58329104", js, eleNew)
			if status != 200 {
				t.Fatalf("eleme new: %d %s", status, resp)
			}
			decode(t, resp, &ack)
			eleID := ack.OrderID

			clk.Advance(time.Unix(1796614230, 0).Sub(clk.Now()))
			for _, push := range []struct{ path, contentType, file, id string }{
				{"/api/v1/channel-notifications/meituan/6789/cancelled", form, "meituan_cancel.form", mt.ID},
				{"/api/v1/channel-notifications/eleme/58329104", js, "eleme_cancel.json", eleID},
			} {
				if status, resp := w.send(t, push.path, push.contentType, sample(t, push.file)); status != 200 {
					t.Errorf("%s: %d %s", push.file, status, resp)
				}
				var o orderView
				decode(t, w.must(t, "GET", "/api/v1/orders/"+push.id, "", 200), &o)
				if o.Status != "cancelled" || o.RefundedFen != o.PaidFen {
					t.Errorf("%s: order %+v", push.file, o)
				}
			}

			var inbox struct {
				Items []struct {
					Status  string `json:"status"`
					Reason  string `json:"reason"`
					Payload string `json:"payload"`
				} `json:"items"`
			}
			decode(t, w.must(t, "GET", "/api/v1/order-inbox?status=refused", "", 200), &inbox)
			reasons := map[string]bool{}
			for _, e := range inbox.Items {
				reasons[strings.SplitN(e.Reason, ":", 2)[0]] = e.Payload != ""
			}
			for _, r := range []string{"replayed", "signature", "malformed"} {
				if kept, ok := reasons[r]; !ok || !kept {
					t.Errorf("refused %s push not kept with its payload: %v", r, reasons)
				}
			}
			decode(t, w.must(t, "GET", "/api/v1/order-inbox?status=accepted", "", 200), &inbox)
			if len(inbox.Items) != 4 {
				t.Errorf("%d accepted pushes, want 4 (two orders, two cancellations)", len(inbox.Items))
			}
		})
	}
}

// TestOrdersPersonalDataRotatesWithTheKey: a rotation of the personal-data key
// re-seals the orders' receivers and the platform apps' secrets, so an app started
// with only the new key still reads the receiver and checks pushes.
func TestOrdersPersonalDataRotatesWithTheKey(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFixed(time.Unix(1796613630, 0))
			w := setupWith(t, dialect, clk)
			w.must(t, "PUT", "/api/v1/order-channel-apps/eleme/58329104", `{"secret":"`+eleSecret+`"}`, 200)
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","store_id":"`+w.store+`","fulfilment":"delivery",
				"receiver":{"name":"王小明","phone":"13800138000","address":"上海市徐汇区漕溪北路1号"},"lines":[{"sku_id":"`+w.bread+`","qty":1}]}`, 201), &o)
			oldKeys, err := pii.NewKeys(pii.TestSecret())
			if err != nil {
				t.Fatal(err)
			}
			newSecret := []byte("a-new-personal-data-secret-0123456789")
			newKeys, err := pii.NewKeys(newSecret)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := identity.RotateKeys(context.Background(), w.app.DB, oldKeys, newKeys, identity.RotateOptions{}); err != nil {
				t.Fatal(err)
			}
			var sealed string
			if err := w.app.DB.Reader().QueryRow(`SELECT receiver_sealed FROM orders WHERE id = $1`, o.ID).Scan(&sealed); err != nil || pii.KeyID(sealed) != newKeys.ID() {
				t.Fatalf("receiver sealed under %q (%v), want the new key %q", pii.KeyID(sealed), err, newKeys.ID())
			}
			if err := w.app.DB.Reader().QueryRow(`SELECT secret_sealed FROM order_channel_apps`).Scan(&sealed); err != nil || pii.KeyID(sealed) != newKeys.ID() {
				t.Fatalf("app secret sealed under %q (%v), want the new key", pii.KeyID(sealed), err)
			}
		})
	}
}
