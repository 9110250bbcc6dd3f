package org

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Register adds the organisation, user, session and API key operations to the API.
func (s *Service) Register(api huma.API) {
	s.registerBrands(api)
	s.registerRegions(api)
	s.registerStoreFiles(api)
	s.registerStores(api)
	s.registerAuth(api)
	s.registerUsers(api)
	s.registerAPIKeys(api)
	s.registerSessions(api)
}

// The OpenAPI tags of org's operations.
const (
	orgTag    = "Organisation"
	accessTag = "Access"
)

type idPath struct {
	ID string `path:"id" maxLength:"64" doc:"Resource id."`
}

// --- brands ---

// BrandResponse is a brand as the API shows it.
type BrandResponse struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Status    string    `json:"status" enum:"active,inactive"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BrandCreateRequest creates a brand.
type BrandCreateRequest struct {
	Code   string `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$" doc:"Unique within the tenant."`
	Name   string `json:"name" minLength:"1" maxLength:"200"`
	Status string `json:"status,omitempty" enum:"active,inactive" doc:"Defaults to active."`
}

// BrandUpdateRequest changes the fields it carries.
type BrandUpdateRequest struct {
	Code   *string `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name   *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Status *string `json:"status,omitempty" enum:"active,inactive"`
}

type brandListInput struct {
	httpapi.PageParams
	Status string `query:"status" enum:"active,inactive"`
	Q      string `query:"q" maxLength:"100" doc:"Substring of the name or code."`
}

type brandCreateInput struct{ Body BrandCreateRequest }
type brandUpdateInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Resource id."`
	Body BrandUpdateRequest
}

func brandResponse(b Brand) BrandResponse {
	return BrandResponse{ID: b.ID, Code: b.Code, Name: b.Name, Status: string(b.Status), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt}
}

func brandCreate(r BrandCreateRequest) BrandCreate {
	return BrandCreate{Code: r.Code, Name: r.Name, Status: BrandStatus(r.Status)}
}

func brandUpdate(r BrandUpdateRequest) BrandUpdate {
	return BrandUpdate{Code: r.Code, Name: r.Name, Status: convert[BrandStatus](r.Status)}
}

// convert turns an optional string into an optional named string type.
func convert[T ~string](v *string) *T {
	if v == nil {
		return nil
	}
	return new(T(*v))
}

