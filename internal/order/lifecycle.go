package order

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// visible reports errs.NotFound unless the caller's data scope reaches the order's
// store (the whole tenant reaches every order), so ids outside it cannot be probed.
func (s *Service) visible(ctx context.Context, p *auth.Principal, o Order) error {
	if p.DataScope == auth.TenantScope {
		return nil
	}
	if o.StoreID == "" || s.deps.Stores.StoreExists(ctx, o.StoreID) != nil {
		return errs.E(errs.NotFound, "order %s not found", o.ID)
	}
	return nil
}

// FindOrderByID returns an order with its lines, payments, timeline, changes,
// exceptions and complaints; the receiver and buyer identifiers are masked unless
// the caller holds customers:pii. Errors: not_found (also outside the caller's data
// scope), unauthorized, forbidden.
func (s *Service) FindOrderByID(ctx context.Context, id string) (Order, error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return Order{}, err
	}
	o, err := s.read(ctx, s.db.Reader(), p, id, "")
	if err != nil {
		return Order{}, fmt.Errorf("order: find: %w", err)
	}
	return o, nil
}

// read reads a whole order in q for p, opening its personal data for p.
func (s *Service) read(ctx context.Context, q db.Querier, p *auth.Principal, id, lock string) (Order, error) {
	so, err := getOrder(ctx, q, p.TenantID, id, lock)
	if err != nil {
		return Order{}, err
	}
	o := so.Order
	if err := s.visible(ctx, p, o); err != nil {
		return Order{}, err
	}
	if err := s.open(p, &o, so.buyer, so.receiver); err != nil {
		return Order{}, err
	}
	if o.Lines, err = readLines(ctx, q, p.TenantID, id); err != nil {
		return Order{}, err
	}
	if o.Payments, err = readPayments(ctx, q, p.TenantID, id); err != nil {
		return Order{}, err
	}
	if o.Timeline, err = readTimeline(ctx, q, p.TenantID, id); err != nil {
		return Order{}, err
	}
	if o.Changes, err = readChanges(ctx, q, p.TenantID, id, ""); err != nil {
		return Order{}, err
	}
	if o.Exceptions, err = readExceptions(ctx, q, p.TenantID, id); err != nil {
		return Order{}, err
	}
	if o.Complaints, err = readComplaints(ctx, q, p.TenantID, id); err != nil {
		return Order{}, err
	}
	return o, nil
}

