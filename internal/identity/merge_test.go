package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// snapshot is what unmerge must restore of a customer.
type snapshot struct {
	Live        bool
	Identifiers []string
	Events      []string
	EventCount  int64
	First, Last int64
}

func snap(t *testing.T, d *db.DB, id string) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	var merged *string
	if err := d.Reader().QueryRowContext(ctx, `SELECT merged_into, event_count, first_seen_at, last_seen_at FROM customers WHERE tenant_id = $1 AND id = $2`,
		tenantA, id).Scan(&merged, &s.EventCount, &s.First, &s.Last); err != nil {
		t.Fatal(err)
	}
	s.Live = merged == nil
	held, err := heldIdentifiers(ctx, d.Reader(), mustKeys(t), tenantA, id)
	if err != nil {
		t.Fatal(err)
	}
	s.Identifiers = []string{}
	for _, h := range held {
		s.Identifiers = append(s.Identifiers, h.Type+":"+h.Value)
	}
	slices.Sort(s.Identifiers)
	if s.Events, err = queryStrings(ctx, d.Reader(), `SELECT id FROM events WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id`, tenantA, id); err != nil {
		t.Fatal(err)
	}
	return s
}

func idOf(t *testing.T, e *env, identifier string) string {
	t.Helper()
	return lookup(t, e, tenantA, identifier).ID
}

// threeCustomers makes X (phone, 2 events), Y (card and openid, 3 events) and Z
// (e-mail, 1 event) and returns their ids.
func threeCustomers(t *testing.T, e *env) (string, string, string) {
	t.Helper()
	send(t, e,
		ev{"POS1", "x1", "visit", "2026-03-01T06:00:00Z", `{"phone":"13800138000"}`, ``},
		ev{"POS1", "x2", "visit", "2026-03-01T06:30:00Z", `{"phone":"13800138000"}`, ``},
		ev{"MINI", "y1", "visit", "2026-03-01T05:00:00Z", `{"member_card":"K1"}`, ``},
		ev{"MINI", "y2", "visit", "2026-03-01T07:00:00Z", `{"member_card":"K1","wechat_openid":"o1"}`, ``},
		ev{"POS2", "y3", "visit", "2026-03-01T08:30:00Z", `{"wechat_openid":"o1"}`, ``},
		ev{"POS2", "z1", "visit", "2026-03-01T04:00:00Z", `{"email":"z@example.com"}`, ``},
	)
	return idOf(t, e, "phone:13800138000"), idOf(t, e, "member_card:K1"), idOf(t, e, "email:z@example.com")
}

func TestMergeUnmergeRestoresExactly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		x, y, z := threeCustomers(t, e)
		before := map[string]snapshot{x: snap(t, d, x), y: snap(t, d, y), z: snap(t, d, z)}

		if _, err := e.svc.MergeCustomers(ctx, x, []string{y}, "same person"); err != nil {
			t.Fatal(err)
		}
		// Events after the merge stay with the survivor on unmerge.
		send(t, e, ev{"POS1", "x3", "visit", "2026-03-01T07:30:00Z", `{"phone":"13800138000"}`, ``})
		if _, err := e.svc.MergeCustomers(ctx, x, []string{z}, ""); err != nil {
			t.Fatal(err)
		}
		merged := snap(t, d, x)
		if merged.EventCount != 7 || len(merged.Identifiers) != 4 || merged.First != before[z].First || merged.Last != before[y].Last {
			t.Fatalf("merged = %+v", merged)
		}
		if got, err := e.svc.FindCustomerByID(ctx, y); err != nil || got.ID != x || got.MergedFrom != y {
			t.Fatalf("absorbed id: %+v, %v", got, err)
		}

		// Unmerge the first merge while the second is in force.
		sv, rs, err := e.svc.UnmergeCustomer(ctx, x, y)
		if err != nil {
			t.Fatal(err)
		}
		if sv.ID != x || rs.ID != y || rs.MergedFrom != "" {
			t.Fatalf("unmerge returned %s, %s", sv.ID, rs.ID)
		}
		if diff := cmp.Diff(before[y], snap(t, d, y)); diff != "" {
			t.Fatalf("restored y (-want +got):\n%s", diff)
		}
		xz := snap(t, d, x)
		want := before[x]
		want.Identifiers = append(slices.Clone(want.Identifiers), before[z].Identifiers...)
		slices.Sort(want.Identifiers)
		want.Events = append(append(slices.Clone(want.Events), before[z].Events...), "x3")
		slices.Sort(want.Events)
		want.EventCount, want.First, want.Last = 4, before[z].First, xz.Last
		if diff := cmp.Diff(want, xz); diff != "" {
			t.Fatalf("x with z (-want +got):\n%s", diff)
		}
		if _, _, err := e.svc.UnmergeCustomer(ctx, x, z); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before[z], snap(t, d, z)); diff != "" {
			t.Fatalf("restored z (-want +got):\n%s", diff)
		}
		want = before[x]
		want.Events, want.EventCount = append(slices.Clone(want.Events), "x3"), 3
		want.Last = xz.Last
		if diff := cmp.Diff(want, snap(t, d, x)); diff != "" {
			t.Fatalf("x alone (-want +got):\n%s", diff)
		}
		// Undoing again is refused; the merge log shows both merges undone.
		_, _, err = e.svc.UnmergeCustomer(ctx, x, y)
		wantCode(t, err, errs.Conflict, "body.customer_id")
		ms, err := e.svc.FindMerges(ctx, x)
		if err != nil || len(ms) != 2 || ms[0].UndoneAt == nil || ms[1].UndoneAt == nil || ms[1].Reason != "manual merge: same person" {
			t.Fatalf("merges = %+v, %v", ms, err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM outbox_events WHERE tenant_id = $1 AND type = $2`, tenantA, EventCustomerUnmerged); n != 2 {
			t.Fatalf("unmerged events = %d", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('customer.merge', 'customer.unmerge')`, tenantA); n != 4 {
			t.Fatalf("audit entries = %d", n)
		}
	})
}

