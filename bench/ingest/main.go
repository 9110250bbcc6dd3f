// Command ingest measures end-to-end event ingestion with inline identity resolution:
// it starts OneRetail in this process on a fresh database (SQLite or PostgreSQL),
// creates a tenant, a touchpoint and an events:ingest API key, generates events
// deterministically (customers with phones, unionids, openids and devices, about
// three events each), posts them as JSON batches to POST /api/v1/events from two
// concurrent clients, and compares events/s with a baseline: the same rows inserted
// into a scratch table shaped like events with plain multi-row INSERTs, one
// transaction per batch, in the same run and database — the two alternating in
// -rounds rounds over the events so that both meet the same machine. It prints one
// JSON line.
//
//	go run ./bench/ingest --db /tmp -events 20000
//	go run ./bench/ingest --db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "where to make a fresh database: a directory for SQLite, or a postgres:// DSN (a new schema is made there)")
	n := flag.Int("events", 50000, "number of events to ingest")
	batch := flag.Int("batch", 500, "events per request (and per baseline transaction), at most 1000")
	clients := flag.Int("clients", 2, "concurrent HTTP clients")
	rounds := flag.Int("rounds", 4, "alternating baseline and ingestion rounds the events are split into")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ingest:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*dsn, *n, *batch, *clients, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// event is one generated event, in the JSON shape of POST /api/v1/events.
