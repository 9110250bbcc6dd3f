package org

import (
	"context"
	"database/sql"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// defaultPageLimit is the page size of lists when the caller gives none.
const defaultPageLimit = 50

// CreateBrand creates a brand. It needs org:write and a tenant-wide principal. It
// returns errs.Unauthorized, errs.Forbidden, errs.Invalid, or errs.Conflict when the
// code is taken.
func (s *Service) CreateBrand(ctx context.Context, in BrandCreate) (Brand, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Brand{}, err
	}
	if !tenantWide(p) {
		return Brand{}, errs.E(errs.Forbidden, "only tenant-wide users may create brands")
	}
	if err := in.Validate(); err != nil {
		return Brand{}, err
	}
	now := s.clock.Now()
	b := Brand{ID: ids.New(), TenantID: p.TenantID, Code: in.Code, Name: in.Name, Status: in.Status, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertBrand(ctx, tx, b); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "brand code %q is already taken", b.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "brand.create", "brand", b.ID, brandFields(b), EventBrandCreated, brandEvent(b, nil))
	})
	if err != nil {
		return Brand{}, wrap("create brand", err)
	}
	return b, nil
}

// UpdateBrand changes a brand. It needs org:write; a brand outside the caller's tenant
// or data scope is errs.NotFound, and a principal narrower than the tenant gets
// errs.Forbidden. It also returns errs.Invalid and errs.Conflict (code taken).
func (s *Service) UpdateBrand(ctx context.Context, id string, in BrandUpdate) (Brand, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Brand{}, err
	}
	if err := in.Validate(); err != nil {
		return Brand{}, err
	}
	var out Brand
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		b, err := findBrand(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !tenantWide(p) {
			return errs.E(errs.Forbidden, "only tenant-wide users may change brands")
		}
		nb := b
		set(&nb.Code, in.Code)
		set(&nb.Name, in.Name)
		set(&nb.Status, in.Status)
		changes, names := diff(brandFields(b), brandFields(nb))
		out = b
		if len(names) == 0 {
			return nil
		}
		nb.UpdatedAt = s.clock.Now()
		out = nb
		if err := updateBrand(ctx, tx, nb); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "brand code %q is already taken", nb.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "brand.update", "brand", nb.ID, changes, EventBrandUpdated, brandEvent(nb, names))
	})
	if err != nil {
		return Brand{}, wrap("update brand", err)
	}
	return out, nil
}

// FindBrandByID returns a brand the caller may see (org:read). Brands of other
// tenants or outside the data scope are errs.NotFound.
func (s *Service) FindBrandByID(ctx context.Context, id string) (Brand, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return Brand{}, err
	}
	b, err := findBrand(ctx, s.db.Reader(), p, id)
	return b, wrap("find brand", err)
}

// FindBrands lists the brands the caller may see (org:read), ordered by id. A
// principal scoped to a brand, region or store sees the brands of its stores. It
// returns errs.Invalid for a malformed cursor.
func (s *Service) FindBrands(ctx context.Context, f BrandFilter) (httpapi.Page[Brand], error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return httpapi.Page[Brand]{}, err
	}
	return httpapi.FindPage(f.Cursor, f.Limit, defaultPageLimit, func(after string, n int) ([]Brand, error) {
		items, err := findBrands(ctx, s.db.Reader(), s.db.Like(), p, f, after, n)
		return items, wrap("find brands", err)
	}, func(b Brand) string { return b.ID })
}

// CreateRegion creates a region. It needs org:write and a tenant-wide principal. It
// returns errs.Unauthorized, errs.Forbidden, errs.Invalid, or errs.Conflict when the
// code is taken.
func (s *Service) CreateRegion(ctx context.Context, in RegionCreate) (Region, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Region{}, err
	}
	if !tenantWide(p) {
		return Region{}, errs.E(errs.Forbidden, "only tenant-wide users may create regions")
	}
	if err := in.Validate(); err != nil {
		return Region{}, err
	}
	now := s.clock.Now()
	r := Region{ID: ids.New(), TenantID: p.TenantID, Code: in.Code, Name: in.Name, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertRegion(ctx, tx, r); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "region code %q is already taken", r.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "region.create", "region", r.ID, regionFields(r), EventRegionCreated, regionEvent(r, nil))
	})
	if err != nil {
		return Region{}, wrap("create region", err)
	}
	return r, nil
}

