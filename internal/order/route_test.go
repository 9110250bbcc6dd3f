package order_test

import (
	"fmt"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestDeliveryIsRoutedAndExplained: a delivery with the receiver's coordinates is
// fulfilled by the nearest store within 3 km that has everything; when that store
// lacks a SKU the order goes to the warehouse that has everything (one shipment
// beats a split), its stock is reserved there, and the decision explains both.
func TestDeliveryIsRoutedAndExplained(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			brand := w.create(t, "/api/v1/brands", `{"code":"BN","name":"Near"}`)
			region := w.create(t, "/api/v1/regions", `{"code":"RN","name":"Near"}`)
			near := w.create(t, "/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"NEAR","name":"近店","format":"convenience","city":"上海",
				"latitude":31.2000,"longitude":121.4500}`, brand, region))
			nearLoc := w.create(t, "/api/v1/stock-locations", `{"code":"LN","name":"近店","kind":"store","store_id":"`+near+`"}`)
			warehouse := w.create(t, "/api/v1/stock-locations", `{"code":"WH","name":"城市仓","kind":"warehouse","latitude":31.2500,"longitude":121.5000}`)
			receipt := func(loc, sku string, qty int) {
				w.must(t, "POST", "/api/v1/stock-locations/"+loc+"/changes", fmt.Sprintf(`{"sku_id":%q,"kind":"receipt","qty":%d}`, sku, qty), 200)
			}
			receipt(nearLoc, w.milk, 10)
			receipt(warehouse, w.milk, 10)
			receipt(warehouse, w.eggs, 10)
			place := func() (orderView, map[string]any) {
				var o struct {
					orderView
					Routing map[string]any `json:"routing"`
				}
				decode(t, w.must(t, "POST", "/api/v1/orders", `{"channel":"app","store_id":"`+w.store+`","fulfilment":"delivery",
					"receiver":{"name":"王小明","phone":"13800138000","address":"上海市徐汇区","lat":31.2010,"lng":121.4510},
					"lines":[{"sku_id":"`+w.milk+`","qty":1},{"sku_id":"`+w.eggs+`","qty":2}]}`, 201), &o)
				return o.orderView, o.Routing
			}
			reserved := func(loc, sku string) int64 {
				var b struct {
					Reserved int64 `json:"reserved"`
				}
				decode(t, w.must(t, "GET", "/api/v1/stock-locations/"+loc+"/balances/"+sku, "", 200), &b)
				return b.Reserved
			}
			_, decision := place()
			if reserved(warehouse, w.milk) != 1 || reserved(warehouse, w.eggs) != 2 || reserved(nearLoc, w.milk) != 0 {
				t.Errorf("the near store lacks eggs: want everything reserved at the warehouse; decision %v", decision)
			}
			if decision["fulfillable"] != true || len(decision["candidates"].([]any)) != 2 {
				t.Errorf("decision %v", decision)
			}
			receipt(nearLoc, w.eggs, 10)
			_, decision = place()
			if reserved(nearLoc, w.milk) != 1 || reserved(nearLoc, w.eggs) != 2 {
				t.Errorf("the near store has everything within 3 km: decision %v", decision)
			}
			shipments := decision["shipments"].([]any)
			if len(shipments) != 1 || shipments[0].(map[string]any)["location_id"] != nearLoc {
				t.Errorf("shipments %v", shipments)
			}
		})
	}
}
