package promotion

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// RedemptionStatus is the state of an order's redemptions.
type RedemptionStatus string

// The redemption statuses.
const (
	RedemptionCommitted RedemptionStatus = "committed"
	RedemptionCancelled RedemptionStatus = "cancelled"
)

// RedemptionLine is one promotion an order used: the discount the shopper got (goods
// or delivery), the value charged to its budget (the discount, or a gift's value) and
// the units bought at a flash-sale price.
type RedemptionLine struct {
	PromotionID string
	Code        string // filled from the promotion on commit
	Kind        engine.Kind
	DiscountFen int64
	ValueFen    int64
	FlashUnits  int64
}

// NewRedemption is the input of CommitRedemption: an order id and either the
// priced-cart token that POST /api/v1/carts/price returned or the cart itself, which
// the server prices again at the order's time. Payable, when set (always with a cart),
// is what the till charged: it must be what the server prices.
type NewRedemption struct {
	OrderID     string
	PricedToken string
	Cart        *engine.Cart
	Context     engine.Context // with Cart: who, where, when (Time zero: now)
	CustomerID  string         // with Cart
	Payable     *int64
}

// Redemption is what an order took from promotions. Priced is false for orders
// recorded before redemptions kept the priced cart (their lines and shares are
// unknown); then Cart is empty.
type Redemption struct {
	OrderID     string
	CustomerID  string
	Status      RedemptionStatus
	Lines       []RedemptionLine
	CreatedAt   time.Time
	CancelledAt *time.Time
	Priced      bool
	Cart        PricedCart // lines, shares and totals as the server priced them
}

// The kinds of refusal a commit or a return quote answers with their own problem
// type (urn:oneretail:problem:<kind>), all 409.
const (
	LimitBudget      = "budget_exhausted"
	LimitUses        = "usage_limit_reached"
	LimitPerCustomer = "customer_limit_reached"
	LimitTotal       = "usage_total_exceeded" // the usage would pass money.MaxTotal
	RefusedInactive  = "promotion_not_active" // draft, paused or ended since pricing
	RefusedMismatch  = "price_mismatch"       // the till's payable is not the server's
	RefusedTokenUsed = "priced_token_used"    // the token was committed as another order
	RefusedCancelled = "redemption_cancelled" // a return quote for a cancelled order
	RefusedNoShares  = "shares_not_recorded"  // a return quote for an order recorded before shares
)

// LimitError is a refusal with its own problem type: a limit a commit would exceed
// (LimitBudget, LimitUses, LimitPerCustomer, LimitTotal) or another refusal kind
// (RefusedInactive, RefusedMismatch, …). It unwraps to an errs.Conflict error.
type LimitError struct {
	Kind        string
	PromotionID string
	Code        string
	Field       string // the request field at fault, if any
	Payable     *int64 // RefusedMismatch: what the server prices the cart at
	Message     string
}

func (e *LimitError) Error() string { return e.Message }

// Unwrap classifies the error as a conflict.
func (e *LimitError) Unwrap() error { return errs.E(errs.Conflict, "%s", e.Message) }

// ErrLimitsChanged says that a promotion's status or limits changed while a commit
// was reading them: the commit starts again (RedeemTx's caller rolls back and retries).
var ErrLimitsChanged = errors.New("promotion: limits changed during the commit")

// errVersionChanged is ErrLimitsChanged inside this package. errTokenTaken says that the order's
// priced-cart token is already recorded: a concurrent replay of the same order, or
// another order committing the same token.
var (
	errVersionChanged = ErrLimitsChanged
	errTokenTaken     = errors.New("promotion: priced-cart token already committed")
)

// redeemer returns the principal when it may record redemptions: pricing:use (the
// POS or order service committing an order) or promotions:write, over the tenant.
func redeemer(ctx context.Context) (*auth.Principal, error) {
	return tenantWide(eitherScope(ctx, auth.PricingUse, auth.PromotionsWrite, "recording redemptions"))
}

// buyer is the customer of a commit: the live customer and the ids merged into it.
type buyer struct {
	live   string
	merged []string
}

