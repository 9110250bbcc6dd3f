package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The flash-sale path (docs/decisions/0025-flash-sale-reservations.md). Reserve hands
// a reservation of a single location and SKU to a broker instead of running it in a
// transaction of its own: one worker per (tenant, location, SKU) takes every request
// waiting for that balance, grants them in arrival order while stock lasts and writes
// the whole batch in one transaction — one conditional UPDATE of the balance by the
// batch's sum, the reservation, line and ledger rows in bulk — and answers each caller
// only once that transaction has committed. The worker exists while requests wait
// and exits when none do; batches form by themselves from whatever arrived during the
// previous commit (group commit), so a lone request waits for nothing.

// DefaultFlashBatch is how many reservations one flash-path transaction holds at most.
const DefaultFlashBatch = 256

// maxFlashBatch bounds FlashOptions.MaxBatch: the rows of one transaction, and what
// the last caller of a batch waits for.
const maxFlashBatch = 1000

// FlashOptions tune the flash-sale path of Reserve. The zero value is the default.
type FlashOptions struct {
	// Off sends every reservation through its own transaction (the path ReserveTx
	// takes), as before the broker existed.
	Off bool
	// MaxBatch bounds the reservations one transaction writes (default
	// DefaultFlashBatch, at most 1000).
	MaxBatch int
}

// flashKey names one balance.
type flashKey struct{ tenantID, locationID, skuID string }

// flashAsk is one caller's request waiting for its batch.
type flashAsk struct {
	ctx     context.Context
	actorID string
	ref     string
	channel string
	line    Line
	ttl     time.Duration
	done    chan flashAnswer // buffered: the worker never waits for the caller
}

type flashAnswer struct {
	r   Reservation
	err error
}

// broker queues flash-path requests per balance and runs one worker per busy balance.
type broker struct {
	mu      sync.Mutex
	opts    FlashOptions
	queues  map[flashKey][]*flashAsk // a key is present while its worker runs
	closed  bool
	workers sync.WaitGroup
	stop    context.CancelFunc // aborts running batches when Close gives up waiting
	base    context.Context
	stats   FlashStats
}

// FlashStats counts the work of the flash-sale path since the service started.
type FlashStats struct {
	Batches  int64 // transactions the broker committed
	Asks     int64 // reservations they decided (granted, refused or found made before)
	Fallback int64 // asks reserved on their own after their batch failed as a whole
}

// FlashStats returns what the flash-sale path has done so far.
func (s *Service) FlashStats() FlashStats {
	s.flash.mu.Lock()
	defer s.flash.mu.Unlock()
	return s.flash.stats
}

func newBroker() *broker {
	base, stop := context.WithCancel(context.Background())
	return &broker{queues: map[flashKey][]*flashAsk{}, base: base, stop: stop}
}

// SetFlash changes how Reserve treats single-line reservations from the next batch on.
func (s *Service) SetFlash(o FlashOptions) {
	s.flash.mu.Lock()
	defer s.flash.mu.Unlock()
	s.flash.opts = o
}

// Close stops the flash-sale broker: it answers every request already queued (each
// batch commits or fails as a whole), then returns. Reservations made after Close take
// their own transaction. When ctx ends first, the batches not yet committed are
// rolled back and their callers, like those still queued, get an error; Close returns
// ctx's error once the workers have exited.
func (s *Service) Close(ctx context.Context) error {
	b := s.flash
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.workers.Wait(); close(done) }()
	select {
	case <-done:
		b.stop()
		return nil
	case <-ctx.Done():
		b.stop()
		<-done
		return fmt.Errorf("inventory: close: %w", ctx.Err())
	}
}

// reserveFlash queues req (valid, one line) with the broker and waits for its batch to
// commit. ok is false when the broker is off or closed; the caller then reserves on
// its own.
func (s *Service) reserveFlash(ctx context.Context, p *auth.Principal, req ReserveRequest) (r Reservation, ok bool, err error) {
	b := s.flash
	ask := &flashAsk{ctx: ctx, actorID: p.ID, ref: req.Reference, channel: req.Channel, line: req.Lines[0], ttl: req.TTL, done: make(chan flashAnswer, 1)}
	key := flashKey{p.TenantID, ask.line.LocationID, ask.line.SKUID}
	b.mu.Lock()
	if b.closed || b.opts.Off {
		b.mu.Unlock()
		return Reservation{}, false, nil
	}
	q, running := b.queues[key]
	b.queues[key] = append(q, ask)
	if !running {
		b.workers.Add(1)
		go s.flashWorker(key)
	}
	b.mu.Unlock()
	select {
	case a := <-ask.done:
		return a.r, true, a.err
	case <-ctx.Done():
		// The batch holding the ask may still commit it: asking again with the same
		// reference returns that reservation.
		return Reservation{}, true, ctx.Err()
	}
}

