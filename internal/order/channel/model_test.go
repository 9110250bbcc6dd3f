package channel_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestOrderValidate breaks one invariant of a valid order at a time.
func TestOrderValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(o *channel.Order)
		field  string
	}{
		{"valid", func(*channel.Order) {}, ""},
		{"no id", func(o *channel.Order) { o.PlatformOrderID = "" }, "platform_order_id"},
		{"local time", func(o *channel.Order) { o.CreatedAt = o.CreatedAt.In(time.FixedZone("CST", 8*3600)) }, "created_at"},
		{"unknown event", func(o *channel.Order) { o.Event = "refunded" }, "event"},
		{"no lines", func(o *channel.Order) { o.Lines = nil }, "lines"},
		{"zero qty", func(o *channel.Order) { o.Lines[1].Qty = 0 }, "lines[1].qty"},
		{"line total off", func(o *channel.Order) { o.Lines[0].TotalFen++ }, "lines[0].total_fen"},
		{"goods off", func(o *channel.Order) { o.GoodsFen++ }, "goods_fen"},
		{"negative discount", func(o *channel.Order) { o.DiscountFen = -1 }, "discount_fen"},
		{"payable off", func(o *channel.Order) { o.PayableFen-- }, "payable_fen"},
		{"cancel with lines", func(o *channel.Order) { o.Event = channel.EventCancelled }, "event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := wantMeituanNew
			o.Lines = append([]channel.Line(nil), o.Lines...)
			tt.change(&o)
			err := o.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Field != tt.field || e.Code != errs.Invalid {
				t.Fatalf("Validate() = %v, want an invalid error naming %q", err, tt.field)
			}
		})
	}
}

// TestReadNotification reads a request's query and body, and refuses a body over
// MaxBody naming "body".
func TestReadNotification(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/api/channels/meituan/orders?app_id=6789", strings.NewReader("order_id=1"))
	n, err := channel.ReadNotification(r, channel.EventNew)
	if err != nil || n.Query != "app_id=6789" || string(n.Body) != "order_id=1" || n.Event != channel.EventNew {
		t.Fatalf("ReadNotification = %+v, %v", n, err)
	}
	big := httptest.NewRequest("POST", "/x", strings.NewReader(strings.Repeat("a", channel.MaxBody+1)))
	_, err = channel.ReadNotification(big, channel.EventNew)
	var e *errs.Error
	if !errors.As(err, &e) || e.Field != "body" {
		t.Fatalf("oversized body: %v", err)
	}
}

// TestNewAdapterConfig refuses incomplete configuration.
func TestNewAdapterConfig(t *testing.T) {
	t.Parallel()
	c := clock.NewFixed(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	for _, cfg := range []channel.MeituanConfig{
		{Secret: mtSecret, NewOrderURL: mtNewURL, CancelURL: mtCancelURL},
		{AppID: mtAppID, NewOrderURL: mtNewURL, CancelURL: mtCancelURL},
		{AppID: mtAppID, Secret: mtSecret, NewOrderURL: "/relative", CancelURL: mtCancelURL},
		{AppID: mtAppID, Secret: mtSecret, NewOrderURL: mtNewURL + "?x=1", CancelURL: mtCancelURL},
	} {
		if _, err := channel.NewMeituanAdapter(cfg, c); err == nil {
			t.Errorf("NewMeituanAdapter(%+v) accepted", cfg)
		}
	}
	if _, err := channel.NewMeituanAdapter(channel.MeituanConfig{AppID: mtAppID, Secret: mtSecret, NewOrderURL: mtNewURL, CancelURL: mtCancelURL}, nil); err == nil {
		t.Error("NewMeituanAdapter without a clock accepted")
	}
	if _, err := channel.NewElemeAdapter(channel.ElemeConfig{AppID: eleAppID}, c); err == nil {
		t.Error("NewElemeAdapter without a secret accepted")
	}
	adapters := []channel.Adapter{meituanAdapter(t, c.Now(), 0), elemeAdapter(t, c.Now(), 0)}
	if adapters[0].Platform() != channel.Meituan || adapters[1].Platform() != channel.Eleme {
		t.Errorf("platforms %q, %q", adapters[0].Platform(), adapters[1].Platform())
	}
}
