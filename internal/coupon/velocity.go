package coupon

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Dimension is what a velocity rule counts customers by.
type Dimension string

// The dimensions, in the order a check locks their counters (a fixed order keeps
// two checks from waiting on each other).
const (
	DimDevice         Dimension = "device"
	DimAddress        Dimension = "address"
	DimPhone          Dimension = "phone"
	DimPaymentAccount Dimension = "payment_account"
)

// Dimensions lists every dimension in check order.
var Dimensions = []Dimension{DimDevice, DimAddress, DimPhone, DimPaymentAccount}

// Action is what a rule does with a use past its threshold.
type Action string

// The actions.
const (
	// ActionFlag lets the use through and records a flag for review.
	ActionFlag Action = "flag"
	// ActionBlock refuses the use (ErrVelocity); no coupon is locked.
	ActionBlock Action = "block"
)

// FlagStatus is where a flag is in its review.
type FlagStatus string

// The flag statuses.
const (
	FlagOpen      FlagStatus = "open"
	FlagDismissed FlagStatus = "dismissed"
	// FlagConfirmed: coupon farming; the customer may lock no more coupons of the
	// flag's template (ErrCustomerBarred) until the flag is dismissed.
	FlagConfirmed FlagStatus = "confirmed"
)

// Limits of velocity rules.
const (
	MinWindow    = time.Minute
	MaxWindow    = 30 * 24 * time.Hour // hits older than this are swept
	MaxThreshold = 1000
)

// Errors of the velocity checks.
var (
	// ErrCustomerBarred: a reviewer confirmed a farming flag of the customer on the
	// template.
	ErrCustomerBarred = errs.E(errs.Conflict, "the customer is barred from coupons of this template: a reviewer confirmed a coupon-farming flag")
)

// Signals are what a coupon use says about where it comes from: the shopper's
// device id, the delivery address and phone, the payment account. Each is optional;
// a rule of a dimension whose signal is empty does not apply. They are personal data:
// only their keyed hashes are stored.
type Signals struct {
	DeviceID       string
	Address        string
	Phone          string
	PaymentAccount string
}

// value returns the signal of a dimension and the request field that carries it.
func (sg Signals) value(d Dimension) (raw, field string) {
	switch d {
	case DimDevice:
		return sg.DeviceID, "body.device_id"
	case DimAddress:
		return sg.Address, "body.address"
	case DimPhone:
		return sg.Phone, "body.phone"
	case DimPaymentAccount:
		return sg.PaymentAccount, "body.payment_account"
	}
	return "", ""
}

func (sg Signals) empty() bool { return sg == Signals{} }

