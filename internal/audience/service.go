package audience

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// Customers is what audiences need of One ID: the live customer an id is or was
// merged into. Errors: not_found.
type Customers interface {
	FindCustomerCluster(ctx context.Context, id string) (string, []string, error)
}

// Deps are the domains audiences read.
type Deps struct {
	Customers Customers
	// Facts streams members' attributes and behaviour (wired by the app from One ID,
	// the order center, the catalogue and loyalty).
	Facts Facts
	// Identifiers hashes identifiers for advertising exports, and Coupons issues
	// coupons to a segment; either may be nil (those operations answer 409).
	Identifiers Identifiers
	Coupons     Coupons
}

// Service is the audience use cases: the tag library and customers' tag values,
// segments, snapshots and model jobs. Exported methods act for the principal in ctx.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	deps   Deps
	idx    indexes
}

// NewService returns the audience service.
func NewService(d *db.DB, outbox *events.Outbox, a *audit.Log, c clock.Clock, deps Deps) *Service {
	return &Service{db: d, outbox: outbox, audit: a, clock: c, deps: deps, idx: indexes{byTenant: map[string]*tenantIndex{}}}
}

func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

// caller returns the principal when it holds scope. Audiences span the whole
// customer base, so they are for principals whose data scope is the tenant: a
// principal limited to brands, regions or stores is refused (decision 0036).
func caller(ctx context.Context, scope auth.Scope) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(scope) {
		return nil, errs.E(errs.Forbidden, "this needs %s", scope)
	}
	if p.DataScope != auth.TenantScope {
		return nil, errs.E(errs.Forbidden, "audiences cover the whole customer base: they need a tenant-wide data scope")
	}
	return p, nil
}

// CreateTag adds a tag to the library. Errors: invalid (body.*; a code in use),
// unauthorized, forbidden.
func (s *Service) CreateTag(ctx context.Context, in TagInput) (TagDefinition, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return TagDefinition{}, err
	}
	if err := in.Validate(); err != nil {
		return TagDefinition{}, err
	}
	now := s.now()
	t := TagDefinition{ID: ids.New(), TenantID: p.TenantID, Code: in.Code, Name: strings.TrimSpace(in.Name), Group: strings.TrimSpace(in.Group),
		Kind: in.Kind, ValueType: in.ValueType, EnumValues: in.EnumValues, Expression: strings.TrimSpace(in.Expression),
		Description: in.Description, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
	if t.Kind == TagRule {
		if err := s.checkRule(ctx, p.TenantID, t.Expression); err != nil {
			return TagDefinition{}, err
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertTag(ctx, tx, t); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_tag.create", ResourceType: "audience_tag", ResourceID: t.ID,
			Changes: map[string]any{"code": t.Code, "name": t.Name, "kind": t.Kind, "value_type": t.ValueType}})
	})
	if err != nil {
		return TagDefinition{}, fmt.Errorf("audience: create tag: %w", err)
	}
	s.tagsChanged(p.TenantID)
	return t, nil
}

// UpdateTag changes a tag's name, group, values, expression, description or status.
// Removing an enum value that customers hold is refused. Errors: invalid, not_found,
// conflict, unauthorized, forbidden.
func (s *Service) UpdateTag(ctx context.Context, id string, u TagUpdate) (TagDefinition, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return TagDefinition{}, err
	}
	var t TagDefinition
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := findTag(ctx, tx, p.TenantID, id)
		if err != nil {
			return err
		}
		t = before
		if err := s.applyTagUpdate(ctx, tx, &t, u); err != nil {
			return err
		}
		t.UpdatedAt = s.now()
		if err := updateTag(ctx, tx, t); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_tag.update", ResourceType: "audience_tag", ResourceID: t.ID,
			Changes: map[string]any{"before": tagChanges(before), "after": tagChanges(t)}})
	})
	if err != nil {
		return TagDefinition{}, fmt.Errorf("audience: update tag %s: %w", id, err)
	}
	s.tagsChanged(p.TenantID)
	return t, nil
}

