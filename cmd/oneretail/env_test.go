package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvironmentConfiguresFlags runs `migrate` with its database given only as
// ONERETAIL_DB; a flag on the command line still wins over the environment.
func TestEnvironmentConfiguresFlags(t *testing.T) {
	dir := t.TempDir()
	fromEnv := filepath.Join(dir, "env.db")
	t.Setenv("ONERETAIL_DB", fromEnv)
	t.Setenv("ONERETAIL_LOG_LEVEL", "error")
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		root := newRootCommand()
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	out := run("migrate")
	if _, err := os.Stat(fromEnv); err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("ONERETAIL_DB was not used: %v\n%s", err, out)
	}
	fromFlag := filepath.Join(dir, "flag.db")
	run("migrate", "--db", fromFlag)
	if _, err := os.Stat(fromFlag); err != nil {
		t.Fatalf("--db did not win over ONERETAIL_DB: %v", err)
	}
	if got := run("version"); !strings.HasPrefix(got, "oneretail ") {
		t.Fatalf("version printed %q", got)
	}
}
