package loyalty

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The events loyalty publishes through the outbox. Points events carry a
// PointsEvent (aggregate: program/customer), member events a MemberEvent, program
// and tier events a ProgramEvent or TierEvent.
const (
	EventProgramCreated    = "loyalty.program.created"
	EventProgramUpdated    = "loyalty.program.updated"
	EventTierChanged       = "loyalty.tier.changed"
	EventMemberEnrolled    = "loyalty.member.enrolled"
	EventMemberUpgraded    = "loyalty.member.upgraded"
	EventPointsEarned      = "loyalty.points.earned"
	EventPointsRedeemed    = "loyalty.points.redeemed"
	EventPointsReversed    = "loyalty.points.reversed"
	EventPointsExpired     = "loyalty.points.expired"
	EventPointsAdjusted    = "loyalty.points.adjusted"
	EventPointsTransferred = "loyalty.points.transferred"
	orderCompleted         = "order.completed" // docs/orders.md, the order center's contract
	orderReturned          = "order.returned"
	orderRefunded          = "order.refunded"
	changeReturn           = "return"
	earnSubscriber         = "loyalty.earn"
	reverseSubscriber      = "loyalty.reverse"
	baseRule               = "base" // the program's earning rule; campaign rules will add their own keys
	maxEventLines          = 1000
)

// PointsEvent is the payload of the points events.
type PointsEvent struct {
	ProgramID  string    `json:"program_id"`
	CustomerID string    `json:"customer_id"`
	EntryID    string    `json:"entry_id"`
	Kind       EntryKind `json:"kind"`
	Points     int64     `json:"points"`
	Shortfall  int64     `json:"shortfall,omitempty"`
	OrderID    string    `json:"order_id,omitempty"`
	StoreID    string    `json:"store_id,omitempty"`
	At         time.Time `json:"at"`
}

// MemberEvent is the payload of the member events.
type MemberEvent struct {
	ProgramID  string       `json:"program_id"`
	CustomerID string       `json:"customer_id"`
	Source     MemberSource `json:"source,omitempty"`
	TierID     string       `json:"tier_id,omitempty"`
	FromTierID string       `json:"from_tier_id,omitempty"`
	Growth     int64        `json:"growth"`
	// Reason is upgrade or downgrade on loyalty.member.upgraded, which every tier
	// change publishes (the name predates downgrades).
	Reason     string    `json:"reason,omitempty"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// ProgramEvent is the payload of the program events.
type ProgramEvent struct {
	ID       string        `json:"id"`
	Code     string        `json:"code"`
	Name     string        `json:"name"`
	Status   ProgramStatus `json:"status"`
	BrandIDs []string      `json:"brand_ids"`
}

// TierEvent is the payload of loyalty.tier.changed.
type TierEvent struct {
	ProgramID    string `json:"program_id"`
	ID           string `json:"id"`
	Code         string `json:"code,omitempty"`
	Threshold    int64  `json:"threshold"`
	MultiplierBP int64  `json:"multiplier_bp"`
	Deleted      bool   `json:"deleted,omitempty"`
}

func programEvent(p Program) ProgramEvent {
	return ProgramEvent{ID: p.ID, Code: p.Code, Name: p.Name, Status: p.Status, BrandIDs: p.BrandIDs}
}

func tierEvent(programID string, t Tier) TierEvent {
	return TierEvent{ProgramID: programID, ID: t.ID, Code: t.Code, Threshold: t.Threshold, MultiplierBP: t.MultiplierBP}
}

func (s *Service) publishEntry(ctx context.Context, tx *sql.Tx, tenantID, typ string, e Entry) error {
	_, err := s.outbox.Publish(ctx, tx, tenantID, typ, e.ProgramID+"/"+e.CustomerID, PointsEvent{ProgramID: e.ProgramID,
		CustomerID: e.CustomerID, EntryID: e.ID, Kind: e.Kind, Points: e.Points, Shortfall: e.Shortfall, OrderID: e.OrderID,
		StoreID: e.StoreID, At: e.CreatedAt})
	return err
}

// orderEvent is the part of the order center's OrderEvent loyalty reads
// (docs/orders.md, Event contract).
type orderEvent struct {
	OrderID    string `json:"order_id"`
	StoreID    string `json:"store_id"`
	CustomerID string `json:"customer_id"`
	PaidFen    int64  `json:"paid_fen"`
	PlacedAt   time.Time
	Lines      []struct {
		LineID      string `json:"line_id"`
		Qty         int64  `json:"qty"`
		NetFen      int64  `json:"net_fen"`
		ReturnedQty int64  `json:"returned_qty"`
	} `json:"lines"`
	Change *struct {
		Version int64  `json:"version"`
		Kind    string `json:"kind"`
		Lines   []struct {
			LineID    string `json:"line_id"`
			RefundFen int64  `json:"refund_fen"`
		} `json:"lines"`
	} `json:"change"`
}

// UnmarshalJSON reads placed_at.
func (o *orderEvent) UnmarshalJSON(b []byte) error {
	type plain orderEvent
	var v struct {
		plain
		PlacedAt time.Time `json:"placed_at"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = orderEvent(v.plain)
	o.PlacedAt = v.PlacedAt
	return nil
}

