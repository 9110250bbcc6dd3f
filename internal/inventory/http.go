package inventory

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

const inventoryTag = "Inventory"

// StockLocation is a place that holds stock.
type StockLocation struct {
	ID            string    `json:"id"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind" enum:"store,front_warehouse,warehouse"`
	StoreID       string    `json:"store_id,omitempty" doc:"The organisation's store, for a store location."`
	AllowNegative bool      `json:"allow_negative" doc:"Whether a till sale may take on hand below zero here (it happened); reservations never may."`
	Latitude      *float64  `json:"latitude,omitempty" doc:"WGS-84; routing measures delivery distances from here (a store location without it uses its store's)."`
	Longitude     *float64  `json:"longitude,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func stockLocation(l Location) StockLocation {
	return StockLocation{ID: l.ID, Code: l.Code, Name: l.Name, Kind: string(l.Kind), StoreID: l.StoreID, AllowNegative: l.AllowNegative,
		Latitude: l.Latitude, Longitude: l.Longitude, CreatedAt: l.CreatedAt}
}

// StockLocationCreateRequest adds a stock location.
type StockLocationCreateRequest struct {
	Code          string   `json:"code" minLength:"1" maxLength:"64"`
	Name          string   `json:"name" minLength:"1" maxLength:"200"`
	Kind          string   `json:"kind" enum:"store,front_warehouse,warehouse"`
	StoreID       string   `json:"store_id,omitempty" maxLength:"64" doc:"Required for a store location: the organisation's store (one location per store)."`
	AllowNegative bool     `json:"allow_negative,omitempty"`
	Latitude      *float64 `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude     *float64 `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
}

// StockBalance is the stock of one SKU at one location.
type StockBalance struct {
	LocationID  string `json:"location_id"`
	SKUID       string `json:"sku_id"`
	OnHand      int64  `json:"on_hand" doc:"Units (grams for weighed goods) physically there; negative after till sales beyond the recorded stock where allowed."`
	Reserved    int64  `json:"reserved" doc:"Held for orders not yet fulfilled."`
	SafetyStock int64  `json:"safety_stock" doc:"Kept back from online orders."`
	Available   int64  `json:"available" doc:"on_hand - reserved - safety_stock: what may still be reserved."`
}

func stockBalance(b Balance) StockBalance {
	return StockBalance{LocationID: b.LocationID, SKUID: b.SKUID, OnHand: b.OnHand, Reserved: b.Reserved, SafetyStock: b.SafetyStock, Available: b.Available()}
}

// StockChangeRequest records a change of on hand at a location.
type StockChangeRequest struct {
	SKUID     string `json:"sku_id" minLength:"1" maxLength:"64"`
	Kind      string `json:"kind" enum:"receipt,sale,return,adjustment,count,write_off" doc:"receipt, return: qty in; sale, write_off: qty out; adjustment: signed qty with a reason; count: qty is the counted on hand."`
	Qty       int64  `json:"qty" minimum:"-1000000000" maximum:"1000000000"`
	Reference string `json:"reference,omitempty" maxLength:"128" doc:"The document behind the change: a delivery note, a till ticket, a count sheet."`
	Reason    string `json:"reason,omitempty" maxLength:"500"`
}

// StockReservationLine holds units of one SKU at one location.
type StockReservationLine struct {
	LocationID string `json:"location_id" minLength:"1" maxLength:"64"`
	SKUID      string `json:"sku_id" minLength:"1" maxLength:"64"`
	Qty        int64  `json:"qty" minimum:"1" maximum:"1000000000"`
}

// StockReservationRequest holds stock for a reference until it is paid or let go.
type StockReservationRequest struct {
	Reference  string                 `json:"reference" minLength:"1" maxLength:"128" doc:"The order (or other document) the stock is for; one reservation per reference, and asking again returns it."`
	Lines      []StockReservationLine `json:"lines" minItems:"1" maxItems:"500" doc:"Lines for the same location and SKU are summed before the check; all are reserved or none."`
	TTLSeconds int64                  `json:"ttl_seconds,omitempty" minimum:"1" maximum:"604800" default:"900" doc:"Released automatically when not committed within this time."`
}

// StockReservation is stock held for a reference.
type StockReservation struct {
	ID        string                 `json:"id"`
	Reference string                 `json:"reference"`
	Status    string                 `json:"status" enum:"active,committed,released,expired"`
	Lines     []StockReservationLine `json:"lines" nullable:"false"`
	ExpiresAt time.Time              `json:"expires_at"`
	CreatedAt time.Time              `json:"created_at"`
}

func stockReservation(r Reservation) StockReservation {
	out := StockReservation{ID: r.ID, Reference: r.Reference, Status: string(r.Status), ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt,
		Lines: make([]StockReservationLine, len(r.Lines))}
	for i, l := range r.Lines {
		out.Lines[i] = StockReservationLine{LocationID: l.LocationID, SKUID: l.SKUID, Qty: l.Qty}
	}
	return out
}

// StockTransferRequest moves stock between two locations.
type StockTransferRequest struct {
	FromLocationID string `json:"from_location_id" minLength:"1" maxLength:"64"`
	ToLocationID   string `json:"to_location_id" minLength:"1" maxLength:"64"`
	SKUID          string `json:"sku_id" minLength:"1" maxLength:"64"`
	Qty            int64  `json:"qty" minimum:"1" maximum:"1000000000"`
	Reference      string `json:"reference,omitempty" maxLength:"128" doc:"The transfer note."`
	Reason         string `json:"reason,omitempty" maxLength:"500"`
}

// StockTransferResponse is the two balances after a transfer.
type StockTransferResponse struct {
	From StockBalance `json:"from"`
	To   StockBalance `json:"to"`
}

type transferInput struct {
	Body StockTransferRequest
}

type locationListInput struct {
	httpapi.PageParams
}

type locationCreateInput struct {
	Body StockLocationCreateRequest
}

type locationPath struct {
	ID string `path:"id" maxLength:"64"`
}

type balancePath struct {
	ID    string `path:"id" maxLength:"64"`
	SKUID string `path:"sku_id" maxLength:"64"`
}

type changeInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body StockChangeRequest
}

type reserveInput struct {
	Body StockReservationRequest
}

type referencePath struct {
	Reference string `path:"reference" maxLength:"128"`
}

type releaseInput struct {
	Reference string `path:"reference" maxLength:"128"`
	Body      struct {
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

// Register adds the inventory operations to api.
func (s *Service) Register(api huma.API) {
	s.registerLocations(api)
	s.registerReservations(api)
	s.registerTransfers(api)
}

func (s *Service) registerLocations(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-stock-locations", Method: http.MethodGet, Path: "/api/v1/stock-locations",
		Summary: "List stock locations", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "Stores, front warehouses and warehouses by code: all of the tenant, or the locations of the caller's brand's, region's or store's stores.",
	}, func(ctx context.Context, in *locationListInput) (*httpapi.Body[httpapi.Page[StockLocation]], error) {
		return httpapi.ReplyPage(stockLocation)(s.FindLocations(ctx, in.PageParams))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-stock-location", Method: http.MethodPost, Path: "/api/v1/stock-locations", DefaultStatus: http.StatusCreated,
		Summary: "Add a stock location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "Needs inventory:write over the whole tenant. Codes are unique regardless of case; a store has at most one location.",
	}, func(ctx context.Context, in *locationCreateInput) (*httpapi.Body[StockLocation], error) {
		b := in.Body
		return httpapi.Reply(stockLocation)(s.CreateLocation(ctx, Location{Code: b.Code, Name: b.Name, Kind: LocationKind(b.Kind), StoreID: b.StoreID, AllowNegative: b.AllowNegative,
			Latitude: b.Latitude, Longitude: b.Longitude}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-stock-location", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}",
		Summary: "Get a stock location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
	}, func(ctx context.Context, in *locationPath) (*httpapi.Body[StockLocation], error) {
		return httpapi.Reply(stockLocation)(s.FindLocationByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-stock-balance", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/balances/{sku_id}",
		Summary: "Stock of a SKU at a location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "On hand, reserved, safety stock and available; zero for a SKU never stocked there.",
	}, func(ctx context.Context, in *balancePath) (*httpapi.Body[StockBalance], error) {
		return httpapi.Reply(stockBalance)(s.FindBalance(ctx, in.ID, in.SKUID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "record-stock-change", Method: http.MethodPost, Path: "/api/v1/stock-locations/{id}/changes",
		Summary: "Record a change of stock", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "A receipt, till sale, return, adjustment (with a reason), stock count or write-off, at a location inside the caller's data scope; " +
			"it is one row of the ledger. A sale may take on hand below zero where the location allows it; anything else that would is refused (409 insufficient).",
	}, func(ctx context.Context, in *changeInput) (*httpapi.Body[StockBalance], error) {
		b := in.Body
		return httpapi.Reply(stockBalance)(s.Apply(ctx, Change{LocationID: in.ID, SKUID: b.SKUID, Kind: MovementKind(b.Kind), Qty: b.Qty, Reference: b.Reference, Reason: b.Reason}))
	})
}

func (s *Service) registerTransfers(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "transfer-stock", Method: http.MethodPost, Path: "/api/v1/stock-transfers",
		Summary: "Move stock between locations", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "On hand falls at the source (409 insufficient rather than below zero) and rises at the destination, one ledger movement each " +
			"(transfer_out, transfer_in), both or neither. Both locations must be inside the caller's data scope.",
	}, func(ctx context.Context, in *transferInput) (*httpapi.Body[StockTransferResponse], error) {
		b := in.Body
		return httpapi.Reply(func(bs [2]Balance) StockTransferResponse {
			return StockTransferResponse{From: stockBalance(bs[0]), To: stockBalance(bs[1])}
		})(s.TransferStock(ctx, Transfer{FromLocationID: b.FromLocationID, ToLocationID: b.ToLocationID, SKUID: b.SKUID, Qty: b.Qty, Reference: b.Reference, Reason: b.Reason}))
	})
}

func (s *Service) registerReservations(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "reserve-stock", Method: http.MethodPost, Path: "/api/v1/stock-reservations", DefaultStatus: http.StatusCreated,
		Summary: "Reserve stock", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "Holds every line or none (409 insufficient naming the first line short of stock); never more than is available, " +
			"however many reservations run at once. Needs inventory:write over the whole tenant.",
	}, func(ctx context.Context, in *reserveInput) (*httpapi.Body[StockReservation], error) {
		req := ReserveRequest{Reference: in.Body.Reference, TTL: time.Duration(in.Body.TTLSeconds) * time.Second}
		if req.TTL == 0 {
			req.TTL = 15 * time.Minute
		}
		for _, l := range in.Body.Lines {
			req.Lines = append(req.Lines, Line{LocationID: l.LocationID, SKUID: l.SKUID, Qty: l.Qty})
		}
		return httpapi.Reply(stockReservation)(s.Reserve(ctx, req))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-stock-reservation", Method: http.MethodGet, Path: "/api/v1/stock-reservations/{reference}",
		Summary: "Get a stock reservation", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
	}, func(ctx context.Context, in *referencePath) (*httpapi.Body[StockReservation], error) {
		return httpapi.Reply(stockReservation)(s.FindReservation(ctx, in.Reference))
	})
	huma.Register(api, huma.Operation{
		OperationID: "commit-stock-reservation", Method: http.MethodPost, Path: "/api/v1/stock-reservations/{reference}/commit",
		Summary: "Fulfil a reservation", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "The order was paid and the goods leave: on hand and reserved fall by each line. Again is a no-op; a released or expired reservation is a conflict.",
	}, func(ctx context.Context, in *referencePath) (*httpapi.Body[StockReservation], error) {
		return httpapi.Reply(stockReservation)(s.Commit(ctx, in.Reference))
	})
	huma.Register(api, huma.Operation{
		OperationID: "release-stock-reservation", Method: http.MethodPost, Path: "/api/v1/stock-reservations/{reference}/release",
		Summary: "Release a reservation", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "The order was cancelled: the stock is available again. Again is a no-op; a committed reservation is a conflict.",
	}, func(ctx context.Context, in *releaseInput) (*httpapi.Body[StockReservation], error) {
		return httpapi.Reply(stockReservation)(s.Release(ctx, in.Reference, in.Body.Reason))
	})
}
