// Package auth defines who is calling — a console user or an API key — what they may
// do (scopes) and which data they may see (data scope). The org domain authenticates;
// every other domain only reads the Principal from the request context.
package auth

import (
	"context"
	"slices"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Scope is a permission on a family of endpoints, for example "catalog:write".
type Scope string

// The scopes known to the platform. Keys carry an explicit subset; users get the
// scopes of their role.
const (
	OrgRead      Scope = "org:read"
	OrgWrite     Scope = "org:write"
	CatalogRead  Scope = "catalog:read"
	CatalogWrite Scope = "catalog:write"
	UsersRead    Scope = "users:read"
	UsersWrite   Scope = "users:write"
	APIKeysWrite Scope = "api_keys:write"
	AuditRead    Scope = "audit:read"
	EventsRead   Scope = "events:read"
	EventsWrite  Scope = "events:write"
	// TouchpointsRead and TouchpointsWrite guard the touchpoint registry.
	TouchpointsRead  Scope = "touchpoints:read"
	TouchpointsWrite Scope = "touchpoints:write"
	// EventsIngest lets a caller send customer events to POST /api/v1/events.
	EventsIngest Scope = "events:ingest"
	// PromotionsRead and PromotionsWrite guard promotion definitions; PricingUse lets
	// a channel price carts (POST /api/v1/carts/price and return-quote).
	PromotionsRead  Scope = "promotions:read"
	PromotionsWrite Scope = "promotions:write"
	PricingUse      Scope = "pricing:use"
	// CustomersRead shows customer profiles, identities and timelines with personal
	// data masked (138****1234); CustomersPII shows it in full and allows export;
	// CustomersWrite merges, unmerges, resolves reviews and records consents;
	// CustomersErase erases a customer's personal data.
	CustomersRead  Scope = "customers:read"
	CustomersWrite Scope = "customers:write"
	CustomersPII   Scope = "customers:pii"
	CustomersErase Scope = "customers:erase"
	// PrivacyRead reads the record of who accessed which customer's personal data
	// (the customer access log), for a privacy officer.
	PrivacyRead Scope = "privacy:read"
	// IdentityMapRead exports the identity map (GET /api/v1/identity-map): which
	// identifiers and events belong to which customer, and the merges and unmerges
	// since a cursor. Identifier values are masked and hashed unless the caller also
	// holds CustomersPII.
	IdentityMapRead Scope = "identity_map:read"

	// InventoryRead reads stock locations, balances and reservations; InventoryWrite
	// records receipts, sales, counts and adjustments, and reserves stock.
	InventoryRead  Scope = "inventory:read"
	InventoryWrite Scope = "inventory:write"

	// OrdersRead reads orders, their lines, payments, changes and complaints (the
	// receiver masked without customers:pii); OrdersWrite places and records orders,
	// moves them through their lifecycle, returns and refunds, and handles complaints.
	OrdersRead  Scope = "orders:read"
	OrdersWrite Scope = "orders:write"

	// LoyaltyRead reads loyalty programs, tiers and members' points (balance, lots,
	// ledger); LoyaltyRedeem enrols customers and redeems their points (a till, an
	// associate at its store); LoyaltyWrite configures programs and tiers and adjusts
	// points by hand (audited).
	LoyaltyRead   Scope = "loyalty:read"
	LoyaltyRedeem Scope = "loyalty:redeem"
	LoyaltyWrite  Scope = "loyalty:write"

	// AudiencesRead reads the tag library, customers' tags, segments with their
	// counts, portraits and members (masked), snapshots and model jobs;
	// AudiencesWrite defines tags and segments, sets manual tags, imports tag values,
	// takes snapshots and runs model jobs. Both need a tenant-wide data scope.
	AudiencesRead  Scope = "audiences:read"
	AudiencesWrite Scope = "audiences:write"
)

// AllScopes lists every scope, in a stable order.
func AllScopes() []Scope {
	return []Scope{OrgRead, OrgWrite, CatalogRead, CatalogWrite, UsersRead, UsersWrite, APIKeysWrite, AuditRead, EventsRead, EventsWrite,
		TouchpointsRead, TouchpointsWrite, EventsIngest, PromotionsRead, PromotionsWrite, PricingUse,
		CustomersRead, CustomersWrite, CustomersPII, CustomersErase, PrivacyRead, InventoryRead, InventoryWrite,
		OrdersRead, OrdersWrite, LoyaltyRead, LoyaltyRedeem, LoyaltyWrite, IdentityMapRead, AudiencesRead, AudiencesWrite}
}

// ValidScope reports whether s names a known scope.
func ValidScope(s Scope) bool { return slices.Contains(AllScopes(), s) }

// Role is a console user's job.
type Role string

// The roles of C31.
const (
	HQAdmin      Role = "hq_admin"
	Marketer     Role = "marketer"
	Analyst      Role = "analyst"
	Merchandiser Role = "merchandiser"
	StoreManager Role = "store_manager"
	Associate    Role = "associate"
	Integrator   Role = "integrator"
	// PrivacyOfficer answers for personal data (PIPL): reads the customer access log
	// and the audit trail, and customers masked.
	PrivacyOfficer Role = "privacy_officer"
)

// Roles lists every role.
func Roles() []Role {
	return []Role{HQAdmin, Marketer, Analyst, Merchandiser, StoreManager, Associate, Integrator, PrivacyOfficer}
}

// RoleScopes returns the scopes a role grants, or nil for an unknown role.
func RoleScopes(r Role) []Scope {
	read := []Scope{OrgRead, CatalogRead}
	switch r {
	case HQAdmin:
		return AllScopes()
	case Marketer:
		return append(read, PromotionsRead, CustomersRead, CustomersWrite, OrdersRead, LoyaltyRead, LoyaltyRedeem, LoyaltyWrite,
			AudiencesRead, AudiencesWrite)
	case Analyst:
		return append(read, AuditRead, CustomersRead, InventoryRead, OrdersRead, LoyaltyRead, AudiencesRead)
	case Merchandiser:
		return append(read, CatalogWrite, PromotionsRead, PromotionsWrite, InventoryRead, OrdersRead)
	case StoreManager:
		return append(read, OrgWrite, CatalogWrite, UsersRead, CustomersRead, InventoryRead, InventoryWrite, OrdersRead, OrdersWrite,
			LoyaltyRead, LoyaltyRedeem)
	case Associate:
		return append(read, CustomersRead, OrdersRead, OrdersWrite, LoyaltyRead, LoyaltyRedeem)
	case Integrator:
		return append(read, EventsRead, TouchpointsRead, EventsIngest, PricingUse, InventoryRead, InventoryWrite, OrdersRead, OrdersWrite,
			LoyaltyRead, LoyaltyRedeem, IdentityMapRead)
	case PrivacyOfficer:
		return append(read, AuditRead, CustomersRead, PrivacyRead)
	}
	return nil
}

// ScopeType is the breadth of data a principal may see.
type ScopeType string

// The data scopes, from widest to narrowest.
const (
	TenantScope ScopeType = "tenant"
	BrandScope  ScopeType = "brand"
	RegionScope ScopeType = "region"
	StoreScope  ScopeType = "store"
)

// ValidScopeType reports whether s is a known data scope.
func ValidScopeType(s ScopeType) bool {
	return s == TenantScope || s == BrandScope || s == RegionScope || s == StoreScope
}

// Kind says whether a principal is a person or a machine.
type Kind string

// The principal kinds.
const (
	UserPrincipal Kind = "user"
	KeyPrincipal  Kind = "api_key"
)

// Principal is the authenticated caller.
type Principal struct {
	Kind      Kind
	ID        string // user id or API key id
	Name      string // login or key name, for the audit trail
	TenantID  string
	Role      Role // empty for API keys
	Scopes    []Scope
	DataScope ScopeType
	DataID    string // brand, region or store id; empty for tenant scope
	SessionID string // set for console sessions
	// TouchpointID is set for an API key that belongs to one touchpoint: it may send
	// events for that touchpoint only.
	TouchpointID string
	// PasswordChangeRequired marks a console session whose user must first change the
	// password an administrator set: it holds no scopes, and the HTTP layer refuses
	// every operation but logging out, /me and the password change itself.
	PasswordChangeRequired bool
}

// Has reports whether p holds scope s.
func (p *Principal) Has(s Scope) bool { return p != nil && slices.Contains(p.Scopes, s) }

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request, or nil when unauthenticated.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// SystemPrincipal is the kind of the platform acting on its own behalf (demo loader,
// admin command, event subscribers).
const SystemPrincipal Kind = "system"

// System returns a principal with every scope over the whole tenant, for the
// platform's own work outside a request.
func System(tenantID string) *Principal {
	return &Principal{Kind: SystemPrincipal, ID: "system", Name: "system", TenantID: tenantID, Scopes: AllScopes(), DataScope: TenantScope}
}

// Caller returns the principal of ctx, or an errs.Unauthorized error when there is
// none (or it belongs to no tenant).
func Caller(ctx context.Context) (*Principal, error) {
	p := FromContext(ctx)
	if p == nil || p.TenantID == "" {
		return nil, errs.E(errs.Unauthorized, "authentication required")
	}
	return p, nil
}

// Require returns the caller when it holds scope: errs.Unauthorized without a
// caller, errs.Forbidden without the scope.
func Require(ctx context.Context, scope Scope) (*Principal, error) {
	p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(scope) {
		return nil, errs.E(errs.Forbidden, "this needs %s", scope)
	}
	return p, nil
}

// RequireTenantWide returns the caller when it holds scope over the whole tenant,
// as changes to shared definitions need; what names the change in the Forbidden
// error ("changing the catalog needs catalog:write over the whole tenant").
func RequireTenantWide(ctx context.Context, scope Scope, what string) (*Principal, error) {
	p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(scope) || p.DataScope != TenantScope {
		return nil, errs.E(errs.Forbidden, "%s needs %s over the whole tenant", what, scope)
	}
	return p, nil
}
