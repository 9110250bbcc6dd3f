package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// insertLocation stores l.
func insertLocation(ctx context.Context, tx *sql.Tx, l Location) error {
	var storeID any
	if l.StoreID != "" {
		storeID = l.StoreID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_locations (`+locationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		l.ID, l.TenantID, l.Code, l.Name, string(l.Kind), storeID, l.AllowNegative, clock.Millis(l.CreatedAt), l.Latitude, l.Longitude)
	return err
}

// listLocations returns up to n of the tenant's locations with a code after after,
// by code; with storeIDs, only the locations of those stores.
func listLocations(ctx context.Context, d *db.DB, tenantID string, storeIDs []string, after string, n int) ([]Location, error) {
	args := []any{tenantID, after}
	query := `SELECT ` + locationColumns + ` FROM stock_locations WHERE tenant_id = $1 AND code > $2`
	if storeIDs != nil {
		query += ` AND store_id` + db.In(d.Dialect, &args, storeIDs)
	}
	args = append(args, n)
	query += fmt.Sprintf(` ORDER BY code LIMIT $%d`, len(args))
	var out []Location
	err := db.EachRow(ctx, d.Reader(), query, args, func(rows *sql.Rows) error {
		l, err := scanLocation(rows)
		out = append(out, l)
		return err
	})
	return out, err
}

// locationColumns are the columns of a location, as scanLocation reads them.
const locationColumns = `id, tenant_id, code, name, kind, store_id, allow_negative, created_at, latitude, longitude`

// scanLocation reads one row of locationColumns.
func scanLocation(row interface{ Scan(...any) error }) (Location, error) {
	var l Location
	var storeID sql.NullString
	var created int64
	err := row.Scan(&l.ID, &l.TenantID, &l.Code, &l.Name, &l.Kind, &storeID, &l.AllowNegative, &created, &l.Latitude, &l.Longitude)
	l.StoreID, l.CreatedAt = storeID.String, clock.FromMillis(created)
	return l, err
}

// getLocation reads a location of the tenant; errs.NotFound when there is none.
func getLocation(ctx context.Context, q db.Querier, tenantID, id string) (Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM stock_locations WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, errs.E(errs.NotFound, "stock location %s not found", id)
	}
	if err != nil {
		return Location{}, fmt.Errorf("read stock location: %w", err)
	}
	return l, nil
}

// checkSKU reports errs.Invalid naming field when the SKU is not the tenant's.
func checkSKU(ctx context.Context, q db.Querier, tenantID, skuID, field string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM skus WHERE tenant_id = $1 AND id = $2`, tenantID, skuID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Field(field, "unknown SKU %s", skuID)
	}
	return err
}

// ensureBalance makes the balance row of a location and SKU exist, so that the
// conditional updates below always have a row to update (and to lock).
func ensureBalance(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_balances (tenant_id, location_id, sku_id, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, location_id, sku_id) DO NOTHING`,
		tenantID, locationID, skuID, clock.Millis(now))
	if db.IsForeignKeyViolation(err) {
		return errs.E(errs.Invalid, "unknown SKU %s", skuID)
	}
	return err
}

// addOnHand moves on hand by delta. Unless mayGoNegative, a decrease that would take
// on hand below zero changes nothing and reports false.
func addOnHand(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID string, delta int64, mayGoNegative bool, now time.Time) (bool, error) {
	query := `UPDATE stock_balances SET on_hand = on_hand + $4, updated_at = $5
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`
	if !mayGoNegative && delta < 0 {
		query += ` AND on_hand + $4 >= 0`
	}
	res, err := tx.ExecContext(ctx, query, tenantID, locationID, skuID, delta, clock.Millis(now))
	if err != nil {
		return false, fmt.Errorf("update on hand: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// reserveUnits raises reserved by qty only while enough is available for channel and
// returns how much of it was drawn from the channel's quota. Where no quota holds
// anything back (quota_free = 0: the usual case) the check and the change are one
// statement, so concurrent reservations of the last units cannot both succeed
// (PostgreSQL re-evaluates the WHERE on the row a concurrent writer committed; SQLite
// has one writer). The shared pool is available less quota_free; a channel with a
// quota left draws on it first (reserveFromQuota).
func reserveUnits(ctx context.Context, tx *sql.Tx, lock, tenantID, channel string, l Line, now time.Time) (drawn, available int64, ok bool, err error) {
	query := `UPDATE stock_balances SET reserved = reserved + $4, updated_at = $5
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 AND on_hand - reserved - safety_stock - quota_free >= $4`
	if channel != "" {
		// A channel must take its own quota first: only when none is left may the shared pool serve it in one statement.
		query += ` AND quota_free = 0`
	}
	// available after the reservation comes back with it: the low-stock alert needs it.
	err = tx.QueryRowContext(ctx, query+` RETURNING on_hand - reserved - safety_stock`, tenantID, l.LocationID, l.SKUID, l.Qty, clock.Millis(now)).Scan(&available)
	switch {
	case err == nil:
		return 0, available, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, 0, false, fmt.Errorf("reserve: %w", err)
	case channel == "":
		return 0, 0, false, nil
	}
	return reserveFromQuota(ctx, tx, lock, tenantID, channel, l, now)
}

// taken is what reserving one line of demand did: the units a channel's quota
// served (drawn), what is available after it, and whether it was reserved.
type taken struct {
	drawn, available int64
	ok               bool
}

// reserveDemand reserves each line of demand (sorted by location and SKU, as Demand
// returns it) as reserveUnits does, and returns what it did per line, stopping at the
// first line that cannot be reserved (the caller fails its transaction). On
// PostgreSQL the lines' conditional UPDATEs are one statement: inside an order's
// transaction each round trip is time the balances already updated stay locked
// while other orders of those SKUs wait. The statement locks the rows first in
// location and SKU order (byte order, as Demand sorts), as the lines one by one did,
// so that two orders never deadlock; a line it could not reserve goes on as reserveUnits would (a channel's
// quota).
func reserveDemand(ctx context.Context, tx *sql.Tx, d db.Dialect, lock, tenantID, channel string, demand []Line, now time.Time) ([]taken, error) {
	out := make([]taken, 0, len(demand))
	if d != db.Postgres || len(demand) == 1 {
		for _, l := range demand {
			drawn, available, ok, err := reserveUnits(ctx, tx, lock, tenantID, channel, l, now)
			if err != nil {
				return nil, err
			}
			out = append(out, taken{drawn, available, ok})
			if !ok {
				break
			}
		}
		return out, nil
	}
	locations, skus, qtys := make([]string, len(demand)), make([]string, len(demand)), make([]int64, len(demand))
	for i, l := range demand {
		locations[i], skus[i], qtys[i] = l.LocationID, l.SKUID, l.Qty
	}
	query := `UPDATE stock_balances b SET reserved = b.reserved + d.qty, updated_at = $2
		FROM (SELECT s.location_id, s.sku_id, u.qty FROM unnest($3::text[], $4::text[], $5::bigint[]) AS u (location_id, sku_id, qty)
			JOIN stock_balances s ON s.tenant_id = $1 AND s.location_id = u.location_id AND s.sku_id = u.sku_id
			ORDER BY s.location_id COLLATE "C", s.sku_id COLLATE "C" FOR UPDATE OF s) AS d
		WHERE b.tenant_id = $1 AND b.location_id = d.location_id AND b.sku_id = d.sku_id
		AND b.on_hand - b.reserved - b.safety_stock - b.quota_free >= d.qty`
	if channel != "" {
		query += ` AND b.quota_free = 0` // as reserveUnits: a channel takes its own quota first
	}
	available := make(map[[2]string]int64, len(demand))
	err := db.EachRow(ctx, tx, query+` RETURNING b.location_id, b.sku_id, b.on_hand - b.reserved - b.safety_stock`,
		[]any{tenantID, clock.Millis(now), locations, skus, qtys}, func(rows *sql.Rows) error {
			var k [2]string
			var a int64
			if err := rows.Scan(&k[0], &k[1], &a); err != nil {
				return err
			}
			available[k] = a
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reserve: %w", err)
	}
	for _, l := range demand {
		if a, ok := available[[2]string{l.LocationID, l.SKUID}]; ok {
			out = append(out, taken{available: a, ok: true})
			continue
		}
		var t taken
		if channel != "" {
			if t.drawn, t.available, t.ok, err = reserveFromQuota(ctx, tx, lock, tenantID, channel, l, now); err != nil {
				return nil, err
			}
		}
		out = append(out, t)
		if !t.ok {
			break
		}
	}
	return out, nil
}

// unreserve lowers reserved by qty and, when fulfilled, on hand too, and returns what
// the balance's batches hold.
func unreserve(ctx context.Context, tx *sql.Tx, tenantID string, l Line, fulfilled bool, now time.Time) (int64, error) {
	onHand := int64(0)
	if fulfilled {
		onHand = l.Qty
	}
	var batchQty int64
	err := tx.QueryRowContext(ctx, `UPDATE stock_balances SET reserved = reserved - $4, on_hand = on_hand - $5, updated_at = $6
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3 RETURNING batch_qty`,
		tenantID, l.LocationID, l.SKUID, l.Qty, onHand, clock.Millis(now)).Scan(&batchQty)
	if err != nil {
		return 0, fmt.Errorf("unreserve: %w", err)
	}
	return batchQty, nil
}

// insertMovement appends m to the ledger.
func insertMovement(ctx context.Context, tx *sql.Tx, tenantID string, m Movement) error {
	if m.ID == "" {
		m.ID = ids.New()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_movements (id, tenant_id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.ID, tenantID, m.LocationID, m.SKUID, string(m.Kind), m.OnHandDelta, m.ReservedDelta, m.Reference, m.Reason, m.ActorID, clock.Millis(m.OccurredAt))
	if err != nil {
		return fmt.Errorf("record movement: %w", err)
	}
	return nil
}

// insertMovements appends ms to the ledger in one statement (a reservation's lines):
// inside the transaction that holds the balances' rows, every round trip saved is
// time those locks are not held.
func insertMovements(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, ms []Movement) error {
	w := db.Rows{Head: `INSERT INTO stock_movements (tenant_id, id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at)`,
		Lead: "$1", Fixed: []any{tenantID}}
	err := db.WriteRows(ctx, tx, d, w, ms, func(m Movement) []any {
		id := m.ID
		if id == "" {
			id = ids.New()
		}
		return []any{id, m.LocationID, m.SKUID, string(m.Kind), m.OnHandDelta, m.ReservedDelta, m.Reference, m.Reason, m.ActorID, clock.Millis(m.OccurredAt)}
	}, nil)
	if err != nil {
		return fmt.Errorf("record movements: %w", err)
	}
	return nil
}

// getBalance reads one balance; a location and SKU never stocked read as zero.
func getBalance(ctx context.Context, q db.Querier, tenantID, locationID, skuID string) (Balance, error) {
	b := Balance{LocationID: locationID, SKUID: skuID}
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT on_hand, reserved, safety_stock, batch_qty, quota_free, updated_at FROM stock_balances
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`, tenantID, locationID, skuID).
		Scan(&b.OnHand, &b.Reserved, &b.SafetyStock, &b.BatchQty, &b.QuotaFree, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return Balance{}, fmt.Errorf("read balance: %w", err)
	}
	b.UpdatedAt = clock.FromMillis(updated)
	return b, nil
}

