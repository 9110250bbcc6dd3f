// Command ingest measures end-to-end event ingestion with inline identity resolution:
// it starts OneRetail in this process on a fresh database (SQLite or PostgreSQL),
// creates a tenant, a touchpoint and an events:ingest API key, generates events
// deterministically (customers with phones, unionids, openids and devices, about
// three events each), posts them as JSON batches to POST /api/v1/events from two
// concurrent clients, and compares events/s with a baseline: the same rows written
// through the product's bulk path (db.WriteRows, unnest on PostgreSQL) into a scratch
// table with the columns and indexes of events, one transaction per batch, in the
// same run and database — the two alternating in
// -rounds rounds over the events so that both meet the same machine. It prints one
// JSON line.
//
// With -contention it measures concurrent ingestion of batches that share new
// identifiers instead (see contention.go).
//
//	go run ./bench/ingest --db /tmp -events 20000
//	go run ./bench/ingest --db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./bench/ingest -contention -clients 16 -events 16000 [--db …]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
)

func main() {
	dsn := flag.String("db", os.TempDir(), "where to make a fresh database: a directory for SQLite, or a postgres:// DSN (a new schema is made there)")
	n := flag.Int("events", 50000, "number of events to ingest")
	batch := flag.Int("batch", 500, "events per request (and per baseline transaction), at most 1000")
	clients := flag.Int("clients", 2, "concurrent HTTP clients")
	rounds := flag.Int("rounds", 4, "alternating baseline and ingestion rounds the events are split into")
	contention := flag.Bool("contention", false, "measure batches sharing new identifiers from -clients clients (contention.go) instead")
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
	var err error
	if *contention {
		err = runContention(*dsn, *n, *batch, *clients)
	} else {
		err = run(*dsn, *n, *batch, *clients, *rounds)
	}
	if err != nil {
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

// server is OneRetail started in this process on a fresh database, with a tenant,
// a touchpoint and an events:ingest API key.
type server struct {
	app      *app.App
	tenantID string
	tp       identity.Touchpoint
	key      string
	url      string // of POST /api/v1/events
	engine   string
	close    func()
}

// start makes a fresh database at target and starts OneRetail on it through the
// shared bench bootstrap, with a touchpoint and an events:ingest key.
func start(target, name string) (*server, error) {
	b, err := benchapi.Start(context.Background(), benchapi.BootOptions{Target: target, Name: name, Scopes: []auth.Scope{auth.EventsIngest}})
	if err != nil {
		return nil, err
	}
	s := &server{app: b.App, tenantID: b.Tenant.ID, key: b.Key, engine: b.Engine, close: b.Close, url: b.Base + "/api/v1/events"}
	if s.tp, err = b.App.Identity.CreateTouchpoint(b.System, identity.NewTouchpoint{Code: "pos", Name: "POS", Type: identity.TypeOffline,
		Channel: identity.Channel("pos")}); err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

// bodies makes the JSON request bodies of evs, batch events each.
func (s *server) bodies(evs []event, batch int) ([][]byte, error) {
	var out [][]byte
	for i := 0; i < len(evs); i += batch {
		b, err := json.Marshal(map[string]any{"touchpoint": s.tp.Code, "events": evs[i:min(i+batch, len(evs))]})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// liveCustomers counts the tenant's customers not merged away.
func (s *server) liveCustomers(ctx context.Context) (int, error) {
	var n int
	err := s.app.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, s.tenantID).Scan(&n)
	return n, err
}

func run(target string, n, batch, clients, rounds int) error {
	if batch < 1 || batch > identity.MaxBatchEvents {
		return fmt.Errorf("-batch must be 1..%d", identity.MaxBatchEvents)
	}
	if rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	ctx := context.Background()
	srv, err := start(target, "ingest")
	if err != nil {
		return err
	}
	defer srv.close()
	evs := generate(n, time.Now().Add(-24*time.Hour).UTC().Truncate(time.Millisecond))
	bodies, err := srv.bodies(evs, batch)
	if err != nil {
		return err
	}

	// The two are measured in alternating rounds — the baseline's share of the
	// events, then the ingestion of the same events — so that both see the same
	// machine: on two noisy cores, one baseline measured a few seconds away from the
	// ingestion varied by a third from run to run.
	d := srv.app.DB
	if err := createBaselineTable(ctx, d); err != nil {
		return err
	}
	var baseDur, ingestDur time.Duration
	perRound := (len(bodies) + rounds - 1) / rounds
	for r := 0; r < len(bodies); r += perRound {
		roundBodies := bodies[r:min(r+perRound, len(bodies))]
		roundEvents := evs[r*batch : min((r+perRound)*batch, len(evs))]
		dur, err := baseline(ctx, d, srv.tenantID, srv.tp.ID, roundEvents, batch)
		if err != nil {
			return err
		}
		baseDur += dur
		start := time.Now()
		res := post(srv.url, srv.key, roundBodies, clients)
		if res.err != nil {
			return res.err
		}
		ingestDur += time.Since(start)
		if res.accepted != len(roundEvents) {
			return fmt.Errorf("accepted %d of %d events", res.accepted, len(roundEvents))
		}
	}
	customers, err := srv.liveCustomers(ctx)
	if err != nil {
		customers = -1
	}
	ingestEPS := float64(len(evs)) / ingestDur.Seconds()
	baseEPS := float64(len(evs)) / baseDur.Seconds()
	out, _ := json.Marshal(map[string]any{
		"engine": srv.engine, "events": len(evs), "batch": batch, "clients": clients, "rounds": rounds, "customers": customers,
		"ingest_eps": round(ingestEPS), "baseline_eps": round(baseEPS), "ratio": round(ingestEPS/baseEPS*1000) / 1000,
		"loadavg": loadavg(),
	})
	fmt.Println(string(out))
	return nil
}

func round(f float64) float64 { return float64(int64(f + 0.5)) }

// loadavg is the first three fields of /proc/loadavg (the machine's load at the end
// of the run), or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// posted is the outcome of posting bodies: events accepted, answers by status (0:
// no answer), each request's latency, and the first failure (a non-2xx answer, a
// rejected event, a transport error).
type posted struct {
	accepted  int
	statuses  map[int]int
	latencies []time.Duration
	err       error
}

// post sends the bodies from clients goroutines, each request once, and reports
// what came back.
func post(url, key string, bodies [][]byte, clients int) posted {
	var (
		mu  sync.Mutex
		out = posted{statuses: map[int]int{}}
		wg  sync.WaitGroup
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
		wg.Go(func() {
			for b := range next {
				start := time.Now()
				n, status, err := send(client, url, key, b)
				took := time.Since(start)
				mu.Lock()
				out.accepted += n
				out.statuses[status]++
				out.latencies = append(out.latencies, took)
				if err != nil && out.err == nil {
					out.err = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// send posts one body and returns the events accepted and the status (0 when no
// answer came).
func send(client *http.Client, url, key string, body []byte) (int, int, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return 0, res.StatusCode, fmt.Errorf("POST /api/v1/events: %s (Retry-After %q): %s", res.Status, res.Header.Get("Retry-After"), raw)
	}
	var r identity.EventIngestResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, res.StatusCode, err
	}
	if len(r.Rejected) > 0 {
		return r.Accepted, res.StatusCode, fmt.Errorf("rejected: %+v", r.Rejected[0])
	}
	return r.Accepted, res.StatusCode, nil
}

// createBaselineTable makes the scratch table of the baseline: the columns, primary
// key and index of events as migration 00022 leaves them (the latest to change the
// table), so that the baseline pays for the same index maintenance.
func createBaselineTable(ctx context.Context, d *db.DB) error {
	_, err := d.Writer().ExecContext(ctx, `CREATE TABLE bench_events (tenant_id TEXT NOT NULL, id TEXT NOT NULL, touchpoint_id TEXT NOT NULL,
		type TEXT NOT NULL, occurred_at BIGINT NOT NULL, received_at BIGINT NOT NULL, identifiers TEXT NOT NULL, properties TEXT NOT NULL,
		customer_id TEXT, PRIMARY KEY (tenant_id, touchpoint_id, id))`)
	if err != nil {
		return fmt.Errorf("create the baseline table: %w", err)
	}
	if _, err := d.Writer().ExecContext(ctx, `CREATE INDEX bench_events_customer ON bench_events (tenant_id, customer_id, occurred_at, id, touchpoint_id)`); err != nil {
		return fmt.Errorf("index the baseline table: %w", err)
	}
	return nil
}

// baselineRow is one event as the baseline writes it.
type baselineRow struct {
	id, typ, idents, props, customer string
	at                               int64
}

// baseline writes the same rows into the scratch table through the product's bulk
// path — the statement shape of identity's insertEvents (db.WriteRows: one array per
// column, unnested, on PostgreSQL; VALUES lists on SQLite; ON CONFLICT DO NOTHING
// RETURNING id), one transaction per batch — without resolution, sealing or
// the rest of the request, and returns the elapsed time. Each row carries its
// person's customer id, as ingestion stores it.
func baseline(ctx context.Context, d *db.DB, tenantID, touchpointID string, evs []event, batch int) (time.Duration, error) {
	rows := make([]baselineRow, len(evs))
	for i, e := range evs {
		idents, _ := json.Marshal(e.Identifiers)
		props, _ := json.Marshal(e.Properties)
		if e.Properties == nil {
			props = []byte("{}")
		}
		person, _, _ := strings.Cut(strings.TrimPrefix(e.ID, "ev-"), "-")
		rows[i] = baselineRow{e.ID, e.Type, string(idents), string(props), "bench-customer-" + person, e.OccurredAt.UnixMilli()}
	}
	start := time.Now()
	for i := 0; i < len(rows); i += batch {
		chunk := rows[i:min(i+batch, len(rows))]
		w := db.Rows{Head: `INSERT INTO bench_events (tenant_id, touchpoint_id, received_at, id, type, occurred_at, identifiers, properties, customer_id)`,
			Lead: "$1, $2, $3", Fixed: []any{tenantID, touchpointID, time.Now().UnixMilli()}, Tail: ` ON CONFLICT (tenant_id, touchpoint_id, id) DO NOTHING RETURNING id`}
		inserted := 0
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			inserted = 0
			return db.WriteRows(ctx, tx, d.Dialect, w, chunk, func(r baselineRow) []any {
				return []any{r.id, r.typ, r.at, r.idents, r.props, r.customer}
			}, func(rs *sql.Rows) error {
				var id string
				inserted++
				return rs.Scan(&id)
			})
		})
		if err != nil {
			return 0, fmt.Errorf("baseline: %w", err)
		}
		if inserted != len(chunk) {
			return 0, fmt.Errorf("baseline: inserted %d of %d rows", inserted, len(chunk))
		}
	}
	return time.Since(start), nil
}
