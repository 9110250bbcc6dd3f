package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// EventSchemaChanged is published when a tenant's event schema changes.
const EventSchemaChanged = "identity.event_schema_changed"

// Limits of an event schema.
const (
	maxSchemaNames    = 500
	maxSchemaNameRune = 64
)

// defaultNonPersonal are the event property names declared non-personal until a
// tenant changes its event schema: the platform's own non-personal event fields
// (amounts, quantities, products, stores, channels, order, coupon and campaign
// references, the consent event's purpose and answer) and the coarse profile fields
// city and gender, which the customer 360 shows unmasked too (decision 0006).
var defaultNonPersonal = []string{
	"amount_fen", "total_fen", "discount_fen", "price_fen", "paid_fen", "refund_fen", "points", "quantity", "qty", "currency",
	"sku", "skus", "sku_code", "barcode", "product_id", "category", "brand",
	"store_code", "store_id", "channel", "touchpoint", "terminal_id", "pos_id",
	"order_id", "order_no", "payment_method", "coupon_id", "promotion_id", "campaign_id", "content", "page", "screen",
	"purpose", "granted",
	"city", "gender",
}

// DefaultNonPersonal returns the names a tenant's event schema declares non-personal
// until it is changed, sorted.
func DefaultNonPersonal() []string {
	out := slices.Clone(defaultNonPersonal)
	slices.Sort(out)
	return out
}

// personalNames can never be declared non-personal: the identifier types, the profile
// fields that are masked, and the usual names of personal fields.
var personalNames = []string{"name", "address", "birthday", "mobile", "tel", "telephone", "e_mail", "id_card", "idcard", "id_number",
	"id_no", "passport", "手机", "手机号", "电话", "联系电话", "姓名", "名字", "收货人", "地址", "收货地址", "身份证", "身份证号", "生日", "邮箱"}

// isPersonalName reports whether a normalised property name is personal by meaning.
func isPersonalName(name string) bool {
	if _, err := graph.ParseType(name); err == nil {
		return true
	}
	return slices.Contains(personalNames, name)
}

// EventSchema is a tenant's event schema: the event property names whose values
// readers without customers:pii see as they are (normalised: lower case, full-width
// folded; sorted). Every other property is masked (pii.AllowList).
type EventSchema struct {
	NonPersonal []string
	Customised  bool // false while the tenant uses DefaultNonPersonal
	UpdatedAt   time.Time
	UpdatedBy   string
}

// loadEventSchema reads a tenant's event schema (DefaultNonPersonal without a row).
func loadEventSchema(ctx context.Context, q db.Querier, tenantID string) (EventSchema, error) {
	es := EventSchema{NonPersonal: DefaultNonPersonal()}
	var raw string
	var updatedAt int64
	err := q.QueryRowContext(ctx, `SELECT non_personal, updated_at, updated_by FROM event_schemas WHERE tenant_id = $1`, tenantID).
		Scan(&raw, &updatedAt, &es.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return es, nil
	}
	if err != nil {
		return EventSchema{}, fmt.Errorf("load event schema: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &es.NonPersonal); err != nil {
		return EventSchema{}, fmt.Errorf("decode event schema of tenant %s: %w", tenantID, err)
	}
	es.Customised, es.UpdatedAt = true, clock.FromMillis(updatedAt)
	return es, nil
}

// tenantSchema loads a tenant's event schema as the allow-list masking uses.
func tenantSchema(ctx context.Context, q db.Querier, tenantID string) (pii.AllowList, error) {
	es, err := loadEventSchema(ctx, q, tenantID)
	return pii.NewAllowList(es.NonPersonal...), err
}

// normaliseSchemaNames checks and normalises names (pii.PropertyName), dropping
// repeats, and returns them sorted. Errors: invalid naming body.non_personal[i] — an
// empty or too long name, control characters, a name personal by meaning (phone,
// name, 手机号…) or by shape (a phone number as a name).
func normaliseSchemaNames(names []string) ([]string, error) {
	if len(names) > maxSchemaNames {
		return nil, errs.Field("body.non_personal", "at most %d names", maxSchemaNames)
	}
	out := make([]string, 0, len(names))
	for i, raw := range names {
		field := fmt.Sprintf("body.non_personal[%d]", i)
		n := pii.PropertyName(raw)
		switch {
		case n == "" || !utf8.ValidString(n):
			return nil, errs.Field(field, "must be a property name")
		case utf8.RuneCountInString(n) > maxSchemaNameRune:
			return nil, errs.Field(field, "longer than %d characters", maxSchemaNameRune)
		case strings.ContainsFunc(n, unicode.IsControl):
			return nil, errs.Field(field, "must not hold control characters")
		case isPersonalName(n):
			return nil, errs.Field(field, "%s names personal data and cannot be declared non-personal", n)
		case pii.MaskFreeText(n) != n:
			return nil, errs.Field(field, "holds a phone number, e-mail address or identity card number")
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// EventSchema returns the tenant's event schema. Errors: unauthorized, forbidden.
func (s *Service) EventSchema(ctx context.Context) (EventSchema, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return EventSchema{}, err
	}
	es, err := loadEventSchema(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return EventSchema{}, fmt.Errorf("identity: event schema: %w", err)
	}
	return es, nil
}

// schemaWriter returns the caller when it holds customers:pii over the whole tenant:
// declaring a property non-personal shows its values to every reader of customers, so
// only someone who may read them in full may declare it.
func schemaWriter(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.CustomersPII, "changing the event schema")
}

// UpdateEventSchema replaces the names the tenant declares non-personal. The new
// schema applies to reads from now on (on other nodes within cacheTTL). Audited and
// published as EventSchemaChanged. Errors: invalid (body.non_personal[i]),
// unauthorized, forbidden (needs customers:pii over the whole tenant).
func (s *Service) UpdateEventSchema(ctx context.Context, names []string) (EventSchema, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return EventSchema{}, err
	}
	next, err := normaliseSchemaNames(names)
	if err != nil {
		return EventSchema{}, err
	}
	out := EventSchema{NonPersonal: next, Customised: true, UpdatedAt: s.now(), UpdatedBy: p.ID}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := loadEventSchema(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(next) // strings always marshal
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_schemas (tenant_id, non_personal, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET non_personal = excluded.non_personal, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			p.TenantID, string(raw), clock.Millis(out.UpdatedAt), p.ID); err != nil {
			return err
		}
		return s.recordSchema(ctx, tx, p.TenantID, cur.NonPersonal, next)
	})
	if err != nil {
		return EventSchema{}, fmt.Errorf("identity: update event schema: %w", err)
	}
	s.schema.put(p.TenantID, pii.NewAllowList(next...))
	return out, nil
}

