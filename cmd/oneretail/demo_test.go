package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// runCLIAll runs the root command with args under ctx and returns its standard
// output and standard error.
func runCLIAll(ctx context.Context, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

var progressLine = regexp.MustCompile(`^customer events: \d+/\d+ \((\d+)%\)`)

// TestResilience04_KilledDemoLoadIsRemovedAndReloaded kills `oneretail demo` with
// SIGKILL part-way through the customer events, on a database that already exists
// (PostgreSQL, and a migrated SQLite file: both load in place). Before, the half
// tenant stayed: `demo` refused to run again ("already holds a tenant") and `serve
// --demo` started on the partial chain without a word. Now `serve` refuses to start
// and names the interrupted load, and `demo` removes it and loads the whole chain.
func TestResilience04_KilledDemoLoadIsRemovedAndReloaded(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads the small demo chain on each engine")
	}
	key := pii.NewSecret()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.MigratedDSN(t, dialect)
			common := []string{"--db", dsn, "--pii-key", key, "--sqlite-sync", "normal", "--log-level", "error"}
			if _, err := runCLI(append([]string{"migrate"}, common...)...); err != nil {
				t.Fatal(err)
			}

			load := command(t, append([]string{"demo", "--scale", "small", "--orders", "-1", "--admin-password", "killed-demo-pass"}, common...)...)
			stderr, err := load.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := load.Start(); err != nil {
				t.Fatal(err)
			}
			killed := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if m := progressLine.FindStringSubmatch(sc.Text()); m != nil {
						if pct, _ := strconv.Atoi(m[1]); pct >= 20 {
							_ = load.Process.Kill() // SIGKILL: no deferred clean-up runs
							killed <- sc.Text()
							return
						}
					}
				}
				close(killed)
			}()
			select {
			case line, ok := <-killed:
				if !ok {
					t.Fatal("the demo load ended before it reached the customer events")
				}
				t.Logf("killed at %q", line)
			case <-time.After(5 * time.Minute):
				t.Fatal("the demo load never reached 20% of the customer events")
			}
			_ = load.Wait()

			// Generous: under load the migration check waits for PostgreSQL's migration lock,
			// which every test schema on the server shares. A serve that started would
			// block until then and fail the test.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, _, err = runCLIAll(ctx, append([]string{"serve", "--addr", freeAddr(t)}, common...)...)
			if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "oneretail demo") {
				t.Fatalf("serve on the half-loaded demo: %v; want a refusal naming the interrupted load", err)
			}

			out, errOut, err := runCLIAll(context.Background(), append([]string{"demo", "--scale", "small", "--orders", "-1", "--admin-password", "killed-demo-pass"}, common...)...)
			if err != nil {
				t.Fatalf("demo rerun: %v\n%s", err, errOut)
			}
			if !strings.Contains(errOut, "removed the demo load that was interrupted earlier") || !strings.Contains(out, "admin login") {
				t.Errorf("demo rerun said %q / %q", out, errOut)
			}

			d, err := db.Open(context.Background(), dsn, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			chain, err := demo.Generate(demo.ScaleSmall, 1)
			if err != nil {
				t.Fatal(err)
			}
			st := chain.Stats()
			for table, want := range map[string]int{"tenants": 1, "demo_loads": 0, "stores": st.Stores, "skus": st.SKUs, "products": st.Products, "categories": st.Categories} {
				var n int
				if err := d.Reader().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s`, table)).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != want {
					t.Errorf("%s: %d rows after the reload, want %d", table, n, want)
				}
			}
			if err := demo.CheckLoads(context.Background(), d); err != nil {
				t.Error(err)
			}
		})
	}
}
