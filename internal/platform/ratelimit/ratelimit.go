// Package ratelimit limits how often something may happen per key — a principal's
// customer look-ups, an account's or a client address's logins — with the count kept
// in the database, so every node behind a load balancer enforces the same limit and a
// restart does not reset it.
//
// It uses the generic cell rate algorithm (GCRA): each key holds one instant, its
// "theoretical arrival time" (TAT). A rule of Limit attempts per Window spaces
// attempts Window/Limit apart and tolerates a burst of Limit. A check is a single
// upsert, so concurrent checks of one key never admit more than the rule allows.
// Refused attempts do not move the TAT: a client that keeps hammering is admitted
// again as soon as the rule allows, not later.
package ratelimit

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Rule allows Limit attempts per Window, in a burst or spread out.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Validate reports an errs.Invalid error for a rule that cannot be enforced: Limit
// must be at least 1 and Window/Limit at least a millisecond.
func (r Rule) Validate() error {
	if r.Limit < 1 {
		return errs.E(errs.Invalid, "rate limit: limit must be at least 1, got %d", r.Limit)
	}
	if r.Window/time.Duration(r.Limit) < time.Millisecond {
		return errs.E(errs.Invalid, "rate limit: %d per %s spaces attempts less than 1ms apart", r.Limit, r.Window)
	}
	return nil
}

// String describes r for messages: "60 per 1m0s".
func (r Rule) String() string { return fmt.Sprintf("%d per %s", r.Limit, r.Window) }

// interval is the spacing of attempts and tolerance the burst allowance, in ms.
func (r Rule) interval() int64  { return (r.Window / time.Duration(r.Limit)).Milliseconds() }
func (r Rule) tolerance() int64 { return r.Window.Milliseconds() - r.interval() }

// Decision is the outcome of one check.
type Decision struct {
	Allowed bool
	// RetryAfter is, when refused, how long until the next attempt would be admitted
	// (at least one second, as the Retry-After header counts whole seconds).
	RetryAfter time.Duration
}

// Err returns nil when d allowed the attempt, else an errs.RateLimited error whose
// message says what was limited and when to retry; it carries RetryAfter for the
// Retry-After header.
func (d Decision) Err(what string) error {
	if d.Allowed {
		return nil
	}
	secs := int64(math.Ceil(d.RetryAfter.Seconds()))
	return errs.Limited(d.RetryAfter, "%s: too many requests; try again in %d s", what, secs)
}

// Limiter checks rules against counts kept in the database.
type Limiter struct {
	db    *db.DB
	clock clock.Clock
}

// New returns a limiter over d's rate_limits table.
func New(d *db.DB, c clock.Clock) *Limiter { return &Limiter{db: d, clock: c} }

// Allow spends one attempt of key under rule when the rule has one left and reports
// the decision. It returns errs.Invalid for an invalid rule and wrapped database
// errors.
func (l *Limiter) Allow(ctx context.Context, key string, rule Rule) (Decision, error) {
	if err := rule.Validate(); err != nil {
		return Decision{}, err
	}
	now := clock.Millis(l.clock.Now())
	nonce := ids.Secret(10)
	var tat int64
	var got string
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		// Every SET expression reads the row as it was, on both engines, so the admitted
		// check and the new TAT are one atomic decision; the nonce says whether it was
		// this attempt that was admitted.
		return tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, tat, nonce)
			VALUES ($1, CAST($2 AS BIGINT) + CAST($3 AS BIGINT), $5)
			ON CONFLICT (key) DO UPDATE SET
				tat = CASE WHEN rate_limits.tat <= CAST($2 AS BIGINT) + CAST($4 AS BIGINT)
					THEN (CASE WHEN rate_limits.tat > CAST($2 AS BIGINT) THEN rate_limits.tat ELSE CAST($2 AS BIGINT) END) + CAST($3 AS BIGINT)
					ELSE rate_limits.tat END,
				nonce = CASE WHEN rate_limits.tat <= CAST($2 AS BIGINT) + CAST($4 AS BIGINT) THEN $5 ELSE rate_limits.nonce END
			RETURNING tat, nonce`,
			key, now, rule.interval(), rule.tolerance(), nonce).Scan(&tat, &got)
	})
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: check %s: %w", key, err)
	}
	if got == nonce {
		return Decision{Allowed: true}, nil
	}
	wait := time.Duration(tat-rule.tolerance()-now) * time.Millisecond
	return Decision{RetryAfter: max(wait, time.Second)}, nil
}

// Reset forgets key, giving it its full allowance again (for example after a
// successful login).
func (l *Limiter) Reset(ctx context.Context, key string) error {
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE key = $1`, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("ratelimit: reset %s: %w", key, err)
	}
	return nil
}

// Purge deletes the keys that are back at their full allowance at now — their
// absence means the same — and returns how many it deleted.
func (l *Limiter) Purge(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE tat <= $1`, clock.Millis(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("ratelimit: purge: %w", err)
	}
	return n, nil
}
