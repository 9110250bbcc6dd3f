package order_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestExchangeOfCompletedOrder: two milk at ¥14.90 with 第二件半价 (¥22.35) and one
// eggs (¥20.00) are collected. One milk is exchanged for one eggs: the returned unit
// is worth exactly what its return would refund, the customer pays exactly the
// difference (no payment: 422; another amount: 409 naming the server's figure), four
// confirmations at once and a replay make one change, one payment and one stock
// movement each way. Then the eggs line is exchanged for a bread: the shop refunds
// exactly ¥20.00 − ¥8.00, the eggs are not restocked (not asked). A bread the
// location does not have is refused (409 insufficient), and the exchanged-in eggs
// return for what was paid for them.
func TestExchangeOfCompletedOrder(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			w.promote(t, `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["`+w.milk+`"]},"nth_item":{"n":2,"off_bp":5000}}}`)
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","store_id":"`+w.store+`","fulfilment":"pickup",
				"lines":[{"id":"L1","sku_id":"`+w.milk+`","qty":2},{"id":"L2","sku_id":"`+w.eggs+`","qty":1}]}`, 201), &o)
			path := "/api/v1/orders/" + o.ID
			w.must(t, "POST", path+"/pay", `{"method":"wechat_pay","amount_fen":4235}`, 200)
			dearer := func(pay string) string {
				return `{"kind":"exchange","reference":"X1","reason":"wrong item","restock":true,"lines":[{"line_id":"L1","qty":1}],
					"items":[{"sku_id":"` + w.eggs + `","qty":1}]` + pay + `}`
			}
			if status, resp := w.do(t, "POST", path+"/changes/preview", dearer("")); status != 409 {
				t.Errorf("exchanging before completion: %d %s", status, resp)
			}
			for _, a := range []string{"allocate", "start_picking", "ready", "complete"} {
				w.must(t, "POST", path+"/transitions", `{"action":"`+a+`"}`, 200)
			}
			var ret changeView
			decode(t, w.must(t, "POST", path+"/changes/preview", `{"kind":"return","lines":[{"line_id":"L1","qty":1}]}`, 200), &ret)
			worth := ret.RefundFen
			if worth <= 0 || worth >= 1490 {
				t.Fatalf("one milk's return is worth %d", worth)
			}
			type exchangeView struct {
				changeView
				Kind   string `json:"kind"`
				DueFen int64  `json:"due_fen"`
				Added  []struct {
					LineID    string `json:"line_id"`
					SKUID     string `json:"sku_id"`
					AmountFen int64  `json:"amount_fen"`
				} `json:"added"`
			}
			var preview exchangeView
			decode(t, w.must(t, "POST", path+"/changes/preview", dearer(""), 200), &preview)
			due := 2000 - worth
			if preview.Kind != "exchange" || preview.DueFen != due || preview.RefundFen != 0 || len(preview.Added) != 1 ||
				preview.Added[0].AmountFen != 2000 || len(preview.Lines) != 1 || preview.Lines[0].RefundFen != worth {
				t.Fatalf("preview %+v, want due %d", preview, due)
			}
			if status, resp := w.do(t, "POST", path+"/changes", dearer("")); status != 422 || !strings.Contains(resp, "body.payment") {
				t.Errorf("no payment: %d %s", status, resp)
			}
			if status, resp := w.do(t, "POST", path+"/changes", dearer(`,"payment":{"method":"cash","amount_fen":100}`)); status != 409 ||
				!strings.Contains(resp, fmt.Sprint(due)) {
				t.Errorf("a wrong amount: %d %s", status, resp)
			}
			if status, resp := w.do(t, "POST", path+"/changes", dearer(fmt.Sprintf(`,"payment":{"method":"stored_value","amount_fen":%d}`, due))); status != 422 ||
				!strings.Contains(resp, "body.payment.method") {
				t.Errorf("stored value for the difference: %d %s", status, resp)
			}
			pay := dearer(fmt.Sprintf(`,"payment":{"method":"cash","amount_fen":%d,"reference":"CASH-1"}`, due))
			type result struct {
				Change exchangeView `json:"change"`
				Order  struct {
					orderView
					Lines []struct {
						ID          string `json:"id"`
						SKUID       string `json:"sku_id"`
						NetFen      int64  `json:"net_fen"`
						ReturnedQty int64  `json:"returned_qty"`
						ExchangeFor string `json:"exchange_for"`
					} `json:"lines"`
					Payments []struct {
						Kind      string `json:"kind"`
						AmountFen int64  `json:"amount_fen"`
					} `json:"payments"`
				} `json:"order"`
			}
			results := make([]result, 4)
			var wg sync.WaitGroup
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, resp := w.do(t, "POST", path+"/changes", pay)
					if status != 201 {
						t.Errorf("confirm %d: %d %s", i, status, resp)
						return
					}
					if err := json.Unmarshal([]byte(resp), &results[i]); err != nil {
						t.Errorf("confirm %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			var replay result
			decode(t, w.must(t, "POST", path+"/changes", pay, 201), &replay)
			for i, r := range results {
				if r.Change.ID != replay.Change.ID || r.Change.DueFen != due {
					t.Errorf("confirm %d: %+v, replay %+v", i, r.Change, replay.Change)
				}
			}
			if ro := replay.Order; ro.PaidFen != 4235+due || ro.RefundedFen != 0 || ro.Version != 1 || len(ro.Payments) != 2 || len(ro.Lines) != 3 {
				t.Errorf("after the exchange: paid %d refunded %d version %d, %d payments, %d lines", ro.PaidFen, ro.RefundedFen, ro.Version, len(ro.Payments), len(ro.Lines))
			}
			for _, l := range replay.Order.Lines {
				switch {
				case l.ID == "L1" && l.ReturnedQty != 1:
					t.Errorf("milk line: %+v", l)
				case l.ID == "X1-1" && (l.SKUID != w.eggs || l.NetFen != 2000 || l.ExchangeFor != "L1"):
					t.Errorf("exchange line: %+v", l)
				}
			}
			// Milk: 100 − 2 sold + 1 restocked; eggs: 100 − 1 sold − 1 exchanged.
			if onHand, _ := w.balance(t, w.milk); onHand != 99 {
				t.Errorf("milk on hand %d, want 99", onHand)
			}
			if onHand, _ := w.balance(t, w.eggs); onHand != 98 {
				t.Errorf("eggs on hand %d, want 98", onHand)
			}

			if status, resp := w.do(t, "POST", path+"/changes/preview", `{"kind":"exchange","lines":[{"line_id":"L2","qty":1}],"items":[{"sku_id":"`+w.bread+`","qty":1000}]}`); status != 200 {
				t.Errorf("preview of a large exchange: %d %s", status, resp)
			}
			if status, resp := w.do(t, "POST", path+"/changes", `{"kind":"exchange","reference":"X-BIG","lines":[{"line_id":"L2","qty":1}],"items":[{"sku_id":"`+w.bread+`","qty":1000}],
				"payment":{"method":"cash","amount_fen":798000}}`); status != 409 || !strings.Contains(resp, "below zero") {
				t.Errorf("more bread than the location has: %d %s", status, resp)
			}
			var cheaper result
			decode(t, w.must(t, "POST", path+"/changes", `{"kind":"exchange","reference":"X2","lines":[{"line_id":"L2","qty":1}],"items":[{"sku_id":"`+w.bread+`","qty":1}]}`, 201), &cheaper)
			if c := cheaper.Change; c.RefundFen != 1200 || c.DueFen != 0 || cheaper.Order.RefundedFen != 1200 || cheaper.Order.PaidFen != 4235+due || cheaper.Order.Version != 2 {
				t.Errorf("a cheaper exchange: %+v, order refunded %d paid %d", c, cheaper.Order.RefundedFen, cheaper.Order.PaidFen)
			}
			if onHand, _ := w.balance(t, w.eggs); onHand != 98 {
				t.Errorf("eggs on hand %d after an exchange without restock, want 98", onHand)
			}
			if onHand, _ := w.balance(t, w.bread); onHand != 99 {
				t.Errorf("bread on hand %d, want 99", onHand)
			}
			if status, resp := w.do(t, "POST", path+"/changes/preview", `{"kind":"return","items":[{"sku_id":"`+w.bread+`","qty":1}],"lines":[{"line_id":"L1","qty":1}]}`); status != 422 ||
				!strings.Contains(resp, "body.items") {
				t.Errorf("a return with items: %d %s", status, resp)
			}
			var back result
			decode(t, w.must(t, "POST", path+"/changes", `{"kind":"return","reference":"R1","lines":[{"line_id":"X1-1","qty":1}]}`, 201), &back)
			if back.Change.RefundFen != 2000 {
				t.Errorf("returning the exchanged-in eggs refunds %d, want 2000", back.Change.RefundFen)
			}
			if ev := w.events(t, o.ID); ev["order.exchanged"] != 2 || ev["order.refunded"] != 2 || ev["order.returned"] != 1 {
				t.Errorf("events %v", ev)
			}
		})
	}
}