// flashWorker writes the batches of one balance until no request waits.
func (s *Service) flashWorker(key flashKey) {
	b := s.flash
	defer b.workers.Done()
	for {
		b.mu.Lock()
		q := b.queues[key]
		if len(q) == 0 {
			delete(b.queues, key)
			b.mu.Unlock()
			return
		}
		n := min(len(q), flashBatchSize(b.opts.MaxBatch))
		batch := q[:n:n]
		b.queues[key] = q[n:]
		b.mu.Unlock()
		s.flashBatch(b.base, key, batch)
	}
}

func (b *broker) count(committed bool, asks int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if committed {
		b.stats.Batches++
		b.stats.Asks += int64(asks)
	} else {
		b.stats.Fallback += int64(asks)
	}
}

func flashBatchSize(n int) int {
	if n <= 0 {
		return DefaultFlashBatch
	}
	return min(n, maxFlashBatch)
}

// flashOutcome is what a batch decided for one ask.
type flashOutcome struct {
	r   Reservation
	err error
}

// flashBatch writes one batch in one transaction and answers its callers after the
// commit. When the transaction fails as a whole (say a reference another path
// reserved meanwhile), each ask is tried again on its own, so that one ask cannot fail
// the others.
func (s *Service) flashBatch(ctx context.Context, key flashKey, batch []*flashAsk) {
	live := batch[:0:0]
	for _, a := range batch {
		if err := a.ctx.Err(); err != nil {
			a.done <- flashAnswer{err: err} // the caller left before its batch began
			continue
		}
		live = append(live, a)
	}
	if len(live) == 0 {
		return
	}
	var out []flashOutcome
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.flashTx(ctx, tx, key, live)
		return err
	})
	s.flash.count(err == nil, len(live))
	if err != nil {
		for _, a := range live {
			if ctx.Err() != nil {
				a.done <- flashAnswer{err: fmt.Errorf("flash batch: %w", errors.Join(err, ctx.Err()))}
				continue
			}
			r, err := s.reserveOwn(a.ctx, a.ref, a.channel, a.line, a.ttl, a.actorID, key.tenantID)
			a.done <- flashAnswer{r: r, err: err}
		}
		return
	}
	for i, a := range live {
		a.done <- flashAnswer{r: out[i].r, err: out[i].err}
	}
}

// same answers an ask for a reference that holds r already: r itself when the ask
// is for the same stock, a conflict otherwise (as ReserveTx answers).
func same(r Reservation, a *flashAsk) flashOutcome {
	if !slices.Equal(r.Lines, []Line{a.line}) || r.Channel != a.channel {
		return flashOutcome{err: errs.E(errs.Conflict, "%s reserved other stock before", a.ref)}
	}
	return flashOutcome{r: r}
}

