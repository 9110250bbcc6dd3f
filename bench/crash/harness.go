package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/oneretail/oneretail/internal/platform/db"
)

// adminPassword is the password of the demo admin in every database the harness makes.
const adminPassword = "Crash-Harness-Pass-2026"

// Harness runs the real oneretail binary against databases of one engine, kills it
// with SIGKILL and starts it again.
type Harness struct {
	Bin    string    // the oneretail binary
	Dir    string    // scratch directory
	PGBase string    // a PostgreSQL DSN to create databases from; empty for SQLite
	Log    io.Writer // progress lines
	// DemoOrders is the demo's --orders: 0 the small scale's two years of orders,
	// -1 none (the scenarios make their own; the short form skips the load's time).
	DemoOrders int
	piiKey     string
	base       string // the demo database every round starts from (path or DSN)
	made       []string
}

// Build compiles the binary from the module at root into dir.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "oneretail")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/oneretail")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build oneretail: %w\n%s", err, out)
	}
	return bin, nil
}

// Engine names the database engine of h.
func (h *Harness) Engine() string {
	if h.PGBase != "" {
		return "postgres"
	}
	return "sqlite"
}

// Prepare loads the small demo once; every round copies it.
func (h *Harness) Prepare(ctx context.Context) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	h.piiKey = base64.StdEncoding.EncodeToString(key)
	dsn, err := h.newDatabase(ctx, "base", "")
	if err != nil {
		return err
	}
	start := time.Now()
	if out, err := h.run(ctx, dsn, "demo", "--scale", "small", "--orders", strconv.Itoa(h.DemoOrders), "--admin-password", adminPassword); err != nil {
		return fmt.Errorf("load the demo: %w\n%s", err, out)
	}
	h.logf("%s: demo base loaded in %s", h.Engine(), time.Since(start).Round(time.Millisecond))
	h.base = dsn
	return nil
}

// Fresh returns a new database holding a copy of the demo base.
func (h *Harness) Fresh(ctx context.Context, name string) (string, error) {
	return h.newDatabase(ctx, name, h.base)
}

// newDatabase makes an empty database, or a copy of from.
func (h *Harness) newDatabase(ctx context.Context, name, from string) (string, error) {
	if h.PGBase == "" {
		path := filepath.Join(h.Dir, name+".db")
		if from != "" {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := copyFile(from+suffix, path+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return "", err
				}
			}
		}
		return path, nil
	}
	dbName := fmt.Sprintf("crash_%d_%s", os.Getpid(), name)
	admin, err := sql.Open("pgx", h.PGBase)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	stmt := "CREATE DATABASE " + dbName
	if from != "" {
		stmt += " TEMPLATE " + pgDatabaseName(from)
	}
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.ExecContext(ctx, stmt); err != nil {
		return "", fmt.Errorf("%s: %w", stmt, err)
	}
	h.made = append(h.made, dbName)
	return pgWithDatabase(h.PGBase, dbName), nil
}

// Close drops the PostgreSQL databases h made (SQLite files go with Dir).
func (h *Harness) Close() {
	if h.PGBase == "" || len(h.made) == 0 {
		return
	}
	admin, err := sql.Open("pgx", h.PGBase)
	if err != nil {
		return
	}
	defer admin.Close()
	for _, name := range h.made {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	}
}

func pgDatabaseName(dsn string) string {
	rest := dsn[strings.LastIndex(dsn, "/")+1:]
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func pgWithDatabase(dsn, name string) string {
	slash := strings.LastIndex(dsn, "/")
	query := ""
	if i := strings.IndexByte(dsn[slash:], '?'); i >= 0 {
		query = dsn[slash+i:]
	}
	return dsn[:slash+1] + name + query
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		return err
	}
	// The personal-data key of a SQLite database lives beside it.
	if key, err := os.ReadFile(filepath.Join(filepath.Dir(from), "pii.key")); err == nil {
		return os.WriteFile(filepath.Join(filepath.Dir(to), "pii.key"), key, 0o600)
	}
	return nil
}

func (h *Harness) env() []string {
	env := append(os.Environ(), "ONERETAIL_LOG_LEVEL=warn", "ONERETAIL_LOG_FORMAT=json")
	if h.PGBase != "" {
		env = append(env, "ONERETAIL_PII_KEY="+h.piiKey)
	}
	return env
}

// command returns the binary with args against database dsn.
func (h *Harness) command(ctx context.Context, dsn string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.Bin, append(args, "--db", dsn)...)
	cmd.Env = h.env()
	return cmd
}

// run runs a command to completion and returns its combined output.
func (h *Harness) run(ctx context.Context, dsn string, args ...string) (string, error) {
	out, err := h.command(ctx, dsn, args...).CombinedOutput()
	return string(out), err
}

// killAfter starts a command and kills it with SIGKILL after d, unless it ends first.
// It reports whether the kill interrupted it.
func (h *Harness) killAfter(ctx context.Context, d time.Duration, dsn string, args ...string) (bool, error) {
	cmd := h.command(ctx, dsn, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return false, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return false, fmt.Errorf("%s ended before the kill: %w\n%s", args[0], err, out.String())
		}
		return false, nil
	case <-time.After(d):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true, nil
	}
}

// Server is a running `oneretail serve`.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	done chan error
}

// Serve starts the server on dsn and waits until it answers.
func (h *Harness) Serve(ctx context.Context, dsn string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := h.command(ctx, dsn, "serve", "--addr", addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "is running at") {
				close(ready)
				signalled = true
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case <-ready:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("serve exited before it was ready: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		s.Kill()
		return nil, errors.New("serve did not start within 2 minutes")
	}
}

// Kill ends the server with SIGKILL: no shutdown, no deferred writes.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Client calls the API of a server with a bearer token.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

func newClient(base string) *Client {
	return &Client{Base: base, HTTP: &http.Client{Timeout: time.Minute}}
}

// Do sends a JSON request and decodes a 2xx answer into out (when not nil). It
// returns the status, or an error when no answer came.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	if res.StatusCode/100 != 2 && out == nil {
		return res.StatusCode, nil
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, truncate(string(data), 300))
	}
	return res.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// login opens an admin session on the server.
func login(ctx context.Context, base string) (*Client, error) {
	c := newClient(base)
	var out struct {
		Token string `json:"token"`
	}
	if _, err := c.Do(ctx, http.MethodPost, "/api/v1/auth/login", nil,
		map[string]string{"login": "admin", "password": adminPassword}, &out); err != nil {
		return nil, err
	}
	c.Token = out.Token
	return c, nil
}

// openDB opens the database for verification, read-only in spirit: the harness only
// counts what the server stored.
func (h *Harness) openDB(ctx context.Context, dsn string) (*sql.DB, error) {
	driver := "sqlite"
	if db.IsPostgresDSN(dsn) {
		driver = "pgx"
	}
	d, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (h *Harness) logf(format string, args ...any) {
	if h.Log != nil {
		fmt.Fprintf(h.Log, format+"\n", args...)
	}
}
