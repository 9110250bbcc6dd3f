package coupon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Promotions is what coupons need of the promotion engine: a template's discount is
// one of its promotions, and every coupon price is its price.
type Promotions interface {
	CreatePromotion(ctx context.Context, in promotion.NewPromotion) (promotion.Promotion, error)
	Activate(ctx context.Context, id string) (promotion.Promotion, error)
	Pause(ctx context.Context, id string) (promotion.Promotion, error)
	PriceCart(ctx context.Context, cart engine.Cart, pc engine.Context, customerID string) (engine.Result, error)
}

// Customers is what coupons need of One ID: the live customer an id is or was merged
// into. Errors: not_found.
type Customers interface {
	FindCustomerCluster(ctx context.Context, id string) (string, []string, error)
}

// Stores says whether a store is inside the caller's data scope. Errors: not_found.
type Stores interface {
	StoreExists(ctx context.Context, storeID string) error
}

// Deps are the domains coupons call. FirstOrders, Birthdays and Zones serve the
// first-order and birthday triggers; without them those triggers fail.
type Deps struct {
	Promotions  Promotions
	Customers   Customers
	Stores      Stores
	FirstOrders FirstOrders
	Birthdays   Birthdays
	Zones       Zones
}

// Config tunes the service.
type Config struct {
	// LockTTL is how long a coupon stays locked to a cart or an unpaid order (default
	// 15 minutes, the order center's reservation time: an unpaid order is cancelled
	// then, which releases its coupon anyway).
	LockTTL time.Duration
	// Keys hash the signals velocity rules count (device, address, phone, payment
	// account) with the platform's blind index; without them a use that carries a
	// signal a rule applies to fails.
	Keys *pii.Keys
}

// DefaultLockTTL is Config.LockTTL's default.
const DefaultLockTTL = 15 * time.Minute

// Errors the service returns besides validation.
var (
	// ErrUnavailable: the coupon is locked to another order, redeemed or expired.
	ErrUnavailable = errs.E(errs.Conflict, "the coupon is not available: locked to another order, redeemed or expired")
	// ErrMemberLimit: the customer holds as many coupons of the template as it allows.
	ErrMemberLimit = errs.E(errs.Conflict, "the customer holds as many coupons of this template as it allows")
	// ErrExhausted: the template issued its total.
	ErrExhausted = errs.E(errs.Conflict, "the template has issued all its coupons")
)

// Service is the coupon use cases. Exported methods act for the principal in ctx,
// except the order center's hooks (Present, LockTx), which take the tenant.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	deps   Deps
	cfg    Config

	birthdays birthdayRuns
}

// NewService returns the coupon service.
func NewService(d *db.DB, outbox *events.Outbox, a *audit.Log, c clock.Clock, deps Deps, cfg Config) *Service {
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = DefaultLockTTL
	}
	return &Service{db: d, outbox: outbox, audit: a, clock: c, deps: deps, cfg: cfg, birthdays: birthdayRuns{done: map[string]string{}}}
}

func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

func requireAny(ctx context.Context, scopes ...auth.Scope) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	for _, sc := range scopes {
		if p.Has(sc) {
			return p, nil
		}
	}
	return nil, errs.E(errs.Forbidden, "this needs %s", scopes[0])
}

// asPromotions returns ctx acting on the promotion engine for p's tenant: coupon
// templates are managed under loyalty:write, and their promotions with them.
func asPromotions(ctx context.Context, p *auth.Principal) context.Context {
	in := *p
	in.Scopes = []auth.Scope{auth.PromotionsRead, auth.PromotionsWrite, auth.PricingUse}
	in.DataScope, in.DataID = auth.TenantScope, ""
	return auth.WithPrincipal(ctx, &in)
}

func (s *Service) liveCustomer(ctx context.Context, id, field string) (string, error) {
	if id == "" {
		return "", errs.Field(field, "required")
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return "", errs.E(errs.NotFound, "customer %s not found", id)
	}
	return live, err
}

