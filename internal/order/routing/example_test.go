package routing_test

import (
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/order/routing"
)

var shanghai = time.FixedZone("CST", 8*3600)

func show(d routing.Decision) {
	fmt.Println(d.Code+":", d.Summary)
	for _, s := range d.Shipments {
		fmt.Printf("ship from %s %s–%s:", s.LocationID, s.From.In(shanghai).Format("15:04"), s.To.In(shanghai).Format("15:04"))
		for _, l := range s.Lines {
			fmt.Printf(" %s×%d", l.SKUID, l.Qty)
		}
		fmt.Println()
	}
	for _, n := range d.Candidates {
		fmt.Printf("%s: %s — %s\n", n.LocationID, n.Code, n.Message)
	}
}

// A delivery to People's Square at 10:00: the nearest store lacks milk, the other is
// beyond the 3 km radius, so a store 2.7 km away delivers within the hour.
func ExampleRoute() {
	to := routing.Point{Lat: 31.2304, Lng: 121.4737}
	order := routing.Order{
		Lines:      []routing.Line{{ID: "1", SKUID: "milk", Qty: 2}, {ID: "2", SKUID: "rice", Qty: 1}},
		Fulfilment: routing.Delivery, To: &to,
		At: time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai),
	}
	hours := routing.Hours{Open: 8 * time.Hour, Close: 22 * time.Hour, CutOff: 21 * time.Hour}
	candidates := []routing.Candidate{
		{ID: "nanjing-rd", Kind: routing.KindStore, At: routing.Point{Lat: 31.2350, Lng: 121.4800},
			Stock: map[string]int64{"milk": 1, "rice": 5}, Capacity: 4, Hours: hours, Zone: shanghai},
		{ID: "lujiazui", Kind: routing.KindStore, At: routing.Point{Lat: 31.2397, Lng: 121.4998},
			Stock: map[string]int64{"milk": 9, "rice": 9}, Capacity: 4, Hours: hours, Zone: shanghai},
		{ID: "xujiahui", Kind: routing.KindStore, At: routing.Point{Lat: 31.1950, Lng: 121.4370},
			Stock: map[string]int64{"milk": 9, "rice": 9}, Capacity: 4, Hours: hours, Zone: shanghai},
		{ID: "minhang-dc", Kind: routing.KindWarehouse, At: routing.Point{Lat: 31.1100, Lng: 121.3800},
			Stock: map[string]int64{"milk": 500, "rice": 500}, Unlimited: true, Zone: shanghai},
	}
	d, err := routing.Route(order, candidates, routing.Options{})
	if err != nil {
		panic(err)
	}
	show(d)
	// Output:
	// single: chosen: nearest store with everything, 2.7 km; promise 12-07 10:00–11:00; ranked first of 2 locations with everything
	// ship from lujiazui 10:00–11:00: milk×2 rice×1
	// lujiazui: chosen — chosen: nearest store with everything, 2.7 km; promise 12-07 10:00–11:00; ranked first of 2 locations with everything
	// minhang-dc: ranked_lower — has everything but promises later (by 12-08 10:00, chosen by 12-07 11:00)
	// nanjing-rd: lacks_stock — lacks SKU milk (has 1 of 2)
	// xujiahui: out_of_radius — out of radius: 5.3 km > 3 km
}

// No location holds both SKUs, so the order is split; the rice line is split too,
// because neither store holds all five bags.
func ExampleRoute_split() {
	to := routing.Point{Lat: 31.2304, Lng: 121.4737}
	order := routing.Order{
		Lines:      []routing.Line{{ID: "1", SKUID: "milk", Qty: 2}, {ID: "2", SKUID: "rice", Qty: 5}},
		Fulfilment: routing.Delivery, To: &to,
		At: time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai),
	}
	candidates := []routing.Candidate{
		{ID: "nanjing-rd", Kind: routing.KindStore, At: routing.Point{Lat: 31.2350, Lng: 121.4800},
			Stock: map[string]int64{"milk": 6, "rice": 3}, Capacity: 4, Zone: shanghai, CostPerOrder: 600},
		{ID: "fw-jingan", Kind: routing.KindFrontWarehouse, At: routing.Point{Lat: 31.2290, Lng: 121.4480},
			Stock: map[string]int64{"rice": 4}, Capacity: 20, Zone: shanghai, CostPerOrder: 400},
	}
	d, err := routing.Route(order, candidates, routing.Options{})
	if err != nil {
		panic(err)
	}
	show(d)
	fmt.Println("cost", d.Cost, "fen; complete by", d.To.In(shanghai).Format("15:04"))
	// Output:
	// split: split into 2 shipments: no single eligible location has everything; fewest locations, then earliest completion (12-07 14:00), then lowest cost (¥10.00) — exact search over 2 locations
	// ship from nanjing-rd 10:00–11:00: milk×2 rice×3
	// ship from fw-jingan 11:00–14:00: rice×2
	// fw-jingan: split_member — ships rice×2
	// nanjing-rd: split_member — ships milk×2, rice×3
	// cost 1000 fen; complete by 14:00
}

// Pickup needs everything at the named store; when it lacks some, the decision says
// what and who could transfer it.
func ExampleRoute_pickup() {
	order := routing.Order{
		Lines:      []routing.Line{{ID: "1", SKUID: "milk", Qty: 2}},
		Fulfilment: routing.Pickup, PickupLocationID: "nanjing-rd",
		At: time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai),
	}
	candidates := []routing.Candidate{
		{ID: "nanjing-rd", Kind: routing.KindStore, At: routing.Point{Lat: 31.2350, Lng: 121.4800},
			Stock: map[string]int64{"milk": 1}, Capacity: 4},
		{ID: "lujiazui", Kind: routing.KindStore, At: routing.Point{Lat: 31.2397, Lng: 121.4998},
			Stock: map[string]int64{"milk": 9}, Capacity: 4},
	}
	d, err := routing.Route(order, candidates, routing.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Fulfillable, d.Code, "—", d.Summary)
	for _, s := range d.Shortages {
		fmt.Println(s.Code, "—", s.Message, s.TransferFrom)
	}
	// Output:
	// false pickup_store_lacks — cannot fulfil: pickup store nanjing-rd lacks part of the order; transfer stock or offer delivery
	// pickup_store_lacks — pickup store lacks SKU milk (has 1 of 2); lujiazui could transfer 1 [lujiazui]
}

func ExampleHaversine() {
	peoplesSquare := routing.Point{Lat: 31.2304, Lng: 121.4737}
	orientalPearl := routing.Point{Lat: 31.2397, Lng: 121.4998}
	fmt.Printf("%.2f km\n", routing.Haversine(peoplesSquare, orientalPearl))
	// Output: 2.69 km
}
