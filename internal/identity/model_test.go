package identity

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/identity/graph"
)

// FuzzParseEvent checks that ParseEvent never panics, that an accepted event has
// normalised identifiers of known types and object properties, and that a rejection
// always has a reason.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","type":"order","occurred_at":"2026-03-01T15:00:00+08:00","identifiers":{"phone":"138 0013 8000"},"properties":{"name":"张伟"}}`,
		`{"id":"e2","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"email":" A@B.CN ","member_card":"vip-1"}}`,
		`{"id":"","type":"x"}`, `[]`, `null`, `{"id":1}`, `{"identifiers":{"phone":7}}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, field, reason := ParseEvent(raw, now)
		if reason != "" {
			return
		}
		if field != "" {
			t.Fatalf("field %q without a reason", field)
		}
		if e.ID == "" || !eventTypePattern.MatchString(e.Type) || e.OccurredAt.After(now.Add(futureTolerance)) {
			t.Fatalf("accepted invalid event %+v", e)
		}
		for k, v := range e.Identifiers {
			typ, err := graph.ParseType(k)
			if err != nil {
				t.Fatalf("accepted unknown type %q", k)
			}
			if n, err := graph.Normalize(typ, v); err != nil || n != v {
				t.Fatalf("%s value %q not normalised (%q, %v)", k, v, n, err)
			}
		}
		var props map[string]any
		if err := json.Unmarshal(e.Properties, &props); err != nil || props == nil {
			t.Fatalf("properties %s are not an object", e.Properties)
		}
	})
}

// FuzzJSONString checks jsonString's shortcut against the decoder: for any value of a
// decoded JSON object, both give the same string or both refuse it.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`{"v":"abc"}`, `{"v":"a\"b"}`, `{"v":"\u5f20\\"}`, `{"v":7}`, `{"v":null}`, `{"v":""}`, `{"v":["x"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m map[string]json.RawMessage
		if json.Unmarshal(doc, &m) != nil {
			return
		}
		for k, raw := range m {
			got, ok := jsonString(raw)
			var want string
			wantOK := json.Unmarshal(raw, &want) == nil
			if ok != wantOK || got != want {
				t.Fatalf("jsonString(%s) of %q = %q, %v; the decoder gives %q, %v", raw, k, got, ok, want, wantOK)
			}
		}
	})
}
