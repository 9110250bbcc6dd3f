package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