// flashTx decides and writes one batch inside tx; it may run more than once (db.Tx
// retries), so it keeps no state between runs.
func (s *Service) flashTx(ctx context.Context, tx *sql.Tx, key flashKey, asks []*flashAsk) ([]flashOutcome, error) {
	qty := make([]int64, len(asks))
	refs := make([]string, len(asks))
	channels := make([]string, len(asks))
	for i, a := range asks {
		qty[i], refs[i], channels[i] = a.line.Qty, a.ref, a.channel
	}
	// References reserved before this batch get their reservation back, as in ReserveTx.
	prior := map[string]Reservation{}
	found, err := priorReferences(ctx, tx, s.db.Dialect, key.tenantID, slices.Compact(slices.Sorted(slices.Values(refs))))
	if err != nil {
		return nil, err
	}
	for _, ref := range found {
		if prior[ref], err = getReservation(ctx, tx, key.tenantID, ref, ""); err != nil {
			return nil, err
		}
	}
	stock, err := lockPool(ctx, tx, s.lock(), key.tenantID, key.locationID, key.skuID)
	if err != nil {
		return nil, err
	}
	before := stock.available
	decided, total, fromQuota := grantPool(&stock, qty, channels, refs, func(ref string) bool { _, ok := prior[ref]; return ok })
	now := s.now()
	out := make([]flashOutcome, len(asks))
	var rows []flashRow
	drawn := map[string]int64{}
	for i, a := range asks {
		switch d := decided[i]; {
		case d == i:
			r := Reservation{ID: ids.New(), Reference: a.ref, Status: ReservationActive, Channel: a.channel, Lines: []Line{a.line}, ExpiresAt: now.Add(a.ttl), CreatedAt: now,
				fromQuota: map[[2]string]int64{{key.locationID, key.skuID}: fromQuota[i]}}
			out[i] = flashOutcome{r: r}
			rows = append(rows, flashRow{reservationID: r.ID, movementID: ids.New(), ref: a.ref, actorID: a.actorID, qty: a.line.Qty, expires: clock.Millis(r.ExpiresAt),
				channel: a.channel, fromQuota: fromQuota[i]})
			drawn[a.channel] += fromQuota[i]
		case d >= 0:
			out[i] = same(out[d].r, a)
		case d == reservedBefore:
			out[i] = same(prior[a.ref], a)
		default:
			out[i].err = errs.E(errs.Insufficient, "not enough of SKU %s available at location %s for %d", key.skuID, key.locationID, a.line.Qty)
		}
	}
	if total == 0 {
		return out, nil
	}
	// Under the row lock the batch fits; the UPDATE still refuses rather than oversell.
	if err := drawOnQuotas(ctx, tx, key.tenantID, key.locationID, key.skuID, total, drawn, now); err != nil {
		return nil, fmt.Errorf("flash batch: %w", err)
	}
	if err := insertFlashRows(ctx, tx, s.db.Dialect, key, clock.Millis(now), rows); err != nil {
		return nil, err
	}
	// The batch takes available down by its total under the row lock: one alert if
	// that crossed zero, named after the last reservation granted.
	if err := s.publishLowStock(ctx, tx, key.tenantID, key.locationID, key.skuID, before, before-total, MoveReserve, rows[len(rows)-1].ref); err != nil {
		return nil, err
	}
	return out, nil
}

// What grant decides for an ask that is not granted.
const (
	shortOfStock   = -1 // refused: it no longer fits
	reservedBefore = -2 // its reference holds a reservation from before the batch
)

// grant decides a batch of asks, ask i for qty[i] units under reference ref[i], in
// arrival order against available units. For each ask it returns the index of the ask
// whose reservation answers it — itself when it is granted, or the earlier ask that
// was granted for the same reference — else reservedBefore when reservedBefore(ref)
// says the reference holds one already, else shortOfStock. An ask is refused only if
// it does not fit in what its predecessors left; a refused ask's reference stays open
// for a later ask. The units granted, also returned, never exceed available.
func grant(available int64, qty []int64, ref []string, before func(ref string) bool) ([]int, int64) {
	decided, total, _ := grantPool(&pool{available: available}, qty, make([]string, len(qty)), ref, before)
	return decided, total
}

// grantPool is grant against a pool with channel quotas: ask i comes from channel[i]
// and takes its quota first, then the shared pool (pool.take). It also returns how
// much of each granted ask was drawn from its channel's quota.
func grantPool(p *pool, qty []int64, channel, ref []string, before func(ref string) bool) ([]int, int64, []int64) {
	decided := make([]int, len(qty))
	fromQuota := make([]int64, len(qty))
	grantedAt := map[string]int{}
	var total int64
	for i, q := range qty {
		if j, ok := grantedAt[ref[i]]; ok {
			decided[i] = j
			continue
		}
		if before(ref[i]) {
			decided[i] = reservedBefore
			continue
		}
		drawn, ok := p.take(channel[i], q)
		if !ok {
			decided[i] = shortOfStock
			continue
		}
		decided[i], fromQuota[i] = i, drawn
		grantedAt[ref[i]] = i
		total += q
	}
	return decided, total, fromQuota
}

// reserveOwn reserves one line in a transaction of its own, for an ask its batch
// could not write; auth was checked when the ask was queued.
func (s *Service) reserveOwn(ctx context.Context, ref, channel string, l Line, ttl time.Duration, actorID, tenantID string) (Reservation, error) {
	var r Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.reserveLines(ctx, tx, tenantID, actorID, ReserveRequest{Reference: ref, Lines: []Line{l}, TTL: ttl, Channel: channel})
		return err
	})
	return r, err
}

// priorReferences returns which of refs the tenant has a reservation for.
func priorReferences(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, refs []string) ([]string, error) {
	args := []any{tenantID}
	query := `SELECT reference FROM stock_reservations WHERE tenant_id = $1 AND reference` + refsIn(d, &args, refs)
	var out []string
	err := db.EachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var ref string
		err := rows.Scan(&ref)
		out = append(out, ref)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read prior reservations: %w", err)
	}
	return out, nil
}

