package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
)

// Service keeps the stock of a tenant's locations for the principal in ctx (its
// tenant, scopes and data scope); the order center calls the ...Tx forms inside its
// own transaction so that an order and its reservation commit together.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	stores StoreFinder
	flash  *broker // the flash-sale path of Reserve (flash.go)
}

// StoreFinder is what inventory needs of the organisation: whether a store is inside
// the caller's data scope, and which stores are.
type StoreFinder interface {
	StoreExists(ctx context.Context, storeID string) error
	ScopeStoreIDs(ctx context.Context) ([]string, error)
}

// NewService returns the inventory service; Close stops its flash-sale broker.
func NewService(d *db.DB, outbox *events.Outbox, a *audit.Log, c clock.Clock, stores StoreFinder) *Service {
	return &Service{db: d, outbox: outbox, audit: a, clock: c, stores: stores, flash: newBroker()}
}

// visible returns the location when the caller's data scope reaches it: the whole
// tenant reaches every location, a brand, region or store scope only the locations of
// its stores (warehouses serve the whole chain). errs.NotFound otherwise, so that ids
// outside the scope cannot be probed.
func (s *Service) visible(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Location, error) {
	l, err := getLocation(ctx, q, p.TenantID, id)
	if err != nil || p.DataScope == auth.TenantScope {
		return l, err
	}
	if l.StoreID == "" || s.stores.StoreExists(ctx, l.StoreID) != nil {
		return Location{}, errs.E(errs.NotFound, "stock location %s not found", id)
	}
	return l, nil
}

func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

func (s *Service) lock() string { return s.db.Dialect.ForUpdate() }

