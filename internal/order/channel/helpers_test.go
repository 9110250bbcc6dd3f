package channel_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// The test apps of testdata/README.md.
const (
	mtAppID     = "6789"
	mtSecret    = "mt-test-secret-0001"
	mtNewURL    = "https://shop.example.com/api/channels/meituan/orders"
	mtCancelURL = "https://shop.example.com/api/channels/meituan/cancellations"
	eleAppID    = "58329104"
	eleSecret   = "ele-test-secret-0001"
)

func meituanAdapter(t testing.TB, now time.Time, skew time.Duration) *channel.MeituanAdapter {
	t.Helper()
	a, err := channel.NewMeituanAdapter(channel.MeituanConfig{AppID: mtAppID, Secret: mtSecret,
		NewOrderURL: mtNewURL, CancelURL: mtCancelURL, Skew: skew}, clock.NewFixed(now))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func elemeAdapter(t testing.TB, now time.Time, skew time.Duration) *channel.ElemeAdapter {
	t.Helper()
	a, err := channel.NewElemeAdapter(channel.ElemeConfig{AppID: eleAppID, Secret: eleSecret, Skew: skew}, clock.NewFixed(now))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// source is a sample's readable source (testdata/*.src.json), numbers kept as
// json.Number so that amounts keep their text.
type source map[string]any

func loadSource(t testing.TB, name string) source {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".src.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var s source
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// params returns a Meituan source's parameters (mutable).
func (s source) params() map[string]any { return s["params"].(map[string]any) }

// message returns an Eleme source's message (mutable).
func (s source) message() map[string]any { return s["message"].(map[string]any) }

// text is a source value as a form value or signed field: strings as they are,
// numbers as their literal, anything else as compact JSON.
func text(t testing.TB, v any) string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// meituanNotification builds the signed form body of a Meituan source.
func meituanNotification(t testing.TB, s source) channel.Notification {
	t.Helper()
	event := channel.Event(s["event"].(string))
	callback := map[channel.Event]string{channel.EventNew: mtNewURL, channel.EventCancelled: mtCancelURL}[event]
	v := url.Values{}
	for k, p := range s.params() {
		v.Set(k, text(t, p))
	}
	return channel.Notification{Event: event, Body: []byte(channel.SignMeituan(callback, mtSecret, v).Encode())}
}

// elemeNotification builds the signed JSON body of an Eleme source.
func elemeNotification(t testing.TB, s source) channel.Notification {
	t.Helper()
	top := map[string]any{}
	for k, v := range s {
		top[k] = v
	}
	if m, ok := s["message"].(map[string]any); ok {
		top["message"] = text(t, m)
	}
	b, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := channel.SignEleme(eleSecret, b)
	if err != nil {
		t.Fatal(err)
	}
	return channel.Notification{Body: signed}
}

// sentAt is a source's signed timestamp.
func sentAt(t testing.TB, s source) time.Time {
	t.Helper()
	if p, ok := s["params"].(map[string]any); ok {
		n, err := json.Number(text(t, p["timestamp"])).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return time.Unix(n, 0).UTC()
	}
	n, err := s["timestamp"].(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return time.UnixMilli(n).UTC()
}

// refusal asserts err is a refusal for reason whose classified error has code and
// names field, and returns it.
func refusal(t testing.TB, err error, reason channel.Reason, code errs.Code, field string) *channel.RefusedError {
	t.Helper()
	var r *channel.RefusedError
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a *RefusedError", err)
	}
	if r.Reason != reason || errs.CodeOf(err) != code || r.Err.Field != field {
		t.Fatalf("refused (%s, %s, field %q): %v; want (%s, %s, field %q)", r.Reason, errs.CodeOf(err), r.Err.Field, err, reason, code, field)
	}
	return r
}
