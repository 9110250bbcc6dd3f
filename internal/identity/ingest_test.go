package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func raws(events ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(events))
	for i, e := range events {
		out[i] = json.RawMessage(e)
	}
	return out
}

func countEvents(t *testing.T, d *db.DB, tenantID string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func integrator(tenantID string) context.Context { return as(tenantID, auth.Integrator) }

func TestIngestMixedBatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tp := mkTouchpoint(t, e, admin(tenantA), "POS")
		ctx := integrator(tenantA)
		first, err := e.svc.Ingest(ctx, "POS", raws(`{"id":"e0","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`))
		if err != nil {
			t.Fatal(err)
		}
		if first.Accepted != 1 {
			t.Fatalf("first = %+v", first)
		}
		report, err := e.svc.Ingest(ctx, "POS", raws(
			`{"id":"e1","type":"order","occurred_at":"2026-03-01T15:00:00+08:00","identifiers":{"phone":"138 0013 8000","member_card":"vip-0012"},"properties":{"name":"张伟","gender":"male","birthday":"1990-05-01","amount_fen":1999}}`,
			`{"id":"e0","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`, // stored before
			`{"id":"e2","type":"Visit","occurred_at":"2026-03-01T07:00:00Z"}`,
			`{"id":"e3","type":"scan","occurred_at":"yesterday"}`,
			`{"id":"e4","type":"scan","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"010-12345678"}}`,
			`{"id":"e5","type":"scan","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"shoe_size":"42"}}`,
			`{"id":"e6","type":"scan","occurred_at":"2026-03-01T07:00:00Z","colour":"red"}`,
			`[1,2]`,
			`{"id":"e1","type":"order","occurred_at":"2026-03-01T07:00:00Z"}`, // repeated in the batch
			`{"type":"scan","occurred_at":"2026-03-01T07:00:00Z"}`,
			`{"id":"e7","type":"scan","occurred_at":"2026-03-02T07:00:00Z"}`,
			`{"id":"e8","type":"registration","occurred_at":"2026-03-01T07:00:00Z","properties":{"birthday":"1990-13-01"}}`,
			"{\"id\":\"e10\",\"type\":\"visit\",\"occurred_at\":\"2026-03-01T07:00:00Z\",\"properties\":{\"city\":\"\xff\"}}",
			`{"id":"e9","type":"product_view","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"wechat_openid":" oABC123 "}}`,
		))
		if err != nil {
			t.Fatal(err)
		}
		// e8's bad birthday is ignored by the profile, not a reason to refuse the event.
		want := IngestReport{Accepted: 3, Duplicates: 2, Rejected: []Rejection{
			{Index: 2, Field: "type", Reason: "is required and must be snake_case (a-z, 0-9, _), at most 64 characters"},
			{Index: 3, Field: "occurred_at", Reason: "must be an RFC 3339 timestamp such as 2026-03-01T08:00:00+08:00"},
			{Index: 4, Field: "identifiers.phone", Reason: rejectionReason(t, "phone", "010-12345678")},
			{Index: 5, Field: "identifiers.shoe_size", Reason: "unknown identifier type"},
			{Index: 6, Field: "colour", Reason: "unknown field"},
			{Index: 7, Field: "", Reason: "must be a JSON object"},
			{Index: 9, Field: "id", Reason: "is required and must be a string"},
			{Index: 10, Field: "occurred_at", Reason: "is more than an hour in the future"},
			{Index: 12, Field: "", Reason: "not valid UTF-8"},
		}}
		evs := report.Events
		report.Events = nil
		if diff := cmp.Diff(want, report); diff != "" {
			t.Fatalf("report (-want +got):\n%s", diff)
		}
		// Every event the touchpoint holds is listed with its customer: e1 (a phone),
		// e0 stored before, e8 without identifiers, e9 (an openid).
		var listed []string
		for _, e := range evs {
			listed = append(listed, fmt.Sprintf("%d %s dup=%t customer=%t", e.Index, e.ID, e.Duplicate, e.CustomerID != ""))
		}
		if diff := cmp.Diff([]string{"0 e1 dup=false customer=true", "1 e0 dup=true customer=false", "11 e8 dup=false customer=false",
			"13 e9 dup=false customer=true"}, listed); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}

		var idents, props string
		var occurred int64
		if err := d.Reader().QueryRowContext(ctx, `SELECT identifiers, properties, occurred_at FROM events WHERE tenant_id = $1 AND id = 'e1'`, tenantA).
			Scan(&idents, &props, &occurred); err != nil {
			t.Fatal(err)
		}
		keys := mustKeys(t)
		if got := openColumn(t, keys, idents, eventIdentifiersContext); got != `{"member_card":"VIP0012","phone":"+8613800138000"}` {
			t.Fatalf("identifiers = %s", got)
		}
		if got := openColumn(t, keys, props, eventPropertiesContext); got != `{"name":"张伟","gender":"male","birthday":"1990-05-01","amount_fen":1999}` {
			t.Fatalf("properties = %s", got)
		}
		if occurred != time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC).UnixMilli() {
			t.Fatalf("occurred_at = %d", occurred)
		}
		if err := d.Reader().QueryRowContext(ctx, `SELECT identifiers FROM events WHERE tenant_id = $1 AND id = 'e9'`, tenantA).Scan(&idents); err != nil {
			t.Fatal(err)
		}
		if got := openColumn(t, keys, idents, eventIdentifiersContext); got != `{"wechat_openid":"oABC123"}` {
			t.Fatalf("openid identifiers = %s", got)
		}
		if n := countEvents(t, d, tenantA); n != 4 {
			t.Fatalf("stored %d events, want 4", n)
		}

		got, err := e.svc.FindTouchpointByID(admin(tenantA), tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Health.EventsToday != 4 || got.Health.RejectedToday != 9 || got.Health.LastSeenAt == nil || !got.Health.LastSeenAt.Equal(e.clock.Now()) {
			t.Fatalf("health = %+v", got.Health)
		}
		// Tomorrow's counters start at zero; last seen stays.
		e.clock.Advance(24 * time.Hour)
		page, err := e.svc.FindTouchpoints(admin(tenantA), TouchpointFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if h := page.Items[0].Health; h.EventsToday != 0 || h.RejectedToday != 0 || h.LastSeenAt == nil {
			t.Fatalf("health tomorrow = %+v", h)
		}
	})
}

