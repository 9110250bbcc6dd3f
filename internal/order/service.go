package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Pricer is what the order center needs of the promotion engine: the server's price
// of a cart and the redemptions of an order, inside the order's transaction.
type Pricer interface {
	PriceOrder(ctx context.Context, tenantID string, cart engine.Cart, pc engine.Context, customerID string) (promotion.PricedCart, error)
	RedeemTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, priced promotion.PricedCart) (promotion.Redemption, error)
	StageRedeemTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string, priced promotion.PricedCart) (func() (promotion.Redemption, error), error)
	CancelRedemptionTx(ctx context.Context, tx *sql.Tx, tenantID, orderID string) (promotion.Redemption, error)
	QuoteOrderReturn(ctx context.Context, q db.Querier, tenantID, orderID string, returned map[string]int64) (engine.Quote, error)
}

// Stock is what the order center needs of inventory, inside the order's transaction.
type Stock interface {
	ReserveTx(ctx context.Context, tx *sql.Tx, req inventory.ReserveRequest) (inventory.Reservation, error)
	SettleTx(ctx context.Context, tx *sql.Tx, reference string, to inventory.ReservationStatus, reason string) (inventory.Reservation, error)
	ApplyTx(ctx context.Context, tx *sql.Tx, c inventory.Change) (inventory.Balance, error)
	ApplyAllTx(ctx context.Context, tx *sql.Tx, changes []inventory.Change) ([]error, error)
	FindLocationOfStore(ctx context.Context, storeID string) (inventory.Location, error)
	Availability(ctx context.Context, skuIDs []string) ([]inventory.LocationStock, error)
	FindLocationByID(ctx context.Context, id string) (inventory.Location, error)
}

// Catalog is what the order center needs of the catalogue: SKUs as a store sells them.
type Catalog interface {
	SaleItems(ctx context.Context, storeID string, skuIDs []string) (map[string]catalog.SaleItem, error)
	SKUIDsByCode(ctx context.Context, codes []string) (map[string]string, error)
}

// Buyers is what the order center needs of One ID: the customer an order's
// identifiers belong to.
type Buyers interface {
	ResolveBuyer(ctx context.Context, ids []identity.BuyerIdentifier, field string) (string, error)
}

// Stores is what the order center needs of the organisation: whether a store is in
// the caller's data scope, which stores are, and a store's time zone.
type Stores interface {
	StoreExists(ctx context.Context, storeID string) error
	ScopeStoreIDs(ctx context.Context) ([]string, error)
	StoreTimeZone(ctx context.Context, storeID string) (string, error)
	StoreIDByCode(ctx context.Context, code string) (string, error)
	StorePlace(ctx context.Context, storeID string) (StorePlace, error)
}

// Compile-time checks that the domains provide what the order center declares.
var (
	_ Pricer  = (*promotion.Service)(nil)
	_ Stock   = (*inventory.Service)(nil)
	_ Catalog = (*catalog.Service)(nil)
	_ Buyers  = (*identity.Service)(nil)
)

// Config is the order center's settings.
type Config struct {
	// ReservationTTL is how long an unpaid online order holds its stock (default 15 min).
	ReservationTTL time.Duration
	// DeliveryFeeFen and ShipFeeFen are the delivery charges before delivery-fee
	// promotions (defaults ¥6 and ¥10); pickup and in-store orders pay none.
	DeliveryFeeFen int64
	ShipFeeFen     int64
	// ComplaintResponse is the deadline to answer a complaint (default 24 h).
	ComplaintResponse time.Duration
}

func (c Config) withDefaults() Config {
	if c.ReservationTTL <= 0 {
		c.ReservationTTL = 15 * time.Minute
	}
	if c.DeliveryFeeFen == 0 {
		c.DeliveryFeeFen = 600
	}
	if c.ShipFeeFen == 0 {
		c.ShipFeeFen = 1000
	}
	if c.ComplaintResponse <= 0 {
		c.ComplaintResponse = DefaultResponseTime
	}
	return c
}

// Deps are the domains the order center calls.
type Deps struct {
	Pricer  Pricer
	Stock   Stock
	Catalog Catalog
	Buyers  Buyers
	Stores  Stores
	// StoredValue is set by UseStoredValue (stored_value.go).
	StoredValue StoredValue
	Coupons     Coupons // optional: customers' coupon codes (internal/order/coupon.go)
}

