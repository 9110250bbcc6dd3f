package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// TestResilience01_KilledRequestRecovers kills a real `oneretail serve` with SIGKILL
// while it stores a large NDJSON ingestion sent with an Idempotency-Key, starts it
// again and retries with the same key: the retry takes over the key of the dead
// process within seconds, carries the ingestion out again (the events the first
// attempt committed come back as duplicates) and every event is stored once.
func TestResilience01_KilledRequestRecovers(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the server twice")
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.DSN(t, dialect)
			if dialect == db.SQLite {
				dsn = filepath.Join(t.TempDir(), "crash.db")
			}
			key := pii.NewSecret()
			secret := prepareIngestion(t, dsn, key)
			const n = 4000
			var body strings.Builder
			for i := range n {
				fmt.Fprintf(&body, `{"id":"e%d","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"139%08d"}}`+"\n", i, i)
			}
			send := func(base string) (int, string, error) {
				req, _ := http.NewRequest("POST", base+"/api/v1/events?touchpoint=POS", strings.NewReader(body.String()))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/x-ndjson")
				req.Header.Set(httpapi.IdempotencyHeader, "crash-batch-1")
				res, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
				if err != nil {
					return 0, "", err
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b), nil
			}
			d, err := db.Open(context.Background(), dsn, db.Options{MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			keyState := func() string {
				var status string
				_ = d.Reader().QueryRow(`SELECT status FROM idempotency_keys WHERE key = 'crash-batch-1'`).Scan(&status)
				return status
			}

			first, base := serve(t, dsn, key)
			go func() { _, _, _ = send(base) }()
			// Killed once the first transactions of the ingestion committed.
			countEvents := func() int {
				var c int
				_ = d.Reader().QueryRow(`SELECT COUNT(*) FROM events`).Scan(&c)
				return c
			}
			deadline := time.Now().Add(time.Minute)
			for keyState() != "in_progress" || countEvents() == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the ingestion never got under way (key %q)", keyState())
				}
				time.Sleep(2 * time.Millisecond)
			}
			if err := first.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = first.Wait()
			stored := countEvents()
			if st := keyState(); st != "in_progress" || stored >= n {
				t.Fatalf("the kill missed the request: key %q, %d of %d events stored", st, stored, n)
			}
			t.Logf("killed in flight with %d of %d events stored", stored, n)

			_, base = serve(t, dsn, key)
			start := time.Now()
			status, resp, err := send(base)
			if err != nil || status != http.StatusOK {
				t.Fatalf("retry: %d %s %v", status, resp, err)
			}
			took := time.Since(start)
			var rep struct {
				Accepted   int `json:"accepted"`
				Duplicates int `json:"duplicates"`
			}
			if err := json.Unmarshal([]byte(resp), &rep); err != nil || rep.Accepted+rep.Duplicates != n || rep.Duplicates != stored {
				t.Fatalf("retry report %s (%v); want %d events, %d of them duplicates", resp, err, n, stored)
			}
			if took > 30*time.Second {
				t.Fatalf("the retry took %s", took)
			}
			if stored := countEvents(); stored != n {
				t.Fatalf("%d events stored after the retry, want %d", stored, n)
			}
			status, again, _ := send(base)
			if status != http.StatusOK || again != resp {
				t.Fatalf("replay: %d %s", status, again)
			}
			t.Logf("the retry took %s: %s", took.Round(time.Millisecond), resp)
		})
	}
}

// prepareIngestion makes the database dsn with tenant demo, its touchpoint POS and
// an events:ingest key, whose secret it returns.
func prepareIngestion(t *testing.T, dsn, piiKey string) string {
	t.Helper()
	ctx := context.Background()
	secret, err := pii.ParseSecret(piiKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := &options{db: dsn, logFormat: "text", logLevel: "error"}
	a, err := opts.open(ctx, app.Config{Org: org.TestConfig(), PIISecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "demo", TenantName: "demo", AdminLogin: "admin", AdminName: "Admin",
		AdminPassword: "crash-test-password"})
	if err != nil {
		t.Fatal(err)
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	if _, err := a.Identity.CreateTouchpoint(sys, identity.NewTouchpoint{Code: "POS", Name: "POS", Type: identity.TypeOffline, Channel: "pos"}); err != nil {
		t.Fatal(err)
	}
	_, key, err := a.Org.CreateAPIKey(sys, org.APIKeyCreate{Name: "pos", Scopes: []auth.Scope{auth.EventsIngest}})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serve starts `oneretail serve` on dsn and returns the process and its base URL
// once it is ready.
func serve(t *testing.T, dsn, piiKey string) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := command(t, "serve", "--db", dsn, "--addr", addr, "--pii-key", piiKey)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	waitHealthy(t, base)
	return cmd, base
}
