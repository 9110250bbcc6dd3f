package coupon

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// CouponSignals are where a coupon use comes from, checked against the template's
// velocity rules. Personal data: only keyed hashes are stored, never the values.
type CouponSignals struct {
	DeviceID       string `json:"device_id,omitempty" maxLength:"200" doc:"The shopper's device id (app install id, mini-program openid…)."`
	Address        string `json:"address,omitempty" maxLength:"500" doc:"The delivery address; compared without spaces and punctuation."`
	Phone          string `json:"phone,omitempty" maxLength:"32" doc:"The receiver's phone; compared by its digits, without +86."`
	PaymentAccount string `json:"payment_account,omitempty" maxLength:"200" doc:"The paying account (wallet user id, masked card token…)."`
}

func signals(c CouponSignals) Signals {
	return Signals{DeviceID: c.DeviceID, Address: c.Address, Phone: c.Phone, PaymentAccount: c.PaymentAccount}
}

// CouponVelocityRuleRequest sets a velocity rule.
type CouponVelocityRuleRequest struct {
	TemplateID    string `json:"template_id,omitempty" maxLength:"64" doc:"The template the rule is for; absent: the tenant default, used by templates without their own rule of the dimension."`
	Dimension     string `json:"dimension" enum:"device,address,phone,payment_account"`
	WindowSeconds int64  `json:"window_seconds" doc:"The window distinct customers are counted in: 60..2592000 (30 days)."`
	Threshold     int    `json:"threshold" doc:"Distinct customers allowed in the window (1..1000); the next one trips the rule."`
	Action        string `json:"action" enum:"flag,block" doc:"flag: let the use through and record a flag for review; block: refuse it (409 naming the signal)."`
}

