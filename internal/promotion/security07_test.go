package promotion

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Issue 10 finding 7: money trusted from the client. One test per rule, each on SQLite
// and PostgreSQL, each with many parallel tills.

// tenPercent is 10% off the whole order (the finding's example).
func tenPercent() engine.Promotion {
	return engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{All: true}, PercentOff: &engine.PercentOff{OffBP: 1000}}
}

// refusal returns the kind of a *LimitError, "" otherwise.
func refusal(err error) string {
	var le *LimitError
	if errors.As(err, &le) {
		return le.Kind
	}
	return ""
}

// parallel runs f(0..n-1) at once and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

// TestSecurity07_RedemptionRepricesOnServer: a redemption records what the server
// prices, never a discount the client states. The client-stated shape that spent a
// 10% promotion's whole ¥1,000 budget in one call is gone (422 over HTTP); a cart is
// priced again on the server and a till stating another payable is refused (409
// price_mismatch with the server's payable); 20 tills committing at once — half of
// them lying — leave exactly the honest orders' server discounts in the usage.
func TestSecurity07_RedemptionRepricesOnServer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "TENPCT", tenPercent(), Limits{BudgetFen: i64(100_000)})
		ts := redemptionServer(t, s)
		status, body := do(t, ts, "POST", "/api/v1/promotion-redemptions", "pos",
			`{"order_id":"ATTACK","promotions":[{"promotion_id":"`+p.ID+`","discount":100000}]}`)
		if status != 422 {
			t.Errorf("client-stated discount: %d %s", status, body)
		}
		status, body = do(t, ts, "POST", "/api/v1/promotion-redemptions", "pos",
			`{"order_id":"ATTACK2","priced_cart":{"applied":[{"promotion_id":"`+p.ID+`","discount":100000}]}}`)
		if status != 422 {
			t.Errorf("client-stated priced cart: %d %s", status, body)
		}

		pos := as(tenantA, auth.Integrator)
		server := priced(t, s, cart(), "").Result // ¥240 at 10% off: ¥24
		if server.Discount != 2400 {
			t.Fatalf("server discount %d", server.Discount)
		}
		kinds := make([]string, 20)
		parallel(20, func(i int) {
			payable := server.Payable
			if i%2 == 1 {
				payable -= 100_000 // the till claims the whole budget as a discount
			}
			c := cart()
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: fmt.Sprintf("o%d", i), Cart: &c, Payable: &payable})
			kinds[i] = refusal(err)
			if err != nil && kinds[i] == "" {
				t.Errorf("order %d: %v", i, err)
			}
		})
		for i, k := range kinds {
			if want := map[bool]string{true: RefusedMismatch, false: ""}[i%2 == 1]; k != want {
				t.Errorf("order %d: %q, want %q", i, k, want)
			}
		}
		if u := usageOf(t, s, p.ID); u != (Usage{DiscountFen: 10 * 2400, Uses: 10}) {
			t.Errorf("usage %+v, want 10 orders of the server's ¥24", u)
		}
		for i := 0; i < 20; i += 2 {
			r, err := s.FindRedemptionByOrderID(pos, fmt.Sprintf("o%d", i))
			if err != nil || len(r.Lines) != 1 || r.Lines[0].DiscountFen != 2400 || r.Cart.Payable != server.Payable {
				t.Errorf("order o%d recorded %+v %v", i, r, err)
			}
		}
		_, err := s.CommitRedemption(pos, NewRedemption{OrderID: "lie", Cart: ptr(cart()), Payable: i64(0)})
		var le *LimitError
		if !errors.As(err, &le) || le.Kind != RefusedMismatch || le.Field != "body.payable" || le.Payable == nil || *le.Payable != server.Payable {
			t.Errorf("mismatch refusal %+v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestSecurity07_PricedTokenSignedAndExpiring: the token carries the priced cart under
// the server's HMAC; a tampered, forged, truncated, re-keyed, another tenant's or
// expired token is a 422 naming body.priced_token, and nothing is recorded. Ten tills
// committing one token as ten orders at once record it once.
func TestSecurity07_PricedTokenSignedAndExpiring(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "TENPCT", tenPercent(), Limits{})
		pos := as(tenantA, auth.Integrator)
		token := priced(t, s, cart(), "").Token
		head, mac, _ := strings.Cut(strings.TrimPrefix(token, "v1."), ".")
		payload, err := base64.RawURLEncoding.DecodeString(head)
		if err != nil {
			t.Fatal(err)
		}
		richer := strings.Replace(string(payload), `"d":2400`, `"d":99999`, 1)
		if richer == string(payload) {
			t.Fatalf("payload %s has no discount 2400", payload)
		}
		other := NewService(d, s.outbox, s.audit, s.clock, Config{Customers: newFakeCustomers(), TokenKey: []byte("another-server-key-0123456789abcdef")})
		otherToken, err := other.PriceCartForCommit(pos, cart(), engine.Context{}, "")
		if err != nil {
			t.Fatal(err)
		}
		tenantB, err := s.PriceCartForCommit(as(tenantB, auth.Integrator), cart(), engine.Context{}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ name, token string }{
			{"tampered payload", "v1." + base64.RawURLEncoding.EncodeToString([]byte(richer)) + "." + mac},
			{"forged mac", "v1." + head + "." + base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))},
			{"truncated", token[:len(token)/2]},
			{"garbage", "not a token"},
			{"another version", "v2." + head + "." + mac},
			{"another server's key", otherToken.Token},
			{"another tenant's", tenantB.Token},
		} {
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: "x-" + tc.name, PricedToken: tc.token})
			if fieldOf(err) != "body.priced_token" {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		expiring := priced(t, s, cart(), "").Token
		s.clock.(*clock.Fixed).Advance(DefaultTokenTTL + time.Second)
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "late", PricedToken: expiring}); fieldOf(err) != "body.priced_token" ||
			!strings.Contains(err.Error(), "expired") {
			t.Errorf("expired token: %v", err)
		}
		if u := usageOf(t, s, p.ID); u != (Usage{}) {
			t.Fatalf("refused tokens recorded usage %+v", u)
		}

		fresh := priced(t, s, cart(), "").Token
		kinds := make([]string, 10)
		parallel(10, func(i int) {
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: fmt.Sprintf("t%d", i), PricedToken: fresh})
			kinds[i] = refusal(err)
			if err != nil && kinds[i] == "" {
				t.Errorf("order %d: %v", i, err)
			}
		})
		used := 0
		for _, k := range kinds {
			switch k {
			case "":
				used++
			case RefusedTokenUsed:
			default:
				t.Errorf("refusal %q", k)
			}
		}
		if used != 1 {
			t.Errorf("the token committed %d orders (%v), want 1", used, kinds)
		}
		if u := usageOf(t, s, p.ID); u != (Usage{DiscountFen: 2400, Uses: 1}) {
			t.Errorf("usage %+v", u)
		}
	})
}

