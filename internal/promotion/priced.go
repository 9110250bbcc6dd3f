package promotion

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// PricedCart is a cart as the server priced it, frozen: what a priced-cart token
// carries and what a committed redemption stores, so that the commit and every later
// return quote use the server's amounts and shares, never amounts or definitions a
// client states. Its JSON (terse keys, zero values left out) is only the token's
// payload: every price call signs one, so it is kept small.
type PricedCart struct {
	TenantID   string       `json:"t"`
	CustomerID string       `json:"c,omitempty"` // as priced; "" for a walk-in
	StoreID    string       `json:"s,omitempty"`
	Channel    string       `json:"ch,omitempty"`
	At         time.Time    `json:"at"` // the order's time the cart was priced at
	Lines      []PricedLine `json:"l"`
	// Promotions are the applied promotions, goods and delivery, in id order.
	Promotions       []PricedPromotion `json:"p"`
	Subtotal         int64             `json:"st"`
	Discount         int64             `json:"d,omitempty"`
	DeliveryFee      int64             `json:"df,omitempty"`
	DeliveryDiscount int64             `json:"dd,omitempty"`
	Payable          int64             `json:"py"`
}

// PricedLine is one priced cart line (gift lines included, at zero).
type PricedLine struct {
	ID        string      `json:"i"`
	SKU       string      `json:"k"`
	Unit      engine.Unit `json:"u"`
	Qty       int64       `json:"q"`
	UnitPrice int64       `json:"up"`
	Amount    int64       `json:"a"`
	Net       int64       `json:"n"`
	GiftOf    string      `json:"g,omitempty"`
}

// PricedPromotion is one applied promotion of a priced cart. Value is what a commit
// charges to its budget: the discount, or for a gift the gift's value (gift.value ×
// units), which the shopper does not see as a discount.
type PricedPromotion struct {
	PromotionID string        `json:"i"`
	Kind        engine.Kind   `json:"k"`
	Discount    int64         `json:"d,omitempty"`
	Value       int64         `json:"v,omitempty"`
	FlashUnits  int64         `json:"f,omitempty"`
	Delivery    bool          `json:"dl,omitempty"` // a delivery-fee promotion: no line shares
	Shares      []PricedShare `json:"s,omitempty"`
	// Threshold and ReturnPolicy are the threshold promotion's definition as it was,
	// for a return that breaks the threshold.
	Threshold    *engine.Threshold   `json:"th,omitempty"`
	ReturnPolicy engine.ReturnPolicy `json:"rp,omitempty"`
}

// PricedShare is a promotion's share of one line's discount, and the line amount the
// promotion was measured on (its basis).
type PricedShare struct {
	LineID   string `json:"l"`
	Discount int64  `json:"d,omitempty"`
	Basis    int64  `json:"b,omitempty"`
}

// Counts reports whether committing the promotion is a use of it: it gave something,
// a discount or a gift. A promotion that applied with nothing to give is not a use.
func (p PricedPromotion) Counts() bool { return p.Value > 0 || p.Kind == engine.KindGift }

// pricedOf freezes an engine result priced in pc for customerID.
func pricedOf(tenantID, customerID string, pc engine.Context, res engine.Result) PricedCart {
	out := PricedCart{TenantID: tenantID, CustomerID: customerID, StoreID: pc.StoreID, Channel: pc.Channel, At: pc.Time.UTC(),
		Lines: make([]PricedLine, len(res.Lines)), Subtotal: res.Subtotal, Discount: res.Discount,
		DeliveryFee: res.DeliveryFee, DeliveryDiscount: res.DeliveryDiscount, Payable: res.Payable}
	for i, l := range res.Lines {
		out.Lines[i] = PricedLine{ID: l.ID, SKU: l.SKU, Unit: l.Unit, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount, Net: l.Net, GiftOf: l.GiftOf}
	}
	for _, a := range res.Applied {
		p := PricedPromotion{PromotionID: a.PromotionID, Kind: a.Kind, Discount: a.Discount, Value: a.Discount, FlashUnits: a.FlashUnits}
		p.Shares = sharesOf(a.Lines, a.Basis)
		if def := a.Promotion; def != nil {
			if def.Kind == engine.KindThreshold {
				p.Threshold, p.ReturnPolicy = def.Threshold, def.ReturnPolicy
			}
			if def.Kind == engine.KindGift && def.Gift != nil {
				for _, l := range res.Lines {
					if l.ID == a.GiftLineID {
						p.Value = def.Gift.Value * l.Qty
					}
				}
			}
		}
		out.Promotions = append(out.Promotions, p)
	}
	if d := res.Delivery; d != nil {
		out.Promotions = append(out.Promotions, PricedPromotion{PromotionID: d.PromotionID, Kind: engine.KindDeliveryFee,
			Discount: d.Discount, Value: d.Discount, Delivery: true})
	}
	slices.SortFunc(out.Promotions, func(a, b PricedPromotion) int { return strings.Compare(a.PromotionID, b.PromotionID) })
	return out
}

// sharesOf merges a promotion's line allocations and basis into shares by line id.
func sharesOf(lines, basis []engine.Allocation) []PricedShare {
	at := map[string]int{}
	var out []PricedShare
	share := func(id string) *PricedShare {
		i, ok := at[id]
		if !ok {
			i = len(out)
			at[id] = i
			out = append(out, PricedShare{LineID: id})
		}
		return &out[i]
	}
	for _, a := range lines {
		share(a.LineID).Discount += a.Amount
	}
	for _, b := range basis {
		share(b.LineID).Basis += b.Amount
	}
	slices.SortFunc(out, func(a, b PricedShare) int { return strings.Compare(a.LineID, b.LineID) })
	return out
}

