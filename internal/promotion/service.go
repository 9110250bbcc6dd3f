package promotion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Service is the promotion use cases and the pricing entry point. Every method acts
// for the principal in ctx (auth.FromContext) and within its tenant.
type Service struct {
	db        *db.DB
	outbox    *events.Outbox
	audit     *audit.Log
	clock     clock.Clock
	customers CustomerFinder
	stores    StoreZones
	catalog   Catalog
	tokenKey  []byte
	tokenTTL  time.Duration

	mu      sync.Mutex
	indexes map[string]tenantIndex // by tenant id
	zones   sync.Map               // IANA name → *time.Location (LoadLocation reads tzdata from disk)
	// storeZones remembers stores' time zones for a minute.
	storeZones zoneCache
}

// location returns the named time zone, loaded once per service.
func (s *Service) location(name string) (*time.Location, error) {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, loc)
	return loc, nil
}

// tenantIndex is a tenant's index of active promotions and the promotions version it
// was built from, with what pricing needs of their limits: the exhausted ones (id →
// why, for engine.Context.Limited), the per-customer use limits and the flash-sale
// per-customer unit limits. A redemption that exhausts a promotion, or a cancellation
// that frees it again, bumps the version.
type tenantIndex struct {
	version     int64
	checked     time.Time // when version was last read from the database
	ix          *engine.Index
	exhausted   map[string]string
	perCustomer map[string]int64
	flashLimit  map[string]int64
	settings    Settings
}

// CustomerFinder is what the promotion service needs of the identity domain: which
// customer an id is, so that per-customer limits count one person once however many
// of their merged ids the tills send.
type CustomerFinder interface {
	// FindCustomerCluster returns the live customer that id is or was merged into and
	// the ids merged into it, in the caller's tenant. It returns an errs.NotFound error
	// for an id unknown in the tenant or erased.
	FindCustomerCluster(ctx context.Context, id string) (live string, merged []string, err error)
}

// Config is what the promotion service needs besides its stores.
type Config struct {
	// Customers resolves customer ids for per-customer limits; required.
	Customers CustomerFinder
	// Stores gives stores' time zones; nil means every price uses the tenant's zone.
	Stores StoreZones
	// Catalog matches basket files' SKU codes, barcodes and category codes and names
	// SKUs in simulation reports; nil means basket values are taken as they are.
	Catalog Catalog
	// TokenKey signs priced-cart tokens (at least 32 bytes, the same on every node,
	// derived from the server's master secret); required.
	TokenKey []byte
	// TokenTTL is how long a priced-cart token may be committed; 0 means
	// DefaultTokenTTL.
	TokenTTL time.Duration
}

// NewService returns the promotion service. It panics when cfg lacks Customers or a
// TokenKey of at least 32 bytes (a wiring mistake, not a runtime condition).
func NewService(d *db.DB, outbox *events.Outbox, audit *audit.Log, c clock.Clock, cfg Config) *Service {
	if cfg.Customers == nil || len(cfg.TokenKey) < 32 {
		panic("promotion: NewService needs Config.Customers and a TokenKey of at least 32 bytes")
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	return &Service{db: d, outbox: outbox, audit: audit, clock: c, customers: cfg.Customers, stores: cfg.Stores,
		catalog: cfg.Catalog, tokenKey: slices.Clone(cfg.TokenKey), tokenTTL: cfg.TokenTTL, indexes: map[string]tenantIndex{}}
}

// Page limits.
const (
	defaultLimit = 50
)

func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

func (s *Service) lock() string {
	if s.db.Dialect == db.Postgres {
		return " FOR UPDATE OF p"
	}
	return ""
}

// writer returns the principal when it may change promotions: promotions:write over
// the whole tenant.
func writer(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.PromotionsWrite, "changing promotions")
}

// pricer returns the principal when it may price carts: pricing:use or promotions:read.
func pricer(ctx context.Context) (*auth.Principal, error) {
	return eitherScope(ctx, auth.PricingUse, auth.PromotionsRead, "pricing")
}

// eitherScope returns the principal when it holds scope a or scope b; what names the
// use case in the forbidden error.
func eitherScope(ctx context.Context, a, b auth.Scope, what string) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(a) && !p.Has(b) {
		return nil, errs.E(errs.Forbidden, "%s needs %s or %s", what, a, b)
	}
	return p, nil
}

