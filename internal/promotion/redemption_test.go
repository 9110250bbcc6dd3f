package promotion

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func i64(v int64) *int64 { return &v }

// tenOff is ¥10 off MILK.
func tenOff() engine.Promotion {
	return engine.Promotion{Kind: engine.KindAmountOff, Scope: engine.Scope{SKUs: []string{"MILK"}},
		AmountOff: &engine.AmountOff{Amount: 1000}}
}

func activeWithLimits(t *testing.T, s *Service, code string, def engine.Promotion, l Limits) Promotion {
	t.Helper()
	ctx := as(tenantA, auth.Merchandiser)
	p, err := s.CreatePromotion(ctx, NewPromotion{Code: code, Name: "Promotion " + code, Definition: def, Limits: l})
	if err != nil {
		t.Fatalf("create %s: %v", code, err)
	}
	if p, err = s.Activate(ctx, p.ID); err != nil {
		t.Fatalf("activate %s: %v", code, err)
	}
	return p
}

// commitConcurrently commits n orders at once, each built by line(i), and returns
// the number that succeeded and the limit kinds of the refusals.
func commitConcurrently(t *testing.T, s *Service, n int, in func(i int) NewRedemption) (int, map[string]int) {
	t.Helper()
	pos := as(tenantA, auth.Integrator)
	var mu sync.Mutex
	ok, refused := 0, map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CommitRedemption(pos, in(i))
			mu.Lock()
			defer mu.Unlock()
			var le *LimitError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &le):
				refused[le.Kind]++
			default:
				t.Errorf("commit %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	return ok, refused
}

func usageOf(t *testing.T, s *Service, id string) Usage {
	t.Helper()
	p, err := s.FindPromotionByID(as(tenantA, auth.Merchandiser), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Usage
}

func TestRedemptionLimitsUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		budget := activeWithLimits(t, s, "BUDGET", tenOff(), Limits{BudgetFen: i64(7000)})
		uses := activeWithLimits(t, s, "USES", secondHalf(), Limits{MaxUses: i64(5)})
		tests := []struct {
			name      string
			promo     Promotion
			discount  int64
			want      int
			wantKind  string
			wantUsage Usage
		}{
			{name: "budget allows exactly 7 of 50", promo: budget, discount: 1000, want: 7, wantKind: LimitBudget, wantUsage: Usage{DiscountFen: 7000, Uses: 7}},
			{name: "max uses allows exactly 5 of 50", promo: uses, discount: 3000, want: 5, wantKind: LimitUses, wantUsage: Usage{DiscountFen: 15000, Uses: 5}},
		}
		for _, tc := range tests {
			ok, refused := commitConcurrently(t, s, 50, func(i int) NewRedemption {
				return NewRedemption{OrderID: fmt.Sprintf("%s-%d", tc.promo.Code, i), CustomerID: fmt.Sprintf("c%d", i),
					Lines: []RedemptionLine{{PromotionID: tc.promo.ID, DiscountFen: tc.discount}}}
			})
			if ok != tc.want || refused[tc.wantKind] != 50-tc.want {
				t.Errorf("%s: %d succeeded, refusals %v", tc.name, ok, refused)
			}
			if u := usageOf(t, s, tc.promo.ID); u != tc.wantUsage {
				t.Errorf("%s: usage %+v, want %+v", tc.name, u, tc.wantUsage)
			}
		}

		// Pricing no longer applies the exhausted promotions, and says why.
		pos := as(tenantA, auth.Integrator)
		res, err := s.PriceCart(pos, cart(), engine.Context{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Applied) != 0 || res.Total != 24000 {
			t.Errorf("exhausted promotions applied: %+v", res.Applied)
		}
		for _, id := range []string{budget.ID, uses.ID} {
			if !rejectedWith(res, id, engine.CodeLimitReached) {
				t.Errorf("promotion %s not rejected as limit_reached: %+v", id, res.Rejected)
			}
		}

		// Cancelling one order frees the budget again.
		var cancelled string
		for i := 0; i < 50 && cancelled == ""; i++ {
			if r, err := s.FindRedemptionByOrderID(pos, fmt.Sprintf("BUDGET-%d", i)); err == nil && r.Status == RedemptionCommitted {
				cancelled = r.OrderID
			}
		}
		r, err := s.CancelRedemption(pos, cancelled)
		if err != nil || r.Status != RedemptionCancelled {
			t.Fatalf("cancel %s: %+v %v", cancelled, r, err)
		}
		if again, err := s.CancelRedemption(pos, cancelled); err != nil || again.Status != RedemptionCancelled {
			t.Fatalf("cancel twice: %+v %v", again, err)
		}
		if u := usageOf(t, s, budget.ID); u != (Usage{DiscountFen: 6000, Uses: 6}) {
			t.Errorf("usage after cancel: %+v", u)
		}
		res, err = s.PriceCart(pos, cart(), engine.Context{}, "")
		if err != nil || len(res.Applied) != 1 || res.Applied[0].PromotionID != budget.ID {
			t.Errorf("after cancel, applied %+v %v", res.Applied, err)
		}
	})
}

