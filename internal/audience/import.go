package audience

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// MaxImportBytes bounds a tag import file.
const MaxImportBytes = 32 << 20

// importBatch is how many rows one transaction writes.
const importBatch = 1000

// RowError is a rejected row of an import.
type RowError struct {
	Line   int
	Field  string
	Reason string
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows    int
	Set     int
	Removed int
	Errors  []RowError
}

// ImportTagValues sets (or, with an empty value, removes) tag values from a CSV file
// (UTF-8 with or without BOM, or GBK) or an .xlsx workbook (its first sheet, known by
// its content or contentType) with the columns customer_id, tag and value.
// Only imported and manual tags take values from a file. Good rows are written in
// batches; a bad row is reported with its line and column and does not stop the
// others. Errors: invalid (the file or its header), unauthorized, forbidden.
func (s *Service) ImportTagValues(ctx context.Context, r io.Reader, contentType string) (ImportReport, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return ImportReport{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return ImportReport{}, fmt.Errorf("audience: import: %w", err)
	}
	if len(data) > MaxImportBytes {
		return ImportReport{}, errs.Field("body", "the file is larger than %d MiB", MaxImportBytes>>20)
	}
	cr, err := sheet.Open(data, contentType, "body")
	if err != nil {
		return ImportReport{}, err
	}
	defer cr.Close()
	cols, err := csvfile.Columns(cr.Header, csvfile.Among("customer_id", "tag", "value"), []string{"customer_id", "tag", "value"}, "body")
	if err != nil {
		return ImportReport{}, err
	}
	tags, err := allTags(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return ImportReport{}, fmt.Errorf("audience: import: %w", err)
	}
	byCode := make(map[string]TagDefinition, len(tags))
	for _, t := range tags {
		byCode[strings.ToLower(t.Code)] = t
	}
	var report ImportReport
	var batch []importRow
	touched := map[string]bool{}
	for {
		line, rec, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *csvfile.RowError
		if errors.As(err, &rowErr) {
			report.Rows++
			report.Errors = append(report.Errors, RowError{Line: rowErr.Line, Reason: rowErr.Reason})
			continue
		}
		if err != nil {
			return report, fmt.Errorf("audience: import: %w", err)
		}
		report.Rows++
		row, rerr := s.importRow(ctx, byCode, line, rec, cols)
		if rerr != nil {
			report.Errors = append(report.Errors, *rerr)
			continue
		}
		batch = append(batch, row)
		touched[row.customerID] = true
		if len(batch) == importBatch {
			if err := s.writeImport(ctx, p.TenantID, batch, &report); err != nil {
				return report, err
			}
			batch = batch[:0]
		}
	}
	if err := s.writeImport(ctx, p.TenantID, batch, &report); err != nil {
		return report, err
	}
	if len(touched) > 0 {
		changed := make([]string, 0, len(touched))
		for id := range touched {
			changed = append(changed, id)
		}
		s.membersChanged(ctx, p.TenantID, changed...)
	}
	return report, nil
}

type importRow struct {
	line       int
	tag        TagDefinition
	customerID string
	value      string
	num        *float64
	remove     bool
}

func (s *Service) importRow(ctx context.Context, byCode map[string]TagDefinition, line int, rec []string, cols map[string]int) (importRow, *RowError) {
	code := csvfile.Field(rec, cols, "tag")
	t, ok := byCode[strings.ToLower(code)]
	if !ok {
		return importRow{}, &RowError{Line: line, Field: "tag", Reason: fmt.Sprintf("no tag has the code %q", code)}
	}
	if t.Kind != TagImported && t.Kind != TagManual {
		return importRow{}, &RowError{Line: line, Field: "tag", Reason: fmt.Sprintf("tag %s is %s: only imported and manual tags take values from a file", t.Code, t.Kind)}
	}
	if t.Status != StatusActive {
		return importRow{}, &RowError{Line: line, Field: "tag", Reason: fmt.Sprintf("tag %s is archived", t.Code)}
	}
	id := csvfile.Field(rec, cols, "customer_id")
	if id == "" {
		return importRow{}, &RowError{Line: line, Field: "customer_id", Reason: "customer_id is empty"}
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, id)
	if err != nil {
		return importRow{}, &RowError{Line: line, Field: "customer_id", Reason: fmt.Sprintf("no customer has the id %q", id)}
	}
	raw := csvfile.Field(rec, cols, "value")
	if raw == "" {
		return importRow{line: line, tag: t, customerID: live, remove: true}, nil
	}
	text, num, err := t.normalValue("value", raw)
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			return importRow{}, &RowError{Line: line, Field: "value", Reason: e.Message}
		}
		return importRow{}, &RowError{Line: line, Field: "value", Reason: "the value is not valid"}
	}
	return importRow{line: line, tag: t, customerID: live, value: text, num: num}, nil
}

