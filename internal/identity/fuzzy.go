package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// FuzzyOptions tune MatchFuzzy; the zero value fits the model on the tenant's
// customers and chooses the thresholds for graph.DefaultTargetPrecision.
type FuzzyOptions struct {
	// Thresholds, when set, replace the chosen ones.
	Thresholds *graph.Thresholds
	// TargetPrecision is the expected precision of automatic merges the high
	// threshold is chosen for (default graph.DefaultTargetPrecision).
	TargetPrecision float64
	// DryRun scores and reports without merging or queueing anything.
	DryRun bool
	// Progress, when set, is told how far each stage is ("merge", "review").
	Progress func(stage string, done, total int)
}

// FuzzyReport is the outcome of MatchFuzzy.
type FuzzyReport struct {
	Customers int // live customers with a profile to match on
	Compared  int // pairs scored
	Merged    int // customers merged into another
	Reviews   int // review rows added (pairs already queued and open are not added again)
	Refused   int // groups not merged because the merge would break an identifier limit (queued for review instead)
	Skipped   int // blocks too large to compare
	// The model fitted on the first round's candidate pairs (later rounds reuse it
	// and its thresholds): every level's m, u and weight, the share of candidate
	// pairs that are one person, EM's iterations, the thresholds chosen and the
	// expected precision of the automatic merges at the high threshold.
	Weights           []graph.Weight
	Lambda, Prior     float64
	Iterations        int
	Thresholds        graph.Thresholds
	ExpectedPrecision float64
}

// FuzzyModelSummary words the fitted model of rep for a report: the thresholds, the
// expected precision, the share of matches among candidate pairs and each level's
// weight in bits with its m and u.
func FuzzyModelSummary(rep FuzzyReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "merge at match probability ≥ %.4f (expected precision %.4f), review ≥ %.2f; %.4f of candidate pairs match (EM, %d iterations); prior %.1f bits\n",
		rep.Thresholds.High, rep.ExpectedPrecision, rep.Thresholds.Review, rep.Lambda, rep.Iterations, rep.Prior)
	for _, w := range rep.Weights {
		fmt.Fprintf(&b, "  %-8s %-16s %+6.1f bits (m %.4f, u %.6f)\n", w.Comparison, w.Level, w.Bits, w.M, w.U)
	}
	return b.String()
}

// fuzzyGroupsPerTx bounds the merges written in one transaction.
const fuzzyGroupsPerTx = 200

// MatchFuzzy is the batch fuzzy pass over the tenant's live customers: it compares
// the profiles (name, gender, birthday, city, address, phone or masked phone) of
// customers sharing a blocking key, except pairs holding different values of a
// one-per-customer identifier type (graph.MatchFuzzy), merges the pairs scoring at or
// above the high threshold into the oldest customer with a strong identifier (else
// the oldest) with the inline merge code,
// and queues the middle band in identity_reviews with the score in the reason. A
// merge that would break an identifier limit is queued instead. Running it again
// merges nothing new and queues no duplicate. Errors: unauthorized, forbidden
// (customers:write over the whole tenant).
func (s *Service) MatchFuzzy(ctx context.Context, opt FuzzyOptions) (FuzzyReport, error) {
	p, rules, err := s.tenantPass(ctx, "fuzzy matching")
	if err != nil {
		return FuzzyReport{}, fmt.Errorf("identity: match fuzzy: %w", err)
	}
	progress := orNoProgress(opt.Progress)
	var rep FuzzyReport
	var reviews, refused []fuzzyReview
	var model *graph.Model
	// A merge combines two profiles, which can make the survivor match a third
	// customer: passes repeat until one merges nothing (at most fuzzyRounds).
	for round := 0; round < fuzzyRounds; round++ {
		var merged int
		var ref []fuzzyReview
		// Middle-band pairs are scored again each round; the last round's stand.
		reviews, ref, merged, err = s.fuzzyRound(ctx, p.TenantID, &rules, &opt, &model, &rep, progress)
		refused = append(refused, ref...)
		if err != nil {
			return rep, fmt.Errorf("identity: match fuzzy: %w", err)
		}
		if merged == 0 || opt.DryRun {
			break
		}
	}
	if opt.DryRun {
		rep.Reviews = len(reviews)
		return rep, nil
	}
	n, err := s.queueFuzzyReviews(ctx, p.TenantID, append(refused, reviews...), clock.Millis(s.clock.Now()))
	rep.Reviews = n
	if err != nil {
		return rep, fmt.Errorf("identity: match fuzzy: %w", err)
	}
	return rep, nil
}

