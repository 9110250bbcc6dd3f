package identity

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Customer360 is a customer with its profile and consents, as one principal may see
// it: Customer.Masked says whether personal data was masked (the principal lacks
// customers:pii); Customer.Status is erased for an erased customer (its profile and
// consents are gone).
type Customer360 struct {
	Customer
	Profile  Profile
	Consents []Consent
}

// customer360 completes c with its cluster's profile and consents; personal data
// is masked (maskCustomer, maskString) unless p holds customers:pii.
func (s *Service) customer360(ctx context.Context, q db.Querier, p *auth.Principal, c Customer) (Customer360, error) {
	if !c.Masked {
		c = maskCustomer(p, c)
	}
	out := Customer360{Customer: c}
	var err error
	if out.Profile, err = s.customerProfile(ctx, q, p.TenantID, c.ID); err != nil {
		return Customer360{}, fmt.Errorf("identity: customer profile: %w", err)
	}
	members, err := clusterMembers(ctx, q, p.TenantID, c.ID)
	if err != nil {
		return Customer360{}, fmt.Errorf("identity: customer consents: %w", err)
	}
	if out.Consents, err = clusterConsents(ctx, q, p.TenantID, members); err != nil {
		return Customer360{}, fmt.Errorf("identity: customer consents: %w", err)
	}
	if c.Masked {
		out.Profile.Name = maskString("name", out.Profile.Name)
		out.Profile.Birthday = maskString("birthday", out.Profile.Birthday)
		out.Profile.Address = maskString("address", out.Profile.Address)
		out.Profile.City = maskString("city", out.Profile.City)
		out.Consents = maskConsents(p, out.Consents)
	}
	return out, nil
}

// with360 adapts a customer look-up to return the customer 360 for the principal of
// ctx.
func (s *Service) with360(ctx context.Context) func(Customer, error) (Customer360, error) {
	return func(c Customer, err error) (Customer360, error) {
		if err != nil {
			return Customer360{}, err
		}
		return s.customer360(ctx, s.db.Reader(), auth.FromContext(ctx), c)
	}
}

// FindCustomer360 returns the customer 360 of id. Errors: not_found, unauthorized,
// forbidden.
func (s *Service) FindCustomer360(ctx context.Context, id string) (Customer360, error) {
	return s.with360(ctx)(s.FindCustomerByID(ctx, id))
}

// maxSearchLimit bounds a customer search.
const maxSearchLimit = 50

// searchTypes are the identifier types a search query is tried as.
var searchTypes = []graph.Type{graph.TypePhone, graph.TypeMemberCard, graph.TypeWeChatUnionID, graph.TypeEmail}

// SearchCustomers finds customers by a phone, member card, unionid or e-mail (exact
// after normalisation) or an exact full name (through the blind index of the
// normalised name), among the customers the principal's data scope sees. A search
// counts against the principal's search limit; each hit is recorded in the access
// log with what it matched (never the query). Errors: invalid (query.q),
// rate_limited, unauthorized, forbidden.
func (s *Service) SearchCustomers(ctx context.Context, q string, limit int) ([]Customer360, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" || !utf8.ValidString(q) || utf8.RuneCountInString(q) > 200 {
		return nil, errs.Field("query.q", "must be 1 to 200 characters")
	}
	if isMasked(q) {
		return nil, errMaskedLookup("query.q")
	}
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, maxSearchLimit)
	rules := graph.DefaultRules() // normalisation is the same for every tenant
	var in []graph.Identifier
	for _, t := range searchTypes {
		if id, err := rules.NewIdentifier(t, q); err == nil {
			in = append(in, id)
		}
	}
	if err := s.spendLookup(ctx, p, lookupSearch); err != nil {
		return nil, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	r := s.db.Reader()
	var hits []accessed     // customer ids with what they matched
	for _, id := range in { // in search-type order
		c, err := s.identifierOwner(ctx, r, p.TenantID, id)
		if err != nil {
			return nil, fmt.Errorf("identity: search customers: %w", err)
		}
		if c != "" && !slices.ContainsFunc(hits, func(h accessed) bool { return h.customer == c }) {
			hits = append(hits, accessed{c, id.Type.String()})
		}
	}
	named, err := queryStrings(ctx, r, `SELECT customer_id FROM customer_profiles WHERE tenant_id = $1 AND name_index = $2 ORDER BY customer_id LIMIT 200`,
		p.TenantID, s.pii.Index(indexName, normaliseName(q)))
	if err != nil {
		return nil, fmt.Errorf("identity: search customers: %w", err)
	}
	for _, id := range named {
		hits = append(hits, accessed{id, indexName})
	}
	out := []Customer360{}
	var found []accessed
	for _, h := range hits {
		if len(out) >= limit {
			break
		}
		live, err := sc.live(ctx, r, p.TenantID, h.customer, "")
		if errs.Is(err, errs.NotFound) || slices.ContainsFunc(found, func(f accessed) bool { return f.customer == live }) {
			continue // outside the data scope, or found already
		}
		if err != nil {
			return nil, fmt.Errorf("identity: search customers: %w", err)
		}
		c, err := getCustomer(ctx, r, s.pii, p.TenantID, live)
		if err != nil {
			return nil, fmt.Errorf("identity: search customers: %w", err)
		}
		c360, err := s.customer360(ctx, r, p, c)
		if err != nil {
			return nil, err
		}
		out = append(out, c360)
		found = append(found, accessed{live, h.matched})
	}
	if err := s.logAccess(ctx, nil, AccessSearchHit, shownTo(p), found...); err != nil {
		return nil, err
	}
	return out, nil
}

