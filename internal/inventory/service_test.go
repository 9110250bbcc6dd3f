package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// storesOfScope stands in for the organisation: a store-scoped principal's data
// scope holds its own store, a brand or region scope none here (the real look-up
// through org is exercised by internal/app's access matrix).
type storesOfScope struct{}

func (storesOfScope) StoreExists(ctx context.Context, storeID string) error {
	if p := auth.FromContext(ctx); p.DataScope == auth.TenantScope || (p.DataScope == auth.StoreScope && p.DataID == storeID) {
		return nil
	}
	return errs.E(errs.NotFound, "store %s not found", storeID)
}

func (storesOfScope) ScopeStoreIDs(ctx context.Context) ([]string, error) {
	if p := auth.FromContext(ctx); p.DataScope == auth.StoreScope {
		return []string{p.DataID}, nil
	}
	return []string{}, nil
}

// tester is what the helpers need of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

var testNow = time.Date(2026, 6, 18, 2, 0, 0, 0, time.UTC)

// world is a tenant with a store location, a warehouse and three SKUs.
type world struct {
	svc                 *Service
	ctx                 context.Context // the tenant's system principal
	clock               *clock.Fixed
	tenant              string
	store, warehouse    Location
	milk, bread, apples string
}

// setup seeds a tenant with the organisation and catalogue rows inventory refers to.
func setup(t tester, d *db.DB, tenant string) *world {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(testNow)
	w := &world{svc: NewService(d, events.NewOutbox(c), audit.New(d, c), c, storesOfScope{}), clock: c, tenant: tenant,
		ctx:  auth.WithPrincipal(ctx, auth.System(tenant)),
		milk: tenant + "-milk", bread: tenant + "-bread", apples: tenant + "-apples"}
	ms := clock.Millis(testNow)
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO tenants (id, code, name, created_at) VALUES ($1, $1, $1, $2)`, []any{tenant, ms}},
		{`INSERT INTO brands (id, tenant_id, code, name, created_at, updated_at) VALUES ($1, $2, 'B', 'Brand', $3, $3)`, []any{tenant + "-brand", tenant, ms}},
		{`INSERT INTO regions (id, tenant_id, code, name, created_at, updated_at) VALUES ($1, $2, 'R', 'Region', $3, $3)`, []any{tenant + "-region", tenant, ms}},
		{`INSERT INTO stores (id, tenant_id, brand_id, region_id, code, name, format, city, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'SH001', '徐汇店', 'supermarket', '上海', $5, $5)`, []any{tenant + "-store", tenant, tenant + "-brand", tenant + "-region", ms}},
		{`INSERT INTO categories (id, tenant_id, code, name, level, created_at, updated_at) VALUES ($1, $2, 'C', 'Food', 1, $3, $3)`, []any{tenant + "-cat", tenant, ms}},
		{`INSERT INTO products (id, tenant_id, category_id, code, name, unit, status, created_at, updated_at)
			VALUES ($1, $2, $3, 'P', 'Groceries', 'each', 'active', $4, $4)`, []any{tenant + "-product", tenant, tenant + "-cat", ms}},
	}
	for _, sku := range []string{w.milk, w.bread, w.apples} {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO skus (id, tenant_id, product_id, code, name, unit, list_price_fen, status, created_at, updated_at)
			VALUES ($1, $2, $3, $1, $1, 'each', 990, 'active', $4, $4)`, []any{sku, tenant, tenant + "-product", ms}})
	}
	for _, s := range stmts {
		if _, err := d.Writer().ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("seed %q: %v", s.q, err)
		}
	}
	var err error
	if w.store, err = w.svc.CreateLocation(w.ctx, Location{Code: "SH001", Name: "徐汇店", Kind: KindStore, StoreID: tenant + "-store", AllowNegative: true}); err != nil {
		t.Fatal(err)
	}
	if w.warehouse, err = w.svc.CreateLocation(w.ctx, Location{Code: "WH-SH", Name: "上海仓", Kind: KindWarehouse}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) receive(t tester, loc Location, sku string, qty int64) {
	t.Helper()
	if _, err := w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveReceipt, Qty: qty, Reference: "PO-1"}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) balance(t tester, loc Location, sku string) Balance {
	t.Helper()
	b, err := w.svc.FindBalance(w.ctx, loc.ID, sku)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *world) reconciles(t tester) {
	t.Helper()
	diff, err := w.svc.Verify(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) > 0 {
		t.Fatalf("balances differ from the ledger: %+v", diff)
	}
}

