// Command soak runs OneRetail under sustained mixed load and reports whether it stays
// flat: it builds the binary, loads the small demo chain into a fresh database
// (SQLite or PostgreSQL), starts `oneretail serve` as its own process, and drives it
// through real HTTP with wrk in back-to-back segments (one minute by default) of
// mixed requests — event ingestion (new and returning customers), cart pricing,
// promotion redemptions with an Idempotency-Key, and reads (stores, SKUs, effective
// prices, customers by identifier, promotions). Meanwhile it samples the server's
// resident memory (anonymous, file and shared), the Go heap and the database files.
// It prints a line per segment and, at the end, one JSON document: the segments
// (requests, non-2xx, p50/p99), the samples, and the first segment against the last
// (p99 and RSS ratios) — the baseline is the same server's first minute.
//
//	go run ./bench/soak -db /tmp -duration 30m
//	go run ./bench/soak -db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' -duration 10m
//	go run ./bench/soak -db /tmp -duration 5m -serve-args '--sqlite-cache-kib 2000 --db-conns 16'
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/bench/wrk"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.target, "db", os.TempDir(), "a directory for a fresh SQLite file, or a postgres:// DSN (a new schema is made there)")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Minute, "how long to run the load")
	flag.DurationVar(&cfg.segment, "segment", time.Minute, "length of one wrk run; latency and errors are reported per segment")
	flag.DurationVar(&cfg.sample, "sample", 10*time.Second, "how often to sample the server's memory")
	flag.IntVar(&cfg.connections, "connections", 8, "wrk connections")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "wrk's request timeout: a slower answer counts as a socket error")
	flag.StringVar(&cfg.scale, "scale", "small", "demo scale loaded before the run")
	flag.StringVar(&cfg.bin, "bin", "", "oneretail binary to run (default: go build ./cmd/oneretail into a temporary directory)")
	flag.StringVar(&cfg.serveArgs, "serve-args", "", "extra arguments for `oneretail serve`, space-separated")
	flag.StringVar(&cfg.keep, "keep-log", "", "copy the server's log to this file")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type config struct {
	target, scale, bin, serveArgs, keep string
	duration, segment, sample, timeout  time.Duration
	connections                         int
}

