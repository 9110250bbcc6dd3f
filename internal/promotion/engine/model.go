package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
)

// Unit says how a line's quantity is measured.
type Unit string

// The line units.
const (
	UnitEach   Unit = "each"   // Qty is a count; UnitPrice is fen per unit
	UnitWeight Unit = "weight" // Qty is grams; UnitPrice is fen per kg
)

// Limits on a cart, so that every amount fits an int64 with room to spare.
const (
	MaxLines     = 1000
	MaxQtyEach   = 1_000_000
	MaxQtyGrams  = 10_000_000
	MaxUnitPrice = money.MaxAmount // ¥10,000,000.00
	// MaxAmount bounds every amount of money in a definition (amounts off, spend
	// thresholds, bundle and flash prices, gift values, delivery fees).
	MaxAmount = money.MaxAmount
)

// Line is one cart line.
type Line struct {
	ID        string `json:"id"`
	SKU       string `json:"sku"`
	Category  string `json:"category,omitempty"`
	Brand     string `json:"brand,omitempty"`
	Unit      Unit   `json:"unit"`
	Qty       int64  `json:"qty"`
	UnitPrice int64  `json:"unit_price"`
	// Batch and Expiry identify a stock batch for near-expiry markdowns: Expiry is the
	// batch's last sellable day, read as the calendar date written (its own location),
	// compared with the date of Context.Time in Context.Location. Both are optional.
	Batch  string    `json:"batch,omitempty"`
	Expiry time.Time `json:"expiry,omitzero"`
}

// Amount returns the line amount in fen before discounts.
func (l Line) Amount() int64 {
	if l.Unit == UnitWeight {
		return (l.UnitPrice*l.Qty + 500) / 1000
	}
	return l.UnitPrice * l.Qty
}

// Cart is what is being priced.
type Cart struct {
	Lines []Line `json:"lines"`
	// DeliveryFee is the delivery charge in fen (0: none, e.g. in-store). It is not a
	// line: goods promotions never touch it and it is prorated nowhere; delivery-fee
	// promotions reduce it and Result reports it apart from the goods (see Result).
	DeliveryFee int64 `json:"delivery_fee,omitempty"`
	// DeliveryMethod names how the order is delivered (e.g. express, same_day,
	// pickup), for delivery-fee promotions that target methods; "" matches none of them.
	DeliveryMethod string `json:"delivery_method,omitempty"`
}

// Validate reports an invalid cart with an errs.Invalid error naming the field:
// no lines or too many, empty or duplicate line id, empty SKU, unknown unit, quantity
// or price out of range, a total (delivery included) over money.MaxTotal.
func (c Cart) Validate() error { return c.validate(true) }

// validate is Validate; without dups it skips the duplicate id check (Price sorts the
// lines and checks neighbours instead, without a map).
func (c Cart) validate(dups bool) error {
	if len(c.Lines) == 0 {
		return errs.Field("lines", "a cart needs at least one line")
	}
	if len(c.Lines) > MaxLines {
		return errs.Field("lines", "at most %d lines", MaxLines)
	}
	var seen map[string]bool
	if dups {
		seen = make(map[string]bool, len(c.Lines))
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		f := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		switch {
		case l.ID == "":
			return errs.Field(f("id"), "required")
		case seen[l.ID]:
			return errs.Field(f("id"), "duplicate line id %q", l.ID)
		case l.SKU == "":
			return errs.Field(f("sku"), "required")
		case l.Unit != UnitEach && l.Unit != UnitWeight:
			return errs.Field(f("unit"), "must be each or weight")
		case l.Unit == UnitEach && (l.Qty < 1 || l.Qty > MaxQtyEach):
			return errs.Field(f("qty"), "must be 1..%d units", MaxQtyEach)
		case l.Unit == UnitWeight && (l.Qty < 1 || l.Qty > MaxQtyGrams):
			return errs.Field(f("qty"), "must be 1..%d grams", MaxQtyGrams)
		case l.UnitPrice < 0 || l.UnitPrice > MaxUnitPrice:
			return errs.Field(f("unit_price"), "must be 0..%d fen", MaxUnitPrice)
		}
		if len(l.Batch) > 64 {
			return errs.Field(f("batch"), "at most 64 bytes")
		}
		if dups {
			seen[l.ID] = true
		}
	}
	if len(c.DeliveryMethod) > 64 {
		return errs.Field("delivery_method", "at most 64 bytes")
	}
	if c.DeliveryFee < 0 || c.DeliveryFee > MaxUnitPrice {
		return errs.Field("delivery_fee", "must be 0..%d fen", MaxUnitPrice)
	}
	// Each line is at most 10^15 fen and a cart at most 1,000 lines, so the sum cannot
	// wrap; it must also stay within money.MaxTotal, what totals are kept as.
	total := c.DeliveryFee
	for i := range c.Lines {
		total += c.Lines[i].Amount()
	}
	if total > money.MaxTotal {
		return errs.Field("lines", "the cart comes to %d fen with delivery, more than %d", total, int64(money.MaxTotal))
	}
	return nil
}

