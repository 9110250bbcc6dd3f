package routing

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

var propSKUs = []string{"a", "b", "c", "d"}

var propHours = []Hours{
	{},
	{Open: 8 * time.Hour, Close: 22 * time.Hour, CutOff: 21 * time.Hour},
	{Open: 9 * time.Hour, Close: 21 * time.Hour},
	{Open: 7 * time.Hour, Close: 2 * time.Hour, CutOff: 23 * time.Hour},
}

type input struct {
	order Order
	cands []Candidate
	opts  Options
}

func genInput(t *rapid.T) input {
	var in input
	nl := rapid.IntRange(1, 4).Draw(t, "lines")
	for i := range nl {
		in.order.Lines = append(in.order.Lines, Line{ID: fmt.Sprintf("l%d", i),
			SKUID: rapid.SampledFrom(propSKUs).Draw(t, "sku"), Qty: rapid.Int64Range(1, 4).Draw(t, "qty")})
	}
	in.order.At = at10(0, 0).Add(time.Duration(rapid.IntRange(0, 24*60-1).Draw(t, "minute")) * time.Minute)
	nc := rapid.IntRange(0, 9).Draw(t, "candidates")
	for i := range nc {
		c := Candidate{ID: fmt.Sprintf("c%d", i), Kind: rapid.SampledFrom([]Kind{KindStore, KindFrontWarehouse, KindWarehouse}).Draw(t, "kind"),
			Stock: map[string]int64{}, Capacity: rapid.IntRange(-1, 6).Draw(t, "capacity"), Unlimited: rapid.IntRange(0, 9).Draw(t, "unlimited") == 0,
			Hours: rapid.SampledFrom(propHours).Draw(t, "hours"), Zone: cst,
			CostPerOrder: rapid.Int64Range(0, 1000).Draw(t, "per_order"), CostPerKm: rapid.Int64Range(0, 200).Draw(t, "per_km")}
		km := float64(rapid.IntRange(0, 60).Draw(t, "decikm")) / 10
		bearing := float64(rapid.IntRange(0, 359).Draw(t, "bearing")) * math.Pi / 180
		c.At = Point{Lat: home.Lat + km*math.Cos(bearing)/111.195, Lng: home.Lng + km*math.Sin(bearing)/(111.195*math.Cos(home.Lat*math.Pi/180))}
		if rapid.IntRange(0, 4).Draw(t, "radius?") == 0 {
			c.RadiusKm = float64(rapid.IntRange(1, 15).Draw(t, "radius"))
		}
		for _, s := range propSKUs {
			switch rapid.IntRange(0, 5).Draw(t, "holds") {
			case 0: // absent
			case 1:
				c.Stock[s] = rapid.Int64Range(-2, 0).Draw(t, "none")
			default:
				c.Stock[s] = rapid.Int64Range(1, 8).Draw(t, "stock")
			}
		}
		in.cands = append(in.cands, c)
	}
	switch f := rapid.IntRange(0, 9).Draw(t, "fulfilment"); {
	case f < 7:
		p := home
		in.order.Fulfilment, in.order.To = Delivery, &p
	case f < 9 || nc == 0:
		in.order.Fulfilment = Ship
	default:
		in.order.Fulfilment, in.order.PickupLocationID = Pickup, in.cands[rapid.IntRange(0, nc-1).Draw(t, "pickup")].ID
	}
	in.opts.MaxShipments = rapid.IntRange(0, 4).Draw(t, "max_shipments")
	if rapid.Bool().Draw(t, "greedy") {
		in.opts.ExactLimit = -1
	}
	in.opts.ShipFromStores = rapid.Bool().Draw(t, "ship_from_stores")
	return in
}

// eligible is the test's own reading of the rules that exclude a candidate.
func (in input) eligible(c Candidate) bool {
	o := in.opts.withDefaults()
	if !c.Unlimited && c.Capacity <= 0 {
		return false
	}
	switch in.order.Fulfilment {
	case Ship:
		return c.Kind != KindStore || o.ShipFromStores
	case Pickup:
		return c.ID == in.order.PickupLocationID
	}
	r := map[Kind]float64{KindStore: o.StoreRadiusKm, KindFrontWarehouse: o.FrontWarehouseRadiusKm, KindWarehouse: o.WarehouseRadiusKm}[c.Kind]
	if c.RadiusKm > 0 {
		r = c.RadiusKm
	}
	return r == 0 || Haversine(*in.order.To, c.At) <= r
}

