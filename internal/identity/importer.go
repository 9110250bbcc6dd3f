package identity

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ImportKind is what the rows of an import file describe.
type ImportKind string

// The import kinds: a customer list (one registration per row, e.g. a CRM export)
// or raw events (the shape of POST /api/v1/events).
const (
	ImportCustomers ImportKind = "customers"
	ImportEvents    ImportKind = "events"
)

// ImportFormat is the encoding of an import file.
type ImportFormat string

// The import formats.
const (
	FormatCSV    ImportFormat = "csv"
	FormatNDJSON ImportFormat = "ndjson"
)

// FormatOf returns the format a file name implies: .csv, or .ndjson / .jsonl.
func FormatOf(name string) (ImportFormat, error) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return FormatCSV, nil
	case strings.HasSuffix(lower, ".ndjson"), strings.HasSuffix(lower, ".jsonl"):
		return FormatNDJSON, nil
	}
	return "", fmt.Errorf("identity: import %s: the file name must end in .csv, .ndjson or .jsonl", name)
}

// ImportRowError is a row of an import file that was not stored: its line (1 is the
// first line of the file), the column or event field at fault, and why.
type ImportRowError struct {
	Line   int
	Field  string
	Reason string
}

// ImportSummary is the outcome of an import. Rows counts the data rows read;
// Accepted were stored, Duplicates were stored before (a re-run of the same file
// stores nothing twice).
type ImportSummary struct {
	Rows       int
	Accepted   int
	Duplicates int
	Errors     []ImportRowError
	// ExtraColumns are header columns with no fixed meaning; their values travel as
	// string properties of the events.
	ExtraColumns []string
}

// ImportProgress is told how far an import has read: done of total bytes.
type ImportProgress func(done, total int64)

// importRow is one row turned into an event, or the reason it could not be.
type importRow struct {
	line  int
	event json.RawMessage
	err   *ImportRowError
}

// customerProfileColumns are the profile columns of a customer file; the
// identifier columns are the identifier type names.
var customerProfileColumns = []string{"name", "gender", "birthday", "city", "address"}

// ImportFile stores the rows of an import file as events of the touchpoint with
// code touchpointCode, in transactions of MaxBatchEvents rows. A customer row
// becomes a `customer_import` event whose id is a hash of the row, so importing a
// file again (for example after an interruption) skips what is already stored.
// Every transaction is whole: cancelling ctx stops between or inside one and leaves
// only complete transactions behind. Errors: as Ingest, invalid for an unreadable
// file or header; problems of single rows are in the summary.
func (s *Service) ImportFile(ctx context.Context, kind ImportKind, format ImportFormat, touchpointCode string, data []byte, progress ImportProgress) (ImportSummary, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	var sum ImportSummary
	flush := func(rows []importRow) error { return s.importBatch(ctx, touchpointCode, rows, &sum) }
	var err error
	switch {
	case format == FormatCSV && kind == ImportCustomers:
		err = readCustomerCSV(data, s.now(), &sum, progress, flush)
	case format == FormatCSV && kind == ImportEvents:
		err = readEventCSV(data, &sum, progress, flush)
	case format == FormatNDJSON && kind == ImportEvents:
		err = readEventNDJSON(data, &sum, progress, flush)
	default:
		return sum, errs.E(errs.Invalid, "%s files cannot hold %s; use CSV for customers", format, kind)
	}
	if err != nil {
		return sum, fmt.Errorf("identity: import: %w", err)
	}
	slices.SortFunc(sum.Errors, func(a, b ImportRowError) int { return a.Line - b.Line })
	return sum, nil
}

// importBatch ingests the events of rows and records the outcome per row.
func (s *Service) importBatch(ctx context.Context, touchpointCode string, rows []importRow, sum *ImportSummary) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw := make([]json.RawMessage, 0, len(rows))
	lines := make([]int, 0, len(rows))
	for _, r := range rows {
		sum.Rows++
		if r.err != nil {
			sum.Errors = append(sum.Errors, *r.err)
			continue
		}
		raw, lines = append(raw, r.event), append(lines, r.line)
	}
	if len(raw) == 0 {
		return nil
	}
	report, err := s.Ingest(ctx, touchpointCode, raw)
	if ae, ok := errors.AsType[*AllRejectedError](err); ok {
		// A batch of bad rows is reported row by row like any other; the import goes on.
		report, err = ae.Report, nil
	}
	if err != nil {
		return err
	}
	sum.Accepted += report.Accepted
	sum.Duplicates += report.Duplicates
	for _, rej := range report.Rejected {
		sum.Errors = append(sum.Errors, ImportRowError{Line: lines[rej.Index], Field: rej.Field, Reason: rej.Reason})
	}
	return nil
}

// batches collects rows and hands them to flush MaxBatchEvents at a time.
type batches struct {
	rows  []importRow
	flush func([]importRow) error
}