// writeImport writes one batch in one transaction with its audit entry.
func (s *Service) writeImport(ctx context.Context, tenantID string, batch []importRow, report *ImportReport) error {
	if len(batch) == 0 {
		return nil
	}
	var set []tagValueRow
	var removed int
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		set, removed = set[:0], 0
		for _, r := range batch {
			if r.remove {
				found, err := deleteTagValue(ctx, tx, tenantID, r.tag.ID, r.customerID)
				if err != nil {
					return err
				}
				if found {
					removed++
				}
				continue
			}
			set = append(set, tagValueRow{TagID: r.tag.ID, CustomerID: r.customerID, Value: r.value, Num: r.num, Source: "import"})
		}
		if err := upsertTagValues(ctx, tx, s.db.Dialect, tenantID, s.now(), set); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "customer_tag.import", ResourceType: "audience_tag_import",
			Changes: map[string]any{"first_line": batch[0].line, "last_line": batch[len(batch)-1].line, "set": len(set), "removed": removed}})
	})
	if err != nil {
		return fmt.Errorf("audience: import lines %d–%d: %w", batch[0].line, batch[len(batch)-1].line, err)
	}
	report.Set += len(set)
	report.Removed += removed
	return nil
}

// ImportReportResponse is what a tag import did.
type ImportReportResponse struct {
	Rows    int                 `json:"rows" doc:"Data rows read."`
	Set     int                 `json:"set"`
	Removed int                 `json:"removed"`
	Errors  []ImportRowResponse `json:"errors" doc:"Rejected rows; the others were written."`
}

// ImportRowResponse is a rejected row.
type ImportRowResponse struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func importReportResponse(r ImportReport) ImportReportResponse {
	out := ImportReportResponse{Rows: r.Rows, Set: r.Set, Removed: r.Removed, Errors: make([]ImportRowResponse, len(r.Errors))}
	for i, e := range r.Errors {
		out.Errors[i] = ImportRowResponse{Line: e.Line, Field: e.Field, Reason: e.Reason}
	}
	return out
}

func (s *Service) registerImport(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "import-customer-tags", Method: http.MethodPost, Path: "/api/v1/audience-tags/imports",
		Summary: "Import customers' tag values from CSV or Excel",
		Description: "Sets tag values from a CSV file (UTF-8 with or without BOM, or GBK) or an .xlsx workbook (first sheet; recognised by its content " +
			"or the Content-Type " + sheet.MediaXLSX + ") of at most 32 MiB with the columns customer_id, tag " +
			"(a tag code) and value; an empty value removes the customer's value. Only imported and manual tags take values from a file. " +
			"Rejected rows are listed with their line and column; the others are written.",
		Tags: []string{audienceTag}, Security: httpapi.Secured(auth.AudiencesWrite), MaxBodyBytes: MaxImportBytes,
	}, func(ctx context.Context, in *struct {
		ContentType string `header:"Content-Type"`
		RawBody     []byte `contentType:"text/csv"`
	}) (*httpapi.Body[ImportReportResponse], error) {
		return httpapi.Reply(importReportResponse)(s.ImportTagValues(ctx, bytes.NewReader(in.RawBody), in.ContentType))
	})
}
