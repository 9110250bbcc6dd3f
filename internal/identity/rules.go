package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// EventRulesChanged is published when a tenant's identity rules change.
const EventRulesChanged = "identity.rules_changed"

// Limits of the editable rule values.
const (
	maxPerCustomerLimit = 1000
	maxClusterLimit     = 100000
)

// TenantRules is a tenant's identity policy as stored: the graph rules, whether the
// tenant changed them, and when.
type TenantRules struct {
	Rules      graph.Rules
	Customised bool
	UpdatedAt  time.Time
	UpdatedBy  string
}

// RuleChange changes the rule of one identifier type; nil fields stay as they are.
type RuleChange struct {
	Type           string
	Strength       *string
	MaxPerCustomer *int
	Links          *bool
}

// RulesUpdate changes a tenant's rules on top of the current ones.
type RulesUpdate struct {
	Types          []RuleChange
	MaxClusterSize *int
}

// storedRule is one type's entry in identity_rules.rules.
type storedRule struct {
	Strength       string `json:"strength"`
	MaxPerCustomer int    `json:"max_per_customer"`
	Links          bool   `json:"links"`
}

type storedRules struct {
	Types          map[string]storedRule `json:"types"`
	MaxClusterSize int                   `json:"max_cluster_size"`
}

// tenantRules loads a tenant's graph rules for the cache.
func tenantRules(ctx context.Context, q db.Querier, tenantID string) (graph.Rules, error) {
	tr, err := loadRules(ctx, q, tenantID)
	return tr.Rules, err
}

// loadRules reads a tenant's rules: the defaults with the stored entries applied.
func loadRules(ctx context.Context, q db.Querier, tenantID string) (TenantRules, error) {
	tr := TenantRules{Rules: graph.DefaultRules()}
	var raw string
	var updatedAt int64
	err := q.QueryRowContext(ctx, `SELECT rules, updated_at, updated_by FROM identity_rules WHERE tenant_id = $1`, tenantID).Scan(&raw, &updatedAt, &tr.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return tr, nil
	}
	if err != nil {
		return TenantRules{}, fmt.Errorf("load identity rules: %w", err)
	}
	var sr storedRules
	if err := json.Unmarshal([]byte(raw), &sr); err != nil {
		return TenantRules{}, fmt.Errorf("decode identity rules of tenant %s: %w", tenantID, err)
	}
	for name, r := range sr.Types {
		t, err := graph.ParseType(name)
		if err != nil {
			continue // a type this version no longer knows
		}
		rule := tr.Rules.Types[t]
		rule.Strength, _ = parseStrength(r.Strength)
		rule.MaxPerCustomer, rule.Links = r.MaxPerCustomer, r.Links
		tr.Rules.Types[t] = rule
	}
	tr.Rules.MaxClusterSize = sr.MaxClusterSize
	tr.Customised, tr.UpdatedAt = true, clock.FromMillis(updatedAt)
	return tr, nil
}

func parseStrength(s string) (graph.Strength, bool) {
	switch s {
	case "weak":
		return graph.Weak, true
	case "medium":
		return graph.Medium, true
	case "strong":
		return graph.Strong, true
	}
	return 0, false
}

func encodeRules(r graph.Rules) string {
	sr := storedRules{Types: map[string]storedRule{}, MaxClusterSize: r.MaxClusterSize}
	for _, t := range graph.Types() {
		rule := r.Types[t]
		sr.Types[t.String()] = storedRule{Strength: rule.Strength.String(), MaxPerCustomer: rule.MaxPerCustomer, Links: rule.Links}
	}
	b, _ := json.Marshal(sr) // plain strings, ints and bools always marshal
	return string(b)
}

// IdentityRules returns the tenant's identity rules. Errors: unauthorized, forbidden.
func (s *Service) IdentityRules(ctx context.Context) (TenantRules, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return TenantRules{}, err
	}
	return loadRules(ctx, s.db.Reader(), p.TenantID)
}

