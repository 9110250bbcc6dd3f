package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// TouchpointHealthResponse is what a touchpoint sent today (the tenant's day of receipt).
type TouchpointHealthResponse struct {
	EventsToday   int64      `json:"events_today" doc:"Events stored today: the tenant's day of receipt, midnight to midnight in its time zone (pricing settings, default Asia/Shanghai)."`
	RejectedToday int64      `json:"rejected_today" doc:"Events refused by validation today (the tenant's day of receipt)."`
	LastSeenAt    *time.Time `json:"last_seen_at,omitempty" doc:"Last ingestion request naming the touchpoint; absent if never."`
}

// TouchpointResponse is a touchpoint with its health.
type TouchpointResponse struct {
	ID        string                   `json:"id"`
	Code      string                   `json:"code"`
	Name      string                   `json:"name"`
	Type      TouchpointType           `json:"type"`
	Channel   Channel                  `json:"channel"`
	StoreID   string                   `json:"store_id,omitempty"`
	Status    Status                   `json:"status"`
	Health    TouchpointHealthResponse `json:"health"`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// TouchpointCreateRequest registers a touchpoint.
type TouchpointCreateRequest struct {
	Code    string         `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$" doc:"Unique per tenant; ingestion names the touchpoint by it."`
	Name    string         `json:"name" minLength:"1" maxLength:"100"`
	Type    TouchpointType `json:"type" enum:"online,offline,commercial,social"`
	Channel Channel        `json:"channel" enum:"pos,self_checkout,smart_cart,app,wechat_mini_program,wechat_official_account,tmall,jd,meituan,eleme,associate_app,in_store_screen,web,other"`
	StoreID string         `json:"store_id,omitempty" maxLength:"64" doc:"The store the touchpoint belongs to, if any."`
	Status  Status         `json:"status,omitempty" enum:"active,disabled" doc:"default active"`
}

// TouchpointUpdateRequest changes a touchpoint; omitted fields stay unchanged and an
// empty store_id detaches the touchpoint from its store.
type TouchpointUpdateRequest struct {
	Code    *string         `json:"code,omitempty" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$"`
	Name    *string         `json:"name,omitempty" minLength:"1" maxLength:"100"`
	Type    *TouchpointType `json:"type,omitempty" enum:"online,offline,commercial,social"`
	Channel *Channel        `json:"channel,omitempty" enum:"pos,self_checkout,smart_cart,app,wechat_mini_program,wechat_official_account,tmall,jd,meituan,eleme,associate_app,in_store_screen,web,other"`
	StoreID *string         `json:"store_id,omitempty" maxLength:"64"`
	Status  *Status         `json:"status,omitempty" enum:"active,disabled"`
}

// EventIngestItem is one event of an ingestion request (documentation of the shape;
// the server validates each event on its own).
type EventIngestItem struct {
	ID          string            `json:"id" minLength:"1" maxLength:"128" doc:"Made by the client; the idempotency key of the event within its touchpoint (another touchpoint's event with the same id is a different event)."`
	Touchpoint  string            `json:"touchpoint,omitempty" maxLength:"64" doc:"Code of the touchpoint that sent this event, for relays and integration keys entitled to several touchpoints; default the request's touchpoint. A touchpoint's own key may name only its own touchpoint (403 naming the event otherwise)."`
	Type        string            `json:"type" pattern:"^[a-z][a-z0-9_]{0,63}$" doc:"snake_case, e.g. visit, scan, product_view, add_to_cart, registration, order, coupon_received, coupon_redeemed, message_open."`
	OccurredAt  time.Time         `json:"occurred_at" doc:"RFC 3339; at most an hour ahead of the server clock."`
	Identifiers map[string]string `json:"identifiers,omitempty" doc:"Identifier type (phone, email, member_card, wechat_unionid, wechat_openid, app_user_id, alipay_user_id, marketplace_buyer_id, delivery_user_id, device_id, cookie_id, pos_customer_ref, masked_phone) to value; values are normalised."`
	Properties  map[string]any    `json:"properties,omitempty" doc:"Free object; the profile fields name, city, address (strings), gender (male, female, other, unknown) and birthday (YYYY-MM-DD) are checked."`
}

// EventIngestRequest is the JSON body of POST /api/v1/events.
type EventIngestRequest struct {
	Touchpoint string            `json:"touchpoint,omitempty" doc:"Code of an active touchpoint (or the touchpoint query parameter): the touchpoint of every event that names none. Required unless every event names its touchpoint."`
	Events     []EventIngestItem `json:"events" maxItems:"1000"`
}

// EventRejectionResponse says why one event was refused.
type EventRejectionResponse struct {
	Index  int    `json:"index" doc:"Zero-based position in events (JSON) or line number (NDJSON)."`
	Field  string `json:"field,omitempty" doc:"The event's field, e.g. identifiers.phone; absent when the event is not an object."`
	Reason string `json:"reason"`
}

// EventIngestResponse reports an ingestion request.
type EventIngestResponse struct {
	Accepted   int                      `json:"accepted" doc:"Events stored by this request."`
	Duplicates int                      `json:"duplicates" doc:"Events whose id the touchpoint already stored (or repeated in the request); ignored."`
	Rejected   []EventRejectionResponse `json:"rejected"`
	Events     []IngestedEventResponse  `json:"events" nullable:"false" doc:"Every event of the request its touchpoint holds — stored now or before (duplicate) — with its customer, by index."`
}

// IngestedEventResponse is one stored event of an ingestion request and its customer.
type IngestedEventResponse struct {
	Index      int    `json:"index" doc:"Zero-based position in events (JSON) or line number (NDJSON)."`
	Touchpoint string `json:"touchpoint" doc:"Code of the touchpoint that sent it."`
	ID         string `json:"id"`
	CustomerID string `json:"customer_id,omitempty" doc:"The One ID customer the event belongs to now; absent when it carries no linking identifier."`
	Duplicate  bool   `json:"duplicate,omitempty" doc:"The touchpoint had stored it before; customer_id is its customer now."`
}

func touchpointResponse(t Touchpoint) TouchpointResponse {
	return TouchpointResponse{ID: t.ID, Code: t.Code, Name: t.Name, Type: t.Type, Channel: t.Channel, StoreID: t.StoreID, Status: t.Status,
		Health:    TouchpointHealthResponse{EventsToday: t.Health.EventsToday, RejectedToday: t.Health.RejectedToday, LastSeenAt: t.Health.LastSeenAt},
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func newTouchpoint(r TouchpointCreateRequest) NewTouchpoint {
	return NewTouchpoint{Code: r.Code, Name: r.Name, Type: r.Type, Channel: r.Channel, StoreID: r.StoreID, Status: r.Status}
}

func touchpointUpdate(r TouchpointUpdateRequest) TouchpointUpdate {
	return TouchpointUpdate{Code: r.Code, Name: r.Name, Type: r.Type, Channel: r.Channel, StoreID: r.StoreID, Status: r.Status}
}

func ingestResponse(r IngestReport) EventIngestResponse {
	out := EventIngestResponse{Accepted: r.Accepted, Duplicates: r.Duplicates, Rejected: make([]EventRejectionResponse, len(r.Rejected)),
		Events: make([]IngestedEventResponse, len(r.Events))}
	for i, x := range r.Rejected {
		out.Rejected[i] = EventRejectionResponse{Index: x.Index, Field: x.Field, Reason: x.Reason}
	}
	for i, e := range r.Events {
		out.Events[i] = IngestedEventResponse{Index: e.Index, Touchpoint: e.Touchpoint, ID: e.ID, CustomerID: e.CustomerID, Duplicate: e.Duplicate}
	}
	return out
}

type touchpointListInput struct {
	httpapi.PageParams
	Status  Status  `query:"status" enum:"active,disabled,"`
	Channel Channel `query:"channel" maxLength:"64"`
	StoreID string  `query:"store_id" maxLength:"64"`
	Q       string  `query:"q" maxLength:"100" doc:"Part of the code or name (case-insensitive)."`
}

type maturityInput struct {
	Days int `query:"days" default:"30" minimum:"1" maximum:"90" doc:"Window in days of the tenant's time zone, today included."`
}

// MaturityResponse is the tenant's touchpoint maturity over a window.
type MaturityResponse struct {
	Days        int                      `json:"days"`
	From        string                   `json:"from" doc:"First day of the window in the tenant's time zone (YYYY-MM-DD)."`
	TimeZone    string                   `json:"time_zone" doc:"The tenant's time zone, whose days the window counts."`
	Coverage    MaturityCoverage         `json:"coverage"`
	Connection  MaturityConnection       `json:"connection"`
	Quality     MaturityQuality          `json:"quality"`
	Levels      map[string]int           `json:"levels" doc:"Touchpoints per level: registered, connected, identified, mature."`
	Touchpoints []TouchpointMaturityItem `json:"touchpoints" nullable:"false"`
}

// MaturityCoverage is coverage and layout: where the active touchpoints are.
type MaturityCoverage struct {
	ByType                map[string]int `json:"by_type" doc:"Active touchpoints per type (online, offline, commercial, social)."`
	ByChannel             map[string]int `json:"by_channel" doc:"Active touchpoints per channel."`
	Stores                *int           `json:"stores" doc:"The tenant's stores; null when the caller may not read stores."`
	StoresWithTouchpoints int            `json:"stores_with_touchpoints" doc:"Stores with an active touchpoint."`
	StoresConnected       int            `json:"stores_connected" doc:"Stores with a touchpoint that stored events in the window."`
}

// MaturityConnection is online and connection: which touchpoints send events.
type MaturityConnection struct {
	Touchpoints int `json:"touchpoints" doc:"Registered, active or disabled."`
	Active      int `json:"active" doc:"Not disabled."`
	Connected   int `json:"connected" doc:"Stored events in the window."`
	SeenLastDay int `json:"seen_last_day" doc:"Sent a request in the last 24 hours."`
}

// MaturityQuality is data and quality over the window.
type MaturityQuality struct {
	Accepted       int64   `json:"accepted" doc:"Events stored."`
	Rejected       int64   `json:"rejected" doc:"Events refused by validation."`
	Identified     int64   `json:"identified" doc:"Stored events attached to a customer (they carried a linking identifier)."`
	RejectionRate  float64 `json:"rejection_rate" doc:"rejected / (accepted + rejected)."`
	IdentifiedRate float64 `json:"identified_rate" doc:"identified / accepted."`
}

// TouchpointMaturityItem is one touchpoint's measures and level.
type TouchpointMaturityItem struct {
	ID             string     `json:"id"`
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	Type           string     `json:"type"`
	Channel        string     `json:"channel"`
	StoreID        string     `json:"store_id,omitempty"`
	Status         string     `json:"status"`
	LastSeenAt     *time.Time `json:"last_seen_at,omitempty"`
	Accepted       int64      `json:"accepted"`
	Rejected       int64      `json:"rejected"`
	Identified     int64      `json:"identified"`
	ActiveDays     int        `json:"active_days" doc:"Days of the window with events stored."`
	WindowDays     int        `json:"window_days" doc:"Days of the window since the touchpoint was registered."`
	RejectionRate  float64    `json:"rejection_rate"`
	IdentifiedRate float64    `json:"identified_rate"`
	Level          string     `json:"level" enum:"registered,connected,identified,mature"`
	Gaps           []string   `json:"gaps" nullable:"false" enum:"no_events,low_identified,high_rejection,irregular,disabled" doc:"What keeps it from the next level: no_events, low_identified, high_rejection, irregular, disabled."`
}

func maturityResponse(m Maturity) MaturityResponse {
	out := MaturityResponse{Days: m.Days, From: m.From.Format(time.DateOnly), TimeZone: m.From.Location().String(),
		Coverage: MaturityCoverage{ByType: map[string]int{}, ByChannel: map[string]int{}, Stores: m.Stores,
			StoresWithTouchpoints: m.StoresWithTouch, StoresConnected: m.StoresConnected},
		Connection: MaturityConnection{Touchpoints: m.Touchpoints, Active: m.Active, Connected: m.Connected, SeenLastDay: m.SeenLastDay},
		Quality: MaturityQuality{Accepted: m.Accepted, Rejected: m.Rejected, Identified: m.Identified,
			RejectionRate: m.RejectionRate, IdentifiedRate: m.IdentifiedRate},
		Levels:      map[string]int{},
		Touchpoints: []TouchpointMaturityItem{},
	}
	for k, n := range m.ByType {
		out.Coverage.ByType[string(k)] = n
	}
	for k, n := range m.ByChannel {
		out.Coverage.ByChannel[string(k)] = n
	}
	for _, l := range []MaturityLevel{LevelRegistered, LevelConnected, LevelIdentified, LevelMature} {
		out.Levels[string(l)] = m.ByLevel[l]
	}
	for _, it := range m.Items {
		t := it.Touchpoint
		out.Touchpoints = append(out.Touchpoints, TouchpointMaturityItem{ID: t.ID, Code: t.Code, Name: t.Name, Type: string(t.Type),
			Channel: string(t.Channel), StoreID: t.StoreID, Status: string(t.Status), LastSeenAt: t.Health.LastSeenAt,
			Accepted: it.Accepted, Rejected: it.Rejected, Identified: it.Identified, ActiveDays: it.ActiveDays, WindowDays: it.WindowDays,
			RejectionRate: it.RejectionRate, IdentifiedRate: it.IdentifiedRate, Level: string(it.Level), Gaps: append([]string{}, it.Gaps...)})
	}
	return out
}

type touchpointIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type touchpointCreateInput struct{ Body TouchpointCreateRequest }

type touchpointUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body TouchpointUpdateRequest
}

type eventIngestInput struct {
	ContentType string `header:"Content-Type" doc:"application/json or application/x-ndjson; required (415 without it)."`
	Touchpoint  string `query:"touchpoint" maxLength:"64" doc:"Touchpoint code; required for NDJSON."`
	RawBody     []byte `contentType:"application/x-ndjson"`
}

// ingestEnvelope is the decoded JSON body; events stay raw so that each is validated
// on its own.
type ingestEnvelope struct {
	Touchpoint string            `json:"touchpoint"`
	Events     []json.RawMessage `json:"events"`
}

// decodeEnvelope decodes a JSON ingestion body; errs.Invalid naming the field.
func decodeEnvelope(body []byte, queryTouchpoint string) (ingestEnvelope, error) {
	var env ingestEnvelope
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return env, errs.Field("body."+te.Field, "wrong type: want %s", te.Type)
		}
		if errors.As(err, &te) {
			return env, errs.Field("body", "must be an object with touchpoint and events")
		}
		return env, errs.Field("body", "not valid JSON: %s", err.Error())
	}
	if dec.More() {
		return env, errs.Field("body", "trailing data after the JSON object")
	}
	if env.Events == nil {
		return env, errs.Field("body.events", "is required")
	}
	if queryTouchpoint != "" {
		if env.Touchpoint != "" && env.Touchpoint != queryTouchpoint {
			return env, errs.Field("body.touchpoint", "differs from the touchpoint query parameter")
		}
		env.Touchpoint = queryTouchpoint
	}
	return env, nil
}