// insertReservation stores an active reservation and its lines.
func insertReservation(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, r Reservation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_reservations (id, tenant_id, reference, status, expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		r.ID, tenantID, r.Reference, string(r.Status), clock.Millis(r.ExpiresAt), clock.Millis(r.CreatedAt))
	if err != nil {
		return err
	}
	w := db.Rows{Head: `INSERT INTO stock_reservation_lines (reservation_id, channel, location_id, sku_id, qty, from_quota)`,
		Lead: "$1, $2", Fixed: []any{r.ID, r.Channel}}
	if err := db.WriteRows(ctx, tx, d, w, r.Lines, func(l Line) []any {
		return []any{l.LocationID, l.SKUID, l.Qty, r.fromQuota[[2]string{l.LocationID, l.SKUID}]}
	}, nil); err != nil {
		return fmt.Errorf("store reservation lines: %w", err)
	}
	return nil
}

// insertReservationWithLedger is insertReservation and insertMovements of its
// ledger rows in one statement (PostgreSQL), which writes nothing and reports false
// when the reference has a reservation already.
func insertReservationWithLedger(ctx context.Context, tx *sql.Tx, tenantID string, r Reservation, ms []Movement) (bool, error) {
	locations, skus, qtys := make([]string, len(r.Lines)), make([]string, len(r.Lines)), make([]int64, len(r.Lines))
	for i, l := range r.Lines {
		locations[i], skus[i], qtys[i] = l.LocationID, l.SKUID, l.Qty
	}
	n := len(ms)
	mIDs, mLocations, mSKUs, kinds, reasons, actors, refs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	onHand, reserved, at := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, m := range ms {
		if m.ID == "" {
			m.ID = ids.New()
		}
		mIDs[i], mLocations[i], mSKUs[i], kinds[i], reasons[i], actors[i], refs[i] = m.ID, m.LocationID, m.SKUID, string(m.Kind), m.Reason, m.ActorID, m.Reference
		onHand[i], reserved[i], at[i] = m.OnHandDelta, m.ReservedDelta, clock.Millis(m.OccurredAt)
	}
	var stored int
	err := tx.QueryRowContext(ctx, `WITH r AS (INSERT INTO stock_reservations (id, tenant_id, reference, status, expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (tenant_id, reference) DO NOTHING RETURNING id),
	l AS (INSERT INTO stock_reservation_lines (reservation_id, channel, location_id, sku_id, qty, from_quota)
		SELECT r.id, $7, u.location_id, u.sku_id, u.qty, 0 FROM r, unnest($8::text[], $9::text[], $10::bigint[]) AS u (location_id, sku_id, qty)),
	m AS (INSERT INTO stock_movements (tenant_id, id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at)
		SELECT $2, u.* FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[], $20::bigint[]) AS u
		WHERE EXISTS (SELECT 1 FROM r))
	SELECT COUNT(*) FROM r`,
		r.ID, tenantID, r.Reference, string(r.Status), clock.Millis(r.ExpiresAt), clock.Millis(r.CreatedAt), r.Channel, locations, skus, qtys,
		mIDs, mLocations, mSKUs, kinds, onHand, reserved, refs, reasons, actors, at).Scan(&stored)
	return stored == 1, err
}

