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
	BatchQty    int64  `json:"batch_qty" doc:"What the balance's batches (lots with expiry dates) hold; on_hand - batch_qty is in no batch."`
	QuotaFree   int64  `json:"quota_free" doc:"What channel quotas still hold back from the shared pool; available - quota_free is what any channel may reserve."`
}

func stockBalance(b Balance) StockBalance {
	return StockBalance{LocationID: b.LocationID, SKUID: b.SKUID, OnHand: b.OnHand, Reserved: b.Reserved, SafetyStock: b.SafetyStock, Available: b.Available(),
		BatchQty: b.BatchQty, QuotaFree: b.QuotaFree}
}

// StockBatch is what is left of one batch (lot) of a SKU at a location.
type StockBatch struct {
	ID           string     `json:"id"`
	LocationID   string     `json:"location_id"`
	SKUID        string     `json:"sku_id"`
	SKUCode      string     `json:"sku_code,omitempty" doc:"In the near-expiry list, which spans SKUs."`
	SKUName      string     `json:"sku_name,omitempty" doc:"In the near-expiry list, which spans SKUs."`
	BatchCode    string     `json:"batch_code"`
	ExpiresOn    string     `json:"expires_on" format:"date" doc:"The date on the goods: the last day they may be sold."`
	ExpiresAt    time.Time  `json:"expires_at" doc:"Midnight after expires_on in the location's time zone: the expiry sweep writes the batch off from then."`
	Expired      bool       `json:"expired" doc:"Past its expiry and not yet written off."`
	OnHand       int64      `json:"on_hand"`
	ReceivedAt   time.Time  `json:"received_at"`
	WrittenOffAt *time.Time `json:"written_off_at,omitempty"`
}

func stockBatch(now time.Time) func(Batch) StockBatch {
	return func(b Batch) StockBatch {
		return StockBatch{ID: b.ID, LocationID: b.LocationID, SKUID: b.SKUID, SKUCode: b.SKUCode, SKUName: b.SKUName, BatchCode: b.Code, ExpiresOn: b.ExpiresOn, ExpiresAt: b.ExpiresAt,
			Expired: b.Expired(now), OnHand: b.OnHand, ReceivedAt: b.ReceivedAt, WrittenOffAt: b.WrittenOffAt}
	}
}

// StockBatches is the stock of one SKU at one location by batch.
type StockBatches struct {
	Balance   StockBalance `json:"balance"`
	Items     []StockBatch `json:"items" nullable:"false" doc:"Batches holding stock, first to expire first: the order stock leaves in."`
	Untracked int64        `json:"untracked" doc:"Stock in no batch (on_hand - batch_qty): received without one, returned, counted surplus; negative after till sales beyond the books."`
}

// StockBatchList is a list of batches.
type StockBatchList struct {
	Items []StockBatch `json:"items" nullable:"false"`
}

// StockChannelQuota is the stock of a SKU at a location set aside for one sales channel.
type StockChannelQuota struct {
	Channel string `json:"channel" pattern:"^[a-z0-9_]{1,32}$" doc:"A sales channel as orders name it: meituan, eleme, mini_program, app, ..."`
	Quota   int64  `json:"quota" minimum:"0" maximum:"1000000000"`
	Used    int64  `json:"used" readOnly:"true" doc:"What the channel's active reservations hold against the quota."`
	Free    int64  `json:"free" readOnly:"true" doc:"max(quota - used, 0): still held back for the channel."`
}

// StockAllocation is a balance and the channel quotas carved out of it.
type StockAllocation struct {
	Balance         StockBalance        `json:"balance"`
	Quotas          []StockChannelQuota `json:"quotas" nullable:"false"`
	SharedAvailable int64               `json:"shared_available" doc:"available - quota_free: what any channel may reserve beyond its own quota (negative when quotas exceed the stock)."`
}

func stockAllocation(a Allocation) StockAllocation {
	out := StockAllocation{Balance: stockBalance(a.Balance), Quotas: make([]StockChannelQuota, len(a.Quotas)), SharedAvailable: a.SharedAvailable()}
	for i, q := range a.Quotas {
		out.Quotas[i] = StockChannelQuota{Channel: q.Channel, Quota: q.Quota, Used: q.Used, Free: q.Free()}
	}
	return out
}

// StockQuotaRequest replaces the channel quotas of a SKU at a location.
type StockQuotaRequest struct {
	Quotas []StockQuotaSetting `json:"quotas" maxItems:"20" nullable:"false" doc:"The channels with a quota; none makes all of the stock the shared pool."`
}

// StockQuotaSetting is one channel's quota.
type StockQuotaSetting struct {
	Channel string `json:"channel" pattern:"^[a-z0-9_]{1,32}$"`
	Quota   int64  `json:"quota" minimum:"0" maximum:"1000000000"`
}