func eventOf(p Promotion) PromotionEvent {
	return PromotionEvent{ID: p.ID, Code: p.Code, Name: p.Name, Kind: string(p.Definition.Kind), Status: p.Status}
}

// forget makes the next price of the tenant read the promotions version again: a
// change made through this service is priced at once on this node. It is called both
// inside the transaction that bumps the version (RedeemTx runs in the caller's) and
// after the commit where the service owns it, so that a price racing the commit
// cannot keep the old index for longer than VersionCheckInterval.
func (s *Service) forget(tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ti, ok := s.indexes[tenantID]; ok {
		ti.checked = time.Time{}
		s.indexes[tenantID] = ti
	}
}

// record writes the audit entry and the outbox event of a change in tx and bumps the
// tenant's promotions version so that every node rebuilds its index.
func (s *Service) record(ctx context.Context, tx *sql.Tx, p Promotion, action string, changes any, eventType string) error {
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: action, ResourceType: "promotion", ResourceID: p.ID, Changes: changes}); err != nil {
		return err
	}
	if _, err := s.outbox.Publish(ctx, tx, p.TenantID, eventType, p.ID, eventOf(p)); err != nil {
		return err
	}
	s.forget(p.TenantID)
	return bumpVersion(ctx, tx, p.TenantID)
}

// CreatePromotion stores a draft promotion. Errors: invalid (body.code,
// body.name, body.definition.<path> from engine.Promotion.Validate), conflict (code
// taken), unauthorized, forbidden.
func (s *Service) CreatePromotion(ctx context.Context, in NewPromotion) (Promotion, error) {
	pr, err := writer(ctx)
	if err != nil {
		return Promotion{}, err
	}
	if !bizcode.Valid(in.Code) {
		return Promotion{}, errs.Field("body.code", "1..64 letters, digits, '-', '_' or '.'")
	}
	if in.Name == "" || len(in.Name) > 200 {
		return Promotion{}, errs.Field("body.name", "1..200 bytes")
	}
	if err := in.Limits.validate("body.limits"); err != nil {
		return Promotion{}, err
	}
	now := s.now()
	p := Promotion{ID: ids.New(), TenantID: pr.TenantID, Code: in.Code, Name: in.Name, Status: StatusDraft,
		Definition: in.Definition, Limits: in.Limits, CreatedAt: now, UpdatedAt: now}
	p.Definition.ID, p.Definition.Name, p.Definition.Code = p.ID, p.Name, p.Code
	if err := validateDefinition("body.definition", &p.Definition); err != nil {
		return Promotion{}, err
	}
	if err := p.Limits.fits("body.limits", &p.Definition); err != nil {
		return Promotion{}, err
	}
	p.StartsAt, p.EndsAt = windowOf(&p.Definition)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertPromotion(ctx, tx, &p); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "promotion code %q is taken", p.Code)
			}
			return err
		}
		return s.record(ctx, tx, p, "promotion.create", map[string]any{"code": p.Code, "name": p.Name, "kind": p.Definition.Kind}, EventPromotionCreated)
	})
	s.forget(pr.TenantID)
	if err != nil {
		return Promotion{}, fmt.Errorf("promotion: create: %w", err)
	}
	return p, nil
}

// UpdatePromotion changes a promotion's name or definition; the definition of an
// active or ended promotion cannot change (pause it first). Errors: invalid
// (body.name, body.definition.<path>), conflict (definition of an active or ended
// promotion), not_found, unauthorized, forbidden.
func (s *Service) UpdatePromotion(ctx context.Context, id string, u PromotionUpdate) (Promotion, error) {
	pr, err := writer(ctx)
	if err != nil {
		return Promotion{}, err
	}
	if u.Name != nil && (*u.Name == "" || len(*u.Name) > 200) {
		return Promotion{}, errs.Field("body.name", "1..200 bytes")
	}
	if u.Limits != nil {
		if err := u.Limits.validate("body.limits"); err != nil {
			return Promotion{}, err
		}
	}
	var p Promotion
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = getPromotion(ctx, tx, pr.TenantID, id, s.lock()); err != nil {
			return err
		}
		if u.Definition != nil {
			if p.Status != StatusDraft && p.Status != StatusPaused {
				return errs.E(errs.Conflict, "the definition of a %s promotion cannot change; pause it first", p.Status)
			}
			p.Definition = *u.Definition
		}
		if u.Name != nil {
			p.Name = *u.Name
		}
		if u.Limits != nil {
			p.Limits = *u.Limits
		}
		p.Definition.ID, p.Definition.Name, p.Definition.Code = p.ID, p.Name, p.Code
		if err := validateDefinition("body.definition", &p.Definition); err != nil {
			return err
		}
		if err := p.Limits.fits("body.limits", &p.Definition); err != nil {
			return err
		}
		p.StartsAt, p.EndsAt = windowOf(&p.Definition)
		p.UpdatedAt = s.now()
		if err := updatePromotion(ctx, tx, &p); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "promotion.update", map[string]any{"name": p.Name, "definition_changed": u.Definition != nil,
			"limits_changed": u.Limits != nil}, EventPromotionUpdated)
	})
	s.forget(pr.TenantID)
	if err != nil {
		return Promotion{}, fmt.Errorf("promotion: update: %w", err)
	}
	return p, nil
}

