package order

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// recording is a ticket priced and made an order, ready to be stored: what
// storeTickets writes, for one ticket (RecordTicket) or a batch (RecordTickets).
type recording struct {
	t      Ticket
	o      Order
	priced promotion.PricedCart
	loc    inventory.Location
	status Status // as recorded, before a Fulfilled import's later steps
	// held are the customer's coupons that priced the sale, locked to it when it is
	// stored; refused names the codes the coupon service refused (priced without).
	held    []coupon.Held
	refused []string
	// events are the order's events in the order they are published.
	events []events.Message
}

// recorded makes the order of ticket t priced as priced, at the store's location loc.
func (s *Service) recorded(p *auth.Principal, sl sale, t Ticket, priced promotion.PricedCart, loc inventory.Location) *recording {
	status := StatusCompleted
	if t.Fulfilment != FulfilInStore {
		status = StatusPaid
	}
	o := s.newOrder(p, sl, priced, t.Channel, t.ExternalRef, t.StoreID, t.Fulfilment, status, loc.ID)
	o.Buyer, o.Receiver = t.Buyer, t.Receiver
	for _, pay := range t.Payments {
		o.Payments = append(o.Payments, Payment{Kind: KindPayment, Method: pay.Method, AmountFen: pay.AmountFen, Reference: pay.Reference, At: t.PlacedAt})
		o.PaidFen += pay.AmountFen
	}
	return &recording{t: t, o: o, priced: priced, loc: loc, status: status}
}

// storeTickets stores recorded sales in tx, each as RecordTicket always has: the
// order with its lines, shares, payments and timeline; its redemptions; a
// price_mismatch exception when the stated payable differs from the server's; its
// units leaving the store's stock as sale movements (a shortfall where the location
// keeps stock from going negative becomes a stock_shortfall exception); its events
// (order.exception, order.created, then its status's, and for a Fulfilled import every
// later step). The rows of all tickets go in a few multi-row statements: the stock of
// the batch through one inventory call that sums per location and SKU. A duplicate
// external reference is errDuplicate; a promotion that ran out is a
// *promotion.LimitError: the caller rolls back.
func (s *Service) storeTickets(ctx context.Context, tx *sql.Tx, p *auth.Principal, batch []*recording) error {
	now := s.now()
	in := internal(ctx, p)
	var changes []inventory.Change
	type lineOf struct{ r, l int }
	var lines []lineOf
	for i, r := range batch {
		o := &r.o
		o.Timeline, o.Exceptions, r.events, o.Status = nil, nil, nil, r.status
		for j := range o.Payments {
			o.Payments[j].Seq = j + 1
		}
		o.Timeline = append(o.Timeline, TimelineEntry{Seq: 1, Kind: "created", To: o.Status, Actor: p.ID, At: now})
		if r.t.StatedPayableFen != r.priced.Payable {
			detail := fmt.Sprintf("%s stated %s; the server prices the sale at %s (difference %s)", r.t.Channel,
				engine.Yuan(r.t.StatedPayableFen), engine.Yuan(r.priced.Payable), engine.Yuan(r.t.StatedPayableFen-r.priced.Payable))
			if len(r.refused) > 0 {
				detail += "; coupons refused: " + strings.Join(r.refused, ", ")
			}
			s.exceptOf(p, r, Exception{Kind: PriceMismatch, StatedFen: r.t.StatedPayableFen, ServerFen: r.priced.Payable, CreatedAt: now,
				Detail: detail})
		}
		if r.loc.ID == "" {
			continue
		}
		for j, l := range o.Lines {
			changes = append(changes, inventory.Change{LocationID: r.loc.ID, SKUID: l.SKUID, Kind: inventory.MoveSale, Qty: l.Qty, Reference: o.ID})
			lines = append(lines, lineOf{i, j})
		}
	}
	if err := s.insertOrders(ctx, tx, batch); err != nil {
		return err
	}
	refused, err := s.deps.Stock.ApplyAllTx(in, tx, changes)
	if err != nil {
		return fmt.Errorf("stock: %w", err)
	}
	// The redemptions after the stock, as CreateOrder takes them (balances, then
	// promotion usage rows), so that a batch and an online order never wait for each
	// other in opposite orders; the hot usage rows are then held the shortest.
	for _, r := range batch {
		if _, err := s.deps.Pricer.RedeemTx(in, tx, r.o.TenantID, r.o.ID, r.priced); err != nil {
			return err
		}
		// Locked to the sale now; its order.completed (order.paid for a platform's
		// order) redeems them, as for an online order.
		if err := s.lockCouponsTx(ctx, tx, r.o.TenantID, r.o.ID, r.held, r.priced, coupon.Signals{}); err != nil {
			return err
		}
	}
	for k, err := range refused {
		if err == nil {
			continue
		}
		r := batch[lines[k].r]
		l := r.o.Lines[lines[k].l]
		if !errs.Is(err, errs.Insufficient) {
			return fmt.Errorf("stock of line %s: %w", l.ID, err)
		}
		// The sale happened; the location keeps stock from going negative, so the
		// shortfall is kept for a count instead of a movement.
		s.exceptOf(p, r, Exception{Kind: StockShortfall, StatedFen: l.Qty, CreatedAt: now,
			Detail: fmt.Sprintf("line %s: %d of SKU %s sold with too little on hand at %s; count the shelf", l.ID, l.Qty, l.SKUCode, r.loc.Code)})
	}
	var msgs []events.Message
	for _, r := range batch {
		o := &r.o
		r.events = append(r.events, s.message(*o, EventCreated, ""), s.message(*o, eventOfStatus[o.Status], "recorded"))
		if r.t.Fulfilled {
			if err := s.fulfil(p, r, now); err != nil {
				return err
			}
		}
		msgs = append(msgs, r.events...)
	}
	if err := s.insertHistory(ctx, tx, batch); err != nil {
		return err
	}
	return s.outbox.PublishAll(ctx, tx, s.db.Dialect, msgs)
}

