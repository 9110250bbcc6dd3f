package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Batches (lots) of fresh goods, docs/inventory.md "Batches". A balance's stock is
// its batches plus an untracked remainder (OnHand - BatchQty): a receipt that names a
// batch adds to it; everything that takes stock out (a sale, a fulfilled reservation,
// a transfer out, a write-off, a count or adjustment down) takes batches first expiry
// first out and then the remainder; everything else that adds stock (a return, a
// receipt without a batch, a count or adjustment up) adds to the remainder. A transfer
// carries the batches it took to the destination. Every batch change is under the
// balance row's lock, taken by the on-hand UPDATE before it, and is recorded per
// movement in stock_movement_batches.

// Batch is what is left of one batch of a SKU at a location.
type Batch struct {
	ID         string
	LocationID string
	SKUID      string
	Code       string
	// ExpiresOn is the date on the goods (YYYY-MM-DD): the last day they may be sold.
	ExpiresOn string
	// ExpiresAt is the first instant they may not: midnight after ExpiresOn in the
	// location's time zone (its store's, else Asia/Shanghai), fixed at receipt.
	ExpiresAt    time.Time
	OnHand       int64
	ReceivedAt   time.Time
	WrittenOffAt *time.Time // when the expiry sweep last wrote the batch off
	// SKUCode and SKUName name the SKU in lists that span SKUs (the near-expiry
	// list), so a store reads what to pull from the shelf, not an id.
	SKUCode, SKUName string
}

// Expired reports whether the batch may no longer be sold at now.
func (b Batch) Expired(now time.Time) bool { return !now.Before(b.ExpiresAt) }

// BatchStock is the stock of one balance by batch.
type BatchStock struct {
	Balance Balance
	// Batches hold stock, first to expire first (the order sales take them in).
	Batches []Batch
	// Untracked is the stock in no batch: OnHand minus what the batches hold.
	Untracked int64
}

// defaultZone is where a location without a store of its own counts its days.
const defaultZone = "Asia/Shanghai"

// MaxExpiringDays bounds the near-expiry window.
const MaxExpiringDays = 366