// CustomerProfileResponse is the profile of a customer (masked without customers:pii).
type CustomerProfileResponse struct {
	Name                string     `json:"name" doc:"Empty when unknown; masked (王**) without customers:pii."`
	Gender              string     `json:"gender" enum:"male,female,unknown"`
	Birthday            string     `json:"birthday" doc:"YYYY-MM-DD; masked (1990-**-**) without customers:pii."`
	City                string     `json:"city"`
	Address             string     `json:"address" doc:"Masked (上海市****) without customers:pii."`
	PreferredStoreID    string     `json:"preferred_store_id" doc:"The store with most of the customer's events."`
	RegistrationChannel string     `json:"registration_channel" doc:"Channel of the first register event, else of the first event."`
	RegisteredAt        *time.Time `json:"registered_at" nullable:"true"`
}

// CustomerConsentResponse is a current consent.
type CustomerConsentResponse struct {
	Purpose   string    `json:"purpose" enum:"marketing,advertising" doc:"marketing: contact on the channel; advertising (channel ads): hashed identifiers may go to advertising platforms."`
	Channel   string    `json:"channel" enum:"sms,wechat,push,email,phone,ads"`
	Granted   bool      `json:"granted"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at" doc:"When the consent was given or withdrawn (occurred_at of the record in force)."`
}

// CustomerSlotsResponse holds what later capabilities add to the customer 360.
type CustomerSlotsResponse struct {
	Orders    any      `json:"orders" doc:"Filled by the orders capability; null for now."`
	Points    any      `json:"points" doc:"Filled by loyalty; null for now."`
	Coupons   any      `json:"coupons" doc:"Filled by coupons; null for now."`
	Tags      []string `json:"tags" nullable:"false"`
	Associate any      `json:"associate" doc:"Filled by clienteling; null for now."`
}

// CustomerSummaryResponse is one customer search hit.
type CustomerSummaryResponse struct {
	ID                  string    `json:"id"`
	Name                string    `json:"name"`
	Phone               string    `json:"phone"`
	City                string    `json:"city"`
	RegistrationChannel string    `json:"registration_channel"`
	LastSeenAt          time.Time `json:"last_seen_at"`
	EventCount          int64     `json:"event_count"`
	Status              string    `json:"status" enum:"active,erased"`
	Masked              bool      `json:"masked" doc:"Personal values are masked because the caller lacks customers:pii."`
}

// CustomerSearchResponse lists search hits.
type CustomerSearchResponse struct {
	Items []CustomerSummaryResponse `json:"items" nullable:"false"`
}

// ConsentRequest records a consent.
type ConsentRequest struct {
	Purpose    string     `json:"purpose" enum:"marketing,advertising" doc:"marketing: contact on the channel; advertising (channel ads): hashed identifiers may go to advertising platforms."`
	Channel    string     `json:"channel" enum:"sms,wechat,push,email,phone,ads"`
	Granted    bool       `json:"granted"`
	Source     string     `json:"source" minLength:"1" maxLength:"100" doc:"Where the consent was given, e.g. a touchpoint code or 'console'."`
	OccurredAt *time.Time `json:"occurred_at,omitempty" doc:"When it was given (RFC 3339); default now. An older consent goes to the history only."`
}

