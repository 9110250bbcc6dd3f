package coupon

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestCodeCheckCharacter: every code NewCode makes parses, and every single-character
// substitution and every adjacent transposition of different characters is refused
// (exhaustively over the alphabet, for codes rapid draws).
func TestCodeCheckCharacter(t *testing.T) {
	t.Parallel()
	var subs, swaps int
	rapid.Check(t, func(rt *rapid.T) {
		body := rapid.SliceOfN(rapid.IntRange(0, len(Alphabet)-1), CodeBody, CodeBody).Draw(rt, "body")
		code := []byte{}
		for _, v := range body {
			code = append(code, Alphabet[v])
		}
		code = append(code, Alphabet[checkChar(body)])
		if _, err := ParseCode("code", string(code)); err != nil {
			rt.Fatalf("valid code %s refused: %v", code, err)
		}
		for i := range code {
			for j := 0; j < len(Alphabet); j++ {
				if Alphabet[j] == code[i] {
					continue
				}
				bad := []byte(string(code))
				bad[i] = Alphabet[j]
				subs++
				if _, err := ParseCode("code", string(bad)); !errs.Is(err, errs.Invalid) {
					rt.Fatalf("substitution at %d (%s → %s) accepted", i, code, bad)
				}
			}
			if i+1 < len(code) && code[i] != code[i+1] {
				bad := []byte(string(code))
				bad[i], bad[i+1] = bad[i+1], bad[i]
				swaps++
				if _, err := ParseCode("code", string(bad)); !errs.Is(err, errs.Invalid) {
					rt.Fatalf("transposition at %d (%s → %s) accepted", i, code, bad)
				}
			}
		}
	})
	t.Logf("refused %d single-character substitutions and %d adjacent transpositions", subs, swaps)
}

func TestNewCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	counts := map[byte]int{}
	for range 2000 {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if seen[c] {
			t.Fatalf("duplicate code %s", c)
		}
		seen[c] = true
		for i := range CodeBody {
			counts[c[i]]++
		}
		got, err := ParseCode("code", strings.ToLower(Format(c)))
		if err != nil || got != c {
			t.Fatalf("ParseCode(%q) = %q, %v; want %q", Format(c), got, err, c)
		}
		if !LooksLikeCode(Format(c)) {
			t.Fatalf("LooksLikeCode(%q) = false", Format(c))
		}
	}
	// 24,000 random characters: each of the 31 about 774 times (σ ≈ 27).
	for i := range len(Alphabet) {
		if n := counts[Alphabet[i]]; n < 600 || n > 950 {
			t.Errorf("%c drawn %d times of 24,000, want about 774", Alphabet[i], n)
		}
	}
	for _, tc := range []struct{ name, in string }{
		{"short", "ABCD"},
		{"ambiguous letter", "O" + strings.Repeat("A", CodeLen-1)},
		{"too long", strings.Repeat("A", 70)},
	} {
		if _, err := ParseCode("body.code", tc.in); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: ParseCode(%q) = %v, want invalid", tc.name, tc.in, err)
		}
	}
}

// FuzzParseCode: the parser never panics, and what it accepts is a canonical code
// that parses to itself and looks like a code.
func FuzzParseCode(f *testing.F) {
	f.Add("ABCD-EFGH-JKMNP")
	f.Add("")
	f.Add("2345 6789 abcde")
	c, _ := NewCode()
	f.Add(Format(c))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCode("code", s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseCode(%q): %v, want invalid", s, err)
			}
			return
		}
		if len(got) != CodeLen || !LooksLikeCode(s) {
			t.Fatalf("ParseCode(%q) = %q", s, got)
		}
		if again, err := ParseCode("code", got); err != nil || again != got {
			t.Fatalf("ParseCode(%q) = %q, %v", got, again, err)
		}
	})
}