// rejectionReason is what graph.Normalize says about value, so the test does not
// restate the engine's wording.
func rejectionReason(t *testing.T, typ, value string) string {
	t.Helper()
	var e Event
	field, reason := parseIdentifiers(json.RawMessage(fmt.Sprintf(`{%q:%q}`, typ, value)), &e)
	if field != "identifiers."+typ || reason == "" {
		t.Fatalf("%s %q: field %q reason %q", typ, value, field, reason)
	}
	return reason
}

func TestIngestRefusals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		off := mkTouchpoint(t, e, admin(tenantA), "OFF")
		if _, err := e.svc.UpdateTouchpoint(admin(tenantA), off.ID, TouchpointUpdate{Status: ptr(StatusDisabled)}); err != nil {
			t.Fatal(err)
		}
		ev := raws(`{"id":"x","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`)
		tooMany := make([]json.RawMessage, MaxBatchEvents+1)
		cases := []struct {
			name  string
			ctx   context.Context
			code  string
			batch []json.RawMessage
			want  errs.Code
			field string
		}{
			{"missing touchpoint", integrator(tenantA), "", ev, errs.Invalid, "body.touchpoint"},
			{"unknown touchpoint", integrator(tenantA), "NOPE", ev, errs.Invalid, "body.touchpoint"},
			{"disabled touchpoint", integrator(tenantA), "OFF", ev, errs.Invalid, "body.touchpoint"},
			{"touchpoint of another tenant", integrator(tenantB), "POS", ev, errs.Invalid, "body.touchpoint"},
			{"too many events", integrator(tenantA), "POS", tooMany, errs.Invalid, "body.events"},
			{"no events:ingest", as(tenantA, auth.Marketer), "POS", ev, errs.Forbidden, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.Ingest(tc.ctx, tc.code, tc.batch)
				wantCode(t, err, tc.want, tc.field)
			})
		}
		if n := countEvents(t, d, tenantA) + countEvents(t, d, tenantB); n != 0 {
			t.Fatalf("stored %d events", n)
		}
	})
}

func TestIngestTenantsHaveTheirOwnIDs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		mkTouchpoint(t, e, admin(tenantB), "POS")
		ev := raws(`{"id":"same","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`)
		for _, tenant := range []string{tenantA, tenantB} {
			r, err := e.svc.Ingest(integrator(tenant), "POS", ev)
			if err != nil || r.Accepted != 1 {
				t.Fatalf("%s: report %+v, err %v", tenant, r, err)
			}
		}
	})
}

