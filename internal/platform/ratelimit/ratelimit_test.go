package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func setup(t *testing.T, d *db.DB) (*Limiter, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	return New(d, c), c
}

func allow(t *testing.T, l *Limiter, key string, r Rule) Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), key, r)
	if err != nil {
		t.Fatalf("Allow(%s): %v", key, err)
	}
	return d
}

func TestBurstThenSpacing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l, c := setup(t, d)
		rule := Rule{Limit: 5, Window: time.Minute} // one every 12 s, a burst of 5
		for i := range 5 {
			if !allow(t, l, "k", rule).Allowed {
				t.Fatalf("attempt %d refused inside the burst", i+1)
			}
		}
		got := allow(t, l, "k", rule)
		if got.Allowed {
			t.Fatal("sixth attempt admitted")
		}
		if got.RetryAfter != 12*time.Second {
			t.Fatalf("RetryAfter = %s, want 12s", got.RetryAfter)
		}
		c.Advance(11 * time.Second)
		if allow(t, l, "k", rule).Allowed {
			t.Fatal("admitted 1 s before the next slot")
		}
		c.Advance(time.Second)
		if !allow(t, l, "k", rule).Allowed {
			t.Fatal("refused when the next slot came")
		}
		if allow(t, l, "k", rule).Allowed {
			t.Fatal("two attempts admitted for one slot")
		}
		if !allow(t, l, "other", rule).Allowed {
			t.Fatal("another key shares the count")
		}
	})
}

// Refused attempts must not push the next slot further out, or a client that keeps
// retrying would lock itself out for ever.
func TestRefusalsDoNotExtend(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l, c := setup(t, d)
		rule := Rule{Limit: 2, Window: 10 * time.Second}
		allow(t, l, "k", rule)
		allow(t, l, "k", rule)
		for range 50 {
			if allow(t, l, "k", rule).Allowed {
				t.Fatal("admitted past the burst")
			}
		}
		c.Advance(5 * time.Second)
		if !allow(t, l, "k", rule).Allowed {
			t.Fatal("refusals delayed the next slot")
		}
	})
}

// Concurrent checks of one key from two limiters (two nodes) admit exactly the limit.
func TestConcurrentNodesAdmitExactlyTheLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		nodes := []*Limiter{New(d, c), New(d, c)}
		rule := Rule{Limit: 25, Window: time.Hour}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for i := range 80 {
			wg.Go(func() {
				dec, err := nodes[i%2].Allow(context.Background(), "shared", rule)
				if err != nil {
					t.Error(err)
					return
				}
				if dec.Allowed {
					admitted.Add(1)
				}
			})
		}
		wg.Wait()
		if got := admitted.Load(); got != 25 {
			t.Fatalf("admitted %d of 80, want exactly 25", got)
		}
	})
}

func TestResetAndPurge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l, c := setup(t, d)
		ctx := context.Background()
		rule := Rule{Limit: 1, Window: time.Minute}
		allow(t, l, "a", rule)
		allow(t, l, "b", rule)
		if allow(t, l, "a", rule).Allowed {
			t.Fatal("limit of 1 admitted twice")
		}
		if err := l.Reset(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if !allow(t, l, "a", rule).Allowed {
			t.Fatal("refused after Reset")
		}
		if n, err := l.Purge(ctx, c.Now()); err != nil || n != 0 {
			t.Fatalf("Purge now = %d, %v; want 0 (both keys still limited)", n, err)
		}
		c.Advance(time.Minute)
		if n, err := l.Purge(ctx, c.Now()); err != nil || n != 2 {
			t.Fatalf("Purge after the window = %d, %v; want 2", n, err)
		}
	})
}

func TestRuleValidateAndErr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rule Rule
		ok   bool
	}{
		{"typical", Rule{Limit: 60, Window: time.Minute}, true},
		{"zero limit", Rule{Limit: 0, Window: time.Minute}, false},
		{"finer than a millisecond", Rule{Limit: 2000, Window: time.Second}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.rule.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	err := Decision{RetryAfter: 1500 * time.Millisecond}.Err("customer look-ups")
	var e *errs.Error
	if !errs.Is(err, errs.RateLimited) || !asError(err, &e) || e.RetryAfter != 1500*time.Millisecond {
		t.Fatalf("Err = %#v, want RateLimited with RetryAfter 1.5s", err)
	}
	if e.Message != "customer look-ups: too many requests; try again in 2 s" {
		t.Fatalf("message %q", e.Message)
	}
	if (Decision{Allowed: true}).Err("x") != nil {
		t.Fatal("an allowed decision has an error")
	}
}

func asError(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*target = e
	return ok
}