// TestFlashSaleNeverOversells: 100 units and 400 concurrent one-unit reservations
// (plus some of three units) from many goroutines, through the flash path and through
// one conditional UPDATE each (the flash path off): exactly the units in stock are
// reserved, available ends at 0 and the ledger reconciles.
func TestFlashSaleNeverOversells(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, off := range []bool{false, true} {
			w := setup(t, d, fmt.Sprintf("flash-%t", off))
			w.svc.SetFlash(FlashOptions{Off: off})
			flashSaleOfMilk(t, w)
		}
	})
}

func flashSaleOfMilk(t *testing.T, w *world) {
	t.Helper()
	w.receive(t, w.warehouse, w.milk, 100)
	var reserved, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qty := int64(1 + 2*(i%5/4)) // every fifth asks for three
			_, err := w.svc.Reserve(w.ctx, ReserveRequest{
				Reference: fmt.Sprintf("order-%d", i), TTL: 15 * time.Minute,
				Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: qty}},
			})
			switch {
			case err == nil:
				reserved.Add(qty)
			case errs.Is(err, errs.Insufficient):
				refused.Add(1)
			default:
				t.Errorf("reserve %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	b := w.balance(t, w.warehouse, w.milk)
	if reserved.Load() > 100 || b.Reserved != reserved.Load() || b.Available() < 0 {
		t.Fatalf("reserved %d units for 100 in stock; balance %+v", reserved.Load(), b)
	}
	if b.Available() > 2 { // only three-unit asks may leave up to two behind
		t.Fatalf("stock left unsold while %d asks were refused: %+v", refused.Load(), b)
	}
	w.reconciles(t)
}

// TestReservationLifecycle: demand for one SKU across lines is summed; a
// reservation is all or nothing; commit, release and expiry move the balance and
// are idempotent; settling differently later is a conflict.
func TestReservationLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d, "life")
		w.receive(t, w.store, w.milk, 5)
		w.receive(t, w.store, w.bread, 2)

		// Two lines of milk (3 + 3) exceed the 5 in stock although each fits alone.
		_, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "A", TTL: time.Minute, Lines: []Line{
			{LocationID: w.store.ID, SKUID: w.milk, Qty: 3}, {LocationID: w.store.ID, SKUID: w.bread, Qty: 1}, {LocationID: w.store.ID, SKUID: w.milk, Qty: 3}}})
		if !errs.Is(err, errs.Insufficient) {
			t.Fatalf("summed demand over stock: got %v, want insufficient", err)
		}
		if b := w.balance(t, w.store, w.bread); b.Reserved != 0 {
			t.Fatalf("a refused reservation kept bread reserved: %+v", b)
		}

		lines := []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 2}, {LocationID: w.store.ID, SKUID: w.bread, Qty: 1}, {LocationID: w.store.ID, SKUID: w.milk, Qty: 1}}
		r, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "B", TTL: time.Minute, Lines: lines})
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "B", TTL: time.Minute, Lines: lines})
		if err != nil || again.ID != r.ID {
			t.Fatalf("a repeated reservation: %v, %v (want the first, %s)", again.ID, err, r.ID)
		}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "B", TTL: time.Minute, Lines: lines[:1]}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("the same reference for other stock: got %v, want conflict", err)
		}
		if b := w.balance(t, w.store, w.milk); b.Reserved != 3 || b.Available() != 2 {
			t.Fatalf("milk after reserving 3 of 5: %+v", b)
		}

		for range 2 {
			if _, err := w.svc.Commit(w.ctx, "B"); err != nil {
				t.Fatal(err)
			}
		}
		if b := w.balance(t, w.store, w.milk); b.OnHand != 2 || b.Reserved != 0 {
			t.Fatalf("milk after committing 3: %+v", b)
		}
		if _, err := w.svc.Release(w.ctx, "B", "too late"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("releasing a committed reservation: got %v, want conflict", err)
		}

		// C is released by hand, D expires unpaid.
		for _, ref := range []string{"C", "D"} {
			if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: ref, TTL: time.Minute, Lines: []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 1}}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.svc.Release(w.ctx, "C", "cancelled"); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.ExpireDue(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("expired %d before time: %v", n, err)
		}
		w.clock.Advance(2 * time.Minute)
		if n, err := w.svc.ExpireDue(w.ctx, 100); err != nil || n != 1 {
			t.Fatalf("expired %d, want 1 (D): %v", n, err)
		}
		if _, err := w.svc.Commit(w.ctx, "D"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("committing an expired reservation: got %v, want conflict", err)
		}
		if b := w.balance(t, w.store, w.milk); b.OnHand != 2 || b.Reserved != 0 {
			t.Fatalf("milk after release and expiry: %+v", b)
		}
		w.reconciles(t)

		// A tenant deleted whole (an interrupted demo load) takes its stock along.
		if err := d.Tx(ctx, func(tx *sql.Tx) error { _, err := d.DeleteTenant(ctx, tx, w.tenant); return err }); err != nil {
			t.Fatalf("delete the tenant with reservations: %v", err)
		}
		var left int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_reservation_lines`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d reservation lines left after deleting the tenant (%v)", left, err)
		}
	})
}

// TestOnHandChanges: till sales may go negative only where allowed, other decreases
// never; counts set on hand; adjustments need a reason; another tenant's SKU is unknown.
func TestOnHandChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "hand")
		other := setup(t, d, "other")
		w.receive(t, w.store, w.apples, 1)
		w.receive(t, w.warehouse, w.apples, 1)
		for _, tc := range []struct {
			name string
			c    Change
			want errs.Code // "" for success
			on   int64     // on hand afterwards
		}{
			{"a till sale below zero where allowed", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveSale, Qty: 3}, "", -2},
			{"a write-off below zero", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveWriteOff, Qty: 1}, errs.Insufficient, -2},
			{"a count", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveCount, Qty: 7}, "", 7},
			{"an adjustment without reason", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveAdjustment, Qty: -1}, errs.Invalid, 7},
			{"an adjustment", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveAdjustment, Qty: -1, Reason: "damaged"}, "", 6},
			{"a return", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveReturn, Qty: 1}, "", 7},
			{"a zero receipt", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: MoveReceipt, Qty: 0}, errs.Invalid, 7},
			{"another tenant's SKU", Change{LocationID: w.store.ID, SKUID: other.apples, Kind: MoveReceipt, Qty: 1}, errs.Invalid, 7},
			{"an unknown kind", Change{LocationID: w.store.ID, SKUID: w.apples, Kind: "gift", Qty: 1}, errs.Invalid, 7},
		} {
			_, err := w.svc.Apply(w.ctx, tc.c)
			if (tc.want == "" && err != nil) || (tc.want != "" && !errs.Is(err, tc.want)) {
				t.Fatalf("%s: got %v, want %q", tc.name, err, tc.want)
			}
			if b := w.balance(t, w.store, w.apples); b.OnHand != tc.on {
				t.Fatalf("%s: on hand %d, want %d", tc.name, b.OnHand, tc.on)
			}
		}
		if _, err := w.svc.CreateLocation(w.ctx, Location{Code: "wh-sh", Name: "again", Kind: KindWarehouse}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a location code differing only in case: got %v, want conflict", err)
		}
		// The warehouse does not allow negative stock, not even for a sale.
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.warehouse.ID, SKUID: w.apples, Kind: MoveSale, Qty: 2}); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("a sale below zero in a warehouse: got %v", err)
		}
		if _, err := w.svc.Apply(other.ctx, Change{LocationID: w.store.ID, SKUID: other.apples, Kind: MoveReceipt, Qty: 1}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another tenant's location: got %v, want not_found", err)
		}
		w.reconciles(t)
	})
}

// TestLedgerRebuildsBalances: whatever sequence of changes, batched receipts,
// transfers, write-offs, expiry sweeps, quotas and reservations runs, every balance
// and every batch equals the sum of its movements, quotas match the reservations
// drawing on them, reserved never goes negative and available never goes negative
// through a reservation.
func TestLedgerRebuildsBalances(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.SQLite)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		w := setup(rt, d, fmt.Sprintf("prop%d", n))
		locs := []Location{w.store, w.warehouse}
		skus := []string{w.milk, w.bread}
		var refs []string
		for i := range rapid.IntRange(1, 40).Draw(rt, "steps") {
			loc := rapid.SampledFrom(locs).Draw(rt, "loc")
			sku := rapid.SampledFrom(skus).Draw(rt, "sku")
			qty := rapid.Int64Range(1, 6).Draw(rt, "qty")
			switch rapid.IntRange(0, 10).Draw(rt, "op") {
			case 0:
				_, _ = w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveReceipt, Qty: qty})
			case 6: // a batch expiring within four days; its code is its date
				date := testNow.AddDate(0, 0, rapid.IntRange(0, 3).Draw(rt, "days")).Format(time.DateOnly)
				if _, err := w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveReceipt, Qty: qty, ExpiresOn: date}); err != nil && !errs.Is(err, errs.Invalid) {
					rt.Fatal(err)
				}
			case 7:
				to := locs[0]
				if to.ID == loc.ID {
					to = locs[1]
				}
				_, _ = w.svc.TransferStock(w.ctx, Transfer{FromLocationID: loc.ID, ToLocationID: to.ID, SKUID: sku, Qty: qty})
			case 8:
				_, _ = w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveWriteOff, Qty: qty})
			case 9: // a day passes and the sweep writes off what expired
				w.clock.Advance(24 * time.Hour)
				if _, err := w.svc.ExpireBatches(w.ctx, 100); err != nil {
					rt.Fatal(err)
				}
			case 10: // quotas for a channel, then reservations may draw on them
				quotas := []ChannelQuota{{Channel: "meituan", Quota: rapid.Int64Range(0, 5).Draw(rt, "quota")}}
				if _, err := w.svc.SetQuotas(w.ctx, loc.ID, sku, quotas); err != nil {
					rt.Fatal(err)
				}
			case 1:
				_, _ = w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveSale, Qty: qty})
			case 2:
				_, _ = w.svc.Apply(w.ctx, Change{LocationID: loc.ID, SKUID: sku, Kind: MoveCount, Qty: qty})
			case 3:
				ref := fmt.Sprintf("r%d", i)
				before := w.balance(rt, loc, sku)
				channel := rapid.SampledFrom([]string{"", "meituan", "eleme"}).Draw(rt, "channel")
				_, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: ref, TTL: time.Minute, Channel: channel, Lines: []Line{{LocationID: loc.ID, SKUID: sku, Qty: qty}}})
				if err == nil {
					refs = append(refs, ref)
					if before.Available() < qty {
						rt.Fatalf("reserved %d with %d available", qty, before.Available())
					}
				}
			case 4, 5:
				if len(refs) > 0 {
					ref := rapid.SampledFrom(refs).Draw(rt, "ref")
					if rapid.Bool().Draw(rt, "commit") {
						_, _ = w.svc.Commit(w.ctx, ref)
					} else {
						_, _ = w.svc.Release(w.ctx, ref, "test")
					}
				}
			}
		}
		w.reconciles(rt)
		for _, loc := range locs {
			for _, sku := range skus {
				if b := w.balance(rt, loc, sku); b.Reserved < 0 {
					rt.Fatalf("reserved below zero: %+v", b)
				}
				w.batches(rt, loc, sku) // batches and the remainder make on hand
			}
		}
	})
}

// TestDataScope: a store manager reads and changes the stock of their store's
// location only; warehouses, other stores' locations and reservations need the whole
// tenant; a principal without inventory scopes is refused.
func TestDataScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "scope")
		w.receive(t, w.store, w.milk, 3)
		w.receive(t, w.warehouse, w.milk, 3)
		manager := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "mgr", TenantID: w.tenant,
			Scopes: []auth.Scope{auth.InventoryRead, auth.InventoryWrite}, DataScope: auth.StoreScope, DataID: w.store.StoreID})
		if b, err := w.svc.Apply(manager, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveCount, Qty: 5}); err != nil || b.OnHand != 5 {
			t.Fatalf("a count at the manager's own store: %+v, %v", b, err)
		}
		if _, err := w.svc.FindBalance(manager, w.warehouse.ID, w.milk); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the warehouse's stock for a store manager: got %v, want not_found", err)
		}
		if _, err := w.svc.Apply(manager, Change{LocationID: w.warehouse.ID, SKUID: w.milk, Kind: MoveWriteOff, Qty: 1}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a write-off at the warehouse by a store manager: got %v, want not_found", err)
		}
		page, err := w.svc.FindLocations(manager, httpapi.PageParams{})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != w.store.ID {
			t.Fatalf("a store manager's locations: %+v, %v", page.Items, err)
		}
		if _, err := w.svc.Reserve(manager, ReserveRequest{Reference: "M1", TTL: time.Minute, Lines: []Line{{LocationID: w.store.ID, SKUID: w.milk, Qty: 1}}}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a reservation by a store manager: got %v, want forbidden", err)
		}
		reader := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "r", TenantID: w.tenant,
			Scopes: []auth.Scope{auth.InventoryRead}, DataScope: auth.TenantScope})
		if _, err := w.svc.Apply(reader, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 1}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a receipt without inventory:write: got %v, want forbidden", err)
		}
		all, err := w.svc.FindLocations(reader, httpapi.PageParams{Limit: 1})
		if err != nil || len(all.Items) != 1 || all.NextCursor == "" {
			t.Fatalf("the first page of one: %+v, %v", all, err)
		}
		rest, err := w.svc.FindLocations(reader, httpapi.PageParams{Limit: 1, Cursor: all.NextCursor})
		if err != nil || len(rest.Items) != 1 || rest.Items[0].ID == all.Items[0].ID || rest.NextCursor != "" {
			t.Fatalf("the second page: %+v, %v", rest, err)
		}
	})
}

// TestTransferMovesStockBothOrNeither: a transfer takes on hand from one location and
// adds it at the other with one movement each; a transfer of more than is on hand, to
// the same location or outside the caller's scope changes nothing; the ledger
// reconciles.
func TestTransferMovesStockBothOrNeither(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "alpha")
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.milk, Kind: MoveReceipt, Qty: 10}); err != nil {
			t.Fatal(err)
		}
		bs, err := w.svc.TransferStock(w.ctx, Transfer{FromLocationID: w.store.ID, ToLocationID: w.warehouse.ID, SKUID: w.milk, Qty: 4, Reference: "TN-1"})
		if err != nil {
			t.Fatal(err)
		}
		if bs[0].OnHand != 6 || bs[1].OnHand != 4 {
			t.Errorf("after moving 4 of 10: from %d, to %d", bs[0].OnHand, bs[1].OnHand)
		}
		for _, tc := range []struct {
			name string
			tr   Transfer
			code errs.Code
		}{
			{"more than on hand", Transfer{FromLocationID: w.store.ID, ToLocationID: w.warehouse.ID, SKUID: w.milk, Qty: 7}, errs.Insufficient},
			{"to itself", Transfer{FromLocationID: w.store.ID, ToLocationID: w.store.ID, SKUID: w.milk, Qty: 1}, errs.Invalid},
			{"unknown SKU", Transfer{FromLocationID: w.store.ID, ToLocationID: w.warehouse.ID, SKUID: "nope", Qty: 1}, errs.Invalid},
		} {
			if _, err := w.svc.TransferStock(w.ctx, tc.tr); errs.CodeOf(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		storeManager := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: "u1", TenantID: w.tenant,
			Scopes: []auth.Scope{auth.InventoryWrite, auth.InventoryRead}, DataScope: auth.StoreScope, DataID: w.store.StoreID})
		if _, err := w.svc.TransferStock(storeManager, Transfer{FromLocationID: w.store.ID, ToLocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("a store manager sending to the chain's warehouse: %v, want not_found", err)
		}
		for _, loc := range []string{w.store.ID, w.warehouse.ID} {
			b, err := w.svc.FindBalance(w.ctx, loc, w.milk)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int64{w.store.ID: 6, w.warehouse.ID: 4}[loc]; b.OnHand != want {
				t.Errorf("on hand at %s: %d, want %d after the refusals", loc, b.OnHand, want)
			}
		}
		if diff, err := w.svc.Verify(w.ctx); err != nil || len(diff) != 0 {
			t.Errorf("ledger differences %v (%v)", diff, err)
		}
	})
}

// TestNegativeStockIsAlerted: a till sale that takes a store's on hand below zero is
// recorded (it happened) and publishes inventory.negative_stock for the store to
// count the shelf; a sale that leaves stock at zero or above publishes nothing.
func TestNegativeStockIsAlerted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "alpha")
		count := func() int {
			var n int
			if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1 AND tenant_id = $2`, EventNegativeStock, w.tenant).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.bread, Kind: MoveReceipt, Qty: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.bread, Kind: MoveSale, Qty: 2}); err != nil || count() != 0 {
			t.Fatalf("a sale down to zero: %v, %d alerts", err, count())
		}
		b, err := w.svc.Apply(w.ctx, Change{LocationID: w.store.ID, SKUID: w.bread, Kind: MoveSale, Qty: 3, Reference: "T-9"})
		if err != nil || b.OnHand != -3 || count() != 1 {
			t.Fatalf("a sale below zero: on hand %d (%v), %d alerts; want -3 and one alert", b.OnHand, err, count())
		}
	})
}
