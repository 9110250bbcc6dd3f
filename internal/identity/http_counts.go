package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

type touchpointCountsInput struct {
	Status  Status  `query:"status" enum:"active,disabled,"`
	Channel Channel `query:"channel" maxLength:"64"`
	StoreID string  `query:"store_id" maxLength:"64"`
	Q       string  `query:"q" maxLength:"100" doc:"Part of the code or name (case-insensitive)."`
}

// TouchpointGroupResponse is the number of touchpoints with one type or channel.
type TouchpointGroupResponse struct {
	Key         string `json:"key"`
	Touchpoints int    `json:"touchpoints"`
	EventsToday int64  `json:"events_today" doc:"Events stored today (the tenant's day of receipt, in its time zone: pricing settings, default Asia/Shanghai) by these touchpoints."`
}

// TouchpointCountsResponse counts the touchpoints matching the filters.
type TouchpointCountsResponse struct {
	Total     int                       `json:"total"`
	TimeZone  string                    `json:"time_zone" doc:"The tenant's time zone, whose day events_today counts (pricing settings, default Asia/Shanghai)."`
	ByType    []TouchpointGroupResponse `json:"by_type" nullable:"false"`
	ByChannel []TouchpointGroupResponse `json:"by_channel" nullable:"false"`
}

type reviewCountsInput struct {
	Status string `query:"status" enum:"open,resolved," doc:"open or resolved; all when absent."`
}

// CountResponse is the number of items with one key.
type CountResponse struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// ReviewCountsResponse counts the identity reviews the caller may see.
type ReviewCountsResponse struct {
	Total       int             `json:"total"`
	ByReason    []CountResponse `json:"by_reason" nullable:"false"`
	ByScoreBand []CountResponse `json:"by_score_band" nullable:"false" doc:"Fuzzy score bands by lower bound (0.9, 0.8, 0.7, 0.6, 0.5), then <0.5, then none for reviews without a score."`
}

func touchpointGroups(gs []TouchpointGroup) []TouchpointGroupResponse {
	out := make([]TouchpointGroupResponse, len(gs))
	for i, g := range gs {
		out[i] = TouchpointGroupResponse(g)
	}
	return out
}

func countResponses(cs []Count) []CountResponse {
	out := make([]CountResponse, len(cs))
	for i, c := range cs {
		out[i] = CountResponse(c)
	}
	return out
}

func (s *Service) registerCounts(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "count-touchpoints", Method: http.MethodGet, Path: "/api/v1/touchpoint-counts",
		Summary:     "Count touchpoints by type and channel",
		Description: "The touchpoints matching the list's filters, counted by type and by channel with today's events, largest first.",
		Tags:        tags, Security: httpapi.Secured(auth.TouchpointsRead),
	}, func(ctx context.Context, in *touchpointCountsInput) (*httpapi.Body[TouchpointCountsResponse], error) {
		return httpapi.Reply(func(c TouchpointCounts) TouchpointCountsResponse {
			return TouchpointCountsResponse{Total: c.Total, TimeZone: c.TimeZone, ByType: touchpointGroups(c.ByType), ByChannel: touchpointGroups(c.ByChannel)}
		})(s.CountTouchpoints(ctx, TouchpointFilter{Status: in.Status, Channel: in.Channel, StoreID: in.StoreID, Q: in.Q}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "count-identity-reviews", Method: http.MethodGet, Path: "/api/v1/identity-review-counts",
		Summary: "Count identity reviews by reason and score band",
		Description: "The reviews the caller may see (a scoped caller: those whose customers are all inside its data scope), " +
			"counted by reason (largest first) and by fuzzy score band.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersRead),
	}, func(ctx context.Context, in *reviewCountsInput) (*httpapi.Body[ReviewCountsResponse], error) {
		return httpapi.Reply(func(c ReviewCounts) ReviewCountsResponse {
			return ReviewCountsResponse{Total: c.Total, ByReason: countResponses(c.ByReason), ByScoreBand: countResponses(c.ByScoreBand)}
		})(s.CountReviews(ctx, in.Status))
	})
}
