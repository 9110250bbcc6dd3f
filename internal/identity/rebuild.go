package identity

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// RebuildOptions tune Rebuild.
type RebuildOptions struct {
	// Progress, when set, is told how far the swap is (stage "write").
	Progress func(stage string, done, total int)
}

// RebuildReport is the outcome of Rebuild.
type RebuildReport struct {
	Events     int            // events read
	Attached   int            // events attached to a customer
	Customers  int            // customers after the rebuild
	Previous   int            // live customers before it
	Refused    map[string]int // links graph.ResolveAll refused, by reason
	Identifier int            // identifiers held by the new customers
}

// rebuildEvent is one stored event reduced to what resolution needs.
type rebuildEvent struct {
	id        string
	at        int64
	idents    []graph.Identifier // linking identifiers, strongest first
	firstLink int                // index of its first link, -1 without one
}

// Rebuild re-resolves every stored event of the tenant from scratch with
// graph.ResolveAll (the batch form of the inline rules), for backfills and rule
// changes. It reads the events, builds the new customers in memory and swaps them in
// one transaction: new customers and identifiers, every event re-pointed, and every
// old customer redirected (merged_into) to the new customer that received most of its
// events, so old customer ids keep answering. Interrupted (ctx cancelled) before or
// during the swap, it leaves the old state intact. Fuzzy merges are not replayed: run
// MatchFuzzy afterwards. Open reviews are kept. Errors: conflict (events arrived
// while it ran; run it again), unauthorized, forbidden (customers:write over the
// whole tenant).
func (s *Service) Rebuild(ctx context.Context, opt RebuildOptions) (RebuildReport, error) {
	p, rules, err := s.tenantPass(ctx, "a rebuild")
	if err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	progress := orNoProgress(opt.Progress)
	evs, err := readRebuildEvents(ctx, s.db.Reader(), s.pii, p.TenantID, &rules)
	if err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	var links []graph.Link
	for i := range evs {
		e := &evs[i]
		e.firstLink = -1
		for k, id := range e.idents {
			if k == 0 {
				if len(e.idents) > 1 {
					continue // star links from the strongest identifier
				}
				e.firstLink = len(links)
				links = append(links, graph.Link{A: id, B: id}) // an identifier seen alone
				continue
			}
			if k == 1 {
				e.firstLink = len(links)
			}
			links = append(links, graph.Link{A: e.idents[0], B: id})
		}
	}
	if err := ctx.Err(); err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	res, err := graph.ResolveAll(links, rules)
	if err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	rep := RebuildReport{Events: len(evs), Customers: res.Clusters, Refused: map[string]int{}}
	for r, n := range res.RefusedBy() {
		rep.Refused[r.String()] = n
	}
	plan := planRebuild(evs, res, &rules)
	rep.Attached, rep.Identifier = len(plan.eventCustomer), len(plan.identifiers)
	if err := ctx.Err(); err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	now := clock.Millis(s.clock.Now())
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Ingestion must not commit between the check below and the commit: SQLite
		// serialises write transactions; PostgreSQL needs the table lock (SHARE
		// conflicts with the ROW EXCLUSIVE lock an INSERT takes).
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE events IN SHARE MODE`); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE tenant_id = $1`, p.TenantID).Scan(&n); err != nil {
			return err
		}
		if n != len(evs) {
			return errs.E(errs.Conflict, "%d events arrived during the rebuild; nothing was changed, run it again", n-len(evs))
		}
		prev, err := s.swapCustomers(ctx, tx, p.TenantID, plan, now, progress)
		if err != nil {
			return err
		}
		rep.Previous = prev
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "customer.rebuild", ResourceType: "customer", ResourceID: "*", Changes: rep})
	})
	if err != nil {
		return RebuildReport{}, fmt.Errorf("identity: rebuild: %w", err)
	}
	return rep, nil
}

// readRebuildEvents reads the tenant's events, oldest first, with their linking
// identifiers (opened) strongest first. Erased events have none: they stay with the
// erased customer.
func readRebuildEvents(ctx context.Context, q db.Querier, keys *pii.Keys, tenantID string, rules *graph.Rules) ([]rebuildEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, occurred_at, identifiers FROM events WHERE tenant_id = $1 ORDER BY occurred_at, id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rebuildEvent
	for rows.Next() {
		if len(out)%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var e rebuildEvent
		var raw string
		if err := rows.Scan(&e.id, &e.at, &raw); err != nil {
			return nil, err
		}
		var m map[string]string
		if err := openEventJSON(keys, raw, eventIdentifiersContext, &m); err != nil {
			return nil, fmt.Errorf("event %s identifiers: %w", e.id, err)
		}
		e.idents = slices.DeleteFunc(eventIdentifiers(m), func(id graph.Identifier) bool { return !rules.Rule(id.Type).Links })
		slices.SortStableFunc(e.idents, func(a, b graph.Identifier) int {
			return cmp.Compare(rules.Rule(b.Type).Strength, rules.Rule(a.Type).Strength)
		})
		out = append(out, e)
	}
	return out, rows.Err()
}

// rebuildPlan is the new assignment: customers (by cluster), their identifiers and
// each attached event's cluster.
type rebuildPlan struct {
	customers     []newCustomerRow // by cluster number
	identifiers   []identRow
	eventCustomer map[string]uint32 // event id → cluster
}