// exceptOf keeps an exception on the order being recorded, with its timeline entry
// and event (as except does for a stored order).
func (s *Service) exceptOf(p *auth.Principal, r *recording, e Exception) {
	o := &r.o
	o.Exceptions = append(o.Exceptions, e)
	o.Timeline = append(o.Timeline, TimelineEntry{Seq: len(o.Timeline) + 1, Kind: "exception", From: o.Status, To: o.Status, Note: e.Detail, Actor: p.ID, At: e.CreatedAt})
	r.events = append(r.events, s.message(*o, EventException, string(e.Kind)+": "+e.Detail))
}

// fulfil moves an imported order on from paid through every step of its lifecycle
// to completed, as Transition would one step at a time.
func (s *Service) fulfil(p *auth.Principal, r *recording, now time.Time) error {
	o := &r.o
	steps := []Action{ActionAllocate, ActionPick, ActionReady}
	if o.Fulfilment == FulfilDelivery || o.Fulfilment == FulfilShip {
		steps = append(steps, ActionDispatch)
	}
	for _, a := range append(steps, ActionComplete) {
		to, err := Next(o.Status, a)
		if err != nil {
			return err
		}
		o.Timeline = append(o.Timeline, TimelineEntry{Seq: len(o.Timeline) + 1, Kind: string(to), From: o.Status, To: to, Actor: p.ID, At: now})
		o.Status, o.UpdatedAt = to, now
		r.events = append(r.events, s.message(*o, eventOfStatus[to], ""))
	}
	return nil
}

// message is an order event to publish.
func (s *Service) message(o Order, typ, note string) events.Message {
	e := eventOf(o)
	e.Note = note
	return events.Message{TenantID: o.TenantID, Type: typ, AggregateID: o.ID, Payload: e}
}

