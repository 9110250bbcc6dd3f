package engine

import "time"

// shanghai is the store time zone used by the tests.
var shanghai = time.FixedZone("CST", 8*3600)

// tuesday10 is Tuesday 2026-11-24 10:00 in Shanghai.
var tuesday10 = time.Date(2026, 11, 24, 10, 0, 0, 0, shanghai)

func each(id, sku, cat, brand string, qty, price int64) Line {
	return Line{ID: id, SKU: sku, Category: cat, Brand: brand, Unit: UnitEach, Qty: qty, UnitPrice: price}
}

func weighed(id, sku, cat string, grams, perKg int64) Line {
	return Line{ID: id, SKU: sku, Category: cat, Unit: UnitWeight, Qty: grams, UnitPrice: perKg}
}

func baseCtx() Context {
	return Context{Time: tuesday10, Location: shanghai, Channel: "pos", StoreID: "s1", Region: "east", Tier: "gold"}
}

func allScope() Scope            { return Scope{All: true} }
func skus(s ...string) Scope     { return Scope{SKUs: s} }
func cats(c ...string) Scope     { return Scope{Categories: c} }
func tiers(t ...Tier) *Threshold { return &Threshold{Tiers: t} }

func manjian(id string, t ...Tier) Promotion {
	return Promotion{ID: id, Kind: KindThreshold, Scope: allScope(), Threshold: tiers(t...)}
}

func halfSecond(id string, s Scope) Promotion {
	return Promotion{ID: id, Kind: KindNthItem, Scope: s, NthItem: &NthItem{N: 2, OffBP: 5000}}
}

func pct(id string, s Scope, bp int64) Promotion {
	return Promotion{ID: id, Kind: KindPercentOff, Scope: s, PercentOff: &PercentOff{OffBP: bp}}
}

// tieredQty is 买2件9折, 买3件8折 on drinks.
func tieredQty(id string) Promotion {
	return Promotion{ID: id, Kind: KindTieredQty, Scope: cats("drinks"), TieredQty: &TieredQty{Steps: []QtyStep{{2, 1000}, {3, 2000}}}}
}

// flash sells the SKUs at ¥9.90, limit per customer.
func flash(id string, limit int64, sku ...string) Promotion {
	return Promotion{ID: id, Kind: KindFlashSale, Scope: skus(sku...), FlashSale: &FlashSale{Price: 990, PerCustomer: limit}}
}

// markdown is half off dairy within 2 days of expiry.
func markdown(id string) Promotion {
	return Promotion{ID: id, Kind: KindExpiryMarkdown, Scope: cats("dairy"), ExpiryMarkdown: &ExpiryMarkdown{WithinDays: 2, OffBP: 5000}}
}

func freeDelivery(id string, spend, off int64) Promotion {
	return Promotion{ID: id, Kind: KindDeliveryFee, Scope: allScope(), DeliveryFee: &DeliveryFee{Spend: spend, Off: off}}
}

// batch gives l a batch expiring on 2026-11-day.
func batch(l Line, id string, day int) Line {
	l.Batch, l.Expiry = id, time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC)
	return l
}

// checkInvariants fails t when res breaks an invariant of Price.
func checkInvariants(t tb, cart Cart, res Result) {
	t.Helper()
	var total, sub int64
	lineDisc := map[string]int64{}
	for _, l := range res.Lines {
		if l.Net < 0 || l.Net > l.Amount || l.Discount != l.Amount-l.Net {
			t.Fatalf("line %s: amount %d discount %d net %d", l.ID, l.Amount, l.Discount, l.Net)
		}
		var s int64
		for _, a := range l.Allocations {
			if a.Amount <= 0 {
				t.Fatalf("line %s: non-positive allocation %+v", l.ID, a)
			}
			s += a.Amount
			lineDisc[l.ID+"|"+a.PromotionID] += a.Amount
		}
		if s != l.Discount {
			t.Fatalf("line %s: allocations sum %d, discount %d", l.ID, s, l.Discount)
		}
		if l.Gift && (l.Amount != 0 || l.Net != 0) {
			t.Fatalf("gift line %s has an amount", l.ID)
		}
		total += l.Net
		sub += l.Amount
	}
	if total != res.Total || sub != res.Subtotal || res.Total != res.Subtotal-res.Discount || res.Total < 0 {
		t.Fatalf("totals: lines net %d amount %d; result total %d subtotal %d discount %d", total, sub, res.Total, res.Subtotal, res.Discount)
	}
	var want int64
	for _, l := range cart.Lines {
		want += l.Amount()
	}
	if want != res.Subtotal {
		t.Fatalf("subtotal %d, want %d", res.Subtotal, want)
	}
	var applied int64
	for _, a := range res.Applied {
		var s int64
		for _, al := range a.Lines {
			s += al.Amount
			if lineDisc[al.LineID+"|"+a.PromotionID] != al.Amount {
				t.Fatalf("promotion %s line %s: %d allocated, line says %d", a.PromotionID, al.LineID, al.Amount, lineDisc[al.LineID+"|"+a.PromotionID])
			}
		}
		if s != a.Discount {
			t.Fatalf("promotion %s: allocations sum %d, discount %d", a.PromotionID, s, a.Discount)
		}
		applied += a.Discount
	}
	if applied != res.Discount {
		t.Fatalf("applied discounts sum %d, result discount %d", applied, res.Discount)
	}
	if res.DeliveryFee != cart.DeliveryFee || res.DeliveryDiscount < 0 || res.DeliveryDiscount > res.DeliveryFee ||
		res.DeliveryNet != res.DeliveryFee-res.DeliveryDiscount || res.Payable != res.Total+res.DeliveryNet ||
		(res.Delivery == nil) != (res.DeliveryDiscount == 0) || (res.Delivery != nil && res.Delivery.Discount != res.DeliveryDiscount) {
		t.Fatalf("delivery: fee %d discount %d net %d payable %d total %d explained %+v", res.DeliveryFee, res.DeliveryDiscount,
			res.DeliveryNet, res.Payable, res.Total, res.Delivery)
	}
	for _, a := range res.Applied {
		if a.Kind == KindDeliveryFee {
			t.Fatalf("delivery-fee promotion %s among the goods discounts", a.PromotionID)
		}
	}
}

// tb is what the checks need from *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}
