package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// benchFixture is 50 stores, 4 front warehouses and 2 warehouses scattered over
// 12 km around the delivery point, and a 5-line order. In "single" about a third of
// the stores hold everything; in "split" no location does, so Route searches for a
// split over the stores in reach.
func benchFixture(split bool) (Order, []Candidate) {
	r := rand.New(rand.NewPCG(7, 42))
	skus := []string{"milk", "rice", "eggs", "tofu", "pork"}
	p := home
	order := Order{Fulfilment: Delivery, To: &p, At: at10(10, 0)}
	for i, s := range skus {
		order.Lines = append(order.Lines, Line{ID: fmt.Sprint(i), SKUID: s, Qty: int64(1 + i%3)})
	}
	var cands []Candidate
	add := func(kind Kind, n int) {
		for range n {
			km, bearing := r.Float64()*12, r.Float64()*2*math.Pi
			c := Candidate{ID: fmt.Sprintf("%s-%02d", kind, len(cands)), Kind: kind, Stock: map[string]int64{},
				At:       Point{Lat: home.Lat + km*math.Cos(bearing)/111.195, Lng: home.Lng + km*math.Sin(bearing)/95.1},
				Capacity: 1 + r.IntN(5), Hours: Hours{Open: 8 * time.Hour, Close: 22 * time.Hour, CutOff: 21 * time.Hour}, Zone: cst,
				CostPerOrder: 500, CostPerKm: 100}
			for j, s := range skus {
				switch {
				case split && kind != KindStore:
					// warehouses hold nothing, so the split is among stores
				case split && j == len(cands)%len(skus):
					// each store lacks one SKU
				case r.IntN(4) > 0 || !split && len(cands)%3 == 0:
					c.Stock[s] = int64(r.IntN(8))
					if !split && len(cands)%3 == 0 {
						c.Stock[s] = 9
					}
				}
			}
			cands = append(cands, c)
		}
	}
	add(KindStore, 50)
	add(KindFrontWarehouse, 4)
	add(KindWarehouse, 2)
	return order, cands
}

// baseline is the simplest router worth the name: the nearest store in radius with
// everything, else the nearest front warehouse, else any warehouse; no split, no
// hours, no explanation. It bounds what the rules and explanations cost.
func baseline(order Order, cands []Candidate) string {
	best, bestRank, bestDist := "", 3, math.Inf(1)
	for i := range cands {
		c := &cands[i]
		rank := map[Kind]int{KindStore: 0, KindFrontWarehouse: 1, KindWarehouse: 2}[c.Kind]
		radius := []float64{DefaultStoreRadiusKm, DefaultFrontWarehouseRadiusKm, math.Inf(1)}[rank]
		d := Haversine(*order.To, c.At)
		if d > radius || c.Capacity <= 0 {
			continue
		}
		full := true
		for _, l := range order.Lines {
			full = full && c.Stock[l.SKUID] >= l.Qty
		}
		if full && (rank < bestRank || rank == bestRank && d < bestDist) {
			best, bestRank, bestDist = c.ID, rank, d
		}
	}
	return best
}

func TestBaselineAgrees(t *testing.T) {
	t.Parallel()
	order, cands := benchFixture(false)
	d, err := Route(order, cands, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := baseline(order, cands); len(d.Shipments) != 1 || d.Shipments[0].LocationID != want {
		t.Fatalf("route chose %v, baseline %s", d.Shipments, want)
	}
	order, cands = benchFixture(true)
	if d, err = Route(order, cands, Options{}); err != nil || d.Code != CodeSplit || d.Search != "exact" {
		t.Fatalf("split fixture: %v %s %s (%s)", err, d.Code, d.Search, d.Summary)
	}
}

// BenchmarkRoute routes a 5-line order among 56 candidates (50 stores). Compare
// single/route with single/baseline for the price of the rules and explanations.
func BenchmarkRoute(b *testing.B) {
	for _, bc := range []struct {
		name  string
		split bool
		opts  Options
	}{
		{"single", false, Options{}},
		{"split-exact", true, Options{}},
		{"split-greedy", true, Options{ExactLimit: -1}},
	} {
		order, cands := benchFixture(bc.split)
		b.Run(bc.name+"/route", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Route(order, cands, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		if !bc.split {
			b.Run(bc.name+"/baseline", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if baseline(order, cands) == "" {
						b.Fatal("baseline found nothing")
					}
				}
			})
		}
	}
}
