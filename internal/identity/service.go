package identity

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// Service is the identity domain's use cases. Every method acts for the principal in
// ctx (auth.FromContext; auth.System for background work) and within its tenant.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	stores StoreFinder
	keys   KeyIssuer
	pii    *pii.Keys
	zones  *tenantCache[*time.Location]
	// tenantZones gives tenants' time zones; nil: Asia/Shanghai for every tenant.
	tenantZones TenantZones
	rules       *tenantCache[graph.Rules]
	schema      *tenantCache[pii.AllowList]
	// responses forgets stored replay responses on erasure (nil: none are kept).
	responses StoredResponses
	// limiter counts customer look-ups per principal under limits (LimitLookups);
	// nil: not limited.
	limiter *ratelimit.Limiter
	limits  LookupLimits
}

// NewService returns the identity service. stores checks the store of a touchpoint,
// issuer makes touchpoint credentials, and keys seal and index the personal data the
// service keeps.
func NewService(d *db.DB, outbox *events.Outbox, audit *audit.Log, c clock.Clock, stores StoreFinder, issuer KeyIssuer, keys *pii.Keys) *Service {
	s := &Service{db: d, outbox: outbox, audit: audit, clock: c, stores: stores, keys: issuer, pii: keys, rules: newTenantCache(c, tenantRules),
		schema: newTenantCache(c, tenantSchema)}
	s.zones = newTenantCache(c, func(ctx context.Context, _ db.Querier, tenantID string) (*time.Location, error) {
		if s.tenantZones == nil {
			return time.LoadLocation(DefaultTimeZone)
		}
		return s.tenantZones.TenantTimeZone(ctx, tenantID)
	})
	return s
}

// DefaultTimeZone is a tenant's time zone when no TenantZones is set.
const DefaultTimeZone = "Asia/Shanghai"

// TenantZones is what the identity service needs to count a tenant's days
// ("today" on touchpoint health, the maturity window): the tenant's time zone.
type TenantZones interface {
	TenantTimeZone(ctx context.Context, tenantID string) (*time.Location, error)
}

// SetTenantZones makes days follow each tenant's time zone from z; call it while
// wiring, before the service serves.
func (s *Service) SetTenantZones(z TenantZones) { s.tenantZones = z }

// day returns the day number of t in the tenant's time zone (see localDay).
func (s *Service) day(ctx context.Context, tenantID string, t time.Time) (int64, error) {
	loc, err := s.zones.get(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return 0, fmt.Errorf("identity: tenant time zone: %w", err)
	}
	return localDay(t, loc), nil
}

// SetStoredResponses makes erasure withhold the responses that r (the HTTP
// platform's idempotency store) keeps for replay and that concern the erased
// customers. Call it before serving.
func (s *Service) SetStoredResponses(r StoredResponses) { s.responses = r }

// Page limits.
const (
	defaultLimit = 50
)

// now returns the current time at the millisecond precision it is stored with.
func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

// writer is a tenant-wide principal holding touchpoints:write.
func writer(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.TouchpointsWrite, "changing touchpoints")
}

// touchpointReader is a tenant-wide principal holding touchpoints:read: the registry,
// its health and its maturity span every store of the tenant.
func touchpointReader(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireTenantWide(ctx, auth.TouchpointsRead, "reading touchpoints")
}

// record writes the audit entry and the outbox event of a change in tx.
func (s *Service) record(ctx context.Context, tx *sql.Tx, tenantID, action, resourceID string, changes any, eventType string, payload any) error {
	if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: tenantID, Action: action, ResourceType: "touchpoint", ResourceID: resourceID, Changes: changes}); err != nil {
		return err
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, eventType, resourceID, payload)
	return err
}

func codeConflict(code string) error {
	return &errs.Error{Code: errs.Conflict, Field: "body.code", Message: fmt.Sprintf("a touchpoint with code %s already exists", code)}
}

// checkStore turns an unknown or invisible store into an invalid body.store_id.
func (s *Service) checkStore(ctx context.Context, storeID string) error {
	if storeID == "" {
		return nil
	}
	err := s.stores.StoreExists(ctx, storeID)
	if errs.Is(err, errs.NotFound) {
		return errs.Field("body.store_id", "no such store")
	}
	return err
}

