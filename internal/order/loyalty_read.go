package order

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/auth"
)

// FindOrderLines returns an order's header and its lines as sold (with each line's
// frozen discount shares) and nothing else: no personal data, payments, timeline or
// changes. It serves loyalty, which earns on the lines' nets and leaves gift lines
// out. Errors: not_found (also outside the caller's data scope), unauthorized,
// forbidden (orders:read).
func (s *Service) FindOrderLines(ctx context.Context, id string) (Order, error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return Order{}, err
	}
	q := s.db.Reader()
	so, err := getOrder(ctx, q, p.TenantID, id, "")
	if err != nil {
		return Order{}, fmt.Errorf("order: find lines: %w", err)
	}
	o := so.Order
	if err := s.visible(ctx, p, o); err != nil {
		return Order{}, fmt.Errorf("order: find lines: %w", err)
	}
	if o.Lines, err = readLines(ctx, q, p.TenantID, id); err != nil {
		return Order{}, fmt.Errorf("order: find lines: %w", err)
	}
	return o, nil
}
