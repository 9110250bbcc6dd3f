package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// ingestServer serves the identity API with the given bearer tokens.
func ingestServer(t *testing.T, e *env, tokens fakeAuth) string {
	t.Helper()
	srv := httpapi.New(httpapi.Options{Auth: tokens})
	e.svc.Register(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	return ts.URL
}

// postEvents posts a JSON batch to POST /api/v1/events and returns the status, the
// Retry-After header and the body.
func postEvents(t *testing.T, base, token, touchpoint string, events []string) (int, string, []byte) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"touchpoint":%q,"events":[`, touchpoint)
	for i, ev := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(ev)
	}
	b.WriteString("]}")
	req, err := http.NewRequest("POST", base+"/api/v1/events", &b)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), body
}

// TestResilience02_ConcurrentIngestionNever500 (issue 18 finding 2): 16 clients post
// batches whose events share new identifiers — the same people's phones and member
// cards turn up in every client's batches, split so that one event knows a phone,
// another the card and a third both, which makes concurrent batches create, attach
// and merge the same customers. Every request must succeed (no 500, no 409, no 503
// on valid input), every event be stored and counted once, and each person end up
// as exactly one customer holding exactly their phone and card.
func TestResilience02_ConcurrentIngestionNever500(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		base := ingestServer(t, e, fakeAuth{"integrator": auth.FromContext(integrator(tenantA))})

		const (
			clients = 16
			batches = 2   // per client
			size    = 250 // events per batch
			people  = 1000
		)
		// Each person is seen as phone only, card only and both; the three events go
		// to different clients and batches, in random order.
		rng := rand.New(rand.NewPCG(18, 2))
		shapes := []string{`{"phone":"+86139%08d"}`, `{"member_card":"VIP%08d"}`, `{"phone":"+86139%08d","member_card":"VIP%08d"}`}
		var all []string
		for round := 0; len(all) < clients*batches*size; round++ {
			for p := range people {
				shape := shapes[(p+round)%3]
				idents := fmt.Sprintf(shape, p, p)
				if shape == shapes[0] || shape == shapes[1] {
					idents = fmt.Sprintf(shape, p)
				}
				all = append(all, fmt.Sprintf(`{"id":"ev-%d-%d","type":"visit","occurred_at":"2026-03-01T07:%02d:00Z","identifiers":%s}`,
					round, p, rng.IntN(60), idents))
			}
		}
		all = all[:clients*batches*size]
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })

		var (
			mu       sync.Mutex
			failures []string
			accepted int
			wg       sync.WaitGroup
		)
		for c := range clients {
			wg.Go(func() {
				for b := range batches {
					start := (c*batches + b) * size
					status, retryAfter, body := postEvents(t, base, "integrator", "POS", all[start:start+size])
					mu.Lock()
					if status != http.StatusOK {
						failures = append(failures, fmt.Sprintf("client %d batch %d: %d (Retry-After %q) %s", c, b, status, retryAfter, body))
					} else {
						var r EventIngestResponse
						if err := json.Unmarshal(body, &r); err != nil {
							failures = append(failures, err.Error())
						}
						accepted += r.Accepted
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("%d of %d requests failed; first: %s", len(failures), clients*batches, failures[0])
		}
		if accepted != len(all) {
			t.Fatalf("accepted %d events, want %d", accepted, len(all))
		}
		if n := countEvents(t, d, tenantA); n != len(all) {
			t.Fatalf("stored %d events, want %d", n, len(all))
		}
		if n := liveCustomers(t, d, tenantA); n != people {
			t.Fatalf("%d live customers, want %d", n, people)
		}
		if n := countRows(t, d, `SELECT COALESCE(SUM(event_count), 0) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL`, tenantA); n != len(all) {
			t.Fatalf("live customers count %d events, want %d", n, len(all))
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND customer_id IS NULL`, tenantA); n != 0 {
			t.Fatalf("%d events without a customer", n)
		}
		// Every live customer holds exactly one phone and one card: nobody was split
		// or joined with someone else.
		if n := countRows(t, d, `SELECT COUNT(*) FROM customers c WHERE c.tenant_id = $1 AND c.merged_into IS NULL
			AND (SELECT COUNT(*) FROM customer_identifiers i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id) <> 2`, tenantA); n != 0 {
			t.Fatalf("%d live customers without exactly one phone and one card", n)
		}
		for _, p := range []int{0, people / 2, people - 1} {
			byPhone := lookup(t, e, tenantA, fmt.Sprintf("phone:+86139%08d", p))
			byCard := lookup(t, e, tenantA, fmt.Sprintf("member_card:VIP%08d", p))
			if byPhone.ID != byCard.ID {
				t.Fatalf("person %d is two customers: %s and %s", p, byPhone.ID, byCard.ID)
			}
		}
	})
}
