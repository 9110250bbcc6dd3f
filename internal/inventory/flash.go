package inventory

import (
	"context"
	"database/sql"
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

// maxFlashBatch keeps a batch's bulk inserts well inside the engines' parameter limits.
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
// their own transaction. When ctx ends first, the batches still running are cancelled
// (their callers get an error; nothing they were not told of is committed) and Close
// returns ctx's error once the workers have exited.
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
	ask := &flashAsk{ctx: ctx, actorID: p.ID, ref: req.Reference, line: req.Lines[0], ttl: req.TTL, done: make(chan flashAnswer, 1)}
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
	r       Reservation
	err     error
	granted bool
	first   int // for a reference asked twice in the batch, the index of the first ask
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
				a.done <- flashAnswer{err: fmt.Errorf("reserve: %w", errors.Join(err, ctx.Err()))}
				continue
			}
			r, err := s.reserveOwn(a.ctx, a.ref, a.line, a.ttl, a.actorID, key.tenantID)
			a.done <- flashAnswer{r: r, err: err}
		}
		return
	}
	for i, a := range live {
		o := out[i]
		if o.first != i {
			o = dedupe(out[o.first], a.line, a.ref)
		}
		a.done <- flashAnswer{r: o.r, err: o.err}
	}
}

// dedupe answers a second ask for a reference with what the first ask got.
func dedupe(first flashOutcome, line Line, ref string) flashOutcome {
	if first.err != nil {
		return first
	}
	if !slices.Equal(first.r.Lines, []Line{line}) {
		return flashOutcome{err: errs.E(errs.Conflict, "%s reserved other stock before", ref)}
	}
	return first
}

// flashTx decides and writes one batch inside tx; it may run more than once (db.Tx
// retries), so it keeps no state between runs.
func (s *Service) flashTx(ctx context.Context, tx *sql.Tx, key flashKey, asks []*flashAsk) ([]flashOutcome, error) {
	out := make([]flashOutcome, len(asks))
	firstOf := map[string]int{}
	refs := make([]string, 0, len(asks))
	for i, a := range asks {
		out[i].first = i
		if j, seen := firstOf[a.ref]; seen {
			out[i].first = j
			continue
		}
		firstOf[a.ref] = i
		refs = append(refs, a.ref)
	}
	// References reserved before this batch get their reservation back, as in ReserveTx.
	prior, err := priorReferences(ctx, tx, s.db.Dialect, key.tenantID, refs)
	if err != nil {
		return nil, err
	}
	for _, ref := range prior {
		i := firstOf[ref]
		r, err := getReservation(ctx, tx, key.tenantID, ref, "")
		if err != nil {
			return nil, err
		}
		out[i].r = r
		if !slices.Equal(r.Lines, []Line{asks[i].line}) {
			out[i].err = errs.E(errs.Conflict, "%s reserved other stock before", ref)
		}
		out[i].first = -1 // settled; not a candidate for a grant
	}
	available, err := lockAvailable(ctx, tx, s.lock(), key)
	if err != nil {
		return nil, err
	}
	qty := make([]int64, len(asks))
	for i, a := range asks {
		if out[i].first == i {
			qty[i] = a.line.Qty
		}
	}
	granted, total := Grant(available, qty)
	now := s.now()
	var rs []Reservation
	var ms []Movement
	for i, a := range asks {
		switch {
		case out[i].first == -1:
			out[i].first = i
		case out[i].first != i:
		case granted[i]:
			r := Reservation{ID: ids.New(), Reference: a.ref, Status: ReservationActive, Lines: []Line{a.line}, ExpiresAt: now.Add(a.ttl), CreatedAt: now}
			out[i] = flashOutcome{r: r, granted: true, first: i}
			rs = append(rs, r)
			ms = append(ms, Movement{ID: ids.New(), LocationID: key.locationID, SKUID: key.skuID, Kind: MoveReserve, ReservedDelta: a.line.Qty, Reference: a.ref, ActorID: a.actorID, OccurredAt: now})
		default:
			out[i].err = errs.E(errs.Insufficient, "not enough of SKU %s available at location %s for %d", key.skuID, key.locationID, a.line.Qty)
		}
	}
	if total == 0 {
		return out, nil
	}
	ok, err := reserveUnits(ctx, tx, key.tenantID, Line{LocationID: key.locationID, SKUID: key.skuID, Qty: total}, now)
	if err != nil {
		return nil, err
	}
	if !ok { // cannot happen under the row lock; refuse to write rather than oversell
		return nil, fmt.Errorf("flash batch: %d units no longer available", total)
	}
	if err := insertMovements(ctx, tx, s.db.Dialect, key.tenantID, ms); err != nil {
		return nil, err
	}
	if err := insertReservations(ctx, tx, s.db.Dialect, key.tenantID, rs); err != nil {
		return nil, err
	}
	return out, nil
}