// Subscribe registers loyalty's reactions on bus: points on order.completed,
// reversals on order.returned / order.refunded (the same change arrives in both; the
// first does the work), and on identity.customer.merged the absorbed customers'
// points move to the survivor.
func (s *Service) Subscribe(bus events.Bus) {
	bus.Subscribe(earnSubscriber, s.onCompleted, orderCompleted)
	bus.Subscribe(reverseSubscriber, s.onReturned, orderReturned, orderRefunded)
	bus.Subscribe(mergeSubscriber, s.onMerged, identity.EventCustomerMerged)
}

// eligibleLine is a line an order earned on and the net it earned on.
type eligibleLine struct {
	LineID string `json:"line_id"`
	NetFen int64  `json:"net_fen"`
}

// onCompleted earns points and growth for the order's customer in the program of
// its store's brand: on the net of each line as sold (after every discount) less what
// was already returned, leaving out gift lines and excluded categories, never above
// what was paid. Keyed on (order, program, rule): a second delivery, or a second
// completed event of the same order, posts nothing.
func (s *Service) onCompleted(ctx context.Context, e events.Event) error {
	var ev orderEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("loyalty: order completed %s: %w", e.ID, err)
	}
	if ev.CustomerID == "" || len(ev.Lines) > maxEventLines {
		return nil // an anonymous sale earns nothing
	}
	ctx = auth.WithPrincipal(ctx, auth.System(e.TenantID))
	err := s.earn(ctx, e, ev)
	if err != nil {
		return fmt.Errorf("loyalty: order completed %s: %w", ev.OrderID, err)
	}
	return nil
}

