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
