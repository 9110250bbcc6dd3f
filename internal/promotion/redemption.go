package promotion

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// RedemptionStatus is the state of an order's redemptions.
type RedemptionStatus string

// The redemption statuses.
const (
	RedemptionCommitted RedemptionStatus = "committed"
	RedemptionCancelled RedemptionStatus = "cancelled"
)

// RedemptionLine is one promotion an order used: the discount it gave (goods or
// delivery) and the units the customer bought at a flash-sale price.
type RedemptionLine struct {
	PromotionID string
	Code        string // filled from the promotion on commit
	DiscountFen int64
	FlashUnits  int64
}

// NewRedemption is the input of CommitRedemption. Field names where each line came
// from in the request (for error messages), aligned with Lines.
type NewRedemption struct {
	OrderID    string
	CustomerID string
	Lines      []RedemptionLine
	Fields     []string
}

// Redemption is what an order took from promotions.
type Redemption struct {
	OrderID     string
	CustomerID  string
	Status      RedemptionStatus
	Lines       []RedemptionLine
	CreatedAt   time.Time
	CancelledAt *time.Time
}

// The limit a redemption would exceed; each is the `type` of a 409 problem.
const (
	LimitBudget      = "budget_exhausted"
	LimitUses        = "usage_limit_reached"
	LimitPerCustomer = "customer_limit_reached"
)

// LimitError says that committing an order would exceed a promotion's limit. It
// unwraps to an errs.Conflict error.
type LimitError struct {
	Kind        string // LimitBudget, LimitUses or LimitPerCustomer
	PromotionID string
	Code        string
	Message     string
}

func (e *LimitError) Error() string { return e.Message }

// Unwrap classifies the error as a conflict.
func (e *LimitError) Unwrap() error { return errs.E(errs.Conflict, "%s", e.Message) }

// redeemer returns the principal when it may record redemptions: pricing:use (the
// POS or order service committing an order) or promotions:write, over the tenant.
func redeemer(ctx context.Context) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.PricingUse) && !p.Has(auth.PromotionsWrite) {
		return nil, errs.E(errs.Forbidden, "recording redemptions needs pricing:use or promotions:write")
	}
	return p, nil
}

// RedemptionLinesOf returns the promotions a priced cart used: every applied goods
// promotion (gifts too, at zero discount) and the applied delivery-fee promotion,
// with the field each came from under prefix.
func RedemptionLinesOf(prefix string, res engine.Result) ([]RedemptionLine, []string) {
	var lines []RedemptionLine
	var fields []string
	for i, a := range res.Applied {
		lines = append(lines, RedemptionLine{PromotionID: a.PromotionID, DiscountFen: a.Discount, FlashUnits: a.FlashUnits})
		fields = append(fields, fmt.Sprintf("%s.applied[%d]", prefix, i))
	}
	if d := res.Delivery; d != nil {
		lines = append(lines, RedemptionLine{PromotionID: d.PromotionID, DiscountFen: d.Discount})
		fields = append(fields, prefix+".delivery")
	}
	return lines, fields
}

// validate checks the input; errors name Fields.
func (in NewRedemption) validate() error {
	if in.OrderID == "" || len(in.OrderID) > 64 {
		return errs.Field("body.order_id", "1..64 bytes")
	}
	if len(in.CustomerID) > 64 {
		return errs.Field("body.customer_id", "at most 64 bytes")
	}
	if len(in.Lines) > 100 {
		return errs.Field("body.promotions", "at most 100 promotions per order")
	}
	seen := map[string]bool{}
	for i, l := range in.Lines {
		f := in.Fields[i]
		switch {
		case l.PromotionID == "" || len(l.PromotionID) > 64:
			return errs.Field(f+".promotion_id", "1..64 bytes")
		case seen[l.PromotionID]:
			return errs.Field(f+".promotion_id", "promotion %s is listed twice", l.PromotionID)
		case l.DiscountFen < 0 || l.DiscountFen > money.MaxTotal:
			return errs.Field(f+".discount", "must be 0..%d fen", int64(money.MaxTotal))
		case l.FlashUnits < 0 || l.FlashUnits > engine.MaxQtyEach:
			return errs.Field(f+".flash_units", "must be 0..%d", engine.MaxQtyEach)
		}
		seen[l.PromotionID] = true
	}
	return nil
}

