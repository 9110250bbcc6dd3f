package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// maskServer serves e's API with tokens for a tenant-wide admin (customers:pii), an
// analyst, a marketer, an associate and an integrator of tenant A, and returns a
// function that calls it (status and body).
func maskServer(t *testing.T, e *env) func(method, path, token, body string) (int, string) {
	t.Helper()
	tokens := fakeAuth{"integrator": auth.FromContext(integrator(tenantA))}
	for tok, role := range map[string]auth.Role{"admin": auth.HQAdmin, "analyst": auth.Analyst, "marketer": auth.Marketer, "associate": auth.Associate} {
		tokens[tok] = auth.FromContext(as(tenantA, role))
	}
	store := auth.FromContext(admin(tenantA))
	store.DataScope, store.DataID = auth.StoreScope, storeA1
	tokens["store-admin"] = store
	srv := httpapi.New(httpapi.Options{Auth: tokens})
	e.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return func(method, path, token, body string) (int, string) {
		t.Helper()
		return httpCall(t, ts.URL, method, path, token, body, "")
	}
}

// findingProperties are the examples of issue 10 finding 2, beside declared values.
const findingProperties = `{"receiver_phone":"13812345678","tel":"+86 139 8765 4321","手机号":"13612345678","收货人":"王小明",
	"id_card":"11010119900307123X","delivery_address":"上海市浦东新区张江路88弄","Name":"Li Lei",
	"recipient":{"phone":"13712345678","name":"赵六六"},"phone":13512345678,"email":["wang.li@example.com"],
	"amount_fen":1999,"SKU":"MILK-1L","store_code":"SH-001","age":37,"vip":true}`

// TestSecurity02_EventPropertiesMaskedByAllowList: every example of the finding comes
// back masked in the timeline to readers without customers:pii (whatever the name,
// case, nesting or JSON type), declared non-personal names keep their values, and
// the hq_admin sees every value as sent (numbers exact).
func TestSecurity02_EventPropertiesMaskedByAllowList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		call := maskServer(t, e)
		send(t, e, ev{"POS1", "f1", "order", "", `{"member_card":"K-778899"}`, findingProperties})
		id := idOf(t, e, "member_card:K778899")
		masked := []string{`"receiver_phone":"138****5678"`, `"tel":"139****4321"`, `"手机号":"136****5678"`, `"收货人":"王**"`,
			`"id_card":"110**************X"`, `"delivery_address":"上************"`, `"Name":"L*****"`,
			`"recipient":{"name":"赵**","phone":"137****5678"}`, `"phone":"135****5678"`, `"email":["w***@example.com"]`,
			`"age":"***"`, `"vip":"***"`, `"amount_fen":1999`, `"SKU":"MILK-1L"`, `"store_code":"SH-001"`, `"masked":true`}
		plain := []string{"13812345678", "98765", "13612345678", "王小明", "11010119900307123X", "张江路", "Li Lei", "13712345678", "赵六六",
			"13512345678", "wang.li", `"age":37`, "778899"}
		for _, token := range []string{"analyst", "associate", "marketer"} {
			status, body := call("GET", "/api/v1/customers/"+id+"/events", token, "")
			if status != 200 {
				t.Fatalf("%s: %d %s", token, status, body)
			}
			for _, w := range masked {
				if !strings.Contains(body, w) {
					t.Errorf("%s: missing %s in %s", token, w, body)
				}
			}
			for _, n := range plain {
				if strings.Contains(body, n) {
					t.Errorf("%s: %s in plain text in %s", token, n, body)
				}
			}
		}
		_, body := call("GET", "/api/v1/customers/"+id+"/events", "admin", "")
		for _, w := range []string{`"receiver_phone":"13812345678"`, `"phone":13512345678`, `"收货人":"王小明"`, `"recipient":{"name":"赵六六","phone":"13712345678"}`,
			`"age":37`, `"masked":false`} {
			if !strings.Contains(body, w) {
				t.Errorf("admin: missing %s in %s", w, body)
			}
		}
	})
}

// TestSecurity02_ProfileFieldsMaskedByShape: the profile's city is shown, but not a
// phone number sent as a city.
func TestSecurity02_ProfileFieldsMaskedByShape(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		send(t, e, ev{"POS1", "c1", "visit", "", `{"member_card":"K1"}`, `{"city":"13812345678"}`})
		if c := find360(t, as(tenantA, auth.Analyst), e, "member_card:K1"); c.Profile.City != "138****5678" {
			t.Fatalf("city = %q", c.Profile.City)
		}
		if c := find360(t, admin(tenantA), e, "member_card:K1"); c.Profile.City != "13812345678" {
			t.Fatalf("admin city = %q", c.Profile.City)
		}
	})
}

// TestSecurity02_EventSchemaDecidesWhatIsShown: the tenant's event schema is the
// allow-list; changing it needs customers:pii over the whole tenant, is audited and
// published, refuses personal names, and applies on this node at once and on the
// others within cacheTTL.
func TestSecurity02_EventSchemaDecidesWhatIsShown(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		other := NewService(d, events.NewOutbox(e.clock), audit.New(d, e.clock), e.clock, fakeStores{}, nil, mustKeys(t))
		send(t, e, ev{"POS1", "s1", "order", "", `{"member_card":"K1"}`,
			`{"delivery_note":"放门口","store_code":"SH-001","amount_fen":5,"sku":"x.y@example.com"}`})
		id := idOf(t, e, "member_card:K1")
		analyst := as(tenantA, auth.Analyst)
		props := func(svc *Service) map[string]any {
			t.Helper()
			page, err := svc.FindCustomerEvents(analyst, id, CustomerEventFilter{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("events: %+v, %v", page, err)
			}
			return page.Items[0].Properties
		}
		if got := fmt.Sprint(props(e.svc)); got != "map[amount_fen:5 delivery_note:放** sku:x***@example.com store_code:SH-001]" {
			t.Fatalf("with the defaults: %s", got)
		}
		if got := fmt.Sprint(props(other)); !strings.Contains(got, "delivery_note:放**") {
			t.Fatalf("node 2 with the defaults: %s", got)
		}
		es, err := e.svc.EventSchema(analyst)
		if err != nil || es.Customised || !slices.Contains(es.NonPersonal, "store_code") {
			t.Fatalf("schema = %+v, %v", es, err)
		}

		for _, tt := range []struct {
			name  string
			ctx   context.Context
			names []string
			code  errs.Code
			field string
		}{
			{"marketer lacks customers:pii", as(tenantA, auth.Marketer), []string{"delivery_note"}, errs.Forbidden, ""},
			{"store-scoped admin", storeAdmin(), []string{"delivery_note"}, errs.Forbidden, ""},
			{"a personal name", admin(tenantA), []string{"sku", "手机号"}, errs.Invalid, "body.non_personal[1]"},
			{"an identifier type", admin(tenantA), []string{"Phone"}, errs.Invalid, "body.non_personal[0]"},
			{"a phone as a name", admin(tenantA), []string{"13812345678"}, errs.Invalid, "body.non_personal[0]"},
			{"an empty name", admin(tenantA), []string{" "}, errs.Invalid, "body.non_personal[0]"},
			{"too long", admin(tenantA), []string{strings.Repeat("x", 65)}, errs.Invalid, "body.non_personal[0]"},
			{"too many", admin(tenantA), make([]string, 501), errs.Invalid, "body.non_personal"},
		} {
			_, err := e.svc.UpdateEventSchema(tt.ctx, tt.names)
			if tt.code == errs.Forbidden {
				if !errs.Is(err, errs.Forbidden) {
					t.Fatalf("%s: err = %v", tt.name, err)
				}
				continue
			}
			wantCode(t, err, tt.code, tt.field)
		}

		es, err = e.svc.UpdateEventSchema(admin(tenantA), []string{"Delivery_Note", "delivery_note", " ＳＫＵ ", "amount_fen"})
		if err != nil || strings.Join(es.NonPersonal, ",") != "amount_fen,delivery_note,sku" || !es.Customised {
			t.Fatalf("update = %+v, %v", es, err)
		}
		// This node applies it at once; a value personal by shape stays masked.
		if got := fmt.Sprint(props(e.svc)); got != "map[amount_fen:5 delivery_note:放门口 sku:x***@example.com store_code:S*****]" {
			t.Fatalf("after the change: %s", got)
		}
		if got := fmt.Sprint(props(other)); !strings.Contains(got, "delivery_note:放**") {
			t.Fatalf("node 2 reloaded before the TTL: %s", got)
		}
		e.clock.Advance(cacheTTL + time.Millisecond)
		if got := fmt.Sprint(props(other)); !strings.Contains(got, "delivery_note:放门口") {
			t.Fatalf("node 2 after the TTL: %s", got)
		}
		var changes, payload string
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT changes FROM audit_events WHERE tenant_id = $1 AND action = 'identity.event_schema.update'`,
			tenantA).Scan(&changes); err != nil || !strings.Contains(changes, `"added":["delivery_note"]`) || !strings.Contains(changes, `"removed":[`) {
			t.Fatalf("audit: %s, %v", changes, err)
		}
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = $2`,
			tenantA, EventSchemaChanged).Scan(&payload); err != nil || payload != changes {
			t.Fatalf("outbox: %s, %v", payload, err)
		}

		if es, err = e.svc.ResetEventSchema(admin(tenantA)); err != nil || es.Customised || !slices.Contains(es.NonPersonal, "store_code") {
			t.Fatalf("reset = %+v, %v", es, err)
		}
		if got := fmt.Sprint(props(e.svc)); !strings.Contains(got, "store_code:SH-001") || !strings.Contains(got, "delivery_note:放**") {
			t.Fatalf("after the reset: %s", got)
		}
	})
}

