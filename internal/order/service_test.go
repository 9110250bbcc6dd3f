package order_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// roundShare is the refund of r of qty units of a line whose net is net: round half
// up of net × r / qty, as the return engine prorates.
func roundShare(net, r, qty int64) int64 { return (2*net*r + qty) / (2 * qty) }

// TestOnlineOrderLifecycleAndExactReturns places an online order with 满减,
// 第二件半价 and a special price (直降); the server prices it, reserves its stock and
// redeems its promotions; payment turns the reservation into a sale; it is picked and
// collected; then two partial returns refund exactly the frozen shares of the
// returned units (together, exactly what was paid) and restock exactly those units;
// confirming a return again changes nothing.
func TestOnlineOrderLifecycleAndExactReturns(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			mj := w.promote(t, `{"code":"MJ","name":"满100减20","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":2000}]}}}`)
			half := w.promote(t, `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["`+w.milk+`"]},"nth_item":{"n":2,"off_bp":5000}}}`)
			special := w.promote(t, `{"code":"EGG","name":"鸡蛋特价","definition":{"kind":"special_price","scope":{"skus":["`+w.eggs+`"]},"special_price":{"prices":[{"price":1500}]}}}`)

			body := func(expected string) string {
				return `{"channel":"mini_program","external_ref":"MP-1","store_id":"` + w.store + `","fulfilment":"pickup",` + expected +
					`"lines":[{"sku_id":"` + w.milk + `","qty":2},{"sku_id":"` + w.eggs + `","qty":3},{"sku_id":"` + w.bread + `","qty":5}]}`
			}
			// The client's figure is never taken: a stale price is refused with the server's.
			if status, resp := w.do(t, "POST", "/api/v1/orders", body(`"expected_payable_fen":100,`)); status != 409 ||
				!strings.Contains(resp, "price_mismatch") || !strings.Contains(resp, `"payable":8735`) {
				t.Fatalf("stale price: %d %s", status, resp)
			}
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/orders", body(`"expected_payable_fen":8735,`), 201), &o)
			// 2×14.90 + 3×20.00 + 5×8.00 = 129.80; 第二件半价 −7.45, eggs at 15.00 −15.00,
			// spend 107.35 ≥ 100 → −20.00: payable 87.35.
			if o.Status != "created" || o.Totals.SubtotalFen != 12980 || o.Totals.DiscountFen != 4245 || o.Totals.PayableFen != 8735 {
				t.Fatalf("priced: %+v", o)
			}
			shares := map[string]int64{}
			for _, l := range o.Lines {
				for _, s := range l.Shares {
					shares[s.PromotionID] += s.DiscountFen
				}
			}
			if shares[half] != 745 || shares[special] != 1500 || shares[mj] != 2000 {
				t.Errorf("frozen shares %v", shares)
			}
			if onHand, reserved := w.balance(t, w.milk); onHand != 100 || reserved != 2 {
				t.Errorf("milk after placing: on hand %d reserved %d", onHand, reserved)
			}
			var again orderView
			decode(t, w.must(t, "POST", "/api/v1/orders", body(""), 201), &again)
			if again.ID != o.ID {
				t.Errorf("placing MP-1 again made another order %s", again.ID)
			}

			if status, resp := w.do(t, "POST", "/api/v1/orders/"+o.ID+"/pay", `{"method":"wechat_pay","amount_fen":100}`); status != 422 || !strings.Contains(resp, "body.amount_fen") {
				t.Errorf("paying the client's amount: %d %s", status, resp)
			}
			w.must(t, "POST", "/api/v1/orders/"+o.ID+"/pay", `{"method":"wechat_pay","amount_fen":8735,"reference":"wx-1"}`, 200)
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/pay", `{"method":"wechat_pay","amount_fen":8735,"reference":"wx-1"}`, 200), &o)
			if o.Status != "paid" || o.PaidFen != 8735 {
				t.Fatalf("paid twice with one reference: %+v", o)
			}
			if onHand, reserved := w.balance(t, w.milk); onHand != 98 || reserved != 0 {
				t.Errorf("milk after payment: on hand %d reserved %d", onHand, reserved)
			}
			if status, resp := w.do(t, "POST", "/api/v1/orders/"+o.ID+"/transitions", `{"action":"ready"}`); status != 409 {
				t.Errorf("ready before picking: %d %s", status, resp)
			}
			var picks struct {
				Lines []struct {
					OrderID string `json:"order_id"`
				} `json:"lines"`
				Totals map[string]int64 `json:"totals"`
			}
			decode(t, w.must(t, "GET", "/api/v1/pick-lists?location_id="+w.loc, "", 200), &picks)
			if len(picks.Lines) != 0 {
				t.Errorf("a paid order not yet allocated is on the pick list: %+v", picks)
			}
			w.must(t, "POST", "/api/v1/orders/"+o.ID+"/transitions", `{"action":"allocate"}`, 200)
			decode(t, w.must(t, "GET", "/api/v1/pick-lists?location_id="+w.loc, "", 200), &picks)
			if len(picks.Lines) != 3 || picks.Totals[w.milk] != 2 || picks.Totals[w.eggs] != 3 || picks.Totals[w.bread] != 5 {
				t.Errorf("pick list of the allocated order: %+v", picks)
			}
			for _, a := range []string{"start_picking", "ready"} {
				w.must(t, "POST", "/api/v1/orders/"+o.ID+"/transitions", `{"action":"`+a+`"}`, 200)
			}
			if status, resp := w.do(t, "POST", "/api/v1/orders/"+o.ID+"/transitions", `{"action":"dispatch"}`); status != 409 {
				t.Errorf("dispatching a pickup: %d %s", status, resp)
			}
			w.must(t, "POST", "/api/v1/orders/"+o.ID+"/transitions", `{"action":"complete","note":"collected"}`, 200)

			line := map[string]int{}
			for i, l := range o.Lines {
				line[l.SKUID] = i
			}
			milk, eggs := o.Lines[line[w.milk]], o.Lines[line[w.eggs]]
			first := `{"kind":"return","reference":"R1","reason":"不新鲜","restock":true,"lines":[{"line_id":"` + milk.ID + `","qty":1},{"line_id":"` + eggs.ID + `","qty":2}]}`
			var preview changeView
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/changes/preview", first, 200), &preview)
			want := roundShare(milk.NetFen, 1, 2) + roundShare(eggs.NetFen, 2, 3)
			if preview.RefundFen != want {
				t.Errorf("preview refunds %d, want the frozen shares %d", preview.RefundFen, want)
			}
			var r1 struct {
				Change changeView `json:"change"`
				Order  orderView  `json:"order"`
			}
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/changes", first, 201), &r1)
			if r1.Change.RefundFen != preview.RefundFen || r1.Change.Version != 1 || r1.Order.RefundedFen != want {
				t.Errorf("confirmed %+v, order refunded %d; want %d", r1.Change, r1.Order.RefundedFen, want)
			}
			if onHand, _ := w.balance(t, w.milk); onHand != 99 {
				t.Errorf("milk after returning one: on hand %d, want 99", onHand)
			}
			var replay struct {
				Change changeView `json:"change"`
				Order  orderView  `json:"order"`
			}
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/changes", first, 201), &replay)
			if replay.Change.ID != r1.Change.ID || replay.Order.RefundedFen != want {
				t.Errorf("replaying R1 changed the order: %+v", replay)
			}
			if onHand, _ := w.balance(t, w.milk); onHand != 99 {
				t.Errorf("replaying R1 restocked again: on hand %d", onHand)
			}
			if status, resp := w.do(t, "POST", "/api/v1/orders/"+o.ID+"/changes/preview", `{"kind":"return","lines":[{"line_id":"`+eggs.ID+`","qty":2}]}`); status != 422 ||
				!strings.Contains(resp, "body.lines[0].qty") {
				t.Errorf("returning more than is left: %d %s", status, resp)
			}
			var rest []string
			for _, l := range o.Lines {
				if q := l.Qty - map[string]int64{milk.ID: 1, eggs.ID: 2}[l.ID]; q > 0 {
					rest = append(rest, fmt.Sprintf(`{"line_id":%q,"qty":%d}`, l.ID, q))
				}
			}
			var r2 struct {
				Change changeView `json:"change"`
				Order  orderView  `json:"order"`
			}
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/changes", `{"kind":"return","reference":"R2","restock":true,"lines":[`+strings.Join(rest, ",")+`]}`, 201), &r2)
			if r2.Order.RefundedFen != r2.Order.PaidFen || r2.Order.Version != 2 {
				t.Errorf("after returning everything: refunded %d of %d paid, version %d", r2.Order.RefundedFen, r2.Order.PaidFen, r2.Order.Version)
			}
			for _, sku := range []string{w.milk, w.eggs, w.bread} {
				if onHand, reserved := w.balance(t, sku); onHand != 100 || reserved != 0 {
					t.Errorf("%s after returning everything: on hand %d reserved %d", sku, onHand, reserved)
				}
			}
			ev := w.events(t, o.ID)
			for typ, n := range map[string]int{"order.created": 1, "order.paid": 1, "order.allocated": 1, "order.picking": 1, "order.ready": 1,
				"order.completed": 1, "order.returned": 2, "order.refunded": 2} {
				if ev[typ] != n {
					t.Errorf("%d %s events, want %d (all: %v)", ev[typ], typ, n, ev)
				}
			}
		})
	}
}

