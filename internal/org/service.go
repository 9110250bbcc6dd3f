package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// Service is the organisation domain: its use cases read the caller from the context
// (auth.FromContext) and apply the caller's scopes and data scope. Outside a request,
// callers put auth.System(tenantID) in the context.
type Service struct {
	cfg    Config
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	log    *slog.Logger

	limits *ratelimit.Limiter
	keys   *keyCache
	hasher Hasher
	dummy  string // a hash verified when the login is unknown, to even out timing
}

var _ httpapi.Authenticator = (*Service)(nil)

// NewService returns the organisation service. limits keeps the per-address login
// limit in the database, shared with every node; zero settings of cfg take their
// DefaultConfig values.
func NewService(cfg Config, d *db.DB, outbox *events.Outbox, audit *audit.Log, limits *ratelimit.Limiter, c clock.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if limits == nil {
		limits = ratelimit.New(d, c)
	}
	return &Service{cfg: cfg, db: d, outbox: outbox, audit: audit, clock: c, log: log, limits: limits,
		keys: newKeyCache(cfg.KeyCacheTTL), hasher: cfg.Hasher, dummy: cfg.Hasher.Hash(ids.Secret(16))}
}

// Bootstrap creates a tenant and its first user, an hq_admin over the whole tenant,
// in one transaction. It needs no principal. It returns errs.Invalid for bad input
// and errs.Conflict when the tenant code or the login is taken.
func (s *Service) Bootstrap(ctx context.Context, in BootstrapInput) (Tenant, User, error) {
	return s.bootstrap(ctx, in, false)
}

// bootstrap is Bootstrap; first makes it Setup (refused once a tenant exists).
func (s *Service) bootstrap(ctx context.Context, in BootstrapInput, first bool) (Tenant, User, error) {
	if err := in.Validate(); err != nil {
		return Tenant{}, User{}, err
	}
	now := s.clock.Now()
	t := Tenant{ID: ids.New(), Code: in.TenantCode, Name: in.TenantName, CreatedAt: now}
	u := User{ID: ids.New(), TenantID: t.ID, Login: in.AdminLogin, Name: in.AdminName, Role: auth.HQAdmin,
		ScopeType: auth.TenantScope, Status: UserActive, CreatedAt: now, UpdatedAt: now}
	hash := s.hasher.Hash(in.AdminPassword)
	ctx = auth.WithPrincipal(ctx, auth.System(t.ID))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if first {
			if err := claimInstallation(ctx, tx, t.ID, now); err != nil {
				return err
			}
		}
		if err := insertTenant(ctx, tx, t); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.tenant_code", "tenant code %q is already taken", t.Code)
			}
			return err
		}
		if err := insertUser(ctx, tx, u, hash); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.admin_login", "login %q is already taken", u.Login)
			}
			return err
		}
		if err := s.record(ctx, tx, "tenant.create", "tenant", t.ID, TenantEvent{ID: t.ID, Code: t.Code, Name: t.Name}); err != nil {
			return err
		}
		if err := s.record(ctx, tx, "user.create", "user", u.ID, userEvent(u, nil)); err != nil {
			return err
		}
		if _, err := s.outbox.Publish(ctx, tx, t.ID, EventTenantCreated, t.ID, TenantEvent{ID: t.ID, Code: t.Code, Name: t.Name}); err != nil {
			return err
		}
		_, err := s.outbox.Publish(ctx, tx, t.ID, EventUserCreated, u.ID, userEvent(u, nil))
		return err
	})
	if err != nil {
		return Tenant{}, User{}, wrap("bootstrap", err)
	}
	return t, u, nil
}

// FindTenantByCode returns the tenant with the given code, or errs.NotFound. It needs
// no principal (it serves the CLI and the demo loader).
func (s *Service) FindTenantByCode(ctx context.Context, code string) (Tenant, error) {
	t, err := findTenantByCode(ctx, s.db.Reader(), code)
	if err != nil {
		return Tenant{}, wrap("find tenant", err)
	}
	return t, nil
}

// TenantCount returns how many tenants exist; 0 means the platform needs a Bootstrap.
func (s *Service) TenantCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n); err != nil {
		return 0, fmt.Errorf("org: count tenants: %w", err)
	}
	return n, nil
}

// caller returns the principal holding every scope, or errs.Unauthorized or
// errs.Forbidden.
func caller(ctx context.Context, scopes ...auth.Scope) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	for _, sc := range scopes {
		if !p.Has(sc) {
			return nil, errs.E(errs.Forbidden, "missing scope %s", sc)
		}
	}
	return p, nil
}

// tenantWide reports whether p sees the whole tenant.
func tenantWide(p *auth.Principal) bool { return p.DataScope == auth.TenantScope }

// record writes an audit entry in tx.
func (s *Service) record(ctx context.Context, tx *sql.Tx, action, resourceType, resourceID string, changes any) error {
	return s.audit.Record(ctx, tx, audit.Entry{TenantID: auth.FromContext(ctx).TenantID, Action: action,
		ResourceType: resourceType, ResourceID: resourceID, Changes: changes})
}

// wrap adds the operation to an unclassified error; classified errors pass unchanged
// so their message reaches the client.
func wrap(op string, err error) error {
	var e *errs.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("org: %s: %w", op, err)
}

// taken returns an errs.Conflict error naming the field whose value is in use.
func taken(field, format string, args ...any) error {
	return &errs.Error{Code: errs.Conflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// change is one changed field in an audit entry.
type change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// diff compares two field maps and returns the changes and the sorted changed names.
func diff(before, after map[string]any) (map[string]any, []string) {
	changes := map[string]any{}
	var names []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if fmt.Sprint(deref(before[k])) != fmt.Sprint(deref(after[k])) {
			changes[k] = change{Before: before[k], After: after[k]}
			names = append(names, k)
		}
	}
	return changes, names
}

func deref(v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *int:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}
