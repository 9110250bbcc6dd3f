package loyalty

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// ActionBody reports a customer action.
type ActionBody struct {
	Action     string     `json:"action" pattern:"^[a-z][a-z0-9_]{1,39}$" doc:"One of the program's action_rules."`
	Reference  string     `json:"reference" minLength:"1" maxLength:"64" doc:"The caller's id of the action (a sign-in's date, a review's id): reporting it again returns the first credit."`
	OccurredAt *time.Time `json:"occurred_at,omitempty" doc:"When it happened (within the last 90 days); omitted: now. The caps count it on this day in the program's zone."`
}

// ActionCreditResponse is what an action earned.
type ActionCreditResponse struct {
	ID         string         `json:"id"`
	Action     string         `json:"action"`
	Reference  string         `json:"reference"`
	Day        string         `json:"day" doc:"The day in the program's zone the caps count it on."`
	Growth     int64          `json:"growth"`
	Points     int64          `json:"points"`
	EntryID    string         `json:"entry_id,omitempty" doc:"The points' ledger entry."`
	OccurredAt time.Time      `json:"occurred_at"`
	CreatedAt  time.Time      `json:"created_at"`
	Replayed   bool           `json:"replayed" doc:"The reference was credited before; nothing changed."`
	Member     MemberResponse `json:"member" doc:"The membership after the credit: growth and tier."`
}

// MemberTierMoveResponse is one change or review of a member's tier.
type MemberTierMoveResponse struct {
	FromTierID string     `json:"from_tier_id,omitempty"`
	ToTierID   string     `json:"to_tier_id"`
	Reason     string     `json:"reason" enum:"upgrade,downgrade,retained" doc:"upgrade: growth reached a higher tier; downgrade or retained: the end of an evaluation period."`
	Growth     int64      `json:"growth" doc:"The member's growth after the move."`
	PeriodEnd  *time.Time `json:"period_end,omitempty" doc:"The evaluation period judged (downgrade, retained)."`
	MovedAt    time.Time  `json:"moved_at"`
}

func actionCreditResponse(c ActionCredit) ActionCreditResponse {
	return ActionCreditResponse{ID: c.ID, Action: c.Action, Reference: c.Reference, Day: c.Day, Growth: c.Growth, Points: c.Points,
		EntryID: c.EntryID, OccurredAt: c.OccurredAt, CreatedAt: c.CreatedAt, Replayed: c.Replayed, Member: memberResponse(c.Member)}
}

func actionCreditsResponse(cs []ActionCredit) []ActionCreditResponse {
	out := make([]ActionCreditResponse, len(cs))
	for i, c := range cs {
		out[i] = actionCreditResponse(c)
		out[i].Member = MemberResponse{} // listed under one member: not repeated
	}
	return out
}

func tierMovesResponse(ms []TierMove) []MemberTierMoveResponse {
	out := make([]MemberTierMoveResponse, len(ms))
	for i, m := range ms {
		out[i] = MemberTierMoveResponse{FromTierID: m.FromTierID, ToTierID: m.ToTierID, Reason: m.Reason, Growth: m.Growth,
			PeriodEnd: timePtr(m.PeriodEnd), MovedAt: m.MovedAt}
	}
	return out
}

type actionCreditOutput struct {
	Status int
	Body   ActionCreditResponse
}

type memberListInput struct {
	ID         string `path:"id" maxLength:"64"`
	CustomerID string `path:"customer_id" maxLength:"64"`
	Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
}

// registerActions adds the member's actions and tier history under member.
func (s *Service) registerActions(api huma.API, member string) {
	tags := []string{loyaltyTag}
	huma.Register(api, huma.Operation{OperationID: "credit-loyalty-action", Method: http.MethodPost, Path: member + "/actions",
		Summary: "Report a customer action the program rewards",
		Description: "A sign-in, a review, a completed profile: credits the growth and points of the program's rule for the action, " +
			"within its per-day and lifetime caps (409 naming body.action once reached). 201 for a new credit; 200 with replayed " +
			"for a reference credited before.",
		Tags: tags, Security: httpapi.SecuredAny(auth.LoyaltyRedeem, auth.LoyaltyWrite), DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID         string `path:"id" maxLength:"64"`
		CustomerID string `path:"customer_id" maxLength:"64"`
		Body       ActionBody
	}) (*actionCreditOutput, error) {
		r := ActionRequest{Action: in.Body.Action, Reference: in.Body.Reference}
		if in.Body.OccurredAt != nil {
			r.At = *in.Body.OccurredAt
		}
		c, err := s.CreditAction(ctx, in.ID, in.CustomerID, r)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		out := &actionCreditOutput{Status: http.StatusCreated, Body: actionCreditResponse(c)}
		if c.Replayed {
			out.Status = http.StatusOK
		}
		return out, nil
	})
	huma.Register(api, huma.Operation{OperationID: "list-loyalty-actions", Method: http.MethodGet, Path: member + "/actions",
		Summary: "A member's credited actions", Description: "The latest action (occurred_at) first.", Tags: tags, Security: httpapi.Secured(auth.LoyaltyRead),
	}, func(ctx context.Context, in *memberListInput) (*itemsOf[ActionCreditResponse], error) {
		return items(actionCreditsResponse)(s.FindActionCredits(ctx, in.ID, in.CustomerID, in.Limit))
	})
	huma.Register(api, huma.Operation{OperationID: "list-loyalty-tier-moves", Method: http.MethodGet, Path: member + "/tier-moves",
		Summary: "A member's tier history", Description: "Upgrades, downgrades and retained tiers at the end of evaluation periods, newest first.",
		Tags: tags, Security: httpapi.Secured(auth.LoyaltyRead),
	}, func(ctx context.Context, in *memberListInput) (*itemsOf[MemberTierMoveResponse], error) {
		return items(tierMovesResponse)(s.FindTierMoves(ctx, in.ID, in.CustomerID, in.Limit))
	})
}