func planRebuild(evs []rebuildEvent, res *graph.Result, rules *graph.Rules) rebuildPlan {
	plan := rebuildPlan{customers: make([]newCustomerRow, res.Clusters), eventCustomer: map[string]uint32{}}
	for i := range plan.customers {
		plan.customers[i].id = ids.New() // time-ordered: clusters are numbered by first appearance
	}
	seen := map[graph.Identifier]bool{}
	for _, e := range evs {
		if e.firstLink < 0 {
			continue
		}
		c, ok := res.LinkCluster(e.firstLink)
		if !ok {
			continue
		}
		plan.eventCustomer[e.id] = c
		cu := &plan.customers[c]
		if cu.count == 0 || e.at < cu.first {
			cu.first = e.at
		}
		cu.last = max(cu.last, e.at)
		cu.count++
		for _, id := range e.idents {
			if seen[id] {
				continue
			}
			seen[id] = true
			if ic, ok := res.Cluster(id); ok {
				plan.identifiers = append(plan.identifiers, identRow{id: id, customer: plan.customers[ic].id, strength: rules.Rule(id.Type).Strength.String()})
			}
		}
	}
	return plan
}

// rebuildRowsPerStatement bounds multi-row statements of the swap.
const rebuildRowsPerStatement = 200

// swapCustomers writes plan in tx and returns how many live customers there were.
func (s *Service) swapCustomers(ctx context.Context, tx *sql.Tx, tenantID string, plan rebuildPlan, now int64, progress func(string, int, int)) (int, error) {
	// Old customers: each live one goes to the new customer holding most of its events.
	old := map[string]map[uint32]int{}
	rows, err := tx.QueryContext(ctx, `SELECT id, customer_id FROM events WHERE tenant_id = $1 AND customer_id IS NOT NULL`, tenantID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var ev, c string
		if err := rows.Scan(&ev, &c); err != nil {
			rows.Close()
			return 0, err
		}
		nc, ok := plan.eventCustomer[ev]
		if !ok {
			continue
		}
		if old[c] == nil {
			old[c] = map[uint32]int{}
		}
		old[c][nc]++
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	var prev int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, tenantID).Scan(&prev); err != nil {
		return 0, err
	}
	total := len(plan.customers) + len(plan.identifiers) + len(plan.eventCustomer)
	done := 0
	step := func(n int) error {
		done += n
		progress("write", done, total)
		return ctx.Err()
	}
	for start := 0; start < len(plan.customers); start += rebuildRowsPerStatement {
		chunk := plan.customers[start:min(start+rebuildRowsPerStatement, len(plan.customers))]
		if err := insertCustomers(ctx, tx, s.db.Dialect, tenantID, now, chunk); err != nil {
			return 0, err
		}
		if err := step(len(chunk)); err != nil {
			return 0, err
		}
	}
	// Every old customer, live or merged, redirects to the new customer of its live
	// survivor: one CASE update by id and one by merged_into per chunk.
	redirect := make(map[string]string, len(old))
	for oc, votes := range old {
		best, bestN := uint32(0), -1
		for c, n := range votes {
			if n > bestN || (n == bestN && c < best) {
				best, bestN = c, n
			}
		}
		redirect[oc] = plan.customers[best].id
	}
	for _, col := range []string{"id", "merged_into"} {
		err := updateByCase(ctx, tx, redirect, []any{tenantID, now}, func(caseExpr, in string) string {
			return `UPDATE customers SET merged_into = CASE ` + col + caseExpr + `, updated_at = $2 WHERE tenant_id = $1 AND ` + col + ` IN (` + in + `)`
		})
		if err != nil {
			return 0, err
		}
	}
	// Old live customers without an event now attached (none in practice) are left live.
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_identifiers WHERE tenant_id = $1`, tenantID); err != nil {
		return 0, err
	}
	for start := 0; start < len(plan.identifiers); start += rebuildRowsPerStatement {
		chunk := plan.identifiers[start:min(start+rebuildRowsPerStatement, len(plan.identifiers))]
		if err := s.insertIdentifiers(ctx, tx, tenantID, now, chunk); err != nil {
			return 0, err
		}
		if err := step(len(chunk)); err != nil {
			return 0, err
		}
	}
	links := make(map[string]string, len(plan.eventCustomer))
	for ev, c := range plan.eventCustomer {
		links[ev] = plan.customers[c].id
	}
	// Every attached event is re-pointed to its new customer.
	err = updateByCase(ctx, tx, links, []any{tenantID}, func(caseExpr, in string) string {
		return `UPDATE events SET customer_id = CASE id` + caseExpr + ` WHERE tenant_id = $1 AND id IN (` + in + `)`
	})
	if err != nil {
		return 0, err
	}
	return prev, step(len(links))
}

// caseRowsPerStatement bounds the keys of one updateByCase UPDATE (3 parameters each).
const caseRowsPerStatement = 300

// updateByCase sets a column from values (key → new value) with one UPDATE per
// caseRowsPerStatement keys, in key order. stmt builds the statement from the
// " WHEN $k THEN $v … END" part of a CASE on the key column and the IN list of the
// keys; fixed are its first parameters ($1…).
func updateByCase(ctx context.Context, q db.Querier, values map[string]string, fixed []any, stmt func(caseExpr, in string) string) error {
	keys := slices.Sorted(maps.Keys(values))
	for len(keys) > 0 {
		n := min(len(keys), caseRowsPerStatement)
		chunk := keys[:n]
		keys = keys[n:]
		var set, in strings.Builder
		args := make([]any, 0, len(fixed)+3*n)
		args = append(args, fixed...)
		for i, k := range chunk {
			p := len(args)
			fmt.Fprintf(&set, " WHEN $%d THEN $%d", p+1, p+2)
			if i > 0 {
				in.WriteString(", ")
			}
			fmt.Fprintf(&in, "$%d", p+3)
			args = append(args, k, values[k], k)
		}
		set.WriteString(" END")
		if _, err := q.ExecContext(ctx, stmt(set.String(), in.String()), args...); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