// Context is who buys, where, when and how.
type Context struct {
	Time          time.Time      `json:"time"`
	Location      *time.Location `json:"-"` // store time zone for weekly/daily windows; nil means UTC
	Channel       string         `json:"channel,omitempty"`
	StoreID       string         `json:"store_id,omitempty"`
	Region        string         `json:"region,omitempty"`
	Brand         string         `json:"brand,omitempty"` // the store's brand (banner)
	Tier          string         `json:"tier,omitempty"`
	Segments      []string       `json:"segments,omitempty"`
	FirstOrder    bool           `json:"first_order,omitempty"`
	PaymentMethod string         `json:"payment_method,omitempty"`
	Coupons       []string       `json:"coupons,omitempty"`
	// FlashAllowance maps a flash-sale promotion id to the units this customer may
	// still buy at its flash price (its per-customer limit less what the customer has
	// already bought, which the caller knows from order history). A promotion missing
	// from the map allows FlashSale.PerCustomer units (a first purchase); a negative
	// value counts as 0.
	FlashAllowance map[string]int64 `json:"flash_allowance,omitempty"`
	// Limited maps a promotion id to why it may not apply to this order any more (its
	// budget or uses are exhausted, or this customer's uses are): the promotion is
	// reported as limit_reached (condition "limits") with that message and never
	// applies. The caller (the service) knows the usage; the engine stays pure.
	Limited map[string]string `json:"limited,omitempty"`
	// MaxCombinations bounds the stacking search; 0 means DefaultMaxCombinations.
	MaxCombinations int `json:"max_combinations,omitempty"`
	// ItemStacking is the tenant's rule for item-level promotions on the same line
	// (单品促销互斥); "" means OnePerUnit.
	ItemStacking ItemStacking `json:"item_stacking,omitempty"`
}

// ItemStacking says whether item-level promotions may share a unit.
type ItemStacking string

// The item stacking rules.
const (
	// OnePerUnit (the default): a unit takes part in at most one item-level
	// promotion, unless every item-level promotion on it opts in with
	// Promotion.StacksWithItems; the engine picks the combination that costs the
	// customer least. Order-level promotions (满减, coupons) still apply on top. A
	// line is the unit of this rule: two promotions that reach the same line
	// conflict, whichever of its units each would use.
	OnePerUnit ItemStacking = "one_per_unit"
	// StackItems lets every item-level promotion apply on top of the others (the
	// behaviour before OnePerUnit became the default).
	StackItems ItemStacking = "stack"
)

// Valid reports whether s is "" or one of the rules.
func (s ItemStacking) Valid() bool { return s == "" || s == OnePerUnit || s == StackItems }

// DefaultMaxCombinations is the stacking search bound used when Context leaves it 0.
const DefaultMaxCombinations = 256

// Kind is a promotion type.
type Kind string

// The promotion kinds.
const (
	KindPercentOff  Kind = "percent_off"  // PercentOff: x% off the scoped lines (or the order)
	KindAmountOff   Kind = "amount_off"   // AmountOff: a fixed amount off the scoped lines (or the order)
	KindThreshold   Kind = "threshold"    // Threshold: 满减 tiers or "every 100 save 10"
	KindNthItem     Kind = "nth_item"     // NthItem: 第二件半价
	KindBuyXGetY    Kind = "buy_x_get_y"  // BuyXGetY: buy X get Y, cheapest free
	KindBundle      Kind = "bundle"       // Bundle: fixed-price combo
	KindGift        Kind = "gift"         // Gift: 满赠, a zero-price gift line
	KindMemberPrice Kind = "member_price" // PercentOff for Conditions.Tiers
	// TieredQty: buy 2 get 10% off, buy 3 get 20% off on the scoped items.
	KindTieredQty Kind = "tiered_qty"
	// FlashSale: a flash price per unit for a limited number of units per customer.
	KindFlashSale Kind = "flash_sale"
	// ExpiryMarkdown: x% off batches within N days of their expiry.
	KindExpiryMarkdown Kind = "expiry_markdown"
	// DeliveryFee: free (免配送费) or cheaper delivery above a spend; never a goods discount.
	KindDeliveryFee Kind = "delivery_fee"
	// SpecialPrice: 特价, 直降 or 会员价 per unit, for everyone or per tier, with caps.
	KindSpecialPrice Kind = "special_price"
	// BuyAGetB: 买A赠B / 买A享B优惠, separate qualifying and reward scopes.
	KindBuyAGetB Kind = "buy_a_get_b"
)

// Level says when a promotion applies: item-level ones first, order-level ones on
// the amounts they leave.
type Level string

// The levels.
const (
	LevelItem  Level = "item"
	LevelOrder Level = "order"
)

// ReturnPolicy says what a return that breaks a threshold does to its discount.
type ReturnPolicy string

// The return policies.
const (
	ReturnKeep     ReturnPolicy = "keep"      // the shopper keeps the discount (the default)
	ReturnClawBack ReturnPolicy = "claw_back" // the discount no longer earned is deducted from the refund
)

// Scope selects the lines a promotion applies to: All, or any of SKUs, Categories and
// Brands, minus the exclusions.
type Scope struct {
	All               bool     `json:"all,omitempty"`
	SKUs              []string `json:"skus,omitempty"`
	Categories        []string `json:"categories,omitempty"`
	Brands            []string `json:"brands,omitempty"`
	ExcludeSKUs       []string `json:"exclude_skus,omitempty"`
	ExcludeCategories []string `json:"exclude_categories,omitempty"`
	ExcludeBrands     []string `json:"exclude_brands,omitempty"`
}

// Conditions must all hold for a promotion to be a candidate. Empty lists and zero
// values mean "no condition".
type Conditions struct {
	Start time.Time `json:"start,omitzero"` // inclusive
	End   time.Time `json:"end,omitzero"`   // exclusive
	// Weekdays restricts to days of the week in Context.Location (member day: Tuesday).
	Weekdays []time.Weekday `json:"weekdays,omitempty"`
	// DailyFrom and DailyTo are minutes after local midnight, [from, to); both 0 means
	// all day; from > to wraps past midnight.
	DailyFrom      int      `json:"daily_from,omitempty"`
	DailyTo        int      `json:"daily_to,omitempty"`
	Channels       []string `json:"channels,omitempty"`
	Stores         []string `json:"stores,omitempty"`
	Regions        []string `json:"regions,omitempty"`
	StoreBrands    []string `json:"store_brands,omitempty"`
	Tiers          []string `json:"tiers,omitempty"`
	Segments       []string `json:"segments,omitempty"` // any of
	FirstOrderOnly bool     `json:"first_order_only,omitempty"`
	PaymentMethods []string `json:"payment_methods,omitempty"`
	MinSpend       int64    `json:"min_spend,omitempty"` // on scoped lines, before discounts
	MinQty         int64    `json:"min_qty,omitempty"`   // scoped units (a weighed line counts 1)
}

