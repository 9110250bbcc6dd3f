package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The events of stored value (aggregate: the account or card id).
const (
	EventStoredValuePosted = "loyalty.stored_value.posted"
	EventGiftCardsIssued   = "loyalty.gift_cards.issued"
)

// SVEvent is the payload of loyalty.stored_value.posted.
type SVEvent struct {
	HolderID   string      `json:"holder_id"`
	Kind       SVEntryKind `json:"kind"`
	EntryID    string      `json:"entry_id"`
	AmountFen  int64       `json:"amount_fen"`
	BalanceFen int64       `json:"balance_fen"`
	OrderID    string      `json:"order_id,omitempty"`
	At         time.Time   `json:"at"`
}

// holder is an account or a card locked in a transaction: its id, balance, the cap a
// top-up may not pass (0: none) and how to store its new balance.
type holder struct {
	id      string
	balance int64
	capFen  int64
	save    func(balance int64) error
}

// post writes one posting on a locked holder: a replay of key returns the first
// entry (conflict naming body.reference when it moved another amount); a posting
// that would leave the holder below zero is ErrInsufficientFunds; a top-up above the
// cap is invalid, naming body.amount_fen.
func (s *Service) post(ctx context.Context, tx *sql.Tx, tenantID string, h holder, kind SVEntryKind, key string, amount int64, r SVPosting, actor string) (SVEntry, error) {
	if prev, err := svEntryBySource(ctx, tx, tenantID, key); err == nil {
		if prev.AmountFen != amount || prev.HolderID != h.id {
			return SVEntry{}, &errs.Error{Code: errs.Conflict, Field: "body.reference",
				Message: fmt.Sprintf("reference %s already posted %d fen", r.Reference, prev.AmountFen)}
		}
		return prev, nil
	} else if !errs.Is(err, errs.NotFound) {
		return SVEntry{}, err
	}
	next := h.balance + amount
	if next < 0 {
		return SVEntry{}, ErrInsufficientFunds
	}
	if (kind == SVTopUp || kind == SVActivate) && h.capFen > 0 && next > h.capFen {
		return SVEntry{}, errs.Field("body.amount_fen", "the balance would be %d fen, above the card's cap of %d fen (%d fen can still be loaded)",
			next, h.capFen, max(0, h.capFen-h.balance))
	}
	e := SVEntry{ID: ids.New(), HolderID: h.id, Kind: kind, AmountFen: amount, BalanceFen: next, SourceKey: key, OrderID: r.OrderID,
		StoreID: r.StoreID, Reason: r.Reason, Actor: actor, CreatedAt: s.now()}
	if err := insertSVEntry(ctx, tx, tenantID, e); err != nil {
		return SVEntry{}, err
	}
	if err := h.save(next); err != nil {
		return SVEntry{}, err
	}
	if kind == SVAdjust {
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.stored_value.adjust", ResourceType: "stored_value", ResourceID: h.id,
			Changes: map[string]any{"amount_fen": amount, "reason": r.Reason, "entry_id": e.ID}}); err != nil {
			return SVEntry{}, err
		}
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, EventStoredValuePosted, h.id, SVEvent{HolderID: h.id, Kind: kind, EntryID: e.ID,
		AmountFen: amount, BalanceFen: next, OrderID: e.OrderID, At: e.CreatedAt})
	return e, err
}

// svKey is the source key of a posting: the caller's reference when it gave one
// (scoped to the kind and the holder), else the new entry's own.
func svKey(kind SVEntryKind, holderID, reference string) string {
	if reference == "" {
		return string(kind) + ":" + ids.New()
	}
	return string(kind) + ":" + holderID + ":" + reference
}

// accountHolder opens (when needed) and locks the customer's account in tx.
func (s *Service) accountHolder(ctx context.Context, tx *sql.Tx, tenantID, customerID string, caps SVSettings) (holder, error) {
	if err := ensureAccount(ctx, tx, tenantID, ids.New(), customerID, s.now()); err != nil {
		return holder{}, err
	}
	a, err := getAccount(ctx, tx, tenantID, customerID, s.db.Dialect.ForUpdate())
	if err != nil {
		return holder{}, err
	}
	return holder{id: a.ID, balance: a.BalanceFen, capFen: caps.RegisteredCapFen, save: func(b int64) error {
		return setAccountBalance(ctx, tx, a.ID, b, s.now())
	}}, nil
}

