package channel

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// Platform names a delivery or marketplace platform that pushes orders.
type Platform string

// The platforms this package decodes.
const (
	Meituan Platform = "meituan"
	Eleme   Platform = "eleme"
)

// Event is what a notification tells about an order.
type Event string

// The events this package decodes. Other platform events (accepted by the shop,
// delivered, refund requested) are refused as unsupported (ReasonUnsupported).
const (
	// EventNew is a new order the buyer has placed (and, when Paid, paid for).
	EventNew Event = "new"
	// EventCancelled is the cancellation of an order the platform pushed before.
	EventCancelled Event = "cancelled"
)

// Order is the neutral form of a platform's order notification, which the order
// center stores whatever the platform. Amounts are int64 fen.
//
// For EventNew the whole order is filled in. For EventCancelled only Platform,
// PlatformOrderID, Event, StoreCode (when the platform says it), CreatedAt (the
// time of the cancellation) and CancelReason are; Lines are empty and amounts zero.
//
// Receiver is personal data (see Receiver); BuyerID is a platform pseudonym of the
// buyer, not personal data on its own but linkable, so it is stored like an
// identifier for One ID and never shown beside the receiver in logs.
type Order struct {
	Platform Platform
	// PlatformOrderID is the platform's order id, unique per platform.
	PlatformOrderID string
	Event           Event
	// StoreCode is the platform's code for the shop (Meituan app_poi_code, the
	// code the merchant chose; Eleme shopId); the order center maps it to a store.
	StoreCode string
	// BuyerID is the platform's pseudonymous id of the buyer (Meituan user_id,
	// Eleme openId), for One ID; empty when the platform sent none.
	BuyerID string
	Lines   []Line
	// Receiver is where and to whom the order is delivered: personal data.
	Receiver Receiver
	// GoodsFen is the sum of the lines' TotalFen.
	GoodsFen int64
	// PackageFeeFen is the packaging (餐盒费) the platform charged.
	PackageFeeFen  int64
	DeliveryFeeFen int64
	// DiscountFen is the platform-stated discount on the order, whoever funds it
	// (platform or merchant): GoodsFen + PackageFeeFen + DeliveryFeeFen − DiscountFen
	// is PayableFen.
	DiscountFen int64
	// PayableFen is what the buyer pays (or paid, when Paid).
	PayableFen int64
	// Paid reports an order paid online; false for cash on delivery.
	Paid bool
	// CreatedAt is when the buyer placed the order (EventNew) or when the order was
	// cancelled (EventCancelled, when the platform says; else the push time), UTC.
	CreatedAt time.Time
	// Remark is the buyer's note to the shop (备注). It may hold personal data
	// ("call 138…"), so it is treated like Receiver.
	Remark string
	// DaySeq is the shop's daily order number (流水号) shown to packers; 0 if none.
	DaySeq int64
	// CancelReason is the platform's stated reason for EventCancelled.
	CancelReason string
}

// Line is one product line of an order.
type Line struct {
	// ItemCode is the platform's code for the product (Meituan app_food_code,
	// Eleme item id).
	ItemCode string
	// SKU is the merchant's own SKU code as the platform echoes it (Meituan sku_id,
	// falling back to app_food_code; Eleme extendCode); empty when the listing has
	// none, in which case Barcode or ItemCode is what the order center maps.
	SKU     string
	Barcode string
	Name    string
	// Qty is the number of units, at least 1.
	Qty          int64
	UnitPriceFen int64
	// TotalFen is Qty × UnitPriceFen.
	TotalFen int64
}

// Receiver is the delivery recipient. Every field is personal data: store it
// encrypted or in the personal-data columns, mask it for readers without access
// (platform/pii), and keep it out of logs and events.
type Receiver struct {
	Name    string
	Phone   string
	Address string
	// Lat and Lng are degrees as the platform sent them (in mainland China
	// usually GCJ-02, not converted); zero when absent.
	Lat, Lng float64
}

// Validate checks the invariants every decoded order satisfies: an id, a known
// event, at least one line with a positive quantity for a new order, line totals
// that are Qty × UnitPriceFen and add up to GoodsFen, amounts within
// money.MaxAmount, and the amounts' identity. It returns an errs.Invalid error
// naming the first broken one.
func (o Order) Validate() error {
	if o.Platform == "" {
		return errs.Field("platform", "is required")
	}
	if o.PlatformOrderID == "" {
		return errs.Field("platform_order_id", "is required")
	}
	if o.CreatedAt.IsZero() || o.CreatedAt.Location() != time.UTC {
		return errs.Field("created_at", "must be a UTC time")
	}
	switch o.Event {
	case EventCancelled:
		if len(o.Lines) != 0 || o.GoodsFen != 0 || o.PayableFen != 0 || o.DiscountFen != 0 ||
			o.DeliveryFeeFen != 0 || o.PackageFeeFen != 0 {
			return errs.Field("event", "a cancellation carries no lines or amounts")
		}
		return nil
	case EventNew:
	default:
		return errs.Field("event", "unknown event %q", o.Event)
	}
	if len(o.Lines) == 0 {
		return errs.Field("lines", "a new order has at least one line")
	}
	var c money.Checked
	goods := int64(0)
	for i, l := range o.Lines {
		if l.Qty <= 0 {
			return errs.Field(fmt.Sprintf("lines[%d].qty", i), "must be at least 1")
		}
		if !money.InRange(l.UnitPriceFen) {
			return errs.Field(fmt.Sprintf("lines[%d].unit_price_fen", i), "out of range")
		}
		if c.Mul(l.Qty, l.UnitPriceFen) != l.TotalFen || c.Err() != nil {
			return errs.Field(fmt.Sprintf("lines[%d].total_fen", i), "is not qty × unit price")
		}
		goods = c.Add(goods, l.TotalFen)
	}
	if c.Within(goods, money.MaxTotal) != o.GoodsFen || c.Err() != nil {
		return errs.Field("goods_fen", "is not the sum of the lines")
	}
	for _, a := range []struct {
		name string
		v    int64
	}{{"package_fee_fen", o.PackageFeeFen}, {"delivery_fee_fen", o.DeliveryFeeFen},
		{"discount_fen", o.DiscountFen}, {"payable_fen", o.PayableFen}} {
		if a.v < 0 || a.v > money.MaxTotal {
			return errs.Field(a.name, "out of range")
		}
	}
	if c.Sub(c.Add(c.Add(o.GoodsFen, o.PackageFeeFen), o.DeliveryFeeFen), o.DiscountFen) != o.PayableFen || c.Err() != nil {
		return errs.Field("payable_fen", "is not goods + package fee + delivery fee − discount")
	}
	return nil
}

