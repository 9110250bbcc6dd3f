package promotion

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// POST /api/v1/carts/price decodes its body once. Huma's default for a JSON body is
// to decode it into a generic tree, validate the tree against the schema and decode
// it again into the struct; the operation skips that (SkipValidateBody) and instead
// decodes strictly into CartPriceRequest (unknown fields refused, required ones
// noted) and checks the schema's constraints on the struct (cartPriceInput.Resolve),
// answering 422 with the same locations. TestPriceCartValidation holds the two ways
// to the same verdicts.

// cartLineJSON is CartPriceLine as decoded, with the required fields as pointers so
// that a missing one is told from a zero one.
type cartLineJSON struct {
	ID        *string `json:"id"`
	SKU       *string `json:"sku"`
	Category  string  `json:"category"`
	Brand     string  `json:"brand"`
	Unit      *string `json:"unit"`
	Qty       *int64  `json:"qty"`
	UnitPrice *int64  `json:"unit_price"`
	Batch     string  `json:"batch"`
	Expiry    string  `json:"expiry"`
}

// cartRequestFields is CartPriceRequest without its methods, for decoding.
type cartRequestFields CartPriceRequest

// UnmarshalJSON decodes a cart strictly: an unknown field is an error, and a missing
// required field is noted for cartPriceInput.Resolve.
func (r *CartPriceRequest) UnmarshalJSON(b []byte) error {
	r.decoded = true // encoding/json calls UnmarshalJSON only for well-formed JSON
	var v struct {
		cartRequestFields
		Lines *[]cartLineJSON `json:"lines"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	*r = CartPriceRequest(v.cartRequestFields)
	r.missing, r.decoded = nil, true
	if v.Lines == nil {
		r.missing = append(r.missing, "body.lines")
		return nil
	}
	r.Lines = make([]CartPriceLine, len(*v.Lines))
	for i, l := range *v.Lines {
		r.Lines[i] = CartPriceLine{ID: deref(l.ID), SKU: deref(l.SKU), Category: l.Category, Brand: l.Brand, Unit: deref(l.Unit),
			Qty: deref(l.Qty), UnitPrice: deref(l.UnitPrice), Batch: l.Batch, Expiry: l.Expiry}
		for _, f := range []struct {
			name    string
			present bool
		}{{"id", l.ID != nil}, {"sku", l.SKU != nil}, {"unit", l.Unit != nil}, {"qty", l.Qty != nil}, {"unit_price", l.UnitPrice != nil}} {
			if !f.present {
				r.missing = append(r.missing, fmt.Sprintf("body.lines[%d].%s", i, f.name))
			}
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Resolve checks the cart against the constraints its schema states (CartPriceRequest
// and CartPriceLine tags), as huma's validation would.
func (in *cartPriceInput) Resolve(huma.Context) []error {
	r := &in.Body
	if !r.decoded {
		// Not JSON at all: huma has said why; the status is 400, as its validation gives.
		return []error{malformedBody{&huma.ErrorDetail{Location: "body", Message: "the body is not well-formed JSON"}}}
	}
	var out []error
	bad := func(loc, format string, args ...any) {
		out = append(out, &huma.ErrorDetail{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	for _, loc := range r.missing {
		bad(loc, "expected required property to be present")
	}
	maxLen := func(loc, s string, n int) {
		if utf8.RuneCountInString(s) > n {
			bad(loc, "expected length <= %d", n)
		}
	}
	between := func(loc string, v, lo, hi int64) {
		if v < lo {
			bad(loc, "expected number >= %d", lo)
		} else if v > hi {
			bad(loc, "expected number <= %d", hi)
		}
	}
	if n := len(r.Lines); (n < 1 && len(r.missing) == 0) || n > 1000 {
		bad("body.lines", "expected array length between 1 and 1000")
	}
	for i, l := range r.Lines {
		// Locations are formatted only for a failing field: this runs for every line of
		// every priced cart.
		at := func(f string) string { return fmt.Sprintf("body.lines[%d].%s", i, f) }
		if l.ID == "" || utf8.RuneCountInString(l.ID) > 64 {
			maxLen(at("id"), l.ID, 64)
			if l.ID == "" {
				bad(at("id"), "expected length >= 1")
			}
		}
		if l.SKU == "" || utf8.RuneCountInString(l.SKU) > 64 {
			maxLen(at("sku"), l.SKU, 64)
			if l.SKU == "" {
				bad(at("sku"), "expected length >= 1")
			}
		}
		if len(l.Category) > 64 || len(l.Brand) > 64 || len(l.Batch) > 64 { // bytes ≥ runes: only then can one be too long
			maxLen(at("category"), l.Category, 64)
			maxLen(at("brand"), l.Brand, 64)
			maxLen(at("batch"), l.Batch, 64)
		}
		if l.Unit != "each" && l.Unit != "weight" {
			bad(at("unit"), "expected value to be one of \"each, weight\"")
		}
		if l.Qty < 1 || l.Qty > 10_000_000 {
			between(at("qty"), l.Qty, 1, 10_000_000)
		}
		if l.UnitPrice < 0 || l.UnitPrice > 1_000_000_000 {
			between(at("unit_price"), l.UnitPrice, 0, 1_000_000_000)
		}
		if l.Expiry != "" && !datePattern.MatchString(l.Expiry) {
			bad(at("expiry"), "expected string to match pattern %s", datePattern)
		}
	}
	between("body.delivery_fee", r.DeliveryFee, 0, 1_000_000_000)
	for _, f := range []struct{ loc, v string }{
		{"body.delivery_method", r.DeliveryMethod}, {"body.time_zone", r.TimeZone}, {"body.channel", r.Channel},
		{"body.store_id", r.StoreID}, {"body.region", r.Region}, {"body.brand", r.Brand}, {"body.tier", r.Tier},
		{"body.payment_method", r.PaymentMethod}, {"body.customer_id", r.CustomerID},
	} {
		maxLen(f.loc, f.v, 64)
	}
	if len(r.Segments) > 100 {
		bad("body.segments", "expected array length <= 100")
	}
	if len(r.Coupons) > 20 {
		bad("body.coupons", "expected array length <= 20")
	}
	return out
}

// malformedBody is the error of a body that is not JSON: 400, not 422.
type malformedBody struct{ *huma.ErrorDetail }

// GetStatus makes huma answer 400.
func (malformedBody) GetStatus() int { return http.StatusBadRequest }
