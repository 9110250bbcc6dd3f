package httpapi_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// requestHash is the hash idempotency keeps of a POST to uri with body.
func requestHash(uri, body string) string {
	sum := sha256.Sum256([]byte("POST " + uri + "\n" + body))
	return hex.EncodeToString(sum[:])
}

// storedRow is what idempotency_keys holds for a key.
func storedRow(t *testing.T, d *db.DB, key string) (status, body string) {
	t.Helper()
	if err := d.Reader().QueryRow(`SELECT status, response_body FROM idempotency_keys WHERE key = $1`, key).Scan(&status, &body); err != nil {
		t.Fatalf("key %s: %v", key, err)
	}
	return status, body
}

// TestSecurity04_CredentialResponsesNeverStored: the response of an operation marked
// NoReplay (an API key secret) and a response carrying a token prefix are never
// stored, and their retries answer 409; other responses are stored sealed with the
// personal-data key, not in plain text, and replay as they were.
func TestSecurity04_CredentialResponsesNeverStored(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, tc := range []struct{ path, key, secret string }{
			{"/api/v1/widget-keys", "key-1", "or_live_"},
			{"/api/v1/widget-sessions", "session-1", "or_sess_"},
		} {
			status, _, body := do(t, f.ts, "POST", tc.path, "writer", "", "Idempotency-Key", tc.key)
			if status != http.StatusCreated || !strings.Contains(body, tc.secret) {
				t.Fatalf("%s: %d %s", tc.path, status, body)
			}
			status, h, again := do(t, f.ts, "POST", tc.path, "writer", "", "Idempotency-Key", tc.key)
			if status != http.StatusConflict || !strings.Contains(again, "replay not available for this operation") || strings.Contains(again, tc.secret) ||
				h.Get(httpapi.ReplayedHeader) != "" {
				t.Fatalf("%s retried: %d %s", tc.path, status, again)
			}
			if st, stored := storedRow(t, d, tc.key); st != "withheld" || stored != "" {
				t.Fatalf("%s stored %s %q", tc.path, st, stored)
			}
		}

		status, _, first := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"王小明 13812345678","price_fen":7}`, "Idempotency-Key", "w-1")
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, first)
		}
		st, stored := storedRow(t, d, "w-1")
		keys, _ := pii.NewKeys(pii.TestSecret())
		if st != "completed" || strings.Contains(stored, "13812345678") || strings.Contains(stored, "王小明") || pii.KeyID(stored) != keys.ID() {
			t.Fatalf("stored %s %q: want a body sealed under %s", st, stored, keys.ID())
		}
		status, h, replay := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"王小明 13812345678","price_fen":7}`, "Idempotency-Key", "w-1")
		if status != http.StatusCreated || replay != first || h.Get(httpapi.ReplayedHeader) != "true" {
			t.Fatalf("replay: %d %s", status, replay)
		}
	})
}

// TestSecurity04_ReplayRechecksAuthorisation: a replay runs after authentication and
// the scope check, and only for the permissions of the first request. A revoked key
// gets 401, a key that lost the scope 403, one whose data scope changed 409 — none
// sees the stored response.
func TestSecurity04_ReplayRechecksAuthorisation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		body := `{"name":"stored","price_fen":3}`
		replay := func() (int, string) {
			status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", body, "Idempotency-Key", "auth-1")
			return status, b
		}
		if status, b := replay(); status != http.StatusCreated {
			t.Fatalf("first: %d %s", status, b)
		}
		for _, tc := range []struct {
			name   string
			p      *auth.Principal
			status int
		}{
			{"revoked", nil, http.StatusUnauthorized},
			{"scope removed", &auth.Principal{Kind: auth.KeyPrincipal, ID: "k1", TenantID: "t1", Scopes: readerScopes, DataScope: auth.TenantScope}, http.StatusForbidden},
			{"data scope narrowed", &auth.Principal{Kind: auth.KeyPrincipal, ID: "k1", TenantID: "t1", Scopes: writerScopes, DataScope: auth.StoreScope, DataID: "s1"},
				http.StatusConflict},
			{"restored", writer(), http.StatusCreated},
		} {
			f.auth.set("writer", tc.p)
			if status, b := replay(); status != tc.status || (status != http.StatusCreated && strings.Contains(b, `"stored"`)) {
				t.Fatalf("%s: %d %s; want %d without the stored response", tc.name, status, b, tc.status)
			}
		}
	})
}

