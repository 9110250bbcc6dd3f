package org

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// MaxStoreImportBytes is the largest file the store import accepts.
const MaxStoreImportBytes = 32 << 20

// StoreImportErrorResponse is one rejected row of a store import.
type StoreImportErrorResponse struct {
	Line   int    `json:"line" doc:"Line (CSV) or row (xlsx) of the file, the header being 1."`
	Field  string `json:"field" doc:"The column; empty when the row could not be read."`
	Reason string `json:"reason"`
}

// StoreImportReportResponse is the outcome of a store import; it has the shape of the
// SKU import's report.
type StoreImportReportResponse struct {
	Rows      int                        `json:"rows"`
	Created   int                        `json:"created"`
	Updated   int                        `json:"updated"`
	Failed    int                        `json:"failed"`
	Processed int                        `json:"processed" doc:"Always rows: each row is written on its own."`
	Canceled  bool                       `json:"canceled"`
	Errors    []StoreImportErrorResponse `json:"errors" nullable:"false" doc:"The first 1,000 rejected rows."`
}

func storeImportReportResponse(r StoreImportReport) StoreImportReportResponse {
	out := StoreImportReportResponse{Rows: r.Rows, Created: r.Created, Updated: r.Updated, Failed: r.Failed, Processed: r.Rows,
		Errors: make([]StoreImportErrorResponse, len(r.Errors))}
	for i, e := range r.Errors {
		out.Errors[i] = StoreImportErrorResponse{Line: e.Line, Field: e.Field, Reason: e.Reason}
	}
	return out
}

type storeImportInput struct {
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"text/csv"`
}

type storeExportInput struct {
	httpapi.ExportParams
	StoreFilterParams
}

// registerStoreFiles adds the store import and export (before /stores/{id}).
func (s *Service) registerStoreFiles(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "export-stores", Method: http.MethodGet, Path: "/api/v1/stores/export",
		Summary: "Export stores to Excel or CSV",
		Description: "Every store the caller may see matching the filters of GET /api/v1/stores, as an .xlsx workbook or a UTF-8 CSV " +
			"file with BOM, with the columns of POST /api/v1/imports/stores (brand and region by code). Cells starting with =, +, -, @, " +
			"tab or CR get a leading ' against formula injection.",
		Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead), Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *storeExportInput) (*huma.StreamResponse, error) {
		find, err := s.StoreExporter(ctx)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		f := in.filter()
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[StoreExportRow]{Name: "stores", Header: StoreColumns(), Row: storeExportRow,
			Page: func(ctx context.Context, cursor string, limit int) (httpapi.Page[StoreExportRow], error) {
				f.PageParams = httpapi.PageParams{Cursor: cursor, Limit: limit}
				return find(ctx, f)
			}})
	})
	huma.Register(api, huma.Operation{
		OperationID: "import-stores", Method: http.MethodPost, Path: "/api/v1/imports/stores",
		Summary: "Import stores from CSV or Excel",
		Description: "Creates or updates stores by code from a CSV file (UTF-8 with or without BOM, or GBK) or an .xlsx workbook (first " +
			"sheet; recognised by its content or the Content-Type " + sheet.MediaXLSX + ") of at most 32 MiB. Columns: code, name " +
			"(required), brand_code, region_code, format, city, address, latitude, longitude, floor_area_m2, time_zone, opening_hours, " +
			"status — those of GET /api/v1/stores/export. Each row is written on its own: a rejected row is listed in the report " +
			"and does not stop the others. Needs org:read and org:write over the whole tenant.",
		Tags: []string{orgTag}, Security: httpapi.Secured(auth.OrgRead, auth.OrgWrite), MaxBodyBytes: MaxStoreImportBytes,
	}, func(ctx context.Context, in *storeImportInput) (*httpapi.Body[StoreImportReportResponse], error) {
		return httpapi.Reply(storeImportReportResponse)(s.ImportStores(ctx, bytes.NewReader(in.RawBody), in.ContentType))
	})
}