// CreateTemplate stores an active template and its promotion (created and activated
// in the promotion engine, gated by the template's internal coupon code, with the
// template's window and budget). Errors: invalid (body.*, body.discount.* from the
// engine's validation), conflict (code taken), unauthorized, forbidden
// (loyalty:write over the whole tenant).
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (Template, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring coupon templates")
	if err != nil {
		return Template{}, err
	}
	if err := in.validate(); err != nil {
		return Template{}, err
	}
	now := s.now()
	t := Template{ID: ids.New(), TenantID: p.TenantID, Code: in.Code, Name: in.Name, Status: TemplateActive,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, ValidDays: in.ValidDays, PerMemberLimit: in.PerMemberLimit,
		TotalLimit: in.TotalLimit, BudgetFen: in.BudgetFen, RefundPolicy: in.RefundPolicy, Triggers: in.Triggers, CreatedAt: now, UpdatedAt: now}
	if t.Triggers == nil {
		t.Triggers = []Trigger{}
	}
	t.PromoCode = PromoCodePrefix + t.ID
	def := in.Discount
	def.CouponCode, def.CombinableWithCoupons = t.PromoCode, in.Stackable
	def.Exclusive, def.Group = false, ""
	// A fixed window is the engine's window too; a per-coupon window (N days from
	// issue) is checked on the coupon.
	def.Conditions.Start, def.Conditions.End = in.ValidFrom, in.ValidTo
	if err := s.checkCode(ctx, p.TenantID, in.Code); err != nil {
		return Template{}, err
	}
	pctx := asPromotions(ctx, p)
	// The promotion is listed with the others: its code says which template it
	// prices (CPN-<template code>) where that code fits a promotion code and is free,
	// else it falls back to the template's id.
	newPromo := promotion.NewPromotion{Code: "CPN-" + t.ID, Name: "coupon " + in.Name, Definition: def, Limits: promotion.Limits{BudgetFen: in.BudgetFen}}
	readable := newPromo
	readable.Code = "CPN-" + in.Code
	promo, err := s.deps.Promotions.CreatePromotion(pctx, readable)
	if err != nil && (errs.Is(err, errs.Conflict) || errs.Is(err, errs.Invalid)) {
		promo, err = s.deps.Promotions.CreatePromotion(pctx, newPromo)
	}
	if err != nil {
		return Template{}, renamed(err)
	}
	if _, err := s.deps.Promotions.Activate(pctx, promo.ID); err != nil {
		return Template{}, fmt.Errorf("coupon: activate the template's promotion: %w", err)
	}
	t.PromotionID, t.Discount = promo.ID, promo.Definition
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertTemplate(ctx, tx, t); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "coupon template code %q is taken", t.Code)
			}
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.template.create", ResourceType: "coupon_template", ResourceID: t.ID,
			Changes: map[string]any{"code": t.Code, "name": t.Name, "kind": def.Kind, "promotion_id": promo.ID}})
	})
	if err != nil {
		return Template{}, fmt.Errorf("coupon: create template: %w", err)
	}
	return t, nil
}

// SetTemplateStatus activates or deactivates a template: an inactive template
// issues nothing, its coupons cannot be locked or previewed, and its promotion is
// paused so that no price takes it (coupons already locked to orders are redeemed as
// their orders are paid). Errors: invalid (body.status), not_found, unauthorized,
// forbidden (loyalty:write over the whole tenant).
func (s *Service) SetTemplateStatus(ctx context.Context, id string, status TemplateStatus) (Template, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring coupon templates")
	if err != nil {
		return Template{}, err
	}
	if status != TemplateActive && status != TemplateInactive {
		return Template{}, errs.Field("body.status", "active or inactive")
	}
	t, err := getTemplate(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, id, false)
	if err != nil {
		return Template{}, err
	}
	if t.Status == status {
		return t, nil
	}
	// The promotion first: a template shown active whose promotion is paused would
	// lock coupons that price nothing; the reverse only delays a deactivation.
	pctx := asPromotions(ctx, p)
	if status == TemplateActive {
		_, err = s.deps.Promotions.Activate(pctx, t.PromotionID)
	} else {
		_, err = s.deps.Promotions.Pause(pctx, t.PromotionID)
	}
	if err != nil {
		return Template{}, fmt.Errorf("coupon: set template status: %w", err)
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE coupon_templates SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
			p.TenantID, id, status, millis(now)); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.template.status", ResourceType: "coupon_template", ResourceID: id,
			Changes: map[string]any{"status": status}})
	})
	if err != nil {
		return Template{}, fmt.Errorf("coupon: set template status: %w", err)
	}
	t.Status, t.UpdatedAt = status, now
	return t, nil
}

