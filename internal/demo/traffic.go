package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/identity"
)

// trafficStores is how many open stores get a smart cart, an in-store screen and a
// self-checkout beside their POS and member desk.
const trafficStores = 3

// CRMTouchpoint is the code of the demo's member CRM: registered, sending nothing
// until its export is imported.
const CRMTouchpoint = "CRM"

// ingestTraffic adds the touchpoint traffic a chain has beside its customer base, so
// that the touchpoint maturity view of a fresh demo shows every level: smart carts and
// in-store screens that send anonymous scans and views (connected, but not
// identifying anybody), a delivery connector that sends some malformed events
// (refused by validation), and touchpoints registered but not yet sending (a
// self-checkout, the WeChat official account, and the member CRM whose export the
// README's tour imports with `oneretail import customers … --touchpoint CRM`).
func ingestTraffic(ctx context.Context, svc *identity.Service, c *Chain, storeIDs map[string]string) error {
	at := customerTo // after the customer base, deterministic
	n := 0
	event := func(typ string, props map[string]any) json.RawMessage {
		n++
		raw, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic-%05d", n), "type": typ, // maps of strings always marshal
			"occurred_at": at.Add(time.Duration(n) * time.Minute).Format(time.RFC3339), "properties": props})
		return raw
	}
	create := func(code, name, typ, channel, store string) error {
		_, err := svc.CreateTouchpoint(ctx, identity.NewTouchpoint{Code: code, Name: name, Type: identity.TouchpointType(typ),
			Channel: identity.Channel(channel), StoreID: storeIDs[store]})
		if err != nil {
			return fmt.Errorf("demo: touchpoint %s: %w", code, err)
		}
		return nil
	}
	send := func(code string, evs []json.RawMessage) error {
		if _, err := svc.Ingest(ctx, code, evs); err != nil {
			return fmt.Errorf("demo: ingest %s: %w", code, err)
		}
		return nil
	}
	stores := 0
	for _, st := range c.Stores {
		if st.Status != StoreOpen || storeIDs[st.Code] == "" || stores == trafficStores {
			continue
		}
		stores++
		var scans, views []json.RawMessage
		for i := range 40 {
			scans = append(scans, event("scan", map[string]any{"sku": fmt.Sprintf("SKU-%04d", 17*i%997)}))
		}
		for i := range 25 {
			views = append(views, event("screen_view", map[string]any{"content": fmt.Sprintf("promo-%d", i%5)}))
		}
		for _, tp := range []struct {
			code, name, channel string
			events              []json.RawMessage
		}{
			{"CART-" + st.Code, "智能购物车 " + st.Code, "smart_cart", scans},
			{"SCREEN-" + st.Code, "互动屏 " + st.Code, "in_store_screen", views},
			{"SCO-" + st.Code, "自助收银 " + st.Code, "self_checkout", nil}, // not connected yet
		} {
			if err := create(tp.code, tp.name, "offline", tp.channel, st.Code); err != nil {
				return err
			}
			if len(tp.events) > 0 {
				if err := send(tp.code, tp.events); err != nil {
					return err
				}
			}
		}
	}
	if err := create("WX-OA", "微信公众号", "social", "wechat_official_account", ""); err != nil {
		return err
	}
	if err := create(CRMTouchpoint, "会员 CRM 系统", "online", "other", ""); err != nil {
		return err
	}
	// The delivery connector's malformed orders: no occurred_at. Every one is refused
	// (the touchpoint's health shows them): that is what this batch is for.
	var bad []json.RawMessage
	for i := range 15 {
		raw, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("meituan-bad-%02d", i), "type": "order"})
		bad = append(bad, raw)
	}
	var refused *identity.AllRejectedError
	if err := send("MEITUAN", bad); err != nil && !errors.As(err, &refused) {
		return err
	}
	return nil
}