// storeAdmin is an hq_admin whose data scope is one store.
func storeAdmin() context.Context {
	p := auth.FromContext(admin(tenantA))
	p.DataScope, p.DataID = auth.StoreScope, storeA1
	return auth.WithPrincipal(context.Background(), p)
}

// TestEventSchemaHTTP checks the event schema operations and their scopes.
func TestEventSchemaHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		call := maskServer(t, setup360(t, d))
		for _, s := range []struct {
			name, method, path, token, body string
			status                          int
			contains                        string
		}{
			{"read", "GET", "/api/v1/event-schema", "analyst", "", 200, `"customised":false`},
			{"read defaults", "GET", "/api/v1/event-schema", "associate", "", 200, `"amount_fen"`},
			{"read needs customers:read", "GET", "/api/v1/event-schema", "integrator", "", 403, ``},
			{"change needs customers:pii", "PUT", "/api/v1/event-schema", "marketer", `{"non_personal":["sku"]}`, 403, `customers:pii`},
			{"change needs the whole tenant", "PUT", "/api/v1/event-schema", "store-admin", `{"non_personal":["sku"]}`, 403, `whole tenant`},
			{"refused name", "PUT", "/api/v1/event-schema", "admin", `{"non_personal":["sku","收货人"]}`, 422, `body.non_personal[1]`},
			{"too many", "PUT", "/api/v1/event-schema", "admin", `{"non_personal":[` + strings.Repeat(`"x",`, 500) + `"y"]}`, 422, `non_personal`},
			{"not a list", "PUT", "/api/v1/event-schema", "admin", `{"non_personal":"sku"}`, 422, ``},
			{"change", "PUT", "/api/v1/event-schema", "admin", `{"non_personal":["SKU","delivery_note"]}`, 200, `"non_personal":["delivery_note","sku"]`},
			{"read changed", "GET", "/api/v1/event-schema", "analyst", "", 200, `"customised":true`},
			{"reset needs customers:pii", "DELETE", "/api/v1/event-schema", "marketer", "", 403, ``},
			{"reset", "DELETE", "/api/v1/event-schema", "admin", "", 200, `"customised":false`},
		} {
			status, body := call(s.method, s.path, s.token, s.body)
			if status != s.status || !strings.Contains(body, s.contains) {
				t.Errorf("%s: %d %s; want %d containing %s", s.name, status, body, s.status, s.contains)
			}
		}
	})
}

