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
func tenOff() engine.Promotion { return tenOffOn("MILK") }

// stacks opts p into sharing units with other item-level promotions.
func stacks(p engine.Promotion) engine.Promotion { p.StacksWithItems = true; return p }

// tenOffOn is ¥10 off sku.
func tenOffOn(sku string) engine.Promotion {
	return engine.Promotion{Kind: engine.KindAmountOff, Scope: engine.Scope{SKUs: []string{sku}},
		AmountOff: &engine.AmountOff{Amount: 1000}}
}

// secondHalfOn is 第二件半价 on sku.
func secondHalfOn(sku string) engine.Promotion {
	return engine.Promotion{Kind: engine.KindNthItem, Scope: engine.Scope{SKUs: []string{sku}},
		NthItem: &engine.NthItem{N: 2, OffBP: 5000}}
}

// two is a cart of two units of sku at ¥60.
func two(sku string) engine.Cart {
	return engine.Cart{Lines: []engine.Line{{ID: "1", SKU: sku, Unit: engine.UnitEach, Qty: 2, UnitPrice: 6000}}}
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

// priced prices c for customer now, as a till would, and returns the signed price.
func priced(t testing.TB, s *Service, c engine.Cart, customer string) SignedPrice {
	t.Helper()
	sp, err := s.PriceCartForCommit(as(tenantA, auth.Integrator), c, engine.Context{}, customer)
	if err != nil {
		t.Fatalf("price for %q: %v", customer, err)
	}
	return sp
}

// order is the commit of order id with the token of c priced for customer.
func order(t testing.TB, s *Service, id string, c engine.Cart, customer string) NewRedemption {
	t.Helper()
	return NewRedemption{OrderID: id, PricedToken: priced(t, s, c, customer).Token}
}

// commitConcurrently commits the orders at once and returns the number that
// succeeded and the limit kinds of the refusals.
func commitConcurrently(t *testing.T, s *Service, orders []NewRedemption) (int, map[string]int) {
	t.Helper()
	pos := as(tenantA, auth.Integrator)
	var mu sync.Mutex
	ok, refused := 0, map[string]int{}
	var wg sync.WaitGroup
	for i, in := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CommitRedemption(pos, in)
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

// ordersOf prices n orders named prefix-i of cart c, customer(i) buying.
func ordersOf(t *testing.T, s *Service, n int, prefix string, c engine.Cart, customer func(i int) string) []NewRedemption {
	t.Helper()
	out := make([]NewRedemption, n)
	for i := range out {
		out[i] = order(t, s, fmt.Sprintf("%s-%d", prefix, i), c, customer(i))
	}
	return out
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
		budget := activeWithLimits(t, s, "BUDGET", tenOffOn("MILK"), Limits{BudgetFen: i64(7000)})
		uses := activeWithLimits(t, s, "USES", secondHalfOn("EGG"), Limits{MaxUses: i64(5)})
		tests := []struct {
			name      string
			promo     Promotion
			sku       string
			want      int
			wantKind  string
			wantUsage Usage
		}{
			{name: "budget allows exactly 7 of 50", promo: budget, sku: "MILK", want: 7, wantKind: LimitBudget, wantUsage: Usage{DiscountFen: 7000, Uses: 7}},
			{name: "max uses allows exactly 5 of 50", promo: uses, sku: "EGG", want: 5, wantKind: LimitUses, wantUsage: Usage{DiscountFen: 15000, Uses: 5}},
		}
		for _, tc := range tests {
			orders := ordersOf(t, s, 50, tc.promo.Code, two(tc.sku), func(i int) string { return fmt.Sprintf("c%d", i) })
			ok, refused := commitConcurrently(t, s, orders)
			if ok != tc.want || refused[tc.wantKind] != 50-tc.want {
				t.Errorf("%s: %d succeeded, refusals %v", tc.name, ok, refused)
			}
			if u := usageOf(t, s, tc.promo.ID); u != tc.wantUsage {
				t.Errorf("%s: usage %+v, want %+v", tc.name, u, tc.wantUsage)
			}
		}

		// Pricing no longer applies the exhausted promotions, and says why.
		pos := as(tenantA, auth.Integrator)
		c := engine.Cart{Lines: append(two("MILK").Lines, engine.Line{ID: "2", SKU: "EGG", Unit: engine.UnitEach, Qty: 2, UnitPrice: 6000})}
		res, err := s.PriceCart(pos, c, engine.Context{}, "")
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
			if r, err := s.FindRedemptionByOrderID(pos, fmt.Sprintf("BUDGET-%d", i)); err == nil && len(r.Lines) == 1 {
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
		res, err = s.PriceCart(pos, two("MILK"), engine.Context{}, "")
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
		ok, refused := commitConcurrently(t, s, ordersOf(t, s, 20, "o", cart(), func(int) string { return "alice" }))
		if ok != 2 || refused[LimitPerCustomer] != 18 {
			t.Fatalf("alice: %d succeeded, refusals %v", ok, refused)
		}
		if u := usageOf(t, s, p.ID); u != (Usage{DiscountFen: 2000, Uses: 2}) {
			t.Errorf("usage %+v", u)
		}
		pos := as(tenantA, auth.Integrator)
		if _, err := s.CommitRedemption(pos, order(t, s, "bob-1", cart(), "bob")); err != nil {
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
		milk := func(qty int64) engine.Cart {
			return engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "MILK", Unit: engine.UnitEach, Qty: qty, UnitPrice: 6000}}}
		}
		buy := func(id string, qty int64) (engine.Result, error) {
			sp := priced(t, s, milk(qty), "carol")
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: id, PricedToken: sp.Token})
			return sp.Result, err
		}
		res, err := buy("f1", 2)
		if err != nil || res.Applied[0].FlashUnits != 2 || res.Discount != 6000 {
			t.Fatalf("first purchase: %+v %v", res.Applied, err)
		}
		// A stale price (the allowance before f2) is kept for later.
		stale := priced(t, s, milk(2), "carol")
		// One unit left at the flash price: 1 of 2 units is discounted.
		res, err = buy("f2", 2)
		if err != nil || res.Applied[0].FlashUnits != 1 || res.Discount != 3000 {
			t.Fatalf("second purchase: %+v %v", res.Applied, err)
		}
		res, err = buy("f3", 1)
		if err != nil || len(res.Applied) != 0 || !rejectedWith(res, flash.ID, engine.CodeLimitReached) {
			t.Fatalf("third purchase: %+v %+v %v", res.Applied, res.Rejected, err)
		}
		// The stale price is refused at commit.
		_, err = s.CommitRedemption(pos, NewRedemption{OrderID: "f4", PricedToken: stale.Token})
		var le *LimitError
		if !errors.As(err, &le) || le.Kind != LimitPerCustomer || le.PromotionID != flash.ID {
			t.Fatalf("stale flash commit: %v", err)
		}
		// A caller's flash allowance only lowers what is left, never raises it: a walk-in
		// asking for 100 units gets the limit of 3 per customer.
		res, err = s.PriceCart(pos, milk(10), engine.Context{FlashAllowance: map[string]int64{flash.ID: 100}}, "")
		if err != nil || len(res.Applied) != 1 || res.Applied[0].FlashUnits != 3 {
			t.Fatalf("raised allowance: %+v %v", res.Applied, err)
		}
		res, err = s.PriceCart(pos, milk(10), engine.Context{FlashAllowance: map[string]int64{flash.ID: 1}}, "")
		if err != nil || len(res.Applied) != 1 || res.Applied[0].FlashUnits != 1 {
			t.Fatalf("lowered allowance: %+v %v", res.Applied, err)
		}
	})
}

