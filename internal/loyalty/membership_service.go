package loyalty

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The events of paid membership (aggregate: the customer).
const (
	EventMembershipPurchased = "loyalty.membership.purchased"
	EventMembershipRebated   = "loyalty.membership.rebated"
	rebateSubscriber         = "loyalty.rebate"
	rebateReverseSubscriber  = "loyalty.rebate_reverse"
	// rebateZone is where a rebate's calendar year is counted: the cap is per year of
	// the chain's customers, not of UTC.
	rebateZone = DefaultTimeZone
)

// MembershipEvent is the payload of the membership events.
type MembershipEvent struct {
	CustomerID   string    `json:"customer_id"`
	PlanID       string    `json:"plan_id"`
	MembershipID string    `json:"membership_id,omitempty"`
	EndsAt       time.Time `json:"ends_at,omitzero"`
	OrderID      string    `json:"order_id,omitempty"`
	RebateFen    int64     `json:"rebate_fen,omitempty"`
}

// CreatePlan adds a paid membership plan. Errors: invalid, conflict (code taken),
// unauthorized, forbidden (loyalty:write).
func (s *Service) CreatePlan(ctx context.Context, in MembershipPlan) (MembershipPlan, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring paid membership plans")
	if err != nil {
		return MembershipPlan{}, err
	}
	if err := in.Validate(); err != nil {
		return MembershipPlan{}, err
	}
	in.ID, in.CreatedAt, in.UpdatedAt = ids.New(), s.now(), s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertPlan(ctx, tx, p.TenantID, in); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.membership_plan.create", ResourceType: "membership_plan", ResourceID: in.ID, Changes: in})
	})
	if err != nil {
		return MembershipPlan{}, fmt.Errorf("loyalty: create membership plan: %w", err)
	}
	return in, nil
}

// UpdatePlan replaces a plan's terms; periods already bought keep their dates.
// Errors: invalid, conflict, not_found, unauthorized, forbidden.
func (s *Service) UpdatePlan(ctx context.Context, id string, in MembershipPlan) (MembershipPlan, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring paid membership plans")
	if err != nil {
		return MembershipPlan{}, err
	}
	if err := in.Validate(); err != nil {
		return MembershipPlan{}, err
	}
	var out MembershipPlan
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getPlan(ctx, tx, p.TenantID, id)
		if err != nil {
			return err
		}
		in.ID, in.CreatedAt, in.UpdatedAt = id, cur.CreatedAt, s.now()
		if err := updatePlanRow(ctx, tx, p.TenantID, in); err != nil {
			return err
		}
		out = in
		return s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.membership_plan.update", ResourceType: "membership_plan", ResourceID: id, Changes: in})
	})
	if err != nil {
		return MembershipPlan{}, fmt.Errorf("loyalty: update membership plan: %w", err)
	}
	return out, nil
}

// FindPlans lists the tenant's plans by code. Errors: unauthorized, forbidden.
func (s *Service) FindPlans(ctx context.Context) ([]MembershipPlan, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	out, err := findPlans(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find membership plans: %w", err)
	}
	return out, nil
}

