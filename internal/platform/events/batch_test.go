package events_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// publishMany publishes n events of type typ in one transaction.
func publishMany(t *testing.T, d *db.DB, o *events.Outbox, typ string, n int) []events.Event {
	t.Helper()
	var out []events.Event
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		out = out[:0]
		for i := range n {
			e, err := o.Publish(context.Background(), tx, "t1", typ, "agg-1", map[string]int{"n": i})
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// drain dispatches until nothing is due and returns how many rounds it took.
func drain(t *testing.T, disp *events.Dispatcher) int {
	t.Helper()
	for rounds := 0; ; rounds++ {
		n, err := disp.DispatchDue(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return rounds
		}
	}
}

func countStatus(t *testing.T, d *db.DB, status string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE status = $1`, status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeliveryInBatches: events are claimed BatchSize at a time; a batch subscriber
// gets each batch's events it wants in one call, in publish order; events no
// subscriber wants are settled as delivered without a call.
func TestDeliveryInBatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, disp, _ := setup(t, d)
		disp.BatchSize = 10
		var calls, single atomic.Int32
		var got []string
		disp.SubscribeBatch("batcher", func(_ context.Context, batch []events.Event) error {
			calls.Add(1)
			if len(batch) > 10 {
				t.Errorf("batch of %d events, want at most 10", len(batch))
			}
			for _, e := range batch {
				got = append(got, e.ID)
			}
			return nil
		}, "wanted.happened")
		disp.Subscribe("single", func(context.Context, events.Event) error { single.Add(1); return nil }, "wanted.happened")
		wanted := publishMany(t, d, o, "wanted.happened", 25)
		publishMany(t, d, o, "nobody.cares", 30)

		if rounds := drain(t, disp); rounds != 6 {
			t.Errorf("%d rounds for 55 events in batches of 10, want 6", rounds)
		}
		if calls.Load() != 3 || single.Load() != 25 {
			t.Errorf("batch subscriber called %d times (want 3), single subscriber %d times (want 25)", calls.Load(), single.Load())
		}
		if len(got) != len(wanted) {
			t.Fatalf("batch subscriber got %d events, want %d", len(got), len(wanted))
		}
		for i, e := range wanted {
			if got[i] != e.ID {
				t.Fatalf("event %d out of order: got %s, want %s", i, got[i], e.ID)
			}
		}
		if n := countStatus(t, d, events.StatusDelivered); n != 55 {
			t.Errorf("%d delivered, want 55", n)
		}
	})
}

// TestBatchSubscriberFailure: a failing batch subscriber fails every event of its
// call, each is retried for it alone, and other subscribers are not called again.
func TestBatchSubscriberFailure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, disp, c := setup(t, d)
		var fail atomic.Bool
		fail.Store(true)
		var batchCalls, other atomic.Int32
		disp.SubscribeBatch("batcher", func(context.Context, []events.Event) error {
			batchCalls.Add(1)
			if fail.Load() {
				return errors.New("warehouse offline")
			}
			return nil
		})
		disp.Subscribe("other", func(context.Context, events.Event) error { other.Add(1); return nil })
		publishMany(t, d, o, "x.happened", 5)
		drain(t, disp)
		pending := list(t, disp, events.StatusPending)
		if len(pending) != 5 || pending[0].Attempts != 1 || pending[0].LastError != "batcher: warehouse offline" {
			t.Fatalf("after a failed batch: %+v", pending)
		}
		fail.Store(false)
		c.Advance(time.Minute)
		drain(t, disp)
		if n := countStatus(t, d, events.StatusDelivered); n != 5 {
			t.Errorf("%d delivered after the retry, want 5", n)
		}
		if batchCalls.Load() != 2 || other.Load() != 5 {
			t.Errorf("batch subscriber called %d times (want 2), other %d times (want 5: it had them already)", batchCalls.Load(), other.Load())
		}
	})
}

// TestStopMidBatch: a dispatcher stopped in the middle of a batch records what it
// delivered and releases the rest, which the next round delivers at once — every
// event exactly once when the subscriber is not interrupted inside a call.
func TestStopMidBatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, disp, _ := setup(t, d)
		disp.BatchSize = 20
		stop := make(chan struct{})
		seen := map[string]int{}
		disp.Subscribe("counter", func(_ context.Context, e events.Event) error {
			seen[e.ID]++
			if len(seen) == 7 {
				close(stop)
			}
			return nil
		})
		disp.Subscribe("second", func(context.Context, events.Event) error { return nil })
		evs := publishMany(t, d, o, "x.happened", 20)
		if n, err := disp.DispatchDue(context.Background(), stop); err != nil || n != 0 {
			t.Fatalf("stopped round settled %d (%v), want 0: no event reached both subscribers", n, err)
		}
		if len(seen) != 7 {
			t.Fatalf("subscriber called for %d events after the stop at 7", len(seen))
		}
		// Released at once: no lease to wait for (the clock does not move).
		drain(t, disp)
		for _, e := range evs {
			if seen[e.ID] != 1 {
				t.Fatalf("event %s delivered %d times, want 1", e.ID, seen[e.ID])
			}
		}
		if n := countStatus(t, d, events.StatusDelivered); n != 20 {
			t.Errorf("%d delivered, want 20", n)
		}
	})
}

// TestTwoDispatchers: two dispatchers draining one outbox together deliver every
// event, none while the other is delivering it, and — with no crash — each exactly
// once.
func TestTwoDispatchers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, _, c := setup(t, d)
		const total = 2000
		evs := publishMany(t, d, o, "x.happened", total)
		var mu sync.Mutex
		calls := map[string]int{}
		inFlight := map[string]bool{}
		var overlaps atomic.Int32
		by := [2]atomic.Int32{}
		var wg sync.WaitGroup
		for i := range 2 {
			disp := events.NewDispatcher(d, o, c, nil)
			disp.BatchSize = 50
			disp.Subscribe("effect", func(_ context.Context, e events.Event) error {
				mu.Lock()
				if inFlight[e.ID] {
					overlaps.Add(1)
				}
				inFlight[e.ID] = true
				calls[e.ID]++
				mu.Unlock()
				by[i].Add(1)
				time.Sleep(50 * time.Microsecond)
				mu.Lock()
				delete(inFlight, e.ID)
				mu.Unlock()
				return nil
			})
			wg.Go(func() {
				for {
					n, err := disp.DispatchDue(context.Background(), nil)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if overlaps.Load() != 0 {
			t.Errorf("%d deliveries of an event while the other dispatcher was delivering it", overlaps.Load())
		}
		for _, e := range evs {
			if calls[e.ID] != 1 {
				t.Fatalf("event %s delivered %d times, want 1", e.ID, calls[e.ID])
			}
		}
		if n := countStatus(t, d, events.StatusDelivered); n != total {
			t.Errorf("%d delivered, want %d", n, total)
		}
		t.Logf("%s: dispatchers delivered %d and %d", d.Dialect, by[0].Load(), by[1].Load())
	})
}