// CouponVelocityRuleResponse is a velocity rule.
type CouponVelocityRuleResponse struct {
	ID            string    `json:"id"`
	TemplateID    string    `json:"template_id" doc:"Empty: the tenant default."`
	Dimension     string    `json:"dimension" enum:"device,address,phone,payment_account"`
	WindowSeconds int64     `json:"window_seconds"`
	Threshold     int       `json:"threshold"`
	Action        string    `json:"action" enum:"flag,block"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// CouponVelocityRulesResponse lists velocity rules.
type CouponVelocityRulesResponse struct {
	Items []CouponVelocityRuleResponse `json:"items" nullable:"false"`
}

// CouponVelocityFlagResponse is a flagged coupon use.
type CouponVelocityFlagResponse struct {
	ID            string     `json:"id"`
	TemplateID    string     `json:"template_id"`
	RuleID        string     `json:"rule_id"`
	Dimension     string     `json:"dimension" enum:"device,address,phone,payment_account"`
	ValueHash     string     `json:"value_hash" doc:"The keyed hash of the device, address, phone or account: equal hashes are the same value; the value is not stored."`
	CustomerID    string     `json:"customer_id"`
	CouponID      string     `json:"coupon_id"`
	Reference     string     `json:"reference,omitempty" doc:"The cart or order the coupon was locked to."`
	Customers     int        `json:"customers" doc:"Distinct customers in the window, this one included."`
	Threshold     int        `json:"threshold"`
	WindowSeconds int64      `json:"window_seconds"`
	Status        string     `json:"status" enum:"open,dismissed,confirmed"`
	Note          string     `json:"note,omitempty"`
	ReviewedBy    string     `json:"reviewed_by,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// CouponVelocityReviewRequest is a reviewer's decision on a flag.
type CouponVelocityReviewRequest struct {
	Status string `json:"status" enum:"dismissed,confirmed" doc:"confirmed: coupon farming — the customer may lock no more coupons of the template until the flag is dismissed."`
	Note   string `json:"note,omitempty" maxLength:"1000"`
}

func ruleResponse(r Rule) CouponVelocityRuleResponse {
	return CouponVelocityRuleResponse{ID: r.ID, TemplateID: r.TemplateID, Dimension: string(r.Dimension), WindowSeconds: int64(r.Window / time.Second),
		Threshold: r.Threshold, Action: string(r.Action), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rulesResponse(rs []Rule) CouponVelocityRulesResponse {
	out := CouponVelocityRulesResponse{Items: make([]CouponVelocityRuleResponse, len(rs))}
	for i, r := range rs {
		out.Items[i] = ruleResponse(r)
	}
	return out
}

func flagResponse(f Flag) CouponVelocityFlagResponse {
	return CouponVelocityFlagResponse{ID: f.ID, TemplateID: f.TemplateID, RuleID: f.RuleID, Dimension: string(f.Dimension), ValueHash: f.ValueHash,
		CustomerID: f.CustomerID, CouponID: f.CouponID, Reference: f.Reference, Customers: f.Customers, Threshold: f.Threshold,
		WindowSeconds: int64(f.Window / time.Second), Status: string(f.Status), Note: f.Note, ReviewedBy: f.ReviewedBy,
		ReviewedAt: optTime(f.ReviewedAt), CreatedAt: f.CreatedAt}
}

// ruleInput converts a request; the window must be whole seconds in range, which
// validate checks.
func ruleInput(r CouponVelocityRuleRequest) RuleInput {
	w := time.Duration(r.WindowSeconds) * time.Second
	if r.WindowSeconds <= 0 || r.WindowSeconds > int64(MaxWindow/time.Second) {
		w = 0 // out of range (and no overflow): refused naming body.window_seconds
	}
	return RuleInput{TemplateID: r.TemplateID, Dimension: Dimension(r.Dimension), Window: w, Threshold: r.Threshold, Action: Action(r.Action)}
}

type flagListInput struct {
	httpapi.PageParams
	Status     string `query:"status" enum:"open,dismissed,confirmed,"`
	TemplateID string `query:"template_id" maxLength:"64"`
	Dimension  string `query:"dimension" enum:"device,address,phone,payment_account,"`
}

// registerVelocity adds the velocity rule and flag operations to api.
func (s *Service) registerVelocity(api huma.API) {
	tags := []string{couponTag}
	read := httpapi.Secured(auth.LoyaltyRead)
	write := httpapi.Secured(auth.LoyaltyWrite)
	const rules, flags = "/api/v1/coupon-velocity-rules", "/api/v1/coupon-velocity-flags"

	huma.Register(api, huma.Operation{OperationID: "list-coupon-velocity-rules", Method: http.MethodGet, Path: rules,
		Summary: "List coupon velocity rules", Description: "The tenant defaults (empty template_id) and the templates' own rules.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[CouponVelocityRulesResponse], error) {
		return httpapi.Reply(rulesResponse)(s.FindRules(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "set-coupon-velocity-rule", Method: http.MethodPut, Path: rules,
		Summary: "Set a coupon velocity rule", Description: "Creates or replaces the rule of a template (or the tenant default) and a dimension: " +
			"more than threshold distinct customers using coupons of the template with one device, address, phone or payment account " +
			"within the window are flagged or blocked. Needs loyalty:write over the whole tenant.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct{ Body CouponVelocityRuleRequest }) (*httpapi.Body[CouponVelocityRuleResponse], error) {
		return httpapi.Reply(ruleResponse)(s.SetRule(ctx, ruleInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "delete-coupon-velocity-rule", Method: http.MethodDelete, Path: rules + "/{id}",
		Summary: "Delete a coupon velocity rule", Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *templateIDInput) (*struct{}, error) {
		if err := s.DeleteRule(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
	huma.Register(api, huma.Operation{OperationID: "list-coupon-velocity-flags", Method: http.MethodGet, Path: flags,
		Summary: "List coupon velocity flags", Description: "Coupon uses past a flag rule's threshold, newest first.", Tags: tags, Security: read,
	}, func(ctx context.Context, in *flagListInput) (*httpapi.Body[httpapi.Page[CouponVelocityFlagResponse]], error) {
		return httpapi.ReplyPage(flagResponse)(s.FindFlags(ctx, FlagFilter{Status: FlagStatus(in.Status), TemplateID: in.TemplateID,
			Dimension: Dimension(in.Dimension), Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{OperationID: "review-coupon-velocity-flag", Method: http.MethodPost, Path: flags + "/{id}/review",
		Summary: "Dismiss or confirm a coupon velocity flag", Description: "Confirming bars the customer from locking coupons of the flag's " +
			"template until the flag is dismissed. Audited. Needs loyalty:write over the whole tenant.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body CouponVelocityReviewRequest
	}) (*httpapi.Body[CouponVelocityFlagResponse], error) {
		return httpapi.Reply(flagResponse)(s.ReviewFlag(ctx, in.ID, FlagReview{Status: FlagStatus(in.Body.Status), Note: in.Body.Note}))
	})
}
