package loyalty

import (
	"context"
	"database/sql"
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
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

func httpapiPage() httpapi.PageParams { return httpapi.PageParams{Limit: 100} }

// svBalance returns a customer's stored value and checks that its ledger reconciles.
func (f fixture) svBalance(t testing.TB, customerID string) int64 {
	t.Helper()
	sv, err := f.s.FindStoredValue(as(auth.Analyst), customerID, httpapiPage())
	if err != nil {
		t.Fatalf("stored value: %v", err)
	}
	if sv.Account.ID == "" {
		return 0
	}
	if _, err := f.s.ReconcileStoredValue(context.Background(), tenantA, sv.Account.ID, sv.Account.BalanceFen); err != nil {
		t.Fatal(err)
	}
	return sv.Account.BalanceFen
}

func (f fixture) topUp(t testing.TB, customerID string, fen int64, ref string) SVEntry {
	t.Helper()
	e, err := f.s.PostStoredValue(as(auth.Associate), customerID, SVTopUp, SVPosting{AmountFen: fen, Reference: ref, StoreID: "s1"})
	if err != nil {
		t.Fatalf("top up %d: %v", fen, err)
	}
	return e
}

// TestParallelStoredValueSpends: 200 parallel spends of ¥1 against ¥100 → exactly
// 100 succeed, the balance ends at 0 and the ledger sums to it.
func TestParallelStoredValueSpends(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.topUp(t, "alice", 10_000, "till-1")
		start := time.Now()
		var ok, short atomic.Int64
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				_, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVSpend, SVPosting{AmountFen: 100, Reference: fmt.Sprintf("spend-%d", i), StoreID: "s1"})
				switch {
				case err == nil:
					ok.Add(1)
				case errs.Is(err, errs.Insufficient):
					short.Add(1)
				default:
					t.Errorf("spend: %v", err)
				}
			}()
		}
		wg.Wait()
		if b := f.svBalance(t, "alice"); ok.Load() != 100 || short.Load() != 100 || b != 0 {
			t.Fatalf("succeeded %d, refused %d, balance %d; want 100, 100, 0", ok.Load(), short.Load(), b)
		}
		t.Logf("%s: 200 parallel spends of ¥1 against ¥100: %d succeeded, %d refused as insufficient, balance 0 fen, ledger sums to 0, in %v",
			d.Dialect, ok.Load(), short.Load(), time.Since(start).Round(time.Millisecond))
	})
}

// TestStoredValueReplayAndRules: a replayed top-up or spend changes nothing and
// answers the first entry; a reused reference with another amount conflicts; the
// registered cap, the reason of an adjustment and scopes hold.
func TestStoredValueReplayAndRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		first := f.topUp(t, "old", 5_000, "t1") // "old" was merged into alice: the account is alice's
		again := f.topUp(t, "alice", 5_000, "t1")
		if again.ID != first.ID || f.svBalance(t, "alice") != 5_000 {
			t.Fatalf("replayed top-up posted again: %+v vs %+v", again, first)
		}
		sp := SVPosting{AmountFen: 1_234, Reference: "s1", StoreID: "s1"}
		e1, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVSpend, sp)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVSpend, sp)
		if err != nil || e2.ID != e1.ID || e2.BalanceFen != 3_766 {
			t.Fatalf("replayed spend: %+v, %v", e2, err)
		}
		sp.AmountFen = 1
		if _, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVSpend, sp); !errs.Is(err, errs.Conflict) {
			t.Fatalf("reference reused for another amount: %v, want conflict", err)
		}
		_, err = f.s.PostStoredValue(as(auth.Associate), "alice", SVTopUp, SVPosting{AmountFen: 500_000, Reference: "big", StoreID: "s1"})
		if fe := (*errs.Error)(nil); !errors.As(err, &fe) || fe.Field != "body.amount_fen" {
			t.Fatalf("top-up above the ¥5,000 cap: %v, want invalid body.amount_fen", err)
		}
		if _, err := f.s.PostStoredValue(as(auth.Marketer), "alice", SVAdjust, SVPosting{AmountFen: -100}); !isField(err, "body.reason") {
			t.Fatalf("adjustment without reason: %v", err)
		}
		if _, err := f.s.PostStoredValue(as(auth.Marketer), "alice", SVAdjust, SVPosting{AmountFen: -3_767, Reason: "x"}); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("adjustment below zero: %v", err)
		}
		if _, err := f.s.PostStoredValue(as(auth.Marketer), "alice", SVAdjust, SVPosting{AmountFen: -766, Reason: "goodwill reversal"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVRefund, SVPosting{AmountFen: 1, Reference: "r"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a till refunding by hand: %v, want forbidden", err)
		}
		if _, err := f.s.PostStoredValue(as(auth.Associate), "alice", SVTopUp, SVPosting{AmountFen: 1, StoreID: "s1"}); !isField(err, "body.reference") {
			t.Fatalf("top-up without reference: %v", err)
		}
		if b := f.svBalance(t, "alice"); b != 3_000 {
			t.Fatalf("balance %d, want 3000", b)
		}
		t.Logf("%s: a replayed top-up and spend returned their first entries; a reused reference conflicted; the ¥5,000 cap refused 422 body.amount_fen; balance 3000 fen reconciles", d.Dialect)
	})
}