func (s *Service) earn(ctx context.Context, e events.Event, ev orderEvent) error {
	// A tenant without an active program (most orders of a chain that has not set one
	// up) costs one indexed read, not the order, catalogue and store look-ups.
	programs, err := findPrograms(ctx, s.db.Reader(), e.TenantID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(programs, func(p Program) bool { return p.Status == ProgramActive }) {
		return nil
	}
	sale, err := s.deps.Orders.OrderSale(ctx, ev.OrderID)
	if err != nil {
		return err
	}
	prog, err := programFor(programs, sale.BrandID)
	if errs.Is(err, errs.NotFound) {
		return nil // no program covers the brand
	} else if err != nil {
		return err
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, ev.CustomerID)
	if errs.Is(err, errs.NotFound) {
		return nil // erased since
	} else if err != nil {
		return err
	}
	excluded := map[string]bool{}
	for _, c := range prog.ExcludedCategories {
		excluded[c] = true
	}
	var base int64
	var eligible []eligibleLine
	for _, l := range ev.Lines {
		sl, ok := sale.Lines[l.LineID]
		if !ok || sl.Gift || excluded[sl.CategoryID] || l.Qty <= 0 || l.NetFen <= 0 {
			continue
		}
		kept := proportion(l.NetFen, l.Qty-l.ReturnedQty, l.Qty)
		if kept > 0 {
			base += kept
			eligible = append(eligible, eligibleLine{LineID: l.LineID, NetFen: kept})
		}
	}
	if base > ev.PaidFen && ev.PaidFen > 0 {
		base = ev.PaidFen // a till ticket paid below the server's price earns on what was paid
	}
	loc := s.zone(prog.TimeZone)
	completed := clockMillis(e.CreatedAt)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.now(), earnSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		var m Member
		if prog.AutoEnrol {
			if m, _, err = s.join(ctx, tx, prog, live, JoinOrder); err != nil {
				return err
			}
		} else if m, err = lockMember(ctx, tx, s.db.Dialect, e.TenantID, prog.ID, live); errs.Is(err, errs.NotFound) {
			return nil // not a member and the program does not enrol on orders
		} else if err != nil {
			return err
		}
		key := "earn:" + ev.OrderID + ":" + prog.ID + ":" + baseRule
		if _, err := entryBySource(ctx, tx, e.TenantID, key); err == nil {
			return nil
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		tierBP := int64(BasisPoints)
		if t := tierByID(prog.Tiers, m.TierID); t != nil {
			tierBP = t.MultiplierBP
		}
		paidBP, err := s.paidMultiplier(ctx, tx, e.TenantID, live, completed) // a paid membership's multiplier (membership_service.go)
		if err != nil {
			return err
		}
		points := prog.earnPoints(base, tierBP*paidBP/BasisPoints, prog.memberDayBP(ev.PlacedAt, loc))
		growth := base * prog.GrowthPerYuan / 100
		if base > 0 {
			growth += prog.GrowthPerOrder // per order that earns; a return reverses its refunded share like the rest
		}
		entry := Entry{ID: ids.New(), ProgramID: prog.ID, CustomerID: live, Kind: EntryEarn, Points: points, SourceKey: key,
			OrderID: ev.OrderID, StoreID: ev.StoreID, Actor: "system", CreatedAt: s.now()}
		if points > 0 {
			avail := completed.AddDate(0, 0, prog.PendingDays)
			if err := s.addLot(ctx, tx, e.TenantID, entry, avail, prog.expiry(completed, loc)); err != nil {
				return err
			}
		} else if err := insertEntry(ctx, tx, e.TenantID, entry); err != nil {
			return err
		}
		lines, err := json.Marshal(eligible)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO loyalty_order_earns (tenant_id, order_id, program_id, customer_id, entry_id, base_fen,
			points, growth, eligible_lines, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.TenantID, ev.OrderID, prog.ID, live, entry.ID, base, points, growth, string(lines), millis(entry.CreatedAt)); err != nil {
			return fmt.Errorf("record order earn: %w", err)
		}
		if err := s.grow(ctx, tx, e.TenantID, prog, m, growth); err != nil {
			return err
		}
		return s.publishEntry(ctx, tx, e.TenantID, EventPointsEarned, entry)
	})
}

// grow adds growth (negative on a return) to a locked member, and to the growth of
// its current evaluation period, and moves it up to the highest tier its growth
// reaches. A member never moves down here: downgrade is the end-of-period evaluation
// (evaluation.go). Reaching a tier on a rolling schedule starts its period.
func (s *Service) grow(ctx context.Context, tx *sql.Tx, tenantID string, prog Program, m Member, growth int64) error {
	if growth == 0 {
		return nil
	}
	now := s.now()
	m.Growth = max(0, m.Growth+growth)
	m.PeriodGrowth = max(0, m.PeriodGrowth+growth)
	from := m.TierID
	cur := tierByID(prog.Tiers, m.TierID)
	if t := tierFor(prog.Tiers, m.Growth); t != nil && (cur == nil || t.Threshold > cur.Threshold) {
		m.TierID, m.TierSince = t.ID, now
		if prog.Evaluation.Kind == EvaluateRolling {
			m.PeriodGrowth, m.PeriodStart = 0, now
			m.ValidUntil = prog.Evaluation.periodEnd(now, s.zone(prog.TimeZone))
		}
	}
	if err := updateMember(ctx, tx, m, now); err != nil {
		return err
	}
	if m.TierID == from {
		return nil
	}
	// Recorded beside the event: the outbox is pruned, the report reads this table.
	if err := insertTierMove(ctx, tx, tenantID, m, from, MoveUpgrade, time.Time{}, now); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, EventMemberUpgraded, prog.ID+"/"+m.CustomerID, MemberEvent{ProgramID: prog.ID,
		CustomerID: m.CustomerID, TierID: m.TierID, FromTierID: from, Growth: m.Growth, Reason: MoveUpgrade, ValidUntil: m.ValidUntil})
	return err
}

