package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// The kinds of merge.
const (
	MergeAuto   = "auto"   // inline resolution joined two customers by a shared identifier
	MergeManual = "manual" // a person merged them (merge endpoint or review)
	MergeFuzzy  = "fuzzy"  // fuzzy matching (MatchFuzzy) joined them above the merge threshold
)

// maxMergeCustomers bounds the customers one manual merge absorbs.
const maxMergeCustomers = 20

// Merge is one recorded merge of Absorbed into Survivor.
type Merge struct {
	ID         string     `json:"id"`
	SurvivorID string     `json:"survivor_id"`
	AbsorbedID string     `json:"absorbed_id"`
	Kind       string     `json:"kind"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	UndoneAt   *time.Time `json:"undone_at"`
}

// The kinds of customer_merge_items.
const (
	itemIdentifier = "identifier"
	itemEvent      = "event"
	itemRedirect   = "redirect"
)

// identifierItem is how a moved identifier is recorded: its blind index, never its
// value, so that the merge log holds no personal data in plain text.
func identifierItem(keys *pii.Keys, typ, value string) string {
	return keys.Index("merge_identifier", typ+":"+value)
}

// batchLinks are the events of an ingestion batch that are resolved but not written
// yet: all sent by touchpoint, customers maps each event id to its customer.
// merges collects the ids of the merges made, which the caller logs in the identity
// map as its transaction's last statement (appendMapLog, mapMerges).
type batchLinks struct {
	touchpoint string
	customers  map[string]string
	merges     *[]string
}

// absorb merges the live customer from into the live customer into in tx and records
// what moved (identifiers, events, redirects) so that unmerge can move exactly that
// back. Events are recorded by eventKey.ref. links holds the events of the current
// ingestion batch not written yet (none outside ingestion): those of from move too
// and are recorded.
func (s *Service) absorb(ctx context.Context, tx *sql.Tx, tenantID, from, into, kind, reason string, now int64, links batchLinks) error {
	mid := ids.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_merges (tenant_id, id, survivor_id, absorbed_id, kind, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenantID, mid, into, from, kind, reason, now); err != nil {
		return fmt.Errorf("record merge: %w", err)
	}
	held, err := heldIdentifiers(ctx, tx, s.pii, tenantID, from)
	if err != nil {
		return err
	}
	var items [][2]string
	for _, h := range held {
		items = append(items, [2]string{itemIdentifier, identifierItem(s.pii, h.Type, h.Value)})
	}
	for _, q := range []struct{ kind, sql string }{
		{itemEvent, `SELECT ` + eventRefSQL + ` FROM events WHERE tenant_id = $1 AND customer_id = $2`},
		{itemRedirect, `SELECT id FROM customers WHERE tenant_id = $1 AND merged_into = $2`},
	} {
		got, err := queryStrings(ctx, tx, q.sql, tenantID, from)
		if err != nil {
			return err
		}
		for _, id := range got {
			items = append(items, [2]string{q.kind, id})
		}
	}
	for id, c := range links.customers {
		if c == from {
			items = append(items, [2]string{itemEvent, eventKey{links.touchpoint, id}.ref()})
			links.customers[id] = into
		}
	}
	w := db.Rows{Head: `INSERT INTO customer_merge_items (tenant_id, merge_id, kind, item)`, Lead: "$1, $2", Fixed: []any{tenantID, mid}}
	if err := db.WriteRows(ctx, tx, s.db.Dialect, w, items, func(it [2]string) []any { return []any{it[0], it[1]} }, nil); err != nil {
		return fmt.Errorf("record merge items: %w", err)
	}
	if err := mergeCustomer(ctx, tx, tenantID, from, into, now); err != nil {
		return err
	}
	*links.merges = append(*links.merges, mid)
	return nil
}

// queryStrings returns the single string column of a query.
func queryStrings(ctx context.Context, q db.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// lockLive locks the customers ids (sorted, so that concurrent merges lock in one
// order) and returns their merged_into (empty for a live customer); errs.NotFound
// naming field for an unknown id.
func lockLive(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, ids []string, field string) (map[string]string, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	out := map[string]string{}
	for _, id := range sorted {
		var merged sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT merged_into FROM customers WHERE tenant_id = $1 AND id = $2`+customerLock(d), tenantID, id).Scan(&merged)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &errs.Error{Code: errs.NotFound, Field: field, Message: fmt.Sprintf("customer %s not found", id)}
		}
		if err != nil {
			return nil, err
		}
		out[id] = merged.String
	}
	return out, nil
}