func rejectedWith(res engine.Result, id string, code engine.Code) bool {
	for _, r := range res.Rejected {
		if r.PromotionID == id && r.Code == code {
			return true
		}
	}
	return false
}

func TestRedemptionPerCustomerUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "TWICE", tenOff(), Limits{MaxUsesPerCustomer: i64(2)})
		ok, refused := commitConcurrently(t, s, 20, func(i int) NewRedemption {
			return NewRedemption{OrderID: fmt.Sprintf("o%d", i), CustomerID: "alice",
				Lines: []RedemptionLine{{PromotionID: p.ID, DiscountFen: 1000}}}
		})
		if ok != 2 || refused[LimitPerCustomer] != 18 {
			t.Fatalf("alice: %d succeeded, refusals %v", ok, refused)
		}
		if u := usageOf(t, s, p.ID); u != (Usage{DiscountFen: 2000, Uses: 2}) {
			t.Errorf("usage %+v", u)
		}
		pos := as(tenantA, auth.Integrator)
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "bob-1", CustomerID: "bob",
			Lines: []RedemptionLine{{PromotionID: p.ID, DiscountFen: 1000}}}); err != nil {
			t.Errorf("bob: %v", err)
		}
		// Priced for alice, the promotion is used up; for bob it still applies.
		res, err := s.PriceCart(pos, cart(), engine.Context{}, "alice")
		if err != nil || !rejectedWith(res, p.ID, engine.CodeLimitReached) {
			t.Errorf("alice priced: %+v %v", res.Rejected, err)
		}
		if res, err := s.PriceCart(pos, cart(), engine.Context{}, "bob"); err != nil || len(res.Applied) != 1 {
			t.Errorf("bob priced: %+v %v", res.Applied, err)
		}
	})
}

func TestRedemptionFlashSaleAllowance(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		flash := activeWithLimits(t, s, "FLASH", engine.Promotion{Kind: engine.KindFlashSale, Scope: engine.Scope{SKUs: []string{"MILK"}},
			FlashSale: &engine.FlashSale{Price: 3000, PerCustomer: 3}}, Limits{})
		pos := as(tenantA, auth.Integrator)
		buy := func(order string, qty int64) (engine.Result, error) {
			c := engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "MILK", Unit: engine.UnitEach, Qty: qty, UnitPrice: 6000}}}
			res, err := s.PriceCart(pos, c, engine.Context{}, "carol")
			if err != nil {
				return res, err
			}
			lines, fields := RedemptionLinesOf("body.priced_cart", res)
			_, err = s.CommitRedemption(pos, NewRedemption{OrderID: order, CustomerID: "carol", Lines: lines, Fields: fields})
			return res, err
		}
		res, err := buy("f1", 2)
		if err != nil || res.Applied[0].FlashUnits != 2 || res.Discount != 6000 {
			t.Fatalf("first purchase: %+v %v", res.Applied, err)
		}
		// One unit left at the flash price: 1 of 2 units is discounted.
		res, err = buy("f2", 2)
		if err != nil || res.Applied[0].FlashUnits != 1 || res.Discount != 3000 {
			t.Fatalf("second purchase: %+v %v", res.Applied, err)
		}
		res, err = buy("f3", 1)
		if err != nil || len(res.Applied) != 0 || !rejectedWith(res, flash.ID, engine.CodeLimitReached) {
			t.Fatalf("third purchase: %+v %+v %v", res.Applied, res.Rejected, err)
		}
		// A stale price (the full allowance) is refused at commit.
		_, err = s.CommitRedemption(pos, NewRedemption{OrderID: "f4", CustomerID: "carol",
			Lines: []RedemptionLine{{PromotionID: flash.ID, DiscountFen: 3000, FlashUnits: 1}}})
		var le *LimitError
		if !errors.As(err, &le) || le.Kind != LimitPerCustomer || le.PromotionID != flash.ID {
			t.Fatalf("stale flash commit: %v", err)
		}
	})
}

