package identity

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// mapReplica is what an integrator keeps from the identity map export: identifier
// (type + hash) → customer and event (touchpoint id / event id) → customer.
type mapReplica struct {
	identifiers map[string]string
	events      map[string]string
}

func newReplica() *mapReplica {
	return &mapReplica{identifiers: map[string]string{}, events: map[string]string{}}
}

// apply applies records in order, as docs/identity.md tells an integrator to.
func (m *mapReplica) apply(t *testing.T, rs []MapRecord) {
	t.Helper()
	for _, r := range rs {
		switch r.Type {
		case MapReset:
			clear(m.identifiers)
			clear(m.events)
		case MapIdentifier:
			m.identifiers[r.IdentifierType+":"+r.IdentifierHash] = r.CustomerID
		case MapEvent:
			m.events[r.TouchpointID+"/"+r.EventID] = r.CustomerID
		case MapMerge:
			for _, rows := range []map[string]string{m.identifiers, m.events} {
				for k, c := range rows {
					if c == r.AbsorbedID {
						rows[k] = r.SurvivorID
					}
				}
			}
		case MapUnmerge: // what it gave back follows
		case MapErase:
			maps.DeleteFunc(m.identifiers, func(_, c string) bool { return c == r.CustomerID })
		default:
			t.Fatalf("unknown record %+v", r)
		}
	}
}

// dbMap reads the tenant's map from the database, hashing identifiers as the
// export does.
func dbMap(t *testing.T, e *env, tenantID string) *mapReplica {
	t.Helper()
	m := newReplica()
	ctx := context.Background()
	err := db.EachRow(ctx, e.db.Reader(), `SELECT touchpoint_id, id, customer_id FROM events WHERE tenant_id = $1`, []any{tenantID}, func(rs *sql.Rows) error {
		var tp, id string
		var c sql.NullString
		if err := rs.Scan(&tp, &id, &c); err != nil {
			return err
		}
		m.events[tp+"/"+id] = c.String
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.EachRow(ctx, e.db.Reader(), `SELECT type, value_sealed, customer_id FROM customer_identifiers WHERE tenant_id = $1`, []any{tenantID}, func(rs *sql.Rows) error {
		var typ, sealed, c string
		if err := rs.Scan(&typ, &sealed, &c); err != nil {
			return err
		}
		v := openColumn(t, e.svc.pii, sealed, identifierContext(typ))
		m.identifiers[typ+":"+e.svc.pii.Index(mapHashKind(tenantID), typ+":"+v)] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *mapReplica) diff(want *mapReplica) string {
	return cmp.Diff(want.events, m.events) + cmp.Diff(want.identifiers, m.identifiers)
}

// customerOf returns the live customer holding identifier.
func mapCustomerOf(t *testing.T, e *env, identifier string) string {
	t.Helper()
	c, err := e.svc.FindCustomerByIdentifier(admin(tenantA), identifier)
	if err != nil {
		t.Fatalf("lookup %s: %v", identifier, err)
	}
	return c.ID
}

// TestIdentityMapRoundTrip rebuilds event → customer and identifier → customer for
// a whole tenant from the export alone — paging with small pages while events
// arrive, customers merge, unmerge and are erased between pages — and compares it
// with the database; then resumes from a stored cursor after more changes.
func TestIdentityMapRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{tp: "POS1", id: "e1", idents: `{"phone":"13800000001"}`},
			ev{tp: "MINI", id: "e2", idents: `{"wechat_openid":"oA-1"}`},
			ev{tp: "POS2", id: "e3", idents: `{"phone":"13800000002"}`},
			ev{tp: "MINI", id: "e4", idents: `{"phone":"13800000001","wechat_openid":"oA-1"}`}, // joins e1's and e2's customers
			ev{tp: "POS1", id: "e5", idents: `{}`},
		)
		a := mapCustomerOf(t, e, "phone:13800000001")
		var between []func()
		between = append(between,
			func() { send(t, e, ev{tp: "POS2", id: "e6", idents: `{"member_card":"VIP-1"}`}) },
			func() {
				if _, err := e.svc.MergeCustomers(ctx, a, []string{mapCustomerOf(t, e, "member_card:VIP-1")}, "same person"); err != nil {
					t.Fatal(err)
				}
			},
			func() { send(t, e, ev{tp: "POS2", id: "e7", idents: `{"member_card":"VIP-1"}`}) }, // the survivor's now
			func() {
				if _, _, err := e.svc.UnmergeCustomer(ctx, a, unmergeTarget(t, e, a)); err != nil {
					t.Fatal(err)
				}
			},
			func() {
				if _, err := e.svc.EraseCustomer(ctx, mapCustomerOf(t, e, "phone:13800000002")); err != nil {
					t.Fatal(err)
				}
			},
		)
		r := newReplica()
		var cursor string
		pages := 0
		for {
			page, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			r.apply(t, page.Records)
			cursor = page.Next
			if pages < len(between) {
				between[pages]()
			}
			pages++
			if !page.More && pages >= len(between) {
				break
			}
			if pages > 100 {
				t.Fatal("the export does not end")
			}
		}
		if diff := r.diff(dbMap(t, e, tenantA)); diff != "" {
			t.Fatalf("replica after %d pages (-db +replica):\n%s", pages, diff)
		}
		if len(r.events) != 7 {
			t.Fatalf("%d events in the replica, want 7", len(r.events))
		}

		// A consumer that stored its cursor resumes after more changes (a merge, and
		// an event joining two customers) and sees them.
		c3 := mapCustomerOf(t, e, "member_card:VIP-1")
		if _, err := e.svc.MergeCustomers(ctx, c3, []string{a}, "again"); err != nil {
			t.Fatal(err)
		}
		send(t, e, ev{tp: "MINI", id: "e8", idents: `{"phone":"13800000003"}`}, ev{tp: "MINI", id: "e9", idents: `{"phone":"13800000003","member_card":"VIP-1"}`})
		for {
			page, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: cursor, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			r.apply(t, page.Records)
			cursor = page.Next
			if !page.More {
				break
			}
		}
		if diff := r.diff(dbMap(t, e, tenantA)); diff != "" {
			t.Fatalf("replica after resuming (-db +replica):\n%s", diff)
		}
		// A rebuild resets consumers; from their cursor they get the new map whole.
		if _, err := e.svc.Rebuild(ctx, RebuildOptions{}); err != nil {
			t.Fatal(err)
		}
		page, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: cursor, Limit: maxMapLimit})
		if err != nil {
			t.Fatal(err)
		}
		if page.More || len(page.Records) == 0 || page.Records[0].Type != MapReset {
			t.Fatalf("after a rebuild: more %t, %+v", page.More, page.Records[:min(1, len(page.Records))])
		}
		r.apply(t, page.Records)
		if diff := r.diff(dbMap(t, e, tenantA)); diff != "" {
			t.Fatalf("replica after the rebuild (-db +replica):\n%s", diff)
		}
	})
}

// unmergeTarget returns the customer last merged into survivor.
func unmergeTarget(t *testing.T, e *env, survivor string) string {
	t.Helper()
	var absorbed string
	if err := e.db.Reader().QueryRowContext(context.Background(), `SELECT absorbed_id FROM customer_merges WHERE tenant_id = $1 AND survivor_id = $2
		AND undone_at IS NULL AND kind = 'manual' ORDER BY created_at DESC, id DESC LIMIT 1`, tenantA, survivor).Scan(&absorbed); err != nil {
		t.Fatal(err)
	}
	return absorbed
}

// TestIdentityMapCursor: a bad cursor or limit is a 422 naming it; a cursor keeps
// its place when a merge moves rows it has passed.
func TestIdentityMapCursor(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		for _, tc := range []struct {
			name  string
			f     MapFilter
			field string
		}{
			{"not base64", MapFilter{Cursor: "%%%"}, "query.cursor"},
			{"not a cursor", MapFilter{Cursor: "bm9wZQ"}, "query.cursor"},
			{"limit", MapFilter{Limit: maxMapLimit + 1}, "query.limit"},
			{"a NUL in a key", MapFilter{Cursor: mapCursor{Phase: "e", A: "tp\x00"}.encode()}, "query.cursor"},
		} {
			_, err := e.svc.ExportIdentityMap(integrator(tenantA), tc.f)
			wantCode(t, err, errs.Invalid, tc.field)
		}
		for _, ctx := range []context.Context{as(tenantA, auth.Marketer), storeUser(tenantA)} {
			if _, err := e.svc.ExportIdentityMap(ctx, MapFilter{}); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("export without identity_map:read over the tenant: %v", err)
			}
		}
		send(t, e,
			ev{tp: "POS1", id: "e1", idents: `{"phone":"13800000001"}`},
			ev{tp: "POS1", id: "e2", idents: `{"member_card":"C-2"}`},
			ev{tp: "POS1", id: "e3", idents: `{"member_card":"C-3"}`},
		)
		// The snapshot reads events by touchpoint and id: after e1, e2's customer
		// merges into e1's; the rest of the snapshot shows e2 and e3 as they are now
		// and the log then relabels what was read before.
		p1, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Limit: 4}) // reset + 3 identifiers
		if err != nil {
			t.Fatal(err)
		}
		a, b := mapCustomerOf(t, e, "phone:13800000001"), mapCustomerOf(t, e, "member_card:C-2")
		if _, err := e.svc.MergeCustomers(admin(tenantA), b, []string{a}, ""); err != nil {
			t.Fatal(err)
		}
		r := newReplica()
		r.apply(t, p1.Records)
		if got := r.identifiers; len(got) != 3 || !slices.Contains(slices.Collect(maps.Values(got)), a) {
			t.Fatalf("first page: %v", got)
		}
		next := p1.Next
		var types []string
		for {
			p, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: next, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range p.Records {
				types = append(types, rec.Type)
			}
			r.apply(t, p.Records)
			next = p.Next
			if !p.More {
				break
			}
		}
		if diff := cmp.Diff([]string{MapEvent, MapEvent, MapEvent, MapMerge}, types); diff != "" {
			t.Fatalf("records after the first page (-want +got):\n%s", diff)
		}
		if diff := r.diff(dbMap(t, e, tenantA)); diff != "" {
			t.Fatalf("replica (-db +replica):\n%s", diff)
		}
		// At the end, the cursor polls: nothing new is an empty page.
		p, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: next})
		if err != nil || len(p.Records) != 0 || p.More || p.Next != next {
			t.Fatalf("poll: %v %+v", err, p)
		}
	})
}

