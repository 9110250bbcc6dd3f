// Command durability measures what it costs to make an acknowledged write survive a
// power loss on SQLite: it starts OneRetail twice in this process, on two fresh
// SQLite files that differ only in PRAGMA synchronous — NORMAL (the baseline: the
// WAL is synced at checkpoints) and FULL (synced at every commit, the default of
// `oneretail serve`) — and drives both through HTTP in alternating rounds, so both
// meet the same machine: event ingestion (batches of -batch events from -clients
// clients) and promotion redemptions (one order per request, with an
// Idempotency-Key unless -idempotency-key=false, from -pos concurrent clients). It
// prints one JSON line with events/s and redemptions/s per setting and the
// FULL/NORMAL ratios.
//
//	go run ./bench/durability -db /tmp -events 20000 -redemptions 4000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneretail/oneretail/bench/benchapi"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func main() {
	dir := flag.String("db", os.TempDir(), "directory for the two SQLite files")
	events := flag.Int("events", 20000, "events to ingest per setting")
	batch := flag.Int("batch", 500, "events per request")
	clients := flag.Int("clients", 2, "concurrent ingestion clients")
	redemptions := flag.Int("redemptions", 4000, "redemptions per setting")
	pos := flag.Int("pos", 8, "concurrent redemption clients")
	rounds := flag.Int("rounds", 4, "alternating rounds the work is split into")
	idempotent := flag.Bool("idempotency-key", true, "send each redemption with an Idempotency-Key (its claim and stored answer are two more commits)")
	flag.Parse()
	if err := run(*dir, *events, *batch, *clients, *redemptions, *pos, *rounds, *idempotent); err != nil {
		fmt.Fprintln(os.Stderr, "durability:", err)
		os.Exit(1)
	}
}

// target is one running OneRetail with its database setting.
type target struct {
	sync       db.Sync
	base, key  string
	touchpoint string
	promotion  string
	ingestTime time.Duration
	redeemTime time.Duration
}

func run(dir string, events, batch, clients, redemptions, pos, rounds int, idempotent bool) error {
	if batch < 1 || batch > identity.MaxBatchEvents {
		return fmt.Errorf("-batch must be 1..%d", identity.MaxBatchEvents)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var targets []*target
	for _, s := range []db.Sync{db.SyncNormal, db.SyncFull} {
		t, closeFn, err := start(ctx, dir, s)
		if err != nil {
			return err
		}
		defer closeFn()
		targets = append(targets, t)
	}
	bodies := eventBodies(events, batch)
	perRound := (len(bodies) + rounds - 1) / rounds
	redeemPerRound := (redemptions + rounds - 1) / rounds
	for r := 0; r < rounds; r++ {
		chunk := bodies[min(r*perRound, len(bodies)):min((r+1)*perRound, len(bodies))]
		first, last := r*redeemPerRound, min((r+1)*redeemPerRound, redemptions)
		for _, t := range targets {
			start := time.Now()
			if err := t.ingest(chunk, clients); err != nil {
				return fmt.Errorf("%s: %w", t.sync, err)
			}
			t.ingestTime += time.Since(start)
			start = time.Now()
			if err := t.redeem(first, last, pos, idempotent); err != nil {
				return fmt.Errorf("%s: %w", t.sync, err)
			}
			t.redeemTime += time.Since(start)
		}
	}
	normal, full := targets[0], targets[1]
	eps := func(t *target) float64 { return round(float64(events) / t.ingestTime.Seconds()) }
	rps := func(t *target) float64 { return round(float64(redemptions) / t.redeemTime.Seconds()) }
	out, _ := json.Marshal(map[string]any{
		"engine": "sqlite", "events": events, "batch": batch, "clients": clients, "redemptions": redemptions, "pos_clients": pos, "rounds": rounds, "idempotency_key": idempotent,
		"normal_ingest_eps": eps(normal), "full_ingest_eps": eps(full), "ingest_ratio_full_to_normal": round(eps(full)/eps(normal)*1000) / 1000,
		"normal_redemptions_per_s": rps(normal), "full_redemptions_per_s": rps(full), "redeem_ratio_full_to_normal": round(rps(full)/rps(normal)*1000) / 1000,
	})
	fmt.Println(string(out))
	return nil
}

func round(f float64) float64 { return float64(int64(f + 0.5)) }

// start runs OneRetail on a fresh SQLite file with the given sync setting, with a
// tenant, a touchpoint, an unlimited promotion and an API key for both loads.
func start(ctx context.Context, dir string, sync db.Sync) (*target, func(), error) {
	b, err := benchapi.Start(ctx, benchapi.BootOptions{Target: dir, Name: "durability_" + string(sync),
		Scopes: []auth.Scope{auth.EventsIngest, auth.PricingUse}, App: func(c *app.Config) { c.DBOptions = db.Options{Sync: sync} }})
	if err != nil {
		return nil, nil, err
	}
	tp, err := b.App.Identity.CreateTouchpoint(b.System, identity.NewTouchpoint{Code: "pos-" + string(sync), Name: "POS", Type: identity.TypeOffline, Channel: identity.Channel("pos")})
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	p, err := b.App.Promotion.CreatePromotion(b.System, promotion.NewPromotion{Code: "TEN", Name: "¥10 off", Definition: engine.Promotion{
		Kind: engine.KindThreshold, Scope: engine.Scope{All: true}, Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 10000, Off: 1000}}}}})
	if err == nil {
		_, err = b.App.Promotion.Activate(b.System, p.ID)
	}
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	return &target{sync: sync, base: b.Base, key: b.Key, touchpoint: tp.Code, promotion: p.ID}, b.Close, nil
}

