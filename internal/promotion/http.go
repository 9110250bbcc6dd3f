package promotion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// PromotionCreateRequest creates a draft promotion.
type PromotionCreateRequest struct {
	Code       string           `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name       string           `json:"name" minLength:"1" maxLength:"200"`
	Definition map[string]any   `json:"definition" doc:"The engine promotion (kind, scope, conditions, stacking and the parameter block of its kind); id and name are set from the promotion. Kinds: percent_off {off_bp, max_off (a cap in fen, 0: none)}, amount_off, threshold, nth_item, buy_x_get_y, buy_a_get_b {buy, reward (scope), get, off_bp, pick cheapest|dearest, times}, bundle, gift, member_price, special_price {prices [{tier, price | off}], max_per_line, max_per_order, max_per_customer}, tiered_qty, flash_sale, expiry_markdown, delivery_fee {spend, off | off_bp, methods}. Stacking: exclusive (combines with nothing), group (one per group), stacks_with_items (may share a unit with other item-level promotions that opt in too)."`
	Limits     *PromotionLimits `json:"limits,omitempty" doc:"Budget and usage limits enforced when orders commit; absent or null fields mean no limit."`
}

// PromotionLimits bound what a promotion may give away; null means no limit.
type PromotionLimits struct {
	BudgetFen          *int64 `json:"budget_fen" required:"false" nullable:"true" minimum:"1" doc:"Total discount in fen over all committed orders."`
	MaxUses            *int64 `json:"max_uses" required:"false" nullable:"true" minimum:"1" doc:"Committed orders that may use the promotion."`
	MaxUsesPerCustomer *int64 `json:"max_uses_per_customer" required:"false" nullable:"true" minimum:"1" doc:"Committed orders per customer."`
}

// PromotionUsage is what committed, not cancelled, orders have taken.
type PromotionUsage struct {
	DiscountFen int64 `json:"discount_fen"`
	Uses        int64 `json:"uses"`
}

// PromotionUpdateRequest changes a promotion; the definition only while draft or paused.
type PromotionUpdateRequest struct {
	Name       *string          `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Definition map[string]any   `json:"definition,omitempty"`
	Limits     *PromotionLimits `json:"limits,omitempty" doc:"Replaces all three limits (a missing or null field means no limit); limits may change in any status."`
}

