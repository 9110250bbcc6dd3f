package coupon

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const couponTag = "Coupons"

// CouponTemplateRequest creates a coupon template.
type CouponTemplateRequest struct {
	Code           string         `json:"code" minLength:"1" maxLength:"64"`
	Name           string         `json:"name" minLength:"1" maxLength:"200"`
	Discount       map[string]any `json:"discount" doc:"The promotion engine definition of the discount (see create-promotion's definition): kind amount_off {amount}, percent_off {off_bp, max_off (a cap in fen)}, threshold {tiers [{spend, off}] | repeat}, gift {sku, qty, spend} (a free item), delivery_fee {spend, off | off_bp}, nth_item or buy_x_get_y; scope (all, skus, categories, brands and exclusions) and conditions (channels, stores, store_brands, regions, tiers, min_spend, weekdays…). id, name, coupon code, stacking and the time window are set from the template."`
	Stackable      bool           `json:"stackable,omitempty" doc:"The coupon combines with promotions and coupons that are combinable with coupons; default: it combines with none."`
	ValidFrom      *time.Time     `json:"valid_from,omitempty" doc:"A fixed validity window: from (with valid_to)."`
	ValidTo        *time.Time     `json:"valid_to,omitempty"`
	ValidDays      int            `json:"valid_days,omitempty" minimum:"0" maximum:"3660" doc:"Instead of a window: valid for this many days from issue."`
	PerMemberLimit int            `json:"per_member_limit,omitempty" minimum:"0" maximum:"1000" doc:"Coupons of this template one customer may be issued in all; 0: no limit."`
	TotalLimit     int64          `json:"total_limit,omitempty" minimum:"0" doc:"Coupons the template may issue; 0: no limit."`
	BudgetFen      *int64         `json:"budget_fen,omitempty" minimum:"1" doc:"Total discount across all its coupons (the promotion's budget)."`
	RefundPolicy   string         `json:"refund_policy,omitempty" enum:"return,keep," doc:"return: an order refunded in full gives its coupon back; keep (default): a redeemed coupon stays spent."`
	Triggers       []string       `json:"triggers,omitempty" nullable:"false" enum:"registration,birthday,first_order" doc:"Events that issue one coupon of the template by themselves: registration (a customer enrols in a loyalty program; once per customer), birthday (the daily job: the customer's birthday in the tenant's time zone; once a year), first_order (the customer's first completed order; once per customer)."`
}

