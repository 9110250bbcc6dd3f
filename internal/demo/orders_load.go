package demo

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/promotion/engine"
	"golang.org/x/sync/errgroup"
)

// OpeningStockReference is the reference of the demo's opening-stock receipts on the
// inventory ledger.
const OpeningStockReference = "DEMO-OPENING-STOCK"

// orders loads the order history (GenerateOrders, ending at the load's now) through
// the inventory and order services: a stock location per open store with its opening
// stock, then every order as the order center records a past sale — till tickets,
// and the mini program's, the app's and the delivery platforms' orders as the
// platform's own imports, moved on to completed — with its return and complaint.
func (l *loader) orders(ctx context.Context) error {
	hist, err := GenerateOrders(l.c, l.cs, OrderOptions{Today: l.now, Orders: l.orderCount})
	if err != nil {
		return err
	}
	skuIDs, err := l.skuIDs(ctx)
	if err != nil {
		return err
	}
	locations := map[string]string{}
	for _, st := range l.c.Stores {
		if st.Status != StoreOpen {
			continue
		}
		loc, err := l.s.Inventory.CreateLocation(ctx, inventory.Location{Code: st.Code, Name: st.Name, Kind: inventory.KindStore, StoreID: l.stores[st.Code]})
		if err != nil {
			return fmt.Errorf("demo: stock location of %s: %w", st.Code, err)
		}
		locations[st.Code] = loc.ID
	}
	err = l.parallel(ctx, "opening stock", len(hist.Receipts), func(ctx context.Context, i int) error {
		r := hist.Receipts[i]
		_, err := l.s.Inventory.Apply(ctx, inventory.Change{LocationID: locations[r.StoreCode], SKUID: skuIDs[r.SKUCode], Kind: inventory.MoveReceipt,
			Qty: r.Qty, Reference: OpeningStockReference, Reason: "opening stock"})
		if err != nil {
			return fmt.Errorf("demo: opening stock of %s at %s: %w", r.SKUCode, r.StoreCode, err)
		}
		return nil
	})
	if err != nil {
		return err
	}

	price := l.priceList()
	// The buyers: each person's customer, found by One ID from their phone (a person
	// the identity graph does not know buys anonymously).
	customers := map[int]string{}
	if l.s.Identity != nil && l.cs != nil {
		for _, o := range hist.Orders {
			if _, done := customers[o.Person]; done || o.Person < 0 {
				continue
			}
			id, err := l.s.Identity.ResolveBuyer(ctx, []identity.BuyerIdentifier{{Type: "phone", Value: l.cs.Persons[o.Person].Phone}}, "buyer")
			if err != nil {
				return fmt.Errorf("demo: customer of person %d: %w", o.Person, err)
			}
			customers[o.Person] = id
		}
	}
	err = l.parallel(ctx, "orders", len(hist.Orders), func(ctx context.Context, i int) error {
		o := hist.Orders[i]
		if err := l.order(ctx, o, customers[o.Person], skuIDs, price); err != nil {
			return fmt.Errorf("demo: order %s: %w", o.Ref, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

// loadWorkers is how many calls the order step keeps in flight: one computes while
// the other waits on its commit.
const loadWorkers = 2

// parallel runs do for 0..n-1 on loadWorkers goroutines, reporting progress as stage,
// and stops at the first error or when ctx is cancelled.
func (l *loader) parallel(parent context.Context, stage string, n int, do func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(parent)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range n {
			if i%100 == 0 {
				l.progress(stage, i, n)
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return fmt.Errorf("demo: interrupted: %w", context.Cause(ctx))
			}
		}
		return nil
	})
	for range loadWorkers {
		g.Go(func() error {
			for i := range next {
				if err := do(ctx, i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if parent.Err() != nil {
			// A call cut short by the interruption may say so in its own words.
			return fmt.Errorf("demo: interrupted: %w", parent.Err())
		}
		return err
	}
	l.progress(stage, n, n)
	return nil
}

// order records one order, moves an online or delivery order on to completed, and
// confirms its return and its complaint.
func (l *loader) order(ctx context.Context, o Order, customerID string, skuIDs map[string]string, price func(store string, k SKU) int64) error {
	t := order.Ticket{Channel: order.Channel(o.Channel), ExternalRef: o.Ref, StoreID: l.stores[o.StoreCode], PlacedAt: o.PlacedAt,
		Fulfilment: order.Fulfilment(o.Fulfilment), CustomerID: customerID}
	var payable int64
	for i, ln := range o.Lines {
		k := l.c.SKUs[skuIndex(ln.SKUCode)]
		unit := engine.UnitEach
		if k.Unit == UnitWeight {
			unit = engine.UnitWeight
		}
		payable += engine.Line{Unit: unit, Qty: ln.Qty, UnitPrice: price(o.StoreCode, k)}.Amount()
		t.Lines = append(t.Lines, order.NewLine{ID: lineID(i), SKUID: skuIDs[ln.SKUCode], Qty: ln.Qty})
	}
	// What the till or the app charged: the shelf price, as the server prices it
	// while the demo has no promotions (a difference would be kept as an exception).
	t.StatedPayableFen = payable
	t.Payments = []order.PaymentRequest{{Method: o.Payment, AmountFen: payable}}
	if o.Fulfilment == FulfilDelivery && o.Person >= 0 && l.cs != nil {
		p := l.cs.Persons[o.Person]
		t.Receiver = &order.Receiver{Name: p.Name, Phone: p.Phone, Address: p.Address}
	}
	rec, err := l.s.Order.RecordTicket(ctx, t)
	if err != nil {
		return err
	}
	if rec.Status == order.StatusPaid {
		steps := []order.Action{order.ActionAllocate, order.ActionPick, order.ActionReady}
		if o.Fulfilment == FulfilDelivery {
			steps = append(steps, order.ActionDispatch)
		}
		for _, a := range append(steps, order.ActionComplete) {
			if rec, err = l.s.Order.Transition(ctx, rec.ID, a, ""); err != nil {
				return err
			}
		}
	}
	if r := o.Return; r != nil {
		_, _, err := l.s.Order.ConfirmChange(ctx, rec.ID, order.ChangeRequest{Kind: order.ChangeReturn, Reference: o.Ref + "-R1", Reason: r.Reason,
			Restock: r.Restock, Lines: []order.ChangeRequestLine{{LineID: lineID(r.Line), Qty: r.Qty}}})
		if err != nil {
			return err
		}
	}
	if c := o.Complaint; c != nil {
		opened, err := l.s.Order.OpenComplaint(ctx, rec.ID, c.Kind, c.Description)
		if err != nil {
			return err
		}
		if c.Status != string(order.ComplaintOpen) {
			if _, err := l.s.Order.UpdateComplaint(ctx, opened.ID, order.ComplaintStatus(c.Status), c.Resolution); err != nil {
				return err
			}
		}
	}
	return nil
}

func lineID(i int) string { return fmt.Sprintf("L%d", i+1) }

// priceList returns a store's price of a SKU as the catalogue holds it: the store's
// override, else its price zone's, else the list price.
func (l *loader) priceList() func(store string, k SKU) int64 {
	zoneOf := map[string]string{}
	for _, st := range l.c.Stores {
		zoneOf[st.Code] = st.PriceZoneCode
	}
	zone := map[[2]string]int64{}
	for _, p := range l.c.ZonePrices {
		zone[[2]string{p.ZoneCode, p.SKUCode}] = p.Price
	}
	store := map[[2]string]int64{}
	for _, p := range l.c.StorePrices {
		store[[2]string{p.StoreCode, p.SKUCode}] = p.Price
	}
	return func(code string, k SKU) int64 {
		if p, ok := store[[2]string{code, k.Code}]; ok {
			return p
		}
		if p, ok := zone[[2]string{zoneOf[code], k.Code}]; ok {
			return p
		}
		return k.ListPrice
	}
}