// CreateTouchpoint registers a touchpoint. Errors: invalid (fields, unknown store),
// conflict (code taken), unauthorized, forbidden.
func (s *Service) CreateTouchpoint(ctx context.Context, n NewTouchpoint) (Touchpoint, error) {
	p, err := writer(ctx)
	if err != nil {
		return Touchpoint{}, err
	}
	n.Code, n.Name, n.StoreID = strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.StoreID)
	if n.Status == "" {
		n.Status = StatusActive
	}
	if err := n.Validate(); err != nil {
		return Touchpoint{}, err
	}
	if err := s.checkStore(ctx, n.StoreID); err != nil {
		return Touchpoint{}, fmt.Errorf("identity: create touchpoint: %w", err)
	}
	now := s.now()
	tp := Touchpoint{ID: ids.New(), TenantID: p.TenantID, Code: n.Code, Name: n.Name, Type: n.Type, Channel: n.Channel,
		StoreID: n.StoreID, Status: n.Status, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertTouchpoint(ctx, tx, tp); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict(tp.Code)
			}
			return err
		}
		ev := touchpointEvent(tp)
		return s.record(ctx, tx, p.TenantID, "touchpoint.create", tp.ID, ev, EventTouchpointCreated, ev)
	})
	if err != nil {
		return Touchpoint{}, fmt.Errorf("identity: create touchpoint: %w", err)
	}
	return tp, nil
}

// UpdateTouchpoint changes a touchpoint. Errors: not_found, invalid (fields, unknown
// store), conflict (code taken), unauthorized, forbidden.
func (s *Service) UpdateTouchpoint(ctx context.Context, id string, u TouchpointUpdate) (Touchpoint, error) {
	p, err := writer(ctx)
	if err != nil {
		return Touchpoint{}, err
	}
	if !utf8.ValidString(id) {
		return Touchpoint{}, errs.E(errs.NotFound, "touchpoint not found")
	}
	trimPtr(u.Code, u.Name, u.StoreID)
	if err := u.Validate(); err != nil {
		return Touchpoint{}, err
	}
	if u.StoreID != nil {
		if err := s.checkStore(ctx, *u.StoreID); err != nil {
			return Touchpoint{}, fmt.Errorf("identity: update touchpoint: %w", err)
		}
	}
	var next Touchpoint
	today, err := s.day(ctx, p.TenantID, s.clock.Now())
	if err != nil {
		return Touchpoint{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getTouchpoint(ctx, tx, p.TenantID, id, today, forUpdate(s.db.Dialect))
		if err != nil {
			return err
		}
		next = cur
		setIf(&next.Code, u.Code)
		setIf(&next.Name, u.Name)
		setIf(&next.Type, u.Type)
		setIf(&next.Channel, u.Channel)
		setIf(&next.StoreID, u.StoreID)
		setIf(&next.Status, u.Status)
		next.UpdatedAt = s.now()
		if err := updateTouchpointRow(ctx, tx, next); err != nil {
			if db.IsUniqueViolation(err) {
				return codeConflict(next.Code)
			}
			return err
		}
		changes := map[string]any{"before": touchpointEvent(cur), "after": touchpointEvent(next)}
		return s.record(ctx, tx, p.TenantID, "touchpoint.update", id, changes, EventTouchpointUpdated, touchpointEvent(next))
	})
	if err != nil {
		return Touchpoint{}, fmt.Errorf("identity: update touchpoint: %w", err)
	}
	return next, nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// FindTouchpointByID returns a touchpoint with its health. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindTouchpointByID(ctx context.Context, id string) (Touchpoint, error) {
	p, err := touchpointReader(ctx)
	if err != nil {
		return Touchpoint{}, err
	}
	if !utf8.ValidString(id) {
		return Touchpoint{}, errs.E(errs.NotFound, "touchpoint not found")
	}
	today, err := s.day(ctx, p.TenantID, s.clock.Now())
	if err != nil {
		return Touchpoint{}, err
	}
	t, err := getTouchpoint(ctx, s.db.Reader(), p.TenantID, id, today, "")
	if err != nil {
		return Touchpoint{}, fmt.Errorf("identity: find touchpoint: %w", err)
	}
	return t, nil
}

