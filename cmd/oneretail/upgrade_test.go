package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// UpgradeFromEnv names the release TestUpgrade03_FromPreviousRelease upgrades from
// (a git commit or release); `make test-upgrade` sets it to the newest commit in RELEASES
// before HEAD, or "none".
const UpgradeFromEnv = "ONERETAIL_UPGRADE_FROM"

// TestUpgrade03_FromPreviousRelease builds the previous release from its commit,
// has it create the small demo database, adds a promotion, a redemption and
// customers of known phones through its API, and reads a snapshot through the API
// (stores, SKUs and a price, customers, identity reviews, touchpoints, promotions,
// the redemption, a priced cart). Then this code migrates the database (`oneretail
// migrate`) and serves it, and the same reads must give back everything the old
// release answered — new fields may appear, none may change or go. It runs on
// SQLite and, with ONERETAIL_TEST_PG, on PostgreSQL.
func TestUpgrade03_FromPreviousRelease(t *testing.T) {
	t.Parallel()
	release := os.Getenv(UpgradeFromEnv)
	switch release {
	case "":
		t.Skipf("%s is not set: `make test-upgrade` (part of `make test`) sets it to the previous release's commit", UpgradeFromEnv)
	case "none":
		t.Skip("no release in RELEASES is an ancestor of HEAD^ (a shallow clone needs git fetch --unshallow): nothing to upgrade from")
	}
	oldBin := buildRelease(t, release)
	key := pii.NewSecret()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.DSN(t, dialect) // a file path on SQLite, a fresh schema on PostgreSQL
			const password = "upgrade-admin-pass"
			old := func(args ...string) *exec.Cmd {
				c := exec.Command(oldBin, append(args, "--db", dsn, "--pii-key", key)...)
				c.Env = append(os.Environ(), "ONERETAIL_LOG_LEVEL=warn", "ONERETAIL_LOG_FORMAT=json")
				return c
			}
			if out, err := old("demo", "--scale", "small", "--admin-password", password).CombinedOutput(); err != nil {
				t.Fatalf("%s demo: %v\n%s", release, err, out)
			}
			var before snapshot
			serving(t, old("serve", "--addr", "ADDR"), func(api *client) {
				api.login(password)
				api.addData()
				before = api.snapshot()
			})

			migrate := command(t, "migrate", "--db", dsn, "--pii-key", key)
			out, err := migrate.CombinedOutput()
			if err != nil {
				t.Fatalf("migrate %s's database: %v\n%s", release, err, out)
			}
			t.Logf("migrate: %s", lastLine(out))

			var after snapshot
			serving(t, command(t, "serve", "--addr", "ADDR", "--db", dsn, "--pii-key", key), func(api *client) {
				api.login(password)
				after = api.snapshot()
			})
			for _, name := range before.names() {
				if diff := contained(before[name], after[name], name); diff != "" {
					t.Errorf("after the upgrade %s", diff)
				}
			}
			t.Logf("%d reads compared", len(before))
		})
	}
}

// buildRelease builds the oneretail binary of a release release (without the console)
// and returns its path; it skips the test when git or the release is not there.
func buildRelease(t *testing.T, release string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skipf("git is not installed: cannot build %s", release)
	}
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout (%v): cannot build %s", err, release)
	}
	repo := strings.TrimSpace(string(root))
	if err := exec.Command("git", "-C", repo, "rev-parse", "--verify", "--quiet", release+"^{commit}").Run(); err != nil {
		t.Skipf("release %s is not in this clone (git fetch --unshallow, or --tags for a release): %v", release, err)
	}
	src := t.TempDir()
	tarball := filepath.Join(t.TempDir(), release+".tar")
	if out, err := exec.Command("git", "-C", repo, "archive", "--format=tar", "-o", tarball, release).CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v %s", release, err, out)
	}
	if out, err := exec.Command("tar", "-x", "-f", tarball, "-C", src).CombinedOutput(); err != nil {
		t.Fatalf("untar %s: %v %s", release, err, out)
	}
	bin := filepath.Join(t.TempDir(), "oneretail-"+release)
	start := time.Now()
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+release, "-o", bin, "./cmd/oneretail")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", release, err, out)
	}
	t.Logf("built %s in %s", release, time.Since(start).Round(time.Second))
	return bin
}

