package loyalty

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// SVEntryResponse is a posting of the stored-value ledger.
type SVEntryResponse struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind" enum:"top_up,spend,refund,rebate,rebate_reverse,adjust,activate"`
	AmountFen  int64     `json:"amount_fen" doc:"Signed: a spend is negative."`
	BalanceFen int64     `json:"balance_fen" doc:"The balance after the posting."`
	OrderID    string    `json:"order_id,omitempty"`
	StoreID    string    `json:"store_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// StoredValueResponse is a customer's account and a page of its ledger.
type StoredValueResponse struct {
	CustomerID string                        `json:"customer_id"`
	AccountID  string                        `json:"account_id,omitempty" doc:"Empty until the first posting opens the account."`
	BalanceFen int64                         `json:"balance_fen"`
	Entries    httpapi.Page[SVEntryResponse] `json:"entries"`
}

// SVPostingBody is a top-up, spend, refund or adjustment.
type SVPostingBody struct {
	AmountFen int64  `json:"amount_fen" minimum:"-100000000" maximum:"100000000" doc:"Fen; positive except a negative adjustment."`
	Reference string `json:"reference,omitempty" maxLength:"128" doc:"The till's or payment's id (required for top-ups, spends and refunds): posting again with it returns the first entry."`
	OrderID   string `json:"order_id,omitempty" maxLength:"64"`
	StoreID   string `json:"store_id,omitempty" maxLength:"64" doc:"Where; required for a caller scoped to stores."`
	Reason    string `json:"reason,omitempty" maxLength:"500" doc:"Required for an adjustment; audited."`
}

// SVSettingsBody is a tenant's per-card caps.
type SVSettingsBody struct {
	AnonymousCardCapFen int64 `json:"anonymous_card_cap_fen" minimum:"1" maximum:"100000000" doc:"Cap of an anonymous gift card's balance; default 100000 (¥1,000)."`
	RegisteredCapFen    int64 `json:"registered_cap_fen" minimum:"1" maximum:"100000000" doc:"Cap of a registered card's and an account's top-ups; default 500000 (¥5,000)."`
}

// LiabilityResponse is the stored value a tenant owes.
type LiabilityResponse struct {
	At                 time.Time `json:"at"`
	AccountsFen        int64     `json:"accounts_fen"`
	Accounts           int64     `json:"accounts" doc:"Accounts with a balance."`
	CardsActiveFen     int64     `json:"cards_active_fen"`
	CardsActive        int64     `json:"cards_active"`
	CardsIssued        int64     `json:"cards_issued" doc:"Printed and not sold: no liability yet."`
	CardsIssuedFaceFen int64     `json:"cards_issued_face_fen"`
	TotalFen           int64     `json:"total_fen" doc:"Accounts plus active cards; equal to the ledger's sum."`
}

// GiftCardBatchBody issues a batch.
type GiftCardBatchBody struct {
	Name         string `json:"name" minLength:"1" maxLength:"200"`
	FaceValueFen int64  `json:"face_value_fen" minimum:"0" maximum:"100000000" doc:"Loaded on activation; 0 lets the till load an amount. At most the card's cap."`
	Quantity     int    `json:"quantity" minimum:"1" maximum:"10000"`
	Registered   bool   `json:"registered,omitempty" doc:"Cards must be bound to a customer when sold; the registered cap applies."`
}

// GiftCardBatchResponse is a batch.
type GiftCardBatchResponse struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	FaceValueFen int64     `json:"face_value_fen"`
	Quantity     int       `json:"quantity"`
	Registered   bool      `json:"registered"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// GiftCardResponse is a card. The PIN appears only in the issuance's response.
