package identity

import (
	"context"
	"database/sql"
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
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// CustomerIdentifier is one identifier a customer holds (normalised value, or its
// mask when the customer was read without customers:pii).
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
	MergedFrom string
	Status     CustomerStatus
	ErasedAt   *time.Time // set when Status is CustomerErased
	// Masked says that personal values (identifiers, event properties) were masked
	// because the reader does not hold customers:pii.
	Masked      bool
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
	Masked       bool // personal values are masked (the reader lacks customers:pii)
}

// CustomerEventFilter pages a customer's events, newest first.
type CustomerEventFilter struct {
	Limit  int
	Cursor string
}

// FindCustomerByIdentifier returns the customer holding the identifier written as
// TYPE:VALUE (the value is normalised), when the principal's data scope sees it. It
// counts as a customer search of the principal and is recorded in the access log
// (the identifier's type, never its value). Errors: invalid (query.identifier),
// not_found, rate_limited, unauthorized, forbidden.
func (s *Service) FindCustomerByIdentifier(ctx context.Context, identifier string) (Customer, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return Customer{}, err
	}
	typ, value, ok := strings.Cut(identifier, ":")
	if !ok || !utf8.ValidString(identifier) {
		return Customer{}, errs.Field("query.identifier", "must be TYPE:VALUE, e.g. phone:13800138000")
	}
	t, err := graph.ParseType(typ)
	if err != nil {
		// The type is not echoed: it may be a value typed in the wrong place.
		return Customer{}, errs.Field("query.identifier", "unknown identifier type; one of %s", identifierTypeNames())
	}
	if t == graph.TypeMaskedPhone || isMasked(value) {
		return Customer{}, errMaskedLookup("query.identifier")
	}
	rules := graph.DefaultRules() // normalisation is the same for every tenant
	id, err := rules.NewIdentifier(t, value)
	if err != nil {
		return Customer{}, errs.Field("query.identifier", "%s", errMessage(err))
	}
	if err := s.spendLookup(ctx, p, lookupSearch); err != nil {
		return Customer{}, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return Customer{}, err
	}
	q := s.db.Reader()
	cid, err := s.identifierOwner(ctx, q, p.TenantID, id)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	if cid == "" {
		return Customer{}, errs.E(errs.NotFound, "customer not found")
	}
	if _, err := sc.live(ctx, q, p.TenantID, cid, ""); err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	c, err := getCustomer(ctx, q, s.pii, p.TenantID, cid)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	if err := s.logAccess(ctx, nil, AccessLookup, shownTo(p), accessed{c.ID, t.String()}); err != nil {
		return Customer{}, err
	}
	return maskCustomer(p, c), nil
}

// isMasked reports whether v is a masked value such as a delivery platform's
// 138****5678 or 郑**: asterisks (half- or full-width) stand for the hidden part.
func isMasked(v string) bool { return strings.ContainsAny(v, "*＊") }

// errMaskedLookup is the 422 of a look-up by a masked value. A masked phone matches
// many people (and masked values are never linking identifiers, scope item 1), so
// "not found" would be misleading: the caller must look up by the full value.
func errMaskedLookup(field string) error {
	return errs.Field(field, "masked values never identify a customer: look up by the full value (a masked phone such as 138****5678 matches many people)")
}

// identifierTypeNames lists the identifier type names, comma-separated.
func identifierTypeNames() string {
	names := make([]string, 0, len(graph.Types()))
	for _, t := range graph.Types() {
		names = append(names, t.String())
	}
	return strings.Join(names, ", ")
}

// identifierOwner returns the customer holding id (looked up by its blind index), or
// "" when nobody does.
func (s *Service) identifierOwner(ctx context.Context, q db.Querier, tenantID string, id graph.Identifier) (string, error) {
	var cid string
	err := q.QueryRowContext(ctx, `SELECT customer_id FROM customer_identifiers WHERE tenant_id = $1 AND type = $2 AND value_index = $3`,
		tenantID, id.Type.String(), s.pii.Index(id.Type.String(), id.Value)).Scan(&cid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return cid, err
}

func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// FindCustomerByID returns a customer; the id of a merged customer returns the
// survivor with MergedFrom set. An erased customer is returned with status erased
// and no identifiers. Personal values are masked unless the principal holds
// customers:pii. A customer outside the principal's data scope is not found. The
// read counts against the principal's read limit and is recorded in the access log.
// Errors: not_found, rate_limited, unauthorized, forbidden.
func (s *Service) FindCustomerByID(ctx context.Context, id string) (Customer, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return Customer{}, err
	}
	if err := s.spendLookup(ctx, p, lookupRead); err != nil {
		return Customer{}, err
	}
	q := s.db.Reader()
	if _, err := s.visibleCustomer(ctx, q, p, id); err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	c, err := getCustomer(ctx, q, s.pii, p.TenantID, id)
	if err != nil {
		return Customer{}, fmt.Errorf("identity: find customer: %w", err)
	}
	if err := s.logAccess(ctx, nil, AccessView, shownTo(p), accessed{customer: c.ID}); err != nil {
		return Customer{}, err
	}
	return maskCustomer(p, c), nil
}

