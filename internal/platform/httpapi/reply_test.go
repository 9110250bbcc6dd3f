package httpapi_test

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// status is the HTTP status a handler error answers with; 0 for no error.
func status(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var se huma.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a huma.StatusError", err)
	}
	return se.GetStatus()
}

func TestReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		v      int
		err    error
		status int
		want   *httpapi.Body[string]
	}{
		{name: "value", v: 42, want: &httpapi.Body[string]{Body: "42"}},
		{name: "not found", err: errs.E(errs.NotFound, "no such widget"), status: 404},
		{name: "invalid", err: errs.Field("body.name", "too long"), status: 422},
		{name: "internal", err: errors.New("database exploded"), status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := httpapi.Reply(strconv.Itoa)(tt.v, tt.err)
			if s := status(t, err); s != tt.status {
				t.Errorf("status = %d, want %d", s, tt.status)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestReplyPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		page   httpapi.Page[int]
		err    error
		status int
		want   *httpapi.Body[httpapi.Page[string]]
	}{
		{name: "items and cursor", page: httpapi.Page[int]{Items: []int{1, 2}, NextCursor: "c"},
			want: &httpapi.Body[httpapi.Page[string]]{Body: httpapi.Page[string]{Items: []string{"1", "2"}, NextCursor: "c"}}},
		{name: "nil items stay an empty list", page: httpapi.Page[int]{},
			want: &httpapi.Body[httpapi.Page[string]]{Body: httpapi.Page[string]{Items: []string{}}}},
		{name: "forbidden", err: errs.E(errs.Forbidden, "not yours"), status: 403},
		{name: "internal", err: errors.New("database exploded"), status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := httpapi.ReplyPage(strconv.Itoa)(tt.page, tt.err)
			if s := status(t, err); s != tt.status {
				t.Errorf("status = %d, want %d", s, tt.status)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if got != nil && got.Body.Items == nil {
				t.Error("items are nil; want an empty, non-nil list")
			}
		})
	}
}

func TestMapPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		page httpapi.Page[int]
		want httpapi.Page[string]
	}{
		{name: "nil items", page: httpapi.Page[int]{}, want: httpapi.Page[string]{Items: []string{}}},
		{name: "empty items", page: httpapi.Page[int]{Items: []int{}}, want: httpapi.Page[string]{Items: []string{}}},
		{name: "items keep order and cursor", page: httpapi.Page[int]{Items: []int{3, 1, 2}, NextCursor: "next"},
			want: httpapi.Page[string]{Items: []string{"3", "1", "2"}, NextCursor: "next"}},
		{name: "like PageOf with no rows", page: httpapi.PageOf([]int(nil), 10, strconv.Itoa),
			want: httpapi.Page[string]{Items: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := httpapi.MapPage(tt.page, strconv.Itoa)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if got.Items == nil {
				t.Error("items are nil; want an empty, non-nil list")
			}
		})
	}
}

// A rate-limited error answers 429 with Retry-After in whole seconds, rounded up.
func TestProblemRetryAfter(t *testing.T) {
	t.Parallel()
	err := httpapi.Problem(errs.Limited(2300*time.Millisecond, "customer look-ups: too many requests"))
	if s := status(t, err); s != 429 {
		t.Fatalf("status = %d, want 429", s)
	}
	var he huma.HeadersError
	if !errors.As(err, &he) {
		t.Fatalf("%T carries no headers", err)
	}
	if got := he.GetHeaders().Get("Retry-After"); got != "3" {
		t.Fatalf("Retry-After = %q, want 3", got)
	}
}
