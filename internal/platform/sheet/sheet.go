// Package sheet reads and writes the tabular files users exchange with the console:
// CSV (UTF-8 with or without BOM, or GBK/GB18030, through csvfile) and Excel .xlsx
// (through excelize's streaming reader and writer). Every export goes through Writer,
// which protects cells against formula injection (Escape); every import goes through
// Reader, which undoes that protection (Unescape), so an exported file re-imports
// unchanged.
package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Format is the kind of file: CSV or XLSX.
type Format string

// The formats of import and export files.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Media types of the formats.
const (
	MediaCSV  = "text/csv"
	MediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// MediaType is the Content-Type of f, with charset for CSV.
func (f Format) MediaType() string {
	if f == XLSX {
		return MediaXLSX
	}
	return MediaCSV + "; charset=utf-8"
}

// zipMagic starts every .xlsx file (a zip archive); no CSV text starts with it.
var zipMagic = []byte("PK\x03\x04")

// Detect picks the format of an uploaded file: by content first (an .xlsx file is a
// zip archive starting with PK\x03\x04), then by the request's Content-Type; CSV
// otherwise. Content wins because browsers and curl often send a generic type.
func Detect(data []byte, contentType string) Format {
	if bytes.HasPrefix(data, zipMagic) {
		return XLSX
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == MediaXLSX {
		return XLSX
	}
	return CSV
}

// escapeLead are the first characters that make a spreadsheet treat a cell as a
// formula (or, for tab and CR, let one sneak in after them in some programs).
const escapeLead = "=+-@\t\r"

// needsEscape reports whether s would be read as a formula, or starts with "'"
// followed by text that needs escaping (so that Unescape can tell the two apart).
func needsEscape(s string) bool {
	for len(s) > 0 {
		if strings.IndexByte(escapeLead, s[0]) >= 0 {
			return true
		}
		if s[0] != '\'' {
			return false
		}
		s = s[1:]
	}
	return false
}

// Escape protects an exported cell against formula injection (CSV injection): text
// starting with =, +, -, @, tab or carriage return gets a leading "'", which
// spreadsheets show as text. Text that is "'" followed by such text gets one more
// "'", so that Unescape(Escape(s)) == s for every s.
func Escape(s string) string {
	if needsEscape(s) {
		return "'" + s
	}
	return s
}

// Unescape undoes Escape: it drops the leading "'" that Escape added.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsEscape(s[1:]) {
		return s[1:]
	}
	return s
}

// MaxUnzipBytes bounds how much an uploaded .xlsx may unpack to, against zip bombs.
const MaxUnzipBytes = 256 << 20

// Reader reads the data rows of a CSV or .xlsx file after its header row; with an
// .xlsx workbook it reads the first sheet, row by row.
type Reader struct {
	// Format is the file's format.
	Format Format
	// Header is the first row, as written.
	Header []string
	csv    *csvfile.Reader
	book   *excelize.File
	rows   *excelize.Rows
	line   int
}

// Open reads the header of data, an .xlsx workbook or a CSV file (see Detect for how
// the format is chosen). field names the input in errors, which are errs.Invalid: a
// file that cannot be read, an empty file or sheet.
func Open(data []byte, contentType, field string) (*Reader, error) {
	if Detect(data, contentType) == CSV {
		r, err := csvfile.Open(data, field)
		if err != nil {
			return nil, err
		}
		return &Reader{Format: CSV, Header: r.Header, csv: r}, nil
	}
	book, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipBytes})
	if err != nil {
		return nil, errs.Field(field, "the file is not a readable .xlsx workbook: %s", err.Error())
	}
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		_ = book.Close()
		return nil, errs.Field(field, "the workbook has no sheet")
	}
	rows, err := book.Rows(sheets[0])
	if err != nil {
		_ = book.Close()
		return nil, errs.Field(field, "the first sheet cannot be read: %s", err.Error())
	}
	r := &Reader{Format: XLSX, book: book, rows: rows}
	_, header, err := r.nextXLSX()
	if errors.Is(err, io.EOF) {
		_ = r.Close()
		return nil, errs.Field(field, "the first sheet is empty; it needs a header row naming the columns")
	}
	if err != nil {
		_ = r.Close()
		return nil, errs.Field(field, "the header row cannot be read: %s", err.Error())
	}
	r.Header = header
	return r, nil
}