// FindCustomerEvents returns the events of a customer (of the survivor for a merged
// id), newest first, when the principal's data scope sees it. Each page counts
// against the principal's read limit and is recorded in the access log.
// Errors: not_found, invalid (cursor), rate_limited, unauthorized, forbidden.
func (s *Service) FindCustomerEvents(ctx context.Context, id string, f CustomerEventFilter) (httpapi.Page[CustomerEvent], error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	after, err := httpapi.DecodeCursor(f.Cursor)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	afterAt, afterKey, err := parseEventCursor(after)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	// Every page counts: a cursor is only the position to read from, so a made-up
	// one would otherwise read a first page for free.
	if err := s.spendLookup(ctx, p, lookupRead); err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	c, err := s.visibleCustomer(ctx, s.db.Reader(), p, id)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, fmt.Errorf("identity: find customer events: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, httpapi.MaxLimit)
	items, err := customerEvents(ctx, s.db.Reader(), s.pii, p.TenantID, []string{c}, after != "", afterAt, afterKey, limit+1)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, fmt.Errorf("identity: find customer events: %w", err)
	}
	schema, err := s.schema.get(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return httpapi.Page[CustomerEvent]{}, fmt.Errorf("identity: find customer events: %w", err)
	}
	for i := range items {
		items[i] = maskEvent(p, schema, items[i])
	}
	if err := s.logAccess(ctx, nil, AccessTimeline, shownTo(p), accessed{customer: c}); err != nil {
		return httpapi.Page[CustomerEvent]{}, err
	}
	return httpapi.PageOf(items, limit, func(e CustomerEvent) string {
		return strconv.FormatInt(clock.Millis(e.OccurredAt), 10) + "|" + e.TouchpointID + "|" + e.ID
	}), nil
}

// parseEventCursor reads a timeline cursor, "occurred_at|touchpoint id|event id"
// (touchpoint ids never hold "|"). A cursor made before event ids were per
// touchpoint, "occurred_at|event id" without a second "|", continues as it did.
func parseEventCursor(after string) (int64, eventKey, error) {
	if after == "" {
		return 0, eventKey{}, nil
	}
	at, rest, ok := strings.Cut(after, "|")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return 0, eventKey{}, errs.Field("query.cursor", "malformed cursor")
	}
	if tp, id, ok := strings.Cut(rest, "|"); ok {
		return n, eventKey{touchpoint: tp, id: id}, nil
	}
	return n, eventKey{id: rest}, nil
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

