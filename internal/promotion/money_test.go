package promotion

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// maxedBaskets returns a basket file of orders whose every line is at the engine's
// bounds (1,000,000 units at ¥10,000,000.00 each).
func maxedBaskets(orders, lines int) string {
	var b strings.Builder
	b.WriteString("order_id,ordered_at,sku_id,quantity,unit_price_fen,unit_cost_fen\n")
	for o := range orders {
		for l := range lines {
			fmt.Fprintf(&b, "O%d,2026-03-02 10:00:00,SKU%d,%d,%d,%d\n", o, l, engine.MaxQtyEach, money.MaxAmount, money.MaxAmount)
		}
	}
	return b.String()
}

// TestSecurity12_SimulationTotalsChecked (issue 10 finding 12): a simulation sums its
// totals with checked arithmetic. A cart past money.MaxTotal (the largest total a
// JavaScript client reads exactly) is refused by the engine and listed as skipped; a
// basket set whose totals would pass it is refused with a 422 naming
// body.basket_set_id — never a report with wrapped, negative totals (10 orders of
// 10^18 fen each gave gross_fen −8446744073709551616 before) — and a set within
// bounds is summed exactly.
func TestSecurity12_SimulationTotalsChecked(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ts := simulationServer(t, s)
		tests := []struct {
			name    string
			csv     string
			status  int
			gross   int64
			skipped int
		}{
			// 10 orders of 1,000 lines at 10^15 fen each (10^19 fen in all, past int64):
			// each cart is past money.MaxTotal, so the engine refuses it and the report
			// says so instead of summing.
			{name: "carts past the largest total", csv: maxedBaskets(10, 1000), status: 201, skipped: 10},
			// 3 orders of 3 lines at 10^15: each cart fits, their sum does not.
			{name: "totals past the largest total", csv: maxedBaskets(3, 3), status: 422},
			{name: "within bounds", csv: maxedBaskets(2, 2), status: 201, gross: 4 * engine.MaxQtyEach * money.MaxAmount},
		}
		draft := `{"kind":"percent_off","scope":{"all":true},"percent_off":{"off_bp":1000}}`
		for _, tc := range tests {
			status, body := postCSV(t, ts, "/api/v1/basket-sets?name=big", "merch", tc.csv)
			if status != 201 {
				t.Fatalf("%s: import: %d %s", tc.name, status, body)
			}
			var set BasketSetImportResponse
			if err := json.Unmarshal([]byte(body), &set); err != nil {
				t.Fatal(err)
			}
			status, body = do(t, ts, "POST", "/api/v1/promotion-simulations", "mkt", `{"basket_set_id":"`+set.ID+`","definition":`+draft+`}`)
			if status != tc.status {
				t.Errorf("%s: simulate: %d %s", tc.name, status, body)
				continue
			}
			if tc.status != 201 {
				if !strings.Contains(body, "body.basket_set_id") {
					t.Errorf("%s: %s does not name body.basket_set_id", tc.name, body)
				}
				continue
			}
			var rep SimulationReport
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.GrossFen != tc.gross || rep.DiscountFen != tc.gross/10 || rep.MarginBeforeFen != 0 || rep.MarginAfterFen != -tc.gross/10 ||
				len(rep.Skipped) != tc.skipped {
				t.Errorf("%s: totals %+v", tc.name, rep)
			}
		}
	})
}

// TestSecurity12_PromotionAmountsBounded (issue 10 finding 12): every money field of a
// promotion definition is bounded by the engine's maximum (money.MaxAmount) with a
// 422 naming the field under body.definition, in create, update and simulation
// drafts alike; the maximum itself is accepted.
func TestSecurity12_PromotionAmountsBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		over, huge := int64(money.MaxAmount+1), int64(1<<62)
		all := engine.Scope{All: true}
		milk := engine.Scope{SKUs: []string{"MILK"}}
		tests := []struct {
			name  string
			def   engine.Promotion
			field string // "" means accepted
		}{
			{name: "amount off at the maximum", def: engine.Promotion{Kind: engine.KindAmountOff, Scope: milk, AmountOff: &engine.AmountOff{Amount: money.MaxAmount}}},
			{name: "amount off", field: "amount_off.amount", def: engine.Promotion{Kind: engine.KindAmountOff, Scope: milk, AmountOff: &engine.AmountOff{Amount: huge}}},
			{name: "tier spend", field: "threshold.tiers[0].spend", def: engine.Promotion{Kind: engine.KindThreshold, Scope: all,
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: huge, Off: 100}}}}},
			{name: "repeat every", field: "threshold.repeat.every", def: engine.Promotion{Kind: engine.KindThreshold, Scope: all,
				Threshold: &engine.Threshold{Repeat: &engine.Repeat{Every: over, Off: 100}}}},
			{name: "repeat cap", field: "threshold.repeat.cap", def: engine.Promotion{Kind: engine.KindThreshold, Scope: all,
				Threshold: &engine.Threshold{Repeat: &engine.Repeat{Every: 100, Off: 10, Cap: huge}}}},
			{name: "bundle price", field: "bundle.price", def: engine.Promotion{Kind: engine.KindBundle,
				Bundle: &engine.Bundle{Components: []engine.BundleComponent{{SKUs: []string{"A"}, Qty: 2}}, Price: over}}},
			{name: "gift spend", field: "gift.spend", def: engine.Promotion{Kind: engine.KindGift, Scope: all, Gift: &engine.Gift{SKU: "G", Qty: 1, Spend: huge}}},
			{name: "gift value", field: "gift.value", def: engine.Promotion{Kind: engine.KindGift, Scope: all, Gift: &engine.Gift{SKU: "G", Qty: 1, Value: over}}},
			{name: "delivery spend", field: "delivery_fee.spend", def: engine.Promotion{Kind: engine.KindDeliveryFee, Scope: all, DeliveryFee: &engine.DeliveryFee{Spend: huge}}},
			{name: "delivery off", field: "delivery_fee.off", def: engine.Promotion{Kind: engine.KindDeliveryFee, Scope: all, DeliveryFee: &engine.DeliveryFee{Off: over}}},
			{name: "minimum spend", field: "conditions.min_spend", def: engine.Promotion{Kind: engine.KindAmountOff, Scope: milk,
				AmountOff: &engine.AmountOff{Amount: 100}, Conditions: engine.Conditions{MinSpend: huge}}},
			{name: "flash price", field: "flash_sale.price", def: engine.Promotion{Kind: engine.KindFlashSale, Scope: milk, FlashSale: &engine.FlashSale{Price: over}}},
		}
		for i, tc := range tests {
			_, err := s.CreatePromotion(ctx, NewPromotion{Code: fmt.Sprintf("P%d", i), Name: tc.name, Definition: tc.def})
			if tc.field == "" {
				if err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
				continue
			}
			if e := fieldOf(err); e != "body.definition."+tc.field {
				t.Errorf("%s: %v, want a 422 naming body.definition.%s", tc.name, err, tc.field)
			}
			if _, err := s.Simulate(as(tenantA, auth.Marketer), SimulationRequest{BasketSetID: "x", Definition: &tc.def}); fieldOf(err) != "body.definition."+tc.field {
				t.Errorf("%s: simulation draft: %v", tc.name, err)
			}
		}
		if _, err := s.CreatePromotion(ctx, NewPromotion{Code: "BUDGET", Name: "budget", Definition: tenOff(),
			Limits: Limits{BudgetFen: i64(money.MaxTotal + 1)}}); fieldOf(err) != "body.limits.budget_fen" {
			t.Errorf("budget over money.MaxTotal: %v", err)
		}
	})
}
