package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// ExportParams is the query parameter every list export embeds beside the list's own
// filters. It is not called format because some lists filter on a field of that name.
type ExportParams struct {
	FileFormat sheet.Format `query:"file_format" enum:"xlsx,csv" default:"xlsx" doc:"xlsx (Excel) or csv (UTF-8 with BOM)."`
}

// ExportPageSize is how many items an export fetches per page.
const ExportPageSize = 500

// Export describes one list export: its file name (without extension), header row,
// how to fetch a page of items after a cursor, and how to turn an item into a row.
type Export[T any] struct {
	Name   string
	Header []string
	Page   func(ctx context.Context, cursor string, limit int) (Page[T], error)
	Row    func(T) []string
}

// ExportResponses documents an export operation's 200 response (pass as
// huma.Operation.Responses).
func ExportResponses() map[string]*huma.Response {
	return map[string]*huma.Response{"200": {
		Description: "The file, streamed: every row of the list that matches the filters.",
		Content: map[string]*huma.MediaType{
			sheet.MediaCSV:  {Schema: &huma.Schema{Type: "string"}},
			sheet.MediaXLSX: {Schema: &huma.Schema{Type: "string", Format: "binary"}},
		},
	}}
}

// Stream fetches the first page now, so that a bad filter or a missing permission
// becomes a problem response, then streams the file: the header row and every item,
// page by page (keyset paging, ExportPageSize at a time), each row escaped by
// sheet.Writer. An error after the first page ends the stream: when nothing has
// reached the client yet (always for .xlsx, whose workbook is written at the end, and
// for CSV within its first 64 KiB) the answer is a 500 with no body; otherwise the
// CSV file is cut short. The error is logged.
func Stream[T any](ctx context.Context, f sheet.Format, e Export[T]) (*huma.StreamResponse, error) {
	if f == "" {
		f = sheet.XLSX
	}
	first, err := e.Page(ctx, "", ExportPageSize)
	if err != nil {
		return nil, Problem(err)
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", f.MediaType())
		hc.SetHeader("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Name + "." + string(f)}))
		hc.SetHeader("Cache-Control", "no-store")
		if written, err := writeExport(ctx, hc, f, e, first); err != nil {
			if written == 0 {
				// Nothing reached the client yet: say so with the status.
				hc.SetStatus(http.StatusInternalServerError)
			}
			slog.ErrorContext(ctx, "export failed", "export", e.Name, "err", err)
		}
	}}, nil
}

// writeExport writes the file; it returns how many bytes reached the client.
func writeExport[T any](ctx context.Context, hc huma.Context, f sheet.Format, e Export[T], page Page[T]) (int64, error) {
	w, err := sheet.NewWriter(hc.BodyWriter(), f)
	if err != nil {
		return 0, err
	}
	if err := w.Write(e.Header); err != nil {
		return w.Written(), err
	}
	for {
		for _, it := range page.Items {
			if err := w.Write(e.Row(it)); err != nil {
				return w.Written(), err
			}
		}
		if page.NextCursor == "" {
			break
		}
		if page, err = e.Page(ctx, page.NextCursor, ExportPageSize); err != nil {
			return w.Written(), fmt.Errorf("export %s: next page: %w", e.Name, err)
		}
	}
	err = w.Close()
	return w.Written(), err
}

// ImportErrorRow is one rejected row of an import, as the import reports list them.
type ImportErrorRow struct {
	Line   int    `json:"line" minimum:"0"`
	Field  string `json:"field" maxLength:"200"`
	Reason string `json:"reason" maxLength:"2000"`
}

// ImportReportRequest asks for an import's error report as a file.
type ImportReportRequest struct {
	Name   string           `json:"name,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9_-]*$" doc:"File name without extension; default import-errors."`
	Errors []ImportErrorRow `json:"errors" maxItems:"1000" nullable:"false" doc:"The errors of an import report, as returned."`
}

type importReportInput struct {
	ExportParams
	Body ImportReportRequest
}

// importReportHeader is the header row of an error report.
var importReportHeader = []string{"line", "field", "reason"}

// RegisterImportReport adds POST /api/v1/import-reports, which turns the errors of any
// import's answer into a downloadable .xlsx or CSV file. It stores nothing: the
// console sends back the errors the import returned, so no report outlives the
// request that made it.
func RegisterImportReport(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "render-import-report", Method: http.MethodPost, Path: "/api/v1/import-reports",
		Summary: "Render an import's error report as Excel or CSV",
		Description: "The errors of an import's answer (POST /api/v1/imports/skus, /api/v1/imports/stores) as a file with the columns " +
			"line, field and reason. Nothing is stored; any signed-in caller may render what it was given. Cells starting with =, +, -, @, " +
			"tab or CR get a leading ' against formula injection.",
		Tags: []string{"Platform"}, Security: Secured(), Responses: ExportResponses(), Metadata: NoReplay(),
	}, func(ctx context.Context, in *importReportInput) (*huma.StreamResponse, error) {
		name := in.Body.Name
		if name == "" {
			name = "import-errors"
		}
		return Stream(ctx, in.FileFormat, Export[ImportErrorRow]{Name: name, Header: importReportHeader,
			Row: func(e ImportErrorRow) []string { return []string{strconv.Itoa(e.Line), e.Field, e.Reason} },
			Page: func(context.Context, string, int) (Page[ImportErrorRow], error) {
				return Page[ImportErrorRow]{Items: in.Body.Errors}, nil
			}})
	})
}