// Next returns the next row that is not blank and its line (CSV) or row number
// (xlsx), with every cell passed through Unescape. A CSV row that is not valid CSV
// comes back as a *csvfile.RowError; io.EOF ends the file.
func (r *Reader) Next() (int, []string, error) {
	var (
		line int
		rec  []string
		err  error
	)
	if r.csv != nil {
		line, rec, err = r.csv.Next()
	} else {
		line, rec, err = r.nextXLSX()
	}
	if err != nil {
		return line, rec, err
	}
	for i, c := range rec {
		rec[i] = Unescape(c)
	}
	return line, rec, nil
}

// nextXLSX returns the next row of the sheet that is not blank. Cells come raw
// (without number formats), so a barcode typed as a number keeps all its digits.
func (r *Reader) nextXLSX() (int, []string, error) {
	for r.rows.Next() {
		r.line++
		rec, err := r.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return r.line, nil, fmt.Errorf("sheet: row %d: %w", r.line, err)
		}
		if !csvfile.Blank(rec) {
			return r.line, rec, nil
		}
	}
	if err := r.rows.Error(); err != nil {
		return r.line, nil, fmt.Errorf("sheet: row %d: %w", r.line+1, err)
	}
	return 0, nil, io.EOF
}

// Close releases the workbook's temporary files; it is a no-op for CSV.
func (r *Reader) Close() error {
	if r.book == nil {
		return nil
	}
	err := r.rows.Close()
	return errors.Join(err, r.book.Close())
}

// Writer writes an export file row by row: CSV as UTF-8 with a byte-order mark (so
// Excel opens Chinese text correctly), or .xlsx through excelize's stream writer
// (rows go to a temporary file past a few MiB, and the workbook is written to the
// output by Close). Every cell goes through Escape.
type Writer struct {
	format Format
	out    *countingWriter
	buf    *bufio.Writer
	csv    *csv.Writer
	book   *excelize.File
	stream *excelize.StreamWriter
	row    int
}

// countingWriter counts the bytes that reached w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// csvBuffer is how much CSV text is held before it reaches the output: an export
// that fails within its first 64 KiB has sent nothing and can still answer 500.
const csvBuffer = 64 << 10

// sheetName is the name of the one sheet of an exported workbook.
const sheetName = "Sheet1"

// NewWriter starts an export of format f to w; for CSV it writes the byte-order mark
// (held in a buffer of 64 KiB, like the first rows).
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	out := &countingWriter{w: w}
	if f == XLSX {
		book := excelize.NewFile()
		stream, err := book.NewStreamWriter(sheetName)
		if err != nil {
			return nil, fmt.Errorf("sheet: new xlsx writer: %w", err)
		}
		return &Writer{format: f, out: out, book: book, stream: stream}, nil
	}
	buf := bufio.NewWriterSize(out, csvBuffer)
	if _, err := buf.WriteString("\uFEFF"); err != nil {
		return nil, fmt.Errorf("sheet: write csv bom: %w", err)
	}
	return &Writer{format: CSV, out: out, buf: buf, csv: csv.NewWriter(buf)}, nil
}

// Written is how many bytes have reached the output so far: none for an .xlsx file
// before Close, and none for CSV before its first 64 KiB.
func (w *Writer) Written() int64 { return w.out.n }

// Write writes one row, escaping every cell.
func (w *Writer) Write(rec []string) error {
	w.row++
	if w.csv != nil {
		out := make([]string, len(rec))
		for i, c := range rec {
			out[i] = Escape(c)
		}
		if err := w.csv.Write(out); err != nil {
			return fmt.Errorf("sheet: write csv row %d: %w", w.row, err)
		}
		return nil
	}
	vals := make([]any, len(rec))
	for i, c := range rec {
		vals[i] = Escape(c)
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return fmt.Errorf("sheet: write xlsx row %d: %w", w.row, err)
	}
	if err := w.stream.SetRow(cell, vals); err != nil {
		return fmt.Errorf("sheet: write xlsx row %d: %w", w.row, err)
	}
	return nil
}

// Close finishes the file: it flushes CSV, or writes the whole workbook to the
// output, and releases temporary files.
func (w *Writer) Close() error {
	if w.csv != nil {
		w.csv.Flush()
		err := w.csv.Error()
		if err == nil {
			err = w.buf.Flush()
		}
		if err != nil {
			return fmt.Errorf("sheet: flush csv: %w", err)
		}
		return nil
	}
	err := w.stream.Flush()
	if err == nil {
		err = w.book.Write(w.out)
	}
	if cerr := w.book.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	return nil
}
