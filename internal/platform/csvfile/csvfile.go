// Package csvfile reads the CSV files retailers export from Excel and their old
// systems: UTF-8 with or without a byte-order mark, or GBK/GB18030, with headers
// that may use full-width letters. The domains' importers share it.
package csvfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Decode returns data as UTF-8 text without a byte-order mark: valid UTF-8 is taken
// as is, anything else is decoded as GB18030 (a superset of GBK). field names the
// input in the error (for example "body").
func Decode(data []byte, field string) (string, error) {
	var text string
	if utf8.Valid(data) {
		text = string(data)
	} else {
		// The decoder turns bytes that are not GB18030 either into U+FFFD.
		b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
			return "", errs.Field(field, "the file is neither UTF-8 nor GBK/GB18030 text")
		}
		text = string(b)
	}
	return strings.TrimPrefix(text, "\uFEFF"), nil
}

// Reader reads the data rows of a CSV file after its header row.
type Reader struct {
	cr     *csv.Reader
	size   int64
	Header []string
}

// RowError is a row that is not valid CSV; reading goes on with the next row.
type RowError struct {
	Line   int
	Reason string
}

func (e *RowError) Error() string { return e.Reason }

// Open decodes data (see Decode) and reads its header row. field names the input in
// errors: an empty file or an unreadable header.
func Open(data []byte, field string) (*Reader, error) {
	text, err := Decode(data, field)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errs.Field(field, "the file is empty; it needs a header row naming the columns")
	}
	if err != nil {
		return nil, errs.Field(field, "the header row cannot be read: %s", err.Error())
	}
	return &Reader{cr: cr, size: int64(len(text)), Header: header}, nil
}

// Next returns the next record that is not blank and the line it starts on. A row
// that is not valid CSV comes back as a *RowError; io.EOF ends the file.
func (r *Reader) Next() (int, []string, error) {
	for {
		rec, err := r.cr.Read()
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return perr.StartLine, nil, &RowError{Line: perr.StartLine, Reason: perr.Err.Error()}
		}
		if err != nil {
			return 0, nil, err
		}
		if !Blank(rec) {
			line, _ := r.cr.FieldPos(0)
			return line, rec, nil
		}
	}
}

// ColumnName folds a header cell: full-width to half-width, trimmed, lower case.
func ColumnName(h string) string {
	return strings.ToLower(strings.TrimSpace(width.Fold.String(h)))
}

// Columns maps each column of header that known accepts to its index. It fails,
// naming field, when a column repeats or a required one is missing.
func Columns(header []string, known func(name string) bool, required []string, field string) (map[string]int, error) {
	cols := make(map[string]int)
	for i, h := range header {
		name := ColumnName(h)
		if !known(name) {
			continue
		}
		if _, dup := cols[name]; dup {
			return nil, errs.Field(field, "the header row names column %s twice", name)
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, errs.Field(field, "the header row lacks required columns: %s", strings.Join(missing, ", "))
	}
	return cols, nil
}

// Among returns a known function for Columns that accepts exactly names.
func Among(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) }
}

// Blank reports whether every field of rec is empty or spaces.
func Blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// Field returns the trimmed value of column col in rec; "" when the column is absent
// or the row is short.
func Field(rec []string, cols map[string]int, col string) string {
	i, ok := cols[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Offset is how many bytes of the decoded text have been read.
func (r *Reader) Offset() int64 { return r.cr.InputOffset() }

// Size is the length of the decoded text.
func (r *Reader) Size() int64 { return r.size }
