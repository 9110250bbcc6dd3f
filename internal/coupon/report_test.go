package coupon

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// TestFunnel: known coupons in every state give exact funnel counts by template and
// by the channel of their order, states read at the moment (no sweep has run).
func TestFunnel(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, o := range []struct{ id, channel string }{{"o-pos", "pos"}, {"o-mini", "mini_program"}} {
			if _, err := d.Writer().Exec(`INSERT INTO orders (id, tenant_id, number, channel, store_id, status, fulfilment, subtotal_fen,
				discount_fen, payable_fen, placed_at, created_at, updated_at) VALUES ($1, $2, $1, $3, 's1', 'paid', 'pickup', 0, 0, 0, 0, 0, 0)`,
				o.id, tenantA, o.channel); err != nil {
				t.Fatalf("order: %v", err)
			}
		}
		start := f.clock.Now()
		// B: 2 coupons valid 5 days, issued now; 6 days later both read as expired.
		b := amountOff("BBB")
		b.ValidDays = 5
		tb := f.template(t, b)
		f.issue(t, tb.ID, "c1")
		f.issue(t, tb.ID, "c2")
		f.clock.Advance(6 * 24 * time.Hour)
		// A: 5 coupons; c1 locked to a till order, c2 redeemed by a mini-program order,
		// c3 locked to a cart, c4 and c5 unused.
		ta := f.template(t, amountOff("AAA"))
		var cs []Coupon
		for _, c := range []string{"c1", "c2", "c3", "c4", "c5"} {
			cs = append(cs, f.issue(t, ta.ID, c))
		}
		for i, ref := range []string{"o-pos", "o-mini", "cart-9"} {
			if _, err := f.s.Lock(as(auth.Associate), cs[i].Code, LockRequest{CustomerID: cs[i].CustomerID, Reference: ref}); err != nil {
				t.Fatalf("lock %d: %v", i, err)
			}
		}
		bus := newRecorder()
		f.s.Subscribe(bus)
		p, _ := json.Marshal(map[string]any{"order_id": "o-mini", "paid_fen": 5000})
		if err := bus.deliver(t.Context(), events.Event{ID: "paid", TenantID: tenantA, Type: orderPaid, Payload: p}); err != nil {
			t.Fatal(err)
		}
		fun, err := f.s.FindFunnel(as(auth.Analyst), FunnelFilter{From: start, To: f.clock.Now().Add(time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		want := []TemplateFunnel{
			{TemplateID: ta.ID, TemplateCode: "AAA", TemplateName: ta.Name,
				FunnelCounts: FunnelCounts{Issued: 5, Unused: 2, Locked: 2, Redeemed: 1, RedemptionRateBP: 2000},
				Channels:     []ChannelFunnel{{Channel: "", Locked: 1}, {Channel: "mini_program", Redeemed: 1}, {Channel: "pos", Locked: 1}}},
			{TemplateID: tb.ID, TemplateCode: "BBB", TemplateName: tb.Name,
				FunnelCounts: FunnelCounts{Issued: 2, Expired: 2}, Channels: []ChannelFunnel{}},
		}
		if !reflect.DeepEqual(fun.Templates, want) {
			t.Fatalf("funnel %+v\nwant %+v", fun.Templates, want)
		}
		if tot := (FunnelCounts{Issued: 7, Unused: 2, Locked: 2, Redeemed: 1, Expired: 2, RedemptionRateBP: 1429}); fun.Total != tot {
			t.Fatalf("total %+v, want %+v", fun.Total, tot)
		}
		// The period selects by issue time: from a day after start, only A.
		later, err := f.s.FindFunnel(as(auth.Analyst), FunnelFilter{From: start.Add(24 * time.Hour), To: f.clock.Now().Add(time.Second)})
		if err != nil || len(later.Templates) != 1 || later.Total.Issued != 5 {
			t.Fatalf("later period: %+v, %v", later, err)
		}
		// The locks run out: locked coupons read as unused again.
		f.clock.Advance(DefaultLockTTL)
		again, err := f.s.FindFunnel(as(auth.Analyst), FunnelFilter{From: start, To: f.clock.Now()})
		if err != nil || again.Templates[0].Locked != 0 || again.Templates[0].Unused != 4 {
			t.Fatalf("after the locks ran out: %+v, %v", again.Templates, err)
		}
		store := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "m", TenantID: tenantA, Role: auth.StoreManager,
			Scopes: auth.RoleScopes(auth.StoreManager), DataScope: auth.StoreScope, DataID: "s1"})
		for _, c := range []struct {
			name string
			ctx  context.Context
			f    FunnelFilter
			code errs.Code
		}{
			{"to before from", as(auth.Analyst), FunnelFilter{From: start, To: start}, errs.Invalid},
			{"over three years", as(auth.Analyst), FunnelFilter{From: start, To: start.AddDate(4, 0, 0)}, errs.Invalid},
			{"store scope", store, FunnelFilter{From: start, To: start.Add(time.Hour)}, errs.Forbidden},
		} {
			if _, err := f.s.FindFunnel(c.ctx, c.f); errs.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		t.Logf("%s: 7 coupons of 2 templates: 2 unused, 2 locked (pos, cart), 1 redeemed (mini_program), 2 expired unswept; rate 20.00%% and 14.29%%", d.Dialect)
	})
}