var batchCodePattern = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,64}$`)

// validBatch checks the batch fields of a change: only a receipt names a batch, with
// its expiry date; the code defaults to that date.
func validBatch(c *Change) error {
	c.BatchCode, c.ExpiresOn = strings.TrimSpace(c.BatchCode), strings.TrimSpace(c.ExpiresOn)
	if c.BatchCode == "" && c.ExpiresOn == "" {
		return nil
	}
	if c.Kind != MoveReceipt {
		return errs.Field("batch_code", "only a receipt names a batch (stock leaves first expiry first out)")
	}
	if _, err := time.Parse(time.DateOnly, c.ExpiresOn); err != nil {
		return errs.Field("expires_on", "a batch needs its expiry date as YYYY-MM-DD")
	}
	if c.BatchCode == "" {
		c.BatchCode = c.ExpiresOn
	}
	if !batchCodePattern.MatchString(c.BatchCode) {
		return errs.Field("batch_code", "must be 1 to 64 letters, digits or . _ / -")
	}
	return nil
}

// locationZone returns the time zone a location counts its days in.
func locationZone(ctx context.Context, q db.Querier, tenantID, locationID string) (*time.Location, error) {
	var zone sql.NullString
	err := q.QueryRowContext(ctx, `SELECT s.time_zone FROM stock_locations l LEFT JOIN stores s ON s.id = l.store_id
		WHERE l.tenant_id = $1 AND l.id = $2`, tenantID, locationID).Scan(&zone)
	if err != nil {
		return nil, fmt.Errorf("read the time zone of location %s: %w", locationID, err)
	}
	name := zone.String
	if name == "" {
		name = defaultZone
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return z, nil
}

// expiryInstant is midnight after the date in zone.
func expiryInstant(date string, zone *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, zone)
	if err != nil {
		return time.Time{}, errs.Field("expires_on", "must be a date as YYYY-MM-DD")
	}
	return clock.FromMillis(clock.Millis(d.AddDate(0, 0, 1))), nil
}

// batchMove is what one movement took from or added to one batch (Qty signed).
type batchMove struct {
	batch Batch
	qty   int64
}

// receiveBatch adds qty to the batch code of a balance, making it if new, and
// returns the move. The caller holds the balance row. Errors: invalid (the batch is
// known here with another expiry date, or has expired).
func receiveBatch(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID, code, expiresOn string, qty int64, now time.Time, transferred bool) (batchMove, error) {
	zone, err := locationZone(ctx, tx, tenantID, locationID)
	if err != nil {
		return batchMove{}, err
	}
	expiresAt, err := expiryInstant(expiresOn, zone)
	if err != nil {
		return batchMove{}, err
	}
	if !now.Before(expiresAt) && !transferred { // a transfer carries what it took; the sweep writes it off there
		return batchMove{}, errs.Field("expires_on", "batch %s expired on %s: write it off, do not stock it", code, expiresOn)
	}
	b := Batch{LocationID: locationID, SKUID: skuID, Code: code, ExpiresOn: expiresOn, ExpiresAt: expiresAt, ReceivedAt: now}
	var known string
	err = tx.QueryRowContext(ctx, `SELECT id, expires_on FROM stock_batches WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND code = $4`,
		tenantID, locationID, skuID, code).Scan(&b.ID, &known)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		b.ID = ids.New()
		_, err = tx.ExecContext(ctx, `INSERT INTO stock_batches (id, tenant_id, location_id, sku_id, code, expires_on, expires_at, on_hand, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, b.ID, tenantID, locationID, skuID, code, expiresOn, clock.Millis(expiresAt), qty, clock.Millis(now))
	case err != nil:
	case known != expiresOn:
		return batchMove{}, errs.Field("expires_on", "batch %s is here with expiry %s, not %s", code, known, expiresOn)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE stock_batches SET on_hand = on_hand + $2 WHERE id = $1`, b.ID, qty)
	}
	if err != nil {
		return batchMove{}, fmt.Errorf("store batch %s: %w", code, err)
	}
	return batchMove{batch: b, qty: qty}, nil
}

// takeBatches takes up to qty from a balance's batches, first expiry first out (an
// expired batch the sweep has not reached yet goes first), and returns the moves
// (negative). The caller holds the balance row.
func takeBatches(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID string, qty int64) ([]batchMove, error) {
	var held []Batch
	err := db.EachRow(ctx, tx, `SELECT `+batchColumns+` FROM stock_batches
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND on_hand > 0 ORDER BY expires_at, received_at, id`,
		[]any{tenantID, locationID, skuID}, func(rows *sql.Rows) error {
			b, err := scanBatch(rows)
			held = append(held, b)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read batches: %w", err)
	}
	var out []batchMove
	for _, b := range held {
		if qty == 0 {
			break
		}
		take := min(qty, b.OnHand)
		if _, err := tx.ExecContext(ctx, `UPDATE stock_batches SET on_hand = on_hand - $2 WHERE id = $1`, b.ID, take); err != nil {
			return nil, fmt.Errorf("take from batch %s: %w", b.Code, err)
		}
		qty -= take
		out = append(out, batchMove{batch: b, qty: -take})
	}
	return out, nil
}

// recordBatchMoves writes which batches a movement moved and keeps the balance's
// batch_qty their sum.
func recordBatchMoves(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID, movementID string, moves []batchMove) (int64, error) {
	var sum int64
	for _, m := range moves {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stock_movement_batches (tenant_id, movement_id, batch_id, qty) VALUES ($1, $2, $3, $4)`,
			tenantID, movementID, m.batch.ID, m.qty); err != nil {
			return 0, fmt.Errorf("record batch movement: %w", err)
		}
		sum += m.qty
	}
	if sum == 0 {
		return 0, nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE stock_balances SET batch_qty = batch_qty + $4 WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`,
		tenantID, locationID, skuID, sum)
	if err != nil {
		return 0, fmt.Errorf("update batch quantity: %w", err)
	}
	return sum, nil
}

// moveBatches records the batch side of a movement of delta that already changed on
// hand (whose row the caller holds): a receipt naming a batch adds to it; a decrease
// takes batches first expiry first out when the balance holds any (batchQty). It
// returns the change of batch_qty and the moves.
func moveBatches(ctx context.Context, tx *sql.Tx, tenantID string, c Change, movementID string, delta, batchQty int64, now time.Time) (int64, []batchMove, error) {
	var moves []batchMove
	switch {
	case c.BatchCode != "" && delta > 0:
		m, err := receiveBatch(ctx, tx, tenantID, c.LocationID, c.SKUID, c.BatchCode, c.ExpiresOn, delta, now, false)
		if err != nil {
			return 0, nil, err
		}
		moves = []batchMove{m}
	case delta < 0 && batchQty > 0:
		var err error
		if moves, err = takeBatches(ctx, tx, tenantID, c.LocationID, c.SKUID, -delta); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, nil
	}
	sum, err := recordBatchMoves(ctx, tx, tenantID, c.LocationID, c.SKUID, movementID, moves)
	return sum, moves, err
}

// transferBatches carries the batches a transfer took at its source (first expiry
// first out) into the same batches at its destination, with the same expiry date;
// what it took beyond them came from the source's untracked remainder and adds to the
// destination's. The caller holds both balance rows.
func transferBatches(ctx context.Context, tx *sql.Tx, tenantID string, t Transfer, movementIDs [2]string, now time.Time) error {
	var batchQty int64
	if err := tx.QueryRowContext(ctx, `SELECT batch_qty FROM stock_balances WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`,
		tenantID, t.FromLocationID, t.SKUID).Scan(&batchQty); err != nil {
		return fmt.Errorf("read batch quantity: %w", err)
	}
	if batchQty == 0 {
		return nil
	}
	_, out, err := moveBatches(ctx, tx, tenantID, Change{LocationID: t.FromLocationID, SKUID: t.SKUID}, movementIDs[0], -t.Qty, batchQty, now)
	if err != nil {
		return err
	}
	in := make([]batchMove, 0, len(out))
	for _, m := range out {
		mv, err := receiveBatch(ctx, tx, tenantID, t.ToLocationID, t.SKUID, m.batch.Code, m.batch.ExpiresOn, -m.qty, now, true)
		if err != nil {
			return err
		}
		in = append(in, mv)
	}
	_, err = recordBatchMoves(ctx, tx, tenantID, t.ToLocationID, t.SKUID, movementIDs[1], in)
	return err
}

const batchColumns = `id, location_id, sku_id, code, expires_on, expires_at, on_hand, received_at, written_off_at`

// scanBatch reads batchColumns, then into extra the columns a query adds after them.
func scanBatch(row interface{ Scan(...any) error }, extra ...any) (Batch, error) {
	var b Batch
	var expires, received int64
	var writtenOff sql.NullInt64
	err := row.Scan(append([]any{&b.ID, &b.LocationID, &b.SKUID, &b.Code, &b.ExpiresOn, &expires, &b.OnHand, &received, &writtenOff}, extra...)...)
	b.ExpiresAt, b.ReceivedAt = clock.FromMillis(expires), clock.FromMillis(received)
	if writtenOff.Valid {
		t := clock.FromMillis(writtenOff.Int64)
		b.WrittenOffAt = &t
	}
	return b, err
}

// FindBatches returns the stock of a SKU at a location by batch, first to expire
// first, and the untracked remainder. Errors: not_found (location outside the
// caller's data scope), unauthorized, forbidden.
func (s *Service) FindBatches(ctx context.Context, locationID, skuID string) (BatchStock, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return BatchStock{}, err
	}
	r := s.db.Reader()
	if _, err := s.visible(ctx, r, p, locationID); err != nil {
		return BatchStock{}, fmt.Errorf("inventory: %w", err)
	}
	out := BatchStock{Batches: []Batch{}}
	if out.Balance, err = getBalance(ctx, r, p.TenantID, locationID, skuID); err != nil {
		return BatchStock{}, fmt.Errorf("inventory: %w", err)
	}
	err = db.EachRow(ctx, r, `SELECT `+batchColumns+` FROM stock_batches
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND on_hand > 0 ORDER BY expires_at, received_at, id`,
		[]any{p.TenantID, locationID, skuID}, func(rows *sql.Rows) error {
			b, err := scanBatch(rows)
			out.Batches = append(out.Batches, b)
			return err
		})
	if err != nil {
		return BatchStock{}, fmt.Errorf("inventory: batches: %w", err)
	}
	out.Untracked = out.Balance.OnHand - out.Balance.BatchQty
	return out, nil
}

// FindExpiringBatches lists up to limit batches at a location that still hold stock
// and whose last day is at most days after today in the location's time zone (those
// already expired first, then by expiry): the store's daily near-expiry (临期) list. Errors: invalid (days, limit), not_found, unauthorized,
// forbidden.
func (s *Service) FindExpiringBatches(ctx context.Context, locationID string, days, limit int) ([]Batch, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return nil, err
	}
	if days < 0 || days > MaxExpiringDays {
		return nil, errs.Field("within_days", "must be 0 to %d", MaxExpiringDays)
	}
	if limit <= 0 || limit > 1000 {
		return nil, errs.Field("limit", "must be 1 to 1000")
	}
	r := s.db.Reader()
	if _, err := s.visible(ctx, r, p, locationID); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	// Within days counts calendar days where the location is: 0 lists what must sell
	// today (its last day is today), 1 what must sell by tomorrow, and so on.
	zone, err := locationZone(ctx, r, p.TenantID, locationID)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	y, m, d := s.now().In(zone).Date()
	until := time.Date(y, m, d+days+1, 0, 0, 0, 0, zone)
	out := []Batch{}
	err = db.EachRow(ctx, r, `SELECT b.`+strings.ReplaceAll(batchColumns, ", ", ", b.")+`, s.code, s.name
		FROM stock_batches b JOIN skus s ON s.tenant_id = b.tenant_id AND s.id = b.sku_id
		WHERE b.tenant_id = $1 AND b.location_id = $2 AND b.on_hand > 0 AND b.expires_at <= $3 ORDER BY b.expires_at, b.sku_id, b.code LIMIT $4`,
		[]any{p.TenantID, locationID, clock.Millis(until), limit}, func(rows *sql.Rows) error {
			var code, name string
			b, err := scanBatch(rows, &code, &name)
			b.SKUCode, b.SKUName = code, name
			out = append(out, b)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("inventory: expiring batches: %w", err)
	}
	return out, nil
}

// ExpireBatches writes off what is left of up to limit batches of any tenant whose
// expiry has passed, one transaction each, as the system, and returns how many it
// wrote off. Each write-off is one expiry_write_off movement. It is safe to run
// concurrently and again after a crash: a batch is written off under its balance's
// row lock only while it still holds stock, so each unit is written off once.
func (s *Service) ExpireBatches(ctx context.Context, limit int) (int, error) {
	now := s.now()
	type due struct{ tenantID, id string }
	var list []due
	err := db.EachRow(ctx, s.db.Reader(), `SELECT tenant_id, id FROM stock_batches WHERE on_hand > 0 AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
		[]any{clock.Millis(now), limit}, func(rows *sql.Rows) error {
			var d due
			err := rows.Scan(&d.tenantID, &d.id)
			list = append(list, d)
			return err
		})
	if err != nil {
		return 0, fmt.Errorf("inventory: expire batches: %w", err)
	}
	n := 0
	for _, d := range list {
		var done bool
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			done, err = s.writeOffBatch(ctx, tx, d.tenantID, d.id, now)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("inventory: expire batch %s: %w", d.id, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

// writeOffBatch writes off an expired batch's stock in tx, reporting false when
// there was none left (another sweep, or a sale, got there first).
func (s *Service) writeOffBatch(ctx context.Context, tx *sql.Tx, tenantID, batchID string, now time.Time) (bool, error) {
	var locationID, skuID string
	if err := tx.QueryRowContext(ctx, `SELECT location_id, sku_id FROM stock_batches WHERE id = $1`, batchID).Scan(&locationID, &skuID); err != nil {
		return false, fmt.Errorf("read batch: %w", err)
	}
	// The balance row first, as every path that changes batches takes it; then the
	// batch as the last writer left it (PostgreSQL reads committed rows per statement).
	var available int64
	if err := tx.QueryRowContext(ctx, `SELECT on_hand - reserved - safety_stock FROM stock_balances WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`+s.lock(),
		tenantID, locationID, skuID).Scan(&available); err != nil {
		return false, fmt.Errorf("lock balance: %w", err)
	}
	b, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM stock_batches WHERE id = $1`, batchID))
	if err != nil {
		return false, fmt.Errorf("read batch: %w", err)
	}
	if b.OnHand <= 0 || !b.Expired(now) {
		return false, nil
	}
	// On hand falls by the whole batch: if a till sale beyond the books took the
	// remainder negative, on hand goes negative too — the books owe those units.
	if _, err := tx.ExecContext(ctx, `UPDATE stock_balances SET on_hand = on_hand - $4, updated_at = $5
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`, tenantID, locationID, skuID, b.OnHand, clock.Millis(now)); err != nil {
		return false, fmt.Errorf("write off on hand: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stock_batches SET on_hand = 0, written_off_at = $2 WHERE id = $1`, b.ID, clock.Millis(now)); err != nil {
		return false, fmt.Errorf("write off batch: %w", err)
	}
	m := Movement{ID: ids.New(), LocationID: locationID, SKUID: skuID, Kind: MoveExpiryWriteOff, OnHandDelta: -b.OnHand,
		Reference: b.Code, Reason: "expired on " + b.ExpiresOn, ActorID: auth.System(tenantID).ID, OccurredAt: now}
	if err := insertMovement(ctx, tx, tenantID, m); err != nil {
		return false, err
	}
	if _, err := recordBatchMoves(ctx, tx, tenantID, locationID, skuID, m.ID, []batchMove{{batch: b, qty: -b.OnHand}}); err != nil {
		return false, err
	}
	if err := s.publishLowStock(ctx, tx, tenantID, locationID, skuID, available, available-b.OnHand, MoveExpiryWriteOff, b.Code); err != nil {
		return false, err
	}
	return true, nil
}