// PercentOff is x% off; OffBP is in basis points (1200 = 12% off, i.e. 8.8折). MaxOff,
// when positive, caps the discount of one application (a coupon's "12% off, at most
// ¥30"), shared across the scoped lines in proportion to their amounts.
type PercentOff struct {
	OffBP  int64 `json:"off_bp"`
	MaxOff int64 `json:"max_off,omitempty"`
}

// AmountOff takes Amount fen off the scoped lines together, at most their amount.
type AmountOff struct {
	Amount int64 `json:"amount"`
}

// Tier is one step of a threshold: spend at least Spend, save Off.
type Tier struct {
	Spend int64 `json:"spend"`
	Off   int64 `json:"off"`
}

// Repeat is "every Every save Off", at most Cap in total (0: no cap).
type Repeat struct {
	Every int64 `json:"every"`
	Off   int64 `json:"off"`
	Cap   int64 `json:"cap,omitempty"`
}

// Threshold is 满减: either Tiers (the highest met applies) or Repeat.
type Threshold struct {
	Tiers  []Tier  `json:"tiers,omitempty"`
	Repeat *Repeat `json:"repeat,omitempty"`
}

// NthItem discounts every N-th unit by OffBP (N=2, OffBP=5000: 第二件半价). Units are
// counted per SKU unless MixSKUs; the cheaper units are the discounted ones.
type NthItem struct {
	N       int64 `json:"n"`
	OffBP   int64 `json:"off_bp"`
	MixSKUs bool  `json:"mix_skus,omitempty"`
}

// BuyXGetY makes the cheapest Get units free in every group of Buy+Get scoped units.
type BuyXGetY struct {
	Buy int64 `json:"buy"`
	Get int64 `json:"get"`
}

// BundleComponent is Qty units of any of SKUs.
type BundleComponent struct {
	SKUs []string `json:"skus"`
	Qty  int64    `json:"qty"`
}

// Bundle sells one unit set of Components for Price; it repeats as often as the cart
// allows, up to Max (0: no limit). Only counted lines take part.
type Bundle struct {
	Components []BundleComponent `json:"components"`
	Price      int64             `json:"price"`
	Max        int64             `json:"max,omitempty"`
}

// Gift adds Qty units of SKU at zero price when the scoped spend after item-level
// discounts reaches Spend. Value is what one gift unit is worth in fen (0: not
// counted): the shopper pays nothing for it, so it is no discount, but a committed
// order charges Value × Qty to the promotion's budget.
type Gift struct {
	SKU   string `json:"sku"`
	Qty   int64  `json:"qty"`
	Spend int64  `json:"spend"`
	Value int64  `json:"value,omitempty"`
}

// QtyStep is one step of a tiered quantity discount: at least MinQty scoped units
// (a weighed line counts 1) take OffBP basis points off every scoped line.
type QtyStep struct {
	MinQty int64 `json:"min_qty"`
	OffBP  int64 `json:"off_bp"`
}

// TieredQty is a tiered quantity discount; the highest step met applies. Units are
// counted across the whole scope (any mix of SKUs).
type TieredQty struct {
	Steps []QtyStep `json:"steps"`
}

// FlashSale sells the scoped SKUs at Price fen per unit, for at most PerCustomer units
// per customer (0: no limit); Context.FlashAllowance gives what this customer has
// left. The allowance goes to the units that save most (ties: earlier line id); units
// beyond it pay the normal price. Only counted lines take part.
type FlashSale struct {
	Price       int64 `json:"price"`
	PerCustomer int64 `json:"per_customer,omitempty"`
}

// SpecialPrice is a per-unit price (特价: each unit pays Price; 直降: each unit pays
// Off less; 会员价: a rule per tier). The rule for the customer is the one naming
// Context.Tier, else the one without a tier; with neither the promotion does not
// apply (condition tiers). Units beyond a cap pay the price they had: MaxPerLine
// units per line, MaxPerOrder units per order and MaxPerCustomer units per customer
// (限购; Context.FlashAllowance gives what the customer has left, as for a flash
// sale, and the redemption commit enforces it). 0 means no cap. The capped units go
// to the dearest units (they save most; ties: earlier line id). Counted lines only;
// the price applies on top of the line's unit price, which already reflects the
// store's override or its price zone.
type SpecialPrice struct {
	Prices         []UnitPrice `json:"prices"`
	MaxPerLine     int64       `json:"max_per_line,omitempty"`
	MaxPerOrder    int64       `json:"max_per_order,omitempty"`
	MaxPerCustomer int64       `json:"max_per_customer,omitempty"`
}

// UnitPrice is one rule of a special price: exactly one of Price (fen per unit) and
// Off (fen off each unit); Tier "" means every customer.
type UnitPrice struct {
	Tier  string `json:"tier,omitempty"`
	Price int64  `json:"price,omitempty"`
	Off   int64  `json:"off,omitempty"`
}

