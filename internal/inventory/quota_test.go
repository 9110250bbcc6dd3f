package inventory

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestPoolTake: a channel takes its quota first and then the shared pool (available
// less what quotas hold back), never beyond available, even when the quotas exceed
// the stock.
func TestPoolTake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		available int64
		free      map[string]int64
		channel   string
		qty       int64
		fromQuota int64
		ok        bool
	}{
		{"no quotas: the shared pool", 10, nil, "", 10, 0, true},
		{"no quotas: beyond available", 10, nil, "meituan", 11, 0, false},
		{"within the quota", 60, map[string]int64{"meituan": 30, "mini_program": 20}, "meituan", 30, 30, true},
		{"quota then shared", 60, map[string]int64{"meituan": 30, "mini_program": 20}, "meituan", 40, 30, true},
		{"quota then more than shared", 60, map[string]int64{"meituan": 30, "mini_program": 20}, "meituan", 41, 0, false},
		{"no channel: shared only", 60, map[string]int64{"meituan": 30, "mini_program": 20}, "", 11, 0, false},
		{"another channel: shared only", 60, map[string]int64{"meituan": 30}, "eleme", 30, 0, true},
		{"quotas beyond stock: the quota within available", 25, map[string]int64{"meituan": 30, "mini_program": 20}, "meituan", 25, 25, true},
		{"quotas beyond stock: not beyond available", 25, map[string]int64{"meituan": 30, "mini_program": 20}, "meituan", 26, 0, false},
		{"quotas beyond stock: no shared pool", 25, map[string]int64{"meituan": 30}, "", 1, 0, false},
	} {
		p := pool{available: tc.available, free: map[string]int64{}}
		for c, f := range tc.free {
			p.free[c], p.quotaFree = f, p.quotaFree+f
		}
		drawn, ok := p.take(tc.channel, tc.qty)
		if drawn != tc.fromQuota || ok != tc.ok {
			t.Errorf("%s: took %d from the quota (%t), want %d (%t)", tc.name, drawn, ok, tc.fromQuota, tc.ok)
		}
		if ok && (p.available != tc.available-tc.qty || p.available < 0) {
			t.Errorf("%s: available %d after taking %d of %d", tc.name, p.available, tc.qty, tc.available)
		}
	}
}

// TestChannelQuotasUnderRace: 60 in stock, 30 set aside for meituan and 20 for
// mini_program; 50 one-unit reservations from each channel and 20 without a channel
// race, through the flash path and through one transaction each. Exactly 60 are
// reserved, no channel draws more than its quota from it, each gets at least its
// quota, those without a channel get no more than the 10 shared; releasing everything
// gives the quotas back; the ledger and the quotas reconcile.
func TestChannelQuotasUnderRace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, off := range []bool{false, true} {
			w := setup(t, d, fmt.Sprintf("quota-%t", off))
			w.svc.SetFlash(FlashOptions{Off: off})
			w.receive(t, w.warehouse, w.milk, 60)
			if _, err := w.svc.SetQuotas(w.ctx, w.warehouse.ID, w.milk, []ChannelQuota{{Channel: "meituan", Quota: 30}, {Channel: "mini_program", Quota: 20}}); err != nil {
				t.Fatal(err)
			}
			granted := map[string]int64{}
			var refs []string
			var mu sync.Mutex
			var wg sync.WaitGroup
			channels := []string{"meituan", "mini_program", ""}
			for i := range 120 {
				channel := channels[i%3]
				if channel == "" && i >= 60 {
					channel = channels[i%2] // 20 without a channel, 50 from each of the others
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					ref := fmt.Sprintf("o-%d", i)
					_, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: ref, Channel: channel, TTL: time.Minute,
						Lines: []Line{{LocationID: w.warehouse.ID, SKUID: w.milk, Qty: 1}}})
					switch {
					case err == nil:
						mu.Lock()
						granted[channel]++
						refs = append(refs, ref)
						mu.Unlock()
					case !errs.Is(err, errs.Insufficient):
						t.Errorf("reserve %s for %q: %v", ref, channel, err)
					}
				}()
			}
			wg.Wait()
			a, err := w.svc.FindAllocation(w.ctx, w.warehouse.ID, w.milk)
			if err != nil {
				t.Fatal(err)
			}
			total := granted["meituan"] + granted["mini_program"] + granted[""]
			if total != 60 || a.Balance.Available() != 0 || a.Balance.Reserved != 60 {
				t.Fatalf("flash off %t: granted %v (%d) of 60; balance %+v", off, granted, total, a.Balance)
			}
			if granted["meituan"] < 30 || granted["mini_program"] < 20 || granted[""] > 10 {
				t.Fatalf("flash off %t: granted %v; each channel gets its quota, the rest share 10", off, granted)
			}
			for _, q := range a.Quotas {
				if q.Used != q.Quota || q.Free() != 0 {
					t.Fatalf("flash off %t: quota %+v after the channels used it up", off, q)
				}
			}
			w.reconciles(t)
			for _, ref := range refs {
				if _, err := w.svc.Release(w.ctx, ref, "test"); err != nil {
					t.Fatal(err)
				}
			}
			if a, err = w.svc.FindAllocation(w.ctx, w.warehouse.ID, w.milk); err != nil || a.Balance.QuotaFree != 50 || a.SharedAvailable() != 10 {
				t.Fatalf("flash off %t: after releasing all: %+v, %v", off, a, err)
			}
			w.reconciles(t)
		}
	})
}