// onReturned reverses the points and growth of a returned order in proportion to the
// refunded share of what it earned on, cumulatively: after each return the order has
// reversed round(earned × refunded eligible net / eligible base), so several partial
// returns add up to exactly what one return of the same lines would reverse, and a
// full return reverses everything. Keyed on (order, program, change version).
// Points already spent are not taken from other lots below zero: the entry records
// the shortfall.
func (s *Service) onReturned(ctx context.Context, e events.Event) error {
	var ev orderEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("loyalty: order returned %s: %w", e.ID, err)
	}
	if ev.Change == nil || ev.Change.Kind != changeReturn {
		// A short pick or a cancel happens before completion: the completed event's
		// lines already leave those units out, so only returns reverse.
		return nil
	}
	ctx = auth.WithPrincipal(ctx, auth.System(e.TenantID))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.now(), reverseSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		earns, err := orderEarns(ctx, tx, e.TenantID, ev.OrderID)
		if err != nil {
			return err
		}
		for _, oe := range earns {
			if err := s.reverse(ctx, tx, e.TenantID, ev, oe); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("loyalty: order returned %s: %w", ev.OrderID, err)
	}
	return nil
}

func (s *Service) reverse(ctx context.Context, tx *sql.Tx, tenantID string, ev orderEvent, oe orderEarn) error {
	m, err := lockMember(ctx, tx, s.db.Dialect, tenantID, oe.ProgramID, oe.CustomerID)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("reverse:%s:%s:v%d", ev.OrderID, oe.ProgramID, ev.Change.Version)
	if _, err := entryBySource(ctx, tx, tenantID, key); err == nil {
		return nil
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	var refund int64
	for _, cl := range ev.Change.Lines {
		for _, el := range oe.Lines {
			if el.LineID == cl.LineID {
				refund += cl.RefundFen
			}
		}
	}
	if refund == 0 {
		return nil
	}
	refunded := min(oe.BaseFen, oe.RefundedFen+refund)
	points := proportion(oe.Points, refunded, oe.BaseFen) - oe.ReversedPoints
	growth := proportion(oe.Growth, refunded, oe.BaseFen) - oe.ReversedGrowth
	now := s.now()
	entry := Entry{ID: ids.New(), ProgramID: oe.ProgramID, CustomerID: oe.CustomerID, Kind: EntryReverse, Points: -points, SourceKey: key,
		OrderID: ev.OrderID, StoreID: ev.StoreID, Actor: "system", CreatedAt: now}
	if points > 0 {
		lot, err := orderLot(ctx, tx, oe.ProgramID, oe.CustomerID, ev.OrderID)
		if err != nil {
			return err
		}
		if err := s.take(ctx, tx, tenantID, &entry, points, lot, false); err != nil {
			return err
		}
	} else if err := insertEntry(ctx, tx, tenantID, entry); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE loyalty_order_earns SET refunded_fen = $1, reversed_points = reversed_points + $2,
		reversed_growth = reversed_growth + $3 WHERE tenant_id = $4 AND order_id = $5 AND program_id = $6`,
		refunded, points, growth, tenantID, ev.OrderID, oe.ProgramID); err != nil {
		return fmt.Errorf("record order reversal: %w", err)
	}
	prog, err := getProgram(ctx, tx, tenantID, oe.ProgramID, "")
	if err != nil {
		return err
	}
	if err := s.grow(ctx, tx, tenantID, prog, m, -growth); err != nil {
		return err
	}
	return s.publishEntry(ctx, tx, tenantID, EventPointsReversed, entry)
}

func clockMillis(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }
