package promotion

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// PricingSettingsResponse is a tenant's pricing settings.
type PricingSettingsResponse struct {
	ItemStacking string     `json:"item_stacking" enum:"one_per_unit,stack" doc:"one_per_unit (default, 单品促销互斥): a unit takes part in at most one item-level promotion unless every promotion on it opts in with stacks_with_items; the best combination for the customer wins, order-level promotions (满减, coupons) still apply on top. stack: item-level promotions apply on top of each other."`
	TimeZone     string     `json:"time_zone" doc:"IANA time zone for pricing, the calendar and simulations when the request names no store with a time zone; default Asia/Shanghai."`
	UpdatedAt    *time.Time `json:"updated_at,omitempty" doc:"When the settings last changed; absent while the tenant keeps the defaults."`
}

// PricingSettingsUpdateRequest changes the pricing settings; absent fields stay.
type PricingSettingsUpdateRequest struct {
	ItemStacking *string `json:"item_stacking,omitempty" enum:"one_per_unit,stack"`
	TimeZone     *string `json:"time_zone,omitempty" maxLength:"64" doc:"IANA time zone, e.g. Asia/Shanghai."`
}

type pricingSettingsUpdateInput struct{ Body PricingSettingsUpdateRequest }

func settingsResponse(st Settings) PricingSettingsResponse {
	out := PricingSettingsResponse{ItemStacking: string(st.ItemStacking), TimeZone: st.TimeZone}
	if !st.UpdatedAt.IsZero() {
		out.UpdatedAt = &st.UpdatedAt
	}
	return out
}

func settingsUpdateOf(r PricingSettingsUpdateRequest) SettingsUpdate {
	u := SettingsUpdate{TimeZone: r.TimeZone}
	if r.ItemStacking != nil {
		v := engine.ItemStacking(*r.ItemStacking)
		u.ItemStacking = &v
	}
	return u
}

func (s *Service) registerSettings(api huma.API) {
	tags := []string{"Promotions"}
	huma.Register(api, huma.Operation{
		OperationID: "get-pricing-settings", Method: http.MethodGet, Path: "/api/v1/pricing-settings",
		Summary:     "Pricing settings",
		Description: "The tenant's rule for item-level promotions on the same unit and its pricing time zone.",
		Tags:        tags, Security: httpapi.SecuredAny(auth.PricingUse, auth.PromotionsRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[PricingSettingsResponse], error) {
		return httpapi.Reply(settingsResponse)(s.FindSettings(ctx))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-pricing-settings", Method: http.MethodPatch, Path: "/api/v1/pricing-settings",
		Summary:     "Change the pricing settings",
		Description: "Prices follow from the next price call on every node. Needs promotions:write over the whole tenant.",
		Tags:        tags, Security: httpapi.Secured(auth.PromotionsWrite),
	}, func(ctx context.Context, in *pricingSettingsUpdateInput) (*httpapi.Body[PricingSettingsResponse], error) {
		return httpapi.Reply(settingsResponse)(s.UpdateSettings(ctx, settingsUpdateOf(in.Body)))
	})
}