// TestOrderPaymentAndRefund: an order paid with stored value debits the account in
// the order's transaction; a failed order transaction debits nothing; refunds credit
// back exactly, never more than was paid, once per change.
func TestOrderPaymentAndRefund(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.topUp(t, "alice", 10_000, "t1")
		ctx := as(auth.Associate)
		pay := func(order string, fen int64, fail bool) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				if err := f.s.PayOrderTx(ctx, tx, "alice", order, "s1", fen); err != nil {
					return err
				}
				if fail {
					return errs.E(errs.Conflict, "the order's own write failed")
				}
				return nil
			})
		}
		if err := pay("o1", 4_000, true); err == nil {
			t.Fatal("want the failure")
		}
		if b := f.svBalance(t, "alice"); b != 10_000 {
			t.Fatalf("a rolled-back payment left balance %d", b)
		}
		if err := pay("o1", 4_000, false); err != nil {
			t.Fatal(err)
		}
		if err := pay("o1", 4_000, false); err != nil { // a replayed payment
			t.Fatal(err)
		}
		if err := pay("o2", 6_001, false); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("overdraw: %v", err)
		}
		refund := func(change string, fen int64) {
			t.Helper()
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return f.s.RefundOrderTx(ctx, tx, "o1", change, fen) }); err != nil {
				t.Fatal(err)
			}
		}
		refund("c1", 1_500)
		refund("c1", 1_500) // the same change again
		if b := f.svBalance(t, "alice"); b != 7_500 {
			t.Fatalf("after refunding 1500 of 4000: %d, want 7500", b)
		}
		refund("c2", 9_999) // more than is left of the payment
		if b := f.svBalance(t, "alice"); b != 10_000 {
			t.Fatalf("after a full refund: %d, want 10000", b)
		}
		// A gift card spent towards order o3: the order center sees it paid, and a
		// refund goes back to the card.
		_, cards, err := f.s.IssueGiftCards(as(auth.Marketer), GiftCardBatchInput{Name: "x", FaceValueFen: 5_000, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		card := cards[0]
		if _, _, err := f.s.ActivateGiftCard(ctx, CardRequest{Code: card.Code, SVPosting: SVPosting{StoreID: "s1"}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.PostGiftCard(ctx, SVSpend, CardRequest{Code: card.Code, PIN: card.PIN,
			SVPosting: SVPosting{AmountFen: 3_000, Reference: "g", OrderID: "o3", StoreID: "s1"}}); err != nil {
			t.Fatal(err)
		}
		var cardPaid int64
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if cardPaid, err = f.s.GiftCardPaidTx(ctx, tx, "o3"); err != nil {
				return err
			}
			return f.s.RefundOrderTx(ctx, tx, "o3", "c1", 3_000)
		})
		if err != nil || cardPaid != 3_000 {
			t.Fatalf("gift card paid %d (%v), want 3000", cardPaid, err)
		}
		if got, err := f.s.GiftCardBalance(ctx, card.Code, card.PIN); err != nil || got.BalanceFen != 5_000 {
			t.Fatalf("card after the refund: %+v %v", got, err)
		}
		t.Logf("%s: a payment whose order transaction failed debited nothing; a replay debited once; refunds of 1500 then the rest credited back exactly 4000 (capped at what was paid, once per change); a gift card's 3000 towards an order went back to the card", d.Dialect)
	})
}