// ingest runs the ingestion of one request body by content type.
func (s *Service) ingest(ctx context.Context, in *eventIngestInput) (IngestReport, error) {
	mt := "application/json"
	if in.ContentType != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(in.ContentType); err != nil {
			return IngestReport{}, errs.Field("header.Content-Type", "malformed media type")
		}
	}
	switch mt {
	case "application/json":
		env, err := decodeEnvelope(in.RawBody, in.Touchpoint)
		if err != nil {
			return IngestReport{}, err
		}
		return s.Ingest(ctx, env.Touchpoint, env.Events)
	case "application/x-ndjson":
		return s.IngestNDJSON(ctx, in.Touchpoint, bytes.NewReader(in.RawBody))
	}
	return IngestReport{}, errs.Field("header.Content-Type", "must be application/json or application/x-ndjson")
}

// Register adds the identity operations to the API.
func (s *Service) Register(api huma.API) {
	tags := []string{"Identity"}
	read, write := httpapi.Secured(auth.TouchpointsRead), httpapi.Secured(auth.TouchpointsWrite)
	s.registerCounts(api, tags)

	huma.Register(api, huma.Operation{
		OperationID: "list-touchpoints", Method: http.MethodGet, Path: "/api/v1/touchpoints",
		Summary: "List touchpoints", Description: "Touchpoints ordered by id, each with today's health (the tenant's day of receipt, in its time zone).",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *touchpointListInput) (*httpapi.Body[httpapi.Page[TouchpointResponse]], error) {
		return httpapi.ReplyPage(touchpointResponse)(s.FindTouchpoints(ctx, TouchpointFilter{Status: in.Status, Channel: in.Channel,
			StoreID: in.StoreID, Q: in.Q, Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-touchpoint", Method: http.MethodPost, Path: "/api/v1/touchpoints",
		Summary: "Register a touchpoint", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *touchpointCreateInput) (*httpapi.Body[TouchpointResponse], error) {
		return httpapi.Reply(touchpointResponse)(s.CreateTouchpoint(ctx, newTouchpoint(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "touchpoint-maturity", Method: http.MethodGet, Path: "/api/v1/touchpoints/maturity",
		Summary: "Touchpoint maturity",
		Description: "The tenant's touchpoints over the last `days` days in the tenant's time zone (today included): coverage (active touchpoints by type and " +
			"channel, stores with a touchpoint and with one that sent events), connection (touchpoints active, connected — events stored " +
			"in the window — and seen in the last 24 hours) and data quality (events stored, refused by validation, attached to a " +
			"customer). Each touchpoint gets a level — registered (no events), connected, identified (≥ 50% of its events attached to " +
			"a customer), mature (≥ 80% attached, ≤ 1% refused, events on ≥ 80% of the window's days since it was registered) — " +
			"and the gaps that keep it from the next: no_events, low_identified, high_rejection, irregular, disabled.",
		Tags: tags, Security: read,
	}, func(ctx context.Context, in *maturityInput) (*httpapi.Body[MaturityResponse], error) {
		return httpapi.Reply(maturityResponse)(s.TouchpointMaturity(ctx, in.Days))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-touchpoint", Method: http.MethodGet, Path: "/api/v1/touchpoints/{id}",
		Summary: "Get a touchpoint with its health", Tags: tags, Security: read,
	}, func(ctx context.Context, in *touchpointIDInput) (*httpapi.Body[TouchpointResponse], error) {
		return httpapi.Reply(touchpointResponse)(s.FindTouchpointByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-touchpoint", Method: http.MethodPatch, Path: "/api/v1/touchpoints/{id}",
		Summary: "Update a touchpoint", Description: "A disabled touchpoint's events are refused.",
		Tags: tags, Security: write,
	}, func(ctx context.Context, in *touchpointUpdateInput) (*httpapi.Body[TouchpointResponse], error) {
		return httpapi.Reply(touchpointResponse)(s.UpdateTouchpoint(ctx, in.ID, touchpointUpdate(in.Body)))
	})

	jsonSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[EventIngestRequest](), true, "")
	huma.Register(api, huma.Operation{
		OperationID: "ingest-events", Method: http.MethodPost, Path: "/api/v1/events",
		Summary: "Ingest customer events",
		Description: "Stores events sent by one active touchpoint. application/json: {\"touchpoint\": CODE, \"events\": [...]} with at most " +
			"1,000 events, stored in one transaction. application/x-ndjson: one event per line, touchpoint as a query parameter, " +
			"committed in transactions of 1,000 events; on any error response retry the whole request (stored events come back as " +
			"duplicates). Each event is validated on its own: invalid ones are listed with their index and reason, events whose id " +
			"the touchpoint already stored are counted as duplicates (event ids are unique per touchpoint). A 200 means the accepted events are durable; " +
			"`events` lists every stored event (accepted now or before) with the id of its One ID customer. An event may name its own `touchpoint` " +
			"(relays, keys entitled to several touchpoints); a touchpoint's own key may send only its own (403 naming the event). A request whose " +
			"every event is rejected stores nothing and answers 422 with one error per event (location body.events[i].field, or line[i].field). Body at most 16 MiB.",
		Tags: tags, Security: httpapi.Secured(auth.EventsIngest), MaxBodyBytes: MaxIngestBytes,
		// The schema documents the JSON shape; each event is validated on its own by the
		// service, so that one bad event does not refuse the batch.
		SkipValidateBody: true,
		RequestBody:      &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: jsonSchema}}},
	}, func(ctx context.Context, in *eventIngestInput) (*httpapi.Body[EventIngestResponse], error) {
		r, err := s.ingest(ctx, in)
		if ae, ok := errors.AsType[*AllRejectedError](err); ok {
			return nil, allRejectedProblem(ae.Report, in.ContentType)
		}
		return httpapi.Reply(ingestResponse)(r, err)
	})
	huma.Register(api, huma.Operation{
		OperationID: "issue-touchpoint-key", Method: http.MethodPost, Path: "/api/v1/touchpoints/{id}/api-keys",
		Summary:     "Issue a credential for a touchpoint",
		Description: "Creates an API key holding events:ingest that can send events for this touchpoint only; the secret is in this response only. Revoke it like any key (DELETE /api/v1/api-keys/{id}). Needs touchpoints:write and api_keys:write over the whole tenant, and events:ingest (a key is granted only scopes its maker holds).",
		Tags:        tags, Security: httpapi.Secured(auth.TouchpointsWrite, auth.APIKeysWrite, auth.EventsIngest), DefaultStatus: http.StatusCreated, Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, in *touchpointKeyInput) (*httpapi.Body[TouchpointKeyResponse], error) {
		return httpapi.Reply(func(k IssuedKey) TouchpointKeyResponse { return touchpointKeyResponse(k, in.ID) })(s.IssueTouchpointKey(ctx, in.ID, in.Body.Name))
	})
	s.registerCustomer360(api, tags) // before registerCustomers: /customers/search ahead of /customers/{id}
	s.registerCustomers(api, tags)
	s.registerRules(api, tags)
	s.registerEventSchema(api, tags)
	s.registerPrivacy(api, tags)
	s.registerAccessLog(api, tags)
	s.registerIdentityMap(api, tags)
}

type touchpointKeyInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body TouchpointKeyRequest
}

// TouchpointKeyRequest names a touchpoint's new credential.
type TouchpointKeyRequest struct {
	Name string `json:"name,omitempty" maxLength:"100" doc:"Defaults to the touchpoint's name and code."`
}

// TouchpointKeyResponse is a new touchpoint credential; secret is shown only here.
type TouchpointKeyResponse struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Prefix       string   `json:"prefix"`
	Secret       string   `json:"secret" doc:"The bearer token (or_live_…); store it in the touchpoint's configuration, it is not shown again."`
	Scopes       []string `json:"scopes" nullable:"false"`
	TouchpointID string   `json:"touchpoint_id"`
}

func touchpointKeyResponse(k IssuedKey, touchpointID string) TouchpointKeyResponse {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return TouchpointKeyResponse{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Secret: k.Secret, Scopes: scopes, TouchpointID: touchpointID}
}

// allRejectedProblem is the 422 of a request whose every event was rejected: one
// error per event, located at body.events[i].field (JSON) or line[i].field (NDJSON).
func allRejectedProblem(r IngestReport, contentType string) error {
	prefix := "body.events"
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/x-ndjson" {
		prefix = "line"
	}
	model := &huma.ErrorModel{Type: httpapi.ProblemTypePrefix + string(errs.Invalid), Title: http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("every event was rejected (%d); nothing was stored", len(r.Rejected))}
	for _, x := range r.Rejected {
		loc := fmt.Sprintf("%s[%d]", prefix, x.Index)
		if x.Field != "" {
			loc += "." + x.Field
		}
		model.Errors = append(model.Errors, &huma.ErrorDetail{Location: loc, Message: x.Reason})
	}
	return model
}
