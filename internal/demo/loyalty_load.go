package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// couponHolders is how many of the demo's people get each welcome coupon.
const couponHolders = 200

// loyalty sets up the chain's membership program — one program shared by both brands,
// four tiers, Tuesday as member day, points valid to the end of next year, members
// enrolled by their first completed order — and four coupon templates: the first
// customers hold one of each of three, and a birthday coupon issues itself on each
// customer's birthday. The demo's completed orders earn their points
// through the outbox like any order: when the server runs, the program's members and
// ledgers fill from the two years of history.
func (l *loader) loyalty(ctx context.Context) error {
	l.progress("loyalty", 0, 1)
	prog, err := l.s.Loyalty.CreateProgram(ctx, loyalty.ProgramInput{
		Code: "HL-MEMBER", Name: "华联会员", PointsPerYuan: 1, GrowthPerYuan: 1,
		MemberDays: []loyalty.MemberDay{{Weekday: time.Tuesday, MultiplierBP: 2 * loyalty.BasisPoints}},
		ExpiryKind: loyalty.ExpiryEndOfNextYear, TimeZone: "Asia/Shanghai", AutoEnrol: true,
		ActionRules: []loyalty.ActionRule{
			{Action: "sign_in", Growth: 2, Points: 5, PerDay: 1},
			{Action: "review", Growth: 10, Points: 20, PerDay: 3},
			{Action: "profile_completed", Growth: 50, Points: 100, Lifetime: 1},
		},
	})
	if err != nil {
		return fmt.Errorf("demo: loyalty program: %w", err)
	}
	for _, t := range []loyalty.TierInput{
		{Code: "NORMAL", Name: "普通会员", Threshold: 0},
		{Code: "SILVER", Name: "银卡会员", Threshold: 1000, MultiplierBP: 12000},
		{Code: "GOLD", Name: "金卡会员", Threshold: 5000, MultiplierBP: 15000},
		{Code: "DIAMOND", Name: "钻石会员", Threshold: 20000, MultiplierBP: 20000},
	} {
		if _, err := l.s.Loyalty.CreateTier(ctx, prog.ID, t); err != nil {
			return fmt.Errorf("demo: loyalty tier %s: %w", t.Code, err)
		}
	}
	holders, err := l.members(ctx, couponHolders)
	if err != nil {
		return err
	}
	if err := l.memberActivity(ctx, prog.ID, holders); err != nil {
		return err
	}
	if err := l.storedValue(ctx, holders); err != nil {
		return err
	}
	if l.s.Coupon == nil {
		l.progress("loyalty", 1, 1)
		return nil
	}
	for _, in := range []coupon.TemplateInput{
		{Code: "WELCOME-5", Name: "新会员满30减5", ValidDays: 30, PerMemberLimit: 1,
			Discount: engine.Promotion{Kind: engine.KindAmountOff, Scope: engine.Scope{All: true},
				Conditions: engine.Conditions{MinSpend: 3000}, AmountOff: &engine.AmountOff{Amount: 500}}},
		{Code: "MJ-100-15", Name: "满100减15", ValidDays: 14, PerMemberLimit: 2,
			Discount: engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 10000, Off: 1500}}}}},
		{Code: "FRESH-88", Name: "全场88折（最多减20元）", ValidDays: 7, PerMemberLimit: 1,
			Discount: engine.Promotion{Kind: engine.KindPercentOff, Scope: engine.Scope{All: true},
				PercentOff: &engine.PercentOff{OffBP: 1200, MaxOff: 2000}}},
		// Issued by itself: the daily birthday job gives each customer whose birthday
		// is today one, once a year (no per-member limit, which would stop the second
		// year's).
		{Code: "BDAY-20", Name: "生日券 满50减20", ValidDays: 7, Triggers: []coupon.Trigger{coupon.TriggerBirthday},
			Discount: engine.Promotion{Kind: engine.KindThreshold, Scope: engine.Scope{All: true},
				Threshold: &engine.Threshold{Tiers: []engine.Tier{{Spend: 5000, Off: 2000}}}}},
	} {
		tm, err := l.s.Coupon.CreateTemplate(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: coupon template %s: %w", in.Code, err)
		}
		if len(holders) == 0 || len(in.Triggers) > 0 {
			continue
		}
		if _, err := l.s.Coupon.Issue(ctx, tm.ID, coupon.IssueRequest{Key: "demo-" + in.Code, CustomerIDs: holders}); err != nil {
			return fmt.Errorf("demo: issue %s: %w", in.Code, err)
		}
	}
	// Anti-abuse defaults for every template: more than 3 customers using one
	// template's coupons from one device in a day are flagged for review, more than
	// 5 with one delivery phone in a week are refused.
	for _, r := range []coupon.RuleInput{
		{Dimension: coupon.DimDevice, Window: 24 * time.Hour, Threshold: 3, Action: coupon.ActionFlag},
		{Dimension: coupon.DimPhone, Window: 7 * 24 * time.Hour, Threshold: 5, Action: coupon.ActionBlock},
	} {
		if _, err := l.s.Coupon.SetRule(ctx, r); err != nil {
			return fmt.Errorf("demo: coupon velocity rule %s: %w", r.Dimension, err)
		}
	}
	l.progress("loyalty", 1, 1)
	return nil
}

