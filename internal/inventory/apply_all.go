package inventory

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// ApplyAll records many changes of on hand in one transaction with ApplyAllTx (the
// demo's opening stock, an import). Errors: those of ApplyAllTx; a refused change is
// reported in its place and the others are recorded.
func (s *Service) ApplyAll(ctx context.Context, changes []Change) ([]error, error) {
	var out []error
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.ApplyAllTx(ctx, tx, changes)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inventory: apply %d changes: %w", len(changes), err)
	}
	return out, nil
}

// ApplyAllTx is ApplyTx for many changes inside the caller's transaction, with a
// handful of statements whatever their number: the locations and SKUs are read once,
// the balances of every location and SKU concerned are made to exist and locked in
// one statement (in key order, so two writers never deadlock), the changes are
// checked in memory in their order against the running on hand — exactly the checks
// ApplyTx makes one by one, so a sale that would take on hand below zero where the
// location forbids it is refused and the changes after it see the balance without
// it — then the movements are inserted and each balance moves by its summed delta in
// two multi-row statements.
//
// It returns one entry per change: nil when it was recorded, else why it was refused
// (invalid: kind, quantity, unknown SKU, missing reason; not_found: location;
// insufficient); refused changes leave no trace. The error is for the whole call
// (unauthorized, forbidden, the database): the caller rolls back.
//
// Every bulk writer of movements (recorded tickets, opening stock) goes through here:
// this is the one place to extend when movements gain more effects (batches and their
// expiry consumed first-expiry-first on outgoing stock).
func (s *Service) ApplyAllTx(ctx context.Context, tx *sql.Tx, changes []Change) ([]error, error) {
	p, err := auth.Require(ctx, auth.InventoryWrite)
	if err != nil {
		return nil, err
	}
	out := make([]error, len(changes))
	if len(changes) == 0 {
		return out, nil
	}
	tenantID := p.TenantID
	locs, err := s.visibleLocations(ctx, tx, p, changes)
	if err != nil {
		return nil, err
	}
	known, err := knownSKUs(ctx, tx, s.db.Dialect, tenantID, changes)
	if err != nil {
		return nil, err
	}
	type key struct{ loc, sku string }
	var keys []key
	seen := map[key]bool{}
	for i, c := range changes {
		if _, ok := locs[c.LocationID]; !ok {
			out[i] = errs.E(errs.NotFound, "stock location %s not found", c.LocationID)
			continue
		}
		if !known[c.SKUID] {
			out[i] = errs.Field("sku_id", "unknown SKU %s", c.SKUID)
			continue
		}
		if k := (key{c.LocationID, c.SKUID}); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.loc, b.loc), cmp.Compare(a.sku, b.sku)) })
	now := s.now()
	at := clock.Millis(now)

	// Make every balance exist and lock it, reading its on hand and what of it is in
	// batches: an upsert whose update changes nothing still takes the row lock on
	// PostgreSQL.
	onHand := make(map[key]int64, len(keys))
	batchQty := make(map[key]int64, len(keys))
	held := make(map[key]int64, len(keys)) // reserved + safety stock: on hand less it is available
	// The tenant is a value of every row rather than a lead parameter: a parameter
	// repeated in every row costs SQLite a look-up among all of them each time.
	w := db.Rows{Head: `INSERT INTO stock_balances (tenant_id, location_id, sku_id, updated_at)`,
		Tail: ` ON CONFLICT (tenant_id, location_id, sku_id) DO UPDATE SET on_hand = stock_balances.on_hand RETURNING location_id, sku_id, on_hand, batch_qty, reserved + safety_stock`}
	err = db.WriteRows(ctx, tx, s.db.Dialect, w, keys, func(k key) []any { return []any{tenantID, k.loc, k.sku, at} }, func(rows *sql.Rows) error {
		var k key
		var n, b, h int64
		if err := rows.Scan(&k.loc, &k.sku, &n, &b, &h); err != nil {
			return err
		}
		onHand[k], batchQty[k], held[k] = n, b, h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lock balances: %w", err)
	}

	delta := make(map[key]int64, len(keys))
	var moves []Movement
	var moved []Change            // the change of each of moves
	var negative []events.Message // the alerts: negative and low stock
	for i := range changes {
		if out[i] != nil {
			continue
		}
		c := changes[i]
		if err := validBatch(&c); err != nil {
			out[i] = err
			continue
		}
		k := key{c.LocationID, c.SKUID}
		d, err := s.deltaOf(ctx, c, onHand[k])
		if err != nil {
			out[i] = err
			continue
		}
		loc := locs[c.LocationID]
		mayGoNegative := c.Kind == MoveSale && loc.AllowNegative
		if d < 0 && !mayGoNegative && onHand[k]+d < 0 {
			out[i] = errs.E(errs.Insufficient, "%s would take on hand of SKU %s at %s below zero", c.Kind, c.SKUID, loc.Code)
			continue
		}
		if crossedLow(onHand[k]-held[k], onHand[k]+d-held[k]) {
			negative = append(negative, events.Message{TenantID: tenantID, Type: EventLowStock, AggregateID: loc.ID,
				Payload: lowStockEvent(loc, c.SKUID, onHand[k]+d-held[k], c.Kind, c.Reference)})
		}
		onHand[k] += d
		delta[k] += d
		moves = append(moves, Movement{ID: ids.New(), LocationID: c.LocationID, SKUID: c.SKUID, Kind: c.Kind, OnHandDelta: d,
			Reference: c.Reference, Reason: c.Reason, ActorID: p.ID, OccurredAt: now})
		moved = append(moved, c)
		if onHand[k] < 0 && d < 0 {
			// A till sale took more than was recorded: the shelf needs counting.
			negative = append(negative, events.Message{TenantID: tenantID, Type: EventNegativeStock, AggregateID: loc.ID,
				Payload: NegativeStockEvent{LocationID: loc.ID, LocationCode: loc.Code, StoreID: loc.StoreID, SKUID: c.SKUID, OnHand: onHand[k], Reference: c.Reference}})
		}
	}
	w = db.Rows{Head: `INSERT INTO stock_movements (tenant_id, id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at)`}
	if err := db.WriteRows(ctx, tx, s.db.Dialect, w, moves, func(m Movement) []any {
		return []any{tenantID, m.ID, m.LocationID, m.SKUID, string(m.Kind), m.OnHandDelta, int64(0), m.Reference, m.Reason, m.ActorID, at}
	}, nil); err != nil {
		return nil, fmt.Errorf("record movements: %w", err)
	}
	// Batches, as ApplyTx moves them: a receipt naming one fills it, and outgoing
	// stock takes batches first expiry first out where the balance holds any. Most
	// bulk movements (till sales of goods without batches) have nothing to do here.
	for i, m := range moves {
		k := key{m.LocationID, m.SKUID}
		if !(moved[i].BatchCode != "" && m.OnHandDelta > 0) && !(m.OnHandDelta < 0 && batchQty[k] > 0) {
			continue
		}
		sum, _, err := moveBatches(ctx, tx, tenantID, moved[i], m.ID, m.OnHandDelta, batchQty[k], now)
		if err != nil {
			return nil, err
		}
		batchQty[k] += sum
	}
	keys = slices.DeleteFunc(keys, func(k key) bool { return delta[k] == 0 })
	w = db.Rows{Head: `INSERT INTO stock_balances (tenant_id, location_id, sku_id, on_hand, updated_at)`,
		Tail: ` ON CONFLICT (tenant_id, location_id, sku_id) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at`}
	if err := db.WriteRows(ctx, tx, s.db.Dialect, w, keys, func(k key) []any { return []any{tenantID, k.loc, k.sku, delta[k], at} }, nil); err != nil {
		return nil, fmt.Errorf("update on hand: %w", err)
	}
	if err := s.outbox.PublishAll(ctx, tx, s.db.Dialect, negative); err != nil {
		return nil, err
	}
	return out, nil
}

