// Package httpapi is the HTTP platform every domain registers its operations on: a
// chi router with the house middleware, a huma API that generates the OpenAPI
// document from the Go types, RFC 9457 problems, authentication, scopes,
// Idempotency-Key replay and cursor pagination.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/oneretail/oneretail/internal/platform/auth"
)

// SessionCookie is the name of the console session cookie.
const SessionCookie = "oneretail_session"

// APIVersion is the version of the API contract (the OpenAPI document's
// info.version); it changes with the contract, not with each build.
const APIVersion = "1.0.0"

// securityScheme is the name of the bearer scheme in the OpenAPI document.
const securityScheme = "bearer"

// Authenticator resolves a bearer token or session token into a principal. It returns
// an errs.Unauthorized error for unknown, expired or revoked tokens.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*auth.Principal, error)
}

// Options configure the HTTP platform.
type Options struct {
	Log            *slog.Logger
	Registry       *prometheus.Registry
	Auth           Authenticator
	Idempotency    *Idempotency
	RequestTimeout time.Duration // per API request; 0 means 30s
	// CORSOrigins lists origins allowed to call the API from a browser; empty means
	// CORS is off (the console is served from the same origin).
	CORSOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Forwarded-Proto are
	// believed (see ParseTrustedProxies); empty means none: the peer is the client.
	TrustedProxies []netip.Prefix
	// BodyBudget bounds the memory request bodies hold across the process, in bytes;
	// 0 means DefaultBodyBudget. A body that does not fit waits for none: it gets 503.
	BodyBudget int64
}

// Server holds the router and the huma API that domains register on.
type Server struct {
	Router chi.Router
	API    huma.API
	log    *slog.Logger
}

// New builds the router, middleware and huma API. Domains then call huma.Register on
// s.API; the caller mounts extra handlers (console, metrics) on s.Router.
func New(opts Options) *Server {
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.BodyBudget <= 0 {
		opts.BodyBudget = DefaultBodyBudget
	}
	metrics := newHTTPMetrics(opts.Registry)
	budget := &byteBudget{total: opts.BodyBudget, gauge: prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "oneretail_http_body_bytes_held", Help: "Request body memory held against the body budget.",
	})}
	opts.Registry.MustRegister(budget.gauge)
	r := chi.NewRouter()
	r.Use(withRequestInfo(proxies(opts.TrustedProxies)))
	r.Use(accessLog(opts.Log, metrics))
	r.Use(recoverer(opts.Log))
	r.Use(securityHeaders)
	if len(opts.CORSOrigins) > 0 {
		r.Use(cors(opts.CORSOrigins))
	}
	r.Use(authenticate(opts.Auth))
	r.Use(timeout(opts.RequestTimeout))
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry}))

	cfg := huma.DefaultConfig("OneRetail API", APIVersion)
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/schemas"
	cfg.CreateHooks = nil
	cfg.Transformers = []huma.Transformer{transformProblems}
	cfg.Info.Description = "OneRetail: one identity, one data, one service for every channel of a retail chain. " +
		"Errors are RFC 9457 problem+json; lists use cursor pagination; POSTs accept Idempotency-Key."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {Type: "http", Scheme: "bearer", Description: "An API key (or_live_…) or a console session token. The console also sends the session as the " + SessionCookie + " cookie."},
	}
	api := humachi.New(r, cfg)
	// The order is the point: nothing reads a body before the caller is known to hold
	// the operation's scopes, and the body is read once, within its limit and the
	// process's budget, before idempotency hashes it.
	api.UseMiddleware(noteOperation, requireScopes(api))
	gate := &bodyGate{api: api, budget: budget}
	api.UseMiddleware(gate.handle)
	if idem := opts.Idempotency; idem != nil {
		if idem.MaxRequest == 0 {
			idem.MaxRequest = opts.RequestTimeout + requestGrace
		}
		api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) { idem.handle(api, ctx, next) })
	}
	return &Server{Router: r, API: api, log: opts.Log}
}

// Secured returns the operation security requirement for the given scopes; the
// operation then answers 401 without a principal and 403 without every scope. With
// no scopes, any authenticated principal may call it.
func Secured(scopes ...auth.Scope) []map[string][]string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	return []map[string][]string{{securityScheme: names}}
}

// SecuredAny returns the security requirement of an operation that any one of the
// scopes opens (OpenAPI alternatives): 401 without a principal, 403 without all of
// them.
func SecuredAny(scopes ...auth.Scope) []map[string][]string {
	out := make([]map[string][]string, len(scopes))
	for i, s := range scopes {
		out[i] = map[string][]string{securityScheme: {string(s)}}
	}
	return out
}

// Allowed reports whether p meets one of an operation's security requirements: each
// is a set of scopes that must all be held, and the requirements are alternatives.
func Allowed(p *auth.Principal, security []map[string][]string) bool {
	for _, req := range security {
		all := true
		for _, scopes := range req {
			for _, s := range scopes {
				all = all && p.Has(auth.Scope(s))
			}
		}
		if all {
			return true
		}
	}
	return false
}

// missing names the scopes of the operation's requirements, for the 403 message.
func missing(security []map[string][]string) string {
	var alts []string
	for _, req := range security {
		for _, scopes := range req {
			alts = append(alts, strings.Join(scopes, " and "))
		}
	}
	return strings.Join(alts, " or ")
}

// requestGrace is how long past the request timeout a request may still be finishing
// (writing its response, releasing its key) before its Idempotency-Key is taken over.
const requestGrace = 30 * time.Second

// noteOperation records the operation id for the request's log line.
func noteOperation(ctx huma.Context, next func(huma.Context)) {
	if op := ctx.Operation(); op != nil {
		infoFrom(ctx.Context()).setOp(op.OperationID)
	}
	next(ctx)
}

// ProblemPasswordChangeRequired is the problem type suffix of the 403 a session gets
// while its user must change the password an administrator set; the console shows
// its change-password form on it.
const ProblemPasswordChangeRequired = "password_change_required"

// metaBeforePasswordChange is the operation metadata key set by BeforePasswordChange.
const metaBeforePasswordChange = "oneretail.before-password-change"

// BeforePasswordChange is the huma.Operation Metadata of the few operations a session
// may call while its user must change their password (auth.Principal
// PasswordChangeRequired): logging out, /me and the change itself.
func BeforePasswordChange() map[string]any { return map[string]any{metaBeforePasswordChange: true} }

func requireScopes(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if op == nil || len(op.Security) == 0 {
			next(ctx)
			return
		}
		p := auth.FromContext(ctx.Context())
		if p == nil {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="oneretail"`)
			msg := "authentication required: send Authorization: Bearer <API key or session token>"
			if reason, ok := ctx.Context().Value(rejectedKey{}).(string); ok {
				msg = reason // a credential was sent and rejected
			}
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, msg)
			return
		}
		if p.PasswordChangeRequired && op.Metadata[metaBeforePasswordChange] != true {
			writeHumaProblem(ctx, http.StatusForbidden, ProblemPasswordChangeRequired,
				"your password was set by an administrator: change it (POST /api/v1/me/password) before anything else")
			return
		}
		if !Allowed(p, op.Security) {
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, "missing scope "+missing(op.Security))
			return
		}
		next(ctx)
	}
}

// NotFound answers unknown /api routes with a problem.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	WriteProblem(w, http.StatusNotFound, "no such endpoint; see /api/openapi.json")
}
