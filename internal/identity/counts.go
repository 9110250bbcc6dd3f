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
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TouchpointGroup is the number of touchpoints with one type or channel and the
// events they stored today (the tenant's day of receipt).
type TouchpointGroup struct {
	Key         string
	Touchpoints int
	EventsToday int64
}

// TouchpointCounts counts the touchpoints matching a filter by type and by channel,
// largest first.
type TouchpointCounts struct {
	Total     int
	TimeZone  string // the tenant's time zone, whose day "today" is
	ByType    []TouchpointGroup
	ByChannel []TouchpointGroup
}

// CountTouchpoints counts the tenant's touchpoints matching f (its Limit and Cursor
// are ignored) by type and channel, with today's events, in two GROUP BY queries
// whatever the number of touchpoints. Touchpoints are tenant-wide, like their list.
// Errors: invalid (status, channel, store_id, q), unauthorized, forbidden.
func (s *Service) CountTouchpoints(ctx context.Context, f TouchpointFilter) (TouchpointCounts, error) {
	p, err := touchpointReader(ctx)
	if err != nil {
		return TouchpointCounts{}, err
	}
	if err := validTouchpointFilter(f); err != nil {
		return TouchpointCounts{}, err
	}
	loc, err := s.zones.get(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return TouchpointCounts{}, fmt.Errorf("identity: count touchpoints: %w", err)
	}
	day := localDay(s.clock.Now(), loc)
	out := TouchpointCounts{TimeZone: loc.String()}
	if out.ByType, err = groupTouchpoints(ctx, s.db.Reader(), s.db.Like(), p.TenantID, f, day, "t.type"); err != nil {
		return TouchpointCounts{}, fmt.Errorf("identity: count touchpoints: %w", err)
	}
	if out.ByChannel, err = groupTouchpoints(ctx, s.db.Reader(), s.db.Like(), p.TenantID, f, day, "t.channel"); err != nil {
		return TouchpointCounts{}, fmt.Errorf("identity: count touchpoints: %w", err)
	}
	for _, g := range out.ByType {
		out.Total += g.Touchpoints
	}
	return out, nil
}

func validTouchpointFilter(f TouchpointFilter) error {
	if f.Status != "" && !f.Status.Valid() {
		return errs.Field("query.status", "must be active or disabled")
	}
	if f.Channel != "" && !f.Channel.Valid() {
		return errs.Field("query.channel", "unknown channel; one of %s", channelNames())
	}
	if !utf8.ValidString(f.StoreID) {
		return errs.Field("query.store_id", "not valid UTF-8")
	}
	if !utf8.ValidString(f.Q) {
		return errs.Field("query.q", "not valid UTF-8")
	}
	return nil
}

