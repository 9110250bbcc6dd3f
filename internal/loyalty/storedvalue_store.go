package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// getSVSettings returns the tenant's caps, or the defaults when it set none.
func getSVSettings(ctx context.Context, q db.Querier, tenantID string) (SVSettings, error) {
	var s SVSettings
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT anonymous_card_cap_fen, registered_cap_fen, updated_at FROM sv_settings WHERE tenant_id = $1`, tenantID).
		Scan(&s.AnonymousCardCapFen, &s.RegisteredCapFen, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return SVSettings{AnonymousCardCapFen: DefaultAnonymousCardCapFen, RegisteredCapFen: DefaultRegisteredCapFen}, nil
	} else if err != nil {
		return SVSettings{}, fmt.Errorf("read stored-value settings: %w", err)
	}
	s.UpdatedAt = fromMillis(updated)
	return s, nil
}

func putSVSettings(ctx context.Context, tx *sql.Tx, tenantID string, s SVSettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sv_settings (tenant_id, anonymous_card_cap_fen, registered_cap_fen, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id) DO UPDATE SET anonymous_card_cap_fen = $2, registered_cap_fen = $3, updated_at = $4`,
		tenantID, s.AnonymousCardCapFen, s.RegisteredCapFen, millis(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("write stored-value settings: %w", err)
	}
	return nil
}

// ensureAccount opens the customer's account unless it has one.
func ensureAccount(ctx context.Context, tx *sql.Tx, tenantID, id, customerID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sv_accounts (id, tenant_id, customer_id, balance_fen, created_at, updated_at)
		VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (tenant_id, customer_id) DO NOTHING`, id, tenantID, customerID, millis(now))
	if err != nil {
		return fmt.Errorf("open stored-value account: %w", err)
	}
	return nil
}

// getAccount reads a customer's account; lock is "" or FOR UPDATE: the account row
// is the lock every posting on it takes. Errors: not_found.
func getAccount(ctx context.Context, q db.Querier, tenantID, customerID, lock string) (SVAccount, error) {
	var a SVAccount
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT id, customer_id, balance_fen, created_at, updated_at FROM sv_accounts
		WHERE tenant_id = $1 AND customer_id = $2`+lock, tenantID, customerID).Scan(&a.ID, &a.CustomerID, &a.BalanceFen, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return SVAccount{}, errs.E(errs.NotFound, "customer %s has no stored-value account", customerID)
	} else if err != nil {
		return SVAccount{}, fmt.Errorf("read stored-value account: %w", err)
	}
	a.CreatedAt, a.UpdatedAt = fromMillis(created), fromMillis(updated)
	return a, nil
}

// getAccountByID reads and locks an account by id. Errors: not_found.
func getAccountByID(ctx context.Context, tx *sql.Tx, tenantID, id, lock string) (SVAccount, error) {
	var a SVAccount
	var created, updated int64
	err := tx.QueryRowContext(ctx, `SELECT id, customer_id, balance_fen, created_at, updated_at FROM sv_accounts
		WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id).Scan(&a.ID, &a.CustomerID, &a.BalanceFen, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return SVAccount{}, errs.E(errs.NotFound, "stored-value account %s not found", id)
	} else if err != nil {
		return SVAccount{}, fmt.Errorf("read stored-value account: %w", err)
	}
	a.CreatedAt, a.UpdatedAt = fromMillis(created), fromMillis(updated)
	return a, nil
}

func setAccountBalance(ctx context.Context, tx *sql.Tx, id string, balance int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sv_accounts SET balance_fen = $1, updated_at = $2 WHERE id = $3`, balance, millis(now), id); err != nil {
		return fmt.Errorf("update stored-value account: %w", err)
	}
	return nil
}

const svEntryColumns = `id, holder_id, kind, amount_fen, balance_fen, source_key, order_id, store_id, reason, actor, created_at`

func scanSVEntry(sc interface{ Scan(...any) error }) (SVEntry, error) {
	var e SVEntry
	var created int64
	err := sc.Scan(&e.ID, &e.HolderID, &e.Kind, &e.AmountFen, &e.BalanceFen, &e.SourceKey, &e.OrderID, &e.StoreID, &e.Reason, &e.Actor, &created)
	e.CreatedAt = fromMillis(created)
	return e, err
}

