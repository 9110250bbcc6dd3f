package order

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/order/routing"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// CapacityWindow is the window a location's order capacity counts in: the online
// orders routed to it in the last hour (rolling, so there is no rush at the top of
// the hour), cancelled ones left out.
const CapacityWindow = time.Hour

// LocationFulfilment is how a stock location takes online orders: its order
// capacity per hour, its cut-off, its delivery radius and what a shipment from it
// costs. The zero value is the default: unlimited, no cut-off, the radius of its
// kind (store 3 km, front warehouse 10 km, warehouse unlimited), no cost.
type LocationFulfilment struct {
	LocationID string
	// OrdersPerHour caps the online orders routed to the location in any rolling hour
	// (CapacityWindow); nil means no cap, zero takes no orders.
	OrdersPerHour *int
	// CutOff is the local time ("21:00") after which an order is promised from the
	// next opening; "" means none (the same day until closing).
	CutOff string
	// RadiusKm overrides the delivery radius of the location's kind; nil keeps it.
	RadiusKm *float64
	// CostPerOrderFen and CostPerKmFen price a shipment from here (fen): routing
	// prefers the cheaper of two otherwise equal locations.
	CostPerOrderFen int64
	CostPerKmFen    int64
	UpdatedBy       string
	UpdatedAt       time.Time // zero when never set
	// Load is the orders counted against the capacity now (read only).
	Load int
}

// MaxOrdersPerHour bounds LocationFulfilment.OrdersPerHour.
const MaxOrdersPerHour = 100_000

// MaxRadiusKm bounds LocationFulfilment.RadiusKm: half the Earth's circumference.
const MaxRadiusKm = 20_000.0

// Validate reports an errs.Invalid error naming the body field that is wrong.
func (f LocationFulfilment) Validate() error {
	switch {
	case f.OrdersPerHour != nil && (*f.OrdersPerHour < 0 || *f.OrdersPerHour > MaxOrdersPerHour):
		return errs.Field("body.orders_per_hour", "must be 0..%d, or absent for no cap", MaxOrdersPerHour)
	case f.RadiusKm != nil && (math.IsNaN(*f.RadiusKm) || *f.RadiusKm <= 0 || *f.RadiusKm > MaxRadiusKm):
		return errs.Field("body.radius_km", "must be above 0 and at most %g km, or absent for the default of the location's kind", MaxRadiusKm)
	case f.CostPerOrderFen < 0 || f.CostPerOrderFen > routing.MaxCost:
		return errs.Field("body.cost_per_order_fen", "must be 0..%d fen", int64(routing.MaxCost))
	case f.CostPerKmFen < 0 || f.CostPerKmFen > routing.MaxCost:
		return errs.Field("body.cost_per_km_fen", "must be 0..%d fen", int64(routing.MaxCost))
	}
	if _, err := cutOffOf(f.CutOff); err != nil {
		return err
	}
	return nil
}

// cutOffOf reads "HH:MM" (00:00–24:00) as an offset from local midnight; "" is none.
func cutOffOf(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	h, m, ok := strings.Cut(s, ":")
	var hh, mm int
	if _, err := fmt.Sscanf(h+" "+m, "%d %d", &hh, &mm); !ok || err != nil || len(h) != 2 || len(m) != 2 ||
		hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, errs.Field("body.cut_off", "a local time HH:MM (00:00–24:00), or empty for none")
	}
	d := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	if d == 0 {
		d = 24 * time.Hour // 00:00 as a cut-off is midnight at the end of the day
	}
	return d, nil
}

// FindLocationFulfilment returns the fulfilment settings of a stock location (the
// defaults when never set) with its current load. A store principal reads the
// locations of its stores. Errors: not_found (also outside the caller's data
// scope), unauthorized, forbidden.
func (s *Service) FindLocationFulfilment(ctx context.Context, locationID string) (LocationFulfilment, error) {
	p, err := auth.Require(ctx, auth.InventoryRead)
	if err != nil {
		return LocationFulfilment{}, err
	}
	if _, err := s.deps.Stock.FindLocationByID(ctx, locationID); err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: location fulfilment: %w", err)
	}
	r := s.db.Reader()
	all, err := readFulfilment(ctx, r, s.db.Dialect, p.TenantID, []string{locationID})
	if err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: location fulfilment: %w", err)
	}
	f, ok := all[locationID]
	if !ok {
		f = LocationFulfilment{LocationID: locationID}
	}
	load, err := countLoad(ctx, r, s.db.Dialect, p.TenantID, []string{locationID}, s.now().Add(-CapacityWindow))
	if err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: location fulfilment: %w", err)
	}
	f.Load = load[locationID]
	return f, nil
}

// UpdateLocationFulfilment replaces the fulfilment settings of a stock location;
// routing uses them from the next order on. A store manager sets those of their
// store's location. Errors: invalid (naming the field), not_found (also outside the
// caller's data scope), unauthorized, forbidden.
func (s *Service) UpdateLocationFulfilment(ctx context.Context, f LocationFulfilment) (LocationFulfilment, error) {
	p, err := auth.Require(ctx, auth.InventoryWrite)
	if err != nil {
		return LocationFulfilment{}, err
	}
	if err := f.Validate(); err != nil {
		return LocationFulfilment{}, err
	}
	// inventory:write is this use case's right; the location is looked up in the
	// caller's own data scope, whether or not the caller may also read stock.
	look := *p
	look.Scopes = append(slices.Clone(p.Scopes), auth.InventoryRead)
	if _, err := s.deps.Stock.FindLocationByID(auth.WithPrincipal(ctx, &look), f.LocationID); err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: update location fulfilment: %w", err)
	}
	f.UpdatedBy, f.UpdatedAt = p.ID, s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := upsertFulfilment(ctx, tx, p.TenantID, f); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "location_fulfilment.update", ResourceType: "stock_location",
			ResourceID: f.LocationID, Changes: f})
	})
	if err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: update location fulfilment: %w", err)
	}
	load, err := countLoad(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, []string{f.LocationID}, f.UpdatedAt.Add(-CapacityWindow))
	if err != nil {
		return LocationFulfilment{}, fmt.Errorf("order: update location fulfilment: %w", err)
	}
	f.Load = load[f.LocationID]
	return f, nil
}

