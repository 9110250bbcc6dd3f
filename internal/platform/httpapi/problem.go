package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// ProblemTypePrefix starts every problem `type`; the suffix is a stable code listed
// in docs/api.md.
const ProblemTypePrefix = "urn:oneretail:problem:"

// statusOf is the single table from error code to HTTP status.
func statusOf(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Insufficient:
		return http.StatusConflict
	case errs.RateLimited:
		return http.StatusTooManyRequests
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// unavailableRetryAfter is the Retry-After (seconds) of an errs.Unavailable problem:
// contention passes within moments.
const unavailableRetryAfter = "1"

// problemCode names the problem type of a status when no domain code says more.
func problemCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return string(errs.Unauthorized)
	case http.StatusForbidden:
		return string(errs.Forbidden)
	case http.StatusNotFound:
		return string(errs.NotFound)
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return "timeout"
	case http.StatusConflict:
		return string(errs.Conflict)
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusUnprocessableEntity:
		return string(errs.Invalid)
	case http.StatusTooManyRequests:
		return string(errs.RateLimited)
	case http.StatusServiceUnavailable:
		return string(errs.Unavailable)
	}
	if status >= 500 {
		return string(errs.Internal)
	}
	return "error"
}

// Problem converts a service error into the huma error written to the client. Errors
// without a code are internal: the client sees a generic message and the cause is
// logged by the caller's middleware through the returned error's chain.
func Problem(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return &internalError{cause: err}
	}
	status := statusOf(e.Code)
	model := &huma.ErrorModel{
		Type:   ProblemTypePrefix + string(e.Code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: e.Message,
	}
	if e.Field != "" {
		model.Errors = []*huma.ErrorDetail{{Message: e.Message, Location: e.Field}}
	}
	switch {
	case e.RetryAfter > 0:
		return huma.ErrorWithHeaders(model, http.Header{"Retry-After": {RetryAfterSeconds(e.RetryAfter)}})
	case e.Code == errs.Unavailable:
		return huma.ErrorWithHeaders(model, http.Header{"Retry-After": {unavailableRetryAfter}})
	}
	return model
}

// RetryAfterSeconds formats d for the Retry-After header: whole seconds, rounded up,
// at least 1.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}

// internalError hides the cause from the client but keeps it for the log.
type internalError struct{ cause error }

func (e *internalError) Error() string { return "internal error: " + e.cause.Error() }
func (e *internalError) Unwrap() error { return e.cause }

// GetStatus makes internalError a huma.StatusError.
func (e *internalError) GetStatus() int { return http.StatusInternalServerError }

// MarshalJSON writes the client-safe problem body.
func (e *internalError) MarshalJSON() ([]byte, error) {
	return json.Marshal(&huma.ErrorModel{
		Type:   ProblemTypePrefix + string(errs.Internal),
		Title:  http.StatusText(http.StatusInternalServerError),
		Status: http.StatusInternalServerError,
		Detail: "internal error; the request id identifies it in the server log",
	})
}

// ContentType makes the body application/problem+json.
func (e *internalError) ContentType(string) string { return "application/problem+json" }

// Unavailable returns a 503 problem telling the client detail and to retry after a
// second; cause goes to the log only.
func Unavailable(detail string, cause error) error {
	return &statusError{status: http.StatusServiceUnavailable, detail: detail, cause: cause}
}

// statusError is a problem with a status chosen by the caller whose cause is logged,
// never shown.
type statusError struct {
	status int
	detail string
	cause  error
}

func (e *statusError) Error() string {
	if e.cause == nil {
		return e.detail
	}
	return e.detail + ": " + e.cause.Error()
}
func (e *statusError) Unwrap() error { return e.cause }

// GetStatus makes statusError a huma.StatusError.
func (e *statusError) GetStatus() int { return e.status }

// GetHeaders asks the client to retry a 503 after a second.
func (e *statusError) GetHeaders() http.Header {
	if e.status != http.StatusServiceUnavailable {
		return nil
	}
	return http.Header{"Retry-After": []string{"1"}}
}

// MarshalJSON writes the client-safe problem body.
func (e *statusError) MarshalJSON() ([]byte, error) {
	return json.Marshal(&huma.ErrorModel{
		Type:   ProblemTypePrefix + problemCode(e.status),
		Title:  http.StatusText(e.status),
		Status: e.status,
		Detail: e.detail,
	})
}

// ContentType makes the body application/problem+json.
func (e *statusError) ContentType(string) string { return "application/problem+json" }

// transformProblems is the huma transformer of every response: it fills the stable
// `type` of problems huma itself produced (validation, malformed JSON, oversized
// bodies), rewrites messages that would show Go type names (see publicMessage), and
// notes the cause of a 5xx for the request's log line. It also keeps personal data out of every problem: huma's validation
// errors echo the refused value, which is dropped (the location and message say what
// was wrong), and the detail, messages and locations are masked with
// pii.MaskFreeText, so that a phone number typed into the wrong field never comes
// back in plain text (decision 0015).
func transformProblems(ctx huma.Context, _ string, v any) (any, error) {
	switch e := v.(type) {
	case *internalError:
		noteFailure(ctx.Context(), e.cause.Error())
	case *statusError:
		noteFailure(ctx.Context(), e.Error())
	case *huma.ErrorModel:
		if e.Type == "" || e.Type == "about:blank" {
			e.Type = ProblemTypePrefix + problemCode(e.Status)
		}
		e.Detail = pii.MaskFreeText(publicMessage(e.Detail))
		for _, d := range e.Errors {
			if d == nil {
				continue
			}
			d.Value = nil
			if loc, msg, ok := unmarshalTypeMessage(d.Message); ok {
				d.Location, d.Message = d.Location+loc, msg
			}
			d.Message, d.Location = pii.MaskFreeText(publicMessage(d.Message)), pii.MaskFreeText(d.Location)
		}
		if e.Status >= 500 {
			noteFailure(ctx.Context(), problemCause(e))
		}
	}
	return v, nil
}