// TestSecurity07_ZeroDiscountIsNotAUse: a promotion that gives nothing is not a use —
// not counted against max_uses nor the customer's limit, not recorded — while a gift
// is (it gives an item) and charges its value to the budget. Twenty orders at once,
// each with a zero-discount promotion beside a real one, leave the zero one untouched.
func TestSecurity07_ZeroDiscountIsNotAUse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		zero := activeWithLimits(t, s, "ZERO", tenOffOn("WATER"), Limits{MaxUses: i64(1), MaxUsesPerCustomer: i64(1)})
		real := activeWithLimits(t, s, "REAL", tenOff(), Limits{})
		pos := as(tenantA, auth.Integrator)
		// A priced cart in which ZERO applied and gave nothing (say, a free sample of
		// WATER at ¥0): signed by the server, as any priced cart.
		sign := func(customer string) string {
			pc := pricedOf(tenantA, customer, engine.Context{Time: testNow}, priced(t, s, cart(), customer).Result)
			pc.Promotions = append(pc.Promotions, PricedPromotion{PromotionID: zero.ID, Kind: engine.KindAmountOff})
			token, _, err := s.signPriced(pc)
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
		tokens := make([]string, 20)
		for i := range tokens {
			tokens[i] = sign(fmt.Sprintf("c%d", i%3))
		}
		parallel(20, func(i int) {
			if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: fmt.Sprintf("z%d", i), PricedToken: tokens[i]}); err != nil {
				t.Errorf("order %d: %v", i, err)
			}
		})
		if u := usageOf(t, s, zero.ID); u != (Usage{}) {
			t.Errorf("a zero discount counted: %+v", u)
		}
		if u := usageOf(t, s, real.ID); u != (Usage{DiscountFen: 20 * 1000, Uses: 20}) {
			t.Errorf("real usage %+v", u)
		}
		if r, err := s.FindRedemptionByOrderID(pos, "z0"); err != nil || len(r.Lines) != 1 || r.Lines[0].PromotionID != real.ID {
			t.Errorf("recorded %+v %v", r.Lines, err)
		}

		// A gift gives an item: a use, and its value (¥5 × 2) against the budget.
		ctx := as(tenantA, auth.Merchandiser)
		giftDef := engine.Promotion{Kind: engine.KindGift, Scope: engine.Scope{SKUs: []string{"BREAD"}}, Gift: &engine.Gift{SKU: "BAG", Qty: 2}}
		if _, err := s.CreatePromotion(ctx, NewPromotion{Code: "NOVALUE", Name: "gift", Definition: giftDef, Limits: Limits{BudgetFen: i64(1000)}}); fieldOf(err) != "body.limits.budget_fen" {
			t.Errorf("a budget on a gift without value: %v", err)
		}
		giftDef.Gift.Value = 500
		gift := activeWithLimits(t, s, "GIFT", giftDef, Limits{BudgetFen: i64(1000), MaxUses: i64(5)})
		ok, refused := commitConcurrently(t, s, ordersOf(t, s, 5, "g", cart(), func(i int) string { return fmt.Sprintf("c%d", i) }))
		if ok != 1 || refused[LimitBudget] != 4 {
			t.Errorf("gifts: %d committed, refusals %v", ok, refused)
		}
		if u := usageOf(t, s, gift.ID); u != (Usage{DiscountFen: 1000, Uses: 1}) {
			t.Errorf("gift usage %+v", u)
		}
	})
}

