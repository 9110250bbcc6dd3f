package identity

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// The types of identity map records.
const (
	// MapReset: forget every identifier and event held so far; a snapshot of the
	// whole map follows (the first page, and after a rebuild).
	MapReset = "reset"
	// MapIdentifier: the identifier belongs to CustomerID (replaces what was held
	// for it).
	MapIdentifier = "identifier"
	// MapEvent: the event belongs to CustomerID (empty: to nobody; it carries no
	// linking identifier).
	MapEvent = "event"
	// MapMerge: AbsorbedID was merged into SurvivorID — everything held for
	// AbsorbedID now belongs to SurvivorID.
	MapMerge = "merge"
	// MapUnmerge: the merge MergeID of AbsorbedID into SurvivorID was undone; the
	// identifiers and events it gave back follow as identifier and event records.
	MapUnmerge = "unmerge"
	// MapErase: CustomerID's personal data was erased — its identifiers are gone
	// (its events stay its own).
	MapErase = "erase"
)

// MapRecord is one record of the identity map export. Which fields are set depends
// on Type (the Map… constants). Seq is the log position the record belongs to.
type MapRecord struct {
	Type            string
	Seq             int64
	CustomerID      string
	IdentifierType  string
	IdentifierValue string // plain with customers:pii, else masked (138****5678)
	IdentifierHash  string // keyed hash of TYPE:VALUE, the same for every reader of the tenant
	TouchpointID    string
	Touchpoint      string // the touchpoint's code now
	EventID         string
	SurvivorID      string
	AbsorbedID      string
	MergeID         string
	At              *time.Time
}

// MapPage is one page of the identity map export. Next is the cursor of what
// follows (also when More is false: the position to poll from later).
type MapPage struct {
	Records []MapRecord
	Next    string
	More    bool // more records are available now
	Masked  bool // identifier values are masked (the reader lacks customers:pii)
}

// MapFilter pages the identity map export.
type MapFilter struct {
	Cursor string
	Limit  int // records per page (soft: one log entry is never split); default 1,000
}

// Identity map export limits.
const (
	defaultMapLimit = 1000
	maxMapLimit     = 10000
)

// mapCursor is a position in the export: log entries up to Seq are reflected and,
// in a snapshot (Phase "i": identifiers, "e": events), the last key read. Every key
// is immutable (an identifier's type and blind index, an event's touchpoint and
// id; a log entry's seq), so a page never shifts under a merge and a consumer can
// resume from any cursor it stored.
type mapCursor struct {
	Seq   int64  `json:"s"`
	Phase string `json:"p,omitempty"`
	A     string `json:"a,omitempty"`
	B     string `json:"b,omitempty"`
}

