package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// allBalances walks FindBalances a page of limit at a time and returns the SKU codes
// in the order they came.
func (w *world) allBalances(t *testing.T, ctx context.Context, loc Location, f BalanceFilter, limit int) []string {
	t.Helper()
	var codes []string
	cursor := ""
	for range 20 {
		page, err := w.svc.FindBalances(ctx, loc.ID, f, httpapi.PageParams{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatalf("balances %+v: %v", f, err)
		}
		if len(page.Items) > limit {
			t.Fatalf("a page of %d items with limit %d", len(page.Items), limit)
		}
		for _, b := range page.Items {
			codes = append(codes, b.SKUCode)
		}
		if cursor = page.NextCursor; cursor == "" {
			return codes
		}
	}
	t.Fatal("the pages never end")
	return nil
}

// TestBalanceList: a location's balances come by SKU code a page at a time without
// gaps or repeats, even when balances change between pages; q matches code or name in
// any case; the status filters select negative, low and out-of-stock balances; a
// store manager sees their store's list and not the warehouse's.
func TestBalanceList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "blist")
		w.receive(t, w.store, w.milk, 10)
		w.receive(t, w.store, w.apples, 4)
		w.receive(t, w.store, w.bread, 1)
		w.receive(t, w.warehouse, w.milk, 7)
		// bread: a till sale beyond the books (negative); apples: all reserved (out of
		// stock, low); milk: 10 on hand but safety stock 10 (low, not out of stock).
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.bread, Kind: MoveSale, Qty: 3}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "O1", TTL: time.Hour, Lines: []Line{{LocationID: w.store.ID, SKUID: w.apples, Qty: 4}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Writer().Exec(`UPDATE stock_balances SET safety_stock = 10 WHERE tenant_id = $1 AND location_id = $2 AND sku_id = $3`, w.tenant, w.store.ID, w.milk); err != nil {
			t.Fatal(err)
		}
		want := []string{w.apples, w.bread, w.milk} // the SKU codes are their ids here
		if got := w.allBalances(t, w.ctx, w.store, BalanceFilter{}, 1); !slices.Equal(got, want) {
			t.Fatalf("pages of one: %v, want %v", got, want)
		}
		// A change between pages neither repeats nor skips a row.
		first, err := w.svc.FindBalances(w.ctx, w.store.ID, BalanceFilter{}, httpapi.PageParams{Limit: 2})
		if err != nil || len(first.Items) != 2 || first.NextCursor == "" {
			t.Fatalf("first page of two: %+v, %v", first, err)
		}
		if b := first.Items[1]; b.SKUName != w.bread || b.OnHand != -2 || b.Available() != -2 {
			t.Fatalf("bread's row: %+v", b)
		}
		w.receive(t, w.store, w.apples, 1)
		rest, err := w.svc.FindBalances(w.ctx, w.store.ID, BalanceFilter{}, httpapi.PageParams{Limit: 2, Cursor: first.NextCursor})
		if err != nil || len(rest.Items) != 1 || rest.Items[0].SKUID != w.milk || rest.NextCursor != "" {
			t.Fatalf("second page: %+v, %v", rest, err)
		}
		w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveWriteOff, Qty: 1}) //nolint:errcheck // back to all reserved
		for _, c := range []struct {
			f    BalanceFilter
			want []string
		}{
			{BalanceFilter{Q: "BRE"}, []string{w.bread}},
			{BalanceFilter{Q: "milk", Status: StatusAll}, []string{w.milk}},
			{BalanceFilter{Q: "%"}, nil},
			{BalanceFilter{Status: StatusNegative}, []string{w.bread}},
			{BalanceFilter{Status: StatusLow}, want},
			{BalanceFilter{Status: "below_safety", Q: "milk"}, []string{w.milk}},
			{BalanceFilter{Status: StatusOutOfStock}, []string{w.apples, w.bread}},
		} {
			if got := w.allBalances(t, w.ctx, w.store, c.f, 2); !slices.Equal(got, c.want) {
				t.Fatalf("filter %+v: %v, want %v", c.f, got, c.want)
			}
		}
		if _, err := w.svc.FindBalances(w.ctx, w.store.ID, BalanceFilter{Status: "empty"}, httpapi.PageParams{}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("an unknown status: %v, want invalid", err)
		}
		if _, err := w.svc.FindBalances(w.ctx, w.store.ID, BalanceFilter{}, httpapi.PageParams{Cursor: "!!"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a malformed cursor: %v, want invalid", err)
		}
		manager := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "mgr", TenantID: w.tenant,
			Scopes: []auth.Scope{auth.InventoryRead}, DataScope: auth.StoreScope, DataID: w.store.StoreID})
		if got := w.allBalances(t, manager, w.store, BalanceFilter{}, 50); !slices.Equal(got, want) {
			t.Fatalf("the manager's store: %v", got)
		}
		if _, err := w.svc.FindBalances(manager, w.warehouse.ID, BalanceFilter{}, httpapi.PageParams{}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the warehouse for a store manager: %v, want not_found", err)
		}
		if _, err := w.svc.FindMovements(manager, w.warehouse.ID, w.milk, httpapi.PageParams{}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the warehouse's ledger for a store manager: %v, want not_found", err)
		}
	})
}