// CommitRedemption records what an order takes from promotions, all or nothing, from
// what the server priced: the priced-cart token's frozen cart, or the cart priced
// again now with the same engine at the order's time, store and customer. Each used
// promotion's usage grows by its value and one use, and the customer's by one use
// and the flash-sale units; a promotion that gave nothing is not a use. Replaying an
// order id returns the first result whatever the input (a cancelled order stays
// cancelled). Concurrent commits never overrun a limit: each total moves with one
// conditional UPDATE that reads the limit it checks.
//
// Errors: invalid (body.order_id; body.priced_token forged, expired or another
// tenant's; body.cart.* and body.cart.customer_id unknown; the order's time out of
// range), conflict (*LimitError: a limit, RefusedInactive, RefusedMismatch naming
// body.payable, RefusedTokenUsed), unauthorized, forbidden.
func (s *Service) CommitRedemption(ctx context.Context, in NewRedemption) (Redemption, error) {
	pr, err := redeemer(ctx)
	if err != nil {
		return Redemption{}, err
	}
	if in.OrderID == "" || len(in.OrderID) > 64 {
		return Redemption{}, errs.Field("body.order_id", "1..64 bytes")
	}
	if r, err := getRedemption(ctx, s.db.Reader(), pr.TenantID, in.OrderID); err == nil {
		return r, nil // a replay
	} else if !errs.Is(err, errs.NotFound) {
		return Redemption{}, fmt.Errorf("promotion: commit redemption: %w", err)
	}
	priced, tokenID, customerField, err := s.pricedForCommit(ctx, pr, in)
	if err != nil {
		return Redemption{}, err
	}
	var who buyer
	if priced.CustomerID != "" {
		if who.live, who.merged, err = s.customers.FindCustomerCluster(ctx, priced.CustomerID); errs.Is(err, errs.NotFound) {
			return Redemption{}, errs.Field(customerField, "no customer %s in this tenant", priced.CustomerID)
		} else if err != nil {
			return Redemption{}, fmt.Errorf("promotion: commit redemption: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		out, err := s.commitOnce(ctx, pr.TenantID, in.OrderID, tokenID, priced, who)
		if errors.Is(err, errVersionChanged) && attempt < 8 {
			continue
		}
		if errors.Is(err, errTokenTaken) {
			if r, err := getRedemption(ctx, s.db.Reader(), pr.TenantID, in.OrderID); err == nil {
				return r, nil // a concurrent replay of this order won
			}
			return Redemption{}, &LimitError{Kind: RefusedTokenUsed, Field: "body.priced_token",
				Message: "this priced cart was already committed as another order; price the new order's cart"}
		}
		if err != nil {
			return Redemption{}, fmt.Errorf("promotion: commit redemption: %w", err)
		}
		return out, nil
	}
}

// pricedForCommit returns the priced cart an order commits: the token's (verified)
// or the cart priced again; the token's id ("" for a cart) and the field that names
// the customer. It refuses an order time out of range and a payable that is not the
// server's.
func (s *Service) pricedForCommit(ctx context.Context, pr *auth.Principal, in NewRedemption) (PricedCart, string, string, error) {
	var priced PricedCart
	var tokenID, customerField, timeField string
	switch {
	case (in.PricedToken == "") == (in.Cart == nil):
		return priced, "", "", errs.Field("body.priced_token", "give priced_token (from POST /api/v1/carts/price) or cart, not both")
	case in.PricedToken != "":
		c, err := s.openPriced(pr.TenantID, in.PricedToken, "body.priced_token")
		if err != nil {
			return priced, "", "", err
		}
		priced, tokenID, customerField, timeField = c.Cart, c.ID, "body.priced_token", "body.priced_token"
	default:
		if in.Payable == nil {
			return priced, "", "", errs.Field("body.payable", "required with cart: what the till charged, which must be what the server prices")
		}
		if in.Context.Time.IsZero() {
			in.Context.Time = s.clock.Now()
		}
		if err := s.checkOrderTime(in.Context.Time, "body.cart.time"); err != nil {
			return priced, "", "", err
		}
		res, err := s.priceFor(ctx, pr.TenantID, *in.Cart, in.Context, in.CustomerID)
		if err != nil {
			return priced, "", "", underCart(err)
		}
		priced, customerField = pricedOf(pr.TenantID, in.CustomerID, in.Context, res), "body.cart.customer_id"
	}
	if timeField != "" {
		if err := s.checkOrderTime(priced.At, timeField); err != nil {
			return priced, "", "", err
		}
	}
	if in.Payable != nil && *in.Payable != priced.Payable {
		p := priced.Payable
		return priced, "", "", &LimitError{Kind: RefusedMismatch, Field: "body.payable", Payable: &p,
			Message: fmt.Sprintf("the till charged %s but the server prices the cart at %s; price it again and show the shopper the server's price",
				engine.Yuan(*in.Payable), engine.Yuan(p))}
	}
	return priced, tokenID, customerField, nil
}

// underCart re-names the body field of an invalid error under body.cart.
func underCart(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" && e.Code == errs.Invalid {
		f := e.Field
		if len(f) > 5 && f[:5] == "body." {
			f = f[5:]
		}
		return errs.Field("body.cart."+f, "%s", e.Message)
	}
	return err
}

// commitOnce runs one attempt of a commit in a transaction.
func (s *Service) commitOnce(ctx context.Context, tenantID, orderID, tokenID string, priced PricedCart, who buyer) (Redemption, error) {
	var out Redemption
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.commitTx(ctx, tx, tenantID, orderID, tokenID, priced, who)
		return err
	})
	s.forget(tenantID)
	return out, err
}

