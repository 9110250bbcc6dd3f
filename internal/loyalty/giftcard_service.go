package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// IssueGiftCards issues a batch of cards, each with a unique random code carrying a
// check character and a random 6-digit PIN. The PINs are in the returned cards and
// nowhere else: only their hashes are kept. Errors: invalid (body.name,
// body.quantity, body.face_value_fen above the card's cap), unauthorized, forbidden
// (loyalty:write).
func (s *Service) IssueGiftCards(ctx context.Context, in GiftCardBatchInput) (GiftCardBatch, []GiftCard, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "issuing gift cards")
	if err != nil {
		return GiftCardBatch{}, nil, err
	}
	caps, err := getSVSettings(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return GiftCardBatch{}, nil, fmt.Errorf("loyalty: issue gift cards: %w", err)
	}
	if err := in.Validate(caps); err != nil {
		return GiftCardBatch{}, nil, err
	}
	now := s.now()
	b := GiftCardBatch{ID: ids.New(), Name: in.Name, FaceValueFen: in.FaceValueFen, Quantity: in.Quantity, Registered: in.Registered,
		CreatedBy: p.ID, CreatedAt: now}
	cards := make([]GiftCard, in.Quantity)
	for i := range cards {
		code, err := newCardCode()
		if err != nil {
			return GiftCardBatch{}, nil, fmt.Errorf("loyalty: issue gift cards: %w", err)
		}
		pin, err := newPIN()
		if err != nil {
			return GiftCardBatch{}, nil, fmt.Errorf("loyalty: issue gift cards: %w", err)
		}
		cards[i] = GiftCard{ID: ids.New(), BatchID: b.ID, Code: code, Status: CardIssued, CreatedAt: now, UpdatedAt: now,
			secretHash: pinHash(code, pin), PIN: pin}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertBatch(ctx, tx, p.TenantID, b); err != nil {
			return err
		}
		for _, c := range cards {
			// 80 random bits: a collision is not expected in the life of the universe;
			// were one to happen the unique index refuses the batch, never a duplicate.
			if err := insertCard(ctx, tx, p.TenantID, c); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.gift_cards.issue", ResourceType: "gift_card_batch", ResourceID: b.ID,
			Changes: map[string]any{"quantity": b.Quantity, "face_value_fen": b.FaceValueFen, "registered": b.Registered}}); err != nil {
			return err
		}
		_, err := s.outbox.Publish(ctx, tx, p.TenantID, EventGiftCardsIssued, b.ID, map[string]any{"batch_id": b.ID, "quantity": b.Quantity})
		return err
	})
	if err != nil {
		return GiftCardBatch{}, nil, fmt.Errorf("loyalty: issue gift cards: %w", err)
	}
	return b, cards, nil
}

// FindGiftCardBatches lists the tenant's batches, newest first (at most 500).
// Errors: unauthorized, forbidden.
func (s *Service) FindGiftCardBatches(ctx context.Context) ([]GiftCardBatch, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	out, err := findBatches(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find gift card batches: %w", err)
	}
	return out, nil
}

// FindGiftCards pages through a batch's cards by code (never their PINs). Codes are
// half a card's secret: loyalty:write only. Errors: invalid (query.cursor),
// not_found, unauthorized, forbidden.
func (s *Service) FindGiftCards(ctx context.Context, batchID string, pp httpapi.PageParams) (httpapi.Page[GiftCard], error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "listing gift card codes")
	if err != nil {
		return httpapi.Page[GiftCard]{}, err
	}
	if _, err := getBatch(ctx, s.db.Reader(), p.TenantID, batchID); err != nil {
		return httpapi.Page[GiftCard]{}, fmt.Errorf("loyalty: find gift cards: %w", err)
	}
	page, err := httpapi.FindPage(pp.Cursor, pp.Limit, 100, func(after string, n int) ([]GiftCard, error) {
		return findCards(ctx, s.db.Reader(), p.TenantID, batchID, after, n)
	}, func(c GiftCard) string { return c.Code })
	if err != nil {
		return httpapi.Page[GiftCard]{}, fmt.Errorf("loyalty: find gift cards: %w", err)
	}
	return page, nil
}

// CardRequest acts on a gift card: its code, its PIN where the action needs it (a
// spend, a balance enquiry, binding), and for a posting the amount and reference.
type CardRequest struct {
	Code       string
	PIN        string
	CustomerID string // activation of a registered card, binding
	SVPosting
}

