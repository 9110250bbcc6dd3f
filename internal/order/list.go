package order

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// OrderFilter selects orders, newest first. Empty fields select everything.
type OrderFilter struct {
	StoreID    string
	CustomerID string
	Status     Status
	Channel    Channel
	From, To   time.Time // placed in [From, To)
	Limit      int
	Cursor     string
}

// FindOrders returns a page of orders (without lines and the rest, and without
// personal data) inside the caller's data scope, newest first. Errors: invalid
// (query.cursor), unauthorized, forbidden.
func (s *Service) FindOrders(ctx context.Context, f OrderFilter) (httpapi.Page[Order], error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return httpapi.Page[Order]{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > httpapi.MaxLimit {
		limit = 50
	}
	args := []any{p.TenantID}
	where := []string{"tenant_id = $1"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if p.DataScope != auth.TenantScope {
		stores, err := s.deps.Stores.ScopeStoreIDs(ctx)
		if err != nil {
			return httpapi.Page[Order]{}, fmt.Errorf("order: find orders: %w", err)
		}
		if len(stores) == 0 {
			return httpapi.Page[Order]{Items: []Order{}}, nil
		}
		where = append(where, "store_id"+db.In(s.db.Dialect, &args, stores))
	}
	if f.StoreID != "" {
		add("store_id = $%d", f.StoreID)
	}
	if f.CustomerID != "" {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Channel != "" {
		add("channel = $%d", f.Channel)
	}
	if !f.From.IsZero() {
		add("placed_at >= $%d", clock.Millis(f.From))
	}
	if !f.To.IsZero() {
		add("placed_at < $%d", clock.Millis(f.To))
	}
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, "_")
		ms, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil || id == "" {
			return httpapi.Page[Order]{}, errs.Field("query.cursor", "not a cursor this list returned")
		}
		args = append(args, ms, id)
		where = append(where, fmt.Sprintf("(placed_at < $%d OR (placed_at = $%d AND id < $%d))", len(args)-1, len(args)-1, len(args)))
	}
	args = append(args, limit+1)
	query := `SELECT ` + orderColumns + ` FROM orders WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY placed_at DESC, id DESC LIMIT $%d`, len(args))
	var items []Order
	err = db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
		o, err := scanOrder(rows)
		items = append(items, o.Order)
		return err
	})
	if err != nil {
		return httpapi.Page[Order]{}, fmt.Errorf("order: find orders: %w", err)
	}
	page := httpapi.Page[Order]{Items: items}
	if page.Items == nil {
		page.Items = []Order{}
	}
	if len(items) > limit {
		last := items[limit-1]
		page.Items, page.NextCursor = items[:limit], fmt.Sprintf("%d_%s", clock.Millis(last.PlacedAt), last.ID)
	}
	return page, nil
}

// DailySales is one day's orders of one channel: how many were placed, what they
// came to and what was refunded on them.
type DailySales struct {
	Day         string // YYYY-MM-DD in the tenant's time zone
	Channel     Channel
	Orders      int64
	PayableFen  int64
	RefundedFen int64
}

// SalesFilter selects the orders DailySales sums.
type SalesFilter struct {
	From, To time.Time // placed in [From, To); at most 3 years apart
	StoreID  string
	Zone     *time.Location // the days' zone; nil means Asia/Shanghai
}

