package coupon

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// TestTemplatePricedByEngine: a template's coupon is priced by the promotion engine
// (¥5 off at ¥30, a 满减 with tiers), only for its holder, only above the threshold;
// codes with a wrong check character are refused before any lookup.
func TestTemplatePricedByEngine(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("FIVE"))
		// The template's promotion is listed under a code that names the template.
		if promo, err := f.promo.FindPromotionByID(as(auth.Marketer), tm.PromotionID); err != nil || promo.Code != "CPN-FIVE" {
			t.Fatalf("the template's promotion: %+v, %v; want code CPN-FIVE", promo.Code, err)
		}
		c := f.issue(t, tm.ID, "alice")
		if c.Status != StatusIssued || !c.ExpiresAt.Equal(testNow.AddDate(0, 0, 30)) || len(c.Code) != CodeLen {
			t.Fatalf("issued %+v", c)
		}
		for _, tc := range []struct {
			name     string
			customer string
			code     string
			amount   int64
			want     int64
			wantErr  errs.Code
		}{
			{"applies at the threshold", "alice", Format(c.Code), 5000, 500, ""},
			{"a merged id is the same customer", "old", c.Code, 5000, 500, ""},
			{"below the threshold", "alice", c.Code, 2000, 0, ""},
			{"another customer's code reads as unknown", "bob", c.Code, 5000, 0, errs.NotFound},
			{"wrong check character", "alice", badCheck(c.Code), 5000, 0, errs.Invalid},
			{"ambiguous letter", "alice", "O" + c.Code[1:], 5000, 0, errs.Invalid},
		} {
			p, err := f.s.Preview(as(auth.Associate), tc.code, PreviewRequest{CustomerID: tc.customer, Cart: cart(tc.amount)})
			if tc.wantErr != "" {
				if !errs.Is(err, tc.wantErr) {
					t.Errorf("%s: %v, want %s", tc.name, err, tc.wantErr)
				}
				continue
			}
			if err != nil || p.Discount != tc.want || p.Applied != (tc.want > 0) || p.Result.Payable != tc.amount-tc.want {
				t.Errorf("%s: discount %d applied %v payable %d (%v), want %d", tc.name, p.Discount, p.Applied, p.Result.Payable, err, tc.want)
			}
		}
		// A threshold (满减) template: spend 100 save 10, spend 200 save 30.
		th := f.template(t, TemplateInput{Code: "MJ", Name: "满减", ValidFrom: testNow.Add(-time.Hour), ValidTo: testNow.Add(72 * time.Hour),
			Discount: engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 10000, Off: 1000}, {Spend: 20000, Off: 3000}}}}})
		c2 := f.issue(t, th.ID, "alice")
		p, err := f.s.Preview(as(auth.Associate), c2.Code, PreviewRequest{CustomerID: "alice", Cart: cart(25000)})
		if err != nil || p.Discount != 3000 || p.Result.Payable != 22000 {
			t.Fatalf("threshold coupon: discount %d payable %d (%v), want 3000, 22000", p.Discount, p.Result.Payable, err)
		}
		// Percent off with a cap (the engine's percent_off.max_off): 20% off, at most ¥10.
		pct := f.template(t, TemplateInput{Code: "PCT", Name: "20% off", ValidDays: 7,
			Discount: engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{All: true},
				PercentOff: &engine.PercentOff{OffBP: 2000, MaxOff: 1000}}})
		c3 := f.issue(t, pct.ID, "alice")
		for amount, want := range map[int64]int64{3000: 600, 10000: 1000} {
			p, err := f.s.Preview(as(auth.Associate), c3.Code, PreviewRequest{CustomerID: "alice", Cart: cart(amount)})
			if err != nil || p.Discount != want {
				t.Fatalf("20%% off at most ¥10 on %d: %d (%v), want %d", amount, p.Discount, err, want)
			}
		}
		// Without the coupon the engine does not apply the template's promotion, and a
		// client cannot present the internal code through the order hook.
		codes, held, err := f.s.Present(as(auth.Associate), tenantA, "alice", []string{th.PromoCode, "SHARED10"})
		if err != nil || len(held) != 0 || len(codes) != 1 || codes[0] != "SHARED10" {
			t.Fatalf("present internal code: %v %v %v", codes, held, err)
		}
		var e *errs.Error
		if _, _, err := f.s.Present(as(auth.Associate), tenantA, "alice", []string{"x", badCheck(c.Code)}); !asErr(err, &e) ||
			e.Field != "body.coupons[1]" {
			t.Fatalf("present a wrong check character: %v, want invalid body.coupons[1]", err)
		}
	})
}

