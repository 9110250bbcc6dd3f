package order

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// EventSubstituted reports a substitution while picking; its payload's change
// names each replaced line and its substitute (docs/orders.md, event contract).
const EventSubstituted = "order.substituted"

// substitution is a computed substitution change: the change and the lines it adds.
type substitution struct {
	change Change
	added  []Line
}

// computeSubstitution works out substitution r on order o (being picked): for each
// replaced quantity of a line, the substitute SKU priced by the server at the
// order's store, and what the customer pays for it — the smaller of the store's
// price and the replaced units' net as sold (their frozen shares included), so a
// substitute never costs the customer more than they agreed to pay. The difference
// is refunded. The replaced units are valued cumulatively with the line's returns
// and short picks (net × units gone so far / quantity, rounded half up, less the
// same before — the returns' quote starts from the same count), so a line's
// substitutions, short picks and returns together come to exactly its net. Errors: conflict (not
// picking), invalid (naming the field), insufficient (preview only: the substitute
// is not available where the line is fulfilled from).
func (s *Service) computeSubstitution(ctx context.Context, p *auth.Principal, o Order, r ChangeRequest, checkStock bool) (substitution, error) {
	if o.Status != StatusPicking {
		return substitution{}, errs.E(errs.Conflict, "a substitution is made while the order is picking; this one is %s", o.Status)
	}
	byID := map[string]Line{}
	subs := map[string]int{} // substitutes already made per original line
	for _, l := range o.Lines {
		byID[l.ID] = l
		if l.SubstituteFor != "" {
			subs[l.SubstituteFor]++
		}
	}
	skus := make([]string, 0, len(r.Lines))
	for i, rl := range r.Lines {
		field := func(f string) string { return fmt.Sprintf("body.lines[%d].%s", i, f) }
		l, ok := byID[rl.LineID]
		switch {
		case !ok:
			return substitution{}, errs.Field(field("line_id"), "the order has no line %s", rl.LineID)
		case l.SubstituteFor != "":
			return substitution{}, errs.Field(field("line_id"), "line %s is itself a substitute for %s; short-pick it instead", l.ID, l.SubstituteFor)
		case rl.Qty > l.Left():
			return substitution{}, errs.Field(field("qty"), "line %s has %d left to pick", l.ID, l.Left())
		case rl.SubstituteSKUID == l.SKUID:
			return substitution{}, errs.Field(field("substitute_sku_id"), "the substitute is the line's own SKU")
		}
		skus = append(skus, rl.SubstituteSKUID)
	}
	in := internal(ctx, p)
	items, err := s.deps.Catalog.SaleItems(in, o.StoreID, skus)
	if err != nil {
		return substitution{}, fmt.Errorf("substitute: %w", err)
	}
	var out substitution
	c := Change{Kind: ChangeSubstitution, Reference: r.Reference, Reason: r.Reason}
	for i, rl := range r.Lines {
		field := func(f string) string { return fmt.Sprintf("body.lines[%d].%s", i, f) }
		l := byID[rl.LineID]
		it, ok := items[rl.SubstituteSKUID]
		switch {
		case !ok:
			return substitution{}, errs.Field(field("substitute_sku_id"), "no SKU %s in this tenant", rl.SubstituteSKUID)
		case it.Status != catalog.StatusActive:
			return substitution{}, errs.Field(field("substitute_sku_id"), "SKU %s is %s and cannot be sold", it.Code, it.Status)
		}
		qty := rl.SubstituteQty
		if qty == 0 {
			qty = rl.Qty
		}
		unit := engine.UnitEach
		if it.Unit == catalog.UnitWeight {
			unit = engine.UnitWeight
		}
		if unit == engine.UnitEach && qty > engine.MaxQtyEach {
			return substitution{}, errs.Field(field("substitute_qty"), "at most %d units", engine.MaxQtyEach)
		}
		amount := engine.Line{Unit: unit, Qty: qty, UnitPrice: it.PriceFen}.Amount()
		gone := l.ReturnedQty + l.SubstitutedQty // one cumulative sequence with returns and short picks
		value := halfUp(l.NetFen, gone+rl.Qty, l.Qty) - halfUp(l.NetFen, gone, l.Qty)
		net := min(value, amount)
		subs[l.ID]++
		nl := Line{ID: fmt.Sprintf("%s-S%d", l.ID, subs[l.ID]), SKUID: it.SKUID, SKUCode: it.Code, Name: it.Name, Unit: string(unit),
			Qty: qty, UnitPriceFen: it.PriceFen, AmountFen: amount, DiscountFen: amount - net, NetFen: net,
			LocationID: l.LocationID, SubstituteFor: l.ID}
		out.added = append(out.added, nl)
		c.Lines = append(c.Lines, ChangeLine{LineID: l.ID, Qty: rl.Qty, RefundFen: value - net, Restocked: l.LocationID != "",
			SubstituteLineID: nl.ID, SubstituteSKUID: nl.SKUID, SubstituteQty: qty, SubstituteAmount: amount, SubstituteNet: net})
		c.RefundFen += value - net
		note := fmt.Sprintf("%s: %d of %s replaced by %d of %s at %s; the customer pays %s", l.ID, rl.Qty, l.SKUCode, qty, it.Code,
			engine.Yuan(amount), engine.Yuan(net))
		if amount > value {
			note += ", the replaced units' price as sold (never more)"
		}
		c.Notes = append(c.Notes, note)
	}
	if left := o.PaidFen - o.RefundedFen; c.RefundFen > left {
		c.Notes = append(c.Notes, fmt.Sprintf("refund capped at the %s paid and not yet refunded", engine.Yuan(left)))
		c.RefundFen = max(left, 0)
	}
	if checkStock {
		if err := s.substitutesAvailable(in, out.added); err != nil {
			return substitution{}, err
		}
	}
	out.change = c
	return out, nil
}

