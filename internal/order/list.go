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
