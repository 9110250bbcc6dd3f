package identity

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/identity/graph"
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

// BuyerIdentifier is one way an order names its buyer: an identifier type
// (phone, member_card, wechat_unionid, delivery_user_id, …) and its value.
type BuyerIdentifier struct {
	Type  string
	Value string
}

// ResolveBuyer returns the live customer holding the first of ids that a customer of
// the caller's tenant holds (a payment code or member card before a phone, as the
// caller orders them), or "" when none does. It returns an id only, no personal data,
// for the order center, which has authorised its own use case; it neither creates
// customers nor logs an access. Errors: invalid (naming field+"[i]" for an unknown
// type or a value that does not normalise), unauthorized.
func (s *Service) ResolveBuyer(ctx context.Context, ids []BuyerIdentifier, field string) (string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return "", err
	}
	rules := graph.DefaultRules()
	q := s.db.Reader()
	for i, b := range ids {
		t, err := graph.ParseType(b.Type)
		if err != nil {
			return "", errs.Field(fmt.Sprintf("%s[%d].type", field, i), "unknown identifier type; one of %s", identifierTypeNames())
		}
		id, err := rules.NewIdentifier(t, b.Value)
		if err != nil {
			return "", errs.Field(fmt.Sprintf("%s[%d].value", field, i), "%s", errMessage(err))
		}
		cid, err := s.identifierOwner(ctx, q, p.TenantID, id)
		if err != nil {
			return "", fmt.Errorf("identity: resolve buyer: %w", err)
		}
		if cid == "" {
			continue
		}
		live, err := survivor(ctx, q, p.TenantID, cid)
		if err != nil {
			return "", fmt.Errorf("identity: resolve buyer: %w", err)
		}
		return live, nil
	}
	return "", nil
}
