package promotion

import (
	"context"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// StoreZones is what the promotion service needs of the organisation domain: the
// time zone a store keeps its hours in.
type StoreZones interface {
	// StoreTimeZone returns the IANA time zone of a store of the caller's tenant. It
	// returns an errs.NotFound error for a store unknown in the tenant or outside the
	// caller's data scope.
	StoreTimeZone(ctx context.Context, storeID string) (string, error)
}

// storeZoneTTL is how long a store's time zone is remembered.
const storeZoneTTL = time.Minute

type cachedZone struct {
	loc *time.Location // nil: the store is unknown
	at  time.Time
}

// zoneCache remembers stores' time zones for storeZoneTTL, by tenant and store.
type zoneCache struct {
	mu    sync.Mutex
	zones map[[2]string]cachedZone
}

// pricingZone returns the time zone windows are read in: the store's when storeID
// names a store of the tenant with one, else the tenant's (pricing settings, default
// Asia/Shanghai).
func (s *Service) pricingZone(ctx context.Context, tenantID, storeID string, st Settings) (*time.Location, error) {
	if storeID != "" && s.stores != nil {
		loc, err := s.storeZone(ctx, tenantID, storeID)
		if err != nil {
			return nil, err
		}
		if loc != nil {
			return loc, nil
		}
	}
	loc, err := s.location(st.TimeZone)
	if err != nil { // stored zones are checked when set; tzdata may differ between nodes
		return s.location(DefaultTimeZone)
	}
	return loc, nil
}

// storeZone returns a store's time zone, nil when the store is unknown to the caller.
func (s *Service) storeZone(ctx context.Context, tenantID, storeID string) (*time.Location, error) {
	key := [2]string{tenantID, storeID}
	now := s.clock.Now()
	s.storeZones.mu.Lock()
	c, ok := s.storeZones.zones[key]
	s.storeZones.mu.Unlock()
	if ok && now.Sub(c.at) < storeZoneTTL {
		return c.loc, nil
	}
	name, err := s.stores.StoreTimeZone(ctx, storeID)
	switch {
	case errs.Is(err, errs.NotFound):
		c = cachedZone{at: now}
	case err != nil:
		return nil, err
	default:
		loc, err := s.location(name)
		if err != nil {
			loc = nil // a zone this node's tzdata lacks: the tenant's
		}
		c = cachedZone{loc: loc, at: now}
	}
	s.storeZones.mu.Lock()
	if s.storeZones.zones == nil {
		s.storeZones.zones = map[[2]string]cachedZone{}
	}
	s.storeZones.zones[key] = c
	s.storeZones.mu.Unlock()
	return c.loc, nil
}
