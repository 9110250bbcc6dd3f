// Package audit records who changed what and when — organisation, users, keys,
// prices and every other sensitive change — in the same transaction as the change.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Entry is one change to record.
type Entry struct {
	TenantID     string // defaults to the principal's tenant
	Action       string // for example "store.update"
	ResourceType string
	ResourceID   string
	Changes      any // what changed: new values, or {"before":…, "after":…}; never secrets
}

// AuditEvent is a recorded entry as the API shows it (named in full because it is
// also its schema name in the OpenAPI document).
type AuditEvent struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	ActorType    string    `json:"actor_type" doc:"user, api_key or system"`
	ActorID      string    `json:"actor_id"`
	ActorName    string    `json:"actor_name"`
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	Changes      any       `json:"changes"`
	RequestID    string    `json:"request_id,omitempty"`
}

// Log writes and reads the audit trail.
type Log struct {
	db    *db.DB
	clock clock.Clock
}

// New returns the audit log.
func New(d *db.DB, c clock.Clock) *Log { return &Log{db: d, clock: c} }

// Record writes e in tx, attributed to the principal in ctx (or "system").
func (l *Log) Record(ctx context.Context, tx *sql.Tx, e Entry) error {
	a := actorOf(ctx)
	e.TenantID = a.tenantOr(e.TenantID)
	actorType, actorID, actorName := a.kind, a.id, a.name
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit: encode changes: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (id, tenant_id, at, actor_type, actor_id, actor_name, action,
		resource_type, resource_id, changes, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		ids.New(), e.TenantID, clock.Millis(l.clock.Now()), actorType, actorID, actorName, e.Action,
		e.ResourceType, e.ResourceID, string(changes), middleware.GetReqID(ctx))
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// RecordAll writes entries in tx with one multi-row statement per dialect chunk: a bulk
// writer (an import of a thousand SKUs) records what one Record per change would,
// without a round trip per change.
func (l *Log) RecordAll(ctx context.Context, tx *sql.Tx, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	a := actorOf(ctx)
	actorType, actorID, actorName := a.kind, a.id, a.name
	type row struct{ id, tenant, action, resourceType, resourceID, changes string }
	rows := make([]row, len(entries))
	for i, e := range entries {
		e.TenantID = a.tenantOr(e.TenantID)
		changes, err := json.Marshal(e.Changes)
		if err != nil {
			return fmt.Errorf("audit: encode changes: %w", err)
		}
		rows[i] = row{ids.New(), e.TenantID, e.Action, e.ResourceType, e.ResourceID, string(changes)}
	}
	at, requestID := clock.Millis(l.clock.Now()), middleware.GetReqID(ctx)
	w := db.Rows{Head: `INSERT INTO audit_events (id, tenant_id, at, actor_type, actor_id, actor_name, action,
		resource_type, resource_id, changes, request_id)`}
	err := db.WriteRows(ctx, tx, l.db.Dialect, w, rows, func(r row) []any {
		return []any{r.id, r.tenant, at, actorType, actorID, actorName, r.action, r.resourceType, r.resourceID, r.changes, requestID}
	}, nil)
	if err != nil {
		return fmt.Errorf("audit: record %d entries: %w", len(entries), err)
	}
	return nil
}

// actor is who an entry is attributed to: the principal in the context, or "system".
type actor struct{ kind, id, name, tenantID string }

func actorOf(ctx context.Context) actor {
	if p := auth.FromContext(ctx); p != nil {
		return actor{kind: string(p.Kind), id: p.ID, name: p.Name, tenantID: p.TenantID}
	}
	return actor{kind: string(auth.SystemPrincipal), id: "system", name: "system"}
}

// tenantOr is an entry's tenant: its own, else the principal's.
func (a actor) tenantOr(tenantID string) string {
	if tenantID == "" {
		return a.tenantID
	}
	return tenantID
}

// Filter narrows a listing.
type Filter struct {
	ResourceType string
	ResourceID   string
	ActorID      string
	Action       string
}

// Find returns the tenant's audit events matching f, newest first.
func (l *Log) Find(ctx context.Context, tenantID string, f Filter, pp httpapi.PageParams) (httpapi.Page[AuditEvent], error) {
	after, err := httpapi.DecodeCursor(pp.Cursor)
	if err != nil {
		return httpapi.Page[AuditEvent]{}, err
	}
	query, args := findQuery(tenantID, f, after, pp.Limit+1)
	rows, err := l.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return httpapi.Page[AuditEvent]{}, fmt.Errorf("audit: find: %w", err)
	}
	defer rows.Close()
	var items []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var at int64
		var changes string
		if err := rows.Scan(&e.ID, &at, &e.ActorType, &e.ActorID, &e.ActorName, &e.Action, &e.ResourceType,
			&e.ResourceID, &changes, &e.RequestID); err != nil {
			return httpapi.Page[AuditEvent]{}, fmt.Errorf("audit: find: %w", err)
		}
		e.At = clock.FromMillis(at)
		e.Changes = json.RawMessage(changes)
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return httpapi.Page[AuditEvent]{}, fmt.Errorf("audit: find: %w", err)
	}
	return httpapi.PageOf(items, pp.Limit, func(e AuditEvent) string { return e.ID }), nil
}

// findQuery is the listing of f after the id after (newest first): only the filters
// that are set become conditions, so each query is a range of one index ending in
// id (migration 00028) rather than a scan with `($n = ” OR col = $n)`.
func findQuery(tenantID string, f Filter, after string, limit int) (string, []any) {
	args := []any{tenantID}
	where := "tenant_id = $1"
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where += " AND " + col + " $" + strconv.Itoa(len(args))
		}
	}
	add("resource_type =", f.ResourceType)
	add("resource_id =", f.ResourceID)
	add("actor_id =", f.ActorID)
	add("action =", f.Action)
	add("id <", after)
	args = append(args, limit)
	return `SELECT id, at, actor_type, actor_id, actor_name, action, resource_type, resource_id, changes, request_id
		FROM audit_events WHERE ` + where + ` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(args)), args
}

type listInput struct {
	httpapi.PageParams
	ResourceType string `query:"resource_type" maxLength:"64"`
	ResourceID   string `query:"resource_id" maxLength:"64"`
	ActorID      string `query:"actor_id" maxLength:"64"`
	Action       string `query:"action" maxLength:"64"`
}

type listOutput struct {
	Body httpapi.Page[AuditEvent]
}

// Register adds the audit trail operations to the API.
func (l *Log) Register(api huma.API) {
	l.registerExport(api)
	huma.Register(api, huma.Operation{
		OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events",
		Summary: "List the audit trail", Tags: []string{"Platform"},
		Description: "Who changed what and when, newest first. The trail covers the whole tenant, so it needs " +
			"audit:read over the whole tenant (a brand, region or store user gets 403).",
		Security: httpapi.Secured(auth.AuditRead),
	}, func(ctx context.Context, in *listInput) (*listOutput, error) {
		p, err := auth.RequireTenantWide(ctx, auth.AuditRead, "reading the audit trail")
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		f := Filter{ResourceType: in.ResourceType, ResourceID: in.ResourceID, ActorID: in.ActorID, Action: in.Action}
		page, err := l.Find(ctx, p.TenantID, f, in.PageParams)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &listOutput{Body: page}, nil
	})
}