// commitTx records an order's redemptions in tx; a replay of orderID returns the
// first. Errors: *LimitError, errVersionChanged, errTokenTaken.
func (s *Service) commitTx(ctx context.Context, tx *sql.Tx, tenantID, orderID, tokenID string, priced PricedCart, who buyer) (Redemption, error) {
	finish, err := s.stageTx(ctx, tx, tenantID, orderID, tokenID, priced, who)
	if err != nil {
		return Redemption{}, err
	}
	return finish()
}

// stageTx writes an order's redemption rows in tx — the redemption, the priced
// cart, one row per used promotion (read in one statement, checked for status and
// units per customer) and the customer's usage — and returns what finishes it: the
// promotions' usage rows. The caller may run other statements in between; the
// usage rows' UPDATEs, which check that status and limits did not change
// meanwhile and read the budget and use limits themselves, should be its last: the
// lock every order of a popular promotion waits for is then held for those
// statements and the commit only. Per promotion the customer's row is locked
// before any usage row, in promotion id order — the same order in every
// transaction, so that orders never deadlock.
func (s *Service) stageTx(ctx context.Context, tx *sql.Tx, tenantID, orderID, tokenID string, priced PricedCart, who buyer) (func() (Redemption, error), error) {
	out := Redemption{OrderID: orderID, CustomerID: who.live, Status: RedemptionCommitted, CreatedAt: s.now(), Priced: true, Cart: priced}
	fresh, err := s.insertRedemption(ctx, tx, tenantID, out, tokenID)
	if db.IsUniqueViolation(err) {
		return nil, errTokenTaken
	}
	if err != nil {
		return nil, err
	}
	if !fresh {
		return func() (Redemption, error) { return getRedemption(ctx, tx, tenantID, orderID) }, nil
	}
	var used []PricedPromotion
	var ids []string
	for _, pp := range priced.Promotions { // in promotion id order
		if pp.Counts() {
			used, ids = append(used, pp), append(ids, pp.PromotionID)
		}
	}
	if len(used) == 0 {
		return func() (Redemption, error) { return out, nil }, nil
	}
	args := []any{tenantID}
	read, err := queryPromotions(ctx, tx, promotionSelect+` WHERE p.tenant_id = $1 AND p.id`+db.In(s.db.Dialect, &args, ids), args...)
	if err != nil {
		return nil, fmt.Errorf("read promotions: %w", err)
	}
	byID := make(map[string]Promotion, len(read))
	for _, p := range read {
		byID[p.ID] = p
	}
	lines := make([]RedemptionLine, len(used))
	proms := make([]Promotion, len(used))
	for i, pp := range used {
		l := RedemptionLine{PromotionID: pp.PromotionID, Kind: pp.Kind, DiscountFen: pp.Discount, ValueFen: pp.Value, FlashUnits: pp.FlashUnits}
		p, ok := byID[pp.PromotionID]
		if !ok {
			return nil, &LimitError{Kind: RefusedInactive, PromotionID: pp.PromotionID, Message: fmt.Sprintf("promotion %s no longer exists", pp.PromotionID)}
		}
		l.Code = p.Code
		if p.Status != StatusActive {
			return nil, limitRefusal(p, RefusedInactive, "the promotion is %s; only active promotions redeem — price the cart again", p.Status)
		}
		if limit := p.Definition.UnitLimit(); limit > 0 && l.FlashUnits > limit { // flash-sale or special-price units per customer
			return nil, limitRefusal(p, LimitPerCustomer, "%d units at the promotion's price exceed the limit of %d per customer", l.FlashUnits, limit)
		}
		lines[i], proms[i] = l, p
	}
	if err := insertRedemptionLines(ctx, tx, s.db.Dialect, tenantID, orderID, lines, used); err != nil {
		return nil, err
	}
	if who.live != "" {
		for i, p := range proms {
			flashLimit := p.Definition.UnitLimit()
			ok, err := addCustomerUsage(ctx, tx, s.db.Dialect, tenantID, p.ID, who, lines[i].FlashUnits, p.Limits.MaxUsesPerCustomer, flashLimit)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, limitRefusal(p, LimitPerCustomer, "the customer has reached the limit of %d use(s) or %d unit(s) at the promotion's price",
					nullOr(p.Limits.MaxUsesPerCustomer), flashLimit)
			}
		}
	}
	out.Lines = lines
	return func() (Redemption, error) {
		bump := false
		for i, p := range proms {
			if p.Limits.BudgetFen == nil && p.Limits.MaxUses == nil { // nothing to check against the total
				switch res, err := addShardUsage(ctx, tx, s.db.Dialect, tenantID, p.ID, orderID, p.version, lines[i].ValueFen); {
				case err != nil:
					return Redemption{}, err
				case res == shardVersionChanged:
					return Redemption{}, errVersionChanged
				case res == shardPastTotal:
					return Redemption{}, limitRefusal(p, LimitTotal, "the promotion's recorded discount would pass the largest total kept")
				}
				continue
			}
			u, ok, err := addUsage(ctx, tx, tenantID, p.ID, p.version, lines[i].ValueFen)
			if err != nil {
				return Redemption{}, err
			}
			if !ok {
				return Redemption{}, s.usageRefusal(ctx, tx, tenantID, p, lines[i].ValueFen, func(kind, format string, args ...any) error {
					return limitRefusal(p, kind, format, args...)
				})
			}
			after := p
			after.Limits, after.Usage = u.limits, u.usage
			bump = bump || after.exhausted() != ""
		}
		if bump {
			s.forget(tenantID)
			return out, bumpVersion(ctx, tx, tenantID)
		}
		return out, nil
	}, nil
}

