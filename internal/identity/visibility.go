package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Which customers a principal sees (docs/decisions/0017-customer-scopes-and-access-log.md).
//
// A customer belongs to a data scope when an event of its cluster — the live
// customer and the customers merged into it — was recorded at a store of the scope
// (customer_store_visits, written with every event of a touchpoint that has a
// store). The registration store and the preferred store are such stores, so they
// need no rule of their own. A customer seen only online (touchpoints without a
// store) belongs to no store, brand or region: only tenant-wide principals (every
// API key) see it. Outside its scope a customer is "not found", exactly like an
// unknown id, for the customer itself and for every sub-resource and action on it.
//
// Every read and action on a customer goes through customerScope.live (one
// customer) or customerScope.sees (a cluster already resolved); lists filter
// through the same two.

// customerScope is the part of the tenant's customers a principal may see.
type customerScope struct {
	all    bool            // tenant-wide: every customer
	stores map[string]bool // otherwise the stores of the data scope
}

// customerScopeOf resolves p's data scope: tenant-wide principals see every
// customer; a store scope is its store; a brand or region scope is its stores,
// through the org domain (StoreFinder.ScopeStoreIDs); an unknown scope sees none.
func (s *Service) customerScopeOf(ctx context.Context, p *auth.Principal) (customerScope, error) {
	switch p.DataScope {
	case auth.TenantScope:
		return customerScope{all: true}, nil
	case auth.StoreScope:
		return customerScope{stores: map[string]bool{p.DataID: true}}, nil
	case auth.BrandScope, auth.RegionScope:
		ids, err := s.stores.ScopeStoreIDs(ctx)
		if err != nil {
			return customerScope{}, fmt.Errorf("identity: stores of the %s scope: %w", p.DataScope, err)
		}
		sc := customerScope{stores: make(map[string]bool, len(ids))}
		for _, id := range ids {
			sc.stores[id] = true
		}
		return sc, nil
	}
	return customerScope{}, nil
}

// sees reports whether the cluster of the live customer live belongs to sc. It reads
// the stores where the cluster's events were recorded: a handful of rows, whatever
// the size of the tenant.
func (sc customerScope) sees(ctx context.Context, q db.Querier, tenantID, live string) (bool, error) {
	if sc.all {
		return true, nil
	}
	if len(sc.stores) == 0 {
		return false, nil
	}
	// Two statements whose plans cannot go wrong on either engine: the cluster's ids
	// (customers_merged_into), then their visits by primary key. (One statement
	// joining both let SQLite scan the tenant's visits instead.)
	members, err := clusterMembers(ctx, q, tenantID, live)
	if err != nil {
		return false, fmt.Errorf("identity: members of customer %s: %w", live, err)
	}
	args := []any{tenantID}
	stores, err := queryStrings(ctx, q, `SELECT store_id FROM customer_store_visits WHERE tenant_id = $1 AND customer_id IN (`+
		db.Placeholders(&args, members)+`)`, args...)
	if err != nil {
		return false, fmt.Errorf("identity: stores of customer %s: %w", live, err)
	}
	return slices.ContainsFunc(stores, func(id string) bool { return sc.stores[id] }), nil
}

// live returns the live customer id is or was merged into when sc sees it, and
// errs.NotFound (with field, when given) when id is unknown or outside sc.
func (sc customerScope) live(ctx context.Context, q db.Querier, tenantID, id, field string) (string, error) {
	live, err := survivor(ctx, q, tenantID, id)
	if err == nil {
		var ok bool
		if ok, err = sc.sees(ctx, q, tenantID, live); err == nil && !ok {
			err = errs.E(errs.NotFound, "customer not found")
		}
	}
	if err != nil {
		if field != "" && errs.Is(err, errs.NotFound) {
			return "", &errs.Error{Code: errs.NotFound, Field: field, Message: fmt.Sprintf("customer %s not found", id)}
		}
		return "", err
	}
	return live, nil
}

// visibleCustomer is customerScopeOf and live in one: the live customer of id for
// the principal p, or errs.NotFound.
func (s *Service) visibleCustomer(ctx context.Context, q db.Querier, p *auth.Principal, id string) (string, error) {
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return "", err
	}
	return sc.live(ctx, q, p.TenantID, id, "")
}

// scopeClause returns, for a scoped principal, a condition on the customer id column
// col that keeps the customers whose cluster has an event at a store of sc (args
// grows by the store ids); "" for a tenant-wide principal. It narrows list queries
// through customer_store_visits_store before each row is checked with sees.
func (sc customerScope) scopeClause(args *[]any, tenantArg, col string) string {
	if sc.all {
		return ""
	}
	if len(sc.stores) == 0 {
		return "1 = 0"
	}
	stores := make([]string, 0, len(sc.stores))
	for id := range sc.stores {
		stores = append(stores, id)
	}
	slices.Sort(stores)
	in := db.Placeholders(args, stores)
	return strings.NewReplacer("$T", tenantArg, "$COL", col, "$IN", in).Replace(`EXISTS (SELECT 1 FROM customers sc_c
		WHERE sc_c.tenant_id = $T AND sc_c.id = $COL AND COALESCE(sc_c.merged_into, sc_c.id) IN (
			SELECT COALESCE(sc_m.merged_into, sc_m.id) FROM customer_store_visits sc_v
			JOIN customers sc_m ON sc_m.tenant_id = sc_v.tenant_id AND sc_m.id = sc_v.customer_id
			WHERE sc_v.tenant_id = $T AND sc_v.store_id IN ($IN)))`)
}
