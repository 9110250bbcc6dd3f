package channel_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func detailLine(s source, i int) map[string]any {
	return s.params()["detail"].([]any)[i].(map[string]any)
}

func elemeItem(s source, i int) map[string]any {
	g := s.message()["groups"].([]any)[0].(map[string]any)
	return g["items"].([]any)[i].(map[string]any)
}

// TestMeituanMalformedRefused breaks an authentic (correctly signed) sample in one
// way at a time and checks the push is refused as malformed, naming the field.
func TestMeituanMalformedRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sample string
		break_ func(s source)
		field  string
	}{
		{"detail is not JSON", "meituan_new_order", func(s source) { s.params()["detail"] = `[{"app_food_code":"EGG-10",` }, "detail"},
		{"detail is an object", "meituan_new_order", func(s source) { s.params()["detail"] = `{"app_food_code":"EGG-10"}` }, "detail"},
		{"detail is empty", "meituan_new_order", func(s source) { s.params()["detail"] = `[]` }, "detail"},
		{"detail has trailing data", "meituan_new_order", func(s source) { s.params()["detail"] = text(t, s.params()["detail"]) + `]` }, "detail"},
		{"missing order id", "meituan_new_order", func(s source) { delete(s.params(), "order_id") }, "order_id"},
		{"empty order id", "meituan_new_order", func(s source) { s.params()["order_id"] = "" }, "order_id"},
		{"order id with spaces", "meituan_new_order", func(s source) { s.params()["order_id"] = "27061900 338811223" }, "order_id"},
		{"missing store", "meituan_new_order", func(s source) { delete(s.params(), "app_poi_code") }, "app_poi_code"},
		{"negative quantity", "meituan_new_order", func(s source) { detailLine(s, 1)["quantity"] = json.Number("-1") }, "detail[1].quantity"},
		{"zero quantity", "meituan_new_order", func(s source) { detailLine(s, 2)["quantity"] = json.Number("0") }, "detail[2].quantity"},
		{"fractional quantity", "meituan_new_order", func(s source) { detailLine(s, 2)["quantity"] = json.Number("1.5") }, "detail[2].quantity"},
		{"non-numeric price", "meituan_new_order", func(s source) { detailLine(s, 0)["price"] = "abc" }, "detail[0].price"},
		{"negative price", "meituan_new_order", func(s source) { detailLine(s, 0)["price"] = json.Number("-15.8") }, "detail[0].price"},
		{"price with 3 decimals", "meituan_new_order", func(s source) { detailLine(s, 0)["price"] = json.Number("15.805") }, "detail[0].price"},
		{"price in exponent form", "meituan_new_order", func(s source) { detailLine(s, 0)["price"] = json.Number("1.58e1") }, "detail[0].price"},
		{"price as a boolean", "meituan_new_order", func(s source) { detailLine(s, 0)["price"] = true }, "detail[0].price"},
		{"line without name", "meituan_new_order", func(s source) { delete(detailLine(s, 1), "food_name") }, "detail[1].food_name"},
		{"line not an object", "meituan_new_order", func(s source) { s.params()["detail"].([]any)[1] = "x" }, "detail[1]"},
		{"amounts beyond what the platform keeps", "meituan_new_order", func(s source) {
			detailLine(s, 0)["quantity"] = json.Number("999999999")
			detailLine(s, 0)["price"] = json.Number("9999999")
		}, "detail"},
		{"total does not add up", "meituan_new_order", func(s source) { s.params()["total"] = "59.8" }, "total"},
		{"original price does not add up", "meituan_new_order", func(s source) { s.params()["original_price"] = "80.8" }, "original_price"},
		{"non-numeric shipping fee", "meituan_new_order", func(s source) { s.params()["shipping_fee"] = "5元" }, "shipping_fee"},
		{"unknown pay type", "meituan_new_order", func(s source) { s.params()["pay_type"] = "3" }, "pay_type"},
		{"latitude out of range", "meituan_new_order", func(s source) { s.params()["latitude"] = "131.2" }, "latitude"},
		{"missing receiver phone", "meituan_new_order", func(s source) { delete(s.params(), "recipient_phone") }, "recipient_phone"},
		{"receiver name too long", "meituan_new_order", func(s source) { s.params()["recipient_name"] = strings.Repeat("王", 400) }, "recipient_name"},
		{"missing order time", "meituan_new_order", func(s source) { delete(s.params(), "ctime") }, "ctime"},
		{"non-numeric timestamp", "meituan_new_order", func(s source) { s.params()["timestamp"] = "yesterday" }, "timestamp"},
		{"cancel without order id", "meituan_cancel", func(s source) { delete(s.params(), "order_id") }, "order_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := loadSource(t, tt.sample)
			now := sentAt(t, src)
			tt.break_(src)
			decodeRefused(t, meituanAdapter(t, now, 0), meituanNotification(t, src), channel.ReasonMalformed, errs.Invalid, tt.field)
		})
	}

	now := sentAt(t, loadSource(t, "meituan_new_order"))
	raw := []struct {
		name  string
		n     channel.Notification
		field string
	}{
		{"empty body", channel.Notification{Event: channel.EventNew}, "body"},
		{"bad escape in body", channel.Notification{Event: channel.EventNew, Body: []byte("order_id=%zz")}, "body"},
		{"parameter twice", channel.Notification{Event: channel.EventNew, Query: "order_id=1", Body: []byte("order_id=2")}, "order_id"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decodeRefused(t, meituanAdapter(t, now, 0), tt.n, channel.ReasonMalformed, errs.Invalid, tt.field)
		})
	}
	t.Run("no event", func(t *testing.T) {
		t.Parallel()
		n := meituanNotification(t, loadSource(t, "meituan_new_order"))
		n.Event = ""
		decodeRefused(t, meituanAdapter(t, now, 0), n, channel.ReasonUnsupported, errs.Invalid, "event")
	})
	t.Run("params split between query and body", func(t *testing.T) {
		t.Parallel()
		src := loadSource(t, "meituan_new_order")
		v, err := url.ParseQuery(string(meituanNotification(t, src).Body))
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"app_id": v["app_id"], "timestamp": v["timestamp"], "sig": v["sig"]}
		for k := range q {
			v.Del(k)
		}
		n := channel.Notification{Event: channel.EventNew, Query: q.Encode(), Body: []byte(v.Encode())}
		if _, err := meituanAdapter(t, now, 0).Decode(n); err != nil {
			t.Fatal(err)
		}
	})
}

