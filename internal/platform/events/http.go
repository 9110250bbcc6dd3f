package events

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// DomainEvent is an outbox event as the API shows it.
type DomainEvent struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	AggregateID string    `json:"aggregate_id"`
	Status      string    `json:"status" enum:"pending,delivered,dead"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
	Payload     any       `json:"payload"`
	CreatedAt   time.Time `json:"created_at"`
}

type domainEventListInput struct {
	httpapi.PageParams
	Status string `query:"status" enum:"pending,delivered,dead," doc:"Only events in this state."`
	Type   string `query:"type" maxLength:"100" doc:"Only events of this type."`
}

type domainEventListOutput struct {
	Body httpapi.Page[DomainEvent]
}

// DomainEventLag is how far delivery of the tenant's domain events is behind.
type DomainEventLag struct {
	Pending              int64      `json:"pending" doc:"Events not yet delivered to every subscriber that wants them (the backlog)."`
	Dead                 int64      `json:"dead" doc:"Events that failed delivery too often; they wait for a retry by hand."`
	OldestPendingAt      *time.Time `json:"oldest_pending_at,omitempty" doc:"When the oldest pending event was published; absent when none is pending."`
	OldestPendingSeconds int64      `json:"oldest_pending_seconds" doc:"How long the oldest pending event has waited, in seconds; 0 when none is pending."`
	RetentionSeconds     int64      `json:"retention_seconds" doc:"How long delivered events are kept before they are deleted, in seconds; 0 keeps them forever. Pending and dead events are never deleted."`
}

type domainEventLagOutput struct {
	Body DomainEventLag
}

type domainEventIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// Register adds the domain-event (outbox) operations to the API.
func (d *Dispatcher) Register(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-domain-events", Method: http.MethodGet, Path: "/api/v1/domain-events",
		Summary: "List domain events of the outbox", Tags: []string{"Platform"},
		Description: "Events written by every domain; dead ones failed delivery too often and can be retried. " +
			"The outbox spans the whole tenant: it needs events:read over the whole tenant.",
		Security: httpapi.Secured(auth.EventsRead),
	}, func(ctx context.Context, in *domainEventListInput) (*domainEventListOutput, error) {
		p, err := auth.RequireTenantWide(ctx, auth.EventsRead, "reading the outbox")
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		page, err := d.List(ctx, p.TenantID, in.Status, in.Type, in.PageParams)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &domainEventListOutput{Body: page}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-domain-event-lag", Method: http.MethodGet, Path: "/api/v1/domain-events/lag",
		Summary: "How far delivery of domain events is behind", Tags: []string{"Platform"},
		Description: "The backlog (events not yet delivered), how long the oldest of them has waited, the dead events and " +
			"how long delivered events are kept. It needs events:read over the whole tenant.",
		Security: httpapi.Secured(auth.EventsRead),
	}, func(ctx context.Context, _ *struct{}) (*domainEventLagOutput, error) {
		p, err := auth.RequireTenantWide(ctx, auth.EventsRead, "reading the outbox")
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		l, err := d.Lag(ctx, p.TenantID)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &domainEventLagOutput{Body: d.lagResponse(l)}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "retry-domain-event", Method: http.MethodPost, Path: "/api/v1/domain-events/{id}/retry",
		Summary: "Retry a dead domain event", Tags: []string{"Platform"}, DefaultStatus: http.StatusNoContent,
		Security: httpapi.Secured(auth.EventsWrite),
	}, func(ctx context.Context, in *domainEventIDInput) (*struct{}, error) {
		p, err := auth.RequireTenantWide(ctx, auth.EventsWrite, "retrying domain events")
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		if err := d.Retry(ctx, p.TenantID, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
}

// lagResponse converts a Lag for the API.
func (d *Dispatcher) lagResponse(l Lag) DomainEventLag {
	out := DomainEventLag{Pending: l.Pending, Dead: l.Dead, OldestPendingSeconds: int64(l.OldestPending.Seconds()),
		RetentionSeconds: int64(max(d.Retention, 0).Seconds())}
	if !l.OldestPendingAt.IsZero() {
		out.OldestPendingAt = &l.OldestPendingAt
	}
	return out
}

// List returns the tenant's events, newest first.
func (d *Dispatcher) List(ctx context.Context, tenantID, status, typ string, pp httpapi.PageParams) (httpapi.Page[DomainEvent], error) {
	after, err := httpapi.DecodeCursor(pp.Cursor)
	if err != nil {
		return httpapi.Page[DomainEvent]{}, err
	}
	// Only the filters that are set become conditions, so that an index on them
	// serves the query: (tenant_id, status, id) or (tenant_id, type, id).
	where, args := "tenant_id = $1", []any{tenantID}
	for _, f := range []struct{ cond, value string }{{"status = ", status}, {"type = ", typ}, {"id < ", after}} {
		if f.value != "" {
			args = append(args, f.value)
			where += fmt.Sprintf(" AND %s$%d", f.cond, len(args))
		}
	}
	args = append(args, pp.Limit+1)
	rows, err := d.db.Reader().QueryContext(ctx, `SELECT id, type, aggregate_id, status, attempts, last_error, payload, created_at
		FROM outbox_events WHERE `+where+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return httpapi.Page[DomainEvent]{}, fmt.Errorf("events: list: %w", err)
	}
	defer rows.Close()
	var items []DomainEvent
	for rows.Next() {
		var e DomainEvent
		var payload string
		var created int64
		if err := rows.Scan(&e.ID, &e.Type, &e.AggregateID, &e.Status, &e.Attempts, &e.LastError, &payload, &created); err != nil {
			return httpapi.Page[DomainEvent]{}, fmt.Errorf("events: list: %w", err)
		}
		e.Payload = rawJSON(payload)
		e.CreatedAt = clock.FromMillis(created)
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return httpapi.Page[DomainEvent]{}, fmt.Errorf("events: list: %w", err)
	}
	return httpapi.PageOf(items, pp.Limit, func(e DomainEvent) string { return e.ID }), nil
}