// FindTouchpoints returns the tenant's touchpoints matching f, ordered by id, each
// with its health. Errors: invalid (cursor, status, channel), unauthorized, forbidden.
func (s *Service) FindTouchpoints(ctx context.Context, f TouchpointFilter) (httpapi.Page[Touchpoint], error) {
	p, err := touchpointReader(ctx)
	if err != nil {
		return httpapi.Page[Touchpoint]{}, err
	}
	if err := validTouchpointFilter(f); err != nil {
		return httpapi.Page[Touchpoint]{}, err
	}
	today, err := s.day(ctx, p.TenantID, s.clock.Now())
	if err != nil {
		return httpapi.Page[Touchpoint]{}, err
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]Touchpoint, error) {
		return findTouchpoints(ctx, s.db.Reader(), s.db.Like(), p.TenantID, f, today, after, n)
	}, func(t Touchpoint) string { return t.ID })
	if err != nil {
		return httpapi.Page[Touchpoint]{}, fmt.Errorf("identity: find touchpoints: %w", err)
	}
	return page, nil
}

// ingestTouchpoint returns the active touchpoint named code for an ingestion caller.
// field is where the code came from ("body.touchpoint" or "query.touchpoint").
func (s *Service) ingestTouchpoint(ctx context.Context, p *auth.Principal, code, field string) (Touchpoint, error) {
	if code == "" {
		return Touchpoint{}, errs.Field(field, "is required")
	}
	if !bizcode.Valid(code) {
		return Touchpoint{}, errs.Field(field, "no such touchpoint")
	}
	t, err := getTouchpointByCode(ctx, s.db.Reader(), p.TenantID, code, 0)
	if errs.Is(err, errs.NotFound) {
		return Touchpoint{}, errs.Field(field, "no such touchpoint")
	}
	if err != nil {
		return Touchpoint{}, err
	}
	if t.Status != StatusActive {
		return Touchpoint{}, errs.Field(field, "touchpoint %s is disabled", code)
	}
	if p.TouchpointID != "" && p.TouchpointID != t.ID {
		return Touchpoint{}, errs.E(errs.Forbidden, "this API key belongs to another touchpoint and cannot send events for %s", code)
	}
	return t, nil
}

// IssueTouchpointKey makes a credential for the touchpoint: an API key holding
// events:ingest that can send events for this touchpoint only. The secret is in the
// result once. Errors: not_found, unauthorized, forbidden (needs touchpoints:write
// over the whole tenant, and the key management rights of the org domain).
func (s *Service) IssueTouchpointKey(ctx context.Context, id, name string) (IssuedKey, error) {
	p, err := writer(ctx)
	if err != nil {
		return IssuedKey{}, err
	}
	if !utf8.ValidString(id) {
		return IssuedKey{}, errs.E(errs.NotFound, "touchpoint not found")
	}
	today, err := s.day(ctx, p.TenantID, s.clock.Now())
	if err != nil {
		return IssuedKey{}, err
	}
	tp, err := getTouchpoint(ctx, s.db.Reader(), p.TenantID, id, today, "")
	if err != nil {
		return IssuedKey{}, fmt.Errorf("identity: issue touchpoint key: %w", err)
	}
	if name = strings.TrimSpace(name); name == "" {
		name = tp.Name + " (" + tp.Code + ")"
	}
	k, err := s.keys.IssueTouchpointKey(ctx, name, tp.ID, []auth.Scope{auth.EventsIngest})
	if err != nil {
		return IssuedKey{}, fmt.Errorf("identity: issue key for touchpoint %s: %w", tp.Code, err)
	}
	return k, nil
}

