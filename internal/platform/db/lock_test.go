package db_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestXactLock: holders of a shared lock run together, an exclusive request waits
// until they end, and other keys are independent. On SQLite, whose write
// transactions are serialised anyway, it does nothing.
func TestXactLock(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if d.Dialect != db.Postgres {
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return db.XactLock(ctx, tx, d.Dialect, "k", db.Exclusive) }); err != nil {
				t.Fatal(err)
			}
			return
		}
		hold := func(key string, mode db.LockMode, held chan<- struct{}, release <-chan struct{}) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				if err := db.XactLock(ctx, tx, d.Dialect, key, mode); err != nil {
					return err
				}
				held <- struct{}{}
				<-release
				return nil
			})
		}
		var wg sync.WaitGroup
		errc := make(chan error, 4)
		sharedHeld, release := make(chan struct{}, 2), make(chan struct{})
		for range 2 {
			wg.Go(func() { errc <- hold("k", db.Shared, sharedHeld, release) })
		}
		<-sharedHeld
		<-sharedHeld // both shared holders at once
		exclusiveHeld, releaseExclusive := make(chan struct{}, 1), make(chan struct{})
		wg.Go(func() { errc <- hold("k", db.Exclusive, exclusiveHeld, releaseExclusive) })
		otherHeld, releaseOther := make(chan struct{}, 1), make(chan struct{})
		close(releaseOther)
		wg.Go(func() { errc <- hold("other", db.Exclusive, otherHeld, releaseOther) })
		select {
		case <-otherHeld:
		case <-time.After(5 * time.Second):
			t.Fatal("a lock on another key waited")
		}
		select {
		case <-exclusiveHeld:
			t.Fatal("the exclusive lock was granted beside shared holders")
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		select {
		case <-exclusiveHeld:
		case <-time.After(5 * time.Second):
			t.Fatal("the exclusive lock was not granted once the shared holders ended")
		}
		close(releaseExclusive)
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