// TestSetQuotas: quotas are validated; dropping a channel whose reservations use its
// quota keeps it at zero until they settle; a reservation's channel is part of its
// identity.
func TestSetQuotas(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "setq")
		w.receive(t, w.store, w.bread, 10)
		for _, tc := range []struct {
			name   string
			quotas []ChannelQuota
		}{
			{"a bad channel", []ChannelQuota{{Channel: "Mei Tuan", Quota: 1}}},
			{"twice", []ChannelQuota{{Channel: "meituan", Quota: 1}, {Channel: "meituan", Quota: 2}}},
			{"negative", []ChannelQuota{{Channel: "meituan", Quota: -1}}},
		} {
			if _, err := w.svc.SetQuotas(w.ctx, w.store.ID, w.bread, tc.quotas); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: got %v, want invalid", tc.name, err)
			}
		}
		if _, err := w.svc.SetQuotas(w.ctx, w.store.ID, w.bread, []ChannelQuota{{Channel: "eleme", Quota: 4}}); err != nil {
			t.Fatal(err)
		}
		line := []Line{{LocationID: w.store.ID, SKUID: w.bread, Qty: 3}}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "E1", Channel: "eleme", TTL: time.Minute, Lines: line}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: "E1", Channel: "meituan", TTL: time.Minute, Lines: line}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("the same reference from another channel: got %v, want conflict", err)
		}
		a, err := w.svc.SetQuotas(w.ctx, w.store.ID, w.bread, nil)
		if err != nil || len(a.Quotas) != 1 || a.Quotas[0].Quota != 0 || a.Quotas[0].Used != 3 || a.Balance.QuotaFree != 0 {
			t.Fatalf("dropping eleme while it holds 3: %+v, %v", a, err)
		}
		if _, err := w.svc.Commit(w.ctx, "E1"); err != nil {
			t.Fatal(err)
		}
		if a, err := w.svc.FindAllocation(w.ctx, w.store.ID, w.bread); err != nil || a.Quotas[0].Used != 0 || a.Balance.OnHand != 7 || a.SharedAvailable() != 7 {
			t.Fatalf("after the order was fulfilled: %+v, %v", a, err)
		}
		w.reconciles(t)
	})
}

// TestMultiLineReservationsUnderRace: 60 concurrent reservations of two or three of
// three SKUs (20 units each; milk holds 5 back for the mini program), their lines in
// different orders, half of them from the mini program: no deadlock or other error
// than insufficient, each reservation all or nothing (the balances' reserved units
// are exactly the granted lines'), never more than on hand, and the ledger
// reconciles. On PostgreSQL a reservation's lines are one statement (reserveDemand),
// a line the shared pool refuses falling back to the channel's quota.
func TestMultiLineReservationsUnderRace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, "multi")
		w.svc.SetFlash(FlashOptions{Off: true})
		skus := []string{w.milk, w.bread, w.apples}
		for _, sku := range skus {
			w.receive(t, w.warehouse, sku, 20)
		}
		if _, err := w.svc.SetQuotas(w.ctx, w.warehouse.ID, w.milk, []ChannelQuota{{Channel: "mini_program", Quota: 5}}); err != nil {
			t.Fatal(err)
		}
		granted := map[string]int64{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 60 {
			channel := []string{"mini_program", ""}[i%2]
			var lines []Line
			for j := range 2 + i%2 {
				lines = append(lines, Line{LocationID: w.warehouse.ID, SKUID: skus[(i+j)%3], Qty: 1})
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.svc.Reserve(w.ctx, ReserveRequest{Reference: fmt.Sprintf("m-%d", i), Channel: channel, TTL: time.Minute, Lines: lines})
				switch {
				case err == nil:
					mu.Lock()
					for _, l := range lines {
						granted[l.SKUID] += l.Qty
					}
					mu.Unlock()
				case !errs.Is(err, errs.Insufficient):
					t.Errorf("reserve %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		for _, sku := range skus {
			b := w.balance(t, w.warehouse, sku)
			if b.Reserved != granted[sku] || b.Reserved > 20 || b.Available() < 0 {
				t.Errorf("%s: granted %d, balance %+v", sku, granted[sku], b)
			}
		}
		if b := w.balance(t, w.warehouse, w.milk); granted[w.milk] == 20 && b.QuotaFree != 0 {
			t.Errorf("milk sold out with its quota still free: %+v", b)
		}
		w.reconciles(t)
	})
}