func (c mapCursor) encode() string {
	b, _ := json.Marshal(c) // plain struct
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeMapCursor(s string) (mapCursor, error) {
	var c mapCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	// The keys go to the database as text: PostgreSQL refuses a NUL in one (a 500).
	if err != nil || c.Seq < 0 || !slices.Contains([]string{"", "i", "e"}, c.Phase) || strings.ContainsRune(c.A+c.B, 0) {
		return mapCursor{}, errs.Field("query.cursor", "malformed cursor; start again without one")
	}
	return c, nil
}

// mapHashKind keys the hash of exported identifier values per tenant.
func mapHashKind(tenantID string) string { return "identity_map:" + tenantID }

// ExportIdentityMap returns a page of the tenant's identity map: without a cursor, a
// reset record and a snapshot of every identifier and event with its customer, then
// the log of what changed since (events stored, merges, unmerges, erasures, and a
// new reset after a rebuild); with a cursor, what follows it. Applying the records
// in order — reset clears, identifier and event records set, merge relabels the
// absorbed customer's rows to the survivor, erase drops the customer's identifiers —
// gives the map as it is at the page's end. Identifier values are masked unless the
// principal holds customers:pii; every reader gets the same keyed hash. Errors:
// invalid (query.cursor, query.limit), unauthorized, forbidden (identity_map:read
// over the whole tenant).
func (s *Service) ExportIdentityMap(ctx context.Context, f MapFilter) (MapPage, error) {
	p, err := auth.RequireTenantWide(ctx, auth.IdentityMapRead, "exporting the identity map")
	if err != nil {
		return MapPage{}, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = defaultMapLimit
	}
	if limit < 1 || limit > maxMapLimit {
		return MapPage{}, errs.Field("query.limit", "must be 1 to %d", maxMapLimit)
	}
	x := &mapExport{s: s, q: s.db.Reader(), tenantID: p.TenantID, plain: p.Has(auth.CustomersPII), codes: map[string]string{}}
	var c mapCursor
	if f.Cursor == "" {
		// Changes logged after the current position are replayed after the snapshot,
		// which reads the map as it is then or later.
		if err := x.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM identity_map_seqs WHERE tenant_id = $1`, p.TenantID).Scan(&c.Seq); err != nil {
			return MapPage{}, fmt.Errorf("identity: export identity map: %w", err)
		}
		c.Phase = "i"
		x.out = append(x.out, MapRecord{Type: MapReset, Seq: c.Seq})
	} else if c, err = decodeMapCursor(f.Cursor); err != nil {
		return MapPage{}, err
	}
	more, err := x.run(ctx, &c, limit)
	if err != nil {
		return MapPage{}, fmt.Errorf("identity: export identity map: %w", err)
	}
	return MapPage{Records: x.out, Next: c.encode(), More: more, Masked: !x.plain}, nil
}

// mapExport is one page being read.
type mapExport struct {
	s        *Service
	q        db.Querier
	tenantID string
	plain    bool
	codes    map[string]string // touchpoint id → code
	out      []MapRecord
}

// run appends records from c until limit is reached or the log is exhausted, and
// moves c past them; more says whether it stopped at the limit.
func (x *mapExport) run(ctx context.Context, c *mapCursor, limit int) (bool, error) {
	for len(x.out) < limit {
		want := limit - len(x.out)
		switch c.Phase {
		case "i":
			n, err := x.snapshotIdentifiers(ctx, c, want)
			if err != nil {
				return false, err
			}
			if n < want {
				*c = mapCursor{Seq: c.Seq, Phase: "e"}
			}
		case "e":
			n, err := x.snapshotEvents(ctx, c, want)
			if err != nil {
				return false, err
			}
			if n < want {
				*c = mapCursor{Seq: c.Seq}
			}
		default:
			done, err := x.log(ctx, c, limit)
			if err != nil || done {
				return false, err
			}
		}
	}
	return true, nil
}

// snapshotIdentifiers appends up to n identifiers after c's key, in key order.
func (x *mapExport) snapshotIdentifiers(ctx context.Context, c *mapCursor, n int) (int, error) {
	rows, err := x.q.QueryContext(ctx, `SELECT type, value_index, value_sealed, customer_id FROM customer_identifiers
		WHERE tenant_id = $1 AND (type, value_index) > ($2, $3) ORDER BY type, value_index LIMIT $4`, x.tenantID, c.A, c.B, n)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var typ, index, sealed, customer string
		if err := rows.Scan(&typ, &index, &sealed, &customer); err != nil {
			return 0, err
		}
		if err := x.identifier(c.Seq, typ, sealed, customer); err != nil {
			return 0, err
		}
		c.A, c.B = typ, index
		got++
	}
	return got, rows.Err()
}

// identifier appends an identifier record, its value opened then masked or not.
func (x *mapExport) identifier(seq int64, typ, sealed, customer string) error {
	v, err := x.s.pii.Open(sealed, identifierContext(typ))
	if err != nil {
		return fmt.Errorf("customer %s identifier %s: %w", customer, typ, err)
	}
	r := MapRecord{Type: MapIdentifier, Seq: seq, CustomerID: customer, IdentifierType: typ, IdentifierValue: v,
		IdentifierHash: x.s.pii.Index(mapHashKind(x.tenantID), typ+":"+v)}
	if !x.plain {
		r.IdentifierValue = maskIdentifier(typ, v)
	}
	x.out = append(x.out, r)
	return nil
}

// snapshotEvents appends up to n events after c's key, in key order.
func (x *mapExport) snapshotEvents(ctx context.Context, c *mapCursor, n int) (int, error) {
	rows, err := x.q.QueryContext(ctx, `SELECT touchpoint_id, id, customer_id FROM events
		WHERE tenant_id = $1 AND (touchpoint_id, id) > ($2, $3) ORDER BY touchpoint_id, id LIMIT $4`, x.tenantID, c.A, c.B, n)
	if err != nil {
		return 0, err
	}
	var evs []MapRecord
	for rows.Next() {
		var r MapRecord
		var customer sql.NullString
		if err := rows.Scan(&r.TouchpointID, &r.EventID, &customer); err != nil {
			rows.Close()
			return 0, err
		}
		r.Type, r.Seq, r.CustomerID = MapEvent, c.Seq, customer.String
		evs = append(evs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range evs {
		if err := x.addEvent(ctx, r); err != nil {
			return 0, err
		}
		c.A, c.B = r.TouchpointID, r.EventID
	}
	return len(evs), nil
}

// addEvent appends an event record with its touchpoint's code.
func (x *mapExport) addEvent(ctx context.Context, r MapRecord) error {
	code, ok := x.codes[r.TouchpointID]
	if !ok {
		if err := x.q.QueryRowContext(ctx, `SELECT code FROM touchpoints WHERE tenant_id = $1 AND id = $2`, x.tenantID, r.TouchpointID).Scan(&code); err != nil {
			return fmt.Errorf("touchpoint %s: %w", r.TouchpointID, err)
		}
		x.codes[r.TouchpointID] = code
	}
	r.Touchpoint = code
	x.out = append(x.out, r)
	return nil
}

// logEntry is an identity_map_log row.
type logEntry struct {
	seq       int64
	kind, ref string
	items     []string
	at        int64
}

// log appends the records of whole log entries after c.Seq until limit is reached;
// done says the log is exhausted. A reset entry switches c to its snapshot.
func (x *mapExport) log(ctx context.Context, c *mapCursor, limit int) (bool, error) {
	rows, err := x.q.QueryContext(ctx, `SELECT seq, kind, ref, items, at FROM identity_map_log WHERE tenant_id = $1 AND seq > $2
		ORDER BY seq LIMIT $3`, x.tenantID, c.Seq, 100)
	if err != nil {
		return false, err
	}
	var entries []logEntry
	for rows.Next() {
		var e logEntry
		var items string
		if err := rows.Scan(&e.seq, &e.kind, &e.ref, &items, &e.at); err != nil {
			rows.Close()
			return false, err
		}
		if err := json.Unmarshal([]byte(items), &e.items); err != nil {
			rows.Close()
			return false, fmt.Errorf("identity map log %d: %w", e.seq, err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return true, nil
	}
	for _, e := range entries {
		if e.kind == mapReset {
			*c = mapCursor{Seq: e.seq, Phase: "i"}
			x.out = append(x.out, MapRecord{Type: MapReset, Seq: e.seq, At: at(e.at)})
			return false, nil
		}
		if err := x.expand(ctx, e); err != nil {
			return false, err
		}
		c.Seq = e.seq
		if len(x.out) >= limit {
			return false, nil
		}
	}
	return false, nil
}

func at(ms int64) *time.Time {
	t := clock.FromMillis(ms)
	return &t
}

// expand appends the records of one log entry, read as the map is now.
func (x *mapExport) expand(ctx context.Context, e logEntry) error {
	switch e.kind {
	case mapEvents:
		customers, err := x.events(ctx, e.seq, e.ref, e.items)
		if err != nil {
			return err
		}
		return x.identifiersOf(ctx, e.seq, customers)
	case mapMerge, mapUnmerge:
		var m MapRecord
		var created int64
		var undone sql.NullInt64
		err := x.q.QueryRowContext(ctx, `SELECT survivor_id, absorbed_id, created_at, undone_at FROM customer_merges WHERE tenant_id = $1 AND id = $2`,
			x.tenantID, e.ref).Scan(&m.SurvivorID, &m.AbsorbedID, &created, &undone)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // merges are never deleted; a log that outlived one shows nothing for it
		}
		if err != nil {
			return fmt.Errorf("merge %s: %w", e.ref, err)
		}
		m.Type, m.Seq, m.MergeID, m.At = MapMerge, e.seq, e.ref, at(created)
		if e.kind == mapMerge {
			x.out = append(x.out, m)
			return nil
		}
		m.Type, m.At = MapUnmerge, at(e.at)
		x.out = append(x.out, m)
		return x.unmerged(ctx, e.seq, m)
	case mapErase:
		for _, id := range e.items {
			x.out = append(x.out, MapRecord{Type: MapErase, Seq: e.seq, CustomerID: id, At: at(e.at)})
		}
		return nil
	}
	return fmt.Errorf("identity map log %d: unknown kind %q", e.seq, e.kind)
}

// events appends the events ids of touchpoint tp with their customers now, in the
// order given, and returns those customers.
func (x *mapExport) events(ctx context.Context, seq int64, tp string, ids []string) ([]string, error) {
	customer := map[string]string{}
	err := inChunks(x.s.db.Dialect, ids, func(chunk []string) error {
		args := []any{x.tenantID, tp}
		return db.EachRow(ctx, x.q, `SELECT id, customer_id FROM events WHERE tenant_id = $1 AND touchpoint_id = $2 AND id`+db.In(x.s.db.Dialect, &args, chunk),
			args, func(rs *sql.Rows) error {
				var id string
				var c sql.NullString
				if err := rs.Scan(&id, &c); err != nil {
					return err
				}
				customer[id] = c.String
				return nil
			})
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		c, ok := customer[id]
		if !ok {
			continue // cannot happen: events are never deleted
		}
		if err := x.addEvent(ctx, MapRecord{Type: MapEvent, Seq: seq, TouchpointID: tp, EventID: id, CustomerID: c}); err != nil {
			return nil, err
		}
		if c != "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// identifiersOf appends the identifiers the customers hold now, by customer, type
// and blind index.
func (x *mapExport) identifiersOf(ctx context.Context, seq int64, customers []string) error {
	type row struct{ typ, index, sealed, customer string }
	var rs []row
	err := inChunks(x.s.db.Dialect, customers, func(chunk []string) error {
		args := []any{x.tenantID}
		return db.EachRow(ctx, x.q, `SELECT type, value_index, value_sealed, customer_id FROM customer_identifiers WHERE tenant_id = $1 AND customer_id`+
			db.In(x.s.db.Dialect, &args, chunk), args, func(r *sql.Rows) error {
			var w row
			if err := r.Scan(&w.typ, &w.index, &w.sealed, &w.customer); err != nil {
				return err
			}
			rs = append(rs, w)
			return nil
		})
	})
	if err != nil {
		return err
	}
	slices.SortFunc(rs, func(a, b row) int {
		return strings.Compare(a.customer+"\x00"+a.typ+"\x00"+a.index, b.customer+"\x00"+b.typ+"\x00"+b.index)
	})
	for _, r := range rs {
		if err := x.identifier(seq, r.typ, r.sealed, r.customer); err != nil {
			return err
		}
	}
	return nil
}

// unmerged appends what undoing merge m gave back: the events the merge had moved,
// with their customers now, and the identifiers of the restored customer (or of
// the customer it was merged into since).
func (x *mapExport) unmerged(ctx context.Context, seq int64, m MapRecord) error {
	refs, err := queryStrings(ctx, x.q, `SELECT item FROM customer_merge_items WHERE tenant_id = $1 AND merge_id = $2 AND kind = 'event' ORDER BY item`,
		x.tenantID, m.MergeID)
	if err != nil {
		return err
	}
	byTP := map[string][]string{}
	for _, ref := range refs {
		tp, id, ok := strings.Cut(ref, "/")
		if ok {
			byTP[tp] = append(byTP[tp], id)
		}
	}
	for _, tp := range slices.Sorted(func(yield func(string) bool) {
		for k := range byTP {
			if !yield(k) {
				return
			}
		}
	}) {
		if _, err := x.events(ctx, seq, tp, byTP[tp]); err != nil {
			return err
		}
	}
	var live string
	err = x.q.QueryRowContext(ctx, `SELECT COALESCE(merged_into, id) FROM customers WHERE tenant_id = $1 AND id = $2`, x.tenantID, m.AbsorbedID).Scan(&live)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return x.identifiersOf(ctx, seq, []string{live})
}