func (s *Service) registerBrands(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-brands", Method: http.MethodGet, Path: "/api/v1/brands",
		Summary: "List brands", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
		Description: "Brands the caller may see: all of the tenant, or those of the caller's brand, region or store.",
	}, func(ctx context.Context, in *brandListInput) (*httpapi.Body[httpapi.Page[BrandResponse]], error) {
		return httpapi.ReplyPage(brandResponse)(s.FindBrands(ctx, BrandFilter{Status: BrandStatus(in.Status), Q: in.Q,
			PageParams: in.PageParams}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-brand", Method: http.MethodPost, Path: "/api/v1/brands", DefaultStatus: http.StatusCreated,
		Summary: "Create a brand", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *brandCreateInput) (*httpapi.Body[BrandResponse], error) {
		return httpapi.Reply(brandResponse)(s.CreateBrand(ctx, brandCreate(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-brand", Method: http.MethodGet, Path: "/api/v1/brands/{id}",
		Summary: "Get a brand", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *idPath) (*httpapi.Body[BrandResponse], error) {
		return httpapi.Reply(brandResponse)(s.FindBrandByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-brand", Method: http.MethodPatch, Path: "/api/v1/brands/{id}",
		Summary: "Change a brand", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *brandUpdateInput) (*httpapi.Body[BrandResponse], error) {
		return httpapi.Reply(brandResponse)(s.UpdateBrand(ctx, in.ID, brandUpdate(in.Body)))
	})
}

// --- regions ---

// RegionResponse is a region as the API shows it.
type RegionResponse struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RegionCreateRequest creates a region.
type RegionCreateRequest struct {
	Code string `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$" doc:"Unique within the tenant."`
	Name string `json:"name" minLength:"1" maxLength:"200"`
}

// RegionUpdateRequest changes the fields it carries.
type RegionUpdateRequest struct {
	Code *string `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
}

type regionListInput struct {
	httpapi.PageParams
	Q string `query:"q" maxLength:"100" doc:"Substring of the name or code."`
}

type regionCreateInput struct{ Body RegionCreateRequest }
type regionUpdateInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Resource id."`
	Body RegionUpdateRequest
}

func regionResponse(r Region) RegionResponse {
	return RegionResponse{ID: r.ID, Code: r.Code, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (s *Service) registerRegions(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-regions", Method: http.MethodGet, Path: "/api/v1/regions",
		Summary: "List regions", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
		Description: "Regions the caller may see: all of the tenant, or those of the caller's brand, region or store.",
	}, func(ctx context.Context, in *regionListInput) (*httpapi.Body[httpapi.Page[RegionResponse]], error) {
		return httpapi.ReplyPage(regionResponse)(s.FindRegions(ctx, RegionFilter{Q: in.Q, PageParams: in.PageParams}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-region", Method: http.MethodPost, Path: "/api/v1/regions", DefaultStatus: http.StatusCreated,
		Summary: "Create a region", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *regionCreateInput) (*httpapi.Body[RegionResponse], error) {
		return httpapi.Reply(regionResponse)(s.CreateRegion(ctx, RegionCreate{Code: in.Body.Code, Name: in.Body.Name}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-region", Method: http.MethodGet, Path: "/api/v1/regions/{id}",
		Summary: "Get a region", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *idPath) (*httpapi.Body[RegionResponse], error) {
		return httpapi.Reply(regionResponse)(s.FindRegionByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-region", Method: http.MethodPatch, Path: "/api/v1/regions/{id}",
		Summary: "Change a region", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *regionUpdateInput) (*httpapi.Body[RegionResponse], error) {
		return httpapi.Reply(regionResponse)(s.UpdateRegion(ctx, in.ID, RegionUpdate{Code: in.Body.Code, Name: in.Body.Name}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "delete-region", Method: http.MethodDelete, Path: "/api/v1/regions/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a region", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
		Description: "Only a region without stores and without users scoped to it; otherwise 409.",
	}, func(ctx context.Context, in *idPath) (*struct{}, error) {
		if err := s.DeleteRegion(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
}

// --- stores ---

// StoreResponse is a store as the API shows it.
type StoreResponse struct {
	ID           string    `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	BrandID      string    `json:"brand_id"`
	RegionID     string    `json:"region_id"`
	Format       string    `json:"format" enum:"hypermarket,supermarket,convenience,specialty,department_store"`
	City         string    `json:"city"`
	Address      string    `json:"address"`
	Latitude     *float64  `json:"latitude,omitempty" doc:"WGS-84; absent when unknown."`
	Longitude    *float64  `json:"longitude,omitempty" doc:"WGS-84; absent when unknown."`
	FloorAreaM2  *int      `json:"floor_area_m2,omitempty" doc:"Sales floor area in square metres; absent when unknown."`
	TimeZone     string    `json:"time_zone" example:"Asia/Shanghai"`
	OpeningHours string    `json:"opening_hours" example:"08:00-22:00" doc:"Empty when unknown."`
	Status       string    `json:"status" enum:"open,closed,planned"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// StoreCreateRequest creates a store.
type StoreCreateRequest struct {
	BrandID      string   `json:"brand_id" minLength:"1" maxLength:"64"`
	RegionID     string   `json:"region_id" minLength:"1" maxLength:"64"`
	Code         string   `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$" doc:"Unique within the tenant."`
	Name         string   `json:"name" minLength:"1" maxLength:"200"`
	Format       string   `json:"format" enum:"hypermarket,supermarket,convenience,specialty,department_store"`
	City         string   `json:"city" minLength:"1" maxLength:"100"`
	Address      string   `json:"address,omitempty" maxLength:"500"`
	Latitude     *float64 `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude    *float64 `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
	FloorAreaM2  *int     `json:"floor_area_m2,omitempty" minimum:"1" maximum:"10000000"`
	TimeZone     string   `json:"time_zone,omitempty" maxLength:"64" doc:"IANA time zone; defaults to Asia/Shanghai."`
	OpeningHours string   `json:"opening_hours,omitempty" maxLength:"11" example:"08:00-22:00"`
	Status       string   `json:"status,omitempty" enum:"open,closed,planned" doc:"Defaults to open."`
}

// StoreUpdateRequest changes the fields it carries. Users scoped to a store may
// change their own store but not its brand, region or code.
type StoreUpdateRequest struct {
	BrandID      *string  `json:"brand_id,omitempty" minLength:"1" maxLength:"64"`
	RegionID     *string  `json:"region_id,omitempty" minLength:"1" maxLength:"64"`
	Code         *string  `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name         *string  `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Format       *string  `json:"format,omitempty" enum:"hypermarket,supermarket,convenience,specialty,department_store"`
	City         *string  `json:"city,omitempty" minLength:"1" maxLength:"100"`
	Address      *string  `json:"address,omitempty" maxLength:"500"`
	Latitude     *float64 `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude    *float64 `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
	FloorAreaM2  *int     `json:"floor_area_m2,omitempty" minimum:"1" maximum:"10000000"`
	TimeZone     *string  `json:"time_zone,omitempty" maxLength:"64"`
	OpeningHours *string  `json:"opening_hours,omitempty" maxLength:"11"`
	Status       *string  `json:"status,omitempty" enum:"open,closed,planned"`
}

type storeListInput struct {
	httpapi.PageParams
	StoreFilterParams
	Page int `query:"page" minimum:"1" maximum:"20000" doc:"Jump to this page of limit stores (1 is the first) instead of following a cursor; reaches the first 20,000 stores."`
}

// StoreFilterParams are the query filters of the store list and summary.
type StoreFilterParams struct {
	BrandID  string `query:"brand_id" maxLength:"64"`
	RegionID string `query:"region_id" maxLength:"64"`
	Format   string `query:"format" enum:"hypermarket,supermarket,convenience,specialty,department_store"`
	City     string `query:"city" maxLength:"100"`
	Q        string `query:"q" maxLength:"100" doc:"Substring of the name or code."`
	Status   string `query:"status" enum:"open,closed,planned"`
}

func (in StoreFilterParams) filter() StoreFilter {
	return StoreFilter{BrandID: in.BrandID, RegionID: in.RegionID, Format: StoreFormat(in.Format), City: in.City,
		Q: in.Q, Status: StoreStatus(in.Status)}
}

type storeCreateInput struct{ Body StoreCreateRequest }
type storeUpdateInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Resource id."`
	Body StoreUpdateRequest
}

// StoreSummaryCount is the number of stores with one format or in one city.
type StoreSummaryCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// StoreSummaryNamedCount is the number of stores of one region or brand.
type StoreSummaryNamedCount struct {
	Key   string `json:"key" doc:"Region or brand id."`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// StoreSummaryResponse counts the stores the caller may see.
type StoreSummaryResponse struct {
	Total    int                      `json:"total"`
	ByFormat []StoreSummaryCount      `json:"by_format" nullable:"false"`
	ByCity   []StoreSummaryCount      `json:"by_city" nullable:"false"`
	ByRegion []StoreSummaryNamedCount `json:"by_region" nullable:"false"`
	ByBrand  []StoreSummaryNamedCount `json:"by_brand" nullable:"false"`
}

func storeResponse(s Store) StoreResponse {
	return StoreResponse{ID: s.ID, Code: s.Code, Name: s.Name, BrandID: s.BrandID, RegionID: s.RegionID,
		Format: string(s.Format), City: s.City, Address: s.Address, Latitude: s.Latitude, Longitude: s.Longitude,
		FloorAreaM2: s.FloorAreaM2, TimeZone: s.TimeZone, OpeningHours: s.OpeningHours, Status: string(s.Status),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func storeCreate(r StoreCreateRequest) StoreCreate {
	return StoreCreate{BrandID: r.BrandID, RegionID: r.RegionID, Code: r.Code, Name: r.Name,
		Format: StoreFormat(r.Format), City: r.City, Address: r.Address, Latitude: r.Latitude, Longitude: r.Longitude,
		FloorAreaM2: r.FloorAreaM2, TimeZone: r.TimeZone, OpeningHours: r.OpeningHours, Status: StoreStatus(r.Status)}
}

func storeUpdate(r StoreUpdateRequest) StoreUpdate {
	return StoreUpdate{BrandID: r.BrandID, RegionID: r.RegionID, Code: r.Code, Name: r.Name,
		Format: convert[StoreFormat](r.Format), City: r.City, Address: r.Address, Latitude: r.Latitude,
		Longitude: r.Longitude, FloorAreaM2: r.FloorAreaM2, TimeZone: r.TimeZone, OpeningHours: r.OpeningHours,
		Status: convert[StoreStatus](r.Status)}
}

func storeSummaryResponse(s StoreSummary) StoreSummaryResponse {
	counts := func(cs []Count) []StoreSummaryCount {
		out := make([]StoreSummaryCount, len(cs))
		for i, c := range cs {
			out[i] = StoreSummaryCount{Key: c.Key, Count: c.Count}
		}
		return out
	}
	named := func(cs []NamedCount) []StoreSummaryNamedCount {
		out := make([]StoreSummaryNamedCount, len(cs))
		for i, c := range cs {
			out[i] = StoreSummaryNamedCount{Key: c.Key, Name: c.Name, Count: c.Count}
		}
		return out
	}
	return StoreSummaryResponse{Total: s.Total, ByFormat: counts(s.ByFormat), ByCity: counts(s.ByCity),
		ByRegion: named(s.ByRegion), ByBrand: named(s.ByBrand)}
}

func (s *Service) registerStores(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-stores", Method: http.MethodGet, Path: "/api/v1/stores",
		Summary: "List stores", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
		Description: "Stores the caller may see (a store manager sees only their store), filtered and ordered by id.",
	}, func(ctx context.Context, in *storeListInput) (*httpapi.Body[httpapi.Page[StoreResponse]], error) {
		f := in.filter()
		f.PageParams = in.PageParams
		f.Page = in.Page
		return httpapi.ReplyPage(storeResponse)(s.FindStores(ctx, f))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-store", Method: http.MethodPost, Path: "/api/v1/stores", DefaultStatus: http.StatusCreated,
		Summary: "Create a store", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *storeCreateInput) (*httpapi.Body[StoreResponse], error) {
		return httpapi.Reply(storeResponse)(s.CreateStore(ctx, storeCreate(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-store", Method: http.MethodGet, Path: "/api/v1/stores/{id}",
		Summary: "Get a store", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *idPath) (*httpapi.Body[StoreResponse], error) {
		return httpapi.Reply(storeResponse)(s.FindStoreByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-store", Method: http.MethodPatch, Path: "/api/v1/stores/{id}",
		Summary: "Change a store", Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgWrite),
	}, func(ctx context.Context, in *storeUpdateInput) (*httpapi.Body[StoreResponse], error) {
		return httpapi.Reply(storeResponse)(s.UpdateStore(ctx, in.ID, storeUpdate(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-store-summary", Method: http.MethodGet, Path: "/api/v1/store-summary",
		Summary:     "Count stores by format, city, region and brand",
		Description: "The stores the caller may see that match the list's filters (a store manager: their store), counted by group, largest first; total is the number the list pages through.",
		Tags:        []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *StoreFilterParams) (*httpapi.Body[StoreSummaryResponse], error) {
		return httpapi.Reply(storeSummaryResponse)(s.StoreSummary(ctx, in.filter()))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-store-map", Method: http.MethodGet, Path: "/api/v1/store-map",
		Summary:     "Count stores by format and map cell",
		Description: "The located stores the caller may see that match the list's filters, counted by format and cell of a quarter of a degree (about 28 km), at their mean position: what a map of the network draws, bounded by the area covered rather than by the number of stores.",
		Tags:        []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *StoreFilterParams) (*httpapi.Body[StoreMapResponse], error) {
		return httpapi.Reply(storeMapResponse)(s.StoreMap(ctx, in.filter()))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-store-names", Method: http.MethodGet, Path: "/api/v1/store-names",
		Summary:     "Name stores by id",
		Description: "The names of the listed stores the caller may see, in one query: what a page needs to label the rows it shows without reading every store. Unknown ids and stores outside the caller's data scope are left out.",
		Tags:        []string{orgTag}, Security: httpapi.Secured(auth.OrgRead),
	}, func(ctx context.Context, in *struct {
		IDs []string `query:"ids" minItems:"1" maxItems:"200" explode:"false" doc:"Store ids, comma-separated."`
	}) (*httpapi.Body[StoreNamesResponse], error) {
		return httpapi.Reply(storeNamesResponse)(s.StoreNames(ctx, in.IDs))
	})
}

// StoreCellResponse counts the stores of one format in one cell of the map.
type StoreCellResponse struct {
	Format    string  `json:"format"`
	City      string  `json:"city" doc:"The city of the cell's stores (the first by name when they differ)."`
	Name      string  `json:"name,omitempty" doc:"The store's name, when the cell holds one store."`
	Latitude  float64 `json:"latitude" doc:"Mean latitude of the cell's stores."`
	Longitude float64 `json:"longitude" doc:"Mean longitude of the cell's stores."`
	Count     int     `json:"count"`
}

// StoreMapResponse is the map of the stores the caller may see.
type StoreMapResponse struct {
	Cells []StoreCellResponse `json:"cells" nullable:"false"`
}

func storeMapResponse(cells []StoreCell) StoreMapResponse {
	out := StoreMapResponse{Cells: make([]StoreCellResponse, len(cells))}
	for i, c := range cells {
		out.Cells[i] = StoreCellResponse{Format: string(c.Format), City: c.City, Name: c.Name,
			Latitude: c.Latitude, Longitude: c.Longitude, Count: c.Count}
	}
	return out
}

// StoreNameResponse is a store's id and name.
type StoreNameResponse struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// StoreNamesResponse lists the stores a page asked to name.
type StoreNamesResponse struct {
	Items []StoreNameResponse `json:"items" nullable:"false"`
}

func storeNamesResponse(names map[string]string) StoreNamesResponse {
	out := StoreNamesResponse{Items: make([]StoreNameResponse, 0, len(names))}
	for id, name := range names {
		out.Items = append(out.Items, StoreNameResponse{ID: id, Name: name})
	}
	slices.SortFunc(out.Items, func(a, b StoreNameResponse) int { return strings.Compare(a.ID, b.ID) })
	return out
}
