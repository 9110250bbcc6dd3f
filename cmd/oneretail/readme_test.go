package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
)

// readmeCommands returns the lines of the README's ```sh blocks, with continuation
// lines joined and trailing comments removed.
func readmeCommands(readme string) []string {
	var out []string
	in, joined := false, ""
	for _, line := range strings.Split(readme, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```sh"):
			in = true
			continue
		case strings.HasPrefix(trimmed, "```"):
			in = false
			continue
		case !in:
			continue
		}
		if rest, ok := strings.CutSuffix(trimmed, `\`); ok {
			joined += rest + " "
			continue
		}
		if cmd := stripComment(joined + trimmed); cmd != "" {
			out = append(out, cmd)
		}
		joined = ""
	}
	return out
}

// stripComment removes a shell comment that starts outside quotes.
func stripComment(line string) string {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' '):
			return strings.TrimSpace(line[:i])
		}
	}
	return strings.TrimSpace(line)
}

// shellWords splits a command line as a POSIX shell would for what the README
// uses: words, single and double quotes.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeTour runs what the README's tour shows on a fresh small demo, so that it
// cannot drift again (issue 16): every `bin/oneretail` command (the ones that serve
// forever or load the large demo are checked for their flags, not run), every curl
// call with a real key, and every console URL it names.
func TestReadmeTour(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads the small demo chain")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "oneretail.db")
	if _, err := runCLI("demo", "--db", dbPath, "--scale", "small", "--orders", "100", "--admin-password", "readme-tour-pass", "--log-level", "error"); err != nil {
		t.Fatal(err)
	}
	a := openApp(t, &options{db: dbPath})
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	key := tourKey(t, a)
	// Step 6 registers the checkout lane in the console first.
	if code, b := call(t, srv, "POST", "/api/v1/touchpoints", key,
		`{"code":"POS-SH001-2","name":"收银 SH001 二号","type":"offline","channel":"pos"}`); code != http.StatusCreated {
		t.Fatalf("register POS-SH001-2: %d %s", code, b)
	}
	if err := os.WriteFile(filepath.Join(dir, "members.csv"), []byte("手机号,姓名\n13800138000,王小明\n13900139000,李雷\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cmds := readmeCommands(string(readme))
	ran := 0
	for _, line := range cmds {
		words := shellWords(line)
		switch words[0] {
		case "make": // the two commands themselves: make run is `serve --demo small`, checked below
		case "curl":
			tourCurl(t, srv, key, words)
			ran++
		case "bin/oneretail":
			tourCommand(t, words[1:], dir, dbPath)
			ran++
		default:
			t.Errorf("README shows a command the tour test does not know: %s", line)
		}
	}
	if ran < 10 {
		t.Fatalf("ran %d commands of the README; did the README change shape? %q", ran, cmds)
	}
	if !strings.Contains(string(readme), "--touchpoint "+demo.CRMTouchpoint) {
		t.Errorf("the README's import does not name the demo's CRM touchpoint %s", demo.CRMTouchpoint)
	}
	urls := regexp.MustCompile(`http://localhost:8080(/api/openapi[\w.-]*\.json)`).FindAllStringSubmatch(string(readme), -1)
	if len(urls) == 0 {
		t.Error("the README no longer names the OpenAPI document's address")
	}
	for _, m := range urls {
		if code, _ := call(t, srv, "GET", m[1], "", ""); code != http.StatusOK {
			t.Errorf("GET %s named by the README: %d", m[1], code)
		}
	}
}

// tourKey returns a key of the demo tenant with every scope, for the tour's curl calls.
func tourKey(t *testing.T, a *app.App) string {
	t.Helper()
	ctx := context.Background()
	tn, err := a.Org.FindTenantByCode(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := a.Org.CreateAPIKey(auth.WithPrincipal(ctx, auth.System(tn.ID)), org.APIKeyCreate{Name: "readme", Scopes: auth.AllScopes()})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// call sends a request to srv with an optional bearer key and JSON body and returns
// the status and body.
func call(t *testing.T, srv *httptest.Server, method, path, key, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// openApp opens the app on the SQLite file dbPath; the test closes it.
func openApp(t *testing.T, opts *options) *app.App {
	t.Helper()
	opts.logFormat, opts.logLevel = "text", "error"
	a, err := opts.open(context.Background(), app.Config{Org: org.TestConfig()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// tourCurl sends a README curl call to the test server with the real key.
func tourCurl(t *testing.T, srv *httptest.Server, key string, words []string) {
	t.Helper()
	req, err := http.NewRequest("GET", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for i := 1; i < len(words); i++ {
		switch words[i] {
		case "-H":
			i++
			name, value, _ := strings.Cut(words[i], ": ")
			req.Header.Set(name, strings.ReplaceAll(value, "or_live_…", key))
		case "-d":
			i++
			body = words[i]
		default:
			u, ok := strings.CutPrefix(words[i], "http://localhost:8080")
			if !ok {
				t.Fatalf("curl argument %q", words[i])
			}
			req.URL, err = req.URL.Parse(srv.URL + u)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if body != "" {
		req.Method = "POST"
		req.Body = io.NopCloser(strings.NewReader(body))
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 || !strings.Contains(string(b), "{") {
		t.Errorf("README curl %s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b)
	}
}

// tourCommand runs a README `bin/oneretail` command on the tour's database (the
// README's default ./data/oneretail.db) or, for another --db file, one in dir.
// Commands that serve until stopped, and the large demo, are parsed, not run.
func tourCommand(t *testing.T, args []string, dir, dbPath string) {
	t.Helper()
	hasDB := false
	for i, a := range args {
		switch {
		case a == "--db" && i+1 < len(args):
			hasDB = true
			if !strings.HasPrefix(args[i+1], "postgres://") {
				args[i+1] = filepath.Join(dir, filepath.Base(args[i+1]))
			}
		case a == "members.csv":
			args[i] = filepath.Join(dir, a)
		}
	}
	if !strings.HasPrefix(args[0], "-") { // not `oneretail --help`
		if !hasDB {
			args = append(args, "--db", dbPath)
		}
		args = append(args, "--log-level", "error")
	}
	root := newRootCommand()
	if args[0] == "serve" || (args[0] == "demo" && strings.Contains(strings.Join(args, " "), "large")) {
		cmd, rest, err := root.Find(args)
		if err == nil {
			err = cmd.ParseFlags(rest)
		}
		if err != nil {
			t.Errorf("README command oneretail %s: %v", strings.Join(args, " "), err)
		}
		return
	}
	if out, err := runCLI(args...); err != nil {
		t.Errorf("README command oneretail %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