// CommitRedemption records what an order takes from promotions, all or nothing:
// each promotion's usage grows by its discount and one use, and the customer's by
// one use and the flash-sale units. Replaying an order id returns the first result
// whatever the input (a cancelled order stays cancelled). Concurrent commits never
// overrun a limit: each total moves with one conditional UPDATE. Errors: invalid
// (body.order_id, the line fields, an unknown promotion), conflict (*LimitError),
// unauthorized, forbidden.
func (s *Service) CommitRedemption(ctx context.Context, in NewRedemption) (Redemption, error) {
	pr, err := redeemer(ctx)
	if err != nil {
		return Redemption{}, err
	}
	if len(in.Fields) != len(in.Lines) {
		in.Fields = make([]string, len(in.Lines))
		for i := range in.Lines {
			in.Fields[i] = fmt.Sprintf("body.promotions[%d]", i)
		}
	}
	if err := in.validate(); err != nil {
		return Redemption{}, err
	}
	// Lock promotions in id order so that concurrent orders never deadlock.
	order := make([]int, len(in.Lines))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(in.Lines[a].PromotionID, in.Lines[b].PromotionID) })
	var out Redemption
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		out = Redemption{OrderID: in.OrderID, CustomerID: in.CustomerID, Status: RedemptionCommitted, CreatedAt: s.now()}
		fresh, err := insertRedemptionOrder(ctx, tx, pr.TenantID, out)
		if err != nil {
			return err
		}
		if !fresh {
			out, err = getRedemption(ctx, tx, pr.TenantID, in.OrderID)
			return err
		}
		bump := false
		for _, i := range order {
			l := in.Lines[i]
			exhausted, err := s.redeem(ctx, tx, pr.TenantID, in, &l, in.Fields[i])
			if err != nil {
				return err
			}
			bump = bump || exhausted
			out.Lines = append(out.Lines, l)
		}
		if bump {
			return bumpVersion(ctx, tx, pr.TenantID)
		}
		return nil
	})
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: commit redemption: %w", err)
	}
	return out, nil
}

// redeem records one line of an order in tx and reports whether it exhausted the
// promotion (so that pricing must reload). The promotion's usage row, the one every
// order of a popular promotion waits for, is updated last so that its lock is held
// for as short a time as possible (one statement and the commit); per promotion the
// customer's row is always locked before the usage row, so lock order is the same in
// every transaction.
func (s *Service) redeem(ctx context.Context, tx *sql.Tx, tenantID string, in NewRedemption, l *RedemptionLine, field string) (bool, error) {
	p, err := getPromotion(ctx, tx, tenantID, l.PromotionID, "")
	if errs.Is(err, errs.NotFound) {
		return false, errs.Field(field+".promotion_id", "unknown promotion %s", l.PromotionID)
	}
	if err != nil {
		return false, err
	}
	l.Code = p.Code
	limitErr := func(kind, format string, args ...any) error {
		return &LimitError{Kind: kind, PromotionID: p.ID, Code: p.Code,
			Message: fmt.Sprintf("promotion %s (%s): ", p.Code, p.ID) + fmt.Sprintf(format, args...)}
	}
	if err := insertRedemptionLine(ctx, tx, tenantID, in.OrderID, *l); err != nil {
		return false, err
	}
	if in.CustomerID != "" {
		flashLimit := int64(0)
		if f := p.Definition.FlashSale; f != nil {
			flashLimit = f.PerCustomer
		}
		if flashLimit > 0 && l.FlashUnits > flashLimit {
			return false, limitErr(LimitPerCustomer, "%d flash-sale units exceed the limit of %d per customer", l.FlashUnits, flashLimit)
		}
		ok, err := addCustomerUsage(ctx, tx, tenantID, p.ID, in.CustomerID, l.FlashUnits, p.Limits.MaxUsesPerCustomer, flashLimit)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, limitErr(LimitPerCustomer, "the customer has reached the limit of %d use(s) or %d flash-sale unit(s)",
				nullOr(p.Limits.MaxUsesPerCustomer), flashLimit)
		}
	}
	u, ok, err := addUsage(ctx, tx, tenantID, p.ID, l.DiscountFen, p.Limits)
	if err != nil {
		return false, err
	}
	if !ok {
		// Refused, or the promotion predates usage rows: read the usage that refused it
		// (it may be newer than p's), creating the row when it is missing.
		exists, err := usageExists(ctx, tx, tenantID, p.ID)
		if err != nil {
			return false, err
		}
		if !exists {
			if err := ensureUsage(ctx, tx, tenantID, p.ID); err != nil {
				return false, err
			}
			return s.redeemUsage(ctx, tx, tenantID, p, l, limitErr)
		}
		return false, s.limitRefusal(ctx, tx, tenantID, l, limitErr)
	}
	after := p
	after.Usage = u
	return after.exhausted() != "", nil
}