// TestGiftCards: codes are unique with a check character; anonymous cards cap at
// ¥1,000 (422 naming the field), binding raises the cap; wrong PINs lock the card;
// spends never overdraw.
func TestGiftCards(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		b, cards, err := f.s.IssueGiftCards(as(auth.Marketer), GiftCardBatchInput{Name: "Spring", FaceValueFen: 50_000, Quantity: 20})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range cards {
			if seen[c.Code] || normaliseCardCode(c.Code) != c.Code || len(c.PIN) != 6 {
				t.Fatalf("bad card %+v", c)
			}
			seen[c.Code] = true
		}
		typo := []byte(cards[0].Code)
		typo[3] = codeAlphabet[(indexOf(typo[3])+1)%32]
		if normaliseCardCode(string(typo)) != "" {
			t.Fatal("a one-character typo passed the check character")
		}
		if _, _, err := f.s.IssueGiftCards(as(auth.Marketer), GiftCardBatchInput{Name: "x", FaceValueFen: 100_001, Quantity: 1}); !isField(err, "body.face_value_fen") {
			t.Fatalf("anonymous face value above ¥1,000: %v", err)
		}
		c := cards[0]
		ctx := as(auth.Associate)
		if _, _, err := f.s.PostGiftCard(ctx, SVTopUp, CardRequest{Code: c.Code, SVPosting: SVPosting{AmountFen: 1, Reference: "x", StoreID: "s1"}}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("top-up of an unsold card: %v", err)
		}
		act := CardRequest{Code: c.Code, SVPosting: SVPosting{Reference: "sale-1", StoreID: "s1"}}
		if _, e, err := f.s.ActivateGiftCard(ctx, act); err != nil || e.BalanceFen != 50_000 {
			t.Fatalf("activate: %+v %v", e, err)
		}
		if _, _, err := f.s.ActivateGiftCard(ctx, act); err != nil {
			t.Fatalf("replayed activation: %v", err)
		}
		_, _, err = f.s.PostGiftCard(ctx, SVTopUp, CardRequest{Code: c.Code, SVPosting: SVPosting{AmountFen: 50_001, Reference: "t1", StoreID: "s1"}})
		if !isField(err, "body.amount_fen") {
			t.Fatalf("anonymous card top-up beyond ¥1,000: %v, want invalid body.amount_fen", err)
		}
		if _, err := f.s.BindGiftCard(ctx, c.Code, c.PIN, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, e, err := f.s.PostGiftCard(ctx, SVTopUp, CardRequest{Code: c.Code, SVPosting: SVPosting{AmountFen: 50_001, Reference: "t1", StoreID: "s1"}}); err != nil || e.BalanceFen != 100_001 {
			t.Fatalf("registered card top-up to ¥1,000.01: %+v %v", e, err)
		}
		spend := func(pin string, fen int64, ref string) error {
			_, _, err := f.s.PostGiftCard(ctx, SVSpend, CardRequest{Code: c.Code, PIN: pin, SVPosting: SVPosting{AmountFen: fen, Reference: ref, StoreID: "s1"}})
			return err
		}
		if err := spend(c.PIN, 100_002, "s0"); !errs.Is(err, errs.Insufficient) {
			t.Fatalf("overdraw: %v", err)
		}
		for i := range 4 {
			if err := spend("000000x", 1, fmt.Sprint("w", i)); !isField(err, "body.pin") {
				t.Fatalf("wrong pin %d: %v", i, err)
			}
		}
		if err := spend("000000x", 1, "w5"); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("fifth wrong pin: %v, want rate_limited", err)
		}
		if err := spend(c.PIN, 1, "ok"); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("right pin on a locked card: %v", err)
		}
		f.clock.Advance(cardLockFor)
		if err := spend(c.PIN, 1, "ok"); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.GiftCardBalance(as(auth.Analyst), c.Code, c.PIN)
		if err != nil || got.BalanceFen != 100_000 {
			t.Fatalf("balance %+v %v", got, err)
		}
		if _, err := f.s.ReconcileStoredValue(context.Background(), tenantA, c.ID, got.BalanceFen); err != nil {
			t.Fatal(err)
		}
		l, err := f.s.FindLiability(as(auth.Analyst))
		if err != nil || l.CardsActive != 1 || l.CardsActiveFen != 100_000 || l.CardsIssued != 19 || l.CardsIssuedFaceFen != 19*50_000 {
			t.Fatalf("liability %+v %v", l, err)
		}
		if page, err := f.s.FindGiftCards(as(auth.Marketer), b.ID, httpapiPage()); err != nil || len(page.Items) != 20 || page.Items[0].PIN != "" {
			t.Fatalf("cards of the batch: %d %v", len(page.Items), err)
		}
		t.Logf("%s: 20 unique codes pass their check character, a typo fails it; anonymous card refused above ¥1,000 (422 body.amount_fen), bound card took ¥1,000.01; 5 wrong PINs locked the card for 15 min; liability 1 active card 100000 fen, 19 unsold", d.Dialect)
	})
}