// PostStoredValue posts on a registered customer's stored-value account (opened on
// its first posting): a top-up (loyalty:redeem; up to the tenant's registered cap),
// a spend (loyalty:redeem; never below zero), a refund or an adjustment with its
// reason (loyalty:write; audited). Concurrent postings on one account are serialised
// on its row. Posting again with the same reference returns the first entry.
// Errors: invalid (body.amount_fen, body.reference, body.reason, path.customer_id),
// insufficient (ErrInsufficientFunds), conflict (the reference moved another
// amount), not_found (customer), unauthorized, forbidden.
func (s *Service) PostStoredValue(ctx context.Context, customerID string, kind SVEntryKind, r SVPosting) (SVEntry, error) {
	var p *auth.Principal
	var err error
	switch kind {
	case SVTopUp, SVSpend:
		p, err = requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	case SVRefund, SVAdjust:
		p, err = auth.Require(ctx, auth.LoyaltyWrite)
	default:
		return SVEntry{}, errs.Field("kind", "unknown posting %q", kind)
	}
	if err != nil {
		return SVEntry{}, err
	}
	if err := r.validate(kind); err != nil {
		return SVEntry{}, err
	}
	if err := s.atStore(ctx, p, r.StoreID, kind == SVTopUp || kind == SVSpend); err != nil {
		return SVEntry{}, fmt.Errorf("loyalty: stored value %s: %w", kind, err)
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return SVEntry{}, fmt.Errorf("loyalty: stored value %s: %w", kind, err)
	}
	var e SVEntry
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		caps, err := getSVSettings(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		h, err := s.accountHolder(ctx, tx, p.TenantID, live, caps)
		if err != nil {
			return err
		}
		e, err = s.post(ctx, tx, p.TenantID, h, kind, svKey(kind, h.id, r.Reference), r.signed(kind), r, p.ID)
		return err
	})
	if err != nil {
		return SVEntry{}, fmt.Errorf("loyalty: stored value %s: %w", kind, err)
	}
	return e, nil
}

// atStore checks that storeID is in the caller's data scope; a caller scoped below
// the tenant must name one when needed (money moving at a till). Errors: invalid
// (body.store_id), not_found (outside the scope).
func (s *Service) atStore(ctx context.Context, p *auth.Principal, storeID string, needed bool) error {
	if storeID == "" {
		if needed && p.DataScope != auth.TenantScope {
			return errs.Field("body.store_id", "required: the store the stored value moves at")
		}
		return nil
	}
	return s.deps.Stores.StoreExists(ctx, storeID)
}

// orderPayRef is the reference of an order's stored-value payment.
func orderPayRef(orderID string) string { return "order:" + orderID }

// PayOrderTx debits the customer's stored-value account for an order's payment in
// the order center's transaction tx, so the payment and the debit commit or roll
// back together (decision 0032). The caller needs loyalty:redeem (a till) or
// loyalty:write besides the order's own scope. Paying the same order again posts
// nothing. Errors: invalid (body.method when the order has no customer),
// insufficient (ErrInsufficientFunds), not_found, unauthorized, forbidden.
func (s *Service) PayOrderTx(ctx context.Context, tx *sql.Tx, customerID, orderID, storeID string, amountFen int64) error {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return fmt.Errorf("loyalty: pay order with stored value: %w", err)
	}
	if customerID == "" {
		return errs.Field("body.method", "stored_value pays only an order with a registered customer")
	}
	r := SVPosting{AmountFen: amountFen, Reference: orderPayRef(orderID), OrderID: orderID, StoreID: storeID}
	if err := r.validate(SVSpend); err != nil {
		return err
	}
	live, err := s.liveCustomer(ctx, customerID, "body.customer_id")
	if err != nil {
		return fmt.Errorf("loyalty: pay order with stored value: %w", err)
	}
	h, err := s.accountHolder(ctx, tx, p.TenantID, live, SVSettings{})
	if err != nil {
		return fmt.Errorf("loyalty: pay order with stored value: %w", err)
	}
	if _, err := s.post(ctx, tx, p.TenantID, h, SVSpend, svKey(SVSpend, h.id, r.Reference), -amountFen, r, p.ID); err != nil {
		return fmt.Errorf("loyalty: pay order with stored value: %w", err)
	}
	return nil
}