// insertRedemption records a new redemption r with its priced cart (lines and the
// shares of the promotions it uses) and reports false, writing nothing, when its
// order was already recorded. On PostgreSQL that is one statement.
func (s *Service) insertRedemption(ctx context.Context, tx *sql.Tx, tenantID string, r Redemption, tokenID string) (bool, error) {
	if s.db.Dialect == db.Postgres {
		return insertRedemptionWithCart(ctx, tx, tenantID, r, tokenID)
	}
	fresh, err := insertRedemptionOrder(ctx, tx, tenantID, r, tokenID)
	if err != nil || !fresh {
		return false, err
	}
	return true, insertPricedCart(ctx, tx, s.db.Dialect, tenantID, r.OrderID, r.Cart)
}

// limitRefusal is a *LimitError about p.
func limitRefusal(p Promotion, kind, format string, args ...any) error {
	return &LimitError{Kind: kind, PromotionID: p.ID, Code: p.Code,
		Message: fmt.Sprintf("promotion %s (%s): ", p.Code, p.ID) + fmt.Sprintf(format, args...)}
}

// usageRefusal says why addUsage refused value: the promotion's status or limits
// changed (errVersionChanged: retry), or which total limit it would pass.
func (s *Service) usageRefusal(ctx context.Context, tx *sql.Tx, tenantID string, read Promotion, value int64,
	refuse func(kind, format string, args ...any) error) error {
	p, err := getPromotion(ctx, tx, tenantID, read.ID, "")
	if err != nil {
		return err
	}
	switch b := p.Limits.BudgetFen; {
	case p.version != read.version:
		return errVersionChanged
	case b != nil && p.Usage.DiscountFen+value > *b:
		return refuse(LimitBudget, "the discount %s exceeds the budget left, %s of %s",
			engine.Yuan(value), engine.Yuan(max(*b-p.Usage.DiscountFen, 0)), engine.Yuan(*b))
	case p.Limits.MaxUses != nil && p.Usage.Uses+1 > *p.Limits.MaxUses:
		return refuse(LimitUses, "the promotion has been used %d times, its limit", *p.Limits.MaxUses)
	}
	return refuse(LimitTotal, "the promotion's recorded discount would pass the largest total kept")
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
		out, err = s.cancelTx(ctx, tx, pr.TenantID, orderID)
		return err
	})
	s.forget(pr.TenantID)
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: cancel redemption: %w", err)
	}
	return out, nil
}