type event struct {
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	OccurredAt  time.Time         `json:"occurred_at"`
	Identifiers map[string]string `json:"identifiers"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

// generate makes n events deterministically: customer c has a phone, a WeChat unionid
// and openid and a device, and sends about three events (registration, visit, order),
// each carrying a subset of those identifiers so that resolution links them.
func generate(n int, start time.Time) []event {
	out := make([]event, 0, n)
	types := []string{"registration", "visit", "order"}
	for i := 0; len(out) < n; i++ {
		phone := fmt.Sprintf("+86139%08d", i)
		union := fmt.Sprintf("oU%010d", i)
		open := fmt.Sprintf("oP%010d", i)
		device := fmt.Sprintf("dev-%010d", i)
		idents := []map[string]string{
			{"phone": phone, "wechat_unionid": union},
			{"wechat_openid": open, "wechat_unionid": union, "device_id": device},
			{"device_id": device, "phone": phone},
		}
		for j := 0; j < 3 && len(out) < n; j++ {
			e := event{ID: fmt.Sprintf("ev-%08d-%d", i, j), Type: types[j], OccurredAt: start.Add(time.Duration(len(out)) * time.Millisecond), Identifiers: idents[j]}
			if j == 0 {
				e.Properties = map[string]any{"name": "Customer " + strconv.Itoa(i), "city": "Shanghai"}
			}
			out = append(out, e)
		}
	}
	return out
}

func run(target string, n, batch, clients, rounds int) error {
	if batch < 1 || batch > identity.MaxBatchEvents {
		return fmt.Errorf("-batch must be 1..%d", identity.MaxBatchEvents)
	}
	if rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn, drop, err := benchdb.Fresh(target, "ingest")
	if err != nil {
		return err
	}
	defer drop()
	a, err := app.New(ctx, app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()})
	if err != nil {
		return err
	}
	defer a.Close()
	tenant, _, err := a.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "bench", TenantName: "Bench", AdminLogin: "admin", AdminName: "Admin", AdminPassword: "bench-password-1"})
	if err != nil {
		return err
	}
	sys := auth.WithPrincipal(ctx, auth.System(tenant.ID))
	tp, err := a.Identity.CreateTouchpoint(sys, identity.NewTouchpoint{Code: "pos", Name: "POS", Type: identity.TypeOffline, Channel: identity.Channel("pos")})
	if err != nil {
		return err
	}
	_, key, err := a.Org.CreateAPIKey(sys, org.APIKeyCreate{Name: "bench", Scopes: []auth.Scope{auth.EventsIngest}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go a.Run(ctx, ln)
	url := "http://" + ln.Addr().String() + "/api/v1/events"

	evs := generate(n, time.Now().Add(-24*time.Hour).UTC().Truncate(time.Millisecond))
	var bodies [][]byte
	for i := 0; i < len(evs); i += batch {
		b, err := json.Marshal(map[string]any{"touchpoint": tp.Code, "events": evs[i:min(i+batch, len(evs))]})
		if err != nil {
			return err
		}
		bodies = append(bodies, b)
	}

	// The two are measured in alternating rounds — the baseline's share of the
	// events, then the ingestion of the same events — so that both see the same
	// machine: on two noisy cores, one baseline measured a few seconds away from the
	// ingestion varied by a third from run to run.
	d := a.DB
	if err := createBaselineTable(ctx, d); err != nil {
		return err
	}
	var baseDur, ingestDur time.Duration
	perRound := (len(bodies) + rounds - 1) / rounds
	for r := 0; r < len(bodies); r += perRound {
		roundBodies := bodies[r:min(r+perRound, len(bodies))]
		roundEvents := evs[r*batch : min((r+perRound)*batch, len(evs))]
		dur, err := baseline(ctx, d, tenant.ID, tp.ID, roundEvents, batch)
		if err != nil {
			return err
		}
		baseDur += dur
		start := time.Now()
		accepted, err := post(url, key, roundBodies, clients)
		if err != nil {
			return err
		}
		ingestDur += time.Since(start)
		if accepted != len(roundEvents) {
			return fmt.Errorf("accepted %d of %d events", accepted, len(roundEvents))
		}
	}
	var customers int
	if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, tenant.ID).Scan(&customers); err != nil {
		customers = -1
	}

	engine := "sqlite"
	if db.IsPostgresDSN(dsn) {
		engine = "postgres"
	}
	ingestEPS := float64(len(evs)) / ingestDur.Seconds()
	baseEPS := float64(len(evs)) / baseDur.Seconds()
	out, _ := json.Marshal(map[string]any{
		"engine": engine, "events": len(evs), "batch": batch, "clients": clients, "rounds": rounds, "customers": customers,
		"ingest_eps": round(ingestEPS), "baseline_eps": round(baseEPS), "ratio": round(ingestEPS/baseEPS*1000) / 1000,
	})
	fmt.Println(string(out))
	return nil
}

func round(f float64) float64 { return float64(int64(f + 0.5)) }

// post sends the bodies from clients goroutines and returns the accepted count.
func post(url, key string, bodies [][]byte, clients int) (int, error) {
	var (
		mu       sync.Mutex
		accepted int
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan []byte)
	go func() {
		for _, b := range bodies {
			next <- b
		}
		close(next)
	}()
	client := &http.Client{Timeout: 5 * time.Minute}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				n, err := send(client, url, key, b)
				mu.Lock()
				accepted += n
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return accepted, firstErr
}

func send(client *http.Client, url, key string, body []byte) (int, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return 0, fmt.Errorf("POST /api/v1/events: %s: %s", res.Status, raw)
	}
	var r identity.EventIngestResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, err
	}
	if len(r.Rejected) > 0 {
		return r.Accepted, fmt.Errorf("rejected: %+v", r.Rejected[0])
	}
	return r.Accepted, nil
}

// createBaselineTable makes the scratch table of the baseline, shaped like events.
func createBaselineTable(ctx context.Context, d *db.DB) error {
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE bench_events (tenant_id TEXT NOT NULL, id TEXT NOT NULL, touchpoint_id TEXT NOT NULL,
		type TEXT NOT NULL, occurred_at BIGINT NOT NULL, received_at BIGINT NOT NULL, identifiers TEXT NOT NULL, properties TEXT NOT NULL,
		PRIMARY KEY (tenant_id, id))`); err != nil {
		return err
	}
	_, err := d.Writer().ExecContext(ctx, `CREATE INDEX bench_events_touchpoint ON bench_events (tenant_id, touchpoint_id, received_at)`)
	return err
}

// baseline inserts the same rows into the scratch table with plain multi-row
// INSERTs, one transaction per batch, and returns the elapsed time.
func baseline(ctx context.Context, d *db.DB, tenantID, touchpointID string, evs []event, batch int) (time.Duration, error) {
	type row struct {
		id, typ, idents, props string
		at                     int64
	}
	rows := make([]row, len(evs))
	for i, e := range evs {
		idents, _ := json.Marshal(e.Identifiers)
		props, _ := json.Marshal(e.Properties)
		if e.Properties == nil {
			props = []byte("{}")
		}
		rows[i] = row{e.ID, e.Type, string(idents), string(props), e.OccurredAt.UnixMilli()}
	}
	start := time.Now()
	for i := 0; i < len(rows); i += batch {
		chunk := rows[i:min(i+batch, len(rows))]
		now := time.Now().UnixMilli()
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var b strings.Builder
			b.WriteString(`INSERT INTO bench_events (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties) VALUES `)
			args := make([]any, 0, 8*len(chunk))
			for k, r := range chunk {
				if k > 0 {
					b.WriteString(", ")
				}
				p := len(args)
				fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8)
				args = append(args, tenantID, r.id, touchpointID, r.typ, r.at, now, r.idents, r.props)
			}
			_, err := tx.ExecContext(ctx, b.String(), args...)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