// RefundOrderTx credits back, in the order center's transaction tx, the refund of
// change changeID of an order paid with stored value or gift cards: to the accounts
// and cards the order's spends came from (whoever the customer has since been merged
// into), in the order they were spent, never more than each gave. A change refunded
// again posts nothing. Errors: not_found (the order has no stored-value or gift card
// spend), internal.
func (s *Service) RefundOrderTx(ctx context.Context, tx *sql.Tx, orderID, changeID string, amountFen int64) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	entries, err := orderSVEntries(ctx, tx, p.TenantID, orderID)
	if err != nil {
		return fmt.Errorf("loyalty: refund order to stored value: %w", err)
	}
	var holders []string
	left := map[string]int64{} // what each holder can still take back
	for _, e := range entries {
		switch e.Kind {
		case SVSpend:
			if _, ok := left[e.HolderID]; !ok {
				holders = append(holders, e.HolderID)
			}
			left[e.HolderID] -= e.AmountFen
		case SVRefund:
			left[e.HolderID] -= e.AmountFen
		}
	}
	if len(holders) == 0 {
		return fmt.Errorf("loyalty: refund order to stored value: %w", errs.E(errs.NotFound, "order %s was not paid with stored value", orderID))
	}
	remaining := amountFen
	for _, id := range holders {
		amount := min(remaining, left[id])
		if amount <= 0 {
			continue
		}
		h, err := s.holderByID(ctx, tx, p.TenantID, id)
		if err != nil {
			return fmt.Errorf("loyalty: refund order to stored value: %w", err)
		}
		r := SVPosting{AmountFen: amount, Reference: "order:" + orderID + ":" + changeID, OrderID: orderID, Reason: "order refund"}
		if _, err := s.post(ctx, tx, p.TenantID, h, SVRefund, svKey(SVRefund, h.id, r.Reference), amount, r, p.ID); err != nil {
			return fmt.Errorf("loyalty: refund order to stored value: %w", err)
		}
		remaining -= amount
	}
	return nil
}

// holderByID locks the account or the gift card with id in tx, with no cap: what
// comes back is money the holder already had.
func (s *Service) holderByID(ctx context.Context, tx *sql.Tx, tenantID, id string) (holder, error) {
	a, err := getAccountByID(ctx, tx, tenantID, id, s.db.Dialect.ForUpdate())
	if err == nil {
		return holder{id: a.ID, balance: a.BalanceFen, save: func(b int64) error { return setAccountBalance(ctx, tx, a.ID, b, s.now()) }}, nil
	} else if !errs.Is(err, errs.NotFound) {
		return holder{}, err
	}
	c, err := getCardByID(ctx, tx, tenantID, id, s.db.Dialect.ForUpdate())
	if err != nil {
		return holder{}, err
	}
	h := s.cardHolder(ctx, tx, &c, SVSettings{})
	h.capFen = 0
	return h, nil
}

