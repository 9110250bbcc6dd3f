package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/identity"
)

// TestIdentityCommands runs match-fuzzy and rebuild --fuzzy against a SQLite database
// holding a POS member and the same person's desk registration.
func TestIdentityCommands(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "identity.db")
	a, sys := openTenant(t, dbPath, "demo", identity.NewTouchpoint{Code: "POS", Name: "POS", Type: identity.TypeOffline, Channel: "pos"})
	events := []json.RawMessage{
		json.RawMessage(`{"id":"e1","type":"registration","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812341234"},"properties":{"name":"张伟","birthday":"1988-04-12","city":"上海","address":"徐汇区漕溪北路88号"}}`),
		json.RawMessage(`{"id":"e2","type":"registration","occurred_at":"2026-03-01T08:00:00Z","identifiers":{"pos_customer_ref":"C1","masked_phone":"*******1234"},"properties":{"name":"章伟","birthday":"1988-04-12","city":"上海","address":"徐汇区漕溪北路88号"}}`),
	}
	if rep, err := a.Identity.Ingest(sys, "POS", events); err != nil || rep.Accepted != 2 {
		t.Fatalf("ingest: %+v, %v", rep, err)
	}
	a.Close()

	run := func(args ...string) string {
		t.Helper()
		out, err := runCLI(append(args, "--db", dbPath, "--log-level", "error")...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	if out := run("identity", "match-fuzzy", "--dry-run"); !strings.Contains(out, "would merge 1") {
		t.Fatalf("dry run: %q", out)
	}
	if out := run("identity", "match-fuzzy"); !strings.Contains(out, "merged 1,") {
		t.Fatalf("match-fuzzy: %q", out)
	}
	out := run("identity", "rebuild", "--fuzzy")
	if !strings.Contains(out, "rebuilt 2 events into 2 customers (1 before)") || !strings.Contains(out, "0 reviews queued, 0 open reviews superseded") || !strings.Contains(out, "merged 1,") {
		t.Fatalf("rebuild: %q", out)
	}
}
