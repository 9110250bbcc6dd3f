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
// enrolled by their first completed order — and three coupon templates, with the
// first customers holding one of each. The demo's completed orders earn their points
// through the outbox like any order: when the server runs, the program's members and
// ledgers fill from the two years of history.
func (l *loader) loyalty(ctx context.Context) error {
	l.progress("loyalty", 0, 1)
	prog, err := l.s.Loyalty.CreateProgram(ctx, loyalty.ProgramInput{
		Code: "HL-MEMBER", Name: "华联会员", PointsPerYuan: 1, GrowthPerYuan: 1,
		MemberDays: []loyalty.MemberDay{{Weekday: time.Tuesday, MultiplierBP: 2 * loyalty.BasisPoints}},
		ExpiryKind: loyalty.ExpiryEndOfNextYear, TimeZone: "Asia/Shanghai", AutoEnrol: true,
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
	if l.s.Coupon == nil {
		l.progress("loyalty", 1, 1)
		return nil
	}
	holders, err := l.members(ctx, couponHolders)
	if err != nil {
		return err
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
	} {
		tm, err := l.s.Coupon.CreateTemplate(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: coupon template %s: %w", in.Code, err)
		}
		if len(holders) == 0 {
			continue
		}
		if _, err := l.s.Coupon.Issue(ctx, tm.ID, coupon.IssueRequest{Key: "demo-" + in.Code, CustomerIDs: holders}); err != nil {
			return fmt.Errorf("demo: issue %s: %w", in.Code, err)
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