func (s *Service) applyTagUpdate(ctx context.Context, tx *sql.Tx, t *TagDefinition, u TagUpdate) error {
	if u.Name != nil {
		if err := validName("body.name", *u.Name); err != nil {
			return err
		}
		t.Name = strings.TrimSpace(*u.Name)
	}
	if u.Group != nil {
		t.Group = strings.TrimSpace(*u.Group)
	}
	if u.Description != nil {
		t.Description = *u.Description
	}
	if u.Status != nil {
		if *u.Status != StatusActive && *u.Status != StatusArchived {
			return errs.Field("body.status", "status is active or archived")
		}
		t.Status = *u.Status
	}
	if u.Expression != nil {
		if t.Kind != TagRule {
			return errs.Field("body.expression", "only a rule tag has an expression")
		}
		expr := strings.TrimSpace(*u.Expression)
		if err := s.checkRule(ctx, t.TenantID, expr); err != nil {
			return err
		}
		t.Expression = expr
	}
	if u.EnumValues != nil {
		if err := validEnumValues(t.ValueType, *u.EnumValues); err != nil {
			return err
		}
		if err := enumValuesInUse(ctx, tx, *t, *u.EnumValues); err != nil {
			return err
		}
		t.EnumValues = *u.EnumValues
	}
	return nil
}