func insertSVEntry(ctx context.Context, tx *sql.Tx, tenantID string, e SVEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sv_entries (id, tenant_id, holder_id, kind, amount_fen, balance_fen, source_key, order_id, store_id,
		reason, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, tenantID, e.HolderID, e.Kind, e.AmountFen, e.BalanceFen, e.SourceKey, e.OrderID, e.StoreID, e.Reason, e.Actor, millis(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert stored-value entry: %w", conflictIfUnique(err, "the posting %s was already made", e.SourceKey))
	}
	return nil
}

// svEntryBySource returns the posting with source key. Errors: not_found.
func svEntryBySource(ctx context.Context, q db.Querier, tenantID, key string) (SVEntry, error) {
	e, err := scanSVEntry(q.QueryRowContext(ctx, `SELECT `+svEntryColumns+` FROM sv_entries WHERE tenant_id = $1 AND source_key = $2`, tenantID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return SVEntry{}, errs.E(errs.NotFound, "no stored-value posting %s", key)
	} else if err != nil {
		return SVEntry{}, fmt.Errorf("read stored-value entry: %w", err)
	}
	return e, nil
}

// orderSVEntries returns the stored-value postings of an order, oldest first.
func orderSVEntries(ctx context.Context, q db.Querier, tenantID, orderID string) ([]SVEntry, error) {
	var out []SVEntry
	err := db.EachRow(ctx, q, `SELECT `+svEntryColumns+` FROM sv_entries WHERE tenant_id = $1 AND order_id = $2 ORDER BY id`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			e, err := scanSVEntry(rows)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read order's stored-value entries: %w", err)
	}
	return out, nil
}

// findSVEntries reads up to n postings of a holder older than after, newest first.
func findSVEntries(ctx context.Context, q db.Querier, tenantID, holderID, after string, n int) ([]SVEntry, error) {
	args := []any{tenantID, holderID, n}
	cond := ""
	if after != "" {
		cond = ` AND id < $4`
		args = append(args, after)
	}
	out := []SVEntry{}
	err := db.EachRow(ctx, q, `SELECT `+svEntryColumns+` FROM sv_entries WHERE tenant_id = $1 AND holder_id = $2`+cond+`
		ORDER BY id DESC LIMIT $3`, args, func(rows *sql.Rows) error {
		e, err := scanSVEntry(rows)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read stored-value entries: %w", err)
	}
	return out, nil
}

// sumSVEntries is the sum of a holder's postings.
func sumSVEntries(ctx context.Context, q db.Querier, tenantID, holderID string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_fen), 0) FROM sv_entries WHERE tenant_id = $1 AND holder_id = $2`,
		tenantID, holderID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sum stored-value entries: %w", err)
	}
	return n, nil
}

func insertBatch(ctx context.Context, tx *sql.Tx, tenantID string, b GiftCardBatch) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO gift_card_batches (id, tenant_id, name, face_value_fen, quantity, registered, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, b.ID, tenantID, b.Name, b.FaceValueFen, b.Quantity, b.Registered, b.CreatedBy, millis(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert gift card batch: %w", err)
	}
	return nil
}

func insertCard(ctx context.Context, tx *sql.Tx, tenantID string, c GiftCard) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO gift_cards (id, tenant_id, batch_id, code, secret_hash, status, customer_id, balance_fen,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', 0, $7, $7)`, c.ID, tenantID, c.BatchID, c.Code, c.secretHash, c.Status, millis(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert gift card: %w", err)
	}
	return nil
}

const batchColumns = `id, name, face_value_fen, quantity, registered, created_by, created_at`

func scanBatch(sc interface{ Scan(...any) error }) (GiftCardBatch, error) {
	var b GiftCardBatch
	var created int64
	err := sc.Scan(&b.ID, &b.Name, &b.FaceValueFen, &b.Quantity, &b.Registered, &b.CreatedBy, &created)
	b.CreatedAt = fromMillis(created)
	return b, err
}

func getBatch(ctx context.Context, q db.Querier, tenantID, id string) (GiftCardBatch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM gift_card_batches WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return GiftCardBatch{}, errs.E(errs.NotFound, "gift card batch %s not found", id)
	} else if err != nil {
		return GiftCardBatch{}, fmt.Errorf("read gift card batch: %w", err)
	}
	return b, nil
}

