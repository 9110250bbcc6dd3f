package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultBodyBudget is the request body memory of a process when Options.BodyBudget
// is zero: 128 MiB, room for two 32 MiB imports at once (each is counted twice).
const DefaultBodyBudget = 128 << 20

// bodyCopies is how many times a buffered body is counted against the budget: the
// platform's copy and the one huma decodes from.
const bodyCopies = 2

// bodyStep is how much budget a body of unknown length (chunked) takes at a time.
const bodyStep = 256 << 10

// multipartMemory is what a multipart form keeps in memory before spilling to disk.
const multipartMemory = 8 << 10

// byteBudget bounds the memory held by request bodies across the process.
type byteBudget struct {
	mu    sync.Mutex
	total int64
	used  int64
	gauge prometheus.Gauge
}

// take reserves n bytes (at most the whole budget, so that a single body larger
// than the budget can still be served alone) and reports whether it could.
func (b *byteBudget) take(n int64) (int64, bool) {
	n = min(n, b.total)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.total {
		return 0, false
	}
	b.used += n
	b.gauge.Set(float64(b.used))
	return n, true
}

// give returns n bytes taken with take.
func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.gauge.Set(float64(b.used))
}

// bodyGate is the huma middleware, after authentication and the scope check, that
// stands between a request body and everything that reads it: it refuses a JSON
// operation's body without a JSON Content-Type (415), a body at or over the
// operation's MaxBodyBytes (413, by Content-Length before reading anything, else as
// soon as the limit is reached), a body the process has no memory budget left for
// (503 with Retry-After) and one that does not arrive within the operation's
// BodyReadTimeout (408); otherwise it reads the body once and hands the operation a
// context that serves it from memory (see bodyContext), which idempotency hashes.
type bodyGate struct {
	api    huma.API
	budget *byteBudget
}

func (g *bodyGate) handle(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || op.RequestBody == nil {
		next(ctx)
		return
	}
	r, _ := humachi.Unwrap(ctx)
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		next(ctx)
		return
	}
	if !acceptsContentType(op, r.Header.Get("Content-Type")) {
		_ = huma.WriteErr(g.api, ctx, http.StatusUnsupportedMediaType,
			"Content-Type must be "+strings.Join(mediaTypes(op), " or "), &huma.ErrorDetail{Location: "header.Content-Type", Message: "unsupported media type"})
		return
	}
	limit := op.MaxBodyBytes
	if limit <= 0 {
		limit = g.budget.total
	}
	if r.ContentLength >= limit {
		g.tooLarge(ctx, limit)
		return
	}
	if op.BodyReadTimeout > 0 {
		_ = ctx.SetReadDeadline(time.Now().Add(op.BodyReadTimeout))
	} else if op.BodyReadTimeout < 0 {
		_ = ctx.SetReadDeadline(time.Time{})
	}
	body, held, err := g.read(r, limit)
	defer g.budget.give(held)
	switch {
	case errors.Is(err, errBudget):
		ctx.SetHeader("Retry-After", "1")
		_ = huma.WriteErr(g.api, ctx, http.StatusServiceUnavailable, "the server is busy receiving other requests; retry shortly")
		return
	case errors.Is(err, ErrBodyTooLarge):
		g.tooLarge(ctx, limit)
		return
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			_ = huma.WriteErr(g.api, ctx, http.StatusRequestTimeout, "the request body arrived too slowly")
			return
		}
		_ = huma.WriteErr(g.api, ctx, http.StatusBadRequest, "the request body could not be read in full")
		return
	}
	next(&bodyContext{inner: ctx, body: body, contentType: normalContentType(r.Header.Get("Content-Type"))})
}

func (g *bodyGate) tooLarge(ctx huma.Context, limit int64) {
	_ = huma.WriteErr(g.api, ctx, http.StatusRequestEntityTooLarge,
		fmt.Sprintf("request body too large: it must be smaller than %d bytes", limit))
}