// TestSecurity07_OnlyActivePromotionsRedeem: a token priced while a promotion was
// active does not redeem it once it is paused or ended (409 promotion_not_active), a
// draft or not-yet-started promotion never prices into a cart, and an order's time
// must be now (5 minutes of clock drift, a day for offline tills): a cart priced for
// next week, when a promotion will have started, is refused. Twenty commits racing a
// pause never record a use after it.
func TestSecurity07_OnlyActivePromotionsRedeem(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		pos := as(tenantA, auth.Integrator)
		paused := activeWithLimits(t, s, "PAUSED", tenOffOn("MILK"), Limits{})
		ended := activeWithLimits(t, s, "ENDED", secondHalfOn("EGG"), Limits{})
		c := engine.Cart{Lines: append(two("MILK").Lines, engine.Line{ID: "2", SKU: "EGG", Unit: engine.UnitEach, Qty: 2, UnitPrice: 6000})}
		pausedToken, endedToken := priced(t, s, c, "").Token, priced(t, s, c, "").Token
		if _, err := s.Pause(ctx, paused.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.End(ctx, ended.ID); err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			token string
			promo Promotion
		}{"paused": {pausedToken, paused}, "ended": {endedToken, ended}} {
			_, err := s.CommitRedemption(pos, NewRedemption{OrderID: name, PricedToken: tc.token})
			var le *LimitError
			if !errors.As(err, &le) || le.Kind != RefusedInactive || (le.PromotionID != paused.ID && le.PromotionID != ended.ID) {
				t.Errorf("%s: %v", name, err)
			}
		}

		draft := mustCreate(t, s, ctx, "DRAFT", tenOffOn("BREAD"))
		later := tenOffOn("BREAD")
		later.Conditions.Start = testNow.Add(7 * 24 * time.Hour)
		future := activeWithLimits(t, s, "FUTURE", later, Limits{})
		bread := engine.Cart{Lines: []engine.Line{{ID: "1", SKU: "BREAD", Unit: engine.UnitEach, Qty: 1, UnitPrice: 12000}}}
		res := priced(t, s, bread, "").Result
		if len(res.Applied) != 0 || !rejectedWith(res, future.ID, engine.CodeConditionFailed) {
			t.Errorf("draft or future promotion priced: %+v %+v", res.Applied, res.Rejected)
		}
		for _, id := range []string{draft.ID} {
			for _, r := range res.Rejected {
				if r.PromotionID == id {
					t.Errorf("a draft is a candidate: %+v", r)
				}
			}
		}
		nextWeek, err := s.PriceCartForCommit(pos, bread, engine.Context{Time: later.Conditions.Start}, "")
		if err != nil || len(nextWeek.Result.Applied) != 1 {
			t.Fatalf("priced for next week: %+v %v", nextWeek.Result.Applied, err)
		}
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "next-week", PricedToken: nextWeek.Token}); fieldOf(err) != "body.priced_token" {
			t.Errorf("a token priced for next week: %v", err)
		}
		at := later.Conditions.Start
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "next-week", Cart: &bread, Context: engine.Context{Time: at}, Payable: i64(11000)}); fieldOf(err) != "body.cart.time" {
			t.Errorf("a cart for next week: %v", err)
		}
		at = testNow.Add(-25 * time.Hour)
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "last-week", Cart: &bread, Context: engine.Context{Time: at}, Payable: i64(12000)}); fieldOf(err) != "body.cart.time" {
			t.Errorf("a cart of the day before yesterday: %v", err)
		}

		// Twenty tills commit tokens priced while RACE was active, while it is paused.
		race := activeWithLimits(t, s, "RACE", tenOffOn("RICE"), Limits{})
		orders := ordersOf(t, s, 20, "r", two("RICE"), func(int) string { return "" })
		kinds := make([]string, 20)
		var pausedAt Promotion
		parallel(21, func(i int) {
			if i == 20 {
				var err error
				if pausedAt, err = s.Pause(ctx, race.ID); err != nil {
					t.Error(err)
				}
				return
			}
			_, err := s.CommitRedemption(pos, orders[i])
			kinds[i] = refusal(err)
			if err != nil && kinds[i] != RefusedInactive {
				t.Errorf("order %d: %v", i, err)
			}
		})
		committed := 0
		for _, k := range kinds {
			if k == "" {
				committed++
			}
		}
		if u := usageOf(t, s, race.ID); u.Uses != int64(committed) || u != pausedAt.Usage {
			t.Errorf("usage %+v: %d committed, %+v when paused — a use was recorded after the pause", u, committed, pausedAt.Usage)
		}
	})
}

