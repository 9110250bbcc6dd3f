package promotion

import (
	"errors"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func fieldOf(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestCreatePromotionValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		mustCreate(t, s, ctx, "MJ", manjian())
		badTier := manjian()
		badTier.Threshold = &engine.Threshold{Tiers: []engine.Tier{{Spend: 100, Off: 500}}}
		noBlock := secondHalf()
		noBlock.NthItem = nil
		tests := []struct {
			name  string
			in    NewPromotion
			code  errs.Code
			field string
		}{
			{name: "off above spend", in: NewPromotion{Code: "X1", Name: "x", Definition: badTier}, code: errs.Invalid, field: "body.definition.threshold.tiers[0].off"},
			{name: "missing block", in: NewPromotion{Code: "X2", Name: "x", Definition: noBlock}, code: errs.Invalid, field: "body.definition.nth_item"},
			{name: "unknown kind", in: NewPromotion{Code: "X3", Name: "x", Definition: engine.Promotion{Kind: "magic", Scope: engine.Scope{All: true}}}, code: errs.Invalid, field: "body.definition.kind"},
			{name: "bad code", in: NewPromotion{Code: "a b", Name: "x", Definition: manjian()}, code: errs.Invalid, field: "body.code"},
			{name: "empty name", in: NewPromotion{Code: "X4", Definition: manjian()}, code: errs.Invalid, field: "body.name"},
			{name: "code taken", in: NewPromotion{Code: "MJ", Name: "x", Definition: manjian()}, code: errs.Conflict},
		}
		for _, tc := range tests {
			_, err := s.CreatePromotion(ctx, tc.in)
			if errs.CodeOf(err) != tc.code || fieldOf(err) != tc.field {
				t.Errorf("%s: got %v, want %s %s", tc.name, err, tc.code, tc.field)
			}
		}
		if _, err := s.CreatePromotion(as(tenantA, auth.Marketer), NewPromotion{Code: "M", Name: "m", Definition: manjian()}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("marketer creates: %v, want forbidden", err)
		}
	})
}

