package channel

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// ElemeConfig configures the Eleme-style adapter for one developer app.
type ElemeConfig struct {
	// AppID is the app id the platform assigned (the appId field, a number).
	AppID string
	// Secret is the app secret; it signs every push and never travels in one.
	Secret string
	// Skew is how far a push's signed timestamp may be from now; 0 means
	// DefaultSkew.
	Skew time.Duration
}

// The Eleme-style message types this package imports; every other type is
// refused as ReasonUnsupported.
const (
	elemeTypeNew = 10 // 订单生效: the order is placed (and paid when onlinePaid)
	// 14 订单被取消, 15 订单置为无效, 17 订单强制无效: the order will not be fulfilled.
	elemeTypeCancelled       = 14
	elemeTypeInvalid         = 15
	elemeTypeForceInvalid    = 17
	elemeMessageCreatedAtFmt = "2006-01-02T15:04:05"
)

// beijing returns China Standard Time, in which the Eleme-style message states
// local times without a zone (a fixed zone: China has had no daylight saving time
// since 1991, and a fixed zone needs no tzdata).
func beijing() *time.Location { return time.FixedZone("CST", 8*60*60) }

// ElemeAdapter decodes Eleme-style pushes (饿了么 order messages): one JSON body
// per push whose "message" field is the order as a JSON string, signed with
// signature = upper(md5(k1=v1k2=v2… + secret)) over the other top-level fields,
// keys sorted. docs/orders-channels.md describes the format.
type ElemeAdapter struct {
	cfg   ElemeConfig
	clock clock.Clock
}

var _ Adapter = (*ElemeAdapter)(nil)

// NewElemeAdapter returns the adapter for cfg, reading the time from c. It returns
// an error when the app id or secret is missing.
func NewElemeAdapter(cfg ElemeConfig, c clock.Clock) (*ElemeAdapter, error) {
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("channel: eleme adapter: app id and secret are required")
	}
	if c == nil {
		return nil, errors.New("channel: eleme adapter: a clock is required")
	}
	if cfg.Skew <= 0 {
		cfg.Skew = DefaultSkew
	}
	return &ElemeAdapter{cfg: cfg, clock: c}, nil
}

// Platform returns Eleme.
func (a *ElemeAdapter) Platform() Platform { return Eleme }

// Decode verifies and decodes the push in n.Body (n.Event and n.Query are
// ignored: the body names its type). Errors are *RefusedError: ReasonMalformed for
// an unreadable body or message, ReasonUnknownApp, ReasonSignature, ReasonStale,
// and ReasonUnsupported for a message type this package does not import.
func (a *ElemeAdapter) Decode(n Notification) (Decoded, error) {
	fields, perr := elemeFields(n.Body)
	if perr != nil {
		return Decoded{}, refuse(Eleme, ReasonMalformed, perr)
	}
	if got := fields["appId"]; got != a.cfg.AppID {
		return Decoded{}, refuse(Eleme, ReasonUnknownApp, unauthorized("appId", "%q is not this shop's app", clip(got)))
	}
	sig := strings.ToUpper(fields["signature"])
	if sig == "" {
		return Decoded{}, refuse(Eleme, ReasonSignature, unauthorized("signature", "is required"))
	}
	want := ElemeSignature(fields, a.cfg.Secret)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return Decoded{}, refuse(Eleme, ReasonSignature, unauthorized("signature", "does not match the fields"))
	}
	top := stringsObj(fields)
	var r reader
	sent := r.unix(top, "timestamp", true)
	requestID := r.id(top, "requestId", true)
	typ := r.uint(top, "type", true, 1_000_000)
	shopID := r.id(top, "shopId", false)
	if r.err != nil {
		return Decoded{}, refuse(Eleme, ReasonMalformed, r.err)
	}
	if err := checkWindow(Eleme, "timestamp", sent, a.clock.Now(), a.cfg.Skew); err != nil {
		return Decoded{}, err
	}
	var event Event
	switch typ {
	case elemeTypeNew:
		event = EventNew
	case elemeTypeCancelled, elemeTypeInvalid, elemeTypeForceInvalid:
		event = EventCancelled
	default:
		return Decoded{}, refuse(Eleme, ReasonUnsupported, errs.Field("type", "message type %d is not imported", typ))
	}
	m, merr := decodeObject("message", []byte(fields["message"]))
	if merr != nil {
		return Decoded{}, refuse(Eleme, ReasonMalformed, merr)
	}
	msg := obj{m: m, path: "message"}
	var o Order
	if event == EventNew {
		o = elemeNewOrder(&r, msg)
	} else {
		o = elemeCancel(&r, msg, sent)
	}
	if r.err == nil && shopID != "" && o.StoreCode != "" && o.StoreCode != shopID {
		r.fail(errs.Field("message.shopId", "%q is not the push's shopId %q", clip(o.StoreCode), shopID))
	}
	if o.StoreCode == "" {
		o.StoreCode = shopID
	}
	if r.err != nil {
		return Decoded{}, refuse(Eleme, ReasonMalformed, r.err)
	}
	if err := o.Validate(); err != nil {
		var e *errs.Error
		errors.As(err, &e)
		return Decoded{}, refuse(Eleme, ReasonMalformed, e)
	}
	return Decoded{Order: o, ReplayKey: ReplayKey(Eleme, o.PlatformOrderID, o.Event), NotificationID: requestID, SentAt: sent}, nil
}