// Ingest validates and stores a batch of at most MaxBatchEvents events (each raw
// JSON) in one transaction that also updates the touchpoints' health. Each event is
// sent by the touchpoint it names (its touchpoint field, for relays and keys
// entitled to several touchpoints) or else by the one with code touchpointCode.
// Invalid events, and events naming an unknown or disabled touchpoint, are reported
// by index; events whose id their touchpoint already stored are counted as
// duplicates. The report lists every stored event of the batch with its customer.
// When Ingest returns without error, the accepted events are durable. Errors:
// invalid (touchpoint missing, unknown or disabled; too many events; every event
// rejected — the error carries the report), unauthorized, forbidden (a touchpoint's
// own key naming another touchpoint, for the batch or for an event).
func (s *Service) Ingest(ctx context.Context, touchpointCode string, raw []json.RawMessage) (IngestReport, error) {
	// Events come from touchpoints of any store (a touchpoint's own key is bound to its
	// touchpoint below): a brand, region or store user may not send them.
	p, err := auth.RequireTenantWide(ctx, auth.EventsIngest, "sending events")
	if err != nil {
		return IngestReport{}, err
	}
	if len(raw) > MaxBatchEvents {
		return IngestReport{}, errs.Field("body.events", "more than %d events; send larger batches as NDJSON", MaxBatchEvents)
	}
	in, err := s.newIngestion(ctx, p, touchpointCode, "body.touchpoint")
	if err != nil {
		return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
	}
	report := IngestReport{Rejected: []Rejection{}, Events: []IngestedEvent{}}
	b := newBatcher(map[eventKey]bool{}, s.pii)
	for i, r := range raw {
		b.add(i, r, s.clock.Now(), &report)
	}
	if err := s.commit(ctx, in, b, &report, "body.events"); err != nil {
		return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
	}
	return report.done()
}

// IngestNDJSON is Ingest for newline-delimited JSON read from r: one event per line,
// blank lines skipped, Index being the zero-based line number. Events are committed in
// transactions of MaxBatchEvents lines; on an error some chunks may already be stored,
// and a client retries the whole request (stored events then come back as
// duplicates). Errors: as Ingest, and invalid (nothing stored) when a line is longer
// than MaxEventBytes.
func (s *Service) IngestNDJSON(ctx context.Context, touchpointCode string, r io.Reader) (IngestReport, error) {
	p, err := auth.Require(ctx, auth.EventsIngest)
	if err != nil {
		return IngestReport{}, err
	}
	in, err := s.newIngestion(ctx, p, touchpointCode, "query.touchpoint")
	if err != nil {
		return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxIngestBytes+1))
	if err != nil {
		return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
	}
	if len(body) > MaxIngestBytes {
		return IngestReport{}, errs.E(errs.Invalid, "body larger than %d bytes", MaxIngestBytes)
	}
	lines := bytes.Split(body, []byte("\n"))
	for i, l := range lines {
		if len(l) > MaxEventBytes {
			return IngestReport{}, errs.E(errs.Invalid, "line %d is longer than %d bytes; nothing was stored", i, MaxEventBytes)
		}
	}
	report := IngestReport{Rejected: []Rejection{}, Events: []IngestedEvent{}}
	seen := map[eventKey]bool{}
	b := newBatcher(seen, s.pii)
	for i, l := range lines {
		raw := bytes.TrimSpace(l)
		if len(raw) == 0 {
			continue
		}
		b.add(i, raw, s.clock.Now(), &report)
		if b.size() >= MaxBatchEvents {
			if err := s.commit(ctx, in, b, &report, "line"); err != nil {
				return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
			}
			b = newBatcher(seen, s.pii)
		}
	}
	if err := s.commit(ctx, in, b, &report, "line"); err != nil {
		return IngestReport{}, fmt.Errorf("identity: ingest: %w", err)
	}
	return report.done()
}

// done orders the report by index and refuses a request whose every event was
// rejected: nothing was stored, and a 200 would hide that from a client that only
// checks the status (422, the report in the error's details).
func (r IngestReport) done() (IngestReport, error) {
	slices.SortStableFunc(r.Rejected, func(a, b Rejection) int { return a.Index - b.Index })
	slices.SortStableFunc(r.Events, func(a, b IngestedEvent) int { return a.Index - b.Index })
	if len(r.Rejected) > 0 && r.Accepted == 0 && r.Duplicates == 0 {
		return r, &AllRejectedError{Report: r}
	}
	return r, nil
}

