package inventory

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// LocationKind says what a stock location is.
type LocationKind string

// The kinds of location: a store sells over the counter and may fulfil nearby online
// orders; a front warehouse (前置仓) serves a district within hours; a warehouse
// (city or central) serves within a day.
const (
	KindStore          LocationKind = "store"
	KindFrontWarehouse LocationKind = "front_warehouse"
	KindWarehouse      LocationKind = "warehouse"
)

// Location is a place that holds stock.
type Location struct {
	ID       string
	TenantID string
	Code     string
	Name     string
	Kind     LocationKind
	// StoreID is the organisation's store for a KindStore location, else empty.
	StoreID string
	// AllowNegative lets a sale recorded after the fact (a till ticket) take on hand
	// below zero here; reservations never may.
	AllowNegative bool
	// Latitude and Longitude place the location for routing (WGS-84 degrees); nil
	// when unknown (a store location then takes its store's).
	Latitude, Longitude *float64
	CreatedAt           time.Time
}

// Validate reports an errs.Invalid error naming the field that is wrong.
func (l Location) Validate() error {
	switch {
	case l.Code == "" || len(l.Code) > 64:
		return errs.Field("code", "must be 1 to 64 characters")
	case l.Name == "" || len(l.Name) > 200:
		return errs.Field("name", "must be 1 to 200 characters")
	case (l.Latitude == nil) != (l.Longitude == nil):
		return errs.Field("latitude", "give both latitude and longitude, or neither")
	case l.Latitude != nil && (*l.Latitude < -90 || *l.Latitude > 90):
		return errs.Field("latitude", "must be -90..90")
	case l.Longitude != nil && (*l.Longitude < -180 || *l.Longitude > 180):
		return errs.Field("longitude", "must be -180..180")
	}
	switch l.Kind {
	case KindStore:
		if l.StoreID == "" {
			return errs.Field("store_id", "a store location names its store")
		}
	case KindFrontWarehouse, KindWarehouse:
		if l.StoreID != "" {
			return errs.Field("store_id", "only a store location names a store")
		}
	default:
		return errs.Field("kind", "must be store, front_warehouse or warehouse, not %q", l.Kind)
	}
	return nil
}

// Balance is the stock of one SKU at one location.
type Balance struct {
	LocationID  string
	SKUID       string
	OnHand      int64
	Reserved    int64
	SafetyStock int64
	// BatchQty is what the balance's batches hold (batch.go); OnHand - BatchQty is
	// the untracked remainder, negative after till sales beyond the books.
	BatchQty int64
	// QuotaFree is what channel quotas still hold back from the shared pool (quota.go).
	QuotaFree int64
	UpdatedAt time.Time
}

// Available is what may still be reserved or sold online: on hand less what is
// reserved and the safety stock kept back for the counter. It may be negative.
func (b Balance) Available() int64 { return b.OnHand - b.Reserved - b.SafetyStock }

// MovementKind names why a balance changed.
type MovementKind string

// The movements of the ledger. Each changes on hand, reserved or both.
const (
	MoveReceipt    MovementKind = "receipt"    // goods in: on hand +
	MoveSale       MovementKind = "sale"       // a till sale: on hand −
	MoveReturn     MovementKind = "return"     // a customer return restocked: on hand +
	MoveAdjustment MovementKind = "adjustment" // a correction with a reason: on hand ±
	MoveCount      MovementKind = "count"      // a stock count sets on hand: on hand ±
	MoveWriteOff   MovementKind = "write_off"  // damaged goods: on hand −
	// MoveExpiryWriteOff is the expiry sweep writing off what was left of an expired batch.
	MoveExpiryWriteOff MovementKind = "expiry_write_off" // on hand −
	MoveReserve        MovementKind = "reserve"          // an order reserves: reserved +
	MoveRelease        MovementKind = "release"          // a cancelled or expired reservation: reserved −
	MoveFulfil         MovementKind = "fulfil"           // a paid reservation leaves: on hand −, reserved −
	MoveTransferOut    MovementKind = "transfer_out"     // goods sent to another location: on hand −
	MoveTransferIn     MovementKind = "transfer_in"      // goods received from another location: on hand +
)

// Movement is one row of the ledger.
type Movement struct {
	ID            string
	LocationID    string
	SKUID         string
	Kind          MovementKind
	OnHandDelta   int64
	ReservedDelta int64
	Reference     string
	Reason        string
	// ActorID is the user or API key that made the change ("system" for expiry).
	ActorID    string
	OccurredAt time.Time
}