// GiftCardPaidTx returns what gift cards have paid towards an order, net of refunds:
// the till spends a card with the order's id (POST /gift-cards/spends), then the
// order center records the payment by method gift_card after checking this in its
// transaction. Errors: internal.
func (s *Service) GiftCardPaidTx(ctx context.Context, tx *sql.Tx, orderID string) (int64, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return 0, err
	}
	var net int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(e.amount_fen), 0) FROM sv_entries e JOIN gift_cards c ON c.id = e.holder_id
		WHERE e.tenant_id = $1 AND e.order_id = $2 AND e.kind IN ('spend', 'refund')`, p.TenantID, orderID).Scan(&net); err != nil {
		return 0, fmt.Errorf("loyalty: gift cards paid for order: %w", err)
	}
	return -net, nil
}

// StoredValue is a customer's account with its latest postings.
type StoredValue struct {
	Account SVAccount
	Entries httpapi.Page[SVEntry]
}

// FindStoredValue returns a customer's account (a zero balance when it has none) and
// a page of its ledger, newest first. Errors: invalid (query.cursor), not_found
// (customer), unauthorized, forbidden.
func (s *Service) FindStoredValue(ctx context.Context, customerID string, pp httpapi.PageParams) (StoredValue, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return StoredValue{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return StoredValue{}, fmt.Errorf("loyalty: find stored value: %w", err)
	}
	a, err := getAccount(ctx, s.db.Reader(), p.TenantID, live, "")
	if errs.Is(err, errs.NotFound) {
		return StoredValue{Account: SVAccount{CustomerID: live}, Entries: httpapi.Page[SVEntry]{Items: []SVEntry{}}}, nil
	} else if err != nil {
		return StoredValue{}, fmt.Errorf("loyalty: find stored value: %w", err)
	}
	page, err := httpapi.FindPage(pp.Cursor, pp.Limit, 50, func(after string, n int) ([]SVEntry, error) {
		return findSVEntries(ctx, s.db.Reader(), p.TenantID, a.ID, after, n)
	}, func(e SVEntry) string { return e.ID })
	if err != nil {
		return StoredValue{}, fmt.Errorf("loyalty: find stored value: %w", err)
	}
	return StoredValue{Account: a, Entries: page}, nil
}

// ReconcileStoredValue checks that a holder's postings sum to its balance and returns
// it. Errors: internal (with the difference) when they do not.
func (s *Service) ReconcileStoredValue(ctx context.Context, tenantID, holderID string, balance int64) (int64, error) {
	sum, err := sumSVEntries(ctx, s.db.Reader(), tenantID, holderID)
	if err != nil {
		return 0, fmt.Errorf("loyalty: reconcile stored value: %w", err)
	}
	if sum != balance || sum < 0 {
		return sum, errs.E(errs.Internal, "stored value of %s does not reconcile: ledger %d, balance %d", holderID, sum, balance)
	}
	return sum, nil
}

// FindSVSettings returns the tenant's card caps. Errors: unauthorized, forbidden.
func (s *Service) FindSVSettings(ctx context.Context) (SVSettings, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return SVSettings{}, err
	}
	out, err := getSVSettings(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return SVSettings{}, fmt.Errorf("loyalty: find stored-value settings: %w", err)
	}
	return out, nil
}

// UpdateSVSettings sets the tenant's card caps (audited). Balances above a lowered
// cap stay; only later top-ups are refused. Errors: invalid, unauthorized, forbidden.
func (s *Service) UpdateSVSettings(ctx context.Context, in SVSettings) (SVSettings, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "setting prepaid card caps")
	if err != nil {
		return SVSettings{}, err
	}
	if err := in.Validate(); err != nil {
		return SVSettings{}, err
	}
	in.UpdatedAt = s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := putSVSettings(ctx, tx, p.TenantID, in); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.stored_value.settings", ResourceType: "stored_value_settings",
			ResourceID: p.TenantID, Changes: map[string]any{"anonymous_card_cap_fen": in.AnonymousCardCapFen, "registered_cap_fen": in.RegisteredCapFen}})
	})
	if err != nil {
		return SVSettings{}, fmt.Errorf("loyalty: update stored-value settings: %w", err)
	}
	return in, nil
}

// FindLiability returns the stored value the tenant owes, as of now: a tenant-wide
// figure, for callers reading the whole tenant. Errors: internal (the ledger does
// not add up to the balances), unauthorized, forbidden.
func (s *Service) FindLiability(ctx context.Context) (Liability, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyRead, "the stored-value liability")
	if err != nil {
		return Liability{}, err
	}
	l, err := liability(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return Liability{}, fmt.Errorf("loyalty: find liability: %w", err)
	}
	l.At = s.now()
	if l.LedgerFen != l.AccountsFen+l.CardsActiveFen {
		return l, fmt.Errorf("loyalty: find liability: %w", errs.E(errs.Internal, "the stored-value ledger sums to %d fen, balances to %d",
			l.LedgerFen, l.AccountsFen+l.CardsActiveFen))
	}
	return l, nil
}

var errWrongPIN = errors.New("wrong gift card pin")