// PurchaseMembership sells a period of an active plan to a registered customer: it
// starts now, or at the end of the customer's last period when one is still running
// (a renewal extends). Paid by stored_value, the fee is debited from the customer's
// account in the same transaction; any other method records a fee paid elsewhere.
// Buying again with the same reference returns the first period. Errors: invalid
// (body.plan_id, body.method, body.reference, body.store_id), insufficient (stored
// value), conflict (plan inactive, reference used for another purchase), not_found,
// unauthorized, forbidden (loyalty:redeem).
func (s *Service) PurchaseMembership(ctx context.Context, customerID string, r PurchaseRequest) (Membership, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return Membership{}, err
	}
	switch {
	case r.PlanID == "" || len(r.PlanID) > 64:
		return Membership{}, errs.Field("body.plan_id", "required")
	case r.Method == "" || len(r.Method) > 32:
		return Membership{}, errs.Field("body.method", "1 to 32 bytes: stored_value, wechat_pay, cash, …")
	case r.Reference == "" || len(r.Reference) > 128:
		return Membership{}, errs.Field("body.reference", "1 to 128 bytes: the sale's id, so a retry buys nothing twice")
	case p.DataScope != auth.TenantScope && r.StoreID == "":
		return Membership{}, errs.Field("body.store_id", "required: the store the membership is sold at")
	}
	if r.StoreID != "" {
		if err := s.deps.Stores.StoreExists(ctx, r.StoreID); err != nil {
			return Membership{}, fmt.Errorf("loyalty: purchase membership: %w", err)
		}
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return Membership{}, fmt.Errorf("loyalty: purchase membership: %w", err)
	}
	var out Membership
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		plan, err := getPlan(ctx, tx, p.TenantID, r.PlanID)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("body.plan_id", "no plan %s", r.PlanID)
		} else if err != nil {
			return err
		}
		// The customer's stored-value account row is its lock: two purchases at once
		// chain their periods instead of both starting now.
		h, err := s.accountHolder(ctx, tx, p.TenantID, live, SVSettings{})
		if err != nil {
			return err
		}
		if prev, err := membershipByReference(ctx, tx, p.TenantID, r.Reference); err == nil {
			if prev.CustomerID != live || prev.PlanID != plan.ID {
				return &errs.Error{Code: errs.Conflict, Field: "body.reference", Message: "the reference bought another membership"}
			}
			out = prev
			return nil
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		if plan.Status != ProgramActive {
			return errs.E(errs.Conflict, "plan %s is not sold", plan.Code)
		}
		now := s.now()
		start := now
		periods, err := findMemberships(ctx, tx, p.TenantID, live)
		if err != nil {
			return err
		}
		if len(periods) > 0 && periods[0].EndsAt.After(start) {
			start = periods[0].EndsAt
		}
		m := Membership{ID: ids.New(), CustomerID: live, PlanID: plan.ID, StartsAt: start, EndsAt: plan.end(start), FeeFen: plan.FeeFen,
			Method: r.Method, Reference: r.Reference, Actor: p.ID, CreatedAt: now}
		if err := insertMembership(ctx, tx, p.TenantID, m); err != nil {
			return err
		}
		if r.Method == "stored_value" && plan.FeeFen > 0 {
			post := SVPosting{AmountFen: plan.FeeFen, Reference: "membership:" + r.Reference, StoreID: r.StoreID, Reason: "membership " + plan.Code}
			if _, err := s.post(ctx, tx, p.TenantID, h, SVSpend, svKey(SVSpend, h.id, post.Reference), -plan.FeeFen, post, p.ID); err != nil {
				return err
			}
		}
		out = m
		return s.record(ctx, tx, "loyalty.membership.purchase", "membership", m.ID, map[string]any{"plan_id": plan.ID, "fee_fen": plan.FeeFen,
			"method": r.Method, "starts_at": start, "ends_at": m.EndsAt}, EventMembershipPurchased,
			MembershipEvent{CustomerID: live, PlanID: plan.ID, MembershipID: m.ID, EndsAt: m.EndsAt})
	})
	if err != nil {
		return Membership{}, fmt.Errorf("loyalty: purchase membership: %w", err)
	}
	return out, nil
}

// FindMembership returns a customer's paid membership: periods, the one in force
// and its plan, and the rebate credited this year. Errors: not_found (customer),
// unauthorized, forbidden.
func (s *Service) FindMembership(ctx context.Context, customerID string) (MembershipStatus, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return MembershipStatus{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return MembershipStatus{}, fmt.Errorf("loyalty: find membership: %w", err)
	}
	q := s.db.Reader()
	out := MembershipStatus{CustomerID: live}
	if out.Periods, err = findMemberships(ctx, q, p.TenantID, live); err != nil {
		return MembershipStatus{}, fmt.Errorf("loyalty: find membership: %w", err)
	}
	now := s.now()
	for i, m := range out.Periods {
		if !m.StartsAt.After(now) && m.EndsAt.After(now) {
			out.Active = &out.Periods[i]
			plan, err := getPlan(ctx, q, p.TenantID, m.PlanID)
			if err != nil {
				return MembershipStatus{}, fmt.Errorf("loyalty: find membership: %w", err)
			}
			out.Plan = &plan
		}
	}
	if out.RebatedFen, err = rebatedIn(ctx, q, p.TenantID, live, now.In(s.zone(rebateZone)).Year()); err != nil {
		return MembershipStatus{}, fmt.Errorf("loyalty: find membership: %w", err)
	}
	return out, nil
}

// SubscribeMembership registers the paid-membership rebate on order.completed (its
// own subscriber: a rebate and the points of an order succeed or retry apart).
func (s *Service) SubscribeMembership(bus events.Bus) {
	bus.Subscribe(rebateSubscriber, s.onCompletedRebate, orderCompleted)
	bus.Subscribe(rebateReverseSubscriber, s.onReturnedRebate, orderReturned, orderRefunded)
}

// paidMultiplier is the points multiplier (basis points) of the paid membership the
// customer holds at t, 1× without one.
func (s *Service) paidMultiplier(ctx context.Context, q db.Querier, tenantID, customerID string, t time.Time) (int64, error) {
	m, err := activeMembership(ctx, q, tenantID, customerID, t)
	if errs.Is(err, errs.NotFound) {
		return BasisPoints, nil
	} else if err != nil {
		return 0, err
	}
	plan, err := getPlan(ctx, q, tenantID, m.PlanID)
	if err != nil {
		return 0, err
	}
	return plan.MultiplierBP, nil
}