// ConsentListResponse lists the current consents.
type ConsentListResponse struct {
	Items []CustomerConsentResponse `json:"items" nullable:"false"`
}

// ConsentRecordResponse is one consent history entry.
type ConsentRecordResponse struct {
	Purpose    string    `json:"purpose"`
	Channel    string    `json:"channel"`
	Granted    bool      `json:"granted"`
	Source     string    `json:"source"`
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
}

// MergeRequest merges customers into the path's customer.
type MergeRequest struct {
	CustomerIDs []string `json:"customer_ids" minItems:"1" maxItems:"20" doc:"Live customers to merge into the survivor."`
	Note        string   `json:"note,omitempty" maxLength:"500"`
}

// UnmergeRequest reverses a merge into the path's customer.
type UnmergeRequest struct {
	CustomerID string `json:"customer_id" minLength:"1" maxLength:"64" doc:"A customer previously merged into the path's customer."`
}

// UnmergeResponse is both customers after an unmerge.
type UnmergeResponse struct {
	Survivor CustomerResponse `json:"survivor"`
	Restored CustomerResponse `json:"restored"`
}

// MergeResponse is one recorded merge.
type MergeResponse struct {
	ID         string     `json:"id"`
	SurvivorID string     `json:"survivor_id"`
	AbsorbedID string     `json:"absorbed_id"`
	Kind       string     `json:"kind" enum:"auto,manual,fuzzy"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	UndoneAt   *time.Time `json:"undone_at" nullable:"true"`
}

// MergeListResponse lists merges.
type MergeListResponse struct {
	Items []MergeResponse `json:"items" nullable:"false"`
}

// ReviewResponse is an identity review.
type ReviewResponse struct {
	ID      string `json:"id"`
	EventID string `json:"event_id"`
	// EventTouchpointID completes EventID: event ids are unique per touchpoint.
	EventTouchpointID string                 `json:"event_touchpoint_id,omitempty" doc:"The touchpoint that sent event_id (event ids are unique per touchpoint); absent when the event is not known."`
	CustomerID        string                 `json:"customer_id" doc:"The customer the event was attached to."`
	Candidates        []string               `json:"candidates" nullable:"false"`
	Reason            string                 `json:"reason" doc:"English developer text; show reasons instead."`
	Reasons           []ReviewReasonResponse `json:"reasons" nullable:"false" doc:"The reason as stable codes with their parameters, to word in the reader's language."`
	Left              string                 `json:"left" doc:"The live customer the event's customer is now (through merges since)."`
	Right             []string               `json:"right" nullable:"false" doc:"The other live candidates, never left. Empty for a review of one customer (an identifier of the event the rules kept from it): the other side is the event."`
	Score             *float64               `json:"score" nullable:"true" doc:"0..1, fuzzy matching only; null for deterministic reviews."`
	Explanation       []ScoreTermResponse    `json:"explanation" nullable:"true" doc:"Fuzzy matching only: the score as the sum of its comparison weights in bits (the prior, one term per compared field, the name's term-frequency adjustment); score = 1/(1+2^-sum). Null for deterministic reviews."`
	Status            string                 `json:"status" enum:"open,resolved"`
	CreatedAt         time.Time              `json:"created_at"`
	ResolvedAt        *time.Time             `json:"resolved_at" nullable:"true"`
	Resolution        *string                `json:"resolution" nullable:"true" enum:"merge,separate"`
}

// ReviewReasonResponse is one reason of a review as a stable code.
type ReviewReasonResponse struct {
	Code  string  `json:"code" enum:"fuzzy_match,conflicting_types,type_limit,cluster_size,identifier_not_added_type_limit,identifier_not_added_cluster_size,weak_shared,no_identifier,other"`
	Type  string  `json:"type,omitempty" doc:"The identifier type the reason names."`
	Count int     `json:"count,omitempty" doc:"How many identifiers the joined customer would hold."`
	Limit int     `json:"limit,omitempty" doc:"The limit the join would break."`
	Score float64 `json:"score,omitempty" doc:"fuzzy_match: the score."`
}

// ReviewBulkRequest resolves many reviews the same way.
type ReviewBulkRequest struct {
	ReviewIDs []string `json:"review_ids" minItems:"1" maxItems:"500"`
	Action    string   `json:"action" enum:"merge,separate"`
	Note      string   `json:"note,omitempty" maxLength:"500"`
}

// ReviewBulkOutcomeResponse is what a bulk resolution did to one review.
type ReviewBulkOutcomeResponse struct {
	ReviewID string `json:"review_id"`
	Outcome  string `json:"outcome" enum:"resolved,unchanged,conflict,not_found" doc:"unchanged: already resolved this way (a repeated request)."`
	Message  string `json:"message,omitempty"`
}

// ReviewBulkResponse lists the outcome of each review.
type ReviewBulkResponse struct {
	Items []ReviewBulkOutcomeResponse `json:"items" nullable:"false"`
}

func reviewBulkResponse(os []BulkOutcome) ReviewBulkResponse {
	out := ReviewBulkResponse{Items: make([]ReviewBulkOutcomeResponse, len(os))}
	for i, o := range os {
		out.Items[i] = ReviewBulkOutcomeResponse{ReviewID: o.ReviewID, Outcome: o.Outcome, Message: o.Message}
	}
	return out
}

// ScoreTermResponse is one comparison's share of a fuzzy score.
type ScoreTermResponse struct {
	Comparison string  `json:"comparison" doc:"prior, name, phone, birthday, address, city or gender."`
	Level      string  `json:"level" doc:"The comparison's outcome, such as fold or 7+ digits equal; empty for the prior."`
	Weight     float64 `json:"weight" doc:"Evidence in bits: log2(m/u) of the level, log2 of the prior odds."`
}

// ReviewResolveRequest resolves a review.
type ReviewResolveRequest struct {
	Action string `json:"action" enum:"merge,separate"`
	Note   string `json:"note,omitempty" maxLength:"500"`
}

func consentResponse(c Consent) CustomerConsentResponse {
	return CustomerConsentResponse{Purpose: c.Purpose, Channel: c.Channel, Granted: c.Granted, Source: c.Source, UpdatedAt: c.OccurredAt}
}

func consentsResponse(cs []Consent) ConsentListResponse {
	out := ConsentListResponse{Items: make([]CustomerConsentResponse, len(cs))}
	for i, c := range cs {
		out.Items[i] = consentResponse(c)
	}
	return out
}

func consentRecordResponse(c ConsentRecord) ConsentRecordResponse {
	return ConsentRecordResponse{Purpose: c.Purpose, Channel: c.Channel, Granted: c.Granted, Source: c.Source, OccurredAt: c.OccurredAt, RecordedAt: c.RecordedAt}
}

func customer360Response(c Customer360) CustomerResponse {
	out := customerResponse(c.Customer)
	pr := c.Profile
	out.Profile = CustomerProfileResponse{Name: pr.Name, Gender: pr.Gender, Birthday: pr.Birthday, City: pr.City, Address: pr.Address,
		PreferredStoreID: pr.PreferredStoreID, RegistrationChannel: pr.RegistrationChannel, RegisteredAt: pr.RegisteredAt}
	out.Consents = consentsResponse(c.Consents).Items
	out.Slots = CustomerSlotsResponse{Tags: []string{}}
	return out
}

// unmerged is both customers of an unmerge, as the caller may see them.
type unmerged struct{ survivor, restored Customer360 }

func (s *Service) unmerge360(ctx context.Context, survivorID, absorbedID string) (unmerged, error) {
	sv, rs, err := s.UnmergeCustomer(ctx, survivorID, absorbedID)
	if err != nil {
		return unmerged{}, err
	}
	var out unmerged
	if out.survivor, err = s.with360(ctx)(sv, nil); err != nil {
		return unmerged{}, err
	}
	out.restored, err = s.with360(ctx)(rs, nil)
	return out, err
}

func unmergeResponse(u unmerged) UnmergeResponse {
	return UnmergeResponse{Survivor: customer360Response(u.survivor), Restored: customer360Response(u.restored)}
}

func summaryResponse(c Customer360) CustomerSummaryResponse {
	out := CustomerSummaryResponse{ID: c.ID, Name: c.Profile.Name, City: c.Profile.City, RegistrationChannel: c.Profile.RegistrationChannel,
		LastSeenAt: c.LastSeenAt, EventCount: c.EventCount, Status: string(c.Status), Masked: c.Masked}
	for _, id := range c.Identifiers {
		if id.Type == graph.TypePhone.String() {
			out.Phone = id.Value
		}
	}
	return out
}

func searchResponse(cs []Customer360) CustomerSearchResponse {
	out := CustomerSearchResponse{Items: make([]CustomerSummaryResponse, len(cs))}
	for i, c := range cs {
		out.Items[i] = summaryResponse(c)
	}
	return out
}

func mergesResponse(ms []Merge) MergeListResponse {
	out := MergeListResponse{Items: make([]MergeResponse, len(ms))}
	for i, m := range ms {
		out.Items[i] = MergeResponse{ID: m.ID, SurvivorID: m.SurvivorID, AbsorbedID: m.AbsorbedID, Kind: m.Kind, Reason: m.Reason,
			CreatedAt: m.CreatedAt, UndoneAt: m.UndoneAt}
	}
	return out
}

func reviewResponse(r Review) ReviewResponse {
	out := ReviewResponse{ID: r.ID, EventID: r.EventID, EventTouchpointID: r.EventTouchpointID, CustomerID: r.CustomerID, Candidates: r.Candidates, Reason: r.Reason, Score: r.Score,
		Status: r.Status, CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt, Left: r.Left, Right: r.Right}
	if out.Candidates == nil {
		out.Candidates = []string{}
	}
	if out.Right == nil {
		out.Right = []string{}
	}
	for _, x := range ReviewReasons(r.Reason) {
		out.Reasons = append(out.Reasons, ReviewReasonResponse{Code: x.Code, Type: x.Type, Count: x.Count, Limit: x.Limit, Score: x.Score})
	}
	for _, t := range r.Explanation {
		out.Explanation = append(out.Explanation, ScoreTermResponse{Comparison: t.Comparison, Level: t.Level, Weight: t.Weight})
	}
	if r.Resolution != "" {
		res := r.Resolution
		out.Resolution = &res
	}
	return out
}

type customerSearchInput struct {
	Q     string `query:"q" minLength:"1" maxLength:"200" required:"true" doc:"A phone, member card, unionid, e-mail or exact full name."`
	Limit int    `query:"limit" minimum:"1" maximum:"50" default:"20"`
}

type consentInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ConsentRequest
}

type mergeInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body MergeRequest
}

type unmergeInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body UnmergeRequest
}

type reviewListInput struct {
	httpapi.PageParams
	Status   string  `query:"status" enum:"open,resolved," doc:"open or resolved; all when absent."`
	MinScore float64 `query:"min_score" minimum:"0" maximum:"1" doc:"Only fuzzy reviews scoring at least this."`
	Reason   string  `query:"reason" enum:"fuzzy_match,conflicting_types,type_limit,cluster_size,identifier_not_added_type_limit,identifier_not_added_cluster_size,weak_shared,no_identifier,other," doc:"Only reviews with a reason of this code."`
}

type reviewBulkInput struct {
	Body ReviewBulkRequest
}

type reviewResolveInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ReviewResolveRequest
}

// registerCustomer360 adds the customer 360 operations: search (registered before
// /customers/{id}), consents, merge and unmerge, and the review queue.
func (s *Service) registerCustomer360(api huma.API, tags []string) {
	read, write := httpapi.Secured(auth.CustomersRead), httpapi.Secured(auth.CustomersWrite)
	s.registerCustomerList(api, tags)
	huma.Register(api, huma.Operation{
		OperationID: "search-customers", Method: http.MethodGet, Path: "/api/v1/customers/search",
		Summary:     "Search customers",
		Description: "By phone, member card, unionid or e-mail (normalised, exact), or by exact full name (names are encrypted; a blind index matches whole names only).",
		Tags:        tags, Security: read,
	}, func(ctx context.Context, in *customerSearchInput) (*httpapi.Body[CustomerSearchResponse], error) {
		return httpapi.Reply(searchResponse)(s.SearchCustomers(ctx, in.Q, in.Limit))
	})
	s.registerCustomerExport(api, tags)
	huma.Register(api, huma.Operation{
		OperationID: "record-customer-consent", Method: http.MethodPost, Path: "/api/v1/customers/{id}/consents",
		Summary: "Record a consent", Description: "Returns the customer's current consents. A consent older than the one in force goes to the history only.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *consentInput) (*httpapi.Body[ConsentListResponse], error) {
		httpapi.NoteSubjects(ctx, in.ID)
		n := NewConsent{Purpose: in.Body.Purpose, Channel: in.Body.Channel, Granted: in.Body.Granted, Source: in.Body.Source}
		if in.Body.OccurredAt != nil {
			n.OccurredAt = *in.Body.OccurredAt
		}
		return httpapi.Reply(consentsResponse)(s.RecordConsent(ctx, in.ID, n))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-customer-consent-history", Method: http.MethodGet, Path: "/api/v1/customers/{id}/consents/history",
		Summary: "List a customer's consent history", Description: "Every consent recorded, in the order recorded.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerEventsInput) (*httpapi.Body[httpapi.Page[ConsentRecordResponse]], error) {
		return httpapi.ReplyPage(consentRecordResponse)(s.FindConsentHistory(ctx, in.ID, ConsentHistoryFilter{Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "merge-customers", Method: http.MethodPost, Path: "/api/v1/customers/{id}/merge",
		Summary:     "Merge customers into this one",
		Description: "409 naming the rule when the joined customer would break a per-customer identifier limit or the cluster size limit.",
		Tags:        tags, Security: write,
	}, func(ctx context.Context, in *mergeInput) (*httpapi.Body[CustomerResponse], error) {
		httpapi.NoteSubjects(ctx, append([]string{in.ID}, in.Body.CustomerIDs...)...)
		return httpapi.Reply(customer360Response)(s.with360(ctx)(s.MergeCustomers(ctx, in.ID, in.Body.CustomerIDs, in.Body.Note)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "unmerge-customer", Method: http.MethodPost, Path: "/api/v1/customers/{id}/unmerge",
		Summary:     "Reverse a merge",
		Description: "Moves back the identifiers and events the latest merge of customer_id moved; what arrived after the merge stays with the survivor.",
		Tags:        tags, Security: write,
	}, func(ctx context.Context, in *unmergeInput) (*httpapi.Body[UnmergeResponse], error) {
		httpapi.NoteSubjects(ctx, in.ID, in.Body.CustomerID)
		return httpapi.Reply(unmergeResponse)(s.unmerge360(ctx, in.ID, in.Body.CustomerID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-customer-merges", Method: http.MethodGet, Path: "/api/v1/customers/{id}/merges",
		Summary: "List a customer's merges", Description: "Merges of the customer and of the customers merged into it, newest first, undone ones included.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *customerIDInput) (*httpapi.Body[MergeListResponse], error) {
		return httpapi.Reply(mergesResponse)(s.FindMerges(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-identity-reviews", Method: http.MethodGet, Path: "/api/v1/identity-reviews",
		Summary: "List identity reviews", Description: "Resolutions that were not carried out automatically, oldest first.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *reviewListInput) (*httpapi.Body[httpapi.Page[ReviewResponse]], error) {
		return httpapi.ReplyPage(reviewResponse)(s.FindReviews(ctx, ReviewFilter{Status: in.Status, MinScore: in.MinScore, Reason: in.Reason, Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "resolve-identity-reviews", Method: http.MethodPost, Path: "/api/v1/identity-reviews/resolve",
		Summary:     "Resolve identity reviews in bulk",
		Description: "Resolves each review the same way, one at a time, and reports each outcome. Idempotent: a review already resolved this way is unchanged.",
		Tags:        tags, Security: write,
	}, func(ctx context.Context, in *reviewBulkInput) (*httpapi.Body[ReviewBulkResponse], error) {
		return httpapi.Reply(reviewBulkResponse)(s.ResolveReviews(ctx, in.Body.ReviewIDs, in.Body.Action, in.Body.Note))
	})
	huma.Register(api, huma.Operation{
		OperationID: "resolve-identity-review", Method: http.MethodPost, Path: "/api/v1/identity-reviews/{id}/resolve",
		Summary:     "Resolve an identity review",
		Description: "merge joins the candidates into the oldest (409 naming the rule when the identity rules forbid it); separate keeps them apart.",
		Tags:        tags, Security: write,
	}, func(ctx context.Context, in *reviewResolveInput) (*httpapi.Body[ReviewResponse], error) {
		r, err := s.ResolveReview(ctx, in.ID, in.Body.Action, in.Body.Note)
		httpapi.NoteSubjects(ctx, append([]string{r.CustomerID}, r.Candidates...)...)
		return httpapi.Reply(reviewResponse)(r, err)
	})
}