type GiftCardResponse struct {
	ID          string     `json:"id"`
	BatchID     string     `json:"batch_id"`
	Code        string     `json:"code" doc:"Masked except for the batch's own listing and issuance."`
	PIN         string     `json:"pin,omitempty" doc:"Only in the response that issues the batch: never stored, never shown again."`
	Status      string     `json:"status" enum:"issued,active"`
	CustomerID  string     `json:"customer_id,omitempty"`
	BalanceFen  int64      `json:"balance_fen"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
}

// IssuedBatchResponse is a new batch with its cards and their PINs.
type IssuedBatchResponse struct {
	Batch GiftCardBatchResponse `json:"batch"`
	Cards []GiftCardResponse    `json:"cards" nullable:"false"`
}

// GiftCardBody acts on a card.
type GiftCardBody struct {
	Code       string `json:"code" minLength:"1" maxLength:"40" doc:"The card's code (spaces and dashes ignored)."`
	PIN        string `json:"pin,omitempty" maxLength:"12" doc:"Required to spend, enquire and bind; 5 wrong PINs lock the card for 15 minutes."`
	CustomerID string `json:"customer_id,omitempty" maxLength:"64" doc:"Binding, or activating a registered card."`
	AmountFen  int64  `json:"amount_fen,omitempty" minimum:"0" maximum:"100000000"`
	Reference  string `json:"reference,omitempty" maxLength:"128"`
	OrderID    string `json:"order_id,omitempty" maxLength:"64"`
	StoreID    string `json:"store_id,omitempty" maxLength:"64"`
}

// GiftCardPostingResponse is a card after a posting, with the posting.
type GiftCardPostingResponse struct {
	Card  GiftCardResponse `json:"card"`
	Entry SVEntryResponse  `json:"entry"`
}

// MembershipPlanBody is a paid membership plan.
type MembershipPlanBody struct {
	ID           string     `json:"id,omitempty" readOnly:"true"`
	Code         string     `json:"code" minLength:"1" maxLength:"64"`
	Name         string     `json:"name" minLength:"1" maxLength:"200"`
	Status       string     `json:"status,omitempty" enum:"active,inactive" doc:"Active plans are sold; defaults to active."`
	Period       string     `json:"period" enum:"month,year"`
	FeeFen       int64      `json:"fee_fen" minimum:"0" maximum:"100000000"`
	MultiplierBP int64      `json:"multiplier_bp,omitempty" minimum:"0" maximum:"100000" doc:"Points multiplier in basis points; defaults to 10000 (1×)."`
	RebateBP     int64      `json:"rebate_bp,omitempty" minimum:"0" maximum:"2000" doc:"Rebate of the net paid of each completed order, in basis points (200: 2%), credited as stored value."`
	RebateCapFen int64      `json:"rebate_cap_fen,omitempty" minimum:"0" maximum:"100000000" doc:"Most rebate per calendar year; 0: none."`
	CreatedAt    *time.Time `json:"created_at,omitempty" readOnly:"true"`
}

// PurchaseBody buys a membership period.
type PurchaseBody struct {
	PlanID    string `json:"plan_id" minLength:"1" maxLength:"64"`
	Method    string `json:"method" minLength:"1" maxLength:"32" doc:"stored_value debits the customer's account; anything else records a fee paid elsewhere."`
	Reference string `json:"reference" minLength:"1" maxLength:"128" doc:"Buying again with the same reference returns the first period."`
	StoreID   string `json:"store_id,omitempty" maxLength:"64"`
}

// MembershipResponse is a purchased period.
type MembershipResponse struct {
	ID        string    `json:"id"`
	PlanID    string    `json:"plan_id"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	FeeFen    int64     `json:"fee_fen"`
	Method    string    `json:"method"`
	CreatedAt time.Time `json:"created_at"`
}

// MembershipStatusResponse is a customer's paid membership.
type MembershipStatusResponse struct {
	CustomerID string               `json:"customer_id"`
	Active     *MembershipResponse  `json:"active,omitempty"`
	Plan       *MembershipPlanBody  `json:"plan,omitempty"`
	Periods    []MembershipResponse `json:"periods" nullable:"false"`
	RebatedFen int64                `json:"rebated_fen" doc:"Rebate credited this calendar year."`
}

