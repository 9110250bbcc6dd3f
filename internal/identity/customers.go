package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// CustomerIdentifier is one identifier a customer holds (normalised value).
type CustomerIdentifier struct {
	Type      string
	Value     string
	Strength  string
	CreatedAt time.Time
}

// Customer is a resolved customer (One ID).
type Customer struct {
	ID string
	// MergedFrom is the id that was asked for when it was merged into ID; "" otherwise.
	MergedFrom  string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
	EventCount  int64
	Identifiers []CustomerIdentifier
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CustomerEvent is one event attached to a customer.
type CustomerEvent struct {
	ID           string
	Type         string
	TouchpointID string
	OccurredAt   time.Time
	ReceivedAt   time.Time
	Identifiers  map[string]string
	Properties   map[string]any
}

// CustomerEventFilter pages a customer's events, newest first.
type CustomerEventFilter struct {
	Limit  int
	Cursor string
}

// FindCustomerByIdentifier returns the customer holding the identifier written as
// TYPE:VALUE (the value is normalised). Errors: invalid (query.identifier),
// not_found, unauthorized, forbidden.
func (s *Service) FindCustomerByIdentifier(ctx context.Context, identifier string) (Customer, error) {
	p, err := principal(ctx, auth.CustomersRead)
	if err != nil {
		return Customer{}, err
	}
	typ, value, ok := strings.Cut(identifier, ":")
	if !ok || !utf8.ValidString(identifier) {
		return Customer{}, errs.Field("query.identifier", "must be TYPE:VALUE, e.g. phone:13800138000")
	}
	t, err := graph.ParseType(typ)
	if err != nil {
		return Customer{}, errs.Field("query.identifier", "unknown identifier type %q", typ)
	}
	rules := tenantRules(p.TenantID)
	id, err := rules.NewIdentifier(t, value)
	if err != nil {
		return Customer{}, errs.Field("query.identifier", "%s", errMessage(err))
	}
	var cid string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT customer_id FROM customer_identifiers WHERE tenant_id = $1 AND type = $2 AND value = $3`,
		p.TenantID, id.Type.String(), id.Value).Scan(&cid)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", notFoundIf(err, "customer"))
	}
	c, err := getCustomer(ctx, s.db.Reader(), p.TenantID, cid)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	return c, nil
}

func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// FindCustomerByID returns a customer; the id of a merged customer returns the
// survivor with MergedFrom set. Errors: not_found, unauthorized, forbidden.
func (s *Service) FindCustomerByID(ctx context.Context, id string) (Customer, error) {
	p, err := principal(ctx, auth.CustomersRead)
	if err != nil {
		return Customer{}, err
	}
	c, err := getCustomer(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	return c, nil
}

// FindCustomerEvents returns the events of a customer (of the survivor for a merged
// id), newest first. Errors: not_found, invalid (cursor), unauthorized, forbidden.
func (s *Service) FindCustomerEvents(ctx context.Context, id string, f CustomerEventFilter) (httpapi.Page[CustomerEvent], error) {
	p, err := principal(ctx, auth.CustomersRead)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	after, err := httpapi.DecodeCursor(f.Cursor)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	var afterAt int64
	var afterID string
	if after != "" {
		at, rest, ok := strings.Cut(after, "|")
		n, perr := strconv.ParseInt(at, 10, 64)
		if !ok || perr != nil {
			return httpapi.Page[CustomerEvent]{}, errs.Field("query.cursor", "malformed cursor")
		}
		afterAt, afterID = n, rest
	}
	c, err := survivor(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, fmt.Errorf("identity: find customer events: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, httpapi.MaxLimit)
	items, err := customerEvents(ctx, s.db.Reader(), p.TenantID, c, after != "", afterAt, afterID, limit+1)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, fmt.Errorf("identity: find customer events: %w", err)
	}
	return httpapi.PageOf(items, limit, func(e CustomerEvent) string {
		return strconv.FormatInt(clock.Millis(e.OccurredAt), 10) + "|" + e.ID
	}), nil
}

// survivor returns the live customer id that id is or was merged into.
func survivor(ctx context.Context, q db.Querier, tenantID, id string) (string, error) {
	if !utf8.ValidString(id) {
		return "", errs.E(errs.NotFound, "customer not found")
	}
	for range 8 {
		var next sql.NullString
		err := q.QueryRowContext(ctx, `SELECT merged_into FROM customers WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&next)
		if err != nil {
			return "", notFoundIf(err, "customer")
		}
		if !next.Valid {
			return id, nil
		}
		id = next.String
	}
	return "", errs.E(errs.Internal, "customer merge chain too long")
}