// TestSecurity02_NotesSourcesAuditAndOutboxMasked: a merge note, a review note and a
// consent source typed with personal data in them are masked for readers without
// customers:pii, and never written into audit entries or outbox payloads in plain.
func TestSecurity02_NotesSourcesAuditAndOutboxMasked(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		call := maskServer(t, e)
		send(t, e,
			ev{"POS1", "n1", "visit", "", `{"phone":"13800138000"}`, ``},
			ev{"POS1", "n2", "visit", "", `{"email":"w@example.com"}`, ``},
			ev{"POS1", "n3", "visit", "", `{"phone":"13900139000","member_card":"K1"}`, ``},
			ev{"POS1", "n4", "visit", "", `{"phone":"13700137000","member_card":"K1"}`, ``}, // a review
		)
		x, w := idOf(t, e, "phone:13800138000"), idOf(t, e, "email:w@example.com")
		const note = "同一人 王小明 电话 13512345678 邮箱 wang.li@example.com"
		needles := []string{"13512345678", "王小明", "wang.li@example.com", "13612345678", "李四光"}
		if status, body := call("POST", "/api/v1/customers/"+x+"/merge", "marketer", `{"customer_ids":["`+w+`"],"note":"`+note+`"}`); status != 200 {
			t.Fatalf("merge: %d %s", status, body)
		}
		status, body := call("POST", "/api/v1/customers/"+x+"/consents", "marketer",
			`{"purpose":"marketing","channel":"sms","granted":true,"source":"柜台 13612345678"}`)
		if status != 200 || !strings.Contains(body, `"source":"柜****`) {
			t.Fatalf("consent: %d %s", status, body)
		}
		reviews, err := e.svc.FindReviews(admin(tenantA), ReviewFilter{Status: "open"})
		if err != nil || len(reviews.Items) == 0 {
			t.Fatalf("reviews: %+v, %v", reviews, err)
		}
		if status, body := call("POST", "/api/v1/identity-reviews/"+reviews.Items[0].ID+"/resolve", "marketer",
			`{"action":"separate","note":"李四光 13512345678"}`); status != 200 {
			t.Fatalf("resolve: %d %s", status, body)
		}
		for _, path := range []string{"/api/v1/customers/" + x + "/merges", "/api/v1/customers/" + x + "/consents/history", "/api/v1/customers/" + x,
			"/api/v1/identity-reviews"} {
			status, body := call("GET", path, "analyst", "")
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			for _, n := range needles {
				if strings.Contains(body, n) {
					t.Errorf("%s shows %s to an analyst: %s", path, n, body)
				}
			}
		}
		if _, body := call("GET", "/api/v1/customers/"+x+"/merges", "analyst", ""); !strings.Contains(body, `"reason":"manual merge: 同**`) {
			t.Errorf("merge reason: %s", body)
		}
		if _, body := call("GET", "/api/v1/customers/"+x+"/merges", "admin", ""); !strings.Contains(body, note) {
			t.Errorf("admin merge reason: %s", body)
		}
		if _, body := call("GET", "/api/v1/customers/"+x+"/consents/history", "admin", ""); !strings.Contains(body, "柜台 13612345678") {
			t.Errorf("admin consent history: %s", body)
		}
		if hits := tableHits(t, d, []string{"audit_events", "outbox_events"}, needles); len(hits) > 0 {
			t.Fatalf("personal data in audit entries or outbox payloads:\n%s", strings.Join(hits, "\n"))
		}
		// The scan finds what it looks for: the merge is in the audit log.
		if hits := tableHits(t, d, []string{"audit_events"}, []string{"manual merge: 同"}); len(hits) == 0 {
			t.Fatal("no audited merge found")
		}
	})
}

// TestSecurity02_ErrorsDoNotEchoPersonalValues: ingestion refuses event ids that are
// personal values and masks field names it echoes; validation problems never carry
// the refused value.
func TestSecurity02_ErrorsDoNotEchoPersonalValues(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ name, raw, field string }{
		{"phone as id", `{"id":"13812345678","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`, "id"},
		{"e-mail as id", `{"id":"wang.li@example.com","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`, "id"},
		{"phone in a type", `{"id":"e1","type":"visit_13812345678","occurred_at":"2026-03-01T07:00:00Z"}`, "type"},
		{"phone as a field", `{"id":"e1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","13812345678":1}`, "138****5678"},
		{"phone as an identifier type", `{"id":"e1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"13812345678":"x"}}`, "identifiers.138****5678"},
	} {
		if _, field, reason := ParseEvent([]byte(tt.raw), now); field != tt.field || reason == "" || strings.Contains(reason, "13812345678") {
			t.Errorf("%s: field %q, reason %q; want field %q", tt.name, field, reason, tt.field)
		}
	}
	if _, _, reason := ParseEvent([]byte(`{"id":"import-0123456789abcdef13812345678","type":"visit","occurred_at":"2026-03-01T07:00:00Z"}`), now); reason != "" {
		t.Errorf("an id holding digits was refused: %s", reason)
	}

	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		call := maskServer(t, setup360(t, d))
		phone := "13812345678"
		for _, path := range []string{
			"/api/v1/customers?identifier=" + phone + ":x",
			"/api/v1/customers?identifier=" + url.QueryEscape("phone:"+phone+strings.Repeat(" ", 300)),
			"/api/v1/customers/search?q=" + phone + "&limit=" + phone,
			"/api/v1/customers/search?q=" + strings.Repeat(phone, 20),
			"/api/v1/identity-reviews?status=" + phone,
			"/api/v1/customers/x/events?cursor=" + phone + "&limit=" + phone,
		} {
			status, body := call("GET", path, "analyst", "")
			if status != 422 || strings.Contains(body, phone) || strings.Contains(body, `"value"`) {
				t.Errorf("GET %s: %d %s", path, status, body)
			}
		}
		status, body := call("POST", "/api/v1/events", "integrator", `{"touchpoint":"POS1","events":[{"id":"e1","type":"visit","occurred_at":"2026-03-01T07:00:00Z","`+phone+`":1}]}`)
		// Its only event rejected, the request is a 422 naming the event's field, masked.
		if status != 422 || strings.Contains(body, phone) || !strings.Contains(body, `"location":"body.events[0].138****5678"`) {
			t.Errorf("ingest: %d %s", status, body)
		}
	})
}

