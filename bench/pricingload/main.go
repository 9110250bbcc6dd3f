// Command pricingload measures the pricing API under load: it starts OneRetail in this
// process on a fresh database with 24 active promotions, next to a baseline handler
// that answers the same priced-cart JSON with no router, auth, database or engine, and
// drives both with wrk from a second process posting carts drawn in turn from a pool
// of generated carts (20–40 lines, some SKUs under no promotion, two in three bought by
// a gold member). For each response detail (full, lines) and each connection count it
// prints requests/s, p50 and p99 latency and the ratio to the baseline. Any failure to
// set up (wrk missing, an answer outside 2xx while warming up) ends it with a non-zero
// exit and the step that failed.
//
//	go run ./bench/pricingload
//	go run ./bench/pricingload --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "a directory for a fresh SQLite file, or a postgres:// DSN (a new schema is made there)")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per target and setting")
	connections := flag.String("connections", "4,8,16", "wrk connection counts, comma-separated")
	details := flag.String("detail", "full,lines", "response details to measure, comma-separated: full, lines (?detail=lines)")
	pool := flag.Int("carts", 64, "generated carts in the pool")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of each OneRetail run to this file, suffixed -<detail>-c<connections>")
	withPromotions := flag.Bool("promotions", true, "activate the 24 promotions; false prices against none, measuring the request path without the engine's search")
	flag.Parse()
	conns, err := counts(*connections)
	if err == nil {
		err = run(*dsn, *duration, conns, strings.Split(*details, ","), *pool, *cpuProfile, *withPromotions)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pricingload: FAILED:", err)
		os.Exit(1)
	}
}

func counts(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-connections: %q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(target string, duration time.Duration, conns []int, details []string, pool int, cpuProfile string, withPromotions bool) error {
	if err := wrk.Check(); err != nil {
		return err
	}
	for _, d := range details {
		if d != "full" && d != "lines" {
			return fmt.Errorf("-detail: %q is neither full nor lines", d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := benchapi.Start(ctx, benchapi.BootOptions{Target: target, Name: "pricingload", Scopes: []auth.Scope{auth.PricingUse}})
	if err != nil {
		return err
	}
	defer b.Close()
	active := 0
	if withPromotions {
		if active, err = promotions(b.System, b.App.Promotion); err != nil {
			return fmt.Errorf("create the promotions: %w", err)
		}
	}
	generated := generateCarts(pool)
	carts := make([]string, pool)
	for i, c := range generated {
		raw, err := json.Marshal(c)
		if err != nil {
			return err
		}
		carts[i] = string(raw)
	}
	service, err := serviceTime(b, generated)
	if err != nil {
		return err
	}
	for _, detail := range details {
		query := ""
		if detail == "lines" {
			query = "?detail=lines"
		}
		// Warm-up prices every cart of the pool once; the answers are what the
		// baseline serves.
		answers := make([][]byte, len(carts))
		for i, c := range carts {
			if answers[i], err = b.Warm(1, http.MethodPost, "/api/v1/carts/price"+query, c); err != nil {
				return fmt.Errorf("cart %d: %w", i, err)
			}
		}
		var size int
		for _, a := range answers {
			size += len(a)
		}
		baseURL, stopBase, err := baseline(answers)
		if err != nil {
			return err
		}
		script, err := luaScript(carts, b.Key)
		if err != nil {
			stopBase()
			return err
		}
		for _, c := range conns {
			base, err := wrk.Run(baseURL+query, duration, c, "-s", script)
			if err != nil {
				stopBase()
				return fmt.Errorf("baseline, %d connections: %w", c, err)
			}
			profile := ""
			if cpuProfile != "" {
				profile = fmt.Sprintf("%s-%s-c%d", cpuProfile, detail, c)
			}
			stop, err := benchapi.Profile(profile)
			if err != nil {
				stopBase()
				return err
			}
			got, err := wrk.Run(b.Base+"/api/v1/carts/price"+query, duration, c, "-s", script)
			if err := errors.Join(err, stop()); err != nil {
				stopBase()
				return fmt.Errorf("OneRetail, %d connections: %w", c, err)
			}
			out, _ := json.Marshal(map[string]any{"engine": b.Engine, "detail": detail, "connections": c, "duration_s": duration.Seconds(),
				"endpoint": fmt.Sprintf("POST /api/v1/carts/price%s (%d generated carts of 20-40 lines, %d active promotions, API key)", query, len(carts), active),
				"baseline": base, "oneretail": got, "ratio": got.RPS / base.RPS, "mean_response_bytes": size / len(answers),
				"service_us_per_cart": service.Microseconds()})
			fmt.Println(string(out))
		}
		stopBase()
		os.Remove(script)
	}
	return nil
}

// serviceTime is what pricing and signing a cart of the pool costs in the promotion
// service alone (PriceCartForCommit: the index, the engine and the token; no HTTP,
// auth or JSON), on one goroutine: the part of a request the request path cannot cut.
func serviceTime(b *benchapi.Boot, carts []map[string]any) (time.Duration, error) {
	pos := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KeyPrincipal, ID: "bench", TenantID: b.Tenant.ID,
		Scopes: []auth.Scope{auth.PricingUse}, DataScope: auth.TenantScope})
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return 0, err
	}
	const rounds = 3
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, c := range carts {
			var cart engine.Cart
			for _, l := range c["lines"].([]map[string]any) {
				cart.Lines = append(cart.Lines, engine.Line{ID: l["id"].(string), SKU: l["sku"].(string), Category: l["category"].(string),
					Unit: engine.UnitEach, Qty: int64(l["qty"].(int)), UnitPrice: int64(l["unit_price"].(int))})
			}
			tier, _ := c["tier"].(string)
			if _, err := b.App.Promotion.PriceCartForCommit(pos, cart, engine.Context{Channel: "pos", Tier: tier, Location: shanghai}, ""); err != nil {
				return 0, fmt.Errorf("price in process: %w", err)
			}
		}
	}
	return time.Since(start) / time.Duration(rounds*len(carts)), nil
}

