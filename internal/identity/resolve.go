package identity

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// resolveAttempts bounds how often a batch is resolved again after a concurrent
// request linked one of its identifiers first.
const resolveAttempts = 10

// errStaleResolution makes the caller resolve the batch again: a customer the
// resolution read was merged away by a concurrent request.
var errStaleResolution = errors.New("identity: customer merged concurrently")

// customerLock returns the row-lock suffix of a customers SELECT in a write
// transaction (SQLite serialises write transactions and needs none).
func customerLock(d db.Dialect) string { return d.ForUpdate() }

// eventIdentifiers returns the identifiers of a stored event in a stable order
// (values were normalised by ParseEvent).
func eventIdentifiers(m map[string]string) []graph.Identifier {
	out := make([]graph.Identifier, 0, len(m))
	for k, v := range m {
		t, err := graph.ParseType(k)
		if err != nil {
			continue
		}
		out = append(out, graph.Identifier{Type: t, Value: v})
	}
	slices.SortFunc(out, func(a, b graph.Identifier) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), strings.Compare(a.Value, b.Value))
	})
	return out
}

// resolveEvent attaches the stored event r to one customer in tx, with the semantics
// of graph.Graph.Resolve: the customers holding the event's identifiers are loaded
// into a graph (oldest first, so the oldest survives a merge) and its decision is
// carried out. A refused decision still attaches the event: to the one candidate, or
// to the candidate of the strongest identifier, adding only the identifiers that fit
// the per-customer limits, and is queued in identity_reviews. An event without a
// linking identifier stays unattached, and so does one whose only identifiers are
// shared (a kiosk's device id); a weak identifier that the decision finds shared
// (graph.Decision.Shared) is marked so. A unique violation on customer_identifiers
// means a concurrent request linked an identifier first; the caller retries.
//
// The candidates come from st (loaded for the whole batch) and the new customers,
// identifiers, counters, profiles and store visits are written by flush; a merge
// flushes first. The event
// is not stored yet: its customer is recorded in links (event id → customer id), a
// merge re-points the links of the absorbed customers, and the caller inserts the
// events with their customers after resolving the batch.
func (s *Service) resolveEvent(ctx context.Context, tx *sql.Tx, st *batchState, r eventRow, links map[string]string) error {
	tenantID, now, rules := st.tenantID, st.now, st.rules
	in := st.linking(eventIdentifiers(r.Idents))
	if len(in) == 0 {
		return nil // no identifier, or only shared ones: the event identifies nobody
	}
	cands, owners := st.candidates(in)
	g, err := graph.New(rules, nil)
	if err != nil {
		return err
	}
	back := []string{""} // graph.CustomerID → customer id
	for _, c := range cands {
		for _, id := range c.ids {
			if _, held := g.Lookup(id); held {
				// Two candidates hold one identifier: a concurrent request changed
				// what the batch read between its reads.
				return fmt.Errorf("load customer %s into the graph: %w", c.id, errStaleResolution)
			}
		}
		if _, err := g.Apply(graph.Decision{Kind: graph.Create, Add: c.ids}); err != nil {
			return fmt.Errorf("load customer %s into the graph: %w", c.id, err)
		}
		back = append(back, c.id)
	}
	d := g.Resolve(in)
	st.share(d.Shared)

	var target string
	var absorbed []string
	var review string
	var reviewCands []string
	add := d.Add
	switch d.Kind {
	case graph.Create:
	case graph.Attach:
		target = back[d.Customer]
	case graph.Merge:
		target = back[d.Customer]
		for _, a := range d.Absorbed {
			absorbed = append(absorbed, back[a])
		}
	case graph.Review:
		var cur graph.CustomerID
		switch len(d.Candidates) {
		case 0:
		case 1:
			cur = d.Candidates[0]
		default:
			cur = strongest(in, owners, d.Candidates, back, &rules)
			for _, c := range d.Candidates {
				reviewCands = append(reviewCands, back[c])
			}
		}
		if cur != 0 {
			target = back[cur]
		}
		var dropped []string
		add, dropped = fitting(g.Identifiers(cur), d.Add, &rules)
		review = strings.Join(append(slices.Clone(d.Reasons), dropped...), "; ")
	}
	add = slices.DeleteFunc(slices.Clone(add), func(id graph.Identifier) bool { return !rules.Rule(id.Type).Links })
	if target == "" && len(add) == 0 {
		return nil // nothing to link the event by
	}
	created := target == ""
	if created {
		// A new customer starts with this event counted.
		target = ids.New()
		st.create(target, r.OccurredAt)
	}
	if len(absorbed) > 0 {
		// mergeCustomer works on the stored rows: write the batch's changes first.
		if err := s.flush(ctx, tx, st); err != nil {
			return err
		}
	}
	for _, a := range absorbed {
		// absorb records the merge (merge.go) and re-points the batch's links.
		if err := s.absorb(ctx, tx, tenantID, a, target, MergeAuto, "event "+r.ID, now, batchLinks{touchpoint: st.tp.ID, customers: links, merges: &st.merges}); err != nil {
			return err
		}
		st.absorbed(a, target)
	}
	if len(absorbed) > 0 {
		ev := CustomerMergedEvent{SurvivorID: target, Absorbed: absorbed, EventID: r.ID, TouchpointID: st.tp.ID, Kind: MergeAuto}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "customer.merge", ResourceType: "customer", ResourceID: target, Changes: ev}); err != nil {
			return err
		}
		if _, err := s.outbox.Publish(ctx, tx, tenantID, EventCustomerMerged, target, ev); err != nil {
			return err
		}
	}
	st.add(target, add, &rules)
	if !created {
		st.touch(target, r.OccurredAt)
	}
	links[r.ID] = target
	if err := s.applyEventProfile(ctx, tx, st, r, target); err != nil {
		return err
	}
	if review != "" {
		if reviewCands == nil {
			reviewCands = []string{target}
		}
		cj, _ := json.Marshal(reviewCands) // strings always marshal
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_reviews (tenant_id, id, event_id, event_touchpoint_id, customer_id, candidates, reason, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)`, tenantID, ids.New(), r.ID, st.tp.ID, target, string(cj), review, now); err != nil {
			return err
		}
	}
	return nil
}

// strongest returns the candidate holding the event's strongest identifier (the
// first in type order on a tie); back maps candidates to customer ids.
func strongest(in []graph.Identifier, owners map[graph.Identifier]string, cands []graph.CustomerID, back []string, rules *graph.Rules) graph.CustomerID {
	sorted := slices.Clone(in)
	slices.SortStableFunc(sorted, func(a, b graph.Identifier) int {
		return cmp.Compare(rules.Rule(b.Type).Strength, rules.Rule(a.Type).Strength)
	})
	for _, id := range sorted {
		o, ok := owners[id]
		if !ok {
			continue
		}
		for _, c := range cands {
			if back[c] == o {
				return c
			}
		}
	}
	return cands[0]
}

// fitting splits add into the identifiers that a customer holding have can take
// under the per-customer and cluster limits (strongest first) and the reasons for
// the others.
func fitting(have, add []graph.Identifier, rules *graph.Rules) ([]graph.Identifier, []string) {
	var count [32]int
	for _, id := range have {
		count[id.Type]++
	}
	total := len(have)
	sorted := slices.Clone(add)
	slices.SortStableFunc(sorted, func(a, b graph.Identifier) int {
		return cmp.Compare(rules.Rule(b.Type).Strength, rules.Rule(a.Type).Strength)
	})
	var ok []graph.Identifier
	var why []string
	for _, id := range sorted {
		rl := rules.Rule(id.Type)
		switch {
		case rl.MaxPerCustomer > 0 && count[id.Type] >= rl.MaxPerCustomer:
			// Reasons are stored in plain text: they name the type, never the value.
			why = append(why, fmt.Sprintf("a %s identifier not added: at most %d %s identifiers per customer", id.Type, rl.MaxPerCustomer, id.Type))
		case rules.MaxClusterSize > 0 && total >= rules.MaxClusterSize:
			why = append(why, fmt.Sprintf("a %s identifier not added: cluster size limit %d", id.Type, rules.MaxClusterSize))
		default:
			ok = append(ok, id)
			count[id.Type]++
			total++
		}
	}
	return ok, why
}

type candidate struct {
	id  string
	ids []graph.Identifier
}

// mergeCustomer moves the identifiers and events of from (and the redirects to it)
// to the live customer into and adds from's counters to into.
func mergeCustomer(ctx context.Context, tx *sql.Tx, tenantID, from, into string, now int64) error {
	var first, last, count int64
	if err := tx.QueryRowContext(ctx, `SELECT first_seen_at, last_seen_at, event_count FROM customers WHERE tenant_id = $1 AND id = $2`,
		tenantID, from).Scan(&first, &last, &count); err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE customer_identifiers SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2`,
		`UPDATE events SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2`,
		`UPDATE customers SET merged_into = $3 WHERE tenant_id = $1 AND merged_into = $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, tenantID, from, into); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET merged_into = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, from, into, now); err != nil {
		return err
	}
	return touchCustomer(ctx, tx, tenantID, into, count, first, last, now)
}

// touchCustomer adds n events seen between first and last to a customer.
func touchCustomer(ctx context.Context, tx *sql.Tx, tenantID, id string, n, first, last, now int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET event_count = event_count + $3,
		first_seen_at = CASE WHEN first_seen_at > $4 THEN $4 ELSE first_seen_at END,
		last_seen_at = CASE WHEN last_seen_at < $5 THEN $5 ELSE last_seen_at END, updated_at = $6
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, n, first, last, now)
	return err
}