// cardTx runs fn on the card with code locked in a transaction, after checking the
// PIN when checkPIN: a locked card is rate_limited until its lock ends; a wrong PIN
// counts (committed even though the action fails) and the fifth in a row locks the
// card for 15 minutes. Errors: invalid (body.code malformed or failing its check
// character, body.pin), not_found, rate_limited.
func (s *Service) cardTx(ctx context.Context, tenantID string, r CardRequest, checkPIN bool, fn func(tx *sql.Tx, c *GiftCard, caps SVSettings) error) (GiftCard, error) {
	code := normaliseCardCode(r.Code)
	if code == "" {
		return GiftCard{}, errs.Field("body.code", "not a gift card code (17 characters with a check character)")
	}
	if checkPIN && (len(r.PIN) < 4 || len(r.PIN) > 12) {
		return GiftCard{}, errs.Field("body.pin", "the card's PIN")
	}
	var out GiftCard
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := getCard(ctx, tx, tenantID, code, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		now := s.now()
		if checkPIN {
			if c.LockedUntil.After(now) {
				return errs.Limited(c.LockedUntil.Sub(now), "the card is locked after %d wrong PINs until %s", cardLockAttempts, c.LockedUntil.Format("15:04:05Z07:00"))
			}
			if !pinMatches(c, r.PIN) {
				return errWrongPIN
			}
			if c.FailedAttempts > 0 {
				c.FailedAttempts, c.UpdatedAt = 0, now
				if err := updateCard(ctx, tx, c); err != nil {
					return err
				}
			}
		}
		caps, err := getSVSettings(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if err := fn(tx, &c, caps); err != nil {
			return err
		}
		out = c
		return nil
	})
	if errors.Is(err, errWrongPIN) {
		return GiftCard{}, s.wrongPIN(ctx, tenantID, code)
	}
	return out, err
}

// wrongPIN counts a wrong PIN on the card, locking it at the limit, in its own
// transaction, and returns the error the caller sees.
func (s *Service) wrongPIN(ctx context.Context, tenantID, code string) error {
	left := int64(0)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := getCard(ctx, tx, tenantID, code, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		now := s.now()
		c.FailedAttempts++
		if c.FailedAttempts >= cardLockAttempts {
			c.FailedAttempts, c.LockedUntil = 0, now.Add(cardLockFor)
		}
		left = cardLockAttempts - c.FailedAttempts
		c.UpdatedAt = now
		if err := updateCard(ctx, tx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.gift_card.wrong_pin", ResourceType: "gift_card", ResourceID: c.ID,
			Changes: map[string]any{"locked": !c.LockedUntil.IsZero() && c.LockedUntil.After(now)}})
	})
	if err != nil {
		return fmt.Errorf("loyalty: gift card: count wrong pin: %w", err)
	}
	if left == cardLockAttempts {
		return errs.Limited(cardLockFor, "wrong PIN: the card is locked for %s", cardLockFor)
	}
	return errs.Field("body.pin", "wrong PIN: %d attempts left before the card locks", left)
}

func (s *Service) cardHolder(ctx context.Context, tx *sql.Tx, c *GiftCard, caps SVSettings) holder {
	return holder{id: c.ID, balance: c.BalanceFen, capFen: c.capFen(caps), save: func(b int64) error {
		c.BalanceFen, c.UpdatedAt = b, s.now()
		return updateCard(ctx, tx, *c)
	}}
}

// ActivateGiftCard sells an issued card: binds it to r.CustomerID when given (a
// registered batch requires one) and loads the batch's face value, or r.AmountFen
// when the batch has none, up to the card's cap. Activating again with the same
// reference returns the card. Errors: invalid (path.code, body.amount_fen,
// body.reference, body.customer_id), conflict (already active), not_found,
// unauthorized, forbidden (loyalty:redeem).
func (s *Service) ActivateGiftCard(ctx context.Context, r CardRequest) (GiftCard, SVEntry, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return GiftCard{}, SVEntry{}, err
	}
	if err := s.atStore(ctx, p, r.StoreID, true); err != nil {
		return GiftCard{}, SVEntry{}, fmt.Errorf("loyalty: activate gift card: %w", err)
	}
	live := ""
	if r.CustomerID != "" {
		if live, err = s.liveCustomer(ctx, r.CustomerID, "body.customer_id"); err != nil {
			return GiftCard{}, SVEntry{}, fmt.Errorf("loyalty: activate gift card: %w", err)
		}
	}
	var e SVEntry
	c, err := s.cardTx(ctx, p.TenantID, r, false, func(tx *sql.Tx, c *GiftCard, caps SVSettings) error {
		b, err := getBatch(ctx, tx, p.TenantID, c.BatchID)
		if err != nil {
			return err
		}
		// The card's status, under its lock, makes activation happen once; the
		// reference only recognises a replay of the activation that did.
		key := svKey(SVActivate, c.ID, r.Reference)
		if c.Status == CardActive {
			if r.Reference != "" {
				if e, err = svEntryBySource(ctx, tx, p.TenantID, key); err == nil {
					return nil // a replay of this activation
				} else if !errs.Is(err, errs.NotFound) {
					return err
				}
			}
			return errs.E(errs.Conflict, "the card is already active")
		}
		if b.Registered && live == "" {
			return errs.Field("body.customer_id", "required: cards of this batch are registered")
		}
		amount := b.FaceValueFen
		if amount == 0 {
			amount = r.AmountFen
		}
		post := SVPosting{AmountFen: amount, Reference: r.Reference, StoreID: r.StoreID}
		if err := post.validate(SVActivate); err != nil {
			return err
		}
		c.Status, c.CustomerID, c.ActivatedAt, c.UpdatedAt = CardActive, live, s.now(), s.now()
		e, err = s.post(ctx, tx, p.TenantID, s.cardHolder(ctx, tx, c, caps), SVActivate, key, amount, post, p.ID)
		return err
	})
	if err != nil {
		return GiftCard{}, SVEntry{}, fmt.Errorf("loyalty: activate gift card: %w", err)
	}
	return c, e, nil
}