func indexOf(b byte) int {
	for i := range len(codeAlphabet) {
		if codeAlphabet[i] == b {
			return i
		}
	}
	return -1
}

func isField(err error, field string) bool { return isCodeOn(err, errs.Invalid, field) }

// isCodeOn reports whether err is a problem of code naming field.
func isCodeOn(err error, code errs.Code, field string) bool {
	var fe *errs.Error
	return errors.As(err, &fe) && fe.Code == code && fe.Field == field
}

// TestParallelGiftCardPostings: 60 parallel ¥1 spends against a card holding ¥20 →
// exactly 20; then 60 parallel ¥100 top-ups of the anonymous card → exactly 10 fit
// under the ¥1,000 cap; the card's ledger reconciles.
func TestParallelGiftCardPostings(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		_, cards, err := f.s.IssueGiftCards(as(auth.Marketer), GiftCardBatchInput{Name: "x", FaceValueFen: 2_000, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		c := cards[0]
		if _, _, err := f.s.ActivateGiftCard(as(auth.Associate), CardRequest{Code: c.Code, SVPosting: SVPosting{StoreID: "s1"}}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		run := func(kind SVEntryKind, fen int64, pin string) (ok, refused int64) {
			var okN, refusedN atomic.Int64
			var wg sync.WaitGroup
			sem := make(chan struct{}, 16)
			for i := range 60 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sem <- struct{}{}
					defer func() { <-sem }()
					_, _, err := f.s.PostGiftCard(as(auth.Associate), kind, CardRequest{Code: c.Code, PIN: pin,
						SVPosting: SVPosting{AmountFen: fen, Reference: fmt.Sprintf("%s-%d", kind, i), StoreID: "s1"}})
					switch {
					case err == nil:
						okN.Add(1)
					case errs.Is(err, errs.Insufficient) || isField(err, "body.amount_fen"):
						refusedN.Add(1)
					default:
						t.Errorf("%s: %v", kind, err)
					}
				}()
			}
			wg.Wait()
			return okN.Load(), refusedN.Load()
		}
		spent, short := run(SVSpend, 100, c.PIN)
		toppedUp, capped := run(SVTopUp, 10_000, "")
		got, err := f.s.GiftCardBalance(as(auth.Analyst), c.Code, c.PIN)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReconcileStoredValue(context.Background(), tenantA, c.ID, got.BalanceFen); err != nil {
			t.Fatal(err)
		}
		if spent != 20 || short != 40 || toppedUp != 10 || capped != 50 || got.BalanceFen != 100_000 {
			t.Fatalf("spent %d (refused %d), topped up %d (refused %d), balance %d; want 20/40, 10/50, 100000", spent, short, toppedUp, capped, got.BalanceFen)
		}
		t.Logf("%s: 60 parallel ¥1 spends against a ¥20 card: 20 succeeded; 60 parallel ¥100 top-ups of the empty anonymous card: 10 fit under the ¥1,000 cap, 50 refused 422; balance 100000 fen reconciles, in %v",
			d.Dialect, time.Since(start).Round(time.Millisecond))
	})
}
