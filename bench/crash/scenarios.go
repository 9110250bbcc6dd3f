package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Result is what one crash round acknowledged, what it found after the restart, and
// every expectation the platform missed.
type Result struct {
	Scenario     string
	Engine       string
	Round        int
	KilledAfter  time.Duration
	Interrupted  bool // the kill landed while the work was in flight
	Acknowledged string
	Found        string
	Problems     []string
}

// OK reports whether the round met every expectation.
func (r Result) OK() bool { return len(r.Problems) == 0 }

func (r Result) String() string {
	verdict := "ok"
	if !r.OK() {
		verdict = "FAILED: " + strings.Join(r.Problems, "; ")
	}
	state := "finished before the kill"
	if r.Interrupted {
		state = "killed in flight"
	}
	return fmt.Sprintf("%-8s %-8s round %d, kill -9 after %s (%s)\n  acknowledged: %s\n  found:        %s\n  verdict:      %s",
		r.Scenario, r.Engine, r.Round, r.KilledAfter.Round(time.Millisecond), state, r.Acknowledged, r.Found, verdict)
}

func (r *Result) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Scenario is one kind of work the harness interrupts.
type Scenario func(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result

// Scenarios are the kinds of work, by name.
var scenarioNames = []string{"ingest", "import", "redeem", "rebuild", "demo"}

func scenarioByName(name string) (Scenario, error) {
	switch name {
	case "ingest":
		return Ingest, nil
	case "import":
		return Import, nil
	case "redeem":
		return Redeem, nil
	case "rebuild":
		return Rebuild, nil
	case "demo":
		return DemoLoad, nil
	}
	return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
}

// randomDelay returns a delay in [lo, hi).
func randomDelay(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

const (
	ingestBatches   = 80
	ingestBatchSize = 100
	ingestWorkers   = 4
)

// Ingest sends event batches with Idempotency-Keys from several clients, kills the
// server mid-flight, restarts it and retries every batch not acknowledged with the
// same key. Every acknowledged event must be stored exactly once, every retry must
// succeed within seconds, and no event may point at a missing customer.
func Ingest(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result {
	res := Result{Scenario: "ingest", Engine: h.Engine(), Round: round}
	dsn, err := h.Fresh(ctx, fmt.Sprintf("ingest%d", round))
	if err != nil {
		res.fail("fresh database: %v", err)
		return res
	}
	srv, err := h.Serve(ctx, dsn)
	if err != nil {
		res.fail("start: %v", err)
		return res
	}
	code, ingest, err := ingestClient(ctx, srv.URL)
	if err != nil {
		srv.Kill()
		res.fail("set up: %v", err)
		return res
	}
	prefix := fmt.Sprintf("crash-%d-%d", round, rng.Int64())
	bodies := make([]map[string]any, ingestBatches)
	for b := range bodies {
		bodies[b] = eventBatch(code, prefix, b, rng)
	}
	acked := make([]bool, ingestBatches)
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range ingestWorkers {
		wg.Go(func() {
			for b := range jobs {
				status, err := ingest.Do(ctx, http.MethodPost, "/api/v1/events", batchKey(prefix, b), bodies[b], nil)
				if err == nil && status == http.StatusOK {
					mu.Lock()
					acked[b] = true
					mu.Unlock()
				}
			}
		})
	}
	res.KilledAfter = randomDelay(rng, 300*time.Millisecond, 2500*time.Millisecond)
	killed := make(chan struct{})
	go func() {
		time.Sleep(res.KilledAfter)
		srv.Kill()
		close(killed)
	}()
	for b := range ingestBatches {
		select {
		case jobs <- b:
		case <-killed:
		}
		if isClosed(killed) {
			break
		}
	}
	close(jobs)
	wg.Wait()
	<-killed
	nAcked := count(acked)
	res.Interrupted = nAcked < ingestBatches
	res.Acknowledged = fmt.Sprintf("%d of %d batches (%d events)", nAcked, ingestBatches, nAcked*ingestBatchSize)

	restart := time.Now()
	srv, err = h.Serve(ctx, dsn)
	if err != nil {
		res.fail("restart: %v", err)
		return res
	}
	defer srv.Kill()
	ingest.Base = srv.URL
	var slowest time.Duration
	var retryFailures []string
	for b := range ingestBatches {
		if acked[b] {
			continue
		}
		start := time.Now()
		status, err := ingest.Do(ctx, http.MethodPost, "/api/v1/events", batchKey(prefix, b), bodies[b], nil)
		slowest = max(slowest, time.Since(start))
		if err != nil || status != http.StatusOK {
			retryFailures = append(retryFailures, fmt.Sprintf("batch %d: %d %v", b, status, err))
		}
	}
	if len(retryFailures) > 0 {
		res.fail("%d retries with the same Idempotency-Key failed (first: %s)", len(retryFailures), retryFailures[0])
	}
	if slowest > 15*time.Second {
		res.fail("a retry took %s", slowest.Round(time.Millisecond))
	}
	found, problems := verifyEvents(ctx, h, dsn, prefix)
	res.Found = fmt.Sprintf("%s; restart to last retry %s, slowest retry %s", found,
		time.Since(restart).Round(time.Millisecond), slowest.Round(time.Millisecond))
	res.Problems = append(res.Problems, problems...)
	return res
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func batchKey(prefix string, b int) http.Header {
	return http.Header{"Idempotency-Key": {fmt.Sprintf("%s-batch-%d", prefix, b)}}
}

// eventBatch is batch b of visits by phones from a small pool, so that batches share
// customers and resolution has work to do.
func eventBatch(touchpoint, prefix string, b int, rng *rand.Rand) map[string]any {
	events := make([]map[string]any, ingestBatchSize)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := range events {
		events[i] = map[string]any{
			"id":          fmt.Sprintf("%s-%d-%d", prefix, b, i),
			"type":        "visit",
			"occurred_at": at.Add(time.Duration(b*ingestBatchSize+i) * time.Second).Format(time.RFC3339),
			"identifiers": map[string]string{"phone": fmt.Sprintf("1390%07d", rng.IntN(3000))},
		}
	}
	return map[string]any{"touchpoint": touchpoint, "events": events}
}

// ingestClient returns an active touchpoint's code and a client with a key that may
// send its events.
func ingestClient(ctx context.Context, base string) (string, *Client, error) {
	admin, err := login(ctx, base)
	if err != nil {
		return "", nil, err
	}
	var tps struct {
		Items []struct {
			Code   string `json:"code"`
			Status string `json:"status"`
		} `json:"items"`
	}
	if _, err := admin.Do(ctx, http.MethodGet, "/api/v1/touchpoints?limit=100", nil, nil, &tps); err != nil {
		return "", nil, err
	}
	code := ""
	for _, tp := range tps.Items {
		if tp.Status == "active" {
			code = tp.Code
			break
		}
	}
	if code == "" {
		return "", nil, errors.New("the demo has no active touchpoint")
	}
	var key struct {
		Secret string `json:"secret"`
	}
	if _, err := admin.Do(ctx, http.MethodPost, "/api/v1/api-keys", nil,
		map[string]any{"name": "crash harness", "scopes": []string{"events:ingest"}}, &key); err != nil {
		return "", nil, err
	}
	c := newClient(base)
	c.Token = key.Secret
	return code, c, nil
}

// verifyEvents counts the harness's events in the database: each id at most once, and
// every batch complete or absent (a batch is one transaction).
func verifyEvents(ctx context.Context, h *Harness, dsn, prefix string) (string, []string) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return "", []string{"open database: " + err.Error()}
	}
	defer d.Close()
	var problems []string
	rows, err := d.QueryContext(ctx, `SELECT id, COUNT(*) FROM events WHERE id LIKE $1 GROUP BY id`, prefix+"-%")
	if err != nil {
		return "", []string{"count events: " + err.Error()}
	}
	defer rows.Close()
	perBatch := map[string]int{}
	stored, dup := 0, 0
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return "", []string{err.Error()}
		}
		stored++
		if n > 1 {
			dup++
		}
		perBatch[id[:strings.LastIndexByte(id, '-')]]++
	}
	if err := rows.Err(); err != nil {
		return "", []string{err.Error()}
	}
	if dup > 0 {
		problems = append(problems, fmt.Sprintf("%d events stored more than once", dup))
	}
	if want := ingestBatches * ingestBatchSize; stored != want {
		problems = append(problems, fmt.Sprintf("%d of %d events stored after the retries", stored, want))
	}
	for batch, n := range perBatch {
		if n != ingestBatchSize {
			problems = append(problems, fmt.Sprintf("batch %s half-written: %d of %d events", batch, n, ingestBatchSize))
		}
	}
	var dangling int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM events e WHERE e.customer_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = e.tenant_id AND c.id = e.customer_id)`).Scan(&dangling); err != nil {
		problems = append(problems, "count dangling events: "+err.Error())
	} else if dangling > 0 {
		problems = append(problems, fmt.Sprintf("%d events point at a missing customer", dangling))
	}
	return fmt.Sprintf("%d events stored once each in %d whole batches, %d pointing at a missing customer", stored-dup, len(perBatch), dangling), problems
}

const importRows = 20000

// Import runs `oneretail import customers`, kills it mid-way, runs it again to the
// end and checks that every row is stored exactly once.
func Import(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result {
	res := Result{Scenario: "import", Engine: h.Engine(), Round: round}
	dsn, err := h.Fresh(ctx, fmt.Sprintf("import%d", round))
	if err != nil {
		res.fail("fresh database: %v", err)
		return res
	}
	code, err := activeTouchpoint(ctx, h, dsn)
	if err != nil {
		res.fail("touchpoint: %v", err)
		return res
	}
	file := filepath.Join(h.Dir, fmt.Sprintf("customers-%s-%d.csv", h.Engine(), round))
	if err := writeCustomerCSV(file, round, importRows); err != nil {
		res.fail("write CSV: %v", err)
		return res
	}
	before, err := countEvents(ctx, h, dsn)
	if err != nil {
		res.fail("count: %v", err)
		return res
	}
	res.KilledAfter = randomDelay(rng, 500*time.Millisecond, 4*time.Second)
	res.Interrupted, err = h.killAfter(ctx, res.KilledAfter, dsn, "import", "customers", file, "--touchpoint", code)
	if err != nil {
		res.fail("first run: %v", err)
		return res
	}
	mid, err := countEvents(ctx, h, dsn)
	if err != nil {
		res.fail("count: %v", err)
		return res
	}
	if (mid-before)%1000 != 0 && mid-before != importRows {
		res.fail("the killed run left %d rows, not whole transactions of 1,000", mid-before)
	}
	if out, err := h.run(ctx, dsn, "import", "customers", file, "--touchpoint", code); err != nil {
		res.fail("second run: %v\n%s", err, out)
		return res
	}
	after, err := countEvents(ctx, h, dsn)
	if err != nil {
		res.fail("count: %v", err)
		return res
	}
	res.Acknowledged = fmt.Sprintf("%d rows (the second run finished)", importRows)
	res.Found = fmt.Sprintf("%d rows stored by the killed run, %d in all", mid-before, after-before)
	if after-before != importRows {
		res.fail("%d rows stored, want exactly %d", after-before, importRows)
	}
	return res
}

func activeTouchpoint(ctx context.Context, h *Harness, dsn string) (string, error) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer d.Close()
	var code string
	err = d.QueryRowContext(ctx, `SELECT code FROM touchpoints WHERE status = 'active' ORDER BY code LIMIT 1`).Scan(&code)
	return code, err
}

func countEvents(ctx context.Context, h *Harness, dsn string) (int, error) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int
	err = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

func writeCustomerCSV(path string, round, n int) error {
	var b strings.Builder
	b.WriteString("手机号,姓名,会员卡号,城市\n")
	for i := range n {
		fmt.Fprintf(&b, "137%08d,顾客%d,CR%d%06d,上海\n", round*n+i, i, round, i)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// Rebuild kills `oneretail identity rebuild` mid-way: the customers must be either
// those before the rebuild or those a finished rebuild makes, never a mixture.
func Rebuild(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result {
	res := Result{Scenario: "rebuild", Engine: h.Engine(), Round: round}
	complete, err := h.Fresh(ctx, fmt.Sprintf("rebuilt%d", round))
	if err != nil {
		res.fail("fresh database: %v", err)
		return res
	}
	if out, err := h.run(ctx, complete, "identity", "rebuild"); err != nil {
		res.fail("complete rebuild: %v\n%s", err, out)
		return res
	}
	dsn, err := h.Fresh(ctx, fmt.Sprintf("rebuild%d", round))
	if err != nil {
		res.fail("fresh database: %v", err)
		return res
	}
	before, err := partition(ctx, h, dsn)
	if err != nil {
		res.fail("partition before: %v", err)
		return res
	}
	want, err := partition(ctx, h, complete)
	if err != nil {
		res.fail("partition after a complete rebuild: %v", err)
		return res
	}
	res.KilledAfter = randomDelay(rng, 200*time.Millisecond, 4*time.Second)
	res.Interrupted, err = h.killAfter(ctx, res.KilledAfter, dsn, "identity", "rebuild")
	if err != nil {
		res.fail("rebuild: %v", err)
		return res
	}
	got, err := partition(ctx, h, dsn)
	if err != nil {
		res.fail("partition after the kill: %v", err)
		return res
	}
	res.Acknowledged = "nothing until the rebuild reports done"
	switch got {
	case before:
		res.Found = "the state before the rebuild"
	case want:
		res.Found = "the state of a finished rebuild"
	default:
		res.Found = "a mixture"
		res.fail("customers are neither the old nor the rebuilt ones")
	}
	if out, err := h.run(ctx, dsn, "identity", "rebuild"); err != nil {
		res.fail("rebuild again: %v\n%s", err, out)
		return res
	}
	if again, err := partition(ctx, h, dsn); err != nil || again != want {
		res.fail("rebuilding again did not give the rebuilt state (%v)", err)
	}
	return res
}

// partition is a fingerprint of how events are grouped into customers, independent
// of customer ids: the sorted groups of event ids, hashed.
func partition(ctx context.Context, h *Harness, dsn string) (string, error) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT COALESCE(customer_id, ''), id FROM events ORDER BY id`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	groups := map[string][]string{}
	for rows.Next() {
		var customer, id string
		if err := rows.Scan(&customer, &id); err != nil {
			return "", err
		}
		if customer == "" {
			customer = "none:" + id
		}
		groups[customer] = append(groups[customer], id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	keys := make([]string, 0, len(groups))
	for _, ids := range groups {
		keys = append(keys, strings.Join(ids, ","))
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return fmt.Sprintf("%d customers %s", len(groups), hex.EncodeToString(sum[:8])), nil
}

// DemoLoad kills `oneretail demo` mid-way: running it again must give a complete
// demo, never a half tenant that blocks it.
func DemoLoad(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result {
	res := Result{Scenario: "demo", Engine: h.Engine(), Round: round}
	dsn, err := h.newDatabase(ctx, fmt.Sprintf("demo%d", round), "")
	if err != nil {
		res.fail("empty database: %v", err)
		return res
	}
	res.KilledAfter = randomDelay(rng, 500*time.Millisecond, 8*time.Second)
	res.Interrupted, err = h.killAfter(ctx, res.KilledAfter, dsn, "demo", "--scale", "small", "--admin-password", adminPassword)
	if err != nil {
		res.fail("first load: %v", err)
		return res
	}
	if out, err := h.run(ctx, dsn, "demo", "--scale", "small", "--admin-password", adminPassword); err != nil && res.Interrupted {
		res.fail("the load could not be run again after the kill: %v: %s", err, lastLine(out))
		return res
	}
	got, err := demoCounts(ctx, h, dsn)
	if err != nil {
		res.fail("count: %v", err)
		return res
	}
	want, err := demoCounts(ctx, h, h.base)
	if err != nil {
		res.fail("count the base: %v", err)
		return res
	}
	res.Acknowledged = "the second load's success"
	res.Found = got
	if got != want {
		res.fail("the reloaded demo holds %s, a clean load %s", got, want)
	}
	return res
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func demoCounts(ctx context.Context, h *Harness, dsn string) (string, error) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer d.Close()
	var out []string
	for _, table := range []string{"tenants", "stores", "skus", "customers", "events", "touchpoints", "promotions"} {
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return "", fmt.Errorf("%s: %w", table, err)
		}
		out = append(out, fmt.Sprintf("%s %d", table, n))
	}
	return strings.Join(out, ", "), nil
}

const (
	redeemOrders  = 240
	redeemWorkers = 4
	redeemOff     = 100 // fen off each unit of the promotion's SKU
	// redeemBudget lets about two thirds of the orders through, so the kill can land
	// both before and after the budget runs out.
	redeemBudget = redeemOrders * 2 / 3 * redeemOff
)

// Redeem commits orders priced by the server (priced-cart tokens) from several tills
// with Idempotency-Keys against a promotion with a budget, kills the server mid-flight,
// restarts it and retries every order not acknowledged with the same key. Every
// acknowledged order must be stored once, every retry must answer (committed, or
// refused for the budget) within seconds, and the promotion's usage must equal the
// sum of its committed orders without exceeding its budget.
func Redeem(ctx context.Context, h *Harness, round int, rng *rand.Rand) Result {
	res := Result{Scenario: "redeem", Engine: h.Engine(), Round: round}
	dsn, err := h.Fresh(ctx, fmt.Sprintf("redeem%d", round))
	if err != nil {
		res.fail("fresh database: %v", err)
		return res
	}
	srv, err := h.Serve(ctx, dsn)
	if err != nil {
		res.fail("start: %v", err)
		return res
	}
	till, promotion, sku, err := redeemSetup(ctx, srv.URL, round)
	if err != nil {
		srv.Kill()
		res.fail("set up: %v", err)
		return res
	}
	prefix := fmt.Sprintf("CR%d-%d", round, rng.Int64N(1_000_000))
	bodies := make([]map[string]any, redeemOrders)
	for i := range bodies {
		var priced struct {
			Token string `json:"priced_token"`
		}
		cart := map[string]any{"lines": []map[string]any{{"id": "1", "sku": sku, "unit": "each", "qty": 1 + i%3, "unit_price": 990}}}
		if _, err := till.Do(ctx, http.MethodPost, "/api/v1/carts/price", nil, cart, &priced); err != nil {
			srv.Kill()
			res.fail("price order %d: %v", i, err)
			return res
		}
		bodies[i] = map[string]any{"order_id": fmt.Sprintf("%s-%d", prefix, i), "priced_token": priced.Token}
	}
	final := make([]int, redeemOrders) // the status of each order's answer, 0 for none
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range redeemWorkers {
		wg.Go(func() {
			for i := range jobs {
				status, err := till.Do(ctx, http.MethodPost, "/api/v1/promotion-redemptions", orderKey(bodies[i]), bodies[i], nil)
				if err == nil && (status/100 == 2 || status == http.StatusConflict) {
					mu.Lock()
					final[i] = status
					mu.Unlock()
				}
			}
		})
	}
	res.KilledAfter = randomDelay(rng, 200*time.Millisecond, 2*time.Second)
	killed := make(chan struct{})
	go func() {
		time.Sleep(res.KilledAfter)
		srv.Kill()
		close(killed)
	}()
	for i := range redeemOrders {
		if isClosed(killed) {
			break
		}
		select {
		case jobs <- i:
		case <-killed:
		}
	}
	close(jobs)
	wg.Wait()
	<-killed
	acked := 0
	for _, st := range final {
		if st/100 == 2 {
			acked++
		}
	}
	answered := countNonZero(final)
	res.Interrupted = answered < redeemOrders
	res.Acknowledged = fmt.Sprintf("%d of %d orders committed, %d refused for the budget, %d unanswered", acked, redeemOrders, answered-acked, redeemOrders-answered)

	srv, err = h.Serve(ctx, dsn)
	if err != nil {
		res.fail("restart: %v", err)
		return res
	}
	defer srv.Kill()
	till.Base = srv.URL
	var slowest time.Duration
	var failures []string
	for i := range redeemOrders {
		if final[i] != 0 {
			continue
		}
		start := time.Now()
		status, err := till.Do(ctx, http.MethodPost, "/api/v1/promotion-redemptions", orderKey(bodies[i]), bodies[i], nil)
		slowest = max(slowest, time.Since(start))
		if err != nil || (status/100 != 2 && status != http.StatusConflict) {
			failures = append(failures, fmt.Sprintf("order %d: %d %v", i, status, err))
			continue
		}
		final[i] = status
	}
	if len(failures) > 0 {
		res.fail("%d retries with the same Idempotency-Key failed (first: %s)", len(failures), failures[0])
	}
	if slowest > 15*time.Second {
		res.fail("a retry took %s", slowest.Round(time.Millisecond))
	}
	var committed []string
	for i, st := range final {
		if st/100 == 2 {
			committed = append(committed, bodies[i]["order_id"].(string))
		}
	}
	found, problems := verifyRedemptions(ctx, h, dsn, promotion, prefix, committed)
	res.Found = fmt.Sprintf("%s; slowest retry %s", found, slowest.Round(time.Millisecond))
	res.Problems = append(res.Problems, problems...)
	return res
}

func countNonZero(xs []int) int {
	n := 0
	for _, x := range xs {
		if x != 0 {
			n++
		}
	}
	return n
}

func orderKey(body map[string]any) http.Header {
	return http.Header{"Idempotency-Key": {"order-" + body["order_id"].(string)}}
}

// redeemSetup makes an active promotion with a budget on a demo SKU and a till key;
// it returns the till's client, the promotion id and the SKU code.
func redeemSetup(ctx context.Context, base string, round int) (*Client, string, string, error) {
	admin, err := login(ctx, base)
	if err != nil {
		return nil, "", "", err
	}
	var skus struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	if _, err := admin.Do(ctx, http.MethodGet, "/api/v1/skus?limit=1", nil, nil, &skus); err != nil {
		return nil, "", "", err
	}
	if len(skus.Items) == 0 {
		return nil, "", "", errors.New("the demo has no SKU")
	}
	sku := skus.Items[0].Code
	var promo struct {
		ID string `json:"id"`
	}
	if _, err := admin.Do(ctx, http.MethodPost, "/api/v1/promotions", nil, map[string]any{
		"code": fmt.Sprintf("CRASH%d", round), "name": "crash harness",
		"limits":     map[string]any{"budget_fen": redeemBudget},
		"definition": map[string]any{"kind": "amount_off", "scope": map[string]any{"skus": []string{sku}}, "amount_off": map[string]any{"amount": redeemOff}},
	}, &promo); err != nil {
		return nil, "", "", err
	}
	if _, err := admin.Do(ctx, http.MethodPost, "/api/v1/promotions/"+promo.ID+"/activate", nil, nil, &struct{}{}); err != nil {
		return nil, "", "", err
	}
	var key struct {
		Secret string `json:"secret"`
	}
	if _, err := admin.Do(ctx, http.MethodPost, "/api/v1/api-keys", nil,
		map[string]any{"name": "crash till", "scopes": []string{"pricing:use"}}, &key); err != nil {
		return nil, "", "", err
	}
	till := newClient(base)
	till.Token = key.Secret
	return till, promo.ID, sku, nil
}

// verifyRedemptions checks the stored orders against the committed ones and the
// promotion's usage against its orders and budget.
func verifyRedemptions(ctx context.Context, h *Harness, dsn, promotion, prefix string, committed []string) (string, []string) {
	d, err := h.openDB(ctx, dsn)
	if err != nil {
		return "", []string{"open database: " + err.Error()}
	}
	defer d.Close()
	var problems []string
	stored := map[string]bool{}
	rows, err := d.QueryContext(ctx, `SELECT order_id FROM promotion_redemption_orders WHERE order_id LIKE $1 AND status = 'committed'`, prefix+"-%")
	if err != nil {
		return "", []string{"read orders: " + err.Error()}
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", []string{err.Error()}
		}
		stored[id] = true
	}
	rows.Close()
	for _, id := range committed {
		if !stored[id] {
			problems = append(problems, "committed order "+id+" is missing")
		}
	}
	if len(stored) != len(committed) {
		problems = append(problems, fmt.Sprintf("%d orders stored, %d acknowledged as committed", len(stored), len(committed)))
	}
	var uses, used, budget, sumValue, count int64
	if err := d.QueryRowContext(ctx, `SELECT uses, discount_fen, budget_fen FROM promotion_usage WHERE promotion_id = $1`, promotion).Scan(&uses, &used, &budget); err != nil {
		return "", append(problems, "read usage: "+err.Error())
	}
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(r.value_fen), 0) FROM promotion_redemptions r
		JOIN promotion_redemption_orders o ON o.tenant_id = r.tenant_id AND o.order_id = r.order_id
		WHERE r.promotion_id = $1 AND o.status = 'committed'`, promotion).Scan(&count, &sumValue); err != nil {
		return "", append(problems, "sum orders: "+err.Error())
	}
	if uses != count || used != sumValue {
		problems = append(problems, fmt.Sprintf("usage says %d uses and %d fen, the orders %d and %d fen", uses, used, count, sumValue))
	}
	if used > budget {
		problems = append(problems, fmt.Sprintf("budget exceeded: %d fen used of %d", used, budget))
	}
	return fmt.Sprintf("%d orders stored once each; usage %d uses, %d of %d fen, matching the orders", len(stored), uses, used, budget), problems
}