// applyFulfilment sets the candidates' capacity left, cut-off, radius and costs from
// their locations' settings and the orders routed to them since at − CapacityWindow.
// A location without settings stays unlimited with its kind's radius.
func (s *Service) applyFulfilment(ctx context.Context, tenantID string, cands []routing.Candidate, at time.Time) error {
	if len(cands) == 0 {
		return nil
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	r := s.db.Reader()
	settings, err := readFulfilment(ctx, r, s.db.Dialect, tenantID, ids)
	if err != nil || len(settings) == 0 {
		return err
	}
	var capped []string
	for id, f := range settings {
		if f.OrdersPerHour != nil {
			capped = append(capped, id)
		}
	}
	load, err := countLoad(ctx, r, s.db.Dialect, tenantID, capped, at.Add(-CapacityWindow))
	if err != nil {
		return err
	}
	for i := range cands {
		c := &cands[i]
		f, ok := settings[c.ID]
		if !ok {
			continue
		}
		if f.OrdersPerHour != nil {
			c.Unlimited, c.Capacity = false, max(*f.OrdersPerHour-load[c.ID], 0)
		}
		c.Hours.CutOff, _ = cutOffOf(f.CutOff) // validated when stored
		if f.RadiusKm != nil {
			c.RadiusKm = *f.RadiusKm
		}
		c.CostPerOrder, c.CostPerKm = f.CostPerOrderFen, f.CostPerKmFen
	}
	return nil
}

const fulfilmentColumns = `location_id, orders_per_hour, cut_off, radius_km, cost_per_order_fen, cost_per_km_fen, updated_by, updated_at`

// readFulfilment reads the settings of the locations that have any, by location id.
func readFulfilment(ctx context.Context, q db.Querier, d db.Dialect, tenantID string, locationIDs []string) (map[string]LocationFulfilment, error) {
	out := map[string]LocationFulfilment{}
	if len(locationIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	query := `SELECT ` + fulfilmentColumns + ` FROM location_fulfilment WHERE tenant_id = $1 AND location_id` + db.In(d, &args, locationIDs)
	err := db.EachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var f LocationFulfilment
		var perHour sql.NullInt64
		var radius sql.NullFloat64
		var at int64
		if err := rows.Scan(&f.LocationID, &perHour, &f.CutOff, &radius, &f.CostPerOrderFen, &f.CostPerKmFen, &f.UpdatedBy, &at); err != nil {
			return err
		}
		if perHour.Valid {
			n := int(perHour.Int64)
			f.OrdersPerHour = &n
		}
		if radius.Valid {
			f.RadiusKm = &radius.Float64
		}
		f.UpdatedAt = clock.FromMillis(at)
		out[f.LocationID] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read location fulfilment: %w", err)
	}
	return out, nil
}

func upsertFulfilment(ctx context.Context, tx *sql.Tx, tenantID string, f LocationFulfilment) error {
	var perHour, radius any
	if f.OrdersPerHour != nil {
		perHour = *f.OrdersPerHour
	}
	if f.RadiusKm != nil {
		radius = *f.RadiusKm
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO location_fulfilment (tenant_id, `+fulfilmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (location_id) DO UPDATE SET orders_per_hour = excluded.orders_per_hour, cut_off = excluded.cut_off,
		radius_km = excluded.radius_km, cost_per_order_fen = excluded.cost_per_order_fen, cost_per_km_fen = excluded.cost_per_km_fen,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		tenantID, f.LocationID, perHour, f.CutOff, radius, f.CostPerOrderFen, f.CostPerKmFen, f.UpdatedBy, clock.Millis(f.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store location fulfilment: %w", err)
	}
	return nil
}

// countLoad counts, per location, the orders routed to it placed at or after since
// and not cancelled: the index order_shipments_load reads only the window's rows.
func countLoad(ctx context.Context, q db.Querier, d db.Dialect, tenantID string, locationIDs []string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	if len(locationIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID, clock.Millis(since)}
	query := `SELECT s.location_id, COUNT(*) FROM order_shipments s JOIN orders o ON o.id = s.order_id
		WHERE s.tenant_id = $1 AND s.placed_at >= $2 AND s.location_id` + db.In(d, &args, locationIDs) + ` AND o.status <> 'cancelled'
		GROUP BY s.location_id`
	err := db.EachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count location load: %w", err)
	}
	return out, nil
}

// insertShipments records where an online order is fulfilled from — one row per
// location its stock is reserved at — so that the locations' load counts it.
func insertShipments(ctx context.Context, tx *sql.Tx, o Order, reserved []inventory.Line) error {
	for _, loc := range shipmentLocations(reserved) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_shipments (tenant_id, order_id, location_id, placed_at) VALUES ($1, $2, $3, $4)`,
			o.TenantID, o.ID, loc, clock.Millis(o.PlacedAt)); err != nil {
			return fmt.Errorf("insert shipment: %w", err)
		}
	}
	return nil
}

// shipmentLocations are the locations reserved lines are reserved at, each once.
func shipmentLocations(reserved []inventory.Line) []string {
	var out []string
	for _, l := range reserved {
		if l.LocationID != "" && !slices.Contains(out, l.LocationID) {
			out = append(out, l.LocationID)
		}
	}
	return out
}
