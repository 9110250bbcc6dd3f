package loyalty

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// EvaluationKind is when a program evaluates its members' tiers.
type EvaluationKind string

// The evaluation periods. None: tiers never go down (the default, and what programs
// created before evaluation existed keep). Annual: every member on the same month and
// day, at 00:00 in the program's zone. Rolling: Months months after the member
// reached its tier (or its last evaluation), at 00:00 of that day in the zone.
const (
	EvaluateNone    EvaluationKind = "none"
	EvaluateAnnual  EvaluationKind = "annual"
	EvaluateRolling EvaluationKind = "rolling"
)

// GrowthCarry is what becomes of a member's growth at the end of a period.
type GrowthCarry string

// The growth policies. Reset: back to 0. KeepExcess: what is above the retention
// threshold of the tier the member ends the period in. KeepAll: unchanged. After any
// of them growth stays below the next tier's threshold, so the next order does not
// undo a downgrade.
const (
	GrowthReset      GrowthCarry = "reset"
	GrowthKeepExcess GrowthCarry = "keep_excess"
	GrowthKeepAll    GrowthCarry = "keep_all"
)

// The reasons of a tier move (loyalty_tier_moves.reason, MemberEvent.Reason).
const (
	MoveUpgrade   = "upgrade"
	MoveDowngrade = "downgrade"
	MoveRetained  = "retained"
)

// Evaluation is a program's tier retention (保级) and downgrade rule: at the end of
// each period a member keeps its tier when the growth it earned in the period
// reaches the tier's retention threshold, otherwise it drops to the tier that growth
// reaches, at most MaxDrop levels (0: no limit) and at least one.
type Evaluation struct {
	Kind        EvaluationKind
	Month, Day  int // annual: the date periods end on
	Months      int // rolling: the length of a period
	MaxDrop     int
	GrowthAtEnd GrowthCarry
}

// validate fills defaults and names the first invalid field.
func (e *Evaluation) validate() error {
	if e.Kind == "" {
		e.Kind = EvaluateNone
	}
	if e.GrowthAtEnd == "" {
		e.GrowthAtEnd = GrowthReset
	}
	switch e.Kind {
	case EvaluateNone:
		*e = Evaluation{Kind: EvaluateNone, GrowthAtEnd: e.GrowthAtEnd}
	case EvaluateAnnual:
		e.Months = 0
		if e.Month < 1 || e.Month > 12 {
			return errs.Field("body.evaluation.month", "1 to 12 when kind is annual")
		}
		if last := daysIn(time.Month(e.Month)); e.Day < 1 || e.Day > last {
			return errs.Field("body.evaluation.day", "1 to %d in month %d", last, e.Month)
		}
	case EvaluateRolling:
		e.Month, e.Day = 0, 0
		if e.Months < 1 || e.Months > 60 {
			return errs.Field("body.evaluation.months", "1 to 60 when kind is rolling")
		}
	default:
		return errs.Field("body.evaluation.kind", "must be none, annual or rolling")
	}
	if e.MaxDrop < 0 || e.MaxDrop > 100 {
		return errs.Field("body.evaluation.max_drop", "0 (no limit) to 100")
	}
	switch e.GrowthAtEnd {
	case GrowthReset, GrowthKeepExcess, GrowthKeepAll:
		return nil
	}
	return errs.Field("body.evaluation.growth_at_period_end", "must be reset, keep_excess or keep_all")
}

