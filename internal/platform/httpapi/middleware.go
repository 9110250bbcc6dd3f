package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oneretail_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "oneretail_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// accessLog logs one line per request and records metrics. It never logs headers or
// bodies, so tokens, passwords and cookies stay out of the log. A 5xx is logged at
// error level with its operation and cause (see noteFailure), so that the request id
// a client reports finds what went wrong.
func accessLog(log *slog.Logger, m *httpMetrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			route := chi.RouteContext(r.Context()).RoutePattern()
			if route == "" {
				route = "other"
			}
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			m.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(r.Method, route).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			if log == nil || (level == slog.LevelInfo && strings.HasPrefix(route, "/metrics")) {
				return
			}
			attrs := []slog.Attr{
				slog.String("request_id", middleware.GetReqID(r.Context())),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Duration("duration", elapsed),
				slog.Int("bytes", ww.BytesWritten()),
			}
			if p := auth.FromContext(r.Context()); p != nil {
				attrs = append(attrs, slog.String("principal", string(p.Kind)+":"+p.ID))
			}
			if ri := infoFrom(r.Context()); ri != nil {
				op, failure := ri.opAndFailure()
				if op != "" {
					attrs = append(attrs, slog.String("op", op))
				}
				if status >= 500 {
					if failure == "" {
						failure = "no cause recorded"
					}
					attrs = append(attrs, slog.String("route", route), slog.String("error", failure))
				}
			}
			log.LogAttrs(r.Context(), level, "http request", attrs...)
		})
	}
}

// noteFailure records the cause of a 5xx for the request's log line. The cause is an
// error chain, never a body or header; phone numbers and e-mail addresses in it are
// masked (see logSafe).
func noteFailure(ctx context.Context, cause string) {
	infoFrom(ctx).noteFailure(logSafe(cause))
}

// recoverer turns a panic into a logged 500 problem.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				rec := recover()
				if rec == nil || rec == http.ErrAbortHandler {
					if rec != nil {
						panic(rec)
					}
					return
				}
				cause := logSafe("panic: " + fmt.Sprint(rec))
				noteFailure(r.Context(), cause)
				if log != nil {
					op := ""
					if ri := infoFrom(r.Context()); ri != nil {
						op, _ = ri.opAndFailure()
					}
					log.Error("panic", "request_id", middleware.GetReqID(r.Context()), "op", op, "method", r.Method,
						"route", chi.RouteContext(r.Context()).RoutePattern(), "error", cause, "stack", string(debug.Stack()))
				}
				WriteProblem(w, http.StatusInternalServerError, "internal error; the request id identifies it in the server log")
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// contentSecurityPolicy lets the console load only its own files. antd writes its
// styles at run time (CSS-in-JS), so inline styles are allowed; scripts are not.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries: no sniffing or framing,
// the console's Content-Security-Policy, HSTS when the client used HTTPS, and
// Cache-Control: no-store (API responses carry tokens and personal data; the console
// handler sets its own caching for its files).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cache-Control", "no-store")
		if SecureRequest(r.Context()) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// timeout bounds a request's context; a handler that is still running when it
// expires sees its context cancelled. A request that ends past the deadline without
// having answered gets a 504 problem.
func timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r.WithContext(ctx))
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && ww.Status() == 0 {
				noteFailure(ctx, fmt.Sprintf("request timed out after %s", d))
				WriteProblem(w, http.StatusGatewayTimeout, "the request took too long; the request id identifies it in the server log")
			}
		})
	}
}

func cors(origins []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin != "" && slices.Contains(origins, origin) {
				h := w.Header()
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Vary", "Origin")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
				if r.Method == http.MethodOptions {
					w.WriteHeader(http.StatusNoContent)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// rejectedKey is the context key of why the request's credential was rejected.
type rejectedKey struct{}

// authenticate attaches the principal of a valid bearer token or session cookie.
// An invalid token leaves the request anonymous; operations that need a principal
// then answer 401 with the Authenticator's reason ("invalid API key"), not
// "authentication required".
func authenticate(a Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token := BearerToken(r)
			if a == nil || token == "" {
				next.ServeHTTP(w, r)
				return
			}
			p, err := a.Authenticate(r.Context(), token)
			switch {
			case err == nil:
				r = r.WithContext(auth.WithPrincipal(r.Context(), p))
			case errs.Is(err, errs.Unauthorized):
				var e *errs.Error
				if errors.As(err, &e) {
					r = r.WithContext(context.WithValue(r.Context(), rejectedKey{}, e.Message))
				}
			default:
				noteFailure(r.Context(), "authenticate: "+err.Error())
				w.Header().Set("Retry-After", "1")
				WriteProblem(w, http.StatusServiceUnavailable, "authentication is unavailable; try again")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// BearerToken returns the token of the Authorization header, or else of the session
// cookie, or "".
func BearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "bearer") {
			return strings.TrimSpace(token)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// ErrBodyTooLarge is returned when a request body exceeds its limit.
var ErrBodyTooLarge = errors.New("request body too large")