// onCompletedRebate credits the rebate of a paid member's completed order to its
// stored value: the plan's share of the net paid, within what is left of the plan's
// cap for the calendar year (Asia/Shanghai). Once per order: the rebate row's key
// (tenant, order) and the posting's source key both refuse a second.
func (s *Service) onCompletedRebate(ctx context.Context, e events.Event) error {
	var ev orderEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("loyalty: rebate of %s: %w", e.ID, err)
	}
	if ev.CustomerID == "" || ev.PaidFen <= 0 {
		return nil
	}
	ctx = auth.WithPrincipal(ctx, auth.System(e.TenantID))
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, ev.CustomerID)
	if errs.Is(err, errs.NotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("loyalty: rebate of %s: %w", ev.OrderID, err)
	}
	m, err := activeMembership(ctx, s.db.Reader(), e.TenantID, live, e.CreatedAt)
	if errs.Is(err, errs.NotFound) {
		return nil // not a paid member when the order completed
	} else if err != nil {
		return fmt.Errorf("loyalty: rebate of %s: %w", ev.OrderID, err)
	}
	plan, err := getPlan(ctx, s.db.Reader(), e.TenantID, m.PlanID)
	if err != nil {
		return fmt.Errorf("loyalty: rebate of %s: %w", ev.OrderID, err)
	}
	if plan.RebateBP == 0 || plan.RebateCapFen == 0 {
		return nil
	}
	year := e.CreatedAt.In(s.zone(rebateZone)).Year()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.now(), rebateSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		// The account lock serialises this customer's rebates, so two orders completing
		// together cannot both take the last of the year's cap.
		h, err := s.accountHolder(ctx, tx, e.TenantID, live, SVSettings{})
		if err != nil {
			return err
		}
		used, err := rebatedIn(ctx, tx, e.TenantID, live, year)
		if err != nil {
			return err
		}
		rebate := min(proportion(ev.PaidFen, plan.RebateBP, BasisPoints), max(0, plan.RebateCapFen-used))
		done, err := insertRebate(ctx, tx, e.TenantID, ev.OrderID, live, plan.ID, year, ev.PaidFen, rebate, "", s.now())
		if err != nil || !done || rebate == 0 {
			return err // a second completed event of the order, or the cap is reached
		}
		post := SVPosting{AmountFen: rebate, Reference: "rebate:" + ev.OrderID, OrderID: ev.OrderID, StoreID: ev.StoreID, Reason: "membership " + plan.Code}
		if _, err := s.post(ctx, tx, e.TenantID, h, SVRebate, svKey(SVRebate, h.id, post.Reference), rebate, post, "system"); err != nil {
			return err
		}
		_, err = s.outbox.Publish(ctx, tx, e.TenantID, EventMembershipRebated, live,
			MembershipEvent{CustomerID: live, PlanID: plan.ID, MembershipID: m.ID, OrderID: ev.OrderID, RebateFen: rebate})
		return err
	})
	if err != nil {
		return fmt.Errorf("loyalty: rebate of %s: %w", ev.OrderID, err)
	}
	return nil
}

// onReturnedRebate takes back the rebate of a returned order in proportion to the
// refunded share of what it was rebated on, cumulatively (after each return the order
// has given back round(rebate × refunded / eligible)), keyed by the change version so
// order.returned and order.refunded of one change act once. It never takes the
// account below zero: what was already spent stays spent, and the entry's reason
// says how much could not be taken back.
func (s *Service) onReturnedRebate(ctx context.Context, e events.Event) error {
	var ev orderEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("loyalty: rebate reversal of %s: %w", e.ID, err)
	}
	if ev.Change == nil || ev.Change.Kind != changeReturn {
		return nil // cancels and short picks happen before completion, before any rebate
	}
	ctx = auth.WithPrincipal(ctx, auth.System(e.TenantID))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.now(), rebateReverseSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		r, err := getOrderRebate(ctx, tx, e.TenantID, ev.OrderID)
		if errs.Is(err, errs.NotFound) || (err == nil && r.RebateFen == 0) {
			return nil
		} else if err != nil {
			return err
		}
		h, err := s.accountHolder(ctx, tx, e.TenantID, r.CustomerID, SVSettings{})
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%s:%s:order:%s:v%d", SVRebateReverse, h.id, ev.OrderID, ev.Change.Version)
		if _, err := svEntryBySource(ctx, tx, e.TenantID, key); err == nil {
			return nil
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		var refund int64
		for _, l := range ev.Change.Lines {
			refund += l.RefundFen
		}
		refunded := min(r.EligibleFen, r.RefundedFen+refund)
		due := proportion(r.RebateFen, refunded, r.EligibleFen) - r.Reversed
		take := min(due, h.balance)
		if err := updateOrderRebate(ctx, tx, e.TenantID, ev.OrderID, refunded, r.Reversed+due); err != nil {
			return err
		}
		if due <= 0 {
			return nil
		}
		post := SVPosting{AmountFen: take, OrderID: ev.OrderID, StoreID: ev.StoreID, Reason: "rebate of a returned order"}
		if take < due {
			post.Reason = fmt.Sprintf("rebate of a returned order; %d fen already spent, not taken back", due-take)
		}
		if take == 0 {
			post.AmountFen = 0
		}
		_, err = s.post(ctx, tx, e.TenantID, h, SVRebateReverse, key, -take, post, "system")
		return err
	})
	if err != nil {
		return fmt.Errorf("loyalty: rebate reversal of %s: %w", ev.OrderID, err)
	}
	return nil
}
