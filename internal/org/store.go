package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// query collects WHERE conditions with their numbered arguments.
type query struct {
	conds []string
	args  []any
}

// where adds a condition; each %s in format becomes the placeholder of the next arg.
func (q *query) where(format string, args ...any) {
	ph := make([]any, len(args))
	for i, a := range args {
		q.args = append(q.args, a)
		ph[i] = "$" + strconv.Itoa(len(q.args))
	}
	q.conds = append(q.conds, fmt.Sprintf(format, ph...))
}

// arg adds an argument without a condition and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) sql() string { return strings.Join(q.conds, " AND ") }

// substring adds a case-insensitive substring match of v on any of the columns.
func (q *query) substring(like, v string, cols ...string) {
	if v == "" {
		return
	}
	ph := q.arg(db.EscapeLike(v))
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf(`%s %s %s ESCAPE '\'`, c, like, ph)
	}
	q.conds = append(q.conds, "("+strings.Join(parts, " OR ")+")")
}

// nothing is a condition that matches no row, for an unknown data scope.
const nothing = "1 = 0"

// storeScope limits the stores aliased s to those p may see.
func storeScope(q *query, p *auth.Principal) {
	switch p.DataScope {
	case auth.TenantScope:
	case auth.BrandScope:
		q.where("s.brand_id = %s", p.DataID)
	case auth.RegionScope:
		q.where("s.region_id = %s", p.DataID)
	case auth.StoreScope:
		q.where("s.id = %s", p.DataID)
	default:
		q.where(nothing)
	}
}

// brandScope limits the brands aliased b to those p may see: its brand, or the
// brands of the stores it may see.
func brandScope(q *query, p *auth.Principal) {
	switch p.DataScope {
	case auth.TenantScope:
	case auth.BrandScope:
		q.where("b.id = %s", p.DataID)
	case auth.RegionScope:
		q.where("b.id IN (SELECT brand_id FROM stores WHERE tenant_id = %s AND region_id = %s)", p.TenantID, p.DataID)
	case auth.StoreScope:
		q.where("b.id IN (SELECT brand_id FROM stores WHERE tenant_id = %s AND id = %s)", p.TenantID, p.DataID)
	default:
		q.where(nothing)
	}
}

// regionScope limits the regions aliased r to those p may see.
func regionScope(q *query, p *auth.Principal) {
	switch p.DataScope {
	case auth.TenantScope:
	case auth.RegionScope:
		q.where("r.id = %s", p.DataID)
	case auth.BrandScope:
		q.where("r.id IN (SELECT region_id FROM stores WHERE tenant_id = %s AND brand_id = %s)", p.TenantID, p.DataID)
	case auth.StoreScope:
		q.where("r.id IN (SELECT region_id FROM stores WHERE tenant_id = %s AND id = %s)", p.TenantID, p.DataID)
	default:
		q.where(nothing)
	}
}

// userScope limits the users aliased u to those scoped inside p's data scope.
func userScope(q *query, p *auth.Principal) {
	switch p.DataScope {
	case auth.TenantScope:
	case auth.StoreScope:
		q.where("u.scope_type = 'store' AND u.scope_id = %s", p.DataID)
	case auth.RegionScope:
		q.where(`((u.scope_type = 'region' AND u.scope_id = %s) OR (u.scope_type = 'store' AND u.scope_id IN
			(SELECT id FROM stores WHERE tenant_id = %s AND region_id = %s)))`, p.DataID, p.TenantID, p.DataID)
	case auth.BrandScope:
		q.where(`((u.scope_type = 'brand' AND u.scope_id = %s) OR (u.scope_type = 'store' AND u.scope_id IN
			(SELECT id FROM stores WHERE tenant_id = %s AND brand_id = %s)))`, p.DataID, p.TenantID, p.DataID)
	default:
		q.where(nothing)
	}
}

// page adds the cursor condition on col and returns the ORDER BY/LIMIT clause for n
// rows.
func (q *query) page(col, after string, n int) string {
	if after != "" {
		q.where(col+" > %s", after)
	}
	return " ORDER BY " + col + " LIMIT " + q.arg(n)
}

func notFound(what string) error { return errs.E(errs.NotFound, "%s not found", what) }

func nullMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	return new(clock.FromMillis(v.Int64))
}

// --- tenants ---

