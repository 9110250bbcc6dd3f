package routing

import (
	"math"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Kind says what a candidate location is. The strings are those of
// inventory.LocationKind, so a caller converts with Kind(loc.Kind).
type Kind string

// The kinds of location, in the order the engine prefers them for delivery: a store
// delivers within the hour, a front warehouse (前置仓) within hours, a city or central
// warehouse within a day.
const (
	KindStore          Kind = "store"
	KindFrontWarehouse Kind = "front_warehouse"
	KindWarehouse      Kind = "warehouse"
)

// Fulfilment is how the customer receives the order.
type Fulfilment string

// The fulfilment types: delivery to a point by the merchant's riders, pickup at a
// named store, or shipping by courier.
const (
	Delivery Fulfilment = "delivery"
	Pickup   Fulfilment = "pickup"
	Ship     Fulfilment = "ship"
)

// Point is a place on the WGS-84 globe in decimal degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

func (p Point) valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lng) && p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// Line is one order line to route: Qty units of a counted SKU or grams of a weighed
// one; the engine compares it with stock in the same unit and never converts.
type Line struct {
	ID    string `json:"id"`
	SKUID string `json:"sku_id"`
	Qty   int64  `json:"qty"`
}

// Order is what Route places: its lines, how it is fulfilled and when it was placed.
type Order struct {
	Lines      []Line
	Fulfilment Fulfilment
	// To is the delivery point; required for Delivery, optional for Ship (it then
	// prices the per-km cost), ignored for Pickup.
	To *Point
	// PickupLocationID names the candidate the customer collects from (Pickup only).
	PickupLocationID string
	// At is when the order was placed; each candidate reads it in its own zone.
	At time.Time
}

// Hours are a location's daily opening hours and order cut-off, as offsets from local
// midnight. Open and Close both zero means open all day; Close before Open means the
// location closes after midnight (08:00–02:00). CutOff zero means none: orders are
// promised the same business day until closing. An order placed after the cut-off or
// while closed is promised from the next opening.
type Hours struct {
	Open   time.Duration `json:"open"`
	Close  time.Duration `json:"close"`
	CutOff time.Duration `json:"cut_off"`
}

// Candidate is a location that might fulfil the order, with what it holds now.
type Candidate struct {
	ID   string
	Name string
	Kind Kind
	At   Point
	// Stock is the available quantity (on hand less reserved and safety stock) per
	// SKU id; a missing SKU or a value below one means none.
	Stock map[string]int64
	// Capacity is how many more orders the location can take in the current window;
	// zero or less means full unless Unlimited is set.
	Capacity  int
	Unlimited bool
	Hours     Hours
	// Zone is the location's time zone for Hours; nil means UTC.
	Zone *time.Location
	// RadiusKm overrides the Options radius for the candidate's kind when above zero.
	RadiusKm float64
	// CostPerOrder and CostPerKm (fen) price a shipment from here: CostPerOrder plus
	// CostPerKm times the distance to the delivery point, rounded half up.
	CostPerOrder int64
	CostPerKm    int64
}

// Promise is the window promised after an order is accepted: delivery between Min
// and Max after the start (the order time, or the next opening when past cut-off).
type Promise struct {
	Min time.Duration `json:"min"`
	Max time.Duration `json:"max"`
}

// Options tune Route. The zero value uses the defaults named on each field.
type Options struct {
	// StoreRadiusKm is how far a store delivers (default 3 km).
	StoreRadiusKm float64
	// FrontWarehouseRadiusKm is how far a front warehouse delivers (default 10 km).
	FrontWarehouseRadiusKm float64
	// WarehouseRadiusKm is how far a warehouse delivers (default 0: no limit).
	WarehouseRadiusKm float64
	// MaxShipments caps how many locations one order may be split across
	// (default 3; 1 forbids splitting).
	MaxShipments int
	// ExactLimit is how many combinations the split search may evaluate exactly
	// before it falls back to greedy set cover (default 20000; negative: always greedy).
	ExactLimit int
	// StorePromise, FrontWarehousePromise and WarehousePromise are the delivery
	// windows by kind (defaults 0–1 h, 1–4 h, 4–24 h).
	StorePromise          Promise
	FrontWarehousePromise Promise
	WarehousePromise      Promise
	// PickupPromise is when a pickup is ready (default 0–1 h).
	PickupPromise Promise
	// ShipPromise is the courier window for Ship (default 24–72 h).
	ShipPromise Promise
	// ShipFromStores lets stores ship by courier; by default only warehouses and
	// front warehouses do.
	ShipFromStores bool
}

// The defaults of Options.
const (
	DefaultStoreRadiusKm          = 3.0
	DefaultFrontWarehouseRadiusKm = 10.0
	DefaultMaxShipments           = 3
	DefaultExactLimit             = 20000
)

