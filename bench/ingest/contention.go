package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// eventsPerPerson is how many events each person of the contention workload sends.
const eventsPerPerson = 8

// personEvents makes the events of the contention workload: person p has a phone
// and a member card and sends eventsPerPerson events that carry the phone only, the
// card only or both, so that resolving them creates customers, attaches to them and
// merges them. The events are grouped by person.
func personEvents(people int, start time.Time) []event {
	out := make([]event, 0, people*eventsPerPerson)
	for p := range people {
		phone, card := fmt.Sprintf("+86136%08d", p), fmt.Sprintf("VIP%08d", p)
		for j := range eventsPerPerson {
			idents := []map[string]string{{"phone": phone}, {"member_card": card}, {"phone": phone, "member_card": card}}[(p+j)%3]
			out = append(out, event{ID: fmt.Sprintf("ct-%08d-%d", p, j), Type: "visit",
				OccurredAt: start.Add(time.Duration(len(out)) * time.Millisecond), Identifiers: idents})
		}
	}
	return out
}

// contentionRun is one arrangement of the workload posted to a fresh database.
type contentionRun struct {
	engine    string
	eps       float64
	res       posted
	customers int
	events    int
	counted   int // the events the live customers count
}

// runContention measures ingestion under contention (issue 18 finding 2): the same
// people's events, posted by clients concurrent clients as JSON batches, first
// grouped (each person's events in one batch, so no two batches share an identifier
// — the baseline) and then shuffled over all batches, so that every batch shares new
// phones and cards with the batches in flight. Each arrangement runs on a fresh
// database. It prints one JSON line and fails unless every request of both was
// answered 2xx and each ended with exactly one customer per person, every event
// stored and counted once.
func runContention(target string, n, batch, clients int) error {
	// Whole people per batch, so that grouped batches share nothing.
	batch = max(eventsPerPerson, batch/eventsPerPerson*eventsPerPerson)
	people := max(1, n/eventsPerPerson)
	evs := personEvents(people, time.Now().Add(-24*time.Hour).UTC().Truncate(time.Millisecond))
	shuffled := slices.Clone(evs)
	rand.New(rand.NewPCG(18, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })

	grouped, err := contend(target, evs, batch, clients)
	if err != nil {
		return err
	}
	overlap, err := contend(target, shuffled, batch, clients)
	if err != nil {
		return err
	}
	exact := func(r contentionRun) bool {
		return r.res.statuses[200] == len(r.res.latencies) && r.customers == people && r.events == len(evs) && r.counted == len(evs)
	}
	lat := slices.Clone(overlap.res.latencies)
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	out, _ := json.Marshal(map[string]any{
		"engine": overlap.engine, "events": len(evs), "people": people, "batch": batch, "clients": clients,
		"grouped_eps": round(grouped.eps), "overlap_eps": round(overlap.eps), "ratio": round(overlap.eps/grouped.eps*1000) / 1000,
		"requests": len(lat), "non_2xx": len(lat) - overlap.res.statuses[200], "statuses": overlap.res.statuses,
		"p50_ms": ms(0.5), "p99_ms": ms(0.99), "max_ms": ms(1),
		"customers": overlap.customers, "exact": exact(grouped) && exact(overlap),
	})
	fmt.Println(string(out))
	switch {
	case overlap.res.err != nil:
		return fmt.Errorf("overlapping batches: %w", overlap.res.err)
	case grouped.res.err != nil:
		return fmt.Errorf("grouped batches: %w", grouped.res.err)
	case !exact(grouped) || !exact(overlap):
		return fmt.Errorf("want %d customers and %d events stored and counted: grouped %d, %d, %d; overlapping %d, %d, %d", people, len(evs),
			grouped.customers, grouped.events, grouped.counted, overlap.customers, overlap.events, overlap.counted)
	}
	return nil
}

// contend posts evs in batches from clients clients to a fresh OneRetail and reads
// back what it stored.
func contend(target string, evs []event, batch, clients int) (contentionRun, error) {
	ctx := context.Background()
	srv, err := start(target, "contention")
	if err != nil {
		return contentionRun{}, err
	}
	defer srv.close()
	bodies, err := srv.bodies(evs, batch)
	if err != nil {
		return contentionRun{}, err
	}
	begin := time.Now()
	r := contentionRun{engine: srv.engine, res: post(srv.url, srv.key, bodies, clients)}
	r.eps = float64(len(evs)) / time.Since(begin).Seconds()
	if r.customers, err = srv.liveCustomers(ctx); err != nil {
		return r, err
	}
	err = srv.app.DB.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events WHERE tenant_id = $1),
		(SELECT COALESCE(SUM(event_count), 0) FROM customers WHERE tenant_id = $1 AND merged_into IS NULL)`, srv.tenantID).Scan(&r.events, &r.counted)
	return r, err
}