// setFromQuota records on a reservation's line how much of it a channel's quota
// served.
func setFromQuota(ctx context.Context, tx *sql.Tx, reservationID string, l Line, drawn int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE stock_reservation_lines SET from_quota = $1 WHERE reservation_id = $2 AND location_id = $3 AND sku_id = $4`,
		drawn, reservationID, l.LocationID, l.SKUID)
	if err != nil {
		return fmt.Errorf("store reservation line quota: %w", err)
	}
	return nil
}

// getReservation reads the reservation of a reference with its lines; lock takes
// the row for the rest of the transaction (" FOR UPDATE" on PostgreSQL).
func getReservation(ctx context.Context, q db.Querier, tenantID, reference, lock string) (Reservation, error) {
	var r Reservation
	var expires, created int64
	err := q.QueryRowContext(ctx, `SELECT id, reference, status, expires_at, created_at FROM stock_reservations
		WHERE tenant_id = $1 AND reference = $2`+lock, tenantID, reference).
		Scan(&r.ID, &r.Reference, &r.Status, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Reservation{}, errs.E(errs.NotFound, "no stock reservation for %s", reference)
	}
	if err != nil {
		return Reservation{}, fmt.Errorf("read reservation: %w", err)
	}
	r.ExpiresAt, r.CreatedAt = clock.FromMillis(expires), clock.FromMillis(created)
	r.fromQuota = map[[2]string]int64{}
	err = db.EachRow(ctx, q, `SELECT location_id, sku_id, qty, channel, from_quota FROM stock_reservation_lines
		WHERE reservation_id = $1 ORDER BY location_id, sku_id`, []any{r.ID}, func(rows *sql.Rows) error {
		var l Line
		var drawn int64
		if err := rows.Scan(&l.LocationID, &l.SKUID, &l.Qty, &r.Channel, &drawn); err != nil {
			return err
		}
		r.Lines = append(r.Lines, l)
		if drawn > 0 {
			r.fromQuota[[2]string{l.LocationID, l.SKUID}] = drawn
		}
		return nil
	})
	r.Lines = Demand(r.Lines) // the order Demand gives, whatever the database's collation
	return r, err
}

// setReservationStatus moves a reservation on.
func setReservationStatus(ctx context.Context, tx *sql.Tx, id string, status ReservationStatus, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE stock_reservations SET status = $2, updated_at = $3 WHERE id = $1`,
		id, string(status), clock.Millis(now))
	return err
}

