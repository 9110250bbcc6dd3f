package routing

import "time"

// Code is a stable machine code in a Decision: why a candidate was or was not used,
// why an order cannot be fulfilled, or a note on a candidate's hours. The console
// keys its texts on it; Message fields carry an English rendering with the figures.
type Code string

// Codes of a candidate's Note (the first is the Note's Code; Details lists every one
// that applies).
const (
	// CodeChosen: the single location that fulfils the whole order (or the pickup store).
	CodeChosen Code = "chosen"
	// CodeSplitMember: one of the locations of a split.
	CodeSplitMember Code = "split_member"
	// CodeRankedLower: could have fulfilled the whole order alone, but another ranked higher.
	CodeRankedLower Code = "ranked_lower"
	// CodeNotNeeded: eligible and holds part of the order, but was not used.
	CodeNotNeeded Code = "not_needed"
	// CodeKindNotAllowed: this kind of location does not serve this fulfilment (a store for Ship).
	CodeKindNotAllowed Code = "kind_not_allowed"
	// CodeOutOfRadius: the delivery point is beyond the location's radius.
	CodeOutOfRadius Code = "out_of_radius"
	// CodeAtCapacity: the location takes no more orders in this window.
	CodeAtCapacity Code = "at_capacity"
	// CodeLacksStock: the location lacks some of the order (it holds part).
	CodeLacksStock Code = "lacks_stock"
	// CodeNoStock: the location holds none of the ordered SKUs.
	CodeNoStock Code = "no_stock"
	// CodeNotPickupStore: the order is a pickup at another store.
	CodeNotPickupStore Code = "not_pickup_store"
	// CodeOpensLater: closed now, opens later today; the promise starts then.
	CodeOpensLater Code = "opens_later"
	// CodePastCutOff: past today's cut-off; the promise starts at the next opening.
	CodePastCutOff Code = "past_cut_off"
	// CodeClosed: closed for the day; the promise starts at the next opening.
	CodeClosed Code = "closed"
)

// Codes of a Decision and of a Shortage.
const (
	// CodeSingle: one location fulfils the whole order.
	CodeSingle Code = "single"
	// CodeSplit: the order is split because no single eligible location has everything.
	CodeSplit Code = "split"
	// CodeInsufficientStock: the eligible locations together hold too little of a SKU.
	CodeInsufficientStock Code = "insufficient_stock"
	// CodeTooManyShipments: the stock exists, but not within Options.MaxShipments locations.
	CodeTooManyShipments Code = "too_many_shipments"
	// CodePickupStoreLacks: the pickup store lacks a SKU (Shortage.TransferFrom
	// names locations that could send it).
	CodePickupStoreLacks Code = "pickup_store_lacks"
	// CodePickupStoreFull: the pickup store is at capacity.
	CodePickupStoreFull Code = "pickup_store_full"
)

// Decision is where an order goes and why. When Fulfillable is false Shipments is
// empty and Code with Shortages say what is missing; Route still returns a nil error,
// since an unroutable order is an outcome to store and show, not a failure.
type Decision struct {
	Fulfillable bool       `json:"fulfillable"`
	Fulfilment  Fulfilment `json:"fulfilment"`
	// Code is CodeSingle or CodeSplit when fulfillable, else the reason it is not.
	Code    Code   `json:"code"`
	Summary string `json:"summary"`
	// Shipments are in rank order (best first); each location appears once.
	Shipments []Shipment `json:"shipments"`
	// Cost is the sum of the shipments' costs (fen).
	Cost int64 `json:"cost"`
	// From is the earliest shipment start and To the latest end: the order is
	// complete by To.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Search is how a split was found: "exact" or "greedy"; empty otherwise.
	Search string `json:"search,omitempty"`
	// Candidates explains every candidate, in id order.
	Candidates []Note `json:"candidates"`
	// Shortages say, per SKU, what is missing when the order is not fulfillable.
	Shortages []Shortage `json:"shortages,omitempty"`
}

// Shipment is the part of an order one location fulfils.
type Shipment struct {
	LocationID   string  `json:"location_id"`
	LocationName string  `json:"location_name"`
	Kind         Kind    `json:"kind"`
	DistanceKm   float64 `json:"distance_km"`
	// Lines are in order-line order; a line appears in two shipments only when no
	// one location of the split holds its whole quantity.
	Lines []Allocation `json:"lines"`
	// From and To are the promised window.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Cost int64     `json:"cost"`
}

// Allocation is a quantity of an order line taken from one location.
type Allocation struct {
	LineID string `json:"line_id"`
	SKUID  string `json:"sku_id"`
	Qty    int64  `json:"qty"`
}

// Note explains one candidate: Code and Message are the headline, Details every
// reason that applied, in the order the rules check them.
type Note struct {
	LocationID string   `json:"location_id"`
	Kind       Kind     `json:"kind"`
	DistanceKm float64  `json:"distance_km"`
	Code       Code     `json:"code"`
	Message    string   `json:"message"`
	Details    []Detail `json:"details,omitempty"`
}

// Detail is one reason in a Note.
type Detail struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Shortage is a SKU the order cannot get: Ordered across its lines, Available at
// the eligible locations together (at the pickup store for a pickup).
type Shortage struct {
	SKUID     string `json:"sku_id"`
	Ordered   int64  `json:"ordered"`
	Available int64  `json:"available"`
	Code      Code   `json:"code"`
	Message   string `json:"message"`
	// TransferFrom names candidates holding the missing quantity (pickup only),
	// nearest to the pickup store first.
	TransferFrom []string `json:"transfer_from,omitempty"`
}
