package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestCouponVelocityHTTP: bad rule input is refused 422 naming the field; a block
// rule refuses the second customer's lock from one device with a problem+json 409
// naming body.device_id, and so is an order with the coupon from that device (not
// one from another device); the world's flag is listed (a hash, not the device) and
// reviewed.
func TestCouponVelocityHTTP(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			for _, tc := range []struct{ body, field string }{
				{`{"dimension":"ip","window_seconds":3600,"threshold":1,"action":"flag"}`, "body.dimension"},
				{`{"dimension":"device","window_seconds":5,"threshold":1,"action":"flag"}`, "body.window_seconds"},
				{`{"dimension":"device","window_seconds":3600,"threshold":0,"action":"flag"}`, "body.threshold"},
				{`{"dimension":"device","window_seconds":3600,"threshold":1,"action":"shout"}`, "body.action"},
			} {
				status, _, resp := w.h.do(t, "PUT", "/api/v1/coupon-velocity-rules", w.h.keyA, "application/json", tc.body)
				if status != 422 || !strings.Contains(resp, tc.field) {
					t.Errorf("%s: %d %s; want 422 naming %s", tc.body, status, resp, tc.field)
				}
			}
			tm := w.id(w.admin("POST", "/api/v1/coupon-templates", "", `{"code":"GUARD","name":"guard","valid_days":30,"discount":{"kind":"amount_off","scope":{"all":true},"amount_off":{"amount":100}}}`))
			w.admin("PUT", "/api/v1/coupon-velocity-rules", "", `{"template_id":"`+tm+`","dimension":"device","window_seconds":86400,"threshold":1,"action":"block"}`)
			var codes []string
			for _, c := range w.customer {
				var is struct {
					Coupons []struct {
						Code string `json:"code"`
					} `json:"coupons"`
				}
				w.decode(w.admin("POST", "/api/v1/coupon-templates/"+tm+"/issues", "", `{"customer_ids":["`+c+`"]}`), &is)
				codes = append(codes, is.Coupons[0].Code)
			}
			lock := func(i int) (int, string, string) {
				status, h, resp := w.h.do(t, "POST", "/api/v1/coupons/"+codes[i]+"/lock", w.h.keyA, "application/json",
					fmt.Sprintf(`{"customer_id":%q,"reference":"guard-%d","device_id":"Device-42"}`, w.customer[i], i))
				return status, h.Get("Content-Type"), resp
			}
			if status, _, resp := lock(0); status != 200 {
				t.Fatalf("first customer: %d %s", status, resp)
			}
			if status, ct, resp := lock(1); status != 409 || ct != "application/problem+json" || !strings.Contains(resp, "body.device_id") ||
				!strings.Contains(resp, "velocity rule") {
				t.Fatalf("second customer from the device: %d %s %s; want a 409 problem naming body.device_id", status, ct, resp)
			}
			// The order path: the same device is refused on an order too, another is not.
			order := func(ref, device string) (int, string) {
				status, _, resp := w.h.do(t, "POST", "/api/v1/orders", w.h.keyA, "application/json", fmt.Sprintf(
					`{"channel":"app","external_ref":%q,"store_id":%q,"fulfilment":"pickup","customer_id":%q,"coupons":[%q],"device_id":%q,"lines":[{"sku_id":%q,"qty":2}]}`,
					ref, w.store[0], w.customer[1], codes[1], device, w.sku))
				return status, resp
			}
			if status, resp := order("G1", "device-42"); status != 409 || !strings.Contains(resp, "body.device_id") {
				t.Fatalf("order from the device: %d %s; want 409 naming body.device_id", status, resp)
			}
			if status, resp := order("G2", "Device-43"); status != 201 {
				t.Fatalf("order from another device: %d %s", status, resp)
			}
			flags := w.admin("GET", "/api/v1/coupon-velocity-flags?status=open&dimension=device", "", "")
			if !strings.Contains(flags, w.velocityFlag) || strings.Contains(flags, "matrix-device") {
				t.Fatalf("flags: %s", flags)
			}
			reviewed := w.admin("POST", "/api/v1/coupon-velocity-flags/"+w.velocityFlag+"/review", "", `{"status":"dismissed","note":"household"}`)
			if !strings.Contains(reviewed, `"status":"dismissed"`) {
				t.Fatalf("review: %s", reviewed)
			}
		})
	}
}