// result rebuilds what engine.ReturnQuote reads of a priced cart: the lines with
// their nets and the goods promotions with their shares, basis and (thresholds) the
// definition as it was when the cart was priced.
func (pc PricedCart) result() engine.Result {
	res := engine.Result{Lines: make([]engine.LineResult, len(pc.Lines)), Subtotal: pc.Subtotal, Discount: pc.Discount,
		Total: pc.Subtotal - pc.Discount, DeliveryFee: pc.DeliveryFee, DeliveryDiscount: pc.DeliveryDiscount, Payable: pc.Payable}
	for i, l := range pc.Lines {
		res.Lines[i] = engine.LineResult{Line: engine.Line{ID: l.ID, SKU: l.SKU, Unit: l.Unit, Qty: l.Qty, UnitPrice: l.UnitPrice},
			Amount: l.Amount, Net: l.Net, Discount: l.Amount - l.Net, Gift: l.GiftOf != "", GiftOf: l.GiftOf}
	}
	for _, p := range pc.Promotions {
		if p.Delivery {
			continue
		}
		a := engine.Applied{PromotionID: p.PromotionID, Kind: p.Kind, Discount: p.Discount,
			Promotion: &engine.Promotion{ID: p.PromotionID, Kind: p.Kind, Threshold: p.Threshold, ReturnPolicy: p.ReturnPolicy}}
		for _, s := range p.Shares {
			a.Lines = append(a.Lines, engine.Allocation{PromotionID: p.PromotionID, LineID: s.LineID, Amount: s.Discount})
			a.Basis = append(a.Basis, engine.Allocation{LineID: s.LineID, Amount: s.Basis})
		}
		res.Applied = append(res.Applied, a)
	}
	return res
}

// Priced-cart tokens. A token is "v1.<payload>.<mac>": the payload is the
// base64url JSON of tokenClaims, the mac the base64url HMAC-SHA256 of "v1.<payload>"
// under the service's token key (derived from the server's master secret), so that a
// client can read what it was priced but change nothing of it.
const (
	tokenVersion = "v1"
	// DefaultTokenTTL is how long a priced-cart token may be committed after pricing.
	DefaultTokenTTL = 15 * time.Minute
	// orderTimeSkew and orderTimeAge bound the time an order is priced at, as the
	// commit sees it: at most a few minutes ahead of the server's clock (a till's clock
	// drift) and at most a day behind (an offline till syncing later).
	orderTimeSkew = 5 * time.Minute
	orderTimeAge  = 24 * time.Hour
)

// tokenClaims is what a priced-cart token signs.
type tokenClaims struct {
	ID      string     `json:"id"`
	Expires time.Time  `json:"exp"`
	Cart    PricedCart `json:"cart"`
}

// signPriced issues a token for pc, expiring after the service's token TTL.
func (s *Service) signPriced(pc PricedCart) (string, time.Time, error) {
	exp := s.now().Add(s.tokenTTL)
	payload, err := json.Marshal(tokenClaims{ID: ids.New(), Expires: exp, Cart: pc})
	if err != nil {
		return "", exp, fmt.Errorf("promotion: sign priced cart: %w", err)
	}
	b := make([]byte, 0, len(tokenVersion)+2+base64.RawURLEncoding.EncodedLen(len(payload))+43)
	b = append(b, tokenVersion+"."...)
	b = base64.RawURLEncoding.AppendEncode(b, payload)
	mac := s.tokenMAC(b)
	b = append(b, '.')
	b = base64.RawURLEncoding.AppendEncode(b, mac)
	return string(b), exp, nil
}

func (s *Service) tokenMAC(head []byte) []byte {
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write(head)
	return m.Sum(nil)
}

// openPriced verifies a token issued to the caller's tenant that has not expired and
// returns its claims. Errors: invalid naming field (malformed, forged, another
// tenant's, expired).
func (s *Service) openPriced(tenantID, token, field string) (tokenClaims, error) {
	var c tokenClaims
	forged := errs.Field(field, "not a priced-cart token issued by this server; price the cart with POST /api/v1/carts/price")
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, tokenVersion+".") {
		return c, forged
	}
	mac, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || !hmac.Equal(mac, s.tokenMAC([]byte(token[:i]))) {
		return c, forged
	}
	payload, err := base64.RawURLEncoding.DecodeString(token[len(tokenVersion)+1 : i])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, forged
	}
	if c.Cart.TenantID != tenantID {
		return c, forged
	}
	if !s.now().Before(c.Expires) {
		return c, errs.Field(field, "the priced cart expired at %s; price the cart again", c.Expires.Format(time.RFC3339))
	}
	return c, nil
}

// checkOrderTime refuses an order time outside what a commit accepts (see
// orderTimeSkew and orderTimeAge), naming field.
func (s *Service) checkOrderTime(at time.Time, field string) error {
	now := s.clock.Now()
	switch {
	case at.After(now.Add(orderTimeSkew)):
		return errs.Field(field, "the order's time %s is in the future; a commit prices at most %s ahead of the server's clock",
			at.UTC().Format(time.RFC3339), orderTimeSkew)
	case at.Before(now.Add(-orderTimeAge)):
		return errs.Field(field, "the order's time %s is more than %s ago; older orders cannot use promotions",
			at.UTC().Format(time.RFC3339), orderTimeAge)
	}
	return nil
}