var errBudget = errors.New("httpapi: request body budget exhausted")

// read reads r's body, smaller than limit, taking budget for it first (by
// Content-Length) or as it arrives (chunked). It returns the body and the budget
// held, which the caller gives back.
func (g *bodyGate) read(r *http.Request, limit int64) ([]byte, int64, error) {
	if n := r.ContentLength; n > 0 {
		held, ok := g.budget.take(bodyCopies * n)
		if !ok {
			return nil, 0, errBudget
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, held, err
		}
		return body, held, nil
	}
	var held int64
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for {
		if int64(buf.Len())+int64(len(chunk)) > held/bodyCopies {
			n, ok := g.budget.take(bodyCopies * bodyStep)
			if !ok {
				return nil, held, errBudget
			}
			held += n
		}
		n, err := r.Body.Read(chunk)
		buf.Write(chunk[:n])
		if int64(buf.Len()) >= limit {
			return nil, held, ErrBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), held, nil
		}
		if err != nil {
			return nil, held, err
		}
	}
}

// takesJSON reports whether op's body is JSON (possibly among other media types).
func takesJSON(op *huma.Operation) bool {
	_, ok := op.RequestBody.Content["application/json"]
	return ok
}

// mediaTypes lists the media types op's body may have, sorted.
func mediaTypes(op *huma.Operation) []string {
	var out []string
	for mt := range op.RequestBody.Content {
		out = append(out, mt)
	}
	slices.Sort(out)
	return out
}

// acceptsContentType reports whether a request body with this Content-Type may go to
// op: an operation taking JSON requires application/json, a +json type or another of
// its declared media types; other operations (CSV, NDJSON) take what they are sent,
// as their parsers say what is wrong.
func acceptsContentType(op *huma.Operation, header string) bool {
	if !takesJSON(op) {
		return true
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	if _, ok := op.RequestBody.Content[mt]; ok {
		return true
	}
	return strings.HasSuffix(mt, "+json")
}

// inner is huma.Context under a name that can be embedded beside its Context method.
type inner = huma.Context

// bodyContext is a huma.Context whose body was read by bodyGate.
type bodyContext struct {
	inner
	body        []byte
	contentType string // the request's Content-Type with the media type in lower case
}

// Header returns a request header; Content-Type with its media type in lower case
// (media types are case-insensitive; huma's decoders are looked up by exact name).
func (c *bodyContext) Header(name string) string {
	if c.contentType != "" && http.CanonicalHeaderKey(name) == "Content-Type" {
		return c.contentType
	}
	return c.inner.Header(name)
}

// normalContentType lower-cases the media type of a Content-Type, keeping its
// parameters; "" when it does not parse.
func normalContentType(header string) string {
	mt, params, err := mime.ParseMediaType(header)
	if err != nil {
		return ""
	}
	return mime.FormatMediaType(mt, params)
}

// BodyReader serves the buffered body.
func (c *bodyContext) BodyReader() io.Reader { return bytes.NewReader(c.body) }

// GetMultipartForm parses the buffered body as a multipart form.
func (c *bodyContext) GetMultipartForm() (*multipart.Form, error) {
	_, params, err := mime.ParseMediaType(c.inner.Header("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, http.ErrMissingBoundary
	}
	return multipart.NewReader(bytes.NewReader(c.body), params["boundary"]).ReadForm(multipartMemory)
}

// Unwrap returns the wrapped context (humachi.Unwrap walks through it).
func (c *bodyContext) Unwrap() huma.Context { return c.inner }

// requestBody returns the body bodyGate read for ctx, nil when there was none.
func requestBody(ctx huma.Context) []byte {
	for {
		switch c := ctx.(type) {
		case *bodyContext:
			return c.body
		case interface{ Unwrap() huma.Context }:
			ctx = c.Unwrap()
		default:
			return nil
		}
	}
}
