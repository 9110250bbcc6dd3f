package channel_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/order/channel"
)

var update = flag.Bool("update", false, "rewrite the generated sample payloads in testdata")

// The neutral orders the samples decode to.
var (
	wantMeituanNew = channel.Order{
		Platform: channel.Meituan, PlatformOrderID: "27061900338811223", Event: channel.EventNew,
		StoreCode: "SH-PD-001", BuyerID: "mt_u_83920177",
		Lines: []channel.Line{
			{ItemCode: "6901234567892", SKU: "MILK-950", Name: "光明优倍鲜牛奶 950ml", Qty: 2, UnitPriceFen: 1580, TotalFen: 3160},
			{ItemCode: "BREAD-TOAST", SKU: "BREAD-TOAST-400", Name: "全麦吐司 400g", Qty: 1, UnitPriceFen: 1250, TotalFen: 1250},
			{ItemCode: "EGG-10", SKU: "EGG-10", Name: "散养土鸡蛋 10枚", Qty: 3, UnitPriceFen: 990, TotalFen: 2970},
		},
		Receiver: channel.Receiver{Name: "王小明(先生)", Phone: "13812345678", Address: "上海市浦东新区张江路88弄5号楼1203室",
			Lat: 31.203512, Lng: 121.589876},
		GoodsFen: 7380, PackageFeeFen: 100, DeliveryFeeFen: 500, DiscountFen: 1000, PayableFen: 6980, Paid: true,
		CreatedAt: time.Date(2026, 12, 7, 3, 19, 0, 0, time.UTC), Remark: "少放冰，门口放下就好", DaySeq: 12,
	}
	wantMeituanCancel = channel.Order{
		Platform: channel.Meituan, PlatformOrderID: "27061900338811223", Event: channel.EventCancelled,
		CreatedAt: time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC), CancelReason: "用户取消订单：地址填错了",
	}
	wantElemeNew = channel.Order{
		Platform: channel.Eleme, PlatformOrderID: "3044123456789012345", Event: channel.EventNew,
		StoreCode: "160239871", BuyerID: "ele_open_7f3a9c21",
		Lines: []channel.Line{
			{ItemCode: "501234567", SKU: "WATER-550", Barcode: "6921168509256", Name: "农夫山泉 550ml", Qty: 4, UnitPriceFen: 250, TotalFen: 1000},
			{ItemCode: "501234568", SKU: "CHIPS-75", Name: "乐事薯片 原味 75g", Qty: 2, UnitPriceFen: 890, TotalFen: 1780},
			{ItemCode: "501234569", Barcode: "6970000000012", Name: "三只松鼠 每日坚果 30g", Qty: 1, UnitPriceFen: 1990, TotalFen: 1990},
		},
		Receiver: channel.Receiver{Name: "李女士", Phone: "13987654321", Address: "杭州市西湖区文三路477号华星科技大厦3楼",
			Lat: 30.278901, Lng: 120.130203},
		GoodsFen: 4770, PackageFeeFen: 200, DeliveryFeeFen: 400, DiscountFen: 800, PayableFen: 4570, Paid: true,
		CreatedAt: time.Date(2026, 12, 7, 3, 20, 31, 0, time.UTC), Remark: "请带一次性餐具", DaySeq: 8,
	}
	wantElemeCancel = channel.Order{
		Platform: channel.Eleme, PlatformOrderID: "3044123456789012345", Event: channel.EventCancelled,
		StoreCode: "160239871", CreatedAt: time.Date(2026, 12, 7, 3, 30, 55, 0, time.UTC), CancelReason: "invalid",
	}
)

// TestSamples checks that the generated sample payloads in testdata are what their
// sources sign to (or rewrites them with -update), and that each imports: decoded
// by its adapter a minute after it was sent, it is the expected neutral order with
// the expected replay key.
func TestSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, wire string
		build      func(testing.TB, source) channel.Notification
		decode     func(t testing.TB, now time.Time, n channel.Notification) (channel.Decoded, error)
		want       channel.Order
		replayKey  string
	}{
		{"meituan_new_order", "meituan_new_order.form", meituanNotification, decodeMeituan, wantMeituanNew, "meituan:27061900338811223:new"},
		{"meituan_cancel", "meituan_cancel.form", meituanNotification, decodeMeituan, wantMeituanCancel, "meituan:27061900338811223:cancelled"},
		{"eleme_new_order", "eleme_new_order.json", elemeNotification, decodeEleme, wantElemeNew, "eleme:3044123456789012345:new"},
		{"eleme_cancel", "eleme_cancel.json", elemeNotification, decodeEleme, wantElemeCancel, "eleme:3044123456789012345:cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := loadSource(t, tt.name)
			n := tt.build(t, src)
			path := filepath.Join("testdata", tt.wire)
			if *update {
				if err := os.WriteFile(path, append(n.Body, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wire, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to generate it)", err)
			}
			if got := string(wire); got != string(n.Body)+"\n" {
				t.Fatalf("%s is out of date with its source: run go test -run TestSamples -update", path)
			}
			n.Body = wire[:len(wire)-1]
			d, err := tt.decode(t, sentAt(t, src).Add(time.Minute), n)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, d.Order); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if d.ReplayKey != tt.replayKey {
				t.Errorf("replay key = %q, want %q", d.ReplayKey, tt.replayKey)
			}
			if !d.SentAt.Equal(sentAt(t, src)) || d.NotificationID == "" {
				t.Errorf("sent at %v, notification id %q", d.SentAt, d.NotificationID)
			}
			if err := d.Order.Validate(); err != nil {
				t.Errorf("validate: %v", err)
			}
		})
	}
}

func decodeMeituan(t testing.TB, now time.Time, n channel.Notification) (channel.Decoded, error) {
	return meituanAdapter(t, now, 0).Decode(n)
}

func decodeEleme(t testing.TB, now time.Time, n channel.Notification) (channel.Decoded, error) {
	return elemeAdapter(t, now, 0).Decode(n)
}
