package ratelimit

import (
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ParseRule reads a rule written LIMIT/WINDOW, e.g. "30/5m" (30 attempts per five
// minutes; the window is a Go duration). It returns an errs.Invalid error for
// anything else or for a rule that cannot be enforced.
func ParseRule(s string) (Rule, error) {
	n, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil {
		return Rule{}, errs.E(errs.Invalid, "rate limit %q: want LIMIT/WINDOW, e.g. 30/5m", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil {
		return Rule{}, errs.E(errs.Invalid, "rate limit %q: window: want a duration such as 5m or 1h", s)
	}
	r := Rule{Limit: limit, Window: window}
	return r, r.Validate()
}
