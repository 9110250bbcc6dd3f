package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// streamPromotions is the random stream of the demo promotions' baskets, apart from
// the chain's own streams so that the chain stays identical for a seed.
const streamPromotions uint64 = 0x70726f // "pro"

// promoState is where a demo promotion is left, as the console's list reads it.
type promoState int

const (
	promoRunning   promoState = iota // active, inside its window
	promoScheduled                   // active, its window starts later
	promoEnded                       // used, then ended by hand
	promoPaused                      // active, then paused
	promoDraft                       // never activated
)

// demoPromotion is one promotion of the demo chain: its window in days from the
// load's today (local midnight), what it gives, where it is left and how many
// baskets the tills redeemed against it before the load's now.
type demoPromotion struct {
	code, name string
	from, to   int // days from today's midnight; to 0 means open-ended
	state      promoState
	baskets    int
	def        func(l *loader) engine.Promotion
	limits     promotion.Limits
	// basket picks the SKUs the promotion is for: a basket holds lines of them up
	// to spend (fen) at least, and a few other lines.
	categories string // a category code: the SKUs under it
	spend      int64
}

// demoPromotions are the promotions a merchandiser of the demo chain runs: two
// running with usage, one scheduled, one ended after use, one paused and one draft.
// Codes are stable; windows follow the load's today.
var demoPromotions = []demoPromotion{
	{code: "DEMO-FRESH-100-20", name: "生鲜满100减20", from: -7, to: 24, state: promoRunning, baskets: 60, categories: "10", spend: 10000,
		limits: promotion.Limits{BudgetFen: ptr[int64](2_000_000), MaxUsesPerCustomer: ptr[int64](5)},
		def: func(l *loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{Categories: l.leafCategories("10")},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 10000, Off: 2000}}}}
		}},
	{code: "DEMO-DAIRY-90", name: "乳品周 乳品9折", from: -3, to: 4, state: promoRunning, baskets: 40, categories: "12", spend: 3000,
		def: func(l *loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{Categories: l.leafCategories("12")},
				PercentOff: &engine.PercentOff{OffBP: 1000}}
		}},
	{code: "DEMO-SNACK-59-10", name: "休闲零食满59减10", from: -10, to: 20, state: promoEnded, baskets: 30, categories: "14", spend: 5900,
		def: func(l *loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{Categories: l.leafCategories("14")},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 5900, Off: 1000}}}}
		}},
	{code: "DEMO-NEWYEAR-199-30", name: "元旦迎新 全场满199减30", from: 10, to: 17, state: promoScheduled,
		limits: promotion.Limits{BudgetFen: ptr[int64](5_000_000)},
		def: func(*loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 3000}, {Spend: 39900, Off: 7000}}}}
		}},
	{code: "DEMO-MEMBER-DAY-95", name: "周二会员日 全场95折", from: -30, state: promoPaused,
		def: func(*loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{All: true},
				Conditions: engine.Conditions{Weekdays: []time.Weekday{time.Tuesday}}, PercentOff: &engine.PercentOff{OffBP: 500, MaxOff: 5000}}
		}},
	{code: "DEMO-DRINKS-2ND-HALF", name: "酒水饮料第二件半价", from: 14, to: 28, state: promoDraft,
		def: func(l *loader) engine.Promotion {
			return engine.Promotion{Kind: engine.KindNthItem, Scope: engine.Scope{Categories: l.leafCategories("15")},
				NthItem: &engine.NthItem{N: 2, OffBP: 5000}}
		}},
}

func ptr[T any](v T) *T { return &v }

// promotions creates the demo's promotions through the promotion service and, for
// the running ones and the one to end, prices and redeems baskets of demo SKUs in
// open stores over the last day the way a till does (PriceCart, then CommitRedemption
// with the cart and the payable), so their usage and budgets move. It runs after the
// order history: those orders were priced without promotions, as the tills did then.
func (l *loader) promotions(ctx context.Context) error {
	l.progress("promotions", 0, len(demoPromotions))
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return fmt.Errorf("demo: promotions: %w", err)
	}
	now := l.now.In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	b, err := l.newBasketMaker(ctx)
	if err != nil {
		return err
	}
	r := newRand(l.c.Seed, streamPromotions)
	for i, dp := range demoPromotions {
		if err := l.promotion(ctx, dp, midnight, b, r); err != nil {
			return fmt.Errorf("demo: promotion %s: %w", dp.code, err)
		}
		l.progress("promotions", i+1, len(demoPromotions))
	}
	return nil
}

// promotion creates one demo promotion, redeems its baskets and leaves it in its state.
func (l *loader) promotion(ctx context.Context, dp demoPromotion, midnight time.Time, b *basketMaker, r *rand.Rand) error {
	def := dp.def(l)
	def.Conditions.Start = midnight.AddDate(0, 0, dp.from)
	if dp.to != 0 {
		def.Conditions.End = midnight.AddDate(0, 0, dp.to)
	}
	p, err := l.s.Promotion.CreatePromotion(ctx, promotion.NewPromotion{Code: dp.code, Name: dp.name, Definition: def, Limits: dp.limits})
	if err != nil {
		return err
	}
	if dp.state == promoDraft {
		return nil
	}
	if _, err := l.s.Promotion.Activate(ctx, p.ID); err != nil {
		return err
	}
	for n := range dp.baskets {
		if err := l.redeem(ctx, b.basket(r, dp, l.now, n), dp.code, n); err != nil {
			return err
		}
	}
	switch dp.state {
	case promoEnded:
		_, err = l.s.Promotion.End(ctx, p.ID)
	case promoPaused:
		_, err = l.s.Promotion.Pause(ctx, p.ID)
	}
	return err
}