// problemCause describes a 5xx problem for the log: its detail and error messages.
func problemCause(e *huma.ErrorModel) string {
	var b strings.Builder
	b.WriteString(e.Detail)
	for _, d := range e.Errors {
		if d != nil {
			b.WriteString("; " + d.Message)
		}
	}
	return b.String()
}

var (
	// unmarshalField matches encoding/json's type error on a struct field, as huma
	// passes it through: "json: cannot unmarshal number 1e30 into Go struct field
	// .price_fen of type int64".
	unmarshalField = regexp.MustCompile(`json: cannot unmarshal (.+?) into Go struct field ([\w.]*) of type (\S+)`)
	// unmarshalValue matches the same error on a value that is not a field.
	unmarshalValue = regexp.MustCompile(`json: cannot unmarshal (.+?) into Go value of type (\S+)`)
	// goType matches Go type names in a message: []json.RawMessage, map[string]any,
	// *catalog.SKU, time.Time, int64.
	goType = regexp.MustCompile(`(?:\[\])+\*?[\w.]+|map\[[\w.*]+\][\w.*\[\]]+|\*?\b[a-z]\w*\.[A-Z]\w*\b|\b(?:u?int(?:8|16|32|64)?|float(?:32|64)|interface \{\})`)
)

// unmarshalTypeMessage rewrites encoding/json's type error on a struct field into the
// field's location suffix (".price_fen") and a message in JSON terms.
func unmarshalTypeMessage(msg string) (string, string, bool) {
	m := unmarshalField.FindStringSubmatch(msg)
	if m == nil {
		return "", "", false
	}
	field := m[2]
	if _, rest, ok := strings.Cut(field, "."); ok {
		field = rest
	}
	loc := ""
	if field != "" {
		loc = "." + field
	}
	return loc, fmt.Sprintf("expected %s, got %s", jsonTypeOf(m[3]), jsonValueWord(m[1])), true
}

// publicMessage rewrites what a client would read as Go: encoding/json's type errors
// and Go type names become JSON terms.
func publicMessage(msg string) string {
	if m := unmarshalField.FindStringSubmatch(msg); m != nil {
		_, rewritten, _ := unmarshalTypeMessage(msg)
		return strings.Replace(msg, m[0], rewritten, 1)
	}
	if m := unmarshalValue.FindStringSubmatch(msg); m != nil {
		return strings.Replace(msg, m[0], fmt.Sprintf("expected %s, got %s", jsonTypeOf(m[2]), jsonValueWord(m[1])), 1)
	}
	msg = strings.ReplaceAll(msg, "Go struct field ", "field ")
	msg = strings.ReplaceAll(msg, "Go value of type ", "")
	return goType.ReplaceAllStringFunc(msg, jsonTypeOf)
}

// jsonTypeOf names the JSON type a Go type decodes from.
func jsonTypeOf(goTypeName string) string {
	t := strings.TrimLeft(goTypeName, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "array"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "interface"):
		return "object"
	case t == "time.Time":
		return "RFC 3339 time string"
	case t == "json.RawMessage":
		return "JSON value"
	case t == "string":
		return "string"
	case t == "bool":
		return "boolean"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "integer"
	case strings.HasPrefix(t, "float"):
		return "number"
	}
	return "object"
}

// jsonValueWord describes the value encoding/json found ("number 1e30", "string").
func jsonValueWord(v string) string {
	if strings.HasPrefix(v, "number") {
		return "a number out of range"
	}
	return v
}

var (
	logPhone = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d{9}`)
	logEmail = regexp.MustCompile(`[\w.+-]+@[\w-]+(?:\.[\w-]+)+`)
)

// logSafe masks what looks like a mainland phone number or an e-mail address in a
// message bound for the log: an error chain may quote a value it failed on.
func logSafe(s string) string {
	s = logPhone.ReplaceAllStringFunc(s, func(p string) string { return p[:len(p)-8] + "********" })
	return logEmail.ReplaceAllString(s, "***@***")
}

// WriteProblem writes a problem+json response outside huma (router-level errors such
// as unknown routes, rate limits, panics).
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&huma.ErrorModel{
		Type:   ProblemTypePrefix + problemCode(status),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

// writeHumaProblem writes a problem with a specific type from a huma middleware.
func writeHumaProblem(ctx huma.Context, status int, code, detail string) {
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(status)
	_ = json.NewEncoder(ctx.BodyWriter()).Encode(&huma.ErrorModel{
		Type:   ProblemTypePrefix + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}