// identifierCases are one identifier of every type, as sent, normalised, and as a
// reader without customers:pii sees it (decision 0015).
var identifierCases = []struct{ typ, sent, stored, masked string }{
	{"phone", "138 1234 5678", "+8613812345678", "138****5678"},
	{"email", "Wang.Li@Example.com", "wang.li@example.com", "w***@example.com"},
	{"member_card", "VIP-0012-3456", "VIP00123456", "****3456"},
	{"wechat_unionid", "oUnion1234567890abcd", "oUnion1234567890abcd", "****abcd"},
	{"wechat_openid", "oOpen9876543210wxyz", "oOpen9876543210wxyz", "****wxyz"},
	{"app_user_id", "app-user-7788", "app-user-7788", "****7788"},
	{"alipay_user_id", "2088123412349876", "2088123412349876", "****9876"},
	{"marketplace_buyer_id", "tb_buyer_5566", "tb_buyer_5566", "****5566"},
	{"delivery_user_id", "mt-44556677", "mt-44556677", "****6677"},
	{"device_id", "dev-ABCDEF123456", "dev-ABCDEF123456", "****3456"},
	{"cookie_id", "ck-0011223344", "ck-0011223344", "****3344"},
	{"pos_customer_ref", "REF-99887766", "REF-99887766", "****7766"},
	{"masked_phone", "139xxxx4321", "139****4321", "139****4321"},
}

// TestSecurity06_IdentifiersMaskedForReadersWithoutPII: every identifier type — not
// only phones and e-mails — is masked in the look-up, the 360, the timeline and the
// search hits for readers without customers:pii, keeping enough to recognise it; the
// hq_admin sees them whole.
func TestSecurity06_IdentifiersMaskedForReadersWithoutPII(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		call := maskServer(t, e)
		idents := map[string]string{}
		for _, c := range identifierCases {
			idents[c.typ] = c.sent
		}
		raw, _ := json.Marshal(idents)
		send(t, e, ev{"POS1", "i1", "visit", "", string(raw), ""})
		id := idOf(t, e, "member_card:VIP00123456")
		paths := []string{"/api/v1/customers/" + id, "/api/v1/customers/" + id + "/events", "/api/v1/customers?identifier=member_card:VIP00123456",
			"/api/v1/customers/search?q=VIP00123456", "/api/v1/customers/search?q=oUnion1234567890abcd"}
		for _, token := range []string{"analyst", "associate", "marketer"} {
			var all strings.Builder
			for _, p := range paths {
				status, body := call("GET", p, token, "")
				if status != 200 || !strings.Contains(body, `"masked":true`) {
					t.Fatalf("%s GET %s: %d %s", token, p, status, body)
				}
				all.WriteString(body)
			}
			bodies := all.String()
			for _, c := range identifierCases {
				want := fmt.Sprintf(`"type":%q,"value":%q`, c.typ, c.masked)
				if c.typ == "masked_phone" { // not held on customers: only on the event
					want = fmt.Sprintf(`%q:%q`, c.typ, c.masked)
				}
				if !strings.Contains(bodies, want) {
					t.Errorf("%s: missing %s", token, want)
				}
				if c.typ != "masked_phone" && (strings.Contains(bodies, c.stored) || strings.Contains(bodies, strings.TrimPrefix(c.stored, "+86"))) {
					t.Errorf("%s: %s %s in plain text", token, c.typ, c.stored)
				}
			}
		}
		_, body := call("GET", "/api/v1/customers/"+id, "admin", "")
		for _, c := range identifierCases[:12] {
			if !strings.Contains(body, fmt.Sprintf(`"type":%q,"value":%q`, c.typ, c.stored)) {
				t.Errorf("admin: %s not shown whole in %s", c.typ, body)
			}
		}
	})
}