func svEntryResponse(e SVEntry) SVEntryResponse {
	return SVEntryResponse{ID: e.ID, Kind: string(e.Kind), AmountFen: e.AmountFen, BalanceFen: e.BalanceFen, OrderID: e.OrderID,
		StoreID: e.StoreID, Reason: e.Reason, Actor: e.Actor, CreatedAt: e.CreatedAt}
}

func storedValueResponse(sv StoredValue) StoredValueResponse {
	return StoredValueResponse{CustomerID: sv.Account.CustomerID, AccountID: sv.Account.ID, BalanceFen: sv.Account.BalanceFen,
		Entries: httpapi.MapPage(sv.Entries, svEntryResponse)}
}

func svSettingsBody(s SVSettings) SVSettingsBody {
	return SVSettingsBody{AnonymousCardCapFen: s.AnonymousCardCapFen, RegisteredCapFen: s.RegisteredCapFen}
}

func liabilityResponse(l Liability) LiabilityResponse {
	return LiabilityResponse{At: l.At, AccountsFen: l.AccountsFen, Accounts: l.Accounts, CardsActiveFen: l.CardsActiveFen,
		CardsActive: l.CardsActive, CardsIssued: l.CardsIssued, CardsIssuedFaceFen: l.CardsIssuedFaceFen, TotalFen: l.AccountsFen + l.CardsActiveFen}
}

func batchResponse(b GiftCardBatch) GiftCardBatchResponse {
	return GiftCardBatchResponse{ID: b.ID, Name: b.Name, FaceValueFen: b.FaceValueFen, Quantity: b.Quantity, Registered: b.Registered,
		CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt}
}