// mergeRefused is the 409 of a merge the identity rules forbid.
func mergeRefused(field, rule string) error {
	return &errs.Error{Code: errs.Conflict, Field: field, Message: "merge refused by the identity rules: " + rule}
}

// mergeInTx merges the live customers from into the live customer into in tx, after
// checking with the graph engine that the joined customer keeps the per-customer
// and cluster limits. Each merge is recorded, audited and published. Errors:
// not_found, conflict (not live, or a rule broken: the message names the rule).
func (s *Service) mergeInTx(ctx context.Context, tx *sql.Tx, tenantID, into string, from []string, kind, reason, field string, now int64) error {
	state, err := lockLive(ctx, tx, s.db.Dialect, tenantID, append([]string{into}, from...), field)
	if err != nil {
		return err
	}
	for _, id := range append([]string{into}, from...) {
		if m := state[id]; m != "" {
			return &errs.Error{Code: errs.Conflict, Field: field, Message: fmt.Sprintf("customer %s was already merged into %s", id, m)}
		}
	}
	rules, err := s.rules.get(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	g, err := graph.New(rules, nil)
	if err != nil {
		return err
	}
	var gids []graph.CustomerID
	for _, id := range append([]string{into}, from...) {
		held, err := heldIdentifiers(ctx, tx, s.pii, tenantID, id)
		if err != nil {
			return err
		}
		var gi []graph.Identifier
		for _, h := range held {
			if t, err := graph.ParseType(h.Type); err == nil {
				gi = append(gi, graph.Identifier{Type: t, Value: h.Value})
			}
		}
		if len(gi) == 0 {
			// A customer without identifiers (all moved away) still takes part.
			gi = []graph.Identifier{{Type: graph.TypeCookieID, Value: "placeholder:" + id}}
		}
		c, err := g.Apply(graph.Decision{Kind: graph.Create, Add: gi})
		if err != nil {
			return fmt.Errorf("load customer %s into the graph: %w", id, err)
		}
		gids = append(gids, c)
	}
	if _, err := g.Apply(graph.Decision{Kind: graph.Merge, Customer: gids[0], Absorbed: gids[1:]}); err != nil {
		return mergeRefused(field, strings.TrimPrefix(errMessage(err), "stale identity decision: "))
	}
	var merges []string
	for _, a := range from {
		if err := s.absorb(ctx, tx, tenantID, a, into, kind, reason, now, batchLinks{merges: &merges}); err != nil {
			return err
		}
	}
	// Reviews whose two sides this merge joined have nothing left to decide.
	if _, err := closeMootReviews(ctx, tx, tenantID, append([]string{into}, from...), now); err != nil {
		return err
	}
	touched := []accessed{{customer: into}}
	for _, a := range from {
		touched = append(touched, accessed{customer: a})
	}
	if p := auth.FromContext(ctx); p != nil {
		if err := s.logAccess(ctx, tx, AccessMerge, shownTo(p), touched...); err != nil {
			return err
		}
	}
	ev := CustomerMergedEvent{SurvivorID: into, Absorbed: from, Kind: kind, Reason: maskMergeReason(kind, reason)}
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "customer.merge", ResourceType: "customer", ResourceID: into, Changes: ev}); err != nil {
		return err
	}
	if _, err = s.outbox.Publish(ctx, tx, tenantID, EventCustomerMerged, into, ev); err != nil {
		return err
	}
	// Last: the tenant's identity map counter stays locked until the commit.
	return appendMapLog(ctx, tx, tenantID, now, mapMerges(merges))
}