// insertOrders stores the orders of batch with their lines, shares and payments, in
// one statement per table. A duplicate external reference is errDuplicate.
func (s *Service) insertOrders(ctx context.Context, tx *sql.Tx, batch []*recording) error {
	type row struct {
		o               *Order
		status          Status
		buyer, receiver string
	}
	rows := make([]row, len(batch))
	for i, r := range batch {
		buyer, receiver, err := s.seal(&r.o)
		if err != nil {
			return err
		}
		// The row carries the order's final status: a Fulfilled import is written
		// completed, its steps are in its timeline and events.
		st := r.o.Status
		if r.t.Fulfilled {
			st = StatusCompleted
		}
		rows[i] = row{&r.o, st, buyer, receiver}
	}
	d := s.db.Dialect
	err := db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO orders (` + orderColumns + `)`}, rows, func(r row) []any {
		o, m := r.o, r.o.Money
		return []any{o.ID, o.TenantID, o.Number, string(o.Channel), o.ExternalRef, o.StoreID, o.CustomerID, string(r.status), string(o.Fulfilment), o.TimeZone, o.Currency,
			m.SubtotalFen, m.DiscountFen, m.DeliveryFeeFen, m.DeliveryDiscountFen, m.PayableFen, o.PaidFen, o.RefundedFen,
			r.buyer, r.receiver, o.Routing, clock.Millis(o.PlacedAt), clock.Millis(o.CreatedAt), clock.Millis(o.UpdatedAt), o.Version}
	}, nil)
	if db.IsUniqueViolation(err) {
		return errDuplicate
	}
	if err != nil {
		return fmt.Errorf("insert orders: %w", err)
	}
	type line struct {
		o *Order
		Line
	}
	type share struct {
		o    *Order
		line string
		Share
	}
	type payment struct {
		o *Order
		Payment
	}
	var ls []line
	var shares []share
	var pays []payment
	for _, r := range batch {
		for _, l := range r.o.Lines {
			ls = append(ls, line{&r.o, l})
			for _, sh := range l.Shares {
				shares = append(shares, share{&r.o, l.ID, sh})
			}
		}
		for _, p := range r.o.Payments {
			pays = append(pays, payment{&r.o, p})
		}
	}
	w := db.Rows{Head: `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen,
		discount_fen, net_fen, gift_of, location_id, returned_qty)`}
	if err := db.WriteRows(ctx, tx, d, w, ls, func(l line) []any {
		return []any{l.o.TenantID, l.o.ID, l.ID, l.SKUID, l.SKUCode, l.Name, l.Unit, l.Qty, l.UnitPriceFen, l.AmountFen, l.DiscountFen, l.NetFen, l.GiftOf, l.LocationID, l.ReturnedQty}
	}, nil); err != nil {
		return fmt.Errorf("insert order lines: %w", err)
	}
	w = db.Rows{Head: `INSERT INTO order_line_discounts (tenant_id, order_id, line_id, promotion_id, discount_fen)`}
	if err := db.WriteRows(ctx, tx, d, w, shares, func(s share) []any {
		return []any{s.o.TenantID, s.o.ID, s.line, s.PromotionID, s.DiscountFen}
	}, nil); err != nil {
		return fmt.Errorf("insert order line discounts: %w", err)
	}
	w = db.Rows{Head: `INSERT INTO order_payments (tenant_id, order_id, seq, kind, method, amount_fen, reference, change_id, at)`}
	if err := db.WriteRows(ctx, tx, d, w, pays, func(p payment) []any {
		return []any{p.o.TenantID, p.o.ID, int64(p.Seq), string(p.Kind), p.Method, p.AmountFen, p.Reference, p.ChangeID, clock.Millis(p.At)}
	}, nil); err != nil {
		return fmt.Errorf("insert payments: %w", err)
	}
	return nil
}

// insertHistory stores the timelines and exceptions of batch, one statement each.
func (s *Service) insertHistory(ctx context.Context, tx *sql.Tx, batch []*recording) error {
	type entry struct {
		o *Order
		TimelineEntry
	}
	type exception struct {
		o   *Order
		seq int
		Exception
	}
	var tl []entry
	var ex []exception
	for _, r := range batch {
		for _, e := range r.o.Timeline {
			tl = append(tl, entry{&r.o, e})
		}
		for i, e := range r.o.Exceptions {
			ex = append(ex, exception{&r.o, i + 1, e})
		}
	}
	d := s.db.Dialect
	w := db.Rows{Head: `INSERT INTO order_timeline (tenant_id, order_id, seq, kind, from_status, to_status, note, actor_id, at)`}
	if err := db.WriteRows(ctx, tx, d, w, tl, func(e entry) []any {
		return []any{e.o.TenantID, e.o.ID, int64(e.Seq), e.Kind, string(e.From), string(e.To), e.Note, e.Actor, clock.Millis(e.At)}
	}, nil); err != nil {
		return fmt.Errorf("insert timeline: %w", err)
	}
	w = db.Rows{Head: `INSERT INTO order_exceptions (tenant_id, order_id, seq, kind, stated_fen, server_fen, detail, created_at)`}
	if err := db.WriteRows(ctx, tx, d, w, ex, func(e exception) []any {
		return []any{e.o.TenantID, e.o.ID, int64(e.seq), string(e.Kind), e.StatedFen, e.ServerFen, e.Detail, clock.Millis(e.CreatedAt)}
	}, nil); err != nil {
		return fmt.Errorf("insert exceptions: %w", err)
	}
	return nil
}

// RecordTickets records a batch of tickets and returns a result per ticket in order,
// each ticket by the rules of RecordTicket. Every ticket is first checked, replayed
// (a reference already stored returns its order) and priced on its own — a ticket
// refused there is reported in its result and does not hold up the others — and the
// good ones are then stored together in one transaction with multi-row statements.
// When that transaction fails (a reference stored meanwhile by another call, a
// promotion that ran out since pricing), the batch is recorded again one ticket at a
// time, each all or nothing. Errors: invalid (an empty or too large batch),
// unauthorized, forbidden, and the interruption of ctx.
func (s *Service) RecordTickets(ctx context.Context, tickets []Ticket) ([]TicketResult, error) {
	if _, err := writer(ctx); err != nil {
		return nil, err
	}
	if len(tickets) == 0 || len(tickets) > MaxTicketBatch {
		return nil, errs.Field("body.tickets", "1..%d tickets", MaxTicketBatch)
	}
	return s.recordAll(ctx, tickets)
}

// recordAll is RecordTickets without the bound on the batch (the demo's loads).
func (s *Service) recordAll(ctx context.Context, tickets []Ticket) ([]TicketResult, error) {
	p, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	// The tickets are the caller's: defaults are filled in on a copy, so that two
	// calls with one batch (a client's retry racing the original) share nothing.
	tickets = slices.Clone(tickets)
	out := make([]TicketResult, len(tickets))
	maxAge, system := MaxTicketAge, p.Kind == auth.SystemPrincipal
	if system {
		maxAge = 0
	}
	now := s.now()
	// Checked one by one; a reference twice in the batch is recorded once, the
	// second gets the first's order.
	type ref struct {
		ch  Channel
		ref string
	}
	first := map[ref]int{}
	pending := make([]bool, len(tickets))
	for i := range tickets {
		t := &tickets[i]
		out[i].ExternalRef = t.ExternalRef
		if t.Fulfilment == "" {
			t.Fulfilment = FulfilInStore
		}
		if out[i].Err = t.validate(now, maxAge, system); out[i].Err != nil {
			continue
		}
		if _, dup := first[ref{t.Channel, t.ExternalRef}]; !dup {
			first[ref{t.Channel, t.ExternalRef}] = i
			pending[i] = true
		}
	}
	// Replays: references stored before.
	stored, err := s.storedRefs(ctx, p, tickets, pending)
	if err != nil {
		return nil, err
	}
	for i, id := range stored {
		pending[i] = false
		o, err := s.FindOrderByID(ctx, id)
		out[i].Order, out[i].Err = &o, err
		if err != nil {
			out[i].Order = nil
		}
	}
	batch, at, err := s.priceTickets(ctx, p, tickets, pending, out)
	if err != nil {
		return nil, err
	}
	if len(batch) > 0 {
		err = s.withRetry(ctx, func(tx *sql.Tx) error { return s.storeTickets(ctx, tx, p, batch) })
		if ctx.Err() != nil {
			return nil, fmt.Errorf("order: record tickets: %w", context.Cause(ctx))
		}
		if err != nil {
			// One ticket's trouble (a reference stored meanwhile, a promotion that
			// ran out) rolled back the batch: record each on its own path, which
			// replays, prices again or refuses that ticket alone.
			for k, r := range batch {
				o, err := s.RecordTicket(ctx, r.t)
				if ctx.Err() != nil {
					return nil, fmt.Errorf("order: record tickets: %w", context.Cause(ctx))
				}
				if err != nil {
					out[at[k]].Err = err
					continue
				}
				out[at[k]].Order = &o
			}
		} else {
			for k, r := range batch {
				out[at[k]].Order = &r.o
			}
		}
	}
	// Repeats within the batch share the first's outcome.
	for i, t := range tickets {
		if j, ok := first[ref{t.Channel, t.ExternalRef}]; ok && j != i && out[i].Err == nil && out[i].Order == nil {
			out[i].Order, out[i].Err = out[j].Order, out[j].Err
		}
	}
	return out, nil
}

// storedRefs finds which pending tickets' references are stored already: ticket
// index → order id.
func (s *Service) storedRefs(ctx context.Context, p *auth.Principal, tickets []Ticket, pending []bool) (map[int]string, error) {
	byChannel := map[Channel][]string{}
	at := map[[2]string]int{}
	for i, t := range tickets {
		if pending[i] && t.ExternalRef != "" {
			byChannel[t.Channel] = append(byChannel[t.Channel], t.ExternalRef)
			at[[2]string{string(t.Channel), t.ExternalRef}] = i
		}
	}
	out := map[int]string{}
	for ch, refs := range byChannel {
		args := []any{p.TenantID, string(ch)}
		// external_ref <> '' lets SQLite use the partial index orders_external.
		query := `SELECT external_ref, id FROM orders WHERE tenant_id = $1 AND channel = $2 AND external_ref <> '' AND external_ref` + db.In(s.db.Dialect, &args, refs)
		err := db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
			var ref, id string
			if err := rows.Scan(&ref, &id); err != nil {
				return err
			}
			out[at[[2]string{string(ch), ref}]] = id
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("order: read stored references: %w", err)
		}
	}
	return out, nil
}

// storeFacts are what a batch reads once per store: whether it is in the caller's
// scope, its time zone and its stock location.
type storeFacts struct {
	err      error
	zone     *time.Location
	zoneName string
	loc      inventory.Location
	items    map[string]catalog.SaleItem
}

// priceTickets prepares and prices the pending tickets as RecordTicket does, reading
// each store's facts and SKUs once for the batch. A ticket refused here gets its
// error in out; the others are returned with their index in tickets.
func (s *Service) priceTickets(ctx context.Context, p *auth.Principal, tickets []Ticket, pending []bool, out []TicketResult) ([]*recording, []int, error) {
	in := internal(ctx, p)
	stores := map[string]*storeFacts{}
	skus := map[string][]string{}
	for i, t := range tickets {
		if !pending[i] {
			continue
		}
		if _, ok := stores[t.StoreID]; !ok {
			stores[t.StoreID] = s.factsOf(ctx, in, t.StoreID)
		}
		for _, l := range t.Lines {
			skus[t.StoreID] = append(skus[t.StoreID], l.SKUID)
		}
	}
	for id, f := range stores {
		if f.err != nil {
			continue
		}
		ids := skus[id]
		slices.Sort(ids)
		items, err := s.deps.Catalog.SaleItems(in, id, slices.Compact(ids))
		if err != nil {
			return nil, nil, fmt.Errorf("order: %w", err)
		}
		f.items = items
	}
	var batch []*recording
	var at []int
	for i, t := range tickets {
		if !pending[i] {
			continue
		}
		f := stores[t.StoreID]
		if f.err != nil {
			out[i].Err = f.err
			continue
		}
		sl := sale{items: f.items, zone: f.zone, zoneName: f.zoneName}
		var err error
		if sl.cart, err = cartOf(t.Lines, f.items); err != nil {
			out[i].Err = err
			continue
		}
		if sl.customerID, err = s.buyerOf(in, t.CustomerID, t.Buyer); err != nil {
			out[i].Err = err
			continue
		}
		codes, held, refused, err := s.ticketCoupons(in, p.TenantID, sl.customerID, t.Coupons)
		if err != nil {
			out[i].Err = err
			continue
		}
		pc := engine.Context{Time: t.PlacedAt, Location: sl.zone, Channel: string(t.Channel), StoreID: t.StoreID, Coupons: codes, Tier: t.Tier}
		priced, err := s.deps.Pricer.PriceOrder(in, p.TenantID, sl.cart, pc, sl.customerID)
		if err != nil {
			out[i].Err = err
			continue
		}
		r := s.recorded(p, sl, t, priced, f.loc)
		r.held, r.refused = held, refused
		batch = append(batch, r)
		at = append(at, i)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("order: record tickets: %w", context.Cause(ctx))
	}
	return batch, at, nil
}

// factsOf reads a store's facts; a store outside the caller's scope, or a failed
// read, is kept as the error its tickets get.
func (s *Service) factsOf(ctx, in context.Context, storeID string) *storeFacts {
	f := &storeFacts{}
	if err := s.deps.Stores.StoreExists(ctx, storeID); err != nil {
		if errs.Is(err, errs.NotFound) {
			f.err = errs.E(errs.NotFound, "store %s not found", storeID)
		} else {
			f.err = fmt.Errorf("order: %w", err)
		}
		return f
	}
	var err error
	if f.zoneName, err = s.deps.Stores.StoreTimeZone(in, storeID); err != nil {
		f.err = fmt.Errorf("order: %w", err)
		return f
	}
	if f.zone, err = time.LoadLocation(f.zoneName); err != nil || f.zoneName == "" {
		f.zone, f.zoneName = time.UTC, "UTC"
	}
	loc, err := s.deps.Stock.FindLocationOfStore(in, storeID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		f.err = fmt.Errorf("order: record ticket: %w", err)
		return f
	}
	f.loc = loc
	return f
}