// getCustomer returns the live customer that id is or was merged into, with its
// identifiers opened (not masked).
func getCustomer(ctx context.Context, q db.Querier, keys *pii.Keys, tenantID, id string) (Customer, error) {
	live, err := survivor(ctx, q, tenantID, id)
	if err != nil {
		return Customer{}, err
	}
	c := Customer{ID: live}
	if live != id {
		c.MergedFrom = id
	}
	var first, last, created, updated int64
	var erased sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT first_seen_at, last_seen_at, event_count, created_at, updated_at, status, erased_at FROM customers
		WHERE tenant_id = $1 AND id = $2`, tenantID, live).Scan(&first, &last, &c.EventCount, &created, &updated, &c.Status, &erased); err != nil {
		return Customer{}, notFoundIf(err, "customer")
	}
	c.FirstSeenAt, c.LastSeenAt = clock.FromMillis(first), clock.FromMillis(last)
	c.CreatedAt, c.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	if erased.Valid {
		at := clock.FromMillis(erased.Int64)
		c.ErasedAt = &at
	}
	c.Identifiers, err = heldIdentifiers(ctx, q, keys, tenantID, live)
	return c, err
}

// customerEvents returns a page of the events of the customers ids, newest first
// (occurred_at, event id, touchpoint id), with identifiers and properties opened.
// limit 0 returns them all.
func customerEvents(ctx context.Context, q db.Querier, keys *pii.Keys, tenantID string, ids []string, paged bool, afterAt int64, after eventKey, limit int) ([]CustomerEvent, error) {
	args := []any{tenantID}
	in := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	where := ` AND customer_id IN (` + strings.Join(in, ", ") + `)`
	if paged {
		args = append(args, afterAt, after.id, after.touchpoint)
		n := len(args)
		where += fmt.Sprintf(` AND (occurred_at < $%d OR (occurred_at = $%d AND (id < $%d OR (id = $%d AND touchpoint_id < $%d))))`, n-2, n-2, n-1, n-1, n)
	}
	tail := ""
	if limit > 0 {
		args = append(args, limit)
		tail = ` LIMIT $` + strconv.Itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT id, type, touchpoint_id, occurred_at, received_at, identifiers, properties FROM events
		WHERE tenant_id = $1`+where+` ORDER BY occurred_at DESC, id DESC, touchpoint_id DESC`+tail, args...)
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
		if err := openEventJSON(keys, idents, eventIdentifiersContext, &e.Identifiers); err != nil {
			return nil, fmt.Errorf("event %s identifiers: %w", e.ID, err)
		}
		if err := openEventJSON(keys, props, eventPropertiesContext, &e.Properties); err != nil {
			return nil, fmt.Errorf("event %s properties: %w", e.ID, err)
		}
		if e.Identifiers == nil {
			e.Identifiers = map[string]string{}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CustomerIdentifierResponse is one identifier of a customer.
type CustomerIdentifierResponse struct {
	Type      string    `json:"type" doc:"Identifier type, e.g. phone, wechat_unionid."`
	Value     string    `json:"value" doc:"Normalised value; phones and e-mails are masked (138****1234, w***@example.com) without customers:pii."`
	Strength  string    `json:"strength" enum:"weak,medium,strong"`
	CreatedAt time.Time `json:"created_at"`
}

// CustomerResponse is a resolved customer.
type CustomerResponse struct {
	ID          string                       `json:"id"`
	MergedFrom  string                       `json:"merged_from,omitempty" doc:"The requested id when it was merged into this customer."`
	Status      CustomerStatus               `json:"status" enum:"active,erased" doc:"erased: the customer's personal data was erased; counts stay."`
	ErasedAt    *time.Time                   `json:"erased_at,omitempty"`
	Masked      bool                         `json:"masked" doc:"Personal values are masked because the caller lacks customers:pii."`
	FirstSeenAt time.Time                    `json:"first_seen_at"`
	LastSeenAt  time.Time                    `json:"last_seen_at"`
	EventCount  int64                        `json:"event_count"`
	Identifiers []CustomerIdentifierResponse `json:"identifiers" nullable:"false"`
	CreatedAt   time.Time                    `json:"created_at"`
	UpdatedAt   time.Time                    `json:"updated_at"`
	// The customer 360 fields (http_customers.go).
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
	Properties   map[string]any    `json:"properties,omitempty" doc:"name, address, birthday, phone and email are masked without customers:pii."`
	Masked       bool              `json:"masked" doc:"Personal values are masked because the caller lacks customers:pii."`
}

func customerResponse(c Customer) CustomerResponse {
	out := CustomerResponse{ID: c.ID, MergedFrom: c.MergedFrom, Status: c.Status, ErasedAt: c.ErasedAt, Masked: c.Masked,
		FirstSeenAt: c.FirstSeenAt, LastSeenAt: c.LastSeenAt, EventCount: c.EventCount,
		Identifiers: make([]CustomerIdentifierResponse, len(c.Identifiers)), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, id := range c.Identifiers {
		out.Identifiers[i] = CustomerIdentifierResponse{Type: id.Type, Value: id.Value, Strength: id.Strength, CreatedAt: id.CreatedAt}
	}
	return out
}

func customerEventResponse(e CustomerEvent) CustomerEventResponse {
	return CustomerEventResponse{ID: e.ID, Type: e.Type, TouchpointID: e.TouchpointID, OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt,
		Identifiers: e.Identifiers, Properties: e.Properties, Masked: e.Masked}
}

type customerLookupInput struct {
	Identifier string `query:"identifier" maxLength:"300" doc:"TYPE:VALUE, e.g. phone:13800138000; the value is normalised."`
}

type customerIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// customerEventsInput pages like httpapi.PageParams, with room in the cursor for the
// last event's touchpoint and id (up to 128 characters of up to 4 bytes each).
type customerEventsInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50" doc:"Maximum number of items to return."`
	Cursor string `query:"cursor" maxLength:"800" doc:"Opaque cursor from a previous page's next_cursor."`
	ID     string `path:"id" maxLength:"64"`
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