// CreateLocation adds a stock location. Errors: invalid (fields, unknown store),
// conflict (code taken, or the store has a location already).
func (s *Service) CreateLocation(ctx context.Context, l Location) (Location, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryWrite, "adding a stock location")
	if err != nil {
		return Location{}, err
	}
	tenantID := p.TenantID
	l.Code, l.Name, l.StoreID = strings.TrimSpace(l.Code), strings.TrimSpace(l.Name), strings.TrimSpace(l.StoreID)
	if err := l.Validate(); err != nil {
		return Location{}, err
	}
	l.ID, l.TenantID, l.CreatedAt = ids.New(), tenantID, s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if l.StoreID != "" {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM stores WHERE tenant_id = $1 AND id = $2`, tenantID, l.StoreID).Scan(&one); err != nil {
				return errs.Field("store_id", "unknown store %s", l.StoreID)
			}
		}
		err := insertLocation(ctx, tx, l)
		if db.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Field: "body.code", Message: fmt.Sprintf("a stock location with code %s, or for this store, exists", l.Code)}
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "stock_location.create", ResourceType: "stock_location", ResourceID: l.ID, Changes: l})
	})
	if err != nil {
		return Location{}, fmt.Errorf("inventory: create location: %w", err)
	}
	return l, nil
}

// FindLocationByID returns a location inside the caller's data scope. Errors:
// not_found, unauthorized, forbidden.
func (s *Service) FindLocationByID(ctx context.Context, id string) (Location, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return Location{}, err
	}
	l, err := s.visible(ctx, s.db.Reader(), p, id)
	if err != nil {
		return Location{}, fmt.Errorf("inventory: %w", err)
	}
	return l, nil
}

// FindLocations lists the locations inside the caller's data scope by code, a page
// at a time. Errors: invalid (cursor), unauthorized, forbidden.
func (s *Service) FindLocations(ctx context.Context, page httpapi.PageParams) (httpapi.Page[Location], error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return httpapi.Page[Location]{}, err
	}
	var storeIDs []string
	if p.DataScope != auth.TenantScope {
		if storeIDs, err = s.stores.ScopeStoreIDs(ctx); err != nil {
			return httpapi.Page[Location]{}, fmt.Errorf("inventory: stores in scope: %w", err)
		}
		if len(storeIDs) == 0 {
			return httpapi.Page[Location]{Items: []Location{}}, nil
		}
	}
	return httpapi.FindPage(page.Cursor, page.Limit, 50, func(after string, n int) ([]Location, error) {
		return listLocations(ctx, s.db, p.TenantID, storeIDs, after, n)
	}, func(l Location) string { return l.Code })
}

// FindBalance returns the stock of a SKU at a location inside the caller's data scope
// (zero if never stocked). Errors: not_found, unauthorized, forbidden.
func (s *Service) FindBalance(ctx context.Context, locationID, skuID string) (Balance, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return Balance{}, err
	}
	if _, err := s.visible(ctx, s.db.Reader(), p, locationID); err != nil {
		return Balance{}, fmt.Errorf("inventory: %w", err)
	}
	b, err := getBalance(ctx, s.db.Reader(), p.TenantID, locationID, skuID)
	if err != nil {
		return Balance{}, fmt.Errorf("inventory: %w", err)
	}
	return b, nil
}

// Change is a change of on hand at one location: a receipt, a till sale, a return,
// an adjustment, a count or a write-off.
type Change struct {
	LocationID string
	SKUID      string
	Kind       MovementKind
	// Qty is the units moved (positive) for every kind but MoveAdjustment, where it
	// is the signed correction, and MoveCount, where it is the counted on hand.
	Qty       int64
	Reference string
	Reason    string
	// BatchCode and ExpiresOn (YYYY-MM-DD) put a receipt into a batch (batch.go); the
	// code defaults to the date. Other kinds name no batch: stock leaves first expiry
	// first out.
	BatchCode string
	ExpiresOn string
}

// Apply records a change of on hand and returns the balance after it. A till sale
// that takes on hand below zero is recorded where the location allows negative
// stock (it happened) and refused elsewhere, as is any other decrease below zero.
// Errors: invalid (kind, quantity, unknown SKU, missing reason), not_found
// (location), insufficient.
func (s *Service) Apply(ctx context.Context, c Change) (Balance, error) {
	var b Balance
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		b, err = s.ApplyTx(ctx, tx, c)
		return err
	})
	if err != nil {
		return Balance{}, fmt.Errorf("inventory: %s: %w", c.Kind, err)
	}
	return b, nil
}

// ApplyTx is Apply inside the caller's transaction. A store manager records changes
// at the locations of their stores.
func (s *Service) ApplyTx(ctx context.Context, tx *sql.Tx, c Change) (Balance, error) {
	p, err := auth.Require(ctx, auth.InventoryWrite)
	if err != nil {
		return Balance{}, err
	}
	tenantID := p.TenantID
	loc, err := s.visible(ctx, tx, p, c.LocationID)
	if err != nil {
		return Balance{}, err
	}
	if err := checkSKU(ctx, tx, tenantID, c.SKUID, "sku_id"); err != nil {
		return Balance{}, err
	}
	now := s.now()
	if err := ensureBalance(ctx, tx, tenantID, c.LocationID, c.SKUID, now); err != nil {
		return Balance{}, err
	}
	if err := validBatch(&c); err != nil {
		return Balance{}, err
	}
	delta, err := s.onHandDelta(ctx, tx, tenantID, c)
	if err != nil {
		return Balance{}, err
	}
	mayGoNegative := c.Kind == MoveSale && loc.AllowNegative
	ok, err := addOnHand(ctx, tx, tenantID, c.LocationID, c.SKUID, delta, mayGoNegative, now)
	if err != nil {
		return Balance{}, err
	}
	if !ok {
		return Balance{}, errs.E(errs.Insufficient, "%s would take on hand of SKU %s at %s below zero", c.Kind, c.SKUID, loc.Code)
	}
	m := Movement{ID: ids.New(), LocationID: c.LocationID, SKUID: c.SKUID, Kind: c.Kind, OnHandDelta: delta, Reference: c.Reference, Reason: c.Reason, ActorID: p.ID, OccurredAt: now}
	if err := insertMovement(ctx, tx, tenantID, m); err != nil {
		return Balance{}, err
	}
	b, err := getBalance(ctx, tx, tenantID, c.LocationID, c.SKUID)
	if err != nil {
		return Balance{}, err
	}
	moved, _, err := moveBatches(ctx, tx, tenantID, c, m.ID, delta, b.BatchQty, now)
	if err != nil {
		return Balance{}, err
	}
	b.BatchQty += moved
	if crossedLow(b.Available()-delta, b.Available()) {
		if _, err := s.outbox.Publish(ctx, tx, tenantID, EventLowStock, loc.ID, lowStockEvent(loc, c.SKUID, b.Available(), c.Kind, c.Reference)); err != nil {
			return Balance{}, err
		}
	}
	if b.OnHand < 0 && delta < 0 {
		// A till sale took more than was recorded: the shelf needs counting.
		ev := NegativeStockEvent{LocationID: loc.ID, LocationCode: loc.Code, StoreID: loc.StoreID, SKUID: c.SKUID, OnHand: b.OnHand, Reference: c.Reference}
		if _, err := s.outbox.Publish(ctx, tx, tenantID, EventNegativeStock, loc.ID, ev); err != nil {
			return Balance{}, err
		}
	}
	return b, nil
}

// onHandDelta turns a change into its signed effect on on hand.
func (s *Service) onHandDelta(ctx context.Context, tx *sql.Tx, tenantID string, c Change) (int64, error) {
	switch c.Kind {
	case MoveReceipt, MoveReturn:
		if !validQty(c.Qty) {
			return 0, errs.Field("qty", "must be between 1 and %d", MaxQty)
		}
		return c.Qty, nil
	case MoveSale, MoveWriteOff:
		if !validQty(c.Qty) {
			return 0, errs.Field("qty", "must be between 1 and %d", MaxQty)
		}
		return -c.Qty, nil
	case MoveAdjustment:
		if c.Qty == 0 || c.Qty > MaxQty || c.Qty < -MaxQty {
			return 0, errs.Field("qty", "must be a non-zero correction within ±%d", MaxQty)
		}
		if strings.TrimSpace(c.Reason) == "" {
			return 0, errs.Field("reason", "an adjustment says why")
		}
		return c.Qty, nil
	case MoveCount:
		if c.Qty < 0 || c.Qty > MaxQty {
			return 0, errs.Field("qty", "the counted on hand must be between 0 and %d", MaxQty)
		}
		// The lock keeps a concurrent change from slipping between the read and the update.
		var onHand int64
		if err := tx.QueryRowContext(ctx, `SELECT on_hand FROM stock_balances WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`+s.lock(),
			tenantID, c.LocationID, c.SKUID).Scan(&onHand); err != nil {
			return 0, fmt.Errorf("read on hand: %w", err)
		}
		return c.Qty - onHand, nil
	}
	return 0, errs.Field("kind", "must be receipt, sale, return, adjustment, count or write_off, not %q", c.Kind)
}

// Reserve holds stock for req.Reference, all lines or none. A second call for the
// same reference returns the reservation made by the first, whatever its state,
// provided it asked for the same stock. Errors: invalid, insufficient (naming the
// first location and SKU short of stock), conflict (the reference reserved other
// stock).
//
// A reservation of one location and SKU (the lines of a flash-sale order) takes the
// flash-sale path unless SetFlash turned it off: it is written together with the
// others waiting for the same balance, in one transaction, and Reserve returns once
// that transaction has committed. Cancelling ctx while it waits returns ctx's error,
// but the reservation may still be made; reserving again with the same reference
// says whether it was.
func (s *Service) Reserve(ctx context.Context, req ReserveRequest) (Reservation, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryWrite, "reserving stock")
	if err != nil {
		return Reservation{}, fmt.Errorf("inventory: reserve: %w", err)
	}
	if err := req.Validate(); err != nil {
		return Reservation{}, fmt.Errorf("inventory: reserve: %w", err)
	}
	if demand := Demand(req.Lines); len(demand) == 1 {
		one := req
		one.Lines = demand
		r, ok, err := s.reserveFlash(ctx, p, one)
		if err != nil {
			return Reservation{}, fmt.Errorf("inventory: reserve: %w", err)
		}
		if ok {
			return r, nil
		}
	}
	var r Reservation
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.reserveLines(ctx, tx, p.TenantID, p.ID, req)
		return err
	})
	if err != nil {
		return Reservation{}, fmt.Errorf("inventory: reserve: %w", err)
	}
	return r, nil
}

// ReserveTx is Reserve inside the caller's transaction. Reservations serve the whole
// chain's orders: they need inventory:write over the whole tenant.
func (s *Service) ReserveTx(ctx context.Context, tx *sql.Tx, req ReserveRequest) (Reservation, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryWrite, "reserving stock")
	if err != nil {
		return Reservation{}, err
	}
	if err := req.Validate(); err != nil {
		return Reservation{}, err
	}
	return s.reserveLines(ctx, tx, p.TenantID, p.ID, req)
}

// reserveLines reserves a valid request in tx, one conditional UPDATE per line (one
// statement for all of them on PostgreSQL: reserveDemand), for the tenant and the
// actor recorded in the ledger.
func (s *Service) reserveLines(ctx context.Context, tx *sql.Tx, tenantID, actorID string, req ReserveRequest) (Reservation, error) {
	demand := Demand(req.Lines)
	now := s.now()
	r := Reservation{ID: ids.New(), Reference: req.Reference, Status: ReservationActive, Channel: req.Channel, Lines: demand,
		ExpiresAt: now.Add(req.TTL), CreatedAt: now, fromQuota: map[[2]string]int64{}}
	// The ledger rows, the reservation and its lines are written first, and the
	// balances' conditional UPDATEs last: from its first UPDATE a balance is locked
	// until the commit and other orders of that SKU wait for it, so nothing else
	// should run in between. A failed line fails the caller's transaction, which
	// rolls the rows written before it back.
	moves := make([]Movement, len(demand))
	for i, l := range demand {
		moves[i] = Movement{LocationID: l.LocationID, SKUID: l.SKUID, Kind: MoveReserve, ReservedDelta: l.Qty, Reference: req.Reference, ActorID: actorID, OccurredAt: now}
	}
	fresh, err := s.storeReservation(ctx, tx, tenantID, r, moves)
	if err != nil {
		return Reservation{}, err
	}
	if !fresh {
		prior, err := getReservation(ctx, tx, tenantID, req.Reference, "")
		if err != nil {
			return Reservation{}, err
		}
		if !slices.Equal(prior.Lines, demand) || prior.Channel != req.Channel {
			return Reservation{}, errs.E(errs.Conflict, "%s reserved other stock before", req.Reference)
		}
		return prior, nil
	}
	done, err := reserveDemand(ctx, tx, s.db.Dialect, s.lock(), tenantID, req.Channel, demand, now)
	if err != nil {
		return Reservation{}, err
	}
	for i, t := range done {
		l := demand[i]
		if !t.ok {
			return Reservation{}, errs.E(errs.Insufficient, "not enough of SKU %s available at location %s for %d", l.SKUID, l.LocationID, l.Qty)
		}
		if err := s.publishLowStock(ctx, tx, tenantID, l.LocationID, l.SKUID, t.available+l.Qty, t.available, MoveReserve, req.Reference); err != nil {
			return Reservation{}, err
		}
		r.fromQuota[[2]string{l.LocationID, l.SKUID}] = t.drawn
		if t.drawn != 0 { // a channel's quota served the line: the line says how much, for its release
			if err := setFromQuota(ctx, tx, r.ID, l, t.drawn); err != nil {
				return Reservation{}, err
			}
		}
	}
	return r, nil
}

// storeReservation writes a new reservation r with its lines and its ledger rows
// moves, and reports false, writing nothing, when r's reference has a reservation
// already. On PostgreSQL that is one statement (a reference being reserved
// concurrently is waited for); on SQLite, whose single writer has no round trips
// to save, a look-up and one statement per table.
func (s *Service) storeReservation(ctx context.Context, tx *sql.Tx, tenantID string, r Reservation, moves []Movement) (bool, error) {
	if s.db.Dialect == db.Postgres {
		fresh, err := insertReservationWithLedger(ctx, tx, tenantID, r, moves)
		if err != nil {
			return false, fmt.Errorf("store reservation: %w", err)
		}
		return fresh, nil
	}
	if _, err := getReservation(ctx, tx, tenantID, r.Reference, ""); err == nil {
		return false, nil
	} else if !errs.Is(err, errs.NotFound) {
		return false, err
	}
	if err := insertMovements(ctx, tx, s.db.Dialect, tenantID, moves); err != nil {
		return false, err
	}
	if err := insertReservation(ctx, tx, s.db.Dialect, tenantID, r); err != nil {
		if db.IsUniqueViolation(err) {
			return false, errs.E(errs.Conflict, "%s is being reserved concurrently; retry", r.Reference)
		}
		return false, fmt.Errorf("store reservation: %w", err)
	}
	return true, nil
}

// Commit turns the reservation of reference into goods leaving: on hand and
// reserved both fall by each line. Committing twice is a no-op. Errors: not_found,
// conflict (released or expired).
func (s *Service) Commit(ctx context.Context, reference string) (Reservation, error) {
	return s.settle(ctx, reference, ReservationCommitted, "")
}

// Release lets the stock of reference go (a cancelled order). Releasing twice is a
// no-op. Errors: not_found, conflict (committed).
func (s *Service) Release(ctx context.Context, reference, reason string) (Reservation, error) {
	return s.settle(ctx, reference, ReservationReleased, reason)
}

func (s *Service) settle(ctx context.Context, reference string, to ReservationStatus, reason string) (Reservation, error) {
	var r Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.SettleTx(ctx, tx, reference, to, reason)
		return err
	})
	if err != nil {
		return Reservation{}, fmt.Errorf("inventory: %s %s: %w", to, reference, err)
	}
	return r, nil
}

// SettleTx moves the active reservation of reference to committed, released or
// expired inside the caller's transaction; settling it again to the same state is a
// no-op. Errors: not_found, conflict (already settled otherwise).
func (s *Service) SettleTx(ctx context.Context, tx *sql.Tx, reference string, to ReservationStatus, reason string) (Reservation, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryWrite, "settling a stock reservation")
	if err != nil {
		return Reservation{}, err
	}
	tenantID := p.TenantID
	r, err := getReservation(ctx, tx, tenantID, reference, s.lock())
	if err != nil {
		return Reservation{}, err
	}
	if r.Status == to {
		return r, nil
	}
	if r.Status != ReservationActive {
		return Reservation{}, errs.E(errs.Conflict, "the reservation of %s is %s", reference, r.Status)
	}
	now := s.now()
	fulfilled := to == ReservationCommitted
	for _, l := range r.Lines {
		batchQty, err := unreserve(ctx, tx, tenantID, l, fulfilled, now)
		if err != nil {
			return Reservation{}, err
		}
		if err := returnQuota(ctx, tx, tenantID, l, r.Channel, r.fromQuota[[2]string{l.LocationID, l.SKUID}], now); err != nil {
			return Reservation{}, err
		}
		m := Movement{ID: ids.New(), LocationID: l.LocationID, SKUID: l.SKUID, Kind: MoveRelease, ReservedDelta: -l.Qty, Reference: reference, Reason: reason, ActorID: p.ID, OccurredAt: now}
		if fulfilled {
			m.Kind, m.OnHandDelta = MoveFulfil, -l.Qty
		}
		if err := insertMovement(ctx, tx, tenantID, m); err != nil {
			return Reservation{}, err
		}
		if fulfilled && batchQty > 0 { // the goods leaving take batches first expiry first out
			c := Change{LocationID: l.LocationID, SKUID: l.SKUID}
			if _, _, err := moveBatches(ctx, tx, tenantID, c, m.ID, -l.Qty, batchQty, now); err != nil {
				return Reservation{}, err
			}
		}
	}
	if err := setReservationStatus(ctx, tx, r.ID, to, now); err != nil {
		return Reservation{}, fmt.Errorf("settle reservation: %w", err)
	}
	r.Status = to
	return r, nil
}

// ExpireDue releases up to limit active reservations of any tenant whose time has
// passed and returns how many it released; a background loop calls it, as the system.
func (s *Service) ExpireDue(ctx context.Context, limit int) (int, error) {
	due, err := dueReservations(ctx, s.db.Reader(), s.now(), limit)
	if err != nil {
		return 0, fmt.Errorf("inventory: expire: %w", err)
	}
	n := 0
	for _, d := range due {
		system := auth.WithPrincipal(ctx, auth.System(d[0]))
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.SettleTx(system, tx, d[1], ReservationExpired, "unpaid in time")
			return err
		})
		if errs.Is(err, errs.Conflict) {
			continue // paid or cancelled meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("inventory: expire %s: %w", d[1], err)
		}
		n++
	}
	return n, nil
}

// FindReservation returns the reservation of a reference (an order). Errors:
// not_found, unauthorized, forbidden (needs inventory:read over the whole tenant).
func (s *Service) FindReservation(ctx context.Context, reference string) (Reservation, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryRead, "reading stock reservations")
	if err != nil {
		return Reservation{}, err
	}
	r, err := getReservation(ctx, s.db.Reader(), p.TenantID, reference, "")
	if err != nil {
		return Reservation{}, fmt.Errorf("inventory: %w", err)
	}
	return r, nil
}

// Verify returns the balances of the caller's tenant that differ from the sum of
// their ledger movements, as the ledger says they should be; none when all reconcile.
// Errors: unauthorized, forbidden (needs inventory:read over the whole tenant).
func (s *Service) Verify(ctx context.Context) ([]Balance, error) {
	p, err := auth.RequireTenantWide(ctx, auth.InventoryRead, "verifying the stock ledger")
	if err != nil {
		return nil, err
	}
	out, err := ledgerDifferences(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("inventory: verify: %w", err)
	}
	return out, nil
}

// FindLocationOfStore returns the stock location of a store of the caller's tenant.
// It serves the order center, which has authorised its own use case. Errors:
// not_found (the store holds no stock location), unauthorized.
func (s *Service) FindLocationOfStore(ctx context.Context, storeID string) (Location, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Location{}, err
	}
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+locationColumns+` FROM stock_locations WHERE tenant_id = $1 AND store_id = $2`, p.TenantID, storeID)
	l, err := scanLocation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, errs.E(errs.NotFound, "store %s holds no stock location", storeID)
	}
	if err != nil {
		return Location{}, fmt.Errorf("inventory: location of store: %w", err)
	}
	return l, nil
}

// LocationStock is a location and what it has available of some SKUs.
type LocationStock struct {
	Location  Location
	Available map[string]int64 // by SKU id; SKUs never stocked there are missing
}

// Availability returns every location of the caller's tenant holding a balance of
// any of skuIDs, with what each has available of them, by location code. It serves
// the order center's routing, which has authorised its own use case. Errors:
// unauthorized.
func (s *Service) Availability(ctx context.Context, skuIDs []string) ([]LocationStock, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if len(skuIDs) == 0 {
		return nil, nil
	}
	args := []any{p.TenantID}
	query := `SELECT l.id, l.tenant_id, l.code, l.name, l.kind, l.store_id, l.allow_negative, l.created_at, l.latitude, l.longitude,
		b.sku_id, b.on_hand - b.reserved - b.safety_stock
		FROM stock_balances b JOIN stock_locations l ON l.id = b.location_id
		WHERE b.tenant_id = $1 AND b.sku_id` + db.In(s.db.Dialect, &args, skuIDs) + ` ORDER BY l.code`
	var out []LocationStock
	err = db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
		var l Location
		var storeID sql.NullString
		var created, available int64
		var sku string
		if err := rows.Scan(&l.ID, &l.TenantID, &l.Code, &l.Name, &l.Kind, &storeID, &l.AllowNegative, &created, &l.Latitude, &l.Longitude, &sku, &available); err != nil {
			return err
		}
		l.StoreID, l.CreatedAt = storeID.String, clock.FromMillis(created)
		if n := len(out); n == 0 || out[n-1].Location.ID != l.ID {
			out = append(out, LocationStock{Location: l, Available: map[string]int64{}})
		}
		out[len(out)-1].Available[sku] = available
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inventory: availability: %w", err)
	}
	return out, nil
}

// TransferStock moves stock between two locations in one transaction: on hand falls
// at the source (never below zero) and rises at the destination, one ledger movement
// each with the same reference. A store manager transfers between the locations of
// their stores; the whole tenant between any. Errors: invalid (naming the field,
// unknown SKU), not_found (a location outside the caller's scope), insufficient.
func (s *Service) TransferStock(ctx context.Context, t Transfer) ([2]Balance, error) {
	var out [2]Balance
	p, err := auth.Require(ctx, auth.InventoryWrite)
	if err != nil {
		return out, err
	}
	if err := t.Validate(); err != nil {
		return out, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		from, err := s.visible(ctx, tx, p, t.FromLocationID)
		if err != nil {
			return err
		}
		to, err := s.visible(ctx, tx, p, t.ToLocationID)
		if err != nil {
			return err
		}
		if err := checkSKU(ctx, tx, p.TenantID, t.SKUID, "sku_id"); err != nil {
			return err
		}
		now := s.now()
		// Rows in location id order, as reservations take them, so transfers never deadlock.
		steps := []struct {
			loc   Location
			delta int64
			kind  MovementKind
			slot  int
		}{{from, -t.Qty, MoveTransferOut, 0}, {to, t.Qty, MoveTransferIn, 1}}
		var movementIDs [2]string
		if to.ID < from.ID {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, st := range steps {
			if err := ensureBalance(ctx, tx, p.TenantID, st.loc.ID, t.SKUID, now); err != nil {
				return err
			}
			ok, err := addOnHand(ctx, tx, p.TenantID, st.loc.ID, t.SKUID, st.delta, false, now)
			if err != nil {
				return err
			}
			if !ok {
				return errs.E(errs.Insufficient, "transferring %d of SKU %s would take on hand at %s below zero", t.Qty, t.SKUID, st.loc.Code)
			}
			m := Movement{ID: ids.New(), LocationID: st.loc.ID, SKUID: t.SKUID, Kind: st.kind, OnHandDelta: st.delta, Reference: t.Reference, Reason: t.Reason, ActorID: p.ID, OccurredAt: now}
			if err := insertMovement(ctx, tx, p.TenantID, m); err != nil {
				return err
			}
			movementIDs[st.slot] = m.ID
		}
		if err := transferBatches(ctx, tx, p.TenantID, t, movementIDs, now); err != nil {
			return err
		}
		for i, loc := range []string{from.ID, to.ID} {
			if out[i], err = getBalance(ctx, tx, p.TenantID, loc, t.SKUID); err != nil {
				return err
			}
		}
		if after := out[0].Available(); crossedLow(after+t.Qty, after) {
			if _, err := s.outbox.Publish(ctx, tx, p.TenantID, EventLowStock, from.ID, lowStockEvent(from, t.SKUID, after, MoveTransferOut, t.Reference)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return [2]Balance{}, fmt.Errorf("inventory: transfer: %w", err)
	}
	return out, nil
}

// publishLowStock publishes EventLowStock when available crossed from above zero to
// zero or below at a location known only by id (the reservation paths, which do not
// read the location otherwise: it is read only on the crossing).
func (s *Service) publishLowStock(ctx context.Context, tx *sql.Tx, tenantID, locationID, skuID string, before, after int64, kind MovementKind, reference string) error {
	if !crossedLow(before, after) {
		return nil
	}
	loc, err := getLocation(ctx, tx, tenantID, locationID)
	if err != nil {
		return err
	}
	if _, err := s.outbox.Publish(ctx, tx, tenantID, EventLowStock, loc.ID, lowStockEvent(loc, skuID, after, kind, reference)); err != nil {
		return fmt.Errorf("publish low stock: %w", err)
	}
	return nil
}