// cancelTx releases an order's redemptions in tx; a cancelled order stays as it is.
func (s *Service) cancelTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string) (Redemption, error) {
	out, err := getRedemptionForUpdate(ctx, tx, tenantID, orderID, s.lockOrder())
	if err != nil || out.Status == RedemptionCancelled {
		return out, err
	}
	now := s.now()
	out.Status, out.CancelledAt = RedemptionCancelled, &now
	if err := cancelRedemptionOrder(ctx, tx, tenantID, orderID, now); err != nil {
		return out, err
	}
	bump := false
	for _, l := range out.Lines { // in promotion id order, as commits lock them
		// The customer's row before the usage row, as commits lock them.
		if out.CustomerID != "" {
			if err := releaseCustomerUsage(ctx, tx, tenantID, out.CustomerID, l); err != nil {
				return out, err
			}
		}
		u, err := releaseUsage(ctx, tx, tenantID, l)
		if err != nil {
			return out, err
		}
		after := Promotion{Limits: u.limits, Usage: u.usage}
		before := Promotion{Limits: u.limits, Usage: Usage{DiscountFen: u.usage.DiscountFen + l.ValueFen, Uses: u.usage.Uses + 1}}
		bump = bump || (before.exhausted() != "" && after.exhausted() == "")
	}
	if bump {
		s.forget(tenantID)
		return out, bumpVersion(ctx, tx, tenantID)
	}
	return out, nil
}

// FindRedemptionByOrderID returns an order's redemptions with the priced cart they
// were recorded from. Errors: not_found, unauthorized, forbidden.
func (s *Service) FindRedemptionByOrderID(ctx context.Context, orderID string) (Redemption, error) {
	pr, err := redemptionReader(ctx)
	if err != nil {
		return Redemption{}, err
	}
	r, err := getRedemption(ctx, s.db.Reader(), pr.TenantID, orderID)
	if err != nil {
		return Redemption{}, fmt.Errorf("promotion: find redemption: %w", err)
	}
	return r, nil
}

// redemptionReader returns the principal when it may read redemptions and quote
// returns: pricing:use or promotions:read.
func redemptionReader(ctx context.Context) (*auth.Principal, error) {
	return tenantWide(eitherScope(ctx, auth.PricingUse, auth.PromotionsRead, "reading redemptions"))
}

// tenantWide passes p on when it covers the whole tenant: committed orders and their
// returns are the tenant's, not a brand's, region's or store's.
func tenantWide(p *auth.Principal, err error) (*auth.Principal, error) {
	if err != nil {
		return nil, err
	}
	if p.DataScope != auth.TenantScope {
		return nil, errs.E(errs.Forbidden, "orders and their redemptions need a principal over the whole tenant")
	}
	return p, nil
}

// ReturnRef names what a return is quoted against: a committed order (OrderID) or,
// for a what-if in the console, a priced-cart token.
type ReturnRef struct {
	OrderID     string
	PricedToken string
}

// QuoteReturn computes the refund of returning quantities (line id → units or grams)
// of a committed order's lines from what was frozen when it was redeemed — its lines'
// nets, each promotion's per-line shares and, for thresholds, the definition as it
// was (see engine.ReturnQuote) — or from a priced-cart token's cart. Nothing a client
// states about prices or definitions is used. Errors: invalid (body.order_id /
// body.priced_token, body.returned.<line id>), not_found (order), conflict
// (*LimitError RefusedCancelled, RefusedNoShares for orders recorded before shares
// were kept), unauthorized, forbidden.
func (s *Service) QuoteReturn(ctx context.Context, ref ReturnRef, returned map[string]int64) (engine.Quote, error) {
	pr, err := redemptionReader(ctx)
	if err != nil {
		return engine.Quote{}, err
	}
	var priced PricedCart
	switch {
	case (ref.OrderID == "") == (ref.PricedToken == ""):
		return engine.Quote{}, errs.Field("body.order_id", "give order_id (a committed order) or priced_token, not both")
	case ref.PricedToken != "":
		c, err := s.openPriced(pr.TenantID, ref.PricedToken, "body.priced_token")
		if err != nil {
			return engine.Quote{}, err
		}
		priced = c.Cart
	default:
		r, err := getRedemption(ctx, s.db.Reader(), pr.TenantID, ref.OrderID)
		if err != nil {
			return engine.Quote{}, fmt.Errorf("promotion: quote return: %w", err)
		}
		switch {
		case r.Status == RedemptionCancelled:
			return engine.Quote{}, &LimitError{Kind: RefusedCancelled, Field: "body.order_id",
				Message: fmt.Sprintf("order %s was cancelled: its promotions were released, nothing is refunded against them", r.OrderID)}
		case !r.Priced:
			return engine.Quote{}, &LimitError{Kind: RefusedNoShares, Field: "body.order_id",
				Message: fmt.Sprintf("order %s was recorded before redemptions kept per-line shares; its refund cannot be quoted here", r.OrderID)}
		}
		priced = r.Cart
	}
	q, err := engine.ReturnQuote(priced.result(), returned, nil)
	if err != nil {
		return engine.Quote{}, prefixed("body", err)
	}
	return q, nil
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
