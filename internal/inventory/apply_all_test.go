package inventory

import (
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestApplyAllChecksEachChangeInOrder: many changes in one call give each change the
// outcome Apply would give it one by one — in their order, each seeing the running
// on hand — and move each balance by the sum of the recorded ones; the ledger
// reconciles.
func TestApplyAllChecksEachChangeInOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "all")
		other := setup(t, d, "other")
		cases := []struct {
			c    Change
			want errs.Code // "" when recorded
		}{
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveReceipt, Qty: 1}, ""},
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveSale, Qty: 3}, ""}, // below zero where allowed: −2
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveWriteOff, Qty: 1}, errs.Insufficient},
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveCount, Qty: 7}, ""}, // +9
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveAdjustment, Qty: -1}, errs.Invalid},
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveAdjustment, Qty: -1, Reason: "damaged"}, ""},
			{Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 5}, ""},
			{Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveSale, Qty: 4}, ""},
			{Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveSale, Qty: 2}, errs.Insufficient}, // the warehouse never goes negative
			{Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1}, ""},
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveReceipt, Qty: 0}, errs.Invalid},
			{Change{LocationID: w.store.ID, SKUID: other.apples, Kind: MoveReceipt, Qty: 1}, errs.Invalid},
			{Change{LocationID: other.store.ID, SKUID: w.apples, Kind: MoveReceipt, Qty: 1}, errs.NotFound},
			{Change{LocationID: w.store.ID, SKUID: w.apples, Kind: "gift", Qty: 1}, errs.Invalid},
		}
		changes := make([]Change, len(cases))
		for i, tc := range cases {
			changes[i] = tc.c
		}
		got, err := w.svc.ApplyAll(w.ctx, changes)
		if err != nil {
			t.Fatal(err)
		}
		for i, tc := range cases {
			if (tc.want == "" && got[i] != nil) || (tc.want != "" && !errs.Is(got[i], tc.want)) {
				t.Errorf("change %d (%s %d): %v, want %q", i, tc.c.Kind, tc.c.Qty, got[i], tc.want)
			}
		}
		if b := w.balance(t, w.store, w.apples); b.OnHand != 6 {
			t.Errorf("apples at the store: %d, want 6", b.OnHand)
		}
		if b := w.balance(t, w.warehouse, w.milk); b.OnHand != 0 {
			t.Errorf("milk at the warehouse: %d, want 0", b.OnHand)
		}
		var alerts int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1`, EventNegativeStock).Scan(&alerts); err != nil {
			t.Fatal(err)
		}
		if alerts != 1 {
			t.Errorf("%d negative-stock alerts, want 1 (the sale that took the store to −2)", alerts)
		}
		w.reconciles(t)
	})
}

// TestApplyAllNeverOversells: concurrent batches of one-unit sales at a location that
// keeps stock from going negative sell exactly what is on hand.
func TestApplyAllNeverOversells(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "race")
		w.receive(t, w.warehouse, w.bread, 10)
		sale := Change{LocationID: w.warehouse.ID, SKUID: w.bread, Kind: MoveSale, Qty: 1}
		var mu sync.Mutex
		sold := 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := w.svc.ApplyAll(w.ctx, []Change{sale, sale, sale, sale, sale})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, err := range out {
					if err == nil {
						sold++
					} else if !errs.Is(err, errs.Insufficient) {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if b := w.balance(t, w.warehouse, w.bread); sold != 10 || b.OnHand != 0 {
			t.Errorf("%d sold, on hand %d: want 10 and 0", sold, b.OnHand)
		}
		w.reconciles(t)
	})
}