// MergeCustomers merges the customers ids into the customer survivorID (all live)
// and returns the survivor. Every customer must be inside the principal's data
// scope (else not found). Errors: invalid (body.customer_ids), not_found, conflict
// (a customer already merged, or an identity rule broken: the message names it),
// unauthorized, forbidden.
func (s *Service) MergeCustomers(ctx context.Context, survivorID string, ids []string, note string) (Customer, error) {
	p, err := auth.Require(ctx, auth.CustomersWrite)
	if err != nil {
		return Customer{}, err
	}
	if !utf8.ValidString(survivorID) {
		return Customer{}, errs.E(errs.NotFound, "customer not found")
	}
	if err := checkMergeIDs(survivorID, ids); err != nil {
		return Customer{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 || !utf8.ValidString(note) {
		return Customer{}, errs.Field("body.note", "at most 500 characters")
	}
	reason := "manual merge"
	if note != "" {
		reason += ": " + note
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return Customer{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := sc.live(ctx, tx, p.TenantID, survivorID, ""); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := sc.live(ctx, tx, p.TenantID, id, "body.customer_ids"); err != nil {
				return err
			}
		}
		return s.mergeInTx(ctx, tx, p.TenantID, survivorID, ids, MergeManual, reason, "body.customer_ids", clock.Millis(s.now()))
	})
	if err != nil {
		return Customer{}, fmt.Errorf("identity: merge customers: %w", err)
	}
	return getCustomer(ctx, s.db.Reader(), s.pii, p.TenantID, survivorID)
}

func checkMergeIDs(survivorID string, ids []string) error {
	if len(ids) == 0 || len(ids) > maxMergeCustomers {
		return errs.Field("body.customer_ids", "must name 1 to %d customers", maxMergeCustomers)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		switch {
		case !utf8.ValidString(id) || id == "" || len(id) > 64:
			return errs.Field("body.customer_ids", "malformed customer id")
		case id == survivorID:
			return errs.Field("body.customer_ids", "cannot merge a customer into itself")
		case seen[id]:
			return errs.Field("body.customer_ids", "customer %s named twice", id)
		}
		seen[id] = true
	}
	return nil
}

// UnmergeCustomer reverses the latest merge of customer absorbedID into the customer
// survivorID (or the customer it was merged into since): the identifiers, events
// and redirects that merge moved and that the survivor still holds go back, and the
// event counts and first/last seen of both are recomputed. Events and identifiers
// that arrived after the merge stay with the survivor. Both customers, as they are
// before and after, must be inside the principal's data scope (else not found and
// nothing changes). Errors: invalid (body.customer_id), not_found, conflict (not
// merged into it, or merged before merges were recorded), unauthorized, forbidden.
func (s *Service) UnmergeCustomer(ctx context.Context, survivorID, absorbedID string) (Customer, Customer, error) {
	p, err := auth.Require(ctx, auth.CustomersWrite)
	if err != nil {
		return Customer{}, Customer{}, err
	}
	if !utf8.ValidString(survivorID) {
		return Customer{}, Customer{}, errs.E(errs.NotFound, "customer not found")
	}
	if !utf8.ValidString(absorbedID) || absorbedID == "" {
		return Customer{}, Customer{}, errs.Field("body.customer_id", "malformed customer id")
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return Customer{}, Customer{}, err
	}
	var live string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if live, err = sc.live(ctx, tx, p.TenantID, survivorID, ""); err != nil {
			return err
		}
		// An id outside the scope is not found before anything says whether it is
		// merged here; one merged here is checked again once restored.
		if _, err := sc.live(ctx, tx, p.TenantID, absorbedID, "body.customer_id"); err != nil {
			return err
		}
		if live == absorbedID {
			return errs.Field("body.customer_id", "customer %s is not merged into %s", absorbedID, live)
		}
		state, err := lockLive(ctx, tx, s.db.Dialect, p.TenantID, []string{live, absorbedID}, "body.customer_id")
		if err != nil {
			return err
		}
		if state[live] != "" { // merged away between survivor() and the lock
			return errs.E(errs.Conflict, "customer %s was merged concurrently; retry", live)
		}
		if state[absorbedID] != live {
			return &errs.Error{Code: errs.Conflict, Field: "body.customer_id", Message: fmt.Sprintf("customer %s is not merged into %s", absorbedID, live)}
		}
		if err := s.unmergeInTx(ctx, tx, p.TenantID, live, absorbedID, clock.Millis(s.now())); err != nil {
			return err
		}
		// Separated, each must still be inside the scope, or the caller would be shown
		// a customer it may not see: then nothing is undone.
		if _, err := sc.live(ctx, tx, p.TenantID, live, ""); err != nil {
			return err
		}
		if _, err := sc.live(ctx, tx, p.TenantID, absorbedID, "body.customer_id"); err != nil {
			return err
		}
		return s.logAccess(ctx, tx, AccessUnmerge, shownTo(p), accessed{customer: live}, accessed{customer: absorbedID})
	})
	if err != nil {
		return Customer{}, Customer{}, fmt.Errorf("identity: unmerge customer: %w", err)
	}
	sv, err := getCustomer(ctx, s.db.Reader(), s.pii, p.TenantID, live)
	if err != nil {
		return Customer{}, Customer{}, fmt.Errorf("identity: unmerge customer: %w", err)
	}
	rs, err := getCustomer(ctx, s.db.Reader(), s.pii, p.TenantID, absorbedID)
	if err != nil {
		return Customer{}, Customer{}, fmt.Errorf("identity: unmerge customer: %w", err)
	}
	return sv, rs, nil
}

