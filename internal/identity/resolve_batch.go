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
	owners    map[graph.Identifier]string // linking identifier → live customer; absent: nobody holds it
	customers map[string]*batchCustomer   // live customers the batch reaches

	newCustomers []string   // created by the batch, not yet inserted, in creation order
	newIdents    []identRow // identifiers added by the batch, not yet inserted
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
}

// stateChunk bounds the ids of one IN list of the loading queries.
const stateChunk = 400

// loadBatchState reads the owners of every linking identifier of rows, then locks
// (PostgreSQL: FOR UPDATE, in id order) and loads those customers with their
// identifiers. It returns errStaleResolution when one of them was merged away or
// erased between the two reads; the caller resolves the batch again.
func (s *Service) loadBatchState(ctx context.Context, tx *sql.Tx, tenantID string, rows []eventRow, now int64, rules *graph.Rules) (*batchState, error) {
	st := &batchState{tenantID: tenantID, now: now, rules: *rules, owners: map[graph.Identifier]string{}, customers: map[string]*batchCustomer{}}
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
			byType[typ][s.pii.Index(typ, id.Value)] = id
		}
	}
	owned := map[string]bool{}
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		indexes := slices.Sorted(maps.Keys(byType[typ]))
		err := inChunks(indexes, func(chunk []string) error {
			args := []any{tenantID, typ}
			q := `SELECT value_index, customer_id FROM customer_identifiers WHERE tenant_id = $1 AND type = $2 AND value_index IN (` +
				inList(&args, chunk) + `)`
			return eachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
				var index, c string
				if err := rs.Scan(&index, &c); err != nil {
					return err
				}
				st.owners[byType[typ][index]] = c
				owned[c] = true
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("identifier owners: %w", err)
		}
	}
	if err := st.loadCustomers(ctx, tx, s.pii, slices.Sorted(maps.Keys(owned)), customerLock(s.db.Dialect)); err != nil {
		return nil, err
	}
	return st, nil
}

// loadCustomers locks and loads the customers ids (sorted) with their identifiers.
func (st *batchState) loadCustomers(ctx context.Context, tx *sql.Tx, keys *pii.Keys, ids []string, lock string) error {
	err := inChunks(ids, func(chunk []string) error {
		args := []any{st.tenantID}
		q := `SELECT id, created_at, merged_into, status FROM customers WHERE tenant_id = $1 AND id IN (` + inList(&args, chunk) + `) ORDER BY id` + lock
		return eachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
			c := &batchCustomer{}
			var merged sql.NullString
			var status string
			if err := rs.Scan(&c.id, &c.created, &merged, &status); err != nil {
				return err
			}
			if merged.Valid || status != string(CustomerActive) {
				return errStaleResolution
			}
			st.customers[c.id] = c
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("candidate customers: %w", err)
	}
	if len(st.customers) != len(ids) {
		return errStaleResolution // a customer vanished between the reads
	}
	err = inChunks(ids, func(chunk []string) error {
		args := []any{st.tenantID}
		q := `SELECT customer_id, type, value_sealed FROM customer_identifiers WHERE tenant_id = $1 AND customer_id IN (` + inList(&args, chunk) + `)`
		return eachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
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
				bc.ids = append(bc.ids, graph.Identifier{Type: t, Value: v})
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("candidate identifiers: %w", err)
	}
	return nil
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
		st.newIdents = append(st.newIdents, identRow{id: id, customer: customer, strength: rules.Rule(id.Type).Strength.String()})
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
	if err := insertCustomers(ctx, tx, st.tenantID, st.now, rows); err != nil {
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

	err := inChunks(st.touched, func(chunk []string) error {
		var v strings.Builder
		args := []any{st.tenantID, st.now}
		for i, id := range chunk {
			c := st.customers[id]
			if i > 0 {
				v.WriteString(", ")
			}
			p := len(args)
			fmt.Fprintf(&v, "(CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT))", p+1, p+2, p+3, p+4)
			args = append(args, id, c.count, c.first, c.last)
		}
		// One statement for the chunk: the counters of each customer are added from
		// the VALUES list.
		_, err := tx.ExecContext(ctx, `WITH d (id, n, f, l) AS (VALUES `+v.String()+`)
			UPDATE customers SET
				event_count = event_count + (SELECT d.n FROM d WHERE d.id = customers.id),
				first_seen_at = CASE WHEN first_seen_at > (SELECT d.f FROM d WHERE d.id = customers.id) THEN (SELECT d.f FROM d WHERE d.id = customers.id) ELSE first_seen_at END,
				last_seen_at = CASE WHEN last_seen_at < (SELECT d.l FROM d WHERE d.id = customers.id) THEN (SELECT d.l FROM d WHERE d.id = customers.id) ELSE last_seen_at END,
				updated_at = $2
			WHERE tenant_id = $1 AND id IN (SELECT d.id FROM d)`, args...)
		return err
	})
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
func insertCustomers(ctx context.Context, tx *sql.Tx, tenantID string, now int64, rows []newCustomerRow) error {
	err := insertValues(ctx, tx, `INSERT INTO customers (tenant_id, created_at, updated_at, id, first_seen_at, last_seen_at, event_count)`,
		"$1, $2, $2", []any{tenantID, now}, rows, func(c newCustomerRow) []any { return []any{c.id, c.first, c.last, c.count} })
	if err != nil {
		return fmt.Errorf("insert customers: %w", err)
	}
	return nil
}

// insertIdentifiers inserts identifiers created at now, each sealed beside its blind
// index. A unique violation (db.IsUniqueViolation) means another customer holds one
// of them already.
func (s *Service) insertIdentifiers(ctx context.Context, tx *sql.Tx, tenantID string, now int64, rows []identRow) error {
	err := insertValues(ctx, tx, `INSERT INTO customer_identifiers (tenant_id, created_at, type, value_index, value_sealed, customer_id, strength)`,
		"$1, $2", []any{tenantID, now}, rows, func(r identRow) []any {
			typ := r.id.Type.String()
			return []any{typ, s.pii.Index(typ, r.id.Value), s.pii.Seal(r.id.Value, identifierContext(typ)), r.customer, r.strength}
		})
	if err != nil {
		return fmt.Errorf("insert identifiers: %w", err)
	}
	return nil
}

// insertValues inserts rows with one multi-row statement per stateChunk rows: head
// is the INSERT up to VALUES, each tuple starts with lead (placeholders of the fixed
// parameters, $1…) followed by the parameters rowArgs gives for its row.
func insertValues[T any](ctx context.Context, tx *sql.Tx, head, lead string, fixed []any, rows []T, rowArgs func(T) []any) error {
	return upsertValues(ctx, tx, head, lead, fixed, rows, rowArgs, "")
}

// upsertValues is insertValues with tail (an ON CONFLICT clause) after each
// statement's VALUES list.
func upsertValues[T any](ctx context.Context, tx *sql.Tx, head, lead string, fixed []any, rows []T, rowArgs func(T) []any, tail string) error {
	for len(rows) > 0 {
		n := min(len(rows), stateChunk)
		chunk := rows[:n]
		rows = rows[n:]
		var b strings.Builder
		b.WriteString(head + " VALUES ")
		args := slices.Clone(fixed)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + lead)
			for _, v := range rowArgs(r) {
				args = append(args, v)
				fmt.Fprintf(&b, ", $%d", len(args))
			}
			b.WriteString(")")
		}
		b.WriteString(tail)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// inChunks calls fn with consecutive slices of at most stateChunk ids.
func inChunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), stateChunk)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, q db.Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
