package catalog

// The events catalog publishes through the outbox. The aggregate id is the id of the
// category, product, SKU or price zone. Catalog consumes no events.
const (
	EventCategoryCreated         = "catalog.category.created"
	EventCategoryUpdated         = "catalog.category.updated"
	EventCategoryDeleted         = "catalog.category.deleted"
	EventProductCreated          = "catalog.product.created"
	EventProductUpdated          = "catalog.product.updated"
	EventSKUCreated              = "catalog.sku.created"
	EventSKUUpdated              = "catalog.sku.updated"
	EventPriceChanged            = "catalog.price.changed" // list price or an override set or deleted
	EventPriceZoneCreated        = "catalog.price_zone.created"
	EventPriceZoneUpdated        = "catalog.price_zone.updated"
	EventPriceZoneStoresAssigned = "catalog.price_zone.stores_assigned"
	EventPriceZoneDeleted        = "catalog.price_zone.deleted"
)

// CategoryEvent is the payload of the category events.
type CategoryEvent struct {
	ID       string `json:"id"`
	ParentID string `json:"parent_id,omitempty"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Level    int    `json:"level"`
}

// ProductEvent is the payload of the product events.
type ProductEvent struct {
	ID         string `json:"id"`
	CategoryID string `json:"category_id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	BrandName  string `json:"brand_name,omitempty"`
	Unit       Unit   `json:"unit"`
	Status     Status `json:"status"`
}

// SKUEvent is the payload of the SKU events.
type SKUEvent struct {
	ID           string   `json:"id"`
	ProductID    string   `json:"product_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Spec         string   `json:"spec,omitempty"`
	Unit         Unit     `json:"unit"`
	Barcodes     []string `json:"barcodes"`
	ListPriceFen int64    `json:"list_price_fen"`
	Status       Status   `json:"status"`
}

// PriceChangedEvent is the payload of catalog.price.changed. ScopeType is "list" for
// the list price, else store or price_zone; a nil price means there was none before
// (OldPriceFen) or the override was deleted (NewPriceFen).
type PriceChangedEvent struct {
	SKUID       string `json:"sku_id"`
	ScopeType   string `json:"scope_type"`
	ScopeID     string `json:"scope_id,omitempty"`
	OldPriceFen *int64 `json:"old_price_fen"`
	NewPriceFen *int64 `json:"new_price_fen"`
}

// PriceZoneEvent is the payload of the price zone events.
type PriceZoneEvent struct {
	ID       string   `json:"id"`
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	StoreIDs []string `json:"store_ids"`
}

func categoryEvent(c Category) CategoryEvent {
	return CategoryEvent{ID: c.ID, ParentID: c.ParentID, Code: c.Code, Name: c.Name, Level: c.Level}
}

func productEvent(p Product) ProductEvent {
	return ProductEvent{ID: p.ID, CategoryID: p.CategoryID, Code: p.Code, Name: p.Name, BrandName: p.BrandName, Unit: p.Unit, Status: p.Status}
}

func skuEvent(s SKU) SKUEvent {
	b := s.Barcodes
	if b == nil {
		b = []string{}
	}
	return SKUEvent{ID: s.ID, ProductID: s.ProductID, Code: s.Code, Name: s.Name, Spec: s.Spec, Unit: s.Unit,
		Barcodes: b, ListPriceFen: s.ListPriceFen, Status: s.Status}
}

func priceZoneEvent(z PriceZone) PriceZoneEvent {
	ids := z.StoreIDs
	if ids == nil {
		ids = []string{}
	}
	return PriceZoneEvent{ID: z.ID, Code: z.Code, Name: z.Name, StoreIDs: ids}
}
