package order_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// decisionView is what the tests read of a stored routing decision.
type decisionView struct {
	Code      string `json:"code"`
	Shipments []struct {
		LocationID string    `json:"location_id"`
		From       time.Time `json:"from"`
		To         time.Time `json:"to"`
	} `json:"shipments"`
	Candidates []struct {
		LocationID string `json:"location_id"`
		Code       string `json:"code"`
		Message    string `json:"message"`
		Details    []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"candidates"`
}

// note returns the code and every detail code of a location's note.
func (d decisionView) note(loc string) (string, []string) {
	for _, c := range d.Candidates {
		if c.LocationID == loc {
			var details []string
			for _, dt := range c.Details {
				details = append(details, dt.Code)
			}
			return c.Code, details
		}
	}
	return "", nil
}

// TestLocationSettingsSteerRouting: a store near the receiver with a capacity of one
// order per hour takes the first delivery; the next goes to the warehouse and the
// decision says the store is at capacity; cancelling the first frees the store
// again. Past the store's cut-off its promise starts at the next opening (and it
// still beats a warehouse promising later); a radius override puts it out of reach;
// bad settings are refused naming the field.
func TestLocationSettingsSteerRouting(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			// 10:00 in Shanghai.
			w := setupWith(t, dialect, clock.NewFixed(time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)))
			brand := w.create(t, "/api/v1/brands", `{"code":"BN","name":"Near"}`)
			region := w.create(t, "/api/v1/regions", `{"code":"RN","name":"Near"}`)
			near := w.create(t, "/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"NEAR","name":"近店","format":"convenience","city":"上海",
				"latitude":31.2000,"longitude":121.4500,"opening_hours":"08:00-22:00"}`, brand, region))
			nearLoc := w.create(t, "/api/v1/stock-locations", `{"code":"LN","name":"近店","kind":"store","store_id":"`+near+`"}`)
			warehouse := w.create(t, "/api/v1/stock-locations", `{"code":"WH","name":"城市仓","kind":"warehouse","latitude":31.2500,"longitude":121.5000}`)
			for _, loc := range []string{nearLoc, warehouse} {
				w.must(t, "POST", "/api/v1/stock-locations/"+loc+"/changes", `{"sku_id":"`+w.milk+`","kind":"receipt","qty":10}`, 200)
			}
			settings := func(body string) string {
				return w.must(t, "PUT", "/api/v1/stock-locations/"+nearLoc+"/fulfilment", body, 200)
			}
			place := func() (string, decisionView) {
				var o struct {
					ID      string       `json:"id"`
					Routing decisionView `json:"routing"`
				}
				decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","store_id":"`+w.store+`","fulfilment":"delivery",
					"receiver":{"name":"王小明","phone":"13800138000","address":"上海市徐汇区","lat":31.2010,"lng":121.4510},
					"lines":[{"sku_id":"`+w.milk+`","qty":1}]}`, 201), &o)
				if len(o.Routing.Shipments) != 1 {
					t.Fatalf("decision %+v", o.Routing)
				}
				return o.ID, o.Routing
			}

			if resp := settings(`{"orders_per_hour":1,"cost_per_order_fen":300}`); !strings.Contains(resp, `"load_last_hour":0`) {
				t.Errorf("settings: %s", resp)
			}
			first, d := place()
			if d.Shipments[0].LocationID != nearLoc {
				t.Fatalf("the near store has room for one: %+v", d)
			}
			if resp := w.must(t, "GET", "/api/v1/stock-locations/"+nearLoc+"/fulfilment", "", 200); !strings.Contains(resp, `"load_last_hour":1`) ||
				!strings.Contains(resp, `"orders_per_hour":1`) {
				t.Errorf("load after one order: %s", resp)
			}
			_, d = place()
			if code, _ := d.note(nearLoc); d.Shipments[0].LocationID != warehouse || code != "at_capacity" {
				t.Errorf("the store is full: want the warehouse and at_capacity, got %s and %q", d.Shipments[0].LocationID, code)
			}
			w.must(t, "POST", "/api/v1/orders/"+first+"/cancel", `{"reason":"changed mind"}`, 200)
			if _, d = place(); d.Shipments[0].LocationID != nearLoc {
				t.Errorf("a cancelled order no longer counts: want the store, got %+v", d)
			}

			// Past the cut-off (09:00) at 10:00: the store promises tomorrow 08:00–09:00,
			// which still ends before the warehouse's 14:00–10:00 tomorrow.
			settings(`{"cut_off":"09:00"}`)
			_, d = place()
			code, details := d.note(nearLoc)
			if d.Shipments[0].LocationID != nearLoc || code != "chosen" || !strings.Contains(strings.Join(details, ","), "past_cut_off") {
				t.Errorf("past cut-off: %s %q %v", d.Shipments[0].LocationID, code, details)
			}
			if want := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC); !d.Shipments[0].From.Equal(want) {
				t.Errorf("promise starts %s, want the next opening %s", d.Shipments[0].From, want)
			}

			settings(`{"radius_km":0.05}`)
			if _, d = place(); d.Shipments[0].LocationID != warehouse {
				t.Errorf("the receiver is beyond the store's 50 m: %+v", d)
			}
			if code, _ := d.note(nearLoc); code != "out_of_radius" {
				t.Errorf("near store's note %q", code)
			}

			for _, c := range []struct{ body, field string }{
				{`{"cut_off":"25:00"}`, "cut_off"},
				{`{"orders_per_hour":-1}`, "orders_per_hour"},
				{`{"radius_km":0}`, "radius_km"},
				{`{"cost_per_km_fen":-5}`, "cost_per_km_fen"},
			} {
				if status, resp := w.do(t, "PUT", "/api/v1/stock-locations/"+nearLoc+"/fulfilment", c.body); status != 422 || !strings.Contains(resp, c.field) {
					t.Errorf("%s: %d %s", c.body, status, resp)
				}
			}
			if status, _ := w.do(t, "GET", "/api/v1/stock-locations/nope/fulfilment", ""); status != 404 {
				t.Errorf("unknown location: %d", status)
			}
		})
	}
}
