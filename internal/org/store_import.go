package org

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// storeFileColumns are the columns of a store import file, in the order an export
// writes them: brands and regions go by code.
var storeFileColumns = []string{"code", "name", "brand_code", "region_code", "format", "city", "address", "latitude", "longitude",
	"floor_area_m2", "time_zone", "opening_hours", "status"}

// StoreColumns returns the columns of a store import file in export order.
func StoreColumns() []string { return append([]string(nil), storeFileColumns...) }

// maxStoreImportErrors bounds the rejected rows listed in a report.
const maxStoreImportErrors = 1000

// StoreImportError says why one row of a store import file was rejected; Field is
// the column ("" when the row could not be read).
type StoreImportError struct {
	Line   int
	Field  string
	Reason string
}

// StoreImportReport is the outcome of ImportStores: Created+Updated+Failed == Rows.
type StoreImportReport struct {
	Rows    int
	Created int
	Updated int // stores that existed, unchanged ones included
	Failed  int
	Errors  []StoreImportError // the first 1,000 rejected rows, in file order
}

func (r *StoreImportReport) fail(line int, field, format string, args ...any) {
	r.Failed++
	if len(r.Errors) < maxStoreImportErrors {
		r.Errors = append(r.Errors, StoreImportError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
}

// storeRefs are the tenant's brands and regions by code and by id.
type storeRefs struct {
	brandID, regionID     map[string]string // code → id
	brandCode, regionCode map[string]string // id → code
}

// loadStoreRefs reads every brand and region of the caller's tenant.
func (s *Service) loadStoreRefs(ctx context.Context) (storeRefs, error) {
	r := storeRefs{brandID: map[string]string{}, regionID: map[string]string{}, brandCode: map[string]string{}, regionCode: map[string]string{}}
	for cursor := ""; ; {
		page, err := s.FindBrands(ctx, BrandFilter{PageParams: httpapi.PageParams{Limit: httpapi.MaxLimit, Cursor: cursor}})
		if err != nil {
			return r, err
		}
		for _, b := range page.Items {
			r.brandID[b.Code], r.brandCode[b.ID] = b.ID, b.Code
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		page, err := s.FindRegions(ctx, RegionFilter{PageParams: httpapi.PageParams{Limit: httpapi.MaxLimit, Cursor: cursor}})
		if err != nil {
			return r, err
		}
		for _, g := range page.Items {
			r.regionID[g.Code], r.regionCode[g.ID] = g.ID, g.Code
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	return r, nil
}

// StoreExportRow is a store with the codes of its brand and region.
type StoreExportRow struct {
	Store      Store
	BrandCode  string
	RegionCode string
}

// StoreExporter returns a function that lists the stores the caller may see matching
// f (as FindStores) with their brand and region codes; the brands and regions are
// read once. Errors: those of FindStores, FindBrands and FindRegions.
func (s *Service) StoreExporter(ctx context.Context) (func(ctx context.Context, f StoreFilter) (httpapi.Page[StoreExportRow], error), error) {
	refs, err := s.loadStoreRefs(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, f StoreFilter) (httpapi.Page[StoreExportRow], error) {
		page, err := s.FindStores(ctx, f)
		if err != nil {
			return httpapi.Page[StoreExportRow]{}, err
		}
		out := httpapi.Page[StoreExportRow]{Items: make([]StoreExportRow, len(page.Items)), NextCursor: page.NextCursor}
		for i, st := range page.Items {
			out.Items[i] = StoreExportRow{Store: st, BrandCode: refs.brandCode[st.BrandID], RegionCode: refs.regionCode[st.RegionID]}
		}
		return out, nil
	}, nil
}

// ImportStores creates or updates stores, matched by code, from a CSV file (UTF-8 with
// or without BOM, or GBK/GB18030) or an .xlsx workbook (first sheet) with a header row
// naming the columns of StoreColumns (code and name are required; brand and region go
// by code). Each row is written on its own through CreateStore or UpdateStore, so a
// rejected row does not stop the others and rows before it stay written: the import
// is per row, not all-or-nothing. An empty cell keeps an existing store's value (a
// new store then needs brand_code, region_code, format and city). It needs org:read
// and org:write over the whole tenant.
//
// Errors: invalid (unreadable file or header lacking code or name), unauthorized,
// forbidden; rejected rows are in the report.
func (s *Service) ImportStores(ctx context.Context, r io.Reader, contentType string) (StoreImportReport, error) {
	report := StoreImportReport{Errors: []StoreImportError{}}
	p, err := caller(ctx, auth.OrgWrite)
	if err != nil {
		return report, err
	}
	if !tenantWide(p) {
		return report, errs.E(errs.Forbidden, "only tenant-wide users may import stores")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return report, fmt.Errorf("org: import stores: read: %w", err)
	}
	f, err := sheet.Open(data, contentType, "body")
	if err != nil {
		return report, err
	}
	defer f.Close()
	cols, err := csvfile.Columns(f.Header, csvfile.Among(storeFileColumns...), []string{"code", "name"}, "body")
	if err != nil {
		return report, err
	}
	refs, err := s.loadStoreRefs(ctx)
	if err != nil {
		return report, fmt.Errorf("org: import stores: %w", err)
	}
	existing, err := s.storesByCode(ctx)
	if err != nil {
		return report, fmt.Errorf("org: import stores: %w", err)
	}
	seen := map[string]int{}
	for {
		line, rec, err := f.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rerr *csvfile.RowError
		if errors.As(err, &rerr) {
			report.Rows++
			report.fail(rerr.Line, "", "%s", rerr.Reason)
			continue
		}
		if err != nil {
			return report, errs.Field("body", "the file cannot be read: %s", err.Error())
		}
		report.Rows++
		u, field, reason := parseStoreRow(rec, cols, refs)
		if reason != "" {
			report.fail(line, field, "%s", reason)
			continue
		}
		code := *u.Code
		if first, ok := seen[code]; ok {
			report.fail(line, "code", "code %s repeats line %d", code, first)
			continue
		}
		seen[code] = line
		if cur, ok := existing[code]; ok {
			_, err = s.UpdateStore(ctx, cur.ID, u)
			if err == nil {
				report.Updated++
			}
		} else {
			var st Store
			st, err = s.CreateStore(ctx, storeCreateOf(u))
			if err == nil {
				existing[code] = st
				report.Created++
			}
		}
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || (e.Code != errs.Invalid && e.Code != errs.Conflict) {
				return report, fmt.Errorf("org: import stores: line %d: %w", line, err)
			}
			report.fail(line, storeColumn(e.Field), "%s", e.Message)
		}
	}
	return report, nil
}

// storesByCode returns every store of the tenant by code.
func (s *Service) storesByCode(ctx context.Context) (map[string]Store, error) {
	out := map[string]Store{}
	for cursor := ""; ; {
		page, err := s.FindStores(ctx, StoreFilter{PageParams: httpapi.PageParams{Limit: httpapi.MaxLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, st := range page.Items {
			out[st.Code] = st
		}
		if cursor = page.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// storeColumn names the file column of a service error's field ("body.brand_id" →
// brand_code).
func storeColumn(field string) string {
	name := strings.TrimPrefix(field, "body.")
	switch name {
	case "brand_id":
		return "brand_code"
	case "region_id":
		return "region_code"
	}
	return name
}

func storeCreateOf(u StoreUpdate) StoreCreate {
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	c := StoreCreate{BrandID: val(u.BrandID), RegionID: val(u.RegionID), Code: val(u.Code), Name: val(u.Name), City: val(u.City),
		Address: val(u.Address), Latitude: u.Latitude, Longitude: u.Longitude, FloorAreaM2: u.FloorAreaM2, TimeZone: val(u.TimeZone),
		OpeningHours: val(u.OpeningHours)}
	if u.Format != nil {
		c.Format = *u.Format
	}
	if u.Status != nil {
		c.Status = *u.Status
	}
	return c
}

// parseStoreRow reads one row into the fields it sets; on a bad cell it returns the
// column and the reason.
func parseStoreRow(rec []string, cols map[string]int, refs storeRefs) (StoreUpdate, string, string) {
	var u StoreUpdate
	get := func(col string) string { return csvfile.Field(rec, cols, col) }
	folded := func(col string) string { return strings.TrimSpace(width.Fold.String(get(col))) }
	set := func(col string, dst **string, fold bool) {
		v := get(col)
		if fold {
			v = folded(col)
		}
		if v != "" {
			*dst = &v
		}
	}
	set("code", &u.Code, true)
	if u.Code == nil {
		return u, "code", "code is required"
	}
	set("name", &u.Name, false)
	set("city", &u.City, false)
	set("address", &u.Address, false)
	set("time_zone", &u.TimeZone, true)
	set("opening_hours", &u.OpeningHours, true)
	if v := folded("brand_code"); v != "" {
		id, ok := refs.brandID[v]
		if !ok {
			return u, "brand_code", fmt.Sprintf("unknown brand %s", v)
		}
		u.BrandID = &id
	}
	if v := folded("region_code"); v != "" {
		id, ok := refs.regionID[v]
		if !ok {
			return u, "region_code", fmt.Sprintf("unknown region %s", v)
		}
		u.RegionID = &id
	}
	if v := strings.ToLower(folded("format")); v != "" {
		f := StoreFormat(v)
		u.Format = &f
	}
	if v := strings.ToLower(folded("status")); v != "" {
		st := StoreStatus(v)
		u.Status = &st
	}
	for _, c := range []struct {
		col string
		dst **float64
	}{{"latitude", &u.Latitude}, {"longitude", &u.Longitude}} {
		if v := folded(c.col); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return u, c.col, fmt.Sprintf("%q is not a number", v)
			}
			*c.dst = &x
		}
	}
	if v := folded("floor_area_m2"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return u, "floor_area_m2", fmt.Sprintf("%q is not a whole number", v)
		}
		u.FloorAreaM2 = &n
	}
	return u, "", ""
}

// storeExportRow is the file row of a store in StoreColumns order; the store's fields
// come from the list's conversion (storeResponse).
func storeExportRow(r StoreExportRow) []string {
	v := storeResponse(r.Store)
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	area := ""
	if v.FloorAreaM2 != nil {
		area = strconv.Itoa(*v.FloorAreaM2)
	}
	return []string{v.Code, v.Name, r.BrandCode, r.RegionCode, v.Format, v.City, v.Address, f(v.Latitude), f(v.Longitude), area,
		v.TimeZone, v.OpeningHours, v.Status}
}
