package loyalty

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

const loyaltyTag = "Loyalty"

// MemberDayBody is a member day in requests and responses.
type MemberDayBody struct {
	Weekday      int   `json:"weekday" minimum:"0" maximum:"6" doc:"0 Sunday … 6 Saturday, in the program's time zone."`
	MultiplierBP int64 `json:"multiplier_bp" minimum:"10000" maximum:"100000" doc:"Points multiplier in basis points: 20000 doubles."`
}

// ProgramRequest creates a program or replaces its set-up.
type ProgramRequest struct {
	Code               string           `json:"code" minLength:"1" maxLength:"64"`
	Name               string           `json:"name" minLength:"1" maxLength:"200"`
	Status             string           `json:"status,omitempty" enum:"active,inactive," doc:"Defaults to active."`
	BrandIDs           []string         `json:"brand_ids,omitempty" maxItems:"100" doc:"The brands whose orders earn in this program; empty: shared by every brand without a program of its own."`
	PointsPerYuan      int64            `json:"points_per_yuan" minimum:"0" maximum:"1000" doc:"Points per yuan of net paid after every discount."`
	GrowthPerYuan      int64            `json:"growth_per_yuan" minimum:"0" maximum:"1000" doc:"Growth value per yuan of net paid; tiers are reached by growth."`
	GrowthPerOrder     int64            `json:"growth_per_order,omitempty" minimum:"0" maximum:"100000" doc:"Growth every order that earns adds, on top of growth_per_yuan."`
	MaxPointsPerOrder  int64            `json:"max_points_per_order,omitempty" minimum:"0" doc:"0: no cap."`
	ExcludedCategories []string         `json:"excluded_categories,omitempty" maxItems:"500" doc:"Category ids whose lines earn nothing (the category itself, not its children)."`
	MemberDays         []MemberDayBody  `json:"member_days,omitempty" maxItems:"7"`
	PendingDays        int              `json:"pending_days,omitempty" minimum:"0" maximum:"365" doc:"Days after completion before points can be redeemed (the return window)."`
	ExpiryKind         string           `json:"expiry_kind,omitempty" enum:"never,days,end_of_next_year," doc:"Defaults to never."`
	ExpiryDays         int              `json:"expiry_days,omitempty" minimum:"0" maximum:"3660"`
	TimeZone           string           `json:"time_zone,omitempty" maxLength:"64" doc:"IANA zone expiry days end in and member days are read in; defaults to Asia/Shanghai."`
	AutoEnrol          bool             `json:"auto_enrol,omitempty" doc:"A completed order of a resolved customer enrols it."`
	Evaluation         *EvaluationBody  `json:"evaluation,omitempty" doc:"Tier retention and downgrade at the end of a period; omitted: none (tiers never go down)."`
	ActionRules        []ActionRuleBody `json:"action_rules,omitempty" maxItems:"50" doc:"What customer actions earn (a daily sign-in, a review, a completed profile), reported through the member's actions endpoint."`
}

// ActionRuleBody is what one kind of customer action earns.
type ActionRuleBody struct {
	Action   string `json:"action" pattern:"^[a-z][a-z0-9_]{1,39}$" doc:"The action's name as callers report it: sign_in, review, profile_completed."`
	Growth   int64  `json:"growth" minimum:"0" maximum:"100000" doc:"Growth value each credit adds (tiers are reached by growth)."`
	Points   int64  `json:"points" minimum:"0" maximum:"1000000" doc:"Points each credit adds, as a lot expiring by the program's policy."`
	PerDay   int    `json:"per_day,omitempty" minimum:"0" maximum:"1000" doc:"Credits per member per day in the program's zone; 0: no cap."`
	Lifetime int    `json:"lifetime,omitempty" minimum:"0" maximum:"1000000" doc:"Credits per member ever (1: once); 0: no cap."`
}

// EvaluationBody is a program's tier evaluation (保级/降级) in requests and responses.
type EvaluationBody struct {
	Kind              string `json:"kind" enum:"none,annual,rolling" doc:"none: tiers never go down; annual: every member on month/day at 00:00 in the program's zone; rolling: months after the member reached its tier."`
	Month             int    `json:"month,omitempty" minimum:"0" maximum:"12" doc:"annual: the month periods end in."`
	Day               int    `json:"day,omitempty" minimum:"0" maximum:"31" doc:"annual: the day periods end on (29 February is refused)."`
	Months            int    `json:"months,omitempty" minimum:"0" maximum:"60" doc:"rolling: the length of a period."`
	MaxDrop           int    `json:"max_drop,omitempty" minimum:"0" maximum:"100" doc:"Levels one evaluation may take a member down; 0: as far as its growth says."`
	GrowthAtPeriodEnd string `json:"growth_at_period_end,omitempty" enum:"reset,keep_excess,keep_all," doc:"Defaults to reset."`
}

