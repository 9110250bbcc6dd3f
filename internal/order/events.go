package order

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The events the order center publishes, each in the transaction of the change it
// reports (docs/orders.md is the contract subscribers rely on). Every payload is an
// OrderEvent; returned and refunded carry the change.
const (
	EventCreated         = "order.created"
	EventPaid            = "order.paid"
	EventAllocated       = "order.allocated"
	EventPicking         = "order.picking"
	EventReady           = "order.ready"
	EventOutForDelivery  = "order.out_for_delivery"
	EventCompleted       = "order.completed"
	EventCancelled       = "order.cancelled"
	EventReturned        = "order.returned"
	EventRefunded        = "order.refunded"
	EventException       = "order.exception"
	EventComplaintOpened = "order.complaint_opened"
	EventComplaintClosed = "order.complaint_resolved"
)

// eventOfStatus is the event a transition to a status publishes.
var eventOfStatus = map[Status]string{
	StatusPaid: EventPaid, StatusAllocated: EventAllocated, StatusPicking: EventPicking, StatusReady: EventReady,
	StatusOutForDelivery: EventOutForDelivery, StatusCompleted: EventCompleted, StatusCancelled: EventCancelled,
}

// OrderEvent is the payload of every order event: the order's figures after the
// change (no personal data: the customer by id only).
type OrderEvent struct {
	OrderID     string       `json:"order_id"`
	Number      string       `json:"number"`
	Channel     Channel      `json:"channel"`
	StoreID     string       `json:"store_id,omitempty"`
	CustomerID  string       `json:"customer_id,omitempty"`
	Status      Status       `json:"status"`
	Fulfilment  Fulfilment   `json:"fulfilment"`
	PayableFen  int64        `json:"payable_fen"`
	DiscountFen int64        `json:"discount_fen"`
	PaidFen     int64        `json:"paid_fen"`
	RefundedFen int64        `json:"refunded_fen"`
	PlacedAt    time.Time    `json:"placed_at"`
	Lines       []EventLine  `json:"lines,omitempty"`
	Change      *EventChange `json:"change,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// EventLine is a line in an event: enough for loyalty (net paid) and analytics.
type EventLine struct {
	LineID      string `json:"line_id"`
	SKUID       string `json:"sku_id"`
	Unit        string `json:"unit"`
	Qty         int64  `json:"qty"`
	NetFen      int64  `json:"net_fen"`
	ReturnedQty int64  `json:"returned_qty,omitempty"`
	// Substitutions while picking: units of this line replaced, or the line this
	// substitute replaces.
	SubstitutedQty int64  `json:"substituted_qty,omitempty"`
	SubstituteFor  string `json:"substitute_for,omitempty"`
	// An exchange's new line names the returned line it was added for.
	ExchangeFor string `json:"exchange_for,omitempty"`
}

// EventChange is the change a returned, refunded or substituted event reports.
type EventChange struct {
	ChangeID  string       `json:"change_id"`
	Version   int64        `json:"version"`
	Kind      ChangeKind   `json:"kind"`
	RefundFen int64        `json:"refund_fen"`
	Lines     []ChangeLine `json:"lines"`
	// An exchange: the items added and what the customer paid on top.
	Added  []ChangeItem `json:"added,omitempty"`
	DueFen int64        `json:"due_fen,omitempty"`
}

func eventOf(o Order) OrderEvent {
	e := OrderEvent{OrderID: o.ID, Number: o.Number, Channel: o.Channel, StoreID: o.StoreID, CustomerID: o.CustomerID, Status: o.Status,
		Fulfilment: o.Fulfilment, PayableFen: o.Money.PayableFen, DiscountFen: o.Money.DiscountFen, PaidFen: o.PaidFen,
		RefundedFen: o.RefundedFen, PlacedAt: o.PlacedAt}
	for _, l := range o.Lines {
		e.Lines = append(e.Lines, EventLine{LineID: l.ID, SKUID: l.SKUID, Unit: l.Unit, Qty: l.Qty, NetFen: l.NetFen, ReturnedQty: l.ReturnedQty,
			SubstitutedQty: l.SubstitutedQty, SubstituteFor: l.SubstituteFor, ExchangeFor: l.ExchangeFor})
	}
	return e
}

// publish writes an order event in tx.
func (s *Service) publish(ctx context.Context, tx *sql.Tx, o Order, typ, note string) error {
	e := eventOf(o)
	e.Note = note
	if _, err := s.outbox.Publish(ctx, tx, o.TenantID, typ, o.ID, e); err != nil {
		return fmt.Errorf("publish %s: %w", typ, err)
	}
	return nil
}

// publishChange writes an order event about a change in tx.
func (s *Service) publishChange(ctx context.Context, tx *sql.Tx, o Order, typ string, c Change) error {
	e := eventOf(o)
	e.Change = &EventChange{ChangeID: c.ID, Version: c.Version, Kind: c.Kind, RefundFen: c.RefundFen, Lines: c.Lines,
		Added: c.Added, DueFen: c.DueFen}
	if _, err := s.outbox.Publish(ctx, tx, o.TenantID, typ, o.ID, e); err != nil {
		return fmt.Errorf("publish %s: %w", typ, err)
	}
	return nil
}
