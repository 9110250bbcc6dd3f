package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests start this very binary as `oneretail` (re-exec), so the
// shutdown test exercises the real main, flags and signal handling.
func TestMain(m *testing.M) {
	if os.Getenv("ONERETAIL_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "ONERETAIL_TEST_RUN_MAIN=1", "ONERETAIL_LOG_LEVEL=warn", "ONERETAIL_LOG_FORMAT=json")
	return cmd
}

// TestGracefulShutdownUnderLoad sends SIGTERM while clients read and write: no request
// gets a 5xx, the process exits 0, and every acknowledged write is in the database
// when it is opened again.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the server with the demo chain")
	}
	dbPath := filepath.Join(t.TempDir(), "shutdown.db")
	addr := freeAddr(t)
	cmd := command(t, "serve", "--db", dbPath, "--addr", addr, "--demo", "small", "--demo-orders", "-1", "--admin-password", "shutdown-test-pass")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "is running at") {
				ready <- sc.Text()
			}
		}
	}()
	select {
	case line := <-ready:
		if !strings.Contains(line, "admin / shutdown-test-pass") {
			t.Fatalf("startup line lacks the admin login: %q", line)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("server did not start")
	}
	base := "http://" + addr
	token := login(t, base, "admin", "shutdown-test-pass")

	var (
		ok, failedConn, server5xx atomic.Int64
		created                   sync.Map
		wg                        sync.WaitGroup
		stop                      atomic.Bool
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				var req *http.Request
				code := fmt.Sprintf("SD%d-%d", w, i)
				if i%2 == 0 {
					req, _ = http.NewRequest("GET", base+"/api/v1/stores?limit=20", nil)
				} else {
					req, _ = http.NewRequest("POST", base+"/api/v1/brands", strings.NewReader(`{"code":"`+code+`","name":"Brand `+code+`"}`))
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					failedConn.Add(1)
					if strings.Contains(err.Error(), "refused") {
						return
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch {
				case res.StatusCode >= 500:
					server5xx.Add(1)
				case res.StatusCode == http.StatusCreated:
					created.Store(code, true)
					ok.Add(1)
				case res.StatusCode < 300:
					ok.Add(1)
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("server exited with %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("server did not exit within 60s of SIGTERM")
	}
	stop.Store(true)
	wg.Wait()
	if server5xx.Load() > 0 {
		t.Fatalf("%d requests got a 5xx during shutdown", server5xx.Load())
	}
	if ok.Load() < 10 {
		t.Fatalf("only %d successful requests before shutdown; the load did not run", ok.Load())
	}
	t.Logf("%d ok, %d connection errors after close", ok.Load(), failedConn.Load())

	// Restart on the same database: every brand acknowledged with 201 is there.
	addr2 := freeAddr(t)
	cmd2 := command(t, "serve", "--db", dbPath, "--addr", addr2)
	if err := cmd2.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd2.Process.Kill(); _ = cmd2.Wait() })
	waitHealthy(t, "http://"+addr2)
	token2 := login(t, "http://"+addr2, "admin", "shutdown-test-pass")
	// Page through every brand: a quiet machine acknowledges more than one page.
	var b []byte
	for cursor := ""; ; {
		req, _ := http.NewRequest("GET", "http://"+addr2+"/api/v1/brands?limit=1000&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+token2)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		b = append(b, body...)
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("brands page: %v: %s", err, body)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	missing := 0
	created.Range(func(k, _ any) bool {
		if !strings.Contains(string(b), `"code":"`+k.(string)+`"`) {
			missing++
			t.Errorf("brand %s was acknowledged but is missing after restart", k)
		}
		return true
	})
	if missing == 0 {
		n := 0
		created.Range(func(any, any) bool { n++; return true })
		t.Logf("all %d acknowledged brands survived the restart", n)
	}
	_ = cmd2.Process.Signal(syscall.SIGTERM)
}

func login(t *testing.T, base, user, password string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"login":"`+user+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 || body.Token == "" {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}
	return body.Token
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}
