package events_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func setup(t *testing.T, d *db.DB) (*events.Outbox, *events.Dispatcher, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	o := events.NewOutbox(c)
	disp := events.NewDispatcher(d, o, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	disp.MaxAttempts = 3
	disp.Backoff = events.ExponentialBackoff(time.Second, time.Minute)
	return o, disp, c
}

func publish(t *testing.T, d *db.DB, o *events.Outbox, typ string) events.Event {
	t.Helper()
	var e events.Event
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		e, err = o.Publish(context.Background(), tx, "t1", typ, "agg-1", map[string]int{"n": 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func list(t *testing.T, disp *events.Dispatcher, status string) []events.DomainEvent {
	t.Helper()
	page, err := disp.List(context.Background(), "t1", status, "", httpapi.PageParams{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestDeliveryRetryAndDeadLetter(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o, disp, c := setup(t, d)
		var good, flaky atomic.Int32
		disp.Subscribe("good", func(context.Context, events.Event) error { good.Add(1); return nil }, "thing.created")
		disp.Subscribe("flaky", func(context.Context, events.Event) error {
			flaky.Add(1)
			return errors.New("downstream unavailable")
		})
		publish(t, d, o, "thing.created")
		publish(t, d, o, "other.happened")

		if n, err := disp.DispatchDue(ctx, nil); err != nil || n != 2 {
			t.Fatalf("first round handled %d (%v), want 2", n, err)
		}
		// Not yet due again: the backoff holds the failed events back.
		if n, _ := disp.DispatchDue(ctx, nil); n != 0 {
			t.Fatalf("retried %d events before their backoff", n)
		}
		for range 2 {
			c.Advance(2 * time.Minute)
			if _, err := disp.DispatchDue(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if good.Load() != 1 {
			t.Errorf("good subscriber called %d times, want exactly 1 (it succeeded the first time)", good.Load())
		}
		if flaky.Load() != 6 {
			t.Errorf("flaky subscriber called %d times, want 3 attempts × 2 events", flaky.Load())
		}
		dead := list(t, disp, events.StatusDead)
		if len(dead) != 2 || dead[0].LastError == "" || dead[0].Attempts != 3 {
			t.Fatalf("dead events = %+v", dead)
		}
		if err := disp.Retry(ctx, "t2", dead[0].ID); err == nil {
			t.Fatal("another tenant retried the event")
		}
		if err := disp.Retry(ctx, "t1", dead[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := len(list(t, disp, events.StatusPending)); got != 1 {
			t.Fatalf("%d pending after retry, want 1", got)
		}
	})
}

func TestMarkProcessedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var firsts int
		for range 3 {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				first, err := events.MarkProcessed(ctx, tx, time.Now(), "sub", "evt-1")
				if first {
					firsts++
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if firsts != 1 {
			t.Fatalf("MarkProcessed reported first %d times, want 1", firsts)
		}
	})
}

// TestRunStopsCleanly starts the dispatcher, publishes, and cancels: Run returns,
// and every event delivered was recorded as delivered.
func TestRunStopsCleanly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.System{}
		o := events.NewOutbox(c)
		disp := events.NewDispatcher(d, o, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
		var seen atomic.Int32
		disp.Subscribe("counter", func(context.Context, events.Event) error { seen.Add(1); return nil })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- disp.Run(ctx) }()
		for range 5 {
			publish(t, d, o, "x.happened")
		}
		deadline := time.Now().Add(10 * time.Second)
		for seen.Load() < 5 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		if seen.Load() != 5 {
			t.Fatalf("delivered %d, want 5", seen.Load())
		}
		if got := len(list(t, disp, events.StatusDelivered)); got != 5 {
			t.Fatalf("%d recorded delivered, want 5", got)
		}
	})
}
