package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/order/routing"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// StorePlace is what routing needs of a store: where it is, when it is open and its
// time zone.
type StorePlace struct {
	Latitude, Longitude *float64
	OpeningHours        string // "08:00-22:00", or "" when unknown (open all day)
	TimeZone            string
}

// routed is where an order's lines are fulfilled from: each line's location (the
// one fulfilling most of it, where returns restock), the reservation's lines and the
// decision with its explanation (JSON, "" when the order was not routed).
type routed struct {
	lineLocation map[string]string
	reserve      []inventory.Line
	decision     string
}

// route decides where an online order is fulfilled from. A delivery or shipment
// with the receiver's coordinates is routed across every location holding its SKUs
// (docs/routing.md): a store within 3 km with everything, a front warehouse, a
// warehouse, or a split. Otherwise — pickup, or no coordinates — the order is
// fulfilled by its store's location. Errors: insufficient (no location or split
// has everything; the message says what is missing).
func (s *Service) route(ctx context.Context, n NewOrder, lines []Line, storeLocation string, at time.Time) (routed, error) {
	out := routed{lineLocation: map[string]string{}}
	r := n.Receiver
	if (n.Fulfilment != FulfilDelivery && n.Fulfilment != FulfilShip) || r == nil || (r.Lat == 0 && r.Lng == 0) {
		for _, l := range lines {
			if storeLocation != "" {
				out.lineLocation[l.ID] = storeLocation
			}
		}
		out.reserve = stockLines(withLocations(lines, out.lineLocation))
		return out, nil
	}
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKUID)
	}
	stock, err := s.deps.Stock.Availability(ctx, skus)
	if err != nil {
		return out, fmt.Errorf("route: %w", err)
	}
	cands, err := s.candidates(ctx, stock)
	if err != nil {
		return out, err
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	if err := s.applyFulfilment(ctx, p.TenantID, cands, at); err != nil {
		return out, fmt.Errorf("route: %w", err)
	}
	ro := routing.Order{Fulfilment: routing.Delivery, To: &routing.Point{Lat: r.Lat, Lng: r.Lng}, At: at}
	if n.Fulfilment == FulfilShip {
		ro.Fulfilment = routing.Ship
	}
	for _, l := range lines {
		ro.Lines = append(ro.Lines, routing.Line{ID: l.ID, SKUID: l.SKUID, Qty: l.Qty})
	}
	d, err := routing.Route(ro, cands, routing.Options{})
	if err != nil {
		return out, fmt.Errorf("route: %w", err)
	}
	if !d.Fulfillable {
		return out, errs.E(errs.Insufficient, "no location can fulfil the order: %s", d.Summary)
	}
	most := map[string]int64{}
	for _, sh := range d.Shipments {
		for _, a := range sh.Lines {
			out.reserve = append(out.reserve, inventory.Line{LocationID: sh.LocationID, SKUID: a.SKUID, Qty: a.Qty})
			if a.Qty > most[a.LineID] {
				most[a.LineID], out.lineLocation[a.LineID] = a.Qty, sh.LocationID
			}
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return out, fmt.Errorf("route: %w", err)
	}
	out.decision = string(b)
	return out, nil
}

// candidates turns the locations holding an order's SKUs into routing candidates:
// a store location takes its store's coordinates when it has none, its opening
// hours and time zone. A location without coordinates can only ship.
func (s *Service) candidates(ctx context.Context, stock []inventory.LocationStock) ([]routing.Candidate, error) {
	var out []routing.Candidate
	for _, ls := range stock {
		l := ls.Location
		c := routing.Candidate{ID: l.ID, Name: l.Name, Kind: routing.Kind(l.Kind), Stock: ls.Available, Unlimited: true}
		lat, lng := l.Latitude, l.Longitude
		if l.StoreID != "" {
			place, err := s.deps.Stores.StorePlace(ctx, l.StoreID)
			if err != nil {
				return nil, fmt.Errorf("route: store of %s: %w", l.Code, err)
			}
			if lat == nil {
				lat, lng = place.Latitude, place.Longitude
			}
			c.Hours = hoursOf(place.OpeningHours)
			if zone, err := time.LoadLocation(place.TimeZone); err == nil && place.TimeZone != "" {
				c.Zone = zone
			}
		}
		if lat == nil || lng == nil {
			continue // nowhere to measure a distance from
		}
		c.At = routing.Point{Lat: *lat, Lng: *lng}
		if c.Zone == nil {
			c.Zone, _ = time.LoadLocation("Asia/Shanghai")
		}
		out = append(out, c)
	}
	return out, nil
}

// hoursOf reads "08:00-22:00" as routing hours; anything else is open all day.
func hoursOf(s string) routing.Hours {
	open, closing, ok := strings.Cut(strings.TrimSpace(s), "-")
	o, err1 := time.Parse("15:04", strings.TrimSpace(open))
	c, err2 := time.Parse("15:04", strings.TrimSpace(closing))
	if !ok || err1 != nil || err2 != nil {
		return routing.Hours{}
	}
	at := func(t time.Time) time.Duration {
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	return routing.Hours{Open: at(o), Close: at(c)}
}

// withLocations returns lines with their locations set from byLine.
func withLocations(lines []Line, byLine map[string]string) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.LocationID = byLine[l.ID]
		out[i] = l
	}
	return out
}