func insertTenant(ctx context.Context, tx *sql.Tx, t Tenant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tenants (id, code, name, created_at) VALUES ($1, $2, $3, $4)`,
		t.ID, t.Code, t.Name, clock.Millis(t.CreatedAt))
	return err
}

func findTenantByCode(ctx context.Context, q db.Querier, code string) (Tenant, error) {
	var t Tenant
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, code, name, created_at FROM tenants WHERE code = $1`, code).
		Scan(&t.ID, &t.Code, &t.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Tenant{}, notFound("tenant")
	}
	if err != nil {
		return Tenant{}, err
	}
	t.CreatedAt = clock.FromMillis(created)
	return t, nil
}

// --- brands ---

const brandColumns = `b.id, b.tenant_id, b.code, b.name, b.status, b.created_at, b.updated_at`

func scanBrand(row interface{ Scan(...any) error }) (Brand, error) {
	var b Brand
	var created, updated int64
	err := row.Scan(&b.ID, &b.TenantID, &b.Code, &b.Name, &b.Status, &created, &updated)
	b.CreatedAt, b.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return b, err
}

func insertBrand(ctx context.Context, tx *sql.Tx, b Brand) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO brands (id, tenant_id, code, name, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, b.TenantID, b.Code, b.Name, b.Status,
		clock.Millis(b.CreatedAt), clock.Millis(b.UpdatedAt))
	return err
}

func updateBrand(ctx context.Context, tx *sql.Tx, b Brand) error {
	_, err := tx.ExecContext(ctx, `UPDATE brands SET code = $3, name = $4, status = $5, updated_at = $6
		WHERE tenant_id = $1 AND id = $2`, b.TenantID, b.ID, b.Code, b.Name, b.Status, clock.Millis(b.UpdatedAt))
	return err
}