// redeem prices a basket on the server and commits it as the till's order.
func (l *loader) redeem(ctx context.Context, bk demoBasket, code string, n int) error {
	res, err := l.s.Promotion.PriceCart(ctx, bk.cart, bk.pc, bk.customerID)
	if err != nil {
		return fmt.Errorf("price basket %d: %w", n, err)
	}
	payable := res.Payable
	orderID := fmt.Sprintf("%s-%s-%03d", bk.storeCode, strings.TrimPrefix(code, "DEMO-"), n+1)
	_, err = l.s.Promotion.CommitRedemption(ctx, promotion.NewRedemption{OrderID: orderID, Cart: &bk.cart, Context: bk.pc,
		CustomerID: bk.customerID, Payable: &payable})
	if err != nil {
		return fmt.Errorf("redeem basket %d: %w", n, err)
	}
	return nil
}

// leafCategories returns the ids of the leaf categories under code (or code itself
// when it is a leaf): a promotion's category scope matches a line's own category.
func (l *loader) leafCategories(code string) []string {
	parent := map[string]bool{}
	for _, c := range l.c.Categories {
		parent[c.ParentCode] = true
	}
	var out []string
	for _, c := range l.c.Categories {
		if strings.HasPrefix(c.Code, code) && !parent[c.Code] {
			out = append(out, l.categories[c.Code])
		}
	}
	return out
}

// basketMaker draws the demo promotions' baskets: active SKUs in open stores at the
// stores' prices, some bought by known members.
type basketMaker struct {
	l        *loader
	stores   []Store
	skuIDs   map[string]string
	category map[string]string // product code → category code
	price    func(store string, k SKU) int64
	members  []string
}

// demoBasket is one till order: its cart, where and when, and its buyer.
type demoBasket struct {
	storeCode  string
	cart       engine.Cart
	pc         engine.Context
	customerID string
}

// promotionMembers is how many of the customer base's first people buy some of the
// promotions' baskets.
const promotionMembers = 40

func (l *loader) newBasketMaker(ctx context.Context) (*basketMaker, error) {
	skuIDs, err := l.skuIDs(ctx)
	if err != nil {
		return nil, err
	}
	members, err := l.members(ctx, promotionMembers)
	if err != nil {
		return nil, err
	}
	b := &basketMaker{l: l, skuIDs: skuIDs, category: make(map[string]string, len(l.c.Products)), price: l.priceList(), members: members}
	for _, st := range l.c.Stores {
		if st.Status == StoreOpen {
			b.stores = append(b.stores, st)
		}
	}
	for _, p := range l.c.Products {
		b.category[p.Code] = p.CategoryCode
	}
	if len(b.stores) == 0 {
		return nil, fmt.Errorf("demo: promotions: the chain has no open store")
	}
	return b, nil
}

// basket draws the n-th basket for dp: lines of SKUs under dp.categories until they
// reach dp.spend, then up to two other lines; at a random open store, between 20 hours
// and a minute before now, bought by a member two times in three.
func (b *basketMaker) basket(r *rand.Rand, dp demoPromotion, now time.Time, n int) demoBasket {
	st := b.stores[r.IntN(len(b.stores))]
	at := now.Add(-time.Minute - time.Duration(r.IntN(20*60))*time.Minute)
	bk := demoBasket{storeCode: st.Code, pc: engine.Context{Time: at, Channel: "pos", StoreID: b.l.stores[st.Code]}}
	if len(b.members) > 0 && r.IntN(3) > 0 {
		bk.customerID = b.members[r.IntN(len(b.members))]
	}
	var spend int64
	seen := map[string]bool{}
	add := func(k SKU) int64 {
		if seen[k.Code] {
			return 0
		}
		seen[k.Code] = true
		ln := engine.Line{ID: fmt.Sprintf("L%d", len(bk.cart.Lines)+1), SKU: b.skuIDs[k.Code], Category: b.l.categories[b.category[k.ProductCode]],
			Unit: engine.UnitEach, Qty: int64(1 + r.IntN(3)), UnitPrice: b.price(st.Code, k)}
		if k.Unit == UnitWeight {
			ln.Unit, ln.Qty = engine.UnitWeight, int64(300+10*r.IntN(121)) // 300–1,500 g
		}
		bk.cart.Lines = append(bk.cart.Lines, ln)
		return ln.Amount()
	}
	for tries := 0; spend < dp.spend && len(bk.cart.Lines) < 12 && tries < 1000; tries++ {
		if k := b.l.c.SKUs[r.IntN(len(b.l.c.SKUs))]; k.Status == StatusActive && strings.HasPrefix(b.category[k.ProductCode], dp.categories) {
			spend += add(k)
		}
	}
	for extra := r.IntN(3); extra > 0; {
		if k := b.l.c.SKUs[r.IntN(len(b.l.c.SKUs))]; k.Status == StatusActive && !strings.HasPrefix(b.category[k.ProductCode], dp.categories) {
			add(k)
			extra--
		}
	}
	slices.SortFunc(bk.cart.Lines, func(a, c engine.Line) int { return strings.Compare(a.SKU, c.SKU) })
	return bk
}