// TestSecurity07_CustomerMustExist: a customer id must be a customer of the tenant —
// pricing and committing for an unknown or another tenant's id is a 422 naming the
// field — and per-customer limits count a person once whichever of their merged ids
// the tills send: with a limit of 2, one use under the absorbed id before the merge
// and 20 orders over both ids at once after it, exactly one more commits.
func TestSecurity07_CustomerMustExist(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "TWICE", tenOff(), Limits{MaxUsesPerCustomer: i64(2)})
		pos := as(tenantA, auth.Integrator)
		if _, err := s.PriceCart(pos, cart(), engine.Context{}, "mallory"); fieldOf(err) != "body.customer_id" {
			t.Errorf("price for an unknown customer: %v", err)
		}
		if _, err := s.PriceCart(as(tenantB, auth.Integrator), cart(), engine.Context{}, "alice"); fieldOf(err) != "body.customer_id" {
			t.Errorf("price for another tenant's customer: %v", err)
		}
		c := cart()
		if _, err := s.CommitRedemption(pos, NewRedemption{OrderID: "m", Cart: &c, CustomerID: "mallory", Payable: i64(23000)}); fieldOf(err) != "body.cart.customer_id" {
			t.Errorf("commit for an unknown customer: %v", err)
		}

		// c1 uses the promotion once; orders are priced for c1 and c2; c1 is merged into c2.
		if _, err := s.CommitRedemption(pos, order(t, s, "before", cart(), "c1")); err != nil {
			t.Fatal(err)
		}
		orders := ordersOf(t, s, 20, "after", cart(), func(i int) string { return []string{"c1", "c2"}[i%2] })
		customersOf(s).merge("c2", "c1")
		ok, refused := commitConcurrently(t, s, orders)
		if ok != 1 || refused[LimitPerCustomer] != 19 {
			t.Errorf("merged customer: %d committed, refusals %v", ok, refused)
		}
		used, err := customerUsage(context.Background(), d.Reader(), d.Dialect, tenantA, []string{"c1", "c2"})
		if err != nil || len(used) != 1 || used[0].Uses != 2 {
			t.Errorf("the person's uses %+v %v, want 2", used, err)
		}
		if u := usageOf(t, s, p.ID); u.Uses != 2 {
			t.Errorf("usage %+v", u)
		}
		// Recorded for the survivor, and priced for either id the promotion is used up.
		for i := range 20 {
			if r, err := s.FindRedemptionByOrderID(pos, fmt.Sprintf("after-%d", i)); err == nil && r.CustomerID != "c2" {
				t.Errorf("order recorded for %q, want the survivor c2", r.CustomerID)
			}
		}
		for _, id := range []string{"c1", "c2"} {
			if res, err := s.PriceCart(pos, cart(), engine.Context{}, id); err != nil || !rejectedWith(res, p.ID, engine.CodeLimitReached) {
				t.Errorf("priced for %s: %+v %v", id, res.Applied, err)
			}
		}
	})
}