func TestNestedMergeUnmerge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		x, y, z := threeCustomers(t, e)
		before := map[string]snapshot{x: snap(t, d, x), y: snap(t, d, y), z: snap(t, d, z)}
		// y into z, then z (holding y) into x; chains are flattened.
		if _, err := e.svc.MergeCustomers(ctx, z, []string{y}, ""); err != nil {
			t.Fatal(err)
		}
		zy := snap(t, d, z)
		if _, err := e.svc.MergeCustomers(ctx, x, []string{z}, ""); err != nil {
			t.Fatal(err)
		}
		// Unmerging y straight from x gives y back and leaves z's own part in x.
		if _, _, err := e.svc.UnmergeCustomer(ctx, x, y); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before[y], snap(t, d, y)); diff != "" {
			t.Fatalf("restored y (-want +got):\n%s", diff)
		}
		if _, _, err := e.svc.UnmergeCustomer(ctx, x, z); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{x, z} {
			if diff := cmp.Diff(before[id], snap(t, d, id)); diff != "" {
				t.Fatalf("restored %s (-want +got):\n%s", id, diff)
			}
		}
		// The other order: y still merged in z comes back with z.
		if _, err := e.svc.MergeCustomers(ctx, z, []string{y}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MergeCustomers(ctx, x, []string{z}, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.UnmergeCustomer(ctx, x, z); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(zy, snap(t, d, z)); diff != "" {
			t.Fatalf("z with y (-want +got):\n%s", diff)
		}
		if got := lookup(t, e, tenantA, "member_card:K1"); got.ID != z {
			t.Fatalf("y's card resolves to %s, want z %s", got.ID, z)
		}
		if diff := cmp.Diff(before[x], snap(t, d, x)); diff != "" {
			t.Fatalf("x (-want +got):\n%s", diff)
		}
	})
}

func TestAutoMergeCanBeUndone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{"POS1", "a1", "visit", "2026-03-01T06:00:00Z", `{"phone":"13800138000"}`, ``},
			ev{"MINI", "a2", "visit", "2026-03-01T06:10:00Z", `{"wechat_unionid":"u1"}`, ``},
		)
		phoneID, unionID := idOf(t, e, "phone:13800138000"), idOf(t, e, "wechat_unionid:u1")
		before := snap(t, d, unionID)
		send(t, e,
			ev{"POS1", "a3", "visit", "2026-03-01T06:20:00Z", `{"phone":"13800138000","member_card":"K1"}`, ``},
			ev{"MINI", "a4", "visit", "2026-03-01T06:30:00Z", `{"wechat_unionid":"u1","member_card":"K1"}`, ``},
		)
		ms, err := e.svc.FindMerges(ctx, phoneID)
		if err != nil || len(ms) != 1 || ms[0].Kind != MergeAuto || ms[0].AbsorbedID != unionID || ms[0].Reason != "event a4" {
			t.Fatalf("merges = %+v, %v", ms, err)
		}
		if _, _, err := e.svc.UnmergeCustomer(ctx, phoneID, unionID); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, snap(t, d, unionID)); diff != "" {
			t.Fatalf("restored (-want +got):\n%s", diff)
		}
		if s := snap(t, d, phoneID); s.EventCount != 3 || !slices.Equal(s.Events, []string{"a1", "a3", "a4"}) {
			t.Fatalf("survivor = %+v", s)
		}
	})
}

