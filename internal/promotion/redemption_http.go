package promotion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// RedemptionPromotion is one promotion an order used, as a client states it.
type RedemptionPromotion struct {
	PromotionID string `json:"promotion_id" minLength:"1" maxLength:"64"`
	Discount    int64  `json:"discount" minimum:"0" doc:"The discount in fen this order got from the promotion (goods or delivery)."`
	FlashUnits  int64  `json:"flash_units,omitempty" minimum:"0" doc:"Units bought at a flash-sale price."`
}

// RedemptionCreateRequest records what a committed order took from promotions:
// either the priced cart as POST /api/v1/carts/price returned it, or the list of
// promotions with their discounts.
type RedemptionCreateRequest struct {
	OrderID    string                `json:"order_id" minLength:"1" maxLength:"64"`
	CustomerID string                `json:"customer_id,omitempty" maxLength:"64" doc:"Needed for per-customer limits and flash-sale limits; without it only the totals count."`
	PricedCart map[string]any        `json:"priced_cart,omitempty" doc:"The response body of POST /api/v1/carts/price: every applied promotion and the delivery promotion are recorded."`
	Promotions []RedemptionPromotion `json:"promotions,omitempty" maxItems:"100" doc:"Instead of priced_cart: the promotions the order used."`
}

// RedemptionLineResponse is one recorded promotion of an order.
type RedemptionLineResponse struct {
	PromotionID string `json:"promotion_id"`
	Code        string `json:"code"`
	DiscountFen int64  `json:"discount_fen"`
	FlashUnits  int64  `json:"flash_units"`
}

// RedemptionResponse is what an order took from promotions.
type RedemptionResponse struct {
	OrderID     string                   `json:"order_id"`
	CustomerID  string                   `json:"customer_id,omitempty"`
	Status      string                   `json:"status" enum:"committed,cancelled"`
	Redemptions []RedemptionLineResponse `json:"redemptions" nullable:"false"`
	CreatedAt   time.Time                `json:"created_at"`
	CancelledAt *time.Time               `json:"cancelled_at,omitempty"`
}

type redemptionCreateInput struct{ Body RedemptionCreateRequest }

type redemptionOrderInput struct {
	OrderID string `path:"order_id" maxLength:"64"`
}

func redemptionResponse(r Redemption) RedemptionResponse {
	out := RedemptionResponse{OrderID: r.OrderID, CustomerID: r.CustomerID, Status: string(r.Status),
		Redemptions: make([]RedemptionLineResponse, len(r.Lines)), CreatedAt: r.CreatedAt, CancelledAt: r.CancelledAt}
	for i, l := range r.Lines {
		out.Redemptions[i] = RedemptionLineResponse{PromotionID: l.PromotionID, Code: l.Code, DiscountFen: l.DiscountFen, FlashUnits: l.FlashUnits}
	}
	return out
}

// newRedemptionOf converts a request; exactly one of priced_cart and promotions.
func newRedemptionOf(r RedemptionCreateRequest) (NewRedemption, error) {
	in := NewRedemption{OrderID: r.OrderID, CustomerID: r.CustomerID}
	switch {
	case r.PricedCart != nil && r.Promotions != nil:
		return in, errs.Field("body.promotions", "give priced_cart or promotions, not both")
	case r.PricedCart != nil:
		var res engine.Result
		if err := decodeStrict(r.PricedCart, &res); err != nil {
			return in, errs.Field("body.priced_cart", "%s", err)
		}
		in.Lines, in.Fields = RedemptionLinesOf("body.priced_cart", res)
	case r.Promotions != nil:
		for i, p := range r.Promotions {
			in.Lines = append(in.Lines, RedemptionLine{PromotionID: p.PromotionID, DiscountFen: p.Discount, FlashUnits: p.FlashUnits})
			in.Fields = append(in.Fields, fmt.Sprintf("body.promotions[%d]", i))
		}
	default:
		return in, errs.Field("body.priced_cart", "give priced_cart or promotions")
	}
	return in, nil
}

// limitProblem is the 409 problem+json of a limit a commit would exceed; its type is
// urn:oneretail:problem:<kind> and it names the promotion.
type limitProblem struct {
	Type          string `json:"type"`
	Title         string `json:"title"`
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	PromotionID   string `json:"promotion_id"`
	PromotionCode string `json:"promotion_code"`
}

func (p *limitProblem) Error() string               { return p.Detail }
func (p *limitProblem) GetStatus() int              { return p.Status }
func (p *limitProblem) ContentType(_ string) string { return "application/problem+json" }
func (p *limitProblem) MarshalJSON() ([]byte, error) {
	type plain limitProblem
	return json.Marshal((*plain)(p))
}

// redemptionProblem turns a *LimitError into its own problem type, other errors as usual.
func redemptionProblem(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return &limitProblem{Type: httpapi.ProblemTypePrefix + le.Kind, Title: http.StatusText(http.StatusConflict),
			Status: http.StatusConflict, Detail: le.Message, PromotionID: le.PromotionID, PromotionCode: le.Code}
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
		Description: "All or nothing: 409 urn:oneretail:problem:budget_exhausted, usage_limit_reached or customer_limit_reached " +
			"(naming the promotion) when a limit would be exceeded. Replaying an order id returns the first result. " +
			"Needs pricing:use or promotions:write.",
		Tags: tags, Security: httpapi.Secured(), DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *redemptionCreateInput) (*httpapi.Body[RedemptionResponse], error) {
		nr, err := newRedemptionOf(in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return replyRedemption(s.CommitRedemption(ctx, nr))
	})
	huma.Register(api, huma.Operation{
		OperationID: "cancel-promotion-redemption", Method: http.MethodPost, Path: "/api/v1/promotion-redemptions/{order_id}/cancel",
		Summary:     "Release what a cancelled or returned order used",
		Description: "The promotions' usage and the customer's counts go back down; cancelling twice is harmless. Needs pricing:use or promotions:write.",
		Tags:        tags, Security: httpapi.Secured(),
	}, func(ctx context.Context, in *redemptionOrderInput) (*httpapi.Body[RedemptionResponse], error) {
		return replyRedemption(s.CancelRedemption(ctx, in.OrderID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-promotion-redemption", Method: http.MethodGet, Path: "/api/v1/promotion-redemptions/{order_id}",
		Summary: "Get what an order used", Description: "Needs pricing:use or promotions:read.",
		Tags: tags, Security: httpapi.Secured(),
	}, func(ctx context.Context, in *redemptionOrderInput) (*httpapi.Body[RedemptionResponse], error) {
		return replyRedemption(s.FindRedemptionByOrderID(ctx, in.OrderID))
	})
}
