package promotion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Status is where a promotion is in its life: draft → active ⇄ paused → ended.
type Status string

// The statuses.
const (
	StatusDraft  Status = "draft"
	StatusActive Status = "active"
	StatusPaused Status = "paused"
	StatusEnded  Status = "ended"
)

// EffectiveStatus is a promotion as a merchandiser reads it at one instant: its
// status combined with its window. An active promotion whose window has not begun is
// scheduled, one whose window is over is ended (so is a paused one); only an active
// promotion inside its window is running.
type EffectiveStatus string

// The effective statuses.
const (
	EffectiveDraft     EffectiveStatus = "draft"
	EffectiveScheduled EffectiveStatus = "scheduled"
	EffectiveRunning   EffectiveStatus = "running"
	EffectivePaused    EffectiveStatus = "paused"
	EffectiveEnded     EffectiveStatus = "ended"
)

// validEffective reports whether e is one of the effective statuses.
func validEffective(e EffectiveStatus) bool {
	switch e {
	case EffectiveDraft, EffectiveScheduled, EffectiveRunning, EffectivePaused, EffectiveEnded:
		return true
	}
	return false
}

// EffectiveAt returns the promotion's effective status at now: the window is
// [StartsAt, EndsAt), as pricing applies it.
func (p *Promotion) EffectiveAt(now time.Time) EffectiveStatus {
	over := p.EndsAt != nil && !now.Before(*p.EndsAt)
	switch p.Status {
	case StatusDraft:
		return EffectiveDraft
	case StatusEnded:
		return EffectiveEnded
	case StatusPaused:
		if over {
			return EffectiveEnded
		}
		return EffectivePaused
	}
	switch {
	case over:
		return EffectiveEnded
	case p.StartsAt != nil && now.Before(*p.StartsAt):
		return EffectiveScheduled
	}
	return EffectiveRunning
}

// Promotion is a stored promotion. Definition.ID is always ID and Definition.Name is
// Name. StartsAt and EndsAt copy Definition.Conditions.Start and End (nil when open).
type Promotion struct {
	ID         string
	TenantID   string
	Code       string
	Name       string
	Status     Status
	Definition engine.Promotion
	StartsAt   *time.Time
	EndsAt     *time.Time
	Limits     Limits
	Usage      Usage
	CreatedAt  time.Time
	UpdatedAt  time.Time

	version int64 // of its status and limits, on its usage row
}

// Limits bound what a promotion may give away; nil means no limit. They are enforced
// when an order commits (CommitRedemption) and pricing stops applying a promotion
// whose budget or uses are exhausted.
type Limits struct {
	BudgetFen          *int64 // total discount in fen
	MaxUses            *int64 // orders that may use it
	MaxUsesPerCustomer *int64 // orders per customer
}

// Usage is what committed, not cancelled, orders have taken of a promotion.
type Usage struct {
	DiscountFen int64
	Uses        int64
}

// validate checks that every set limit is positive; errors name prefix.<field>.
func (l Limits) validate(prefix string) error {
	for _, f := range []struct {
		name string
		v    *int64
	}{{"budget_fen", l.BudgetFen}, {"max_uses", l.MaxUses}, {"max_uses_per_customer", l.MaxUsesPerCustomer}} {
		if f.v != nil && (*f.v < 1 || *f.v > money.MaxTotal) {
			return errs.Field(prefix+"."+f.name, "must be 1..%d or null (no limit)", int64(money.MaxTotal))
		}
	}
	return nil
}

// fits refuses limits the definition cannot honour: a budget counts discounts and
// gift values, so a gift promotion with a budget needs gift.value (a gift worth
// nothing would never spend it). Errors name prefix.budget_fen.
func (l Limits) fits(prefix string, def *engine.Promotion) error {
	if l.BudgetFen != nil && def.Kind == engine.KindGift && def.Gift != nil && def.Gift.Value == 0 {
		return errs.Field(prefix+".budget_fen", "a gift promotion's budget counts the gifts' value: set definition.gift.value")
	}
	return nil
}

// exhausted says why the promotion cannot be used any more, "" when it can.
func (p *Promotion) exhausted() string {
	if b := p.Limits.BudgetFen; b != nil && p.Usage.DiscountFen >= *b {
		return fmt.Sprintf("the promotion's budget of %s is exhausted", engine.Yuan(*b))
	}
	if m := p.Limits.MaxUses; m != nil && p.Usage.Uses >= *m {
		return fmt.Sprintf("the promotion has been used %d times, its limit", *m)
	}
	return ""
}

// NewPromotion is the input of CreatePromotion; the promotion starts as a draft.
type NewPromotion struct {
	Code       string
	Name       string
	Definition engine.Promotion
	Limits     Limits
}

// PromotionUpdate changes the set fields of a promotion.
type PromotionUpdate struct {
	Name       *string
	Definition *engine.Promotion
	Limits     *Limits // replaces all three limits; they may change in any status
}

// PromotionFilter selects promotions: by status, by effective status, and ActiveAt
// keeps the active ones whose time window contains that instant. Pages are ordered by id.
type PromotionFilter struct {
	Status   Status
	ActiveAt *time.Time
	// Effective keeps the promotions whose effective status at At is this one.
	Effective EffectiveStatus
	At        time.Time // the instant Effective is judged at; the service sets it to now
	Limit     int
	Cursor    string
}

// ReservedCouponPrefix starts the coupon code of a coupon template's promotion
// (internal/coupon, decision 0031): only a customer's coupon, checked and locked by the
// coupon service, presents such a code to the engine — never a client.
const ReservedCouponPrefix = "coupon-template."

// ClientCoupons returns codes without the ones a client may not present
// (ReservedCouponPrefix, in any case).
func ClientCoupons(codes []string) []string {
	out := codes[:0:0]
	for _, c := range codes {
		if !strings.HasPrefix(strings.ToLower(c), ReservedCouponPrefix) {
			out = append(out, c)
		}
	}
	return out
}

// validateDefinition checks def with engine.Promotion.Validate and names the field
// under prefix (for example "body.definition.threshold.tiers[1].off").
func validateDefinition(prefix string, def *engine.Promotion) error {
	if err := def.Validate(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "" {
			return errs.Field(prefix+"."+e.Field, "%s", e.Message)
		}
		return errs.Field(prefix, "%s", err.Error())
	}
	return nil
}

// decodeDefinition decodes a definition given as a JSON object, rejecting unknown
// fields, into an engine.Promotion. Errors name prefix.
func decodeDefinition(prefix string, raw map[string]any) (engine.Promotion, error) {
	var def engine.Promotion
	if err := decodeStrict(raw, &def); err != nil {
		return def, errs.Field(prefix, "%s", err)
	}
	return def, nil
}

// decodeStrict re-decodes a generic JSON value into out, rejecting unknown fields.
func decodeStrict(raw any, out any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// windowOf returns the stored window of a definition.
func windowOf(def *engine.Promotion) (start, end *time.Time) {
	if t := def.Conditions.Start; !t.IsZero() {
		start = &t
	}
	if t := def.Conditions.End; !t.IsZero() {
		end = &t
	}
	return start, end
}
