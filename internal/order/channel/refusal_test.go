package channel_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// decodeRefused decodes n and asserts it is refused for reason with code, naming
// field, and that nothing was decoded (no half-imported order).
func decodeRefused(t *testing.T, a channel.Adapter, n channel.Notification, reason channel.Reason, code errs.Code, field string) {
	t.Helper()
	d, err := a.Decode(n)
	refusal(t, err, reason, code, field)
	if !reflect.DeepEqual(d, channel.Decoded{}) {
		t.Fatalf("a refused notification returned a partial result: %+v", d)
	}
}

// TestMeituanRefusesBadSignature changes a signed sample in the ways an attacker or
// a misconfiguration would and checks each is refused as a signature failure.
func TestMeituanRefusesBadSignature(t *testing.T) {
	t.Parallel()
	src := loadSource(t, "meituan_new_order")
	now := sentAt(t, src)
	signed, err := url.ParseQuery(string(meituanNotification(t, src).Body))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params func() url.Values
		event  channel.Event
	}{
		{"total lowered after signing", func() url.Values { v := clone(signed); v.Set("total", "9.8"); return v }, channel.EventNew},
		{"receiver changed after signing", func() url.Values { v := clone(signed); v.Set("recipient_address", "北京市朝阳区"); return v }, channel.EventNew},
		{"parameter added after signing", func() url.Values { v := clone(signed); v.Set("caution", "x"); v.Set("extra", "1"); return v }, channel.EventNew},
		{"signed with another secret", func() url.Values { return channel.SignMeituan(mtNewURL, "not-the-secret", signed) }, channel.EventNew},
		{"signed for another callback URL", func() url.Values { return channel.SignMeituan(mtCancelURL, mtSecret, signed) }, channel.EventNew},
		{"sent to the cancel callback", func() url.Values { return clone(signed) }, channel.EventCancelled},
		{"no sig", func() url.Values { v := clone(signed); v.Del("sig"); return v }, channel.EventNew},
		{"sig in upper case still checked", func() url.Values {
			v := clone(signed)
			v.Set("sig", strings.ToUpper(channel.MeituanSig(mtNewURL, v, "wrong")))
			return v
		}, channel.EventNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := channel.Notification{Event: tt.event, Body: []byte(tt.params().Encode())}
			decodeRefused(t, meituanAdapter(t, now, 0), n, channel.ReasonSignature, errs.Unauthorized, "sig")
		})
	}
	t.Run("upper-case sig of the right secret is accepted", func(t *testing.T) {
		t.Parallel()
		v := clone(signed)
		v.Set("sig", strings.ToUpper(v.Get("sig")))
		if _, err := meituanAdapter(t, now, 0).Decode(channel.Notification{Event: channel.EventNew, Body: []byte(v.Encode())}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another app", func(t *testing.T) {
		t.Parallel()
		v := clone(signed)
		v.Set("app_id", "9999")
		n := channel.Notification{Event: channel.EventNew, Body: []byte(channel.SignMeituan(mtNewURL, mtSecret, v).Encode())}
		decodeRefused(t, meituanAdapter(t, now, 0), n, channel.ReasonUnknownApp, errs.Unauthorized, "app_id")
	})
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestElemeRefusesBadSignature does the same for the Eleme-style push.
func TestElemeRefusesBadSignature(t *testing.T) {
	t.Parallel()
	src := loadSource(t, "eleme_new_order")
	now := sentAt(t, src)
	body := elemeNotification(t, src).Body
	replace := func(old, new string) []byte {
		if bytes.Count(body, []byte(old)) != 1 {
			t.Fatalf("%q does not occur once in the sample", old)
		}
		return bytes.Replace(body, []byte(old), []byte(new), 1)
	}
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	sig := fields["signature"].(string)
	tests := []struct {
		name string
		body []byte
	}{
		{"total price lowered after signing", replace(`\"totalPrice\":45.7`, `\"totalPrice\":4.57`)},
		{"phone changed after signing", replace("13987654321", "13900000000")},
		{"type changed after signing", replace(`"type":10`, `"type":14`)},
		{"signature altered", replace(sig, sig[:len(sig)-1]+string("0123456789ABCDEF"[(strings.IndexByte("0123456789ABCDEF", sig[len(sig)-1])+1)%16]))},
		{"no signature", replace(`"signature":"`+sig+`"`, `"signature":""`)},
		{"signed with another secret", mustSignEleme(t, "not-the-secret", body)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decodeRefused(t, elemeAdapter(t, now, 0), channel.Notification{Body: tt.body}, channel.ReasonSignature, errs.Unauthorized, "signature")
		})
	}
	t.Run("another app", func(t *testing.T) {
		t.Parallel()
		n := channel.Notification{Body: mustSignEleme(t, eleSecret, replace(`"appId":58329104`, `"appId":1234`))}
		decodeRefused(t, elemeAdapter(t, now, 0), n, channel.ReasonUnknownApp, errs.Unauthorized, "appId")
	})
}

func mustSignEleme(t testing.TB, secret string, body []byte) []byte {
	t.Helper()
	b, err := channel.SignEleme(secret, body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStaleTimestampRefused checks the replay window on both platforms: a push
// signed more than the skew before or after now is refused, one inside is accepted,
// and a wider configured skew accepts it.
func TestStaleTimestampRefused(t *testing.T) {
	t.Parallel()
	// decode decodes a platform's new-order sample at offset from its signed time.
	type decodeFunc func(t *testing.T, offset, skew time.Duration) error
	platforms := []struct {
		name   string
		decode decodeFunc
	}{
		{"meituan", func(t *testing.T, offset, skew time.Duration) error {
			src := loadSource(t, "meituan_new_order")
			_, err := meituanAdapter(t, sentAt(t, src).Add(offset), skew).Decode(meituanNotification(t, src))
			return err
		}},
		{"eleme", func(t *testing.T, offset, skew time.Duration) error {
			src := loadSource(t, "eleme_new_order")
			_, err := elemeAdapter(t, sentAt(t, src).Add(offset), skew).Decode(elemeNotification(t, src))
			return err
		}},
	}
	tests := []struct {
		name   string
		offset time.Duration
		skew   time.Duration
		stale  bool
	}{
		{"6 minutes late", 6 * time.Minute, 0, true},
		{"a day late (a captured push replayed)", 24 * time.Hour, 0, true},
		{"6 minutes early (clock ahead)", -6 * time.Minute, 0, true},
		{"4 minutes late", 4 * time.Minute, 0, false},
		{"exactly 5 minutes late", 5 * time.Minute, 0, false},
		{"6 minutes late with a 10-minute skew", 6 * time.Minute, 10 * time.Minute, false},
		{"2 minutes late with a 1-minute skew", 2 * time.Minute, time.Minute, true},
	}
	for _, p := range platforms {
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				err := p.decode(t, tt.offset, tt.skew)
				if !tt.stale {
					if err != nil {
						t.Fatalf("refused inside the window: %v", err)
					}
					return
				}
				refusal(t, err, channel.ReasonStale, errs.Unauthorized, "timestamp")
			})
		}
	}
}
