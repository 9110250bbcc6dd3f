package inventory

// EventNegativeStock is published when a till sale takes a location's on hand below
// zero (where the location allows it): the sale happened, so the recorded stock was
// wrong and the shelf needs counting. Subscribers alert the store.
const EventNegativeStock = "inventory.negative_stock"

// NegativeStockEvent is the payload of EventNegativeStock.
type NegativeStockEvent struct {
	LocationID   string `json:"location_id"`
	LocationCode string `json:"location_code"`
	StoreID      string `json:"store_id,omitempty"`
	SKUID        string `json:"sku_id"`
	OnHand       int64  `json:"on_hand"`
	Reference    string `json:"reference,omitempty"`
}

// EventLowStock is published when a change or a reservation takes a balance's
// available (on_hand - reserved - safety_stock) from above zero to zero or below:
// nothing is left to reserve online and the shelf needs restocking. It is published
// on the crossing only, not on every later sale while available stays at or below
// zero; once available is above zero again (a receipt, a release) the next crossing
// publishes it again. Published in the transaction of the change.
const EventLowStock = "inventory.low_stock"

// LowStockEvent is the payload of EventLowStock.
type LowStockEvent struct {
	LocationID   string `json:"location_id"`
	LocationCode string `json:"location_code"`
	StoreID      string `json:"store_id,omitempty"`
	SKUID        string `json:"sku_id"`
	// Available is on_hand - reserved - safety_stock after the change.
	Available int64 `json:"available"`
	// Kind is the movement that crossed: sale, reserve, transfer_out, expiry_write_off, ...
	Kind      string `json:"kind"`
	Reference string `json:"reference,omitempty"`
}

// crossedLow says whether available went from above zero to zero or below.
func crossedLow(before, after int64) bool { return before > 0 && after <= 0 }

func lowStockEvent(loc Location, skuID string, available int64, kind MovementKind, reference string) LowStockEvent {
	return LowStockEvent{LocationID: loc.ID, LocationCode: loc.Code, StoreID: loc.StoreID, SKUID: skuID, Available: available, Kind: string(kind), Reference: reference}
}
