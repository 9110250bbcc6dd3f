package coupon

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Alphabet is the 31 characters coupon codes are written in: digits and upper-case
// letters without the ones people confuse (0/O, 1/I/L). 31 is prime, which is what
// makes the check character catch every single error and adjacent transposition.
const Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeBody is how many random characters a code carries (31^12 ≈ 2^59: guessing one
// live code among a million issued takes about 2^39 tries); CodeLen adds the check.
const (
	CodeBody = 12
	CodeLen  = CodeBody + 1
)

var alphabetIndex = func() [256]int8 {
	var ix [256]int8
	for i := range ix {
		ix[i] = -1
	}
	for i := 0; i < len(Alphabet); i++ {
		ix[Alphabet[i]] = int8(i)
		ix[strings.ToLower(Alphabet[i : i+1])[0]] = int8(i)
	}
	return ix
}()

// checkSum folds s (alphabet indexes) with x∘y = 2x + y mod 31, a totally
// anti-symmetric quasigroup operation (Damm's scheme over GF(31)): a string with its
// check character folds to 0, and changing one character, or swapping two adjacent
// different ones, changes the result.
func checkSum(s []int) int {
	acc := 0
	for _, v := range s {
		acc = (2*acc + v) % len(Alphabet)
	}
	return acc
}

// checkChar is the character that makes body fold to 0.
func checkChar(body []int) int {
	n := len(Alphabet)
	return (n - (2*checkSum(body))%n) % n
}

// NewCode returns a fresh random code of CodeLen characters (crypto/rand), without
// separators. It draws random bytes and keeps those below 248 (8 × 31), each one of
// the 31 characters with the same probability; one read of 32 bytes is almost always
// enough, where a big.Int per character cost 19 % of a bulk issue's client CPU.
func NewCode() (string, error) {
	n := len(Alphabet)
	limit := 256 - 256%n
	var body [CodeBody]int
	out := make([]byte, 0, CodeLen)
	var buf [32]byte
	for len(out) < CodeBody {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("coupon: new code: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit || len(out) == CodeBody {
				continue
			}
			body[len(out)] = int(b) % n
			out = append(out, Alphabet[int(b)%n])
		}
	}
	return string(append(out, Alphabet[checkChar(body[:])])), nil
}

// Format groups a code for people: XXXX-XXXX-XXXXX.
func Format(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// LooksLikeCode reports whether s has the shape of a coupon code (CodeLen alphabet
// characters once '-' and spaces are removed, any case), whatever its check
// character: the order center sends such codes to the coupon service and every other
// code to the promotion engine as a shared promotion code.
func LooksLikeCode(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == ' ':
		case alphabetIndex[c] >= 0:
			n++
		default:
			return false
		}
	}
	return n == CodeLen
}

// ParseCode normalises s (drops '-' and spaces, upper-cases) and checks its shape and
// check character, without any lookup. Errors: invalid naming field.
func ParseCode(field, s string) (string, error) {
	if len(s) > 64 {
		return "", errs.Field(field, "at most 64 bytes")
	}
	vals := make([]int, 0, CodeLen)
	out := make([]byte, 0, CodeLen)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == ' ' {
			continue
		}
		v := alphabetIndex[c]
		if v < 0 {
			return "", errs.Field(field, "not a coupon code: %q is not one of %s", string(rune(c)), Alphabet)
		}
		vals = append(vals, int(v))
		out = append(out, Alphabet[v])
	}
	if len(vals) != CodeLen {
		return "", errs.Field(field, "not a coupon code: %d characters, want %d", len(vals), CodeLen)
	}
	if checkSum(vals) != 0 {
		return "", errs.Field(field, "not a coupon code: the check character does not match (a mistyped character?)")
	}
	return string(out), nil
}