// TestMovementList: a balance's ledger comes newest first a page at a time, movements
// of the same millisecond neither repeated nor lost; each names its kind, deltas,
// reference, reason and actor, and a sale the batches it took.
func TestMovementList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "mlist")
		w.receiveBatch(t, w.store, w.milk, "L1", "2026-06-30", 3)
		w.receive(t, w.store, w.milk, 2) // same millisecond as the batch receipt
		w.clock.Advance(time.Second)
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 4, Reference: "T-7"}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Second)
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "O-1", TTL: time.Hour, Lines: []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Second)
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveAdjustment, Qty: 1, Reason: "found behind the shelf"}); err != nil {
			t.Fatal(err)
		}
		w.receive(t, w.store, w.bread, 9) // another balance's
		var got []LedgerEntry
		cursor := ""
		for range 10 {
			page, err := w.svc.FindMovements(w.ctx, w.store.ID, w.milk, httpapi.PageParams{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page.Items...)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		var kinds []MovementKind
		for _, e := range got {
			kinds = append(kinds, e.Kind)
		}
		if len(kinds) != 5 || kinds[0] != MoveAdjustment || kinds[1] != MoveReserve || kinds[2] != MoveSale || kinds[3] != MoveReceipt || kinds[4] != MoveReceipt {
			t.Fatalf("kinds newest first: %v", kinds)
		}
		if got[3].ID == got[4].ID {
			t.Fatal("a movement came twice")
		}
		adj, res, sale := got[0], got[1], got[2]
		if adj.Reason != "found behind the shelf" || adj.OnHandDelta != 1 || adj.ActorID == "" || len(adj.Batches) != 0 {
			t.Fatalf("the adjustment: %+v", adj)
		}
		if res.ReservedDelta != 1 || res.OnHandDelta != 0 || res.Reference != "O-1" {
			t.Fatalf("the reservation: %+v", res)
		}
		if sale.OnHandDelta != -4 || sale.Reference != "T-7" || len(sale.Batches) != 1 || sale.Batches[0].BatchCode != "L1" || sale.Batches[0].Qty != -3 ||
			sale.Batches[0].ExpiresOn != "2026-06-30" || !sale.OccurredAt.Equal(testNow.Add(time.Second)) {
			t.Fatalf("the sale: %+v", sale)
		}
		if _, err := w.svc.FindMovements(w.ctx, w.store.ID, w.milk, httpapi.PageParams{Cursor: httpapi.EncodeCursor("x")}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a cursor that is no movement's: %v, want invalid", err)
		}
	})
}