// rule returns the rule for tier: the one naming it, else the one for everyone.
func (s *SpecialPrice) rule(tier string) (UnitPrice, bool) {
	var all *UnitPrice
	for i := range s.Prices {
		r := &s.Prices[i]
		if r.Tier == "" {
			all = r
		} else if r.Tier == tier && tier != "" {
			return *r, true
		}
	}
	if all == nil {
		return UnitPrice{}, false
	}
	return *all, true
}

// UnitLimit returns the units one customer may buy at the promotion's price (a flash
// sale's per_customer, a special price's max_per_customer), 0 for no limit.
func (p *Promotion) UnitLimit() int64 {
	switch {
	case p.FlashSale != nil:
		return p.FlashSale.PerCustomer
	case p.SpecialPrice != nil:
		return p.SpecialPrice.MaxPerCustomer
	}
	return 0
}

// ExpiryMarkdown takes OffBP basis points off every scoped line whose batch expires
// within WithinDays days (0: today only) of the day of the sale; lines without an
// Expiry, or already past it, are not marked down.
type ExpiryMarkdown struct {
	WithinDays int64 `json:"within_days"`
	OffBP      int64 `json:"off_bp"`
}

// DeliveryFee waives the cart's delivery fee (Off and OffBP 0), takes Off fen off it
// or OffBP basis points of it, when the scoped goods after every goods discount come
// to at least Spend and, when Methods is set, the cart's delivery method is one of
// them.
type DeliveryFee struct {
	Spend   int64    `json:"spend"`
	Off     int64    `json:"off,omitempty"`
	OffBP   int64    `json:"off_bp,omitempty"`
	Methods []string `json:"methods,omitempty"`
}

// save returns what the promotion takes off fee.
func (d *DeliveryFee) save(fee int64) int64 {
	switch {
	case d.Off > 0:
		return min(d.Off, fee)
	case d.OffBP > 0:
		return roundHalfUp(fee, d.OffBP, 10000)
	}
	return fee
}

// Pick says which reward units a buy-A-get-B promotion discounts.
type Pick string

// The picks.
const (
	PickCheapest Pick = "cheapest" // the default
	PickDearest  Pick = "dearest"
)

// BuyAGetB is 买A赠B / 买A享B优惠: every Buy qualifying units (the promotion's Scope)
// let Get reward units (Reward) take OffBP basis points off (10000: free), the
// cheapest or the dearest reward units first; it applies as often as the cart allows,
// at most Times times (0: no limit). A unit serves once, as a qualifying or as a
// reward unit, and two buy-A-get-B promotions never share a line, whatever the
// stacking settings (the reserved units). Counted lines only.
type BuyAGetB struct {
	Buy    int64 `json:"buy"`
	Reward Scope `json:"reward"`
	Get    int64 `json:"get"`
	OffBP  int64 `json:"off_bp"`
	Pick   Pick  `json:"pick,omitempty"`
	Times  int64 `json:"times,omitempty"`
}

// Promotion is one promotion definition. Exactly the parameter block of its Kind is
// set (PercentOff for KindPercentOff and KindMemberPrice).
type Promotion struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Code is the merchandiser's code of the promotion (the service sets it from the
	// stored promotion); explanations name promotions by name and code.
	Code      string `json:"code,omitempty"`
	Kind      Kind   `json:"kind"`
	Level     Level  `json:"level,omitempty"` // derived when empty
	Priority  int    `json:"priority,omitempty"`
	Group     string `json:"group,omitempty"`
	Exclusive bool   `json:"exclusive,omitempty"`
	// StacksWithItems opts an item-level promotion into sharing a unit with other
	// item-level promotions that opt in too (under OnePerUnit; see ItemStacking).
	StacksWithItems       bool         `json:"stacks_with_items,omitempty"`
	CombinableWithCoupons bool         `json:"combinable_with_coupons,omitempty"`
	CouponCode            string       `json:"coupon_code,omitempty"`
	Scope                 Scope        `json:"scope"`
	Conditions            Conditions   `json:"conditions"`
	ReturnPolicy          ReturnPolicy `json:"return_policy,omitempty"`

	PercentOff *PercentOff `json:"percent_off,omitempty"`
	AmountOff  *AmountOff  `json:"amount_off,omitempty"`
	Threshold  *Threshold  `json:"threshold,omitempty"`
	NthItem    *NthItem    `json:"nth_item,omitempty"`
	BuyXGetY   *BuyXGetY   `json:"buy_x_get_y,omitempty"`
	Bundle     *Bundle     `json:"bundle,omitempty"`
	Gift       *Gift       `json:"gift,omitempty"`

	TieredQty      *TieredQty      `json:"tiered_qty,omitempty"`
	FlashSale      *FlashSale      `json:"flash_sale,omitempty"`
	ExpiryMarkdown *ExpiryMarkdown `json:"expiry_markdown,omitempty"`
	SpecialPrice   *SpecialPrice   `json:"special_price,omitempty"`
	DeliveryFee    *DeliveryFee    `json:"delivery_fee,omitempty"`
	BuyAGetB       *BuyAGetB       `json:"buy_a_get_b,omitempty"`
}

// EffectiveLevel returns Level, or the level implied by Kind and Scope when empty:
// thresholds, gifts and whole-order percent/amount off are order-level, the rest
// item-level.
func (p *Promotion) EffectiveLevel() Level {
	if p.Level != "" {
		return p.Level
	}
	switch p.Kind {
	case KindThreshold, KindGift, KindDeliveryFee:
		return LevelOrder
	case KindPercentOff, KindAmountOff:
		if p.Scope.All {
			return LevelOrder
		}
	}
	return LevelItem
}