// TestTemplateValidation: bad templates are refused naming the field, the engine's
// own validation included.
func TestTemplateValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ok := amountOff("OK")
		for _, tc := range []struct {
			name  string
			edit  func(*TemplateInput)
			field string
		}{
			{"kind not a coupon's", func(in *TemplateInput) { in.Discount.Kind = engine.KindFlashSale }, "body.discount.kind"},
			{"no validity", func(in *TemplateInput) { in.ValidDays = 0 }, "body.valid_days"},
			{"window backwards", func(in *TemplateInput) { in.ValidDays, in.ValidFrom, in.ValidTo = 0, testNow, testNow.Add(-time.Hour) }, "body.valid_to"},
			{"engine refuses", func(in *TemplateInput) { in.Discount.AmountOff = nil }, "body.discount.amount_off"},
			{"refund policy", func(in *TemplateInput) { in.RefundPolicy = "maybe" }, "body.refund_policy"},
			{"unknown trigger", func(in *TemplateInput) { in.Triggers = []Trigger{TriggerBirthday, "payday"} }, "body.triggers[1]"},
			{"trigger twice", func(in *TemplateInput) { in.Triggers = []Trigger{TriggerBirthday, TriggerBirthday} }, "body.triggers[1]"},
		} {
			in := ok
			tc.edit(&in)
			_, err := f.s.CreateTemplate(as(auth.Marketer), in)
			var e *errs.Error
			if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || e.Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			}
		}
		f.template(t, ok)
		if _, err := f.s.CreateTemplate(as(auth.Marketer), ok); !errs.Is(err, errs.Conflict) {
			t.Errorf("duplicate code: %v, want conflict", err)
		}
		if _, err := f.s.CreateTemplate(as(auth.Associate), amountOff("X")); !errs.Is(err, errs.Forbidden) {
			t.Errorf("associate creates a template: %v, want forbidden", err)
		}
		// Deactivated: nothing issues, a coupon no longer previews, and its promotion is
		// paused; activated again, it works again.
		tm, err := f.s.FindTemplates(as(auth.Marketer), 10, "")
		if err != nil || len(tm.Items) != 1 {
			t.Fatalf("templates: %+v %v", tm, err)
		}
		ok1 := tm.Items[0]
		c := f.issue(t, ok1.ID, "alice")
		if _, err := f.s.SetTemplateStatus(as(auth.Marketer), ok1.ID, TemplateInactive); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Issue(as(auth.Marketer), ok1.ID, IssueRequest{CustomerIDs: []string{"bob"}}); !errs.Is(err, errs.Conflict) {
			t.Errorf("issue from an inactive template: %v, want conflict", err)
		}
		if _, err := f.s.Preview(as(auth.Marketer), c.Code, PreviewRequest{CustomerID: "alice", Cart: cart(5000)}); !errs.Is(err, errs.Conflict) {
			t.Errorf("preview an inactive template's coupon: %v, want conflict", err)
		}
		if pr, err := f.promo.FindPromotionByID(as(auth.Marketer), ok1.PromotionID); err != nil || pr.Status != "paused" {
			t.Errorf("promotion after deactivation: %s %v, want paused", pr.Status, err)
		}
		if _, err := f.s.SetTemplateStatus(as(auth.Marketer), ok1.ID, TemplateActive); err != nil {
			t.Fatal(err)
		}
		if p, err := f.s.Preview(as(auth.Marketer), c.Code, PreviewRequest{CustomerID: "alice", Cart: cart(5000)}); err != nil || p.Discount != 500 {
			t.Errorf("after reactivation: %d %v", p.Discount, err)
		}
	})
}