// refsIn is db.In, with the list as one JSON array on SQLite: SQLite finds each $N
// parameter by a linear search of the statement's parameters, so preparing a list of
// hundreds costs more than running it (as in the outbox, docs/benchmarks.md).
func refsIn(d db.Dialect, args *[]any, refs []string) string {
	if d != db.SQLite {
		return db.In(d, args, refs)
	}
	list, _ := json.Marshal(refs) // a []string always encodes
	*args = append(*args, string(list))
	return fmt.Sprintf(" IN (SELECT value FROM json_each($%d))", len(*args))
}

// flashRow is what differs between the reservations of one batch; the balance, the
// time and the kinds are the same for all.
type flashRow struct {
	reservationID, movementID, ref, actorID, channel string
	qty, expires, fromQuota                          int64
}

// insertFlashRows writes a batch's reservations, their lines and their ledger rows:
// one statement per table. On PostgreSQL db.WriteRows sends one array per column; on
// SQLite the rows go as one JSON parameter, for the reason refsIn gives.
func insertFlashRows(ctx context.Context, tx *sql.Tx, d db.Dialect, key flashKey, now int64, rows []flashRow) error {
	if d == db.SQLite {
		return insertFlashRowsJSON(ctx, tx, key, now, rows)
	}
	// The fixed values are cast: in a SELECT list PostgreSQL would take them for text.
	fixed := []any{key.tenantID, key.locationID, key.skuID, now}
	steps := []struct {
		what string
		w    db.Rows
		vals func(flashRow) []any
	}{
		{"reservations", db.Rows{Head: `INSERT INTO stock_reservations (tenant_id, created_at, updated_at, status, id, reference, expires_at)`,
			Lead: "$1, $2::bigint, $2::bigint, 'active'", Fixed: []any{key.tenantID, now}},
			func(r flashRow) []any { return []any{r.reservationID, r.ref, r.expires} }},
		{"reservation lines", db.Rows{Head: `INSERT INTO stock_reservation_lines (location_id, sku_id, reservation_id, qty, channel, from_quota)`,
			Lead: "$1, $2", Fixed: fixed[1:3]},
			func(r flashRow) []any { return []any{r.reservationID, r.qty, r.channel, r.fromQuota} }},
		{"movements", db.Rows{Head: `INSERT INTO stock_movements (tenant_id, location_id, sku_id, occurred_at, kind, on_hand_delta, reason, id, reference, actor_id, reserved_delta)`,
			Lead: "$1, $2, $3, $4::bigint, 'reserve', 0, ''", Fixed: fixed},
			func(r flashRow) []any { return []any{r.movementID, r.ref, r.actorID, r.qty} }},
	}
	for _, st := range steps {
		if err := db.WriteRows(ctx, tx, d, st.w, rows, st.vals, nil); err != nil {
			return fmt.Errorf("store %s: %w", st.what, err)
		}
	}
	return nil
}

func insertFlashRowsJSON(ctx context.Context, tx *sql.Tx, key flashKey, now int64, rows []flashRow) error {
	list := make([][]any, len(rows))
	for i, r := range rows {
		list[i] = []any{r.reservationID, r.movementID, r.ref, r.actorID, r.qty, r.expires, r.channel, r.fromQuota}
	}
	data, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("encode flash rows: %w", err)
	}
	const col = `json_extract(j.value, '$[%d]')`
	c := func(i int) string { return fmt.Sprintf(col, i) }
	for _, st := range []struct {
		what, query string
		args        []any
	}{
		{"reservations", `INSERT INTO stock_reservations (tenant_id, created_at, updated_at, status, id, reference, expires_at)
			SELECT $1, $2, $2, 'active', ` + c(0) + `, ` + c(2) + `, ` + c(5) + ` FROM json_each($3) AS j`,
			[]any{key.tenantID, now, string(data)}},
		{"reservation lines", `INSERT INTO stock_reservation_lines (location_id, sku_id, reservation_id, qty, channel, from_quota)
			SELECT $1, $2, ` + c(0) + `, ` + c(4) + `, ` + c(6) + `, ` + c(7) + ` FROM json_each($3) AS j`,
			[]any{key.locationID, key.skuID, string(data)}},
		{"movements", `INSERT INTO stock_movements (tenant_id, location_id, sku_id, occurred_at, kind, on_hand_delta, reason, id, reference, actor_id, reserved_delta)
			SELECT $1, $2, $3, $4, 'reserve', 0, '', ` + c(1) + `, ` + c(2) + `, ` + c(3) + `, ` + c(4) + ` FROM json_each($5) AS j`,
			[]any{key.tenantID, key.locationID, key.skuID, now, string(data)}},
	} {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("store %s: %w", st.what, err)
		}
	}
	return nil
}
