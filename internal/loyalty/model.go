package loyalty

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ErrInsufficientPoints is returned when a redemption or a negative adjustment asks
// for more points than the member has available.
var ErrInsufficientPoints = errs.E(errs.Insufficient, "not enough points available")

// ProgramStatus says whether a program earns and redeems.
type ProgramStatus string

// The program statuses.
const (
	ProgramActive   ProgramStatus = "active"
	ProgramInactive ProgramStatus = "inactive"
)

// ExpiryKind is how long earned points live.
type ExpiryKind string

// The expiry policies. Days: N days after the points are earned; EndOfNextYear: the
// 31 December of the year after; both end at the day's end in the program's zone.
const (
	ExpiryNever         ExpiryKind = "never"
	ExpiryDays          ExpiryKind = "days"
	ExpiryEndOfNextYear ExpiryKind = "end_of_next_year"
)

// BasisPoints is 1× as a multiplier in basis points.
const BasisPoints = 10000

// DefaultTimeZone is the zone of a program created without one.
const DefaultTimeZone = "Asia/Shanghai"

// MemberDay multiplies the points of orders placed on a weekday (in the program's
// zone): every Tuesday double points is {Weekday: 2, MultiplierBP: 20000}.
type MemberDay struct {
	Weekday      time.Weekday `json:"weekday"`
	MultiplierBP int64        `json:"multiplier_bp"`
}

