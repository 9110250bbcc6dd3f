package coupon

import (
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// TemplateStatus says whether a template may issue and be redeemed.
type TemplateStatus string

// The template statuses.
const (
	TemplateActive   TemplateStatus = "active"
	TemplateInactive TemplateStatus = "inactive"
)

// RefundPolicy says what a refund of the whole order does with its coupon.
type RefundPolicy string

// The refund policies.
const (
	// RefundReturn gives the coupon back (issued again, if still valid) when the
	// order it was redeemed on is refunded in full.
	RefundReturn RefundPolicy = "return"
	// RefundKeep (the default) leaves a redeemed coupon spent whatever the refund.
	RefundKeep RefundPolicy = "keep"
)

// Trigger is an event that issues a template's coupon by itself.
type Trigger string

// The triggers.
const (
	// TriggerRegistration: a customer enrols as a member of a loyalty program
	// (loyalty.member.enrolled); once per template and customer.
	TriggerRegistration Trigger = "registration"
	// TriggerBirthday: the daily job finds the customer's birthday is today in the
	// tenant's time zone (29 February: on 28 February in other years); once per
	// template, customer and year.
	TriggerBirthday Trigger = "birthday"
	// TriggerFirstOrder: the customer's first completed order (order.completed with
	// no earlier completed order of theirs); once per template and customer.
	TriggerFirstOrder Trigger = "first_order"
)

// Triggers are the triggers a template may have.
var Triggers = []Trigger{TriggerRegistration, TriggerBirthday, TriggerFirstOrder}

// validTriggers checks ts (no unknown, no repeat), naming field[i].
func validTriggers(field string, ts []Trigger) error {
	for i, tr := range ts {
		switch {
		case !slices.Contains(Triggers, tr):
			return errs.Field(fmt.Sprintf("%s[%d]", field, i), "a trigger is one of %v", Triggers)
		case slices.Contains(ts[:i], tr):
			return errs.Field(fmt.Sprintf("%s[%d]", field, i), "%s is listed twice", tr)
		}
	}
	return nil
}

// Status is where a coupon is in its lifecycle.
type Status string

// The coupon statuses.
const (
	StatusIssued   Status = "issued"
	StatusLocked   Status = "locked"
	StatusRedeemed Status = "redeemed"
	StatusExpired  Status = "expired"
)

// CouponKinds are the promotion kinds a coupon's discount may be: the ones a
// shopper's coupon gives (amount off, percent off, 满减, a free item, free delivery,
// and the item deals).
var CouponKinds = []engine.Kind{engine.KindAmountOff, engine.KindPercentOff, engine.KindThreshold, engine.KindGift,
	engine.KindDeliveryFee, engine.KindNthItem, engine.KindBuyXGetY}

// PromoCodePrefix starts the internal coupon code of every template's promotion. The
// order center never passes a code with this prefix from a client to the engine:
// only a checked, locked coupon presents it.
const PromoCodePrefix = promotion.ReservedCouponPrefix

// Limits on templates and issuance.
const (
	MaxBulk      = 100_000 // customers per issue request
	BatchSize    = 500     // customers per transaction of a bulk issue
	MaxValidDays = 3660
)

// Template is a coupon template: its discount is the promotion PromotionID of the
// promotion engine, whose definition is Discount.
type Template struct {
	ID             string
	TenantID       string
	Code           string
	Name           string
	Status         TemplateStatus
	PromotionID    string
	PromoCode      string // the promotion's coupon code; internal
	Discount       engine.Promotion
	ValidFrom      time.Time // fixed window (both set), or zero with ValidDays
	ValidTo        time.Time
	ValidDays      int
	PerMemberLimit int   // coupons one customer may hold of this template in all; 0: no limit
	TotalLimit     int64 // coupons the template may issue; 0: no limit
	Issued         int64
	BudgetFen      *int64 // the promotion's budget: total discount across all its coupons
	RefundPolicy   RefundPolicy
	Triggers       []Trigger // events that issue the template by themselves
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TemplateInput creates a template. Discount is the engine definition: its kind, the
// parameter block of the kind, scope (skus, categories, brands) and conditions
// (channels, stores, store brands, min spend…); id, name, code, coupon code and the
// time window are set from the template. Stackable lets the coupon combine with
// other promotions and coupons that are combinable with coupons.
type TemplateInput struct {
	Code           string
	Name           string
	Discount       engine.Promotion
	Stackable      bool
	ValidFrom      time.Time
	ValidTo        time.Time
	ValidDays      int
	PerMemberLimit int
	TotalLimit     int64
	BudgetFen      *int64
	RefundPolicy   RefundPolicy
	Triggers       []Trigger
}

// validate checks the input, naming body fields.
func (in *TemplateInput) validate() error {
	switch {
	case in.Code == "" || len(in.Code) > 64:
		return errs.Field("body.code", "1..64 bytes")
	case in.Name == "" || len(in.Name) > 200:
		return errs.Field("body.name", "1..200 bytes")
	case !slices.Contains(CouponKinds, in.Discount.Kind):
		return errs.Field("body.discount.kind", "a coupon's discount is one of %v", CouponKinds)
	case in.Discount.Exclusive || in.Discount.Group != "":
		return errs.Field("body.discount.exclusive", "a coupon stacks by stackable, not by exclusive or group")
	case in.PerMemberLimit < 0 || in.PerMemberLimit > 1000:
		return errs.Field("body.per_member_limit", "0 (no limit)..1000")
	case in.TotalLimit < 0:
		return errs.Field("body.total_limit", "0 (no limit) or more")
	case in.BudgetFen != nil && *in.BudgetFen <= 0:
		return errs.Field("body.budget_fen", "positive, or absent for no budget")
	}
	fixed := !in.ValidFrom.IsZero() || !in.ValidTo.IsZero()
	switch {
	case fixed && in.ValidDays != 0:
		return errs.Field("body.valid_days", "give a fixed window (valid_from, valid_to) or valid_days, not both")
	case fixed && (in.ValidFrom.IsZero() || in.ValidTo.IsZero() || !in.ValidTo.After(in.ValidFrom)):
		return errs.Field("body.valid_to", "a fixed window needs valid_from before valid_to")
	case !fixed && (in.ValidDays < 1 || in.ValidDays > MaxValidDays):
		return errs.Field("body.valid_days", "1..%d days from issue, or a fixed window", MaxValidDays)
	}
	switch in.RefundPolicy {
	case "":
		in.RefundPolicy = RefundKeep
	case RefundKeep, RefundReturn:
	default:
		return errs.Field("body.refund_policy", "return or keep")
	}
	return validTriggers("body.triggers", in.Triggers)
}

// Coupon is one issued coupon.
type Coupon struct {
	ID          string
	TenantID    string
	TemplateID  string
	Code        string
	CustomerID  string
	Status      Status // as stored; State gives it at an instant
	ValidFrom   time.Time
	ExpiresAt   time.Time
	OrderID     string // the order (or cart reference) it is or was locked to
	LockedUntil time.Time
	RedeemedAt  time.Time
	IssueID     string
	StoreID     string // the store of the associate who issued it
	IssuedBy    string
	IssuedAt    time.Time
	UpdatedAt   time.Time
}

// State is the coupon's status at now: a lock past its time reads as issued, an
// unused coupon past its expiry as expired, whether or not the sweep has run.
func (c Coupon) State(now time.Time) Status {
	st := c.Status
	if st == StatusLocked && !now.Before(c.LockedUntil) {
		st = StatusIssued
	}
	if st == StatusIssued && !now.Before(c.ExpiresAt) {
		st = StatusExpired
	}
	return st
}

// IssueRequest issues coupons of a template to customers: one (an associate at a
// store, or an operator), or many in batches. Key makes the request replayable: the
// same key (per template) resumes or returns the first request's issuance.
type IssueRequest struct {
	Key         string
	CustomerIDs []string
	StoreID     string
}

// Issuance is an issue request and its progress.
type Issuance struct {
	ID         string
	TemplateID string
	Key        string
	StoreID    string
	Actor      string
	Total      int64
	Done       int64 // customers processed
	Issued     int64
	Skipped    int64 // customers at the template's per-member limit
	Status     string
	Coupons    []Coupon // the coupons issued by this call (a single issue returns its coupon)
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CouponFilter selects coupons; Limit 0 means 50.
type CouponFilter struct {
	CustomerID string
	TemplateID string
	Status     Status
	Limit      int
	Cursor     string
}

// Held is a presented coupon checked for an order: the coupon and the promotion and
// internal code its template prices with.
type Held struct {
	CouponID    string
	Code        string
	CustomerID  string // as issued
	TemplateID  string
	PromotionID string
	PromoCode   string
}