// TestSecurity07_LimitsReadInConsumingStatement: budgets, uses and per-customer limits
// are read by the statement that consumes them. Each round lowers a live promotion's
// limit while 40 orders priced under the old one commit: nothing passes the new limit
// beyond what was used when it was lowered (before, PostgreSQL let orders that had
// read the old budget commit past the new one: 40,000 used against 5,000).
func TestSecurity07_LimitsReadInConsumingStatement(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		tests := []struct {
			name     string
			old, new Limits
			kind     string
			over     func(u Usage, at Usage) bool
		}{
			{name: "budget", old: Limits{BudgetFen: i64(1_000_000)}, new: Limits{BudgetFen: i64(5000)}, kind: LimitBudget,
				over: func(u, at Usage) bool { return u.DiscountFen > max(5000, at.DiscountFen) }},
			{name: "uses", old: Limits{MaxUses: i64(1000)}, new: Limits{MaxUses: i64(5)}, kind: LimitUses,
				over: func(u, at Usage) bool { return u.Uses > max(5, at.Uses) }},
			{name: "per customer", old: Limits{MaxUsesPerCustomer: i64(1000)}, new: Limits{MaxUsesPerCustomer: i64(5)}, kind: LimitPerCustomer,
				over: func(u, at Usage) bool { return u.Uses > max(5, at.Uses) }}, // one customer buys every order
		}
		for round := range 3 {
			for _, tc := range tests {
				p := activeWithLimits(t, s, fmt.Sprintf("%s-%d", strings.ReplaceAll(tc.name, " ", ""), round), tenOffOn(fmt.Sprintf("SKU-%s-%d", tc.name, round)), tc.old)
				orders := ordersOf(t, s, 40, p.Code, two(fmt.Sprintf("SKU-%s-%d", tc.name, round)), func(int) string { return "alice" })
				var at Usage
				var mu sync.Mutex
				kinds := map[string]int{}
				parallel(41, func(i int) {
					if i == 40 {
						for usageOf(t, s, p.ID).Uses < 1 {
							time.Sleep(time.Millisecond)
						}
						lowered, err := s.UpdatePromotion(ctx, p.ID, PromotionUpdate{Limits: &tc.new})
						if err != nil {
							t.Error(err)
						}
						at = lowered.Usage
						return
					}
					_, err := s.CommitRedemption(as(tenantA, auth.Integrator), orders[i])
					mu.Lock()
					kinds[refusal(err)]++
					mu.Unlock()
					if err != nil && refusal(err) == "" {
						t.Errorf("order %d: %v", i, err)
					}
				})
				u := usageOf(t, s, p.ID)
				if tc.over(u, at) {
					t.Errorf("round %d, %s: usage %+v after lowering at %+v (%v)", round, tc.name, u, at, kinds)
				}
				if kinds[""]+kinds[tc.kind] != 40 || int64(kinds[""]) != u.Uses {
					t.Errorf("round %d, %s: outcomes %v, usage %+v", round, tc.name, kinds, u)
				}
			}
		}
	})
}