// allowedFrom lists the statuses a promotion may move to status to from.
func allowedFrom(to Status) []Status {
	switch to {
	case StatusActive:
		return []Status{StatusDraft, StatusPaused}
	case StatusPaused:
		return []Status{StatusActive}
	case StatusEnded:
		return []Status{StatusDraft, StatusActive, StatusPaused}
	}
	return nil
}

// Activate makes a draft or paused promotion active (priced from the next call).
// Errors: conflict (from another status), not_found, unauthorized, forbidden.
func (s *Service) Activate(ctx context.Context, id string) (Promotion, error) {
	return s.transition(ctx, id, StatusActive, "promotion.activate", EventPromotionActivated)
}

// Pause stops an active promotion. Errors: conflict, not_found, unauthorized, forbidden.
func (s *Service) Pause(ctx context.Context, id string) (Promotion, error) {
	return s.transition(ctx, id, StatusPaused, "promotion.pause", EventPromotionPaused)
}

// End ends a promotion for good. Errors: conflict (already ended), not_found,
// unauthorized, forbidden.
func (s *Service) End(ctx context.Context, id string) (Promotion, error) {
	return s.transition(ctx, id, StatusEnded, "promotion.end", EventPromotionEnded)
}

func (s *Service) transition(ctx context.Context, id string, to Status, action, eventType string) (Promotion, error) {
	pr, err := writer(ctx)
	if err != nil {
		return Promotion{}, err
	}
	var p Promotion
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = getPromotion(ctx, tx, pr.TenantID, id, s.lock()); err != nil {
			return err
		}
		from := p.Status
		ok := false
		for _, f := range allowedFrom(to) {
			ok = ok || f == from
		}
		if !ok {
			return errs.E(errs.Conflict, "a %s promotion cannot become %s", from, to)
		}
		p.Status, p.UpdatedAt = to, s.now()
		if err := updatePromotion(ctx, tx, &p); err != nil {
			return err
		}
		return s.record(ctx, tx, p, action, map[string]any{"before": from, "after": to}, eventType)
	})
	s.forget(pr.TenantID)
	if err != nil {
		return Promotion{}, fmt.Errorf("promotion: %s: %w", action, err)
	}
	return p, nil
}

// FindPromotionByID returns a promotion of the tenant. Errors: not_found, unauthorized.
func (s *Service) FindPromotionByID(ctx context.Context, id string) (Promotion, error) {
	pr, err := auth.Caller(ctx)
	if err != nil {
		return Promotion{}, err
	}
	p, err := getPromotion(ctx, s.db.Reader(), pr.TenantID, id, "")
	if err != nil {
		return Promotion{}, fmt.Errorf("promotion: find: %w", err)
	}
	return p, nil
}

// FindPromotions returns a page of the tenant's promotions ordered by id; an
// Effective filter is judged at f.At, now when zero. Errors: invalid (query.status,
// query.effective_status, query.cursor), unauthorized.
func (s *Service) FindPromotions(ctx context.Context, f PromotionFilter) (httpapi.Page[Promotion], error) {
	pr, err := auth.Caller(ctx)
	if err != nil {
		return httpapi.Page[Promotion]{}, err
	}
	switch f.Status {
	case "", StatusDraft, StatusActive, StatusPaused, StatusEnded:
	default:
		return httpapi.Page[Promotion]{}, errs.Field("query.status", "must be draft, active, paused or ended")
	}
	if f.Effective != "" && !validEffective(f.Effective) {
		return httpapi.Page[Promotion]{}, errs.Field("query.effective_status", "must be draft, scheduled, running, paused or ended")
	}
	if f.At.IsZero() {
		f.At = s.now()
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]Promotion, error) {
		return findPromotions(ctx, s.db.Reader(), pr.TenantID, f, after, n)
	}, func(p Promotion) string { return p.ID })
	if err != nil {
		return httpapi.Page[Promotion]{}, fmt.Errorf("promotion: find: %w", err)
	}
	return page, nil
}