func TestIngestNDJSON(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tp := mkTouchpoint(t, e, admin(tenantA), "APP")
		var b strings.Builder
		const lines = 2500
		for i := range lines {
			switch i {
			case 10:
				b.WriteString("\n") // blank lines are skipped but keep their number
			case 1500:
				b.WriteString(`{"id":"bad","type":"visit"}` + "\n")
			case 2000:
				b.WriteString(`{"id":"ev-00001","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}` + "\n") // repeat of line 1
			default:
				fmt.Fprintf(&b, `{"id":"ev-%05d","type":"scan","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"+86 138 0013 8000"}}`+"\n", i)
			}
		}
		report, err := e.svc.IngestNDJSON(integrator(tenantA), "APP", strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		want := IngestReport{Accepted: lines - 3, Duplicates: 1, Rejected: []Rejection{{Index: 1500, Field: "occurred_at", Reason: "is required and must be an RFC 3339 string"}}}
		evs := report.Events
		report.Events = nil
		if diff := cmp.Diff(want, report); diff != "" {
			t.Fatalf("report (-want +got):\n%s", diff)
		}
		// One phone: every stored line, across the three transactions, is the one
		// customer's, listed by line number.
		if len(evs) != lines-3 || evs[0].Index != 0 || evs[len(evs)-1].Index != lines-1 {
			t.Fatalf("%d events listed, first %+v", len(evs), evs[0])
		}
		for _, ev := range evs {
			if ev.CustomerID != evs[0].CustomerID || ev.CustomerID == "" || ev.Duplicate {
				t.Fatalf("event %+v, first %+v", ev, evs[0])
			}
		}
		if n := countEvents(t, d, tenantA); n != lines-3 {
			t.Fatalf("stored %d events, want %d", n, lines-3)
		}
		// Sending the same stream again stores nothing new.
		again, err := e.svc.IngestNDJSON(integrator(tenantA), "APP", strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if again.Accepted != 0 || again.Duplicates != lines-2 || len(again.Rejected) != 1 {
			t.Fatalf("again = accepted %d, duplicates %d, rejected %d", again.Accepted, again.Duplicates, len(again.Rejected))
		}
		got, err := e.svc.FindTouchpointByID(admin(tenantA), tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Health.EventsToday != lines-3 || got.Health.RejectedToday != 2 {
			t.Fatalf("health = %+v", got.Health)
		}

		_, err = e.svc.IngestNDJSON(integrator(tenantA), "", strings.NewReader(b.String()))
		wantCode(t, err, errs.Invalid, "query.touchpoint")
		// A line over the limit refuses the whole stream before anything is stored.
		long := `{"id":"new-1","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}` + "\n" + strings.Repeat("x", MaxEventBytes+10) + "\n"
		_, err = e.svc.IngestNDJSON(integrator(tenantA), "APP", strings.NewReader(long))
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("long line: err = %v", err)
		}
		if n := countEvents(t, d, tenantA); n != lines-3 {
			t.Fatalf("after a refused stream: %d events, want %d", n, lines-3)
		}
	})
}

// TestIngestConcurrentReplays posts the same batch of 100 events 20 times at once:
// each event is stored exactly once and counted as accepted exactly once.
func TestIngestConcurrentReplays(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tp := mkTouchpoint(t, e, admin(tenantA), "POS")
		batch := make([]json.RawMessage, 100)
		for i := range batch {
			batch[i] = json.RawMessage(fmt.Sprintf(`{"id":"c-%03d","type":"scan","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"device_id":"d%d"}}`, i, i))
		}
		const posts = 20
		var wg sync.WaitGroup
		reports := make([]IngestReport, posts)
		errors := make([]error, posts)
		for i := range posts {
			wg.Go(func() { reports[i], errors[i] = e.svc.Ingest(integrator(tenantA), "POS", batch) })
		}
		wg.Wait()
		accepted, dups := 0, 0
		for i := range posts {
			if errors[i] != nil {
				t.Fatalf("post %d: %v", i, errors[i])
			}
			accepted += reports[i].Accepted
			dups += reports[i].Duplicates
		}
		if accepted != 100 || dups != 100*(posts-1) {
			t.Fatalf("accepted %d, duplicates %d", accepted, dups)
		}
		if n := countEvents(t, d, tenantA); n != 100 {
			t.Fatalf("stored %d events, want 100", n)
		}
		// each event was resolved (counted on its customer) exactly once
		if n := countRows(t, d, `SELECT COALESCE(SUM(event_count), 0) FROM customers WHERE tenant_id = $1`, tenantA); n != 100 {
			t.Fatalf("customers count %d events, want 100", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id IS NULL`, tenantA); n != 0 {
			t.Fatalf("%d events without a customer", n)
		}
		got, err := e.svc.FindTouchpointByID(admin(tenantA), tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Health.EventsToday != 100 {
			t.Fatalf("events today = %d", got.Health.EventsToday)
		}
	})
}
