package loyalty

import (
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// PlanPeriod is how long one purchase of a paid membership lasts.
type PlanPeriod string

// The plan periods.
const (
	PeriodMonth PlanPeriod = "month"
	PeriodYear  PlanPeriod = "year"
)

// MembershipPlan is a paid membership (付费会员) plan: a fee per period and what a
// member gets — a points multiplier and a rebate of eligible spend, capped per
// calendar year, credited as stored value.
type MembershipPlan struct {
	ID           string
	Code         string
	Name         string
	Status       ProgramStatus // active plans are sold
	Period       PlanPeriod
	FeeFen       int64
	MultiplierBP int64 // points multiplier in basis points (10000: 1×)
	RebateBP     int64 // rebate in basis points of the net paid (200: 2%)
	RebateCapFen int64 // per calendar year; 0: no rebate
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate fills defaults and reports the first invalid field.
func (p *MembershipPlan) Validate() error {
	if p.Status == "" {
		p.Status = ProgramActive
	}
	if p.MultiplierBP == 0 {
		p.MultiplierBP = BasisPoints
	}
	switch {
	case p.Code == "" || len(p.Code) > 64 || strings.ContainsAny(p.Code, " \t\n"):
		return errs.Field("body.code", "1 to 64 characters without spaces")
	case p.Name == "" || len(p.Name) > 200:
		return errs.Field("body.name", "1 to 200 bytes")
	case p.Status != ProgramActive && p.Status != ProgramInactive:
		return errs.Field("body.status", "must be active or inactive")
	case p.Period != PeriodMonth && p.Period != PeriodYear:
		return errs.Field("body.period", "must be month or year")
	case p.FeeFen < 0 || p.FeeFen > maxSVAmountFen:
		return errs.Field("body.fee_fen", "0 to %d fen", maxSVAmountFen)
	case p.MultiplierBP < BasisPoints || p.MultiplierBP > 10*BasisPoints:
		return errs.Field("body.multiplier_bp", "10000 (1×) to 100000 (10×)")
	case p.RebateBP < 0 || p.RebateBP > 2000:
		return errs.Field("body.rebate_bp", "0 to 2000 (20%%)")
	case p.RebateCapFen < 0 || p.RebateCapFen > maxSVAmountFen:
		return errs.Field("body.rebate_cap_fen", "0 to %d fen", maxSVAmountFen)
	}
	return nil
}

// end is when a period bought at start ends.
func (p MembershipPlan) end(start time.Time) time.Time {
	if p.Period == PeriodYear {
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

// Membership is one purchased period of a paid membership.
type Membership struct {
	ID         string
	CustomerID string
	PlanID     string
	StartsAt   time.Time
	EndsAt     time.Time
	FeeFen     int64
	Method     string // stored_value (debited in the purchase), or how the fee was paid elsewhere
	Reference  string
	Actor      string
	CreatedAt  time.Time
}

// PurchaseRequest buys a period of a plan.
type PurchaseRequest struct {
	PlanID    string
	Method    string // stored_value debits the customer's account; anything else was paid elsewhere
	Reference string // buying again with the same reference returns the first period
	StoreID   string
}

// MembershipStatus is a customer's paid membership: its periods, newest first, and
// the one in force now, if any.
type MembershipStatus struct {
	CustomerID string
	Active     *Membership
	Plan       *MembershipPlan
	Periods    []Membership
	RebatedFen int64 // rebate credited this calendar year
}