// members are the customers One ID found for the first people of the customer base,
// up to n of them; none when the load has no customer base.
func (l *loader) members(ctx context.Context, n int) ([]string, error) {
	if l.s.Identity == nil || l.cs == nil {
		return nil, nil
	}
	var out []string
	for i := 0; i < len(l.cs.Persons) && len(out) < n; i++ {
		phone := l.cs.Persons[i].Phone
		if phone == "" {
			continue
		}
		id, err := l.s.Identity.ResolveBuyer(ctx, []identity.BuyerIdentifier{{Type: "phone", Value: phone}}, "buyer")
		if err != nil {
			return nil, fmt.Errorf("demo: member %d: %w", i, err)
		}
		if id != "" {
			out = append(out, id)
		}
	}
	return out, nil
}

// activeMembers is how many of the coupon holders the demo enrols up front with a
// week of sign-ins, reviews and a completed profile, a paid membership and stored
// value, so that the customer page's loyalty tab has something to show.
const activeMembers = 30

// memberActivity enrols the first holders and reports their last week's actions:
// a sign-in every other day, a review on some days, the profile completed once.
// References are fixed, so loading again credits nothing twice.
func (l *loader) memberActivity(ctx context.Context, programID string, holders []string) error {
	for i, id := range holders[:min(activeMembers, len(holders))] {
		if _, err := l.s.Loyalty.Enrol(ctx, programID, id); err != nil {
			return fmt.Errorf("demo: enrol %s: %w", id, err)
		}
		credit := func(action, ref string, at time.Time) error {
			_, err := l.s.Loyalty.CreditAction(ctx, programID, id, loyalty.ActionRequest{Action: action, Reference: ref, At: at})
			if err != nil {
				return fmt.Errorf("demo: %s of %s: %w", action, id, err)
			}
			return nil
		}
		for d := 6; d >= 0; d-- {
			at := l.now.AddDate(0, 0, -d)
			if (d+i)%2 == 0 {
				if err := credit("sign_in", "demo-sign-in-"+at.Format(time.DateOnly), at); err != nil {
					return err
				}
			}
			if (d+i)%5 == 0 {
				if err := credit("review", fmt.Sprintf("demo-review-%d-%d", i, d), at); err != nil {
					return err
				}
			}
		}
		if i%3 == 0 {
			if err := credit("profile_completed", "demo-profile", l.now.AddDate(0, 0, -7)); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedValue sets up the chain's paid membership (华联PLUS, ¥99 a year, 1.5× points
// and 2% back up to ¥200 a year), stored value on the first holders' accounts, a
// part of them on PLUS, and two gift card batches: anonymous ¥100 cards (a third
// sold) and registered ¥500 staff cards bound to the first holders.
func (l *loader) storedValue(ctx context.Context, holders []string) error {
	store := l.stores[l.c.Stores[0].Code]
	plan, err := l.s.Loyalty.CreatePlan(ctx, loyalty.MembershipPlan{Code: "PLUS-YEAR", Name: "华联PLUS年卡", Period: loyalty.PeriodYear,
		FeeFen: 9900, MultiplierBP: 15000, RebateBP: 200, RebateCapFen: 20000})
	if err != nil {
		return fmt.Errorf("demo: membership plan: %w", err)
	}
	active := holders[:min(activeMembers, len(holders))]
	for i, id := range active {
		top := loyalty.SVPosting{AmountFen: int64(100+100*(i%5)) * 100, Reference: fmt.Sprintf("demo-top-up-%d", i), StoreID: store}
		if _, err := l.s.Loyalty.PostStoredValue(ctx, id, loyalty.SVTopUp, top); err != nil {
			return fmt.Errorf("demo: top up %s: %w", id, err)
		}
		if i%2 == 0 {
			buy := loyalty.PurchaseRequest{PlanID: plan.ID, Method: "stored_value", Reference: fmt.Sprintf("demo-plus-%d", i), StoreID: store}
			if _, err := l.s.Loyalty.PurchaseMembership(ctx, id, buy); err != nil {
				return fmt.Errorf("demo: PLUS for %s: %w", id, err)
			}
		}
	}
	_, cards, err := l.s.Loyalty.IssueGiftCards(ctx, loyalty.GiftCardBatchInput{Name: "华联礼品卡 ¥100", FaceValueFen: 10000, Quantity: 60})
	if err != nil {
		return fmt.Errorf("demo: gift cards: %w", err)
	}
	for i, c := range cards[:len(cards)/3] {
		sale := loyalty.CardRequest{Code: c.Code, SVPosting: loyalty.SVPosting{Reference: fmt.Sprintf("demo-card-sale-%d", i), StoreID: store}}
		if _, _, err := l.s.Loyalty.ActivateGiftCard(ctx, sale); err != nil {
			return fmt.Errorf("demo: sell gift card: %w", err)
		}
	}
	_, staff, err := l.s.Loyalty.IssueGiftCards(ctx, loyalty.GiftCardBatchInput{Name: "员工福利卡 ¥500", FaceValueFen: 50000, Quantity: 10, Registered: true})
	if err != nil {
		return fmt.Errorf("demo: staff cards: %w", err)
	}
	for i, c := range staff[:min(len(staff), len(active))] {
		sale := loyalty.CardRequest{Code: c.Code, CustomerID: active[i], SVPosting: loyalty.SVPosting{Reference: fmt.Sprintf("demo-staff-card-%d", i), StoreID: store}}
		if _, _, err := l.s.Loyalty.ActivateGiftCard(ctx, sale); err != nil {
			return fmt.Errorf("demo: staff card: %w", err)
		}
	}
	return nil
}
