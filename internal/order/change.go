package order

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// PreviewChange computes what a return, short pick or substitution would do — the
// refund per line and in total, what happens to threshold promotions the kept lines
// no longer meet, and for a substitution what the customer pays for each substitute —
// without changing anything. Errors: those of ConfirmChange, and insufficient (a
// substitute not available where its line is picked).
func (s *Service) PreviewChange(ctx context.Context, id string, r ChangeRequest) (Change, error) {
	p, err := writer(ctx)
	if err != nil {
		return Change{}, err
	}
	if err := r.Validate(); err != nil {
		return Change{}, err
	}
	q := s.db.Reader()
	o, err := s.read(ctx, q, p, id, "")
	if err != nil {
		return Change{}, fmt.Errorf("order: preview change: %w", err)
	}
	if r.Kind == ChangeSubstitution {
		sub, err := s.computeSubstitution(ctx, p, o, r, true)
		if err != nil {
			return Change{}, fmt.Errorf("order: preview change: %w", err)
		}
		return sub.change, nil
	}
	if r.Kind == ChangeExchange {
		ex, err := s.computeExchange(ctx, q, p, o, r)
		if err != nil {
			return Change{}, fmt.Errorf("order: preview change: %w", err)
		}
		return ex.change, nil
	}
	c, _, err := s.computeChange(ctx, q, p, o, r)
	if err != nil {
		return Change{}, fmt.Errorf("order: preview change: %w", err)
	}
	return c, nil
}

// ConfirmChange confirms a return (of a completed order) or a short pick (of an order
// being picked) as the order's next version: it refunds exactly the frozen shares of
// the units concerned — each line's net as sold, less its part of any threshold
// discount the kept lines no longer earn under the promotion's return policy —,
// restocks returned units where the line was fulfilled from when asked (a short pick
// never restocks), and publishes order.returned and order.refunded. Amounts are
// computed cumulatively, so several partial returns refund exactly what one return
// of the same units would. A substitution (of an order being picking) replaces units
// of lines with other SKUs: see computeSubstitution and confirmSubstitution; it
// publishes order.substituted. An exchange (of a completed order) returns units and
// adds items, taking payment of or refunding the difference: see computeExchange and
// confirmExchange; it publishes order.exchanged. Confirming a change whose reference the order already
// holds returns that change unchanged. Errors: invalid (naming the field),
// conflict (the order's status, a cancelled order), insufficient (a substitute's
// stock), not_found, unauthorized, forbidden.
func (s *Service) ConfirmChange(ctx context.Context, id string, r ChangeRequest) (Order, Change, error) {
	if err := r.Validate(); err != nil {
		return Order{}, Change{}, err
	}
	var out Change
	o, err := s.update(ctx, id, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		if r.Reference != "" {
			prior, err := readChanges(ctx, tx, o.TenantID, o.ID, r.Reference)
			if err != nil {
				return err
			}
			if len(prior) > 0 {
				out = prior[0]
				return nil // a replay
			}
		}
		if r.Kind == ChangeSubstitution {
			c, err := s.confirmSubstitution(ctx, tx, p, o, r)
			out = c
			return err
		}
		if r.Kind == ChangeExchange {
			c, err := s.confirmExchange(ctx, tx, p, o, r)
			out = c
			return err
		}
		c, returned, err := s.computeChange(ctx, tx, p, *o, r)
		if err != nil {
			return err
		}
		c.ID, c.Version, c.Actor, c.CreatedAt = ids.New(), o.Version+1, p.ID, s.now()
		restock := map[string]int64{}
		for i := range o.Lines {
			l := &o.Lines[i]
			if n, ok := returned[l.ID]; ok && n != l.ReturnedQty {
				if err := setReturned(ctx, tx, o.TenantID, o.ID, l.ID, n); err != nil {
					return err
				}
				restock[l.ID] = n - l.ReturnedQty
				l.ReturnedQty = n
			}
		}
		if r.Kind == ChangeReturn && r.Restock {
			if err := s.restock(ctx, tx, p, *o, restock, "returned: "+r.Reason); err != nil {
				return err
			}
		}
		if err := s.refund(ctx, tx, o, c); err != nil {
			return err
		}
		out = c
		return s.publishChange(ctx, tx, *o, EventReturned, c)
	})
	if err != nil {
		return Order{}, Change{}, fmt.Errorf("order: confirm change: %w", err)
	}
	return o, out, nil
}

