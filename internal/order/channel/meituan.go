package channel

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// MeituanConfig configures the Meituan-style adapter for one developer app.
type MeituanConfig struct {
	// AppID is the app id the platform assigned (the app_id parameter).
	AppID string
	// Secret is the app secret; it signs every push and never travels in one.
	Secret string
	// NewOrderURL and CancelURL are the callback URLs registered with the platform
	// for paid-order and cancellation pushes, exactly as registered (scheme, host,
	// path, no query): the signature covers them, so they come from configuration,
	// never from the request's Host header, which a proxy may rewrite.
	NewOrderURL string
	CancelURL   string
	// Skew is how far a push's signed timestamp may be from now; 0 means
	// DefaultSkew.
	Skew time.Duration
}

// MeituanAdapter decodes Meituan-style pushes (美团外卖 order push): form-encoded
// parameters signed with sig = md5(callback URL + "?" + sorted key=value pairs
// joined with "&" + secret). docs/orders-channels.md describes the format.
type MeituanAdapter struct {
	cfg   MeituanConfig
	clock clock.Clock
}

var _ Adapter = (*MeituanAdapter)(nil)

// NewMeituanAdapter returns the adapter for cfg, reading the time from c. It
// returns an error when the app id, secret or a callback URL is missing, or a URL
// is not an absolute URL without query.
func NewMeituanAdapter(cfg MeituanConfig, c clock.Clock) (*MeituanAdapter, error) {
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("channel: meituan adapter: app id and secret are required")
	}
	for _, u := range []string{cfg.NewOrderURL, cfg.CancelURL} {
		p, err := url.Parse(u)
		if err != nil || !p.IsAbs() || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
			return nil, fmt.Errorf("channel: meituan adapter: callback URL %q must be absolute without query", u)
		}
	}
	if cfg.Skew <= 0 {
		cfg.Skew = DefaultSkew
	}
	if c == nil {
		return nil, errors.New("channel: meituan adapter: a clock is required")
	}
	return &MeituanAdapter{cfg: cfg, clock: c}, nil
}

// Platform returns Meituan.
func (a *MeituanAdapter) Platform() Platform { return Meituan }

// CallbackURL returns the registered callback URL of event, or "" for an event
// Meituan does not push to its own URL.
func (a *MeituanAdapter) CallbackURL(event Event) string {
	switch event {
	case EventNew:
		return a.cfg.NewOrderURL
	case EventCancelled:
		return a.cfg.CancelURL
	}
	return ""
}

// Decode verifies and decodes a push that arrived at the callback URL of n.Event:
// the parameters of the query and the form body together. Errors are
// *RefusedError: ReasonMalformed for an unreadable form or order,
// ReasonUnknownApp, ReasonSignature, ReasonStale, and ReasonUnsupported for an
// event with no callback URL.
func (a *MeituanAdapter) Decode(n Notification) (Decoded, error) {
	callback := a.CallbackURL(n.Event)
	if callback == "" {
		return Decoded{}, refuse(Meituan, ReasonUnsupported, errs.Field("event", "no Meituan callback for event %q", n.Event))
	}
	params, perr := meituanParams(n)
	if perr != nil {
		return Decoded{}, refuse(Meituan, ReasonMalformed, perr)
	}
	if got := params.Get("app_id"); got != a.cfg.AppID {
		return Decoded{}, refuse(Meituan, ReasonUnknownApp, unauthorized("app_id", "%q is not this shop's app", clip(got)))
	}
	sig := strings.ToLower(params.Get("sig"))
	if sig == "" {
		return Decoded{}, refuse(Meituan, ReasonSignature, unauthorized("sig", "is required"))
	}
	want := MeituanSig(callback, params, a.cfg.Secret)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return Decoded{}, refuse(Meituan, ReasonSignature, unauthorized("sig", "does not match the parameters"))
	}
	p := formObj(params)
	var r reader
	sent := r.unix(p, "timestamp", false)
	if r.err != nil {
		return Decoded{}, refuse(Meituan, ReasonMalformed, r.err)
	}
	if err := checkWindow(Meituan, "timestamp", sent, a.clock.Now(), a.cfg.Skew); err != nil {
		return Decoded{}, err
	}
	var o Order
	if n.Event == EventNew {
		o = meituanNewOrder(&r, p)
	} else {
		o = meituanCancel(&r, p, sent)
	}
	if r.err != nil {
		return Decoded{}, refuse(Meituan, ReasonMalformed, r.err)
	}
	if err := o.Validate(); err != nil {
		var e *errs.Error
		errors.As(err, &e)
		return Decoded{}, refuse(Meituan, ReasonMalformed, e)
	}
	return Decoded{Order: o, ReplayKey: ReplayKey(Meituan, o.PlatformOrderID, o.Event), NotificationID: sig, SentAt: sent}, nil
}

// meituanParams merges the query and the form body; a parameter given twice is
// malformed (which value was signed would be ambiguous).
func meituanParams(n Notification) (url.Values, *errs.Error) {
	params := url.Values{}
	for _, part := range []struct{ field, raw string }{{"query", n.Query}, {"body", string(n.Body)}} {
		v, err := url.ParseQuery(part.raw)
		if err != nil {
			return nil, errs.Field(part.field, "is not form-encoded: %s", clip(err.Error()))
		}
		for k, vs := range v {
			if len(vs) > 1 || params.Has(k) {
				return nil, errs.Field(clip(k), "is given more than once")
			}
			params[k] = vs
		}
	}
	if len(params) == 0 {
		return nil, errs.Field("body", "has no parameters")
	}
	return params, nil
}

func formObj(v url.Values) obj {
	m := make(map[string]any, len(v))
	for k, vs := range v {
		m[k] = vs[0]
	}
	return obj{m: m}
}

