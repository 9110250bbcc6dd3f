package identity

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
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
	// Progress, when set, is told how far the swap is (stage "write", then
	// "profiles": customers whose profiles are recomputed).
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
	Reviews    int            // reviews queued for refused links
	Superseded int            // open reviews the rebuild closed
}

// rebuildEvent is one stored event reduced to what resolution needs.
type rebuildEvent struct {
	key       eventKey
	at        int64
	idents    []graph.Identifier // linking identifiers, strongest first
	firstLink int                // index of its first link, -1 without one
}

// Rebuild re-resolves every stored event of the tenant from scratch with
// graph.ResolveAll (the batch form of the inline rules), for backfills and rule
// changes. It reads the events, builds the new customers in memory and swaps them in
// one transaction: new customers and identifiers, every event re-pointed, and every
// old customer redirected (merged_into) to the new customer that received most of its
// events, so old customer ids keep answering. Identifiers graph.Result.Shared reports
// are marked shared, and an event whose identifiers are all shared is left unattached. Interrupted (ctx cancelled) before or
// during the swap, it leaves the old state intact. Fuzzy merges are not replayed: run
// MatchFuzzy afterwards.
//
// Reviews: an event whose links were refused because the joined customer would break
// a per-customer limit (uniqueness) or the cluster size limit is queued for review as
// inline resolution queues it (see rebuildReviews). Every review still open is closed
// (resolved, no resolution, note rebuildNote): it asked about the old
// customers, whose ids now redirect, and the rebuild has just decided its event again
// and queued it anew when still refused; fuzzy reviews come back with MatchFuzzy. So
// repeated rebuilds leave one open review per refused event. An event whose latest
// review a person resolved with separate is not queued again: the rebuild keeps it
// apart, as decided.
//
// Errors: conflict (events arrived while it ran; run it again), unauthorized,
// forbidden (customers:write over the whole tenant).
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
	rep := RebuildReport{Events: len(evs), Refused: map[string]int{}}
	for r, n := range res.RefusedBy() {
		rep.Refused[r.String()] = n
	}
	plan := planRebuild(evs, res, &rules)
	rep.Attached, rep.Identifier, rep.Customers = len(plan.eventCustomer), len(plan.identifiers), len(plan.liveCustomers())
	reviews := rebuildReviews(evs, links, res, &rules, &plan)
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
		rep.Superseded, rep.Reviews, err = replaceReviews(ctx, tx, s.db.Dialect, p.TenantID, reviews, now)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "customer.rebuild", ResourceType: "customer", ResourceID: "*", Changes: rep}); err != nil {
			return err
		}
		// Every event and identifier may have a new customer: identity-map consumers
		// start again from a snapshot.
		return appendMapLog(ctx, tx, p.TenantID, now, []mapEntry{{kind: mapReset}})
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
	rows, err := q.QueryContext(ctx, `SELECT touchpoint_id, id, occurred_at, identifiers FROM events WHERE tenant_id = $1
		ORDER BY occurred_at, id, touchpoint_id`, tenantID)
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
		if err := rows.Scan(&e.key.touchpoint, &e.key.id, &e.at, &raw); err != nil {
			return nil, err
		}
		var m map[string]string
		if err := openEventJSON(keys, raw, eventIdentifiersContext, &m); err != nil {
			return nil, fmt.Errorf("event %s identifiers: %w", e.key.ref(), err)
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
	shared        []identRow          // identifiers found shared (graph.Result.Shared)
	detached      []eventKey          // events whose identifiers are all shared: left unattached
	eventCustomer map[eventKey]uint32 // event → cluster
}

