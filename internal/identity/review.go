package identity

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Review is a resolution that was not carried out automatically: the event went to
// CustomerID and a person decides whether the Candidates are one customer. Score is
// set by fuzzy matching only (nil for deterministic reviews).
type Review struct {
	ID                string
	EventID           string
	EventTouchpointID string // the touchpoint that sent EventID; empty when the event is unknown
	CustomerID        string
	Candidates        []string
	Reason            string
	Score             *float64
	// Explanation is the fuzzy score as the sum of comparison weights in bits
	// (nil for deterministic reviews); the probability Score is 1/(1+2^−sum).
	Explanation []graph.Term
	Status      string // open or resolved
	CreatedAt   time.Time
	ResolvedAt  *time.Time
	Resolution  string // merge or separate once resolved
	Note        string
	// Left is the live customer the event's customer is now, Right the other live
	// candidates (reviewSides); set by FindReviews.
	Left  string
	Right []string
}

// ReviewFilter selects reviews by status ("" for all), oldest first.
type ReviewFilter struct {
	Status   string
	MinScore float64 // only fuzzy reviews scoring at least this (0: every review)
	Reason   string  // only reviews with a reason of this code ("" for all)
	Limit    int
	Cursor   string
}

// The review actions.
const (
	ReviewMerge    = "merge"
	ReviewSeparate = "separate"
)

const reviewCols = `id, event_id, event_touchpoint_id, customer_id, candidates, reason, score, explanation, status, created_at, resolved_at, resolution, note`

func scanReview(sc interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var cands string
	var score sql.NullFloat64
	var created int64
	var resolved sql.NullInt64
	var resolution, touchpoint, explanation sql.NullString
	if err := sc.Scan(&r.ID, &r.EventID, &touchpoint, &r.CustomerID, &cands, &r.Reason, &score, &explanation, &r.Status, &created, &resolved, &resolution, &r.Note); err != nil {
		return Review{}, err
	}
	if explanation.Valid {
		if err := json.Unmarshal([]byte(explanation.String), &r.Explanation); err != nil {
			return Review{}, fmt.Errorf("review %s explanation: %w", r.ID, err)
		}
	}
	r.EventTouchpointID = touchpoint.String
	if err := json.Unmarshal([]byte(cands), &r.Candidates); err != nil {
		return Review{}, fmt.Errorf("review %s candidates: %w", r.ID, err)
	}
	if score.Valid {
		r.Score = &score.Float64
	}
	r.CreatedAt = clock.FromMillis(created)
	if resolved.Valid {
		at := clock.FromMillis(resolved.Int64)
		r.ResolvedAt = &at
	}
	r.Resolution = resolution.String
	return r, nil
}

// FindReviews returns the tenant's identity reviews matching f, oldest first (reasons
// name identifier types, never values, so they need no masking). A scoped
// principal sees the reviews whose customers (the event's and every candidate) are
// all inside its data scope. Errors: invalid (status, cursor), unauthorized,
// forbidden.
func (s *Service) FindReviews(ctx context.Context, f ReviewFilter) (httpapi.Page[Review], error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return httpapi.Page[Review]{}, err
	}
	if f.Status != "" && f.Status != "open" && f.Status != "resolved" {
		return httpapi.Page[Review]{}, errs.Field("query.status", "must be open or resolved")
	}
	if f.MinScore < 0 || f.MinScore > 1 {
		return httpapi.Page[Review]{}, errs.Field("query.min_score", "must be between 0 and 1")
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return httpapi.Page[Review]{}, err
	}
	q := s.db.Reader()
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]Review, error) {
		var out []Review
		for { // a scoped principal's page is filled from as many batches as it takes
			args := []any{p.TenantID, after, n}
			where := ""
			if f.Status != "" {
				args = append(args, f.Status)
				where = " AND status = $" + strconv.Itoa(len(args))
			}
			if f.MinScore > 0 {
				args = append(args, f.MinScore)
				where += " AND score >= $" + strconv.Itoa(len(args))
			}
			if c := sc.scopeClause(&args, "$1", "identity_reviews.customer_id"); c != "" {
				where += " AND " + c
			}
			batch, err := scanReviews(ctx, q, `SELECT `+reviewCols+` FROM identity_reviews WHERE tenant_id = $1 AND id > $2`+where+` ORDER BY id LIMIT $3`, args...)
			if err != nil {
				return nil, err
			}
			for _, r := range batch {
				ok, err := sc.seesReview(ctx, q, p.TenantID, r)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				if r.Left, r.Right, err = reviewSides(ctx, q, p.TenantID, r); err != nil {
					return nil, err
				}
				// An open review whose sides became one customer (merged since, outside
				// a merge that closes it) has nothing to decide: it is not shown.
				if r.Status == "open" && mootReview(r, r.Right) {
					continue
				}
				if f.Reason != "" && !slices.ContainsFunc(ReviewReasons(r.Reason), func(x ReviewReason) bool { return x.Code == f.Reason }) {
					continue
				}
				out = append(out, r)
			}
			if len(out) >= n || len(batch) < n {
				return out[:min(len(out), n)], nil
			}
			after = batch[len(batch)-1].ID
		}
	}, func(r Review) string { return r.ID })
	if err != nil {
		return httpapi.Page[Review]{}, fmt.Errorf("identity: find reviews: %w", err)
	}
	return page, nil
}

