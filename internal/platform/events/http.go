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

// List returns the tenant's events, newest first.
func (d *Dispatcher) List(ctx context.Context, tenantID, status, typ string, pp httpapi.PageParams) (httpapi.Page[DomainEvent], error) {
	after, err := httpapi.DecodeCursor(pp.Cursor)
	if err != nil {
		return httpapi.Page[DomainEvent]{}, err
	}
	rows, err := d.db.Reader().QueryContext(ctx, `SELECT id, type, aggregate_id, status, attempts, last_error, payload, created_at
		FROM outbox_events WHERE tenant_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR type = $3)
		AND ($4 = '' OR id < $4) ORDER BY id DESC LIMIT $5`, tenantID, status, typ, after, pp.Limit+1)
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