// daysIn is the number of days of m in a common year: an annual date must exist
// every year, so 29 February is refused.
func daysIn(m time.Month) int {
	return time.Date(2001, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// schedule reports whether two evaluations end their periods at the same instants.
func (e Evaluation) schedule() [4]any { return [4]any{e.Kind, e.Month, e.Day, e.Months} }

// periodEnd returns when a period that starts at t ends: the next annual date after
// t, or t + Months months (00:00 of that day), in loc; zero when nothing is evaluated.
func (e Evaluation) periodEnd(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	switch e.Kind {
	case EvaluateAnnual:
		end := time.Date(local.Year(), time.Month(e.Month), e.Day, 0, 0, 0, 0, loc)
		if !end.After(t) {
			end = time.Date(local.Year()+1, time.Month(e.Month), e.Day, 0, 0, 0, 0, loc)
		}
		return end.UTC()
	case EvaluateRolling:
		d := local.AddDate(0, e.Months, 0)
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
	}
	return time.Time{}
}

// evaluate returns m at the end of its period (m.ValidUntil) and the reason of its
// tier move ("" for a member holding no tier). Tiers are sorted by threshold.
func (p Program) evaluate(m Member, loc *time.Location) (Member, string) {
	end := m.ValidUntil
	cur := -1
	for i, t := range p.Tiers {
		if t.ID == m.TierID {
			cur = i
		}
	}
	reason := ""
	next := cur
	if cur >= 0 {
		reason = MoveRetained
		if m.PeriodGrowth < p.Tiers[cur].retention() {
			reason = MoveDowngrade
			next = -1
			for i, t := range p.Tiers {
				if t.Threshold <= m.PeriodGrowth {
					next = i
				}
			}
			next = max(min(next, cur-1), 0) // failing retention drops at least one level, never below the lowest
			if p.Evaluation.MaxDrop > 0 {
				next = max(next, cur-p.Evaluation.MaxDrop)
			}
			if next == cur { // the lowest tier cannot drop
				reason = MoveRetained
			}
		}
	}
	out := m
	var kept int64
	if next >= 0 {
		out.TierID = p.Tiers[next].ID
		kept = p.Tiers[next].retention()
	}
	switch p.Evaluation.GrowthAtEnd {
	case GrowthReset:
		out.Growth = 0
	case GrowthKeepExcess:
		out.Growth = max(0, m.Growth-kept)
	}
	if next+1 < len(p.Tiers) {
		out.Growth = min(out.Growth, p.Tiers[next+1].Threshold-1)
	}
	if out.TierID != m.TierID {
		out.TierSince = end
	}
	out.PeriodGrowth, out.PeriodStart = 0, end
	out.ValidUntil = p.Evaluation.periodEnd(end, loc)
	return out, reason
}

// dueMember is a member whose period has ended.
type dueMember struct {
	TenantID, ProgramID, CustomerID string
	ValidUntil                      time.Time
}

// EvaluateTiers evaluates up to limit members whose period has ended, in every
// tenant, oldest period first, each in its own transaction under the member's lock
// — the pattern of SweepExpired: the lock serialises concurrent evaluators, and the
// member's valid_until (which the evaluation moves to the next period's end) together
// with the unique (program, customer, period end) of loyalty_tier_moves makes each
// member's period evaluated exactly once, however often or wherever the job runs. It
// returns the members evaluated.
func (s *Service) EvaluateTiers(ctx context.Context, limit int) (int, error) {
	now := s.now()
	due, err := dueMembers(ctx, s.db.Reader(), now, limit)
	if err != nil {
		return 0, fmt.Errorf("loyalty: evaluate tiers: %w", err)
	}
	n := 0
	for _, d := range due {
		done, err := s.evaluateMember(ctx, d)
		if err != nil {
			return n, fmt.Errorf("loyalty: evaluate tier of %s in %s: %w", d.CustomerID, d.ProgramID, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

// evaluateMember evaluates one member's period, unless another evaluator did.
func (s *Service) evaluateMember(ctx context.Context, d dueMember) (bool, error) {
	done := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		done = false
		m, err := lockMember(ctx, tx, s.db.Dialect, d.TenantID, d.ProgramID, d.CustomerID)
		if err != nil {
			return err
		}
		if !m.ValidUntil.Equal(d.ValidUntil) {
			return nil // evaluated meanwhile (or the program's schedule changed)
		}
		prog, err := getProgram(ctx, tx, d.TenantID, d.ProgramID, "")
		if err != nil {
			return err
		}
		next, reason := prog.evaluate(m, s.zone(prog.TimeZone))
		if err := updateMemberPeriod(ctx, tx, next, s.now()); err != nil {
			return err
		}
		done = true
		if reason == "" {
			return nil // no tier to keep or lose; the period still rolls over
		}
		if err := insertTierMove(ctx, tx, d.TenantID, next, m.TierID, reason, d.ValidUntil, s.now()); err != nil {
			return err
		}
		if reason != MoveDowngrade {
			return nil
		}
		// The same event as an upgrade: audiences and other listeners react to a tier
		// change whichever way it goes, and read reason.
		_, err = s.outbox.Publish(ctx, tx, d.TenantID, EventMemberUpgraded, prog.ID+"/"+m.CustomerID, MemberEvent{ProgramID: prog.ID,
			CustomerID: m.CustomerID, TierID: next.TierID, FromTierID: m.TierID, Growth: next.Growth, Reason: reason, ValidUntil: next.ValidUntil})
		return err
	})
	return done, err
}

// insertTierMove records a member's tier move; periodEnd (zero for an upgrade) is
// unique per member, so an evaluation cannot be recorded twice.
func insertTierMove(ctx context.Context, tx *sql.Tx, tenantID string, m Member, from, reason string, periodEnd, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_tier_moves (id, tenant_id, program_id, customer_id, from_tier_id, to_tier_id,
		growth, moved_at, reason, period_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, ids.New(), tenantID, m.ProgramID, m.CustomerID,
		from, m.TierID, m.Growth, millis(now), reason, millis(periodEnd))
	if err != nil {
		return fmt.Errorf("record tier move: %w", conflictIfUnique(err, "period ending %s of %s already evaluated", periodEnd, m.CustomerID))
	}
	return nil
}

// restartPeriods starts a new period now for every member of prog, after its
// evaluation schedule changed (or evaluation was turned on or off): what members
// earned under the old schedule is not judged by the new one.
func (s *Service) restartPeriods(ctx context.Context, tx *sql.Tx, prog Program) error {
	now := s.now()
	end := prog.Evaluation.periodEnd(now, s.zone(prog.TimeZone))
	_, err := tx.ExecContext(ctx, `UPDATE loyalty_members SET period_growth = 0, period_start = $1, valid_until = $2,
		tier_since = CASE WHEN tier_since = 0 THEN $1 ELSE tier_since END WHERE tenant_id = $3 AND program_id = $4`,
		millis(now), millis(end), prog.TenantID, prog.ID)
	if err != nil {
		return fmt.Errorf("restart evaluation periods: %w", err)
	}
	return nil
}

// TierMove is one change or review of a member's tier: an upgrade when growth
// reached a higher tier, a downgrade or a retained tier at the end of a period.
type TierMove struct {
	FromTierID string
	ToTierID   string
	Reason     string
	Growth     int64
	PeriodEnd  time.Time // zero for an upgrade
	MovedAt    time.Time
}

// FindTierMoves returns a member's tier history, newest first, at most limit.
// Errors: not_found (customer, membership), unauthorized, forbidden.
func (s *Service) FindTierMoves(ctx context.Context, programID, customerID string, limit int) ([]TierMove, error) {
	p, err := auth.Require(ctx, auth.LoyaltyRead)
	if err != nil {
		return nil, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return nil, fmt.Errorf("loyalty: tier moves: %w", err)
	}
	if _, err := getMember(ctx, s.db.Reader(), p.TenantID, programID, live, ""); err != nil {
		return nil, fmt.Errorf("loyalty: tier moves: %w", err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT from_tier_id, to_tier_id, reason, growth, period_end, moved_at
		FROM loyalty_tier_moves WHERE tenant_id = $1 AND program_id = $2 AND customer_id = $3 ORDER BY moved_at DESC, id DESC LIMIT $4`,
		p.TenantID, programID, live, limit)
	if err != nil {
		return nil, fmt.Errorf("loyalty: tier moves: %w", err)
	}
	defer rows.Close()
	out := []TierMove{}
	for rows.Next() {
		var m TierMove
		var periodEnd, moved int64
		if err := rows.Scan(&m.FromTierID, &m.ToTierID, &m.Reason, &m.Growth, &periodEnd, &moved); err != nil {
			return nil, fmt.Errorf("loyalty: tier moves: %w", err)
		}
		m.MovedAt = fromMillis(moved)
		if periodEnd > 0 {
			m.PeriodEnd = fromMillis(periodEnd)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
