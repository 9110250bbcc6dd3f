package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/oneretail/oneretail/internal/platform/ids"
)

// RequestIDHeader carries the request id: taken from the request when it is well
// formed (see validRequestID), otherwise generated, and always echoed in the response.
const RequestIDHeader = "X-Request-Id"

// maxRequestID bounds an X-Request-Id taken from a client.
const maxRequestID = 64

// requestInfo is what the platform learns about a request as it passes through: who
// sent it (after trusted proxies) and, for the log line of a failed request, the
// operation and the cause of a 5xx.
type requestInfo struct {
	id       string
	clientIP string
	https    bool

	mu      sync.Mutex
	op      string
	failure string // the cause of a 5xx, for the log
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

// setOp records the operation id of the request.
func (ri *requestInfo) setOp(op string) {
	if ri == nil {
		return
	}
	ri.mu.Lock()
	ri.op = op
	ri.mu.Unlock()
}

// noteFailure records the cause of a 5xx; the first cause noted wins (a panic's
// 500 is not explained again by the problem written for it).
func (ri *requestInfo) noteFailure(cause string) {
	if ri == nil {
		return
	}
	ri.mu.Lock()
	if ri.failure == "" {
		ri.failure = cause
	}
	ri.mu.Unlock()
}

func (ri *requestInfo) opAndFailure() (string, string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	return ri.op, ri.failure
}

// validRequestID reports whether a client's X-Request-Id may be used as it is: 1 to 64
// characters of [A-Za-z0-9._:-], so that it cannot forge log lines or carry data.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ParseTrustedProxies parses CIDRs or single addresses (10.0.0.0/8, 192.0.2.7, ::1)
// into prefixes; it names the first entry that is neither.
func ParseTrustedProxies(entries []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither a CIDR nor an address", e)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// proxies decides what a request's forwarded headers may say.
type proxies []netip.Prefix

func (ps proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the client address and whether the client's connection used TLS.
// X-Forwarded-For and X-Forwarded-Proto count only when the direct peer is a trusted
// proxy: X-Forwarded-For is walked from the right, skipping trusted hops, and the
// first untrusted address is the client (the leftmost when every hop is trusted; the
// last good hop when an entry is malformed). X-Forwarded-Proto's last value — what the
// nearest proxy saw — decides HTTPS.
func (ps proxies) client(r *http.Request) (string, bool) {
	peer := peerAddr(r)
	https := r.TLS != nil
	if !peer.IsValid() || !ps.trusted(peer) {
		return addrString(peer, r.RemoteAddr), https
	}
	if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
		https = https || strings.EqualFold(proto, "https")
	}
	client := peer
	hops := splitValues(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !ps.trusted(a) {
			break
		}
	}
	return addrString(client, r.RemoteAddr), https
}

func peerAddr(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap()
}

func addrString(a netip.Addr, fallback string) string {
	if !a.IsValid() {
		return fallback
	}
	return a.String()
}

// parseHop parses one X-Forwarded-For entry: an address, possibly with a port or in
// brackets.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

func splitValues(headers []string) []string {
	var out []string
	for _, h := range headers {
		for v := range strings.SplitSeq(h, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func lastValue(headers []string) string {
	vs := splitValues(headers)
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// withRequestInfo is the outermost middleware: it fixes the request id (echoed in
// X-Request-Id), the client address and whether the client used HTTPS.
func withRequestInfo(ps proxies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(RequestIDHeader)
			if !validRequestID(id) {
				id = ids.New()
			}
			ri := &requestInfo{id: id}
			ri.clientIP, ri.https = ps.client(r)
			w.Header().Set(RequestIDHeader, id)
			ctx := context.WithValue(r.Context(), middleware.RequestIDKey, id)
			ctx = context.WithValue(ctx, requestInfoKey{}, ri)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// ClientIPFrom returns the client address of the request in ctx: the direct peer, or
// the address a trusted proxy forwarded (Options.TrustedProxies). "" outside a request.
func ClientIPFrom(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.clientIP
	}
	return ""
}

// SecureRequest reports whether the client of the request in ctx used HTTPS: the
// connection is TLS, or a trusted proxy said so in X-Forwarded-Proto. It decides the
// Secure flag of cookies and HSTS.
func SecureRequest(ctx context.Context) bool {
	ri := infoFrom(ctx)
	return ri != nil && ri.https
}

// RequestID returns the id of the request in ctx, "" outside a request.
func RequestID(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}
