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
	// The opening stock in batches of receipts, each batch one transaction.
	err = l.parallel(ctx, "opening stock", len(hist.Receipts), receiptBatch, func(ctx context.Context, lo, hi int) error {
		changes := make([]inventory.Change, 0, hi-lo)
		for _, r := range hist.Receipts[lo:hi] {
			changes = append(changes, inventory.Change{LocationID: locations[r.StoreCode], SKUID: skuIDs[r.SKUCode], Kind: inventory.MoveReceipt,
				Qty: r.Qty, Reference: OpeningStockReference, Reason: "opening stock"})
		}
		refused, err := l.s.Inventory.ApplyAll(ctx, changes)
		if err != nil {
			return fmt.Errorf("demo: opening stock: %w", err)
		}
		for k, err := range refused {
			if err != nil {
				r := hist.Receipts[lo+k]
				return fmt.Errorf("demo: opening stock of %s at %s: %w", r.SKUCode, r.StoreCode, err)
			}
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
	err = l.parallel(ctx, "orders", len(hist.Orders), orderBatch(len(hist.Orders)), func(ctx context.Context, lo, hi int) error {
		return l.orderBatch(ctx, hist.Orders[lo:hi], customers, skuIDs, price)
	})
	if err != nil {
		return err
	}
	return nil
}

// receiptBatch is how many opening-stock receipts go in one transaction.
const receiptBatch = 2000

// orderBatch is how many orders go in one call of order.Service.RecordTickets: up to
// its bound, fewer for a short history so that the two workers share it and progress
// moves (and an interruption lands between batches).
func orderBatch(n int) int {
	return min(order.MaxTicketBatch, max(20, n/40))
}

// loadWorkers is how many calls the order step keeps in flight: one computes while
// the other waits on its commit.
const loadWorkers = 2

// parallel runs do for the batches [lo, hi) of 0..n-1, size items each, on
// loadWorkers goroutines, reporting progress as stage before each batch, and stops
// at the first error or when ctx is cancelled.
func (l *loader) parallel(parent context.Context, stage string, n, size int, do func(ctx context.Context, lo, hi int) error) error {
	g, ctx := errgroup.WithContext(parent)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for lo := 0; lo < n; lo += size {
			l.progress(stage, lo, n)
			select {
			case next <- lo:
			case <-ctx.Done():
				return fmt.Errorf("demo: interrupted: %w", context.Cause(ctx))
			}
		}
		return nil
	})
	for range loadWorkers {
		g.Go(func() error {
			for lo := range next {
				if err := do(ctx, lo, min(lo+size, n)); err != nil {
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

// orderBatch records a batch of orders with one RecordTickets call — online and
// platform orders as fulfilled imports, moved on to completed in the same
// transaction — then confirms their returns and complaints one by one.
func (l *loader) orderBatch(ctx context.Context, batch []Order, customers map[int]string, skuIDs map[string]string, price func(store string, k SKU) int64) error {
	tickets := make([]order.Ticket, len(batch))
	for i, o := range batch {
		tickets[i] = l.ticket(o, customers[o.Person], skuIDs, price)
	}
	results, err := l.s.Order.RecordTickets(ctx, tickets)
	if err != nil {
		return fmt.Errorf("demo: orders: %w", err)
	}
	for i, r := range results {
		if r.Err != nil {
			return fmt.Errorf("demo: order %s: %w", r.ExternalRef, r.Err)
		}
		if err := l.afterSales(ctx, batch[i], r.Order.ID); err != nil {
			return fmt.Errorf("demo: order %s: %w", r.ExternalRef, err)
		}
	}
	return nil
}

// ticket is the order as the till or the app recorded it.
func (l *loader) ticket(o Order, customerID string, skuIDs map[string]string, price func(store string, k SKU) int64) order.Ticket {
	t := order.Ticket{Channel: order.Channel(o.Channel), ExternalRef: o.Ref, StoreID: l.stores[o.StoreCode], PlacedAt: o.PlacedAt,
		Fulfilment: order.Fulfilment(o.Fulfilment), CustomerID: customerID, Fulfilled: o.Fulfilment != FulfilInStore}
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
	// What the till or the app charged: the shelf price, as the server prices it —
	// the demo's promotions are loaded after the history (a difference would be kept
	// as an exception).
	t.StatedPayableFen = payable
	t.Payments = []order.PaymentRequest{{Method: o.Payment, AmountFen: payable}}
	if o.Fulfilment == FulfilDelivery && o.Person >= 0 && l.cs != nil {
		p := l.cs.Persons[o.Person]
		t.Receiver = &order.Receiver{Name: p.Name, Phone: p.Phone, Address: p.Address}
	}
	return t
}

// afterSales confirms the recorded order's return and its complaint, if it has them.
func (l *loader) afterSales(ctx context.Context, o Order, id string) error {
	if r := o.Return; r != nil {
		_, _, err := l.s.Order.ConfirmChange(ctx, id, order.ChangeRequest{Kind: order.ChangeReturn, Reference: o.Ref + "-R1", Reason: r.Reason,
			Restock: r.Restock, Lines: []order.ChangeRequestLine{{LineID: lineID(r.Line), Qty: r.Qty}}})
		if err != nil {
			return err
		}
	}
	if c := o.Complaint; c != nil {
		opened, err := l.s.Order.OpenComplaint(ctx, id, c.Kind, c.Description)
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
