package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// rotationEnv is a database with customers of two tenants under the test key:
// tenant A with a merge in force and an erased customer (that had absorbed another),
// tenant B with every value sealed the legacy way ("k1:").
type rotationEnv struct {
	*env
	alice, card string // tenant A: alice absorbed the customer holding the member card
	bob         string // tenant B
}

// keysOf returns the keys of a secret made of one repeated byte.
func keysOf(t testing.TB, fill byte) *pii.Keys {
	t.Helper()
	k, err := pii.NewKeys([]byte(strings.Repeat(string(rune(fill)), pii.MinSecretLen)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// serviceWith returns a service on e's database that holds only keys.
func serviceWith(e *env, keys *pii.Keys) *Service {
	stores := fakeStores{storeA1: tenantA, storeA2: tenantA, storeB1: tenantB}
	return NewService(e.db, events.NewOutbox(e.clock), audit.New(e.db, e.clock), e.clock, stores, nil, keys)
}

// postAsAdmin serves svc's operations with idempotent requests sealed under keys and
// returns a function that POSTs as tenant A's admin with an Idempotency-Key.
func postAsAdmin(t *testing.T, d *db.DB, svc *Service, keys *pii.Keys) func(path, body, key string) (int, http.Header, string) {
	t.Helper()
	c := clock.System{}
	srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"admin": auth.FromContext(admin(tenantA))},
		Idempotency: httpapi.NewIdempotency(d, keys, c, slog.New(slog.NewTextHandler(io.Discard, nil)))})
	svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return func(path, body, key string) (int, http.Header, string) {
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer admin")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(httpapi.IdempotencyHeader, key)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
}

func sendTo(t *testing.T, e *env, tenantID, tp string, events ...string) {
	t.Helper()
	r, err := e.svc.Ingest(integrator(tenantID), tp, raws(events...))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) > 0 || r.Accepted != len(events) {
		t.Fatalf("ingest: %+v", r)
	}
}

func customerOf(t *testing.T, e *env, tenantID, identifier string) string {
	t.Helper()
	c, err := e.svc.FindCustomerByIdentifier(admin(tenantID), identifier)
	if err != nil {
		t.Fatalf("lookup %s: %v", identifier, err)
	}
	return c.ID
}

