package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// receiveBatch receives qty of sku at loc into a batch expiring on date.
func (w *world) receiveBatch(t tester, loc Location, sku, code, date string, qty int64) {
	t.Helper()
	if _, err := w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveReceipt, Qty: qty, Reference: "PO-" + code, BatchCode: code, ExpiresOn: date}); err != nil {
		t.Fatal(err)
	}
}

// batches returns what each batch of a balance holds, by code, and the untracked
// remainder; it fails unless the batches and the remainder sum to on hand.
func (w *world) batches(t tester, loc Location, sku string) (map[string]int64, int64) {
	t.Helper()
	bs, err := w.svc.FindBatches(w.ctx, loc.ID, sku)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var sum int64
	for i, b := range bs.Batches {
		if i > 0 && b.ExpiresAt.Before(bs.Batches[i-1].ExpiresAt) {
			t.Fatalf("batches not first expiry first: %+v", bs.Batches)
		}
		out[b.Code] = b.OnHand
		sum += b.OnHand
	}
	if sum != bs.Balance.BatchQty || sum+bs.Untracked != bs.Balance.OnHand {
		t.Fatalf("batches %v (sum %d) + untracked %d do not make on hand %d (batch_qty %d)", out, sum, bs.Untracked, bs.Balance.OnHand, bs.Balance.BatchQty)
	}
	return out, bs.Untracked
}

// movedBatches returns, for the movements of a reference and kind, what each batch gave or got.
func movedBatches(t tester, d *db.DB, tenant, reference string, kind MovementKind) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := db.EachRow(context.Background(), d.Reader(), `SELECT b.code, x.qty FROM stock_movement_batches x
		JOIN stock_movements m ON m.id = x.movement_id JOIN stock_batches b ON b.id = x.batch_id
		WHERE m.tenant_id = $1 AND m.reference = $2 AND m.kind = $3`, []any{tenant, reference, string(kind)}, func(rows *sql.Rows) error {
		var code string
		var qty int64
		err := rows.Scan(&code, &qty)
		out[code] += qty
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchesFirstExpiryFirstOut: three batches received out of expiry order and some
// untracked stock; a sale, a fulfilled reservation, a transfer and a write-off take
// the batches first expiry first out and record which they took, the transfer carries
// its batches to the destination, a till sale beyond the books takes only the
// untracked remainder negative, and the ledger rebuilds balances and batches.
func TestBatchesFirstExpiryFirstOut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "fefo")
		w.receiveBatch(t, w.store, w.milk, "A", "2026-06-21", 4)
		w.receiveBatch(t, w.store, w.milk, "B", "2026-06-19", 5)
		w.receiveBatch(t, w.store, w.milk, "C", "2026-06-20", 6)
		w.receive(t, w.store, w.milk, 3) // no batch
		if got, untracked := w.batches(t, w.store, w.milk); got["A"] != 4 || got["B"] != 5 || got["C"] != 6 || untracked != 3 {
			t.Fatalf("after receipts: %v, untracked %d", got, untracked)
		}
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 7, Reference: "T-1"}); err != nil {
			t.Fatal(err)
		}
		if got := movedBatches(t, d, w.tenant, "T-1", MoveSale); len(got) != 2 || got["B"] != -5 || got["C"] != -2 {
			t.Fatalf("a sale of 7 took %v, want B -5 and C -2", got)
		}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "O-1", TTL: time.Minute, Lines: []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 5}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Commit(w.ctx, "O-1"); err != nil {
			t.Fatal(err)
		}
		if got := movedBatches(t, d, w.tenant, "O-1", MoveFulfil); got["C"] != -4 || got["A"] != -1 {
			t.Fatalf("fulfilling 5 took %v, want C -4 and A -1", got)
		}
		if _, err := w.svc.TransferStock(w.ctx, Transfer{FromLocationID: w.store.ID, ToLocationID: w.warehouse.ID, SKUID: w.milk, Qty: 4, Reference: "TN-1"}); err != nil {
			t.Fatal(err)
		}
		if got, untracked := w.batches(t, w.warehouse, w.milk); got["A"] != 3 || untracked != 1 {
			t.Fatalf("the transfer of batch A's last 3 and 1 untracked arrived as %v, untracked %d", got, untracked)
		}
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveWriteOff, Qty: 1, Reference: "DMG-1", Reason: "crushed"}); err != nil {
			t.Fatal(err)
		}
		if got := movedBatches(t, d, w.tenant, "DMG-1", MoveWriteOff); got["A"] != -1 {
			t.Fatalf("a write-off took %v, want A -1", got)
		}
		// The store has 2 untracked left; a till sale of 5 takes it to -3, no batch below zero.
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 5, Reference: "T-2"}); err != nil {
			t.Fatal(err)
		}
		w.receiveBatch(t, w.store, w.milk, "D", "2026-06-25", 10)
		if got, untracked := w.batches(t, w.store, w.milk); len(got) != 1 || got["D"] != 10 || untracked != -3 {
			t.Fatalf("after a sale beyond the books and a new batch: %v, untracked %d; want D 10 and -3", got, untracked)
		}
		for _, tc := range []struct {
			name string
			c    Change
		}{
			{"a batch on a sale", Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1, BatchCode: "D", ExpiresOn: "2026-06-25"}},
			{"an expired batch", Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 1, BatchCode: "E", ExpiresOn: "2026-06-17"}},
			{"a known batch with another date", Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 1, BatchCode: "D", ExpiresOn: "2026-06-26"}},
			{"a malformed date", Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 1, ExpiresOn: "25/06/2026"}},
		} {
			if _, err := w.svc.Apply(w.ctx, tc.c); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: got %v, want invalid", tc.name, err)
			}
		}
		w.reconciles(t)
	})
}