func TestAutoMergeInOneBatchCanBeUndone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		// The absorbed customer is created in the same batch as the merge: its event is
		// linked only at commit and must still be recorded.
		send(t, e, ev{"POS1", "b0", "visit", "2026-03-01T06:00:00Z", `{"phone":"13800138000"}`, ``})
		r, err := e.svc.Ingest(integrator(tenantA), "POS1", raws(
			`{"id":"b1","type":"visit","occurred_at":"2026-03-01T06:10:00Z","identifiers":{"wechat_unionid":"u1"}}`,
			`{"id":"b2","type":"visit","occurred_at":"2026-03-01T06:20:00Z","identifiers":{"wechat_unionid":"u1","phone":"13800138000"}}`,
		))
		if err != nil || r.Accepted != 2 {
			t.Fatalf("%+v, %v", r, err)
		}
		var absorbed string
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT absorbed_id FROM customer_merges WHERE tenant_id = $1`, tenantA).Scan(&absorbed); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.UnmergeCustomer(admin(tenantA), idOf(t, e, "phone:13800138000"), absorbed); err != nil {
			t.Fatal(err)
		}
		if s := snap(t, d, absorbed); !s.Live || s.EventCount != 1 || !slices.Equal(s.Events, []string{"b1"}) || !slices.Equal(s.Identifiers, []string{"wechat_unionid:u1"}) {
			t.Fatalf("restored = %+v", s)
		}
	})
}

func TestMergeRefusedByRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		send(t, e,
			ev{"POS1", "p1", "visit", "", `{"phone":"13800138000"}`, ``},
			ev{"POS1", "p2", "visit", "", `{"phone":"13900139000"}`, ``},
		)
		a, b := idOf(t, e, "phone:13800138000"), idOf(t, e, "phone:13900139000")
		_, err := e.svc.MergeCustomers(ctx, a, []string{b}, "")
		wantCode(t, err, errs.Conflict, "body.customer_ids")
		if !strings.Contains(err.Error(), "2 phone identifiers (at most 1 allowed)") {
			t.Fatalf("err = %v, want the rule", err)
		}
		if s := snap(t, d, b); !s.Live || len(s.Identifiers) != 1 {
			t.Fatalf("refused merge changed b: %+v", s)
		}

		// The cluster limit: 64 identifiers at most (cookies have no per-customer limit).
		c1 := withCookies(t, e, `"phone":"13700137000"`, "a", 30)
		c2 := withCookies(t, e, `"member_card":"K9"`, "b", 30)
		if _, err := e.svc.MergeCustomers(ctx, c1, []string{c2}, ""); err != nil {
			t.Fatalf("62 identifiers fit: %v", err)
		}
		c3 := withCookies(t, e, `"email":"big@example.com"`, "c", 5)
		_, err = e.svc.MergeCustomers(ctx, c1, []string{c3}, "")
		wantCode(t, err, errs.Conflict, "body.customer_ids")
		if !strings.Contains(err.Error(), "cluster size limit 64") {
			t.Fatalf("err = %v, want the cluster rule", err)
		}

		// Bad input.
		_, err = e.svc.MergeCustomers(ctx, a, []string{a}, "")
		wantCode(t, err, errs.Invalid, "body.customer_ids")
		_, err = e.svc.MergeCustomers(ctx, a, []string{"nope"}, "")
		wantCode(t, err, errs.NotFound, "body.customer_ids")
		_, err = e.svc.MergeCustomers(as(tenantA, "analyst"), a, []string{b}, "")
		wantCode(t, err, errs.Forbidden, "")
	})
}

// withCookies makes a customer with the identifier key (JSON member) and n cookies
// in one request and returns its id.
func withCookies(t *testing.T, e *env, key, prefix string, n int) string {
	t.Helper()
	evs := make([]string, n)
	for i := range n {
		evs[i] = fmt.Sprintf(`{"id":"%s%d","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":{%s,"cookie_id":"%s%d"}}`, prefix, i, key, prefix, i)
	}
	r, err := e.svc.Ingest(integrator(tenantA), "POS1", raws(evs...))
	if err != nil || r.Accepted != n {
		t.Fatalf("%+v, %v", r, err)
	}
	var id string
	if err := e.db.Reader().QueryRowContext(context.Background(), `SELECT customer_id FROM events WHERE tenant_id = $1 AND id = $2`, tenantA, prefix+"0").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestConcurrentManualMerges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		x, y, z := threeCustomers(t, e)
		total := countRows(t, d, `SELECT COUNT(*) FROM customer_identifiers WHERE tenant_id = $1`, tenantA)
		// Each pair merged both ways at once: exactly one direction wins per pair.
		jobs := [][2]string{{x, y}, {y, x}, {y, z}, {z, y}, {x, z}, {z, x}}
		var wg sync.WaitGroup
		errsOut := make([]error, len(jobs))
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errsOut[i] = e.svc.MergeCustomers(ctx, j[0], []string{j[1]}, "")
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errsOut {
			switch {
			case err == nil:
				wins++
			case !errs.Is(err, errs.Conflict):
				t.Fatalf("unexpected error: %v", err)
			}
		}
		// Three customers become one with exactly two merges.
		if wins != 2 || liveCustomers(t, d, tenantA) != 1 {
			t.Fatalf("wins = %d, live = %d", wins, liveCustomers(t, d, tenantA))
		}
		var live string
		if err := d.Reader().QueryRowContext(context.Background(), `SELECT id FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, tenantA).Scan(&live); err != nil {
			t.Fatal(err)
		}
		s := snap(t, d, live)
		if s.EventCount != 6 || len(s.Events) != 6 || len(s.Identifiers) != total {
			t.Fatalf("survivor = %+v", s)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM customer_merges WHERE tenant_id = $1`, tenantA); n != 2 {
			t.Fatalf("merge records = %d", n)
		}
	})
}

func TestMergeConcurrentWithIngestion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup360(t, d)
		ctx := admin(tenantA)
		x, y, z := threeCustomers(t, e)
		var wg sync.WaitGroup
		errsOut := make([]error, 0, 16)
		var mu sync.Mutex
		keep := func(err error) {
			mu.Lock()
			errsOut = append(errsOut, err)
			mu.Unlock()
		}
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				idents := []string{`{"phone":"13800138000"}`, `{"member_card":"K1"}`, `{"email":"z@example.com"}`}[i%3]
				_, err := e.svc.Ingest(integrator(tenantA), "POS1", raws(fmt.Sprintf(`{"id":"c%d","type":"visit","occurred_at":"2026-03-01T07:00:00Z","identifiers":%s}`, i, idents)))
				keep(err)
			}()
		}
		for _, j := range [][2]string{{x, y}, {y, z}, {z, x}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.MergeCustomers(ctx, j[0], []string{j[1]}, "")
				if errs.Is(err, errs.Conflict) {
					err = nil
				}
				keep(err)
			}()
		}
		wg.Wait()
		for _, err := range errsOut {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Every counter matches the events, and everything sits on live customers.
		if n := countRows(t, d, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id IN (SELECT id FROM customers WHERE tenant_id = $1 AND merged_into IS NOT NULL)`, tenantA); n != 0 {
			t.Fatalf("%d events on merged customers", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM customer_identifiers WHERE tenant_id = $1 AND customer_id IN (SELECT id FROM customers WHERE tenant_id = $1 AND merged_into IS NOT NULL)`, tenantA); n != 0 {
			t.Fatalf("%d identifiers on merged customers", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM customers c WHERE tenant_id = $1 AND merged_into IS NULL
			AND event_count <> (SELECT COUNT(*) FROM events e WHERE e.tenant_id = $1 AND e.customer_id = c.id)`, tenantA); n != 0 {
			t.Fatalf("%d customers whose event_count is off", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id IS NOT NULL`, tenantA); n != 12 {
			t.Fatalf("attached events = %d, want 12", n)
		}
	})
}