func setupRotation(t *testing.T, d *db.DB) *rotationEnv {
	t.Helper()
	e := setup360(t, d)
	re := &rotationEnv{env: e}
	sendTo(t, e, tenantA, "POS1",
		`{"id":"a1","type":"register","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812341234","email":"alice@example.com"},
			"properties":{"name":"王小明","birthday":"1990-05-17","address":"上海市浦东新区张江路88弄","city":"上海"}}`,
		`{"id":"a2","type":"visit","occurred_at":"2026-03-01T07:10:00Z","identifiers":{"member_card":"VIP7788"},"properties":{"amount":12}}`,
		`{"id":"a3","type":"visit","occurred_at":"2026-03-01T07:20:00Z","identifiers":{"phone":"13900001111"},"properties":{"name":"李雷"}}`,
		`{"id":"a4","type":"visit","occurred_at":"2026-03-01T07:30:00Z","identifiers":{"email":"gone@example.com"}}`,
	)
	ctx := admin(tenantA)
	re.alice, re.card = customerOf(t, e, tenantA, "phone:13812341234"), customerOf(t, e, tenantA, "member_card:VIP7788")
	if _, err := e.svc.MergeCustomers(ctx, re.alice, []string{re.card}, "same person"); err != nil {
		t.Fatal(err)
	}
	lei, gone := customerOf(t, e, tenantA, "phone:13900001111"), customerOf(t, e, tenantA, "email:gone@example.com")
	if _, err := e.svc.MergeCustomers(ctx, lei, []string{gone}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.EraseCustomer(ctx, lei); err != nil {
		t.Fatal(err)
	}
	mkTouchpoint(t, e, admin(tenantB), "POSB")
	sendTo(t, e, tenantB, "POSB",
		`{"id":"b1","type":"register","occurred_at":"2026-03-01T07:00:00Z","identifiers":{"phone":"13812341234"},"properties":{"name":"王小明","address":"北京市朝阳区"}}`,
		`{"id":"b2","type":"visit","occurred_at":"2026-03-01T08:00:00Z","identifiers":{"phone":"13812341234"},"properties":{}}`,
	)
	re.bob = customerOf(t, e, tenantB, "phone:13812341234")
	// Tenant B as sealed before key ids were fingerprints.
	for _, t2 := range sealedTables() {
		for _, col := range t2.sealed {
			if _, err := d.Writer().ExecContext(context.Background(), fmt.Sprintf(`UPDATE %s SET %s = 'k1:' || substr(%s, %d) WHERE tenant_id = $1 AND %s <> ''`,
				t2.name, col, col, len(e.svc.pii.ID())+2, col), tenantB); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := countRows(t, d, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND substr(identifiers, 1, 3) = 'k1:'`, tenantB); n != 2 {
		t.Fatalf("legacy events of tenant B = %d", n)
	}
	return re
}

// reads returns what every read of the API answers about the customers of re,
// with full values (hq_admin), as JSON.
func (re *rotationEnv) reads(t *testing.T, s *Service) string {
	t.Helper()
	var out []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	for _, c := range []struct{ tenant, id, phone, name, identifier string }{
		{tenantA, re.alice, "13812341234", "王小明", "member_card:VIP7788"},
		{tenantB, re.bob, "13812341234", "王小明", "phone:13812341234"},
	} {
		ctx := admin(c.tenant)
		add(s.FindCustomer360(ctx, c.id))
		add(s.FindCustomerByIdentifier(ctx, c.identifier))
		add(s.SearchCustomers(ctx, c.phone, 10))
		add(s.SearchCustomers(ctx, c.name, 10))
		add(s.FindCustomerEvents(ctx, c.id, CustomerEventFilter{}))
		add(s.ExportCustomer(ctx, c.id))
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"王小明", "+8613812341234", "alice@example.com", "VIP7788", "上海市浦东新区张江路88弄", "1990-05-17", "北京市朝阳区"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("reads miss %s: %s", want, b)
		}
	}
	return string(b)
}

// sealedKeyIDs counts the sealed values of every sealed column by key id.
func sealedKeyIDs(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	ids := map[string]int{}
	for _, st := range sealedTables() {
		for _, col := range st.sealed {
			err := db.EachRow(context.Background(), d.Reader(), `SELECT `+col+` FROM `+st.name+` WHERE `+col+` <> ''`, nil, func(rs *sql.Rows) error {
				var v string
				err := rs.Scan(&v)
				ids[pii.KeyID(v)]++
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func TestRotateKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		re := setupRotation(t, d)
		ctx := context.Background()
		old, next := re.svc.pii, keysOf(t, 'n')
		// A response stored for an Idempotency-Key replay, sealed under the old key.
		consentPath, consent := "/api/v1/customers/"+re.alice+"/consents", `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`
		first := postAsAdmin(t, d, re.svc, old)
		status, _, stored := first(consentPath, consent, "consent-1")
		if status != 200 {
			t.Fatalf("consent: %d %s", status, stored)
		}
		before := re.reads(t, re.svc)
		if err := re.svc.CheckKeys(ctx); err != nil {
			t.Fatalf("check with the key that sealed everything (legacy values included): %v", err)
		}
		withNew := serviceWith(re.env, next)
		if err := withNew.CheckKeys(ctx); !errors.Is(err, ErrOtherKey) {
			t.Fatalf("check with a key that sealed nothing: err = %v", err)
		}
		if _, err := RotateKeys(ctx, d, keysOf(t, 'x'), next, RotateOptions{}); !errors.Is(err, ErrOtherKey) {
			t.Fatalf("rotation from a key that sealed nothing: err = %v", err)
		}
		if ids := sealedKeyIDs(t, d); ids[next.ID()] != 0 {
			t.Fatalf("a refused rotation converted rows: %v", ids)
		}
		var stages []string
		rep, err := RotateKeys(ctx, d, old, next, RotateOptions{BatchSize: 2, Progress: func(stage string, done, total int) {
			if len(stages) == 0 || stages[len(stages)-1] != stage {
				stages = append(stages, stage)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows["customer_identifiers"] != 4 || rep.Rows["customer_profiles"] != 2 || rep.Rows["events"] != 4 || rep.Rows["idempotency_keys"] != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if strings.Join(stages, ",") != "customer_identifiers,customer_profiles,events,orders,order_inbox,order_channel_apps,idempotency_keys" {
			t.Fatalf("progress stages = %v", stages)
		}
		// The stored response was re-sealed: it replays under the new key, not the old.
		if status, h, body := postAsAdmin(t, d, withNew, next)(consentPath, consent, "consent-1"); status != 200 || body != stored || h.Get(httpapi.ReplayedHeader) != "true" {
			t.Fatalf("replay under the new key: %d %q %s; want the stored %s", status, h.Get(httpapi.ReplayedHeader), body, stored)
		}
		if status, _, body := first(consentPath, consent, "consent-1"); status != 409 {
			t.Fatalf("replay under the old key: %d %s", status, body)
		}
		var storedBody string
		if err := d.Reader().QueryRowContext(ctx, `SELECT response_body FROM idempotency_keys WHERE key = 'consent-1'`).Scan(&storedBody); err != nil ||
			pii.KeyID(storedBody) != next.ID() {
			t.Fatalf("stored response under key %q (%v), want %s", pii.KeyID(storedBody), err, next.ID())
		}

		if ids := sealedKeyIDs(t, d); len(ids) != 1 || ids[next.ID()] == 0 {
			t.Fatalf("key ids after rotation = %v, want only %s", ids, next.ID())
		}
		if after := re.reads(t, withNew); after != before {
			t.Fatalf("reads with the new key differ:\nbefore %s\nafter  %s", before, after)
		}
		if err := withNew.CheckKeys(ctx); err != nil {
			t.Fatalf("check with the new key: %v", err)
		}
		// Identifier hashes changed with the key: identity-map consumers start again.
		var last string
		if err := d.Reader().QueryRowContext(ctx, `SELECT kind FROM identity_map_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`, tenantA).Scan(&last); err != nil || last != mapReset {
			t.Fatalf("last identity map entry after rotation: %q %v", last, err)
		}
		if err := re.svc.CheckKeys(ctx); !errors.Is(err, ErrOtherKey) || !strings.Contains(err.Error(), next.ID()) {
			t.Fatalf("check with the old key: err = %v", err)
		}
		var sealed string
		if err := d.Reader().QueryRowContext(ctx, `SELECT value_sealed FROM customer_identifiers WHERE tenant_id = $1 AND type = 'phone'`, tenantB).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if _, err := old.Open(sealed, identifierContext("phone")); !errors.Is(err, pii.ErrSealed) {
			t.Fatalf("the old key opened a rotated value: err = %v", err)
		}
		if _, err := re.svc.FindCustomer360(admin(tenantA), re.alice); err == nil {
			t.Fatal("a service with the old key read a rotated customer")
		}

		// The merge records were recomputed: unmerge still finds the member card.
		if n := countRows(t, d, `SELECT COUNT(*) FROM customer_merge_items WHERE kind = 'identifier'`); n != 1 {
			t.Fatalf("identifier merge items = %d, want the member card's only (erasure dropped the other)", n)
		}
		if _, _, err := withNew.UnmergeCustomer(admin(tenantA), re.alice, re.card); err != nil {
			t.Fatal(err)
		}
		if c, err := withNew.FindCustomerByIdentifier(admin(tenantA), "member_card:VIP7788"); err != nil || c.ID != re.card {
			t.Fatalf("member card after unmerge: %s, %v; want %s", c.ID, err, re.card)
		}

		again, err := RotateKeys(ctx, d, old, next, RotateOptions{})
		if err != nil || again.Rows["customer_identifiers"]+again.Rows["customer_profiles"]+again.Rows["events"]+again.Rows["idempotency_keys"] != 0 {
			t.Fatalf("a second rotation: %+v, %v", again, err)
		}
	})
}

func TestRotateKeysResumesAfterInterruption(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		re := setupRotation(t, d)
		old, next := re.svc.pii, keysOf(t, 'n')
		before := re.reads(t, re.svc)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Cancelled once the first transaction committed.
		_, err := RotateKeys(ctx, d, old, next, RotateOptions{BatchSize: 2, Progress: func(_ string, done, _ int) {
			if done > 0 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted rotation: err = %v", err)
		}
		ids := sealedKeyIDs(t, d)
		if ids[next.ID()] != 2 || ids[old.ID()]+ids["k1"] == 0 {
			t.Fatalf("key ids after the interruption = %v, want the first 2 rows converted", ids)
		}
		withNew := serviceWith(re.env, next)
		for _, s := range []*Service{re.svc, withNew} {
			if err := s.CheckKeys(context.Background()); !errors.Is(err, ErrOtherKey) {
				t.Fatalf("half-rotated database passed the check of %s: %v", s.pii.ID(), err)
			}
		}

		rep, err := RotateKeys(context.Background(), d, old, next, RotateOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows["customer_identifiers"] != 2 || rep.Rows["customer_profiles"] != 2 || rep.Rows["events"] != 4 {
			t.Fatalf("resumed rotation converted %+v, want the rest only", rep)
		}
		if ids := sealedKeyIDs(t, d); len(ids) != 1 || ids[next.ID()] == 0 {
			t.Fatalf("key ids after resuming = %v", ids)
		}
		if after := re.reads(t, withNew); after != before {
			t.Fatalf("reads with the new key differ:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestCheckKeysRecordsTheKey: the first check of a database records the key its data
// is sealed under; later checks compare keys with that record (one row, whatever the
// data) and refuse another key, naming both.
func TestCheckKeysRecordsTheKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		re := setupRotation(t, d)
		ctx := context.Background()
		if err := re.svc.CheckKeys(ctx); err != nil {
			t.Fatal(err)
		}
		var recorded string
		if err := d.Reader().QueryRowContext(ctx, `SELECT key_id FROM pii_key_state WHERE rotating_to IS NULL`).Scan(&recorded); err != nil || recorded != re.svc.pii.ID() {
			t.Fatalf("recorded key %q (%v), want %q", recorded, err, re.svc.pii.ID())
		}
		other := serviceWith(re.env, keysOf(t, 'o'))
		err := other.CheckKeys(ctx)
		if !errors.Is(err, ErrOtherKey) || !strings.Contains(err.Error(), re.svc.pii.ID()) || !strings.Contains(err.Error(), other.pii.ID()) {
			t.Fatalf("check with another key: %v", err)
		}
		if err := re.svc.CheckKeys(ctx); err != nil {
			t.Fatalf("second check with the recorded key: %v", err)
		}
	})
}
