package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// person is the personal data of one test customer, as sent and as searched for.
type person struct {
	phone, phoneDigits, email, name, address, birthday string
}

func (p person) needles() []string {
	return []string{p.phoneDigits, p.email, p.name, p.address, p.birthday}
}

var (
	alice = person{phone: "+86 138 1234 1234", phoneDigits: "13812341234", email: "wang.li@example.com", name: "王小明",
		address: "上海市浦东新区世纪大道100号", birthday: "1990-05-17"}
	// alice's second phone, refused by the one-phone limit (an identity review).
	aliceOtherPhoneDigits = "13955556666"
	bob                   = person{phone: "13700001111", phoneDigits: "13700001111", email: "li.si@example.net", name: "李四光",
		address: "北京市海淀区中关村大街27号", birthday: "1985-11-03"}
)

func personEvent(id, typ, at string, idents map[string]string, p *person) string {
	ev := map[string]any{"id": id, "type": typ, "occurred_at": at, "identifiers": idents}
	if p != nil {
		ev["properties"] = map[string]any{"name": p.name, "address": p.address, "birthday": p.birthday, "city": "上海", "amount_fen": 1999}
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// privacyEnv is an identity service behind an HTTP server with idempotency, holding
// alice (two merged customers, a review) and bob.
type privacyEnv struct {
	*env
	url       string
	aliceID   string
	aliceCard string
}

var privacyTokens = map[string]auth.Role{"admin": auth.HQAdmin, "associate": auth.Associate, "marketer": auth.Marketer}

func setupPrivacy(t *testing.T, d *db.DB) *privacyEnv {
	t.Helper()
	e := setup(t, d)
	tokens := fakeAuth{"integrator": auth.FromContext(integrator(tenantA))}
	for tok, role := range privacyTokens {
		tokens[tok] = auth.FromContext(as(tenantA, role))
	}
	idem := httpapi.NewIdempotency(d, e.svc.pii, e.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.svc.SetStoredResponses(idem)
	srv := httpapi.New(httpapi.Options{Auth: tokens, Idempotency: idem})
	e.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	mkTouchpoint(t, e, admin(tenantA), "POS")
	pe := &privacyEnv{env: e, url: ts.URL, aliceCard: "VIP-7788"}

	events := []string{
		personEvent("a1", "registration", "2026-03-01T06:00:00Z", map[string]string{"phone": alice.phone, "email": alice.email}, &alice),
		personEvent("a2", "visit", "2026-03-01T06:10:00Z", map[string]string{"member_card": pe.aliceCard}, nil),
		// joins the member card's customer into the first one (a merge)
		personEvent("a3", "order", "2026-03-01T06:20:00Z", map[string]string{"member_card": pe.aliceCard, "email": alice.email}, &alice),
		// a second phone for alice: over the limit, queued for review
		personEvent("a4", "visit", "2026-03-01T06:30:00Z", map[string]string{"member_card": pe.aliceCard, "phone": aliceOtherPhoneDigits}, nil),
		personEvent("b1", "registration", "2026-03-01T06:40:00Z", map[string]string{"phone": bob.phone, "email": bob.email}, &bob),
	}
	body := `{"touchpoint":"POS","events":[` + strings.Join(events, ",") + `]}`
	resp := pe.do(t, "POST", "/api/v1/events", "integrator", body, "ingest-1")
	if !strings.Contains(resp, `"accepted":5`) {
		t.Fatalf("ingest: %s", resp)
	}
	c, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "email:"+alice.email)
	if err != nil {
		t.Fatal(err)
	}
	pe.aliceID = c.ID
	return pe
}

// do sends a request and returns the body; it fails the test on a status >= 300.
func (pe *privacyEnv) do(t *testing.T, method, path, token, body, idemKey string) string {
	t.Helper()
	status, b := pe.try(t, method, path, token, body, idemKey)
	if status >= 300 {
		t.Fatalf("%s %s: status %d: %s", method, path, status, b)
	}
	return b
}

func (pe *privacyEnv) try(t *testing.T, method, path, token, body, idemKey string) (int, string) {
	t.Helper()
	return httpCall(t, pe.url, method, path, token, body, idemKey)
}

// httpCall sends a request to the server at base with a bearer token (and an
// Idempotency-Key unless empty) and returns the status and body.
func httpCall(t *testing.T, base, method, path, token, body, idemKey string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set(httpapi.IdempotencyHeader, idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// plainTextHits lists every value in every column of every table of d's schema that
// contains one of needles, as "table.column: needle".
func plainTextHits(t *testing.T, d *db.DB, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if d.Dialect == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := d.Reader().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("found only tables %v", tables)
	}
	return tableHits(t, d, tables, needles)
}

// tableHits lists every value in every column of tables that contains one of
// needles, as "table.column: needle".
func tableHits(t *testing.T, d *db.DB, tables, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	var hits []string
	for _, table := range tables {
		rows, err := d.Reader().QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case []byte:
					s = string(v)
				default:
					s = fmt.Sprint(v)
				}
				for _, n := range needles {
					if strings.Contains(s, n) {
						hits = append(hits, fmt.Sprintf("%s.%s: %s", table, cols[i], n))
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hits
}

func TestPersonalDataIsNeverStoredInPlainText(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pe := setupPrivacy(t, d)
		// a read through every API, so that anything a read writes (audit) is scanned too
		pe.do(t, "GET", "/api/v1/customers/"+pe.aliceID+"/export", "admin", "", "")
		needles := append(append(alice.needles(), aliceOtherPhoneDigits), bob.needles()...)
		if hits := plainTextHits(t, d, needles); len(hits) > 0 {
			t.Fatalf("personal data in plain text:\n%s", strings.Join(hits, "\n"))
		}
		// The scan does find what it looks for: the touchpoint's name is plain.
		if hits := plainTextHits(t, d, []string{"Touchpoint POS"}); len(hits) == 0 {
			t.Fatal("the scan found nothing, not even the touchpoint's name")
		}
	})
}

func TestMaskingByRole(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pe := setupPrivacy(t, d)
		for _, tc := range []struct {
			name, token string
			masked      bool
			want, never []string
		}{
			{"associate", "associate", true,
				[]string{`"value":"138****1234"`, `"value":"w***@example.com"`, `"name":"王**"`, `"address":"上海市****"`, `"birthday":"1990-**-**"`,
					`"city":"上海"`, `"value":"****88"`, `"masked":true`},
				append(alice.needles(), "+8613812341234", "VIP7788")},
			{"marketer", "marketer", true, []string{`"value":"138****1234"`, `"masked":true`}, alice.needles()},
			{"hq_admin", "admin", false,
				[]string{`"value":"+8613812341234"`, `"value":"` + alice.email + `"`, `"name":"` + alice.name + `"`, `"address":"` + alice.address + `"`,
					`"birthday":"` + alice.birthday + `"`, `"masked":false`},
				[]string{`"masked":true`, "****"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bodies := pe.do(t, "GET", "/api/v1/customers/"+pe.aliceID, tc.token, "", "") +
					pe.do(t, "GET", "/api/v1/customers?identifier=phone:"+alice.phoneDigits, tc.token, "", "") +
					pe.do(t, "GET", "/api/v1/customers/"+pe.aliceID+"/events", tc.token, "", "")
				for _, w := range tc.want {
					if !strings.Contains(bodies, w) {
						t.Errorf("missing %s in\n%s", w, bodies)
					}
				}
				for _, n := range tc.never {
					if strings.Contains(bodies, n) {
						t.Errorf("found %s in\n%s", n, bodies)
					}
				}
			})
		}
	})
}

func TestExportCustomer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pe := setupPrivacy(t, d)
		for _, tok := range []string{"associate", "marketer"} {
			if status, body := pe.try(t, "GET", "/api/v1/customers/"+pe.aliceID+"/export", tok, "", ""); status != 403 {
				t.Fatalf("%s export: %d %s", tok, status, body)
			}
		}
		if status, _ := pe.try(t, "GET", "/api/v1/customers/nope/export", "admin", "", ""); status != 404 {
			t.Fatalf("unknown customer export: %d", status)
		}
		body := pe.do(t, "GET", "/api/v1/customers/"+pe.aliceID+"/export", "admin", "", "")
		var x struct {
			CustomerID string   `json:"customer_id"`
			MergedIDs  []string `json:"merged_ids"`
			Customer   struct {
				Masked bool `json:"masked"`
			} `json:"customer"`
			Sections struct {
				Identifiers []CustomerIdentifierResponse `json:"identifiers"`
				Events      []CustomerEventResponse      `json:"events"`
				Reviews     []exportedReview             `json:"identity_reviews"`
			} `json:"sections"`
		}
		if err := json.Unmarshal([]byte(body), &x); err != nil {
			t.Fatal(err)
		}
		if x.CustomerID != pe.aliceID || len(x.MergedIDs) != 1 || x.Customer.Masked {
			t.Fatalf("export head: %s", body)
		}
		if len(x.Sections.Identifiers) != 3 || len(x.Sections.Events) != 4 || len(x.Sections.Reviews) != 1 {
			t.Fatalf("export sections: %d identifiers, %d events, %d reviews: %s",
				len(x.Sections.Identifiers), len(x.Sections.Events), len(x.Sections.Reviews), body)
		}
		for _, n := range append(alice.needles(), aliceOtherPhoneDigits) {
			if !strings.Contains(body, n) {
				t.Errorf("export lacks %s", n)
			}
		}
		for _, n := range bob.needles() {
			if strings.Contains(body, n) {
				t.Errorf("export holds bob's %s", n)
			}
		}
		var action, changes string
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT action, changes FROM audit_events WHERE tenant_id = $1 AND resource_id = $2
			AND action = 'customer.export'`, tenantA, pe.aliceID).Scan(&action, &changes); err != nil {
			t.Fatalf("audit entry: %v", err)
		}
		if !strings.Contains(changes, `"identifiers"`) || strings.Contains(changes, alice.phoneDigits) {
			t.Fatalf("audit changes = %s", changes)
		}
	})
}

func TestEraseCustomer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pe := setupPrivacy(t, d)
		ctx := context.Background()
		aliceNeedles := append(alice.needles(), aliceOtherPhoneDigits)
		merged, err := mergedInto(ctx, d.Reader(), tenantA, pe.aliceID)
		if err != nil || len(merged) != 1 {
			t.Fatalf("merged into alice: %v %v", merged, err)
		}
		// Stored responses of idempotent customer requests that carry alice's personal
		// data: an unmerge and the merge that joins the two again (each returns alice's
		// 360 with her phone and name).
		pe.do(t, "POST", "/api/v1/customers/"+pe.aliceID+"/unmerge", "admin", `{"customer_id":"`+merged[0]+`"}`, "unmerge-1")
		mergeBody := `{"customer_ids":["` + merged[0] + `"]}`
		if resp := pe.do(t, "POST", "/api/v1/customers/"+pe.aliceID+"/merge", "admin", mergeBody, "merge-1"); !strings.Contains(resp, alice.phoneDigits) {
			t.Fatalf("merge response without alice's phone: %s", resp)
		}
		if status, replay := pe.try(t, "POST", "/api/v1/customers/"+pe.aliceID+"/merge", "admin", mergeBody, "merge-1"); status != 200 ||
			!strings.Contains(replay, alice.phoneDigits) {
			t.Fatalf("merge replay before erasure: %d %s", status, replay)
		}
		var eventsBefore int
		if err := d.Reader().QueryRowContext(ctx, `SELECT event_count FROM customers WHERE tenant_id = $1 AND id = $2`, tenantA, pe.aliceID).Scan(&eventsBefore); err != nil {
			t.Fatal(err)
		}

		for _, tok := range []string{"associate", "marketer"} {
			if status, body := pe.try(t, "POST", "/api/v1/customers/"+pe.aliceID+"/erase", tok, "", ""); status != 403 {
				t.Fatalf("%s erase: %d %s", tok, status, body)
			}
		}
		if status, _ := pe.try(t, "POST", "/api/v1/customers/nope/erase", "admin", "", ""); status != 404 {
			t.Fatalf("unknown customer erase: %d", status)
		}
		// Erasing through the merged id erases the survivor and everything merged into it.
		body := pe.do(t, "POST", "/api/v1/customers/"+merged[0]+"/erase", "admin", "", "erase-1")
		if !strings.Contains(body, `"id":"`+pe.aliceID+`"`) || !strings.Contains(body, `"status":"erased"`) || !strings.Contains(body, merged[0]) {
			t.Fatalf("erase: %s", body)
		}
		if again := pe.do(t, "POST", "/api/v1/customers/"+pe.aliceID+"/erase", "admin", "", ""); !strings.Contains(again, `"status":"erased"`) {
			t.Fatalf("erase again: %s", again)
		}

		// (a) no API returns alice's personal data any more: the stored responses
		// concerning her are withheld, so their retries answer 409
		for _, k := range []struct{ path, body, key string }{
			{"/api/v1/customers/" + pe.aliceID + "/unmerge", `{"customer_id":"` + merged[0] + `"}`, "unmerge-1"},
			{"/api/v1/customers/" + pe.aliceID + "/merge", mergeBody, "merge-1"},
		} {
			if status, body := pe.try(t, "POST", k.path, "admin", k.body, k.key); status != 409 || !strings.Contains(body, "replay not available") {
				t.Fatalf("retry of %s after erasure: %d %s", k.key, status, body)
			}
		}

		var reads strings.Builder
		for _, id := range []string{pe.aliceID, merged[0]} {
			for _, tok := range []string{"admin", "associate"} {
				reads.WriteString(pe.do(t, "GET", "/api/v1/customers/"+id, tok, "", ""))
				reads.WriteString(pe.do(t, "GET", "/api/v1/customers/"+id+"/events", tok, "", ""))
			}
			reads.WriteString(pe.do(t, "GET", "/api/v1/customers/"+id+"/export", "admin", "", ""))
		}
		for _, n := range aliceNeedles {
			if strings.Contains(reads.String(), n) {
				t.Fatalf("an API still returns %s:\n%.3000s", n, reads.String())
			}
		}
		if !strings.Contains(reads.String(), `"status":"erased"`) || !strings.Contains(reads.String(), fmt.Sprintf(`"event_count":%d`, eventsBefore)) {
			t.Fatalf("erased customer reads: %s", reads.String())
		}
		for _, ident := range []string{"phone:" + alice.phoneDigits, "email:" + alice.email, "member_card:" + pe.aliceCard} {
			if status, body := pe.try(t, "GET", "/api/v1/customers?identifier="+ident, "admin", "", ""); status != 404 {
				t.Errorf("look-up %s after erasure: %d %s", ident, status, body)
			}
		}

		// (b) no table holds alice's personal data in plain text; bob's is intact
		if hits := plainTextHits(t, d, aliceNeedles); len(hits) > 0 {
			t.Fatalf("alice's personal data left in plain text:\n%s", strings.Join(hits, "\n"))
		}
		bobBody := pe.do(t, "GET", "/api/v1/customers?identifier=email:"+bob.email, "admin", "", "")
		var bobC CustomerResponse
		if err := json.Unmarshal([]byte(bobBody), &bobC); err != nil {
			t.Fatal(err)
		}
		bobEvents := pe.do(t, "GET", "/api/v1/customers/"+bobC.ID+"/events", "admin", "", "")
		if bobC.Status != CustomerActive || !strings.Contains(bobBody, "+86"+bob.phoneDigits) || !strings.Contains(bobEvents, bob.address) {
			t.Fatalf("bob after alice's erasure: %s %s", bobBody, bobEvents)
		}

		// anonymous counts stay, the open review is closed, the other domains are told
		if n := countEvents(t, d, tenantA); n != 5 {
			t.Fatalf("%d events left, want 5", n)
		}
		var open int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1 AND status = 'open'`, tenantA).Scan(&open); err != nil || open != 0 {
			t.Fatalf("open reviews = %d (%v)", open, err)
		}
		var payload string
		if err := d.Reader().QueryRowContext(ctx, `SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventCustomerErased).Scan(&payload); err != nil {
			t.Fatalf("outbox %s: %v", EventCustomerErased, err)
		}
		var ev CustomerErasedEvent
		if err := json.Unmarshal([]byte(payload), &ev); err != nil || ev.CustomerID != pe.aliceID || len(ev.MergedIDs) != 1 || ev.MergedIDs[0] != merged[0] {
			t.Fatalf("payload = %s (%v)", payload, err)
		}
		var audits int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'customer.erase' AND resource_id = $2`,
			tenantA, pe.aliceID).Scan(&audits); err != nil || audits != 1 {
			t.Fatalf("erase audit entries = %d (%v)", audits, err)
		}

		// the same phone later makes a new customer
		pe.do(t, "POST", "/api/v1/events", "integrator", `{"touchpoint":"POS","events":[`+
			personEvent("a5", "visit", "2026-03-01T07:00:00Z", map[string]string{"phone": alice.phone}, nil)+`]}`, "")
		c, err := pe.svc.FindCustomerByIdentifier(admin(tenantA), "phone:"+alice.phoneDigits)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == pe.aliceID || c.ID == merged[0] || c.Status != CustomerActive || c.EventCount != 1 {
			t.Fatalf("new customer for the phone: %+v", c)
		}
	})
}

