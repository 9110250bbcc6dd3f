package identity

import (
	"context"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// cacheTTL is how long a node trusts its cached copy of a tenant's identity rules or
// event schema: a change made on another node applies here within this time.
const cacheTTL = 5 * time.Second

// tenantCache keeps a per-tenant setting (the identity rules, the event schema) for
// cacheTTL, so that resolution and reads do not load it for every event.
type tenantCache[T any] struct {
	mu    sync.Mutex
	clock clock.Clock
	load  func(ctx context.Context, q db.Querier, tenantID string) (T, error)
	m     map[string]cachedSetting[T]
}

type cachedSetting[T any] struct {
	v        T
	loadedAt time.Time
}

func newTenantCache[T any](c clock.Clock, load func(ctx context.Context, q db.Querier, tenantID string) (T, error)) *tenantCache[T] {
	return &tenantCache[T]{clock: c, load: load, m: map[string]cachedSetting[T]{}}
}

// get returns the tenant's setting, from the cache while fresh, else read through q.
func (c *tenantCache[T]) get(ctx context.Context, q db.Querier, tenantID string) (T, error) {
	now := c.clock.Now()
	c.mu.Lock()
	cached, ok := c.m[tenantID]
	c.mu.Unlock()
	if ok && now.Sub(cached.loadedAt) < cacheTTL && !now.Before(cached.loadedAt) {
		return cached.v, nil
	}
	v, err := c.load(ctx, q, tenantID)
	if err != nil {
		var zero T
		return zero, err
	}
	c.put(tenantID, v)
	return v, nil
}

// put caches v as the tenant's setting (after this node changed it).
func (c *tenantCache[T]) put(tenantID string, v T) {
	c.mu.Lock()
	c.m[tenantID] = cachedSetting[T]{v: v, loadedAt: c.clock.Now()}
	c.mu.Unlock()
}
