package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// ActionRule says what one kind of customer action is worth in a program: a daily
// sign-in (签到), a product review, a completed profile. Growth raises the member's
// tier like growth from orders; points are a lot that expires by the program's
// policy. PerDay caps credits per member per day in the program's zone and
// Lifetime caps them for good (1: a completed profile counts once); 0 is no cap.
type ActionRule struct {
	Action   string `json:"action"`
	Growth   int64  `json:"growth"`
	Points   int64  `json:"points"`
	PerDay   int    `json:"per_day,omitempty"`
	Lifetime int    `json:"lifetime,omitempty"`
}

// The bounds of action rules and credits.
const (
	MaxActionRules      = 50
	maxActionGrowth     = 100_000
	maxActionPoints     = 1_000_000
	actionFuture        = 5 * time.Minute     // clocks of tills and phones run a little ahead
	actionPast          = 90 * 24 * time.Hour // like a till ticket: older actions are not credited
	actionReferenceSize = 64
)

var actionName = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// actionNameRule is what actionName asks, for the messages that refuse a name.
const actionNameRule = "2 to 40 lower-case letters, digits or _, starting with a letter"

// validateActionRules reports the first invalid rule.
func validateActionRules(rules []ActionRule) error {
	if len(rules) > MaxActionRules {
		return errs.Field("body.action_rules", "at most %d rules", MaxActionRules)
	}
	seen := map[string]bool{}
	for i, r := range rules {
		field := func(name string) string { return fmt.Sprintf("body.action_rules[%d].%s", i, name) }
		switch {
		case !actionName.MatchString(r.Action):
			return errs.Field(field("action"), actionNameRule+" (sign_in, review)")
		case seen[r.Action]:
			return errs.Field(field("action"), "action %s is listed twice", r.Action)
		case r.Growth < 0 || r.Growth > maxActionGrowth:
			return errs.Field(field("growth"), "0 to %d", maxActionGrowth)
		case r.Points < 0 || r.Points > maxActionPoints:
			return errs.Field(field("points"), "0 to %d", maxActionPoints)
		case r.Growth == 0 && r.Points == 0:
			return errs.Field(field("growth"), "an action must be worth some growth or points")
		case r.PerDay < 0 || r.PerDay > 1000:
			return errs.Field(field("per_day"), "0 (no cap) to 1000")
		case r.Lifetime < 0 || r.Lifetime > 1_000_000:
			return errs.Field(field("lifetime"), "0 (no cap) to 1000000")
		}
		seen[r.Action] = true
	}
	return nil
}

// ruleFor returns the program's rule for action, or nil.
func (p Program) ruleFor(action string) *ActionRule {
	for i := range p.ActionRules {
		if p.ActionRules[i].Action == action {
			return &p.ActionRules[i]
		}
	}
	return nil
}

// ActionRequest reports that a customer did something a program rewards.
type ActionRequest struct {
	Action    string
	Reference string    // the caller's id of the action, per member (a sign-in's date): reporting it again credits once
	At        time.Time // when it happened; zero: now
}

// ActionCredit is what an action earned.
type ActionCredit struct {
	ID         string
	ProgramID  string
	CustomerID string
	Action     string
	Reference  string
	Day        string // the day in the program's zone the caps count it on
	Growth     int64
	Points     int64
	EntryID    string // the points' ledger entry; "" when the action earns no points
	OccurredAt time.Time
	CreatedAt  time.Time
	Replayed   bool   // the reference was credited before; nothing changed
	Member     Member // the membership after the credit
}

// CreditAction credits a member for an action by the program's rule: growth (which
// may move the member up a tier at once) and points (a lot expiring by the program's
// policy). A reference already credited returns that credit. The caps are counted
// under the member's row lock, so parallel reports of one member never exceed them.
// Errors: invalid (body.action, body.reference, body.occurred_at), not_found
// (program, customer, membership), conflict (program inactive, a cap reached),
// unauthorized, forbidden.
func (s *Service) CreditAction(ctx context.Context, programID, customerID string, r ActionRequest) (ActionCredit, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return ActionCredit{}, err
	}
	now := s.now()
	if r.At.IsZero() {
		r.At = now
	}
	switch {
	case !actionName.MatchString(r.Action):
		return ActionCredit{}, errs.Field("body.action", actionNameRule)
	case r.Reference == "" || len(r.Reference) > actionReferenceSize:
		return ActionCredit{}, errs.Field("body.reference", "1 to %d bytes: the caller's id of the action", actionReferenceSize)
	case r.At.After(now.Add(actionFuture)) || r.At.Before(now.Add(-actionPast)):
		return ActionCredit{}, errs.Field("body.occurred_at", "within the last 90 days and not in the future")
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return ActionCredit{}, fmt.Errorf("loyalty: credit action: %w", err)
	}
	var out ActionCredit
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		prog, err := activeProgram(ctx, tx, p.TenantID, programID)
		if err != nil {
			return err
		}
		rule := prog.ruleFor(r.Action)
		if rule == nil {
			return errs.Field("body.action", "program %s has no rule for action %s", prog.Code, r.Action)
		}
		m, err := lockMember(ctx, tx, s.db.Dialect, p.TenantID, programID, live)
		if err != nil {
			return err
		}
		if prev, err := actionByReference(ctx, tx, m, r.Action, r.Reference); err == nil {
			prev.Replayed, prev.Member = true, m
			out = prev
			return nil
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		day := r.At.In(s.zone(prog.TimeZone)).Format(time.DateOnly)
		if err := checkActionCaps(ctx, tx, m, *rule, day); err != nil {
			return err
		}
		c := ActionCredit{ID: ids.New(), ProgramID: programID, CustomerID: live, Action: r.Action, Reference: r.Reference, Day: day,
			Growth: rule.Growth, Points: rule.Points, OccurredAt: r.At, CreatedAt: now}
		if c.Points > 0 {
			e := Entry{ID: ids.New(), ProgramID: programID, CustomerID: live, Kind: EntryEarn, Points: c.Points,
				SourceKey: "action:" + c.ID, Reason: r.Action, Actor: p.ID, CreatedAt: now}
			if err := s.addLot(ctx, tx, p.TenantID, e, now, prog.expiry(now, s.zone(prog.TimeZone))); err != nil {
				return err
			}
			if err := s.publishEntry(ctx, tx, p.TenantID, EventPointsEarned, e); err != nil {
				return err
			}
			c.EntryID = e.ID
		}
		if err := insertActionCredit(ctx, tx, p.TenantID, c); err != nil {
			return err
		}
		if err := s.grow(ctx, tx, p.TenantID, prog, m, c.Growth); err != nil {
			return err
		}
		if c.Member, err = getMember(ctx, tx, p.TenantID, programID, live, ""); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return ActionCredit{}, fmt.Errorf("loyalty: credit action: %w", err)
	}
	return out, nil
}

