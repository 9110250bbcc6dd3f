package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/errs"
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
	if e.Code == errs.Unavailable {
		return huma.ErrorWithHeaders(model, http.Header{"Retry-After": {unavailableRetryAfter}})
	}
	return model
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

// typeProblems fills the stable `type` of problems that huma itself produced
// (validation, malformed JSON, oversized bodies).
func typeProblems(_ huma.Context, _ string, v any) (any, error) {
	if m, ok := v.(*huma.ErrorModel); ok && (m.Type == "" || m.Type == "about:blank") {
		m.Type = ProblemTypePrefix + problemCode(m.Status)
	}
	return v, nil
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

func writeFieldProblem(w http.ResponseWriter, status int, detail, location string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&huma.ErrorModel{
		Type:   ProblemTypePrefix + problemCode(status),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Errors: []*huma.ErrorDetail{{Message: detail, Location: location}},
	})
}