func planRebuild(evs []rebuildEvent, res *graph.Result, rules *graph.Rules) rebuildPlan {
	plan := rebuildPlan{customers: make([]newCustomerRow, res.Clusters), eventCustomer: map[eventKey]uint32{}}
	for i := range plan.customers {
		plan.customers[i].id = ids.New() // time-ordered: clusters are numbered by first appearance
	}
	for _, e := range evs {
		if len(e.idents) > 0 && !slices.ContainsFunc(e.idents, func(id graph.Identifier) bool { return !res.Shared(id) }) {
			plan.detached = append(plan.detached, e.key) // only shared identifiers (a kiosk's device id): identifies nobody
			continue
		}
		c, ok := eventCluster(e, res, rules)
		if !ok {
			continue
		}
		plan.eventCustomer[e.key] = c
		cu := &plan.customers[c]
		if cu.count == 0 || e.at < cu.first {
			cu.first = e.at
		}
		cu.last = max(cu.last, e.at)
		cu.count++
	}
	// Identifiers go to the customers that received events. One whose cluster received
	// none — it only came with events whose links to it were refused — is not kept,
	// as inline resolution drops an identifier that does not fit: no customer without
	// events is made.
	seen := map[graph.Identifier]bool{}
	for _, e := range evs {
		if _, ok := plan.eventCustomer[e.key]; !ok {
			continue
		}
		for _, id := range e.idents {
			if seen[id] {
				continue
			}
			seen[id] = true
			if ic, ok := res.Cluster(id); ok && plan.customers[ic].count > 0 {
				plan.identifiers = append(plan.identifiers, identRow{id: id, customer: plan.customers[ic].id, strength: rules.Rule(id.Type).Strength.String()})
				if res.Shared(id) {
					plan.shared = append(plan.shared, identRow{id: id})
				}
			}
		}
	}
	return plan
}

// eventCluster returns the cluster an event goes to: the cluster of its strongest
// identifier and, among equally strong ones in different clusters (a link refused
// between them), the oldest — as inline resolution attaches such an event to the
// existing customer holding its strongest identifier and drops what does not fit.
func eventCluster(e rebuildEvent, res *graph.Result, rules *graph.Rules) (uint32, bool) {
	if e.firstLink < 0 {
		return 0, false
	}
	best, found := uint32(0), false
	top := rules.Rule(e.idents[0].Type).Strength
	for _, id := range e.idents {
		if rules.Rule(id.Type).Strength != top {
			break // strongest first
		}
		if c, ok := res.Cluster(id); ok && (!found || c < best) {
			best, found = c, true
		}
	}
	return best, found
}

// liveCustomers returns the planned customers that received events.
func (p *rebuildPlan) liveCustomers() []newCustomerRow {
	return slices.DeleteFunc(slices.Clone(p.customers), func(c newCustomerRow) bool { return c.count == 0 })
}

// rebuildReview is a review the rebuild queues: the event went to customer; a
// person decides whether the candidates are one customer.
type rebuildReview struct {
	event      eventKey
	customer   string
	candidates []string // oldest first
	reason     string
}

