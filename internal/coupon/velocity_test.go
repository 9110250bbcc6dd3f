package coupon

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// issueMany issues one coupon of the template to each of n customers named
// prefix-0…, returning their coupons in order.
func (f fixture) issueMany(t testing.TB, templateID, prefix string, n int) []Coupon {
	t.Helper()
	out := make([]Coupon, n)
	for i := range n {
		out[i] = f.issue(t, templateID, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func (f fixture) rule(t testing.TB, in RuleInput) Rule {
	t.Helper()
	r, err := f.s.SetRule(as(auth.Marketer), in)
	if err != nil {
		t.Fatalf("set rule: %v", err)
	}
	return r
}

// fieldOf returns the field an error names ("" when none).
func fieldOf(err error) string {
	var e *errs.Error
	if asErr(err, &e) {
		return e.Field
	}
	return ""
}

// TestVelocityBlockUnderConcurrency: 40 customers lock their own coupons of one
// template from one device at once, against a block rule allowing 5 → exactly 5
// locks win and 35 are refused naming body.device_id; the same through the order
// path (LockTx in 40 order transactions, one receiver phone).
func TestVelocityBlockUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("FARM"))
		f.rule(t, RuleInput{TemplateID: tm.ID, Dimension: DimDevice, Window: 24 * time.Hour, Threshold: 5, Action: ActionBlock})
		f.rule(t, RuleInput{Dimension: DimPhone, Window: 24 * time.Hour, Threshold: 5, Action: ActionBlock}) // tenant default
		const n = 40
		coupons := f.issueMany(t, tm.ID, "farmer", n)
		var won, blocked atomic.Int64
		var wg sync.WaitGroup
		for i, c := range coupons {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: c.CustomerID, Reference: fmt.Sprintf("cart-%d", i),
					Signals: Signals{DeviceID: "device-1"}})
				switch {
				case err == nil:
					won.Add(1)
				case errs.Is(err, errs.Conflict) && fieldOf(err) == "body.device_id":
					blocked.Add(1)
				default:
					t.Errorf("lock: %v", err)
				}
			}()
		}
		wg.Wait()
		var locked, hits int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE template_id = $1 AND status = 'locked'`, tm.ID).Scan(&locked); err != nil {
			t.Fatal(err)
		}
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupon_velocity_hits WHERE template_id = $1`, tm.ID).Scan(&hits); err != nil {
			t.Fatal(err)
		}
		if won.Load() != 5 || blocked.Load() != n-5 || locked != 5 || hits != 5 {
			t.Fatalf("won %d, blocked %d, locked rows %d, hits %d; want 5, %d, 5, 5", won.Load(), blocked.Load(), locked, hits, n-5)
		}
		t.Logf("%s: %d parallel locks from one device against a block threshold of 5: %d won, %d refused (409 body.device_id), %d coupons locked",
			d.Dialect, n, won.Load(), blocked.Load(), locked)

		// The order path: each order checked its coupon (Present), then all lock in
		// their own transactions with one receiver phone.
		tm2 := f.template(t, amountOff("FARM2"))
		coupons = f.issueMany(t, tm2.ID, "buyer", n)
		won.Store(0)
		blocked.Store(0)
		for i, c := range coupons {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, held, err := f.s.Present(t.Context(), tenantA, c.CustomerID, []string{c.Code})
				if err != nil {
					t.Errorf("present: %v", err)
					return
				}
				err = d.Tx(t.Context(), func(tx *sql.Tx) error {
					return f.s.LockTx(t.Context(), tx, tenantA, fmt.Sprintf("order-%d", i), held, map[string]bool{tm2.PromotionID: true},
						Signals{Phone: "+86 138-0013-8000"})
				})
				switch {
				case err == nil:
					won.Add(1)
				case errs.Is(err, errs.Conflict) && fieldOf(err) == "body.phone":
					blocked.Add(1)
				default:
					t.Errorf("lock in an order's transaction: %v", err)
				}
			}()
		}
		wg.Wait()
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE template_id = $1 AND status = 'locked'`, tm2.ID).Scan(&locked); err != nil {
			t.Fatal(err)
		}
		if won.Load() != 5 || blocked.Load() != n-5 || locked != 5 {
			t.Fatalf("order path: won %d, blocked %d, locked %d; want 5, %d, 5", won.Load(), blocked.Load(), locked, n-5)
		}
		t.Logf("%s: %d parallel order transactions with one receiver phone against the tenant default (block above 5): %d won, %d refused",
			d.Dialect, n, won.Load(), blocked.Load())
	})
}

// TestVelocityFlagAndReview: a flag rule lets every use through and records one open
// flag per customer past the threshold; confirming bars the customer from the
// template, dismissing lifts the bar; reviews are audited.
func TestVelocityFlagAndReview(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("FLAG"))
		other := f.template(t, amountOff("OTHER"))
		rule := f.rule(t, RuleInput{TemplateID: tm.ID, Dimension: DimAddress, Window: time.Hour, Threshold: 2, Action: ActionFlag})
		cs := f.issueMany(t, tm.ID, "c", 3)
		addresses := []string{"上海市 浦东新区 世纪大道 100号", "上海市浦东新区世纪大道100号", "上海市，浦东新区 世纪大道１００号"}
		for i, c := range cs {
			if _, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: c.CustomerID, Reference: fmt.Sprintf("r-%d", i),
				Signals: Signals{Address: addresses[i]}}); err != nil {
				t.Fatalf("lock %d under a flag rule: %v", i, err)
			}
		}
		// The third customer's second coupon: still allowed, no second open flag.
		again := f.issue(t, tm.ID, "c-2")
		if _, err := f.s.Lock(as(auth.Associate), again.Code, LockRequest{CustomerID: "c-2", Reference: "r-again",
			Signals: Signals{Address: addresses[0]}}); err != nil {
			t.Fatal(err)
		}
		page, err := f.s.FindFlags(as(auth.Marketer), FlagFilter{Status: FlagOpen})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 {
			t.Fatalf("open flags: %+v; want 1 (the third customer, once)", page.Items)
		}
		fl := page.Items[0]
		if fl.CustomerID != "c-2" || fl.Customers != 3 || fl.Threshold != 2 || fl.RuleID != rule.ID || fl.Dimension != DimAddress || fl.TemplateID != tm.ID {
			t.Errorf("flag: %+v", fl)
		}
		for _, ff := range []FlagFilter{{TemplateID: other.ID}, {Dimension: DimDevice}, {Status: FlagConfirmed}} {
			if p, err := f.s.FindFlags(as(auth.Marketer), ff); err != nil || len(p.Items) != 0 {
				t.Errorf("filter %+v: %d flags, %v; want none", ff, len(p.Items), err)
			}
		}
		if _, err := f.s.FindFlags(as(auth.Marketer), FlagFilter{Status: "bogus"}); fieldOf(err) != "query.status" {
			t.Errorf("bad status filter: %v", err)
		}
		if _, err := f.s.ReviewFlag(as(auth.Associate), fl.ID, FlagReview{Status: FlagConfirmed}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("associate review: %v; want forbidden", err)
		}

		// Confirmed: c-2 may lock no more coupons of the template, with or without signals,
		// and still those of another template.
		if fl, err = f.s.ReviewFlag(as(auth.Marketer), fl.ID, FlagReview{Status: FlagConfirmed, Note: "same address, new accounts"}); err != nil ||
			fl.Status != FlagConfirmed || fl.ReviewedBy != string(auth.Marketer) {
			t.Fatalf("confirm: %+v %v", fl, err)
		}
		if _, err := f.s.ReviewFlag(as(auth.Marketer), fl.ID, FlagReview{Status: FlagConfirmed}); !errs.Is(err, errs.Conflict) {
			t.Errorf("confirm twice: %v; want conflict", err)
		}
		next := f.issue(t, tm.ID, "c-2")
		if _, err := f.s.Lock(as(auth.Associate), next.Code, LockRequest{CustomerID: "c-2", Reference: "r-next"}); !errs.Is(err, errs.Conflict) ||
			!strings.Contains(err.Error(), "barred") {
			t.Errorf("barred customer's lock: %v; want conflict (barred)", err)
		}
		if _, err := f.s.Preview(as(auth.Associate), next.Code, PreviewRequest{CustomerID: "c-2", Cart: cart(5000)}); !errs.Is(err, errs.Conflict) {
			t.Errorf("barred customer's preview: %v; want conflict", err)
		}
		if _, _, err := f.s.Present(t.Context(), tenantA, "c-2", []string{next.Code}); !errs.Is(err, errs.Conflict) ||
			!strings.Contains(err.Error(), "body.coupons[0]") {
			t.Errorf("barred customer's order or ticket (Present): %v; want conflict naming body.coupons[0]", err)
		}
		elsewhere := f.issue(t, other.ID, "c-2")
		if _, err := f.s.Lock(as(auth.Associate), elsewhere.Code, LockRequest{CustomerID: "c-2", Reference: "r-other"}); err != nil {
			t.Errorf("another template's coupon: %v", err)
		}
		// Dismissed: the bar is lifted.
		if _, err := f.s.ReviewFlag(as(auth.Marketer), fl.ID, FlagReview{Status: FlagDismissed}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Lock(as(auth.Associate), next.Code, LockRequest{CustomerID: "c-2", Reference: "r-next"}); err != nil {
			t.Errorf("after dismissal: %v", err)
		}
		var audited int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'coupon.velocity_flag.review' AND resource_id = $1`,
			fl.ID).Scan(&audited); err != nil || audited != 2 {
			t.Errorf("audited reviews: %d %v; want 2", audited, err)
		}
	})
}

