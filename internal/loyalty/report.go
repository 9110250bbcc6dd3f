package loyalty

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ReportFilter selects the period of a points report: ledger entries and tier moves
// created at or after From and before To. The liability and the tier distribution are
// as of now whatever the period.
type ReportFilter struct {
	ProgramID string // one program; empty: every program of the tenant
	From, To  time.Time
}

// maxReportRange bounds a report's period so one request cannot scan years of ledger.
const maxReportRange = 3 * 366 * 24 * time.Hour

// PointsReport is the points side of the loyalty reports, computed by the database.
type PointsReport struct {
	At, From, To time.Time
	Programs     []ProgramFigures
}

// ProgramFigures are one program's figures.
type ProgramFigures struct {
	ProgramID, ProgramName string
	// Balance is Σ of the program's ledger entries: what the members hold, as of now.
	Balance int64
	// Liability is the outstanding points of open lots by the month (in the program's
	// time zone) they expire; Month "" holds the lots that never expire. Σ Points =
	// Balance.
	Liability []LiabilityMonth
	EarnBurn  []EarnBurnRow // the period's postings by store and channel
	Tiers     []TierCount   // members per tier, as of now
	Moves     []TierMoveCount
}

// LiabilityMonth is the outstanding points expiring in one month.
type LiabilityMonth struct {
	Month  string // YYYY-MM, "" for lots that never expire
	Points int64
	Lots   int64
}

// EarnBurnRow sums a period's postings of one store and channel. Channel is the
// channel of the entry's order ("" when the entry has no order: adjustments, expiry,
// a redemption without an order); StoreID is "" when the posting names no store.
// Points are positive amounts: Earned by earns, Redeemed by redemptions, Reversed by
// returns, Expired by the sweep; Adjusted is signed.
type EarnBurnRow struct {
	StoreID, Channel                    string
	Earned, Redeemed, Reversed, Expired int64
	Adjusted                            int64
	Entries                             int64
}

// TierCount is the number of members in one tier (TierID "" for none).
type TierCount struct {
	TierID, TierName string
	Members          int64
}

// TierMoveCount is the number of tier changes from one tier to another in the period.
type TierMoveCount struct {
	FromTierID, FromTierName string
	ToTierID, ToTierName     string
	Moves                    int64
}

// FindPointsReport returns points liability by expiry month, earn/burn by store and
// channel, the tier distribution and the tier moves of the period, per program — a
// tenant-wide figure, for callers reading the whole tenant (as the stored-value
// liability). Errors: invalid (query.from, query.to, query.program_id), unauthorized,
// forbidden.
func (s *Service) FindPointsReport(ctx context.Context, f ReportFilter) (PointsReport, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyRead, "the loyalty reports")
	if err != nil {
		return PointsReport{}, err
	}
	if err := checkRange(f.From, f.To); err != nil {
		return PointsReport{}, err
	}
	q := s.db.Reader()
	progs, err := findPrograms(ctx, q, p.TenantID)
	if err != nil {
		return PointsReport{}, fmt.Errorf("loyalty: points report: %w", err)
	}
	out := PointsReport{At: s.now(), From: f.From, To: f.To, Programs: []ProgramFigures{}}
	found := false
	for _, prog := range progs {
		if f.ProgramID != "" && prog.ID != f.ProgramID {
			continue
		}
		found = true
		pf, err := s.programFigures(ctx, p.TenantID, prog, f)
		if err != nil {
			return PointsReport{}, fmt.Errorf("loyalty: points report of %s: %w", prog.ID, err)
		}
		out.Programs = append(out.Programs, pf)
	}
	if f.ProgramID != "" && !found {
		return PointsReport{}, errs.Field("query.program_id", "no such program")
	}
	return out, nil
}

func checkRange(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero() || !to.After(from):
		return errs.Field("query.to", "give from and to, to after from")
	case to.Sub(from) > maxReportRange:
		return errs.Field("query.to", "at most three years after from")
	}
	return nil
}

func (s *Service) programFigures(ctx context.Context, tenantID string, prog Program, f ReportFilter) (ProgramFigures, error) {
	q := s.db.Reader()
	pf := ProgramFigures{ProgramID: prog.ID, ProgramName: prog.Name}
	bal, days, err := reportLiability(ctx, q, tenantID, prog.ID)
	if err != nil {
		return pf, err
	}
	pf.Balance = bal
	// The database groups by expiry instant (lots expire at a day's end, so there are
	// at most a few hundred distinct ones); the months are folded here because the
	// month of an instant depends on the program's zone, which SQL cannot share
	// between SQLite and PostgreSQL.
	loc := s.zone(prog.TimeZone)
	byMonth := map[string]*LiabilityMonth{}
	for _, d := range days {
		m := ""
		if d.expiresAt != 0 {
			// A lot expires at the end of its last day, i.e. at the next day's
			// midnight: the month is that of the millisecond before.
			m = fromMillis(d.expiresAt - 1).In(loc).Format("2006-01")
		}
		lm := byMonth[m]
		if lm == nil {
			lm = &LiabilityMonth{Month: m}
			byMonth[m] = lm
		}
		lm.Points += d.points
		lm.Lots += d.lots
	}
	pf.Liability = make([]LiabilityMonth, 0, len(byMonth))
	for _, lm := range byMonth {
		pf.Liability = append(pf.Liability, *lm)
	}
	// Months in order, the never-expiring lots last.
	sort.Slice(pf.Liability, func(i, j int) bool {
		a, b := pf.Liability[i].Month, pf.Liability[j].Month
		if (a == "") != (b == "") {
			return b == ""
		}
		return a < b
	})
	if pf.EarnBurn, err = reportEarnBurn(ctx, q, tenantID, prog.ID, f.From, f.To); err != nil {
		return pf, err
	}
	names := map[string]string{}
	for _, t := range prog.Tiers {
		names[t.ID] = t.Name
	}
	if pf.Tiers, err = reportTiers(ctx, q, tenantID, prog.ID); err != nil {
		return pf, err
	}
	for i := range pf.Tiers {
		pf.Tiers[i].TierName = names[pf.Tiers[i].TierID]
	}
	// Tiers by threshold (the program's order), members without a tier first.
	rank := map[string]int{"": -1}
	for i, t := range prog.Tiers {
		rank[t.ID] = i
	}
	sort.SliceStable(pf.Tiers, func(i, j int) bool { return rank[pf.Tiers[i].TierID] < rank[pf.Tiers[j].TierID] })
	if pf.Moves, err = reportMoves(ctx, q, tenantID, prog.ID, f.From, f.To); err != nil {
		return pf, err
	}
	for i := range pf.Moves {
		pf.Moves[i].FromTierName, pf.Moves[i].ToTierName = names[pf.Moves[i].FromTierID], names[pf.Moves[i].ToTierID]
	}
	return pf, nil
}