// TestSecurity07_ReturnQuoteFromFrozenShares: a return quote computes the refund from
// the lines, nets and per-line shares stored when the order was redeemed — and the
// threshold's definition as it was — never from definitions a client posts: the old
// `priced` body is refused, and editing the promotion afterwards changes nothing. An
// order recorded before shares were kept answers 409 shares_not_recorded rather than
// guess. Quotes taken while the promotion is re-edited concurrently all agree.
func TestSecurity07_ReturnQuoteFromFrozenShares(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		pos := as(tenantA, auth.Integrator)
		def := manjian() // spend ¥199 save ¥20, ¥299 save ¥50
		def.ReturnPolicy = engine.ReturnClawBack
		mj := activeWithLimits(t, s, "MJ", def, Limits{})
		if _, err := s.CommitRedemption(pos, order(t, s, "O1", cart(), "")); err != nil {
			t.Fatal(err)
		}
		// Returning the BREAD (¥120 of ¥240) leaves ¥120: below ¥199, the ¥20 is clawed back.
		returned := map[string]int64{"2": 1}
		want, err := s.QuoteReturn(pos, ReturnRef{OrderID: "O1"}, returned)
		if err != nil || want.Refund != 12000-1000-1000 || len(want.Adjustments) != 1 || want.Adjustments[0].ClawBack != 1000 {
			t.Fatalf("quote %+v %v", want, err)
		}

		// The promotion is edited (a richer tier, keep policy) while quotes run.
		edited := manjian()
		edited.Threshold.Tiers = []engine.Tier{{Spend: 10000, Off: 9000}}
		quotes := make([]engine.Quote, 20)
		parallel(21, func(i int) {
			if i == 20 {
				if _, err := s.Pause(ctx, mj.ID); err != nil {
					t.Error(err)
				}
				if _, err := s.UpdatePromotion(ctx, mj.ID, PromotionUpdate{Definition: &edited}); err != nil {
					t.Error(err)
				}
				if _, err := s.Activate(ctx, mj.ID); err != nil {
					t.Error(err)
				}
				return
			}
			q, err := s.QuoteReturn(pos, ReturnRef{OrderID: "O1"}, returned)
			if err != nil {
				t.Error(err)
			}
			quotes[i] = q
		})
		for i, q := range quotes {
			if q.Refund != want.Refund || len(q.Adjustments) != 1 || q.Adjustments[0] != want.Adjustments[0] {
				t.Errorf("quote %d %+v, want %+v", i, q, want)
			}
		}
		if q, err := s.QuoteReturn(pos, ReturnRef{OrderID: "O1"}, returned); err != nil || q.Refund != want.Refund {
			t.Errorf("after the edit: %+v %v", q, err)
		}

		ts := redemptionServer(t, s)
		status, body := do(t, ts, "POST", "/api/v1/carts/return-quote", "pos",
			`{"priced":{"lines":[{"id":"1","sku":"A","unit":"each","qty":1,"unit_price":100,"amount":100,"discount":0,"net":100}]},"returned":{"1":1}}`)
		if status != 422 {
			t.Errorf("client-posted priced cart: %d %s", status, body)
		}
		// An order recorded before this change: no priced cart.
		if _, err := d.Writer().Exec(`INSERT INTO promotion_redemption_orders (tenant_id, order_id, customer_id, status, created_at)
			VALUES ($1, 'OLD', '', 'committed', 0)`, tenantA); err != nil {
			t.Fatal(err)
		}
		if _, err := s.QuoteReturn(pos, ReturnRef{OrderID: "OLD"}, map[string]int64{"1": 1}); refusal(err) != RefusedNoShares {
			t.Errorf("old order: %v", err)
		}
		status, body = do(t, ts, "POST", "/api/v1/carts/return-quote", "pos", `{"order_id":"OLD","returned":{"1":1}}`)
		if status != 409 || !strings.Contains(body, "urn:oneretail:problem:shares_not_recorded") {
			t.Errorf("old order over HTTP: %d %s", status, body)
		}
		if _, err := s.QuoteReturn(pos, ReturnRef{OrderID: "O1"}, map[string]int64{"2": 2}); fieldOf(err) != "body.returned.2" {
			t.Errorf("returning more than bought: %v", err)
		}
		if _, err := s.QuoteReturn(as(tenantB, auth.Integrator), ReturnRef{OrderID: "O1"}, returned); !errs.Is(err, errs.NotFound) {
			t.Errorf("another tenant's order: %v", err)
		}
	})
}

