package bizcode

import (
	"strings"
	"testing"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, want string
	}{
		{"SH001", ""},
		{"a", ""},
		{"9.5-ml_x", ""},
		{strings.Repeat("x", 64), ""},
		{"", "required"},
		{strings.Repeat("x", 65), "at most 64 characters"},
		{"上海店", "only letters, digits, '-', '_' and '.' are allowed"},
		{"SH 001", "only letters, digits, '-', '_' and '.' are allowed"},
		{"ＳＨ001", "only letters, digits, '-', '_' and '.' are allowed"},
		{"-1", "must start with a letter or digit"},
		{".hidden", "must start with a letter or digit"},
		{"_x", "must start with a letter or digit"},
	} {
		if got := Problem(tc.code); got != tc.want {
			t.Errorf("Problem(%q) = %q, want %q", tc.code, got, tc.want)
		}
		if Valid(tc.code) != (tc.want == "") {
			t.Errorf("Valid(%q) disagrees with Problem", tc.code)
		}
	}
}

// FuzzProblem: a valid code survives a CSV cell and a URL path segment unchanged, and
// never starts with a spreadsheet formula character.
func FuzzProblem(f *testing.F) {
	for _, s := range []string{"SH001", "-1", "", "a.b_c-d", "上海"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			return
		}
		if len(s) == 0 || len(s) > MaxLen || strings.ContainsAny(s, ",\"\n\r /?#%") || strings.ContainsAny(s[:1], "=+-@._") {
			t.Fatalf("%q is valid", s)
		}
	})
}