// baseline serves the priced carts' answers in turn after reading the request body:
// the same bytes OneRetail sends, with no router, auth, database or engine.
func baseline(answers [][]byte) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen for the baseline: %w", err)
	}
	var next atomic.Uint64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answers[next.Add(1)%uint64(len(answers))])
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// luaScript writes the wrk script that posts the carts in turn, each wrk thread
// starting at its own place in the pool.
func luaScript(carts []string, key string) (string, error) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer %s\"\n", key)
	sb.WriteString("local bodies = {\n")
	for _, c := range carts {
		fmt.Fprintf(&sb, "  %q,\n", c)
	}
	sb.WriteString("}\nlocal i = 0\nlocal threads = 0\n")
	sb.WriteString("function setup(thread) threads = threads + 1; thread:set(\"start\", threads * 17) end\n")
	sb.WriteString("function init(args) i = start or 0 end\n")
	sb.WriteString("function request() i = i + 1; return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1]) end\n")
	path := filepath.Join(os.TempDir(), fmt.Sprintf("pricingload-%d.lua", os.Getpid()))
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return "", fmt.Errorf("write the wrk script: %w", err)
	}
	return path, nil
}

// promotions creates and activates a realistic mix: a whole-order 满减, member prices,
// category percent-offs, 第二件半价 and buy-2-get-1 on SKU lists, a bundle, a gift.
func promotions(ctx context.Context, s *promotion.Service) (int, error) {
	var defs []engine.Promotion
	defs = append(defs,
		engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true}, Group: "order",
			Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 19900, Off: 2000}, {Spend: 29900, Off: 5000}}}},
		engine.Promotion{Kind: engine.KindGift, Scope: engine.Scope{All: true}, Gift: &engine.Gift{SKU: "GIFT", Qty: 1, Spend: 39900}},
		engine.Promotion{Kind: engine.KindMemberPrice, Scope: engine.Scope{Categories: []string{"C1", "C2"}}, Group: "member",
			Conditions: engine.Conditions{Tiers: []string{"gold"}}, PercentOff: &engine.PercentOff{OffBP: 500}},
		engine.Promotion{Kind: engine.KindBundle, Bundle: &engine.Bundle{Price: 1500,
			Components: []engine.BundleComponent{{SKUs: []string{"S01"}, Qty: 1}, {SKUs: []string{"S02"}, Qty: 1}}}},
	)
	for i := 0; i < 10; i++ {
		defs = append(defs, engine.Promotion{Kind: engine.KindPercentOff, Group: fmt.Sprintf("cat%d", i%3),
			Scope: engine.Scope{Categories: []string{fmt.Sprintf("C%d", i%6)}}, PercentOff: &engine.PercentOff{OffBP: int64(500 + 100*i)}})
	}
	for i := 0; i < 10; i++ {
		sku := func(n int) string { return fmt.Sprintf("S%02d", (n%30)+1) }
		if i%2 == 0 {
			defs = append(defs, engine.Promotion{Kind: engine.KindNthItem, Scope: engine.Scope{SKUs: []string{sku(3 * i), sku(3*i + 1)}},
				NthItem: &engine.NthItem{N: 2, OffBP: 5000}})
		} else {
			defs = append(defs, engine.Promotion{Kind: engine.KindBuyXGetY, Scope: engine.Scope{SKUs: []string{sku(3 * i), sku(3*i + 2)}},
				BuyXGetY: &engine.BuyXGetY{Buy: 2, Get: 1}})
		}
	}
	for i, def := range defs {
		p, err := s.CreatePromotion(ctx, promotion.NewPromotion{Code: fmt.Sprintf("P%02d", i), Name: fmt.Sprintf("promotion %d", i), Definition: def})
		if err != nil {
			return 0, fmt.Errorf("create promotion %d: %w", i, err)
		}
		if _, err := s.Activate(ctx, p.ID); err != nil {
			return 0, err
		}
	}
	return len(defs), nil
}

// generateCarts returns n carts of 20–40 lines over SKUs S01–S40 (the promotions
// name S01–S30 and categories C0–C5; a SKU's category and price are fixed), one to
// three units a line, two in three bought by a gold member. The seed is fixed so that
// every run prices the same pool.
func generateCarts(n int) []map[string]any {
	rng := rand.New(rand.NewPCG(15, 7))
	out := make([]map[string]any, n)
	for c := range out {
		skus := rng.Perm(40)[:20+rng.IntN(21)]
		lines := make([]map[string]any, len(skus))
		for i, s := range skus {
			lines[i] = map[string]any{"id": strconv.Itoa(i + 1), "sku": fmt.Sprintf("S%02d", s+1), "category": fmt.Sprintf("C%d", s%6),
				"unit": "each", "qty": 1 + rng.IntN(3), "unit_price": 990 + 350*s}
		}
		cart := map[string]any{"lines": lines, "channel": "pos", "time_zone": "Asia/Shanghai"}
		if c%3 != 2 {
			cart["tier"] = "gold"
		}
		out[c] = cart
	}
	return out
}
