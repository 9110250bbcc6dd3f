package identity

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// SQL helpers. Each takes the querier (a transaction or the read pool) explicitly and
// filters by tenant; "not found" is an errs.NotFound error, never a nil result.

// forUpdate returns the row-lock suffix of a touchpoint SELECT (alias t) inside a
// write transaction. SQLite needs none: its write transactions are serialised by
// BEGIN IMMEDIATE.
func forUpdate(d db.Dialect) string {
	if d == db.Postgres {
		return " FOR UPDATE OF t"
	}
	return ""
}

func notFoundIf(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// localDay is the day number of t's calendar date in loc: days from 1970-01-01 to
// that date, so that a day runs from midnight to midnight in loc.
func localDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// touchpointCols selects a touchpoint with today's counters; the query joins
// touchpoint_days as d for the day bound to the given placeholder.
const touchpointCols = `t.id, t.tenant_id, t.code, t.name, t.type, t.channel, t.store_id, t.status, t.last_seen_at, t.created_at, t.updated_at,
	COALESCE(d.accepted, 0), COALESCE(d.rejected, 0)`

func touchpointFrom(day string) string {
	return ` FROM touchpoints t LEFT JOIN touchpoint_days d ON d.tenant_id = t.tenant_id AND d.touchpoint_id = t.id AND d.day = ` + day
}

func scanTouchpoint(sc interface{ Scan(...any) error }) (Touchpoint, error) {
	var t Touchpoint
	var store sql.NullString
	var lastSeen sql.NullInt64
	var created, updated int64
	err := sc.Scan(&t.ID, &t.TenantID, &t.Code, &t.Name, &t.Type, &t.Channel, &store, &t.Status, &lastSeen, &created, &updated,
		&t.Health.EventsToday, &t.Health.RejectedToday)
	t.StoreID = store.String
	if lastSeen.Valid {
		at := clock.FromMillis(lastSeen.Int64)
		t.Health.LastSeenAt = &at
	}
	t.CreatedAt, t.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return t, err
}

func insertTouchpoint(ctx context.Context, q db.Querier, t Touchpoint) error {
	_, err := q.ExecContext(ctx, `INSERT INTO touchpoints (id, tenant_id, code, name, type, channel, store_id, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, t.ID, t.TenantID, t.Code, t.Name, string(t.Type), string(t.Channel),
		nullable(t.StoreID), string(t.Status), clock.Millis(t.CreatedAt), clock.Millis(t.UpdatedAt))
	return err
}

func updateTouchpointRow(ctx context.Context, q db.Querier, t Touchpoint) error {
	_, err := q.ExecContext(ctx, `UPDATE touchpoints SET code = $3, name = $4, type = $5, channel = $6, store_id = $7, status = $8,
		updated_at = $9 WHERE tenant_id = $1 AND id = $2`, t.TenantID, t.ID, t.Code, t.Name, string(t.Type), string(t.Channel),
		nullable(t.StoreID), string(t.Status), clock.Millis(t.UpdatedAt))
	return err
}

func getTouchpoint(ctx context.Context, q db.Querier, tenantID, id string, day int64, lock string) (Touchpoint, error) {
	t, err := scanTouchpoint(q.QueryRowContext(ctx, `SELECT `+touchpointCols+touchpointFrom("$3")+
		` WHERE t.tenant_id = $1 AND t.id = $2`+lock, tenantID, id, day))
	return t, notFoundIf(err, "touchpoint")
}

func getTouchpointByCode(ctx context.Context, q db.Querier, tenantID, code string, day int64) (Touchpoint, error) {
	t, err := scanTouchpoint(q.QueryRowContext(ctx, `SELECT `+touchpointCols+touchpointFrom("$3")+
		` WHERE t.tenant_id = $1 AND t.code = $2`, tenantID, code, day))
	return t, notFoundIf(err, "touchpoint")
}

func findTouchpoints(ctx context.Context, q db.Querier, like, tenantID string, f TouchpointFilter, day int64, after string, limit int) ([]Touchpoint, error) {
	args := []any{tenantID, day}
	where := touchpointWhere(&args, like, f)
	if after != "" {
		args = append(args, after)
		where += " AND t.id > $" + strconv.Itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+touchpointCols+touchpointFrom("$2")+` WHERE `+where+
		` ORDER BY t.id LIMIT $`+strconv.Itoa(len(args)+1), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Touchpoint
	for rows.Next() {
		t, err := scanTouchpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// eventRow is an event ready to insert, with its JSON columns encoded and sealed.
type eventRow struct {
	Index       int    // position in the request (JSON index or NDJSON line)
	TP          string // touchpoint code the event named; empty: the request's
	ID          string
	Type        string
	OccurredAt  int64
	Identifiers string            // sealed JSON object (sealEventJSON)
	Properties  string            // sealed JSON object
	Idents      map[string]string // the identifiers in plain text, for resolution
	Props       string            // the properties in plain JSON, for the profile hook
}

// eventKey names a stored event. Event ids are made by the sending touchpoint and
// unique per touchpoint only (migration 00022): two touchpoints may both send an
// event "1001", and they are two events.
type eventKey struct{ touchpoint, id string }

// ref is how customer_merge_items names the event (eventRefSQL in SQL): the
// touchpoint id, '/', the event id. Touchpoint ids are made by the server and never
// hold '/', so no two events share a ref.
func (k eventKey) ref() string { return k.touchpoint + "/" + k.id }

// eventRefSQL is eventKey.ref of an events row in SQL.
const eventRefSQL = `touchpoint_id || '/' || id`

// storedEventIDs returns the ids of rows that the touchpoint already stored, each
// with its customer (empty when unattached).
func storedEventIDs(ctx context.Context, q db.Querier, d db.Dialect, tenantID, touchpointID string, rows []eventRow) (map[string]string, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	stored := map[string]string{}
	scan := func(rs *sql.Rows) error {
		var id string
		var customer sql.NullString
		if err := rs.Scan(&id, &customer); err != nil {
			return err
		}
		stored[id] = customer.String
		return nil
	}
	err := inChunks(d, ids, func(chunk []string) error {
		args := []any{tenantID, touchpointID}
		query := db.SelectIn(d, &args, db.Select{Cols: "id, customer_id", Table: "events", Where: "tenant_id = $1 AND touchpoint_id = $2", Column: "id"}, chunk)
		return db.EachRow(ctx, q, query, args, scan)
	})
	return stored, err
}

// insertEvents inserts rows of one touchpoint (sorted by id, so that concurrent
// batches lock keys in the same order), each with its customer from links (none if
// absent), and skips those the touchpoint stored before. It returns the ids that
// were inserted.
func insertEvents(ctx context.Context, q db.Querier, d db.Dialect, tenantID, touchpointID string, receivedAt int64, rows []eventRow, links map[string]string) (map[string]bool, error) {
	inserted := map[string]bool{}
	w := db.Rows{Head: `INSERT INTO events (tenant_id, touchpoint_id, received_at, id, type, occurred_at, identifiers, properties, customer_id)`,
		Lead: "$1, $2, $3", Fixed: []any{tenantID, touchpointID, receivedAt}, Tail: ` ON CONFLICT (tenant_id, touchpoint_id, id) DO NOTHING RETURNING id`}
	err := db.WriteRows(ctx, q, d, w, rows, func(r eventRow) []any {
		return []any{r.ID, r.Type, r.OccurredAt, r.Identifiers, r.Properties, nullable(links[r.ID])}
	}, func(rs *sql.Rows) error {
		var id string
		if err := rs.Scan(&id); err != nil {
			return err
		}
		inserted[id] = true
		return nil
	})
	return inserted, err
}

// addHealth adds accepted and rejected events to the touchpoint's counters of day
// and sets its last-seen time.
func addHealth(ctx context.Context, q db.Querier, tenantID, touchpointID string, day int64, accepted, rejected, identified int, seenAt int64) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO touchpoint_days (tenant_id, touchpoint_id, day, accepted, rejected, identified) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, touchpoint_id, day) DO UPDATE SET accepted = touchpoint_days.accepted + excluded.accepted,
		rejected = touchpoint_days.rejected + excluded.rejected, identified = touchpoint_days.identified + excluded.identified`,
		tenantID, touchpointID, day, accepted, rejected, identified); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE touchpoints SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2
		AND (last_seen_at IS NULL OR last_seen_at < $3)`, tenantID, touchpointID, seenAt)
	return err
}

// heldIdentifiers returns the identifiers of a customer with their values opened,
// ordered by type and value. It sorts in Go: the values are sealed, and with ORDER BY
// SQLite walked the primary key of the whole tenant instead of the customer index.
func heldIdentifiers(ctx context.Context, q db.Querier, keys *pii.Keys, tenantID, id string) ([]CustomerIdentifier, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, value_sealed, strength, created_at FROM customer_identifiers WHERE tenant_id = $1 AND customer_id = $2`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CustomerIdentifier{}
	for rows.Next() {
		var c CustomerIdentifier
		var sealed string
		var created int64
		if err := rows.Scan(&c.Type, &sealed, &c.Strength, &created); err != nil {
			return nil, err
		}
		if c.Value, err = keys.Open(sealed, identifierContext(c.Type)); err != nil {
			return nil, fmt.Errorf("customer %s identifier %s: %w", id, c.Type, err)
		}
		c.CreatedAt = clock.FromMillis(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b CustomerIdentifier) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Value, b.Value))
	})
	return out, nil
}