// serving starts cmd (its "ADDR" argument replaced by a free address), waits until
// it is ready, runs fn against it and stops it with SIGTERM.
func serving(t *testing.T, cmd *exec.Cmd, fn func(*client)) {
	t.Helper()
	addr := freeAddr(t)
	for i, a := range cmd.Args {
		if a == "ADDR" {
			cmd.Args[i] = addr
		}
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited before it was ready: %v\n%s", strings.Join(cmd.Args, " "), err, logs.String())
		case <-ctx.Done():
			t.Fatalf("%s never became ready\n%s", strings.Join(cmd.Args, " "), logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	fn(&client{t: t, base: "http://" + addr})
}

// client calls the API as the demo admin and fails the test on an unexpected status.
type client struct {
	t     *testing.T
	base  string
	token string
	// what addData created, for the snapshot
	promotionID string
}

func (c *client) do(method, path, body string, want int) []byte {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	return raw
}

func (c *client) json(method, path, body string, want int, out any) {
	c.t.Helper()
	if err := json.Unmarshal(c.do(method, path, body, want), out); err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
}

func (c *client) login(password string) {
	c.t.Helper()
	var r struct {
		Token string `json:"token"`
	}
	c.json("POST", "/api/v1/auth/login", fmt.Sprintf(`{"login":"admin","password":%q}`, password), 200, &r)
	c.token = r.Token
}

// upgradeCart is priced before and after the upgrade.
const upgradeCart = `{"lines":[{"id":"1","sku":"UPG-A","unit":"each","qty":2,"unit_price":6000},{"id":"2","sku":"UPG-B","unit":"each","qty":1,"unit_price":4500}],"channel":"pos","time_zone":"Asia/Shanghai"}`

// upgradePhones are customers the old release ingests, read back after the upgrade.
var upgradePhones = []string{"13800135001", "13800135002", "13800135003"}

// addData writes through the old release what its demo lacks: a promotion with a
// budget, a redemption, and events of known customers.
func (c *client) addData() {
	c.t.Helper()
	var p struct {
		ID string `json:"id"`
	}
	c.json("POST", "/api/v1/promotions", `{"code":"UPGRADE","name":"满100减10","limits":{"budget_fen":100000},"definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":1000}]}}}`, 201, &p)
	c.promotionID = p.ID
	c.do("POST", "/api/v1/promotions/"+p.ID+"/activate", "", 200)
	priced := c.do("POST", "/api/v1/carts/price", upgradeCart, 200)
	c.do("POST", "/api/v1/promotion-redemptions", redemptionBody("UPG-1", priced), 201)

	var tps struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	c.json("GET", "/api/v1/touchpoints?limit=1", "", 200, &tps)
	if len(tps.Items) == 0 {
		c.t.Fatal("the demo has no touchpoint")
	}
	var events []string
	for i, phone := range upgradePhones {
		for j := range 2 {
			events = append(events, fmt.Sprintf(`{"id":"upg-%d-%d","type":"order","occurred_at":"2026-10-0%dT10:00:00Z","identifiers":{"phone":%q,"member_card":"UPG%d"},"properties":{"name":"升级 %d","amount_fen":%d}}`,
				i, j, j+1, phone, i, i, 1000*(i+1)))
		}
	}
	c.do("POST", "/api/v1/events", fmt.Sprintf(`{"touchpoint":%q,"events":[%s]}`, tps.Items[0].Code, strings.Join(events, ",")), 200)
}

// redemptionBody commits a priced cart in the shape the release speaks: from v0.2.0
// the price answer carries a signed priced_token and the server re-prices; v0.1.0
// took the priced cart back from the client (issue 10 finding 3 ended that).
func redemptionBody(orderID string, priced []byte) string {
	var answer struct {
		PricedToken string `json:"priced_token"`
	}
	if json.Unmarshal(priced, &answer) == nil && answer.PricedToken != "" {
		return fmt.Sprintf(`{"order_id":%q,"priced_token":%q}`, orderID, answer.PricedToken)
	}
	return fmt.Sprintf(`{"order_id":%q,"customer_id":"someone","priced_cart":%s}`, orderID, priced)
}

// snapshot is the decoded answers of the reads, by a name that says which read.
type snapshot map[string]any

func (s snapshot) names() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// volatile fields change with the clock or with each call, not with the data; message
// is the wording of an explanation, which a release may improve (the figures it
// explains are fields of their own, and those are compared).
var volatile = map[string]bool{"health": true, "last_used_at": true, "$schema": true, "expires_at": true,
	"priced_token": true, "priced_token_expires_at": true, "message": true}

func (c *client) snapshot() snapshot {
	c.t.Helper()
	s := snapshot{}
	get := func(name, path string) any {
		var v any
		c.json("GET", path, "", 200, &v)
		s[name] = v
		return v
	}
	get("store summary", "/api/v1/store-summary")
	get("catalogue summary", "/api/v1/catalog-summary")
	for _, p := range pages(c, "/api/v1/stores?limit=200") {
		s["stores "+p.cursor] = p.body
	}
	skus := get("SKUs first page", "/api/v1/skus?limit=100").(map[string]any)["items"].([]any)
	stores := s["stores "].(map[string]any)["items"].([]any)
	for i := 0; i < len(skus) && i < 5; i++ {
		id := skus[i].(map[string]any)["id"].(string)
		get("SKU "+id, "/api/v1/skus/"+id)
		store := stores[i%len(stores)].(map[string]any)["id"].(string)
		get("price of SKU "+id+" in "+store, "/api/v1/skus/"+id+"/price?store_id="+store)
	}
	get("categories", "/api/v1/categories")
	get("touchpoints", "/api/v1/touchpoints?limit=100")
	reviews := get("identity reviews", "/api/v1/identity-reviews?limit=20").(map[string]any)["items"].([]any)
	for i := 0; i < len(reviews) && i < 5; i++ {
		id := reviews[i].(map[string]any)["customer_id"].(string)
		get("customer "+id+" (review)", "/api/v1/customers/"+id)
	}
	for _, phone := range upgradePhones {
		found := get("customer by phone "+phone, "/api/v1/customers?identifier=phone:"+phone).(map[string]any)
		id, _ := found["id"].(string)
		if id == "" {
			c.t.Fatalf("customer of %s has no id: %v", phone, found)
		}
		get("customer "+phone+" 360", "/api/v1/customers/"+id)
		get("customer "+phone+" events", "/api/v1/customers/"+id+"/events")
	}
	get("promotions", "/api/v1/promotions?limit=100")
	promos := s["promotions"].(map[string]any)["items"].([]any)
	for _, p := range promos {
		id := p.(map[string]any)["id"].(string)
		get("promotion "+id, "/api/v1/promotions/"+id)
	}
	get("redemption UPG-1", "/api/v1/promotion-redemptions/UPG-1")
	var priced any
	c.json("POST", "/api/v1/carts/price", upgradeCart, 200, &priced)
	s["priced cart"] = priced
	return s
}

type page struct {
	cursor string
	body   any
}

func pages(c *client, path string) []page {
	var out []page
	for cursor := ""; ; {
		var v map[string]any
		c.json("GET", path+"&cursor="+cursor, "", 200, &v)
		out = append(out, page{cursor, v})
		next, _ := v["next_cursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// contained returns "" when every field of old is in new with the same value
// (objects may gain fields; arrays keep their length and order), or where not.
func contained(old, new any, at string) string {
	switch o := old.(type) {
	case map[string]any:
		n, ok := new.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: was an object, now %v", at, new)
		}
		for k, v := range o {
			if volatile[k] {
				continue
			}
			nv, ok := n[k]
			if !ok {
				return fmt.Sprintf("%s.%s: gone (was %v)", at, k, v)
			}
			if d := contained(v, nv, at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		n, ok := new.([]any)
		if !ok || len(n) != len(o) {
			return fmt.Sprintf("%s: %d items before, now %v", at, len(o), summary(new))
		}
		for i := range o {
			if d := contained(o[i], n[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(old, new) {
		return fmt.Sprintf("%s: was %v, now %v", at, old, new)
	}
	return ""
}

func summary(v any) string {
	if a, ok := v.([]any); ok {
		return fmt.Sprintf("%d items", len(a))
	}
	return fmt.Sprint(v)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
