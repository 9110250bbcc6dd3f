package events

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// Event states.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
)

// Defaults of the dispatcher's batches and retention.
const (
	DefaultBatchSize  = 500
	DefaultPurgeBatch = 2000
	DefaultRetention  = 7 * 24 * time.Hour
	maxBatchSize      = 5000 // one claim's ids must fit SQLite's parameter limit with room to spare
)

// Dispatcher delivers outbox events to subscribers in batches. Several dispatchers
// (one per node) may run against one database: each claims a batch of due events
// with a lease first — on PostgreSQL with FOR UPDATE SKIP LOCKED, so that concurrent
// claims take different events instead of waiting for each other.
type Dispatcher struct {
	db     *db.DB
	outbox *Outbox
	clock  clock.Clock
	log    *slog.Logger
	subs   []subscription
	stats  stats
	mu     sync.Mutex  // guards cursor
	cursor claimCursor // where the last claim ended

	// MaxAttempts is how many failed delivery rounds make an event dead.
	MaxAttempts int
	// Interval is how often the dispatcher polls when not woken by a publish.
	Interval time.Duration
	// Lease is how long a claimed batch is reserved for this dispatcher; a batch
	// not settled by then (the node died) is claimed again.
	Lease time.Duration
	// Backoff returns the wait after the given failed attempt (1-based).
	Backoff func(attempt int) time.Duration
	// BatchSize is how many due events one claim takes (at most 5,000).
	BatchSize int
	// Retention is how long delivered events are kept; PurgeExpired deletes older
	// ones. Zero keeps them forever. Undelivered (pending, dead) events are never
	// deleted.
	Retention time.Duration
	// PurgeBatch is how many delivered events one retention transaction deletes.
	PurgeBatch int
}

// stats counts what this dispatcher did, for the metrics.
type stats struct {
	delivered atomic.Int64 // events settled as delivered
	failed    atomic.Int64 // delivery rounds that failed for an event
	purged    atomic.Int64 // delivered events deleted after the retention
}

type subscription struct {
	name    string
	types   []string
	handler Handler
	batch   BatchHandler
}

// wants reports whether the subscription takes events of type typ.
func (s subscription) wants(typ string) bool {
	return len(s.types) == 0 || slices.Contains(s.types, typ)
}

var _ Bus = (*Dispatcher)(nil)

// NewDispatcher returns a dispatcher for the outbox's events.
func NewDispatcher(d *db.DB, o *Outbox, c clock.Clock, log *slog.Logger) *Dispatcher {
	return &Dispatcher{
		db: d, outbox: o, clock: c, log: log,
		MaxAttempts: 10,
		Interval:    500 * time.Millisecond,
		Lease:       time.Minute,
		Backoff:     ExponentialBackoff(time.Second, 10*time.Minute),
		BatchSize:   DefaultBatchSize,
		Retention:   DefaultRetention,
		PurgeBatch:  DefaultPurgeBatch,
	}
}

// ExponentialBackoff doubles the wait from base on each attempt, up to max.
func ExponentialBackoff(base, max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		return min(d, max)
	}
}

// Subscribe registers a durable subscriber that takes one event at a time. Call
// before Run.
func (d *Dispatcher) Subscribe(name string, h Handler, types ...string) {
	d.subs = append(d.subs, subscription{name: name, types: types, handler: h})
}

// SubscribeBatch registers a durable subscriber that takes the events of a claimed
// batch it wants in one call. Call before Run.
func (d *Dispatcher) SubscribeBatch(name string, h BatchHandler, types ...string) {
	d.subs = append(d.subs, subscription{name: name, types: types, batch: h})
}

// Run delivers due events until ctx is cancelled. When ctx is cancelled in the
// middle of a batch, the subscriber being called finishes, what was delivered is
// recorded and the rest of the batch is released for the next run.
func (d *Dispatcher) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.outbox.wake:
		}
		n, err := d.DispatchDue(context.WithoutCancel(ctx), ctx.Done())
		if err != nil && d.log != nil {
			d.log.Error("events: dispatch", "err", err)
		}
		next := d.Interval
		if n > 0 {
			next = 0 // more may be waiting
		}
		timer.Reset(next)
	}
}

// DispatchDue claims one batch of due events, delivers it and returns how many
// events it settled (delivered, or failed and rescheduled). It stops between
// subscriber calls when stop is closed; events it did not finish are released.
func (d *Dispatcher) DispatchDue(ctx context.Context, stop <-chan struct{}) (int, error) {
	batch, err := d.claim(ctx, d.clock.Now())
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	done, err := d.deliveredTo(ctx, batch)
	if err != nil {
		return 0, err
	}
	for _, s := range d.subs {
		if stopped(stop) {
			break
		}
		d.deliverTo(ctx, s, batch, done, stop)
	}
	return d.settle(ctx, batch, done)
}

// The outcomes of a delivery round besides StatusDelivered.
const (
	failed   = "failed"   // a subscriber failed: retry after the backoff
	released = "released" // the round stopped before every subscriber had it: due again at once
)

// claimed is one event of a claimed batch and what became of it.
type claimed struct {
	Event
	attempts int
	due      int64    // next_attempt_at, Unix ms
	fresh    []string // subscribers that took it in this round
	failures []string // "subscriber: error" of this round
}

// outcome says how a delivery round ends for c, given the subscribers that have it.
func (d *Dispatcher) outcome(c *claimed, done map[string]map[string]bool) string {
	if len(c.failures) > 0 {
		return failed
	}
	for _, s := range d.subs {
		if s.wants(c.Type) && !done[c.ID][s.name] {
			return released // stopped before this subscriber got it
		}
	}
	return StatusDelivered
}

// deliverTo hands s the events of batch it wants and has not had, recording in done
// which it took.
func (d *Dispatcher) deliverTo(ctx context.Context, s subscription, batch []*claimed, done map[string]map[string]bool, stop <-chan struct{}) {
	var todo []*claimed
	for _, c := range batch {
		if s.wants(c.Type) && !done[c.ID][s.name] {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return
	}
	if s.batch != nil {
		evs := make([]Event, len(todo))
		for i, c := range todo {
			evs[i] = c.Event
		}
		err := guard(func() error { return s.batch(ctx, evs) })
		for _, c := range todo {
			d.record(c, s.name, err, done)
		}
		return
	}
	for _, c := range todo {
		if stopped(stop) {
			return
		}
		d.record(c, s.name, guard(func() error { return s.handler(ctx, c.Event) }), done)
	}
}

// record notes the result of handing c to the subscriber named name.
func (d *Dispatcher) record(c *claimed, name string, err error, done map[string]map[string]bool) {
	if err != nil {
		c.failures = append(c.failures, name+": "+err.Error())
		return
	}
	c.fresh = append(c.fresh, name)
	if done[c.ID] == nil {
		done[c.ID] = map[string]bool{}
	}
	done[c.ID][name] = true
}

// guard runs a subscriber, turning a panic into an error.
func guard(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return call()
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// failureMessage joins a round's failures, at most 2,000 bytes.
func failureMessage(failures []string) string {
	msg := strings.Join(failures, "; ")
	if len(msg) > 2000 {
		msg = strings.ToValidUTF8(msg[:2000], "")
	}
	return msg
}
