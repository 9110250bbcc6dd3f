package main

import (
	"bufio"
	"bytes"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a process's output and a test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeFirstRun: `serve` on a database without a tenant prints the exact init
// command and the first-run page's address with its token, logs the command, and
// the token creates the tenant once. The log has a line when serving starts and
// when shutting down has finished.
func TestServeFirstRun(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "empty.db")
	addr := freeAddr(t)
	cmd := command(t, "serve", "--db", dbPath, "--addr", addr)
	cmd.Env = append(cmd.Env, "ONERETAIL_LOG_LEVEL=info")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	printed := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "is running at") {
				printed <- all.String()
			}
		}
	}()
	var out string
	select {
	case out = <-printed:
	case <-time.After(time.Minute):
		t.Fatal("server did not start")
	}
	wantCommand := `oneretail init --db ` + dbPath + ` --group "<your group's name>" --admin-login <login>`
	if !strings.Contains(out, wantCommand) {
		t.Fatalf("serve did not print the init command: %q", out)
	}
	m := regexp.MustCompile(`/setup\?token=([a-z0-9]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no first-run address in %q", out)
	}
	post := func(token string) int {
		res, err := http.Post("http://"+addr+"/api/v1/setup", "application/json", strings.NewReader(
			`{"token":"`+token+`","tenant_name":"华联集团","admin_login":"wang","admin_password":"correct horse battery"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(m[1]); got != http.StatusCreated {
		t.Fatalf("first run with the printed token: %d", got)
	}
	if got := post(m[1]); got != http.StatusForbidden {
		t.Fatalf("the token again: %d, want 403 (spent)", got)
	}
	login(t, "http://"+addr, "wang", "correct horse battery")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v", err)
	}
	log := stderr.String()
	if !strings.Contains(log, `"msg":"serving"`) || !strings.Contains(log, `"msg":"shut down"`) || !strings.Contains(log, "oneretail init --db") {
		t.Fatalf("the init command, start or shutdown line is missing from the log: %s", log)
	}
	if strings.Contains(log, m[1]) {
		t.Fatal("the setup token was logged")
	}
}
