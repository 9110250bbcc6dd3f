package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func TestPIISecretKeyFileBesideSQLite(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := &options{db: filepath.Join(dir, "sub", "one.db")}
	first, err := o.piiSecret(log)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "sub", piiKeyFile))
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	again, err := (&options{db: "file:" + filepath.Join(dir, "sub", "one.db") + "?_pragma=x"}).piiSecret(log)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("second open: %v, same secret %v", err, bytes.Equal(first, again))
	}
}

func TestPIISecretFlag(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	secret := pii.NewSecret()
	got, err := (&options{db: "postgres://x/y", piiKey: secret}).piiSecret(log)
	want, _ := pii.ParseSecret(secret)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("flag secret: %v", err)
	}
	if _, err := (&options{db: "postgres://x/y"}).piiSecret(log); err == nil || !strings.Contains(err.Error(), "--pii-key") {
		t.Fatalf("PostgreSQL without a key: err = %v", err)
	}
	if _, err := (&options{db: "x.db", piiKey: "c2hvcnQ="}).piiSecret(log); err == nil {
		t.Fatal("short --pii-key accepted")
	}
}

// TestRotatePIIKey rotates a SQLite database whose key is in pii.key, then checks
// that the file holds the new key, the old one is kept, the data reads with the new
// key and serving with the old one is refused.
func TestRotatePIIKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "rotate.db")
	a, sys := openTenant(t, dbPath, "demo", identity.NewTouchpoint{Code: "POS", Name: "POS", Type: identity.TypeOffline, Channel: "pos"})
	event := json.RawMessage(`{"id":"e1","type":"registration","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812341234"},"properties":{"name":"张伟"}}`)
	if rep, err := a.Identity.Ingest(sys, "POS", []json.RawMessage{event}); err != nil || rep.Accepted != 1 {
		t.Fatalf("ingest: %+v, %v", rep, err)
	}
	a.Close()
	keyFile := filepath.Join(dir, piiKeyFile)
	oldFile, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	oldKey := strings.TrimSpace(string(oldFile))
	oldSecret, _ := pii.ParseSecret(oldKey)
	oldKeys, _ := pii.NewKeys(oldSecret)

	newKey := pii.NewSecret()
	run := func(args ...string) (string, error) {
		return runCLI(append(args, "--db", dbPath, "--log-level", "error")...)
	}
	if _, err := run("admin", "rotate-pii-key", "--new-key", oldKey); err == nil || !strings.Contains(err.Error(), "nothing to rotate") {
		t.Fatalf("rotation to the current key: err = %v", err)
	}
	out, err := run("admin", "rotate-pii-key", "--new-key", newKey)
	if err != nil {
		t.Fatal(err)
	}
	kept := keyFile + "." + oldKeys.ID() + ".old"
	if !strings.Contains(out, "1 identifiers, 1 profiles, 1 events") || !strings.Contains(out, kept) {
		t.Fatalf("rotate-pii-key printed %q", out)
	}
	if b, err := os.ReadFile(kept); err != nil || !bytes.Equal(b, oldFile) {
		t.Fatalf("old key file %s: %q, %v", kept, b, err)
	}
	newFile, err := os.ReadFile(keyFile)
	if got, _ := pii.ParseSecret(string(newFile)); err != nil || !bytes.Equal(got, mustSecret(t, newKey)) {
		t.Fatalf("%s after rotation: %q, %v", keyFile, newFile, err)
	}
	if info, err := os.Stat(keyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v, %v", info, err)
	}

	// The key file's new key reads the data.
	a, err = (&options{db: dbPath, logFormat: "text", logLevel: "error"}).open(context.Background(), app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Identity.FindCustomerByIdentifier(sys, "phone:13812341234")
	if err == nil {
		var c360 identity.Customer360
		c360, err = a.Identity.FindCustomer360(sys, c.ID)
		if c360.Profile.Name != "张伟" {
			t.Fatalf("360 after rotation: %+v", c360)
		}
	}
	a.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Serving with the old key is refused and names the command.
	// Bounded: were the refusal broken, serve would run until the context ends.
	serveCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := runCLIContext(serveCtx, "serve", "--pii-key", oldKey, "--addr", "127.0.0.1:0", "--db", dbPath, "--log-level", "error"); err == nil || !strings.Contains(err.Error(), "rotate-pii-key") {
		t.Fatalf("serve with the old key: err = %v", err)
	}
	// A key given as --pii-key leaves the key file alone.
	third := pii.NewSecret()
	out, err = run("admin", "rotate-pii-key", "--pii-key", newKey, "--new-key", third)
	if err != nil || !strings.Contains(out, "start the service with the new key") {
		t.Fatalf("rotation with --pii-key: %q, %v", out, err)
	}
	if b, _ := os.ReadFile(keyFile); !bytes.Equal(b, newFile) {
		t.Fatal("rotation with --pii-key changed the key file")
	}
}

func mustSecret(t *testing.T, encoded string) []byte {
	t.Helper()
	b, err := pii.ParseSecret(encoded)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