func scanReviews(ctx context.Context, q db.Querier, query string, args ...any) ([]Review, error) {
	var out []Review
	err := db.EachRow(ctx, q, query, args, func(rs *sql.Rows) error {
		r, err := scanReview(rs)
		out = append(out, r)
		return err
	})
	return out, err
}

// seesReview reports whether sc sees every customer a review names: the event's and
// each candidate (through the customers they were merged into since).
func (sc customerScope) seesReview(ctx context.Context, q db.Querier, tenantID string, r Review) (bool, error) {
	if sc.all {
		return true, nil
	}
	for _, c := range append([]string{r.CustomerID}, r.Candidates...) {
		_, err := sc.live(ctx, q, tenantID, c, "")
		if errs.Is(err, errs.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

func getReview(ctx context.Context, q db.Querier, tenantID, id, lock string) (Review, error) {
	r, err := scanReview(q.QueryRowContext(ctx, `SELECT `+reviewCols+` FROM identity_reviews WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	return r, notFoundIf(err, "review")
}

// ResolveReview resolves an open review: merge joins the live customers of its
// candidates (and the customer the event went to) into the oldest of them, under
// the identity rules; separate keeps them apart. A review naming a customer outside
// the principal's data scope is not found. Errors: invalid (body.action,
// body.note), not_found, conflict (already resolved, nothing to merge, or a rule
// broken: the message names it), unauthorized, forbidden.
func (s *Service) ResolveReview(ctx context.Context, id, action, note string) (Review, error) {
	p, err := auth.Require(ctx, auth.CustomersWrite)
	if err != nil {
		return Review{}, err
	}
	if !utf8.ValidString(id) {
		return Review{}, errs.E(errs.NotFound, "review not found")
	}
	if action != ReviewMerge && action != ReviewSeparate {
		return Review{}, errs.Field("body.action", "must be merge or separate")
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > 500 {
		return Review{}, errs.Field("body.note", "at most 500 characters")
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return Review{}, err
	}
	var out Review
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := getReview(ctx, tx, p.TenantID, id, customerLock(s.db.Dialect))
		if err != nil {
			return err
		}
		if ok, err := sc.seesReview(ctx, tx, p.TenantID, r); err != nil {
			return err
		} else if !ok {
			return errs.E(errs.NotFound, "review not found")
		}
		if r.Status != "open" {
			return errs.E(errs.Conflict, "review %s is already resolved (%s)", id, r.Resolution)
		}
		now := clock.Millis(s.now())
		if action == ReviewMerge {
			if err := s.mergeReview(ctx, tx, p.TenantID, r, note, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE identity_reviews SET status = 'resolved', resolved_at = $3, resolution = $4, note = $5
			WHERE tenant_id = $1 AND id = $2`, p.TenantID, id, now, action, note); err != nil {
			return err
		}
		change := map[string]any{"action": action, "note": maskNote(note), "candidates": r.Candidates, "customer_id": r.CustomerID}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "identity_review.resolve", ResourceType: "identity_review", ResourceID: id, Changes: change}); err != nil {
			return err
		}
		out, err = getReview(ctx, tx, p.TenantID, id, "")
		return err
	})
	if err != nil {
		return Review{}, fmt.Errorf("identity: resolve review: %w", err)
	}
	return out, nil
}

// mergeReview merges the live customers of a review's candidates into the oldest.
func (s *Service) mergeReview(ctx context.Context, tx *sql.Tx, tenantID string, r Review, note string, now int64) error {
	type aged struct {
		id      string
		created int64
	}
	var live []aged
	for _, c := range append([]string{r.CustomerID}, r.Candidates...) {
		l, err := survivor(ctx, tx, tenantID, c)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(live, func(a aged) bool { return a.id == l }) {
			continue
		}
		var created int64
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM customers WHERE tenant_id = $1 AND id = $2`, tenantID, l).Scan(&created); err != nil {
			return err
		}
		live = append(live, aged{l, created})
	}
	if len(live) < 2 {
		return errs.E(errs.Conflict, "the review's candidates are already one customer; resolve it with separate")
	}
	slices.SortFunc(live, func(a, b aged) int {
		return cmp.Or(cmp.Compare(a.created, b.created), strings.Compare(a.id, b.id))
	})
	from := make([]string, 0, len(live)-1)
	for _, a := range live[1:] {
		from = append(from, a.id)
	}
	reason := "review " + r.ID
	if note != "" {
		reason += ": " + note
	}
	return s.mergeInTx(ctx, tx, tenantID, live[0].id, from, MergeManual, reason, "body.action", now)
}