func TestRedemptionAllOrNothingAndReplay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		free := activeWithLimits(t, s, "FREE", tenOff(), Limits{})
		one := activeWithLimits(t, s, "ONE", secondHalf(), Limits{MaxUses: i64(1)})
		pos := as(tenantA, auth.Integrator)
		order := func(id string) NewRedemption {
			return NewRedemption{OrderID: id, Lines: []RedemptionLine{{PromotionID: free.ID, DiscountFen: 1000}, {PromotionID: one.ID, DiscountFen: 3000}}}
		}
		// Ten concurrent replays of one order count once.
		var wg sync.WaitGroup
		results := make([]Redemption, 10)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.CommitRedemption(pos, order("same"))
				if err != nil {
					t.Errorf("replay %d: %v", i, err)
				}
				results[i] = r
			}()
		}
		wg.Wait()
		for _, r := range results {
			if len(r.Lines) != 2 || r.Lines[0].DiscountFen+r.Lines[1].DiscountFen != 4000 {
				t.Errorf("replay result %+v", r)
			}
		}
		// The second order exceeds ONE's uses: nothing of it is recorded.
		_, err := s.CommitRedemption(pos, order("other"))
		var le *LimitError
		if !errors.As(err, &le) || le.Kind != LimitUses || le.PromotionID != one.ID {
			t.Fatalf("second order: %v", err)
		}
		if u := usageOf(t, s, free.ID); u != (Usage{DiscountFen: 1000, Uses: 1}) {
			t.Errorf("FREE usage %+v: a refused order left a trace", u)
		}
		if _, err := s.FindRedemptionByOrderID(pos, "other"); !errs.Is(err, errs.NotFound) {
			t.Errorf("refused order recorded: %v", err)
		}
		for _, tc := range []struct {
			name  string
			in    NewRedemption
			field string
		}{
			{name: "unknown promotion", in: NewRedemption{OrderID: "x", Lines: []RedemptionLine{{PromotionID: "nope"}}}, field: "body.promotions[0].promotion_id"},
			{name: "negative discount", in: NewRedemption{OrderID: "x", Lines: []RedemptionLine{{PromotionID: free.ID, DiscountFen: -1}}}, field: "body.promotions[0].discount"},
			{name: "no order id", in: NewRedemption{}, field: "body.order_id"},
		} {
			_, err := s.CommitRedemption(pos, tc.in)
			var e *errs.Error
			if !errors.As(err, &e) || e.Field != tc.field {
				t.Errorf("%s: %v, want field %s", tc.name, err, tc.field)
			}
		}
		if _, err := s.CommitRedemption(as(tenantA, auth.Marketer), order("m")); !errs.Is(err, errs.Forbidden) {
			t.Errorf("marketer commits: %v", err)
		}
		if _, err := s.CancelRedemption(pos, "missing"); !errs.Is(err, errs.NotFound) {
			t.Errorf("cancel missing: %v", err)
		}
	})
}

// BenchmarkCommitRedemption commits orders in parallel against one promotion with a
// budget and a per-customer limit: the hot-row case of decision 0005.
func BenchmarkCommitRedemption(b *testing.B) {
	for _, dialect := range dbtest.Dialects() {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			s := setup(b, d)
			ctx := as(tenantA, auth.Merchandiser)
			p, err := s.CreatePromotion(ctx, NewPromotion{Code: "HOT", Name: "hot", Definition: tenOff(),
				Limits: Limits{BudgetFen: i64(1 << 40), MaxUsesPerCustomer: i64(1 << 30)}})
			if err != nil {
				b.Fatal(err)
			}
			pos := as(tenantA, auth.Integrator)
			var n atomic.Int64
			if benchParallelism > 0 {
				b.SetParallelism(benchParallelism)
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: fmt.Sprintf("o%d", i), CustomerID: fmt.Sprintf("c%d", i%100),
						Lines: []RedemptionLine{{PromotionID: p.ID, DiscountFen: 1000}}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

var benchParallelism = 0

// TestRedemptionCommitAndCancelConcurrently: commits and cancels of one customer's
// orders interleave without deadlock and leave the usage exact.
func TestRedemptionCommitAndCancelConcurrently(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "CC", tenOff(), Limits{BudgetFen: i64(1_000_000), MaxUsesPerCustomer: i64(1000)})
		pos := as(tenantA, auth.Integrator)
		commit := func(id string) error {
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: id, CustomerID: "dora", Lines: []RedemptionLine{{PromotionID: p.ID, DiscountFen: 1000}}})
			return err
		}
		for i := 0; i < 10; i++ {
			if err := commit(fmt.Sprintf("old%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if err := commit(fmt.Sprintf("new%d", i)); err != nil {
					t.Errorf("commit: %v", err)
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := s.CancelRedemption(pos, fmt.Sprintf("old%d", i)); err != nil {
					t.Errorf("cancel: %v", err)
				}
			}()
		}
		wg.Wait()
		if u := usageOf(t, s, p.ID); u != (Usage{DiscountFen: 10000, Uses: 10}) {
			t.Errorf("usage %+v, want 10 orders", u)
		}
		used, err := customerUsage(context.Background(), d.Reader(), tenantA, "dora")
		if err != nil || len(used) != 1 || used[0].Uses != 10 {
			t.Errorf("customer usage %+v %v", used, err)
		}
	})
}