func storeUser(tenantID string) context.Context {
	p := auth.FromContext(admin(tenantID))
	p.DataScope, p.DataID = auth.StoreScope, storeA1
	return auth.WithPrincipal(context.Background(), p)
}

// mapServer serves the identity API to fixed tokens: admin, integrator (no
// customers:pii), marketer (no identity_map:read), and the key of touchpoint POS1.
func mapServer(t *testing.T, e *env) func(method, path, token, contentType, accept, body string) (int, http.Header, string) {
	t.Helper()
	pos1, err := getTouchpointByCode(context.Background(), e.db.Reader(), tenantA, "POS1", 0)
	if err != nil {
		t.Fatal(err)
	}
	tokens := fakeAuth{"admin": auth.FromContext(admin(tenantA)), "integrator": auth.FromContext(integrator(tenantA)),
		"marketer": auth.FromContext(as(tenantA, auth.Marketer)), "pos1-key": touchpointKey(tenantA, pos1.ID)}
	srv := httpapi.New(httpapi.Options{Auth: tokens})
	e.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return func(method, path, token, contentType, accept, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		return resp.StatusCode, resp.Header, b.String()
	}
}

// TestIdentityMapHTTP: formats by Accept and format, masking per role, the scope,
// and the ingestion rules of scope item 5 (customer ids, touchpoint per event, 422
// when every event is rejected, masked look-ups).
func TestIdentityMapHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		do := mapServer(t, e)
		const js = "application/json"

		// A relay names each event's touchpoint; the answer gives each stored event's
		// customer; an unknown touchpoint rejects only its event.
		status, _, body := do("POST", "/api/v1/events", "integrator", js, "", `{"events":[
			{"id":"r1","touchpoint":"POS1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812345678"}},
			{"id":"r1","touchpoint":"MINI","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812345678"}},
			{"id":"r2","touchpoint":"NOPE","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}]}`)
		var rep EventIngestResponse
		if status != 200 || json.Unmarshal([]byte(body), &rep) != nil {
			t.Fatalf("relay: %d %s", status, body)
		}
		if rep.Accepted != 2 || len(rep.Events) != 2 || rep.Events[0].Touchpoint != "POS1" || rep.Events[1].Touchpoint != "MINI" ||
			rep.Events[0].CustomerID == "" || rep.Events[0].CustomerID != rep.Events[1].CustomerID ||
			len(rep.Rejected) != 1 || rep.Rejected[0] != (EventRejectionResponse{Index: 2, Field: "touchpoint", Reason: "no such touchpoint"}) {
			t.Fatalf("relay: %s", body)
		}
		if rep.Events[0].CustomerID != mapCustomerOf(t, e, "phone:13812345678") {
			t.Fatalf("customer %s", rep.Events[0].CustomerID)
		}
		for _, tc := range []struct {
			name, token, ct, path, body string
			status                      int
			contains                    []string
		}{
			{"a touchpoint's key sends its own", "pos1-key", js, "/api/v1/events", `{"touchpoint":"POS1","events":[{"id":"k1","touchpoint":"POS1","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}]}`,
				200, []string{`"accepted":1`}},
			{"a touchpoint's key naming another for an event", "pos1-key", js, "/api/v1/events", `{"touchpoint":"POS1","events":[
				{"id":"k2","type":"visit","occurred_at":"2026-03-01T07:00:00Z"},{"id":"k3","touchpoint":"MINI","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}]}`,
				403, []string{`"location":"body.events[1].touchpoint"`, "event 1 names touchpoint MINI"}},
			{"a touchpoint's key naming another in NDJSON", "pos1-key", "application/x-ndjson", "/api/v1/events?touchpoint=POS1",
				`{"id":"k4","touchpoint":"MINI","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`, 403, []string{`"location":"line[0].touchpoint"`}},
			{"a relay's NDJSON names each line's touchpoint", "integrator", "application/x-ndjson", "/api/v1/events",
				`{"id":"n1","touchpoint":"POS1","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}` + "\n" +
					`{"id":"n1","touchpoint":"POS2","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}` + "\n" + `{"id":"n2"}` + "\n",
				200, []string{`"accepted":2`, `"touchpoint":"POS2","id":"n1"`, `"index":2`}},
			{"every event rejected", "integrator", js, "/api/v1/events", `{"touchpoint":"POS1","events":[{"id":"x1","type":"Visit","occurred_at":"2026-03-01T07:00:00Z"},{"id":"x2"}]}`,
				422, []string{`"detail":"every event was rejected (2); nothing was stored"`, `"location":"body.events[0].type"`, `"location":"body.events[1].type"`}},
			{"every line rejected", "integrator", "application/x-ndjson", "/api/v1/events?touchpoint=POS1", "{}\n\n[]\n", 422,
				[]string{`"location":"line[0].id"`, `"location":"line[2]"`}},
			{"only duplicates is not all rejected", "integrator", js, "/api/v1/events", `{"touchpoint":"POS1","events":[{"id":"r1","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}]}`,
				200, []string{`"duplicates":1`, `"duplicate":true`}},
			{"no touchpoint anywhere", "integrator", js, "/api/v1/events", `{"events":[{"id":"n1","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}]}`,
				422, []string{`"location":"body.touchpoint"`}},
			{"masked phone look-up", "admin", "", "/api/v1/customers?identifier=phone:138****5678", "", 422, []string{"masked values never identify"}},
			{"masked_phone look-up", "admin", "", "/api/v1/customers?identifier=masked_phone:138****5678", "", 422, []string{"masked values never identify", `"location":"query.identifier"`}},
			{"masked search", "admin", "", "/api/v1/customers/search?q=138%2A%2A%2A%2A5678", "", 422, []string{"masked values never identify", `"location":"query.q"`}},
			{"export without the scope", "marketer", "", "/api/v1/identity-map", "", 403, nil},
			{"export bad format", "integrator", "", "/api/v1/identity-map?format=xml", "", 422, []string{"format"}},
		} {
			method := "GET"
			if tc.body != "" {
				method = "POST"
			}
			status, _, body := do(method, tc.path, tc.token, tc.ct, "", tc.body)
			if status != tc.status {
				t.Errorf("%s: %d %s", tc.name, status, body)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("%s: %s lacks %s", tc.name, body, c)
				}
			}
		}
		if n := countEvents(t, d, tenantA); n != 5 {
			t.Fatalf("%d events stored, want r1 and n1 twice each and k1", n)
		}

		// Masking per role: the integrator sees 138****5678 and the hash, the admin
		// the number and the same hash.
		_, h, integratorBody := do("GET", "/api/v1/identity-map", "integrator", "", "", "")
		if h.Get("Content-Type") != "application/x-ndjson; charset=utf-8" || h.Get("X-Masked") != "true" || h.Get("X-Next-Cursor") == "" || h.Get("X-More") != "false" {
			t.Fatalf("headers %v", h)
		}
		if strings.Contains(integratorBody, "13812345678") || !strings.Contains(integratorBody, `"identifier_value":"138****5678"`) {
			t.Fatalf("integrator sees %s", integratorBody)
		}
		_, h, adminBody := do("GET", "/api/v1/identity-map?format=ndjson", "admin", "", "text/csv", "")
		if h.Get("X-Masked") != "false" || !strings.Contains(adminBody, `"identifier_value":"+8613812345678"`) {
			t.Fatalf("admin sees %v %s", h, adminBody)
		}
		hashOf := func(body string) string {
			for line := range strings.Lines(body) {
				var r IdentityMapRecord
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if r.Type == MapIdentifier {
					return r.IdentifierHash
				}
			}
			return ""
		}
		if hi, ha := hashOf(integratorBody), hashOf(adminBody); hi == "" || hi != ha {
			t.Fatalf("hashes %q and %q", hi, ha)
		}
		lines := strings.Split(strings.TrimSpace(integratorBody), "\n")
		var last IdentityMapRecord
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Type != "page" || last.NextCursor != h.Get("X-Next-Cursor") || last.More == nil || *last.More {
			t.Fatalf("last line %s (%v)", lines[len(lines)-1], err)
		}
		// CSV by Accept: a header row, the same records, masked.
		_, h, csvBody := do("GET", "/api/v1/identity-map", "integrator", "", "text/csv", "")
		rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
		if err != nil || h.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("csv %v %v", err, h)
		}
		if diff := cmp.Diff(mapCSVHeader, rows[0]); diff != "" || len(rows) != len(lines) || strings.Contains(csvBody, "13812345678") ||
			!strings.Contains(csvBody, "138****5678") {
			t.Fatalf("csv (%d rows, %d lines): %s %s", len(rows), len(lines), diff, csvBody)
		}
	})
}

