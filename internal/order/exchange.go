package order

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// EventExchanged reports an exchange of a completed order; its payload's change
// names the returned lines (with their worth as refund_fen), the items added and what
// the customer paid on top (docs/orders.md, event contract).
const EventExchanged = "order.exchanged"

// exchange is a computed exchange: the change, the lines it adds and every line's
// returned quantity after it.
type exchange struct {
	change   Change
	added    []Line
	returned map[string]int64
}

// validateExchange checks what only an exchange carries: its items (and only an
// exchange has them) and the payment's method and reference.
func (r ChangeRequest) validateExchange() error {
	if r.Kind != ChangeExchange {
		switch {
		case len(r.Items) > 0:
			return errs.Field("body.items", "only an exchange adds items")
		case r.Payment != nil:
			return errs.Field("body.payment", "only an exchange takes a payment")
		}
		return nil
	}
	if len(r.Items) == 0 || len(r.Items) > MaxLines {
		return errs.Field("body.items", "an exchange adds 1 to %d items", MaxLines)
	}
	for i, it := range r.Items {
		switch {
		case it.SKUID == "":
			return errs.Field(fmt.Sprintf("body.items[%d].sku_id", i), "required")
		case it.Qty < 1 || it.Qty > 1_000_000_000:
			return errs.Field(fmt.Sprintf("body.items[%d].qty", i), "must be 1..1000000000")
		}
	}
	if pay := r.Payment; pay != nil {
		switch {
		case pay.Method == "" || len(pay.Method) > 32:
			return errs.Field("body.payment.method", "1..32 bytes: wechat_pay, alipay, cash, card, stored_value, …")
		case len(pay.Reference) > 128:
			return errs.Field("body.payment.reference", "at most 128 bytes")
		case pay.AmountFen < 0:
			return errs.Field("body.payment.amount_fen", "must not be negative")
		case pay.Method == MethodStoredValue || pay.Method == MethodGiftCard:
			// Loyalty keys an order's stored-value spend (and the gift cards' check) on
			// the order alone, so a second payment of the same order would replay the
			// first instead of taking the difference: refused until it takes a change's key.
			return errs.Field("body.payment.method", "%s cannot pay an exchange's difference yet: take it by card, cash, wechat_pay or alipay", pay.Method)
		}
	}
	return nil
}

// computeExchange works out exchange r on the completed order o, read in q: the
// returned units are valued exactly as a return of them would refund (their frozen
// net shares, less any threshold discount the kept lines no longer earn — see
// computeChange), the new items are priced by the server at the order's store (the
// catalogue's sale price, as substitutes are; no promotion applies to them), and
// the difference is what the customer pays (DueFen) or is refunded (RefundFen).
// Each new line is X<version>-<n>, taken where the first returned line was fulfilled
// from (else the store's own location), and names the first returned line in
// exchange_for. Errors: those of computeChange, invalid (naming body.items[i]).
func (s *Service) computeExchange(ctx context.Context, q db.Querier, p *auth.Principal, o Order, r ChangeRequest) (exchange, error) {
	c, returned, err := s.computeChange(ctx, q, p, o, r)
	if err != nil {
		return exchange{}, err
	}
	value := c.RefundFen
	in := internal(ctx, p)
	skus := make([]string, 0, len(r.Items))
	for _, it := range r.Items {
		skus = append(skus, it.SKUID)
	}
	items, err := s.deps.Catalog.SaleItems(in, o.StoreID, skus)
	if err != nil {
		return exchange{}, fmt.Errorf("exchange: %w", err)
	}
	first := r.Lines[0].LineID
	loc := ""
	for _, l := range o.Lines {
		if l.ID == first {
			loc = l.LocationID
		}
	}
	if loc == "" {
		if l, err := s.deps.Stock.FindLocationOfStore(in, o.StoreID); err == nil {
			loc = l.ID
		} else if !errs.Is(err, errs.NotFound) {
			return exchange{}, fmt.Errorf("exchange: %w", err)
		}
	}
	out := exchange{returned: returned}
	var total int64
	for i, ri := range r.Items {
		field := func(f string) string { return fmt.Sprintf("body.items[%d].%s", i, f) }
		it, ok := items[ri.SKUID]
		switch {
		case !ok:
			return exchange{}, errs.Field(field("sku_id"), "no SKU %s in this tenant", ri.SKUID)
		case it.Status != catalog.StatusActive:
			return exchange{}, errs.Field(field("sku_id"), "SKU %s is %s and cannot be sold", it.Code, it.Status)
		}
		unit := engine.UnitEach
		if it.Unit == catalog.UnitWeight {
			unit = engine.UnitWeight
		}
		if unit == engine.UnitEach && ri.Qty > engine.MaxQtyEach {
			return exchange{}, errs.Field(field("qty"), "at most %d units", engine.MaxQtyEach)
		}
		amount := engine.Line{Unit: unit, Qty: ri.Qty, UnitPrice: it.PriceFen}.Amount()
		nl := Line{ID: fmt.Sprintf("X%d-%d", o.Version+1, i+1), SKUID: it.SKUID, SKUCode: it.Code, Name: it.Name, Unit: string(unit),
			Qty: ri.Qty, UnitPriceFen: it.PriceFen, AmountFen: amount, NetFen: amount, LocationID: loc, ExchangeFor: first}
		out.added = append(out.added, nl)
		c.Added = append(c.Added, ChangeItem{LineID: nl.ID, SKUID: nl.SKUID, SKUCode: nl.SKUCode, Qty: nl.Qty, UnitPriceFen: nl.UnitPriceFen, AmountFen: amount})
		total += amount
	}
	c.Kind = ChangeExchange
	if d := total - value; d >= 0 {
		c.DueFen, c.RefundFen = d, 0
		c.Notes = append(c.Notes, fmt.Sprintf("returned units worth %s, new items %s: the customer pays %s", engine.Yuan(value), engine.Yuan(total), engine.Yuan(d)))
	} else {
		c.RefundFen = -d
		c.Notes = append(c.Notes, fmt.Sprintf("returned units worth %s, new items %s: the customer is refunded %s", engine.Yuan(value), engine.Yuan(total), engine.Yuan(-d)))
	}
	out.change = c
	return out, nil
}