// rebuildReviews returns one review per event whose links were refused for
// uniqueness or cluster size, in event order. Each link belongs to the event that
// made it (an event's links are consecutive from firstLink). The candidates are the
// new customers on both sides of its refused links, the reason is worded as
// inline resolution words it (graph.Graph.Resolve), counting the identifiers of both
// new customers. Weak-link refusals are not queued: a device shared by customers
// who both have stronger keys is kept apart by design, and inline resolution does
// not queue it either unless another rule was broken.
func rebuildReviews(evs []rebuildEvent, links []graph.Link, res *graph.Result, rules *graph.Rules, plan *rebuildPlan) []rebuildReview {
	refused := slices.DeleteFunc(slices.Clone(res.Refused), func(f graph.Refusal) bool { return f.Reason == graph.ReasonWeakLink })
	if len(refused) == 0 {
		return nil
	}
	slices.SortFunc(refused, func(a, b graph.Refusal) int { return cmp.Compare(a.Link, b.Link) })
	sides := func(f graph.Refusal) (uint32, uint32) {
		a, _ := res.Cluster(links[f.Link].A)
		b, _ := res.Cluster(links[f.Link].B)
		return a, b
	}
	// The identifiers each side would bring, counted over every identifier of the
	// events (also those not kept because their cluster received no event).
	counts := map[uint32]*clusterCount{}
	for _, f := range refused {
		a, b := sides(f)
		counts[a], counts[b] = &clusterCount{}, &clusterCount{}
	}
	seen := map[graph.Identifier]bool{}
	for _, e := range evs {
		for _, id := range e.idents {
			if seen[id] {
				continue
			}
			seen[id] = true
			if c, ok := res.Cluster(id); ok && counts[c] != nil {
				counts[c].total++
				counts[c].byType[id.Type]++
			}
		}
	}
	var out []rebuildReview
	next := 0
	for _, e := range evs {
		if e.firstLink < 0 {
			continue
		}
		end := e.firstLink + max(1, len(e.idents)-1)
		var clusters []uint32
		var reasons, dropped []string
		for ; next < len(refused) && refused[next].Link < end; next++ {
			f := refused[next]
			a, b := sides(f)
			ca, cb := counts[a], counts[b]
			var why string
			if f.Reason == graph.ReasonUniqueness {
				why = fmt.Sprintf("would hold %d %s identifiers (at most %d allowed)", ca.byType[f.Type]+cb.byType[f.Type], f.Type, rules.Rule(f.Type).MaxPerCustomer)
			} else {
				why = fmt.Sprintf("would hold %d identifiers (cluster size limit %d)", ca.total+cb.total, rules.MaxClusterSize)
			}
			if !slices.Contains(reasons, why) {
				reasons = append(reasons, why)
			}
			clusters = append(clusters, a, b)
			dropped = append(dropped, droppedNotes(e, f, res, rules, plan)...)
		}
		for _, d := range dropped {
			if !slices.Contains(reasons, d) {
				reasons = append(reasons, d)
			}
		}
		c, ok := plan.eventCustomer[e.key]
		if len(reasons) == 0 || !ok {
			continue
		}
		// Clusters are numbered by first appearance: in number order, oldest first.
		slices.Sort(clusters)
		r := rebuildReview{event: e.key, customer: plan.customers[c].id, reason: strings.Join(reasons, "; ")}
		for _, k := range slices.Compact(clusters) {
			if plan.customers[k].count > 0 { // a cluster without events is no customer
				r.candidates = append(r.candidates, plan.customers[k].id)
			}
		}
		out = append(out, r)
	}
	return out
}

// droppedNotes words, as inline resolution's fitting does, the identifiers of event
// e that refusal f left in a cluster without events (so not kept).
func droppedNotes(e rebuildEvent, f graph.Refusal, res *graph.Result, rules *graph.Rules, plan *rebuildPlan) []string {
	var out []string
	for _, id := range e.idents {
		c, ok := res.Cluster(id)
		if !ok || plan.customers[c].count > 0 {
			continue
		}
		switch {
		case f.Reason == graph.ReasonUniqueness && id.Type == f.Type:
			out = append(out, fmt.Sprintf("a %s identifier not added: at most %d %s identifiers per customer", id.Type, rules.Rule(id.Type).MaxPerCustomer, id.Type))
		case f.Reason == graph.ReasonClusterSize:
			out = append(out, fmt.Sprintf("a %s identifier not added: cluster size limit %d", id.Type, rules.MaxClusterSize))
		}
	}
	return out
}

// clusterCount counts the identifiers of one new customer.
type clusterCount struct {
	total  int
	byType [32]int
}

// rebuildNote is the note of the open reviews a rebuild closes.
const rebuildNote = "superseded by an identity rebuild"

