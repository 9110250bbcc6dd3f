package identity

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// StoreFinder finds a store visible to the principal in ctx; errs.NotFound otherwise.
// The org domain satisfies it; identity uses it to check a touchpoint's store and to
// resolve a data scope to its stores.
type StoreFinder interface {
	StoreExists(ctx context.Context, storeID string) error
	// StoreCount returns how many stores the caller may see (touchpoint maturity's
	// coverage); errs.Forbidden when it may see none.
	StoreCount(ctx context.Context) (int, error)
	// ScopeStoreIDs returns the ids of the stores inside the data scope of the
	// principal in ctx (its brand's or region's stores), whatever scopes it holds:
	// the customers a brand- or region-scoped principal sees are those of these
	// stores.
	ScopeStoreIDs(ctx context.Context) ([]string, error)
}

// KeyIssuer makes API keys (the org domain's): a touchpoint's credential is a key
// bound to the touchpoint.
type KeyIssuer interface {
	// IssueTouchpointKey creates a key named name that holds scopes and belongs to
	// the touchpoint; the secret is returned once.
	IssueTouchpointKey(ctx context.Context, name, touchpointID string, scopes []auth.Scope) (IssuedKey, error)
}

// StoredResponses keeps the responses of requests sent with an Idempotency-Key for
// replay (the HTTP platform's, httpapi.Idempotency); handlers note the customers a
// response concerns with httpapi.NoteSubjects.
type StoredResponses interface {
	// ForgetSubjects withholds, in tx, the stored responses of the tenant that concern
	// one of subjects (customer ids) and returns how many it withheld.
	ForgetSubjects(ctx context.Context, tx *sql.Tx, tenantID string, subjects []string) (int64, error)
}

// IssuedKey is a new touchpoint credential; Secret is shown only once.
type IssuedKey struct {
	ID     string
	Name   string
	Prefix string
	Secret string
	Scopes []auth.Scope
}

// TouchpointType is the family of a touchpoint.
type TouchpointType string

// Touchpoint types.
const (
	TypeOnline     TouchpointType = "online"
	TypeOffline    TouchpointType = "offline"
	TypeCommercial TouchpointType = "commercial"
	TypeSocial     TouchpointType = "social"
)

// Valid reports whether t is a known touchpoint type.
func (t TouchpointType) Valid() bool {
	return t == TypeOnline || t == TypeOffline || t == TypeCommercial || t == TypeSocial
}

// Channel is the concrete system a touchpoint is, such as pos or wechat_mini_program.
type Channel string

// Channels lists every known channel, in a stable order.
func Channels() []Channel {
	return []Channel{"pos", "self_checkout", "smart_cart", "app", "wechat_mini_program", "wechat_official_account",
		"tmall", "jd", "meituan", "eleme", "associate_app", "in_store_screen", "web", "other"}
}

// channelNames lists the channels, comma-separated (error messages name them rather
// than echo what was sent).
func channelNames() string {
	names := make([]string, 0, len(Channels()))
	for _, c := range Channels() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels() {
		if c == k {
			return true
		}
	}
	return false
}

// Status is whether a touchpoint may send events.
type Status string

// Touchpoint statuses.
const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusActive || s == StatusDisabled }

// Health is what a touchpoint sent recently. Days are the tenant's days (midnight to
// midnight in its time zone, see TenantZones) of the time events were received (not
// of occurred_at).
type Health struct {
	EventsToday   int64      // events stored today
	RejectedToday int64      // events refused by validation today
	LastSeenAt    *time.Time // last ingestion request naming the touchpoint, nil if never
}

// Touchpoint is one registered source of customer events.
type Touchpoint struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	Type      TouchpointType
	Channel   Channel
	StoreID   string // empty when the touchpoint belongs to no store
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
	Health    Health
}

// NewTouchpoint is the input of CreateTouchpoint.
type NewTouchpoint struct {
	Code    string
	Name    string
	Type    TouchpointType
	Channel Channel
	StoreID string
	Status  Status // default active
}

// Validate checks the fields and returns an errs.Invalid error naming the first bad one.
func (n NewTouchpoint) Validate() error {
	if !bizcode.Valid(n.Code) {
		return errs.Field("body.code", "must be 1 to 64 letters, digits, '.', '_' or '-'")
	}
	if err := validName(n.Name); err != nil {
		return err
	}
	if !n.Type.Valid() {
		return errs.Field("body.type", "must be online, offline, commercial or social")
	}
	if !n.Channel.Valid() {
		return errs.Field("body.channel", "unknown channel %q", n.Channel)
	}
	if len(n.StoreID) > 64 || !utf8.ValidString(n.StoreID) {
		return errs.Field("body.store_id", "must be at most 64 characters of valid UTF-8")
	}
	if !n.Status.Valid() {
		return errs.Field("body.status", "must be active or disabled")
	}
	return nil
}