// findBrand returns the brand p may see, or errs.NotFound.
func findBrand(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Brand, error) {
	var w query
	w.where("b.tenant_id = %s", p.TenantID)
	w.where("b.id = %s", id)
	brandScope(&w, p)
	b, err := scanBrand(q.QueryRowContext(ctx, `SELECT `+brandColumns+` FROM brands b WHERE `+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, notFound("brand")
	}
	return b, err
}

func findBrands(ctx context.Context, q db.Querier, like string, p *auth.Principal, f BrandFilter, after string, n int) ([]Brand, error) {
	var w query
	w.where("b.tenant_id = %s", p.TenantID)
	brandScope(&w, p)
	if f.Status != "" {
		w.where("b.status = %s", f.Status)
	}
	w.substring(like, f.Q, "b.name", "b.code")
	tail := w.page("b.id", after, n)
	rows, err := q.QueryContext(ctx, `SELECT `+brandColumns+` FROM brands b WHERE `+w.sql()+tail, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Brand
	for rows.Next() {
		b, err := scanBrand(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// --- regions ---

const regionColumns = `r.id, r.tenant_id, r.code, r.name, r.created_at, r.updated_at`

func scanRegion(row interface{ Scan(...any) error }) (Region, error) {
	var r Region
	var created, updated int64
	err := row.Scan(&r.ID, &r.TenantID, &r.Code, &r.Name, &created, &updated)
	r.CreatedAt, r.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return r, err
}

func insertRegion(ctx context.Context, tx *sql.Tx, r Region) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO regions (id, tenant_id, code, name, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.TenantID, r.Code, r.Name,
		clock.Millis(r.CreatedAt), clock.Millis(r.UpdatedAt))
	return err
}

func updateRegion(ctx context.Context, tx *sql.Tx, r Region) error {
	_, err := tx.ExecContext(ctx, `UPDATE regions SET code = $3, name = $4, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, r.TenantID, r.ID, r.Code, r.Name, clock.Millis(r.UpdatedAt))
	return err
}

// findRegion returns the region p may see, or errs.NotFound.
func findRegion(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Region, error) {
	var w query
	w.where("r.tenant_id = %s", p.TenantID)
	w.where("r.id = %s", id)
	regionScope(&w, p)
	r, err := scanRegion(q.QueryRowContext(ctx, `SELECT `+regionColumns+` FROM regions r WHERE `+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Region{}, notFound("region")
	}
	return r, err
}

func findRegions(ctx context.Context, q db.Querier, like string, p *auth.Principal, f RegionFilter, after string, n int) ([]Region, error) {
	var w query
	w.where("r.tenant_id = %s", p.TenantID)
	regionScope(&w, p)
	w.substring(like, f.Q, "r.name", "r.code")
	tail := w.page("r.id", after, n)
	rows, err := q.QueryContext(ctx, `SELECT `+regionColumns+` FROM regions r WHERE `+w.sql()+tail, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// --- stores ---

const storeColumns = `s.id, s.tenant_id, s.brand_id, s.region_id, s.code, s.name, s.format, s.city, s.address,
	s.latitude, s.longitude, s.floor_area_m2, s.time_zone, s.opening_hours, s.status, s.created_at, s.updated_at`

func scanStore(row interface{ Scan(...any) error }) (Store, error) {
	var s Store
	var lat, lng sql.NullFloat64
	var area sql.NullInt64
	var created, updated int64
	err := row.Scan(&s.ID, &s.TenantID, &s.BrandID, &s.RegionID, &s.Code, &s.Name, &s.Format, &s.City, &s.Address,
		&lat, &lng, &area, &s.TimeZone, &s.OpeningHours, &s.Status, &created, &updated)
	if lat.Valid {
		s.Latitude = new(lat.Float64)
	}
	if lng.Valid {
		s.Longitude = new(lng.Float64)
	}
	if area.Valid {
		s.FloorAreaM2 = new(int(area.Int64))
	}
	s.CreatedAt, s.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return s, err
}

func storeArgs(s Store) []any {
	var lat, lng, area any
	if s.Latitude != nil {
		lat = *s.Latitude
	}
	if s.Longitude != nil {
		lng = *s.Longitude
	}
	if s.FloorAreaM2 != nil {
		area = *s.FloorAreaM2
	}
	return []any{s.TenantID, s.ID, s.BrandID, s.RegionID, s.Code, s.Name, s.Format, s.City, s.Address,
		lat, lng, area, s.TimeZone, s.OpeningHours, s.Status, clock.Millis(s.CreatedAt), clock.Millis(s.UpdatedAt)}
}

func insertStore(ctx context.Context, tx *sql.Tx, s Store) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stores (tenant_id, id, brand_id, region_id, code, name, format, city,
		address, latitude, longitude, floor_area_m2, time_zone, opening_hours, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, storeArgs(s)...)
	return err
}

func updateStore(ctx context.Context, tx *sql.Tx, s Store) error {
	args := storeArgs(s)
	args = append(args[:15], args[16]) // all but created_at
	_, err := tx.ExecContext(ctx, `UPDATE stores SET brand_id = $3, region_id = $4, code = $5, name = $6, format = $7,
		city = $8, address = $9, latitude = $10, longitude = $11, floor_area_m2 = $12, time_zone = $13,
		opening_hours = $14, status = $15, updated_at = $16 WHERE tenant_id = $1 AND id = $2`, args...)
	return err
}

// findStore returns the store p may see, or errs.NotFound.
func findStore(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Store, error) {
	var w query
	w.where("s.tenant_id = %s", p.TenantID)
	w.where("s.id = %s", id)
	storeScope(&w, p)
	s, err := scanStore(q.QueryRowContext(ctx, `SELECT `+storeColumns+` FROM stores s WHERE `+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Store{}, notFound("store")
	}
	return s, err
}

func storeFilter(w *query, like string, p *auth.Principal, f StoreFilter) {
	w.where("s.tenant_id = %s", p.TenantID)
	storeScope(w, p)
	if f.BrandID != "" {
		w.where("s.brand_id = %s", f.BrandID)
	}
	if f.RegionID != "" {
		w.where("s.region_id = %s", f.RegionID)
	}
	if f.Format != "" {
		w.where("s.format = %s", f.Format)
	}
	if f.City != "" {
		w.where("s.city = %s", f.City)
	}
	if f.Status != "" {
		w.where("s.status = %s", f.Status)
	}
	w.substring(like, f.Q, "s.name", "s.code")
}

// findStores lists n stores p may see that match f after the id after, skipping the
// first skip of them (a page jump).
func findStores(ctx context.Context, q db.Querier, like string, p *auth.Principal, f StoreFilter, after string, skip, n int) ([]Store, error) {
	var w query
	storeFilter(&w, like, p, f)
	tail := w.page("s.id", after, n)
	if skip > 0 {
		tail += " OFFSET " + w.arg(skip)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+storeColumns+` FROM stores s WHERE `+w.sql()+tail, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Store
	for rows.Next() {
		s, err := scanStore(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// storeNames names the stores among ids that p may see.
func storeNames(ctx context.Context, q db.Querier, d db.Dialect, p *auth.Principal, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	var w query
	w.where("s.tenant_id = %s", p.TenantID)
	storeScope(&w, p)
	w.conds = append(w.conds, "s.id"+db.In(d, &w.args, ids))
	err := db.EachRow(ctx, q, `SELECT s.id, s.name FROM stores s WHERE `+w.sql(), w.args, func(r *sql.Rows) error {
		var id, name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
		return nil
	})
	return names, err
}

// storeMap counts the located stores p may see that match f by format and cell of a
// quarter of a degree, at most limit cells. ROUND of a double rounds ties to even on
// PostgreSQL and away from zero on SQLite: a store on a cell's edge may fall on
// either side, which a map does not show.
func storeMap(ctx context.Context, q db.Querier, like string, p *auth.Principal, f StoreFilter, limit int) ([]StoreCell, error) {
	var w query
	storeFilter(&w, like, p, f)
	w.conds = append(w.conds, "s.latitude IS NOT NULL", "s.longitude IS NOT NULL")
	cell := "s.format, ROUND(s.latitude * 4), ROUND(s.longitude * 4)"
	out := []StoreCell{}
	err := db.EachRow(ctx, q, `SELECT s.format, MIN(s.city), MIN(s.name), AVG(s.latitude), AVG(s.longitude), COUNT(*)
		FROM stores s WHERE `+w.sql()+` GROUP BY `+cell+` ORDER BY `+cell+` LIMIT `+w.arg(limit), w.args, func(r *sql.Rows) error {
		var c StoreCell
		if err := r.Scan(&c.Format, &c.City, &c.Name, &c.Latitude, &c.Longitude, &c.Count); err != nil {
			return err
		}
		if c.Count > 1 {
			c.Name = ""
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// storeSummary counts the stores p may see that match f by format, city, region and
// brand.
func storeSummary(ctx context.Context, q db.Querier, like string, p *auth.Principal, f StoreFilter) (StoreSummary, error) {
	var sum StoreSummary
	var w query
	storeFilter(&w, like, p, f)
	cond := w.sql()
	counts := func(col string) ([]Count, error) {
		rows, err := q.QueryContext(ctx, `SELECT `+col+`, COUNT(*) FROM stores s WHERE `+cond+
			` GROUP BY `+col+` ORDER BY COUNT(*) DESC, `+col, w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := []Count{}
		for rows.Next() {
			var c Count
			if err := rows.Scan(&c.Key, &c.Count); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	named := func(table, alias, fk string) ([]NamedCount, error) {
		rows, err := q.QueryContext(ctx, `SELECT `+alias+`.id, `+alias+`.name, COUNT(*) FROM stores s JOIN `+table+` `+alias+
			` ON `+alias+`.tenant_id = s.tenant_id AND `+alias+`.id = s.`+fk+` WHERE `+cond+
			` GROUP BY `+alias+`.id, `+alias+`.name ORDER BY COUNT(*) DESC, `+alias+`.name, `+alias+`.id`, w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := []NamedCount{}
		for rows.Next() {
			var c NamedCount
			if err := rows.Scan(&c.Key, &c.Name, &c.Count); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	var err error
	if sum.ByFormat, err = counts("s.format"); err != nil {
		return sum, err
	}
	if sum.ByCity, err = counts("s.city"); err != nil {
		return sum, err
	}
	if sum.ByRegion, err = named("regions", "r", "region_id"); err != nil {
		return sum, err
	}
	if sum.ByBrand, err = named("brands", "b", "brand_id"); err != nil {
		return sum, err
	}
	for _, c := range sum.ByFormat {
		sum.Total += c.Count
	}
	return sum, nil
}

// brandExists and regionExists check a reference inside the tenant, ignoring data
// scope (the caller has already been checked).
func brandExists(ctx context.Context, q db.Querier, tenantID, id string) (bool, error) {
	return exists(ctx, q, `SELECT 1 FROM brands WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

func regionExists(ctx context.Context, q db.Querier, tenantID, id string) (bool, error) {
	return exists(ctx, q, `SELECT 1 FROM regions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

func storeExists(ctx context.Context, q db.Querier, tenantID, id string) (bool, error) {
	return exists(ctx, q, `SELECT 1 FROM stores WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

func exists(ctx context.Context, q db.Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