// AllRejectedError is returned by Ingest and IngestNDJSON when every event of a
// request was rejected; Report holds the per-event reasons. It is errs.Invalid.
type AllRejectedError struct{ Report IngestReport }

func (e *AllRejectedError) Error() string {
	return fmt.Sprintf("every event was rejected (%d); nothing was stored", len(e.Report.Rejected))
}

// Unwrap makes the error an errs.Invalid for errs.Is and the HTTP layer.
func (e *AllRejectedError) Unwrap() error {
	return &errs.Error{Code: errs.Invalid, Field: "body.events", Message: e.Error()}
}

// ingestion is what one ingestion request sends for: the caller, the request's own
// touchpoint (zero when events name theirs) and the touchpoints events named.
type ingestion struct {
	p     *auth.Principal
	field string // where the request's touchpoint comes from (body.touchpoint, query.touchpoint)
	def   Touchpoint
	named map[string]namedTouchpoint // by code
}

// namedTouchpoint is a touchpoint an event named, or why it cannot send.
type namedTouchpoint struct {
	tp     Touchpoint
	reason string // not empty: the events naming it are rejected for it
}

// newIngestion checks the request's touchpoint: required unless the caller's key
// is not bound to one (a relay then names each event's touchpoint).
func (s *Service) newIngestion(ctx context.Context, p *auth.Principal, code, field string) (*ingestion, error) {
	in := &ingestion{p: p, field: field, named: map[string]namedTouchpoint{}}
	if code == "" && p.TouchpointID == "" {
		return in, nil
	}
	tp, err := s.ingestTouchpoint(ctx, p, code, field)
	if err != nil {
		return nil, err
	}
	in.def = tp
	return in, nil
}

// touchpointOf returns the touchpoint that sends row, or the reason to reject it;
// errs.Forbidden (naming the row) when the caller's key belongs to another
// touchpoint.
func (s *Service) touchpointOf(ctx context.Context, in *ingestion, r eventRow, prefix string) (Touchpoint, string, error) {
	if r.TP == "" || (in.def.ID != "" && r.TP == in.def.Code) {
		if in.def.ID == "" {
			return Touchpoint{}, "is required: the request names no touchpoint", nil
		}
		return in.def, "", nil
	}
	n, ok := in.named[r.TP]
	if !ok {
		t, err := getTouchpointByCode(ctx, s.db.Reader(), in.p.TenantID, r.TP, 0)
		switch {
		case errs.Is(err, errs.NotFound):
			n.reason = "no such touchpoint"
		case err != nil:
			return Touchpoint{}, "", err
		case t.Status != StatusActive:
			n.reason = "touchpoint is disabled"
		default:
			n.tp = t
		}
		in.named[r.TP] = n
	}
	if n.reason == "" && in.p.TouchpointID != "" && in.p.TouchpointID != n.tp.ID {
		// A touchpoint's own key sends its own events only: the whole request is
		// refused, naming the event, rather than storing the rest.
		return Touchpoint{}, "", &errs.Error{Code: errs.Forbidden, Field: fmt.Sprintf("%s[%d].touchpoint", prefix, r.Index),
			Message: fmt.Sprintf("event %d names touchpoint %s; this API key belongs to another touchpoint and sends only its own events", r.Index, r.TP)}
	}
	return n.tp, n.reason, nil
}

// ingestLockKey names the lock the ingestion transactions of a tenant take
// (db.XactLock).
func ingestLockKey(tenantID string) string { return "identity.ingest:" + tenantID }

// raced reports whether err means that a concurrent request changed what the
// batch's resolution read, so that resolving it again can succeed.
func raced(err error) bool {
	return err != nil && (db.IsUniqueViolation(err) || errors.Is(err, errStaleResolution))
}

// batcher collects the valid events of one transaction. seen holds the events
// (touchpoint code, id) already taken in the request, so that an event repeated
// within it counts as a duplicate.
type batcher struct {
	keys     *pii.Keys
	seen     map[eventKey]bool
	rows     []eventRow
	rejected int // events rejected since the last commit
	dups     int // ids repeated within the request since the last commit
}