// unmergeInTx moves back what the latest undone merge of absorbed recorded (see
// UnmergeCustomer); live is the customer absorbed now redirects to, both locked.
func (s *Service) unmergeInTx(ctx context.Context, tx *sql.Tx, tenantID, live, absorbed string, now int64) error {
	var mid string
	err := tx.QueryRowContext(ctx, `SELECT id FROM customer_merges WHERE tenant_id = $1 AND absorbed_id = $2 AND undone_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT 1`, tenantID, absorbed).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Code: errs.Conflict, Field: "body.customer_id", Message: fmt.Sprintf("no recorded merge of %s to undo", absorbed)}
	}
	if err != nil {
		return err
	}
	recorded, err := queryStrings(ctx, tx, `SELECT item FROM customer_merge_items WHERE tenant_id = $1 AND merge_id = $2 AND kind = $3`, tenantID, mid, itemIdentifier)
	if err != nil {
		return err
	}
	held, err := heldIdentifiers(ctx, tx, s.pii, tenantID, live)
	if err != nil {
		return err
	}
	var movedIdents []string
	for _, h := range held {
		item := identifierItem(s.pii, h.Type, h.Value)
		if !slices.Contains(recorded, item) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer_identifiers SET customer_id = $4 WHERE tenant_id = $1 AND type = $2 AND value_index = $3`,
			tenantID, h.Type, s.pii.Index(h.Type, h.Value), absorbed); err != nil {
			return err
		}
		movedIdents = append(movedIdents, item)
	}
	res, err := tx.ExecContext(ctx, `UPDATE events SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2 AND `+eventRefSQL+` IN
		(SELECT item FROM customer_merge_items WHERE tenant_id = $1 AND merge_id = $4 AND kind = 'event')`, tenantID, live, absorbed, mid)
	if err != nil {
		return err
	}
	moved, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET merged_into = $3 WHERE tenant_id = $1 AND merged_into = $2 AND id IN
		(SELECT item FROM customer_merge_items WHERE tenant_id = $1 AND merge_id = $4 AND kind = 'redirect')`, tenantID, live, absorbed, mid); err != nil {
		return err
	}
	// What moved back no longer belongs to the other merges still in force (a merge
	// of the survivor into a later survivor recorded it too), nor does absorbed.
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_merge_items WHERE tenant_id = $1 AND merge_id <> $2
		AND merge_id IN (SELECT id FROM customer_merges WHERE tenant_id = $1 AND undone_at IS NULL)
		AND ((kind IN ('event', 'redirect') AND item IN
			(SELECT i.item FROM customer_merge_items i WHERE i.tenant_id = $1 AND i.merge_id = $2 AND i.kind = customer_merge_items.kind))
		OR (kind = 'redirect' AND item = $3))`, tenantID, mid, absorbed); err != nil {
		return err
	}
	if len(movedIdents) > 0 {
		args := []any{tenantID, mid}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_merge_items WHERE tenant_id = $1 AND merge_id <> $2 AND kind = 'identifier'
			AND item IN (`+db.Placeholders(&args, movedIdents)+`) AND merge_id IN (SELECT id FROM customer_merges WHERE tenant_id = $1 AND undone_at IS NULL)`, args...); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET merged_into = NULL, event_count = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, absorbed, moved, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET event_count = event_count - $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, live, moved, now); err != nil {
		return err
	}
	for _, c := range []string{live, absorbed} {
		if err := reseen(ctx, tx, tenantID, c); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customer_merges SET undone_at = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, mid, now); err != nil {
		return err
	}
	ev := CustomerUnmergedEvent{SurvivorID: live, RestoredID: absorbed, MergeID: mid}
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "customer.unmerge", ResourceType: "customer", ResourceID: live, Changes: ev}); err != nil {
		return err
	}
	if _, err = s.outbox.Publish(ctx, tx, tenantID, EventCustomerUnmerged, live, ev); err != nil {
		return err
	}
	return appendMapLog(ctx, tx, tenantID, now, []mapEntry{{kind: mapUnmerge, ref: mid}})
}