func (o Options) withDefaults() Options {
	if o.StoreRadiusKm == 0 {
		o.StoreRadiusKm = DefaultStoreRadiusKm
	}
	if o.FrontWarehouseRadiusKm == 0 {
		o.FrontWarehouseRadiusKm = DefaultFrontWarehouseRadiusKm
	}
	if o.MaxShipments == 0 {
		o.MaxShipments = DefaultMaxShipments
	}
	if o.ExactLimit == 0 {
		o.ExactLimit = DefaultExactLimit
	}
	def := func(p *Promise, min, max time.Duration) {
		if *p == (Promise{}) {
			*p = Promise{Min: min, Max: max}
		}
	}
	def(&o.StorePromise, 0, time.Hour)
	def(&o.FrontWarehousePromise, time.Hour, 4*time.Hour)
	def(&o.WarehousePromise, 4*time.Hour, 24*time.Hour)
	def(&o.PickupPromise, 0, time.Hour)
	def(&o.ShipPromise, 24*time.Hour, 72*time.Hour)
	return o
}

// Validate reports an errs.Invalid error naming the option that is wrong.
func (o Options) Validate() error {
	for _, r := range []struct {
		field string
		v     float64
	}{{"store_radius_km", o.StoreRadiusKm}, {"front_warehouse_radius_km", o.FrontWarehouseRadiusKm}, {"warehouse_radius_km", o.WarehouseRadiusKm}} {
		if r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return errs.Field(r.field, "must be a finite distance of zero or more")
		}
	}
	if o.MaxShipments < 0 {
		return errs.Field("max_shipments", "must be zero (default) or more")
	}
	for _, p := range []struct {
		field string
		p     Promise
	}{{"store_promise", o.StorePromise}, {"front_warehouse_promise", o.FrontWarehousePromise},
		{"warehouse_promise", o.WarehousePromise}, {"pickup_promise", o.PickupPromise}, {"ship_promise", o.ShipPromise}} {
		if p.p.Min < 0 || p.p.Max < p.p.Min {
			return errs.Field(p.field, "must have 0 <= min <= max")
		}
	}
	return nil
}

// Validate reports an errs.Invalid error naming the field of the order that is wrong.
func (o Order) Validate() error {
	if len(o.Lines) == 0 {
		return errs.Field("lines", "an order has at least one line")
	}
	seen := make(map[string]bool, len(o.Lines))
	for i, l := range o.Lines {
		switch {
		case l.ID == "":
			return errs.Field("lines", "line %d has no id", i)
		case seen[l.ID]:
			return errs.Field("lines", "line id %q appears twice", l.ID)
		case l.SKUID == "":
			return errs.Field("lines", "line %q has no sku", l.ID)
		case l.Qty <= 0:
			return errs.Field("lines", "line %q has quantity %d; it must be above zero", l.ID, l.Qty)
		}
		seen[l.ID] = true
	}
	if o.At.IsZero() {
		return errs.Field("at", "the order time is required")
	}
	switch o.Fulfilment {
	case Delivery:
		if o.To == nil {
			return errs.Field("to", "a delivery needs a delivery point")
		}
	case Pickup:
		if o.PickupLocationID == "" {
			return errs.Field("pickup_location_id", "a pickup names its store")
		}
	case Ship:
	default:
		return errs.Field("fulfilment", "must be delivery, pickup or ship, not %q", o.Fulfilment)
	}
	if o.To != nil && !o.To.valid() {
		return errs.Field("to", "latitude must be within ±90 and longitude within ±180")
	}
	return nil
}

const day = 24 * time.Hour

// MaxCost bounds Candidate.CostPerOrder and CostPerKm (fen): ¥10 billion, far above
// any real cost, so that sums over shipments and half the globe cannot overflow.
const MaxCost = 1_000_000_000_000

// Validate reports an errs.Invalid error naming the field of the candidate that is wrong.
func (c Candidate) Validate() error {
	switch {
	case c.ID == "":
		return errs.Field("id", "a candidate has an id")
	case c.Kind != KindStore && c.Kind != KindFrontWarehouse && c.Kind != KindWarehouse:
		return errs.Field("kind", "candidate %q: must be store, front_warehouse or warehouse, not %q", c.ID, c.Kind)
	case !c.At.valid():
		return errs.Field("at", "candidate %q: latitude must be within ±90 and longitude within ±180", c.ID)
	case c.RadiusKm < 0 || math.IsNaN(c.RadiusKm) || math.IsInf(c.RadiusKm, 0):
		return errs.Field("radius_km", "candidate %q: must be a finite distance of zero or more", c.ID)
	case c.CostPerOrder < 0 || c.CostPerKm < 0 || c.CostPerOrder > MaxCost || c.CostPerKm > MaxCost:
		return errs.Field("cost", "candidate %q: costs are between zero and %d fen", c.ID, int64(MaxCost))
	}
	h := c.Hours
	for _, d := range []time.Duration{h.Open, h.Close, h.CutOff} {
		if d < 0 || d > day {
			return errs.Field("hours", "candidate %q: times are between 00:00 and 24:00", c.ID)
		}
	}
	if h.Open == day {
		return errs.Field("hours", "candidate %q: opening at 24:00 is opening at 00:00", c.ID)
	}
	return nil
}
