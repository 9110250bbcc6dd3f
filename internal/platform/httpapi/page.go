package httpapi

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// PageParams are the cursor pagination parameters every list operation embeds.
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50" doc:"Maximum number of items to return."`
	Cursor string `query:"cursor" maxLength:"200" doc:"Opaque cursor from a previous page's next_cursor."`
}

// Page is one page of a list, in a stable order.
type Page[T any] struct {
	Items      []T    `json:"items" nullable:"false"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

// EncodeCursor makes an opaque cursor from the sort key of the last item returned.
func EncodeCursor(key string) string {
	if key == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// DecodeCursor returns the sort key inside a cursor; "" for the first page.
func DecodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	// Keys are text: a cursor decoding to other bytes was not made here (and
	// PostgreSQL refuses invalid UTF-8 as a parameter).
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", errs.Field("query.cursor", "malformed cursor")
	}
	return string(b), nil
}

// PageOf trims a result fetched with limit+1 rows to limit and sets the next cursor
// from the key of the last item kept.
func PageOf[T any](items []T, limit int, key func(T) string) Page[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	return Page[T]{Items: items, NextCursor: EncodeCursor(key(items[len(items)-1]))}
}

// MaxLimit is the largest page any list returns.
const MaxLimit = 1000

// FindPage fetches one page in key order: it decodes the cursor (errs.Invalid when
// malformed), takes limit (0 means def; at most MaxLimit), asks fetch for up to n =
// limit+1 items after the cursor's key, and trims them into a page with the next
// cursor. Errors from fetch are returned as they are.
func FindPage[T any](cursor string, limit, def int, fetch func(after string, n int) ([]T, error), key func(T) string) (Page[T], error) {
	after, err := DecodeCursor(cursor)
	if err != nil {
		return Page[T]{}, err
	}
	if limit <= 0 {
		limit = def
	}
	limit = min(limit, MaxLimit)
	items, err := fetch(after, limit+1)
	if err != nil {
		return Page[T]{}, err
	}
	return PageOf(items, limit, key), nil
}