// enumValuesInUse refuses to drop enum values that customers still hold.
func enumValuesInUse(ctx context.Context, tx *sql.Tx, t TagDefinition, next []string) error {
	for _, v := range t.EnumValues {
		if slices.Contains(next, v) {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audience_tag_values WHERE tenant_id = $1 AND tag_id = $2 AND value = $3`,
			t.TenantID, t.ID, v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "%d customers hold the value %q: remove it from them first", n, v)
		}
	}
	return nil
}

func tagChanges(t TagDefinition) map[string]any {
	return map[string]any{"name": t.Name, "group": t.Group, "enum_values": t.EnumValues, "expression": t.Expression, "status": t.Status}
}

// FindTagByID returns a tag definition with its customer count. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindTagByID(ctx context.Context, id string) (TagDefinition, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return TagDefinition{}, err
	}
	t, err := findTag(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return TagDefinition{}, fmt.Errorf("audience: find tag %s: %w", id, err)
	}
	counts, err := countTagCustomers(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, []string{t.ID})
	if err != nil {
		return TagDefinition{}, fmt.Errorf("audience: count tag %s: %w", id, err)
	}
	t.Customers = counts[t.ID]
	return t, nil
}

// FindTags pages the tag library by code, with each tag's customer count. Errors:
// unauthorized, forbidden.
func (s *Service) FindTags(ctx context.Context, f TagFilter) (httpapi.Page[TagDefinition], error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return httpapi.Page[TagDefinition]{}, err
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, 100, func(after string, n int) ([]TagDefinition, error) {
		f.Cursor = after
		return findTags(ctx, s.db.Reader(), p.TenantID, f, n)
	}, func(t TagDefinition) string { return t.Code })
	if err != nil {
		return page, fmt.Errorf("audience: find tags: %w", err)
	}
	idList := make([]string, len(page.Items))
	for i, t := range page.Items {
		idList[i] = t.ID
	}
	counts, err := countTagCustomers(ctx, s.db.Reader(), s.db.Dialect, p.TenantID, idList)
	if err != nil {
		return page, fmt.Errorf("audience: count tags: %w", err)
	}
	for i := range page.Items {
		page.Items[i].Customers = counts[page.Items[i].ID]
	}
	return page, nil
}

// SetCustomerTag sets a manual or imported tag's value on a customer (a merged id
// sets it on the customer it was merged into). Computed and rule tags are written by
// their job or rule, never by hand. Errors: invalid (body.value), not_found (tag,
// customer), conflict (the tag is computed or a rule), unauthorized, forbidden.
func (s *Service) SetCustomerTag(ctx context.Context, customerID, tagCode, value string) (TagValue, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return TagValue{}, err
	}
	t, err := findTagByCode(ctx, s.db.Reader(), p.TenantID, tagCode)
	if err != nil {
		return TagValue{}, fmt.Errorf("audience: set tag: %w", err)
	}
	if t.Kind == TagComputed || t.Kind == TagRule {
		return TagValue{}, errs.E(errs.Conflict, "tag %s is %s: its values are written by its %s", t.Code, t.Kind, map[TagKind]string{
			TagComputed: "model job", TagRule: "rule"}[t.Kind])
	}
	if t.Status != StatusActive {
		return TagValue{}, errs.E(errs.Conflict, "tag %s is archived", t.Code)
	}
	text, num, err := t.normalValue("body.value", value)
	if err != nil {
		return TagValue{}, err
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, customerID)
	if err != nil {
		return TagValue{}, fmt.Errorf("audience: set tag: customer %s: %w", customerID, err)
	}
	source := "user:" + p.ID
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := upsertTagValues(ctx, tx, s.db.Dialect, p.TenantID, now, []tagValueRow{{TagID: t.ID, CustomerID: live, Value: text,
			Num: num, Source: source}}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "customer_tag.set", ResourceType: "customer", ResourceID: live,
			Changes: map[string]any{"tag": t.Code, "value": text}})
	})
	if err != nil {
		return TagValue{}, fmt.Errorf("audience: set tag %s on %s: %w", t.Code, live, err)
	}
	s.membersChanged(ctx, p.TenantID, live)
	return TagValue{TagID: t.ID, TagCode: t.Code, TagName: t.Name, ValueType: t.ValueType, CustomerID: live, Value: text, Source: source,
		UpdatedAt: now}, nil
}

// RemoveCustomerTag removes a manual or imported tag's value from a customer.
// Errors: not_found (tag, customer, value), conflict (computed or rule tag),
// unauthorized, forbidden.
func (s *Service) RemoveCustomerTag(ctx context.Context, customerID, tagCode string) error {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return err
	}
	t, err := findTagByCode(ctx, s.db.Reader(), p.TenantID, tagCode)
	if err != nil {
		return fmt.Errorf("audience: remove tag: %w", err)
	}
	if t.Kind == TagComputed || t.Kind == TagRule {
		return errs.E(errs.Conflict, "tag %s is %s: its values are written by its job or rule", t.Code, t.Kind)
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, customerID)
	if err != nil {
		return fmt.Errorf("audience: remove tag: customer %s: %w", customerID, err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		found, err := deleteTagValue(ctx, tx, p.TenantID, t.ID, live)
		if err != nil {
			return err
		}
		if !found {
			return errs.E(errs.NotFound, "the customer holds no value of tag %s", t.Code)
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "customer_tag.remove", ResourceType: "customer", ResourceID: live,
			Changes: map[string]any{"tag": t.Code}})
	})
	if err != nil {
		return fmt.Errorf("audience: remove tag %s from %s: %w", t.Code, live, err)
	}
	s.membersChanged(ctx, p.TenantID, live)
	return nil
}

// FindCustomerTags returns a customer's tag values (the 360 page's tags tab).
// Errors: not_found (customer), unauthorized, forbidden.
func (s *Service) FindCustomerTags(ctx context.Context, customerID string) ([]TagValue, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return nil, err
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, customerID)
	if err != nil {
		return nil, fmt.Errorf("audience: customer tags: customer %s: %w", customerID, err)
	}
	out, err := customerTagValues(ctx, s.db.Reader(), p.TenantID, live)
	if err != nil {
		return nil, fmt.Errorf("audience: customer tags of %s: %w", live, err)
	}
	return out, nil
}