func (b *batches) add(r importRow) error {
	b.rows = append(b.rows, r)
	if len(b.rows) < MaxBatchEvents {
		return nil
	}
	return b.done()
}

func (b *batches) done() error {
	if len(b.rows) == 0 {
		return nil
	}
	err := b.flush(b.rows)
	b.rows = b.rows[:0]
	return err
}

// readCSV walks the data rows of a CSV import, turning each into an importRow with
// convert, and reports progress by decoded bytes.
func readCSV(data []byte, progress ImportProgress, flush func([]importRow) error,
	columns func(header []string) (map[string]int, error), convert func(line int, rec []string, cols map[string]int) importRow) error {
	r, err := csvfile.Open(data, "file")
	if err != nil {
		return err
	}
	cols, err := columns(r.Header)
	if err != nil {
		return err
	}
	b := &batches{flush: flush}
	for {
		line, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rerr *csvfile.RowError
		switch {
		case errors.As(err, &rerr):
			err = b.add(importRow{line: rerr.Line, err: &ImportRowError{Line: rerr.Line, Reason: rerr.Reason}})
		case err != nil:
			return errs.Field("file", "the file cannot be read: %s", err.Error())
		default:
			err = b.add(convert(line, rec, cols))
		}
		if err != nil {
			return err
		}
		progress(r.Offset(), r.Size())
	}
	if err := b.done(); err != nil {
		return err
	}
	progress(r.Size(), r.Size())
	return nil
}

// readCustomerCSV reads a customer list: identifier columns named by type (phone,
// email, member_card, …), profile columns, optional id and registered_at; other
// columns become string properties.
func readCustomerCSV(data []byte, now time.Time, sum *ImportSummary, progress ImportProgress, flush func([]importRow) error) error {
	var extra []string
	columns := func(header []string) (map[string]int, error) {
		cols, err := csvfile.Columns(canonicalHeader(header), func(string) bool { return true }, nil, "file")
		if err != nil {
			return nil, err
		}
		known := 0
		for name := range cols {
			switch {
			case isIdentifierColumn(name):
				known++
			case slices.Contains(customerProfileColumns, name), name == "id", name == "registered_at":
			case name == "":
				delete(cols, name)
			default:
				extra = append(extra, name)
			}
		}
		if known == 0 {
			return nil, errs.Field("file", "the header row names no identifier column (phone, email, member_card, wechat_unionid, …)")
		}
		slices.Sort(extra)
		sum.ExtraColumns = extra
		return cols, nil
	}
	convert := func(line int, rec []string, cols map[string]int) importRow {
		return customerRow(line, rec, cols, extra, now)
	}
	return readCSV(data, progress, flush, columns, convert)
}

// headerAliases are the Chinese column names CRM and POS exports use.
var headerAliases = map[string]string{
	"手机": "phone", "手机号": "phone", "手机号码": "phone", "电话": "phone", "mobile": "phone",
	"邮箱": "email", "电子邮箱": "email", "e-mail": "email",
	"会员卡号": "member_card", "会员卡": "member_card", "卡号": "member_card",
	"unionid": "wechat_unionid", "openid": "wechat_openid",
	"姓名": "name", "名字": "name", "性别": "gender", "生日": "birthday", "出生日期": "birthday",
	"城市": "city", "地址": "address", "联系地址": "address", "注册时间": "registered_at",
}

// canonicalHeader replaces the Chinese aliases of a customer file's header with the
// column names.
func canonicalHeader(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = csvfile.ColumnName(h)
		if c, ok := headerAliases[out[i]]; ok {
			out[i] = c
		}
	}
	return out
}

func isIdentifierColumn(name string) bool {
	_, err := graph.ParseType(name)
	return err == nil
}

// customerRow turns one customer row into a customer_import event.
func customerRow(line int, rec []string, cols map[string]int, extra []string, now time.Time) importRow {
	idents := map[string]string{}
	props := map[string]any{}
	for name := range cols {
		v := csvfile.Field(rec, cols, name)
		if v == "" {
			continue
		}
		switch {
		case isIdentifierColumn(name):
			idents[name] = v
		case slices.Contains(customerProfileColumns, name):
			props[name] = v
		case slices.Contains(extra, name):
			props[name] = v
		}
	}
	if g, ok := props["gender"].(string); ok {
		props["gender"] = importGender(g)
	}
	if b, ok := props["birthday"].(string); ok {
		d, err := importDate(b)
		if err != nil {
			return importRow{line: line, err: &ImportRowError{Line: line, Field: "birthday", Reason: "must be a date such as 1990-05-17, 1990/5/17 or 1990年5月17日"}}
		}
		props["birthday"] = d
	}
	if len(idents) == 0 {
		return importRow{line: line, err: &ImportRowError{Line: line, Field: "identifiers", Reason: "the row has no identifier (phone, email, member card, …)"}}
	}
	at := now
	if v := csvfile.Field(rec, cols, "registered_at"); v != "" {
		t, err := importTime(v)
		if err != nil {
			return importRow{line: line, err: &ImportRowError{Line: line, Field: "registered_at", Reason: err.Error()}}
		}
		at = t
	}
	id := csvfile.Field(rec, cols, "id")
	if id == "" {
		id = rowHash(rec)
	}
	ev, _ := json.Marshal(map[string]any{ // maps of strings always marshal
		"id": id, "type": "customer_import", "occurred_at": at.Format(time.RFC3339Nano), "identifiers": idents, "properties": props,
	})
	return importRow{line: line, event: ev}
}