func (in input) to(c Candidate) time.Time {
	o := in.opts.withDefaults()
	p := map[Kind]Promise{KindStore: o.StorePromise, KindFrontWarehouse: o.FrontWarehousePromise, KindWarehouse: o.WarehousePromise}[c.Kind]
	switch in.order.Fulfilment {
	case Ship:
		p = o.ShipPromise
	case Pickup:
		p = o.PickupPromise
	}
	return c.Hours.openAt(in.order.At, c.Zone).start.Add(p.Max)
}

// oracle finds by brute force the fewest eligible candidates that together hold the
// order (0 when none do) and, among those, the earliest completion.
func (in input) oracle() (int, time.Time) {
	need := map[string]int64{}
	for _, l := range in.order.Lines {
		need[l.SKUID] += l.Qty
	}
	var el []Candidate
	for _, c := range in.cands {
		if in.eligible(c) {
			el = append(el, c)
		}
	}
	best, bestTo := 0, time.Time{}
	for mask := 1; mask < 1<<len(el); mask++ {
		size, to := 0, time.Time{}
		have := map[string]int64{}
		for i, c := range el {
			if mask&(1<<i) != 0 {
				size++
				if t := in.to(c); t.After(to) {
					to = t
				}
				for s, n := range c.Stock {
					have[s] += max(0, n)
				}
			}
		}
		ok := true
		for s, n := range need {
			ok = ok && have[s] >= n
		}
		if ok && (best == 0 || size < best || size == best && to.Before(bestTo)) {
			best, bestTo = size, to
		}
	}
	return best, bestTo
}

func TestRouteProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		d, err := Route(in.order, in.cands, in.opts)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Candidate{}
		for _, c := range in.cands {
			byID[c.ID] = c
		}
		maxShip := in.opts.withDefaults().MaxShipments

		// Never more than available; only eligible locations; each at most once.
		taken := map[[2]string]int64{}
		perLine := map[string]int64{}
		seen := map[string]bool{}
		for _, s := range d.Shipments {
			c, ok := byID[s.LocationID]
			if !ok || seen[s.LocationID] {
				t.Fatalf("shipment from unknown or repeated location %q", s.LocationID)
			}
			seen[s.LocationID] = true
			if !in.eligible(c) {
				t.Fatalf("shipment from ineligible %s", s.LocationID)
			}
			if len(s.Lines) == 0 {
				t.Fatalf("empty shipment from %s", s.LocationID)
			}
			for _, a := range s.Lines {
				if a.Qty <= 0 {
					t.Fatalf("allocation of %d", a.Qty)
				}
				taken[[2]string{s.LocationID, a.SKUID}] += a.Qty
				perLine[a.LineID] += a.Qty
			}
		}
		for k, n := range taken {
			if n > byID[k[0]].Stock[k[1]] {
				t.Fatalf("%s: allocated %d of %s, has %d", k[0], n, k[1], byID[k[0]].Stock[k[1]])
			}
		}

		best, bestTo := in.oracle()
		if d.Fulfillable {
			for _, l := range in.order.Lines {
				if perLine[l.ID] != l.Qty {
					t.Fatalf("line %s: allocated %d of %d", l.ID, perLine[l.ID], l.Qty)
				}
			}
			if len(d.Shipments) > maxShip && !(maxShip < 1 && len(d.Shipments) == 1) {
				t.Fatalf("%d shipments, max %d", len(d.Shipments), maxShip)
			}
			if len(d.Shipments) < best {
				t.Fatalf("%d shipments, oracle needs %d", len(d.Shipments), best)
			}
			if d.Search != "greedy" && (len(d.Shipments) != best || !d.To.Equal(bestTo)) {
				t.Fatalf("%d shipments complete by %v; oracle: %d by %v", len(d.Shipments), d.To, best, bestTo)
			}
		} else {
			if len(d.Shipments) != 0 {
				t.Fatal("unfulfillable with shipments")
			}
			if len(d.Shortages) == 0 && d.Code != CodePickupStoreFull {
				t.Fatalf("unfulfillable without shortages: %s", d.Summary)
			}
			exact := in.opts.ExactLimit >= 0 || in.order.Fulfilment == Pickup
			if exact && best != 0 && best <= max(maxShip, 1) {
				t.Fatalf("unfulfillable (%s) but %d locations hold it", d.Summary, best)
			}
		}
		if len(d.Candidates) != len(in.cands) || !slices.IsSortedFunc(d.Candidates, func(a, b Note) int {
			return strings.Compare(a.LocationID, b.LocationID)
		}) {
			t.Fatalf("notes not one per candidate in id order")
		}

		// The same decision whatever the order of the candidates.
		perm := rapid.Permutation(in.cands).Draw(t, "permutation")
		d2, err := Route(in.order, perm, in.opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, d2); diff != "" {
			t.Fatalf("depends on candidate order (-first +permuted):\n%s", diff)
		}
	})
}
