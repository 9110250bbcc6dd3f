package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// source draws bounded integers; rapid and the fuzzer both implement it.
type source interface {
	intn(label string, lo, hi int64) int64
}

type rapidSource struct{ t *rapid.T }

func (s rapidSource) intn(label string, lo, hi int64) int64 {
	return rapid.Int64Range(lo, hi).Draw(s.t, label)
}

// byteSource reads a fuzzer's bytes; when they run out it returns lo.
type byteSource struct{ b []byte }

func (s *byteSource) intn(_ string, lo, hi int64) int64 {
	if len(s.b) < 2 || hi <= lo {
		return lo
	}
	v := int64(s.b[0])<<8 | int64(s.b[1])
	s.b = s.b[2:]
	return lo + v%(hi-lo+1)
}

var (
	genSKUs   = []string{"s1", "s2", "s3", "s4", "s5", "s6"}
	genCats   = []string{"c1", "c2", "c3"}
	genBrands = []string{"b1", "b2", "b3"}
)

func pick(s source, label string, from []string) string {
	return from[s.intn(label, 0, int64(len(from)-1))]
}

func genCart(s source) Cart {
	n := s.intn("lines", 1, 8)
	var c Cart
	huge := 0 // lines at the largest amount; more than four would pass money.MaxTotal
	for i := range n {
		sku := pick(s, "sku", genSKUs)
		l := Line{ID: fmt.Sprintf("l%d", i), SKU: sku, Category: genCats[int(sku[1]-'1')%3], Brand: pick(s, "brand", genBrands)}
		if s.intn("weighed", 0, 4) == 0 {
			l.Unit, l.Qty, l.UnitPrice = UnitWeight, s.intn("grams", 1, 5000), s.intn("per_kg", 0, 20000)
		} else {
			l.Unit, l.Qty, l.UnitPrice = UnitEach, s.intn("qty", 1, 6), s.intn("price", 0, 30000)
			if s.intn("huge", 0, 30) == 0 && huge < 4 {
				l.Qty, l.UnitPrice = MaxQtyEach, MaxUnitPrice
				huge++
			}
		}
		if s.intn("batch", 0, 2) == 0 {
			l.Batch = "B" + l.ID
			l.Expiry = time.Date(2026, 11, int(24+s.intn("expiry_day", -2, 6)), 0, 0, 0, 0, time.UTC)
		}
		c.Lines = append(c.Lines, l)
	}
	if s.intn("delivery", 0, 1) == 1 {
		c.DeliveryFee = s.intn("fee", 0, 1500)
		c.DeliveryMethod = pick(s, "delivery_method", []string{"", "express", "same_day"})
	}
	return c
}

func genScope(s source) Scope {
	var sc Scope
	switch s.intn("scope", 0, 3) {
	case 0:
		sc.All = true
	case 1:
		sc.SKUs = []string{pick(s, "scope_sku", genSKUs), pick(s, "scope_sku", genSKUs)}
	case 2:
		sc.Categories = []string{pick(s, "scope_cat", genCats)}
	case 3:
		sc.Brands = []string{pick(s, "scope_brand", genBrands)}
	}
	if s.intn("exclude", 0, 4) == 0 {
		sc.ExcludeSKUs = []string{pick(s, "excl", genSKUs)}
	}
	return sc
}