// TestPOSTicketKeepsPriceDifferences: a till ticket whose stated payable is not the
// server's price is stored with an exception holding both figures, its units leave
// the store's stock, and uploading it again changes nothing.
func TestPOSTicketKeepsPriceDifferences(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			w.promote(t, `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["`+w.milk+`"]},"nth_item":{"n":2,"off_bp":5000}}}`)
			at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
			ticket := `{"external_ref":"T-0001","store_id":"` + w.store + `","placed_at":"` + at + `","stated_payable_fen":2000,
				"lines":[{"sku_id":"` + w.milk + `","qty":2}],"payments":[{"method":"cash","amount_fen":2000}]}`
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/pos-tickets", ticket, 201), &o)
			// The server: 2 × 14.90 with the second at half price = 22.35; the till said 20.00.
			if o.Status != "completed" || o.Totals.PayableFen != 2235 || o.PaidFen != 2000 {
				t.Fatalf("ticket: %+v", o)
			}
			if len(o.Exceptions) != 1 || o.Exceptions[0].Kind != "price_mismatch" || o.Exceptions[0].StatedFen != 2000 || o.Exceptions[0].ServerFen != 2235 {
				t.Errorf("exceptions %+v", o.Exceptions)
			}
			if onHand, _ := w.balance(t, w.milk); onHand != 98 {
				t.Errorf("milk after the ticket: %d, want 98", onHand)
			}
			var again orderView
			decode(t, w.must(t, "POST", "/api/v1/pos-tickets", ticket, 201), &again)
			if onHand, _ := w.balance(t, w.milk); again.ID != o.ID || onHand != 98 {
				t.Errorf("uploading T-0001 again: order %s (first %s), milk %d", again.ID, o.ID, onHand)
			}
			var batch struct {
				Recorded int `json:"recorded"`
				Refused  int `json:"refused"`
				Results  []struct {
					Status  int `json:"status"`
					Problem any `json:"problem"`
				} `json:"results"`
			}
			decode(t, w.must(t, "POST", "/api/v1/pos-tickets/batch", `{"tickets":[`+ticket+`,
				{"external_ref":"T-0002","store_id":"`+w.store+`","placed_at":"`+at+`","stated_payable_fen":800,"lines":[{"sku_id":"nope","qty":1}]},
				{"external_ref":"T-0003","store_id":"`+w.store+`","placed_at":"`+at+`","stated_payable_fen":800,"lines":[{"sku_id":"`+w.bread+`","qty":1}]},
				{"external_ref":"T-0004","store_id":"`+w.store+`","placed_at":"2020-01-01T00:00:00Z","stated_payable_fen":800,"lines":[{"sku_id":"`+w.bread+`","qty":1}]}]}`, 200), &batch)
			if batch.Recorded != 2 || batch.Refused != 2 || batch.Results[1].Status != 422 || !strings.Contains(fmt.Sprint(batch.Results[1].Problem), "body.lines[0].sku_id") ||
				batch.Results[3].Status != 422 || !strings.Contains(fmt.Sprint(batch.Results[3].Problem), "body.placed_at") {
				t.Errorf("batch: %+v", batch)
			}
			if ev := w.events(t, o.ID); ev["order.created"] != 1 || ev["order.completed"] != 1 || ev["order.exception"] != 1 {
				t.Errorf("events %v", ev)
			}
			var sales struct {
				Days []struct {
					Day        string `json:"day"`
					Channel    string `json:"channel"`
					Orders     int64  `json:"orders"`
					PayableFen int64  `json:"payable_fen"`
				} `json:"days"`
			}
			from, to := time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			decode(t, w.must(t, "GET", "/api/v1/order-daily-sales?from="+from+"&to="+to, "", 200), &sales)
			shanghai, _ := time.LoadLocation("Asia/Shanghai")
			day := time.Now().Add(-time.Hour).In(shanghai).Format(time.DateOnly)
			if len(sales.Days) != 1 || sales.Days[0].Day != day || sales.Days[0].Channel != "pos" || sales.Days[0].Orders != 2 || sales.Days[0].PayableFen != 2235+800 {
				t.Errorf("daily sales %+v, want two pos orders (T-0001, T-0003) on %s", sales.Days, day)
			}
		})
	}
}