// computeChange works out change r on order o, read in q: the change (without id,
// version, actor and time) and every line's returned quantity after it. Substituted
// units count as gone before the change (see computeSubstitution), so a threshold
// promotion's spend leaves them out: the substitute stands in for them at no more
// than their price.
func (s *Service) computeChange(ctx context.Context, q db.Querier, p *auth.Principal, o Order, r ChangeRequest) (Change, map[string]int64, error) {
	switch {
	case (r.Kind == ChangeReturn || r.Kind == ChangeExchange) && o.Status != StatusCompleted:
		return Change{}, nil, errs.E(errs.Conflict, "only a completed order takes returns and exchanges; this one is %s (cancel it instead)", o.Status)
	case r.Kind == ChangeShortPick && o.Status != StatusPicking:
		return Change{}, nil, errs.E(errs.Conflict, "a short pick is recorded while the order is picking; this one is %s", o.Status)
	}
	before := map[string]int64{}
	after := map[string]int64{}
	byID := map[string]Line{}
	for _, l := range o.Lines {
		byID[l.ID] = l
		// Units a picker substituted are gone from the line like returned ones: the
		// quote starts from both, so the line's refunds and substitutions together
		// come to exactly its net (each is a difference of one cumulative sequence).
		if gone := l.ReturnedQty + l.SubstitutedQty; gone > 0 {
			before[l.ID], after[l.ID] = gone, gone
		}
	}
	for i, rl := range r.Lines {
		l, ok := byID[rl.LineID]
		if !ok {
			return Change{}, nil, errs.Field(fmt.Sprintf("body.lines[%d].line_id", i), "the order has no line %s", rl.LineID)
		}
		if left := l.Left(); rl.Qty > left {
			return Change{}, nil, errs.Field(fmt.Sprintf("body.lines[%d].qty", i), "line %s has %d left to return", rl.LineID, left)
		}
		after[rl.LineID] += rl.Qty
	}
	in := internal(ctx, p)
	// A substitute or exchange line is not in the promotions' priced cart: it refunds
	// its own net (what the customer paid for it), pro rata and cumulatively like the
	// others.
	own := func(qt engine.Quote, m map[string]int64) engine.Quote {
		for id, n := range m {
			if l := byID[id]; l.SubstituteFor != "" || l.ExchangeFor != "" {
				f := halfUp(l.NetFen, n, l.Qty)
				qt.Lines = append(qt.Lines, engine.ReturnLine{LineID: id, Qty: n, Refund: f})
				qt.Refund += f
			}
		}
		return qt
	}
	quote := func(m map[string]int64) (engine.Quote, error) {
		cart := map[string]int64{}
		for id, n := range m {
			if byID[id].SubstituteFor == "" && byID[id].ExchangeFor == "" {
				cart[id] = n
			}
		}
		if len(cart) == 0 {
			return own(engine.Quote{}, m), nil
		}
		qt, err := s.deps.Pricer.QuoteOrderReturn(in, q, o.TenantID, o.ID, cart)
		return own(qt, m), err
	}
	was, err := quote(before)
	if err != nil {
		return Change{}, nil, err
	}
	now, err := quote(after)
	if err != nil {
		return Change{}, nil, err
	}
	refundOf := func(qt engine.Quote, line string) int64 {
		for _, l := range qt.Lines {
			if l.LineID == line {
				return l.Refund
			}
		}
		return 0
	}
	c := Change{Kind: r.Kind, Reference: r.Reference, Reason: r.Reason}
	for _, rl := range r.Lines {
		c.Lines = append(c.Lines, ChangeLine{LineID: rl.LineID, Qty: rl.Qty, RefundFen: refundOf(now, rl.LineID) - refundOf(was, rl.LineID),
			Restocked: (r.Kind == ChangeReturn || r.Kind == ChangeExchange) && r.Restock && byID[rl.LineID].LocationID != ""})
	}
	c.RefundFen = now.Refund - was.Refund
	for _, a := range now.Adjustments {
		c.ClawBack += a.ClawBack
		c.Notes = append(c.Notes, a.Message)
	}
	for _, a := range was.Adjustments {
		c.ClawBack -= a.ClawBack
	}
	// Never more than was paid and not yet refunded (a till ticket's stated payment
	// may be below the server's price).
	if left := o.PaidFen - o.RefundedFen; c.RefundFen > left {
		c.Notes = append(c.Notes, fmt.Sprintf("refund capped at the %s paid and not yet refunded", engine.Yuan(left)))
		c.RefundFen = max(left, 0)
	}
	returned := make(map[string]int64, len(after))
	for id, n := range after {
		returned[id] = n - byID[id].SubstitutedQty
	}
	return c, returned, nil
}
