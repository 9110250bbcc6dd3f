package csvfile

import (
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func readAll(t *testing.T, data []byte) (*Reader, []int, [][]string, []*RowError) {
	t.Helper()
	r, err := Open(data, "file")
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	var recs [][]string
	var bad []*RowError
	for {
		line, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, lines, recs, bad
		}
		var re *RowError
		if errors.As(err, &re) {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines, recs = append(lines, line), append(recs, rec)
	}
}

func TestGBKWithFullWidthHeader(t *testing.T) {
	text := "ＰＨＯＮＥ,姓名\n13800138000,王小明\n\n , \n13900139000,李雷\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	r, lines, recs, bad := readAll(t, []byte(gbk))
	cols, err := Columns(r.Header, Among("phone", "姓名"), []string{"phone"}, "file")
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 || len(recs) != 2 {
		t.Fatalf("records %v, bad %v", recs, bad)
	}
	if Field(recs[0], cols, "姓名") != "王小明" || Field(recs[1], cols, "phone") != "13900139000" {
		t.Fatalf("fields: %v", recs)
	}
	if lines[0] != 2 || lines[1] != 5 {
		t.Fatalf("lines %v, want [2 5] (blank rows skipped, numbering kept)", lines)
	}
	if Field(recs[0], cols, "missing") != "" || Field([]string{}, cols, "phone") != "" {
		t.Fatal("absent column or short row must read as empty")
	}
}

func TestBOMAndLazyQuotes(t *testing.T) {
	r, lines, recs, bad := readAll(t, []byte("\uFEFFa,b\n1,2\n3\"x,4\n"))
	if r.Header[0] != "a" {
		t.Fatalf("header %q keeps the byte-order mark", r.Header[0])
	}
	// Excel writes stray quotes inside fields; they are kept, not refused.
	if len(bad) != 0 || len(recs) != 2 || recs[1][0] != "3\"x" || lines[1] != 3 {
		t.Fatalf("records %q lines %v bad %v", recs, lines, bad)
	}
}

func TestHeaderProblems(t *testing.T) {
	if _, err := Open(nil, "file"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := Open([]byte{0xff, 0xfe, 0xfd, 0x81}, "file"); err == nil {
		t.Fatal("binary garbage accepted")
	}
	r, _ := Open([]byte("a,A\n"), "file")
	if _, err := Columns(r.Header, Among("a"), nil, "file"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("repeated column: %v", err)
	}
	if _, err := Columns(r.Header[:1], Among("a", "b"), []string{"b"}, "file"); err == nil || !strings.Contains(err.Error(), "b") {
		t.Fatalf("missing column: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\"a\nb"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(data, "file")
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			_, _, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("unexpected error %v", err)
			}
		}
	})
}