// confirmExchange confirms exchange r on o in tx: the difference the customer owes
// must be paid in the request, exactly (the server's figure; conflict otherwise), and
// is recorded as a payment of this change; returned units count as returned and go
// back on hand when asked; the new lines are stored and leave stock where they are
// taken from as sale movements (insufficient where the location may not go
// negative); what the shop owes is refunded like a return's refund (stored value
// back to the account). Publishes order.exchanged (and order.refunded).
func (s *Service) confirmExchange(ctx context.Context, tx *sql.Tx, p *auth.Principal, o *Order, r ChangeRequest) (Change, error) {
	ex, err := s.computeExchange(ctx, tx, p, *o, r)
	if err != nil {
		return Change{}, err
	}
	c := ex.change
	switch {
	case c.DueFen > 0 && r.Payment == nil:
		return Change{}, errs.Field("body.payment", "the customer owes %d fen for this exchange: confirm with a payment of exactly that", c.DueFen)
	case r.Payment != nil && r.Payment.AmountFen != c.DueFen:
		return Change{}, errs.E(errs.Conflict, "the customer owes %d fen for this exchange (the server's figure), not %d", c.DueFen, r.Payment.AmountFen)
	}
	c.ID, c.Version, c.Actor, c.CreatedAt = ids.New(), o.Version+1, p.ID, s.now()
	restock := map[string]int64{}
	for i := range o.Lines {
		l := &o.Lines[i]
		if n, ok := ex.returned[l.ID]; ok && n != l.ReturnedQty {
			if err := setReturned(ctx, tx, o.TenantID, o.ID, l.ID, n); err != nil {
				return Change{}, err
			}
			restock[l.ID] = n - l.ReturnedQty
			l.ReturnedQty = n
		}
	}
	if r.Restock {
		if err := s.restock(ctx, tx, p, *o, restock, "exchanged: "+r.Reason); err != nil {
			return Change{}, err
		}
	}
	in := internal(ctx, p)
	for _, nl := range ex.added {
		if err := insertExchangeLine(ctx, tx, o.TenantID, o.ID, nl); err != nil {
			return Change{}, err
		}
		if nl.LocationID == "" {
			continue
		}
		if _, err := s.deps.Stock.ApplyTx(in, tx, inventory.Change{LocationID: nl.LocationID, SKUID: nl.SKUID, Kind: inventory.MoveSale,
			Qty: nl.Qty, Reference: o.ID, Reason: "exchange: " + r.Reason}); err != nil {
			return Change{}, fmt.Errorf("take exchanged item %s: %w", nl.SKUCode, err)
		}
	}
	o.Lines = append(o.Lines, ex.added...)
	if c.DueFen > 0 {
		pay := *r.Payment
		row := Payment{Seq: len(o.Payments) + 1, Kind: KindPayment, Method: pay.Method, AmountFen: pay.AmountFen, Reference: pay.Reference,
			ChangeID: c.ID, At: s.now()}
		if err := insertPayment(ctx, tx, o.TenantID, o.ID, row); err != nil {
			return Change{}, err
		}
		o.Payments = append(o.Payments, row)
		o.PaidFen += pay.AmountFen
	}
	// refund records the change, the order's version, money and timeline (and the
	// refund itself when the shop owes).
	if err := s.refund(ctx, tx, o, c); err != nil {
		return Change{}, err
	}
	return c, s.publishChange(ctx, tx, *o, EventExchanged, c)
}

func insertExchangeLine(ctx context.Context, tx *sql.Tx, tenantID, orderID string, l Line) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen,
		discount_fen, net_fen, gift_of, location_id, returned_qty, substituted_qty, substitute_for, exchange_for)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, 0, 0, '', $14)`,
		tenantID, orderID, l.ID, l.SKUID, l.SKUCode, l.Name, l.Unit, l.Qty, l.UnitPriceFen, l.AmountFen, l.DiscountFen, l.NetFen, l.LocationID, l.ExchangeFor)
	if err != nil {
		return fmt.Errorf("insert exchange line: %w", err)
	}
	return nil
}
