package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// batchCaseEvents makes events over a few people whose identifiers overlap: plain
// attaches, merges of customers made earlier in the batch, a second phone over the
// limit (review), weak devices shared by two people, and returning customers.
func batchCaseEvents() []string {
	var out []string
	at := func(i int) string { return fmt.Sprintf("2026-03-01T%02d:%02d:00Z", 1+i/60, i%60) }
	for i := range 60 {
		p := i % 5
		idents := map[int]string{
			0: fmt.Sprintf(`{"phone":"1380000%04d"}`, p),
			1: fmt.Sprintf(`{"member_card":"M%d"}`, p),
			2: fmt.Sprintf(`{"member_card":"M%d","phone":"1380000%04d"}`, p, p),
			3: fmt.Sprintf(`{"device_id":"D%d","wechat_openid":"o%d"}`, p/2, p),
			4: fmt.Sprintf(`{"wechat_openid":"o%d","member_card":"M%d"}`, p, p),
			5: fmt.Sprintf(`{"member_card":"M%d","phone":"1390000%04d"}`, p, i),
			6: fmt.Sprintf(`{"cookie_id":"c%d"}`, i),
		}[i%7]
		out = append(out, fmt.Sprintf(`{"id":"ev%03d","type":"visit","occurred_at":%q,"identifiers":%s}`, i, at(60-i), idents))
	}
	return out
}

// resolutionSnapshot describes, per event, the customer it ended on by that
// customer's counters and identifiers, plus the live customers and reviews: equal
// snapshots mean equal resolutions whatever the customer ids.
func resolutionSnapshot(t *testing.T, e *env, tenantID string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := e.db.Reader().QueryContext(ctx, `SELECT e.id, COALESCE(e.customer_id, '') FROM events e WHERE e.tenant_id = $1 ORDER BY e.id`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	type link struct{ ev, c string }
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.ev, &l.c); err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	rows.Close()
	for _, l := range links {
		if l.c == "" {
			out = append(out, l.ev+": none")
			continue
		}
		c, err := getCustomer(ctx, e.db.Reader(), e.svc.pii, tenantID, l.c)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, id := range c.Identifiers {
			ids = append(ids, id.Type+":"+id.Value)
		}
		out = append(out, fmt.Sprintf("%s: count %d first %s last %s ids %s", l.ev, c.EventCount, c.FirstSeenAt.Format("15:04"),
			c.LastSeenAt.Format("15:04"), strings.Join(ids, ",")))
	}
	out = append(out, fmt.Sprintf("live %d merged %d reviews %d", liveCustomers(t, e.db, tenantID),
		countRows(t, e.db, `SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND merged_into IS NOT NULL`, tenantID),
		countRows(t, e.db, `SELECT COUNT(*) FROM identity_reviews WHERE tenant_id = $1`, tenantID)))
	return out
}

// TestBatchResolutionEqualsOneByOne ingests the same events one request per event in
// one tenant and in batches in another (resolved in memory against the batch's
// state): every event must end on an equal customer.
func TestBatchResolutionEqualsOneByOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		mkTouchpoint(t, e, admin(tenantB), "POS")
		evs := batchCaseEvents()
		slices.Sort(evs) // one by one in id order, the order a batch resolves in
		for _, ev := range evs {
			if _, err := e.svc.Ingest(integrator(tenantA), "POS", raws(ev)); err != nil {
				t.Fatal(err)
			}
		}
		// the first half in one batch, then the rest (returning customers) in another
		for _, part := range [][]string{evs[:25], evs[25:]} {
			r, err := e.svc.Ingest(integrator(tenantB), "POS", raws(part...))
			if err != nil || r.Accepted != len(part) {
				t.Fatalf("batch: %+v %v", r, err)
			}
		}
		one, batch := resolutionSnapshot(t, e, tenantA), resolutionSnapshot(t, e, tenantB)
		if diff := cmp.Diff(one, batch); diff != "" {
			t.Fatalf("one by one (-) vs batch (+):\n%s", diff)
		}
		var live, merged, reviews int
		if _, err := fmt.Sscanf(one[len(one)-1], "live %d merged %d reviews %d", &live, &merged, &reviews); err != nil || merged == 0 || reviews == 0 {
			t.Fatalf("the case must exercise merges and reviews: %s (%v)", one[len(one)-1], err)
		}
	})
}