// Normalise returns the form of a signal of dimension d that is hashed, so that the
// same device, address, phone or account typed differently counts once: full-width
// characters folded and lower case everywhere; a phone keeps its digits without a
// +86/0086 prefix; an address loses spaces and punctuation. It returns "" for a value
// with nothing left, and an error for one that is not UTF-8 or longer than 500 bytes.
func Normalise(d Dimension, raw string) (string, error) {
	if len(raw) > 500 {
		return "", fmt.Errorf("at most 500 bytes")
	}
	if !utf8.ValidString(raw) {
		return "", fmt.Errorf("not UTF-8")
	}
	s := strings.ToLower(width.Fold.String(raw))
	keep := func(f func(rune) bool) string {
		var b strings.Builder
		for _, r := range s {
			if f(r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	switch d {
	case DimPhone:
		digits := keep(func(r rune) bool { return r >= '0' && r <= '9' })
		switch {
		case strings.HasPrefix(digits, "0086") && len(digits) == 15:
			digits = digits[4:]
		case strings.HasPrefix(digits, "86") && len(digits) == 13:
			digits = digits[2:]
		}
		return digits, nil
	case DimAddress:
		return keep(func(r rune) bool { return !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsSymbol(r) }), nil
	default:
		return keep(func(r rune) bool { return !unicode.IsSpace(r) && !unicode.IsControl(r) }), nil
	}
}

// Rule is a velocity rule: more than Threshold distinct customers using coupons of a
// template with one value of Dimension within Window trips it. TemplateID "" is the
// tenant's default, used by templates without their own rule of the dimension.
type Rule struct {
	ID         string
	TenantID   string
	TemplateID string
	Dimension  Dimension
	Window     time.Duration
	Threshold  int
	Action     Action
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// RuleInput sets the rule of a template (or the tenant default) and dimension.
type RuleInput struct {
	TemplateID string
	Dimension  Dimension
	Window     time.Duration
	Threshold  int
	Action     Action
}

func (in RuleInput) validate() error {
	switch {
	case !slices.Contains(Dimensions, in.Dimension):
		return errs.Field("body.dimension", "one of %v", Dimensions)
	case in.Window < MinWindow || in.Window > MaxWindow || in.Window%time.Second != 0:
		return errs.Field("body.window_seconds", "%d..%d seconds", int(MinWindow.Seconds()), int(MaxWindow.Seconds()))
	case in.Threshold < 1 || in.Threshold > MaxThreshold:
		return errs.Field("body.threshold", "1..%d distinct customers allowed in the window", MaxThreshold)
	case in.Action != ActionFlag && in.Action != ActionBlock:
		return errs.Field("body.action", "flag or block")
	case len(in.TemplateID) > 64:
		return errs.Field("body.template_id", "at most 64 bytes")
	}
	return nil
}

// Flag is a coupon use past a flag rule's threshold, kept for review. ValueHash is
// the keyed hash of the signal, never the signal.
type Flag struct {
	ID         string
	TenantID   string
	TemplateID string
	RuleID     string
	Dimension  Dimension
	ValueHash  string
	CustomerID string
	CouponID   string
	Reference  string
	Customers  int // distinct customers in the window, this one included
	Threshold  int
	Window     time.Duration
	Status     FlagStatus
	Note       string
	ReviewedBy string
	ReviewedAt time.Time
	CreatedAt  time.Time
}

// FlagFilter selects flags, newest first; Limit 0 means 50.
type FlagFilter struct {
	Status     FlagStatus
	TemplateID string
	Dimension  Dimension
	Limit      int
	Cursor     string
}

// FlagReview is a reviewer's decision on a flag.
type FlagReview struct {
	Status FlagStatus // dismissed or confirmed
	Note   string
}

// velocityKind is the blind-index kind of a tenant's hashes of a dimension: the same
// value of two dimensions, or of two tenants, hashes apart, so flags shown to one
// tenant cannot be linked to another's (or to One ID's identifier index).
func velocityKind(tenantID string, d Dimension) string {
	return "coupon_velocity." + string(d) + ":" + tenantID
}

// hashSignal returns the keyed hash of a signal, "" when the signal is empty after
// normalising. Errors: invalid naming field; internal without keys.
func (s *Service) hashSignal(tenantID string, d Dimension, raw, field string) (string, error) {
	if raw == "" {
		return "", nil
	}
	n, err := Normalise(d, raw)
	if err != nil {
		return "", errs.Field(field, "%s", err)
	}
	if n == "" {
		return "", nil
	}
	if s.cfg.Keys == nil {
		return "", fmt.Errorf("coupon: velocity: no personal-data keys configured")
	}
	return s.cfg.Keys.Index(velocityKind(tenantID, d), n), nil
}

// velocityUse is one coupon use to check.
type velocityUse struct {
	tenantID, templateID, customerID, couponID, ref string
}

// checkVelocity checks a use of a coupon against the customer's confirmed flags and
// the template's velocity rules. With record (inside the transaction that locks
// the coupon, tx a *sql.Tx) it locks the counter rows of the signals, records the
// use and writes the flags of flag rules; the caller's rollback undoes all of it
// when the use fails. Without record it only reads (a preview). Errors: conflict
// (ErrCustomerBarred, a block rule naming the signal's field), invalid.
func (s *Service) checkVelocity(ctx context.Context, q db.Querier, u velocityUse, sg Signals, record bool) error {
	barred, err := customerBarred(ctx, q, u.tenantID, u.templateID, u.customerID)
	if err != nil {
		return err
	}
	if barred {
		return ErrCustomerBarred
	}
	if sg.empty() {
		return nil
	}
	rules, err := rulesFor(ctx, q, u.tenantID, u.templateID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, d := range Dimensions {
		r, ok := rules[d]
		if !ok {
			continue
		}
		raw, field := sg.value(d)
		h, err := s.hashSignal(u.tenantID, d, raw, field)
		if err != nil || h == "" {
			return err
		}
		if record {
			if err := touchVelocityKey(ctx, q, u.tenantID, u.templateID, d, h, now); err != nil {
				return err
			}
		}
		others, err := countVelocityHits(ctx, q, u.tenantID, u.templateID, d, h, u.customerID, now.Add(-r.Window))
		if err != nil {
			return err
		}
		if n := others + 1; n > r.Threshold {
			if r.Action == ActionBlock {
				return &errs.Error{Code: errs.Conflict, Field: field, Message: fmt.Sprintf(
					"refused by a velocity rule: more than %d customer(s) used coupons of this template with this %s within %s",
					r.Threshold, strings.ReplaceAll(string(d), "_", " "), windowText(r.Window))}
			}
			if record {
				f := Flag{ID: ids.New(), TenantID: u.tenantID, TemplateID: u.templateID, RuleID: r.ID, Dimension: d, ValueHash: h,
					CustomerID: u.customerID, CouponID: u.couponID, Reference: u.ref, Customers: n, Threshold: r.Threshold,
					Window: r.Window, Status: FlagOpen, CreatedAt: now}
				if err := insertFlag(ctx, q, f); err != nil {
					return err
				}
			}
		}
		if record {
			if err := recordVelocityHit(ctx, q, u.tenantID, u.templateID, d, h, u.customerID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// windowText says a window the way a rule is set: "24 hours", "1 hour", "90 minutes".
func windowText(w time.Duration) string {
	n, unit := int64(w/time.Second), "second"
	switch {
	case w%time.Hour == 0:
		n, unit = int64(w/time.Hour), "hour"
	case w%time.Minute == 0:
		n, unit = int64(w/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// SetRule creates or replaces the rule of in.TemplateID ("" for the tenant default)
// and in.Dimension. Errors: invalid (body.*), not_found (template), unauthorized,
// forbidden (loyalty:write over the whole tenant).
func (s *Service) SetRule(ctx context.Context, in RuleInput) (Rule, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring coupon velocity rules")
	if err != nil {
		return Rule{}, err
	}
	if err := in.validate(); err != nil {
		return Rule{}, err
	}
	now := s.now()
	r := Rule{ID: ids.New(), TenantID: p.TenantID, TemplateID: in.TemplateID, Dimension: in.Dimension, Window: in.Window,
		Threshold: in.Threshold, Action: in.Action, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if r.TemplateID != "" {
			if _, err := getTemplate(ctx, tx, s.db.Dialect, p.TenantID, r.TemplateID, false); err != nil {
				return err
			}
		}
		if err := upsertRule(ctx, tx, r); err != nil {
			return err
		}
		if r, err = getRuleByKey(ctx, tx, p.TenantID, r.TemplateID, r.Dimension); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.velocity_rule.set", ResourceType: "coupon_velocity_rule", ResourceID: r.ID,
			Changes: map[string]any{"template_id": r.TemplateID, "dimension": r.Dimension, "window_seconds": int64(r.Window.Seconds()),
				"threshold": r.Threshold, "action": r.Action}})
	})
	if err != nil {
		return Rule{}, fmt.Errorf("coupon: set velocity rule: %w", err)
	}
	return r, nil
}

// FindRules lists the tenant's velocity rules: the defaults first, then by template
// and dimension. Errors: unauthorized, forbidden.
func (s *Service) FindRules(ctx context.Context) ([]Rule, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return nil, err
	}
	rules, err := findRules(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("coupon: find velocity rules: %w", err)
	}
	return rules, nil
}

// DeleteRule removes a rule; counts already recorded stay until they age out.
// Errors: not_found, unauthorized, forbidden.
func (s *Service) DeleteRule(ctx context.Context, id string) error {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring coupon velocity rules")
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := deleteRule(ctx, tx, p.TenantID, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.NotFound, "velocity rule %s not found", id)
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.velocity_rule.delete", ResourceType: "coupon_velocity_rule", ResourceID: id})
	})
	if err != nil {
		return fmt.Errorf("coupon: delete velocity rule: %w", err)
	}
	return nil
}

// FindFlags lists velocity flags, newest first. Errors: invalid (query.*),
// unauthorized, forbidden.
func (s *Service) FindFlags(ctx context.Context, f FlagFilter) (httpapi.Page[Flag], error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return httpapi.Page[Flag]{}, err
	}
	switch {
	case f.Status != "" && f.Status != FlagOpen && f.Status != FlagDismissed && f.Status != FlagConfirmed:
		return httpapi.Page[Flag]{}, errs.Field("query.status", "open, dismissed or confirmed")
	case f.Dimension != "" && !slices.Contains(Dimensions, f.Dimension):
		return httpapi.Page[Flag]{}, errs.Field("query.dimension", "one of %v", Dimensions)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	limit := f.Limit
	f.Limit++
	items, err := findFlags(ctx, s.db.Reader(), p.TenantID, f)
	if err != nil {
		return httpapi.Page[Flag]{}, fmt.Errorf("coupon: find velocity flags: %w", err)
	}
	page := httpapi.Page[Flag]{Items: items}
	if len(items) > limit {
		page.Items, page.NextCursor = items[:limit], items[limit-1].ID
	}
	return page, nil
}

// ReviewFlag records a reviewer's decision: dismissed (not farming) or confirmed
// (farming: the customer may lock no more coupons of the template). A decision may
// be changed — dismissing a confirmed flag lifts the bar — but not repeated.
// Errors: invalid (body.status, body.note), not_found, conflict (already so),
// unauthorized, forbidden (loyalty:write over the whole tenant).
func (s *Service) ReviewFlag(ctx context.Context, id string, r FlagReview) (Flag, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "reviewing coupon velocity flags")
	if err != nil {
		return Flag{}, err
	}
	switch {
	case r.Status != FlagDismissed && r.Status != FlagConfirmed:
		return Flag{}, errs.Field("body.status", "dismissed or confirmed")
	case len(r.Note) > 1000:
		return Flag{}, errs.Field("body.note", "at most 1000 bytes")
	}
	var f Flag
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if f, err = getFlag(ctx, tx, s.db.Dialect, p.TenantID, id); err != nil {
			return err
		}
		if f.Status == r.Status {
			return errs.E(errs.Conflict, "the flag is already %s", r.Status)
		}
		before := f.Status
		f.Status, f.Note, f.ReviewedBy, f.ReviewedAt = r.Status, r.Note, p.ID, s.now()
		if err := updateFlagReview(ctx, tx, f); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "another open flag covers the same customer and value")
			}
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.velocity_flag.review", ResourceType: "coupon_velocity_flag", ResourceID: f.ID,
			Changes: map[string]any{"before": before, "after": f.Status, "note": f.Note, "template_id": f.TemplateID, "customer_id": f.CustomerID}})
	})
	if err != nil {
		return Flag{}, fmt.Errorf("coupon: review velocity flag: %w", err)
	}
	return f, nil
}
