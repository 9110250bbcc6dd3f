package coupon

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// FunnelResponse is the coupon funnel of the coupons issued in a period.
type FunnelResponse struct {
	At        time.Time                `json:"at"`
	From      time.Time                `json:"from"`
	To        time.Time                `json:"to"`
	Total     FunnelCountsResponse     `json:"total"`
	Templates []TemplateFunnelResponse `json:"templates" nullable:"false"`
}

// FunnelCountsResponse is where a set of coupons stands: issued = unused + locked +
// redeemed + expired.
type FunnelCountsResponse struct {
	Issued           int64 `json:"issued"`
	Unused           int64 `json:"unused" doc:"Issued and still usable."`
	Locked           int64 `json:"locked" doc:"Held by a cart or an order whose lock has not run out."`
	Redeemed         int64 `json:"redeemed"`
	Expired          int64 `json:"expired" doc:"Past their validity unused, whether or not the sweep has run."`
	RedemptionRateBP int64 `json:"redemption_rate_bp" doc:"Redeemed / issued in basis points, rounded half up."`
}

// TemplateFunnelResponse is one template's funnel.
type TemplateFunnelResponse struct {
	TemplateID   string `json:"template_id"`
	TemplateCode string `json:"template_code"`
	TemplateName string `json:"template_name"`
	FunnelCountsResponse
	Channels []ChannelFunnelResponse `json:"channels" nullable:"false" doc:"Locked and redeemed coupons by the channel of their order; empty channel: a cart or an unknown order."`
}

// ChannelFunnelResponse is a template's locked and redeemed coupons of one channel.
type ChannelFunnelResponse struct {
	Channel  string `json:"channel"`
	Locked   int64  `json:"locked"`
	Redeemed int64  `json:"redeemed"`
}

func funnelResponse(f Funnel) FunnelResponse {
	out := FunnelResponse{At: f.At, From: f.From, To: f.To, Total: FunnelCountsResponse(f.Total),
		Templates: make([]TemplateFunnelResponse, len(f.Templates))}
	for i, t := range f.Templates {
		o := TemplateFunnelResponse{TemplateID: t.TemplateID, TemplateCode: t.TemplateCode, TemplateName: t.TemplateName,
			FunnelCountsResponse: FunnelCountsResponse(t.FunnelCounts), Channels: make([]ChannelFunnelResponse, len(t.Channels))}
		for j, c := range t.Channels {
			o.Channels[j] = ChannelFunnelResponse(c)
		}
		out.Templates[i] = o
	}
	return out
}

func (s *Service) registerReports(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "get-coupon-funnel-report", Method: http.MethodGet, Path: "/api/v1/loyalty/reports/coupons",
		Summary: "Coupon funnel by template and channel", Description: "What became of the coupons issued in the period, as of now: " +
			"unused, locked, redeemed, expired, the redemption rate; locked and redeemed by their order's channel. " +
			"Tenant-wide: needs loyalty:read over the whole tenant.",
		Tags: []string{couponTag}, Security: httpapi.Secured(auth.LoyaltyRead),
	}, func(ctx context.Context, in *struct {
		From time.Time `query:"from" required:"true" doc:"RFC 3339; coupons issued at or after it."`
		To   time.Time `query:"to" required:"true" doc:"RFC 3339; issued before it (at most three years after from)."`
	}) (*httpapi.Body[FunnelResponse], error) {
		return httpapi.Reply(funnelResponse)(s.FindFunnel(ctx, FunnelFilter{From: in.From, To: in.To}))
	})
}
