package routing

import (
	"time"
)

// cst is China Standard Time; a fixed zone keeps the tests free of tzdata.
var cst = time.FixedZone("CST", 8*3600)

// home is the delivery point of most scenarios: People's Square, Shanghai.
var home = Point{Lat: 31.2304, Lng: 121.4737}

// north is a point km kilometres due north of home.
func north(km float64) Point {
	return Point{Lat: home.Lat + km/(EarthRadiusKm*3.141592653589793/180), Lng: home.Lng}
}

// at10 is Monday 7 December 2026 at hh:mm in Shanghai.
func at10(hh, mm int) time.Time { return time.Date(2026, 12, 7, hh, mm, 0, 0, cst) }

func deliver(lines ...Line) Order {
	p := home
	return Order{Lines: lines, Fulfilment: Delivery, To: &p, At: at10(10, 0)}
}

func line(id, sku string, qty int64) Line { return Line{ID: id, SKUID: sku, Qty: qty} }

type candOpt func(*Candidate)

func loc(id string, kind Kind, km float64, stock map[string]int64, opts ...candOpt) Candidate {
	c := Candidate{ID: id, Name: "Loc " + id, Kind: kind, At: north(km), Stock: stock, Capacity: 10,
		Hours: Hours{Open: 8 * time.Hour, Close: 22 * time.Hour, CutOff: 21 * time.Hour}, Zone: cst,
		CostPerOrder: 500, CostPerKm: 100}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func capacity(n int) candOpt    { return func(c *Candidate) { c.Capacity = n } }
func unlimited() candOpt        { return func(c *Candidate) { c.Capacity, c.Unlimited = 0, true } }
func radius(km float64) candOpt { return func(c *Candidate) { c.RadiusKm = km } }
func costs(order, perKm int64) candOpt {
	return func(c *Candidate) { c.CostPerOrder, c.CostPerKm = order, perKm }
}
func hours(h Hours) candOpt { return func(c *Candidate) { c.Hours = h } }

// all is a stock map holding n of each SKU.
func all(n int64, skus ...string) map[string]int64 {
	m := make(map[string]int64, len(skus))
	for _, s := range skus {
		m[s] = n
	}
	return m
}