// Grant decides a batch of asks for qty[i] units (0: not a candidate) against
// available units: in order, each ask that still fits is granted. It returns which
// were granted and their sum, never more than available.
func Grant(available int64, qty []int64) ([]bool, int64) {
	granted := make([]bool, len(qty))
	var total int64
	for i, q := range qty {
		if q > 0 && q <= available-total {
			granted[i] = true
			total += q
		}
	}
	return granted, total
}

// reserveOwn reserves one line in a transaction of its own, for an ask its batch
// could not write; auth was checked when the ask was queued.
func (s *Service) reserveOwn(ctx context.Context, ref string, l Line, ttl time.Duration, actorID, tenantID string) (Reservation, error) {
	var r Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.reserveLines(ctx, tx, tenantID, actorID, ReserveRequest{Reference: ref, Lines: []Line{l}, TTL: ttl})
		return err
	})
	return r, err
}

// priorReferences returns which of refs the tenant has a reservation for.
func priorReferences(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, refs []string) ([]string, error) {
	args := []any{tenantID}
	query := `SELECT reference FROM stock_reservations WHERE tenant_id = $1 AND reference` + db.In(d, &args, refs)
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

// lockAvailable reads what a balance has available and holds its row until the
// transaction ends (SQLite has one writer); a balance never stocked has none.
func lockAvailable(ctx context.Context, tx *sql.Tx, lock string, key flashKey) (int64, error) {
	var available int64
	err := tx.QueryRowContext(ctx, `SELECT on_hand - reserved - safety_stock FROM stock_balances
		WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`+lock, key.tenantID, key.locationID, key.skuID).Scan(&available)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read available: %w", err)
	}
	return available, nil
}

// insertMovements appends ms to the ledger in one statement per engine chunk.
func insertMovements(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, ms []Movement) error {
	w := db.Rows{Head: `INSERT INTO stock_movements (tenant_id, id, location_id, sku_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, occurred_at)`,
		Lead: "$1", Fixed: []any{tenantID}}
	err := db.WriteRows(ctx, tx, d, w, ms, func(m Movement) []any {
		return []any{m.ID, m.LocationID, m.SKUID, string(m.Kind), m.OnHandDelta, m.ReservedDelta, m.Reference, m.Reason, m.ActorID, clock.Millis(m.OccurredAt)}
	}, nil)
	if err != nil {
		return fmt.Errorf("record movements: %w", err)
	}
	return nil
}

// insertReservations stores active reservations and their lines in bulk.
func insertReservations(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, rs []Reservation) error {
	w := db.Rows{Head: `INSERT INTO stock_reservations (tenant_id, id, reference, status, expires_at, created_at, updated_at)`,
		Lead: "$1", Fixed: []any{tenantID}}
	err := db.WriteRows(ctx, tx, d, w, rs, func(r Reservation) []any {
		return []any{r.ID, r.Reference, string(r.Status), clock.Millis(r.ExpiresAt), clock.Millis(r.CreatedAt), clock.Millis(r.CreatedAt)}
	}, nil)
	if err != nil {
		return fmt.Errorf("store reservations: %w", err)
	}
	type line struct {
		id string
		l  Line
	}
	var lines []line
	for _, r := range rs {
		for _, l := range r.Lines {
			lines = append(lines, line{r.ID, l})
		}
	}
	err = db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO stock_reservation_lines (reservation_id, location_id, sku_id, qty)`}, lines,
		func(l line) []any { return []any{l.id, l.l.LocationID, l.l.SKUID, l.l.Qty} }, nil)
	if err != nil {
		return fmt.Errorf("store reservation lines: %w", err)
	}
	return nil
}
