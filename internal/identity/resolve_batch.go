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
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// batchState is what the resolution of one ingestion transaction knows: the owner of
// every linking identifier of the batch and the customers they lead to (locked, with
// all their identifiers), loaded with a few queries up front, plus the batch's own
// changes not yet written. Resolving the events one by one against it in memory
// replaces about five queries per event with a handful per batch.
type batchState struct {
	tenantID  string
	now       int64
	rules     graph.Rules
	tp        Touchpoint                  // the touchpoint that sent the batch (profile and store visits)
	merges    []string                    // the merges the batch made, for the identity map log
	owners    map[graph.Identifier]string // linking identifier → live customer; absent: nobody holds it
	indexes   map[graph.Identifier]string // linking identifier of the batch → its blind index
	customers map[string]*batchCustomer   // live customers the batch reaches
	shared    map[graph.Identifier]bool   // identifiers of the batch that link nothing any more (graph.Graph.Share)

	newCustomers []string   // created by the batch, not yet inserted, in creation order
	newIdents    []identRow // identifiers added by the batch, not yet inserted
	newShared    []identRow // identifiers the batch found shared, not yet marked
	touched      []string   // existing customers whose counters changed, in first-touch order

	profiles     map[string][]profileEvent // customer → profile events of the batch not yet written, in resolution order
	profileOrder []string                  // the keys of profiles
	visits       map[visitKey]int64        // store visits of the batch not yet written
	visitOrder   []visitKey                // the keys of visits
}

// batchCustomer is a customer as the batch sees it. For a customer created by the
// batch, count, first and last are its counters; for an existing one, what the batch
// adds to them.
type batchCustomer struct {
	id      string
	created int64
	ids     []graph.Identifier
	isNew   bool
	count   int64
	first   int64
	last    int64
	touched bool
}

// identRow is an identifier to insert.
type identRow struct {
	id       graph.Identifier
	customer string
	strength string
	index    string // its blind index when already known, else empty
}

// stateChunk bounds the ids of one IN list of the loading queries.
const stateChunk = 400

// lockRounds bounds how often loadBatchState reads the owners again after a customer
// it locked turned out merged away.
const lockRounds = 4