// FindDailySales sums the orders placed in the filter's range per local day and
// channel (cancelled orders left out), inside the caller's data scope, by day then
// channel. Days are cut at the zone's offset at From (the zone's daylight saving,
// where it has any, moves the cut by an hour). Errors: invalid (query.from,
// query.to), unauthorized, forbidden.
func (s *Service) FindDailySales(ctx context.Context, f SalesFilter) ([]DailySales, error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return nil, err
	}
	switch {
	case f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From):
		return nil, errs.Field("query.to", "give from and to, to after from")
	case f.To.Sub(f.From) > 3*366*24*time.Hour:
		return nil, errs.Field("query.to", "at most three years after from")
	}
	if f.Zone == nil {
		f.Zone, _ = time.LoadLocation("Asia/Shanghai")
	}
	_, offset := f.From.In(f.Zone).Zone()
	args := []any{p.TenantID, clock.Millis(f.From), clock.Millis(f.To), int64(offset) * 1000}
	where := "tenant_id = $1 AND placed_at >= $2 AND placed_at < $3 AND status <> 'cancelled'"
	if p.DataScope != auth.TenantScope {
		stores, err := s.deps.Stores.ScopeStoreIDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("order: daily sales: %w", err)
		}
		if len(stores) == 0 {
			return []DailySales{}, nil
		}
		where += " AND store_id" + db.In(s.db.Dialect, &args, stores)
	}
	if f.StoreID != "" {
		args = append(args, f.StoreID)
		where += fmt.Sprintf(" AND store_id = $%d", len(args))
	}
	// Integer division on both engines: the day number since the epoch, local.
	query := `SELECT (placed_at + $4) / 86400000 AS day, channel, COUNT(*), SUM(payable_fen), SUM(refunded_fen)
		FROM orders WHERE ` + where + ` GROUP BY (placed_at + $4) / 86400000, channel ORDER BY day, channel`
	out := []DailySales{}
	err = db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
		var d DailySales
		var day int64
		if err := rows.Scan(&day, &d.Channel, &d.Orders, &d.PayableFen, &d.RefundedFen); err != nil {
			return err
		}
		d.Day = time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("order: daily sales: %w", err)
	}
	return out, nil
}

// PickLine is a quantity of one SKU to pick for one order line.
type PickLine struct {
	OrderID     string
	OrderNumber string
	Status      Status
	LineID      string
	SKUID       string
	SKUCode     string
	Name        string
	Unit        string
	Qty         int64
	ToPick      int64 // Qty less what was short-picked and substituted
	// SubstitutedQty is replaced by a substitute line; SubstituteFor names the line a
	// substitute replaces.
	SubstitutedQty int64
	SubstituteFor  string
}

// PickList is what one stock location has to pick: every line of its orders that are
// allocated or being picked, oldest order first, and the total left to pick per SKU
// (substitutes included, replaced and short-picked units left out).
type PickList struct {
	LocationID string
	Lines      []PickLine
	Totals     map[string]int64 // by SKU id
}

// MaxPickLines bounds a pick list.
const MaxPickLines = 2000

// FindPickList returns the pick list of a stock location: the lines fulfilled from it
// of orders allocated or picking, inside the caller's data scope, oldest first (at
// most MaxPickLines). Errors: invalid (query.location_id), unauthorized, forbidden.
func (s *Service) FindPickList(ctx context.Context, locationID string) (PickList, error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return PickList{}, err
	}
	if locationID == "" {
		return PickList{}, errs.Field("query.location_id", "required")
	}
	args := []any{p.TenantID, locationID}
	where := `o.tenant_id = $1 AND l.location_id = $2 AND o.status IN ('allocated', 'picking')`
	if p.DataScope != auth.TenantScope {
		stores, err := s.deps.Stores.ScopeStoreIDs(ctx)
		if err != nil {
			return PickList{}, fmt.Errorf("order: pick list: %w", err)
		}
		if len(stores) == 0 {
			return PickList{LocationID: locationID, Lines: []PickLine{}, Totals: map[string]int64{}}, nil
		}
		where += " AND o.store_id" + db.In(s.db.Dialect, &args, stores)
	}
	args = append(args, MaxPickLines)
	out := PickList{LocationID: locationID, Lines: []PickLine{}, Totals: map[string]int64{}}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT o.id, o.number, o.status, l.line_id, l.sku_id, l.sku_code, l.name, l.unit, l.qty,
		l.returned_qty, l.substituted_qty, l.substitute_for
		FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE `+where+fmt.Sprintf(` ORDER BY o.placed_at, o.id, l.line_id LIMIT $%d`, len(args)),
		args, func(rows *sql.Rows) error {
			var pl PickLine
			var returned int64
			if err := rows.Scan(&pl.OrderID, &pl.OrderNumber, &pl.Status, &pl.LineID, &pl.SKUID, &pl.SKUCode, &pl.Name, &pl.Unit, &pl.Qty,
				&returned, &pl.SubstitutedQty, &pl.SubstituteFor); err != nil {
				return err
			}
			pl.ToPick = pl.Qty - returned - pl.SubstitutedQty
			out.Lines = append(out.Lines, pl)
			if pl.ToPick > 0 {
				out.Totals[pl.SKUID] += pl.ToPick
			}
			return nil
		})
	if err != nil {
		return PickList{}, fmt.Errorf("order: pick list: %w", err)
	}
	return out, nil
}