// deltaOf is onHandDelta for a change checked in memory: a count sets on hand, read
// from the locked balance; the other kinds are onHandDelta's own rules (which need no
// transaction for them).
func (s *Service) deltaOf(ctx context.Context, c Change, onHand int64) (int64, error) {
	switch c.Kind {
	case MoveCount:
		if c.Qty < 0 || c.Qty > MaxQty {
			return 0, errs.Field("qty", "the counted on hand must be between 0 and %d", MaxQty)
		}
		return c.Qty - onHand, nil
	case MoveReceipt, MoveReturn, MoveSale, MoveWriteOff, MoveAdjustment:
		return s.onHandDelta(ctx, nil, "", c)
	}
	return 0, errs.Field("kind", "must be receipt, sale, return, adjustment, count or write_off, not %q", c.Kind)
}

// visibleLocations reads the locations of changes that the caller's data scope
// reaches, by id; the others are missing from the map.
func (s *Service) visibleLocations(ctx context.Context, q db.Querier, p *auth.Principal, changes []Change) (map[string]Location, error) {
	var idsOf []string
	for _, c := range changes {
		idsOf = append(idsOf, c.LocationID)
	}
	slices.Sort(idsOf)
	idsOf = slices.Compact(idsOf)
	args := []any{p.TenantID}
	query := `SELECT ` + locationColumns + ` FROM stock_locations WHERE tenant_id = $1 AND id` + db.In(s.db.Dialect, &args, idsOf)
	out := map[string]Location{}
	err := db.EachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		l, err := scanLocation(rows)
		if err != nil {
			return err
		}
		if p.DataScope == auth.TenantScope || (l.StoreID != "" && s.stores.StoreExists(ctx, l.StoreID) == nil) {
			out[l.ID] = l
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stock locations: %w", err)
	}
	return out, nil
}

// knownSKUs reports which SKUs of changes are the tenant's.
func knownSKUs(ctx context.Context, q db.Querier, d db.Dialect, tenantID string, changes []Change) (map[string]bool, error) {
	var skus []string
	for _, c := range changes {
		skus = append(skus, c.SKUID)
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	out := map[string]bool{}
	for chunk := range slices.Chunk(skus, 5000) {
		args := []any{tenantID}
		err := db.EachRow(ctx, q, `SELECT id FROM skus WHERE tenant_id = $1 AND id`+db.In(d, &args, chunk), args, func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			out[id] = true
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read SKUs: %w", err)
		}
	}
	return out, nil
}