func TestStateMachine(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		p := mustCreate(t, s, ctx, "MJ", manjian())
		if p.Status != StatusDraft || p.Definition.ID != p.ID {
			t.Fatalf("created %+v", p)
		}
		def := manjian()
		def.Priority = 5
		steps := []struct {
			name string
			do   func() (Promotion, error)
			code errs.Code // "" for success
			want Status
		}{
			{name: "pause a draft", do: func() (Promotion, error) { return s.Pause(ctx, p.ID) }, code: errs.Conflict},
			{name: "activate", do: func() (Promotion, error) { return s.Activate(ctx, p.ID) }, want: StatusActive},
			{name: "activate twice", do: func() (Promotion, error) { return s.Activate(ctx, p.ID) }, code: errs.Conflict},
			{name: "change active definition", do: func() (Promotion, error) { return s.UpdatePromotion(ctx, p.ID, PromotionUpdate{Definition: &def}) }, code: errs.Conflict},
			{name: "rename active", do: func() (Promotion, error) {
				n := "满199减20"
				return s.UpdatePromotion(ctx, p.ID, PromotionUpdate{Name: &n})
			}, want: StatusActive},
			{name: "pause", do: func() (Promotion, error) { return s.Pause(ctx, p.ID) }, want: StatusPaused},
			{name: "change paused definition", do: func() (Promotion, error) { return s.UpdatePromotion(ctx, p.ID, PromotionUpdate{Definition: &def}) }, want: StatusPaused},
			{name: "reactivate", do: func() (Promotion, error) { return s.Activate(ctx, p.ID) }, want: StatusActive},
			{name: "end", do: func() (Promotion, error) { return s.End(ctx, p.ID) }, want: StatusEnded},
			{name: "activate ended", do: func() (Promotion, error) { return s.Activate(ctx, p.ID) }, code: errs.Conflict},
		}
		for _, st := range steps {
			got, err := st.do()
			if st.code != "" {
				if !errs.Is(err, st.code) {
					t.Fatalf("%s: %v, want %s", st.name, err, st.code)
				}
				continue
			}
			if err != nil || got.Status != st.want {
				t.Fatalf("%s: %v %v, want %s", st.name, got.Status, err, st.want)
			}
		}
		got, err := s.FindPromotionByID(ctx, p.ID)
		if err != nil || got.Name != "满199减20" || got.Definition.Priority != 5 || got.Definition.Name != "满199减20" {
			t.Fatalf("find: %+v %v", got, err)
		}
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventPromotionActivated).Scan(&n); err != nil || n != 2 {
			t.Errorf("activated events: %d %v, want 2", n, err)
		}
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND resource_id = $2`, tenantA, p.ID).Scan(&n); err != nil || n != 7 {
			t.Errorf("audit entries: %d %v, want 7", n, err)
		}
	})
}

func TestFindPromotionsAndIsolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		a := mustCreate(t, s, ctx, "A", manjian())
		mustCreate(t, s, ctx, "B", secondHalf())
		mustCreate(t, s, ctx, "C", secondHalf())
		if _, err := s.Activate(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		page, err := s.FindPromotions(ctx, PromotionFilter{Limit: 2})
		if err != nil || len(page.Items) != 2 || page.NextCursor == "" {
			t.Fatalf("page 1: %+v %v", page, err)
		}
		page, err = s.FindPromotions(ctx, PromotionFilter{Limit: 2, Cursor: page.NextCursor})
		if err != nil || len(page.Items) != 1 || page.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", page, err)
		}
		now := s.now()
		tests := []struct {
			name string
			f    PromotionFilter
			want int
		}{
			{name: "drafts", f: PromotionFilter{Status: StatusDraft}, want: 2},
			{name: "active now", f: PromotionFilter{ActiveAt: &now}, want: 1},
			{name: "other tenant", f: PromotionFilter{}, want: 0},
		}
		for _, tc := range tests {
			c := ctx
			if tc.name == "other tenant" {
				c = as(tenantB, auth.Merchandiser)
			}
			page, err := s.FindPromotions(c, tc.f)
			if err != nil || len(page.Items) != tc.want {
				t.Errorf("%s: %d %v, want %d", tc.name, len(page.Items), err, tc.want)
			}
		}
		other := as(tenantB, auth.Merchandiser)
		if _, err := s.FindPromotionByID(other, a.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("other tenant finds: %v", err)
		}
		if _, err := s.Pause(other, a.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("other tenant pauses: %v", err)
		}
		// Tenant B's cart sees none of tenant A's promotions.
		res, err := s.PriceCart(as(tenantB, auth.HQAdmin), cart(), engine.Context{}, "")
		if err != nil || res.Total != 24000 {
			t.Errorf("tenant B price: %d %v, want 24000", res.Total, err)
		}
	})
}

// cart is 2 × MILK at ¥60 and 1 × BREAD at ¥120: subtotal ¥240.
func cart() engine.Cart {
	return engine.Cart{Lines: []engine.Line{
		{ID: "1", SKU: "MILK", Unit: engine.UnitEach, Qty: 2, UnitPrice: 6000},
		{ID: "2", SKU: "BREAD", Unit: engine.UnitEach, Qty: 1, UnitPrice: 12000},
	}}
}

// TestIndexAcrossNodes prices on a second service (another node) over the same
// database: it rebuilds its index when the first one changes a promotion, within
// VersionCheckInterval; the first node prices the change at once.
func TestIndexAcrossNodes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		node1, node2 := setup(t, d), setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		pos := as(tenantA, auth.Integrator)
		mj := mustCreate(t, node1, ctx, "MJ", manjian())
		half := mustCreate(t, node1, ctx, "HALF", secondHalf())
		steps := []struct {
			name   string
			change func() (Promotion, error)
			total  int64
		}{
			{name: "nothing active", total: 24000},
			{name: "满减 active", change: func() (Promotion, error) { return node1.Activate(ctx, mj.ID) }, total: 22000},
			{name: "both active", change: func() (Promotion, error) { return node1.Activate(ctx, half.ID) }, total: 19000},
			{name: "第二件半价 paused", change: func() (Promotion, error) { return node1.Pause(ctx, half.ID) }, total: 22000},
		}
		price := func(n *Service) int64 {
			t.Helper()
			res, err := n.PriceCart(pos, cart(), engine.Context{}, "")
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		seen := int64(0) // what node 2 last priced
		for _, st := range steps {
			if st.change != nil {
				if _, err := st.change(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			if got := price(node1); got != st.total {
				t.Errorf("%s on the node that changed it: %d, want %d at once", st.name, got, st.total)
			}
			// Node 2 reads the version again only once VersionCheckInterval has passed.
			if got := price(node2); seen != 0 && got != seen {
				t.Errorf("%s on node 2 within the interval: %d, want its index's %d", st.name, got, seen)
			}
			node2.clock.(*clock.Fixed).Advance(VersionCheckInterval)
			if seen = price(node2); seen != st.total {
				t.Errorf("%s on node 2 after the interval: %d, want %d", st.name, seen, st.total)
			}
		}
	})
}