// checkActionCaps returns a conflict on body.action, naming the cap, when member m has been
// credited for rule's action PerDay times on day or Lifetime times in all.
func checkActionCaps(ctx context.Context, tx *sql.Tx, m Member, rule ActionRule, day string) error {
	if rule.PerDay > 0 {
		n, err := countActions(ctx, tx, m, rule.Action, day)
		if err != nil {
			return err
		}
		if n >= rule.PerDay {
			return &errs.Error{Code: errs.Conflict, Field: "body.action",
				Message: fmt.Sprintf("%s: at most %d a day, reached on %s", rule.Action, rule.PerDay, day)}
		}
	}
	if rule.Lifetime > 0 {
		n, err := countActions(ctx, tx, m, rule.Action, "")
		if err != nil {
			return err
		}
		if n >= rule.Lifetime {
			return &errs.Error{Code: errs.Conflict, Field: "body.action",
				Message: fmt.Sprintf("%s: at most %d in all, reached", rule.Action, rule.Lifetime)}
		}
	}
	return nil
}

const actionColumns = `id, program_id, customer_id, action, reference, day, growth, points, entry_id, occurred_at, created_at`

func scanActionCredit(sc interface{ Scan(...any) error }) (ActionCredit, error) {
	var c ActionCredit
	var occurred, created int64
	if err := sc.Scan(&c.ID, &c.ProgramID, &c.CustomerID, &c.Action, &c.Reference, &c.Day, &c.Growth, &c.Points, &c.EntryID,
		&occurred, &created); err != nil {
		return ActionCredit{}, err
	}
	c.OccurredAt, c.CreatedAt = fromMillis(occurred), fromMillis(created)
	return c, nil
}

func actionByReference(ctx context.Context, tx *sql.Tx, m Member, action, reference string) (ActionCredit, error) {
	c, err := scanActionCredit(tx.QueryRowContext(ctx, `SELECT `+actionColumns+` FROM loyalty_action_credits
		WHERE program_id = $1 AND customer_id = $2 AND action = $3 AND reference = $4`, m.ProgramID, m.CustomerID, action, reference))
	if errors.Is(err, sql.ErrNoRows) {
		return ActionCredit{}, errs.E(errs.NotFound, "action %s %s not credited", action, reference)
	} else if err != nil {
		return ActionCredit{}, fmt.Errorf("read action credit: %w", err)
	}
	return c, nil
}

// countActions counts m's credits for action on day, or on every day when day is "".
func countActions(ctx context.Context, tx *sql.Tx, m Member, action, day string) (int, error) {
	q, args := `SELECT COUNT(*) FROM loyalty_action_credits WHERE program_id = $1 AND customer_id = $2 AND action = $3`,
		[]any{m.ProgramID, m.CustomerID, action}
	if day != "" {
		q, args = q+` AND day = $4`, append(args, day)
	}
	var n int
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count action credits: %w", err)
	}
	return n, nil
}

func insertActionCredit(ctx context.Context, tx *sql.Tx, tenantID string, c ActionCredit) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_action_credits (id, tenant_id, program_id, customer_id, action, reference, day,
		growth, points, entry_id, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, tenantID, c.ProgramID, c.CustomerID, c.Action, c.Reference, c.Day, c.Growth, c.Points, c.EntryID,
		millis(c.OccurredAt), millis(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("record action credit: %w", conflictIfUnique(err, "action %s %s already credited", c.Action, c.Reference))
	}
	return nil
}

// FindActionCredits returns a member's action credits, latest action first, at most limit.
func (s *Service) FindActionCredits(ctx context.Context, programID, customerID string, limit int) ([]ActionCredit, error) {
	p, err := auth.Require(ctx, auth.LoyaltyRead)
	if err != nil {
		return nil, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return nil, fmt.Errorf("loyalty: action credits: %w", err)
	}
	if _, err := getMember(ctx, s.db.Reader(), p.TenantID, programID, live, ""); err != nil {
		return nil, fmt.Errorf("loyalty: action credits: %w", err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+actionColumns+` FROM loyalty_action_credits
		WHERE tenant_id = $1 AND program_id = $2 AND customer_id = $3 ORDER BY occurred_at DESC, id DESC LIMIT $4`,
		p.TenantID, programID, live, limit)
	if err != nil {
		return nil, fmt.Errorf("loyalty: action credits: %w", err)
	}
	defer rows.Close()
	out := []ActionCredit{}
	for rows.Next() {
		c, err := scanActionCredit(rows)
		if err != nil {
			return nil, fmt.Errorf("loyalty: action credits: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