// Service is the order center: every channel's orders in one model and lifecycle.
// Every method acts for the principal in ctx (its tenant, scopes and data scope).
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	keys   *pii.Keys
	deps   Deps
	cfg    Config
}

// NewService returns the order center.
func NewService(d *db.DB, outbox *events.Outbox, a *audit.Log, c clock.Clock, keys *pii.Keys, deps Deps, cfg Config) *Service {
	return &Service{db: d, outbox: outbox, audit: a, clock: c, keys: keys, deps: deps, cfg: cfg.withDefaults()}
}

func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

// internal returns ctx acting for the order center inside the caller's tenant: the
// order center has checked the caller's right to the order (orders:write and its
// data scope) and now reserves stock and redeems promotions for the whole chain,
// which those domains grant only tenant-wide. The caller's id stays on the ledger.
func internal(ctx context.Context, p *auth.Principal) context.Context {
	in := *p
	in.Scopes = []auth.Scope{auth.InventoryRead, auth.InventoryWrite, auth.PricingUse, auth.OrgRead}
	in.DataScope, in.DataID = auth.TenantScope, ""
	return auth.WithPrincipal(ctx, &in)
}

// writer returns the caller when it holds orders:write.
func writer(ctx context.Context) (*auth.Principal, error) { return auth.Require(ctx, auth.OrdersWrite) }

// NewLine is one line an order asks for: a SKU and a quantity (units, or grams for a
// weighed SKU). The price is the server's.
type NewLine struct {
	ID    string // optional; L1, L2, … when empty
	SKUID string
	Qty   int64
}

// NewOrder is an online order of the platform's own channels, priced by the server.
type NewOrder struct {
	Channel     Channel
	ExternalRef string // the client's order reference: placing it again returns the order
	StoreID     string
	Fulfilment  Fulfilment
	CustomerID  string
	Buyer       []BuyerIdentifier
	Lines       []NewLine
	Receiver    *Receiver
	Coupons     []string
	// DeliveryMethod names the delivery service for delivery-fee promotions.
	DeliveryMethod string
	PaymentMethod  string
	// ExpectedPayableFen, when set, is what the shopper was shown: an order the server
	// prices otherwise is refused with the server's figure (price_mismatch).
	ExpectedPayableFen *int64
	// DeviceID and PaymentAccount, with the receiver's phone and address, are checked
	// against the coupon velocity rules of the coupons the order uses; not stored.
	DeviceID       string
	PaymentAccount string
}

func (n NewOrder) validate() error {
	if !n.Channel.Online() {
		return errs.Field("body.channel", "an online order comes from mini_program, app or web; till tickets go to POST /api/v1/pos-tickets")
	}
	switch n.Fulfilment {
	case FulfilPickup, FulfilShip:
	case FulfilDelivery:
		if n.Receiver == nil || n.Receiver.Address == "" || n.Receiver.Phone == "" {
			return errs.Field("body.receiver", "a delivery needs the receiver's name, phone and address")
		}
	default:
		return errs.Field("body.fulfilment", "must be pickup, delivery or ship")
	}
	if n.StoreID == "" {
		return errs.Field("body.store_id", "required: the store the order is placed with")
	}
	if len(n.ExternalRef) > 64 {
		return errs.Field("body.external_ref", "at most 64 bytes")
	}
	if err := validLines(n.Lines); err != nil {
		return err
	}
	return validReceiver(n.Receiver)
}

func validLines(lines []NewLine) error {
	if len(lines) == 0 || len(lines) > MaxLines {
		return errs.Field("body.lines", "1 to %d lines", MaxLines)
	}
	seen := map[string]bool{}
	for i, l := range lines {
		switch {
		case l.SKUID == "":
			return errs.Field(fmt.Sprintf("body.lines[%d].sku_id", i), "required")
		case l.Qty < 1 || l.Qty > inventory.MaxQty:
			return errs.Field(fmt.Sprintf("body.lines[%d].qty", i), "must be 1..%d (units, or grams for a weighed SKU)", inventory.MaxQty)
		case l.ID != "" && seen[l.ID]:
			return errs.Field(fmt.Sprintf("body.lines[%d].id", i), "duplicate line id %q", l.ID)
		case len(l.ID) > 32:
			return errs.Field(fmt.Sprintf("body.lines[%d].id", i), "at most 32 bytes")
		}
		seen[l.ID] = true
	}
	return nil
}