// TestRedemptionSpecialPricePerCustomerUnderConcurrency: 限购 2 units per customer at
// the special price; twenty orders of one unit each for alice, priced before any of
// them commits (each saw the whole allowance), committed at once: exactly two
// commit, the others are refused by the consuming statement, and a later price
// gives alice the regular price.
func TestRedemptionSpecialPricePerCustomerUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		sp := activeWithLimits(t, s, "MEMBER", engine.Promotion{Kind: engine.KindSpecialPrice, Scope: engine.Scope{SKUs: []string{"MILK"}},
			SpecialPrice: &engine.SpecialPrice{Prices: []engine.UnitPrice{{Price: 1280}}, MaxPerCustomer: 2}}, Limits{})
		milk := engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "MILK", Unit: engine.UnitEach, Qty: 1, UnitPrice: 1490}}}
		ok, refused := commitConcurrently(t, s, ordersOf(t, s, 20, "sp", milk, func(int) string { return "alice" }))
		if ok != 2 || refused[LimitPerCustomer] != 18 {
			t.Fatalf("alice: %d succeeded, refusals %v", ok, refused)
		}
		if u := usageOf(t, s, sp.ID); u != (Usage{DiscountFen: 420, Uses: 2}) {
			t.Errorf("usage %+v", u)
		}
		res, err := s.PriceCart(as(tenantA, auth.Integrator), milk, engine.Context{}, "alice")
		if err != nil || len(res.Applied) != 0 || !rejectedWith(res, sp.ID, engine.CodeLimitReached) {
			t.Fatalf("alice after her limit: %+v %+v %v", res.Applied, res.Rejected, err)
		}
		// Three units for bob: two at ¥12.80, one at ¥14.90.
		res, err = s.PriceCart(as(tenantA, auth.Integrator), engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "MILK", Unit: engine.UnitEach, Qty: 3,
			UnitPrice: 1490}}}, engine.Context{}, "bob")
		if err != nil || res.Total != 2*1280+1490 || res.Applied[0].FlashUnits != 2 {
			t.Fatalf("bob: total %d %+v %v", res.Total, res.Applied, err)
		}
	})
}