// TestSecurity12_RedemptionInputsBounded (issue 10 finding 12): a redemption's payable
// is bounded like every amount, and a promotion's running usage never passes
// money.MaxTotal: the commit that would is refused (409 usage_total_exceeded), not
// wrapped or stored past what clients read exactly.
func TestSecurity12_RedemptionInputsBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "TEN", tenOff(), Limits{})
		ts := redemptionServer(t, s)
		status, body := do(t, ts, "POST", "/api/v1/promotion-redemptions", "pos",
			`{"order_id":"X","payable":9223372036854775807,"cart":`+cartJSON+`}`)
		if status != 422 || !strings.Contains(body, "body.payable") {
			t.Errorf("huge payable: %d %s", status, body)
		}
		token := priced(t, s, cart(), "").Token
		if _, err := d.Writer().Exec(`UPDATE promotion_usage SET discount_fen = $1 WHERE promotion_id = $2`, int64(money.MaxTotal)-500, p.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.CommitRedemption(as(tenantA, auth.Integrator), NewRedemption{OrderID: "big", PricedToken: token})
		if refusal(err) != LimitTotal {
			t.Errorf("usage past money.MaxTotal: %v", err)
		}
		if u := usageOf(t, s, p.ID); u.DiscountFen != int64(money.MaxTotal)-500 || u.Uses != 0 {
			t.Errorf("usage %+v", u)
		}
	})
}

// TestRedemptionMergedCustomerWithoutLimits: a customer with merged ids commits an
// order with a promotion that has no per-customer limit. Before, the merged ids went
// to the statement as arguments it never read, which PostgreSQL refused (the demo
// load's first such basket failed).
func TestRedemptionMergedCustomerWithoutLimits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		p := activeWithLimits(t, s, "OPEN", tenOff(), Limits{})
		customersOf(s).merge("c4", "c5")
		pos := as(tenantA, auth.Integrator)
		for _, who := range []string{"c4", "c5"} {
			if _, err := s.CommitRedemption(pos, order(t, s, "merged-"+who, cart(), who)); err != nil {
				t.Fatalf("commit for %s: %v", who, err)
			}
		}
		if u := usageOf(t, s, p.ID); u.Uses != 2 {
			t.Errorf("usage %+v, want 2 uses", u)
		}
		used, err := customerUsage(context.Background(), d.Reader(), d.Dialect, tenantA, []string{"c4", "c5"})
		if err != nil || len(used) != 1 || used[0].Uses != 2 {
			t.Errorf("the person's uses %+v %v, want 2", used, err)
		}
	})
}