// TestCancelReleasesStockAndPromotions: cancelling an unpaid order releases its
// reservation and its promotion's budget; cancelling a paid one puts the stock back
// and refunds what was paid.
func TestCancelReleasesStockAndPromotions(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			promo := w.promote(t, `{"code":"TEN","name":"¥1 off","limits":{"budget_fen":100},"definition":{"kind":"amount_off","scope":{"skus":["`+w.bread+`"]},"amount_off":{"amount":100}}}`)
			place := func(ref string) orderView {
				var o orderView
				decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","external_ref":"`+ref+`","store_id":"`+w.store+`","fulfilment":"delivery",
					"receiver":{"name":"王小明","phone":"13800138000","address":"上海市徐汇区漕溪北路1号"},
					"lines":[{"sku_id":"`+w.bread+`","qty":3}]}`, 201), &o)
				return o
			}
			a := place("A")
			if a.Totals.DiscountFen != 100 || a.Totals.PayableFen != 2400-100+600 {
				t.Fatalf("A: %+v", a)
			}
			if b := place("B"); b.Totals.DiscountFen != 0 {
				t.Errorf("B got the spent budget: %+v", b)
			}
			w.must(t, "POST", "/api/v1/orders/"+a.ID+"/cancel", `{"reason":"顾客取消"}`, 200)
			if _, reserved := w.balance(t, w.bread); reserved != 3 {
				t.Errorf("reserved after cancelling A: %d, want B's 3", reserved)
			}
			if c := place("C"); c.Totals.DiscountFen != 100 {
				t.Errorf("C after A released the budget: %+v", c)
			}
			var p struct {
				Usage struct {
					DiscountFen int64 `json:"discount_fen"`
				} `json:"usage"`
			}
			decode(t, w.must(t, "GET", "/api/v1/promotions/"+promo, "", 200), &p)
			if p.Usage.DiscountFen != 100 {
				t.Errorf("budget used %d, want 100 (C only)", p.Usage.DiscountFen)
			}
			c := place("C")
			w.must(t, "POST", "/api/v1/orders/"+c.ID+"/pay", fmt.Sprintf(`{"method":"alipay","amount_fen":%d}`, c.Totals.PayableFen), 200)
			var cancelled orderView
			decode(t, w.must(t, "POST", "/api/v1/orders/"+c.ID+"/cancel", `{"reason":"缺货"}`, 200), &cancelled)
			if cancelled.Status != "cancelled" || cancelled.RefundedFen != c.Totals.PayableFen {
				t.Errorf("cancelled after payment: %+v", cancelled)
			}
			if onHand, reserved := w.balance(t, w.bread); onHand != 100 || reserved != 3 {
				t.Errorf("bread: on hand %d reserved %d, want 100 and B's 3", onHand, reserved)
			}
			if cancelled.Receiver == nil || cancelled.Receiver.Phone != "13800138000" {
				t.Errorf("receiver for a customers:pii key: %+v", cancelled.Receiver)
			}
			var raw string
			if err := w.app.DB.Reader().QueryRow(`SELECT receiver_sealed FROM orders WHERE id = $1`, c.ID).Scan(&raw); err != nil || strings.Contains(raw, "138") || raw == "" {
				t.Errorf("receiver at rest: %q %v", raw, err)
			}
		})
	}
}

// TestConcurrentOrdersNeverOversellOrOverspend: 30 online orders for 2 units each of a
// SKU with 20 on hand, placed at once, each redeeming ¥1 from a ¥5 budget: exactly 10
// are placed, the stock is never oversold and the budget never overrun; 20
// concurrent till tickets redeem at most the budget left and are all recorded.
func TestConcurrentOrdersNeverOversellOrOverspend(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			w.must(t, "POST", "/api/v1/stock-locations/"+w.loc+"/changes", `{"sku_id":"`+w.eggs+`","kind":"count","qty":20}`, 200)
			promo := w.promote(t, `{"code":"ONE","name":"¥1 off","limits":{"budget_fen":500},"definition":{"kind":"amount_off","scope":{"skus":["`+w.eggs+`"]},"amount_off":{"amount":100}}}`)
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			var discount int64
			for i := range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, resp := w.do(t, "POST", "/api/v1/orders", fmt.Sprintf(`{"channel":"app","external_ref":"O%d","store_id":%q,"fulfilment":"pickup",
						"lines":[{"sku_id":%q,"qty":2}]}`, i, w.store, w.eggs))
					mu.Lock()
					defer mu.Unlock()
					statuses[status]++
					if status == 201 {
						var o orderView
						decode(t, resp, &o)
						discount += o.Totals.DiscountFen
					}
				}()
			}
			wg.Wait()
			if statuses[201] != 10 || statuses[409] != 20 {
				t.Errorf("statuses %v, want 10 placed and 20 refused", statuses)
			}
			if onHand, reserved := w.balance(t, w.eggs); onHand != 20 || reserved != 20 {
				t.Errorf("eggs: on hand %d reserved %d", onHand, reserved)
			}
			at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, resp := w.do(t, "POST", "/api/v1/pos-tickets", fmt.Sprintf(`{"external_ref":"T%d","store_id":%q,"placed_at":%q,"stated_payable_fen":1900,
						"lines":[{"sku_id":%q,"qty":1}]}`, i, w.store, at, w.eggs))
					mu.Lock()
					defer mu.Unlock()
					if status != 201 {
						t.Errorf("ticket %d: %d %s", i, status, resp)
						return
					}
					var o orderView
					decode(t, resp, &o)
					discount += o.Totals.DiscountFen
				}()
			}
			wg.Wait()
			var p struct {
				Usage struct {
					DiscountFen int64 `json:"discount_fen"`
				} `json:"usage"`
			}
			decode(t, w.must(t, "GET", "/api/v1/promotions/"+promo, "", 200), &p)
			if p.Usage.DiscountFen != 500 || discount != 500 {
				t.Errorf("budget used %d, orders' discounts %d; want exactly the ¥5 budget", p.Usage.DiscountFen, discount)
			}
		})
	}
}

// TestUnpaidOrdersAreCancelled: an online order still unpaid when its reservation's
// time has passed is cancelled by the background sweep: its stock and its promotion's
// budget go back; a paid order is left alone.
func TestUnpaidOrdersAreCancelled(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFixed(time.Now())
			w := setupWith(t, dialect, clk)
			promo := w.promote(t, `{"code":"ONE","name":"¥1 off","limits":{"budget_fen":100},"definition":{"kind":"amount_off","scope":{"skus":["`+w.bread+`"]},"amount_off":{"amount":100}}}`)
			place := func(ref string) orderView {
				var o orderView
				decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","external_ref":"`+ref+`","store_id":"`+w.store+`","fulfilment":"pickup","lines":[{"sku_id":"`+w.bread+`","qty":2}]}`, 201), &o)
				return o
			}
			unpaid := place("U")
			clk.Advance(5 * time.Minute)
			paid := place("P")
			w.must(t, "POST", "/api/v1/orders/"+paid.ID+"/pay", fmt.Sprintf(`{"method":"cash","amount_fen":%d}`, paid.Totals.PayableFen), 200)
			clk.Advance(11 * time.Minute)
			n, err := w.app.Order.CancelUnpaid(context.Background(), 100)
			if err != nil || n != 1 {
				t.Fatalf("cancelled %d (%v), want the one unpaid order", n, err)
			}
			var o orderView
			decode(t, w.must(t, "GET", "/api/v1/orders/"+unpaid.ID, "", 200), &o)
			if o.Status != "cancelled" {
				t.Errorf("unpaid order is %s", o.Status)
			}
			if onHand, reserved := w.balance(t, w.bread); onHand != 98 || reserved != 0 {
				t.Errorf("bread: on hand %d reserved %d, want the paid order's 2 gone and nothing held", onHand, reserved)
			}
			var p struct {
				Usage struct {
					DiscountFen int64 `json:"discount_fen"`
				} `json:"usage"`
			}
			decode(t, w.must(t, "GET", "/api/v1/promotions/"+promo, "", 200), &p)
			if p.Usage.DiscountFen != 0 || paid.Totals.DiscountFen != 0 || unpaid.Totals.DiscountFen != 100 {
				t.Errorf("budget used %d after the unpaid order was cancelled (discounts: unpaid %d, paid %d)", p.Usage.DiscountFen, unpaid.Totals.DiscountFen, paid.Totals.DiscountFen)
			}
		})
	}
}

