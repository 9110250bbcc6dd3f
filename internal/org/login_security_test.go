package org

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// countingHasher counts the password hashing work a service does.
type countingHasher struct {
	inner    Hasher
	hashes   atomic.Int64
	verifies atomic.Int64
}

// countingConfig returns TestConfig with a counting Hasher.
func countingConfig() (Config, *countingHasher) {
	h := &countingHasher{inner: argon2Hasher{cfg: TestConfig()}}
	cfg := TestConfig()
	cfg.Hasher = h
	return cfg, h
}

func (h *countingHasher) Hash(password string) string {
	h.hashes.Add(1)
	return h.inner.Hash(password)
}

func (h *countingHasher) Verify(encoded, password string) bool {
	h.verifies.Add(1)
	return h.inner.Verify(encoded, password)
}

// work returns the hashes and verifications done so far.
func (h *countingHasher) work() (int64, int64) { return h.hashes.Load(), h.verifies.Load() }

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// retryAfter returns the wait a RateLimited error carries, or fails the test.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.RateLimited {
		t.Fatalf("error = %v, want rate_limited", err)
	}
	return e.RetryAfter
}

// Finding 9: every login attempt that is judged costs exactly one password
// verification — unknown login, wrong password, over-long password, disabled user or
// the right password — and a throttled attempt costs none, whether or not the login
// exists. Before, an over-long password for a known login returned before hashing
// while an unknown login always hashed.
func TestSecurity09_LoginDoesTheSameHashingWorkOnEveryPath(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg, h := countingConfig()
		cfg.LoginAddressLimit = ratelimit.Rule{Limit: 3, Window: time.Minute}
		f := setupConfig(t, d, cfg, discardLog())
		f.user(t, f.ctx, "alice", auth.Marketer, auth.TenantScope, "")
		f.user(t, f.ctx, "victim", auth.Marketer, auth.TenantScope, "")
		gone := f.user(t, f.ctx, "gone", auth.Marketer, auth.TenantScope, "")
		if _, err := f.svc.UpdateUser(f.ctx, gone.ID, UserUpdate{Status: new(UserDisabled)}); err != nil {
			t.Fatal(err)
		}
		tooLong := strings.Repeat("x", maxPasswordLength+1)
		huge := strings.Repeat("y", 1<<20)
		// Five failures make the next attempt on "victim" and on "ghost" wait.
		for i := range 5 {
			_, _, _, _ = login(f, "victim", "wrong password", "10.1.0."+strconv.Itoa(i))
			_, _, _, _ = login(f, "ghost", "wrong password", "10.2.0."+strconv.Itoa(i))
		}
		// The address 10.3.0.1 spends its burst of 3.
		for i := range 3 {
			_, _, _, _ = login(f, "nobody-"+strconv.Itoa(i), "wrong password", "10.3.0.1")
		}

		tests := []struct {
			name, login, password, ip string
			code                      errs.Code // "" for success
			verifies                  int64
		}{
			{"right password", "alice", adminPassword, "10.0.0.1", "", 1},
			{"wrong password", "alice", "wrong password", "10.0.0.2", errs.Unauthorized, 1},
			{"unknown login", "nobody", adminPassword, "10.0.0.3", errs.Unauthorized, 1},
			{"too long, known login", "alice", tooLong, "10.0.0.4", errs.Unauthorized, 1},
			{"too long, unknown login", "nobody", tooLong, "10.0.0.5", errs.Unauthorized, 1},
			{"a megabyte, known login", "alice", huge, "10.0.0.6", errs.Unauthorized, 1},
			{"disabled, right password", "gone", adminPassword, "10.0.0.7", errs.Unauthorized, 1},
			{"disabled, wrong password", "gone", "wrong password", "10.0.0.8", errs.Unauthorized, 1},
			{"throttled account, known login", "victim", adminPassword, "10.0.0.9", errs.RateLimited, 0},
			{"throttled account, unknown login", "ghost", adminPassword, "10.0.0.10", errs.RateLimited, 0},
			{"throttled address", "alice", adminPassword, "10.3.0.1", errs.RateLimited, 0},
		}
		messages := map[errs.Code]map[string]bool{}
		for _, tt := range tests {
			hashes, verifies := h.work()
			_, _, _, err := login(f, tt.login, tt.password, tt.ip)
			gotHashes, gotVerifies := h.work()
			if errs.CodeOf(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.code)
			}
			if gotVerifies-verifies != tt.verifies || gotHashes != hashes {
				t.Errorf("%s: %d verifications and %d hashes, want %d and 0", tt.name, gotVerifies-verifies, gotHashes-hashes, tt.verifies)
			}
			if err != nil && tt.ip != "10.3.0.1" {
				if messages[tt.code] == nil {
					messages[tt.code] = map[string]bool{}
				}
				messages[tt.code][strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return '#'
					}
					return r
				}, err.Error())] = true
			}
		}
		// Failures and account throttling read the same whether or not the login exists.
		for code, m := range messages {
			if len(m) != 1 {
				t.Errorf("%s answers differ: %v", code, m)
			}
		}
	})
}