func validReceiver(r *Receiver) error {
	if r == nil {
		return nil
	}
	switch {
	case len(r.Name) > 100:
		return errs.Field("body.receiver.name", "at most 100 bytes")
	case len(r.Phone) > 32:
		return errs.Field("body.receiver.phone", "at most 32 bytes")
	case len(r.Address) > 500:
		return errs.Field("body.receiver.address", "at most 500 bytes")
	case r.Lat < -90 || r.Lat > 90:
		return errs.Field("body.receiver.lat", "must be -90..90")
	case r.Lng < -180 || r.Lng > 180:
		return errs.Field("body.receiver.lng", "must be -180..180")
	}
	return nil
}

// CreateOrder places an online order: the server prices it with the promotion
// engine at its store, time and customer; its stock is reserved at the store's
// location until it is paid (or the reservation expires); its promotions are
// redeemed; order, reservation, redemptions and the order.created event commit in
// one transaction. Placing the same ExternalRef again returns the first order.
// Errors: invalid (naming the field), not_found (store outside the caller's scope),
// insufficient (stock), conflict (*promotion.LimitError: price_mismatch, a promotion limit),
// unauthorized, forbidden.
func (s *Service) CreateOrder(ctx context.Context, n NewOrder) (Order, error) {
	p, err := writer(ctx)
	if err != nil {
		return Order{}, err
	}
	if err := n.validate(); err != nil {
		return Order{}, err
	}
	if o, err := s.replay(ctx, p, n.Channel, n.ExternalRef); err == nil || !errs.Is(err, errs.NotFound) {
		return o, err
	}
	sale, err := s.prepare(ctx, p, n.StoreID, n.CustomerID, n.Buyer, n.Lines)
	if err != nil {
		return Order{}, err
	}
	cart := sale.cart
	cart.DeliveryMethod = n.DeliveryMethod
	switch n.Fulfilment {
	case FulfilDelivery:
		cart.DeliveryFee = s.cfg.DeliveryFeeFen
	case FulfilShip:
		cart.DeliveryFee = s.cfg.ShipFeeFen
	}
	pc := engine.Context{Time: s.now(), Location: sale.zone, Channel: string(n.Channel), StoreID: n.StoreID,
		Coupons: n.Coupons, PaymentMethod: n.PaymentMethod}
	in := internal(ctx, p)
	held, err := s.presentCoupons(in, p.TenantID, sale.customerID, &pc)
	if err != nil {
		return Order{}, err
	}
	loc, err := s.deps.Stock.FindLocationOfStore(in, n.StoreID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Order{}, fmt.Errorf("order: create: %w", err)
	}
	for attempt := 0; ; attempt++ {
		priced, err := s.deps.Pricer.PriceOrder(in, p.TenantID, cart, pc, sale.customerID)
		if err != nil {
			return Order{}, err
		}
		if n.ExpectedPayableFen != nil && *n.ExpectedPayableFen != priced.Payable {
			payable := priced.Payable
			return Order{}, &promotion.LimitError{Kind: promotion.RefusedMismatch, Field: "body.expected_payable_fen", Payable: &payable,
				Message: fmt.Sprintf("the shopper was shown %s but the server prices the order at %s; show the new price and place the order again",
					engine.Yuan(*n.ExpectedPayableFen), engine.Yuan(payable))}
		}
		o := s.newOrder(p, sale, priced, n.Channel, n.ExternalRef, n.StoreID, n.Fulfilment, StatusCreated, loc.ID)
		o.Buyer, o.Receiver = n.Buyer, n.Receiver
		where, err := s.route(in, n, o.Lines, loc.ID, priced.At)
		if err != nil {
			return Order{}, err
		}
		o.Lines, o.Routing = withLocations(o.Lines, where.lineLocation), where.decision
		err = s.withRetry(ctx, func(tx *sql.Tx) error {
			o.Timeline = nil
			if err := s.insertOrder(ctx, tx, &o, p.ID, where.reserve); err != nil {
				return err
			}
			// Rows no other order touches first, the locks other orders wait for last:
			// a balance and, most contended, a popular promotion's usage row are
			// locked from their UPDATE to the commit. So the event, the coupons and
			// the redemption's rows go first, then the reservation (its UPDATEs last),
			// then the promotions' usage.
			if err := s.publish(ctx, tx, o, EventCreated, ""); err != nil {
				return err
			}
			if err := s.lockCouponsTx(ctx, tx, p.TenantID, o.ID, held, priced, n.couponSignals()); err != nil {
				return err
			}
			redeem, err := s.deps.Pricer.StageRedeemTx(in, tx, p.TenantID, o.ID, priced)
			if err != nil {
				return err
			}
			if len(where.reserve) > 0 {
				if _, err := s.deps.Stock.ReserveTx(in, tx, inventory.ReserveRequest{Reference: o.ID, Lines: where.reserve, TTL: s.cfg.ReservationTTL, Channel: string(o.Channel)}); err != nil {
					return err
				}
			}
			_, err = redeem()
			return err
		})
		if limitReached(err, &pc) && attempt < 8 {
			continue // priced again without the promotion that ran out meanwhile
		}
		if errors.Is(err, errDuplicate) {
			return s.replay(ctx, p, n.Channel, n.ExternalRef)
		}
		if err != nil {
			return Order{}, fmt.Errorf("order: create: %w", err)
		}
		return o, nil
	}
}