// reseen sets a customer's first and last seen to those of its events (kept as they
// are when it has none).
func reseen(ctx context.Context, tx *sql.Tx, tenantID, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET
		first_seen_at = COALESCE((SELECT MIN(occurred_at) FROM events WHERE tenant_id = $1 AND customer_id = $2), first_seen_at),
		last_seen_at = COALESCE((SELECT MAX(occurred_at) FROM events WHERE tenant_id = $1 AND customer_id = $2), last_seen_at)
		WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return err
}

// FindMerges returns the merges of customer id's cluster (where it or a customer
// merged into it was survivor or absorbed), undone ones included, newest first; a
// customer outside the principal's data scope is not found. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindMerges(ctx context.Context, id string) ([]Merge, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return nil, err
	}
	q := s.db.Reader()
	live, err := s.visibleCustomer(ctx, q, p, id)
	if err != nil {
		return nil, fmt.Errorf("identity: find merges: %w", err)
	}
	members, err := clusterMembers(ctx, q, p.TenantID, live)
	if err != nil {
		return nil, fmt.Errorf("identity: find merges: %w", err)
	}
	out, err := clusterMerges(ctx, q, p.TenantID, members)
	if err != nil {
		return nil, fmt.Errorf("identity: find merges: %w", err)
	}
	return maskMerges(p, out), nil
}

// clusterMerges returns the merges where one of members was survivor or absorbed,
// newest first.
func clusterMerges(ctx context.Context, q db.Querier, tenantID string, members []string) ([]Merge, error) {
	args := []any{tenantID}
	in := db.Placeholders(&args, members)
	rows, err := q.QueryContext(ctx, `SELECT id, survivor_id, absorbed_id, kind, reason, created_at, undone_at FROM customer_merges
		WHERE tenant_id = $1 AND (survivor_id IN (`+in+`) OR absorbed_id IN (`+in+`)) ORDER BY created_at DESC, id DESC LIMIT 1000`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Merge{}
	for rows.Next() {
		var m Merge
		var created int64
		var undone sql.NullInt64
		if err := rows.Scan(&m.ID, &m.SurvivorID, &m.AbsorbedID, &m.Kind, &m.Reason, &created, &undone); err != nil {
			return nil, err
		}
		m.CreatedAt = clock.FromMillis(created)
		if undone.Valid {
			at := clock.FromMillis(undone.Int64)
			m.UndoneAt = &at
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