// eventBodies makes the ingestion requests: customer i has a phone and a device and
// sends two events, the second linking the device to the phone.
func eventBodies(n, batch int) [][]byte {
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	var out [][]byte
	var evs []map[string]any
	for i := 0; i < n; i++ {
		c := i / 2
		idents := map[string]string{"phone": fmt.Sprintf("1360%07d", c)}
		if i%2 == 1 {
			idents["device_id"] = fmt.Sprintf("dur-dev-%d", c)
		}
		evs = append(evs, map[string]any{"id": fmt.Sprintf("dur-%d", i), "type": "visit", "occurred_at": at.Add(time.Duration(i) * time.Millisecond), "identifiers": idents})
		if len(evs) == batch || i == n-1 {
			b, _ := json.Marshal(map[string]any{"touchpoint": touchpointPlaceholder, "events": evs})
			out = append(out, b)
			evs = nil
		}
	}
	return out
}

const touchpointPlaceholder = "TOUCHPOINT"

func (t *target) ingest(bodies [][]byte, clients int) error {
	return parallel(len(bodies), clients, func(i int) error {
		return t.post("/api/v1/events", "", bytes.Replace(bodies[i], []byte(touchpointPlaceholder), []byte(t.touchpoint), 1))
	})
}

func (t *target) redeem(first, last, clients int, idempotent bool) error {
	return parallel(last-first, clients, func(i int) error {
		order := fmt.Sprintf("order-%d", first+i)
		body := fmt.Sprintf(`{"order_id":%q,"promotions":[{"promotion_id":%q,"discount":1000}]}`, order, t.promotion)
		key := ""
		if idempotent {
			key = order
		}
		return t.post("/api/v1/promotion-redemptions", key, []byte(body))
	})
}

func (t *target) post(path, idempotencyKey string, body []byte) error {
	var headers map[string]string
	if idempotencyKey != "" {
		headers = map[string]string{"Idempotency-Key": idempotencyKey}
	}
	_, err := benchapi.Do(t.base, t.key, "POST", path, string(body), headers)
	return err
}

// parallel runs do(0..n-1) from workers goroutines and returns the first error.
func parallel(n, workers int, do func(i int) error) error {
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