func findBatches(ctx context.Context, q db.Querier, tenantID string) ([]GiftCardBatch, error) {
	out := []GiftCardBatch{}
	err := db.EachRow(ctx, q, `SELECT `+batchColumns+` FROM gift_card_batches WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500`,
		[]any{tenantID}, func(rows *sql.Rows) error {
			b, err := scanBatch(rows)
			out = append(out, b)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read gift card batches: %w", err)
	}
	return out, nil
}

const cardColumns = `id, batch_id, code, secret_hash, status, customer_id, balance_fen, failed_attempts, locked_until, activated_at, created_at, updated_at`

func scanCard(sc interface{ Scan(...any) error }) (GiftCard, error) {
	var c GiftCard
	var locked, activated, created, updated int64
	err := sc.Scan(&c.ID, &c.BatchID, &c.Code, &c.secretHash, &c.Status, &c.CustomerID, &c.BalanceFen, &c.FailedAttempts, &locked, &activated,
		&created, &updated)
	c.LockedUntil, c.ActivatedAt, c.CreatedAt, c.UpdatedAt = fromMillis(locked), fromMillis(activated), fromMillis(created), fromMillis(updated)
	return c, err
}

// getCard reads a card by code; lock is "" or FOR UPDATE. Errors: not_found.
func getCard(ctx context.Context, q db.Querier, tenantID, code, lock string) (GiftCard, error) {
	c, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM gift_cards WHERE tenant_id = $1 AND code = $2`+lock, tenantID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return GiftCard{}, errs.E(errs.NotFound, "gift card not found")
	} else if err != nil {
		return GiftCard{}, fmt.Errorf("read gift card: %w", err)
	}
	return c, nil
}

func findCards(ctx context.Context, q db.Querier, tenantID, batchID, after string, n int) ([]GiftCard, error) {
	args := []any{tenantID, batchID, n}
	cond := ""
	if after != "" {
		cond = ` AND code > $4`
		args = append(args, after)
	}
	out := []GiftCard{}
	err := db.EachRow(ctx, q, `SELECT `+cardColumns+` FROM gift_cards WHERE tenant_id = $1 AND batch_id = $2`+cond+` ORDER BY code LIMIT $3`,
		args, func(rows *sql.Rows) error {
			c, err := scanCard(rows)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read gift cards: %w", err)
	}
	return out, nil
}

func updateCard(ctx context.Context, tx *sql.Tx, c GiftCard) error {
	_, err := tx.ExecContext(ctx, `UPDATE gift_cards SET status = $1, customer_id = $2, balance_fen = $3, failed_attempts = $4, locked_until = $5,
		activated_at = $6, updated_at = $7 WHERE id = $8`, c.Status, c.CustomerID, c.BalanceFen, c.FailedAttempts, millis(c.LockedUntil),
		millis(c.ActivatedAt), millis(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("update gift card: %w", err)
	}
	return nil
}

// liability sums what the tenant owes: accounts, active cards, unsold cards and the ledger.
func liability(ctx context.Context, q db.Querier, tenantID string) (Liability, error) {
	var l Liability
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(balance_fen), 0) FROM sv_accounts WHERE tenant_id = $1),
		(SELECT COUNT(*) FROM sv_accounts WHERE tenant_id = $1 AND balance_fen > 0),
		(SELECT COALESCE(SUM(balance_fen), 0) FROM gift_cards WHERE tenant_id = $1 AND status = 'active'),
		(SELECT COUNT(*) FROM gift_cards WHERE tenant_id = $1 AND status = 'active'),
		(SELECT COUNT(*) FROM gift_cards WHERE tenant_id = $1 AND status = 'issued'),
		(SELECT COALESCE(SUM(b.face_value_fen), 0) FROM gift_cards c JOIN gift_card_batches b ON b.id = c.batch_id
			WHERE c.tenant_id = $1 AND c.status = 'issued'),
		(SELECT COALESCE(SUM(amount_fen), 0) FROM sv_entries WHERE tenant_id = $1)`, tenantID).
		Scan(&l.AccountsFen, &l.Accounts, &l.CardsActiveFen, &l.CardsActive, &l.CardsIssued, &l.CardsIssuedFaceFen, &l.LedgerFen)
	if err != nil {
		return Liability{}, fmt.Errorf("sum stored-value liability: %w", err)
	}
	return l, nil
}

func findCardsOf(ctx context.Context, q db.Querier, tenantID, customerID string) ([]GiftCard, error) {
	out := []GiftCard{}
	err := db.EachRow(ctx, q, `SELECT `+cardColumns+` FROM gift_cards WHERE tenant_id = $1 AND customer_id = $2 ORDER BY activated_at DESC, id LIMIT 100`,
		[]any{tenantID, customerID}, func(rows *sql.Rows) error {
			c, err := scanCard(rows)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read customer's gift cards: %w", err)
	}
	return out, nil
}

// getCardByID reads a card by id; lock is "" or FOR UPDATE. Errors: not_found.
func getCardByID(ctx context.Context, q db.Querier, tenantID, id, lock string) (GiftCard, error) {
	c, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM gift_cards WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return GiftCard{}, errs.E(errs.NotFound, "gift card %s not found", id)
	} else if err != nil {
		return GiftCard{}, fmt.Errorf("read gift card: %w", err)
	}
	return c, nil
}