// elemeFields reads the top-level fields of a push as the text that is signed: a
// string's value, a number's or boolean's literal text. A nested object or array
// is malformed.
func elemeFields(body []byte) (map[string]string, *errs.Error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errs.Field("body", "is empty")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errs.Field("body", "is not a JSON object: %s", clip(err.Error()))
	}
	fields := make(map[string]string, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0:
			return nil, errs.Field(clip(k), "is empty")
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, errs.Field(clip(k), "is not a JSON string")
			}
			fields[k] = s
		case v[0] == '{' || v[0] == '[':
			return nil, errs.Field(clip(k), "must be a string, number or boolean")
		case string(v) == "null":
			// absent
		default:
			fields[k] = string(v)
		}
	}
	return fields, nil
}

func stringsObj(fields map[string]string) obj {
	m := make(map[string]any, len(fields))
	for k, v := range fields {
		m[k] = v
	}
	return obj{m: m}
}

// ElemeSignature returns the Eleme-style signature of a push's top-level fields:
// upper-case hex md5 of k1=v1k2=v2…kn=vn + secret, keys sorted, "signature" left
// out, no separator between pairs; a field's text is a string's value or a
// number's literal.
func ElemeSignature(fields map[string]string, secret string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if k != "signature" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(fields[k])
	}
	b.WriteString(secret)
	sum := md5.Sum([]byte(b.String()))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SignEleme returns body with its "signature" field set for secret, as the