// ResetEventSchema returns the tenant to DefaultNonPersonal. Errors: as
// UpdateEventSchema.
func (s *Service) ResetEventSchema(ctx context.Context) (EventSchema, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return EventSchema{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := loadEventSchema(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_schemas WHERE tenant_id = $1`, p.TenantID); err != nil {
			return err
		}
		return s.recordSchema(ctx, tx, p.TenantID, cur.NonPersonal, DefaultNonPersonal())
	})
	if err != nil {
		return EventSchema{}, fmt.Errorf("identity: reset event schema: %w", err)
	}
	s.schema.put(p.TenantID, pii.NewAllowList(DefaultNonPersonal()...))
	return EventSchema{NonPersonal: DefaultNonPersonal()}, nil
}

// recordSchema writes the audit entry and the outbox event of a schema change: the
// names declared and withdrawn (names, never values).
func (s *Service) recordSchema(ctx context.Context, tx *sql.Tx, tenantID string, before, after []string) error {
	added, removed := []string{}, []string{}
	for _, n := range after {
		if !slices.Contains(before, n) {
			added = append(added, n)
		}
	}
	for _, n := range before {
		if !slices.Contains(after, n) {
			removed = append(removed, n)
		}
	}
	changes := map[string]any{"added": added, "removed": removed, "non_personal": after}
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "identity.event_schema.update", ResourceType: "event_schema",
		ResourceID: tenantID, Changes: changes}); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, EventSchemaChanged, tenantID, changes)
	return err
}

// EventSchemaResponse is a tenant's event schema.
type EventSchemaResponse struct {
	NonPersonal []string   `json:"non_personal" nullable:"false" doc:"Property names (lower case) whose values readers without customers:pii see as they are, at any depth of an event's properties; every other property is masked by shape."`
	Defaults    []string   `json:"defaults" nullable:"false" doc:"The names declared while the tenant has not changed its schema."`
	Customised  bool       `json:"customised" doc:"False while the tenant uses the defaults."`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
}

// EventSchemaUpdateRequest replaces the names declared non-personal.
type EventSchemaUpdateRequest struct {
	NonPersonal []string `json:"non_personal" maxItems:"500" nullable:"false" doc:"The whole list; names are compared case-insensitively. Names of personal data (phone, name, address, 手机号…) are refused."`
}

type eventSchemaInput struct {
	Body EventSchemaUpdateRequest
}

func eventSchemaResponse(es EventSchema) EventSchemaResponse {
	out := EventSchemaResponse{NonPersonal: es.NonPersonal, Defaults: DefaultNonPersonal(), Customised: es.Customised}
	if out.NonPersonal == nil {
		out.NonPersonal = []string{}
	}
	if es.Customised {
		at := es.UpdatedAt
		out.UpdatedAt = &at
	}
	return out
}

func (s *Service) registerEventSchema(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "get-event-schema", Method: http.MethodGet, Path: "/api/v1/event-schema",
		Summary:     "Get the event schema",
		Description: "The event property names declared non-personal: readers without customers:pii see only their values as they are; every other property is masked.",
		Tags:        tags, Security: httpapi.Secured(auth.CustomersRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[EventSchemaResponse], error) {
		return httpapi.Reply(eventSchemaResponse)(s.EventSchema(ctx))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-event-schema", Method: http.MethodPut, Path: "/api/v1/event-schema",
		Summary: "Replace the event schema",
		Description: "Replaces the names declared non-personal. Needs customers:pii over the whole tenant: a declared property is shown to every " +
			"reader of customers. Values shaped like a phone number, e-mail address or identity card number stay masked even under a declared name. Audited.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersPII),
	}, func(ctx context.Context, in *eventSchemaInput) (*httpapi.Body[EventSchemaResponse], error) {
		return httpapi.Reply(eventSchemaResponse)(s.UpdateEventSchema(ctx, in.Body.NonPersonal))
	})
	huma.Register(api, huma.Operation{
		OperationID: "reset-event-schema", Method: http.MethodDelete, Path: "/api/v1/event-schema",
		Summary: "Reset the event schema to the defaults", Tags: tags, Security: httpapi.Secured(auth.CustomersPII),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[EventSchemaResponse], error) {
		return httpapi.Reply(eventSchemaResponse)(s.ResetEventSchema(ctx))
	})
}
