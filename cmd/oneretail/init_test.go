package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// TestInitThenBuildTheChain is issue 16's done-means on each engine: from an empty
// database, `oneretail init` creates the group and its admin (a second init is
// refused); the admin logs in through the API and creates a brand, region, store,
// category, product and SKU, and reads them back.
func TestInitThenBuildTheChain(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn, key := dbtest.DSN(t, dialect), pii.NewSecret()
			run := func(args ...string) (string, error) {
				return runCLI(append(args, "--db", dsn, "--pii-key", key, "--log-level", "error")...)
			}
			if _, err := run("admin", "create-user", "--login", "x"); err == nil || !strings.Contains(err.Error(), "oneretail init") {
				t.Fatalf("admin command before init: %v", err)
			}
			out, err := run("init", "--group", "华联集团", "--admin-login", "wang", "--code", "hl")
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`password of wang \(shown once\): (\S+)`).FindStringSubmatch(out)
			if m == nil || !strings.Contains(out, "created tenant hl (华联集团)") {
				t.Fatalf("init printed %q", out)
			}
			password := m[1]
			if _, err := run("init", "--group", "Other", "--admin-login", "li", "--admin-password", "correct horse battery"); err == nil ||
				!strings.Contains(err.Error(), "already set up") {
				t.Fatalf("second init: %v", err)
			}
			_, err = run("admin", "create-user", "--login", "clerk", "--name", "Clerk", "--password", "correct horse battery")
			if err == nil || !strings.Contains(err.Error(), "--tenant is required") || !strings.Contains(err.Error(), "hl (华联集团)") {
				t.Fatalf("admin command without --tenant: %v", err)
			}
			if _, err := run("admin", "create-user", "--tenant", "nope", "--login", "clerk", "--name", "Clerk",
				"--password", "correct horse battery"); err == nil || !strings.Contains(err.Error(), "hl (华联集团)") {
				t.Fatalf("admin command with an unknown tenant: %v", err)
			}
			if _, err := run("tenant", "create", "--code", "hosted", "--name", "Hosted Co", "--admin-login", "hosted-admin",
				"--admin-password", "correct horse battery"); err != nil {
				t.Fatal(err)
			}
			if out, err := run("tenant", "list"); err != nil || !strings.Contains(out, "hl ") || !strings.Contains(out, "hosted ") {
				t.Fatalf("tenant list = %q, %v", out, err)
			}
			buildChain(t, dsn, key, password)
		})
	}
}

// buildChain logs in as wang and creates and reads back one of each.
func buildChain(t *testing.T, dsn, key, password string) {
	t.Helper()
	a := openApp(t, &options{db: dsn, piiKey: key})
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	token := login(t, srv.URL, "wang", password)
	api := func(method, path, body string) map[string]any {
		t.Helper()
		code, b := call(t, srv, method, path, token, body)
		var out map[string]any
		if code >= 300 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("%s %s: %d %s", method, path, code, b)
		}
		return out
	}
	create := func(path, body string, args ...any) string {
		t.Helper()
		return api("POST", path, fmt.Sprintf(body, args...))["id"].(string)
	}
	brand := create("/api/v1/brands", `{"code":"HL","name":"华联超市"}`)
	region := create("/api/v1/regions", `{"code":"EAST","name":"华东"}`)
	store := create("/api/v1/stores", `{"brand_id":%q,"region_id":%q,"code":"SH001","name":"华联 南京东路店","format":"supermarket","city":"上海"}`, brand, region)
	category := create("/api/v1/categories", `{"code":"DAIRY","name":"乳制品"}`)
	product := create("/api/v1/products", `{"category_id":%q,"code":"MILK","name":"鲜牛奶"}`, category)
	sku := create("/api/v1/skus", `{"product_id":%q,"code":"MILK-1L","name":"鲜牛奶 1L","list_price_fen":1290}`, product)
	for path, code := range map[string]string{"/api/v1/brands/" + brand: "HL", "/api/v1/regions/" + region: "EAST",
		"/api/v1/stores/" + store: "SH001", "/api/v1/categories/" + category: "DAIRY", "/api/v1/products/" + product: "MILK",
		"/api/v1/skus/" + sku: "MILK-1L"} {
		if got := api("GET", path, ""); got["code"] != code {
			t.Errorf("GET %s = %v, want code %s", path, got, code)
		}
	}
}
