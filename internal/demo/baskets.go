package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// streamBaskets is the random stream of demo baskets, apart from the chain's own
// streams so that the chain stays identical for a seed.
const streamBaskets uint64 = 0x62736b // "bsk"

// BasketOptions shape WriteBasketCSV's file.
type BasketOptions struct {
	Orders int       // orders to write; 0 means 2,000
	From   time.Time // the first day (in Asia/Shanghai); zero means 2026-03-01
	Days   int       // days the orders spread over; 0 means 28
}

// basketHeader is the promotion service's basket file format.
var basketHeader = []string{"order_id", "ordered_at", "store_id", "channel", "customer_id", "customer_tier",
	"sku_id", "category_id", "quantity", "unit_price_fen", "unit_cost_fen"}

// WriteBasketCSV writes demo historical baskets in the promotion simulation's basket
// file format (POST /api/v1/basket-sets): orders of 1–12 counted, active SKUs at list
// price, in open stores, by shoppers of a few tiers, between 08:00 and 22:00
// Asia/Shanghai. The same chain and options give the same file. It returns the first
// write error, or an error when the chain has no open store or counted active SKU.
func (c *Chain) WriteBasketCSV(w io.Writer, opt BasketOptions) error {
	if opt.Orders <= 0 {
		opt.Orders = 2000
	}
	if opt.Days <= 0 {
		opt.Days = 28
	}
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return fmt.Errorf("demo: write baskets: %w", err)
	}
	if opt.From.IsZero() {
		opt.From = time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
	}
	var stores []*Store
	for i := range c.Stores {
		if c.Stores[i].Status == StoreOpen {
			stores = append(stores, &c.Stores[i])
		}
	}
	category := make(map[string]string, len(c.Products))
	for _, p := range c.Products {
		category[p.Code] = p.CategoryCode
	}
	var skus []*SKU
	for i := range c.SKUs {
		if k := &c.SKUs[i]; k.Unit == UnitEach && k.Status == StatusActive {
			skus = append(skus, k)
		}
	}
	if len(stores) == 0 || len(skus) == 0 {
		return fmt.Errorf("demo: write baskets: the chain has no open store or counted active SKU")
	}
	r := newRand(c.Seed, streamBaskets)
	tiers := []string{"", "", "silver", "gold", "platinum"}
	channels := []string{"pos", "pos", "pos", "mini_program", "app"}
	cw := csv.NewWriter(w)
	if err := cw.Write(basketHeader); err != nil {
		return fmt.Errorf("demo: write baskets: %w", err)
	}
	for o := 0; o < opt.Orders; o++ {
		day := opt.From.AddDate(0, 0, r.IntN(opt.Days))
		at := time.Date(day.Year(), day.Month(), day.Day(), 8+r.IntN(14), r.IntN(60), r.IntN(60), 0, loc)
		store := stores[r.IntN(len(stores))]
		customer, tier := "", ""
		if r.IntN(3) > 0 { // two orders in three by a known member
			customer = fmt.Sprintf("C%06d", 1+r.IntN(opt.Orders/3+1))
			tier = tiers[r.IntN(len(tiers))]
		}
		channel := channels[r.IntN(len(channels))]
		lines := 1 + r.IntN(12)
		for l := 0; l < lines; l++ {
			k := skus[r.IntN(len(skus))]
			qty := 1 + r.IntN(3)
			row := []string{fmt.Sprintf("D%07d", o+1), at.Format("2006-01-02 15:04:05"), store.Code, channel, customer, tier,
				k.Code, category[k.ProductCode], strconv.Itoa(qty), strconv.FormatInt(k.ListPrice, 10), strconv.FormatInt(k.Cost, 10)}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("demo: write baskets: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("demo: write baskets: %w", err)
	}
	return nil
}