func genPromo(s source, i int) Promotion {
	p := Promotion{ID: fmt.Sprintf("p%d", i), Priority: int(s.intn("priority", 0, 3)), Scope: genScope(s)}
	switch s.intn("kind", 0, 13) {
	case 0:
		p.Kind, p.PercentOff = KindPercentOff, &PercentOff{OffBP: s.intn("bp", 1, 10000)}
	case 1:
		p.Kind, p.AmountOff = KindAmountOff, &AmountOff{Amount: s.intn("amount", 1, 20000)}
	case 2:
		a := s.intn("spend", 1, 30000)
		b := a + s.intn("spend2", 1, 30000)
		p.Kind, p.Threshold = KindThreshold, tiers(Tier{a, s.intn("off", 1, a)}, Tier{b, a + s.intn("off2", 0, b-a)})
		if s.intn("repeat", 0, 2) == 0 {
			e := s.intn("every", 1, 20000)
			p.Threshold = &Threshold{Repeat: &Repeat{Every: e, Off: s.intn("off", 1, e), Cap: s.intn("cap", 0, 1) * 30000}}
		}
		if s.intn("claw", 0, 1) == 0 {
			p.ReturnPolicy = ReturnClawBack
		}
	case 3:
		p.Kind, p.NthItem = KindNthItem, &NthItem{N: s.intn("n", 2, 4), OffBP: s.intn("bp", 1, 10000), MixSKUs: s.intn("mix", 0, 1) == 1}
	case 4:
		p.Kind, p.BuyXGetY = KindBuyXGetY, &BuyXGetY{Buy: s.intn("buy", 1, 3), Get: s.intn("get", 1, 2)}
	case 5:
		p.Kind, p.Scope = KindBundle, Scope{}
		a := pick(s, "b1", genSKUs)
		b := pick(s, "b2", genSKUs)
		comps := []BundleComponent{{SKUs: []string{a}, Qty: s.intn("q1", 1, 2)}}
		if a != b {
			comps = append(comps, BundleComponent{SKUs: []string{b}, Qty: s.intn("q2", 1, 2)})
		} else {
			comps[0].Qty = 2
		}
		p.Bundle = &Bundle{Components: comps, Price: s.intn("bprice", 0, 30000), Max: s.intn("max", 0, 2)}
	case 6:
		p.Kind, p.Gift = KindGift, &Gift{SKU: "gift", Qty: 1, Spend: s.intn("gspend", 0, 40000)}
	case 7:
		p.Kind, p.PercentOff = KindMemberPrice, &PercentOff{OffBP: s.intn("bp", 1, 10000)}
		p.Conditions.Tiers = []string{"gold"}
	case 8:
		a := s.intn("min_qty", 2, 4)
		b := s.intn("bp", 1, 9999)
		p.Kind, p.TieredQty = KindTieredQty, &TieredQty{Steps: []QtyStep{{a, b}, {a + s.intn("min_qty2", 1, 3), b + s.intn("bp2", 1, 10000-b)}}}
	case 9:
		p.Kind, p.Scope = KindFlashSale, Scope{SKUs: []string{pick(s, "flash_sku", genSKUs), pick(s, "flash_sku", genSKUs)}}
		p.FlashSale = &FlashSale{Price: s.intn("flash_price", 0, 20000), PerCustomer: s.intn("per_customer", 0, 5)}
	case 10:
		p.Kind, p.ExpiryMarkdown = KindExpiryMarkdown, &ExpiryMarkdown{WithinDays: s.intn("within", 0, 3), OffBP: s.intn("bp", 1, 10000)}
	case 13:
		p.Kind, p.BuyAGetB = KindBuyAGetB, &BuyAGetB{Buy: s.intn("bagb_buy", 1, 3), Get: s.intn("bagb_get", 1, 2),
			OffBP: s.intn("bagb_bp", 1, 10000), Pick: Pick(pick(s, "bagb_pick", []string{"", "cheapest", "dearest"})),
			Times: s.intn("bagb_times", 0, 2), Reward: genScope(s)}
	case 12:
		sp := &SpecialPrice{MaxPerLine: s.intn("max_per_line", 0, 3), MaxPerOrder: s.intn("max_per_order", 0, 4),
			MaxPerCustomer: s.intn("max_per_customer", 0, 3)}
		everyone := UnitPrice{Price: s.intn("sp_price", 1, 20000)}
		if s.intn("sp_off", 0, 1) == 1 {
			everyone = UnitPrice{Off: s.intn("sp_off_amount", 1, 3000)}
		}
		if s.intn("sp_everyone", 0, 2) > 0 {
			sp.Prices = append(sp.Prices, everyone)
		}
		if s.intn("sp_gold", 0, 1) == 1 || len(sp.Prices) == 0 {
			sp.Prices = append(sp.Prices, UnitPrice{Tier: "gold", Price: s.intn("sp_gold_price", 1, 20000)})
		}
		p.Kind, p.SpecialPrice = KindSpecialPrice, sp
	case 11:
		p.Kind, p.DeliveryFee = KindDeliveryFee, &DeliveryFee{Spend: s.intn("dspend", 0, 40000), Off: s.intn("doff", 0, 1) * s.intn("doff_amount", 1, 1000)}
		if p.DeliveryFee.Off == 0 && s.intn("dpercent", 0, 1) == 1 {
			p.DeliveryFee.OffBP = s.intn("doff_bp", 1, 10000)
		}
		if s.intn("dmethods", 0, 2) == 0 {
			p.DeliveryFee.Methods = []string{pick(s, "dmethod", []string{"express", "same_day"})}
		}
	}
	switch s.intn("stacking", 0, 5) {
	case 0:
		p.Exclusive = p.Kind != KindDeliveryFee
	case 1, 2:
		if p.Kind != KindDeliveryFee {
			p.Group = pick(s, "group", []string{"g1", "g2"})
		}
	}
	if s.intn("coupon", 0, 4) == 0 {
		p.CouponCode = pick(s, "code", []string{"C1", "C2"})
	}
	if !p.Exclusive && s.intn("combinable", 0, 1) == 1 {
		p.CombinableWithCoupons = true
	}
	if s.intn("cond", 0, 5) == 0 {
		p.Conditions.MinSpend = s.intn("min_spend", 0, 20000)
	}
	if s.intn("level", 0, 6) == 0 && (p.Kind == KindPercentOff || p.Kind == KindAmountOff) {
		p.Level = LevelOrder
	}
	if !p.Exclusive && p.EffectiveLevel() == LevelItem && s.intn("stacks_with_items", 0, 2) == 0 {
		p.StacksWithItems = true
	}
	return p
}