// TestElemeMalformedRefused does the same for the Eleme-style push.
func TestElemeMalformedRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sample string
		break_ func(s source)
		field  string
		reason channel.Reason
	}{
		{"message is not JSON", "eleme_new_order", func(s source) { s["message"] = `{"id":"3044123456789012345",` }, "message", channel.ReasonMalformed},
		{"message is an array", "eleme_new_order", func(s source) { s["message"] = `[1]` }, "message", channel.ReasonMalformed},
		{"missing order id", "eleme_new_order", func(s source) { delete(s.message(), "id") }, "message.id", channel.ReasonMalformed},
		{"negative quantity", "eleme_new_order", func(s source) { elemeItem(s, 1)["quantity"] = json.Number("-2") }, "message.groups[0].items[1].quantity", channel.ReasonMalformed},
		{"non-numeric price", "eleme_new_order", func(s source) { elemeItem(s, 0)["price"] = "two fifty" }, "message.groups[0].items[0].price", channel.ReasonMalformed},
		{"item total is not quantity × price", "eleme_new_order", func(s source) { elemeItem(s, 2)["total"] = json.Number("9.9") }, "message.groups[0].items[2].total", channel.ReasonMalformed},
		{"no items", "eleme_new_order", func(s source) { s.message()["groups"].([]any)[0].(map[string]any)["items"] = []any{} }, "message.groups[0].items", channel.ReasonMalformed},
		{"groups not an array", "eleme_new_order", func(s source) { s.message()["groups"] = "basket" }, "message.groups", channel.ReasonMalformed},
		{"total price does not add up", "eleme_new_order", func(s source) { s.message()["totalPrice"] = json.Number("40.7") }, "message.totalPrice", channel.ReasonMalformed},
		{"original price does not add up", "eleme_new_order", func(s source) { s.message()["originalPrice"] = json.Number("50") }, "message.originalPrice", channel.ReasonMalformed},
		{"activity amount positive", "eleme_new_order", func(s source) {
			s.message()["orderActivities"].([]any)[0].(map[string]any)["amount"] = json.Number("3.0")
		}, "message.orderActivities[0].amount", channel.ReasonMalformed},
		{"no phone", "eleme_new_order", func(s source) { s.message()["phoneList"] = []any{} }, "message.phoneList", channel.ReasonMalformed},
		{"phone not text", "eleme_new_order", func(s source) { s.message()["phoneList"] = []any{map[string]any{}} }, "message.phoneList[0]", channel.ReasonMalformed},
		{"geo without comma", "eleme_new_order", func(s source) { s.message()["deliveryGeo"] = "120.130203" }, "message.deliveryGeo", channel.ReasonMalformed},
		{"created at in another format", "eleme_new_order", func(s source) { s.message()["createdAt"] = "2026/12/07 11:20" }, "message.createdAt", channel.ReasonMalformed},
		{"onlinePaid not a boolean", "eleme_new_order", func(s source) { s.message()["onlinePaid"] = "yes" }, "message.onlinePaid", channel.ReasonMalformed},
		{"shop of message differs from push", "eleme_new_order", func(s source) { s.message()["shopId"] = json.Number("160239872") }, "message.shopId", channel.ReasonMalformed},
		{"missing request id", "eleme_new_order", func(s source) { delete(s, "requestId") }, "requestId", channel.ReasonMalformed},
		{"non-numeric type", "eleme_new_order", func(s source) { s["type"] = "new" }, "type", channel.ReasonMalformed},
		{"unsupported type (refund requested)", "eleme_new_order", func(s source) { s["type"] = json.Number("30") }, "type", channel.ReasonUnsupported},
		{"cancel without order id", "eleme_cancel", func(s source) { delete(s.message(), "orderId") }, "message.orderId", channel.ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := loadSource(t, tt.sample)
			now := sentAt(t, src)
			tt.break_(src)
			decodeRefused(t, elemeAdapter(t, now, 0), elemeNotification(t, src), tt.reason, errs.Invalid, tt.field)
		})
	}
	now := sentAt(t, loadSource(t, "eleme_new_order"))
	raw := []struct{ body, field string }{
		{"", "body"}, {"   ", "body"}, {"not json", "body"}, {`[1,2]`, "body"}, {`{"appId":58329104`, "body"}, {`"x"`, "body"},
		{`{"appId":58329104,"extra":{"a":1}}`, "extra"}, {`{"appId":58329104,"message":["x"]}`, "message"},
	}
	for _, tt := range raw {
		t.Run("body "+tt.body, func(t *testing.T) {
			t.Parallel()
			decodeRefused(t, elemeAdapter(t, now, 0), channel.Notification{Body: []byte(tt.body)}, channel.ReasonMalformed, errs.Invalid, tt.field)
		})
	}
}