// replaceReviews closes the tenant's open reviews and queues rv, but for the events
// whose latest review a person resolved with separate. It returns how many it closed
// and queued.
func replaceReviews(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, rv []rebuildReview, now int64) (closed, queued int, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE identity_reviews SET status = 'resolved', resolved_at = $2, note = $3 WHERE tenant_id = $1 AND status = 'open'`,
		tenantID, now, rebuildNote)
	if err != nil {
		return 0, 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, 0, err
	}
	decided := map[eventKey]string{} // event → latest decision
	err = db.EachRow(ctx, tx, `SELECT COALESCE(event_touchpoint_id, ''), event_id, resolution FROM identity_reviews
		WHERE tenant_id = $1 AND resolution IS NOT NULL AND score IS NULL ORDER BY resolved_at, id`,
		[]any{tenantID}, func(rows *sql.Rows) error {
			var ev eventKey
			var resolution string
			if err := rows.Scan(&ev.touchpoint, &ev.id, &resolution); err != nil {
				return err
			}
			decided[ev] = resolution
			return nil
		})
	if err != nil {
		return 0, 0, err
	}
	rv = slices.DeleteFunc(slices.Clone(rv), func(r rebuildReview) bool { return decided[r.event] == ReviewSeparate })
	w := db.Rows{Head: `INSERT INTO identity_reviews (tenant_id, created_at, status, id, event_id, event_touchpoint_id, customer_id, candidates, reason)`,
		Lead: "$1, $2, $3", Fixed: []any{tenantID, now, "open"}}
	err = db.WriteRows(ctx, tx, d, w, rv, func(r rebuildReview) []any {
		cj, _ := json.Marshal(r.candidates) // strings always marshal
		return []any{ids.New(), r.event.id, r.event.touchpoint, r.customer, string(cj), r.reason}
	}, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("queue reviews: %w", err)
	}
	return int(n), len(rv), nil
}

// rebuildRowsPerStatement bounds multi-row statements of the swap.
const rebuildRowsPerStatement = 200

// swapCustomers writes plan in tx and returns how many live customers there were.
func (s *Service) swapCustomers(ctx context.Context, tx *sql.Tx, tenantID string, plan rebuildPlan, now int64, progress func(string, int, int)) (int, error) {
	// Old customers: each live one goes to the new customer holding most of its events.
	old := map[string]map[uint32]int{}
	rows, err := tx.QueryContext(ctx, `SELECT touchpoint_id, id, customer_id FROM events WHERE tenant_id = $1 AND customer_id IS NOT NULL`, tenantID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var ev eventKey
		var c string
		if err := rows.Scan(&ev.touchpoint, &ev.id, &c); err != nil {
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
	live := plan.liveCustomers()
	total := len(live) + len(plan.identifiers) + len(plan.eventCustomer)
	done := 0
	step := func(n int) error {
		done += n
		progress("write", done, total)
		return ctx.Err()
	}
	for start := 0; start < len(live); start += rebuildRowsPerStatement {
		chunk := live[start:min(start+rebuildRowsPerStatement, len(live))]
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
	if err := s.markShared(ctx, tx, tenantID, plan.shared); err != nil {
		return 0, err
	}
	for _, ev := range plan.detached {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET customer_id = NULL WHERE tenant_id = $1 AND touchpoint_id = $2 AND id = $3`,
			tenantID, ev.touchpoint, ev.id); err != nil {
			return 0, err
		}
	}
	// Every attached event is re-pointed to its new customer, in key order.
	events := slices.SortedFunc(maps.Keys(plan.eventCustomer), func(a, b eventKey) int {
		return cmp.Or(strings.Compare(a.touchpoint, b.touchpoint), strings.Compare(a.id, b.id))
	})
	w := db.Rows{Head: `WITH d (touchpoint_id, id, customer_id) AS (`, Fixed: []any{tenantID}, Tail: `)
		UPDATE events SET customer_id = d.customer_id FROM d
		WHERE events.tenant_id = $1 AND events.touchpoint_id = d.touchpoint_id AND events.id = d.id`}
	for chunk := range slices.Chunk(events, rebuildRowsPerStatement) {
		err := db.WriteRows(ctx, tx, s.db.Dialect, w, chunk, func(ev eventKey) []any {
			return []any{ev.touchpoint, ev.id, plan.customers[plan.eventCustomer[ev]].id}
		}, nil)
		if err != nil {
			return 0, err
		}
		if err := step(len(chunk)); err != nil {
			return 0, err
		}
	}
	if err := s.rebuildProfiles(ctx, tx, tenantID, now, progress); err != nil {
		return 0, fmt.Errorf("profiles: %w", err)
	}
	return prev, nil
}