// rowHash is the event id of a customer row without one: the same row content
// always gives the same id.
func rowHash(rec []string) string {
	h := sha256.New()
	for _, f := range rec {
		h.Write([]byte(strings.TrimSpace(f)))
		h.Write([]byte{0})
	}
	return "import-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// importGender maps the ways Chinese CRM exports write gender to the event values.
func importGender(g string) string {
	switch strings.ToLower(strings.TrimSpace(g)) {
	case "男", "m", "male", "先生", "1":
		return "male"
	case "女", "f", "female", "女士", "2":
		return "female"
	case "其他", "other":
		return "other"
	}
	return "unknown"
}

var importDateLayouts = []string{"2006-01-02", "2006/1/2", "2006.1.2", "20060102", "2006年1月2日", "2006-1-2"}

// importDate reads a birthday written in the common Chinese forms as YYYY-MM-DD.
func importDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range importDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("not a date: %q", s)
}

// importTime reads an instant: RFC 3339, or a local "YYYY-MM-DD HH:MM:SS" or date
// in China Standard Time (UTC+8, the time of the exporting systems).
func importTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, layout := range []string{time.DateTime, "2006/1/2 15:04:05", "2006/1/2 15:04", time.DateOnly, "2006/1/2"} {
		if t, err := time.ParseInLocation(layout, s, cst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be a time such as 2026-03-01T08:00:00+08:00 or 2026-03-01 08:00:00 (China time)")
}

// eventColumns are the fixed columns of an event CSV; identifier columns are named
// by type, a `properties` column holds a JSON object, and any other column is a
// string property.
var eventColumns = []string{"id", "type", "occurred_at", "properties"}

// readEventCSV reads events in CSV form.
func readEventCSV(data []byte, sum *ImportSummary, progress ImportProgress, flush func([]importRow) error) error {
	columns := func(header []string) (map[string]int, error) {
		cols, err := csvfile.Columns(header, func(n string) bool { return n != "" }, []string{"id", "type", "occurred_at"}, "file")
		if err != nil {
			return nil, err
		}
		for name := range cols {
			if !slices.Contains(eventColumns, name) && !isIdentifierColumn(name) {
				sum.ExtraColumns = append(sum.ExtraColumns, name)
			}
		}
		slices.Sort(sum.ExtraColumns)
		return cols, nil
	}
	return readCSV(data, progress, flush, columns, eventRowFromCSV)
}

func eventRowFromCSV(line int, rec []string, cols map[string]int) importRow {
	idents := map[string]string{}
	props := map[string]any{}
	if raw := csvfile.Field(rec, cols, "properties"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &props); err != nil || props == nil {
			return importRow{line: line, err: &ImportRowError{Line: line, Field: "properties", Reason: "must be a JSON object"}}
		}
	}
	for name := range cols {
		v := csvfile.Field(rec, cols, name)
		switch {
		case v == "", slices.Contains(eventColumns, name):
		case isIdentifierColumn(name):
			idents[name] = v
		default:
			props[name] = v
		}
	}
	ev, err := json.Marshal(map[string]any{"id": csvfile.Field(rec, cols, "id"), "type": csvfile.Field(rec, cols, "type"),
		"occurred_at": csvfile.Field(rec, cols, "occurred_at"), "identifiers": idents, "properties": props})
	if err != nil {
		return importRow{line: line, err: &ImportRowError{Line: line, Field: "properties", Reason: "cannot be encoded as JSON"}}
	}
	return importRow{line: line, event: ev}
}

// readEventNDJSON reads one event per line, as the ingestion API takes them.
func readEventNDJSON(data []byte, sum *ImportSummary, progress ImportProgress, flush func([]importRow) error) error {
	total := int64(len(data))
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), MaxEventBytes+1)
	b := &batches{flush: flush}
	var done int64
	line := 0
	for sc.Scan() {
		line++
		raw := sc.Bytes()
		done += int64(len(raw)) + 1
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 {
			continue
		}
		if err := b.add(importRow{line: line, event: bytes.Clone(trimmed)}); err != nil {
			return err
		}
		progress(min(done, total), total)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return errs.Field("file", "line %d is longer than %d bytes; fix it and import again (rows already stored are skipped)", line+1, MaxEventBytes)
		}
		return errs.Field("file", "the file cannot be read: %s", err.Error())
	}
	if err := b.done(); err != nil {
		return err
	}
	progress(total, total)
	return nil
}