// tenantPass authorises a pass over every customer of the caller's tenant (what
// names it in the forbidden error) and returns the tenant's rules.
func (s *Service) tenantPass(ctx context.Context, what string) (*auth.Principal, graph.Rules, error) {
	p, err := tenantWriter(ctx, what)
	if err != nil {
		return nil, graph.Rules{}, err
	}
	rules, err := s.rules.get(ctx, s.db.Reader(), p.TenantID)
	return p, rules, err
}

// orNoProgress returns f, or a progress function that ignores what it is told.
func orNoProgress(f func(stage string, done, total int)) func(string, int, int) {
	if f == nil {
		return func(string, int, int) {}
	}
	return f
}

// fuzzyRounds bounds the passes of MatchFuzzy.
const fuzzyRounds = 3

// fuzzyRound is one pass of MatchFuzzy: it scores the live customers, merges the
// groups (unless opt.DryRun) and returns the pairs to review (middle band), the pairs of the groups it refused to merge, and how many customers it
// merged away.
func (s *Service) fuzzyRound(ctx context.Context, tenantID string, rules *graph.Rules, opt *FuzzyOptions, model **graph.Model, rep *FuzzyReport, progress func(string, int, int)) ([]fuzzyReview, []fuzzyReview, int, error) {
	cands, err := s.fuzzyCandidates(ctx, tenantID, rules)
	if err != nil {
		return nil, nil, 0, err
	}
	review := func(ps []graph.FuzzyPair) []fuzzyReview {
		out := make([]fuzzyReview, len(ps))
		for i, p := range ps {
			out[i] = fuzzyReview{a: cands[p.A], b: cands[p.B], pair: p}
		}
		return out
	}
	recs := make([]graph.FuzzyRecord, len(cands))
	for i, c := range cands {
		recs[i] = graph.FuzzyRecord{Features: graph.NewFeatures(c.profile), Strong: c.strong, Exclusive: c.exclusive}
	}
	res := graph.MatchFuzzy(recs, graph.FuzzyOptions{Model: *model, Thresholds: opt.Thresholds, TargetPrecision: opt.TargetPrecision})
	if *model == nil {
		// The first round's model and thresholds stand for the later rounds, whose
		// candidates are what the merges left.
		*model, opt.Thresholds = &res.Model, &res.Thresholds
		rep.Weights, rep.Lambda, rep.Prior, rep.Iterations = res.Model.Weights(), res.Model.Lambda, res.Model.Prior(), res.Model.Iterations
		rep.Thresholds, rep.ExpectedPrecision = res.Thresholds, res.ExpectedPrecision
	}
	rep.Customers, rep.Compared, rep.Skipped = len(cands), rep.Compared+res.Compared, res.Skipped
	reviews := review(res.Reviews)
	var refusedPairs []fuzzyReview
	if opt.DryRun {
		for _, g := range res.Groups {
			rep.Merged += len(g.Absorbed)
		}
		return reviews, nil, 0, nil
	}
	now := clock.Millis(s.clock.Now())
	total := 0
	for start := 0; start < len(res.Groups); start += fuzzyGroupsPerTx {
		if err := ctx.Err(); err != nil {
			return nil, nil, total, err
		}
		progress("merge", start, len(res.Groups))
		chunk := res.Groups[start:min(start+fuzzyGroupsPerTx, len(res.Groups))]
		var merged, refused int
		var queued []graph.FuzzyPair
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			merged, refused, queued = 0, 0, nil
			for _, g := range chunk {
				ok, err := s.fuzzyMerge(ctx, tx, tenantID, cands, g, rules, now)
				if err != nil {
					return err
				}
				if ok {
					merged += len(g.Absorbed)
				} else {
					refused++
					queued = append(queued, g.Pairs...)
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, total, err
		}
		total += merged
		rep.Refused += refused
		refusedPairs = append(refusedPairs, review(queued)...)
	}
	progress("merge", len(res.Groups), len(res.Groups))
	rep.Merged += total
	return reviews, refusedPairs, total, nil
}

// fuzzyReview is a pair of customers to queue for review.
type fuzzyReview struct {
	a, b fuzzyCandidate
	pair graph.FuzzyPair
}

// fuzzyCandidate is a live customer with its matching profile.
type fuzzyCandidate struct {
	id     string
	strong bool
	// exclusive are the identifiers of types limited to one per customer, with the
	// blind index as the value: equal indexes are equal values, so they compare
	// without opening anything.
	exclusive []graph.Identifier
	profile   graph.Profile
}

// fuzzyCandidates returns the tenant's live (not merged, not erased) customers that
// have a profile, oldest first, with their strength and exclusive identifiers.
func (s *Service) fuzzyCandidates(ctx context.Context, tenantID string, rules *graph.Rules) ([]fuzzyCandidate, error) {
	q := s.db.Reader()
	profiles, err := s.customerProfiles(ctx, q, tenantID)
	if err != nil {
		return nil, err
	}
	strong := map[string]bool{}
	exclusive := map[string][]graph.Identifier{}
	rows, err := q.QueryContext(ctx, `SELECT customer_id, type, value_index, strength FROM customer_identifiers WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, typ, index, strength string
		if err := rows.Scan(&id, &typ, &index, &strength); err != nil {
			rows.Close()
			return nil, err
		}
		if strength == graph.Strong.String() {
			strong[id] = true
		}
		if t, err := graph.ParseType(typ); err == nil && rules.Rule(t).MaxPerCustomer == 1 {
			exclusive[id] = append(exclusive[id], graph.Identifier{Type: t, Value: index})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id FROM customers WHERE tenant_id = $1 AND merged_into IS NULL AND status = $2 ORDER BY created_at, id`,
		tenantID, string(CustomerActive))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fuzzyCandidate
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		pr, ok := profiles[id]
		if !ok {
			continue
		}
		out = append(out, fuzzyCandidate{id: id, strong: strong[id], exclusive: exclusive[id], profile: pr.Profile})
	}
	return out, rows.Err()
}

