package identity

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// FindCustomerCluster returns the live customer that id is or was merged into and
// the ids merged into it (merge chains are flattened, so they all point at it), in
// the caller's tenant. It serves other domains that count per customer — promotion
// limits — so that one person counts once whichever of their ids a till sends. It
// returns ids only, no personal data, so any authenticated principal of the tenant may
// call it; the calling domain has authorised its own use case. Errors: not_found (no
// such customer in the tenant, or erased), unauthorized.
func (s *Service) FindCustomerCluster(ctx context.Context, id string) (string, []string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return "", nil, err
	}
	q := s.db.Reader()
	live, err := survivor(ctx, q, p.TenantID, id)
	if err != nil {
		return "", nil, fmt.Errorf("identity: find customer cluster: %w", err)
	}
	var status CustomerStatus
	if err := q.QueryRowContext(ctx, `SELECT status FROM customers WHERE tenant_id = $1 AND id = $2`, p.TenantID, live).Scan(&status); err != nil {
		return "", nil, fmt.Errorf("identity: find customer cluster: %w", notFoundIf(err, "customer"))
	}
	if status == CustomerErased {
		return "", nil, errs.E(errs.NotFound, "customer not found")
	}
	merged, err := mergedInto(ctx, q, p.TenantID, live)
	if err != nil {
		return "", nil, fmt.Errorf("identity: find customer cluster: %w", err)
	}
	return live, merged, nil
}