// TestLowStockCrossing: inventory.low_stock is published when available falls from
// above zero to zero or below — by a sale, a reservation (plain and flash), a bulk
// change or a transfer — once per crossing, not on further sales, and again after a
// restock lifts available above zero and it crosses again.
func TestLowStockCrossing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "low")
		events := func() []LowStockEvent {
			t.Helper()
			rows, err := d.Reader().Query(`SELECT payload FROM outbox_events WHERE type = $1 AND tenant_id = $2 ORDER BY id`, EventLowStock, w.tenant)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []LowStockEvent
			for rows.Next() {
				var raw []byte
				var e LowStockEvent
				if err := rows.Scan(&raw); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(raw, &e); err != nil {
					t.Fatal(err)
				}
				out = append(out, e)
			}
			return out
		}
		sell := func(qty int64, ref string) {
			t.Helper()
			if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: qty, Reference: ref}); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(n int, what string) []LowStockEvent {
			t.Helper()
			if got := events(); len(got) != n {
				t.Fatalf("%s: %d low-stock events, want %d: %+v", what, len(got), n, got)
			}
			return events()
		}
		w.receive(t, w.store, w.milk, 3)
		sell(2, "T1")
		expect(0, "available 3 → 1")
		sell(1, "T2")
		e := expect(1, "available 1 → 0")[0]
		if e.LocationID != w.store.ID || e.LocationCode != "SH001" || e.StoreID != w.store.StoreID || e.SKUID != w.milk || e.Available != 0 || e.Kind != "sale" || e.Reference != "T2" {
			t.Fatalf("payload %+v", e)
		}
		sell(1, "T3")
		expect(1, "a further sale below zero")
		w.receive(t, w.store, w.milk, 5) // available 4
		expect(1, "a restock")
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "F1", TTL: time.Hour, Lines: []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 4}}}); err != nil {
			t.Fatal(err)
		}
		if e := expect(2, "a flash-path reservation of the last 4")[1]; e.Kind != "reserve" || e.Reference != "F1" || e.Available != 0 {
			t.Fatalf("payload %+v", e)
		}
		if _, err := w.svc.Release(w.ctx, "F1", "cancelled"); err != nil {
			t.Fatal(err)
		}
		w.receive(t, w.store, w.bread, 1)
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "O2", TTL: time.Hour, Lines: []Line{
			{LocationID: w.store.ID, SKUID: w.milk, Qty: 3}, {LocationID: w.store.ID, SKUID: w.bread, Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		if e := expect(3, "a two-line reservation emptying bread, leaving milk 1")[2]; e.SKUID != w.bread || e.Reference != "O2" {
			t.Fatalf("payload %+v", e)
		}
		if _, err := w.svc.Release(w.ctx, "O2", "cancelled"); err != nil {
			t.Fatal(err)
		}
		// Available 4 again: a bulk batch crosses once, on its second sale.
		out, err := w.svc.ApplyAll(w.ctx, []Change{
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 2, Reference: "B1"},
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 2, Reference: "B2"},
			{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1, Reference: "B3"},
		})
		if err != nil || slices.ContainsFunc(out, func(e error) bool { return e != nil }) {
			t.Fatalf("bulk sales: %v, %v", out, err)
		}
		if e := expect(4, "a bulk batch")[3]; e.Reference != "B2" || e.Available != 0 {
			t.Fatalf("payload %+v", e)
		}
		w.receive(t, w.warehouse, w.milk, 2)
		if _, err := w.svc.TransferStock(w.ctx, Transfer{FromLocationID: w.warehouse.ID, ToLocationID: w.store.ID, SKUID: w.milk, Qty: 2, Reference: "TR1"}); err != nil {
			t.Fatal(err)
		}
		if e := expect(5, "a transfer emptying the warehouse")[4]; e.LocationID != w.warehouse.ID || e.Kind != "transfer_out" {
			t.Fatalf("payload %+v", e)
		}
		// The expiry sweep writing off the last batch crosses too.
		w.receiveBatch(t, w.warehouse, w.apples, "E1", "2026-06-18", 2)
		w.clock.Advance(48 * time.Hour)
		if n, err := w.svc.ExpireBatches(w.ctx, 10); err != nil || n != 1 {
			t.Fatalf("expiry sweep: %d, %v", n, err)
		}
		if e := expect(6, "the expiry sweep")[5]; e.SKUID != w.apples || e.Kind != "expiry_write_off" || e.Reference != "E1" {
			t.Fatalf("payload %+v", e)
		}
		w.reconciles(t)
	})
}

// TestLowStockOnceUnderRace: concurrent sales and reservations (plain and flash) of
// the last units cross zero exactly once between them, so exactly one alert.
func TestLowStockOnceUnderRace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "lowrace")
		w.receive(t, w.warehouse, w.milk, 10)
		w.receive(t, w.warehouse, w.bread, 8)
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch i % 3 {
				case 0: // a till sale: refused only below zero on hand (the warehouse forbids negative stock), so it may take available below zero
					w.svc.Apply(w.ctx, Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveSale, Qty: 1}) //nolint:errcheck
				case 1: // one line: the flash path
					w.svc.Reserve(w.ctx, ReserveRequest{Reference: fmt.Sprintf("F%d", i), TTL: time.Hour, //nolint:errcheck
						Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}}})
				default: // two lines: the plain path
					w.svc.Reserve(w.ctx, ReserveRequest{Reference: fmt.Sprintf("P%d", i), TTL: time.Hour, //nolint:errcheck
						Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}, {LocationID: w.warehouse.ID, SKUID: w.bread, Qty: 1}}})
				}
			}()
		}
		wg.Wait()
		if b := w.balance(t, w.warehouse, w.milk); b.Available() > 0 || b.OnHand < 0 {
			t.Fatalf("%+v after 24 asks for 10: want nothing available, on hand not negative", b)
		}
		var n int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND tenant_id = $2 AND payload LIKE $3`,
			EventLowStock, w.tenant, "%"+w.milk+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d low-stock alerts for milk, want exactly 1", n)
		}
		w.reconciles(t)
	})
}