// TestExpirySweepExactlyOnce: two sweeps racing over three expired batches write each
// off exactly once (one expiry_write_off movement per batch, on hand down by what the
// batches held); a batch not yet expired stays; a sweep run again finds nothing; the
// near-expiry list shows what expires within the window, soonest first.
func TestExpirySweepExactlyOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "sweep")
		// 2026-06-18 in Shanghai ends at 16:00 UTC; testNow is 02:00 UTC.
		w.receiveBatch(t, w.store, w.milk, "M1", "2026-06-18", 7)
		w.receiveBatch(t, w.store, w.milk, "M2", "2026-06-19", 2)
		w.receiveBatch(t, w.store, w.bread, "B1", "2026-06-18", 3)
		w.receiveBatch(t, w.warehouse, w.apples, "A1", "2026-06-18", 4000) // grams
		w.receive(t, w.store, w.milk, 1)
		near, err := w.svc.FindExpiringBatches(w.ctx, w.store.ID, 1, 100)
		if err != nil || len(near) != 3 || near[2].Code != "M2" || near[2].SKUCode != w.milk || near[2].SKUName != w.milk {
			t.Fatalf("expiring within a day at the store: %+v, %v; want M1, B1 then M2", near, err)
		}
		if today, err := w.svc.FindExpiringBatches(w.ctx, w.store.ID, 0, 100); err != nil || len(today) != 2 || today[0].Expired(w.clock.Now()) {
			t.Fatalf("to sell today (not expired at 10:00 on their last day): %+v, %v; want M1 and B1", today, err)
		}
		w.clock.Advance(14 * time.Hour) // midnight in Shanghai
		other := NewService(d, w.svc.outbox, w.svc.audit, w.clock, storesOfScope{})
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, svc := range []*Service{w.svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.ExpireBatches(w.ctx, 100)
				if err != nil {
					t.Errorf("sweep %d: %v", i, err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 3 {
			t.Fatalf("the sweeps wrote off %v batches, want 3 in all", counts)
		}
		if n, err := w.svc.ExpireBatches(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("a sweep again: %d, %v; want none", n, err)
		}
		var moves, units int64
		if err := d.Reader().QueryRow(`SELECT COUNT(*), COALESCE(SUM(on_hand_delta), 0) FROM stock_movements WHERE tenant_id = $1 AND kind = $2`,
			w.tenant, string(MoveExpiryWriteOff)).Scan(&moves, &units); err != nil {
			t.Fatal(err)
		}
		if moves != 3 || units != -(7+3+4000) {
			t.Fatalf("%d expiry write-offs of %d units, want 3 of -4010", moves, units)
		}
		if got, untracked := w.batches(t, w.store, w.milk); len(got) != 1 || got["M2"] != 2 || untracked != 1 {
			t.Fatalf("milk after the sweep: %v, untracked %d", got, untracked)
		}
		if b := w.balance(t, w.warehouse, w.apples); b.OnHand != 0 || b.BatchQty != 0 {
			t.Fatalf("apples after the sweep: %+v", b)
		}
		w.reconciles(t)
	})
}

// TestBatchReceiptsConcurrently: receipts into the same new batch and sales racing
// at one balance keep every batch equal to its ledger rows.
func TestBatchReceiptsConcurrently(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "race")
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 2, BatchCode: fmt.Sprintf("L%d", i%3), ExpiresOn: fmt.Sprintf("2026-06-2%d", i%3)}
				if i%2 == 1 {
					c = Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1}
				}
				if _, err := w.svc.Apply(w.ctx, c); err != nil {
					t.Errorf("change %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if b := w.balance(t, w.store, w.milk); b.OnHand != 10 {
			t.Fatalf("on hand %d after 10 receipts of 2 and 10 sales of 1", b.OnHand)
		}
		w.batches(t, w.store, w.milk)
		w.reconciles(t)
	})
}