// CouponTemplateResponse is a coupon template.
type CouponTemplateResponse struct {
	ID             string         `json:"id"`
	Code           string         `json:"code"`
	Name           string         `json:"name"`
	Status         string         `json:"status"`
	PromotionID    string         `json:"promotion_id" doc:"The promotion engine's promotion that prices the coupon."`
	Discount       map[string]any `json:"discount"`
	ValidFrom      *time.Time     `json:"valid_from,omitempty"`
	ValidTo        *time.Time     `json:"valid_to,omitempty"`
	ValidDays      int            `json:"valid_days,omitempty"`
	PerMemberLimit int            `json:"per_member_limit"`
	TotalLimit     int64          `json:"total_limit"`
	Issued         int64          `json:"issued"`
	BudgetFen      *int64         `json:"budget_fen,omitempty"`
	RefundPolicy   string         `json:"refund_policy"`
	Triggers       []string       `json:"triggers" nullable:"false" enum:"registration,birthday,first_order"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// CouponTemplateStatusRequest activates or deactivates a template.
type CouponTemplateStatusRequest struct {
	Status string `json:"status" enum:"active,inactive"`
}

// CouponTemplateTriggersRequest replaces a template's triggers.
type CouponTemplateTriggersRequest struct {
	Triggers []string `json:"triggers" nullable:"false" maxItems:"3" enum:"registration,birthday,first_order" doc:"The events that issue the template by themselves; empty: none."`
}

// CouponIssueRequest issues coupons of a template.
type CouponIssueRequest struct {
	CustomerIDs []string `json:"customer_ids" minItems:"1" maxItems:"100000" doc:"One customer (loyalty:redeem, an associate at its store), or a list (loyalty:write, with a key), issued in batches of 500."`
	Key         string   `json:"key,omitempty" maxLength:"64" doc:"Makes the request replayable: the same key again resumes it or returns it. Required for a list."`
	StoreID     string   `json:"store_id,omitempty" maxLength:"64" doc:"The store issuing; required for a caller scoped to stores."`
}

// CouponIssueResponse is an issue request and its progress.
type CouponIssueResponse struct {
	ID         string           `json:"id"`
	TemplateID string           `json:"template_id"`
	Key        string           `json:"key"`
	StoreID    string           `json:"store_id,omitempty"`
	Total      int64            `json:"total"`
	Done       int64            `json:"done" doc:"Customers processed so far."`
	Issued     int64            `json:"issued"`
	Skipped    int64            `json:"skipped" doc:"Customers unknown, at the per-member limit, or beyond the template's total."`
	Status     string           `json:"status" enum:"running,done"`
	Coupons    []CouponResponse `json:"coupons,omitempty" doc:"A single issue's coupon."`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// CouponResponse is a coupon.
type CouponResponse struct {
	ID          string     `json:"id"`
	TemplateID  string     `json:"template_id"`
	Code        string     `json:"code" doc:"XXXX-XXXX-XXXXX; the last character is a check character."`
	CustomerID  string     `json:"customer_id"`
	Status      string     `json:"status" enum:"issued,locked,redeemed,expired" doc:"At the time of the response: a run-out lock reads issued, an unused coupon past its validity expired."`
	ValidFrom   time.Time  `json:"valid_from"`
	ExpiresAt   time.Time  `json:"expires_at"`
	OrderID     string     `json:"order_id,omitempty" doc:"The order or cart reference it is locked to or was redeemed on."`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	RedeemedAt  *time.Time `json:"redeemed_at,omitempty"`
	StoreID     string     `json:"store_id,omitempty"`
	IssuedAt    time.Time  `json:"issued_at"`
}

// CouponLockRequest locks a coupon to a cart or order.
type CouponLockRequest struct {
	CustomerID string `json:"customer_id" minLength:"1" maxLength:"64"`
	Reference  string `json:"reference" minLength:"1" maxLength:"64" doc:"The cart or order the coupon is locked to; locking again with it renews the lock."`
	CouponSignals
}

// CouponPreviewRequest is a cart to price with a coupon.
type CouponPreviewRequest struct {
	CustomerID    string              `json:"customer_id" minLength:"1" maxLength:"64"`
	Lines         []CouponPreviewLine `json:"lines" minItems:"1" maxItems:"1000"`
	DeliveryFee   int64               `json:"delivery_fee,omitempty" minimum:"0" maximum:"1000000000"`
	Channel       string              `json:"channel,omitempty" maxLength:"64"`
	StoreID       string              `json:"store_id,omitempty" maxLength:"64"`
	PaymentMethod string              `json:"payment_method,omitempty" maxLength:"64"`
	CouponSignals
}

// CouponPreviewLine is a cart line of a preview.
type CouponPreviewLine struct {
	ID        string `json:"id" minLength:"1" maxLength:"64"`
	SKU       string `json:"sku" minLength:"1" maxLength:"64"`
	Category  string `json:"category,omitempty" maxLength:"64"`
	Brand     string `json:"brand,omitempty" maxLength:"64"`
	Unit      string `json:"unit,omitempty" enum:"each,weight," doc:"Default each."`
	Qty       int64  `json:"qty" minimum:"1" maximum:"10000000"`
	UnitPrice int64  `json:"unit_price" minimum:"0" maximum:"1000000000"`
}

// CouponPreviewResponse is a cart priced with a coupon by the promotion engine.
type CouponPreviewResponse struct {
	Coupon            CouponResponse `json:"coupon"`
	Applied           bool           `json:"applied"`
	CouponDiscountFen int64          `json:"coupon_discount_fen" doc:"What the coupon's promotion takes off (goods and delivery)."`
	Reason            string         `json:"reason,omitempty" doc:"Why the engine did not apply the coupon."`
	SubtotalFen       int64          `json:"subtotal_fen"`
	DiscountFen       int64          `json:"discount_fen" doc:"Every promotion's discount on goods, the coupon's included."`
	DeliveryNetFen    int64          `json:"delivery_net_fen"`
	PayableFen        int64          `json:"payable_fen"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func templateResponse(t Template) CouponTemplateResponse {
	var def map[string]any
	if b, err := json.Marshal(t.Discount); err == nil {
		_ = json.Unmarshal(b, &def)
	}
	delete(def, "coupon_code") // internal: only a checked coupon presents it
	return CouponTemplateResponse{ID: t.ID, Code: t.Code, Name: t.Name, Status: string(t.Status), PromotionID: t.PromotionID, Discount: def,
		ValidFrom: optTime(t.ValidFrom), ValidTo: optTime(t.ValidTo), ValidDays: t.ValidDays, PerMemberLimit: t.PerMemberLimit,
		TotalLimit: t.TotalLimit, Issued: t.Issued, BudgetFen: t.BudgetFen, RefundPolicy: string(t.RefundPolicy),
		Triggers: triggerNames(t.Triggers), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func triggerNames(ts []Trigger) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = string(tr)
	}
	return out
}

func triggersOf(names []string) []Trigger {
	if names == nil {
		return nil
	}
	out := make([]Trigger, len(names))
	for i, n := range names {
		out[i] = Trigger(n)
	}
	return out
}

// couponResponse converts a coupon at now.
func couponResponse(now time.Time) func(Coupon) CouponResponse {
	return func(c Coupon) CouponResponse {
		st := c.State(now)
		out := CouponResponse{ID: c.ID, TemplateID: c.TemplateID, Code: Format(c.Code), CustomerID: c.CustomerID, Status: string(st),
			ValidFrom: c.ValidFrom, ExpiresAt: c.ExpiresAt, OrderID: c.OrderID, RedeemedAt: optTime(c.RedeemedAt), StoreID: c.StoreID,
			IssuedAt: c.IssuedAt}
		if st == StatusLocked {
			out.LockedUntil = optTime(c.LockedUntil)
		}
		return out
	}
}

func (s *Service) issuanceResponse(is Issuance) CouponIssueResponse {
	out := CouponIssueResponse{ID: is.ID, TemplateID: is.TemplateID, Key: is.Key, StoreID: is.StoreID, Total: is.Total, Done: is.Done,
		Issued: is.Issued, Skipped: is.Skipped, Status: is.Status, CreatedAt: is.CreatedAt, UpdatedAt: is.UpdatedAt}
	for _, c := range is.Coupons {
		out.Coupons = append(out.Coupons, couponResponse(s.now())(c))
	}
	return out
}

// templateInput converts a request; the discount is decoded strictly into the
// engine's definition.
func templateInput(r CouponTemplateRequest) (TemplateInput, error) {
	in := TemplateInput{Code: r.Code, Name: r.Name, Stackable: r.Stackable, ValidDays: r.ValidDays, PerMemberLimit: r.PerMemberLimit,
		TotalLimit: r.TotalLimit, BudgetFen: r.BudgetFen, RefundPolicy: RefundPolicy(r.RefundPolicy), Triggers: triggersOf(r.Triggers)}
	if r.ValidFrom != nil {
		in.ValidFrom = r.ValidFrom.UTC()
	}
	if r.ValidTo != nil {
		in.ValidTo = r.ValidTo.UTC()
	}
	b, err := json.Marshal(r.Discount)
	if err != nil {
		return in, errs.Field("body.discount", "%s", err)
	}
	dec := json.NewDecoder(bytesReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in.Discount); err != nil {
		return in, errs.Field("body.discount", "%s", err)
	}
	in.Discount.ID = "template" // replaced by the promotion's id
	return in, nil
}

func previewRequest(r CouponPreviewRequest) PreviewRequest {
	cart := engine.Cart{Lines: make([]engine.Line, len(r.Lines)), DeliveryFee: r.DeliveryFee}
	for i, l := range r.Lines {
		unit := engine.Unit(l.Unit)
		if unit == "" {
			unit = engine.UnitEach
		}
		cart.Lines[i] = engine.Line{ID: l.ID, SKU: l.SKU, Category: l.Category, Brand: l.Brand, Unit: unit, Qty: l.Qty, UnitPrice: l.UnitPrice}
	}
	return PreviewRequest{CustomerID: r.CustomerID, Cart: cart,
		Context: engine.Context{Channel: r.Channel, StoreID: r.StoreID, PaymentMethod: r.PaymentMethod}, Signals: signals(r.CouponSignals)}
}

type templateIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type couponListInput struct {
	httpapi.PageParams
	CustomerID string `query:"customer_id" maxLength:"64"`
	TemplateID string `query:"template_id" maxLength:"64"`
	Status     string `query:"status" enum:"issued,locked,redeemed,expired," doc:"As stored (the sweep moves run-out locks and expired coupons)."`
}

// Register adds the coupon operations to api.
func (s *Service) Register(api huma.API) {
	tags := []string{couponTag}
	read := httpapi.Secured(auth.LoyaltyRead)
	write := httpapi.Secured(auth.LoyaltyWrite)
	redeem := httpapi.SecuredAny(auth.LoyaltyRedeem, auth.LoyaltyWrite)
	const templates = "/api/v1/coupon-templates"

	s.registerReports(api)
	s.registerVelocity(api)

	huma.Register(api, huma.Operation{OperationID: "list-coupon-templates", Method: http.MethodGet, Path: templates,
		Summary: "List coupon templates", Tags: tags, Security: read,
	}, func(ctx context.Context, in *httpapi.PageParams) (*httpapi.Body[httpapi.Page[CouponTemplateResponse]], error) {
		return httpapi.ReplyPage(templateResponse)(s.FindTemplates(ctx, in.Limit, in.Cursor))
	})
	huma.Register(api, huma.Operation{OperationID: "create-coupon-template", Method: http.MethodPost, Path: templates,
		Summary: "Create a coupon template", Description: "Creates and activates the promotion that prices its coupons.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body CouponTemplateRequest }) (*httpapi.Body[CouponTemplateResponse], error) {
		t, err := templateInput(in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return httpapi.Reply(templateResponse)(s.CreateTemplate(ctx, t))
	})
	huma.Register(api, huma.Operation{OperationID: "get-coupon-template", Method: http.MethodGet, Path: templates + "/{id}",
		Summary: "Get a coupon template", Tags: tags, Security: read,
	}, func(ctx context.Context, in *templateIDInput) (*httpapi.Body[CouponTemplateResponse], error) {
		return httpapi.Reply(templateResponse)(s.FindTemplateByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "set-coupon-template-status", Method: http.MethodPost, Path: templates + "/{id}/status",
		Summary: "Activate or deactivate a coupon template", Description: "An inactive template issues nothing and its coupons price nothing (its promotion is paused).",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body CouponTemplateStatusRequest
	}) (*httpapi.Body[CouponTemplateResponse], error) {
		return httpapi.Reply(templateResponse)(s.SetTemplateStatus(ctx, in.ID, TemplateStatus(in.Body.Status)))
	})
	huma.Register(api, huma.Operation{OperationID: "set-coupon-template-triggers", Method: http.MethodPut, Path: templates + "/{id}/triggers",
		Summary: "Set the events that issue a coupon template", Description: "registration, birthday and first_order each issue one coupon to the customer, " +
			"once per template, customer and trigger (and year, for a birthday), within the template's limits.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body CouponTemplateTriggersRequest
	}) (*httpapi.Body[CouponTemplateResponse], error) {
		return httpapi.Reply(templateResponse)(s.SetTemplateTriggers(ctx, in.ID, triggersOf(in.Body.Triggers)))
	})
	huma.Register(api, huma.Operation{OperationID: "issue-coupons", Method: http.MethodPost, Path: templates + "/{id}/issues",
		Summary: "Issue coupons to one customer or a list", Description: "A list is issued in batches of 500, each recorded with the progress; the same key resumes or returns the request.",
		Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body CouponIssueRequest
	}) (*httpapi.Body[CouponIssueResponse], error) {
		return httpapi.Reply(s.issuanceResponse)(s.Issue(ctx, in.ID, IssueRequest{Key: in.Body.Key, CustomerIDs: in.Body.CustomerIDs, StoreID: in.Body.StoreID}))
	})
	huma.Register(api, huma.Operation{OperationID: "get-coupon-issue", Method: http.MethodGet, Path: "/api/v1/coupon-issues/{id}",
		Summary: "An issue request's progress", Tags: tags, Security: read,
	}, func(ctx context.Context, in *templateIDInput) (*httpapi.Body[CouponIssueResponse], error) {
		return httpapi.Reply(s.issuanceResponse)(s.FindIssueByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-coupons", Method: http.MethodGet, Path: "/api/v1/coupons",
		Summary: "List coupons", Description: "Of a customer, a template or a status; ordered by id.", Tags: tags, Security: read,
	}, func(ctx context.Context, in *couponListInput) (*httpapi.Body[httpapi.Page[CouponResponse]], error) {
		return httpapi.ReplyPage(couponResponse(s.now()))(s.FindCoupons(ctx, CouponFilter{CustomerID: in.CustomerID, TemplateID: in.TemplateID,
			Status: Status(in.Status), Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{OperationID: "lock-coupon", Method: http.MethodPost, Path: "/api/v1/coupons/{code}/lock",
		Summary: "Lock a coupon to a cart or order", Description: "For the lock time (15 minutes by default); of racing locks exactly one wins, the others get 409. " +
			"The optional device_id, address, phone and payment_account are checked against the template's velocity rules: " +
			"a block rule refuses the lock (409 naming the field), a flag rule records a flag for review.",
		Tags: tags, Security: redeem,
	}, func(ctx context.Context, in *struct {
		Code string `path:"code" maxLength:"64" doc:"The coupon code, with or without '-'; a wrong check character is refused (422) before any lookup."`
		Body CouponLockRequest
	}) (*httpapi.Body[CouponResponse], error) {
		return httpapi.Reply(couponResponse(s.now()))(s.Lock(ctx, in.Code, LockRequest{CustomerID: in.Body.CustomerID, Reference: in.Body.Reference,
			Signals: signals(in.Body.CouponSignals)}))
	})
	huma.Register(api, huma.Operation{OperationID: "release-coupon-lock", Method: http.MethodDelete, Path: "/api/v1/coupon-locks/{reference}",
		Summary: "Release the coupons locked to a cart", Description: "404 when no coupon is locked to the reference.", Tags: tags, Security: redeem,
	}, func(ctx context.Context, in *struct {
		Reference string `path:"reference" maxLength:"64"`
	}) (*httpapi.Body[CouponReleaseResponse], error) {
		return httpapi.Reply(func(n int64) CouponReleaseResponse { return CouponReleaseResponse{Released: n} })(s.Release(ctx, in.Reference))
	})
	huma.Register(api, huma.Operation{OperationID: "preview-coupon", Method: http.MethodPost, Path: "/api/v1/coupons/{code}/preview",
		Summary: "Price a cart with a customer's coupon", Description: "The promotion engine prices the cart with the coupon and the tenant's active promotions, as an order would be; nothing is locked.",
		Tags: tags, Security: httpapi.SecuredAny(auth.LoyaltyRedeem, auth.LoyaltyWrite, auth.LoyaltyRead),
	}, func(ctx context.Context, in *struct {
		Code string `path:"code" maxLength:"64" doc:"The coupon code, with or without '-'; a wrong check character is refused (422) before any lookup."`
		Body CouponPreviewRequest
	}) (*httpapi.Body[CouponPreviewResponse], error) {
		return httpapi.Reply(func(p Preview) CouponPreviewResponse {
			return CouponPreviewResponse{Coupon: couponResponse(s.now())(p.Coupon), Applied: p.Applied, CouponDiscountFen: p.Discount, Reason: p.Reason,
				SubtotalFen: p.Result.Subtotal, DiscountFen: p.Result.Discount, DeliveryNetFen: p.Result.DeliveryNet, PayableFen: p.Result.Payable}
		})(s.Preview(ctx, in.Code, previewRequest(in.Body)))
	})
}

// CouponReleaseResponse says how many coupons a release freed.
type CouponReleaseResponse struct {
	Released int64 `json:"released"`
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