func validName(name string) error {
	if name == "" {
		return errs.Field("body.name", "is required")
	}
	if utf8.RuneCountInString(name) > 100 {
		return errs.Field("body.name", "longer than 100 characters")
	}
	return nil
}

// TouchpointUpdate changes a touchpoint; nil fields stay unchanged. An empty StoreID
// detaches the touchpoint from its store.
type TouchpointUpdate struct {
	Code    *string
	Name    *string
	Type    *TouchpointType
	Channel *Channel
	StoreID *string
	Status  *Status
}

// Validate checks the fields that are set; errs.Invalid naming the first bad one.
func (u TouchpointUpdate) Validate() error {
	n := NewTouchpoint{Code: "x", Name: "x", Type: TypeOnline, Channel: "other", Status: StatusActive}
	if u.Code != nil {
		n.Code = *u.Code
	}
	if u.Name != nil {
		n.Name = *u.Name
	}
	if u.Type != nil {
		n.Type = *u.Type
	}
	if u.Channel != nil {
		n.Channel = *u.Channel
	}
	if u.StoreID != nil {
		n.StoreID = *u.StoreID
	}
	if u.Status != nil {
		n.Status = *u.Status
	}
	return n.Validate()
}

// TouchpointFilter selects touchpoints; the page is ordered by id.
type TouchpointFilter struct {
	Status  Status
	Channel Channel
	StoreID string
	Q       string // part of the code or name, case-insensitive
	Limit   int
	Cursor  string
}

