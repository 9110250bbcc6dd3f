package graph

import (
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// t2s is the traditional-to-simplified converter of OpenCC (its dictionaries are
// embedded in the library); built once, on first use, and read-only afterwards.
var t2s = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("t2s") })

// FoldText folds the ways one text is written: full-width forms to their ASCII
// counterparts (８８号 → 88号, Ａｌｅｘ → Alex), traditional characters to simplified
// ones with OpenCC's phrase and character tables (陳靜 → 陈静, 濤 → 涛, 鳳 → 凤), and
// letters to lower case; spaces (ASCII and ideographic), dots and other punctuation
// are dropped. Only letters, digits and '*' survive. FoldText is idempotent.
func FoldText(s string) string {
	s = width.Fold.String(s)
	if cc, err := t2s(); err == nil && hasHan(s) {
		if out, err := cc.Convert(s); err == nil {
			s = out
		}
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