// StockChangeRequest records a change of on hand at a location.
type StockChangeRequest struct {
	SKUID     string `json:"sku_id" minLength:"1" maxLength:"64"`
	Kind      string `json:"kind" enum:"receipt,sale,return,adjustment,count,write_off" doc:"receipt, return: qty in; sale, write_off: qty out; adjustment: signed qty with a reason; count: qty is the counted on hand."`
	Qty       int64  `json:"qty" minimum:"-1000000000" maximum:"1000000000"`
	Reference string `json:"reference,omitempty" maxLength:"128" doc:"The document behind the change: a delivery note, a till ticket, a count sheet."`
	Reason    string `json:"reason,omitempty" maxLength:"500"`
	BatchCode string `json:"batch_code,omitempty" maxLength:"64" doc:"A receipt only: the batch (lot) the goods belong to; defaults to expires_on."`
	ExpiresOn string `json:"expires_on,omitempty" format:"date" doc:"A receipt only: the batch's expiry date (the last day it may be sold). Stock leaves first expiry first out."`
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
	Channel    string                 `json:"channel,omitempty" pattern:"^[a-z0-9_]{1,32}$" doc:"The sales channel reserving: its quota at each line's location and SKU is drawn on first, then the shared pool. Empty: the shared pool only."`
}

// StockReservation is stock held for a reference.
type StockReservation struct {
	ID        string                 `json:"id"`
	Reference string                 `json:"reference"`
	Status    string                 `json:"status" enum:"active,committed,released,expired"`
	Channel   string                 `json:"channel,omitempty"`
	Lines     []StockReservationLine `json:"lines" nullable:"false"`
	ExpiresAt time.Time              `json:"expires_at"`
	CreatedAt time.Time              `json:"created_at"`
}

func stockReservation(r Reservation) StockReservation {
	out := StockReservation{ID: r.ID, Reference: r.Reference, Status: string(r.Status), Channel: r.Channel, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt,
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

type expiringInput struct {
	ID         string `path:"id" maxLength:"64"`
	WithinDays int    `query:"within_days" minimum:"0" maximum:"366" default:"3" doc:"Batches whose last day is at most this many days after today where the location is: 0 is what must sell today (those already expired and not yet written off too)."`
	Limit      int    `query:"limit" minimum:"1" maximum:"1000" default:"200"`
}

type quotaInput struct {
	ID    string `path:"id" maxLength:"64"`
	SKUID string `path:"sku_id" maxLength:"64"`
	Body  StockQuotaRequest
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
	s.registerBatches(api)
	s.registerReservations(api)
	s.registerTransfers(api)
	s.registerLedger(api)
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
		return httpapi.Reply(stockBalance)(s.Apply(ctx, Change{LocationID: in.ID, SKUID: b.SKUID, Kind: MovementKind(b.Kind), Qty: b.Qty, Reference: b.Reference, Reason: b.Reason,
			BatchCode: b.BatchCode, ExpiresOn: b.ExpiresOn}))
	})
}

