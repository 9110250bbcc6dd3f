package order_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestSubstitutionWhilePicking: two milk at ¥14.90 with 第二件半价 come to ¥22.35;
// a picker replaces one of them (worth ¥11.18 of that net) with a cheaper bread
// (¥8.00): the customer pays ¥8.00 and gets ¥3.18 back, and the milk line keeps its
// frozen share; then one eggs (¥20.00) with two milk (¥29.80): the customer pays
// ¥20.00, nothing more. The
// replaced units go back on hand, the substitutes leave it at the same location,
// the pick list shows what replaced what, replaying a confirmation (also four at
// once) changes nothing, and a returned substitute refunds what was paid for it.
func TestSubstitutionWhilePicking(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			half := w.promote(t, `{"code":"HALF","name":"第二件半价","definition":{"kind":"nth_item","scope":{"skus":["`+w.milk+`"]},"nth_item":{"n":2,"off_bp":5000}}}`)
			var o orderView
			decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","store_id":"`+w.store+`","fulfilment":"pickup",
				"lines":[{"id":"L1","sku_id":"`+w.milk+`","qty":2},{"id":"L2","sku_id":"`+w.eggs+`","qty":1}]}`, 201), &o)
			if o.Totals.PayableFen != 4235 {
				t.Fatalf("payable %d", o.Totals.PayableFen)
			}
			path := "/api/v1/orders/" + o.ID
			w.must(t, "POST", path+"/pay", `{"method":"wechat_pay","amount_fen":4235}`, 200)
			w.must(t, "POST", path+"/transitions", `{"action":"allocate"}`, 200)
			cheaper := `{"kind":"substitution","reference":"S1","reason":"out of stock","lines":[{"line_id":"L1","qty":1,"substitute_sku_id":"` + w.bread + `"}]}`
			if status, resp := w.do(t, "POST", path+"/changes/preview", cheaper); status != 409 {
				t.Errorf("substituting before picking: %d %s", status, resp)
			}
			w.must(t, "POST", path+"/transitions", `{"action":"start_picking"}`, 200)

			var preview struct {
				changeView
				Lines []struct {
					RefundFen        int64  `json:"refund_fen"`
					SubstituteLineID string `json:"substitute_line_id"`
					SubstituteNet    int64  `json:"substitute_net_fen"`
					SubstituteAmount int64  `json:"substitute_amount_fen"`
				} `json:"lines"`
			}
			decode(t, w.must(t, "POST", path+"/changes/preview", cheaper, 200), &preview)
			if preview.RefundFen != 318 || len(preview.Lines) != 1 || preview.Lines[0].SubstituteNet != 800 || preview.Lines[0].SubstituteLineID != "L1-S1" {
				t.Fatalf("preview %+v", preview)
			}
			if onHand, _ := w.balance(t, w.bread); onHand != 100 {
				t.Errorf("a preview moved bread: %d", onHand)
			}

			// The picker's tablet retries: four confirmations of one reference at once
			// make one change, one refund and one stock movement each way.
			type result struct {
				Change changeView `json:"change"`
				Order  orderView  `json:"order"`
			}
			results := make([]result, 4)
			var wg sync.WaitGroup
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, resp := w.do(t, "POST", path+"/changes", cheaper) // t.Fatal only on a transport failure
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
			decode(t, w.must(t, "POST", path+"/changes", cheaper, 201), &replay)
			for i, r := range results {
				if r.Change.RefundFen != 318 || r.Change.ID != replay.Change.ID {
					t.Errorf("confirm %d: %+v, replay %+v", i, r.Change, replay.Change)
				}
			}
			if replay.Order.RefundedFen != 318 || len(replay.Order.Lines) != 3 || replay.Order.Version != 1 {
				t.Errorf("after the replays: refunded %d, %d lines, version %d", replay.Order.RefundedFen, len(replay.Order.Lines), replay.Order.Version)
			}
			for _, l := range replay.Order.Lines {
				switch {
				case l.ID == "L1" && (l.NetFen != 2235 || len(l.Shares) != 1 || l.Shares[0].PromotionID != half || l.Shares[0].DiscountFen != 745):
					t.Errorf("the milk line keeps its net and frozen share: %+v", l)
				case l.ID == "L1-S1" && (l.SKUID != w.bread || l.NetFen != 800 || len(l.Shares) != 0):
					t.Errorf("the substitute line: %+v", l)
				}
			}
			dearer := `{"kind":"substitution","reference":"S2","lines":[{"line_id":"L2","qty":1,"substitute_sku_id":"` + w.milk + `","substitute_qty":2}]}`
			var r2 struct {
				Change changeView `json:"change"`
				Order  orderView  `json:"order"`
			}
			decode(t, w.must(t, "POST", path+"/changes", dearer, 201), &r2)
			if r2.Change.RefundFen != 0 || r2.Order.PaidFen != 4235 || r2.Order.RefundedFen != 318 {
				t.Errorf("a dearer substitute: refund %d, paid %d, refunded %d", r2.Change.RefundFen, r2.Order.PaidFen, r2.Order.RefundedFen)
			}
			nets := map[string]int64{}
			for _, l := range r2.Order.Lines {
				nets[l.ID] = l.NetFen
			}
			if nets["L1-S1"] != 800 || nets["L2-S1"] != 2000 {
				t.Errorf("substitute lines' nets %v", nets)
			}
			// Milk: 100 − 2 sold + 1 replaced − 2 substituting; bread − 1; eggs −1 +1.
			for _, c := range []struct {
				name            string
				sku             string
				onHand, reserve int64
			}{{"milk", w.milk, 97, 0}, {"bread", w.bread, 99, 0}, {"eggs", w.eggs, 100, 0}} {
				if onHand, reserved := w.balance(t, c.sku); onHand != c.onHand || reserved != c.reserve {
					t.Errorf("%s: on hand %d reserved %d, want %d %d", c.name, onHand, reserved, c.onHand, c.reserve)
				}
			}
			if status, resp := w.do(t, "POST", path+"/changes/preview", `{"kind":"substitution","lines":[{"line_id":"L1","qty":2,"substitute_sku_id":"`+w.bread+`"}]}`); status != 422 ||
				!strings.Contains(resp, "body.lines[0].qty") {
				t.Errorf("substituting more than is left: %d %s", status, resp)
			}
			if status, resp := w.do(t, "POST", path+"/changes/preview", `{"kind":"substitution","lines":[{"line_id":"L1","qty":1,"substitute_sku_id":"`+w.bread+`","substitute_qty":1000}]}`); status != 409 ||
				!strings.Contains(resp, "available") {
				t.Errorf("a substitute short of stock: %d %s", status, resp)
			}

			var picks struct {
				Lines []struct {
					LineID         string `json:"line_id"`
					ToPick         int64  `json:"to_pick"`
					SubstitutedQty int64  `json:"substituted_qty"`
					SubstituteFor  string `json:"substitute_for"`
				} `json:"lines"`
				Totals map[string]int64 `json:"totals"`
			}
			decode(t, w.must(t, "GET", "/api/v1/pick-lists?location_id="+w.loc, "", 200), &picks)
			got := map[string]string{}
			for _, l := range picks.Lines {
				got[l.LineID] = strings.TrimSpace(fmt.Sprintf("%d %d %s", l.ToPick, l.SubstitutedQty, l.SubstituteFor))
			}
			if got["L1"] != "1 1" || got["L1-S1"] != "1 0 L1" || got["L2"] != "0 1" || got["L2-S1"] != "2 0 L2" ||
				picks.Totals[w.milk] != 3 || picks.Totals[w.bread] != 1 || picks.Totals[w.eggs] != 0 {
				t.Errorf("pick list %v totals %v", got, picks.Totals)
			}
			if ev := w.events(t, o.ID); ev["order.substituted"] != 2 || ev["order.refunded"] != 1 {
				t.Errorf("events %v", ev)
			}

			for _, a := range []string{"ready", "complete"} {
				w.must(t, "POST", path+"/transitions", `{"action":"`+a+`"}`, 200)
			}
			var ret struct {
				Change changeView `json:"change"`
			}
			decode(t, w.must(t, "POST", path+"/changes", `{"kind":"return","reference":"R1","restock":true,"lines":[{"line_id":"L2-S1","qty":2},{"line_id":"L1","qty":1}]}`, 201), &ret)
			if ret.Change.RefundFen != 2000+1117 {
				t.Errorf("returning the dearer substitute and the kept milk refunds %d, want what was paid: 3117", ret.Change.RefundFen)
			}
			if status, resp := w.do(t, "POST", path+"/changes/preview", `{"kind":"return","lines":[{"line_id":"L1","qty":1}]}`); status != 422 {
				t.Errorf("returning a substituted unit: %d %s", status, resp)
			}
		})
	}
}