// TestReplayKey checks that the replay key names the business event: the same push
// decoded twice, or re-signed later by a replayer, has the same key; another event
// or another order has another.
func TestReplayKey(t *testing.T) {
	t.Parallel()
	t.Run("meituan", func(t *testing.T) {
		t.Parallel()
		src := loadSource(t, "meituan_new_order")
		now := sentAt(t, src)
		a := meituanAdapter(t, now, 0)
		first := mustDecode(t, a, meituanNotification(t, src))
		again := mustDecode(t, a, meituanNotification(t, src))
		src.params()["timestamp"] = json.Number(text(t, now.Add(time.Minute).Unix()))
		later := mustDecode(t, a, meituanNotification(t, src))
		other := loadSource(t, "meituan_new_order")
		other.params()["order_id"] = "27061900338811224"
		otherOrder := mustDecode(t, a, meituanNotification(t, other))
		cancel := loadSource(t, "meituan_cancel")
		cancelled := mustDecode(t, meituanAdapter(t, sentAt(t, cancel), 0), meituanNotification(t, cancel))
		checkKeys(t, first, again, later, otherOrder, cancelled)
	})
	t.Run("eleme", func(t *testing.T) {
		t.Parallel()
		src := loadSource(t, "eleme_new_order")
		now := sentAt(t, src)
		a := elemeAdapter(t, now, 0)
		first := mustDecode(t, a, elemeNotification(t, src))
		again := mustDecode(t, a, elemeNotification(t, src))
		src["timestamp"] = json.Number(text(t, now.Add(time.Minute).UnixMilli()))
		src["requestId"] = "100000301234567890_1796613720999"
		later := mustDecode(t, a, elemeNotification(t, src))
		other := loadSource(t, "eleme_new_order")
		other.message()["id"] = "3044123456789012346"
		otherOrder := mustDecode(t, a, elemeNotification(t, other))
		cancel := loadSource(t, "eleme_cancel")
		cancelled := mustDecode(t, elemeAdapter(t, sentAt(t, cancel), 0), elemeNotification(t, cancel))
		checkKeys(t, first, again, later, otherOrder, cancelled)
	})
}

func mustDecode(t *testing.T, a channel.Adapter, n channel.Notification) channel.Decoded {
	t.Helper()
	d, err := a.Decode(n)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func checkKeys(t *testing.T, first, again, later, otherOrder, cancelled channel.Decoded) {
	t.Helper()
	if first.ReplayKey == "" || first.ReplayKey != again.ReplayKey || first.NotificationID != again.NotificationID {
		t.Errorf("the same push decoded twice: %q/%q and %q/%q", first.ReplayKey, first.NotificationID, again.ReplayKey, again.NotificationID)
	}
	if later.ReplayKey != first.ReplayKey {
		t.Errorf("re-signed later: key %q, want %q", later.ReplayKey, first.ReplayKey)
	}
	if later.NotificationID == first.NotificationID {
		t.Errorf("re-signed later kept notification id %q", later.NotificationID)
	}
	if otherOrder.ReplayKey == first.ReplayKey || cancelled.ReplayKey == first.ReplayKey || cancelled.ReplayKey == otherOrder.ReplayKey {
		t.Errorf("distinct events share a key: %q %q %q", first.ReplayKey, otherOrder.ReplayKey, cancelled.ReplayKey)
	}
}