// Line asks for Qty units of a SKU at a location.
type Line struct {
	LocationID string
	SKUID      string
	Qty        int64
}

// ReservationStatus is where a reservation is in its life.
type ReservationStatus string

// A reservation is active until it is committed (the order was paid and the goods
// leave), released (cancelled) or expired (unpaid in time).
const (
	ReservationActive    ReservationStatus = "active"
	ReservationCommitted ReservationStatus = "committed"
	ReservationReleased  ReservationStatus = "released"
	ReservationExpired   ReservationStatus = "expired"
)

// Reservation holds stock for one reference (an order) until it is paid or let go.
type Reservation struct {
	ID        string
	Reference string
	Status    ReservationStatus
	// Channel is the sales channel the stock was reserved for ("" = the shared pool only).
	Channel string
	Lines   []Line
	// fromQuota is the part of each line (by location and SKU) drawn from the
	// channel's quota rather than the shared pool; settling gives it back to the quota.
	fromQuota map[[2]string]int64
	ExpiresAt time.Time
	CreatedAt time.Time
}

// ReserveRequest asks to hold Lines for Reference until TTL has passed.
type ReserveRequest struct {
	Reference string
	Lines     []Line
	TTL       time.Duration
	// Channel is the sales channel reserving (meituan, mini_program, ...): its quota at
	// each location and SKU is drawn on first, then the shared pool. Empty draws on the
	// shared pool only.
	Channel string
}

// MaxLines bounds a reservation; an order has far fewer lines.
const MaxLines = 500

// MaxQty bounds one quantity (units, or grams for weighed goods).
const MaxQty = 1_000_000_000

// Validate reports an errs.Invalid error naming the field that is wrong.
func (r ReserveRequest) Validate() error {
	if r.Reference == "" || len(r.Reference) > 128 {
		return errs.Field("reference", "must be 1 to 128 characters")
	}
	if len(r.Lines) == 0 || len(r.Lines) > MaxLines {
		return errs.Field("lines", "must hold 1 to %d lines", MaxLines)
	}
	if r.TTL < time.Second || r.TTL > 7*24*time.Hour {
		return errs.Field("ttl", "must be between 1s and 7 days")
	}
	if r.Channel != "" && !validChannel(r.Channel) {
		return errs.Field("channel", "must be 1 to 32 lower-case letters, digits or underscores")
	}
	for i, l := range r.Lines {
		if !validQty(l.Qty) {
			return errs.Field(fmt.Sprintf("lines[%d].qty", i), "must be between 1 and %d", MaxQty)
		}
		if l.LocationID == "" || l.SKUID == "" {
			return errs.Field(fmt.Sprintf("lines[%d]", i), "needs a location and a SKU")
		}
	}
	return nil
}

// Demand sums the quantities asked for each location and SKU, in a fixed order
// (location, then SKU), so that two reservations lock balance rows in the same
// order and cannot deadlock.
func Demand(lines []Line) []Line {
	sum := map[[2]string]int64{}
	for _, l := range lines {
		sum[[2]string{l.LocationID, l.SKUID}] += l.Qty
	}
	out := make([]Line, 0, len(sum))
	for k, q := range sum {
		out = append(out, Line{LocationID: k[0], SKUID: k[1], Qty: q})
	}
	slices.SortFunc(out, func(a, b Line) int {
		return cmp.Or(cmp.Compare(a.LocationID, b.LocationID), cmp.Compare(a.SKUID, b.SKUID))
	})
	return out
}

func validQty(q int64) bool { return q > 0 && q <= MaxQty }

// Transfer moves Qty units of a SKU from one location to another: one transfer_out
// and one transfer_in movement, both or neither.
type Transfer struct {
	FromLocationID string
	ToLocationID   string
	SKUID          string
	Qty            int64
	Reference      string
	Reason         string
}

// Validate reports an errs.Invalid error naming the field that is wrong.
func (t Transfer) Validate() error {
	switch {
	case t.FromLocationID == "":
		return errs.Field("from_location_id", "required")
	case t.ToLocationID == "" || t.ToLocationID == t.FromLocationID:
		return errs.Field("to_location_id", "required, and another location than from_location_id")
	case t.SKUID == "":
		return errs.Field("sku_id", "required")
	case !validQty(t.Qty):
		return errs.Field("qty", "must be between 1 and %d", MaxQty)
	}
	return nil
}