func TestEraseNeedsScopes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		_, err := e.svc.EraseCustomer(context.Background(), "x")
		wantCode(t, err, errs.Unauthorized, "")
		_, err = e.svc.EraseCustomer(as(tenantA, auth.Associate), "x")
		wantCode(t, err, errs.Forbidden, "")
		_, err = e.svc.ExportCustomer(as(tenantA, auth.Marketer), "x")
		wantCode(t, err, errs.Forbidden, "")
		_, err = e.svc.EraseCustomer(admin(tenantA), "x")
		wantCode(t, err, errs.NotFound, "")
	})
}

// TestEraseDuringIngestion erases a customer while other requests send events with
// its phone: afterwards no identifier belongs to an erased customer, and the phone,
// if it came back, names one live customer.
func TestEraseDuringIngestion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		ctx := integrator(tenantA)
		first := personEvent("x0", "visit", "2026-03-01T06:00:00Z", map[string]string{"phone": alice.phone}, &alice)
		if _, err := e.svc.Ingest(ctx, "POS", raws(first)); err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:"+alice.phoneDigits)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 9)
		for i := range 8 {
			wg.Go(func() {
				ev := personEvent(fmt.Sprintf("x%d", i+1), "visit", "2026-03-01T06:30:00Z",
					map[string]string{"phone": alice.phone, "member_card": fmt.Sprintf("C%d", i)}, &alice)
				_, err := e.svc.Ingest(ctx, "POS", raws(ev))
				errc <- err
			})
		}
		wg.Go(func() {
			_, err := e.svc.EraseCustomer(admin(tenantA), c.ID)
			errc <- err
		})
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		var stale int
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM customer_identifiers i JOIN customers c
			ON c.tenant_id = i.tenant_id AND c.id = i.customer_id WHERE i.tenant_id = $1 AND (c.status <> 'active' OR c.merged_into IS NOT NULL)`,
			tenantA).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Fatalf("%d identifiers belong to erased or merged customers", stale)
		}
		var onErased int
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id = $2
			AND properties <> ''`, tenantA, c.ID).Scan(&onErased); err != nil {
			t.Fatal(err)
		}
		if onErased != 0 {
			t.Fatalf("%d events with personal data are attached to the erased customer", onErased)
		}
		if n := countEvents(t, d, tenantA); n != 9 {
			t.Fatalf("%d events stored, want 9", n)
		}
	})
}
