package identity

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// Customer look-up limits and the customer access log
// (docs/decisions/0017-customer-scopes-and-access-log.md).

// LookupLimits bound how often one principal (a user or an API key) may look
// customers up. Search covers customer searches and look-ups by identifier — the
// "is this phone a customer, and who" oracle; Read covers 360 reads by id and
// timeline pages. Each request counts one against its rule.
type LookupLimits struct {
	Search ratelimit.Rule
	Read   ratelimit.Rule
}

// DefaultLookupLimits lets a busy associate serve a customer every half minute all
// day (a burst of 30 searches, then one every 10 s; 120 reads, then one every 5 s)
// and stops a script after its first burst.
func DefaultLookupLimits() LookupLimits {
	return LookupLimits{
		Search: ratelimit.Rule{Limit: 30, Window: 5 * time.Minute},
		Read:   ratelimit.Rule{Limit: 120, Window: 10 * time.Minute},
	}
}

// Validate reports an errs.Invalid error for a rule that cannot be enforced.
func (l LookupLimits) Validate() error {
	if err := l.Search.Validate(); err != nil {
		return fmt.Errorf("customer search limit: %w", err)
	}
	if err := l.Read.Validate(); err != nil {
		return fmt.Errorf("customer read limit: %w", err)
	}
	return nil
}

// LimitLookups makes the service count customer look-ups per principal in limiter
// under limits (while wiring, before the service serves). Without it look-ups are
// not limited. Errors: invalid (a rule that cannot be enforced).
func (s *Service) LimitLookups(limiter *ratelimit.Limiter, limits LookupLimits) error {
	if err := limits.Validate(); err != nil {
		return err
	}
	s.limiter, s.limits = limiter, limits
	return nil
}

// The kinds of look-up a principal is limited on.
const (
	lookupSearch = "search"
	lookupRead   = "read"
)

// spendLookup counts one look-up of kind for p and returns errs.RateLimited (429
// with Retry-After) when p has none left. The platform's own work is not limited.
func (s *Service) spendLookup(ctx context.Context, p *auth.Principal, kind string) error {
	if s.limiter == nil || p.Kind == auth.SystemPrincipal {
		return nil
	}
	rule, what := s.limits.Search, "customer searches"
	if kind == lookupRead {
		rule, what = s.limits.Read, "customer reads"
	}
	d, err := s.limiter.Allow(ctx, "customer-"+kind+":"+p.TenantID+":"+string(p.Kind)+":"+p.ID, rule)
	if err != nil {
		return fmt.Errorf("identity: %s limit: %w", what, err)
	}
	return d.Err(what + " (" + rule.String() + " per user or key)")
}

// The actions recorded in the customer access log.
const (
	AccessView           = "view"            // GET /customers/{id} (the 360, identities included)
	AccessLookup         = "lookup"          // GET /customers?identifier= (the 360 of the holder)
	AccessSearchHit      = "search_hit"      // one customer found by GET /customers/search
	AccessList           = "list"            // one customer shown by GET /customers/list
	AccessTimeline       = "timeline"        // a page of GET /customers/{id}/events
	AccessConsentHistory = "consent_history" // GET /customers/{id}/consents/history
	AccessConsentRecord  = "consent_record"  // POST /customers/{id}/consents
	AccessMerge          = "merge"           // a customer merged into another, or the survivor
	AccessUnmerge        = "unmerge"         // both customers of an unmerge
	AccessExport         = "export"          // GET /customers/{id}/export (full values)
	AccessErase          = "erase"           // POST /customers/{id}/erase
)

// AccessActions lists the actions in the access log.
func AccessActions() []string {
	return []string{AccessView, AccessLookup, AccessSearchHit, AccessList, AccessTimeline, AccessConsentHistory, AccessConsentRecord,
		AccessMerge, AccessUnmerge, AccessExport, AccessErase}
}

// How personal values were shown in a recorded access.
const (
	ShownFull   = "full"   // the principal holds customers:pii
	ShownMasked = "masked" // masked (138****1234)
	ShownNone   = "none"   // the action shows no personal value (erase)
)

// shownTo says how p is shown personal values.
func shownTo(p *auth.Principal) string {
	if p.Has(auth.CustomersPII) {
		return ShownFull
	}
	return ShownMasked
}