// TestParallelLocks: 500 parallel locks of one code to 500 different orders → exactly
// one wins; the rest are refused as unavailable.
func TestParallelLocks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		c := f.issue(t, f.template(t, amountOff("FIVE")).ID, "alice")
		start := time.Now()
		var won, refused atomic.Int64
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range 500 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				_, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: "alice", Reference: fmt.Sprintf("order-%d", i)})
				switch {
				case err == nil:
					won.Add(1)
				case errs.Is(err, errs.Conflict):
					refused.Add(1)
				default:
					t.Errorf("lock: %v", err)
				}
			}()
		}
		wg.Wait()
		var locked int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE status = 'locked' AND order_id LIKE 'order-%'`).Scan(&locked); err != nil {
			t.Fatal(err)
		}
		if won.Load() != 1 || refused.Load() != 499 || locked != 1 {
			t.Fatalf("won %d, refused %d, locked rows %d; want 1, 499, 1", won.Load(), refused.Load(), locked)
		}
		t.Logf("%s: 500 parallel locks of one coupon code: %d won, %d refused, in %v", d.Dialect, won.Load(), refused.Load(),
			time.Since(start).Round(time.Millisecond))

		// The order path: 500 orders all checked the same free coupon before any locked
		// it (Present), then race in their own transactions — the conditional UPDATE
		// alone lets exactly one through.
		c2 := f.issue(t, c.TemplateID, "alice")
		_, held, err := f.s.Present(t.Context(), tenantA, "alice", []string{c2.Code})
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]bool{held[0].PromotionID: true}
		start = time.Now()
		won.Store(0)
		refused.Store(0)
		for i := range 500 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				err := d.Tx(t.Context(), func(tx *sql.Tx) error {
					return f.s.LockTx(t.Context(), tx, tenantA, fmt.Sprintf("tx-order-%d", i), held, applied, Signals{})
				})
				switch {
				case err == nil:
					won.Add(1)
				case errs.Is(err, errs.Conflict):
					refused.Add(1)
				default:
					t.Errorf("lock in an order's transaction: %v", err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 || refused.Load() != 499 {
			t.Fatalf("order transactions: won %d, refused %d; want 1, 499", won.Load(), refused.Load())
		}
		t.Logf("%s: 500 parallel order transactions locking one checked coupon: %d won, %d refused, in %v", d.Dialect, won.Load(),
			refused.Load(), time.Since(start).Round(time.Millisecond))
	})
}

// TestMemberLimitUnderConcurrency: 60 parallel single issues to one customer of a
// template allowing 2 per member (and 100 in all) → exactly 2 coupons; the template
// counts 2 issued.
func TestMemberLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		in := amountOff("TWO")
		in.PerMemberLimit, in.TotalLimit = 2, 100
		tm := f.template(t, in)
		var ok, limited atomic.Int64
		var wg sync.WaitGroup
		for range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.s.Issue(as(auth.Marketer), tm.ID, IssueRequest{CustomerIDs: []string{"alice"}})
				switch {
				case err == nil:
					ok.Add(1)
				case errs.Is(err, errs.Conflict):
					limited.Add(1)
				default:
					t.Errorf("issue: %v", err)
				}
			}()
		}
		wg.Wait()
		got, err := f.s.FindTemplateByID(as(auth.Marketer), tm.ID)
		if err != nil || ok.Load() != 2 || limited.Load() != 58 || got.Issued != 2 {
			t.Fatalf("issued %d, refused %d, template issued %d (%v); want 2, 58, 2", ok.Load(), limited.Load(), got.Issued, err)
		}
		t.Logf("%s: 60 parallel issues to one member with a limit of 2: %d issued, %d refused", d.Dialect, ok.Load(), limited.Load())
	})
}

// TestBulkIssue: a list issued in batches with progress; unknown customers, the
// per-member limit and the total limit skip; the same key returns the same request.
func TestBulkIssue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		in := amountOff("BULK")
		in.PerMemberLimit, in.TotalLimit = 1, 1000
		tm := f.template(t, in)
		ids := []string{"ghost", "c0", "c0"}
		for i := range 1100 {
			ids = append(ids, fmt.Sprintf("m%d", i))
		}
		req := IssueRequest{Key: "spring-campaign", CustomerIDs: ids}
		is, err := f.s.Issue(as(auth.Marketer), tm.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		// 1 unknown + 1 duplicate + 103 beyond the total of 1000.
		if is.Status != "done" || is.Done != 1103 || is.Issued != 1000 || is.Skipped != 103 {
			t.Fatalf("issuance %+v", is)
		}
		again, err := f.s.Issue(as(auth.Marketer), tm.ID, req)
		if err != nil || again.ID != is.ID || again.Issued != 1000 {
			t.Fatalf("replay: %+v, %v", again, err)
		}
		if _, err := f.s.Issue(as(auth.Marketer), tm.ID, IssueRequest{Key: "spring-campaign", CustomerIDs: ids[:5]}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("key reused for another list: %v, want conflict", err)
		}
		var n, progress int
		if err := d.Reader().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT code) FROM coupons WHERE template_id = $1`, tm.ID).Scan(&n, &progress); err != nil || n != 1000 || progress != 1000 {
			t.Fatalf("%d coupons, %d distinct codes (%v)", n, progress, err)
		}
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM outbox_events WHERE type = $1`, EventIssued).Scan(&progress); err != nil || progress != 3 {
			t.Fatalf("%d progress events (%v), want 3 batches", progress, err)
		}
		if _, err := f.s.Issue(as(auth.Associate), tm.ID, IssueRequest{Key: "k", CustomerIDs: []string{"a", "b"}}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("associate bulk issue: %v, want forbidden", err)
		}
		// An associate scoped to store s1 issues one coupon at its store, recorded on it.
		assoc := auth.WithPrincipal(t.Context(), &auth.Principal{Kind: auth.UserPrincipal, ID: "assoc", TenantID: tenantA, Role: auth.Associate,
			Scopes: auth.RoleScopes(auth.Associate), DataScope: auth.StoreScope, DataID: "s1"})
		other := amountOff("STORE")
		st := f.template(t, other)
		if _, err := f.s.Issue(assoc, st.ID, IssueRequest{CustomerIDs: []string{"bob"}}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("associate without a store: %v, want invalid", err)
		}
		if _, err := f.s.Issue(assoc, st.ID, IssueRequest{CustomerIDs: []string{"bob"}, StoreID: "elsewhere"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("associate at another store: %v, want not_found", err)
		}
		one, err := f.s.Issue(assoc, st.ID, IssueRequest{CustomerIDs: []string{"bob"}, StoreID: "s1"})
		if err != nil || len(one.Coupons) != 1 || one.Coupons[0].StoreID != "s1" || one.Coupons[0].IssuedBy != "assoc" {
			t.Fatalf("associate issue: %+v, %v", one, err)
		}
	})
}

// TestLifecycle: lock → the lock runs out → another order locks it → cancelled
// (released) → locked and paid (redeemed) → refunded in full (returned by policy) →
// expired after its validity, by the sweep.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		in := amountOff("LIFE")
		in.RefundPolicy = RefundReturn
		c := f.issue(t, f.template(t, in).ID, "alice")
		lock := func(ref string) error {
			_, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: "alice", Reference: ref})
			return err
		}
		state := func() Status {
			got, err := getCouponByCode(t.Context(), d.Reader(), tenantA, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			return got.State(f.s.now())
		}
		bus := newRecorder()
		f.s.Subscribe(bus)
		deliver := func(typ, orderID string, paid, refunded int64) {
			b, _ := json.Marshal(map[string]any{"order_id": orderID, "paid_fen": paid, "refunded_fen": refunded})
			if err := bus.deliver(t.Context(), events.Event{ID: typ + orderID, TenantID: tenantA, Type: typ, Payload: b}); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
		}
		if err := lock("cart-1"); err != nil {
			t.Fatal(err)
		}
		if err := lock("cart-2"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second lock: %v, want conflict", err)
		}
		f.clock.Advance(DefaultLockTTL)
		if st := state(); st != StatusIssued {
			t.Fatalf("after the lock time: %s, want issued", st)
		}
		if rel, _, err := f.s.Sweep(t.Context(), 100); err != nil || rel != 1 {
			t.Fatalf("sweep released %d (%v), want 1", rel, err)
		}
		if err := lock("order-2"); err != nil {
			t.Fatalf("lock after release: %v", err)
		}
		deliver(orderCancelled, "order-2", 0, 0)
		if st := state(); st != StatusIssued {
			t.Fatalf("after cancel: %s", st)
		}
		if err := lock("order-3"); err != nil {
			t.Fatal(err)
		}
		deliver(orderPaid, "order-3", 5000, 0)
		deliver(orderPaid, "order-3", 5000, 0) // redelivered
		deliver(orderCancelled, "order-3", 5000, 0)
		if st := state(); st != StatusRedeemed {
			t.Fatalf("after payment: %s", st)
		}
		if err := lock("order-4"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("lock a redeemed coupon: %v", err)
		}
		deliver(orderRefunded, "order-3", 5000, 1000) // partial: kept
		if st := state(); st != StatusRedeemed {
			t.Fatalf("after a partial refund: %s", st)
		}
		deliver(orderRefunded, "order-3", 5000, 5000)
		if st := state(); st != StatusIssued {
			t.Fatalf("after a full refund (policy return): %s", st)
		}
		f.clock.Advance(31 * 24 * time.Hour)
		if _, exp, err := f.s.Sweep(t.Context(), 100); err != nil || exp != 1 || state() != StatusExpired {
			t.Fatalf("sweep expired %d (%v), state %s", exp, err, state())
		}
		if err := lock("order-5"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("lock an expired coupon: %v", err)
		}
	})
}

// TestOrderHook: the order center's hooks lock a presented coupon inside the order's
// transaction only when its promotion applied, and a second order for the same coupon
// fails.
func TestOrderHook(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("HOOK"))
		c := f.issue(t, tm.ID, "alice")
		codes, held, err := f.s.Present(t.Context(), tenantA, "alice", []string{Format(c.Code)})
		if err != nil || len(held) != 1 || codes[0] != tm.PromoCode {
			t.Fatalf("present: %v %v %v", codes, held, err)
		}
		if _, _, err := f.s.Present(t.Context(), tenantA, "", []string{c.Code}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("walk-in with a coupon: %v", err)
		}
		lockTx := func(orderID string, applied bool) error {
			return d.Tx(t.Context(), func(tx *sql.Tx) error {
				return f.s.LockTx(t.Context(), tx, tenantA, orderID, held, map[string]bool{tm.PromotionID: applied}, Signals{})
			})
		}
		if err := lockTx("o-1", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: "alice", Reference: "x"}); err != nil {
			t.Fatalf("a coupon that did not apply stays free: %v", err)
		}
		if n, err := f.s.Release(as(auth.Associate), "x"); err != nil || n != 1 {
			t.Fatalf("release: %d, %v", n, err)
		}
		if _, err := f.s.Release(as(auth.Associate), "x"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("release again: %v, want not_found", err)
		}
		if err := lockTx("o-2", true); err != nil {
			t.Fatal(err)
		}
		if err := lockTx("o-3", true); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second order: %v, want conflict", err)
		}
		// Two coupons of one template in one order: the engine applies the promotion
		// once, so only one of them is used.
		a, b := f.issue(t, tm.ID, "alice"), f.issue(t, tm.ID, "alice")
		_, two, err := f.s.Present(t.Context(), tenantA, "alice", []string{a.Code, b.Code})
		if err != nil || len(two) != 2 {
			t.Fatalf("present two: %v %v", two, err)
		}
		if err := d.Tx(t.Context(), func(tx *sql.Tx) error {
			return f.s.LockTx(t.Context(), tx, tenantA, "o-4", two, map[string]bool{tm.PromotionID: true}, Signals{})
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE order_id = 'o-4' AND status = 'locked'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d coupons locked to one order (%v), want 1", n, err)
		}
	})
}

// recorder is a bus that delivers an event to each handler subscribed to its type.
type recorder struct{ handlers map[string][]events.Handler }

func newRecorder() *recorder { return &recorder{handlers: map[string][]events.Handler{}} }

func (r *recorder) Subscribe(name string, h events.Handler, types ...string) {
	for _, typ := range types {
		r.handlers[typ] = append(r.handlers[typ], h)
	}
}

// deliver calls the handlers of e's type in the order they subscribed.
func (r *recorder) deliver(ctx context.Context, e events.Event) error {
	for _, h := range r.handlers[e.Type] {
		if err := h(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (r *recorder) SubscribeBatch(name string, h events.BatchHandler, types ...string) {}

func asErr(err error, target **errs.Error) bool { return errors.As(err, target) }