// UpdateRegion changes a region. It needs org:write; a region outside the caller's
// tenant or data scope is errs.NotFound, and a principal narrower than the tenant
// gets errs.Forbidden. It also returns errs.Invalid and errs.Conflict (code taken).
func (s *Service) UpdateRegion(ctx context.Context, id string, in RegionUpdate) (Region, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Region{}, err
	}
	if err := in.Validate(); err != nil {
		return Region{}, err
	}
	var out Region
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := findRegion(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !tenantWide(p) {
			return errs.E(errs.Forbidden, "only tenant-wide users may change regions")
		}
		nr := r
		set(&nr.Code, in.Code)
		set(&nr.Name, in.Name)
		changes, names := diff(regionFields(r), regionFields(nr))
		out = r
		if len(names) == 0 {
			return nil
		}
		nr.UpdatedAt = s.clock.Now()
		out = nr
		if err := updateRegion(ctx, tx, nr); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "region code %q is already taken", nr.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "region.update", "region", nr.ID, changes, EventRegionUpdated, regionEvent(nr, names))
	})
	if err != nil {
		return Region{}, wrap("update region", err)
	}
	return out, nil
}

// DeleteRegion removes a region that nothing refers to: no stores and no users
// scoped to it (move or close those first). It needs org:write and a tenant-wide
// principal. It returns errs.Unauthorized, errs.Forbidden, errs.NotFound, or
// errs.Conflict when the region is in use.
func (s *Service) DeleteRegion(ctx context.Context, id string) error {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := findRegion(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !tenantWide(p) {
			return errs.E(errs.Forbidden, "only tenant-wide users may delete regions")
		}
		stores, err := countWhere(ctx, tx, `SELECT COUNT(*) FROM stores WHERE tenant_id = $1 AND region_id = $2`, p.TenantID, id)
		if err != nil {
			return err
		}
		if stores > 0 {
			return errs.E(errs.Conflict, "region %s has %d stores; move them to another region first", r.Code, stores)
		}
		users, err := countWhere(ctx, tx, `SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND scope_type = 'region' AND scope_id = $2`, p.TenantID, id)
		if err != nil {
			return err
		}
		if users > 0 {
			return errs.E(errs.Conflict, "region %s is the data scope of %d users; change their scope first", r.Code, users)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM regions WHERE tenant_id = $1 AND id = $2`, p.TenantID, id); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.E(errs.Conflict, "region %s is in use", r.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "region.delete", "region", r.ID, regionFields(r), EventRegionDeleted, regionEvent(r, nil))
	})
	if err != nil {
		return wrap("delete region", err)
	}
	return nil
}

// countWhere runs a COUNT(*) query.
func countWhere(ctx context.Context, q db.Querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// FindRegionByID returns a region the caller may see (org:read). Regions of other
// tenants or outside the data scope are errs.NotFound.
func (s *Service) FindRegionByID(ctx context.Context, id string) (Region, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return Region{}, err
	}
	r, err := findRegion(ctx, s.db.Reader(), p, id)
	return r, wrap("find region", err)
}

// FindRegions lists the regions the caller may see (org:read), ordered by id. It
// returns errs.Invalid for a malformed cursor.
func (s *Service) FindRegions(ctx context.Context, f RegionFilter) (httpapi.Page[Region], error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return httpapi.Page[Region]{}, err
	}
	return httpapi.FindPage(f.Cursor, f.Limit, defaultPageLimit, func(after string, n int) ([]Region, error) {
		items, err := findRegions(ctx, s.db.Reader(), s.db.Like(), p, f, after, n)
		return items, wrap("find regions", err)
	}, func(r Region) string { return r.ID })
}

// CreateStore creates a store. It needs org:write and a tenant-wide principal. It
// returns errs.Unauthorized, errs.Forbidden, errs.Invalid (also for a brand or region
// that does not exist in the tenant), or errs.Conflict when the code is taken.
func (s *Service) CreateStore(ctx context.Context, in StoreCreate) (Store, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Store{}, err
	}
	if !tenantWide(p) {
		return Store{}, errs.E(errs.Forbidden, "only tenant-wide users may create stores")
	}
	if err := in.Validate(); err != nil {
		return Store{}, err
	}
	now := s.clock.Now()
	st := Store{ID: ids.New(), TenantID: p.TenantID, BrandID: in.BrandID, RegionID: in.RegionID, Code: in.Code,
		Name: in.Name, Format: in.Format, City: in.City, Address: in.Address, Latitude: in.Latitude,
		Longitude: in.Longitude, FloorAreaM2: in.FloorAreaM2, TimeZone: in.TimeZone, OpeningHours: in.OpeningHours,
		Status: in.Status, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkStoreRefs(ctx, tx, p.TenantID, Store{}, st); err != nil {
			return err
		}
		if err := insertStore(ctx, tx, st); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "store code %q is already taken", st.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "store.create", "store", st.ID, storeFields(st), EventStoreCreated, storeEvent(st, nil))
	})
	if err != nil {
		return Store{}, wrap("create store", err)
	}
	return st, nil
}

// UpdateStore changes a store. It needs org:write. A store outside the caller's tenant
// or data scope is errs.NotFound; a principal narrower than the tenant may change its
// own stores but not their brand, region or code (errs.Forbidden). It also returns
// errs.Invalid (including unknown brand or region) and errs.Conflict (code taken).
func (s *Service) UpdateStore(ctx context.Context, id string, in StoreUpdate) (Store, error) {
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return Store{}, err
	}
	if err := in.Validate(); err != nil {
		return Store{}, err
	}
	var out Store
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		st, err := findStore(ctx, tx, p, id)
		if err != nil {
			return err
		}
		ns := st
		in.apply(&ns)
		if !tenantWide(p) && (ns.BrandID != st.BrandID || ns.RegionID != st.RegionID || ns.Code != st.Code) {
			return errs.E(errs.Forbidden, "only tenant-wide users may change a store's brand, region or code")
		}
		changes, names := diff(storeFields(st), storeFields(ns))
		out = st
		if len(names) == 0 {
			return nil
		}
		if err := checkStoreRefs(ctx, tx, p.TenantID, st, ns); err != nil {
			return err
		}
		ns.UpdatedAt = s.clock.Now()
		out = ns
		if err := updateStore(ctx, tx, ns); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.code", "store code %q is already taken", ns.Code)
			}
			return err
		}
		return s.emit(ctx, tx, "store.update", "store", ns.ID, changes, EventStoreUpdated, storeEvent(ns, names))
	})
	if err != nil {
		return Store{}, wrap("update store", err)
	}
	return out, nil
}

// checkStoreRefs checks that a new or changed brand and region exist in the tenant.
func checkStoreRefs(ctx context.Context, tx *sql.Tx, tenantID string, before, after Store) error {
	if after.BrandID != before.BrandID {
		ok, err := brandExists(ctx, tx, tenantID, after.BrandID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Field("body.brand_id", "no brand %q in this tenant", after.BrandID)
		}
	}
	if after.RegionID != before.RegionID {
		ok, err := regionExists(ctx, tx, tenantID, after.RegionID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Field("body.region_id", "no region %q in this tenant", after.RegionID)
		}
	}
	return nil
}

// FindStoreByID returns a store the caller may see (org:read). Stores of other
// tenants or outside the data scope are errs.NotFound.
func (s *Service) FindStoreByID(ctx context.Context, id string) (Store, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return Store{}, err
	}
	st, err := findStore(ctx, s.db.Reader(), p, id)
	return st, wrap("find store", err)
}

// FindStores lists the stores the caller may see (org:read) that match f, ordered by
// id, from the cursor or from the start of page f.Page. It returns errs.Invalid for a
// malformed cursor, a page with a cursor, or a page past MaxStoreJump stores.
func (s *Service) FindStores(ctx context.Context, f StoreFilter) (httpapi.Page[Store], error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return httpapi.Page[Store]{}, err
	}
	skip, err := storeSkip(f)
	if err != nil {
		return httpapi.Page[Store]{}, err
	}
	return httpapi.FindPage(f.Cursor, f.Limit, defaultPageLimit, func(after string, n int) ([]Store, error) {
		items, err := findStores(ctx, s.db.Reader(), s.db.Like(), p, f, after, skip, n)
		return items, wrap("find stores", err)
	}, func(st Store) string { return st.ID })
}

// storeSkip is how many stores a page jump skips: none without one.
func storeSkip(f StoreFilter) (int, error) {
	if f.Page <= 1 {
		return 0, nil
	}
	if f.Cursor != "" {
		return 0, errs.Field("query.page", "page and cursor exclude each other: follow next_cursor from a page")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageLimit
	}
	skip := (f.Page - 1) * min(limit, httpapi.MaxLimit)
	if skip > MaxStoreJump {
		return 0, errs.Field("query.page", "page %d starts after the first %d stores a jump reaches: narrow the filters or follow next_cursor", f.Page, MaxStoreJump)
	}
	return skip, nil
}

// storeMapCells is the most cells StoreMap returns: more than the quarter-degree cells
// of every city of a country times the formats.
const storeMapCells = 5000

// StoreMap counts the stores the caller may see (org:read) that match f (its page
// parameters are ignored) and have a position, by format and cell of a quarter of a
// degree, in one GROUP BY whatever the number of stores.
func (s *Service) StoreMap(ctx context.Context, f StoreFilter) ([]StoreCell, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return nil, err
	}
	cells, err := storeMap(ctx, s.db.Reader(), s.db.Like(), p, f, storeMapCells)
	return cells, wrap("store map", err)
}

// StoreNames returns the names of the stores among ids that the caller may see
// (org:read), by id, in one query whatever the number of ids; ids of other tenants,
// outside the data scope or unknown are left out.
func (s *Service) StoreNames(ctx context.Context, ids []string) (map[string]string, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return nil, err
	}
	names, err := storeNames(ctx, s.db.Reader(), s.db.Dialect, p, ids)
	return names, wrap("store names", err)
}

// StoreSummary counts the stores the caller may see (org:read) that match f (its
// page parameters are ignored) by format, city, region and brand, in four GROUP BY
// queries whatever the number of stores.
func (s *Service) StoreSummary(ctx context.Context, f StoreFilter) (StoreSummary, error) {
	p, err := caller(ctx, auth.OrgRead)
	if err != nil {
		return StoreSummary{}, err
	}
	sum, err := storeSummary(ctx, s.db.Reader(), s.db.Like(), p, f)
	if err != nil {
		return StoreSummary{}, wrap("store summary", err)
	}
	return sum, nil
}

// emit records the audit entry and publishes the event of a change in tx.
func (s *Service) emit(ctx context.Context, tx *sql.Tx, action, resourceType, id string, changes any, eventType string, payload any) error {
	if err := s.record(ctx, tx, action, resourceType, id, changes); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, auth.FromContext(ctx).TenantID, eventType, id, payload)
	return err
}

func brandFields(b Brand) map[string]any {
	return map[string]any{"code": b.Code, "name": b.Name, "status": b.Status}
}

func regionFields(r Region) map[string]any {
	return map[string]any{"code": r.Code, "name": r.Name}
}

func storeFields(s Store) map[string]any {
	return map[string]any{"brand_id": s.BrandID, "region_id": s.RegionID, "code": s.Code, "name": s.Name,
		"format": s.Format, "city": s.City, "address": s.Address, "latitude": s.Latitude, "longitude": s.Longitude,
		"floor_area_m2": s.FloorAreaM2, "time_zone": s.TimeZone, "opening_hours": s.OpeningHours, "status": s.Status}
}
