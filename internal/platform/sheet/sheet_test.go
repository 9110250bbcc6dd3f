package sheet

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"formula", "=1+2", "'=1+2"},
		{"hyperlink", `=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"plus", "+86 138", "'+86 138"},
		{"minus", "-5", "'-5"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"plain", "可口可乐 330ml", "可口可乐 330ml"},
		{"empty", "", ""},
		{"inner equals", "a=b", "a=b"},
		{"quote alone", "'", "'"},
		{"quoted text", "'abc", "'abc"},
		{"quoted formula gets a second quote", "'=1", "''=1"},
		{"full-width equals is text", "＝1", "＝1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Escape(tt.in); got != tt.want {
				t.Fatalf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Unescape(Escape(tt.in)); got != tt.in {
				t.Fatalf("Unescape(Escape(%q)) = %q", tt.in, got)
			}
		})
	}
}

// FuzzEscape checks that no escaped cell starts a formula and that Unescape undoes
// Escape exactly.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "''=1", "-", "'", "abc", "\t", "@", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if e != "" && strings.IndexByte(escapeLead, e[0]) >= 0 {
			t.Fatalf("Escape(%q) = %q starts a formula", s, e)
		}
		if got := Unescape(e); got != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, got)
		}
	})
}

func writeAll(t *testing.T, f Format, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readAll(t *testing.T, data []byte, contentType string) (Format, [][]string, []int) {
	t.Helper()
	r, err := Open(data, contentType, "body")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := [][]string{r.Header}
	var lines []int
	for {
		line, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	return r.Format, rows, lines
}

func TestWriteRead(t *testing.T) {
	t.Parallel()
	rows := [][]string{
		{"sku_code", "sku_name", "list_price"},
		{"S1", "可口可乐", "3.50"},
		{"S2", "=HYPERLINK(\"x\")", "-1"},
		{"S3", "'=already quoted", "@x"},
	}
	for _, f := range []Format{CSV, XLSX} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			data := writeAll(t, f, rows)
			if f == CSV {
				if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
					t.Fatalf("CSV export lacks the UTF-8 BOM: %q", data[:8])
				}
				if !strings.Contains(string(data), `"'=HYPERLINK(""x"")",'-1`) {
					t.Fatalf("CSV cells not escaped:\n%s", data)
				}
			} else {
				book, err := excelize.OpenReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				v, _ := book.GetCellValue("Sheet1", "B3")
				if v != `'=HYPERLINK("x")` {
					t.Fatalf("B3 = %q, want the escaped text", v)
				}
				if formula, _ := book.GetCellFormula("Sheet1", "B3"); formula != "" {
					t.Fatalf("B3 holds a formula %q", formula)
				}
				_ = book.Close()
			}
			got, back, lines := readAll(t, data, "")
			if got != f {
				t.Fatalf("detected %s, want %s", got, f)
			}
			if !slices.EqualFunc(back, rows, slices.Equal) {
				t.Fatalf("read back %q, want %q", back, rows)
			}
			if !slices.Equal(lines, []int{2, 3, 4}) {
				t.Fatalf("lines = %v", lines)
			}
		})
	}
}

func TestReadXLSXGapsAndNumbers(t *testing.T) {
	t.Parallel()
	book := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(book.SetSheetRow("Sheet1", "A1", &[]any{"sku_code", "barcode", "list_price"}))
	must(book.SetSheetRow("Sheet1", "A2", &[]any{"S1", 6901234567892, 3.5}))
	// Row 3 is missing from the sheet; row 4 is blank cells.
	must(book.SetSheetRow("Sheet1", "A4", &[]any{"", ""}))
	must(book.SetSheetRow("Sheet1", "A5", &[]any{"S2", "", 12}))
	var b bytes.Buffer
	must(book.Write(&b))
	_, rows, lines := readAll(t, b.Bytes(), MediaXLSX)
	want := [][]string{{"sku_code", "barcode", "list_price"}, {"S1", "6901234567892", "3.5"}, {"S2", "", "12"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("rows = %q, want %q", rows, want)
	}
	if !slices.Equal(lines, []int{2, 5}) {
		t.Fatalf("lines = %v, want [2 5]", lines)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("名称,价格\n可乐,3\n"))
	empty := excelize.NewFile()
	var emptyBook bytes.Buffer
	if err := empty.Write(&emptyBook); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, contentType string
		data              []byte
		header            []string
		fail              string
	}{
		{name: "gbk csv", data: gbk, header: []string{"名称", "价格"}},
		{name: "xlsx content type but csv body", contentType: MediaXLSX, data: []byte("a,b\n"), fail: "not a readable .xlsx"},
		{name: "broken zip", data: []byte("PK\x03\x04garbage"), fail: "not a readable .xlsx"},
		{name: "empty sheet", data: emptyBook.Bytes(), fail: "first sheet is empty"},
		{name: "empty csv", data: nil, fail: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(tt.data, tt.contentType, "body")
			if tt.fail != "" {
				if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), tt.fail) {
					t.Fatalf("err = %v, want invalid %q", err, tt.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if !slices.Equal(r.Header, tt.header) {
				t.Fatalf("header = %q", r.Header)
			}
		})
	}
}

// FuzzOpen feeds arbitrary bytes (CSV, zip and xlsx seeds) to the reader: it fails
// only with a validation error and never panics; rows come in increasing line order.
func FuzzOpen(f *testing.F) {
	var xl bytes.Buffer
	w, _ := NewWriter(&xl, XLSX)
	_ = w.Write([]string{"a", "b"})
	_ = w.Write([]string{"=1", "x"})
	_ = w.Close()
	f.Add(xl.Bytes())
	f.Add([]byte("a,b\n1,2\n\"x\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(data, "", "body")
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("Open error %v is not a validation error", err)
			}
			return
		}
		defer r.Close()
		last := 1
		for range 10000 {
			line, _, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				continue
			}
			if line <= last {
				t.Fatalf("line %d after %d", line, last)
			}
			last = line
		}
	})
}
