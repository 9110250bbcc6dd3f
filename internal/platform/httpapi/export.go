package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"

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
// sheet.Writer. An error after the first page ends the stream: a CSV file is then cut
// short and an .xlsx file is not sent at all (status 500, empty body, since the
// workbook is only written at the end); the error is logged.
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
		if err := writeExport(ctx, hc, f, e, first); err != nil {
			if f == sheet.XLSX {
				// Nothing reached the client: the workbook is written by Close.
				hc.SetStatus(http.StatusInternalServerError)
			}
			slog.ErrorContext(ctx, "export failed", "export", e.Name, "err", err)
		}
	}}, nil
}

func writeExport[T any](ctx context.Context, hc huma.Context, f sheet.Format, e Export[T], page Page[T]) error {
	w, err := sheet.NewWriter(hc.BodyWriter(), f)
	if err != nil {
		return err
	}
	if err := w.Write(e.Header); err != nil {
		return err
	}
	for {
		for _, it := range page.Items {
			if err := w.Write(e.Row(it)); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			break
		}
		if page, err = e.Page(ctx, page.NextCursor, ExportPageSize); err != nil {
			return fmt.Errorf("export %s: next page: %w", e.Name, err)
		}
	}
	return w.Close()
}