// TierBody is a tier in requests and responses.
type TierBody struct {
	ID           string `json:"id,omitempty" readOnly:"true"`
	Code         string `json:"code" minLength:"1" maxLength:"64"`
	Name         string `json:"name" minLength:"1" maxLength:"200"`
	Threshold    int64  `json:"threshold" minimum:"0" doc:"Growth that reaches the tier."`
	MultiplierBP int64  `json:"multiplier_bp,omitempty" minimum:"1000" maximum:"100000" doc:"Points multiplier in basis points; defaults to 10000 (1×)."`
	Retention    *int64 `json:"retention_threshold,omitempty" doc:"Growth earned in an evaluation period that keeps the tier; omitted: the threshold."`
}

// ProgramResponse is a program with its tiers.
type ProgramResponse struct {
	ID string `json:"id"`
	ProgramRequest
	Tiers     []TierBody `json:"tiers" nullable:"false"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// MemberResponse is a membership.
type MemberResponse struct {
	ProgramID  string    `json:"program_id"`
	CustomerID string    `json:"customer_id"`
	TierID     string    `json:"tier_id,omitempty"`
	Growth     int64     `json:"growth"`
	Source     string    `json:"source"`
	EnrolledAt time.Time `json:"enrolled_at"`
	// The evaluation period: what the member earned in it and when it ends.
	PeriodGrowth int64      `json:"period_growth"`
	PeriodStart  *time.Time `json:"period_start,omitempty"`
	TierSince    *time.Time `json:"tier_since,omitempty"`
	ValidUntil   *time.Time `json:"valid_until,omitempty" doc:"When the tier is next evaluated; absent when the program does not evaluate."`
}

// BalanceResponse is a member's points and tier.
type BalanceResponse struct {
	Member    MemberResponse `json:"member"`
	Total     int64          `json:"total" doc:"The sum of the ledger."`
	Available int64          `json:"available" doc:"Redeemable now."`
	Pending   int64          `json:"pending" doc:"Waiting for the return window."`
	Expiring  int64          `json:"expiring" doc:"Past expiry, awaiting the sweep; not redeemable."`
	Tier      *TierBody      `json:"tier,omitempty"`
	NextTier  *TierBody      `json:"next_tier,omitempty"`
	KeepNeeds int64          `json:"retention_needed" doc:"Growth still to earn before valid_until to keep the tier (0: kept, or nothing evaluated)."`
}

// LotResponse is a lot of points.
type LotResponse struct {
	ID          string     `json:"id"`
	EntryID     string     `json:"entry_id"`
	Points      int64      `json:"points"`
	Remaining   int64      `json:"remaining"`
	AvailableAt time.Time  `json:"available_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	OrderID     string     `json:"order_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// EntryResponse is a posting of the points ledger.
type EntryResponse struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Points    int64     `json:"points"`
	Shortfall int64     `json:"shortfall,omitempty" doc:"Points a reversal could not take back: already spent."`
	OrderID   string    `json:"order_id,omitempty"`
	StoreID   string    `json:"store_id,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// EnrolRequest enrols a customer.
type EnrolRequest struct {
	CustomerID string `json:"customer_id" minLength:"1" maxLength:"64"`
}

// RedeemBody spends points.
type RedeemBody struct {
	Points    int64  `json:"points" minimum:"1" maximum:"1000000000"`
	StoreID   string `json:"store_id,omitempty" maxLength:"64" doc:"Where the points are spent; required for a caller scoped to stores."`
	OrderID   string `json:"order_id,omitempty" maxLength:"64"`
	Reference string `json:"reference,omitempty" maxLength:"64" doc:"Redeeming again with the same reference returns the first redemption."`
}

// AdjustBody corrects points by hand.
type AdjustBody struct {
	Points int64  `json:"points" minimum:"-1000000000" maximum:"1000000000" doc:"Positive adds a lot; negative takes, oldest lots first."`
	Reason string `json:"reason" minLength:"1" maxLength:"500"`
}

func tierBody(t Tier) TierBody {
	return TierBody{ID: t.ID, Code: t.Code, Name: t.Name, Threshold: t.Threshold, MultiplierBP: t.MultiplierBP, Retention: t.Retention}
}

func tierPtr(t *Tier) *TierBody {
	if t == nil {
		return nil
	}
	b := tierBody(*t)
	return &b
}

func programResponse(p Program) ProgramResponse {
	out := ProgramResponse{ID: p.ID, ProgramRequest: ProgramRequest{Code: p.Code, Name: p.Name, Status: string(p.Status), BrandIDs: p.BrandIDs,
		PointsPerYuan: p.PointsPerYuan, GrowthPerYuan: p.GrowthPerYuan, GrowthPerOrder: p.GrowthPerOrder, MaxPointsPerOrder: p.MaxPointsPerOrder,
		ExcludedCategories: p.ExcludedCategories, PendingDays: p.PendingDays, ExpiryKind: string(p.ExpiryKind), ExpiryDays: p.ExpiryDays,
		TimeZone: p.TimeZone, AutoEnrol: p.AutoEnrol, MemberDays: []MemberDayBody{}, Evaluation: evaluationBody(p.Evaluation),
		ActionRules: []ActionRuleBody{}},
		Tiers: make([]TierBody, len(p.Tiers)), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, d := range p.MemberDays {
		out.MemberDays = append(out.MemberDays, MemberDayBody{Weekday: int(d.Weekday), MultiplierBP: d.MultiplierBP})
	}
	for i, t := range p.Tiers {
		out.Tiers[i] = tierBody(t)
	}
	for _, r := range p.ActionRules {
		out.ActionRules = append(out.ActionRules, ActionRuleBody{Action: r.Action, Growth: r.Growth, Points: r.Points, PerDay: r.PerDay,
			Lifetime: r.Lifetime})
	}
	return out
}

func evaluationBody(e Evaluation) *EvaluationBody {
	return &EvaluationBody{Kind: string(e.Kind), Month: e.Month, Day: e.Day, Months: e.Months, MaxDrop: e.MaxDrop,
		GrowthAtPeriodEnd: string(e.GrowthAtEnd)}
}

func evaluationInput(b *EvaluationBody) Evaluation {
	if b == nil {
		return Evaluation{}
	}
	return Evaluation{Kind: EvaluationKind(b.Kind), Month: b.Month, Day: b.Day, Months: b.Months, MaxDrop: b.MaxDrop,
		GrowthAtEnd: GrowthCarry(b.GrowthAtPeriodEnd)}
}

func programInput(r ProgramRequest) ProgramInput {
	in := ProgramInput{Code: r.Code, Name: r.Name, Status: ProgramStatus(r.Status), BrandIDs: r.BrandIDs, PointsPerYuan: r.PointsPerYuan,
		GrowthPerYuan: r.GrowthPerYuan, GrowthPerOrder: r.GrowthPerOrder, MaxPointsPerOrder: r.MaxPointsPerOrder, ExcludedCategories: r.ExcludedCategories,
		PendingDays: r.PendingDays, ExpiryKind: ExpiryKind(r.ExpiryKind), ExpiryDays: r.ExpiryDays, TimeZone: r.TimeZone, AutoEnrol: r.AutoEnrol,
		Evaluation: evaluationInput(r.Evaluation)}
	for _, d := range r.MemberDays {
		in.MemberDays = append(in.MemberDays, MemberDay{Weekday: time.Weekday(d.Weekday), MultiplierBP: d.MultiplierBP})
	}
	for _, a := range r.ActionRules {
		in.ActionRules = append(in.ActionRules, ActionRule{Action: a.Action, Growth: a.Growth, Points: a.Points, PerDay: a.PerDay,
			Lifetime: a.Lifetime})
	}
	return in
}

func tierInput(b TierBody) TierInput {
	return TierInput{Code: b.Code, Name: b.Name, Threshold: b.Threshold, MultiplierBP: b.MultiplierBP, Retention: b.Retention}
}

func memberResponse(m Member) MemberResponse {
	return MemberResponse{ProgramID: m.ProgramID, CustomerID: m.CustomerID, TierID: m.TierID, Growth: m.Growth, Source: string(m.Source),
		EnrolledAt: m.EnrolledAt, PeriodGrowth: m.PeriodGrowth, PeriodStart: timePtr(m.PeriodStart), TierSince: timePtr(m.TierSince),
		ValidUntil: timePtr(m.ValidUntil)}
}

func balanceResponse(b Balance) BalanceResponse {
	return BalanceResponse{Member: memberResponse(b.Member), Total: b.Total, Available: b.Available, Pending: b.Pending,
		Expiring: b.Expiring, Tier: tierPtr(b.Tier), NextTier: tierPtr(b.NextTier), KeepNeeds: b.RetentionNeeded}
}

func balancesResponse(bs []Balance) []BalanceResponse {
	out := make([]BalanceResponse, len(bs))
	for i, b := range bs {
		out[i] = balanceResponse(b)
	}
	return out
}

func lotsResponse(ls []Lot) []LotResponse {
	out := make([]LotResponse, len(ls))
	for i, l := range ls {
		out[i] = LotResponse{ID: l.ID, EntryID: l.EntryID, Points: l.Points, Remaining: l.Remaining, AvailableAt: l.AvailableAt,
			OrderID: l.OrderID, CreatedAt: l.CreatedAt}
		if !l.ExpiresAt.IsZero() {
			e := l.ExpiresAt
			out[i].ExpiresAt = &e
		}
	}
	return out
}

func entryResponse(e Entry) EntryResponse {
	return EntryResponse{ID: e.ID, Kind: string(e.Kind), Points: e.Points, Shortfall: e.Shortfall, OrderID: e.OrderID, StoreID: e.StoreID,
		Reason: e.Reason, Actor: e.Actor, CreatedAt: e.CreatedAt}
}

type programIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type programWriteInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ProgramRequest
}

type tierWriteInput struct {
	ID     string `path:"id" maxLength:"64"`
	TierID string `path:"tier_id" maxLength:"64"`
	Body   TierBody
}

type tierIDInput struct {
	ID     string `path:"id" maxLength:"64"`
	TierID string `path:"tier_id" maxLength:"64"`
}

type memberInput struct {
	ID         string `path:"id" maxLength:"64"`
	CustomerID string `path:"customer_id" maxLength:"64"`
}

type entriesInput struct {
	ID         string `path:"id" maxLength:"64"`
	CustomerID string `path:"customer_id" maxLength:"64"`
	httpapi.PageParams
}

type customerInput struct {
	CustomerID string `path:"customer_id" maxLength:"64"`
}

type itemsOf[T any] struct {
	Body struct {
		Items []T `json:"items" nullable:"false"`
	}
}

func items[T, R any](convert func([]T) []R) func([]T, error) (*itemsOf[R], error) {
	return func(v []T, err error) (*itemsOf[R], error) {
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		out := &itemsOf[R]{}
		out.Body.Items = convert(v)
		return out, nil
	}
}

// Register adds the loyalty operations to api.
func (s *Service) Register(api huma.API) {
	tags := []string{loyaltyTag}
	read := httpapi.Secured(auth.LoyaltyRead)
	write := httpapi.Secured(auth.LoyaltyWrite)
	redeem := httpapi.SecuredAny(auth.LoyaltyRedeem, auth.LoyaltyWrite)
	const programs = "/api/v1/loyalty/programs"
	const member = programs + "/{id}/members/{customer_id}"

	s.registerReports(api)
	s.registerActions(api, member)

	huma.Register(api, huma.Operation{OperationID: "list-loyalty-programs", Method: http.MethodGet, Path: programs,
		Summary: "List loyalty programs with their tiers", Tags: tags, Security: read,
	}, func(ctx context.Context, _ *struct{}) (*itemsOf[ProgramResponse], error) {
		return items(func(ps []Program) []ProgramResponse {
			out := make([]ProgramResponse, len(ps))
			for i, p := range ps {
				out[i] = programResponse(p)
			}
			return out
		})(s.FindPrograms(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "create-loyalty-program", Method: http.MethodPost, Path: programs,
		Summary: "Create a loyalty program", Description: "One active program per brand and one active shared program (no brands): an order earns in exactly one.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body ProgramRequest }) (*httpapi.Body[ProgramResponse], error) {
		return httpapi.Reply(programResponse)(s.CreateProgram(ctx, programInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "get-loyalty-program", Method: http.MethodGet, Path: programs + "/{id}",
		Summary: "Get a loyalty program", Tags: tags, Security: read,
	}, func(ctx context.Context, in *programIDInput) (*httpapi.Body[ProgramResponse], error) {
		return httpapi.Reply(programResponse)(s.FindProgramByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "replace-loyalty-program", Method: http.MethodPut, Path: programs + "/{id}",
		Summary: "Replace a loyalty program's set-up", Description: "Tiers stay; points already earned keep their availability and expiry.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *programWriteInput) (*httpapi.Body[ProgramResponse], error) {
		return httpapi.Reply(programResponse)(s.UpdateProgram(ctx, in.ID, programInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "create-loyalty-tier", Method: http.MethodPost, Path: programs + "/{id}/tiers",
		Summary: "Add a tier", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body TierBody
	}) (*httpapi.Body[TierBody], error) {
		return httpapi.Reply(tierBody)(s.CreateTier(ctx, in.ID, tierInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "replace-loyalty-tier", Method: http.MethodPut, Path: programs + "/{id}/tiers/{tier_id}",
		Summary: "Replace a tier", Tags: tags, Security: write,
	}, func(ctx context.Context, in *tierWriteInput) (*httpapi.Body[TierBody], error) {
		return httpapi.Reply(tierBody)(s.UpdateTier(ctx, in.ID, in.TierID, tierInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "delete-loyalty-tier", Method: http.MethodDelete, Path: programs + "/{id}/tiers/{tier_id}",
		Summary: "Delete a tier no member holds", Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *tierIDInput) (*struct{}, error) {
		if err := s.DeleteTier(ctx, in.ID, in.TierID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
	huma.Register(api, huma.Operation{OperationID: "enrol-loyalty-member", Method: http.MethodPost, Path: programs + "/{id}/members",
		Summary: "Enrol a customer", Description: "Enrolling a member again returns its membership unchanged.",
		Tags: tags, Security: redeem,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body EnrolRequest
	}) (*httpapi.Body[MemberResponse], error) {
		return httpapi.Reply(memberResponse)(s.Enrol(ctx, in.ID, in.Body.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-loyalty-balances", Method: http.MethodGet, Path: "/api/v1/loyalty/customers/{customer_id}",
		Summary: "A customer's points and tier in every program it is a member of", Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerInput) (*itemsOf[BalanceResponse], error) {
		return items(balancesResponse)(s.FindBalances(ctx, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "get-loyalty-balance", Method: http.MethodGet, Path: member,
		Summary: "A member's points and tier", Tags: tags, Security: read,
	}, func(ctx context.Context, in *memberInput) (*httpapi.Body[BalanceResponse], error) {
		return httpapi.Reply(balanceResponse)(s.FindBalance(ctx, in.ID, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-loyalty-lots", Method: http.MethodGet, Path: member + "/lots",
		Summary: "A member's lots of points", Description: "Newest first, at most 500.", Tags: tags, Security: read,
	}, func(ctx context.Context, in *memberInput) (*itemsOf[LotResponse], error) {
		return items(lotsResponse)(s.FindLots(ctx, in.ID, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-loyalty-entries", Method: http.MethodGet, Path: member + "/entries",
		Summary: "A member's points ledger", Description: "Newest first.", Tags: tags, Security: read,
	}, func(ctx context.Context, in *entriesInput) (*httpapi.Body[httpapi.Page[EntryResponse]], error) {
		return httpapi.ReplyPage(entryResponse)(s.FindEntries(ctx, in.ID, in.CustomerID, in.PageParams))
	})
	huma.Register(api, huma.Operation{OperationID: "redeem-loyalty-points", Method: http.MethodPost, Path: member + "/redemptions",
		Summary: "Redeem points", Description: "Any number of available points, oldest lots first, all or nothing: 409 insufficient when fewer are available.",
		Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID         string `path:"id" maxLength:"64"`
		CustomerID string `path:"customer_id" maxLength:"64"`
		Body       RedeemBody
	}) (*httpapi.Body[EntryResponse], error) {
		return httpapi.Reply(entryResponse)(s.Redeem(ctx, in.ID, in.CustomerID, RedeemRequest{Points: in.Body.Points, StoreID: in.Body.StoreID,
			OrderID: in.Body.OrderID, Reference: in.Body.Reference}))
	})
	huma.Register(api, huma.Operation{OperationID: "adjust-loyalty-points", Method: http.MethodPost, Path: member + "/adjustments",
		Summary: "Adjust points by hand", Description: "With a reason; recorded in the audit trail.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID         string `path:"id" maxLength:"64"`
		CustomerID string `path:"customer_id" maxLength:"64"`
		Body       AdjustBody
	}) (*httpapi.Body[EntryResponse], error) {
		return httpapi.Reply(entryResponse)(s.Adjust(ctx, in.ID, in.CustomerID, AdjustRequest{Points: in.Body.Points, Reason: in.Body.Reason}))
	})
}