// PromotionResponse is a stored promotion.
type PromotionResponse struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status" enum:"draft,active,paused,ended"`
	// EffectiveStatus is derived at read time from status and window, so every client agrees.
	EffectiveStatus string          `json:"effective_status" enum:"draft,scheduled,running,paused,ended" readOnly:"true" doc:"The status as a merchandiser reads it now: an active promotion before its start is scheduled, one past its end (active or paused) is ended, an active one inside its window is running."`
	Definition      map[string]any  `json:"definition"`
	StartsAt        *time.Time      `json:"starts_at,omitempty"`
	EndsAt          *time.Time      `json:"ends_at,omitempty"`
	Limits          PromotionLimits `json:"limits"`
	Usage           PromotionUsage  `json:"usage" readOnly:"true"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// CartPriceLine is one line of a cart to price.
type CartPriceLine struct {
	ID        string `json:"id" minLength:"1" maxLength:"64"`
	SKU       string `json:"sku" minLength:"1" maxLength:"64"`
	Category  string `json:"category,omitempty" maxLength:"64"`
	Brand     string `json:"brand,omitempty" maxLength:"64"`
	Unit      string `json:"unit" enum:"each,weight" doc:"each: qty is a count and unit_price fen per unit; weight: qty is grams and unit_price fen per kg."`
	Qty       int64  `json:"qty" minimum:"1" maximum:"10000000"`
	UnitPrice int64  `json:"unit_price" minimum:"0" maximum:"1000000000"`
	Batch     string `json:"batch,omitempty" maxLength:"64"`
	Expiry    string `json:"expiry,omitempty" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"The batch's last sellable day, YYYY-MM-DD."`
}

// CartPriceRequest is a stateless cart with who buys, where, when and how.
type CartPriceRequest struct {
	Lines          []CartPriceLine  `json:"lines" minItems:"1" maxItems:"1000"`
	DeliveryFee    int64            `json:"delivery_fee,omitempty" minimum:"0" maximum:"1000000000"`
	DeliveryMethod string           `json:"delivery_method,omitempty" maxLength:"64" doc:"How the order is delivered (e.g. express, same_day), for delivery-fee promotions that target methods."`
	Time           *time.Time       `json:"time,omitempty" doc:"When the sale happens; default now."`
	TimeZone       string           `json:"time_zone,omitempty" maxLength:"64" doc:"IANA time zone for weekly and daily windows; default: the time zone of store_id, else the tenant's (pricing settings, default Asia/Shanghai)."`
	Channel        string           `json:"channel,omitempty" maxLength:"64"`
	StoreID        string           `json:"store_id,omitempty" maxLength:"64"`
	Region         string           `json:"region,omitempty" maxLength:"64"`
	Brand          string           `json:"brand,omitempty" maxLength:"64"`
	Tier           string           `json:"tier,omitempty" maxLength:"64"`
	Segments       []string         `json:"segments,omitempty" maxItems:"100"`
	FirstOrder     bool             `json:"first_order,omitempty"`
	PaymentMethod  string           `json:"payment_method,omitempty" maxLength:"64"`
	Coupons        []string         `json:"coupons,omitempty" maxItems:"20"`
	FlashAllowance map[string]int64 `json:"flash_allowance,omitempty" doc:"Promotion id → flash-sale units the customer may still buy; only lowers what the flash sale's limit and customer_id's recorded purchases leave."`
	CustomerID     string           `json:"customer_id,omitempty" maxLength:"64" doc:"A customer of the tenant (422 otherwise): their recorded purchases, and those of the ids merged into them, fill flash_allowance and their per-customer limits apply."`

	missing []string // required fields the body left out (UnmarshalJSON), by location
	decoded bool     // UnmarshalJSON ran: the body was well-formed JSON
}

// CartReturnQuoteRequest asks for the refund of returning quantities of a committed
// order (order_id), from what was frozen when it was redeemed, or of a priced cart
// (priced_token, a what-if); exactly one of the two.
type CartReturnQuoteRequest struct {
	OrderID     string           `json:"order_id,omitempty" maxLength:"64" doc:"A committed order (POST /api/v1/promotion-redemptions): its lines, nets and per-line promotion shares as priced at sale time."`
	PricedToken string           `json:"priced_token,omitempty" maxLength:"1048576" doc:"Instead of order_id: the priced_token of POST /api/v1/carts/price, for a what-if."`
	Returned    map[string]int64 `json:"returned" doc:"Line id → units or grams returned."`
}

type promotionListInput struct {
	httpapi.PageParams
	Status          string    `query:"status" enum:"draft,active,paused,ended,"`
	EffectiveStatus string    `query:"effective_status" enum:"draft,scheduled,running,paused,ended," doc:"Only promotions with this effective_status now."`
	ActiveAt        time.Time `query:"active_at" doc:"Only active promotions whose window contains this instant (RFC 3339)."`
}

type promotionIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type promotionCreateInput struct{ Body PromotionCreateRequest }

type promotionUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body PromotionUpdateRequest
}

type cartPriceInput struct {
	Detail string `query:"detail" enum:"full,lines" default:"full" doc:"full: every applied promotion with its basis and definition, and the rejected promotions with why; lines: what a till needs — lines with their allocations, totals, applied promotions without basis and definition, hints and priced_token (no rejected)."`
	Body   CartPriceRequest
}

type promotionPreviewInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body CartPriceRequest
}

type cartReturnQuoteInput struct{ Body CartReturnQuoteRequest }

// promotionResponse converts a promotion, its effective status judged now.
func (s *Service) promotionResponse(p Promotion) PromotionResponse {
	return promotionResponseAt(p, s.now())
}

// promotionResponseAt converts a promotion, its effective status judged at now.
func promotionResponseAt(p Promotion, now time.Time) PromotionResponse {
	var def map[string]any
	if b, err := json.Marshal(p.Definition); err == nil {
		_ = json.Unmarshal(b, &def)
	}
	return PromotionResponse{ID: p.ID, Code: p.Code, Name: p.Name, Status: string(p.Status), EffectiveStatus: string(p.EffectiveAt(now)),
		Definition: def, StartsAt: p.StartsAt, EndsAt: p.EndsAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Limits: PromotionLimits{BudgetFen: p.Limits.BudgetFen, MaxUses: p.Limits.MaxUses, MaxUsesPerCustomer: p.Limits.MaxUsesPerCustomer},
		Usage:  PromotionUsage{DiscountFen: p.Usage.DiscountFen, Uses: p.Usage.Uses}}
}

// limitsOf converts request limits (nil: none).
func limitsOf(l *PromotionLimits) Limits {
	if l == nil {
		return Limits{}
	}
	return Limits{BudgetFen: l.BudgetFen, MaxUses: l.MaxUses, MaxUsesPerCustomer: l.MaxUsesPerCustomer}
}

// cartOf converts a price request into the engine's cart and context.
func (s *Service) cartOf(r CartPriceRequest) (engine.Cart, engine.Context, error) {
	cart := engine.Cart{Lines: make([]engine.Line, len(r.Lines)), DeliveryFee: r.DeliveryFee, DeliveryMethod: r.DeliveryMethod}
	for i, l := range r.Lines {
		cart.Lines[i] = engine.Line{ID: l.ID, SKU: l.SKU, Category: l.Category, Brand: l.Brand, Unit: engine.Unit(l.Unit),
			Qty: l.Qty, UnitPrice: l.UnitPrice, Batch: l.Batch}
		if l.Expiry != "" {
			t, err := time.Parse(time.DateOnly, l.Expiry)
			if err != nil {
				return cart, engine.Context{}, errs.Field(fmt.Sprintf("body.lines[%d].expiry", i), "must be a date YYYY-MM-DD")
			}
			cart.Lines[i].Expiry = t
		}
	}
	for i, c := range r.Coupons {
		if len(ClientCoupons([]string{c})) == 0 {
			return cart, engine.Context{}, errs.Field(fmt.Sprintf("body.coupons[%d]", i), "a coupon template's code is not presented directly: present the customer's coupon code to an order")
		}
	}
	pc := engine.Context{Channel: r.Channel, StoreID: r.StoreID, Region: r.Region, Brand: r.Brand, Tier: r.Tier,
		Segments: r.Segments, FirstOrder: r.FirstOrder, PaymentMethod: r.PaymentMethod, Coupons: r.Coupons,
		FlashAllowance: r.FlashAllowance}
	if r.Time != nil {
		pc.Time = *r.Time
	}
	if r.TimeZone != "" {
		loc, err := s.location(r.TimeZone)
		if err != nil {
			return cart, pc, errs.Field("body.time_zone", "unknown time zone %q", r.TimeZone)
		}
		pc.Location = loc
	}
	return cart, pc, nil
}

// Register adds the promotion and pricing operations to api.
func (s *Service) Register(api huma.API) {
	tags := []string{"Promotions"}
	read, write := httpapi.Secured(auth.PromotionsRead), httpapi.Secured(auth.PromotionsWrite)
	// Pricing needs pricing:use or promotions:read: the central check only ensures a
	// principal, the service checks either scope.
	pricing := httpapi.SecuredAny(auth.PricingUse, auth.PromotionsRead)

	s.registerCalendar(api) // before /promotions/{id}
	s.registerExport(api)
	s.registerSimulation(api)
	s.registerSettings(api)
	huma.Register(api, huma.Operation{
		OperationID: "list-promotions", Method: http.MethodGet, Path: "/api/v1/promotions",
		Summary: "List promotions", Description: "Ordered by id; filter by status, by effective_status (status and window read now: scheduled, running, ended …), or by the active promotions whose window contains active_at.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *promotionListInput) (*httpapi.Body[httpapi.Page[PromotionResponse]], error) {
		f := PromotionFilter{Status: Status(in.Status), Effective: EffectiveStatus(in.EffectiveStatus), Limit: in.Limit, Cursor: in.Cursor}
		if !in.ActiveAt.IsZero() {
			f.ActiveAt = &in.ActiveAt
		}
		return httpapi.ReplyPage(s.promotionResponse)(s.FindPromotions(ctx, f))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-promotion", Method: http.MethodPost, Path: "/api/v1/promotions",
		Summary: "Create a draft promotion", Description: "The definition is validated; a contradictory one is refused with 422 naming body.definition.<field>.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *promotionCreateInput) (*httpapi.Body[PromotionResponse], error) {
		def, err := decodeDefinition("body.definition", in.Body.Definition)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return httpapi.Reply(s.promotionResponse)(s.CreatePromotion(ctx, NewPromotion{Code: in.Body.Code, Name: in.Body.Name,
			Definition: def, Limits: limitsOf(in.Body.Limits)}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-promotion", Method: http.MethodGet, Path: "/api/v1/promotions/{id}",
		Summary: "Get a promotion", Tags: tags, Security: read,
	}, func(ctx context.Context, in *promotionIDInput) (*httpapi.Body[PromotionResponse], error) {
		return httpapi.Reply(s.promotionResponse)(s.FindPromotionByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-promotion", Method: http.MethodPatch, Path: "/api/v1/promotions/{id}",
		Summary: "Update a promotion", Description: "The definition of an active or ended promotion cannot change (409); pause it first.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *promotionUpdateInput) (*httpapi.Body[PromotionResponse], error) {
		u := PromotionUpdate{Name: in.Body.Name}
		if in.Body.Limits != nil {
			l := limitsOf(in.Body.Limits)
			u.Limits = &l
		}
		if in.Body.Definition != nil {
			def, err := decodeDefinition("body.definition", in.Body.Definition)
			if err != nil {
				return nil, httpapi.Problem(err)
			}
			u.Definition = &def
		}
		return httpapi.Reply(s.promotionResponse)(s.UpdatePromotion(ctx, in.ID, u))
	})
	for _, t := range []struct {
		op, path, summary string
		do                func(context.Context, string) (Promotion, error)
	}{
		{"activate-promotion", "activate", "Activate a draft or paused promotion", s.Activate},
		{"pause-promotion", "pause", "Pause an active promotion", s.Pause},
		{"end-promotion", "end", "End a promotion for good", s.End},
	} {
		huma.Register(api, huma.Operation{
			OperationID: t.op, Method: http.MethodPost, Path: "/api/v1/promotions/{id}/" + t.path,
			Summary: t.summary, Tags: tags, Security: write,
		}, func(ctx context.Context, in *promotionIDInput) (*httpapi.Body[PromotionResponse], error) {
			return httpapi.Reply(s.promotionResponse)(t.do(ctx, in.ID))
		})
	}
	huma.Register(api, huma.Operation{
		OperationID: "preview-promotion", Method: http.MethodPost, Path: "/api/v1/promotions/{id}/preview",
		Summary: "Price a sample cart against one promotion", Description: "Whatever its status (a draft too); the other promotions are ignored.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *promotionPreviewInput) (*httpapi.Body[CartPriceResponse], error) {
		cart, pc, err := s.cartOf(in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return httpapi.Reply(cartPriceResponse)(s.PreviewPromotion(ctx, in.ID, cart, pc))
	})
	huma.Register(api, huma.Operation{
		OperationID: "price-cart", Method: http.MethodPost, Path: "/api/v1/carts/price",
		Summary: "Price a cart",
		Description: "Prices the cart against the tenant's active promotions and signs the result: priced_token commits it " +
			"(POST /api/v1/promotion-redemptions) until priced_token_expires_at. ?detail=lines answers the lean response " +
			"a POS needs (no basis, definitions or rejections: a fraction of the bytes). Needs pricing:use or promotions:read.",
		Tags: []string{"Pricing"}, Security: pricing,
		SkipValidateBody: true, // decoded once, strictly, and checked by cartPriceInput.Resolve
	}, func(ctx context.Context, in *cartPriceInput) (*httpapi.Body[CartPriceResponse], error) {
		cart, pc, err := s.cartOf(in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		convert := signedPriceResponse
		if in.Detail == "lines" {
			convert = leanPriceResponse
		}
		return httpapi.Reply(convert)(s.PriceCartForCommit(ctx, cart, pc, in.Body.CustomerID))
	})
	s.registerRedemptions(api)
	huma.Register(api, huma.Operation{
		OperationID: "quote-cart-return", Method: http.MethodPost, Path: "/api/v1/carts/return-quote",
		Summary: "Quote the refund of a partial return",
		Description: "From a committed order's lines and per-line promotion shares as they were priced at sale time (order_id), " +
			"or from a priced cart's token (priced_token); never from prices or definitions the client states. " +
			"409 urn:oneretail:problem:shares_not_recorded for orders recorded before shares were kept, " +
			"redemption_cancelled for a cancelled order. Needs pricing:use or promotions:read.",
		Tags: []string{"Pricing"}, Security: pricing,
	}, func(ctx context.Context, in *cartReturnQuoteInput) (*httpapi.Body[CartReturnQuoteResponse], error) {
		q, err := s.QuoteReturn(ctx, ReturnRef{OrderID: in.Body.OrderID, PricedToken: in.Body.PricedToken}, in.Body.Returned)
		if err != nil {
			return nil, redemptionProblem(err)
		}
		return &httpapi.Body[CartReturnQuoteResponse]{Body: cartReturnQuoteResponse(q)}, nil
	})
}

// The pricing responses mirror engine.Result and engine.Quote field for field (same
// JSON), under names unique across the API; the priced cart goes back verbatim as
// the priced field of a return quote.

// CartAllocation is part of a discount (or of its basis) on one line.
type CartAllocation struct {
	PromotionID string `json:"promotion_id,omitempty"`
	LineID      string `json:"line_id,omitempty"`
	Amount      int64  `json:"amount"`
}

// CartPricedLine is a priced line: net = amount - discount, discount = sum of allocations.
type CartPricedLine struct {
	ID          string           `json:"id"`
	SKU         string           `json:"sku"`
	Category    string           `json:"category,omitempty"`
	Brand       string           `json:"brand,omitempty"`
	Unit        string           `json:"unit"`
	Qty         int64            `json:"qty"`
	UnitPrice   int64            `json:"unit_price"`
	Batch       string           `json:"batch,omitempty"`
	Expiry      *time.Time       `json:"expiry,omitempty"`
	Amount      int64            `json:"amount"`
	Discount    int64            `json:"discount"`
	Net         int64            `json:"net"`
	Gift        bool             `json:"gift,omitempty"`
	GiftOf      string           `json:"gift_of,omitempty"`
	Allocations []CartAllocation `json:"allocations,omitempty"`
}

// CartAppliedPromotion explains one applied promotion.
type CartAppliedPromotion struct {
	PromotionID string           `json:"promotion_id"`
	Name        string           `json:"name,omitempty"`
	Kind        string           `json:"kind"`
	Level       string           `json:"level"`
	Discount    int64            `json:"discount"`
	Lines       []CartAllocation `json:"lines"`
	Basis       []CartAllocation `json:"basis,omitzero" doc:"What the promotion was measured on; absent with ?detail=lines."`
	GiftLineID  string           `json:"gift_line_id,omitempty"`
	FlashUnits  int64            `json:"flash_units,omitempty" doc:"Units sold at the flash-sale or special price (flash_sale, special_price), counted against the per-customer unit limit when the order commits."`
	Message     string           `json:"message"`
	Promotion   DefinitionJSON   `json:"promotion,omitzero" doc:"The promotion's definition as it was priced; absent with ?detail=lines."`
}

// CartRejection says why a candidate promotion did not apply.
type CartRejection struct {
	PromotionID string `json:"promotion_id"`
	Code        string `json:"code"`
	Condition   string `json:"condition,omitempty"`
	WinnerID    string `json:"winner_id,omitempty"`
	RefusedBy   string `json:"refused_by,omitempty" enum:"this,winner,both" doc:"excluded_by_stacking: whose rule kept the two promotions apart — this promotion's, the winner's or both (the message names both by name and code and says why)."`
	Missing     int64  `json:"missing,omitempty"`
	Message     string `json:"message"`
}

// CartHint is a shopper nudge ("add ¥23.50 more to get ¥50.00 off").
type CartHint struct {
	PromotionID string `json:"promotion_id"`
	Missing     int64  `json:"missing"`
	Save        int64  `json:"save,omitempty"`
	Message     string `json:"message"`
}

// CartDeliveryDiscount explains the delivery-fee promotion that applied.
type CartDeliveryDiscount struct {
	PromotionID string `json:"promotion_id"`
	Name        string `json:"name,omitempty"`
	Spend       int64  `json:"spend"`
	Discount    int64  `json:"discount"`
	Message     string `json:"message"`
}

// CartPriceResponse is a priced cart (see engine.Result): goods totals, lines with
// prorated allocations, applied and rejected promotions, hints, and the delivery fee
// apart from the goods.
type CartPriceResponse struct {
	Lines            []CartPricedLine       `json:"lines" nullable:"false"`
	Subtotal         int64                  `json:"subtotal"`
	Discount         int64                  `json:"discount"`
	Total            int64                  `json:"total"`
	Applied          []CartAppliedPromotion `json:"applied" nullable:"false"`
	Rejected         []CartRejection        `json:"rejected,omitzero" nullable:"false" doc:"The candidate promotions that did not apply, with why; absent with ?detail=lines."`
	Hints            []CartHint             `json:"hints" nullable:"false"`
	Combinations     int                    `json:"combinations"`
	Truncated        bool                   `json:"truncated"`
	Decomposed       bool                   `json:"decomposed"`
	DeliveryFee      int64                  `json:"delivery_fee"`
	DeliveryDiscount int64                  `json:"delivery_discount"`
	DeliveryNet      int64                  `json:"delivery_net"`
	Payable          int64                  `json:"payable"`
	Delivery         *CartDeliveryDiscount  `json:"delivery,omitempty"`

	// PricedToken is set by POST /api/v1/carts/price only (a preview gives none).
	PricedToken          string     `json:"priced_token,omitempty" doc:"The server-signed priced cart: commit it with POST /api/v1/promotion-redemptions or quote a return from it, until priced_token_expires_at."`
	PricedTokenExpiresAt *time.Time `json:"priced_token_expires_at,omitempty"`
}

// CartReturnLine is the refund for one returned line.
type CartReturnLine struct {
	LineID   string `json:"line_id"`
	Qty      int64  `json:"qty"`
	Refund   int64  `json:"refund"`
	ClawBack int64  `json:"claw_back,omitempty"`
}

// CartReturnAdjustment explains what a return does to one threshold promotion.
type CartReturnAdjustment struct {
	PromotionID string `json:"promotion_id"`
	Policy      string `json:"policy"`
	SpendBefore int64  `json:"spend_before"`
	SpendAfter  int64  `json:"spend_after"`
	Kept        int64  `json:"kept"`
	Earned      int64  `json:"earned"`
	ClawBack    int64  `json:"claw_back"`
	Message     string `json:"message"`
}

// CartReturnQuoteResponse is the refund per line and the threshold adjustments.
type CartReturnQuoteResponse struct {
	Lines       []CartReturnLine       `json:"lines" nullable:"false"`
	Adjustments []CartReturnAdjustment `json:"adjustments" nullable:"false"`
	Refund      int64                  `json:"refund"`
}

// mirror copies v into a type with the same JSON shape.
func mirror[T any](v any) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("promotion: encode %T: %v", v, err))
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("promotion: mirror %T: %v", v, err))
	}
	return out
}

// signedPriceResponse is the price response with its priced-cart token.
func signedPriceResponse(p SignedPrice) CartPriceResponse {
	return signedPriceResponseOf(p, cartPriceResponse(p.Result))
}

// signedPriceResponseOf adds p's token to its converted result.
func signedPriceResponseOf(p SignedPrice, out CartPriceResponse) CartPriceResponse {
	exp := p.ExpiresAt
	out.PricedToken, out.PricedTokenExpiresAt = p.Token, &exp
	return out
}

// leanPriceResponse is signedPriceResponse for a till (?detail=lines): the applied
// promotions without their basis and definition (most of the full response's bytes
// and of its encoding time) and no rejections.
func leanPriceResponse(p SignedPrice) CartPriceResponse {
	return signedPriceResponseOf(p, cartPriceResponseOf(p.Result, true))
}

// cartPriceResponse converts an engine result field by field (no JSON round trip: it
// is on the pricing hot path); empty lists stay [] rather than null.
func cartPriceResponse(r engine.Result) CartPriceResponse { return cartPriceResponseOf(r, false) }

// cartPriceResponseOf is cartPriceResponse, lean for ?detail=lines.
func cartPriceResponseOf(r engine.Result, lean bool) CartPriceResponse {
	out := CartPriceResponse{Lines: make([]CartPricedLine, len(r.Lines)), Subtotal: r.Subtotal, Discount: r.Discount, Total: r.Total,
		Applied: make([]CartAppliedPromotion, len(r.Applied)), Hints: make([]CartHint, len(r.Hints)), Combinations: r.Combinations, Truncated: r.Truncated, Decomposed: r.Decomposed,
		DeliveryFee: r.DeliveryFee, DeliveryDiscount: r.DeliveryDiscount, DeliveryNet: r.DeliveryNet, Payable: r.Payable}
	for i, l := range r.Lines {
		pl := CartPricedLine{ID: l.ID, SKU: l.SKU, Category: l.Category, Brand: l.Brand, Unit: string(l.Unit), Qty: l.Qty,
			UnitPrice: l.UnitPrice, Batch: l.Batch, Amount: l.Amount, Discount: l.Discount, Net: l.Net, Gift: l.Gift, GiftOf: l.GiftOf,
			Allocations: allocations(l.Allocations)}
		if !l.Expiry.IsZero() {
			e := l.Expiry
			pl.Expiry = &e
		}
		out.Lines[i] = pl
	}
	for i, a := range r.Applied {
		out.Applied[i] = CartAppliedPromotion{PromotionID: a.PromotionID, Name: a.Name, Kind: string(a.Kind), Level: string(a.Level),
			Discount: a.Discount, Lines: nonNil(allocations(a.Lines)), GiftLineID: a.GiftLineID, FlashUnits: a.FlashUnits, Message: a.Message}
		if !lean {
			out.Applied[i].Basis, out.Applied[i].Promotion = nonNil(allocations(a.Basis)), DefinitionJSON{def: a.Promotion}
		}
	}
	if !lean {
		out.Rejected = make([]CartRejection, len(r.Rejected))
		for i, e := range r.Rejected {
			out.Rejected[i] = CartRejection{PromotionID: e.PromotionID, Code: string(e.Code), Condition: e.Condition, WinnerID: e.WinnerID,
				RefusedBy: e.RefusedBy, Missing: e.Missing, Message: e.Message}
		}
	}
	for i, h := range r.Hints {
		out.Hints[i] = CartHint{PromotionID: h.PromotionID, Missing: h.Missing, Save: h.Save, Message: h.Message}
	}
	if d := r.Delivery; d != nil {
		out.Delivery = &CartDeliveryDiscount{PromotionID: d.PromotionID, Name: d.Name, Spend: d.Spend, Discount: d.Discount, Message: d.Message}
	}
	return out
}

func allocations(as []engine.Allocation) []CartAllocation {
	if as == nil {
		return nil
	}
	out := make([]CartAllocation, len(as))
	for i, a := range as {
		out[i] = CartAllocation{PromotionID: a.PromotionID, LineID: a.LineID, Amount: a.Amount}
	}
	return out
}

func nonNil(as []CartAllocation) []CartAllocation {
	if as == nil {
		return []CartAllocation{}
	}
	return as
}

// DefinitionJSON is a promotion definition in a priced cart: encoded straight from the
// engine's definition (decoding it into a map for every response was the slowest part
// of pricing), documented as a free-form object.
type DefinitionJSON struct {
	def *engine.Promotion
	raw json.RawMessage // when decoded from JSON
}

// MarshalJSON writes the definition.
func (d DefinitionJSON) MarshalJSON() ([]byte, error) {
	if d.def != nil {
		return json.Marshal(d.def)
	}
	if d.raw != nil {
		return d.raw, nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON keeps the definition as it came.
func (d *DefinitionJSON) UnmarshalJSON(b []byte) error {
	d.def, d.raw = nil, append(json.RawMessage(nil), b...)
	return nil
}

// Schema documents the definition as an object (the create-promotion definition).
func (DefinitionJSON) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeObject, AdditionalProperties: map[string]any{}}
}

func cartReturnQuoteResponse(q engine.Quote) CartReturnQuoteResponse {
	out := mirror[CartReturnQuoteResponse](q)
	if out.Lines == nil {
		out.Lines = []CartReturnLine{}
	}
	if out.Adjustments == nil {
		out.Adjustments = []CartReturnAdjustment{}
	}
	return out
}