// limitReached reports whether err is a promotion that reached a limit (or stopped)
// between pricing and redeeming, and marks it in pc so that pricing again leaves it
// out: the server's price is then the price without it.
func limitReached(err error, pc *engine.Context) bool {
	var limit *promotion.LimitError
	if !errors.As(err, &limit) || limit.PromotionID == "" {
		return false
	}
	if pc.Limited == nil {
		pc.Limited = map[string]string{}
	}
	pc.Limited[limit.PromotionID] = limit.Message
	return true
}

// errDuplicate says that another call stored the order's external reference first.
var errDuplicate = errors.New("order: external reference already stored")

// withRetry runs fn in a transaction, again when a promotion's limits changed
// while it ran (the promotion service asks for it) — up to eight times.
func (s *Service) withRetry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.db.Tx(ctx, fn)
		if errors.Is(err, promotion.ErrLimitsChanged) && attempt < 8 {
			continue
		}
		return err
	}
}

// replay returns the order a channel stored under ref before (errs.NotFound when
// none, or when ref is empty).
func (s *Service) replay(ctx context.Context, p *auth.Principal, ch Channel, ref string) (Order, error) {
	if ref == "" {
		return Order{}, errs.E(errs.NotFound, "no reference")
	}
	id, err := orderIDByRef(ctx, s.db.Reader(), p.TenantID, ch, ref)
	if err != nil {
		return Order{}, err
	}
	return s.FindOrderByID(ctx, id)
}

// sale is an order's lines made ready for pricing: the cart at the store's prices,
// the items, the customer and the store's time zone.
type sale struct {
	cart       engine.Cart
	items      map[string]catalog.SaleItem
	customerID string
	zone       *time.Location
	zoneName   string
}

// prepare checks the store against the caller's scope, reads the SKUs at the
// store's prices, resolves the buyer and the store's time zone.
func (s *Service) prepare(ctx context.Context, p *auth.Principal, storeID, customerID string, buyer []BuyerIdentifier, lines []NewLine) (sale, error) {
	var out sale
	if err := s.deps.Stores.StoreExists(ctx, storeID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return out, errs.E(errs.NotFound, "store %s not found", storeID)
		}
		return out, fmt.Errorf("order: %w", err)
	}
	in := internal(ctx, p)
	skuIDs := make([]string, len(lines))
	for i, l := range lines {
		skuIDs[i] = l.SKUID
	}
	items, err := s.deps.Catalog.SaleItems(in, storeID, skuIDs)
	if err != nil {
		return out, fmt.Errorf("order: %w", err)
	}
	out.items = items
	if out.cart, err = cartOf(lines, items); err != nil {
		return out, err
	}
	if out.customerID, err = s.buyerOf(in, customerID, buyer); err != nil {
		return out, err
	}
	out.zoneName, err = s.deps.Stores.StoreTimeZone(in, storeID)
	if err != nil {
		return out, fmt.Errorf("order: %w", err)
	}
	if out.zone, err = time.LoadLocation(out.zoneName); err != nil || out.zoneName == "" {
		out.zone, out.zoneName = time.UTC, "UTC"
	}
	return out, nil
}