// Finding 9 over HTTP: an over-long password reaches the service (no schema
// rejection that skips the hash) and answers exactly as for an unknown login.
func TestSecurity09_HTTPOverLongPasswordAnswersLikeAnyFailure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg, h := countingConfig()
		e := setupHTTPConfig(t, d, cfg)
		long := strings.Repeat("p", 300)
		var bodies []string
		for _, who := range []string{"acme-admin", "no-such-user"} {
			_, before := h.work()
			res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"`+who+`","password":"`+long+`"}`)
			_, after := h.work()
			if res.status != 401 || after-before != 1 {
				t.Fatalf("%s with a 300-character password: %d after %d verifications: %s", who, res.status, after-before, res.body)
			}
			if strings.Contains(res.body, long) {
				t.Fatalf("the password is echoed: %s", res.body)
			}
			bodies = append(bodies, res.body)
		}
		if bodies[0] != bodies[1] {
			t.Fatalf("known and unknown logins answer differently:\n%s\n%s", bodies[0], bodies[1])
		}
	})
}

// Finding 10: a wrong password no longer locks the account: after five free failures
// each attempt waits after the last one (1 s, doubling, at most 10 minutes), refused
// attempts do not extend the wait, and the right password after the wait logs in.
func TestSecurity10_ProgressiveDelayInsteadOfLockout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.user(t, f.ctx, "alice", auth.Marketer, auth.TenantScope, "")
		f.user(t, f.ctx, "bob", auth.Marketer, auth.TenantScope, "")

		// The curve: the wait before the next attempt after n consecutive failures.
		want := []time.Duration{0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600}
		for i, w := range want {
			n := i + 1
			_, _, _, err := login(f, "alice", "wrong password", "10.0.0."+strconv.Itoa(n))
			wantCode(t, err, errs.Unauthorized)
			wait := w * time.Second
			if wait == 0 {
				continue
			}
			// Even the right password waits; the answer says how long.
			_, _, _, err = login(f, "alice", adminPassword, "10.0.1."+strconv.Itoa(n))
			if got := retryAfter(t, err); got != wait {
				t.Fatalf("after %d failures: wait %s, want %s", n, got, wait)
			}
			if !strings.Contains(err.Error(), "try again in "+strconv.Itoa(int(w))+" s") {
				t.Fatalf("after %d failures the message does not say how long: %v", n, err)
			}
			// Hammering during the wait neither counts nor extends it.
			for range 5 {
				f.clock.Advance(wait / 10)
				_, _, _, err = login(f, "alice", "another guess", "10.0.2."+strconv.Itoa(n))
				wantCode(t, err, errs.RateLimited)
			}
			f.clock.Advance(wait - 5*(wait/10))
			// Another login is not affected.
			if _, _, _, err := login(f, "bob", adminPassword, "10.0.3.1"); err != nil {
				t.Fatalf("bob while alice waits: %v", err)
			}
		}
		// The right password after the wait logs in and clears the count.
		if _, _, _, err := login(f, "alice", adminPassword, "10.0.4.1"); err != nil {
			t.Fatalf("right password after the wait: %v", err)
		}
		for range 5 {
			_, _, _, err := login(f, "alice", "wrong password", "10.0.4.2")
			wantCode(t, err, errs.Unauthorized)
		}
		// An unknown login waits exactly like a known one.
		for range 5 {
			_, _, _, err := login(f, "ghost", "wrong password", "10.0.5.1")
			wantCode(t, err, errs.Unauthorized)
		}
		_, _, _, errKnown := login(f, "alice", adminPassword, "10.0.5.2")
		_, _, _, errGhost := login(f, "ghost", adminPassword, "10.0.5.3")
		if retryAfter(t, errKnown) != time.Second || errKnown.Error() != errGhost.Error() {
			t.Fatalf("known and unknown throttled logins differ: %v / %v", errKnown, errGhost)
		}
		// Failures are forgotten a day after the last one.
		f.clock.Advance(24 * time.Hour)
		for range 5 {
			_, _, _, err := login(f, "alice", "wrong password", "10.0.6.1")
			wantCode(t, err, errs.Unauthorized)
		}
		if n, err := f.svc.PurgeLoginThrottle(context.Background(), f.clock.Now()); err != nil || n != 1 {
			t.Fatalf("PurgeLoginThrottle = %d, %v; want the forgotten ghost row only", n, err)
		}
	})
}

// Finding 10: many users behind one address (a store's NAT, a TLS proxy) are not
// locked out by each other's typos; the address limit is generous but exists.
func TestSecurity10_SharedAddressIsNotLockedOut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		const staff = 40
		for i := range staff {
			f.user(t, f.ctx, "assoc"+strconv.Itoa(i), auth.Associate, auth.TenantScope, "")
		}
		for i := range staff {
			login := "assoc" + strconv.Itoa(i)
			_, _, _, err := f.svc.Login(context.Background(), LoginInput{Login: login, Password: "typo typo typo", ClientIP: "203.0.113.50"})
			wantCode(t, err, errs.Unauthorized)
			if _, _, _, err := f.svc.Login(context.Background(), LoginInput{Login: login, Password: adminPassword, ClientIP: "203.0.113.50"}); err != nil {
				t.Fatalf("%s behind the shared address: %v", login, err)
			}
		}
		if def := DefaultConfig().LoginAddressLimit; def.Limit < 100 {
			t.Fatalf("default address limit %s is too tight for a store", def)
		}

		// The address limit itself: 12 a minute here, one every 5 s after the burst.
		cfg := TestConfig()
		cfg.LoginAddressLimit = ratelimit.Rule{Limit: 12, Window: time.Minute}
		g := setupConfig(t, dbtest.Open(t, d.Dialect), cfg, discardLog())
		for i := range 12 {
			_, _, _, err := login(g, "sprayed-"+strconv.Itoa(i), "Summer2025!", "198.51.100.9")
			wantCode(t, err, errs.Unauthorized)
		}
		_, _, _, err := login(g, "acme-admin", adminPassword, "198.51.100.9")
		if got := retryAfter(t, err); got != 5*time.Second {
			t.Fatalf("address wait %s, want 5s", got)
		}
		if _, _, _, err := login(g, "acme-admin", adminPassword, "198.51.100.10"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}

// Finding 10: the limits live in the database, so two nodes behind a load balancer
// enforce them together (not 5 × N attempts).
func TestSecurity10_LimitsHoldAcrossNodes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := TestConfig()
		cfg.LoginAddressLimit = ratelimit.Rule{Limit: 8, Window: time.Minute}
		f := setupConfig(t, d, cfg, discardLog())
		nodeB := newNode(d, cfg, f.clock, discardLog())
		f.user(t, f.ctx, "alice", auth.Marketer, auth.TenantScope, "")
		nodes := []*Service{f.svc, nodeB}
		for i := range 5 {
			_, _, _, err := nodes[i%2].Login(context.Background(), LoginInput{Login: "alice", Password: "wrong password", ClientIP: "10.0.0." + strconv.Itoa(i)})
			wantCode(t, err, errs.Unauthorized)
		}
		for _, n := range nodes {
			_, _, _, err := n.Login(context.Background(), LoginInput{Login: "alice", Password: adminPassword, ClientIP: "10.0.1.1"})
			retryAfter(t, err)
		}
		f.clock.Advance(time.Second)
		if _, _, _, err := nodeB.Login(context.Background(), LoginInput{Login: "alice", Password: adminPassword, ClientIP: "10.0.1.2"}); err != nil {
			t.Fatalf("after the wait on node B: %v", err)
		}
		// One address: 8 attempts across both nodes, then the ninth is refused on either.
		for i := range 8 {
			_, _, _, err := nodes[i%2].Login(context.Background(), LoginInput{Login: "user" + strconv.Itoa(i), Password: "wrong password", ClientIP: "192.0.2.1"})
			wantCode(t, err, errs.Unauthorized)
		}
		for _, n := range nodes {
			_, _, _, err := n.Login(context.Background(), LoginInput{Login: "alice", Password: adminPassword, ClientIP: "192.0.2.1"})
			retryAfter(t, err)
		}
	})
}

// Finding 10: parallel guesses cannot slip past the free failures, on one node or two.
func TestSecurity10_ParallelGuessesCannotSlipPast(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		nodeB := newNode(d, TestConfig(), f.clock, discardLog())
		f.user(t, f.ctx, "alice", auth.Marketer, auth.TenantScope, "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[errs.Code]int{}
		for i := range 20 {
			wg.Go(func() {
				n := []*Service{f.svc, nodeB}[i%2]
				_, _, _, err := n.Login(context.Background(), LoginInput{Login: "alice", Password: "wrong password"})
				mu.Lock()
				codes[errs.CodeOf(err)]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[errs.Unauthorized] != 5 || codes[errs.RateLimited] != 15 {
			t.Fatalf("parallel outcomes = %v, want 5 unauthorized and 15 rate_limited", codes)
		}
	})
}

// Finding 10 over HTTP: a throttled login answers 429 with Retry-After and a detail
// saying how long, sets no cookie, and the right password after the wait works.
func TestSecurity10_HTTPThrottledLoginSaysHowLong(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setupHTTP(t, d)
		// Six failures: the fifth makes the sixth wait 1 s, the sixth makes the next wait 2 s.
		for i := range 6 {
			res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"acme-admin","password":"guess number `+strconv.Itoa(i)+`"}`)
			if res.status != 401 {
				t.Fatalf("attempt %d: %d %s", i+1, res.status, res.body)
			}
			if i == 4 {
				e.clock.Advance(time.Second)
			}
		}
		res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"acme-admin","password":"`+adminPassword+`"}`)
		if res.status != 429 || res.header.Get("Retry-After") != "2" || !strings.Contains(res.body, "urn:oneretail:problem:rate_limited") ||
			!strings.Contains(res.body, "try again in 2 s") || res.header.Get("Set-Cookie") != "" {
			t.Fatalf("throttled login: %d Retry-After %q %s", res.status, res.header.Get("Retry-After"), res.body)
		}
		// Other logins from the same address are not affected.
		if res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"someone-else","password":"whatever it is"}`); res.status != 401 {
			t.Fatalf("another login from the same address: %d %s", res.status, res.body)
		}
		e.clock.Advance(2 * time.Second)
		if res := e.do(t, e.client, "POST", "/api/v1/auth/login", "", `{"login":"acme-admin","password":"`+adminPassword+`"}`); res.status != 200 {
			t.Fatalf("right password after the wait: %d %s", res.status, res.body)
		}
	})
}