// Validate reports a malformed or contradictory definition with an errs.Invalid
// error whose Field names the offending field (for example "threshold.tiers[1].off").
func (p *Promotion) Validate() error {
	if p.ID == "" {
		return errs.Field("id", "required")
	}
	if err := p.validateStacking(); err != nil {
		return err
	}
	if p.Kind == KindBundle {
		if p.Scope.All || len(p.Scope.SKUs)+len(p.Scope.Categories)+len(p.Scope.Brands) > 0 {
			return errs.Field("scope", "a bundle's scope is its components; list only exclusions")
		}
	} else if err := p.Scope.validate(); err != nil {
		return err
	}
	if p.Kind == KindFlashSale && (p.Scope.All || len(p.Scope.Categories)+len(p.Scope.Brands) > 0) {
		return errs.Field("scope", "a flash price is per SKU; list only skus")
	}
	if err := p.Conditions.validate(); err != nil {
		return err
	}
	return p.validateParams()
}

func (p *Promotion) validateStacking() error {
	switch p.Level {
	case "", LevelItem, LevelOrder:
	default:
		return errs.Field("level", "must be item or order")
	}
	want := map[Kind]Level{KindThreshold: LevelOrder, KindGift: LevelOrder, KindNthItem: LevelItem,
		KindBuyXGetY: LevelItem, KindBundle: LevelItem, KindMemberPrice: LevelItem, KindTieredQty: LevelItem,
		KindFlashSale: LevelItem, KindExpiryMarkdown: LevelItem, KindDeliveryFee: LevelOrder, KindSpecialPrice: LevelItem,
		KindBuyAGetB: LevelItem}
	if w, ok := want[p.Kind]; ok && p.Level != "" && p.Level != w {
		return errs.Field("level", "a %s promotion is %s-level", p.Kind, w)
	}
	if p.Exclusive && p.Group != "" {
		return errs.Field("group", "an exclusive promotion combines with nothing; a stacking group contradicts it")
	}
	if p.Kind == KindDeliveryFee && (p.Exclusive || p.Group != "") {
		return errs.Field("group", "a delivery-fee promotion stacks only with other delivery-fee promotions (the best one applies); it takes no group or exclusivity")
	}
	if p.StacksWithItems && (p.Exclusive || p.EffectiveLevel() != LevelItem) {
		return errs.Field("stacks_with_items", "only an item-level promotion that is not exclusive can share units with other item-level promotions")
	}
	if p.Exclusive && p.CombinableWithCoupons {
		return errs.Field("combinable_with_coupons", "an exclusive promotion cannot be combinable with coupons")
	}
	switch p.ReturnPolicy {
	case "", ReturnKeep:
	case ReturnClawBack:
		if p.Kind != KindThreshold {
			return errs.Field("return_policy", "claw_back applies only to threshold promotions")
		}
	default:
		return errs.Field("return_policy", "must be keep or claw_back")
	}
	return nil
}

func (s Scope) validate() error {
	include := len(s.SKUs) + len(s.Categories) + len(s.Brands)
	if s.All && include > 0 {
		return errs.Field("scope.all", "a whole-order scope cannot also list skus, categories or brands")
	}
	if !s.All && include == 0 {
		return errs.Field("scope", "set all or list skus, categories or brands")
	}
	for _, c := range []struct {
		name     string
		in, excl []string
	}{{"skus", s.SKUs, s.ExcludeSKUs}, {"categories", s.Categories, s.ExcludeCategories}, {"brands", s.Brands, s.ExcludeBrands}} {
		for i, v := range c.in {
			if v == "" {
				return errs.Field(fmt.Sprintf("scope.%s[%d]", c.name, i), "empty")
			}
			if contains(c.excl, v) {
				return errs.Field("scope.exclude_"+c.name, "%q is both included and excluded", v)
			}
		}
	}
	return nil
}

func (c Conditions) validate() error {
	if !c.Start.IsZero() && !c.End.IsZero() && !c.Start.Before(c.End) {
		return errs.Field("conditions.end", "must be after start")
	}
	for i, d := range c.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return errs.Field(fmt.Sprintf("conditions.weekdays[%d]", i), "must be 0 (Sunday)..6 (Saturday)")
		}
	}
	if c.DailyFrom < 0 || c.DailyFrom >= 1440 {
		return errs.Field("conditions.daily_from", "must be 0..1439 minutes after midnight")
	}
	if c.DailyTo < 0 || c.DailyTo > 1440 {
		return errs.Field("conditions.daily_to", "must be 0..1440 minutes after midnight")
	}
	if c.DailyFrom != 0 && c.DailyFrom == c.DailyTo {
		return errs.Field("conditions.daily_to", "an empty daily window never matches")
	}
	if !money.InRange(c.MinSpend) {
		return errs.Field("conditions.min_spend", "must be 0..%d fen", MaxAmount)
	}
	if c.MinQty < 0 {
		return errs.Field("conditions.min_qty", "must not be negative")
	}
	return nil
}