// segment is one wrk run.
type segment struct {
	StartS   float64 `json:"start_s"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"rps"`
	Non2xx   int64   `json:"non_2xx"`
	Errors   int64   `json:"socket_errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// sample is one memory reading of the server process.
type sample struct {
	AtS       float64 `json:"at_s"`
	RSSMiB    float64 `json:"rss_mib"`
	AnonMiB   float64 `json:"anon_mib"`
	FileMiB   float64 `json:"file_mib"`
	ShmemMiB  float64 `json:"shmem_mib"`
	GoHeapMiB float64 `json:"go_heap_inuse_mib"`
	GoSysMiB  float64 `json:"go_sys_mib"`
	DBMiB     float64 `json:"db_files_mib,omitempty"`
}

func run(cfg config) error {
	if cfg.duration < cfg.segment {
		return fmt.Errorf("-duration %s is shorter than one -segment %s", cfg.duration, cfg.segment)
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (apt-get install wrk): %w", err)
	}
	work, err := os.MkdirTemp("", "oneretail-soak")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := cfg.bin
	if bin == "" {
		bin = filepath.Join(work, "oneretail")
		fmt.Fprintln(os.Stderr, "soak: building ./cmd/oneretail")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/oneretail").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %w: %s", err, out)
		}
	}
	dsn, drop, err := benchdb.Fresh(cfg.target, "soak")
	if err != nil {
		return err
	}
	defer drop()
	engine := "sqlite"
	if db.IsPostgresDSN(dsn) {
		engine = "postgres"
	}
	const password = "soak-admin-password"
	env := append(os.Environ(), "ONERETAIL_PII_KEY="+base64.StdEncoding.EncodeToString(pii.TestSecret()), "ONERETAIL_LOG_LEVEL=warn", "ONERETAIL_LOG_FORMAT=json")
	fmt.Fprintf(os.Stderr, "soak: loading the %s demo chain (%s)\n", cfg.scale, engine)
	load := exec.Command(bin, "demo", "--db", dsn, "--scale", cfg.scale, "--admin-password", password)
	load.Env = env
	if out, err := load.CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %w: %s", err, out)
	}

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logPath := filepath.Join(work, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	args := append([]string{"serve", "--db", dsn, "--addr", addr}, strings.Fields(cfg.serveArgs)...)
	serve := exec.Command(bin, args...)
	serve.Env = env
	serve.Stdout, serve.Stderr = logFile, logFile
	if err := serve.Start(); err != nil {
		return err
	}
	defer func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		_ = serve.Wait()
		if cfg.keep != "" {
			if b, err := os.ReadFile(logPath); err == nil {
				_ = os.WriteFile(cfg.keep, b, 0o644)
			}
		}
	}()
	base := "http://" + addr
	if err := waitReady(base, 2*time.Minute); err != nil {
		return err
	}
	fix, err := prepare(base, password)
	if err != nil {
		return err
	}
	script := filepath.Join(work, "mix.lua")
	if err := os.WriteFile(script, []byte(fix.lua()), 0o600); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu      sync.Mutex
		samples []sample
		wg      sync.WaitGroup
	)
	start := time.Now()
	dbPath := ""
	if engine == "sqlite" {
		dbPath = dsn
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(cfg.sample)
		defer t.Stop()
		for {
			s := measure(serve.Process.Pid, base, dbPath)
			s.AtS = time.Since(start).Seconds()
			mu.Lock()
			samples = append(samples, s)
			mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var segs []segment
	n := int(cfg.duration / cfg.segment)
	for i := range n {
		at := time.Since(start).Seconds()
		r, out, err := wrk.Measure(base+"/", cfg.segment, cfg.connections, "-s", script, "--timeout", cfg.timeout.String())
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		seg := segment{StartS: at, Requests: r.Requests, RPS: r.RPS, Non2xx: r.Non2xx, Errors: r.SocketErrors, P50ms: r.P50ms, P99ms: r.P99ms}
		segs = append(segs, seg)
		mu.Lock()
		last := samples[len(samples)-1]
		mu.Unlock()
		fmt.Fprintf(os.Stderr, "soak: %2d/%d %6.0f req/s p50 %6.1f ms p99 %7.1f ms non-2xx %d socket errors %d | RSS %.0f MiB (anon %.0f, file %.0f, shmem %.0f) Go heap %.0f MiB db %.0f MiB\n",
			i+1, n, seg.RPS, seg.P50ms, seg.P99ms, seg.Non2xx, seg.Errors, last.RSSMiB, last.AnonMiB, last.FileMiB, last.ShmemMiB, last.GoHeapMiB, last.DBMiB)
		if seg.Non2xx > 0 {
			fmt.Fprintln(os.Stderr, firstErrors(out))
		}
	}
	cancel()
	wg.Wait()
	if err := serve.Process.Signal(syscall.SIGTERM); err == nil {
		_ = serve.Wait()
	}

	first, last := segs[0], segs[len(segs)-1]
	rssIn := func(from, to float64) float64 {
		peak := 0.0
		for _, s := range samples {
			if s.AtS >= from && s.AtS <= to && s.RSSMiB > peak {
				peak = s.RSSMiB
			}
		}
		return peak
	}
	segS := cfg.segment.Seconds()
	rssFirst := rssIn(first.StartS, first.StartS+segS)
	rssLast := rssIn(last.StartS, last.StartS+segS+cfg.sample.Seconds())
	var total, non2xx int64
	for _, s := range segs {
		total += s.Requests
		non2xx += s.Non2xx + s.Errors
	}
	summary := map[string]any{
		"engine": engine, "scale": cfg.scale, "duration_s": cfg.duration.Seconds(), "segment_s": segS, "connections": cfg.connections,
		"serve_args": cfg.serveArgs, "requests": total, "non_2xx_and_socket_errors": non2xx,
		"p99_first_ms": first.P99ms, "p99_last_ms": last.P99ms, "p99_ratio_last_to_first": ratio(last.P99ms, first.P99ms),
		"rss_first_segment_peak_mib": rssFirst, "rss_last_segment_peak_mib": rssLast, "rss_ratio_last_to_first": ratio(rssLast, rssFirst),
		"mix": fix.mix(), "segments": segs, "samples": samples,
	}
	out, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	fmt.Fprintf(os.Stderr, "soak: %s, %d requests, %d non-2xx or socket errors; p99 first %.1f ms, last %.1f ms (×%.2f); RSS first minute %.0f MiB, last %.0f MiB (×%.2f)\n",
		engine, total, non2xx, first.P99ms, last.P99ms, ratio(last.P99ms, first.P99ms), rssFirst, rssLast, ratio(rssLast, rssFirst))
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return float64(int64(a/b*1000+0.5)) / 1000
}

var non2xxLine = regexp.MustCompile(`(?m)^soak-error .*$`)

// firstErrors returns the failed requests the Lua script printed (at most a few).
func firstErrors(out string) string {
	lines := non2xxLine.FindAllString(out, 5)
	return strings.Join(lines, "\n")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("the server did not become ready (see its log)")
}

// measure reads the server's memory from /proc, its Go heap from /metrics and the
// size of the SQLite files (main, WAL and shared memory) when path is set.
func measure(pid int, base, path string) sample {
	var s sample
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 {
				continue
			}
			kb, _ := strconv.ParseFloat(fields[1], 64)
			switch fields[0] {
			case "VmRSS:":
				s.RSSMiB = kb / 1024
			case "RssAnon:":
				s.AnonMiB = kb / 1024
			case "RssFile:":
				s.FileMiB = kb / 1024
			case "RssShmem:":
				s.ShmemMiB = kb / 1024
			}
		}
		f.Close()
	}
	if res, err := http.Get(base + "/metrics"); err == nil {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "go_memstats_heap_inuse_bytes "):
				s.GoHeapMiB = metricMiB(line)
			case strings.HasPrefix(line, "go_memstats_sys_bytes "):
				s.GoSysMiB = metricMiB(line)
			}
		}
		res.Body.Close()
	}
	if path != "" {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if st, err := os.Stat(path + suffix); err == nil {
				s.DBMiB += float64(st.Size()) / (1 << 20)
			}
		}
	}
	return s
}

func metricMiB(line string) float64 {
	f := strings.Fields(line)
	v, _ := strconv.ParseFloat(f[len(f)-1], 64)
	return v / (1 << 20)
}

// fixture is what the load needs from the loaded demo: an API key holding every
// scope it uses, a touchpoint, stores, SKUs and a priced cart to redeem.
type fixture struct {
	key, touchpoint string
	storeIDs        []string
	skuIDs          []string
	cart, priced    string
}

func prepare(base, password string) (*fixture, error) {
	var login struct {
		Token string `json:"token"`
	}
	if err := call(base, "", "POST", "/api/v1/auth/login", fmt.Sprintf(`{"login":"admin","password":%q}`, password), &login); err != nil {
		return nil, err
	}
	var key struct {
		Secret string `json:"secret"`
	}
	scopes := `["org:read","catalog:read","events:ingest","pricing:use","promotions:read","promotions:write","customers:read","touchpoints:read"]`
	if err := call(base, login.Token, "POST", "/api/v1/api-keys", `{"name":"soak","scopes":`+scopes+`}`, &key); err != nil {
		return nil, err
	}
	f := &fixture{key: key.Secret}
	var stores struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := call(base, f.key, "GET", "/api/v1/stores?limit=20", "", &stores); err != nil {
		return nil, err
	}
	for _, s := range stores.Items {
		f.storeIDs = append(f.storeIDs, s.ID)
	}
	var skus struct {
		Items []struct {
			ID        string `json:"id"`
			Code      string `json:"code"`
			Unit      string `json:"unit"`
			ListPrice int64  `json:"list_price_fen"`
		} `json:"items"`
	}
	if err := call(base, f.key, "GET", "/api/v1/skus?limit=100", "", &skus); err != nil {
		return nil, err
	}
	each := skus.Items[:0]
	for _, s := range skus.Items {
		if s.Unit == "each" && s.ListPrice > 0 {
			each = append(each, s)
		}
	}
	if len(f.storeIDs) == 0 || len(each) < 10 {
		return nil, errors.New("the demo chain has no stores or too few SKUs sold by the piece")
	}
	var tps struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	if err := call(base, f.key, "GET", "/api/v1/touchpoints?limit=1", "", &tps); err != nil {
		return nil, err
	}
	if len(tps.Items) == 0 {
		return nil, errors.New("the demo chain has no touchpoint")
	}
	f.touchpoint = tps.Items[0].Code
	lines := make([]map[string]any, 10)
	for i := range lines {
		s := each[i]
		f.skuIDs = append(f.skuIDs, s.ID)
		lines[i] = map[string]any{"id": strconv.Itoa(i + 1), "sku": s.Code, "unit": "each", "qty": 1 + i%2, "unit_price": s.ListPrice}
	}
	cart, _ := json.Marshal(map[string]any{"lines": lines, "channel": "pos", "time_zone": "Asia/Shanghai"})
	f.cart = string(cart)
	// A promotion without limits, so every redemption can commit.
	var p struct {
		ID string `json:"id"`
	}
	promo := `{"code":"SOAK","name":"soak 满100减10","definition":{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":1000}]}}}`
	if err := call(base, f.key, "POST", "/api/v1/promotions", promo, &p); err != nil {
		return nil, err
	}
	if err := call(base, f.key, "POST", "/api/v1/promotions/"+p.ID+"/activate", "", nil); err != nil {
		return nil, err
	}
	var priced json.RawMessage
	if err := call(base, f.key, "POST", "/api/v1/carts/price", f.cart, &priced); err != nil {
		return nil, err
	}
	f.priced = string(priced)
	return f, nil
}

// weights of the request kinds in the mix (out of 20).
var weights = []struct {
	kind string
	n    int
}{{"ingest", 4}, {"price", 6}, {"redeem", 3}, {"read_store", 2}, {"read_sku", 2}, {"read_price", 1}, {"read_customer", 1}, {"read_promotions", 1}}

func (f *fixture) mix() map[string]int {
	m := map[string]int{}
	for _, w := range weights {
		m[w.kind] = w.n
	}
	return m
}

// lua is the wrk script: each request picks the next kind in a fixed cycle;
// ingestion batches hold 20 events, half of them for new customers and half for
// returning ones (phones of earlier batches); customer reads look up a phone the
// thread ingested at least 200 requests earlier (so its batch has been answered);
// redemption order ids and idempotency keys are unique per run, thread and counter.
func (f *fixture) lua() string {
	var b strings.Builder
	q := func(s string) string { return strconv.Quote(s) }
	list := func(xs []string) string {
		quoted := make([]string, len(xs))
		for i, x := range xs {
			quoted[i] = q(x)
		}
		return "{" + strings.Join(quoted, ",") + "}"
	}
	var cycle []string
	for _, w := range weights {
		for range w.n {
			cycle = append(cycle, q(w.kind))
		}
	}
	fmt.Fprintf(&b, "local key = %s\nlocal touchpoint = %s\nlocal stores = %s\nlocal skus = %s\nlocal cart = %s\nlocal priced = %s\nlocal cycle = {%s}\n",
		q(f.key), q(f.touchpoint), list(f.storeIDs), list(f.skuIDs), q(f.cart), q(f.priced), strings.Join(cycle, ","))
	b.WriteString(`
local threads = {}
local counter = 0
local known = {}
local tid = 0
local run = tostring(os.time())
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(tid * 7919 + os.time())
end
local function pick(t) return t[math.random(#t)] end
local json = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
local get = {["Authorization"] = "Bearer " .. key}
function request()
  counter = counter + 1
  local kind = cycle[(counter % #cycle) + 1]
  local id = run .. "-" .. tid .. "-" .. counter
  if kind == "ingest" then
    local ev = {}
    for i = 1, 20 do
      local phone
      if i % 2 == 0 then
        phone = string.format("139%02d%06d", tid % 100, (counter * 10 + i) % 1000000)
        if i == 2 then
          table.insert(known, {counter, phone})
          if #known > 500 then table.remove(known, 1) end
        end
      else
        phone = string.format("139%02d%06d", tid % 100, math.random(0, math.max(1, counter * 10) - 1) % 1000000)
      end
      ev[i] = string.format('{"id":"soak-%s-%d","type":"visit","occurred_at":"2026-11-20T10:00:00Z","identifiers":{"phone":"%s"},"properties":{"amount_fen":%d}}', id, i, phone, i * 100)
    end
    return wrk.format("POST", "/api/v1/events", json, '{"touchpoint":"' .. touchpoint .. '","events":[' .. table.concat(ev, ",") .. ']}')
  elseif kind == "price" then
    return wrk.format("POST", "/api/v1/carts/price", json, cart)
  elseif kind == "redeem" then
    local h = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key, ["Idempotency-Key"] = "soak-" .. id}
    return wrk.format("POST", "/api/v1/promotion-redemptions", h, '{"order_id":"soak-' .. id .. '","priced_cart":' .. priced .. '}')
  elseif kind == "read_store" then
    if counter % 2 == 0 then return wrk.format("GET", "/api/v1/stores?limit=20", get) end
    return wrk.format("GET", "/api/v1/stores/" .. pick(stores), get)
  elseif kind == "read_sku" then
    return wrk.format("GET", "/api/v1/skus/" .. pick(skus), get)
  elseif kind == "read_price" then
    return wrk.format("GET", "/api/v1/skus/" .. pick(skus) .. "/price?store_id=" .. pick(stores), get)
  elseif kind == "read_customer" then
    local n = 0
    while n < #known and known[n + 1][1] < counter - 200 do n = n + 1 end
    if n > 0 then
      return wrk.format("GET", "/api/v1/customers?identifier=phone:" .. known[math.random(n)][2], get)
    end
  end
  return wrk.format("GET", "/api/v1/promotions?limit=20", get)
end
local printed = 0
function response(status, headers, body)
  if status >= 300 and status ~= 404 and printed < 3 then
    printed = printed + 1
    print("soak-error " .. status .. " " .. string.sub(body, 1, 300))
  end
end
`)
	return b.String()
}

// call sends one request with a bearer token and decodes a 2xx JSON answer into out.
func call(base, token, method, path, body string, out any) error {
	raw, err := benchapi.Do(base, token, method, path, body, nil)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(raw, out)
}
