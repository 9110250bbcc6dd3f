package promotion

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// RedemptionCreateRequest records what a committed order took from promotions, from
// what the server prices: either the priced_token that POST /api/v1/carts/price
// returned, or the cart itself (priced again by the server at the order's time,
// store and customer) with the payable the till charged.
type RedemptionCreateRequest struct {
	OrderID     string            `json:"order_id" minLength:"1" maxLength:"64"`
	PricedToken string            `json:"priced_token,omitempty" maxLength:"1048576" doc:"The priced_token of POST /api/v1/carts/price, committed before it expires; it carries the customer, store, time and priced cart."`
	Cart        *CartPriceRequest `json:"cart,omitempty" doc:"Instead of priced_token: the cart as it was priced (lines, time, store, customer_id, …); the server prices it again."`
	Payable     *int64            `json:"payable,omitempty" minimum:"0" maximum:"4503599627370496" doc:"What the till charged in fen (goods total plus delivery net); required with cart, optional with priced_token. A different server price is refused with 409 price_mismatch."`
}

// RedemptionLineResponse is one recorded promotion of an order.
type RedemptionLineResponse struct {
	PromotionID string `json:"promotion_id"`
	Code        string `json:"code"`
	Kind        string `json:"kind,omitempty"`
	DiscountFen int64  `json:"discount_fen" doc:"What the shopper saved (0 for a gift)."`
	ValueFen    int64  `json:"value_fen" doc:"What was charged to the promotion's budget: the discount, or a gift's value."`
	FlashUnits  int64  `json:"flash_units"`
}

// RedemptionShareResponse is one promotion's share of a line's discount.
type RedemptionShareResponse struct {
	PromotionID string `json:"promotion_id"`
	DiscountFen int64  `json:"discount_fen"`
}

// RedemptionCartLineResponse is one line of the order as the server priced it.
type RedemptionCartLineResponse struct {
	LineID       string                    `json:"line_id"`
	SKU          string                    `json:"sku"`
	Unit         string                    `json:"unit"`
	Qty          int64                     `json:"qty"`
	UnitPriceFen int64                     `json:"unit_price_fen"`
	AmountFen    int64                     `json:"amount_fen"`
	NetFen       int64                     `json:"net_fen"`
	GiftOf       string                    `json:"gift_of,omitempty"`
	Shares       []RedemptionShareResponse `json:"shares" nullable:"false"`
}

// RedemptionResponse is what an order took from promotions and the priced cart it
// was recorded from (priced false, no lines: recorded before carts were kept).
type RedemptionResponse struct {
	OrderID             string                       `json:"order_id"`
	CustomerID          string                       `json:"customer_id,omitempty" doc:"The customer the order counts for (the survivor of a merged id)."`
	Status              string                       `json:"status" enum:"committed,cancelled"`
	Redemptions         []RedemptionLineResponse     `json:"redemptions" nullable:"false"`
	Priced              bool                         `json:"priced"`
	OrderedAt           *time.Time                   `json:"ordered_at,omitempty"`
	StoreID             string                       `json:"store_id,omitempty"`
	SubtotalFen         int64                        `json:"subtotal_fen"`
	DiscountFen         int64                        `json:"discount_fen"`
	DeliveryFeeFen      int64                        `json:"delivery_fee_fen"`
	DeliveryDiscountFen int64                        `json:"delivery_discount_fen"`
	PayableFen          int64                        `json:"payable_fen"`
	Lines               []RedemptionCartLineResponse `json:"lines" nullable:"false"`
	CreatedAt           time.Time                    `json:"created_at"`
	CancelledAt         *time.Time                   `json:"cancelled_at,omitempty"`
}

type redemptionCreateInput struct{ Body RedemptionCreateRequest }

type redemptionOrderInput struct {
	OrderID string `path:"order_id" maxLength:"64"`
}

func redemptionResponse(r Redemption) RedemptionResponse {
	c := r.Cart
	out := RedemptionResponse{OrderID: r.OrderID, CustomerID: r.CustomerID, Status: string(r.Status),
		Redemptions: make([]RedemptionLineResponse, len(r.Lines)), Priced: r.Priced, StoreID: c.StoreID,
		SubtotalFen: c.Subtotal, DiscountFen: c.Discount, DeliveryFeeFen: c.DeliveryFee, DeliveryDiscountFen: c.DeliveryDiscount,
		PayableFen: c.Payable, Lines: make([]RedemptionCartLineResponse, len(c.Lines)), CreatedAt: r.CreatedAt, CancelledAt: r.CancelledAt}
	if r.Priced {
		at := c.At
		out.OrderedAt = &at
	}
	for i, l := range r.Lines {
		out.Redemptions[i] = RedemptionLineResponse{PromotionID: l.PromotionID, Code: l.Code, Kind: string(l.Kind),
			DiscountFen: l.DiscountFen, ValueFen: l.ValueFen, FlashUnits: l.FlashUnits}
	}
	shares := map[string][]RedemptionShareResponse{}
	for _, p := range c.Promotions {
		if !p.Counts() {
			continue
		}
		for _, s := range p.Shares {
			if s.Discount != 0 {
				shares[s.LineID] = append(shares[s.LineID], RedemptionShareResponse{PromotionID: p.PromotionID, DiscountFen: s.Discount})
			}
		}
	}
	for i, l := range c.Lines {
		out.Lines[i] = RedemptionCartLineResponse{LineID: l.ID, SKU: l.SKU, Unit: string(l.Unit), Qty: l.Qty, UnitPriceFen: l.UnitPrice,
			AmountFen: l.Amount, NetFen: l.Net, GiftOf: l.GiftOf, Shares: shares[l.ID]}
		if out.Lines[i].Shares == nil {
			out.Lines[i].Shares = []RedemptionShareResponse{}
		}
	}
	return out
}