func newBatcher(seen map[eventKey]bool, keys *pii.Keys) *batcher {
	return &batcher{seen: seen, keys: keys}
}

func (b *batcher) size() int { return len(b.rows) + b.rejected + b.dups }

func (b *batcher) add(index int, raw []byte, now time.Time, report *IngestReport) {
	e, field, reason := ParseEvent(raw, now)
	if reason != "" {
		report.Rejected = append(report.Rejected, Rejection{Index: index, Field: field, Reason: reason})
		b.rejected++
		return
	}
	if k := (eventKey{e.Touchpoint, e.ID}); b.seen[k] {
		b.dups++
		return
	} else {
		b.seen[k] = true
	}
	idents, _ := json.Marshal(e.Identifiers) // a map of strings always marshals
	b.rows = append(b.rows, eventRow{Index: index, TP: e.Touchpoint, ID: e.ID, Type: e.Type, OccurredAt: clock.Millis(e.OccurredAt),
		Identifiers: b.keys.Seal(string(idents), eventIdentifiersContext), Properties: b.keys.Seal(string(e.Properties), eventPropertiesContext),
		Idents: e.Identifiers, Props: string(e.Properties)})
}

// commit stores b's events and their touchpoints' health in one transaction and
// adds the outcome to report. prefix names the request's events in errors
// ("body.events" or "line").
func (s *Service) commit(ctx context.Context, in *ingestion, b *batcher, report *IngestReport, prefix string) error {
	if b.size() == 0 {
		return nil
	}
	p := in.p
	if in.def.ID == "" && len(b.rows) > 0 && !slices.ContainsFunc(b.rows, func(r eventRow) bool { return r.TP != "" }) {
		return errs.Field(in.field, "is required unless every event names its touchpoint")
	}
	// Group the events by the touchpoint that sends them; an event naming one that
	// cannot send is rejected.
	groups := map[string]*ingestGroup{}
	for _, r := range b.rows {
		tp, reason, err := s.touchpointOf(ctx, in, r, prefix)
		if err != nil {
			return err
		}
		if reason != "" {
			report.Rejected = append(report.Rejected, Rejection{Index: r.Index, Field: "touchpoint", Reason: reason})
			b.rejected++
			continue
		}
		g := groups[tp.ID]
		if g == nil {
			g = &ingestGroup{tp: tp, ids: map[string]bool{}}
			groups[tp.ID] = g
		}
		if g.ids[r.ID] { // named once by its code and once by default
			b.dups++
			continue
		}
		g.ids[r.ID] = true
		g.rows = append(g.rows, r)
	}
	order := slices.Sorted(maps.Keys(groups))
	for _, g := range groups {
		slices.SortFunc(g.rows, func(x, y eventRow) int { return strings.Compare(x.ID, y.ID) })
	}
	now := s.clock.Now()
	var out []IngestedEvent
	var inserted int
	tx := func(tx *sql.Tx) error {
		out, inserted = nil, 0
		var batches []mapBatch
		// The request's rejected events count against its touchpoint, or the first
		// one its events named.
		healthOf := in.def.ID
		if healthOf == "" && len(order) > 0 {
			healthOf = order[0]
		}
		for _, id := range order {
			g := groups[id]
			rejected := 0
			if id == healthOf {
				rejected = b.rejected
			}
			evs, n, merges, err := s.commitGroup(ctx, tx, p.TenantID, g, now, rejected)
			if err != nil {
				return err
			}
			out = append(out, evs...)
			inserted += n
			batches = append(batches, mapBatch{touchpoint: g.tp.ID, events: evs, merges: merges})
		}
		if groups[healthOf] == nil && healthOf != "" && b.rejected > 0 {
			day, err := s.day(ctx, p.TenantID, now)
			if err != nil {
				return err
			}
			if err := addHealth(ctx, tx, p.TenantID, healthOf, day, 0, b.rejected, 0, clock.Millis(now)); err != nil {
				return err
			}
		}
		// Last, so that the tenant's map sequence is held only until the commit.
		return s.logBatches(ctx, tx, p.TenantID, clock.Millis(now), batches)
	}
	// A concurrent request may have linked one of the batch's new identifiers first
	// (the identifier's primary key refuses the second link), kept merging its
	// customers, or stored one of its events: the whole batch is resolved again
	// against what the other requests committed. The batches of a tenant run side by
	// side (they hold its ingestion lock shared); a batch resolved again holds it
	// exclusive — the batches in flight finish, the next ones wait — so that no other
	// batch can take its identifiers again: beside the others, a retry could lose
	// over and over. Contention is the service's problem: a batch that still cannot
	// be stored is answered 503 (retry shortly), never 500.
	var err error
	for attempt := range resolveAttempts {
		mode := db.Shared
		if attempt > 0 {
			mode = db.Exclusive
		}
		err = s.db.Tx(ctx, func(sqlTx *sql.Tx) error {
			if err := db.XactLock(ctx, sqlTx, s.db.Dialect, ingestLockKey(p.TenantID), mode); err != nil {
				return err
			}
			return tx(sqlTx)
		})
		if !raced(err) {
			break
		}
	}
	switch {
	case raced(err):
		return errors.Join(errs.E(errs.Unavailable, "concurrent requests kept changing the customers of this batch; nothing was stored, retry shortly"), err)
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return errors.Join(errs.E(errs.Unavailable, "the batch could not be stored in time under concurrent requests; retry shortly"), err)
	case err != nil:
		return err
	}
	report.Accepted += inserted
	report.Duplicates += len(out) - inserted + b.dups
	report.Events = append(report.Events, out...)
	return nil
}