// rebuildProfilesPerFlush bounds the customers whose profile events rebuildProfiles
// holds in memory before it writes them.
const rebuildProfilesPerFlush = 2000

// rebuildProfiles recomputes the customer 360 rows that follow the events — profiles
// and store visits — for the customers the events now belong to: the rows of the old
// customers are deleted and every attached event is applied again, customer by
// customer, oldest event first, as ingestion applies it. Without it a customer the
// rebuild split off would have no profile (the old customer's row redirects to the
// new customer that received most of its events). Consents stay with the customer
// that recorded them and are read over its cluster.
func (s *Service) rebuildProfiles(ctx context.Context, tx *sql.Tx, tenantID string, now int64, progress func(string, int, int)) error {
	tps := map[string]Touchpoint{}
	err := db.EachRow(ctx, tx, `SELECT id, channel, store_id FROM touchpoints WHERE tenant_id = $1`, []any{tenantID}, func(rs *sql.Rows) error {
		var t Touchpoint
		var store sql.NullString
		if err := rs.Scan(&t.ID, &t.Channel, &store); err != nil {
			return err
		}
		t.StoreID = store.String
		tps[t.ID] = t
		return nil
	})
	if err != nil {
		return err
	}
	for _, table := range []string{"customer_profiles", "customer_store_visits"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, tenantID); err != nil {
			return err
		}
	}
	var customers []string
	err = db.EachRow(ctx, tx, `SELECT DISTINCT customer_id FROM events WHERE tenant_id = $1 AND customer_id IS NOT NULL ORDER BY customer_id`,
		[]any{tenantID}, func(rs *sql.Rows) error {
			var c string
			customers = append(customers, c)
			return rs.Scan(&customers[len(customers)-1])
		})
	if err != nil {
		return err
	}
	// A range of customers at a time: their events are read (the result set closed,
	// as PostgreSQL needs before the next statement on the connection), then written.
	done := 0
	for chunk := range slices.Chunk(customers, rebuildProfilesPerFlush) {
		progress("profiles", done, len(customers))
		if err := ctx.Err(); err != nil {
			return err
		}
		st := &batchState{tenantID: tenantID, now: now}
		err := db.EachRow(ctx, tx, `SELECT id, type, occurred_at, touchpoint_id, identifiers, properties, customer_id FROM events
			WHERE tenant_id = $1 AND customer_id >= $2 AND customer_id <= $3 ORDER BY customer_id, occurred_at, id, touchpoint_id`,
			[]any{tenantID, chunk[0], chunk[len(chunk)-1]}, func(rs *sql.Rows) error {
				var r eventRow
				var tp, idents, props, customer string
				if err := rs.Scan(&r.ID, &r.Type, &r.OccurredAt, &tp, &idents, &props, &customer); err != nil {
					return err
				}
				if err := openEventJSON(s.pii, idents, eventIdentifiersContext, &r.Idents); err != nil {
					return fmt.Errorf("event %s identifiers: %w", r.ID, err)
				}
				var err error
				if r.Props, err = s.pii.Open(props, eventPropertiesContext); err != nil {
					return fmt.Errorf("event %s properties: %w", r.ID, err)
				}
				st.tp = tps[tp]
				st.noteProfile(r, customer)
				return nil
			})
		if err != nil {
			return err
		}
		if err := s.writeProfiles(ctx, tx, st); err != nil {
			return err
		}
		done += len(chunk)
	}
	progress("profiles", done, len(customers))
	return nil
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