func getCustomer(ctx context.Context, q db.Querier, tenantID, id string) (Customer, error) {
	live, err := survivor(ctx, q, tenantID, id)
	if err != nil {
		return Customer{}, err
	}
	c := Customer{ID: live}
	if live != id {
		c.MergedFrom = id
	}
	var first, last, created, updated int64
	if err := q.QueryRowContext(ctx, `SELECT first_seen_at, last_seen_at, event_count, created_at, updated_at FROM customers
		WHERE tenant_id = $1 AND id = $2`, tenantID, live).Scan(&first, &last, &c.EventCount, &created, &updated); err != nil {
		return Customer{}, notFoundIf(err, "customer")
	}
	c.FirstSeenAt, c.LastSeenAt = clock.FromMillis(first), clock.FromMillis(last)
	c.CreatedAt, c.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	c.Identifiers, err = customerIdentifiers(ctx, q, tenantID, live)
	return c, err
}

// customerIdentifiers returns the identifiers of a customer ordered by type and value.
func customerIdentifiers(ctx context.Context, q db.Querier, tenantID, id string) ([]CustomerIdentifier, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, value, strength, created_at FROM customer_identifiers WHERE tenant_id = $1 AND customer_id = $2
		ORDER BY type, value`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CustomerIdentifier{}
	for rows.Next() {
		var c CustomerIdentifier
		var created int64
		if err := rows.Scan(&c.Type, &c.Value, &c.Strength, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = clock.FromMillis(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

func customerEvents(ctx context.Context, q db.Querier, tenantID, customerID string, paged bool, afterAt int64, afterID string, limit int) ([]CustomerEvent, error) {
	args := []any{tenantID, customerID}
	where := ""
	if paged {
		args = append(args, afterAt, afterID)
		where = ` AND (occurred_at < $3 OR (occurred_at = $3 AND id < $4))`
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT id, type, touchpoint_id, occurred_at, received_at, identifiers, properties FROM events
		WHERE tenant_id = $1 AND customer_id = $2`+where+` ORDER BY occurred_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CustomerEvent
	for rows.Next() {
		var e CustomerEvent
		var occurred, received int64
		var idents, props string
		if err := rows.Scan(&e.ID, &e.Type, &e.TouchpointID, &occurred, &received, &idents, &props); err != nil {
			return nil, err
		}
		e.OccurredAt, e.ReceivedAt = clock.FromMillis(occurred), clock.FromMillis(received)
		if err := json.Unmarshal([]byte(idents), &e.Identifiers); err != nil {
			return nil, fmt.Errorf("event %s identifiers: %w", e.ID, err)
		}
		if props != "" && props != "null" {
			if err := json.Unmarshal([]byte(props), &e.Properties); err != nil {
				return nil, fmt.Errorf("event %s properties: %w", e.ID, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CustomerIdentifierResponse is one identifier of a customer.
type CustomerIdentifierResponse struct {
	Type      string    `json:"type" doc:"Identifier type, e.g. phone, wechat_unionid."`
	Value     string    `json:"value" doc:"Normalised value; phone and e-mail masked unless the caller holds customers:pii."`
	Strength  string    `json:"strength" enum:"weak,medium,strong"`
	CreatedAt time.Time `json:"created_at"`
}

// CustomerResponse is a resolved customer.
type CustomerResponse struct {
	ID          string                       `json:"id"`
	MergedFrom  string                       `json:"merged_from,omitempty" doc:"The requested id when it was merged into this customer."`
	FirstSeenAt time.Time                    `json:"first_seen_at"`
	LastSeenAt  time.Time                    `json:"last_seen_at"`
	EventCount  int64                        `json:"event_count"`
	Identifiers []CustomerIdentifierResponse `json:"identifiers" nullable:"false"`
	CreatedAt   time.Time                    `json:"created_at"`
	UpdatedAt   time.Time                    `json:"updated_at"`
	// The customer 360 fields (http_customers.go).
	Status   string                    `json:"status" enum:"active,erased"`
	Masked   bool                      `json:"masked" doc:"Personal data is masked (the caller lacks customers:pii)."`
	Profile  CustomerProfileResponse   `json:"profile"`
	Consents []CustomerConsentResponse `json:"consents" nullable:"false"`
	Slots    CustomerSlotsResponse     `json:"slots"`
}

// CustomerEventResponse is one event of a customer's timeline.
type CustomerEventResponse struct {
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	TouchpointID string            `json:"touchpoint_id"`
	OccurredAt   time.Time         `json:"occurred_at"`
	ReceivedAt   time.Time         `json:"received_at"`
	Identifiers  map[string]string `json:"identifiers"`
	Properties   map[string]any    `json:"properties,omitempty"`
}

func customerResponse(c Customer) CustomerResponse {
	out := CustomerResponse{ID: c.ID, MergedFrom: c.MergedFrom, FirstSeenAt: c.FirstSeenAt, LastSeenAt: c.LastSeenAt, EventCount: c.EventCount,
		Identifiers: make([]CustomerIdentifierResponse, len(c.Identifiers)), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, id := range c.Identifiers {
		out.Identifiers[i] = CustomerIdentifierResponse{Type: id.Type, Value: id.Value, Strength: id.Strength, CreatedAt: id.CreatedAt}
	}
	return out
}

func customerEventResponse(e CustomerEvent) CustomerEventResponse {
	return CustomerEventResponse{ID: e.ID, Type: e.Type, TouchpointID: e.TouchpointID, OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt,
		Identifiers: e.Identifiers, Properties: e.Properties}
}

type customerLookupInput struct {
	Identifier string `query:"identifier" maxLength:"300" doc:"TYPE:VALUE, e.g. phone:13800138000; the value is normalised."`
}

type customerIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type customerEventsInput struct {
	httpapi.PageParams
	ID string `path:"id" maxLength:"64"`
}

// registerCustomers adds the customer read operations (scope customers:read).
func (s *Service) registerCustomers(api huma.API, tags []string) {
	read := httpapi.Secured(auth.CustomersRead)
	huma.Register(api, huma.Operation{
		OperationID: "find-customer-by-identifier", Method: http.MethodGet, Path: "/api/v1/customers",
		Summary: "Look up a customer by identifier", Description: "The customer holding the identifier; 404 when none does.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerLookupInput) (*httpapi.Body[CustomerResponse], error) {
		return httpapi.Reply(customer360Response)(s.with360(ctx)(s.FindCustomerByIdentifier(ctx, in.Identifier)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-customer", Method: http.MethodGet, Path: "/api/v1/customers/{id}",
		Summary: "Get a customer (360)", Description: "The id of a merged customer returns the surviving customer with merged_from set to the requested id. " +
			"Profile, consents and slots are those of the customer and the customers merged into it; personal data is masked unless the caller holds customers:pii.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerIDInput) (*httpapi.Body[CustomerResponse], error) {
		return httpapi.Reply(customer360Response)(s.with360(ctx)(s.FindCustomerByID(ctx, in.ID)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-customer-events", Method: http.MethodGet, Path: "/api/v1/customers/{id}/events",
		Summary: "List a customer's events", Description: "Newest first (occurred_at, then id); a merged id lists the survivor's events.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerEventsInput) (*httpapi.Body[httpapi.Page[CustomerEventResponse]], error) {
		return httpapi.ReplyPage(customerEventResponse)(s.FindCustomerEvents(ctx, in.ID, CustomerEventFilter{Limit: in.Limit, Cursor: in.Cursor}))
	})
}
