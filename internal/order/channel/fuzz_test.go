package channel_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
)

// fuzzNow is the fuzz targets' clock: the time the samples were signed.
var fuzzNow = time.Date(2026, 12, 7, 3, 20, 0, 0, time.UTC)

func readSample(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// checkAccepted asserts the invariants of an accepted notification.
func checkAccepted(t *testing.T, p channel.Platform, d channel.Decoded) {
	t.Helper()
	o := d.Order
	if err := o.Validate(); err != nil {
		t.Fatalf("accepted order breaks an invariant: %v\n%+v", err, o)
	}
	if o.Platform != p || d.ReplayKey != channel.ReplayKey(p, o.PlatformOrderID, o.Event) {
		t.Fatalf("platform %q, replay key %q for %+v", o.Platform, d.ReplayKey, o)
	}
	sum := int64(0)
	for _, l := range o.Lines {
		if l.Qty <= 0 || l.UnitPriceFen < 0 || l.TotalFen != l.Qty*l.UnitPriceFen {
			t.Fatalf("bad line %+v", l)
		}
		sum += l.TotalFen
	}
	if sum != o.GoodsFen || o.GoodsFen+o.PackageFeeFen+o.DeliveryFeeFen-o.DiscountFen != o.PayableFen || o.PayableFen < 0 {
		t.Fatalf("amounts do not add up: %+v", o)
	}
	if o.Event == channel.EventNew && (len(o.Lines) == 0 || o.Receiver.Name == "" || o.Receiver.Phone == "" || o.Receiver.Address == "") {
		t.Fatalf("new order without lines or receiver: %+v", o)
	}
}

// FuzzMeituanDecode feeds arbitrary bodies to the Meituan-style adapter twice: as
// they are (almost always refused at the signature) and re-signed with the test
// secret and a current timestamp, so that the order parser itself sees them. It
// must never panic, and whatever it accepts satisfies checkAccepted.
func FuzzMeituanDecode(f *testing.F) {
	f.Add(string(readSample(f, "meituan_new_order.form")), false)
	f.Add(string(readSample(f, "meituan_cancel.form")), true)
	f.Add("order_id=1&detail=[{}]", false)
	f.Add("detail=%5B%7B%22quantity%22%3A1e9%7D%5D", false)
	a := meituanAdapter(f, fuzzNow, 0)
	f.Fuzz(func(t *testing.T, body string, cancel bool) {
		event, callback := channel.EventNew, mtNewURL
		if cancel {
			event, callback = channel.EventCancelled, mtCancelURL
		}
		if d, err := a.Decode(channel.Notification{Event: event, Body: []byte(body)}); err == nil {
			checkAccepted(t, channel.Meituan, d)
		} else if channel.ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		v.Set("app_id", mtAppID)
		v.Set("timestamp", strconv.FormatInt(fuzzNow.Unix(), 10))
		signed := channel.SignMeituan(callback, mtSecret, v)
		d, err := a.Decode(channel.Notification{Event: event, Body: []byte(signed.Encode())})
		if err != nil {
			if r := channel.ReasonOf(err); r != channel.ReasonMalformed {
				t.Fatalf("a signed, current push refused for %q: %v", r, err)
			}
			return
		}
		checkAccepted(t, channel.Meituan, d)
	})
}

// FuzzElemeDecode feeds arbitrary bodies to the Eleme-style adapter as they are,
// and arbitrary messages and types wrapped in a correctly signed, current push. It
// must never panic, and whatever it accepts satisfies checkAccepted.
func FuzzElemeDecode(f *testing.F) {
	for _, name := range []string{"eleme_new_order.json", "eleme_cancel.json"} {
		body := readSample(f, name)
		var push struct {
			Type    int    `json:"type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(body, &push); err != nil {
			f.Fatal(err)
		}
		f.Add(body, push.Message, push.Type)
	}
	f.Add([]byte(`{"appId":58329104,"message":"{}","type":10}`), `{"groups":[{"items":[{}]}]}`, 10)
	a := elemeAdapter(f, fuzzNow, 0)
	f.Fuzz(func(t *testing.T, body []byte, message string, typ int) {
		if d, err := a.Decode(channel.Notification{Body: body}); err == nil {
			checkAccepted(t, channel.Eleme, d)
		} else if channel.ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
		push, err := json.Marshal(map[string]any{"appId": json.Number(eleAppID), "requestId": "fuzz_1", "shopId": 160239871,
			"userId": 987654, "timestamp": fuzzNow.UnixMilli(), "type": typ, "message": message})
		if err != nil {
			return // message is not valid UTF-8 text
		}
		signed, err := channel.SignEleme(eleSecret, push)
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.Decode(channel.Notification{Body: signed})
		if err != nil {
			if r := channel.ReasonOf(err); r != channel.ReasonMalformed && r != channel.ReasonUnsupported {
				t.Fatalf("a signed, current push refused for %q: %v", r, err)
			}
			return
		}
		checkAccepted(t, channel.Eleme, d)
	})
}