// maskCode keeps a card code's last 4 characters: enough for a cashier to match the
// card in hand, not enough to spend it.
func maskCode(code string) string {
	if len(code) <= 4 {
		return "****"
	}
	return "****" + code[len(code)-4:]
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func cardResponse(c GiftCard, full bool) GiftCardResponse {
	code := c.Code
	if !full {
		code = maskCode(code)
	}
	return GiftCardResponse{ID: c.ID, BatchID: c.BatchID, Code: code, PIN: c.PIN, Status: string(c.Status), CustomerID: c.CustomerID,
		BalanceFen: c.BalanceFen, LockedUntil: timePtr(c.LockedUntil), ActivatedAt: timePtr(c.ActivatedAt)}
}

func maskedCard(c GiftCard) GiftCardResponse { return cardResponse(c, false) }
func fullCard(c GiftCard) GiftCardResponse   { return cardResponse(c, true) }

func planBody(p MembershipPlan) MembershipPlanBody {
	return MembershipPlanBody{ID: p.ID, Code: p.Code, Name: p.Name, Status: string(p.Status), Period: string(p.Period), FeeFen: p.FeeFen,
		MultiplierBP: p.MultiplierBP, RebateBP: p.RebateBP, RebateCapFen: p.RebateCapFen, CreatedAt: timePtr(p.CreatedAt)}
}

func planInput(b MembershipPlanBody) MembershipPlan {
	return MembershipPlan{Code: b.Code, Name: b.Name, Status: ProgramStatus(b.Status), Period: PlanPeriod(b.Period), FeeFen: b.FeeFen,
		MultiplierBP: b.MultiplierBP, RebateBP: b.RebateBP, RebateCapFen: b.RebateCapFen}
}

func membershipResponse(m Membership) MembershipResponse {
	return MembershipResponse{ID: m.ID, PlanID: m.PlanID, StartsAt: m.StartsAt, EndsAt: m.EndsAt, FeeFen: m.FeeFen, Method: m.Method, CreatedAt: m.CreatedAt}
}

func membershipStatusResponse(st MembershipStatus) MembershipStatusResponse {
	out := MembershipStatusResponse{CustomerID: st.CustomerID, Periods: make([]MembershipResponse, len(st.Periods)), RebatedFen: st.RebatedFen}
	for i, m := range st.Periods {
		out.Periods[i] = membershipResponse(m)
	}
	if st.Active != nil {
		a := membershipResponse(*st.Active)
		out.Active = &a
	}
	if st.Plan != nil {
		p := planBody(*st.Plan)
		out.Plan = &p
	}
	return out
}

func cardRequest(b GiftCardBody) CardRequest {
	return CardRequest{Code: b.Code, PIN: b.PIN, CustomerID: b.CustomerID, SVPosting: SVPosting{AmountFen: b.AmountFen, Reference: b.Reference,
		OrderID: b.OrderID, StoreID: b.StoreID}}
}

func cardPosting(c GiftCard, e SVEntry, err error) (*httpapi.Body[GiftCardPostingResponse], error) {
	if err != nil {
		return nil, httpapi.Problem(err)
	}
	return &httpapi.Body[GiftCardPostingResponse]{Body: GiftCardPostingResponse{Card: maskedCard(c), Entry: svEntryResponse(e)}}, nil
}

type svCustomerInput struct {
	CustomerID string `path:"customer_id" maxLength:"64"`
}

type svPostInput struct {
	CustomerID string `path:"customer_id" maxLength:"64"`
	Body       SVPostingBody
}

// RegisterStoredValue adds the stored-value, gift-card and paid-membership
// operations to api.
func (s *Service) RegisterStoredValue(api huma.API) {
	tags := []string{loyaltyTag}
	read := httpapi.SecuredAny(auth.LoyaltyRead, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	readOnly := httpapi.SecuredAny(auth.LoyaltyRead, auth.LoyaltyWrite)
	write := httpapi.Secured(auth.LoyaltyWrite)
	redeem := httpapi.SecuredAny(auth.LoyaltyRedeem, auth.LoyaltyWrite)
	const customer = "/api/v1/loyalty/customers/{customer_id}"
	const sv = customer + "/stored-value"
	const cards = "/api/v1/loyalty/gift-cards"
	const batches = "/api/v1/loyalty/gift-card-batches"
	const plans = "/api/v1/loyalty/membership-plans"

	huma.Register(api, huma.Operation{OperationID: "get-stored-value", Method: http.MethodGet, Path: sv,
		Summary: "A customer's stored value and its ledger", Description: "Newest postings first; a zero balance before the first posting.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *struct {
		CustomerID string `path:"customer_id" maxLength:"64"`
		httpapi.PageParams
	}) (*httpapi.Body[StoredValueResponse], error) {
		return httpapi.Reply(storedValueResponse)(s.FindStoredValue(ctx, in.CustomerID, in.PageParams))
	})
	postings := []struct {
		id, path, summary, desc string
		kind                    SVEntryKind
		security                []map[string][]string
	}{
		{"top-up-stored-value", "/top-ups", "Top up stored value", "Up to the tenant's registered cap (¥5,000 by default): 422 naming body.amount_fen above it.", SVTopUp, redeem},
		{"spend-stored-value", "/spends", "Spend stored value", "All or nothing: 409 insufficient when the balance is short.", SVSpend, redeem},
		{"refund-stored-value", "/refunds", "Refund to stored value by hand", "An order paid with stored_value is refunded automatically; this is for money returned outside an order.", SVRefund, write},
		{"adjust-stored-value", "/adjustments", "Adjust stored value", "With a reason; audited; never below zero.", SVAdjust, write},
	}
	for _, op := range postings {
		huma.Register(api, huma.Operation{OperationID: op.id, Method: http.MethodPost, Path: sv + op.path, Summary: op.summary, Description: op.desc,
			Tags: tags, Security: op.security, DefaultStatus: http.StatusCreated,
		}, func(ctx context.Context, in *svPostInput) (*httpapi.Body[SVEntryResponse], error) {
			return httpapi.Reply(svEntryResponse)(s.PostStoredValue(ctx, in.CustomerID, op.kind, SVPosting{AmountFen: in.Body.AmountFen,
				Reference: in.Body.Reference, OrderID: in.Body.OrderID, StoreID: in.Body.StoreID, Reason: in.Body.Reason}))
		})
	}
	huma.Register(api, huma.Operation{OperationID: "list-customer-gift-cards", Method: http.MethodGet, Path: customer + "/gift-cards",
		Summary: "The gift cards bound to a customer", Description: "Codes masked.", Tags: tags, Security: readOnly,
	}, func(ctx context.Context, in *svCustomerInput) (*itemsOf[GiftCardResponse], error) {
		return items(func(cs []GiftCard) []GiftCardResponse {
			out := make([]GiftCardResponse, len(cs))
			for i, c := range cs {
				out[i] = maskedCard(c)
			}
			return out
		})(s.FindGiftCardsOf(ctx, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "get-paid-membership", Method: http.MethodGet, Path: customer + "/membership",
		Summary: "A customer's paid membership", Tags: tags, Security: read,
	}, func(ctx context.Context, in *svCustomerInput) (*httpapi.Body[MembershipStatusResponse], error) {
		return httpapi.Reply(membershipStatusResponse)(s.FindMembership(ctx, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "purchase-paid-membership", Method: http.MethodPost, Path: customer + "/memberships",
		Summary: "Sell a paid membership period", Description: "A renewal starts at the end of the current period.",
		Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		CustomerID string `path:"customer_id" maxLength:"64"`
		Body       PurchaseBody
	}) (*httpapi.Body[MembershipResponse], error) {
		return httpapi.Reply(membershipResponse)(s.PurchaseMembership(ctx, in.CustomerID, PurchaseRequest(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "get-stored-value-settings", Method: http.MethodGet, Path: "/api/v1/loyalty/stored-value/settings",
		Summary: "The tenant's prepaid card caps", Tags: tags, Security: readOnly,
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[SVSettingsBody], error) {
		return httpapi.Reply(svSettingsBody)(s.FindSVSettings(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "replace-stored-value-settings", Method: http.MethodPut, Path: "/api/v1/loyalty/stored-value/settings",
		Summary: "Set the tenant's prepaid card caps", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct{ Body SVSettingsBody }) (*httpapi.Body[SVSettingsBody], error) {
		return httpapi.Reply(svSettingsBody)(s.UpdateSVSettings(ctx, SVSettings{AnonymousCardCapFen: in.Body.AnonymousCardCapFen,
			RegisteredCapFen: in.Body.RegisteredCapFen}))
	})
	huma.Register(api, huma.Operation{OperationID: "get-stored-value-liability", Method: http.MethodGet, Path: "/api/v1/loyalty/stored-value/liability",
		Summary: "Stored value owed, as of now", Description: "Tenant-wide: needs loyalty:read over the whole tenant.", Tags: tags, Security: httpapi.Secured(auth.LoyaltyRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[LiabilityResponse], error) {
		return httpapi.Reply(liabilityResponse)(s.FindLiability(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "list-gift-card-batches", Method: http.MethodGet, Path: batches,
		Summary: "List gift card batches", Tags: tags, Security: readOnly,
	}, func(ctx context.Context, _ *struct{}) (*itemsOf[GiftCardBatchResponse], error) {
		return items(func(bs []GiftCardBatch) []GiftCardBatchResponse {
			out := make([]GiftCardBatchResponse, len(bs))
			for i, b := range bs {
				out[i] = batchResponse(b)
			}
			return out
		})(s.FindGiftCardBatches(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "issue-gift-cards", Method: http.MethodPost, Path: batches,
		Summary: "Issue a batch of gift cards", Description: "The response carries every card's code and PIN, once: PINs are never stored.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body GiftCardBatchBody }) (*httpapi.Body[IssuedBatchResponse], error) {
		b, cs, err := s.IssueGiftCards(ctx, GiftCardBatchInput(in.Body))
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		out := IssuedBatchResponse{Batch: batchResponse(b), Cards: make([]GiftCardResponse, len(cs))}
		for i, c := range cs {
			out.Cards[i] = fullCard(c)
		}
		return &httpapi.Body[IssuedBatchResponse]{Body: out}, nil
	})
	huma.Register(api, huma.Operation{OperationID: "list-gift-cards", Method: http.MethodGet, Path: batches + "/{id}/cards",
		Summary: "A batch's cards", Description: "By code, without PINs.", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID string `path:"id" maxLength:"64"`
		httpapi.PageParams
	}) (*httpapi.Body[httpapi.Page[GiftCardResponse]], error) {
		return httpapi.ReplyPage(fullCard)(s.FindGiftCards(ctx, in.ID, in.PageParams))
	})
	type cardInput struct{ Body GiftCardBody }
	huma.Register(api, huma.Operation{OperationID: "activate-gift-card", Method: http.MethodPost, Path: cards + "/activations",
		Summary: "Sell (activate) a gift card", Description: "Loads the batch's face value, or amount_fen when it has none, up to the card's cap.",
		Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *cardInput) (*httpapi.Body[GiftCardPostingResponse], error) {
		return cardPosting(s.ActivateGiftCard(ctx, cardRequest(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "top-up-gift-card", Method: http.MethodPost, Path: cards + "/top-ups",
		Summary: "Top up a gift card", Description: "Up to the card's cap: ¥1,000 anonymous, ¥5,000 registered by default; 422 naming body.amount_fen above it.",
		Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *cardInput) (*httpapi.Body[GiftCardPostingResponse], error) {
		return cardPosting(s.PostGiftCard(ctx, SVTopUp, cardRequest(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "spend-gift-card", Method: http.MethodPost, Path: cards + "/spends",
		Summary: "Spend from a gift card", Description: "With the PIN; all or nothing.", Tags: tags, Security: redeem, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *cardInput) (*httpapi.Body[GiftCardPostingResponse], error) {
		return cardPosting(s.PostGiftCard(ctx, SVSpend, cardRequest(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "enquire-gift-card-balance", Method: http.MethodPost, Path: cards + "/balance-enquiries",
		Summary: "A gift card's balance", Description: "With the PIN (a POST: the PIN stays out of URLs and logs).", Tags: tags, Security: read,
	}, func(ctx context.Context, in *cardInput) (*httpapi.Body[GiftCardResponse], error) {
		return httpapi.Reply(maskedCard)(s.GiftCardBalance(ctx, in.Body.Code, in.Body.PIN))
	})
	huma.Register(api, huma.Operation{OperationID: "bind-gift-card", Method: http.MethodPost, Path: cards + "/bindings",
		Summary: "Bind a gift card to a customer", Description: "With the PIN; the card becomes registered.", Tags: tags, Security: redeem,
	}, func(ctx context.Context, in *cardInput) (*httpapi.Body[GiftCardResponse], error) {
		return httpapi.Reply(maskedCard)(s.BindGiftCard(ctx, in.Body.Code, in.Body.PIN, in.Body.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-membership-plans", Method: http.MethodGet, Path: plans,
		Summary: "List paid membership plans", Tags: tags, Security: read,
	}, func(ctx context.Context, _ *struct{}) (*itemsOf[MembershipPlanBody], error) {
		return items(func(ps []MembershipPlan) []MembershipPlanBody {
			out := make([]MembershipPlanBody, len(ps))
			for i, p := range ps {
				out[i] = planBody(p)
			}
			return out
		})(s.FindPlans(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "create-membership-plan", Method: http.MethodPost, Path: plans,
		Summary: "Create a paid membership plan", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body MembershipPlanBody }) (*httpapi.Body[MembershipPlanBody], error) {
		return httpapi.Reply(planBody)(s.CreatePlan(ctx, planInput(in.Body)))
	})
	huma.Register(api, huma.Operation{OperationID: "replace-membership-plan", Method: http.MethodPut, Path: plans + "/{id}",
		Summary: "Replace a paid membership plan", Description: "Periods already sold keep their dates.", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body MembershipPlanBody
	}) (*httpapi.Body[MembershipPlanBody], error) {
		return httpapi.Reply(planBody)(s.UpdatePlan(ctx, in.ID, planInput(in.Body)))
	})
}