// newRedemptionOf converts a request; the service checks that exactly one of
// priced_token and cart is given.
func (s *Service) newRedemptionOf(r RedemptionCreateRequest) (NewRedemption, error) {
	in := NewRedemption{OrderID: r.OrderID, PricedToken: r.PricedToken, Payable: r.Payable}
	if r.Cart != nil {
		cart, pc, err := s.cartOf(*r.Cart)
		if err != nil {
			return in, underCart(err)
		}
		in.Cart, in.Context, in.CustomerID = &cart, pc, r.Cart.CustomerID
	}
	return in, nil
}

// refusalProblem is the 409 problem+json of a refused commit or return quote; its
// type is urn:oneretail:problem:<kind>, and it names the promotion, the request field
// at fault (errors[].location) and, for a price mismatch, the server's payable.
type refusalProblem struct {
	Type          string              `json:"type"`
	Title         string              `json:"title"`
	Status        int                 `json:"status"`
	Detail        string              `json:"detail"`
	PromotionID   string              `json:"promotion_id,omitempty"`
	PromotionCode string              `json:"promotion_code,omitempty"`
	Payable       *int64              `json:"payable,omitempty"`
	Errors        []*huma.ErrorDetail `json:"errors,omitempty"`
}

func (p *refusalProblem) Error() string               { return p.Detail }
func (p *refusalProblem) GetStatus() int              { return p.Status }
func (p *refusalProblem) ContentType(_ string) string { return "application/problem+json" }
func (p *refusalProblem) MarshalJSON() ([]byte, error) {
	type plain refusalProblem
	return json.Marshal((*plain)(p))
}

// redemptionProblem turns a *LimitError into its own problem type, other errors as usual.
func redemptionProblem(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		p := &refusalProblem{Type: httpapi.ProblemTypePrefix + le.Kind, Title: http.StatusText(http.StatusConflict),
			Status: http.StatusConflict, Detail: le.Message, PromotionID: le.PromotionID, PromotionCode: le.Code, Payable: le.Payable}
		if le.Field != "" {
			p.Errors = []*huma.ErrorDetail{{Message: le.Message, Location: le.Field}}
		}
		return p
	}
	return httpapi.Problem(err)
}

func replyRedemption(r Redemption, err error) (*httpapi.Body[RedemptionResponse], error) {
	if err != nil {
		return nil, redemptionProblem(err)
	}
	return &httpapi.Body[RedemptionResponse]{Body: redemptionResponse(r)}, nil
}

// registerRedemptions adds the redemption operations: recording needs pricing:use or
// promotions:write (checked by the service).
func (s *Service) registerRedemptions(api huma.API) {
	tags := []string{"Pricing"}
	huma.Register(api, huma.Operation{
		OperationID: "commit-promotion-redemption", Method: http.MethodPost, Path: "/api/v1/promotion-redemptions",
		Summary: "Record the promotions a committed order used",
		Description: "The server decides the money: give the priced_token of POST /api/v1/carts/price, or the cart (priced again " +
			"by the server) with the payable the till charged. All or nothing: 409 urn:oneretail:problem:budget_exhausted, " +
			"usage_limit_reached or customer_limit_reached (naming the promotion) when a limit would be exceeded, " +
			"promotion_not_active for a promotion paused or ended since pricing, price_mismatch (with the server's payable) " +
			"when the till's payable differs, priced_token_used when the token was committed as another order. Replaying an " +
			"order id returns the first result. Needs pricing:use or promotions:write over the whole tenant (orders are " +
			"the tenant's: a brand, region or store user gets 403).",
		Tags: tags, Security: httpapi.SecuredAny(auth.PricingUse, auth.PromotionsWrite), DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *redemptionCreateInput) (*httpapi.Body[RedemptionResponse], error) {
		nr, err := s.newRedemptionOf(in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return replyRedemption(s.CommitRedemption(ctx, nr))
	})
	huma.Register(api, huma.Operation{
		OperationID: "cancel-promotion-redemption", Method: http.MethodPost, Path: "/api/v1/promotion-redemptions/{order_id}/cancel",
		Summary:     "Release what a cancelled or returned order used",
		Description: "The promotions' usage and the customer's counts go back down; cancelling twice is harmless. Needs pricing:use or promotions:write over the whole tenant.",
		Tags:        tags, Security: httpapi.SecuredAny(auth.PricingUse, auth.PromotionsWrite),
	}, func(ctx context.Context, in *redemptionOrderInput) (*httpapi.Body[RedemptionResponse], error) {
		return replyRedemption(s.CancelRedemption(ctx, in.OrderID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-promotion-redemption", Method: http.MethodGet, Path: "/api/v1/promotion-redemptions/{order_id}",
		Summary: "Get what an order used", Description: "With the priced cart it was recorded from. Needs pricing:use or promotions:read over the whole tenant.",
		Tags: tags, Security: httpapi.SecuredAny(auth.PricingUse, auth.PromotionsRead),
	}, func(ctx context.Context, in *redemptionOrderInput) (*httpapi.Body[RedemptionResponse], error) {
		return replyRedemption(s.FindRedemptionByOrderID(ctx, in.OrderID))
	})
}

// Problem renders an error of a redemption for another domain's operation (the
// order center): a *LimitError as its own problem type (price_mismatch,
// budget_exhausted, …), other errors as usual.
func Problem(err error) error { return redemptionProblem(err) }