func TestRedemptionAllOrNothingAndReplay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		// Both promotions reach MILK: they opt into sharing its units.
		free := activeWithLimits(t, s, "FREE", stacks(tenOff()), Limits{})
		one := activeWithLimits(t, s, "ONE", stacks(secondHalfOn("MILK")), Limits{MaxUses: i64(1)})
		pos := as(tenantA, auth.Integrator)
		// Ten concurrent replays of one order count once.
		same := order(t, s, "same", two("MILK"), "")
		other := order(t, s, "other", two("MILK"), "") // priced while ONE has a use left
		var wg sync.WaitGroup
		results := make([]Redemption, 10)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.CommitRedemption(pos, same)
				if err != nil {
					t.Errorf("replay %d: %v", i, err)
				}
				results[i] = r
			}()
		}
		wg.Wait()
		for _, r := range results {
			// ¥10 off, then the second unit half of the ¥55 left: ¥37.50 in all.
			if len(r.Lines) != 2 || r.Lines[0].DiscountFen+r.Lines[1].DiscountFen != 3750 {
				t.Errorf("replay result %+v", r)
			}
		}
		if u := usageOf(t, s, free.ID); u != (Usage{DiscountFen: 1000, Uses: 1}) {
			t.Errorf("FREE usage %+v after replays", u)
		}
		// The second order exceeds ONE's uses: nothing of it is recorded.
		_, err := s.CommitRedemption(pos, other)
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
		token := priced(t, s, two("MILK"), "").Token
		for _, tc := range []struct {
			name  string
			in    NewRedemption
			field string
		}{
			{name: "no order id", in: NewRedemption{PricedToken: token}, field: "body.order_id"},
			{name: "neither token nor cart", in: NewRedemption{OrderID: "x"}, field: "body.priced_token"},
			{name: "both token and cart", in: NewRedemption{OrderID: "x", PricedToken: token, Cart: &engine.Cart{}}, field: "body.priced_token"},
			{name: "cart without payable", in: NewRedemption{OrderID: "x", Cart: &engine.Cart{}}, field: "body.payable"},
		} {
			_, err := s.CommitRedemption(pos, tc.in)
			if fieldOf(err) != tc.field {
				t.Errorf("%s: %v, want field %s", tc.name, err, tc.field)
			}
		}
		if _, err := s.CommitRedemption(as(tenantA, auth.Marketer), NewRedemption{OrderID: "m", PricedToken: token}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("marketer commits: %v", err)
		}
		if _, err := s.CancelRedemption(pos, "missing"); !errs.Is(err, errs.NotFound) {
			t.Errorf("cancel missing: %v", err)
		}
	})
}