// TestForgetSubjectsWithholdsStoredResponses: erasure's platform call withholds the
// stored responses noted as concerning a subject, and only those.
func TestForgetSubjectsWithholdsStoredResponses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		var ids []string
		for _, k := range []string{"s-1", "s-2"} {
			status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"`+k+`","price_fen":3}`, "Idempotency-Key", k)
			if status != http.StatusCreated {
				t.Fatal(b)
			}
			ids = append(ids, b[strings.Index(b, `"id":"`)+6:][:36])
		}
		ctx := context.Background()
		var n int64
		if err := d.Tx(ctx, func(tx *sql.Tx) (err error) {
			n, err = f.idem.ForgetSubjects(ctx, tx, "t1", []string{ids[0], "someone-else"})
			return err
		}); err != nil || n != 1 {
			t.Fatalf("forget: %d, %v", n, err)
		}
		if status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"s-1","price_fen":3}`, "Idempotency-Key", "s-1"); status != http.StatusConflict ||
			strings.Contains(b, ids[0]) {
			t.Fatalf("forgotten: %d %s", status, b)
		}
		if status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"s-2","price_fen":3}`, "Idempotency-Key", "s-2"); status != http.StatusCreated ||
			!strings.Contains(b, ids[1]) {
			t.Fatalf("kept: %d %s", status, b)
		}
		var left int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM idempotency_subjects WHERE subject = $1`, ids[0]).Scan(&left); err != nil || left != 0 {
			t.Fatalf("subject rows left: %d, %v", left, err)
		}
	})
}

// TestResealStoredResponses re-seals stored responses under a new key: they replay
// with it; a response under neither key is withheld.
func TestResealStoredResponses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		from, _ := pii.NewKeys(pii.TestSecret())
		to, _ := pii.NewKeys([]byte(strings.Repeat("n", pii.MinSecretLen)))
		stranger, _ := pii.NewKeys([]byte(strings.Repeat("s", pii.MinSecretLen)))
		old := setup(t, d)
		status, _, first := do(t, old.ts, "POST", "/api/v1/widgets", "writer", `{"name":"r","price_fen":3}`, "Idempotency-Key", "r-1")
		if status != http.StatusCreated {
			t.Fatal(first)
		}
		other := setup(t, d, func(o *fixtureOptions) { o.keys = stranger })
		if status, _, b := do(t, other.ts, "POST", "/api/v1/widgets", "writer", `{"name":"x","price_fen":3}`, "Idempotency-Key", "x-1"); status != http.StatusCreated {
			t.Fatal(b)
		}
		n, err := httpapi.ResealStoredResponses(context.Background(), d, from, to, 1)
		if err != nil || n != 2 {
			t.Fatalf("reseal: %d, %v", n, err)
		}
		if n, err := httpapi.ResealStoredResponses(context.Background(), d, from, to, 1); err != nil || n != 0 {
			t.Fatalf("reseal again: %d, %v", n, err)
		}
		fresh := setup(t, d, func(o *fixtureOptions) { o.keys = to })
		if status, _, b := do(t, fresh.ts, "POST", "/api/v1/widgets", "writer", `{"name":"r","price_fen":3}`, "Idempotency-Key", "r-1"); status != http.StatusCreated || b != first {
			t.Fatalf("replay under the new key: %d %s", status, b)
		}
		if st, body := storedRow(t, d, "x-1"); st != "withheld" || body != "" {
			t.Fatalf("response under an unknown key: %s %q", st, body)
		}
	})
}

// TestResilience01_LapsedKeyIsTakenOver runs two nodes on one database with one
// clock. Node A holds a key (its request blocks). While A's lease is current, a retry
// on node B waits and then answers 409 in progress; once the lease has run out, the
// retry takes the key over and executes, and its result is what later retries
// replay. A's request, finishing late, does not overwrite it.
func TestResilience01_LapsedKeyIsTakenOver(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		a := setup(t, d, func(o *fixtureOptions) { o.clock = c })
		b := setup(t, d, func(o *fixtureOptions) { o.clock = c })
		b.idem.Wait = 200 * time.Millisecond
		ctx := context.Background()
		if err := a.idem.Heartbeat(ctx); err != nil {
			t.Fatal(err)
		}
		aDone := make(chan int)
		go func() {
			status, _ := post(a, "/api/v1/widget-jobs?name=first", "writer", 3, "Idempotency-Key", "job-1")
			aDone <- status
		}()
		<-a.started
		retry := func() (int, string) {
			status, _, body := do(t, b.ts, "POST", "/api/v1/widget-jobs?name=first", "writer", "xxx", "Idempotency-Key", "job-1", "Content-Type", "text/csv")
			return status, body
		}
		c.Advance(b.idem.Lease - time.Second)
		if status, body := retry(); status != http.StatusConflict || !strings.Contains(body, "in progress") {
			t.Fatalf("retry within A's lease: %d %s", status, body)
		}
		c.Advance(2 * time.Second)
		close(b.release)
		status, took := retry()
		if status != http.StatusCreated {
			t.Fatalf("retry after A's lease ran out: %d %s", status, took)
		}
		close(a.release)
		if s := <-aDone; s != http.StatusCreated {
			t.Fatalf("A's own request: %d", s)
		}
		if status, again := retry(); status != http.StatusCreated || again != took {
			t.Fatalf("replay: %d %s; want B's %s", status, again, took)
		}
	})
}

// TestResilience01_OwnNodeKeyLapsesAfterMaxRequest: on the node holding the key, a
// retry waits while the request may run, and takes the key over once MaxRequest has
// passed (the request's outcome was never recorded, e.g. the database was away).
// A key held by a node that never renewed a lease (it died at once) lapses a lease
// after its claim.
func TestResilience01_OwnNodeKeyLapsesAfterMaxRequest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		f := setup(t, d, func(o *fixtureOptions) { o.clock = c })
		f.idem.Wait = 100 * time.Millisecond
		ctx := context.Background()
		claim := func(key, node string) {
			if _, err := d.Writer().ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, principal_id, key, method, path, request_hash,
				status, node_id, claim_id, claimed_at, created_at) VALUES ('t1', 'k1', $1, 'POST', '/api/v1/widget-jobs', $2, 'in_progress', $3, 'c', $4, $4)`,
				key, requestHash("/api/v1/widget-jobs?name=n", "xxx"), node, clock.Millis(c.Now())); err != nil {
				t.Fatal(err)
			}
		}
		claim("own", f.idem.NodeID())
		claim("dead", "a-node-that-never-heartbeat")
		close(f.release)
		retry := func(key string) int {
			status, _, _ := do(t, f.ts, "POST", "/api/v1/widget-jobs?name=n", "writer", "xxx", "Idempotency-Key", key, "Content-Type", "text/csv")
			return status
		}
		c.Advance(f.idem.Lease + time.Second)
		if s := retry("own"); s != http.StatusConflict {
			t.Fatalf("own node's key after a lease: %d, want 409", s)
		}
		if s := retry("dead"); s != http.StatusCreated {
			t.Fatalf("dead node's key after a lease: %d, want 201", s)
		}
		c.Advance(f.idem.MaxRequest)
		if s := retry("own"); s != http.StatusCreated {
			t.Fatalf("own node's key after MaxRequest: %d, want 201", s)
		}
	})
}