// UpdateIdentityRules applies u to the tenant's rules. The new rules govern
// resolution from now on (on other nodes within cacheTTL); identifiers already
// linked stay linked until a re-resolution. Errors: invalid (field named),
// unauthorized, forbidden (needs customers:write over the whole tenant).
func (s *Service) UpdateIdentityRules(ctx context.Context, u RulesUpdate) (TenantRules, error) {
	p, err := tenantWriter(ctx, "changing identity rules")
	if err != nil {
		return TenantRules{}, err
	}
	var out TenantRules
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := loadRules(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		next := cur.Rules
		if err := applyRulesUpdate(&next, u); err != nil {
			return err
		}
		return s.storeRules(ctx, tx, p, cur.Rules, next, &out)
	})
	if err != nil {
		return TenantRules{}, fmt.Errorf("identity: update rules: %w", err)
	}
	s.rules.put(p.TenantID, out.Rules)
	return out, nil
}

// ResetIdentityRules returns the tenant to graph.DefaultRules.
func (s *Service) ResetIdentityRules(ctx context.Context) (TenantRules, error) {
	p, err := tenantWriter(ctx, "changing identity rules")
	if err != nil {
		return TenantRules{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_rules WHERE tenant_id = $1`, p.TenantID); err != nil {
			return err
		}
		return s.recordRules(ctx, tx, p.TenantID, map[string]any{"reset": true})
	})
	if err != nil {
		return TenantRules{}, fmt.Errorf("identity: reset rules: %w", err)
	}
	s.rules.put(p.TenantID, graph.DefaultRules())
	return TenantRules{Rules: graph.DefaultRules()}, nil
}

// tenantWriter returns the caller when it holds customers:write over the whole
// tenant, which changes that touch every customer need; what names the change in the
// forbidden error.
func tenantWriter(ctx context.Context, what string) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.CustomersWrite, what)
}

func (s *Service) storeRules(ctx context.Context, tx *sql.Tx, p *auth.Principal, before, next graph.Rules, out *TenantRules) error {
	now := s.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_rules (tenant_id, rules, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.TenantID, encodeRules(next), clock.Millis(now), p.ID); err != nil {
		return err
	}
	*out = TenantRules{Rules: next, Customised: true, UpdatedAt: now, UpdatedBy: p.ID}
	return s.recordRules(ctx, tx, p.TenantID, map[string]any{"before": json.RawMessage(encodeRules(before)), "after": json.RawMessage(encodeRules(next))})
}

func (s *Service) recordRules(ctx context.Context, tx *sql.Tx, tenantID string, changes any) error {
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: "identity.rules.update", ResourceType: "identity_rules", ResourceID: tenantID, Changes: changes}); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, EventRulesChanged, tenantID, changes)
	return err
}

// applyRulesUpdate changes r by u, naming the body field of the first problem.
func applyRulesUpdate(r *graph.Rules, u RulesUpdate) error {
	seen := map[graph.Type]bool{}
	for i, c := range u.Types {
		field := fmt.Sprintf("body.types[%d]", i)
		t, err := graph.ParseType(c.Type)
		if err != nil {
			return errs.Field(field+".type", "unknown identifier type %q", c.Type)
		}
		if seen[t] {
			return errs.Field(field+".type", "%s is listed twice", t)
		}
		seen[t] = true
		rule := r.Types[t]
		if c.Strength != nil {
			st, ok := parseStrength(*c.Strength)
			if !ok {
				return errs.Field(field+".strength", "must be weak, medium or strong")
			}
			rule.Strength = st
		}
		if c.MaxPerCustomer != nil {
			if *c.MaxPerCustomer < 0 || *c.MaxPerCustomer > maxPerCustomerLimit {
				return errs.Field(field+".max_per_customer", "must be between 0 (no limit) and %d", maxPerCustomerLimit)
			}
			rule.MaxPerCustomer = *c.MaxPerCustomer
		}
		if c.Links != nil {
			rule.Links = *c.Links
		}
		if rule.Links && rule.Normalization == graph.NormMaskedPhone {
			return errs.Field(field+".links", "a masked phone cannot link customers: thousands of people share 138****1234")
		}
		r.Types[t] = rule
	}
	if u.MaxClusterSize != nil {
		if *u.MaxClusterSize < 0 || *u.MaxClusterSize > maxClusterLimit {
			return errs.Field("body.max_cluster_size", "must be between 0 (no limit) and %d", maxClusterLimit)
		}
		r.MaxClusterSize = *u.MaxClusterSize
	}
	if err := r.Validate(); err != nil {
		return errs.Field("body", "%s", errMessage(err))
	}
	return nil
}

// IdentityRuleResponse is the rule of one identifier type.
type IdentityRuleResponse struct {
	Type           string `json:"type"`
	Normalization  string `json:"normalization" enum:"id,phone,email,card,masked_phone" doc:"Fixed per type."`
	Strength       string `json:"strength" enum:"weak,medium,strong"`
	MaxPerCustomer int    `json:"max_per_customer" doc:"0 means no limit."`
	Links          bool   `json:"links" doc:"Whether a shared identifier of this type ties two records to one customer."`
}

// IdentityRulesResponse is a tenant's identity rules.
type IdentityRulesResponse struct {
	Types          []IdentityRuleResponse `json:"types"`
	MaxClusterSize int                    `json:"max_cluster_size" doc:"The most identifiers one customer may hold; 0 means no limit."`
	Customised     bool                   `json:"customised" doc:"False while the tenant uses the shipped defaults."`
	UpdatedAt      *time.Time             `json:"updated_at,omitempty"`
}

// IdentityRuleChange changes one type's rule; absent fields stay.
type IdentityRuleChange struct {
	Type           string  `json:"type" maxLength:"40"`
	Strength       *string `json:"strength,omitempty" enum:"weak,medium,strong"`
	MaxPerCustomer *int    `json:"max_per_customer,omitempty" minimum:"0" maximum:"1000"`
	Links          *bool   `json:"links,omitempty"`
}

// IdentityRulesUpdateRequest changes a tenant's rules on top of the current ones.
type IdentityRulesUpdateRequest struct {
	Types          []IdentityRuleChange `json:"types,omitempty" maxItems:"20"`
	MaxClusterSize *int                 `json:"max_cluster_size,omitempty" minimum:"0" maximum:"100000"`
}

var normalizationNames = map[graph.Normalization]string{graph.NormID: "id", graph.NormPhone: "phone", graph.NormEmail: "email",
	graph.NormCard: "card", graph.NormMaskedPhone: "masked_phone"}

func rulesResponse(tr TenantRules) IdentityRulesResponse {
	out := IdentityRulesResponse{MaxClusterSize: tr.Rules.MaxClusterSize, Customised: tr.Customised, Types: []IdentityRuleResponse{}}
	if tr.Customised {
		at := tr.UpdatedAt
		out.UpdatedAt = &at
	}
	for _, t := range graph.Types() {
		r := tr.Rules.Types[t]
		out.Types = append(out.Types, IdentityRuleResponse{Type: t.String(), Normalization: normalizationNames[r.Normalization],
			Strength: r.Strength.String(), MaxPerCustomer: r.MaxPerCustomer, Links: r.Links})
	}
	return out
}

type rulesUpdateInput struct {
	Body IdentityRulesUpdateRequest
}

func (s *Service) registerRules(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "get-identity-rules", Method: http.MethodGet, Path: "/api/v1/identity-rules",
		Summary: "Get the identity rules", Description: "Per identifier type: normalisation, strength, per-customer limit, whether it links; and the cluster limit.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[IdentityRulesResponse], error) {
		return httpapi.Reply(rulesResponse)(s.IdentityRules(ctx))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-identity-rules", Method: http.MethodPatch, Path: "/api/v1/identity-rules",
		Summary:     "Change the identity rules",
		Description: "Changes the listed types' rules and the cluster limit. They govern resolution from now on; identifiers already linked stay linked until a re-resolution.",
		Tags:        tags, Security: httpapi.Secured(auth.CustomersWrite),
	}, func(ctx context.Context, in *rulesUpdateInput) (*httpapi.Body[IdentityRulesResponse], error) {
		u := RulesUpdate{MaxClusterSize: in.Body.MaxClusterSize}
		for _, c := range in.Body.Types {
			u.Types = append(u.Types, RuleChange{Type: c.Type, Strength: c.Strength, MaxPerCustomer: c.MaxPerCustomer, Links: c.Links})
		}
		return httpapi.Reply(rulesResponse)(s.UpdateIdentityRules(ctx, u))
	})
	huma.Register(api, huma.Operation{
		OperationID: "reset-identity-rules", Method: http.MethodDelete, Path: "/api/v1/identity-rules",
		Summary: "Reset the identity rules to the defaults", Tags: tags, Security: httpapi.Secured(auth.CustomersWrite),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[IdentityRulesResponse], error) {
		return httpapi.Reply(rulesResponse)(s.ResetIdentityRules(ctx))
	})
}
