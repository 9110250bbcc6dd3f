package order

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Ticket is a sale that happened at a till (staffed, self-checkout or smart cart),
// or an order a delivery platform or marketplace took and priced itself: the record
// is kept, its stated payable is checked against the server's price, and every
// difference becomes an exception with both figures — never trusted, never refused.
type Ticket struct {
	// Channel is pos, meituan, eleme or marketplace; the platform itself (the SYSTEM
	// principal: an import, the demo) may also record its own channels' past orders
	// (mini_program, app, web), which CreateOrder would price at now.
	Channel     Channel
	ExternalRef string // the ticket number or platform order id: recording it again returns the order
	StoreID     string
	PlacedAt    time.Time
	Fulfilment  Fulfilment // in_store for a till; delivery for a platform
	CustomerID  string
	Buyer       []BuyerIdentifier
	Lines       []NewLine
	Receiver    *Receiver
	Coupons     []string
	// Tier is the member tier the till priced the sale for (member prices): the till
	// knows the member's card. A tier the member does not hold only lowers the server's
	// price, which then differs from the till's and is kept as an exception. Online
	// orders take no tier from the client (loyalty will decide it).
	Tier string
	// StatedPayableFen is what the channel says the buyer paid for the goods.
	StatedPayableFen int64
	Payments         []PaymentRequest
	// Fulfilled, for the platform itself only (an import, the demo), records a past
	// delivery, pickup or platform order that was fulfilled: after it is recorded paid
	// it goes through every step of its lifecycle (allocated, picking, ready, out for
	// delivery when delivered, completed), each with its timeline entry and event, in
	// the same transaction.
	Fulfilled bool
}

// MaxTicketAge bounds how late a ticket may be uploaded (a till offline for weeks);
// the platform itself (an import, the demo) may record older sales.
const MaxTicketAge = 90 * 24 * time.Hour

func (t Ticket) validate(now time.Time, maxAge time.Duration, system bool) error {
	switch {
	case t.Channel == ChannelPOS, t.Channel == ChannelMeituan, t.Channel == ChannelEleme, t.Channel == ChannelMarketplace:
	case system && t.Channel.Online():
		// An import of the platform's own past orders: they happened at their time.
	default:
		return errs.Field("body.channel", "a recorded sale comes from pos, meituan, eleme or marketplace; the platform's own orders go to POST /api/v1/orders")
	}
	switch {
	case t.ExternalRef == "" || len(t.ExternalRef) > 64:
		return errs.Field("body.external_ref", "1..64 bytes: the ticket number or platform order id")
	case t.StoreID == "":
		return errs.Field("body.store_id", "required")
	case t.PlacedAt.IsZero():
		return errs.Field("body.placed_at", "required: when the sale happened")
	case t.PlacedAt.After(now.Add(5 * time.Minute)):
		return errs.Field("body.placed_at", "is in the future")
	case maxAge > 0 && now.Sub(t.PlacedAt) > maxAge:
		return errs.Field("body.placed_at", "is more than 90 days ago")
	case len(t.Tier) > 32:
		return errs.Field("body.tier", "at most 32 bytes")
	case t.StatedPayableFen < 0:
		return errs.Field("body.stated_payable_fen", "must not be negative")
	}
	if t.Fulfilment != FulfilInStore && t.Fulfilment != FulfilDelivery && t.Fulfilment != FulfilPickup {
		return errs.Field("body.fulfilment", "must be in_store, delivery or pickup")
	}
	if t.Fulfilled && !system {
		return errs.Field("body.fulfilled", "only the platform's own imports record an order's later steps; move an order on with its actions")
	}
	for i, p := range t.Payments {
		if p.Method == "" || len(p.Method) > 32 {
			return errs.Field(fmt.Sprintf("body.payments[%d].method", i), "1..32 bytes")
		}
		if p.AmountFen < 0 || p.AmountFen > engine.MaxUnitPrice {
			return errs.Field(fmt.Sprintf("body.payments[%d].amount_fen", i), "must be 0..%d", int64(engine.MaxUnitPrice))
		}
	}
	if err := validLines(t.Lines); err != nil {
		return err
	}
	return validReceiver(t.Receiver)
}

// RecordTicket records a sale that happened: the server prices it at its time,
// store and customer, and it is stored completed (or, for a platform's delivery,
// paid) with the server's lines and shares; the stated payable, when it differs, is
// kept as a price_mismatch exception with both figures. Its promotions are redeemed
// on the server's price (a promotion whose budget ran out meanwhile is priced again
// without it, never overrun), and its units leave the store's stock as a sale —
// below zero only where the location allows it; elsewhere the shortfall is kept as
// a stock_shortfall exception. Recording the same ExternalRef again returns the
// first order. Errors: invalid (naming the field), not_found (store), unauthorized,
// forbidden.
func (s *Service) RecordTicket(ctx context.Context, t Ticket) (Order, error) {
	p, err := writer(ctx)
	if err != nil {
		return Order{}, err
	}
	if t.Fulfilment == "" {
		t.Fulfilment = FulfilInStore
	}
	maxAge, system := MaxTicketAge, p.Kind == auth.SystemPrincipal
	if system {
		maxAge = 0
	}
	if err := t.validate(s.now(), maxAge, system); err != nil {
		return Order{}, err
	}
	if o, err := s.replay(ctx, p, t.Channel, t.ExternalRef); err == nil || !errs.Is(err, errs.NotFound) {
		return o, err
	}
	sl, err := s.prepare(ctx, p, t.StoreID, t.CustomerID, t.Buyer, t.Lines)
	if err != nil {
		return Order{}, err
	}
	in := internal(ctx, p)
	loc, err := s.deps.Stock.FindLocationOfStore(in, t.StoreID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Order{}, fmt.Errorf("order: record ticket: %w", err)
	}
	pc := engine.Context{Time: t.PlacedAt, Location: sl.zone, Channel: string(t.Channel), StoreID: t.StoreID, Tier: t.Tier}
	for attempt := 0; ; attempt++ {
		// Presented again on each attempt: a coupon taken by another order meanwhile
		// is then refused, and the sale priced without it.
		codes, held, refused, err := s.ticketCoupons(in, p.TenantID, sl.customerID, t.Coupons)
		if err != nil {
			return Order{}, fmt.Errorf("order: record ticket: %w", err)
		}
		pc.Coupons = codes
		priced, err := s.deps.Pricer.PriceOrder(in, p.TenantID, sl.cart, pc, sl.customerID)
		if err != nil {
			return Order{}, err
		}
		r := s.recorded(p, sl, t, priced, loc)
		r.held, r.refused = held, refused
		err = s.withRetry(ctx, func(tx *sql.Tx) error { return s.storeTickets(ctx, tx, p, []*recording{r}) })
		if (limitReached(err, &pc) || errors.Is(err, coupon.ErrUnavailable)) && attempt < 8 {
			// The sale happened: it is priced again without the promotion that ran
			// out or the coupon taken meanwhile, and the difference from the till is
			// an exception.
			continue
		}
		if errors.Is(err, errDuplicate) {
			return s.replay(ctx, p, t.Channel, t.ExternalRef)
		}
		if err != nil {
			return Order{}, fmt.Errorf("order: record ticket: %w", err)
		}
		return r.o, nil
	}
}

// TicketResult is the outcome of one ticket of a batch: the order, or the error
// that refused it (nothing of it was stored).
type TicketResult struct {
	ExternalRef string
	Order       *Order
	Err         error
}

// MaxTicketBatch bounds a batch upload.
const MaxTicketBatch = 500
