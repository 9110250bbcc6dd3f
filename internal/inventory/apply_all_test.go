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

// TestApplyAllMovesBatches: the bulk path moves batches as Apply does — a receipt
// naming a batch fills it, a sale takes batches first expiry first out and then the
// untracked remainder — so tickets recorded in bulk keep the near-expiry list true.
func TestApplyAllMovesBatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "allbatches")
		got, err := w.svc.ApplyAll(w.ctx, []Change{
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 4, BatchCode: "LATE", ExpiresOn: "2026-07-01"},
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 3, BatchCode: "SOON", ExpiresOn: "2026-06-20"},
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 2}, // untracked
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 5, Reference: "T1"},
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1, BatchCode: "SOON"}, // a sale names no batch
		})
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != nil || got[1] != nil || got[2] != nil || got[3] != nil || !errs.Is(got[4], errs.Invalid) {
			t.Fatalf("outcomes %v: want four recorded and the sale naming a batch refused", got)
		}
		left, untracked := w.batches(t, w.store, w.milk)
		if left["SOON"] != 0 || left["LATE"] != 2 || untracked != 2 {
			t.Fatalf("after selling 5: batches %v, untracked %d; want SOON emptied first, LATE 2, untracked 2", left, untracked)
		}
		if m := movedBatches(t, d, w.tenant, "T1", MoveSale); m["SOON"] != -3 || m["LATE"] != -2 {
			t.Fatalf("the sale took %v, want SOON −3 and LATE −2", m)
		}
		w.reconciles(t)
	})
}