// TestVelocityWindow: a use outside the window does not count — measured with the
// service's clock.
func TestVelocityWindow(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("WIN"))
		f.rule(t, RuleInput{Dimension: DimPaymentAccount, Window: time.Hour, Threshold: 1, Action: ActionBlock})
		cs := f.issueMany(t, tm.ID, "w", 2)
		lock := func(i int) error {
			_, err := f.s.Lock(as(auth.Associate), cs[i].Code, LockRequest{CustomerID: cs[i].CustomerID, Reference: fmt.Sprintf("w-%d", i),
				Signals: Signals{PaymentAccount: "wx-openid-1"}})
			return err
		}
		if err := lock(0); err != nil {
			t.Fatal(err)
		}
		if err := lock(1); fieldOf(err) != "body.payment_account" || !strings.Contains(err.Error(), "more than 1 customer(s)") ||
			!strings.Contains(err.Error(), "within 1 hour") {
			t.Fatalf("second customer within the hour: %v; want refused naming body.payment_account and the rule", err)
		}
		// A preview says the same, and records nothing.
		if _, err := f.s.Preview(as(auth.Associate), cs[1].Code, PreviewRequest{CustomerID: cs[1].CustomerID, Cart: cart(5000),
			Signals: Signals{PaymentAccount: "wx-openid-1"}}); fieldOf(err) != "body.payment_account" {
			t.Errorf("preview within the hour: %v", err)
		}
		f.clock.Advance(59 * time.Minute)
		if err := lock(1); err == nil {
			t.Fatal("allowed at 59 minutes")
		}
		f.clock.Advance(time.Minute)
		if err := lock(1); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// The sweep deletes counts older than any window, and only those.
		count := func() (n int) {
			if err := d.Reader().QueryRow(`SELECT (SELECT COUNT(*) FROM coupon_velocity_hits) + (SELECT COUNT(*) FROM coupon_velocity_keys)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, _, err := f.s.Sweep(t.Context(), 100); err != nil || count() != 3 {
			t.Fatalf("sweep inside the window: %d rows left, %v; want 3 (two hits, one counter)", count(), err)
		}
		f.clock.Advance(MaxWindow + time.Minute)
		if _, _, err := f.s.Sweep(t.Context(), 100); err != nil || count() != 0 {
			t.Fatalf("sweep after MaxWindow: %d rows left, %v; want 0", count(), err)
		}
	})
}

// TestVelocityHashesAtRest: no signal is stored as given or normalised; what is
// stored is the keyed index, and a phone written two ways is one value.
func TestVelocityHashesAtRest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("PII"))
		for _, dim := range Dimensions {
			f.rule(t, RuleInput{Dimension: dim, Window: time.Hour, Threshold: 1, Action: ActionFlag})
		}
		cs := f.issueMany(t, tm.ID, "p", 2)
		sg := []Signals{
			{DeviceID: "IDFA-SECRET-DEVICE", Address: "北京市朝阳区秘密路 7 号", Phone: "+86 139 1234 5678", PaymentAccount: "alipay-2088-secret"},
			{DeviceID: "idfa-secret-device", Address: "北京市朝阳区秘密路7号", Phone: "13912345678", PaymentAccount: "ALIPAY-2088-SECRET"},
		}
		for i, c := range cs {
			if _, err := f.s.Lock(as(auth.Associate), c.Code, LockRequest{CustomerID: c.CustomerID, Reference: fmt.Sprintf("p-%d", i), Signals: sg[i]}); err != nil {
				t.Fatal(err)
			}
		}
		var dump strings.Builder
		for _, q := range []string{
			`SELECT template_id || dimension || value_hash FROM coupon_velocity_keys`,
			`SELECT template_id || dimension || value_hash || customer_id FROM coupon_velocity_hits`,
			`SELECT template_id || dimension || value_hash || customer_id || coupon_id || reference || note FROM coupon_velocity_flags`,
			`SELECT changes FROM audit_events`,
		} {
			rows, err := d.Reader().Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				dump.WriteString(s + "\n")
			}
			rows.Close()
		}
		for _, secret := range []string{"secret", "SECRET", "13912345678", "139 1234", "秘密", "朝阳区"} {
			if strings.Contains(dump.String(), secret) {
				t.Errorf("%q stored in the clear", secret)
			}
		}
		page, err := f.s.FindFlags(as(auth.Marketer), FlagFilter{TemplateID: tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 4 {
			t.Fatalf("flags: %d; want 4 (each signal written two ways is one value)", len(page.Items))
		}
		for _, fl := range page.Items {
			if fl.Dimension == DimPhone && fl.ValueHash != f.keys.Index(velocityKind(tenantA, DimPhone), "13912345678") {
				t.Errorf("phone hash %s is not the keyed index of the normalised phone", fl.ValueHash)
			}
		}
	})
}

// TestVelocityRuleInput: bad input is refused naming the field; a template's rule
// overrides the tenant default of its dimension; setting again replaces.
func TestVelocityRuleInput(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("RULES"))
		good := RuleInput{Dimension: DimDevice, Window: time.Hour, Threshold: 3, Action: ActionBlock}
		tests := []struct {
			name  string
			edit  func(*RuleInput)
			field string
		}{
			{"dimension", func(r *RuleInput) { r.Dimension = "ip" }, "body.dimension"},
			{"window too short", func(r *RuleInput) { r.Window = time.Second }, "body.window_seconds"},
			{"window too long", func(r *RuleInput) { r.Window = 31 * 24 * time.Hour }, "body.window_seconds"},
			{"threshold", func(r *RuleInput) { r.Threshold = 0 }, "body.threshold"},
			{"action", func(r *RuleInput) { r.Action = "shout" }, "body.action"},
		}
		for _, tt := range tests {
			in := good
			tt.edit(&in)
			if _, err := f.s.SetRule(as(auth.Marketer), in); !errs.Is(err, errs.Invalid) || fieldOf(err) != tt.field {
				t.Errorf("%s: %v; want invalid %s", tt.name, err, tt.field)
			}
		}
		if in := ruleInput(CouponVelocityRuleRequest{Dimension: "device", WindowSeconds: 1 << 62, Threshold: 1, Action: "flag"}); in.validate() == nil {
			t.Error("an overflowing window_seconds was accepted")
		}
		in := good
		in.TemplateID = "no-such-template"
		if _, err := f.s.SetRule(as(auth.Marketer), in); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown template: %v", err)
		}
		if _, err := f.s.SetRule(as(auth.Associate), good); !errs.Is(err, errs.Forbidden) {
			t.Errorf("associate: %v; want forbidden", err)
		}
		def := f.rule(t, good)
		in = good
		in.TemplateID, in.Threshold, in.Action = tm.ID, 7, ActionFlag
		own := f.rule(t, in)
		in.Threshold = 9
		if again := f.rule(t, in); again.ID != own.ID || again.Threshold != 9 {
			t.Errorf("set again: %+v; want the same rule with threshold 9", again)
		}
		rules, err := rulesFor(t.Context(), d.Reader(), tenantA, tm.ID)
		if err != nil || rules[DimDevice].ID != own.ID {
			t.Errorf("rule for the template: %+v %v; want its own", rules, err)
		}
		if rules, _ := rulesFor(t.Context(), d.Reader(), tenantA, "another"); rules[DimDevice].ID != def.ID {
			t.Errorf("rule for another template: %+v; want the default", rules)
		}
		if err := f.s.DeleteRule(as(auth.Marketer), own.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.DeleteRule(as(auth.Marketer), own.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("delete twice: %v", err)
		}
		all, err := f.s.FindRules(as(auth.Marketer))
		if err != nil || len(all) != 1 || all[0].ID != def.ID {
			t.Errorf("rules: %+v %v", all, err)
		}
	})
}

// FuzzNormalise: normalising never panics, is idempotent, and keeps valid UTF-8.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"+86 138-0013-8000", "上海市，浦东新区 世纪大道１００号", "IDFA-1", "", "\xff", "００８６１３８００１３８０００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, d := range Dimensions {
			n, err := Normalise(d, raw)
			if err != nil {
				continue
			}
			if !utf8.ValidString(n) {
				t.Fatalf("%s %q → invalid UTF-8 %q", d, raw, n)
			}
			if again, err := Normalise(d, n); err != nil || again != n {
				t.Fatalf("%s %q → %q → %q (%v): not idempotent", d, raw, n, again, err)
			}
		}
	})
}
