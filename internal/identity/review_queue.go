package identity

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// The stable codes of review reasons (ReviewReason.Code). The console translates
// them; the English reason text stays for logs and older clients.
const (
	ReasonFuzzyMatch       = "fuzzy_match"       // a fuzzy score in the review band
	ReasonConflictingTypes = "conflicting_types" // fuzzy: different identifiers of a one-per-customer type
	ReasonTypeLimit        = "type_limit"        // joining would exceed a per-customer identifier limit
	ReasonClusterSize      = "cluster_size"      // joining would exceed the cluster size limit
	ReasonNotAddedType     = "identifier_not_added_type_limit"
	ReasonNotAddedCluster  = "identifier_not_added_cluster_size"
	ReasonWeakShared       = "weak_shared"   // a weak identifier shared with a customer with stronger keys
	ReasonNoIdentifier     = "no_identifier" // the event had no valid identifier
	ReasonOther            = "other"
)

// ReviewReason is one reason of a review as a stable code with its parameters
// (identifier type, counts, limit, score), so that it can be worded in any language.
type ReviewReason struct {
	Code  string
	Type  string  // the identifier type, when the reason names one
	Count int     // how many identifiers the customer would hold
	Limit int     // the limit broken
	Score float64 // fuzzy_match: the score
	Text  string  // the English text the code was read from
}

var reasonPatterns = []struct {
	code string
	re   *regexp.Regexp // groups by name: type, count, limit, score
}{
	{ReasonFuzzyMatch, regexp.MustCompile(`^fuzzy score (?P<score>[0-9.]+)`)},
	{ReasonConflictingTypes, regexp.MustCompile(`^would join customers with different identifiers of a one-per-customer type`)},
	{ReasonTypeLimit, regexp.MustCompile(`^would hold (?P<count>\d+) (?P<type>[a-z_]+) identifiers \(at most (?P<limit>\d+) allowed\)`)},
	{ReasonClusterSize, regexp.MustCompile(`^would hold (?P<count>\d+) identifiers \(cluster size limit (?P<limit>\d+)\)`)},
	{ReasonNotAddedType, regexp.MustCompile(`^a (?P<type>[a-z_]+) identifier not added: at most (?P<limit>\d+) `)},
	{ReasonNotAddedCluster, regexp.MustCompile(`^a (?P<type>[a-z_]+) identifier not added: cluster size limit (?P<limit>\d+)`)},
	{ReasonWeakShared, regexp.MustCompile(`^weak identifier shared with customer`)},
	{ReasonNoIdentifier, regexp.MustCompile(`^no valid identifier`)},
}

// ReviewReasons reads the reasons of a review's text (reasons joined by "; ", as the
// resolver and fuzzy matching write them) as stable codes; a part no pattern knows
// is ReasonOther. The codes are derived on reading, so reviews queued before they
// existed have them too.
func ReviewReasons(reason string) []ReviewReason {
	var out []ReviewReason
	for _, part := range strings.Split(reason, "; ") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r := ReviewReason{Code: ReasonOther, Text: part}
		for _, p := range reasonPatterns {
			m := p.re.FindStringSubmatch(part)
			if m == nil {
				continue
			}
			r.Code = p.code
			for i, name := range p.re.SubexpNames() {
				switch name {
				case "type":
					r.Type = m[i]
				case "count":
					r.Count, _ = strconv.Atoi(m[i]) // \d+ always parses but may overflow: 0 then
				case "limit":
					r.Limit, _ = strconv.Atoi(m[i])
				case "score":
					r.Score, _ = strconv.ParseFloat(m[i], 64)
				}
			}
			break
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		out = append(out, ReviewReason{Code: ReasonOther})
	}
	return out
}

// mootReview reports whether r named two or more customers when it was queued and
// its sides are now one customer (right is empty): there is nothing to decide. A
// review of one customer (an identifier the rules kept from it) is never moot: its
// other side is the event.
func mootReview(r Review, right []string) bool {
	if len(right) > 0 {
		return false
	}
	for _, c := range r.Candidates {
		if c != r.CustomerID {
			return true
		}
	}
	return false
}

