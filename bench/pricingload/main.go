// Command pricingload measures the pricing API under load: it starts OneRetail in this
// process on a fresh database with 24 active promotions, next to a baseline handler
// that answers the same priced-cart JSON with no router, auth, database or engine, and
// drives both with wrk from a second process posting a 30-line cart. It prints
// requests/s, latency percentiles and the ratio to the baseline.
//
//	go run ./bench/pricingload
//	go run ./bench/pricingload --db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "a directory for a fresh SQLite file, or a postgres:// DSN (a new schema is made there)")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per target")
	connections := flag.Int("connections", 16, "wrk connections")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the OneRetail run to this file")
	flag.Parse()
	if err := run(*dsn, *duration, *connections, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "pricingload:", err)
		os.Exit(1)
	}
}

func run(target string, duration time.Duration, connections int, cpuProfile string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn, drop, err := benchdb.Fresh(target, "pricingload")
	if err != nil {
		return err
	}
	defer drop()
	a, err := app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		return err
	}
	defer a.Close()
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "bench", TenantName: "Bench", AdminLogin: "admin",
		AdminName: "Admin", AdminPassword: "bench-password-1"})
	if err != nil {
		return err
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	if err := promotions(sys, a.Promotion); err != nil {
		return err
	}
	_, key, err := a.Org.CreateAPIKey(sys, org.APIKeyCreate{Name: "pos", Scopes: []auth.Scope{auth.PricingUse}})
	if err != nil {
		return err
	}
	body, err := json.Marshal(cart())
	if err != nil {
		return err
	}
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go a.Run(ctx, appLn)
	url := "http://" + appLn.Addr().String() + "/api/v1/carts/price"
	priced, err := post(url, key, body)
	if err != nil {
		return err
	}
	baseLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(baseLn, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(priced)
	}))
	script := filepath.Join(os.TempDir(), fmt.Sprintf("pricingload-%d.lua", os.Getpid()))
	lua := fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer %s\"\n", body, key)
	if err := os.WriteFile(script, []byte(lua), 0o600); err != nil {
		return err
	}
	defer os.Remove(script)
	base, err := wrk.Run("http://"+baseLn.Addr().String()+"/", duration, connections, "-s", script)
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	got, err := wrk.Run(url, duration, connections, "-s", script)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	engineName := "sqlite"
	if db.IsPostgresDSN(dsn) {
		engineName = "postgres"
	}
	out, _ := json.Marshal(map[string]any{"engine": engineName, "endpoint": "POST /api/v1/carts/price (30 lines, 24 active promotions, API key)",
		"connections": connections, "duration_s": duration.Seconds(), "baseline": base, "oneretail": got, "ratio": got.RPS / base.RPS,
		"response_bytes": len(priced)})
	fmt.Println(string(out))
	return nil
}

// promotions creates and activates a realistic mix: a whole-order 满减, member prices,
// category percent-offs, 第二件半价 and buy-2-get-1 on SKU lists, a bundle, a gift.
func promotions(ctx context.Context, s *promotion.Service) error {
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
			return fmt.Errorf("create promotion %d: %w", i, err)
		}
		if _, err := s.Activate(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// cart is a 30-line basket over six categories, bought by a gold member.
func cart() map[string]any {
	lines := make([]map[string]any, 30)
	for i := range lines {
		lines[i] = map[string]any{"id": strconv.Itoa(i + 1), "sku": fmt.Sprintf("S%02d", i+1), "category": fmt.Sprintf("C%d", i%6),
			"unit": "each", "qty": 1 + i%3, "unit_price": 990 + 350*i}
	}
	return map[string]any{"lines": lines, "tier": "gold", "channel": "pos", "time_zone": "Asia/Shanghai"}
}

func post(url, key string, body []byte) ([]byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("price: %d %s", res.StatusCode, b)
	}
	return b, err
}
