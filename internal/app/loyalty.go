package app

import (
	"context"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/org"
)

// loyaltyOrders gives loyalty the facts of a completed order its event does not
// carry: the brand of its store (org), each line's category (catalog, as the SKU is
// classified now) and whether it is a gift line (order). It runs for the subscriber's
// system principal of the order's tenant.
type loyaltyOrders struct {
	order   *order.Service
	catalog *catalog.Service
	org     *org.Service
}

var (
	_ loyalty.Orders    = loyaltyOrders{}
	_ loyalty.Customers = (*identity.Service)(nil)
	_ loyalty.Stores    = storeFinder{}
)

func (l loyaltyOrders) OrderSale(ctx context.Context, orderID string) (loyalty.Sale, error) {
	o, err := l.order.FindOrderLines(ctx, orderID)
	if err != nil {
		return loyalty.Sale{}, err
	}
	sale := loyalty.Sale{StoreID: o.StoreID, Lines: make(map[string]loyalty.SaleLine, len(o.Lines))}
	if o.StoreID != "" {
		st, err := l.org.FindStoreByID(asStoreReader(ctx), o.StoreID)
		if err != nil {
			return loyalty.Sale{}, fmt.Errorf("store of order %s: %w", orderID, err)
		}
		sale.BrandID = st.BrandID
	}
	skus := make([]string, 0, len(o.Lines))
	for _, ln := range o.Lines {
		skus = append(skus, ln.SKUID)
	}
	items, err := l.catalog.SaleItems(ctx, o.StoreID, skus)
	if err != nil {
		return loyalty.Sale{}, fmt.Errorf("categories of order %s: %w", orderID, err)
	}
	for _, ln := range o.Lines {
		sale.Lines[ln.ID] = loyalty.SaleLine{SKUID: ln.SKUID, CategoryID: items[ln.SKUID].CategoryID, Gift: ln.GiftOf != ""}
	}
	return sale, nil
}

// expirePoints posts the expiry of points whose day has ended, checking every
// minute (each lot expires exactly once, however often the sweep runs).
func (a *App) expirePoints(ctx context.Context) {
	every(ctx, time.Minute, func() {
		for {
			n, err := a.Loyalty.SweepExpired(ctx, 500)
			if err != nil {
				a.cfg.Log.Error("expire loyalty points", "err", err, "expired", n)
				return
			}
			if n < 500 {
				return
			}
		}
	})
}

// evaluateTiers evaluates the tiers of members whose period has ended, checking every
// minute (each member's period is evaluated exactly once, whichever node runs it).
func (a *App) evaluateTiers(ctx context.Context) {
	every(ctx, time.Minute, func() {
		for {
			n, err := a.Loyalty.EvaluateTiers(ctx, 500)
			if err != nil {
				a.cfg.Log.Error("evaluate loyalty tiers", "err", err, "evaluated", n)
				return
			}
			if n < 500 {
				return
			}
		}
	})
}