// cartOf is lines as a cart at the store's prices (items, by SKU id). Errors: invalid
// (a SKU unknown, not active, too many units), naming the line.
func cartOf(lines []NewLine, items map[string]catalog.SaleItem) (engine.Cart, error) {
	var cart engine.Cart
	for i, l := range lines {
		it, ok := items[l.SKUID]
		switch {
		case !ok:
			return cart, errs.Field(fmt.Sprintf("body.lines[%d].sku_id", i), "no SKU %s in this tenant", l.SKUID)
		case it.Status != catalog.StatusActive:
			return cart, errs.Field(fmt.Sprintf("body.lines[%d].sku_id", i), "SKU %s is %s and cannot be sold", it.Code, it.Status)
		case it.Unit == catalog.UnitEach && l.Qty > engine.MaxQtyEach:
			return cart, errs.Field(fmt.Sprintf("body.lines[%d].qty", i), "at most %d units", engine.MaxQtyEach)
		}
		id := l.ID
		if id == "" {
			id = fmt.Sprintf("L%d", i+1)
		}
		unit := engine.UnitEach
		if it.Unit == catalog.UnitWeight {
			unit = engine.UnitWeight
		}
		cart.Lines = append(cart.Lines, engine.Line{ID: id, SKU: l.SKUID, Category: it.CategoryID, Brand: it.Brand, Unit: unit, Qty: l.Qty, UnitPrice: it.PriceFen})
	}
	if err := cart.Validate(); err != nil {
		return cart, prefixed(err)
	}
	return cart, nil
}

// buyerOf is the order's customer: customerID, else the customer One ID finds for
// the buyer's identifiers (none for a walk-in).
func (s *Service) buyerOf(in context.Context, customerID string, buyer []BuyerIdentifier) (string, error) {
	if customerID != "" || len(buyer) == 0 {
		return customerID, nil
	}
	bids := make([]identity.BuyerIdentifier, len(buyer))
	for i, b := range buyer {
		bids[i] = identity.BuyerIdentifier{Type: b.Type, Value: b.Value}
	}
	return s.deps.Buyers.ResolveBuyer(in, bids, "body.buyer")
}

// prefixed puts an engine's field under body.
func prefixed(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" && !strings.HasPrefix(e.Field, "body.") {
		return errs.Field("body."+e.Field, "%s", e.Message)
	}
	return err
}

// newOrder makes the order priced as priced: its lines are the priced cart's (gift
// lines included), each fulfilled from locationID.
func (s *Service) newOrder(p *auth.Principal, sl sale, priced promotion.PricedCart, ch Channel, ref, storeID string, f Fulfilment, st Status, locationID string) Order {
	now := s.now()
	id := ids.New()
	o := Order{ID: id, TenantID: p.TenantID, Channel: ch, ExternalRef: ref, StoreID: storeID, CustomerID: priced.CustomerID,
		Status: st, Fulfilment: f, TimeZone: sl.zoneName, Currency: "CNY", PlacedAt: priced.At, CreatedAt: now, UpdatedAt: now,
		Money: Totals{SubtotalFen: priced.Subtotal, DiscountFen: priced.Discount, DeliveryFeeFen: priced.DeliveryFee,
			DeliveryDiscountFen: priced.DeliveryDiscount, PayableFen: priced.Payable}}
	o.Number = orderNumber(priced.At.In(sl.zone), id)
	shares := map[string][]Share{}
	for _, pp := range priced.Promotions {
		for _, sh := range pp.Shares {
			if sh.Discount != 0 {
				shares[sh.LineID] = append(shares[sh.LineID], Share{PromotionID: pp.PromotionID, DiscountFen: sh.Discount})
			}
		}
	}
	for _, l := range priced.Lines {
		it := sl.items[l.SKU]
		o.Lines = append(o.Lines, Line{ID: l.ID, SKUID: l.SKU, SKUCode: it.Code, Name: it.Name, Unit: string(l.Unit), Qty: l.Qty,
			UnitPriceFen: l.UnitPrice, AmountFen: l.Amount, DiscountFen: l.Amount - l.Net, NetFen: l.Net, GiftOf: l.GiftOf,
			LocationID: locationID, Shares: shares[l.ID]})
	}
	return o
}

// orderNumber is a human order number: the local date and the id's last eight hex
// digits (random in a v7 id), e.g. 20261207-3F9A1C2B.
func orderNumber(local time.Time, id string) string {
	return local.Format("20060102") + "-" + strings.ToUpper(id[len(id)-8:])
}

// stockLines are the order's lines as stock: units per location and SKU (inventory
// sums lines of the same SKU before it checks).
func stockLines(lines []Line) []inventory.Line {
	var out []inventory.Line
	for _, l := range lines {
		if l.LocationID != "" {
			out = append(out, inventory.Line{LocationID: l.LocationID, SKUID: l.SKUID, Qty: l.Qty})
		}
	}
	return out
}