// TestIdentityMapWhileIngesting pages through the export while four clients ingest
// batches whose phones and cards overlap (so batches merge each other's customers);
// the replica built from the pages read meanwhile, then to the end, equals the
// database. It is what the log's commit-order sequence is for: a cursor never steps
// over an entry that commits late.
func TestIdentityMapWhileIngesting(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		const clients, batches, perBatch = 4, 6, 5
		done := make(chan error, clients)
		for c := range clients {
			go func() {
				for b := range batches {
					var evs []string
					for i := range perBatch {
						// A phone alone, an openid alone, or both: the third joins the
						// customers the other two made, often from another client's batch.
						j := c + clients*(b*perBatch+i)
						idents := []string{fmt.Sprintf(`"phone":"1380000%04d"`, j%11), fmt.Sprintf(`"wechat_openid":"o-%d"`, j%11),
							fmt.Sprintf(`"phone":"1380000%04d","wechat_openid":"o-%d"`, j%11, j%11)}[(j/11)%3]
						evs = append(evs, fmt.Sprintf(`{"id":"c%d-b%d-%d","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{%s}}`, c, b, i, idents))
					}
					_, err := e.svc.Ingest(integrator(tenantA), "MINI", raws(evs...))
					if err != nil && !errs.Is(err, errs.Unavailable) {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		r := newReplica()
		var cursor string
		finished := 0
		for finished < clients {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				finished++
			default:
			}
			page, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: cursor, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			r.apply(t, page.Records)
			cursor = page.Next
		}
		for {
			page, err := e.svc.ExportIdentityMap(integrator(tenantA), MapFilter{Cursor: cursor, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			r.apply(t, page.Records)
			cursor = page.Next
			if !page.More {
				break
			}
		}
		want := dbMap(t, e, tenantA)
		if n := countRows(t, d, `SELECT COUNT(*) FROM identity_map_log WHERE tenant_id = $1 AND kind = 'merge'`, tenantA); len(want.events) == 0 || n == 0 {
			t.Fatalf("%d events, %d merges: the test merges nothing", len(want.events), n)
		}
		if diff := r.diff(want); diff != "" {
			t.Fatalf("replica (-db +replica):\n%s", diff)
		}
	})
}

// FuzzMapCursor: any cursor string is either refused as query.cursor or decodes to a
// position that encodes back to a cursor decoding to the same position.
func FuzzMapCursor(f *testing.F) {
	f.Add(mapCursor{Seq: 7, Phase: "e", A: "tp", B: "ev/1"}.encode())
	f.Add(mapCursor{}.encode())
	f.Add("%%%")
	f.Add("eyJzIjotMX0") // {"s":-1}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeMapCursor(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		again, err := decodeMapCursor(c.encode())
		if err != nil || again != c {
			t.Fatalf("%q: %+v → %+v, %v", s, c, again, err)
		}
	})
}