// reviewSides returns the live customers a review names: left is the customer the
// event went to (through merges since), right the other live candidates, without
// left and without repeats. The resolver lists the event's customer among the
// candidates, and merges since may have joined both sides: right is then empty and
// the review is moot (there is nothing left to decide).
func reviewSides(ctx context.Context, q db.Querier, tenantID string, r Review) (left string, right []string, err error) {
	if left, err = survivor(ctx, q, tenantID, r.CustomerID); err != nil {
		return "", nil, err
	}
	for _, c := range r.Candidates {
		l, err := survivor(ctx, q, tenantID, c)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		if l != left && !slices.Contains(right, l) {
			right = append(right, l)
		}
	}
	return left, right, nil
}

// closeMootReviews resolves, in tx, the open reviews whose sides are now one
// customer (after a merge into into): there is nothing left to decide. They are
// resolved as merge with a note saying so. It returns how many it closed.
func closeMootReviews(ctx context.Context, tx *sql.Tx, tenantID string, ids []string, now int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := []any{tenantID}
	var likes []string
	for _, id := range ids {
		args = append(args, id)
		n := "$" + strconv.Itoa(len(args))
		args = append(args, `%"`+id+`"%`)
		likes = append(likes, "customer_id = "+n+" OR candidates LIKE $"+strconv.Itoa(len(args)))
	}
	reviews, err := scanReviews(ctx, tx, `SELECT `+reviewCols+` FROM identity_reviews WHERE tenant_id = $1 AND status = 'open' AND (`+
		strings.Join(likes, " OR ")+`)`, args...)
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, r := range reviews {
		_, right, err := reviewSides(ctx, tx, tenantID, r)
		if err != nil {
			return 0, err
		}
		if !mootReview(r, right) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE identity_reviews SET status = 'resolved', resolved_at = $3, resolution = 'merge', note = $4
			WHERE tenant_id = $1 AND id = $2 AND status = 'open'`, tenantID, r.ID, now, mootNote); err != nil {
			return 0, err
		}
		closed++
	}
	return closed, nil
}

// mootNote is the note of a review closed because its sides became one customer.
const mootNote = "closed: both sides are one customer since a merge"

// The outcomes of one review in a bulk resolution.
const (
	BulkResolved  = "resolved"  // resolved by this request
	BulkUnchanged = "unchanged" // already resolved the same way (a repeated request)
	BulkConflict  = "conflict"  // already resolved otherwise, or a rule forbids the merge
	BulkNotFound  = "not_found" // unknown or outside the data scope
)

// BulkOutcome is what a bulk resolution did to one review.
type BulkOutcome struct {
	ReviewID string
	Outcome  string
	Message  string // why, for conflict and not_found
}

// maxBulkReviews bounds a bulk resolution.
const maxBulkReviews = 500

// ResolveReviews resolves each of the reviews ids with action, one transaction per
// review, and reports each outcome. It is idempotent: a review already resolved
// with action is reported unchanged, so a repeated request changes nothing. A
// review naming a customer outside the data scope is not_found; a merge the rules
// forbid is conflict (with the rule). Errors: invalid (body.review_ids,
// body.action, body.note), unauthorized, forbidden.
func (s *Service) ResolveReviews(ctx context.Context, reviewIDs []string, action, note string) ([]BulkOutcome, error) {
	if _, err := auth.Require(ctx, auth.CustomersWrite); err != nil {
		return nil, err
	}
	if len(reviewIDs) == 0 || len(reviewIDs) > maxBulkReviews {
		return nil, errs.Field("body.review_ids", "1 to %d review ids", maxBulkReviews)
	}
	if action != ReviewMerge && action != ReviewSeparate {
		return nil, errs.Field("body.action", "must be merge or separate")
	}
	out := make([]BulkOutcome, 0, len(reviewIDs))
	seen := map[string]bool{}
	for _, id := range reviewIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		o := BulkOutcome{ReviewID: id, Outcome: BulkResolved}
		_, err := s.ResolveReview(ctx, id, action, note)
		switch {
		case err == nil:
		case errs.Is(err, errs.NotFound):
			o.Outcome, o.Message = BulkNotFound, "review not found"
		case errs.Is(err, errs.Conflict):
			o.Outcome, o.Message = BulkConflict, errMessage(err)
			if r, gerr := getReview(ctx, s.db.Reader(), auth.FromContext(ctx).TenantID, id, ""); gerr == nil && r.Status == "resolved" &&
				(r.Resolution == action || (action == ReviewMerge && r.Note == mootNote)) {
				o.Outcome, o.Message = BulkUnchanged, ""
			}
		case errs.Is(err, errs.Invalid):
			return nil, err // the note: the same for every review
		default:
			return nil, fmt.Errorf("identity: resolve reviews: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}