// checkCode refuses a template code already taken before the promotion is created.
func (s *Service) checkCode(ctx context.Context, tenantID, code string) error {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM coupon_templates WHERE tenant_id = $1 AND code = $2`,
		tenantID, code).Scan(&n); err != nil {
		return fmt.Errorf("coupon: create template: %w", err)
	}
	if n > 0 {
		return errs.E(errs.Conflict, "coupon template code %q is taken", code)
	}
	return nil
}

// renamed moves the promotion engine's body.definition.* field names under
// body.discount.*.
func renamed(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && strings.HasPrefix(e.Field, "body.definition") {
		return errs.Field("body.discount"+strings.TrimPrefix(e.Field, "body.definition"), "%s", e.Message)
	}
	return fmt.Errorf("coupon: create template: %w", err)
}

// FindTemplateByID returns a template. Errors: not_found, unauthorized, forbidden.
func (s *Service) FindTemplateByID(ctx context.Context, id string) (Template, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return Template{}, err
	}
	return getTemplate(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, id, false)
}

// FindTemplates lists templates by id. Errors: unauthorized, forbidden.
func (s *Service) FindTemplates(ctx context.Context, limit int, cursor string) (httpapi.Page[Template], error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return httpapi.Page[Template]{}, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	items, err := findTemplates(ctx, s.db.Reader(), p.TenantID, cursor, limit+1)
	if err != nil {
		return httpapi.Page[Template]{}, fmt.Errorf("coupon: find templates: %w", err)
	}
	page := httpapi.Page[Template]{Items: items}
	if len(items) > limit {
		page.Items, page.NextCursor = items[:limit], items[limit-1].ID
	}
	return page, nil
}

// Issue issues a template's coupons to r.CustomerIDs in batches of BatchSize, each
// batch one transaction that also records the progress: the same key again resumes
// an interrupted request or returns the finished one. One customer needs
// loyalty:redeem (an associate, at a store of its scope) or loyalty:write; a list
// needs loyalty:write and a key. Customers unknown or at the per-member limit are
// skipped in a list; a single issue is refused for them. Errors: invalid (body.*),
// not_found (template, customer, store), conflict (ErrMemberLimit, ErrExhausted,
// template inactive or ended, key reused for another list), unauthorized, forbidden.
func (s *Service) Issue(ctx context.Context, templateID string, r IssueRequest) (Issuance, error) {
	p, err := requireAny(ctx, auth.LoyaltyWrite, auth.LoyaltyRedeem)
	if err != nil {
		return Issuance{}, err
	}
	single := len(r.CustomerIDs) == 1
	switch {
	case len(r.CustomerIDs) == 0 || len(r.CustomerIDs) > MaxBulk:
		return Issuance{}, errs.Field("body.customer_ids", "1..%d customers", MaxBulk)
	case !single && (!p.Has(auth.LoyaltyWrite) || p.DataScope != auth.TenantScope):
		return Issuance{}, errs.E(errs.Forbidden, "issuing to a list needs %s over the whole tenant", auth.LoyaltyWrite)
	case !single && r.Key == "":
		return Issuance{}, errs.Field("body.key", "required for a list: it makes the request replayable")
	case len(r.Key) > 64:
		return Issuance{}, errs.Field("body.key", "at most 64 bytes")
	case p.DataScope != auth.TenantScope && r.StoreID == "":
		return Issuance{}, errs.Field("body.store_id", "required: the store the associate issues at")
	}
	for i, c := range r.CustomerIDs {
		if c == "" || len(c) > 64 {
			return Issuance{}, errs.Field(fmt.Sprintf("body.customer_ids[%d]", i), "1..64 bytes")
		}
	}
	if r.StoreID != "" {
		if err := s.deps.Stores.StoreExists(ctx, r.StoreID); err != nil {
			return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
		}
	}
	if single {
		live, err := s.liveCustomer(ctx, r.CustomerIDs[0], "body.customer_ids[0]")
		if err != nil {
			return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
		}
		r.CustomerIDs = []string{live}
	}
	if _, err := getTemplate(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, templateID, false); err != nil {
		return Issuance{}, err
	}
	key := r.Key
	if key == "" {
		key = "one:" + ids.New()
	}
	is, err := s.startIssue(ctx, p, templateID, key, r)
	if err != nil {
		return Issuance{}, err
	}
	for is.Status != "done" {
		if is, err = s.issueBatch(ctx, p, is, r.CustomerIDs, single); err != nil {
			return Issuance{}, err
		}
	}
	if single {
		c, err := getCouponBySource(ctx, s.db.Reader(), p.TenantID, is.ID+":0")
		if err == nil {
			is.Coupons = []Coupon{c}
		} else if !errs.Is(err, errs.NotFound) {
			return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
		}
	}
	return is, nil
}

// startIssue returns the issue request of key, creating it.
func (s *Service) startIssue(ctx context.Context, p *auth.Principal, templateID, key string, r IssueRequest) (Issuance, error) {
	now := s.now()
	is := Issuance{ID: ids.New(), TemplateID: templateID, Key: key, StoreID: r.StoreID, Actor: p.ID, Total: int64(len(r.CustomerIDs)),
		Status: "running", CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return insertIssue(ctx, tx, p.TenantID, is) })
	if db.IsUniqueViolation(err) {
		old, err := getIssueByKey(ctx, s.db.Writer(), p.TenantID, templateID, key)
		if err != nil {
			return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
		}
		if old.Total != is.Total {
			return Issuance{}, errs.E(errs.Conflict, "issue key %q was used for a list of %d customers, not %d", key, old.Total, is.Total)
		}
		return old, nil
	}
	if err != nil {
		return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
	}
	return is, nil
}

// issueBatch issues the next batch of is and records the progress in the same
// transaction, with the template row locked: the per-member and total limits are
// read and raised one transaction at a time.
func (s *Service) issueBatch(ctx context.Context, p *auth.Principal, is Issuance, customers []string, single bool) (Issuance, error) {
	start := is.Done
	end := min(start+BatchSize, is.Total)
	batch := customers[start:end]
	live := make([]string, len(batch))
	if !single {
		for i, c := range batch {
			l, _, err := s.deps.Customers.FindCustomerCluster(ctx, c)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
			}
			live[i] = l // "" for an unknown customer: skipped
		}
	} else {
		copy(live, batch)
	}
	var out Issuance
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		out = is
		now := s.now()
		t, err := getTemplate(ctx, tx, s.db.Dialect, p.TenantID, is.TemplateID, true)
		if err != nil {
			return err
		}
		if err := issuable(t, now); err != nil {
			return err
		}
		coupons, keys, skipped, err := s.admit(ctx, tx, t, live, single, now, func(i int, c string) (Coupon, string) {
			cp := newCoupon(t, c, now)
			cp.IssueID, cp.StoreID, cp.IssuedBy = is.ID, is.StoreID, p.ID
			return cp, is.ID + ":" + strconv.FormatInt(start+int64(i), 10)
		})
		if err != nil {
			return err
		}
		if err := s.writeIssued(ctx, tx, t, coupons, keys, now); err != nil {
			return err
		}
		issued := int64(len(coupons))
		out.Issued += issued
		out.Skipped += skipped
		out.Done, out.UpdatedAt = end, now
		if end == is.Total {
			out.Status = "done"
		}
		if err := updateIssue(ctx, tx, p.TenantID, out); err != nil {
			return err
		}
		_, err = s.outbox.Publish(ctx, tx, p.TenantID, EventIssued, t.ID, IssuedEvent{TemplateID: t.ID, IssueID: is.ID, Issued: issued,
			Done: out.Done, Total: out.Total, StoreID: is.StoreID})
		return err
	})
	if err != nil {
		return Issuance{}, fmt.Errorf("coupon: issue: %w", err)
	}
	return out, nil
}

// issuable refuses a template that may not issue at now: inactive or past its window.
func issuable(t Template, now time.Time) error {
	switch {
	case t.Status != TemplateActive:
		return errs.E(errs.Conflict, "coupon template %s is inactive", t.Code)
	case !t.ValidTo.IsZero() && !now.Before(t.ValidTo):
		return errs.E(errs.Conflict, "coupon template %s ended at %s", t.Code, t.ValidTo.UTC().Format(time.RFC3339))
	}
	return nil
}

// newCoupon is a coupon of t for customer issued at now, without its code.
func newCoupon(t Template, customer string, now time.Time) Coupon {
	c := Coupon{ID: ids.New(), TenantID: t.TenantID, TemplateID: t.ID, CustomerID: customer, Status: StatusIssued,
		ValidFrom: t.ValidFrom, ExpiresAt: t.ValidTo, IssuedAt: now, UpdatedAt: now}
	if t.ValidDays > 0 {
		c.ValidFrom, c.ExpiresAt = now, now.AddDate(0, 0, t.ValidDays)
	}
	return c
}

// admit returns the coupons of t (its row locked in tx) for the live customers
// ("" for one unknown), each made by mk with its source key and given a fresh code,
// under the template's per-member and total limits, and how many customers it
// skipped; single refuses (ErrMemberLimit, ErrExhausted) where a list skips.
func (s *Service) admit(ctx context.Context, tx *sql.Tx, t Template, live []string, single bool, now time.Time,
	mk func(i int, customer string) (Coupon, string)) ([]Coupon, []string, int64, error) {
	var held map[string]int
	if t.PerMemberLimit > 0 {
		distinct := make([]string, 0, len(live))
		seen := map[string]bool{}
		for _, c := range live {
			if c != "" && !seen[c] {
				seen[c] = true
				distinct = append(distinct, c)
			}
		}
		var err error
		if held, err = membersHeld(ctx, tx, s.db.Dialect, t.TenantID, t.ID, distinct); err != nil {
			return nil, nil, 0, err
		}
	}
	var skipped int64
	coupons := make([]Coupon, 0, len(live))
	keys := make([]string, 0, len(live))
	for i, c := range live {
		if c == "" {
			skipped++
			continue
		}
		if t.TotalLimit > 0 && t.Issued+int64(len(coupons)) >= t.TotalLimit {
			if single {
				return nil, nil, 0, ErrExhausted
			}
			skipped++
			continue
		}
		if t.PerMemberLimit > 0 {
			if held[c] >= t.PerMemberLimit {
				if single {
					return nil, nil, 0, ErrMemberLimit
				}
				skipped++
				continue
			}
			held[c]++
		}
		cp, key := mk(i, c)
		code, err := NewCode()
		if err != nil {
			return nil, nil, 0, err
		}
		cp.Code = code
		coupons = append(coupons, cp)
		keys = append(keys, key)
	}
	return coupons, keys, skipped, nil
}

// writeIssued stores coupons of t with their source keys and raises its count.
func (s *Service) writeIssued(ctx context.Context, tx *sql.Tx, t Template, coupons []Coupon, keys []string, now time.Time) error {
	if len(coupons) == 0 {
		return nil
	}
	if err := insertCoupons(ctx, tx, s.db.Dialect, coupons, keys); err != nil {
		return err
	}
	return addIssued(ctx, tx, t.TenantID, t.ID, int64(len(coupons)), now)
}

// FindIssueByID returns an issue request and its progress. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindIssueByID(ctx context.Context, id string) (Issuance, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return Issuance{}, err
	}
	return getIssue(ctx, s.db.Reader(), p.TenantID, id)
}

// FindCoupons lists coupons by id. Errors: unauthorized, forbidden.
func (s *Service) FindCoupons(ctx context.Context, f CouponFilter) (httpapi.Page[Coupon], error) {
	p, err := requireAny(ctx, auth.LoyaltyRead)
	if err != nil {
		return httpapi.Page[Coupon]{}, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	limit := f.Limit
	f.Limit++
	items, err := findCoupons(ctx, s.db.Reader(), p.TenantID, f)
	if err != nil {
		return httpapi.Page[Coupon]{}, fmt.Errorf("coupon: find coupons: %w", err)
	}
	page := httpapi.Page[Coupon]{Items: items}
	if len(items) > limit {
		page.Items, page.NextCursor = items[:limit], items[limit-1].ID
	}
	return page, nil
}

// usable reads the coupon of code for customerID (its live id) and checks it may be
// priced now: the customer's, its template active, inside its validity, not
// redeemed, not locked to another reference than ref. field names the code.
func (s *Service) usable(ctx context.Context, q db.Querier, tenantID, code, customerID, ref, field string) (Coupon, Template, error) {
	c, err := getCouponByCode(ctx, q, tenantID, code)
	if err == nil && c.CustomerID != customerID {
		// Issued to an id since merged into customerID: the same person.
		live, _, lerr := s.deps.Customers.FindCustomerCluster(ctx, c.CustomerID)
		if lerr != nil && !errs.Is(lerr, errs.NotFound) {
			return Coupon{}, Template{}, lerr
		}
		if live != customerID {
			err = errs.E(errs.NotFound, "another customer's coupon")
		}
	}
	if errs.Is(err, errs.NotFound) {
		// Another customer's code reads as unknown: a code is not a bearer token.
		return Coupon{}, Template{}, errs.E(errs.NotFound, "%s: no coupon with this code for this customer", field)
	}
	if err != nil {
		return Coupon{}, Template{}, err
	}
	now := s.now()
	st := c.State(now)
	if st == StatusLocked && c.OrderID == ref && ref != "" {
		st = StatusIssued
	}
	switch {
	case st != StatusIssued:
		return Coupon{}, Template{}, fmt.Errorf("%s: coupon is %s: %w", field, st, ErrUnavailable)
	case now.Before(c.ValidFrom):
		return Coupon{}, Template{}, errs.E(errs.Conflict, "%s: the coupon is valid from %s", field, c.ValidFrom.UTC().Format(time.RFC3339))
	}
	t, err := getTemplate(ctx, q, s.db.Dialect, tenantID, c.TemplateID, false)
	if err != nil {
		return Coupon{}, Template{}, err
	}
	if t.Status != TemplateActive {
		return Coupon{}, Template{}, fmt.Errorf("%s: template %s is inactive: %w", field, t.Code, ErrUnavailable)
	}
	return c, t, nil
}

// LockRequest locks a coupon to a cart or order reference for the lock time.
type LockRequest struct {
	CustomerID string
	Reference  string
	Signals    Signals // checked against the template's velocity rules
}

// Lock locks the coupon of code to r.Reference for Config.LockTTL: the code's
// check character is checked before any lookup; locking again with the same
// reference renews the lock. Of many racing locks of one coupon exactly one wins.
// The use is checked against the template's velocity rules in the same
// transaction: a block rule refuses it, a flag rule records a flag.
// Errors: invalid (path.code, body.*), not_found (no coupon of this code for this
// customer), conflict (ErrUnavailable, ErrCustomerBarred, a block rule naming the
// signal's field), unauthorized, forbidden.
func (s *Service) Lock(ctx context.Context, code string, r LockRequest) (Coupon, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return Coupon{}, err
	}
	code, err = ParseCode("path.code", code)
	if err != nil {
		return Coupon{}, err
	}
	if r.Reference == "" || len(r.Reference) > 64 {
		return Coupon{}, errs.Field("body.reference", "1..64 bytes: the cart or order the coupon is locked to")
	}
	live, err := s.liveCustomer(ctx, r.CustomerID, "body.customer_id")
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: lock: %w", err)
	}
	c, _, err := s.usable(ctx, s.db.Reader(), p.TenantID, code, live, r.Reference, "path.code")
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: lock: %w", err)
	}
	now := s.now()
	var won bool
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		use := velocityUse{tenantID: p.TenantID, templateID: c.TemplateID, customerID: live, couponID: c.ID, ref: r.Reference}
		if err := s.checkVelocity(ctx, tx, use, r.Signals, true); err != nil {
			return err
		}
		won, err = lockCoupon(ctx, tx, p.TenantID, c.ID, c.CustomerID, r.Reference, now, now.Add(s.cfg.LockTTL))
		if err == nil && !won {
			return ErrUnavailable // and roll back the velocity hit
		}
		return err
	})
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: lock: %w", err)
	}
	c.Status, c.OrderID, c.LockedUntil, c.UpdatedAt = StatusLocked, r.Reference, now.Add(s.cfg.LockTTL), now
	return c, nil
}

// Release frees the coupons locked to reference (a cart given up). It returns how
// many it released. Errors: invalid, not_found (no coupon locked to reference),
// unauthorized, forbidden.
func (s *Service) Release(ctx context.Context, reference string) (int64, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return 0, err
	}
	if reference == "" || len(reference) > 64 {
		return 0, errs.Field("path.reference", "1..64 bytes")
	}
	n, err := releaseCoupons(ctx, s.db.Writer(), p.TenantID, reference, s.now())
	if err != nil {
		return 0, fmt.Errorf("coupon: release: %w", err)
	}
	if n == 0 {
		return 0, errs.E(errs.NotFound, "no coupon is locked to %s", reference)
	}
	return n, nil
}

// Sweep releases locks whose time ran out and expires unused coupons past their
// validity, at most limit of each per call, across tenants, and deletes velocity
// counts older than any window (MaxWindow); run it on a schedule.
// Running it twice changes nothing more.
func (s *Service) Sweep(ctx context.Context, limit int) (released, expired int64, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if released, expired, err = sweep(ctx, tx, s.now(), limit); err != nil {
			return err
		}
		return sweepVelocity(ctx, tx, s.now(), limit)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("coupon: sweep: %w", err)
	}
	return released, expired, nil
}

// PreviewRequest prices a cart with a customer's coupon.
type PreviewRequest struct {
	CustomerID string
	Cart       engine.Cart
	Context    engine.Context // channel, store, region, brand, payment method…; time is now
	Signals    Signals        // checked (not recorded) against the template's velocity rules
}

// Preview is a cart priced with a coupon: the engine's whole result (the coupon
// combined with the tenant's other promotions, as an order would be priced) and
// what the coupon's promotion took.
type Preview struct {
	Coupon   Coupon
	Template Template
	Applied  bool
	Discount int64  // the coupon's promotion's discount (goods and delivery)
	Reason   string // why the engine did not apply it
	Result   engine.Result
}

// Preview prices r.Cart with the coupon of code through the promotion engine
// without locking it; a use a velocity rule would block is refused as Lock would
// refuse it, and nothing is recorded. Errors: invalid (path.code before any lookup,
// body.*), not_found, conflict (ErrUnavailable, ErrCustomerBarred, a block rule),
// unauthorized, forbidden.
func (s *Service) Preview(ctx context.Context, code string, r PreviewRequest) (Preview, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite, auth.LoyaltyRead)
	if err != nil {
		return Preview{}, err
	}
	code, err = ParseCode("path.code", code)
	if err != nil {
		return Preview{}, err
	}
	live, err := s.liveCustomer(ctx, r.CustomerID, "body.customer_id")
	if err != nil {
		return Preview{}, fmt.Errorf("coupon: preview: %w", err)
	}
	c, t, err := s.usable(ctx, s.db.Reader(), p.TenantID, code, live, "", "path.code")
	if err != nil {
		return Preview{}, fmt.Errorf("coupon: preview: %w", err)
	}
	use := velocityUse{tenantID: p.TenantID, templateID: t.ID, customerID: live, couponID: c.ID}
	if err := s.checkVelocity(ctx, s.db.Reader(), use, r.Signals, false); err != nil {
		return Preview{}, fmt.Errorf("coupon: preview: %w", err)
	}
	pc := r.Context
	pc.Time, pc.Coupons, pc.Limited, pc.FlashAllowance = s.now(), []string{t.PromoCode}, nil, nil
	res, err := s.deps.Promotions.PriceCart(asPromotions(ctx, p), r.Cart, pc, live)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Coupon: c, Template: t, Result: res}
	for _, a := range res.Applied {
		if a.PromotionID == t.PromotionID {
			out.Applied, out.Discount = true, out.Discount+a.Discount
		}
	}
	if d := res.Delivery; d != nil && d.PromotionID == t.PromotionID && d.Discount > 0 {
		out.Applied, out.Discount = true, out.Discount+d.Discount
	}
	for _, r := range res.Rejected {
		if r.PromotionID == t.PromotionID && out.Reason == "" {
			out.Reason = r.Message
		}
	}
	return out, nil
}

// Present checks the coupon codes a client sends with an order of customerID in
// tenantID: codes shaped like coupon codes are parsed (a wrong check character is
// invalid, naming body.coupons[i]) and must be the customer's usable coupons, and
// come back as held (the engine gets their templates' internal codes in codes);
// other codes pass through as shared promotion codes, except the internal prefix,
// which is dropped. Errors: invalid, not_found, conflict (ErrUnavailable,
// ErrCustomerBarred).
func (s *Service) Present(ctx context.Context, tenantID, customerID string, presented []string) (codes []string, held []Held, err error) {
	var live string
	for i, raw := range presented {
		field := fmt.Sprintf("body.coupons[%d]", i)
		if strings.HasPrefix(strings.ToLower(raw), PromoCodePrefix) {
			continue // only a checked coupon presents a template's code
		}
		if !LooksLikeCode(raw) {
			codes = append(codes, raw)
			continue
		}
		code, err := ParseCode(field, raw)
		if err != nil {
			return nil, nil, err
		}
		if customerID == "" {
			return nil, nil, errs.Field(field, "a coupon is a customer's: the order needs the customer")
		}
		if live == "" {
			if live, _, err = s.deps.Customers.FindCustomerCluster(ctx, customerID); err != nil {
				return nil, nil, fmt.Errorf("coupon: present: %w", err)
			}
		}
		c, t, err := s.usable(ctx, s.db.Reader(), tenantID, code, live, "", field)
		if err != nil {
			return nil, nil, fmt.Errorf("coupon: present: %w", err)
		}
		// A customer a reviewer barred from the template is refused here already, so
		// that a till ticket prices the sale without the coupon (LockTx checks again).
		barred, err := customerBarred(ctx, s.db.Reader(), tenantID, t.ID, live)
		if err != nil {
			return nil, nil, fmt.Errorf("coupon: present: %w", err)
		}
		if barred {
			return nil, nil, fmt.Errorf("%s: %w", field, ErrCustomerBarred)
		}
		held = append(held, Held{CouponID: c.ID, Code: c.Code, CustomerID: c.CustomerID, TemplateID: t.ID, PromotionID: t.PromotionID, PromoCode: t.PromoCode})
		codes = append(codes, t.PromoCode)
	}
	return codes, held, nil
}

// LockTx locks, inside the order's transaction tx, the held coupons whose promotion
// the order applied (applied: promotion ids) to orderID; a coupon that did not apply
// stays free, and so does a second coupon of the same template (the engine applies a
// promotion once). A coupon taken meanwhile fails the order with ErrUnavailable.
// Each coupon used is checked against its template's velocity rules with sg (the
// order's signals) first, in template order so that two orders lock the counters in
// the same order; a block fails the order (conflict naming the signal's field), and
// so does ErrCustomerBarred.
func (s *Service) LockTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, held []Held, applied map[string]bool, sg Signals) error {
	now := s.now()
	locked := map[string]bool{}
	var use []Held
	for _, h := range held {
		// The engine applies a template's promotion once: one coupon of it is used, a
		// second one presented with it stays free.
		if !applied[h.PromotionID] || locked[h.PromotionID] {
			continue
		}
		locked[h.PromotionID] = true
		use = append(use, h)
	}
	slices.SortFunc(use, func(a, b Held) int { return strings.Compare(a.TemplateID, b.TemplateID) })
	for _, h := range use {
		live, _, err := s.deps.Customers.FindCustomerCluster(ctx, h.CustomerID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return fmt.Errorf("coupon: lock for order %s: %w", orderID, err)
		}
		if live == "" {
			live = h.CustomerID
		}
		u := velocityUse{tenantID: tenantID, templateID: h.TemplateID, customerID: live, couponID: h.CouponID, ref: orderID}
		if err := s.checkVelocity(ctx, tx, u, sg, true); err != nil {
			return fmt.Errorf("coupon %s: %w", Format(h.Code), err)
		}
	}
	for _, h := range use {
		won, err := lockCoupon(ctx, tx, tenantID, h.CouponID, h.CustomerID, orderID, now, now.Add(s.cfg.LockTTL))
		if err != nil {
			return fmt.Errorf("coupon: lock for order %s: %w", orderID, err)
		}
		if !won {
			return fmt.Errorf("coupon %s: %w", Format(h.Code), ErrUnavailable)
		}
	}
	return nil
}