// fuzzyProfile is a customer's matching profile.
type fuzzyProfile struct {
	graph.Profile
	fullPhone bool // Phone is a full number, not a masked one
}

// customerProfiles returns the matching profile of every live customer whose cluster
// has a profile (customer_profiles, filled from the events' properties as they
// arrive, so nothing here opens an event): per field, the customer's own value, else
// those of the customers merged into it, oldest first — the rule of customerProfile
// — and its phone identifier, else the cluster's newest masked phone.
func (s *Service) customerProfiles(ctx context.Context, q db.Querier, tenantID string) (map[string]fuzzyProfile, error) {
	rows, err := s.profileRows(ctx, q, tenantID, nil)
	if err != nil {
		return nil, err
	}
	var live []string
	absorbed := map[string][]string{} // live customer → the customers merged into it, oldest first
	err = db.EachRow(ctx, q, `SELECT id, merged_into FROM customers WHERE tenant_id = $1 ORDER BY created_at, id`, []any{tenantID},
		func(rs *sql.Rows) error {
			var id string
			var into sql.NullString
			if err := rs.Scan(&id, &into); err != nil {
				return err
			}
			if into.Valid {
				absorbed[into.String] = append(absorbed[into.String], id)
			} else {
				live = append(live, id)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	phones := map[string]string{}
	err = db.EachRow(ctx, q, `SELECT customer_id, value_sealed FROM customer_identifiers WHERE tenant_id = $1 AND type = $2`,
		[]any{tenantID, graph.TypePhone.String()}, func(rs *sql.Rows) error {
			var c, sealed string
			if err := rs.Scan(&c, &sealed); err != nil {
				return err
			}
			v, err := s.pii.Open(sealed, identifierContext(graph.TypePhone.String()))
			if err != nil {
				return fmt.Errorf("customer %s phone: %w", c, err)
			}
			phones[c] = v
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := map[string]fuzzyProfile{}
	for _, c := range live {
		var p Profile
		var masked string
		found := false
		for _, m := range append([]string{c}, absorbed[c]...) {
			r, ok := rows[m]
			if !ok {
				continue
			}
			found = true
			fillProfile(&p, r.profile)
			if masked == "" {
				masked = r.maskedPhone
			}
		}
		if !found {
			continue
		}
		pr := fuzzyProfile{Profile: graph.Profile{Name: p.Name, Gender: p.Gender, Birthday: p.Birthday, City: p.City, Address: p.Address, Phone: masked}}
		if phone := phones[c]; phone != "" {
			pr.Phone, pr.fullPhone = phone, true
		}
		out[c] = pr
	}
	return out, nil
}

// fuzzyMerge merges group g in tx when every customer is still live and the merged
// customer stays within the identifier limits; it reports false (nothing written)
// otherwise.
func (s *Service) fuzzyMerge(ctx context.Context, tx *sql.Tx, tenantID string, cands []fuzzyCandidate, g graph.FuzzyGroup, rules *graph.Rules, now int64) (bool, error) {
	members := []string{cands[g.Survivor].id}
	for _, a := range g.Absorbed {
		members = append(members, cands[a].id)
	}
	slices.Sort(members)
	// The customers are locked and loaded the way ingestion loads them, so that a
	// concurrent merge or erasure is seen.
	st := &batchState{tenantID: tenantID, now: now, rules: *rules, customers: map[string]*batchCustomer{}}
	stale, err := st.lockCustomers(ctx, tx, s.db.Dialect, members)
	if err != nil {
		return false, err
	}
	if stale {
		return false, nil // merged away or erased since it was read; the next run sees the survivor
	}
	if err := st.loadIdentifiers(ctx, tx, s.db.Dialect, s.pii, members); err != nil {
		return false, err
	}
	var all []graph.Identifier
	for _, c := range st.customers {
		all = append(all, c.ids...)
	}
	if _, dropped := fitting(nil, all, rules); len(dropped) > 0 {
		return false, nil
	}
	survivor := cands[g.Survivor].id
	var absorbed, merges []string
	reason := fuzzyReason(g.Pairs)
	for _, a := range g.Absorbed {
		// Recorded like every merge, so that a person can unmerge it.
		if err := s.absorb(ctx, tx, tenantID, cands[a].id, survivor, MergeFuzzy, reason, now, batchLinks{merges: &merges}); err != nil {
			return false, err
		}
		absorbed = append(absorbed, cands[a].id)
	}
	// Reviews whose two sides this merge joined have nothing left to decide.
	if _, err := closeMootReviews(ctx, tx, tenantID, members, now); err != nil {
		return false, err
	}
	ev := CustomerMergedEvent{SurvivorID: survivor, Absorbed: absorbed, Kind: MergeFuzzy, Reason: maskMergeReason(MergeFuzzy, reason)}
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "customer.merge", ResourceType: "customer", ResourceID: survivor, Changes: ev}); err != nil {
		return false, err
	}
	if _, err := s.outbox.Publish(ctx, tx, tenantID, EventCustomerMerged, survivor, ev); err != nil {
		return false, err
	}
	// Last: the tenant's identity map counter stays locked until the commit.
	if err := appendMapLog(ctx, tx, tenantID, now, mapMerges(merges)); err != nil {
		return false, err
	}
	return true, nil
}

// fuzzyReason describes the pairs that joined a group: "fuzzy score 0.99: name
// equal, birthday equal, …", pairs separated by "; ".
func fuzzyReason(ps []graph.FuzzyPair) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("fuzzy score %.2f: %s", p.Score, strings.Join(p.Reasons, ", "))
	}
	return strings.Join(parts, "; ")
}

// queueFuzzyReviews inserts an identity_reviews row per pair unless an open fuzzy
// review of the same two customers exists. The row's customer is the pair's record
// without a strong identifier (the newer one when both lack one) and its event that
// record's newest event. It returns how many rows it added.
func (s *Service) queueFuzzyReviews(ctx context.Context, tenantID string, pairs []fuzzyReview, now int64) (int, error) {
	if len(pairs) == 0 {
		return 0, nil
	}
	open := map[string]bool{}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT candidates FROM identity_reviews WHERE tenant_id = $1 AND status = 'open' AND reason LIKE 'fuzzy%'`, tenantID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, err
		}
		open[c] = true
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	added := 0
	for start := 0; start < len(pairs); start += fuzzyGroupsPerTx {
		chunk := pairs[start:min(start+fuzzyGroupsPerTx, len(pairs))]
		n := 0
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			n = 0
			for _, pr := range chunk {
				subject, other := pr.b, pr.a
				if subject.strong && !other.strong {
					subject, other = other, subject
				}
				pair := []string{subject.id, other.id}
				slices.Sort(pair)
				cj, _ := json.Marshal(pair) // strings always marshal
				if open[string(cj)] {
					continue
				}
				reason := fuzzyReason([]graph.FuzzyPair{pr.pair})
				var newest eventKey
				if err := tx.QueryRowContext(ctx, `SELECT touchpoint_id, id FROM events WHERE tenant_id = $1 AND customer_id = $2
					ORDER BY occurred_at DESC, id DESC, touchpoint_id DESC LIMIT 1`,
					tenantID, subject.id).Scan(&newest.touchpoint, &newest.id); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				explanation, _ := json.Marshal(pr.pair.Explanation.Terms) // plain structs always marshal
				if _, err := tx.ExecContext(ctx, `INSERT INTO identity_reviews (tenant_id, id, event_id, event_touchpoint_id, customer_id, candidates, reason, status, created_at, score, explanation)
					VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)`, tenantID, ids.New(), newest.id, nullable(newest.touchpoint), subject.id, string(cj), reason, now,
					pr.pair.Score, string(explanation)); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return added, err
		}
		added += n
		for _, pr := range chunk {
			pair := []string{pr.a.id, pr.b.id}
			slices.Sort(pair)
			cj, _ := json.Marshal(pair)
			open[string(cj)] = true
		}
	}
	return added, nil
}