// Notification is one push as it arrived: the raw query and body, and for
// platforms with one callback URL per event (Meituan) the event that URL stands
// for. Adapters read nothing else from the HTTP request.
type Notification struct {
	// Event is the event of the callback URL the push arrived at; empty for
	// platforms whose payload names its event (Eleme).
	Event Event
	// Query is the raw URL query string (without "?").
	Query string
	// Body is the raw request body.
	Body []byte
}

// MaxBody is the largest notification body an adapter reads (1 MiB).
const MaxBody = 1 << 20

// ReadNotification reads r's query and body (at most MaxBody bytes) into a
// Notification for event. A larger body is an errs.Invalid error naming "body".
func ReadNotification(r *http.Request, event Event) (Notification, error) {
	n := Notification{Event: event, Query: r.URL.RawQuery}
	if r.Body == nil {
		return n, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return n, fmt.Errorf("channel: read notification: %w", err)
	}
	if len(b) > MaxBody {
		return n, errs.Field("body", "is larger than %d bytes", MaxBody)
	}
	n.Body = b
	return n, nil
}

// Decoded is an accepted notification: the neutral order and what the caller needs
// to de-duplicate it.
type Decoded struct {
	Order Order
	// ReplayKey identifies the business event — platform, order id and event — so
	// that a retried or replayed push of the same event, even one re-signed with a
	// fresh timestamp, maps to the same key: store it under a unique constraint and
	// treat a conflict as "already imported" (answer the platform with success).
	ReplayKey string
	// NotificationID is the platform's id of this push (Eleme requestId; Meituan,
	// which sends none, its sig): for logs and support, not for de-duplication.
	NotificationID string
	// SentAt is the push's signed timestamp, UTC.
	SentAt time.Time
}

// ReplayKey returns the replay key of event on platform's order orderID.
func ReplayKey(platform Platform, orderID string, event Event) string {
	return string(platform) + ":" + orderID + ":" + string(event)
}

// Adapter turns one platform's push notifications into neutral orders.
type Adapter interface {
	// Platform names the platform.
	Platform() Platform
	// Decode verifies n's signature and timestamp and decodes the order. Every
	// error it returns is a *RefusedError: nothing is partially decoded.
	Decode(n Notification) (Decoded, error)
}

// Reason classifies why a notification was refused, for the inspection queue.
type Reason string

// The reasons a notification is refused.
const (
	// ReasonUnknownApp: the notification names an app id other than ours.
	ReasonUnknownApp Reason = "unknown_app"
	// ReasonSignature: the signature is missing or does not match.
	ReasonSignature Reason = "signature"
	// ReasonStale: the signed timestamp is outside the accepted window.
	ReasonStale Reason = "stale"
	// ReasonUnsupported: a well-formed, authentic notification of a type this
	// package does not import.
	ReasonUnsupported Reason = "unsupported"
	// ReasonMalformed: the payload cannot be read or breaks a rule of the format.
	ReasonMalformed Reason = "malformed"
)

// RefusedError is the error of a refused notification. Err is the classified error
// (errs.Unauthorized for ReasonUnknownApp, ReasonSignature and ReasonStale,
// errs.Invalid otherwise) naming the offending field; errs.CodeOf and errors.As
// see it through Unwrap.
type RefusedError struct {
	Platform Platform
	Reason   Reason
	Err      *errs.Error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("channel: %s notification refused (%s): %s", e.Platform, e.Reason, e.Err.Error())
}

// Unwrap returns the classified error.
func (e *RefusedError) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of the first *RefusedError in err's chain, or "".
func ReasonOf(err error) Reason {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func refuse(p Platform, reason Reason, err *errs.Error) *RefusedError {
	return &RefusedError{Platform: p, Reason: reason, Err: err}
}

func unauthorized(field, format string, args ...any) *errs.Error {
	e := errs.E(errs.Unauthorized, format, args...)
	e.Field = field
	return e
}

// DefaultSkew is the default Window: a push whose signed timestamp is more than 5
// minutes away from now is refused.
const DefaultSkew = 5 * time.Minute

// checkWindow refuses a signed time further than skew from now in either direction.
func checkWindow(p Platform, field string, sent, now time.Time, skew time.Duration) error {
	d := now.Sub(sent)
	if d > skew || d < -skew {
		return refuse(p, ReasonStale, unauthorized(field, "timestamp %s is more than %s away from now", sent.Format(time.RFC3339), skew))
	}
	return nil
}
