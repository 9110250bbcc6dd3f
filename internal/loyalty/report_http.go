package loyalty

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// PointsReportResponse is the points report of a period.
type PointsReportResponse struct {
	At       time.Time                `json:"at"`
	From     time.Time                `json:"from"`
	To       time.Time                `json:"to"`
	Programs []ProgramFiguresResponse `json:"programs" nullable:"false"`
}

// ProgramFiguresResponse is one program's figures.
type ProgramFiguresResponse struct {
	ProgramID   string                   `json:"program_id"`
	ProgramName string                   `json:"program_name"`
	Balance     int64                    `json:"balance" doc:"Points the members hold (Σ of the ledger), as of now; the liability's months add up to it."`
	Liability   []LiabilityMonthResponse `json:"liability" nullable:"false"`
	EarnBurn    []EarnBurnResponse       `json:"earn_burn" nullable:"false"`
	Tiers       []TierCountResponse      `json:"tiers" nullable:"false"`
	Moves       []TierMoveResponse       `json:"moves" nullable:"false"`
}

// LiabilityMonthResponse is the outstanding points expiring in one month.
type LiabilityMonthResponse struct {
	Month  string `json:"month" doc:"YYYY-MM in the program's time zone; empty for points that never expire."`
	Points int64  `json:"points"`
	Lots   int64  `json:"lots"`
}

// EarnBurnResponse is a period's postings at one store through one channel.
type EarnBurnResponse struct {
	StoreID  string `json:"store_id" doc:"Empty when the posting names no store (adjustments, expiry)."`
	Channel  string `json:"channel" doc:"The channel of the entry's order; empty without an order."`
	Earned   int64  `json:"earned"`
	Redeemed int64  `json:"redeemed"`
	Reversed int64  `json:"reversed"`
	Expired  int64  `json:"expired"`
	Adjusted int64  `json:"adjusted" doc:"Signed."`
	Entries  int64  `json:"entries"`
}

// TierCountResponse is the number of members in a tier.
type TierCountResponse struct {
	TierID   string `json:"tier_id" doc:"Empty for members without a tier."`
	TierName string `json:"tier_name"`
	Members  int64  `json:"members"`
}

// TierMoveResponse is the number of moves between two tiers in the period.
type TierMoveResponse struct {
	FromTierID   string `json:"from_tier_id"`
	FromTierName string `json:"from_tier_name"`
	ToTierID     string `json:"to_tier_id"`
	ToTierName   string `json:"to_tier_name"`
	Moves        int64  `json:"moves"`
}

func pointsReportResponse(r PointsReport) PointsReportResponse {
	out := PointsReportResponse{At: r.At, From: r.From, To: r.To, Programs: make([]ProgramFiguresResponse, len(r.Programs))}
	for i, p := range r.Programs {
		o := ProgramFiguresResponse{ProgramID: p.ProgramID, ProgramName: p.ProgramName, Balance: p.Balance,
			Liability: make([]LiabilityMonthResponse, len(p.Liability)), EarnBurn: make([]EarnBurnResponse, len(p.EarnBurn)),
			Tiers: make([]TierCountResponse, len(p.Tiers)), Moves: make([]TierMoveResponse, len(p.Moves))}
		for j, l := range p.Liability {
			o.Liability[j] = LiabilityMonthResponse(l)
		}
		for j, e := range p.EarnBurn {
			o.EarnBurn[j] = EarnBurnResponse(e)
		}
		for j, t := range p.Tiers {
			o.Tiers[j] = TierCountResponse(t)
		}
		for j, m := range p.Moves {
			o.Moves[j] = TierMoveResponse(m)
		}
		out.Programs[i] = o
	}
	return out
}

type reportInput struct {
	From      time.Time `query:"from" required:"true" doc:"RFC 3339; ledger entries and tier moves at or after it."`
	To        time.Time `query:"to" required:"true" doc:"RFC 3339; before it (at most three years after from)."`
	ProgramID string    `query:"program_id" maxLength:"64" doc:"One program; every program when empty."`
}

func (s *Service) registerReports(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "get-loyalty-points-report", Method: http.MethodGet, Path: "/api/v1/loyalty/reports/points",
		Summary: "Points liability, earn/burn, tiers", Description: "Per program: outstanding points by expiry month and the balance they add up to " +
			"(as of now), the period's earn/burn by store and order channel, members per tier (as of now) and the period's tier moves. " +
			"Tenant-wide: needs loyalty:read over the whole tenant.",
		Tags: []string{loyaltyTag}, Security: httpapi.Secured(auth.LoyaltyRead),
	}, func(ctx context.Context, in *reportInput) (*httpapi.Body[PointsReportResponse], error) {
		return httpapi.Reply(pointsReportResponse)(s.FindPointsReport(ctx, ReportFilter{ProgramID: in.ProgramID, From: in.From, To: in.To}))
	})
}