// TestTillTicketWithMemberPriceReturnsExactly: a till ticket priced for a gold member
// with 满减, 第二件半价 and a gold member price (会员价) is recorded at the server's
// price (the till's matches: no exception); a partial return refunds exactly the
// frozen shares of the returned units and restocks them.
func TestTillTicketWithMemberPriceReturnsExactly(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			w.promote(t, `{"code":"MJ","name":"满100减20","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":2000}]}}}`)
			w.promote(t, `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["`+w.milk+`"]},"nth_item":{"n":2,"off_bp":5000}}}`)
			w.promote(t, `{"code":"GOLD","name":"金卡会员价","definition":{"kind":"special_price","scope":{"skus":["`+w.eggs+`"]},"special_price":{"prices":[{"tier":"gold","price":1500}]}}}`)
			at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/pos-tickets", `{"external_ref":"G-1","store_id":"`+w.store+`","placed_at":"`+at+`","tier":"gold","stated_payable_fen":8735,
				"lines":[{"sku_id":"`+w.milk+`","qty":2},{"sku_id":"`+w.eggs+`","qty":3},{"sku_id":"`+w.bread+`","qty":5}],"payments":[{"method":"wechat_pay","amount_fen":8735}]}`, 201), &o)
			if o.Totals.PayableFen != 8735 || len(o.Exceptions) != 0 {
				t.Fatalf("gold ticket: payable %d, exceptions %+v; want 87.35 and none", o.Totals.PayableFen, o.Exceptions)
			}
			var milk, eggs = o.Lines[0], o.Lines[1]
			for _, l := range o.Lines {
				switch l.SKUID {
				case w.milk:
					milk = l
				case w.eggs:
					eggs = l
				}
			}
			want := roundShare(milk.NetFen, 1, 2) + roundShare(eggs.NetFen, 2, 3)
			var r struct {
				Change changeView `json:"change"`
			}
			decode(t, w.must(t, "POST", "/api/v1/orders/"+o.ID+"/changes", `{"kind":"return","reference":"R1","restock":true,
				"lines":[{"line_id":"`+milk.ID+`","qty":1},{"line_id":"`+eggs.ID+`","qty":2}]}`, 201), &r)
			if r.Change.RefundFen != want {
				t.Errorf("refund %d, want the frozen shares %d", r.Change.RefundFen, want)
			}
			if onHand, _ := w.balance(t, w.eggs); onHand != 99 {
				t.Errorf("eggs: on hand %d, want 100 − 3 sold + 2 returned", onHand)
			}
		})
	}
}
