// Package errs defines the one error type every OneRetail domain returns, with a
// small set of stable codes that the HTTP layer maps to statuses in a single table.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for callers and for the HTTP layer.
type Code string

// The stable error codes.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Insufficient Code = "insufficient"
	RateLimited  Code = "rate_limited"
	// Unavailable: valid input that could not be carried out now because of
	// contention (the database stayed busy); the client retries after a moment.
	Unavailable Code = "unavailable"
	Internal    Code = "internal"
)

// Error is a classified error. Message is safe to show to clients; Field names the
// offending input (for example "body.code") when there is one.
type Error struct {
	Code    Code
	Message string
	Field   string
	// RetryAfter is set on RateLimited errors: how long the caller should wait.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// E returns a new classified error.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an invalid-input error that names the offending field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Limited returns a RateLimited error telling the caller to wait retryAfter.
func Limited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: RateLimited, Message: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	return err != nil && CodeOf(err) == code
}