// redeemUsage adds l to the usage of p after its usage row was created.
func (s *Service) redeemUsage(ctx context.Context, tx *sql.Tx, tenantID string, p Promotion, l *RedemptionLine,
	limitErr func(kind, format string, args ...any) error) (bool, error) {
	u, ok, err := addUsage(ctx, tx, tenantID, p.ID, l.DiscountFen, p.Limits)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, s.limitRefusal(ctx, tx, tenantID, l, limitErr)
	}
	p.Usage = u
	return p.exhausted() != "", nil
}

// limitRefusal says which total limit refused l, from the usage now committed.
func (s *Service) limitRefusal(ctx context.Context, tx *sql.Tx, tenantID string, l *RedemptionLine,
	limitErr func(kind, format string, args ...any) error) error {
	p, err := getPromotion(ctx, tx, tenantID, l.PromotionID, "")
	if err != nil {
		return err
	}
	if b := p.Limits.BudgetFen; b != nil && p.Usage.DiscountFen+l.DiscountFen > *b {
		return limitErr(LimitBudget, "the discount %s exceeds the budget left, %s of %s",
			engine.Yuan(l.DiscountFen), engine.Yuan(max(*b-p.Usage.DiscountFen, 0)), engine.Yuan(*b))
	}
	return limitErr(LimitUses, "the promotion has been used %d times, its limit", nullOr(p.Limits.MaxUses))
}

// CancelRedemption releases what a committed order took (a cancelled or returned
// order): the usage and the customer's counts go back down. Cancelling twice returns
// the cancelled order. Errors: not_found, unauthorized, forbidden.
func (s *Service) CancelRedemption(ctx context.Context, orderID string) (Redemption, error) {
	pr, err := redeemer(ctx)
	if err != nil {
		return Redemption{}, err
	}
	var out Redemption
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = getRedemptionForUpdate(ctx, tx, pr.TenantID, orderID, s.lockOrder()); err != nil {
			return err
		}
		if out.Status == RedemptionCancelled {
			return nil
		}
		now := s.now()
		out.Status, out.CancelledAt = RedemptionCancelled, &now
		if err := cancelRedemptionOrder(ctx, tx, pr.TenantID, orderID, now); err != nil {
			return err
		}
		bump := false
		for _, l := range out.Lines { // in promotion id order, as commits lock them
			p, err := getPromotion(ctx, tx, pr.TenantID, l.PromotionID, "")
			if err != nil {
				return err
			}
			// The customer's row before the usage row, as commits lock them.
			if out.CustomerID != "" {
				if err := releaseCustomerUsage(ctx, tx, pr.TenantID, out.CustomerID, l); err != nil {
					return err
				}
			}
			if p.Usage, err = releaseUsage(ctx, tx, pr.TenantID, l); err != nil {
				return err
			}
			before := p
			before.Usage = Usage{DiscountFen: p.Usage.DiscountFen + l.DiscountFen, Uses: p.Usage.Uses + 1}
			bump = bump || (before.exhausted() != "" && p.exhausted() == "")
		}
		if bump {
			return bumpVersion(ctx, tx, pr.TenantID)
		}
		return nil
	})
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: cancel redemption: %w", err)
	}
	return out, nil
}

// FindRedemptionByOrderID returns an order's redemptions. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindRedemptionByOrderID(ctx context.Context, orderID string) (Redemption, error) {
	pr, err := auth.Caller(ctx)
	if err != nil {
		return Redemption{}, err
	}
	if !pr.Has(auth.PricingUse) && !pr.Has(auth.PromotionsRead) {
		return Redemption{}, errs.E(errs.Forbidden, "reading redemptions needs pricing:use or promotions:read")
	}
	r, err := getRedemption(ctx, s.db.Reader(), pr.TenantID, orderID)
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: find redemption: %w", err)
	}
	return r, nil
}

func (s *Service) lockOrder() string {
	if s.lock() != "" {
		return " FOR UPDATE"
	}
	return ""
}

func nullOr(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