// dueReservations lists up to limit active reservations that expired before now.
func dueReservations(ctx context.Context, q db.Querier, now time.Time, limit int) ([][2]string, error) {
	var out [][2]string
	err := db.EachRow(ctx, q, `SELECT tenant_id, reference FROM stock_reservations
		WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
		[]any{clock.Millis(now), limit}, func(rows *sql.Rows) error {
			var k [2]string
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	return out, err
}

// ledgerDifferences compares every balance of the tenant with the sum of its
// movements (on hand, reserved, and what its batches hold) and returns the balances
// that disagree, as the ledger says they should be. A balance whose batches, channel
// quotas or quota_free disagree with the ledger, the batch rows or the active
// reservations is listed too, with its figures as stored.
func ledgerDifferences(ctx context.Context, q db.Querier, tenantID string) ([]Balance, error) {
	var out []Balance
	err := db.EachRow(ctx, q, `SELECT b.location_id, b.sku_id, COALESCE(m.on_hand, 0), COALESCE(m.reserved, 0), COALESCE(mb.qty, 0)
		FROM stock_balances b
		LEFT JOIN (SELECT location_id, sku_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
			FROM stock_movements WHERE tenant_id = $1 GROUP BY location_id, sku_id) m
			ON m.location_id = b.location_id AND m.sku_id = b.sku_id
		LEFT JOIN (SELECT sm.location_id, sm.sku_id, SUM(x.qty) AS qty
			FROM stock_movement_batches x JOIN stock_movements sm ON sm.id = x.movement_id
			WHERE x.tenant_id = $1 GROUP BY sm.location_id, sm.sku_id) mb
			ON mb.location_id = b.location_id AND mb.sku_id = b.sku_id
		WHERE b.tenant_id = $1 AND (b.on_hand <> COALESCE(m.on_hand, 0) OR b.reserved <> COALESCE(m.reserved, 0) OR b.batch_qty <> COALESCE(mb.qty, 0))`,
		[]any{tenantID}, func(rows *sql.Rows) error {
			var b Balance
			if err := rows.Scan(&b.LocationID, &b.SKUID, &b.OnHand, &b.Reserved, &b.BatchQty); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Each batch is the sum of its movement rows, and a balance's batches sum to
	// batch_qty; a quota's used is what the channel's active reservations drew from
	// it, and quota_free the sum of what the quotas have left.
	for _, check := range []string{
		`SELECT DISTINCT bt.location_id, bt.sku_id FROM stock_batches bt
			LEFT JOIN (SELECT batch_id, SUM(qty) AS qty FROM stock_movement_batches WHERE tenant_id = $1 GROUP BY batch_id) x ON x.batch_id = bt.id
			WHERE bt.tenant_id = $1 AND bt.on_hand <> COALESCE(x.qty, 0)`,
		`SELECT b.location_id, b.sku_id FROM stock_balances b
			LEFT JOIN (SELECT location_id, sku_id, SUM(on_hand) AS qty FROM stock_batches WHERE tenant_id = $1 GROUP BY location_id, sku_id) bt
			ON bt.location_id = b.location_id AND bt.sku_id = b.sku_id
			WHERE b.tenant_id = $1 AND b.batch_qty <> COALESCE(bt.qty, 0)`,
		`SELECT DISTINCT cq.location_id, cq.sku_id FROM stock_channel_quotas cq
			LEFT JOIN (SELECT l.location_id, l.sku_id, l.channel, SUM(l.from_quota) AS qty FROM stock_reservation_lines l
				JOIN stock_reservations r ON r.id = l.reservation_id
				WHERE r.tenant_id = $1 AND r.status = 'active' GROUP BY l.location_id, l.sku_id, l.channel) u
			ON u.location_id = cq.location_id AND u.sku_id = cq.sku_id AND u.channel = cq.channel
			WHERE cq.tenant_id = $1 AND cq.used <> COALESCE(u.qty, 0)`,
		`SELECT b.location_id, b.sku_id FROM stock_balances b
			LEFT JOIN (SELECT location_id, sku_id, SUM(CASE WHEN quota > used THEN quota - used ELSE 0 END) AS free
				FROM stock_channel_quotas WHERE tenant_id = $1 GROUP BY location_id, sku_id) cq
			ON cq.location_id = b.location_id AND cq.sku_id = b.sku_id
			WHERE b.tenant_id = $1 AND b.quota_free <> COALESCE(cq.free, 0)`,
	} {
		var keys [][2]string
		err := db.EachRow(ctx, q, check, []any{tenantID}, func(rows *sql.Rows) error {
			var k [2]string
			err := rows.Scan(&k[0], &k[1])
			keys = append(keys, k)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			b, err := getBalance(ctx, q, tenantID, k[0], k[1])
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}
