package org

import (
	"sync"
	"time"
)

// limiter counts login attempts per key (a login name or a client IP) in a sliding
// window. An attempt is counted when it starts, so parallel guesses cannot slip
// past the limit, and forgiven when it succeeds.
type limiter struct {
	limit  int
	window time.Duration

	mu        sync.Mutex
	attempts  map[string][]time.Time
	lastSweep time.Time
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, attempts: map[string][]time.Time{}}
}

// begin records an attempt at now under every non-empty key, unless one of them
// already has limit attempts in the window; then it records nothing and returns false.
func (l *limiter) begin(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	for _, k := range keys {
		if k != "" && len(l.prune(k, now)) >= l.limit {
			return false
		}
	}
	for _, k := range keys {
		if k != "" {
			l.attempts[k] = append(l.attempts[k], now)
		}
	}
	return true
}

// forgive removes the attempt made at `at` under key, and every attempt under each
// of the clear keys.
func (l *limiter) forgive(at time.Time, key string, clear ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ts := l.attempts[key]; len(ts) > 0 {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(at) {
				ts = append(ts[:i], ts[i+1:]...)
				break
			}
		}
		l.store(key, ts)
	}
	for _, k := range clear {
		delete(l.attempts, k)
	}
}

// prune drops the attempts of k older than the window and returns the rest.
func (l *limiter) prune(k string, now time.Time) []time.Time {
	ts := l.attempts[k]
	cut := 0
	for cut < len(ts) && !ts[cut].After(now.Add(-l.window)) {
		cut++
	}
	ts = ts[cut:]
	l.store(k, ts)
	return ts
}

func (l *limiter) store(k string, ts []time.Time) {
	if len(ts) == 0 {
		delete(l.attempts, k)
		return
	}
	l.attempts[k] = ts
}

// sweep prunes every key once per window, so keys that are never seen again do
// not accumulate.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for k := range l.attempts {
		l.prune(k, now)
	}
}