func trimPtr(ps ...*string) {
	for _, p := range ps {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
}

// Ingestion limits.
const (
	MaxBatchEvents   = 1000     // events in one JSON request, and in one NDJSON transaction
	MaxIngestBytes   = 16 << 20 // request body of POST /api/v1/events
	MaxEventBytes    = 64 << 10 // one event (one NDJSON line)
	maxIdentifiers   = 20
	maxEventIDLen    = 128
	maxPropertyBytes = 32 << 10
	maxProfileRunes  = 200
	futureTolerance  = time.Hour // occurred_at may be at most this far ahead of the server clock
)

// Event is one validated customer event: identifiers are normalised and keyed by
// their graph type name; properties is a compact JSON object.
type Event struct {
	ID          string
	Touchpoint  string // code of the touchpoint that sent it when the event names one; empty: the batch's
	Type        string
	OccurredAt  time.Time
	Identifiers map[string]string
	Properties  json.RawMessage
}

// Rejection says why the event at Index of a batch was refused. Field names the
// event's field (for example "identifiers.phone"); it is empty when the event is
// not a JSON object.
type Rejection struct {
	Index  int
	Field  string
	Reason string
}

// IngestReport is the outcome of one ingestion request: Accepted events were stored,
// Duplicates had an id the touchpoint already stored (or repeated within the request)
// and were ignored, Rejected failed validation. Events lists every stored event of the
// request (accepted, or stored before) with its customer, in request order.
type IngestReport struct {
	Accepted   int
	Duplicates int
	Rejected   []Rejection
	Events     []IngestedEvent
}

// IngestedEvent is one event of an ingestion request that the touchpoint holds:
// stored by this request, or (Duplicate) by an earlier one. CustomerID is the live
// customer the event is attached to now; empty when it carries no linking identifier.
type IngestedEvent struct {
	Index      int
	Touchpoint string // touchpoint code
	ID         string
	CustomerID string
	Duplicate  bool
}

var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

var eventFields = []string{"id", "touchpoint", "type", "occurred_at", "identifiers", "properties"}

// ParseEvent decodes and validates one event in JSON. now bounds occurred_at (at most
// an hour ahead). It returns the event, or the field and reason of the first problem.
func ParseEvent(raw []byte, now time.Time) (Event, string, string) {
	if len(raw) > MaxEventBytes {
		return Event{}, "", fmt.Sprintf("event larger than %d bytes", MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return Event{}, "", "not valid UTF-8"
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Event{}, "", "must be a JSON object"
	}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		if !slices.Contains(eventFields, k) {
			return Event{}, pii.MaskFreeText(k), "unknown field"
		}
	}
	var e Event
	var ok bool
	if e.ID, ok = jsonString(m["id"]); !ok || e.ID == "" {
		return Event{}, "id", "is required and must be a string"
	}
	if utf8.RuneCountInString(e.ID) > maxEventIDLen || strings.ContainsFunc(e.ID, unicode.IsControl) || strings.TrimSpace(e.ID) != e.ID {
		return Event{}, "id", fmt.Sprintf("must be at most %d characters without control characters or surrounding spaces", maxEventIDLen)
	}
	if raw, named := m["touchpoint"]; named {
		// A relay or an integration key entitled to several touchpoints names each
		// event's touchpoint; the service checks that the caller may send for it.
		if e.Touchpoint, ok = jsonString(raw); !ok || !bizcode.Valid(e.Touchpoint) {
			return Event{}, "touchpoint", "must be the code of a touchpoint (letters, digits, '.', '_' or '-')"
		}
	}
	if e.Type, ok = jsonString(m["type"]); !ok || !eventTypePattern.MatchString(e.Type) {
		return Event{}, "type", "is required and must be snake_case (a-z, 0-9, _), at most 64 characters"
	}
	// Ids and types are references and labels shown to every reader of customers
	// (decision 0015): personal data has no place in them.
	if pii.LooksPersonal(e.ID) {
		return Event{}, "id", "must not be a phone number, e-mail address or identity card number: event ids are shown to every reader"
	}
	if pii.MaskFreeText(e.Type) != e.Type {
		return Event{}, "type", "must not hold a phone number or identity card number: event types are shown to every reader"
	}
	at, ok := jsonString(m["occurred_at"])
	if !ok {
		return Event{}, "occurred_at", "is required and must be an RFC 3339 string"
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return Event{}, "occurred_at", "must be an RFC 3339 timestamp such as 2026-03-01T08:00:00+08:00"
	}
	if t.After(now.Add(futureTolerance)) {
		return Event{}, "occurred_at", "is more than an hour in the future"
	}
	if t.Year() < 2000 {
		return Event{}, "occurred_at", "is before 2000"
	}
	e.OccurredAt = t.UTC()
	if field, reason := parseIdentifiers(m["identifiers"], &e); reason != "" {
		return Event{}, field, reason
	}
	if field, reason := parseProperties(m["properties"], &e); reason != "" {
		return Event{}, field, reason
	}
	return e, "", ""
}

// jsonString returns the string a JSON value holds. raw is part of a document the
// caller already decoded (so valid JSON): a quoted value without escapes is its own
// content (when valid UTF-8, which the decoder would repair), which spares the
// decoder for nearly every value ingestion reads.
func jsonString(raw json.RawMessage) (string, bool) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		if c := raw[1 : n-1]; bytes.IndexByte(c, '\\') < 0 && bytes.IndexByte(c, '"') < 0 && utf8.Valid(c) {
			return string(c), true
		}
	}
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func parseIdentifiers(raw json.RawMessage, e *Event) (string, string) {
	e.Identifiers = map[string]string{}
	if raw == nil || string(raw) == "null" {
		return "", ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "identifiers", "must be an object of identifier type to string value"
	}
	if len(m) > maxIdentifiers {
		return "identifiers", fmt.Sprintf("more than %d identifiers", maxIdentifiers)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		field := "identifiers." + k
		t, err := graph.ParseType(k)
		if err != nil {
			return "identifiers." + pii.MaskFreeText(k), "unknown identifier type"
		}
		v, ok := jsonString(m[k])
		if !ok {
			return field, "must be a string"
		}
		n, err := graph.Normalize(t, v)
		if err != nil {
			var ee *errs.Error
			if errors.As(err, &ee) {
				return field, ee.Message
			}
			return field, "invalid value"
		}
		e.Identifiers[k] = n
	}
	return "", ""
}

func parseProperties(raw json.RawMessage, e *Event) (string, string) {
	if raw == nil || string(raw) == "null" {
		e.Properties = json.RawMessage("{}")
		return "", ""
	}
	// raw is valid JSON (part of the decoded event): it is an object if it opens with a
	// brace.
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return "properties", "must be an object"
	}
	// The profile fields (name, gender, birthday, city, address) are checked when the
	// profile is filled (profile.go): a bad value is ignored there, not the event.
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "properties", "must be an object"
	}
	if b.Len() > maxPropertyBytes {
		return "properties", fmt.Sprintf("larger than %d bytes", maxPropertyBytes)
	}
	e.Properties = b.Bytes()
	return "", ""
}