// update runs fn on the order id locked in a transaction for the writer in ctx and
// returns the order as fn left it.
func (s *Service) update(ctx context.Context, id string, fn func(tx *sql.Tx, p *auth.Principal, o *Order) error) (Order, error) {
	p, err := writer(ctx)
	if err != nil {
		return Order{}, err
	}
	var out Order
	err = s.withRetry(ctx, func(tx *sql.Tx) error {
		o, err := s.read(ctx, tx, p, id, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		if err := fn(tx, p, &o); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

// PaymentRequest is money received for an order.
type PaymentRequest struct {
	Method    string
	AmountFen int64
	Reference string
}

// Pay records the payment of a created order: the amount must be the order's
// payable (the server's price); its stock reservation becomes a sale (on hand and
// reserved fall). Paying again with the same reference returns the order unchanged.
// Errors: invalid (body.amount_fen not the payable, body.method), conflict (not
// awaiting payment), not_found, unauthorized, forbidden.
func (s *Service) Pay(ctx context.Context, id string, pay PaymentRequest) (Order, error) {
	if pay.Method == "" || len(pay.Method) > 32 {
		return Order{}, errs.Field("body.method", "1..32 bytes: wechat_pay, alipay, cash, card, stored_value, …")
	}
	if len(pay.Reference) > 128 {
		return Order{}, errs.Field("body.reference", "at most 128 bytes")
	}
	o, err := s.update(ctx, id, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		for _, prior := range o.Payments {
			if prior.Kind == KindPayment && pay.Reference != "" && prior.Reference == pay.Reference {
				return nil // a replay of this payment
			}
		}
		to, err := Next(o.Status, ActionPay)
		if err != nil {
			return err
		}
		if pay.AmountFen != o.Money.PayableFen-o.PaidFen {
			return errs.Field("body.amount_fen", "the order's payable is %d fen; the server decides the amount", o.Money.PayableFen-o.PaidFen)
		}
		if err := s.payStoredValue(ctx, tx, *o, pay); err != nil {
			return err
		}
		if err := s.settleStock(ctx, tx, p, *o, inventory.ReservationCommitted, "paid"); err != nil {
			return err
		}
		payment := Payment{Seq: len(o.Payments) + 1, Kind: KindPayment, Method: pay.Method, AmountFen: pay.AmountFen, Reference: pay.Reference, At: s.now()}
		if err := insertPayment(ctx, tx, o.TenantID, o.ID, payment); err != nil {
			return err
		}
		o.Payments = append(o.Payments, payment)
		o.PaidFen += pay.AmountFen
		return s.move(ctx, tx, p, o, to, pay.Method)
	})
	if err != nil {
		return Order{}, fmt.Errorf("order: pay: %w", err)
	}
	return o, nil
}

// settleStock settles the order's reservation, when it has one.
func (s *Service) settleStock(ctx context.Context, tx *sql.Tx, p *auth.Principal, o Order, to inventory.ReservationStatus, reason string) error {
	if len(stockLines(o.Lines)) == 0 || o.Channel == ChannelPOS {
		return nil
	}
	_, err := s.deps.Stock.SettleTx(internal(ctx, p), tx, o.ID, to, reason)
	if errs.Is(err, errs.NotFound) {
		return nil // placed where no stock is kept
	}
	return err
}

// move moves the order to status to, with its timeline entry and event.
func (s *Service) move(ctx context.Context, tx *sql.Tx, p *auth.Principal, o *Order, to Status, note string) error {
	from := o.Status
	o.Status, o.UpdatedAt = to, s.now()
	if err := updateOrder(ctx, tx, *o); err != nil {
		return err
	}
	if err := s.addTimeline(ctx, tx, o, TimelineEntry{Kind: string(to), From: from, To: to, Note: note, Actor: p.ID}); err != nil {
		return err
	}
	return s.publish(ctx, tx, *o, eventOfStatus[to], note)
}

// Transition moves an order on: allocate, start_picking, ready, dispatch (delivery
// and ship only) and complete. Errors: invalid (path.action), conflict (not from the
// order's status), not_found, unauthorized, forbidden.
func (s *Service) Transition(ctx context.Context, id string, a Action, note string) (Order, error) {
	if a == ActionPay || a == ActionCancel {
		return Order{}, errs.Field("path.action", "pay and cancel have their own operations")
	}
	if len(note) > 500 {
		return Order{}, errs.Field("body.note", "at most 500 bytes")
	}
	o, err := s.update(ctx, id, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		to, err := Next(o.Status, a)
		if err != nil {
			return err
		}
		if a == ActionDispatch && o.Fulfilment != FulfilDelivery && o.Fulfilment != FulfilShip {
			return errs.E(errs.Conflict, "a %s order is not dispatched; complete it when it is collected", o.Fulfilment)
		}
		return s.move(ctx, tx, p, o, to, note)
	})
	if err != nil {
		return Order{}, fmt.Errorf("order: %s: %w", a, err)
	}
	return o, nil
}

// Cancel cancels an order that has not left: its stock goes back (a reservation is
// released; stock already taken by the payment is put back on hand), its promotions
// are released, and what was paid is refunded in full. Cancelling twice returns the
// cancelled order. Errors: invalid (body.reason), conflict (the order has left),
// not_found, unauthorized, forbidden.
func (s *Service) Cancel(ctx context.Context, id, reason string) (Order, error) {
	if strings.TrimSpace(reason) == "" || len(reason) > 500 {
		return Order{}, errs.Field("body.reason", "say why, in at most 500 bytes")
	}
	o, err := s.update(ctx, id, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		if o.Status == StatusCancelled {
			return nil
		}
		to, err := Next(o.Status, ActionCancel)
		if err != nil {
			return err
		}
		in := internal(ctx, p)
		if o.Status == StatusCreated {
			// A reservation the inventory already let expire has nothing left to release.
			if err := s.settleStock(ctx, tx, p, *o, inventory.ReservationReleased, reason); err != nil && !errs.Is(err, errs.Conflict) {
				return err
			}
		} else if err := s.restock(ctx, tx, p, *o, fullQty(o.Lines), "cancelled: "+reason); err != nil {
			return err
		}
		if _, err := s.deps.Pricer.CancelRedemptionTx(in, tx, o.TenantID, o.ID); err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if refund := o.PaidFen - o.RefundedFen; refund > 0 {
			c := Change{ID: ids.New(), Version: o.Version + 1, Kind: ChangeCancel, Reason: reason, RefundFen: refund, Actor: p.ID, CreatedAt: s.now()}
			if err := s.refund(ctx, tx, o, c); err != nil {
				return err
			}
		}
		return s.move(ctx, tx, p, o, to, reason)
	})
	if err != nil {
		return Order{}, fmt.Errorf("order: cancel: %w", err)
	}
	return o, nil
}

// fullQty maps every line to its quantity not yet returned (nor substituted).
func fullQty(lines []Line) map[string]int64 {
	out := map[string]int64{}
	for _, l := range lines {
		if q := l.Left(); q > 0 {
			out[l.ID] = q
		}
	}
	return out
}

// restock puts quantities of the order's lines (line id → qty) back on hand where
// each line was fulfilled from.
func (s *Service) restock(ctx context.Context, tx *sql.Tx, p *auth.Principal, o Order, qty map[string]int64, reason string) error {
	in := internal(ctx, p)
	for _, l := range o.Lines {
		q := qty[l.ID]
		if q <= 0 || l.LocationID == "" {
			continue
		}
		if _, err := s.deps.Stock.ApplyTx(in, tx, inventory.Change{LocationID: l.LocationID, SKUID: l.SKUID, Kind: inventory.MoveReturn,
			Qty: q, Reference: o.ID, Reason: reason}); err != nil {
			return fmt.Errorf("restock line %s: %w", l.ID, err)
		}
	}
	return nil
}

// refund records change c on the order and its refund: a refund payment by the
// method the order was paid with, the order's refunded total, version and timeline,
// and the order.refunded event.
func (s *Service) refund(ctx context.Context, tx *sql.Tx, o *Order, c Change) error {
	if err := insertChange(ctx, tx, o.TenantID, o.ID, c); err != nil {
		return err
	}
	o.Changes = append(o.Changes, c)
	o.Version = c.Version
	if c.RefundFen > 0 {
		method := "original"
		for _, p := range o.Payments {
			if p.Kind == KindPayment {
				method = p.Method
				break
			}
		}
		if err := s.refundStoredValue(ctx, tx, *o, method, c); err != nil {
			return err
		}
		pay := Payment{Seq: len(o.Payments) + 1, Kind: KindRefund, Method: method, AmountFen: c.RefundFen, ChangeID: c.ID, At: s.now()}
		if err := insertPayment(ctx, tx, o.TenantID, o.ID, pay); err != nil {
			return err
		}
		o.Payments = append(o.Payments, pay)
		o.RefundedFen += c.RefundFen
	}
	o.UpdatedAt = s.now()
	if err := updateOrder(ctx, tx, *o); err != nil {
		return err
	}
	if err := s.addTimeline(ctx, tx, o, TimelineEntry{Kind: string(c.Kind), From: o.Status, To: o.Status,
		Note: fmt.Sprintf("v%d refund %d fen: %s", c.Version, c.RefundFen, c.Reason), Actor: c.Actor}); err != nil {
		return err
	}
	if c.RefundFen > 0 {
		return s.publishChange(ctx, tx, *o, EventRefunded, c)
	}
	return nil
}

// CancelUnpaid cancels up to limit online orders of any tenant still awaiting payment
// when their stock reservation's time has passed, as the system ("unpaid in time"):
// their stock and their promotions' budgets go back. A background loop calls it; it
// returns how many it cancelled.
func (s *Service) CancelUnpaid(ctx context.Context, limit int) (int, error) {
	cutoff := clock.Millis(s.now().Add(-s.cfg.ReservationTTL))
	var due [][2]string
	err := db.EachRow(ctx, s.db.Reader(), `SELECT tenant_id, id FROM orders WHERE status = 'created' AND created_at < $1 ORDER BY created_at LIMIT $2`,
		[]any{cutoff, limit}, func(rows *sql.Rows) error {
			var d [2]string
			err := rows.Scan(&d[0], &d[1])
			due = append(due, d)
			return err
		})
	if err != nil {
		return 0, fmt.Errorf("order: cancel unpaid: %w", err)
	}
	n := 0
	for _, d := range due {
		_, err := s.Cancel(auth.WithPrincipal(ctx, auth.System(d[0])), d[1], "unpaid in time")
		if errs.Is(err, errs.Conflict) {
			continue // paid meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("order: cancel unpaid %s: %w", d[1], err)
		}
		n++
	}
	return n, nil
}