func (p *Promotion) validateParams() error {
	blocks := map[string]bool{"percent_off": p.PercentOff != nil, "amount_off": p.AmountOff != nil,
		"threshold": p.Threshold != nil, "nth_item": p.NthItem != nil, "buy_x_get_y": p.BuyXGetY != nil,
		"bundle": p.Bundle != nil, "gift": p.Gift != nil, "tiered_qty": p.TieredQty != nil, "flash_sale": p.FlashSale != nil,
		"expiry_markdown": p.ExpiryMarkdown != nil, "delivery_fee": p.DeliveryFee != nil, "special_price": p.SpecialPrice != nil,
		"buy_a_get_b": p.BuyAGetB != nil}
	var need string
	switch p.Kind {
	case KindPercentOff, KindMemberPrice:
		need = "percent_off"
	case KindAmountOff, KindThreshold, KindNthItem, KindBuyXGetY, KindBundle, KindGift, KindTieredQty, KindFlashSale,
		KindExpiryMarkdown, KindDeliveryFee, KindSpecialPrice, KindBuyAGetB:
		need = string(p.Kind)
	default:
		return errs.Field("kind", "unknown promotion kind %q", p.Kind)
	}
	for _, name := range []string{"percent_off", "amount_off", "threshold", "nth_item", "buy_x_get_y", "bundle", "gift",
		"tiered_qty", "flash_sale", "expiry_markdown", "delivery_fee", "special_price", "buy_a_get_b"} {
		if name == need && !blocks[name] {
			return errs.Field(name, "required for a %s promotion", p.Kind)
		}
		if name != need && blocks[name] {
			return errs.Field(name, "not allowed on a %s promotion", p.Kind)
		}
	}
	switch p.Kind {
	case KindPercentOff, KindMemberPrice:
		if p.PercentOff.OffBP < 1 || p.PercentOff.OffBP > 10000 {
			return errs.Field("percent_off.off_bp", "must be 1..10000 basis points")
		}
		if p.PercentOff.MaxOff < 0 || p.PercentOff.MaxOff > MaxAmount || (p.Kind == KindMemberPrice && p.PercentOff.MaxOff != 0) {
			return errs.Field("percent_off.max_off", "must be 0 (no cap)..%d fen, and only on percent_off", MaxAmount)
		}
		if p.Kind == KindMemberPrice && len(p.Conditions.Tiers) == 0 {
			return errs.Field("conditions.tiers", "a member price needs at least one tier")
		}
	case KindAmountOff:
		if p.AmountOff.Amount < 1 || p.AmountOff.Amount > MaxAmount {
			return errs.Field("amount_off.amount", "must be 1..%d fen", MaxAmount)
		}
	case KindThreshold:
		return p.Threshold.validate()
	case KindNthItem:
		if p.NthItem.N < 2 || p.NthItem.N > 100 {
			return errs.Field("nth_item.n", "must be 2..100")
		}
		if p.NthItem.OffBP < 1 || p.NthItem.OffBP > 10000 {
			return errs.Field("nth_item.off_bp", "must be 1..10000 basis points")
		}
	case KindBuyXGetY:
		if p.BuyXGetY.Buy < 1 || p.BuyXGetY.Buy > 100 {
			return errs.Field("buy_x_get_y.buy", "must be 1..100")
		}
		if p.BuyXGetY.Get < 1 || p.BuyXGetY.Get > 100 {
			return errs.Field("buy_x_get_y.get", "must be 1..100")
		}
	case KindBundle:
		return p.Bundle.validate()
	case KindGift:
		switch {
		case p.Gift.SKU == "":
			return errs.Field("gift.sku", "required")
		case p.Gift.Qty < 1 || p.Gift.Qty > 100:
			return errs.Field("gift.qty", "must be 1..100")
		case !money.InRange(p.Gift.Spend):
			return errs.Field("gift.spend", "must be 0..%d fen", MaxAmount)
		case !money.InRange(p.Gift.Value):
			return errs.Field("gift.value", "must be 0..%d fen", MaxAmount)
		}
	case KindTieredQty:
		return p.TieredQty.validate()
	case KindFlashSale:
		switch f := p.FlashSale; {
		case f.Price < 0 || f.Price > MaxUnitPrice:
			return errs.Field("flash_sale.price", "must be 0..%d fen", MaxUnitPrice)
		case f.PerCustomer < 0 || f.PerCustomer > MaxQtyEach:
			return errs.Field("flash_sale.per_customer", "must be 0 (no limit)..%d units", MaxQtyEach)
		}
	case KindExpiryMarkdown:
		switch e := p.ExpiryMarkdown; {
		case e.WithinDays < 0 || e.WithinDays > 365:
			return errs.Field("expiry_markdown.within_days", "must be 0..365 days")
		case e.OffBP < 1 || e.OffBP > 10000:
			return errs.Field("expiry_markdown.off_bp", "must be 1..10000 basis points")
		}
	case KindSpecialPrice:
		return p.SpecialPrice.validate()
	case KindBuyAGetB:
		return p.BuyAGetB.validate()
	case KindDeliveryFee:
		switch d := p.DeliveryFee; {
		case !money.InRange(d.Spend):
			return errs.Field("delivery_fee.spend", "must be 0..%d fen", MaxAmount)
		case !money.InRange(d.Off):
			return errs.Field("delivery_fee.off", "must be 0 (waive the fee)..%d fen", MaxAmount)
		case d.OffBP < 0 || d.OffBP > 10000:
			return errs.Field("delivery_fee.off_bp", "must be 0 (waive the fee)..10000 basis points")
		case d.Off > 0 && d.OffBP > 0:
			return errs.Field("delivery_fee.off_bp", "set off (fen) or off_bp (a percentage of the fee), not both")
		case len(d.Methods) > 20:
			return errs.Field("delivery_fee.methods", "at most 20 delivery methods")
		}
		for i, m := range p.DeliveryFee.Methods {
			if m == "" || len(m) > 64 {
				return errs.Field(fmt.Sprintf("delivery_fee.methods[%d]", i), "1..64 bytes")
			}
		}
	}
	return nil
}