// PostGiftCard tops up (loyalty:redeem, up to the card's cap: ¥1,000 anonymous,
// ¥5,000 registered by default) or spends (loyalty:redeem, with the PIN, never below
// zero) an active card. Posting again with the same reference returns the first
// entry. Errors: invalid (path.code, body.pin, body.amount_fen above the cap,
// body.reference), insufficient, conflict (not active, reference reused),
// rate_limited (locked), not_found, unauthorized, forbidden.
func (s *Service) PostGiftCard(ctx context.Context, kind SVEntryKind, r CardRequest) (GiftCard, SVEntry, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return GiftCard{}, SVEntry{}, err
	}
	if kind != SVTopUp && kind != SVSpend {
		return GiftCard{}, SVEntry{}, errs.Field("kind", "top_up or spend")
	}
	if err := r.validate(kind); err != nil {
		return GiftCard{}, SVEntry{}, err
	}
	if err := s.atStore(ctx, p, r.StoreID, true); err != nil {
		return GiftCard{}, SVEntry{}, fmt.Errorf("loyalty: gift card %s: %w", kind, err)
	}
	var e SVEntry
	c, err := s.cardTx(ctx, p.TenantID, r, kind == SVSpend, func(tx *sql.Tx, c *GiftCard, caps SVSettings) error {
		if c.Status != CardActive {
			return errs.E(errs.Conflict, "the card is not active: sell (activate) it first")
		}
		var err error
		e, err = s.post(ctx, tx, p.TenantID, s.cardHolder(ctx, tx, c, caps), kind, svKey(kind, c.ID, r.Reference), r.signed(kind), r.SVPosting, p.ID)
		return err
	})
	if err != nil {
		return GiftCard{}, SVEntry{}, fmt.Errorf("loyalty: gift card %s: %w", kind, err)
	}
	return c, e, nil
}

// GiftCardBalance answers a balance enquiry with the card's PIN (wrong PINs count
// towards the lock). Errors: invalid (path.code, body.pin), rate_limited, not_found,
// unauthorized, forbidden.
func (s *Service) GiftCardBalance(ctx context.Context, code, pin string) (GiftCard, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return GiftCard{}, err
	}
	c, err := s.cardTx(ctx, p.TenantID, CardRequest{Code: code, PIN: pin}, true, func(*sql.Tx, *GiftCard, SVSettings) error { return nil })
	if err != nil {
		return GiftCard{}, fmt.Errorf("loyalty: gift card balance: %w", err)
	}
	return c, nil
}

// BindGiftCard binds a card to a customer with its PIN, making it a registered card
// (the registered cap applies from then on). Binding it again to the same customer
// changes nothing. Errors: invalid (path.code, body.pin, body.customer_id),
// conflict (bound to another customer), rate_limited, not_found, unauthorized,
// forbidden.
func (s *Service) BindGiftCard(ctx context.Context, code, pin, customerID string) (GiftCard, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return GiftCard{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "body.customer_id")
	if err != nil {
		return GiftCard{}, fmt.Errorf("loyalty: bind gift card: %w", err)
	}
	c, err := s.cardTx(ctx, p.TenantID, CardRequest{Code: code, PIN: pin}, true, func(tx *sql.Tx, c *GiftCard, _ SVSettings) error {
		switch c.CustomerID {
		case live:
			return nil
		case "":
		default:
			return errs.E(errs.Conflict, "the card is bound to another customer")
		}
		c.CustomerID, c.UpdatedAt = live, s.now()
		if err := updateCard(ctx, tx, *c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.gift_card.bind", ResourceType: "gift_card", ResourceID: c.ID,
			Changes: map[string]any{"customer_id": live}})
	})
	if err != nil {
		return GiftCard{}, fmt.Errorf("loyalty: bind gift card: %w", err)
	}
	return c, nil
}

// FindGiftCardsOf lists the cards bound to a customer. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindGiftCardsOf(ctx context.Context, customerID string) ([]GiftCard, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return nil, fmt.Errorf("loyalty: find customer's gift cards: %w", err)
	}
	out, err := findCardsOf(ctx, s.db.Reader(), p.TenantID, live)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find customer's gift cards: %w", err)
	}
	return out, nil
}