// MeituanSig returns the Meituan-style signature of params for callbackURL:
// md5(callbackURL + "?" + k1=v1&k2=v2… + secret) in lower-case hex, the keys
// sorted, "sig" left out, the values decoded (not URL-escaped), the first value
// of each key.
func MeituanSig(callbackURL string, params url.Values, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(callbackURL)
	b.WriteByte('?')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	b.WriteString(secret)
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// SignMeituan returns a copy of params with sig set for callbackURL and secret,
// as the platform would send them: for tests, demos and the HTTP layer's tests.
// Encode the result with url.Values.Encode for a form body.
func SignMeituan(callbackURL, secret string, params url.Values) url.Values {
	out := url.Values{}
	for k, vs := range params {
		if k != "sig" && len(vs) > 0 {
			out.Set(k, vs[0])
		}
	}
	out.Set("sig", MeituanSig(callbackURL, out, secret))
	return out
}

// maxDaySeq bounds the shop's daily order number.
const maxDaySeq = 1_000_000

func meituanNewOrder(r *reader, p obj) Order {
	o := Order{Platform: Meituan, Event: EventNew}
	o.PlatformOrderID = r.id(p, "order_id", true)
	o.StoreCode = r.id(p, "app_poi_code", true)
	o.BuyerID = r.id(p, "user_id", false)
	o.CreatedAt = r.unix(p, "ctime", false)
	switch payType := r.uint(p, "pay_type", true, 9); {
	case r.err != nil:
	case payType == 1:
		o.Paid = false // cash on delivery
	case payType == 2:
		o.Paid = true
	default:
		r.fail(errs.Field("pay_type", "must be 1 (cash on delivery) or 2 (paid online), got %d", payType))
	}
	o.Receiver = Receiver{
		Name:    r.str(p, "recipient_name", true),
		Phone:   r.str(p, "recipient_phone", true),
		Address: r.str(p, "recipient_address", true),
		Lat:     r.coord(p, "latitude", 90),
		Lng:     r.coord(p, "longitude", 180),
	}
	o.Remark = r.str(p, "caution", false)
	o.DaySeq = r.uint(p, "day_seq", false, maxDaySeq)
	o.DeliveryFeeFen = r.yuan(p, "shipping_fee", true)
	total := r.yuan(p, "total", true)
	original := r.yuan(p, "original_price", true)

	var c money.Checked
	for _, d := range r.jsonObjects(p, "detail", true) {
		l := Line{
			ItemCode:     r.str(d, "app_food_code", true),
			SKU:          r.str(d, "sku_id", false),
			Barcode:      r.str(d, "upc", false),
			Name:         r.str(d, "food_name", true),
			Qty:          r.count(d, "quantity"),
			UnitPriceFen: r.yuan(d, "price", true),
		}
		if l.SKU == "" {
			l.SKU = l.ItemCode
		}
		boxes := r.uint(d, "box_num", false, 10_000)
		boxPrice := r.yuan(d, "box_price", false)
		if r.err != nil {
			return o
		}
		l.TotalFen = c.Mul(l.Qty, l.UnitPriceFen)
		o.GoodsFen = c.Add(o.GoodsFen, l.TotalFen)
		o.PackageFeeFen = c.Add(o.PackageFeeFen, c.Mul(boxes, boxPrice))
		o.Lines = append(o.Lines, l)
	}
	for _, e := range r.jsonObjects(p, "extras", false) {
		o.DiscountFen = c.Add(o.DiscountFen, r.yuan(e, "reduce_fee", false))
		r.str(e, "remark", false)
	}
	if r.err != nil {
		return o
	}
	c.Within(o.GoodsFen, money.MaxTotal)
	if c.Err() != nil {
		r.fail(errs.Field("detail", "amounts overflow"))
		return o
	}
	if c.Add(c.Add(o.GoodsFen, o.PackageFeeFen), o.DeliveryFeeFen) != original {
		r.fail(errs.Field("original_price", "%s is not the lines %s + boxes %s + shipping %s",
			yuanText(original), yuanText(o.GoodsFen), yuanText(o.PackageFeeFen), yuanText(o.DeliveryFeeFen)))
		return o
	}
	if original-o.DiscountFen != total {
		r.fail(errs.Field("total", "%s is not original_price %s − extras %s", yuanText(total), yuanText(original), yuanText(o.DiscountFen)))
		return o
	}
	o.PayableFen = total
	return o
}

func meituanCancel(r *reader, p obj, sent time.Time) Order {
	o := Order{Platform: Meituan, Event: EventCancelled, CreatedAt: sent}
	o.PlatformOrderID = r.id(p, "order_id", true)
	o.StoreCode = r.id(p, "app_poi_code", false)
	code := r.uint(p, "reason_code", false, 1_000_000)
	o.CancelReason = r.str(p, "reason", false)
	if o.CancelReason == "" && code != 0 {
		o.CancelReason = fmt.Sprintf("reason code %d", code)
	}
	return o
}

// jsonObjects reads a form parameter holding a JSON array of objects (not limited
// to MaxText: the body limit and MaxLines bound it).
func (r *reader) jsonObjects(p obj, key string, required bool) []obj {
	v, ok := r.raw(p, key, required)
	if !ok || r.err != nil {
		return nil
	}
	s, _ := v.(string) // form values are strings
	if strings.TrimSpace(s) == "" {
		if required {
			r.fail(errs.Field(key, "is required"))
		}
		return nil
	}
	v, err := decodeJSON(key, []byte(s))
	if err != nil {
		r.fail(err)
		return nil
	}
	return r.objectList(key, v, required, MaxLines)
}

// yuanText formats fen as yuan for messages: 4680 → "46.80".
func yuanText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