func (b *BuyAGetB) validate() error {
	switch {
	case b.Buy < 1 || b.Buy > 100:
		return errs.Field("buy_a_get_b.buy", "must be 1..100 units")
	case b.Get < 1 || b.Get > 100:
		return errs.Field("buy_a_get_b.get", "must be 1..100 units")
	case b.OffBP < 1 || b.OffBP > 10000:
		return errs.Field("buy_a_get_b.off_bp", "must be 1..10000 basis points (10000: free)")
	case b.Pick != "" && b.Pick != PickCheapest && b.Pick != PickDearest:
		return errs.Field("buy_a_get_b.pick", "must be cheapest or dearest")
	case b.Times < 0 || b.Times > 1000:
		return errs.Field("buy_a_get_b.times", "must be 0 (as often as the cart allows)..1000")
	}
	if err := b.Reward.validate(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			return errs.Field("buy_a_get_b.reward"+strings.TrimPrefix(e.Field, "scope"), "%s", e.Message)
		}
		return err
	}
	return nil
}

func (s *SpecialPrice) validate() error {
	if len(s.Prices) == 0 || len(s.Prices) > 20 {
		return errs.Field("special_price.prices", "1..20 rules required")
	}
	tiers := map[string]int{}
	for i, r := range s.Prices {
		f := func(n string) string { return fmt.Sprintf("special_price.prices[%d].%s", i, n) }
		if j, ok := tiers[r.Tier]; ok {
			if r.Tier == "" {
				return errs.Field(f("tier"), "rule %d is already for every customer", j)
			}
			return errs.Field(f("tier"), "rule %d is already for tier %q", j, r.Tier)
		}
		tiers[r.Tier] = i
		switch {
		case len(r.Tier) > 64:
			return errs.Field(f("tier"), "at most 64 bytes")
		case (r.Price == 0) == (r.Off == 0):
			return errs.Field(f("price"), "set either price (each unit pays it) or off (taken off each unit), not both or neither")
		case r.Price < 0 || r.Price > MaxUnitPrice:
			return errs.Field(f("price"), "must be 1..%d fen", MaxUnitPrice)
		case r.Off < 0 || r.Off > MaxUnitPrice:
			return errs.Field(f("off"), "must be 1..%d fen", MaxUnitPrice)
		}
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"max_per_line", s.MaxPerLine}, {"max_per_order", s.MaxPerOrder}, {"max_per_customer", s.MaxPerCustomer}} {
		if c.v < 0 || c.v > MaxQtyEach {
			return errs.Field("special_price."+c.name, "must be 0 (no cap)..%d units", MaxQtyEach)
		}
	}
	return nil
}

func (t *TieredQty) validate() error {
	if len(t.Steps) == 0 || len(t.Steps) > 20 {
		return errs.Field("tiered_qty.steps", "1..20 steps required")
	}
	for i, s := range t.Steps {
		f := func(n string) string { return fmt.Sprintf("tiered_qty.steps[%d].%s", i, n) }
		switch {
		case s.MinQty < 2 || s.MinQty > MaxQtyEach:
			return errs.Field(f("min_qty"), "must be 2..%d units", MaxQtyEach)
		case s.OffBP < 1 || s.OffBP > 10000:
			return errs.Field(f("off_bp"), "must be 1..10000 basis points")
		case i > 0 && s.MinQty <= t.Steps[i-1].MinQty:
			return errs.Field(f("min_qty"), "steps must have increasing quantities")
		case i > 0 && s.OffBP <= t.Steps[i-1].OffBP:
			return errs.Field(f("off_bp"), "a higher step must take more off than step %d", i-1)
		}
	}
	return nil
}

func (t *Threshold) validate() error {
	if (len(t.Tiers) == 0) == (t.Repeat == nil) {
		return errs.Field("threshold", "set either tiers or repeat, not both or neither")
	}
	for i, tr := range t.Tiers {
		f := func(n string) string { return fmt.Sprintf("threshold.tiers[%d].%s", i, n) }
		switch {
		case tr.Spend < 1 || tr.Spend > MaxAmount:
			return errs.Field(f("spend"), "must be 1..%d fen", MaxAmount)
		case tr.Off < 1 || tr.Off > tr.Spend:
			return errs.Field(f("off"), "must be 1..spend (%d)", tr.Spend)
		case i > 0 && tr.Spend <= t.Tiers[i-1].Spend:
			return errs.Field(f("spend"), "tiers must have increasing spend")
		case i > 0 && tr.Off <= t.Tiers[i-1].Off:
			return errs.Field(f("off"), "a higher tier must save more than tier %d", i-1)
		}
	}
	if r := t.Repeat; r != nil {
		switch {
		case r.Every < 1 || r.Every > MaxAmount:
			return errs.Field("threshold.repeat.every", "must be 1..%d fen", MaxAmount)
		case r.Off < 1 || r.Off > r.Every:
			return errs.Field("threshold.repeat.off", "must be 1..every (%d)", r.Every)
		case r.Cap < 0 || (r.Cap > 0 && r.Cap < r.Off) || r.Cap > MaxAmount:
			return errs.Field("threshold.repeat.cap", "must be 0 (no cap) or off (%d)..%d fen", r.Off, MaxAmount)
		}
	}
	return nil
}

