package org

import (
	"slices"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
)

// DefaultKeyCacheTTL is how long a node trusts an API key it has checked before it
// reads the key again (Config.KeyCacheTTL zero): a key revoked on another node, or
// whose owner lost a role, stops working there within this time; on the node that
// revoked it, at once.
const DefaultKeyCacheTTL = 5 * time.Second

// keyCacheMax bounds the cached keys; a full cache is emptied rather than evicted
// entry by entry (a tenant has tens of keys, not thousands).
const keyCacheMax = 10_000

// keyCache remembers the principals of API keys authenticated recently, by the hash
// of the token (the token itself is never kept). clear empties it; a look-up that
// started before a clear does not put its (possibly stale) answer back afterwards:
// gen counts the clears.
type keyCache struct {
	ttl time.Duration // 0: off

	mu      sync.Mutex
	gen     uint64
	entries map[string]keyEntry
}

type keyEntry struct {
	p       auth.Principal
	expires time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, entries: map[string]keyEntry{}}
}

// get returns a copy of the cached principal of the token hash while it is fresh,
// and the generation to put a fresh look-up under.
func (c *keyCache) get(hash string, now time.Time) (*auth.Principal, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok && now.Before(e.expires) {
		p := e.p // a caller may change its principal; the cached one stays as read
		p.Scopes = slices.Clone(p.Scopes)
		return &p, c.gen
	}
	return nil, c.gen
}

// put caches p for the token hash unless the cache was cleared since gen was read.
func (c *keyCache) put(hash string, p *auth.Principal, gen uint64, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= keyCacheMax {
		clear(c.entries)
	}
	c.entries[hash] = keyEntry{p: *p, expires: now.Add(c.ttl)}
}

// clear forgets every cached key: after a revocation or a change to a user whose
// keys act with the user's role.
func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