// substitutesAvailable reports errs.Insufficient when a substitute is not available
// (on hand less reserved and safety stock) where its line is fulfilled from. The
// confirmation's reservation checks again, under its lock.
func (s *Service) substitutesAvailable(ctx context.Context, added []Line) error {
	need := map[[2]string]int64{}
	var skus []string
	for _, l := range added {
		if l.LocationID != "" {
			need[[2]string{l.LocationID, l.SKUID}] += l.Qty
			skus = append(skus, l.SKUID)
		}
	}
	if len(skus) == 0 {
		return nil
	}
	stock, err := s.deps.Stock.Availability(ctx, skus)
	if err != nil {
		return fmt.Errorf("substitute: %w", err)
	}
	have := map[[2]string]int64{}
	for _, ls := range stock {
		for sku, n := range ls.Available {
			have[[2]string{ls.Location.ID, sku}] = n
		}
	}
	for _, l := range added {
		if n := have[[2]string{l.LocationID, l.SKUID}]; l.LocationID != "" && n < need[[2]string{l.LocationID, l.SKUID}] {
			return errs.E(errs.Insufficient, "substitute %s: %d available where line %s is picked, %d needed", l.SKUCode, max(n, 0), l.SubstituteFor,
				need[[2]string{l.LocationID, l.SKUID}])
		}
	}
	return nil
}

// confirmSubstitution confirms substitution r on o in tx: the replaced units go back
// on hand where the line was fulfilled from (their sale is undone), the substitutes
// are reserved there and leave with the order (a reservation of their own, committed
// at once: it never takes stock that others hold), the new lines are stored, the
// difference is refunded, and order.substituted (and order.refunded) is published.
func (s *Service) confirmSubstitution(ctx context.Context, tx *sql.Tx, p *auth.Principal, o *Order, r ChangeRequest) (Change, error) {
	sub, err := s.computeSubstitution(ctx, p, *o, r, false)
	if err != nil {
		return Change{}, err
	}
	c := sub.change
	c.ID, c.Version, c.Actor, c.CreatedAt = ids.New(), o.Version+1, p.ID, s.now()
	in := internal(ctx, p)
	replaced := map[string]int64{}
	for _, cl := range c.Lines {
		replaced[cl.LineID] += cl.Qty
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		n, ok := replaced[l.ID]
		if !ok {
			continue
		}
		l.SubstitutedQty += n
		if err := setSubstituted(ctx, tx, o.TenantID, o.ID, l.ID, l.SubstitutedQty); err != nil {
			return Change{}, err
		}
		if l.LocationID != "" {
			if _, err := s.deps.Stock.ApplyTx(in, tx, inventory.Change{LocationID: l.LocationID, SKUID: l.SKUID, Kind: inventory.MoveReturn,
				Qty: n, Reference: o.ID, Reason: "substituted: " + r.Reason}); err != nil {
				return Change{}, fmt.Errorf("release line %s: %w", l.ID, err)
			}
		}
	}
	var reserve []inventory.Line
	for _, nl := range sub.added {
		if err := insertSubstitute(ctx, tx, o.TenantID, o.ID, nl); err != nil {
			return Change{}, err
		}
		if nl.LocationID != "" {
			reserve = append(reserve, inventory.Line{LocationID: nl.LocationID, SKUID: nl.SKUID, Qty: nl.Qty})
		}
	}
	o.Lines = append(o.Lines, sub.added...)
	if len(reserve) > 0 {
		ref := o.ID + "/" + c.ID
		if _, err := s.deps.Stock.ReserveTx(in, tx, inventory.ReserveRequest{Reference: ref, Lines: reserve, TTL: s.cfg.ReservationTTL}); err != nil {
			return Change{}, fmt.Errorf("reserve substitutes: %w", err)
		}
		if _, err := s.deps.Stock.SettleTx(in, tx, ref, inventory.ReservationCommitted, "substitution"); err != nil {
			return Change{}, fmt.Errorf("take substitutes: %w", err)
		}
	}
	if err := s.refund(ctx, tx, o, c); err != nil {
		return Change{}, err
	}
	return c, s.publishChange(ctx, tx, *o, EventSubstituted, c)
}

// halfUp is round-half-up(a × n / d) for a, n >= 0 and d > 0, exact for any int64
// operands whose result fits (the promotion engine's rounding of returned units).
func halfUp(a, n, d int64) int64 {
	if d <= 0 || a <= 0 || n <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(n))
	q, r := bits.Div64(hi%uint64(d), lo, uint64(d))
	if r > 0 && r >= uint64(d)-r {
		q++
	}
	return int64(q)
}

func setSubstituted(ctx context.Context, tx *sql.Tx, tenantID, orderID, lineID string, qty int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE order_lines SET substituted_qty = $1 WHERE tenant_id = $2 AND order_id = $3 AND line_id = $4`, qty, tenantID, orderID, lineID)
	if err != nil {
		return fmt.Errorf("update substituted quantity: %w", err)
	}
	return nil
}

func insertSubstitute(ctx context.Context, tx *sql.Tx, tenantID, orderID string, l Line) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen,
		discount_fen, net_fen, gift_of, location_id, returned_qty, substituted_qty, substitute_for)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, 0, 0, $14)`,
		tenantID, orderID, l.ID, l.SKUID, l.SKUCode, l.Name, l.Unit, l.Qty, l.UnitPriceFen, l.AmountFen, l.DiscountFen, l.NetFen, l.LocationID, l.SubstituteFor)
	if err != nil {
		return fmt.Errorf("insert substitute line: %w", err)
	}
	return nil
}