func genCase(s source) (Cart, []Promotion, Context) {
	cart := genCart(s)
	var promos []Promotion
	for i := range s.intn("promos", 0, 7) {
		promos = append(promos, genPromo(s, int(i)))
	}
	ctx := baseCtx()
	if s.intn("coupons", 0, 1) == 1 {
		ctx.Coupons = []string{"C1", "C2"}
	}
	ctx.Time = ctx.Time.Add(time.Duration(s.intn("hours", 0, 72)) * time.Hour)
	if s.intn("flash_history", 0, 1) == 1 {
		ctx.FlashAllowance = map[string]int64{}
		for i := range promos {
			ctx.FlashAllowance[fmt.Sprintf("p%d", i)] = s.intn("allowance", -1, 4)
		}
	}
	ctx.ItemStacking = []ItemStacking{"", OnePerUnit, StackItems}[s.intn("item_stacking", 0, 2)]
	if s.intn("small_search", 0, 2) == 0 {
		ctx.MaxCombinations = int(s.intn("max_combinations", 1, 6))
	}
	return cart, promos, ctx
}

// checkCase prices the case and checks every invariant, including a full return.
func checkCase(t tb, cart Cart, promos []Promotion, ctx Context) Result {
	t.Helper()
	res, err := Price(cart, promos, ctx)
	if err != nil {
		t.Fatalf("price: %v", err)
	}
	checkInvariants(t, cart, res)
	checkNewKinds(t, cart, ctx, res)
	all := map[string]int64{}
	for _, l := range res.Lines {
		all[l.ID] = l.Qty
	}
	q, err := ReturnQuote(res, all, nil)
	if err != nil {
		t.Fatalf("return quote: %v", err)
	}
	if q.Refund != res.Total {
		t.Fatalf("returning everything refunds %d, paid %d", q.Refund, res.Total)
	}
	return res
}

func TestPriceProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		cart, promos, ctx := genCase(rapidSource{rt})
		res := checkCase(rt, cart, promos, ctx)

		again, _ := Price(cart, promos, ctx)
		if d := cmp.Diff(res, again); d != "" {
			rt.Fatalf("Price is not pure:\n%s", d)
		}
		shuffled := Cart{Lines: rapid.Permutation(cart.Lines).Draw(rt, "line_order"), DeliveryFee: cart.DeliveryFee, DeliveryMethod: cart.DeliveryMethod}
		got, _ := Price(shuffled, rapid.Permutation(promos).Draw(rt, "promo_order"), ctx)
		if d := cmp.Diff(res, got); d != "" {
			rt.Fatalf("result depends on input order:\n%s", d)
		}
	})
}

func TestPartialReturnProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		cart, promos, ctx := genCase(rapidSource{rt})
		res, err := Price(cart, promos, ctx)
		if err != nil {
			rt.Fatal(err)
		}
		returned := map[string]int64{}
		var nets int64
		for _, l := range res.Lines {
			if rapid.Bool().Draw(rt, "return") {
				returned[l.ID] = rapid.Int64Range(1, l.Qty).Draw(rt, "qty")
				nets += l.Net
			}
		}
		q, err := ReturnQuote(res, returned, nil)
		if err != nil {
			rt.Fatal(err)
		}
		var sum int64
		for _, l := range q.Lines {
			if l.Refund < 0 || l.ClawBack < 0 {
				rt.Fatalf("negative refund line %+v", l)
			}
			sum += l.Refund
		}
		if sum != q.Refund || q.Refund < 0 || q.Refund > nets {
			rt.Fatalf("refund %d (lines %d) outside 0..%d", q.Refund, sum, nets)
		}
	})
}

func FuzzPrice(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a long enough seed to build a cart and a few promotions out of these bytes, really"))
	f.Add([]byte{0, 3, 0, 1, 0, 2, 0, 0, 0, 1, 0, 5, 0, 9, 1, 0, 0, 4, 0, 7, 0, 2, 0, 3, 0, 1, 0, 0, 0, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		cart, promos, ctx := genCase(&byteSource{b: data})
		checkCase(t, cart, promos, ctx)
	})
}

// checkNewKinds checks flash-sale limits and near-expiry windows: a flash sale never
// discounts more units than the customer's allowance, and a markdown touches only
// batches within its window.
func checkNewKinds(t tb, cart Cart, ctx Context, res Result) {
	t.Helper()
	byID := map[string]Line{}
	var maxUnit int64
	for _, l := range cart.Lines {
		byID[l.ID] = l
		if l.Unit == UnitEach {
			maxUnit = max(maxUnit, l.UnitPrice)
		}
	}
	loc := ctx.Location
	if loc == nil {
		loc = time.UTC
	}
	today := dayNumber(ctx.Time.In(loc).Date())
	for _, a := range res.Applied {
		p := a.Promotion
		switch p.Kind {
		case KindFlashSale:
			allow, ok := ctx.FlashAllowance[p.ID]
			if !ok {
				allow = p.FlashSale.PerCustomer
				if allow == 0 {
					continue
				}
			}
			allow = max(allow, 0)
			if a.Discount > allow*max(maxUnit-p.FlashSale.Price, 0) {
				t.Fatalf("flash sale %s: discount %d beyond an allowance of %d units", p.ID, a.Discount, allow)
			}
			for _, al := range a.Lines {
				if byID[al.LineID].Unit != UnitEach {
					t.Fatalf("flash sale %s discounted weighed line %s", p.ID, al.LineID)
				}
			}
		case KindSpecialPrice:
			sp := p.SpecialPrice
			allow, ok := ctx.FlashAllowance[p.ID]
			if !ok {
				allow = sp.MaxPerCustomer
			}
			if (sp.MaxPerOrder > 0 && a.FlashUnits > sp.MaxPerOrder) || ((ok || sp.MaxPerCustomer > 0) && a.FlashUnits > max(allow, 0)) {
				t.Fatalf("special price %s: %d units beyond its caps %+v (allowance %d)", p.ID, a.FlashUnits, sp, allow)
			}
			for _, al := range a.Lines {
				l := byID[al.LineID]
				if l.Unit != UnitEach || (sp.MaxPerLine > 0 && al.Amount > sp.MaxPerLine*l.UnitPrice) {
					t.Fatalf("special price %s discounted line %s by %d beyond its caps", p.ID, al.LineID, al.Amount)
				}
			}
		case KindExpiryMarkdown:
			for _, al := range a.Lines {
				x := byID[al.LineID].Expiry
				if d := dayNumber(x.Date()) - today; x.IsZero() || d < 0 || d > p.ExpiryMarkdown.WithinDays {
					t.Fatalf("markdown %s discounted line %s expiring %v (%d days)", p.ID, al.LineID, x, d)
				}
			}
		}
	}
}
