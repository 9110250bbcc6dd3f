package channel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Limits on what a payload may hold, so that a hostile or broken push cannot make
// the order center store unbounded text or lines.
const (
	// MaxLines is the most product lines an order may have.
	MaxLines = 1000
	// MaxText is the longest text field in bytes (a name, an address, a remark).
	MaxText = 1000
)

// obj is one JSON object (or a form's parameters) with the path its fields are
// named under in errors: "" for top-level, "detail[2]", "message.groups[0].items[1]".
type obj struct {
	m    map[string]any
	path string
}

func (o obj) name(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// reader reads typed fields from objs and keeps the first error, so that a decoder
// reads every field it needs and checks once.
type reader struct{ err *errs.Error }

func (r *reader) fail(e *errs.Error) {
	if r.err == nil {
		r.err = e
	}
}

// raw returns the value under key, failing when required and absent or null.
func (r *reader) raw(o obj, key string, required bool) (any, bool) {
	v, ok := o.m[key]
	if !ok || v == nil {
		if required {
			r.fail(errs.Field(o.name(key), "is required"))
		}
		return nil, false
	}
	return v, true
}

// str reads text (a JSON string, or a number's text, as ids often are numbers).
func (r *reader) str(o obj, key string, required bool) string {
	v, ok := r.raw(o, key, required)
	if !ok {
		return ""
	}
	var s string
	switch v := v.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = v.String()
	default:
		r.fail(errs.Field(o.name(key), "must be text"))
		return ""
	}
	switch {
	case !utf8.ValidString(s):
		r.fail(errs.Field(o.name(key), "is not valid UTF-8"))
	case len(s) > MaxText:
		r.fail(errs.Field(o.name(key), "is longer than %d bytes", MaxText))
	case required && s == "":
		r.fail(errs.Field(o.name(key), "is required"))
	}
	return s
}

// id reads a platform id: non-empty ASCII letters, digits, '-' and '_', at most 64.
func (r *reader) id(o obj, key string, required bool) string {
	s := r.str(o, key, required)
	if s == "" {
		return ""
	}
	if len(s) > 64 {
		r.fail(errs.Field(o.name(key), "is longer than 64 characters"))
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			r.fail(errs.Field(o.name(key), "%q is not an id (letters, digits, - and _)", clip(s)))
			return ""
		}
	}
	return s
}

// numText returns the text of a number, sent as a JSON number or a string.
func (r *reader) numText(o obj, key string, required bool) (string, bool) {
	v, ok := r.raw(o, key, required)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return strings.TrimSpace(v), true
	default:
		r.fail(errs.Field(o.name(key), "must be a number"))
		return "", false
	}
}

// yuan reads an amount in yuan as fen (ParseYuan); absent and optional is 0.
func (r *reader) yuan(o obj, key string, required bool) int64 {
	s, ok := r.numText(o, key, required)
	if !ok {
		return 0
	}
	v, err := ParseYuan(o.name(key), s)
	if err != nil {
		r.fail(err.(*errs.Error))
	}
	return v
}

// signedYuan is yuan allowing a negative amount.
func (r *reader) signedYuan(o obj, key string, required bool) int64 {
	s, ok := r.numText(o, key, required)
	if !ok {
		return 0
	}
	v, err := parseSignedYuan(o.name(key), s)
	if err != nil {
		r.fail(err.(*errs.Error))
	}
	return v
}

// count reads a quantity of at least 1.
func (r *reader) count(o obj, key string) int64 {
	s, ok := r.numText(o, key, true)
	if !ok {
		return 0
	}
	v, err := parseCount(o.name(key), s)
	if err != nil {
		r.fail(err.(*errs.Error))
	}
	return v
}

// uint reads a whole number 0..max; absent and optional is 0.
func (r *reader) uint(o obj, key string, required bool, max int64) int64 {
	s, ok := r.numText(o, key, required)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !allDigits(s) || n > max {
		r.fail(errs.Field(o.name(key), "%q is not a whole number from 0 to %d", clip(s), max))
		return 0
	}
	return n
}

// unix reads Unix seconds (or milliseconds when ms) as a UTC time.
func (r *reader) unix(o obj, key string, ms bool) time.Time {
	const maxSeconds = 253402300799 // 9999-12-31
	max := int64(maxSeconds)
	if ms {
		max *= 1000
	}
	n := r.uint(o, key, true, max)
	if r.err != nil {
		return time.Time{}
	}
	if n == 0 {
		r.fail(errs.Field(o.name(key), "is required"))
		return time.Time{}
	}
	if ms {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// boolean reads a JSON boolean.
func (r *reader) boolean(o obj, key string) bool {
	v, ok := r.raw(o, key, true)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		r.fail(errs.Field(o.name(key), "must be true or false"))
	}
	return b
}

// coord reads a latitude (limit 90) or longitude (limit 180) in degrees; absent is 0.
func (r *reader) coord(o obj, key string, limit float64) float64 {
	s, ok := r.numText(o, key, false)
	if !ok {
		return 0
	}
	return r.degrees(o.name(key), s, limit)
}

func (r *reader) degrees(field, s string, limit float64) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < -limit || f > limit {
		// The value is the receiver's location, personal data: not quoted.
		r.fail(errs.Field(field, "is not a coordinate in degrees within ±%g", limit))
		return 0
	}
	return f
}

// objects reads an array of objects (at most max), each named path[i]; absent and
// optional is nil.
func (r *reader) objects(o obj, key string, required bool, max int) []obj {
	v, ok := r.raw(o, key, required)
	if !ok {
		return nil
	}
	return r.objectList(o.name(key), v, required, max)
}

func (r *reader) objectList(field string, v any, required bool, max int) []obj {
	arr, isArr := v.([]any)
	switch {
	case !isArr:
		r.fail(errs.Field(field, "must be an array"))
		return nil
	case required && len(arr) == 0:
		r.fail(errs.Field(field, "must not be empty"))
		return nil
	case len(arr) > max:
		r.fail(errs.Field(field, "has more than %d entries", max))
		return nil
	}
	out := make([]obj, 0, len(arr))
	for i, e := range arr {
		m, isObj := e.(map[string]any)
		if !isObj {
			r.fail(errs.Field(fmt.Sprintf("%s[%d]", field, i), "must be an object"))
			return nil
		}
		out = append(out, obj{m: m, path: fmt.Sprintf("%s[%d]", field, i)})
	}
	return out
}

// decodeJSON decodes exactly one JSON value, numbers kept as json.Number.
func decodeJSON(field string, data []byte) (any, *errs.Error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errs.Field(field, "is not valid JSON: %s", clip(err.Error()))
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return nil, errs.Field(field, "has data after the JSON value")
	}
	return v, nil
}

// decodeObject decodes one JSON object.
func decodeObject(field string, data []byte) (map[string]any, *errs.Error) {
	v, err := decodeJSON(field, data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errs.Field(field, "must be a JSON object")
	}
	return m, nil
}