// CustomerAccess is one entry of the customer access log: who read or acted on
// which customer, how values were shown, what a search matched (an identifier type
// or "name", never the query), and the request. It holds no personal data of the
// customer.
type CustomerAccess struct {
	ID            string
	At            time.Time
	PrincipalKind string
	PrincipalID   string
	PrincipalName string
	CustomerID    string
	Action        string
	Shown         string
	Matched       string
	RequestID     string
	ClientIP      string
}

// accessed is one customer an action touched, with what a search matched.
type accessed struct{ customer, matched string }

// logAccess records that the principal of ctx took action on the customers, in q (the
// transaction of a change, or nil for a read: then in a transaction of its own, so
// that nothing is shown that was not recorded).
func (s *Service) logAccess(ctx context.Context, tx *sql.Tx, action, shown string, customers ...accessed) error {
	p := auth.FromContext(ctx)
	if p == nil || p.Kind == auth.SystemPrincipal || len(customers) == 0 {
		return nil
	}
	now := clock.Millis(s.now())
	w := db.Rows{Head: `INSERT INTO customer_access_log (tenant_id, at, principal_kind, principal_id, principal_name, action, shown,
		request_id, client_ip, id, customer_id, matched)`, Lead: "$1, $2, $3, $4, $5, $6, $7, $8, $9",
		Fixed: []any{p.TenantID, now, string(p.Kind), p.ID, p.Name, action, shown, middleware.GetReqID(ctx), httpapi.ClientIPFrom(ctx)}}
	write := func(tx *sql.Tx) error {
		return db.WriteRows(ctx, tx, s.db.Dialect, w, customers, func(a accessed) []any { return []any{ids.New(), a.customer, a.matched} }, nil)
	}
	var err error
	if tx != nil {
		err = write(tx)
	} else {
		err = s.db.Tx(ctx, write)
	}
	if err != nil {
		return fmt.Errorf("identity: record customer access: %w", err)
	}
	return nil
}

// CustomerAccessFilter selects access log entries, newest first: by customer,
// principal and action ("" for any) and by time (From inclusive, To exclusive; zero
// for open).
type CustomerAccessFilter struct {
	CustomerID  string
	PrincipalID string
	Action      string
	From, To    time.Time
	Limit       int
	Cursor      string
}