// Program is a membership program of one or more brands, or shared by every brand
// of the tenant when BrandIDs is empty.
type Program struct {
	ID                 string
	TenantID           string
	Code               string
	Name               string
	Status             ProgramStatus
	BrandIDs           []string
	PointsPerYuan      int64 // points per yuan (100 fen) of eligible net paid
	GrowthPerYuan      int64 // growth value per yuan of eligible net paid
	GrowthPerOrder     int64 // growth every order that earns adds
	MaxPointsPerOrder  int64 // 0: no cap
	ExcludedCategories []string
	MemberDays         []MemberDay
	PendingDays        int // points become available this many days after the order completes
	ExpiryKind         ExpiryKind
	ExpiryDays         int
	TimeZone           string
	AutoEnrol          bool // a completed order of a resolved customer enrols it
	Evaluation         Evaluation
	ActionRules        []ActionRule // what customer actions (sign-in, review) earn
	Tiers              []Tier
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Tier is a level of a program, reached when a member's growth reaches Threshold.
type Tier struct {
	ID           string
	ProgramID    string
	Code         string
	Name         string
	Threshold    int64
	MultiplierBP int64 // points multiplier, 10000 = 1×
	// Retention is the growth of an evaluation period that keeps the tier (保级);
	// nil: the tier's Threshold.
	Retention *int64
}

// retention returns the growth of a period that keeps t.
func (t Tier) retention() int64 {
	if t.Retention != nil {
		return *t.Retention
	}
	return t.Threshold
}

// ProgramInput is what CreateProgram takes and what UpdateProgram replaces (the
// whole set-up; tiers are edited on their own).
type ProgramInput struct {
	Code               string
	Name               string
	Status             ProgramStatus
	BrandIDs           []string
	PointsPerYuan      int64
	GrowthPerYuan      int64
	GrowthPerOrder     int64
	MaxPointsPerOrder  int64
	ExcludedCategories []string
	MemberDays         []MemberDay
	PendingDays        int
	ExpiryKind         ExpiryKind
	ExpiryDays         int
	TimeZone           string
	AutoEnrol          bool
	Evaluation         Evaluation
	ActionRules        []ActionRule
}

// Validate fills defaults and reports the first invalid field as an errs.Invalid
// error.
func (in *ProgramInput) Validate() error {
	if in.Status == "" {
		in.Status = ProgramActive
	}
	if in.ExpiryKind == "" {
		in.ExpiryKind = ExpiryNever
	}
	if in.TimeZone == "" {
		in.TimeZone = DefaultTimeZone
	}
	switch {
	case in.Code == "" || len(in.Code) > 64 || strings.ContainsAny(in.Code, " \t\r\n"):
		return errs.Field("body.code", "1 to 64 characters without spaces")
	case in.Name == "" || len(in.Name) > 200:
		return errs.Field("body.name", "1 to 200 bytes")
	case in.Status != ProgramActive && in.Status != ProgramInactive:
		return errs.Field("body.status", "must be active or inactive")
	case len(in.BrandIDs) > 100:
		return errs.Field("body.brand_ids", "at most 100 brands")
	case in.PointsPerYuan < 0 || in.PointsPerYuan > 1000:
		return errs.Field("body.points_per_yuan", "0 to 1000")
	case in.GrowthPerYuan < 0 || in.GrowthPerYuan > 1000:
		return errs.Field("body.growth_per_yuan", "0 to 1000")
	case in.GrowthPerOrder < 0 || in.GrowthPerOrder > 100000:
		return errs.Field("body.growth_per_order", "0 to 100000")
	case in.MaxPointsPerOrder < 0:
		return errs.Field("body.max_points_per_order", "must not be negative (0: no cap)")
	case len(in.ExcludedCategories) > 500:
		return errs.Field("body.excluded_categories", "at most 500 categories")
	case in.PendingDays < 0 || in.PendingDays > 365:
		return errs.Field("body.pending_days", "0 to 365")
	}
	switch in.ExpiryKind {
	case ExpiryNever, ExpiryEndOfNextYear:
		in.ExpiryDays = 0
	case ExpiryDays:
		if in.ExpiryDays < 1 || in.ExpiryDays > 3660 {
			return errs.Field("body.expiry_days", "1 to 3660 when expiry_kind is days")
		}
	default:
		return errs.Field("body.expiry_kind", "must be never, days or end_of_next_year")
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil {
		return errs.Field("body.time_zone", "unknown time zone %q", in.TimeZone)
	}
	seen := map[time.Weekday]bool{}
	for i, d := range in.MemberDays {
		switch {
		case d.Weekday < time.Sunday || d.Weekday > time.Saturday:
			return errs.Field(fmt.Sprintf("body.member_days[%d].weekday", i), "0 (Sunday) to 6 (Saturday)")
		case seen[d.Weekday]:
			return errs.Field(fmt.Sprintf("body.member_days[%d].weekday", i), "weekday %d is listed twice", d.Weekday)
		case d.MultiplierBP < BasisPoints || d.MultiplierBP > 10*BasisPoints:
			return errs.Field(fmt.Sprintf("body.member_days[%d].multiplier_bp", i), "10000 (1×) to 100000 (10×)")
		}
		seen[d.Weekday] = true
	}
	for i, b := range in.BrandIDs {
		if b == "" || slices.Contains(in.BrandIDs[:i], b) {
			return errs.Field(fmt.Sprintf("body.brand_ids[%d]", i), "empty or listed twice")
		}
	}
	if err := validateActionRules(in.ActionRules); err != nil {
		return err
	}
	return in.Evaluation.validate()
}

// TierInput is what CreateTier takes and UpdateTier replaces.
type TierInput struct {
	Code         string
	Name         string
	Threshold    int64
	MultiplierBP int64
	Retention    *int64 // nil: the threshold
}

// Validate fills defaults and reports the first invalid field.
func (in *TierInput) Validate() error {
	if in.MultiplierBP == 0 {
		in.MultiplierBP = BasisPoints
	}
	switch {
	case in.Code == "" || len(in.Code) > 64 || strings.ContainsAny(in.Code, " \t\r\n"):
		return errs.Field("body.code", "1 to 64 characters without spaces")
	case in.Name == "" || len(in.Name) > 200:
		return errs.Field("body.name", "1 to 200 bytes")
	case in.Threshold < 0:
		return errs.Field("body.threshold", "must not be negative")
	case in.MultiplierBP < BasisPoints/10 || in.MultiplierBP > 10*BasisPoints:
		return errs.Field("body.multiplier_bp", "1000 (0.1×) to 100000 (10×)")
	case in.Retention != nil && *in.Retention < 0:
		return errs.Field("body.retention_threshold", "must not be negative (omit it for the threshold)")
	}
	return nil
}

// MemberSource says how a customer joined a program.
type MemberSource string

// The ways to join.
const (
	JoinExplicit MemberSource = "explicit"
	JoinOrder    MemberSource = "order"
)

// Member is a customer's membership of a program.
type Member struct {
	ProgramID  string
	CustomerID string
	TierID     string
	Growth     int64
	Source     MemberSource
	EnrolledAt time.Time
	UpdatedAt  time.Time
	// PeriodGrowth is the growth earned since PeriodStart (returns take it back):
	// what an evaluation compares with the tier's retention threshold.
	PeriodGrowth int64
	PeriodStart  time.Time
	TierSince    time.Time // when the member reached its tier
	ValidUntil   time.Time // the end of its period, when it is evaluated; zero: never
}

// EntryKind names a posting of the points ledger.
type EntryKind string

// The postings.
const (
	EntryEarn    EntryKind = "earn"
	EntryRedeem  EntryKind = "redeem"
	EntryReverse EntryKind = "reverse"
	EntryExpire  EntryKind = "expire"
	EntryAdjust  EntryKind = "adjust"
	// EntryTransfer moves a merged customer's points to the customer it was merged
	// into: a negative posting on one, a positive one (lots with the same
	// availability and expiry) on the other.
	EntryTransfer EntryKind = "transfer"
)

// Entry is one posting of the points ledger. Shortfall is what a reversal could not
// take back because the points were already spent (the balance never goes negative).
type Entry struct {
	ID         string
	ProgramID  string
	CustomerID string
	Kind       EntryKind
	Points     int64
	Shortfall  int64
	SourceKey  string
	OrderID    string
	StoreID    string
	Reason     string
	Actor      string
	CreatedAt  time.Time
}

// Lot is a batch of points earned (or added) together, with when it becomes available
// and when it expires (zero: never).
type Lot struct {
	ID          string
	ProgramID   string
	CustomerID  string
	EntryID     string
	Points      int64
	Remaining   int64
	AvailableAt time.Time
	ExpiresAt   time.Time
	OrderID     string
	CreatedAt   time.Time
}

// Balance is a member's points at an instant: Total is the sum of the ledger, of
// which Available can be redeemed now, Pending waits for its return window and
// Expiring has passed its expiry but awaits the sweep (not redeemable).
type Balance struct {
	ProgramID  string
	CustomerID string
	Total      int64
	Available  int64
	Pending    int64
	Expiring   int64
	Member     Member
	Tier       *Tier
	NextTier   *Tier
	// RetentionNeeded is the growth still to earn in the period to keep Tier: 0 when
	// the program does not evaluate or the member has earned enough.
	RetentionNeeded int64
}

// Sale is what the earn rule needs of a completed order beyond its event: the brand
// of its store and, per line, the category and whether it is a gift.
type Sale struct {
	StoreID string
	BrandID string
	Lines   map[string]SaleLine // by line id
}

// SaleLine is one order line's facts for earning.
type SaleLine struct {
	SKUID      string
	CategoryID string
	Gift       bool // a reward or gift line earns nothing
}

// tierFor returns the highest tier whose threshold growth reaches (tiers sorted by
// threshold), or nil.
func tierFor(tiers []Tier, growth int64) *Tier {
	var out *Tier
	for i := range tiers {
		if tiers[i].Threshold <= growth {
			out = &tiers[i]
		}
	}
	return out
}

// tierByID returns the tier with id, or nil.
func tierByID(tiers []Tier, id string) *Tier {
	for i := range tiers {
		if tiers[i].ID == id {
			return &tiers[i]
		}
	}
	return nil
}

// memberDayBP returns the multiplier of the weekday of at in loc (1× on other days).
func (p Program) memberDayBP(at time.Time, loc *time.Location) int64 {
	wd := at.In(loc).Weekday()
	for _, d := range p.MemberDays {
		if d.Weekday == wd {
			return d.MultiplierBP
		}
	}
	return BasisPoints
}

// earnPoints returns the points baseFen earns: floor(base/100 × per yuan × tier ×
// day multipliers), capped per order. Big integers keep the product exact.
func (p Program) earnPoints(baseFen, tierBP, dayBP int64) int64 {
	n := new(big.Int).Mul(big.NewInt(baseFen), big.NewInt(p.PointsPerYuan))
	n.Mul(n, big.NewInt(tierBP))
	n.Mul(n, big.NewInt(dayBP))
	n.Quo(n, big.NewInt(100*BasisPoints*BasisPoints))
	pts := n.Int64()
	if p.MaxPointsPerOrder > 0 && pts > p.MaxPointsPerOrder {
		pts = p.MaxPointsPerOrder
	}
	return pts
}

// expiry returns when points earned at t expire: the end of the day (in loc) of the
// expiry date, as the first instant of the next day; zero when they never expire.
func (p Program) expiry(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	switch p.ExpiryKind {
	case ExpiryDays:
		d := local.AddDate(0, 0, p.ExpiryDays)
		return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).UTC()
	case ExpiryEndOfNextYear:
		return time.Date(local.Year()+2, time.January, 1, 0, 0, 0, 0, loc).UTC()
	}
	return time.Time{}
}

// proportion returns round-half-up(total × part / whole), never above total.
func proportion(total, part, whole int64) int64 {
	if whole <= 0 || part <= 0 {
		return 0
	}
	if part >= whole {
		return total
	}
	n := new(big.Int).Mul(big.NewInt(total), big.NewInt(part))
	n.Mul(n, big.NewInt(2))
	n.Add(n, big.NewInt(whole))
	n.Quo(n, big.NewInt(2*whole))
	return n.Int64()
}