// groupTouchpoints counts the touchpoints matching f grouped by col.
func groupTouchpoints(ctx context.Context, q db.Querier, like, tenantID string, f TouchpointFilter, day int64, col string) ([]TouchpointGroup, error) {
	args := []any{tenantID, day}
	where := touchpointWhere(&args, like, f)
	var out []TouchpointGroup
	err := db.EachRow(ctx, q, `SELECT `+col+`, COUNT(*), COALESCE(SUM(d.accepted), 0)`+touchpointFrom("$2")+
		` WHERE `+where+` GROUP BY `+col, args, func(rs *sql.Rows) error {
		var g TouchpointGroup
		if err := rs.Scan(&g.Key, &g.Touchpoints, &g.EventsToday); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
	slices.SortFunc(out, func(a, b TouchpointGroup) int {
		return cmp.Or(cmp.Compare(b.Touchpoints, a.Touchpoints), strings.Compare(a.Key, b.Key))
	})
	return out, err
}

// touchpointWhere is the condition of f's filters on touchpoints aliased t; $1 is
// the tenant.
func touchpointWhere(args *[]any, like string, f TouchpointFilter) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	where := []string{"t.tenant_id = $1"}
	if f.Status != "" {
		where = append(where, "t.status = "+arg(string(f.Status)))
	}
	if f.Channel != "" {
		where = append(where, "t.channel = "+arg(string(f.Channel)))
	}
	if f.StoreID != "" {
		where = append(where, "t.store_id = "+arg(f.StoreID))
	}
	if f.Q != "" {
		p := arg(db.EscapeLike(f.Q))
		where = append(where, "(t.code "+like+" "+p+" ESCAPE '\\' OR t.name "+like+" "+p+" ESCAPE '\\')")
	}
	return strings.Join(where, " AND ")
}

// Count is the number of items with one key.
type Count struct {
	Key   string
	Count int
}

// ReviewCounts counts identity reviews by reason and by score band, largest first
// (score bands in band order).
type ReviewCounts struct {
	Total       int
	ByReason    []Count
	ByScoreBand []Count
}

// scoreBands are the lower bounds of the fuzzy score bands; a review without a score
// (a deterministic one) is in band "none".
var scoreBands = []string{"0.9", "0.8", "0.7", "0.6", "0.5"}

// scoreBand names the band of a score: its lower bound, "<0.5" below the lowest, or
// "none".
func scoreBand(score *float64) string {
	if score == nil {
		return "none"
	}
	for _, b := range scoreBands {
		if lo, _ := strconv.ParseFloat(b, 64); *score >= lo {
			return b
		}
	}
	return "<0.5"
}

// scoreBandSQL is the SQL of scoreBand over the score column.
func scoreBandSQL() string {
	var b strings.Builder
	b.WriteString("CASE WHEN score IS NULL THEN 'none'")
	for _, lo := range scoreBands {
		b.WriteString(" WHEN score >= " + lo + " THEN '" + lo + "'")
	}
	b.WriteString(" ELSE '<0.5' END")
	return b.String()
}

// CountReviews counts the identity reviews with status ("" for all) that the caller
// may see, by reason and score band. For a tenant-wide principal it is two GROUP BY
// queries; a scoped principal sees, as in FindReviews, the reviews whose customers
// are all inside its data scope, so those are read (reason, score and customers only)
// and counted one by one. Errors: invalid (status), unauthorized, forbidden.
func (s *Service) CountReviews(ctx context.Context, status string) (ReviewCounts, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return ReviewCounts{}, err
	}
	if status != "" && status != "open" && status != "resolved" {
		return ReviewCounts{}, errs.Field("query.status", "must be open or resolved")
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return ReviewCounts{}, err
	}
	var out ReviewCounts
	if sc.all {
		out, err = groupReviews(ctx, s.db.Reader(), p.TenantID, status)
	} else {
		out, err = countScopedReviews(ctx, s.db.Reader(), sc, p.TenantID, status)
	}
	if err != nil {
		return ReviewCounts{}, fmt.Errorf("identity: count reviews: %w", err)
	}
	for _, c := range out.ByReason {
		out.Total += c.Count
	}
	sortCounts(out.ByReason)
	order := append(slices.Clone(scoreBands), "<0.5", "none")
	slices.SortFunc(out.ByScoreBand, func(a, b Count) int {
		return cmp.Compare(slices.Index(order, a.Key), slices.Index(order, b.Key))
	})
	return out, nil
}

func reviewStatusWhere(args *[]any, status string) string {
	if status == "" {
		return ""
	}
	*args = append(*args, status)
	return " AND status = $" + strconv.Itoa(len(*args))
}

func groupReviews(ctx context.Context, q db.Querier, tenantID, status string) (ReviewCounts, error) {
	var out ReviewCounts
	for _, g := range []struct {
		expr string
		into *[]Count
	}{{"reason", &out.ByReason}, {scoreBandSQL(), &out.ByScoreBand}} {
		args := []any{tenantID}
		where := reviewStatusWhere(&args, status)
		err := db.EachRow(ctx, q, `SELECT `+g.expr+`, COUNT(*) FROM identity_reviews WHERE tenant_id = $1`+where+
			` GROUP BY `+g.expr, args, func(rs *sql.Rows) error {
			var c Count
			if err := rs.Scan(&c.Key, &c.Count); err != nil {
				return err
			}
			*g.into = append(*g.into, c)
			return nil
		})
		if err != nil {
			return ReviewCounts{}, err
		}
	}
	return out, nil
}

func countScopedReviews(ctx context.Context, q db.Querier, sc customerScope, tenantID, status string) (ReviewCounts, error) {
	args := []any{tenantID}
	where := reviewStatusWhere(&args, status)
	if c := sc.scopeClause(&args, "$1", "identity_reviews.customer_id"); c != "" {
		where += " AND " + c
	}
	var rows []Review
	err := db.EachRow(ctx, q, `SELECT customer_id, candidates, reason, score FROM identity_reviews WHERE tenant_id = $1`+where, args,
		func(rs *sql.Rows) error {
			var r Review
			var cands string
			var score sql.NullFloat64
			if err := rs.Scan(&r.CustomerID, &cands, &r.Reason, &score); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(cands), &r.Candidates); err != nil {
				return fmt.Errorf("review candidates: %w", err)
			}
			if score.Valid {
				r.Score = &score.Float64
			}
			rows = append(rows, r)
			return nil
		})
	if err != nil {
		return ReviewCounts{}, err
	}
	reasons, bands := map[string]int{}, map[string]int{}
	for _, r := range rows {
		ok, err := sc.seesReview(ctx, q, tenantID, r)
		if err != nil {
			return ReviewCounts{}, err
		}
		if ok {
			reasons[r.Reason]++
			bands[scoreBand(r.Score)]++
		}
	}
	return ReviewCounts{ByReason: countsOf(reasons), ByScoreBand: countsOf(bands)}, nil
}

func countsOf(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Count: n})
	}
	return out
}

func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key)) })
}
