// Command scale measures the reads the console makes against a running OneRetail
// holding a demo chain (issue 17): it logs in as the demo admin, finds a SKU, a
// store, a name fragment and a barcode to ask for, calls each read n times in turn
// and prints p50 and p95 per read as a Markdown table.
//
//	oneretail demo --scale large --db /tmp/large.db --admin-password 'Scale-Bench-2026!'
//	oneretail serve --db /tmp/large.db --addr 127.0.0.1:18080 &
//	go run ./bench/scale --url http://127.0.0.1:18080 --password 'Scale-Bench-2026!'
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/oneretail/oneretail/bench/benchapi"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server")
	login := flag.String("login", "admin", "demo admin login")
	password := flag.String("password", "", "demo admin password")
	n := flag.Int("n", 20, "calls per read")
	flag.Parse()
	if err := run(*base, *login, *password, *n); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

type item map[string]any

type page struct {
	Items []item `json:"items"`
}

func run(base, login, password string, n int) error {
	body, err := json.Marshal(map[string]string{"login": login, "password": password})
	if err != nil {
		return err
	}
	raw, err := benchapi.Do(base, "", "POST", "/api/v1/auth/login", string(body), nil)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var session struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(raw, &session); err != nil {
		return err
	}
	get := func(path string, out any) error {
		raw, err := benchapi.Do(base, session.Token, "GET", path, "", nil)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if out != nil {
			return json.Unmarshal(raw, out)
		}
		return nil
	}
	var skus, stores page
	if err := get("/api/v1/skus?limit=200", &skus); err != nil {
		return err
	}
	if err := get("/api/v1/stores?limit=1", &stores); err != nil {
		return err
	}
	if len(skus.Items) == 0 || len(stores.Items) == 0 {
		return fmt.Errorf("no SKUs or stores: load a demo chain first")
	}
	sku, barcode := skus.Items[0], ""
	for _, s := range skus.Items {
		if bs, _ := s["barcodes"].([]any); len(bs) > 0 {
			sku, barcode = s, bs[0].(string)
			break
		}
	}
	skuID, _ := sku["id"].(string)
	storeID, _ := stores.Items[0]["id"].(string)
	fragment := hanPair(sku["name"].(string))
	reads := []struct{ name, path string }{
		{"stores, first page", "/api/v1/stores?limit=50"},
		{"store summary", "/api/v1/store-summary"},
		{"stores by name", "/api/v1/stores?limit=50&q=" + url.QueryEscape("店")},
		{"catalog summary", "/api/v1/catalog-summary"},
		{"products, first page", "/api/v1/products?limit=50"},
		{"products by name (2 chars)", "/api/v1/products?limit=50&q=" + url.QueryEscape(fragment)},
		{"SKUs, first page", "/api/v1/skus?limit=50"},
		{"SKUs by name (2 chars)", "/api/v1/skus?limit=50&q=" + url.QueryEscape(fragment)},
		{"SKUs by barcode", "/api/v1/skus?barcode=" + barcode},
		{"SKUs by digits (q)", "/api/v1/skus?q=" + barcode},
		{"SKU detail", "/api/v1/skus/" + skuID},
		{"SKU price in a store", "/api/v1/skus/" + skuID + "/price?store_id=" + storeID},
		{"audit trail, first page", "/api/v1/audit-events?limit=50"},
		{"audit trail by action", "/api/v1/audit-events?limit=50&action=price.set"},
		{"domain events, first page", "/api/v1/domain-events?limit=50"},
		{"domain events by type", "/api/v1/domain-events?limit=50&type=catalog.sku.created"},
	}
	fmt.Printf("| read | p50 ms | p95 ms |\n|---|---:|---:|\n")
	for _, r := range reads {
		if err := get(r.path, nil); err != nil { // warm up, and fail early
			return err
		}
		times := make([]time.Duration, n)
		for i := range n {
			start := time.Now()
			if err := get(r.path, nil); err != nil {
				return err
			}
			times[i] = time.Since(start)
		}
		slices.Sort(times)
		fmt.Printf("| %s | %s | %s |\n", r.name, ms(times[n/2]), ms(times[(n*95+99)/100-1]))
	}
	fmt.Printf("\n(%d calls each; name fragment %q, barcode %s)\n", n, fragment, strings.TrimSpace(barcode))
	return nil
}

// hanPair returns the last two adjacent Chinese characters of s (a substring that
// is not a prefix), or s.
func hanPair(s string) string {
	r := []rune(s)
	for i := len(r) - 2; i >= 0; i-- {
		if unicode.Is(unicode.Han, r[i]) && unicode.Is(unicode.Han, r[i+1]) {
			return string(r[i : i+2])
		}
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
