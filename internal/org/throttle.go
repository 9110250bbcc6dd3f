package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// maxClaimTries bounds the compare-and-set retries of one login attempt's claim when
// other attempts on the same login race it.
const maxClaimTries = 8

// throttleAccount is the login_throttle key of a login name: its SHA-256, so that a
// password typed into the login field is not stored. Unknown logins are throttled like
// known ones, so the answers do not tell them apart.
func throttleAccount(login string) string { return tokenHash("login\x00" + login) }

// errThrottled is the refusal of an attempt on a login that must wait.
func errThrottled(wait time.Duration) error {
	return errs.Limited(wait, "too many failed logins for this login name; try again in %d s",
		int64(math.Ceil(wait.Seconds())))
}

// claimAttempt counts an attempt on account as a failure before it is judged — so that
// parallel guesses cannot slip past the delay — and returns 0; a success then forgives
// the account. When the account must still wait after its last failure, it counts
// nothing and returns the wait. The state is in the database, so every node sees it.
func (s *Service) claimAttempt(ctx context.Context, account string) (time.Duration, error) {
	for range maxClaimTries {
		now := s.clock.Now()
		var wait time.Duration
		claimed := false
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			st, err := findThrottle(ctx, tx, account)
			if errors.Is(err, sql.ErrNoRows) {
				claimed, err = insertThrottle(ctx, tx, account, throttleState{failures: 1, lastAt: now,
					nextAt: now.Add(s.cfg.loginDelay(1))})
				return err
			}
			if err != nil {
				return err
			}
			failures := st.failures
			switch {
			case now.Sub(st.lastAt) >= s.cfg.LoginForgetAfter:
				failures = 0
			case st.nextAt.After(now):
				wait = st.nextAt.Sub(now)
				return nil
			}
			claimed, err = swapThrottle(ctx, tx, account, st, throttleState{failures: failures + 1, lastAt: now,
				nextAt: now.Add(s.cfg.loginDelay(failures + 1))})
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("org: login throttle: %w", err)
		}
		if claimed || wait > 0 {
			return wait, nil
		}
	}
	return time.Second, nil // lost every race: as busy as a refusal
}

// forgive clears the failures of account after a successful attempt.
func (s *Service) forgive(ctx context.Context, account string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return deleteThrottle(ctx, tx, account) })
	if err != nil {
		return fmt.Errorf("org: login throttle: %w", err)
	}
	return nil
}

// PurgeLoginThrottle deletes the login failures that are forgotten by now (older than
// LoginForgetAfter) and returns how many it deleted; the janitor calls it.
func (s *Service) PurgeLoginThrottle(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE last_at <= $1`,
			clock.Millis(now.Add(-s.cfg.LoginForgetAfter)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("org: purge login throttle: %w", err)
	}
	return n, nil
}

// throttleState is one row of login_throttle.
type throttleState struct {
	failures int
	lastAt   time.Time
	nextAt   time.Time
}

func findThrottle(ctx context.Context, tx *sql.Tx, account string) (throttleState, error) {
	var st throttleState
	var last, next int64
	err := tx.QueryRowContext(ctx, `SELECT failures, last_at, next_at FROM login_throttle WHERE account = $1`, account).
		Scan(&st.failures, &last, &next)
	st.lastAt, st.nextAt = clock.FromMillis(last), clock.FromMillis(next)
	return st, err
}

// insertThrottle adds the first row of account and reports whether it did (false: a
// concurrent attempt added it first).
func insertThrottle(ctx context.Context, tx *sql.Tx, account string, st throttleState) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (account, failures, last_at, next_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account) DO NOTHING`, account, st.failures, clock.Millis(st.lastAt), clock.Millis(st.nextAt))
	return affectedOne(res, err)
}

// swapThrottle replaces the row of account by next when it is still old, and reports
// whether it did (false: a concurrent attempt changed it first).
func swapThrottle(ctx context.Context, tx *sql.Tx, account string, old, next throttleState) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $2, last_at = $3, next_at = $4
		WHERE account = $1 AND failures = $5 AND last_at = $6 AND next_at = $7`,
		account, next.failures, clock.Millis(next.lastAt), clock.Millis(next.nextAt),
		old.failures, clock.Millis(old.lastAt), clock.Millis(old.nextAt))
	return affectedOne(res, err)
}

func deleteThrottle(ctx context.Context, tx *sql.Tx, account string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE account = $1`, account)
	return err
}

func affectedOne(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