func (b *Bundle) validate() error {
	if len(b.Components) == 0 {
		return errs.Field("bundle.components", "required")
	}
	var units int64
	seen := map[string]int{}
	for i, c := range b.Components {
		if len(c.SKUs) == 0 {
			return errs.Field(fmt.Sprintf("bundle.components[%d].skus", i), "required")
		}
		if c.Qty < 1 || c.Qty > 100 {
			return errs.Field(fmt.Sprintf("bundle.components[%d].qty", i), "must be 1..100")
		}
		units += c.Qty
		for _, s := range c.SKUs {
			if j, ok := seen[s]; ok {
				return errs.Field(fmt.Sprintf("bundle.components[%d].skus", i), "%q is already in component %d", s, j)
			}
			seen[s] = i
		}
	}
	if units < 2 {
		return errs.Field("bundle.components", "a bundle needs at least two units")
	}
	if !money.InRange(b.Price) {
		return errs.Field("bundle.price", "must be 0..%d fen", MaxAmount)
	}
	if b.Max < 0 {
		return errs.Field("bundle.max", "must not be negative")
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Allocation is part of a discount (or of a basis) on one line, for one promotion.
type Allocation struct {
	PromotionID string `json:"promotion_id,omitempty"`
	LineID      string `json:"line_id,omitempty"`
	Amount      int64  `json:"amount"`
}

// LineResult is a priced line: Net = Amount - Discount, and Discount is the sum of
// Allocations. A gift line has Gift set, zero amount and GiftOf naming its promotion.
type LineResult struct {
	Line
	Amount      int64        `json:"amount"`
	Discount    int64        `json:"discount"`
	Net         int64        `json:"net"`
	Gift        bool         `json:"gift,omitempty"`
	GiftOf      string       `json:"gift_of,omitempty"`
	Allocations []Allocation `json:"allocations,omitempty"`
}

// Applied explains one applied promotion: its discount, the lines it went to (summing
// exactly to Discount) and the line amounts it was computed on (Basis). Promotion is
// the definition (shared with the Index: read it, do not modify it), so that a return
// quote can be computed from the Result.
type Applied struct {
	PromotionID string       `json:"promotion_id"`
	Name        string       `json:"name,omitempty"`
	Kind        Kind         `json:"kind"`
	Level       Level        `json:"level"`
	Discount    int64        `json:"discount"`
	Lines       []Allocation `json:"lines"`
	Basis       []Allocation `json:"basis"`
	GiftLineID  string       `json:"gift_line_id,omitempty"`
	// FlashUnits is the number of units sold at a flash-sale or special price
	// (flash_sale, special_price), what the service records against the customer's
	// unit limit when the order commits.
	FlashUnits int64      `json:"flash_units,omitempty"`
	Message    string     `json:"message"`
	Promotion  *Promotion `json:"promotion"`
}

// Code says why a candidate promotion did not apply.
type Code string

// The explanation codes.
const (
	CodeNotInScope         Code = "not_in_scope"
	CodeConditionFailed    Code = "condition_failed"
	CodeExcludedByStacking Code = "excluded_by_stacking"
	CodeThresholdNotMet    Code = "threshold_not_met"
	CodeQuantityNotMet     Code = "quantity_not_met"
	CodeNoDiscount         Code = "no_discount"
	CodeInvalidDefinition  Code = "invalid_definition"
	CodeNotEvaluated       Code = "not_evaluated" // the bounded search stopped first
	CodeLimitReached       Code = "limit_reached" // no flash-sale units left for this customer, or Context.Limited
)

// Explanation says why a promotion did not apply: Condition names the failed condition
// (condition_failed), WinnerID the promotion it lost to (excluded_by_stacking, the
// message naming both by name and code, which side refused and why) and
// Missing the spend in fen or units still missing (threshold_not_met,
// quantity_not_met).
type Explanation struct {
	PromotionID string `json:"promotion_id"`
	Code        Code   `json:"code"`
	Condition   string `json:"condition,omitempty"`
	WinnerID    string `json:"winner_id,omitempty"`
	// RefusedBy says, for excluded_by_stacking, which side's rule kept the two apart:
	// "this" (the refused promotion's), "winner" or "both".
	RefusedBy string `json:"refused_by,omitempty"`
	Missing   int64  `json:"missing,omitempty"`
	Message   string `json:"message"`
}

// Hint is a shopper nudge: spend Missing fen more (on the promotion's scope) to save
// Save more, or to get a gift.
type Hint struct {
	PromotionID string `json:"promotion_id"`
	Missing     int64  `json:"missing"`
	Save        int64  `json:"save,omitempty"`
	Message     string `json:"message"`
}

// Result is a priced cart. Total = Subtotal - Discount = sum of line Nets.
type Result struct {
	Lines    []LineResult  `json:"lines"`
	Subtotal int64         `json:"subtotal"`
	Discount int64         `json:"discount"`
	Total    int64         `json:"total"`
	Applied  []Applied     `json:"applied"`
	Rejected []Explanation `json:"rejected"`
	Hints    []Hint        `json:"hints"`
	// Combinations is how many combinations the stacking search evaluated; Truncated
	// says it stopped at Context.MaxCombinations; Decomposed says the combinations did
	// not fit that bound, so the search chose independently per group of lines that
	// share no promotion (exact, except that it does not give up item discounts to
	// reach an order-level threshold).
	Combinations int  `json:"combinations"`
	Truncated    bool `json:"truncated"`
	Decomposed   bool `json:"decomposed"`
	// The delivery fee, apart from the goods: Subtotal, Discount and Total cover goods
	// only. DeliveryNet = DeliveryFee - DeliveryDiscount; Payable = Total + DeliveryNet.
	// Delivery explains the applied delivery-fee promotion (nil when none applied);
	// the other delivery-fee candidates are in Rejected.
	DeliveryFee      int64           `json:"delivery_fee"`
	DeliveryDiscount int64           `json:"delivery_discount"`
	DeliveryNet      int64           `json:"delivery_net"`
	Payable          int64           `json:"payable"`
	Delivery         *DeliveryResult `json:"delivery,omitempty"`
}

// DeliveryResult explains the delivery-fee promotion that applied: Spend is the scoped
// goods amount after every goods discount that met its threshold.
type DeliveryResult struct {
	PromotionID string `json:"promotion_id"`
	Name        string `json:"name,omitempty"`
	Spend       int64  `json:"spend"`
	Discount    int64  `json:"discount"`
	Message     string `json:"message"`
}