// ingestGroup is the events of one transaction sent by one touchpoint.
type ingestGroup struct {
	tp   Touchpoint
	rows []eventRow // sorted by id, so that concurrent batches lock keys in one order
	ids  map[string]bool
}

// commitGroup resolves and stores g's events in tx and adds the touchpoint's health
// (rejected: the request's rejected events it counts). It returns the group's events
// the touchpoint holds, with their customers, how many it inserted and the merges
// their resolution made.
func (s *Service) commitGroup(ctx context.Context, tx *sql.Tx, tenantID string, g *ingestGroup, now time.Time, rejected int) ([]IngestedEvent, int, []string, error) {
	// Events are resolved before they are inserted, so that each is written once
	// with its customer; those the touchpoint already stored are duplicates.
	stored, err := storedEventIDs(ctx, tx, s.db.Dialect, tenantID, g.tp.ID, g.rows)
	if err != nil {
		return nil, 0, nil, err
	}
	rows := slices.DeleteFunc(slices.Clone(g.rows), func(r eventRow) bool { _, ok := stored[r.ID]; return ok })
	rules, err := s.rules.get(ctx, tx, tenantID)
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := s.loadBatchState(ctx, tx, tenantID, rows, clock.Millis(now), &rules)
	if err != nil {
		return nil, 0, nil, err
	}
	st.tp = g.tp
	links := map[string]string{}
	for _, r := range rows {
		if err := s.resolveEvent(ctx, tx, st, r, links); err != nil {
			return nil, 0, nil, err
		}
	}
	if err := s.flush(ctx, tx, st); err != nil {
		return nil, 0, nil, err
	}
	ins, err := insertEvents(ctx, tx, s.db.Dialect, tenantID, g.tp.ID, clock.Millis(now), rows, links)
	if err != nil {
		return nil, 0, nil, err
	}
	if len(ins) != len(rows) {
		return nil, 0, nil, errStaleResolution // a concurrent request stored one of these events first
	}
	out := make([]IngestedEvent, 0, len(g.rows))
	for _, r := range g.rows {
		c, dup := stored[r.ID]
		if !dup {
			c = links[r.ID]
		}
		out = append(out, IngestedEvent{Index: r.Index, Touchpoint: g.tp.Code, ID: r.ID, CustomerID: c, Duplicate: dup})
	}
	day, err := s.day(ctx, tenantID, now)
	if err != nil {
		return nil, 0, nil, err
	}
	if err := addHealth(ctx, tx, tenantID, g.tp.ID, day, len(rows), rejected, len(links), clock.Millis(now)); err != nil {
		return nil, 0, nil, err
	}
	return out, len(rows), st.merges, nil
}