// FindCustomerAccess returns the tenant's customer access log entries matching f,
// newest first. Errors: invalid (action, time range, cursor), unauthorized,
// forbidden (needs privacy:read over the whole tenant).
func (s *Service) FindCustomerAccess(ctx context.Context, f CustomerAccessFilter) (httpapi.Page[CustomerAccess], error) {
	p, err := auth.RequireTenantWide(ctx, auth.PrivacyRead, "reading the customer access log")
	if err != nil {
		return httpapi.Page[CustomerAccess]{}, err
	}
	if f.Action != "" && !slices.Contains(AccessActions(), f.Action) {
		return httpapi.Page[CustomerAccess]{}, errs.Field("query.action", "must be one of %s", strings.Join(AccessActions(), ", "))
	}
	for field, v := range map[string]string{"query.customer_id": f.CustomerID, "query.principal_id": f.PrincipalID} {
		if !utf8.ValidString(v) {
			return httpapi.Page[CustomerAccess]{}, errs.Field(field, "not valid UTF-8")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return httpapi.Page[CustomerAccess]{}, errs.Field("query.to", "must be after from")
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]CustomerAccess, error) {
		args := []any{p.TenantID}
		where := "tenant_id = $1"
		add := func(cond string, v any) {
			args = append(args, v)
			where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
		}
		if f.CustomerID != "" {
			add("customer_id = ?", f.CustomerID)
		}
		if f.PrincipalID != "" {
			add("principal_id = ?", f.PrincipalID)
		}
		if f.Action != "" {
			add("action = ?", f.Action)
		}
		if !f.From.IsZero() {
			add("at >= ?", clock.Millis(f.From))
		}
		if !f.To.IsZero() {
			add("at < ?", clock.Millis(f.To))
		}
		if after != "" {
			at, id, ok := strings.Cut(after, "|")
			ms, perr := strconv.ParseInt(at, 10, 64)
			if !ok || perr != nil {
				return nil, errs.Field("query.cursor", "malformed cursor")
			}
			args = append(args, ms, id)
			k := len(args)
			where += fmt.Sprintf(" AND (at < $%d OR (at = $%d AND id < $%d))", k-1, k-1, k)
		}
		args = append(args, n)
		var out []CustomerAccess
		err := db.EachRow(ctx, s.db.Reader(), `SELECT id, at, principal_kind, principal_id, principal_name, customer_id, action, shown, matched,
			request_id, client_ip FROM customer_access_log WHERE `+where+` ORDER BY at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args, func(rs *sql.Rows) error {
			var a CustomerAccess
			var at int64
			err := rs.Scan(&a.ID, &at, &a.PrincipalKind, &a.PrincipalID, &a.PrincipalName, &a.CustomerID, &a.Action, &a.Shown, &a.Matched, &a.RequestID, &a.ClientIP)
			a.At = clock.FromMillis(at)
			out = append(out, a)
			return err
		})
		return out, err
	}, func(a CustomerAccess) string { return strconv.FormatInt(clock.Millis(a.At), 10) + "|" + a.ID })
	if err != nil {
		return httpapi.Page[CustomerAccess]{}, fmt.Errorf("identity: find customer access: %w", err)
	}
	return page, nil
}

// CustomerAccessResponse is one entry of the customer access log.
type CustomerAccessResponse struct {
	ID            string    `json:"id"`
	At            time.Time `json:"at"`
	PrincipalKind string    `json:"principal_kind" enum:"user,api_key" doc:"Who: a console user or an API key."`
	PrincipalID   string    `json:"principal_id"`
	PrincipalName string    `json:"principal_name" doc:"The user's login or the key's name when the access was made."`
	CustomerID    string    `json:"customer_id" doc:"The live customer whose data was read or changed."`
	Action        string    `json:"action" enum:"view,lookup,search_hit,list,timeline,consent_history,consent_record,merge,unmerge,export,erase"`
	Shown         string    `json:"shown" enum:"full,masked,none" doc:"Whether personal values were shown in full (customers:pii), masked, or not at all."`
	Matched       string    `json:"matched,omitempty" doc:"For lookup and search_hit: the identifier type the query matched (phone, member_card, …, or name). The query itself is never kept."`
	RequestID     string    `json:"request_id,omitempty"`
	ClientIP      string    `json:"client_ip,omitempty"`
}

func customerAccessResponse(a CustomerAccess) CustomerAccessResponse {
	return CustomerAccessResponse{ID: a.ID, At: a.At, PrincipalKind: a.PrincipalKind, PrincipalID: a.PrincipalID, PrincipalName: a.PrincipalName,
		CustomerID: a.CustomerID, Action: a.Action, Shown: a.Shown, Matched: a.Matched, RequestID: a.RequestID, ClientIP: a.ClientIP}
}

type customerAccessInput struct {
	httpapi.PageParams
	CustomerID  string    `query:"customer_id" maxLength:"64" doc:"Only accesses to this customer."`
	PrincipalID string    `query:"principal_id" maxLength:"64" doc:"Only accesses by this user or API key."`
	Action      string    `query:"action" enum:"view,lookup,search_hit,list,timeline,consent_history,consent_record,merge,unmerge,export,erase,"`
	From        time.Time `query:"from" doc:"RFC 3339; accesses at or after it."`
	To          time.Time `query:"to" doc:"RFC 3339; accesses before it."`
}

// registerAccessLog adds the customer access log (privacy:read).
func (s *Service) registerAccessLog(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "list-customer-access", Method: http.MethodGet, Path: "/api/v1/customer-access-log",
		Summary: "List accesses to customers' personal data",
		Description: "Who read or acted on which customer (360, look-ups, search hits, timelines, consents, merges, export, erasure), " +
			"newest first, with whether values were shown full or masked. No personal value and no search text is kept. " +
			"Needs privacy:read over the whole tenant.",
		Tags: tags, Security: httpapi.Secured(auth.PrivacyRead),
	}, func(ctx context.Context, in *customerAccessInput) (*httpapi.Body[httpapi.Page[CustomerAccessResponse]], error) {
		return httpapi.ReplyPage(customerAccessResponse)(s.FindCustomerAccess(ctx, CustomerAccessFilter{CustomerID: in.CustomerID,
			PrincipalID: in.PrincipalID, Action: in.Action, From: in.From, To: in.To, Limit: in.Limit, Cursor: in.Cursor}))
	})
}
