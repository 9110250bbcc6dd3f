package channel_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/clock"
)

// A Meituan-style paid-order push, signed as the platform would sign it, decoded
// into the neutral order; the same push with its total changed is refused.
func ExampleMeituanAdapter_Decode() {
	const newOrderURL = "https://shop.example.com/api/channels/meituan/orders"
	sent := time.Date(2026, 12, 7, 3, 20, 0, 0, time.UTC)
	a, err := channel.NewMeituanAdapter(channel.MeituanConfig{
		AppID: "6789", Secret: "s3cret",
		NewOrderURL: newOrderURL, CancelURL: "https://shop.example.com/api/channels/meituan/cancellations",
	}, clock.NewFixed(sent.Add(30*time.Second)))
	if err != nil {
		panic(err)
	}
	params := channel.SignMeituan(newOrderURL, "s3cret", url.Values{
		"app_id": {"6789"}, "timestamp": {fmt.Sprint(sent.Unix())},
		"order_id": {"27061900338811223"}, "app_poi_code": {"SH-PD-001"}, "ctime": {fmt.Sprint(sent.Unix() - 60)},
		"pay_type": {"2"}, "recipient_name": {"王小明"}, "recipient_phone": {"13812345678"},
		"recipient_address": {"上海市浦东新区张江路88弄"},
		"detail":            {`[{"app_food_code":"MILK-950","food_name":"鲜牛奶 950ml","quantity":2,"price":15.8}]`},
		"extras":            {`[{"reduce_fee":3,"remark":"满30减3"}]`},
		"shipping_fee":      {"5"}, "original_price": {"36.6"}, "total": {"33.6"},
	})
	d, err := a.Decode(channel.Notification{Event: channel.EventNew, Body: []byte(params.Encode())})
	if err != nil {
		panic(err)
	}
	o := d.Order
	for _, l := range o.Lines {
		fmt.Printf("%s %s ×%d = %d fen\n", l.SKU, l.Name, l.Qty, l.TotalFen)
	}
	fmt.Println("payable", o.PayableFen, "fen, discount", o.DiscountFen, "fen, replay key", d.ReplayKey)

	params.Set("total", "3.36")
	_, err = a.Decode(channel.Notification{Event: channel.EventNew, Body: []byte(params.Encode())})
	fmt.Println(channel.ReasonOf(err), err)
	// Output:
	// MILK-950 鲜牛奶 950ml ×2 = 3160 fen
	// payable 3360 fen, discount 300 fen, replay key meituan:27061900338811223:new
	// signature channel: meituan notification refused (signature): unauthorized: sig: does not match the parameters
}

// An Eleme-style cancellation push: the body names its type (14, cancelled) and
// carries the message as a JSON string; SignEleme signs it as the platform would.
func ExampleElemeAdapter_Decode() {
	sent := time.Date(2026, 12, 7, 3, 31, 0, 0, time.UTC)
	a, err := channel.NewElemeAdapter(channel.ElemeConfig{AppID: "58329104", Secret: "s3cret"}, clock.NewFixed(sent))
	if err != nil {
		panic(err)
	}
	body := fmt.Sprintf(`{"requestId":"100000301234567890_1","type":14,"appId":58329104,"shopId":160239871,"userId":987654,`+
		`"timestamp":%d,"message":"{\"orderId\":\"3044123456789012345\",\"state\":\"invalid\",\"shopId\":160239871,\"updateTime\":%d}"}`,
		sent.UnixMilli(), sent.Add(-5*time.Second).Unix())
	signed, err := channel.SignEleme("s3cret", []byte(body))
	if err != nil {
		panic(err)
	}
	d, err := a.Decode(channel.Notification{Body: signed})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Order.Event, d.Order.PlatformOrderID, d.Order.StoreCode, d.Order.CreatedAt.Format(time.RFC3339), d.ReplayKey)

	late := clock.NewFixed(sent.Add(10 * time.Minute))
	b, _ := channel.NewElemeAdapter(channel.ElemeConfig{AppID: "58329104", Secret: "s3cret"}, late)
	_, err = b.Decode(channel.Notification{Body: signed})
	fmt.Println(channel.ReasonOf(err))
	// Output:
	// cancelled 3044123456789012345 160239871 2026-12-07T03:30:55Z eleme:3044123456789012345:cancelled
	// stale
}
