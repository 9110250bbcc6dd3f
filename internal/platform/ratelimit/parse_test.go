package ratelimit

import (
	"testing"
	"time"
)

func TestParseRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Rule
		ok   bool
	}{
		{"30/5m", Rule{Limit: 30, Window: 5 * time.Minute}, true},
		{" 120/1h ", Rule{Limit: 120, Window: time.Hour}, true},
		{"30", Rule{}, false},
		{"x/5m", Rule{}, false},
		{"30/five", Rule{}, false},
		{"0/5m", Rule{}, false},
		{"5000/1s", Rule{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRule(tc.in)
			if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
				t.Fatalf("ParseRule(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}