// platform would send it: for tests, demos and the HTTP layer's tests. body must be
// a JSON object of strings, numbers and booleans.
func SignEleme(secret string, body []byte) ([]byte, error) {
	fields, ferr := elemeFields(body)
	if ferr != nil {
		return nil, ferr
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	sig, err := json.Marshal(ElemeSignature(fields, secret))
	if err != nil {
		return nil, err
	}
	raw["signature"] = sig
	return json.Marshal(raw)
}

func elemeNewOrder(r *reader, m obj) Order {
	o := Order{Platform: Eleme, Event: EventNew}
	o.PlatformOrderID = r.id(m, "id", true)
	o.StoreCode = r.id(m, "shopId", true)
	o.BuyerID = r.id(m, "openId", false)
	o.CreatedAt = r.localTime(m, "createdAt")
	o.Paid = r.boolean(m, "onlinePaid")
	o.Receiver = Receiver{
		Name:    r.str(m, "consignee", true),
		Phone:   r.firstPhone(m, "phoneList"),
		Address: r.str(m, "address", true),
	}
	if geo := r.str(m, "deliveryGeo", false); geo != "" {
		lng, lat, ok := strings.Cut(geo, ",")
		if !ok {
			r.fail(errs.Field(m.name("deliveryGeo"), "is not \"lng,lat\"")) // personal data: not quoted
		} else {
			o.Receiver.Lng = r.degrees(m.name("deliveryGeo"), strings.TrimSpace(lng), 180)
			o.Receiver.Lat = r.degrees(m.name("deliveryGeo"), strings.TrimSpace(lat), 90)
		}
	}
	o.Remark = r.str(m, "description", false)
	o.DaySeq = r.uint(m, "daySn", false, maxDaySeq)
	o.DeliveryFeeFen = r.yuan(m, "deliverFee", true)
	o.PackageFeeFen = r.yuan(m, "packageFee", false)
	original := r.yuan(m, "originalPrice", true)
	total := r.yuan(m, "totalPrice", true)

	var c money.Checked
	for _, g := range r.objects(m, "groups", true, MaxLines) {
		for _, it := range r.objects(g, "items", true, MaxLines) {
			l := Line{
				ItemCode:     r.str(it, "id", true),
				SKU:          r.str(it, "extendCode", false),
				Barcode:      r.str(it, "barCode", false),
				Name:         r.str(it, "name", true),
				Qty:          r.count(it, "quantity"),
				UnitPriceFen: r.yuan(it, "price", true),
			}
			lineTotal := r.yuan(it, "total", true)
			if r.err != nil {
				return o
			}
			if l.TotalFen = c.Mul(l.Qty, l.UnitPriceFen); l.TotalFen != lineTotal {
				r.fail(errs.Field(it.name("total"), "%s is not quantity %d × price %s", yuanText(lineTotal), l.Qty, yuanText(l.UnitPriceFen)))
				return o
			}
			if len(o.Lines) == MaxLines {
				r.fail(errs.Field(m.name("groups"), "hold more than %d items", MaxLines))
				return o
			}
			o.GoodsFen = c.Add(o.GoodsFen, l.TotalFen)
			o.Lines = append(o.Lines, l)
		}
	}
	for _, act := range r.objects(m, "orderActivities", false, MaxLines) {
		amount := r.signedYuan(act, "amount", true)
		r.str(act, "name", false)
		if r.err == nil && amount > 0 {
			r.fail(errs.Field(act.name("amount"), "a discount is stated as a negative amount"))
		}
		o.DiscountFen = c.Sub(o.DiscountFen, amount)
	}
	if r.err != nil {
		return o
	}
	c.Within(o.GoodsFen, money.MaxTotal)
	if c.Err() != nil {
		r.fail(errs.Field(m.name("groups"), "amounts overflow"))
		return o
	}
	if c.Add(c.Add(o.GoodsFen, o.PackageFeeFen), o.DeliveryFeeFen) != original {
		r.fail(errs.Field(m.name("originalPrice"), "%s is not the items %s + packageFee %s + deliverFee %s",
			yuanText(original), yuanText(o.GoodsFen), yuanText(o.PackageFeeFen), yuanText(o.DeliveryFeeFen)))
		return o
	}
	if original-o.DiscountFen != total {
		r.fail(errs.Field(m.name("totalPrice"), "%s is not originalPrice %s − activities %s", yuanText(total), yuanText(original), yuanText(o.DiscountFen)))
		return o
	}
	o.PayableFen = total
	return o
}

func elemeCancel(r *reader, m obj, sent time.Time) Order {
	o := Order{Platform: Eleme, Event: EventCancelled, CreatedAt: sent}
	o.PlatformOrderID = r.id(m, "orderId", true)
	o.StoreCode = r.id(m, "shopId", false)
	if _, ok := m.m["updateTime"]; ok {
		o.CreatedAt = r.unix(m, "updateTime", false)
	}
	o.CancelReason = r.str(m, "reason", false)
	if o.CancelReason == "" {
		o.CancelReason = r.str(m, "state", false)
	}
	return o
}

// localTime reads an Eleme-style local time without zone ("2026-12-07T11:20:31",
// Beijing time) as UTC.
func (r *reader) localTime(o obj, key string) time.Time {
	s := r.str(o, key, true)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(elemeMessageCreatedAtFmt, s, beijing())
	if err != nil {
		r.fail(errs.Field(o.name(key), "%q is not a time such as 2026-12-07T11:20:31", clip(s)))
		return time.Time{}
	}
	return t.UTC()
}

// firstPhone reads a non-empty array of phone numbers and returns the first (the
// others are backup numbers of the same receiver, not kept).
func (r *reader) firstPhone(o obj, key string) string {
	v, ok := r.raw(o, key, true)
	if !ok {
		return ""
	}
	arr, isArr := v.([]any)
	if !isArr || len(arr) == 0 {
		r.fail(errs.Field(o.name(key), "must be a non-empty array of phone numbers"))
		return ""
	}
	if r.err != nil {
		return ""
	}
	first := obj{m: map[string]any{"0": arr[0]}, path: o.name(key)}
	phone := r.str(first, "0", true)
	if r.err != nil {
		r.err.Field = o.name(key) + "[0]" // key[0], not key.0
	}
	return phone
}