// loadBatchState reads the owners of every linking identifier of rows, then locks
// (PostgreSQL: FOR UPDATE, in id order) and loads those customers with their
// identifiers. When one of them was merged away or erased between the two reads,
// the owners are read again and the new ones locked (at most lockRounds times, then
// errStaleResolution: the caller resolves the batch again) — under contention a
// customer is merged while the batch waits for its lock, and starting over would
// only meet the next merge.
func (s *Service) loadBatchState(ctx context.Context, tx *sql.Tx, tenantID string, rows []eventRow, now int64, rules *graph.Rules) (*batchState, error) {
	st := &batchState{tenantID: tenantID, now: now, rules: *rules, owners: map[graph.Identifier]string{}, indexes: map[graph.Identifier]string{},
		customers: map[string]*batchCustomer{}, shared: map[graph.Identifier]bool{}}
	byType := map[string]map[string]graph.Identifier{} // type → value index → identifier
	for _, r := range rows {
		for _, id := range eventIdentifiers(r.Idents) {
			if !rules.Rule(id.Type).Links {
				continue
			}
			typ := id.Type.String()
			if byType[typ] == nil {
				byType[typ] = map[string]graph.Identifier{}
			}
			index := s.pii.Index(typ, id.Value)
			byType[typ][index] = id
			st.indexes[id] = index
		}
	}
	for round := 0; ; round++ {
		clear(st.owners)
		var unlocked []string
		clear(st.shared)
		err := s.identifierOwners(ctx, tx, tenantID, byType, func(id graph.Identifier, customer string, shared bool) {
			st.owners[id] = customer
			if shared {
				st.shared[id] = true
			}
			if st.customers[customer] == nil && !slices.Contains(unlocked, customer) {
				unlocked = append(unlocked, customer)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("identifier owners: %w", err)
		}
		slices.Sort(unlocked)
		stale, err := st.lockCustomers(ctx, tx, s.db.Dialect, unlocked)
		if err != nil {
			return nil, err
		}
		if !stale {
			break
		}
		if round+1 == lockRounds {
			return nil, fmt.Errorf("candidate customers: %w", errStaleResolution)
		}
	}
	if err := st.loadIdentifiers(ctx, tx, s.db.Dialect, s.pii, slices.Sorted(maps.Keys(st.customers))); err != nil {
		return nil, err
	}
	return st, nil
}

// identifierOwners calls found for each identifier of byType (type → blind index →
// identifier) that a customer holds, with whether it is shared. On PostgreSQL one query joins the (type, index)
// pairs as arrays; on SQLite there is one query per type and chunk of indexes.
func (s *Service) identifierOwners(ctx context.Context, tx *sql.Tx, tenantID string, byType map[string]map[string]graph.Identifier, found func(graph.Identifier, string, bool)) error {
	scan := func(rs *sql.Rows) error {
		var typ, index, c string
		var shared bool
		if err := rs.Scan(&typ, &index, &c, &shared); err != nil {
			return err
		}
		found(byType[typ][index], c, shared)
		return nil
	}
	if s.db.Dialect == db.Postgres {
		var types, indexes []string
		for typ, byIndex := range byType {
			for index := range byIndex {
				types, indexes = append(types, typ), append(indexes, index)
			}
		}
		if len(types) == 0 {
			return nil
		}
		// A LATERAL subquery with LIMIT (which keeps the planner from flattening it)
		// makes the plan one primary-key probe per pair whatever the statistics say:
		// with statistics from when the table was small, a join was planned as a hash
		// join over every identifier of the tenant, slower with every batch.
		return db.EachRow(ctx, tx, `SELECT i.type, i.value_index, i.customer_id, i.shared FROM unnest($2::text[], $3::text[]) AS k (type, value_index)
			CROSS JOIN LATERAL (SELECT type, value_index, customer_id, shared FROM customer_identifiers
				WHERE tenant_id = $1 AND type = k.type AND value_index = k.value_index LIMIT 1) AS i`,
			[]any{tenantID, types, indexes}, scan)
	}
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		err := inChunks(s.db.Dialect, slices.Sorted(maps.Keys(byType[typ])), func(chunk []string) error {
			args := []any{tenantID, typ}
			q := `SELECT type, value_index, customer_id, shared FROM customer_identifiers WHERE tenant_id = $1 AND type = $2 AND value_index` +
				db.In(s.db.Dialect, &args, chunk)
			return db.EachRow(ctx, tx, q, args, scan)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// lockCustomers locks the customers ids (sorted) and adds the live ones to
// st.customers. It reports whether one of them was merged away, erased or is gone
// (the owners read before were stale).
func (st *batchState) lockCustomers(ctx context.Context, tx *sql.Tx, d db.Dialect, ids []string) (bool, error) {
	live := 0
	err := inChunks(d, ids, func(chunk []string) error {
		args := []any{st.tenantID}
		q := db.SelectIn(d, &args, db.Select{Cols: "id, created_at, merged_into, status", Table: "customers", Where: "tenant_id = $1", Column: "id",
			Lock: customerLock(d)}, chunk) + ` ORDER BY id`
		return db.EachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
			c := &batchCustomer{}
			var merged sql.NullString
			var status string
			if err := rs.Scan(&c.id, &c.created, &merged, &status); err != nil {
				return err
			}
			if merged.Valid || status != string(CustomerActive) {
				return nil
			}
			st.customers[c.id] = c
			live++
			return nil
		})
	})
	if err != nil {
		return false, fmt.Errorf("candidate customers: %w", err)
	}
	return live != len(ids), nil
}

// loadIdentifiers loads the identifiers of the locked customers ids. Read after the
// locks, they are what the customers hold now: an identifier of the batch that one
// of them holds is its own, whatever the owners read before said.
func (st *batchState) loadIdentifiers(ctx context.Context, tx *sql.Tx, d db.Dialect, keys *pii.Keys, ids []string) error {
	err := inChunks(d, ids, func(chunk []string) error {
		args := []any{st.tenantID}
		q := db.SelectIn(d, &args, db.Select{Cols: "customer_id, type, value_sealed", Table: "customer_identifiers", Where: "tenant_id = $1", Column: "customer_id"}, chunk)
		return db.EachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
			var c, typ, sealed string
			if err := rs.Scan(&c, &typ, &sealed); err != nil {
				return err
			}
			t, err := graph.ParseType(typ)
			if err != nil {
				return nil // a type this version does not know: not part of resolution
			}
			v, err := keys.Open(sealed, identifierContext(typ))
			if err != nil {
				return fmt.Errorf("customer %s identifier %s: %w", c, typ, err)
			}
			if bc := st.customers[c]; bc != nil {
				id := graph.Identifier{Type: t, Value: v}
				bc.ids = append(bc.ids, id)
				if _, ours := st.indexes[id]; ours {
					st.owners[id] = c
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("candidate identifiers: %w", err)
	}
	return nil
}

// linking returns the identifiers of in that are not shared.
func (st *batchState) linking(in []graph.Identifier) []graph.Identifier {
	return slices.DeleteFunc(in, func(id graph.Identifier) bool { return st.shared[id] })
}

// share marks ids shared for the rest of the batch and, at the next flush, in the
// database.
func (st *batchState) share(ids []graph.Identifier) {
	for _, id := range ids {
		if !st.shared[id] {
			st.shared[id] = true
			st.newShared = append(st.newShared, identRow{id: id, index: st.indexes[id]})
		}
	}
}

// candidates returns the distinct live owners of in, oldest customer first.
func (st *batchState) candidates(in []graph.Identifier) ([]candidate, map[graph.Identifier]string) {
	owners := map[graph.Identifier]string{}
	var cs []*batchCustomer
	for _, id := range in {
		o, ok := st.owners[id]
		if !ok {
			continue
		}
		owners[id] = o
		if c := st.customers[o]; !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	slices.SortFunc(cs, func(a, b *batchCustomer) int {
		return cmp.Or(cmp.Compare(a.created, b.created), strings.Compare(a.id, b.id))
	})
	out := make([]candidate, len(cs))
	for i, c := range cs {
		out[i] = candidate{id: c.id, ids: slices.Clone(c.ids)}
	}
	return out, owners
}

// create adds a customer made by the batch for an event at occurred.
func (st *batchState) create(id string, occurred int64) {
	st.customers[id] = &batchCustomer{id: id, created: st.now, isNew: true, count: 1, first: occurred, last: occurred}
	st.newCustomers = append(st.newCustomers, id)
}

// touch counts one more event at occurred for an existing customer.
func (st *batchState) touch(id string, occurred int64) {
	c := st.customers[id]
	if !c.touched && !c.isNew {
		c.touched, c.first, c.last = true, occurred, occurred
		st.touched = append(st.touched, id)
	}
	c.count++
	c.first, c.last = min(c.first, occurred), max(c.last, occurred)
}

// add gives identifiers to a customer.
func (st *batchState) add(customer string, ids []graph.Identifier, rules *graph.Rules) {
	c := st.customers[customer]
	for _, id := range ids {
		st.owners[id] = customer
		c.ids = append(c.ids, id)
		st.newIdents = append(st.newIdents, identRow{id: id, customer: customer, strength: rules.Rule(id.Type).Strength.String(), index: st.indexes[id]})
	}
}

// absorbed records that from was merged into into (after flush and mergeCustomer
// wrote it): from's identifiers now belong to into.
func (st *batchState) absorbed(from, into string) {
	f, t := st.customers[from], st.customers[into]
	for _, id := range f.ids {
		if _, ok := st.owners[id]; ok {
			st.owners[id] = into
		}
	}
	t.ids = append(t.ids, f.ids...)
	delete(st.customers, from)
}

// flush writes the batch's pending changes: new customers with their counters, new
// identifiers (sealed, with their blind index), the counters added to existing
// customers and the profiles and store visits of the batch's events. A unique violation on an identifier means a concurrent request linked it
// first; the caller resolves the batch again.
func (s *Service) flush(ctx context.Context, tx *sql.Tx, st *batchState) error {
	rows := make([]newCustomerRow, len(st.newCustomers))
	for i, id := range st.newCustomers {
		c := st.customers[id]
		rows[i] = newCustomerRow{id: id, first: c.first, last: c.last, count: c.count}
	}
	if err := insertCustomers(ctx, tx, s.db.Dialect, st.tenantID, st.now, rows); err != nil {
		return err
	}
	for _, id := range st.newCustomers {
		if c := st.customers[id]; c != nil {
			c.isNew, c.count = false, 0
		}
	}
	st.newCustomers = nil

	if err := s.insertIdentifiers(ctx, tx, st.tenantID, st.now, st.newIdents); err != nil {
		return err // a unique violation: the caller retries
	}
	st.newIdents = nil
	if err := s.markShared(ctx, tx, st.tenantID, st.newShared); err != nil {
		return err
	}
	st.newShared = nil

	// One statement adds the counters of every touched customer from a list of rows.
	w := db.Rows{Head: `WITH d (id, n, f, l) AS (`, Fixed: []any{st.tenantID, st.now}, Tail: `)
		UPDATE customers SET
			event_count = customers.event_count + d.n,
			first_seen_at = CASE WHEN d.f < customers.first_seen_at THEN d.f ELSE customers.first_seen_at END,
			last_seen_at = CASE WHEN d.l > customers.last_seen_at THEN d.l ELSE customers.last_seen_at END,
			updated_at = $2
		FROM d WHERE customers.tenant_id = $1 AND customers.id = d.id`}
	err := db.WriteRows(ctx, tx, s.db.Dialect, w, st.touched, func(id string) []any {
		c := st.customers[id]
		return []any{id, c.count, c.first, c.last}
	}, nil)
	if err != nil {
		return fmt.Errorf("update customer counters: %w", err)
	}
	for _, id := range st.touched {
		if c := st.customers[id]; c != nil {
			c.touched, c.count = false, 0
		}
	}
	st.touched = nil
	return s.writeProfiles(ctx, tx, st)
}

// newCustomerRow is a new customer with its counters.
type newCustomerRow struct {
	id                 string
	first, last, count int64
}

// insertCustomers inserts new customers created at now.
func insertCustomers(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID string, now int64, rows []newCustomerRow) error {
	w := db.Rows{Head: `INSERT INTO customers (tenant_id, created_at, updated_at, id, first_seen_at, last_seen_at, event_count)`,
		Lead: "$1, $2, $2", Fixed: []any{tenantID, now}}
	err := db.WriteRows(ctx, tx, d, w, rows, func(c newCustomerRow) []any { return []any{c.id, c.first, c.last, c.count} }, nil)
	if err != nil {
		return fmt.Errorf("insert customers: %w", err)
	}
	return nil
}

// insertIdentifiers inserts identifiers created at now, each sealed beside its blind
// index. A unique violation (db.IsUniqueViolation) means another customer holds one
// of them already.
func (s *Service) insertIdentifiers(ctx context.Context, tx *sql.Tx, tenantID string, now int64, rows []identRow) error {
	keyed := make([]identRow, len(rows))
	for i, r := range rows {
		if r.index == "" {
			r.index = s.pii.Index(r.id.Type.String(), r.id.Value)
		}
		keyed[i] = r
	}
	// In key order: two transactions adding the same new identifiers then wait for
	// each other at the first one instead of deadlocking (which PostgreSQL only
	// detects after a second), and the index pages are visited in order.
	slices.SortFunc(keyed, func(a, b identRow) int {
		return cmp.Or(strings.Compare(a.id.Type.String(), b.id.Type.String()), strings.Compare(a.index, b.index))
	})
	w := db.Rows{Head: `INSERT INTO customer_identifiers (tenant_id, created_at, type, value_index, value_sealed, customer_id, strength)`,
		Lead: "$1, $2", Fixed: []any{tenantID, now}}
	err := db.WriteRows(ctx, tx, s.db.Dialect, w, keyed, func(r identRow) []any {
		typ := r.id.Type.String()
		return []any{typ, r.index, s.pii.Seal(r.id.Value, identifierContext(typ)), r.customer, r.strength}
	}, nil)
	if err != nil {
		return fmt.Errorf("insert identifiers: %w", err)
	}
	return nil
}

// markShared marks identifiers shared: they stay with their customer and link
// nothing from now on.
func (s *Service) markShared(ctx context.Context, tx *sql.Tx, tenantID string, rows []identRow) error {
	for _, r := range rows {
		if r.index == "" {
			r.index = s.pii.Index(r.id.Type.String(), r.id.Value)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer_identifiers SET shared = TRUE WHERE tenant_id = $1 AND type = $2 AND value_index = $3`,
			tenantID, r.id.Type.String(), r.index); err != nil {
			return fmt.Errorf("mark identifier shared: %w", err)
		}
	}
	return nil
}

// inChunks calls fn with consecutive slices of at most stateChunk ids for a
// db.In list; on PostgreSQL, where db.In takes one array, with all of them at once.
func inChunks(d db.Dialect, ids []string, fn func([]string) error) error {
	if d == db.Postgres {
		if len(ids) == 0 {
			return nil
		}
		return fn(ids)
	}
	for len(ids) > 0 {
		n := min(len(ids), stateChunk)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