// BenchmarkCommitRedemption commits orders in parallel against one promotion with a
// budget and a per-customer limit: the hot-row case of decision 0005. Each order is
// priced first (outside the timer's concern: pricing is benchmarked elsewhere).
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
			if _, err := s.Activate(ctx, p.ID); err != nil {
				b.Fatal(err)
			}
			tokens := make([]string, 100)
			for i := range tokens {
				tokens[i] = priced(b, s, cart(), fmt.Sprintf("c%d", i)).Token
			}
			pos := as(tenantA, auth.Integrator)
			var n atomic.Int64
			if benchParallelism > 0 {
				b.SetParallelism(benchParallelism)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					// A token commits one order: each order here is a fresh price of one of
					// 100 customers' carts.
					sp, err := s.PriceCartForCommit(pos, cart(), engine.Context{}, fmt.Sprintf("c%d", i%100))
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: fmt.Sprintf("o%d", i), PricedToken: sp.Token}); err != nil {
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
		for i := 0; i < 10; i++ {
			if _, err := s.CommitRedemption(pos, order(t, s, fmt.Sprintf("old%d", i), cart(), "dora")); err != nil {
				t.Fatal(err)
			}
		}
		fresh := ordersOf(t, s, 10, "new", cart(), func(int) string { return "dora" })
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := s.CommitRedemption(pos, fresh[i]); err != nil {
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
		used, err := customerUsage(context.Background(), d.Reader(), d.Dialect, tenantA, []string{"dora"})
		if err != nil || len(used) != 1 || used[0].Uses != 10 {
			t.Errorf("customer usage %+v %v", used, err)
		}
	})
}

// TestRedemptionWithoutLimitsUnderConcurrency: 40 orders of a promotion without
// limits commit at once — their usage goes to shard rows, a commit taking one no
// other commit holds — while a budget of ¥300 is set halfway: the shards fold back
// exactly (the usage is ¥10 per committed order, nothing lost or counted twice)
// and the only refusals are the budget's, once it is used up (or was already
// passed when it was set).
func TestRedemptionWithoutLimitsUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "FREE", tenOffOn("MILK"), Limits{})
		orders := ordersOf(t, s, 40, "FREE", two("MILK"), func(int) string { return "" })
		var wg sync.WaitGroup
		var ok int
		var refused map[string]int
		wg.Add(2)
		go func() {
			defer wg.Done()
			ok, refused = commitConcurrently(t, s, orders)
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 2000 && usageOf(t, s, p.ID).Uses < 10; i++ {
			}
			if _, err := s.UpdatePromotion(as(tenantA, auth.Merchandiser), p.ID, PromotionUpdate{Limits: &Limits{BudgetFen: i64(30000)}}); err != nil {
				t.Errorf("set budget: %v", err)
			}
		}()
		wg.Wait()
		u := usageOf(t, s, p.ID)
		if u.DiscountFen != int64(ok)*1000 || u.Uses != int64(ok) || ok+refused[LimitBudget] != 40 {
			t.Fatalf("%d committed, refusals %v, usage %+v", ok, refused, u)
		}
		if refused[LimitBudget] > 0 && u.DiscountFen < 30000 {
			t.Fatalf("budget refusals %d with usage %+v, below the ¥300 budget", refused[LimitBudget], u)
		}
		var shards int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM promotion_usage_shards WHERE promotion_id = $1`, p.ID).Scan(&shards); err != nil || shards != 0 {
			t.Fatalf("%d shard rows left after the budget was set (%v)", shards, err)
		}
	})
}