func (s *Service) registerBatches(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-stock-batches", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/balances/{sku_id}/batches",
		Summary: "Stock of a SKU at a location by batch", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "The batches (lots) holding stock, first to expire first, and what is in no batch.",
	}, func(ctx context.Context, in *balancePath) (*httpapi.Body[StockBatches], error) {
		now := s.now()
		return httpapi.Reply(func(bs BatchStock) StockBatches {
			out := StockBatches{Balance: stockBalance(bs.Balance), Untracked: bs.Untracked, Items: make([]StockBatch, len(bs.Batches))}
			for i, b := range bs.Batches {
				out.Items[i] = stockBatch(now)(b)
			}
			return out
		})(s.FindBatches(ctx, in.ID, in.SKUID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-expiring-stock-batches", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/expiring-batches",
		Summary: "Batches near expiry at a location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "The store's daily near-expiry (临期) list: batches still holding stock that expire within within_days, soonest first " +
			"(those already expired and not yet written off lead).",
	}, func(ctx context.Context, in *expiringInput) (*httpapi.Body[StockBatchList], error) {
		now := s.now()
		return httpapi.Reply(func(bs []Batch) StockBatchList {
			out := StockBatchList{Items: make([]StockBatch, len(bs))}
			for i, b := range bs {
				out.Items[i] = stockBatch(now)(b)
			}
			return out
		})(s.FindExpiringBatches(ctx, in.ID, in.WithinDays, in.Limit))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-stock-quotas", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/balances/{sku_id}/quotas",
		Summary: "Channel quotas of a SKU at a location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "The balance, each channel's quota and what its reservations use of it, and the shared pool.",
	}, func(ctx context.Context, in *balancePath) (*httpapi.Body[StockAllocation], error) {
		return httpapi.Reply(stockAllocation)(s.FindAllocation(ctx, in.ID, in.SKUID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "set-stock-quotas", Method: http.MethodPut, Path: "/api/v1/stock-locations/{id}/balances/{sku_id}/quotas",
		Summary: "Set the channel quotas of a SKU at a location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "Replaces the quotas: a reservation from a channel takes its quota first, then the shared pool (available less what quotas still " +
			"hold back), never beyond available. No quotas: one shared pool. A dropped channel whose reservations still use its quota keeps a zero quota until they settle.",
	}, func(ctx context.Context, in *quotaInput) (*httpapi.Body[StockAllocation], error) {
		quotas := make([]ChannelQuota, len(in.Body.Quotas))
		for i, q := range in.Body.Quotas {
			quotas[i] = ChannelQuota{Channel: q.Channel, Quota: q.Quota}
		}
		return httpapi.Reply(stockAllocation)(s.SetQuotas(ctx, in.ID, in.SKUID, quotas))
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
		req := ReserveRequest{Reference: in.Body.Reference, TTL: time.Duration(in.Body.TTLSeconds) * time.Second, Channel: in.Body.Channel}
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

// StockBalanceRow is a balance in a location's list, with its SKU.
type StockBalanceRow struct {
	StockBalance
	SKUCode string `json:"sku_code"`
	SKUName string `json:"sku_name"`
}

func stockBalanceRow(b LocatedBalance) StockBalanceRow {
	return StockBalanceRow{StockBalance: stockBalance(b.Balance), SKUCode: b.SKUCode, SKUName: b.SKUName}
}

// StockMovementBatch is what a movement took from or added to one batch.
type StockMovementBatch struct {
	BatchID   string `json:"batch_id"`
	BatchCode string `json:"batch_code"`
	ExpiresOn string `json:"expires_on" format:"date"`
	Qty       int64  `json:"qty" doc:"Units the movement took from the batch (negative) or added to it (positive)."`
}

// StockMovement is one row of a balance's ledger.
type StockMovement struct {
	ID            string               `json:"id"`
	Kind          string               `json:"kind" enum:"receipt,sale,return,adjustment,count,write_off,expiry_write_off,reserve,release,fulfil,transfer_out,transfer_in"`
	OnHandDelta   int64                `json:"on_hand_delta"`
	ReservedDelta int64                `json:"reserved_delta"`
	Reference     string               `json:"reference,omitempty"`
	Reason        string               `json:"reason,omitempty"`
	ActorID       string               `json:"actor_id,omitempty" doc:"The user or API key that made the change; system for the sweeps."`
	OccurredAt    time.Time            `json:"occurred_at"`
	Batches       []StockMovementBatch `json:"batches" nullable:"false" doc:"The batches the movement moved; empty when it moved none (reservations, untracked stock)."`
}

func stockMovement(e LedgerEntry) StockMovement {
	out := StockMovement{ID: e.ID, Kind: string(e.Kind), OnHandDelta: e.OnHandDelta, ReservedDelta: e.ReservedDelta, Reference: e.Reference, Reason: e.Reason,
		ActorID: e.ActorID, OccurredAt: e.OccurredAt, Batches: make([]StockMovementBatch, len(e.Batches))}
	for i, b := range e.Batches {
		out.Batches[i] = StockMovementBatch{BatchID: b.BatchID, BatchCode: b.BatchCode, ExpiresOn: b.ExpiresOn, Qty: b.Qty}
	}
	return out
}

type balanceListInput struct {
	ID     string `path:"id" maxLength:"64"`
	Q      string `query:"q" maxLength:"100" doc:"Part of the SKU's code or name, any case."`
	Status string `query:"status" enum:"all,negative,low,below_safety,out_of_stock" default:"all" doc:"negative: on_hand < 0; low (below_safety): available <= 0, nothing left to reserve online; out_of_stock: on_hand - reserved <= 0."`
	httpapi.PageParams
}

type movementListInput struct {
	ID    string `path:"id" maxLength:"64"`
	SKUID string `path:"sku_id" maxLength:"64"`
	httpapi.PageParams
}

func (s *Service) registerLedger(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-stock-balances", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/balances",
		Summary: "Stock of a location", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "The balances of a location inside the caller's data scope by SKU code, with the SKU's code and name; filtered by SKU and by status.",
	}, func(ctx context.Context, in *balanceListInput) (*httpapi.Body[httpapi.Page[StockBalanceRow]], error) {
		return httpapi.ReplyPage(stockBalanceRow)(s.FindBalances(ctx, in.ID, BalanceFilter{Q: in.Q, Status: BalanceStatus(in.Status)}, in.PageParams))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-stock-movements", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/balances/{sku_id}/movements",
		Summary: "Ledger of a balance", Tags: []string{inventoryTag}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "The movements of a SKU at a location inside the caller's data scope, newest first, each with the batches it moved.",
	}, func(ctx context.Context, in *movementListInput) (*httpapi.Body[httpapi.Page[StockMovement]], error) {
		return httpapi.ReplyPage(stockMovement)(s.FindMovements(ctx, in.ID, in.SKUID, in.PageParams))
	})
}