// VersionCheckInterval is how long pricing trusts a tenant's index before it reads
// the tenant's promotions version again: a change made on another node (a promotion
// activated, a budget exhausted by a commit there) reaches this node's prices within
// it. A change made through this service is seen by the next price at once (forget).
// Commits never rely on the index: they check limits against the database.
const VersionCheckInterval = 250 * time.Millisecond

// index returns the tenant's index of active promotions, rebuilding it when the
// tenant's promotions version in the database differs from the one it was built from;
// the version is read at most once per VersionCheckInterval.
func (s *Service) index(ctx context.Context, tenantID string) (tenantIndex, error) {
	now := s.clock.Now()
	s.mu.Lock()
	cached, ok := s.indexes[tenantID]
	s.mu.Unlock()
	if ok && !now.Before(cached.checked) && now.Sub(cached.checked) < VersionCheckInterval {
		return cached, nil
	}
	v, err := readVersion(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return tenantIndex{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ti, ok := s.indexes[tenantID]; ok && ti.version == v {
		ti.checked = now
		s.indexes[tenantID] = ti
		return ti, nil
	}
	rows, err := activePromotions(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return tenantIndex{}, err
	}
	settings, err := readSettings(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return tenantIndex{}, err
	}
	ti := tenantIndex{version: v, checked: now, exhausted: map[string]string{}, perCustomer: map[string]int64{}, flashLimit: map[string]int64{},
		settings: settings}
	defs := make([]engine.Promotion, len(rows))
	for i := range rows {
		p := &rows[i]
		defs[i] = p.Definition
		if why := p.exhausted(); why != "" {
			ti.exhausted[p.ID] = why
		}
		if m := p.Limits.MaxUsesPerCustomer; m != nil {
			ti.perCustomer[p.ID] = *m
		}
		if n := p.Definition.UnitLimit(); n > 0 {
			ti.flashLimit[p.ID] = n
		}
	}
	ti.ix = engine.NewIndex(defs)
	s.indexes[tenantID] = ti
	return ti, nil
}

// PriceCart prices a cart against the tenant's active promotions; a zero
// Context.Time means now. Promotions whose budget or uses are exhausted do not apply
// (limit_reached). With a customerID — which must be a customer of the tenant — the
// usage of that customer and of the ids merged into it marks the promotions they have
// used up and fills Context.FlashAllowance; the caller's FlashAllowance entries can
// only lower an allowance, never raise it. Errors: invalid (naming the cart field
// under body., body.customer_id), unauthorized, forbidden.
func (s *Service) PriceCart(ctx context.Context, cart engine.Cart, pc engine.Context, customerID string) (engine.Result, error) {
	pr, err := pricer(ctx)
	if err != nil {
		return engine.Result{}, err
	}
	return s.priceFor(ctx, pr.TenantID, cart, pc, customerID)
}

// priceFor is PriceCart for a caller already authorised (a commit prices its cart
// again under pricing:use or promotions:write).
func (s *Service) priceFor(ctx context.Context, tenantID string, cart engine.Cart, pc engine.Context, customerID string) (engine.Result, error) {
	ti, err := s.index(ctx, tenantID)
	if err != nil {
		return engine.Result{}, fmt.Errorf("promotion: price: %w", err)
	}
	var used []customerUse
	if customerID != "" {
		live, merged, err := s.customers.FindCustomerCluster(ctx, customerID)
		if errs.Is(err, errs.NotFound) {
			return engine.Result{}, errs.Field("body.customer_id", "no customer %s in this tenant", customerID)
		}
		if err != nil {
			return engine.Result{}, fmt.Errorf("promotion: price: %w", err)
		}
		if len(ti.perCustomer) > 0 || len(ti.flashLimit) > 0 {
			if used, err = customerUsage(ctx, s.db.Reader(), s.db.Dialect, tenantID, append([]string{live}, merged...)); err != nil {
				return engine.Result{}, fmt.Errorf("promotion: price: %w", err)
			}
		}
	}
	customerLimits(ti, used, &pc)
	pc.ItemStacking = ti.settings.ItemStacking
	if pc.Location == nil {
		if pc.Location, err = s.pricingZone(ctx, tenantID, pc.StoreID, ti.settings); err != nil {
			return engine.Result{}, fmt.Errorf("promotion: price: %w", err)
		}
	}
	return s.price(ti.ix, cart, pc)
}

// SignedPrice is a priced cart and the priced-cart token that commits it.
type SignedPrice struct {
	Result    engine.Result
	Token     string
	ExpiresAt time.Time
}

// PriceCartForCommit prices a cart like PriceCart and signs the result: the token
// carries the frozen priced cart (lines, nets, per-line shares, the customer, store
// and time) for POST /api/v1/promotion-redemptions and return quotes, under the
// server's key, until ExpiresAt. Errors: those of PriceCart.
func (s *Service) PriceCartForCommit(ctx context.Context, cart engine.Cart, pc engine.Context, customerID string) (SignedPrice, error) {
	if pc.Time.IsZero() {
		pc.Time = s.now()
	}
	res, err := s.PriceCart(ctx, cart, pc, customerID)
	if err != nil {
		return SignedPrice{}, err
	}
	tenantID := auth.FromContext(ctx).TenantID
	token, exp, err := s.signPriced(pricedOf(tenantID, customerID, pc, res))
	if err != nil {
		return SignedPrice{}, err
	}
	return SignedPrice{Result: res, Token: token, ExpiresAt: exp}, nil
}

// customerLimits adds what the customer has used to pc: promotions at their
// per-customer use limit go to Limited, flash-sale allowances to FlashAllowance (a
// caller's entry only lowers what is left).
func customerLimits(ti tenantIndex, used []customerUse, pc *engine.Context) {
	pc.Limited = ti.exhausted
	if len(used) == 0 && len(pc.FlashAllowance) == 0 {
		return
	}
	limited := make(map[string]string, len(ti.exhausted)+len(used))
	for id, why := range ti.exhausted {
		limited[id] = why
	}
	allowance := make(map[string]int64, len(used)+len(pc.FlashAllowance))
	for id, f := range ti.flashLimit {
		allowance[id] = f
	}
	for _, u := range used {
		if m, ok := ti.perCustomer[u.PromotionID]; ok && u.Uses >= m {
			if _, ok := limited[u.PromotionID]; !ok {
				limited[u.PromotionID] = fmt.Sprintf("the customer has used the promotion %d times, the limit per customer", m)
			}
		}
		if f, ok := ti.flashLimit[u.PromotionID]; ok {
			allowance[u.PromotionID] = max(f-u.FlashUnits, 0)
		}
	}
	for id, n := range pc.FlashAllowance {
		if left, ok := allowance[id]; !ok || n < left {
			allowance[id] = max(n, 0)
		}
	}
	pc.Limited, pc.FlashAllowance = limited, allowance
}

func (s *Service) price(ix *engine.Index, cart engine.Cart, pc engine.Context) (engine.Result, error) {
	if pc.Time.IsZero() {
		pc.Time = s.now()
	}
	if err := cart.Validate(); err != nil {
		return engine.Result{}, prefixed("body", err)
	}
	res, err := ix.Price(cart, pc)
	if err != nil {
		return engine.Result{}, prefixed("body", err)
	}
	return res, nil
}

// PreviewPromotion prices a sample cart against one promotion of the tenant alone,
// whatever its status (a draft too). Errors: invalid, not_found, unauthorized.
func (s *Service) PreviewPromotion(ctx context.Context, id string, cart engine.Cart, pc engine.Context) (engine.Result, error) {
	p, err := s.FindPromotionByID(ctx, id)
	if err != nil {
		return engine.Result{}, err
	}
	if pc.Location == nil {
		tenantID := auth.FromContext(ctx).TenantID
		st, err := readSettings(ctx, s.db.Reader(), tenantID)
		if err != nil {
			return engine.Result{}, fmt.Errorf("promotion: preview: %w", err)
		}
		if pc.Location, err = s.pricingZone(ctx, tenantID, pc.StoreID, st); err != nil {
			return engine.Result{}, fmt.Errorf("promotion: preview: %w", err)
		}
	}
	return s.price(engine.NewIndex([]engine.Promotion{p.Definition}), cart, pc)
}

// prefixed re-names the field of an errs.Invalid error under prefix.
func prefixed(prefix string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" {
		return errs.Field(prefix+"."+e.Field, "%s", e.Message)
	}
	return err
}