// insertOrder stores a new order with its lines, shares, payments, first timeline
// entry and one shipment per location of reserved (its stock). A duplicate
// external reference is errDuplicate.
func (s *Service) insertOrder(ctx context.Context, tx *sql.Tx, o *Order, actor string, reserved []inventory.Line) error {
	buyer, receiver, err := s.seal(o)
	if err != nil {
		return err
	}
	// A new order's timeline is empty: its first entry is 1 without counting the rows.
	e := TimelineEntry{Seq: 1, At: s.now(), Kind: "created", To: o.Status, Actor: actor}
	if s.db.Dialect == db.Postgres {
		err = insertNewOrder(ctx, tx, *o, buyer, receiver, e, shipmentLocations(reserved))
	} else {
		err = insertOrderRow(ctx, tx, *o, buyer, receiver)
	}
	if db.IsUniqueViolation(err) {
		return errDuplicate
	}
	if err != nil {
		return err
	}
	if s.db.Dialect != db.Postgres {
		if err := insertLines(ctx, tx, s.db.Dialect, *o); err != nil {
			return err
		}
		if err := insertTimeline(ctx, tx, o.TenantID, o.ID, e); err != nil {
			return err
		}
		if err := insertShipments(ctx, tx, *o, reserved); err != nil {
			return err
		}
	}
	for i := range o.Payments {
		o.Payments[i].Seq = i + 1
		if err := insertPayment(ctx, tx, o.TenantID, o.ID, o.Payments[i]); err != nil {
			return err
		}
	}
	o.Timeline = []TimelineEntry{e}
	return nil
}

// addTimeline appends an entry to the order's timeline.
func (s *Service) addTimeline(ctx context.Context, tx *sql.Tx, o *Order, e TimelineEntry) error {
	e.Seq, e.At = len(o.Timeline)+1, s.now()
	if len(o.Timeline) == 0 {
		n, err := timelineLength(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		e.Seq = n + 1
	}
	if err := insertTimeline(ctx, tx, o.TenantID, o.ID, e); err != nil {
		return err
	}
	o.Timeline = append(o.Timeline, e)
	return nil
}

// Sealing contexts of an order's personal data.
const (
	sealBuyer    = "orders.buyer"
	sealReceiver = "orders.receiver"
)

// seal seals the order's buyer identifiers and receiver.
func (s *Service) seal(o *Order) (string, string, error) {
	var buyer, receiver string
	if len(o.Buyer) > 0 {
		b, err := json.Marshal(o.Buyer)
		if err != nil {
			return "", "", fmt.Errorf("seal buyer: %w", err)
		}
		buyer = s.keys.Seal(string(b), sealBuyer)
	}
	if o.Receiver != nil {
		b, err := json.Marshal(o.Receiver)
		if err != nil {
			return "", "", fmt.Errorf("seal receiver: %w", err)
		}
		receiver = s.keys.Seal(string(b), sealReceiver)
	}
	return buyer, receiver, nil
}

// open opens the order's personal data, masked unless p holds customers:pii.
func (s *Service) open(p *auth.Principal, o *Order, buyer, receiver string) error {
	full := p.Has(auth.CustomersPII)
	if buyer != "" {
		plain, err := s.keys.Open(buyer, sealBuyer)
		if err != nil {
			return fmt.Errorf("open buyer: %w", err)
		}
		if err := json.Unmarshal([]byte(plain), &o.Buyer); err != nil {
			return fmt.Errorf("open buyer: %w", err)
		}
		if !full {
			for i := range o.Buyer {
				o.Buyer[i].Value = pii.MaskValue(o.Buyer[i].Value)
			}
		}
	}
	if receiver != "" {
		plain, err := s.keys.Open(receiver, sealReceiver)
		if err != nil {
			return fmt.Errorf("open receiver: %w", err)
		}
		var r Receiver
		if err := json.Unmarshal([]byte(plain), &r); err != nil {
			return fmt.Errorf("open receiver: %w", err)
		}
		if !full {
			r = Receiver{Name: pii.MaskName(r.Name), Phone: pii.MaskPhone(r.Phone), Address: pii.MaskAddress(r.Address)}
		}
		o.Receiver = &r
	}
	return nil
}
