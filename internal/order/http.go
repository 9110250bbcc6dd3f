package order

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/promotion"
)

const orderTag = "Orders"

// OrderTotals are an order's money as the server priced it, in fen.
type OrderTotals struct {
	SubtotalFen         int64 `json:"subtotal_fen"`
	DiscountFen         int64 `json:"discount_fen"`
	DeliveryFeeFen      int64 `json:"delivery_fee_fen"`
	DeliveryDiscountFen int64 `json:"delivery_discount_fen"`
	PayableFen          int64 `json:"payable_fen"`
}

// OrderSummary is an order in a list.
type OrderSummary struct {
	ID          string      `json:"id"`
	Number      string      `json:"number"`
	Channel     string      `json:"channel" enum:"pos,mini_program,app,web,meituan,eleme,marketplace"`
	ExternalRef string      `json:"external_ref,omitempty"`
	StoreID     string      `json:"store_id,omitempty"`
	CustomerID  string      `json:"customer_id,omitempty"`
	Status      string      `json:"status" enum:"created,paid,allocated,picking,ready,out_for_delivery,completed,cancelled"`
	Fulfilment  string      `json:"fulfilment" enum:"in_store,pickup,delivery,ship"`
	TimeZone    string      `json:"time_zone" doc:"The store's IANA time zone: show local times in it."`
	Currency    string      `json:"currency"`
	Totals      OrderTotals `json:"totals"`
	PaidFen     int64       `json:"paid_fen"`
	RefundedFen int64       `json:"refunded_fen"`
	Version     int64       `json:"version" doc:"How many changes (returns, short picks, cancellation refunds) were confirmed."`
	PlacedAt    time.Time   `json:"placed_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

func orderSummary(o Order) OrderSummary {
	m := o.Money
	return OrderSummary{ID: o.ID, Number: o.Number, Channel: string(o.Channel), ExternalRef: o.ExternalRef, StoreID: o.StoreID,
		CustomerID: o.CustomerID, Status: string(o.Status), Fulfilment: string(o.Fulfilment), TimeZone: o.TimeZone, Currency: o.Currency,
		Totals: OrderTotals{SubtotalFen: m.SubtotalFen, DiscountFen: m.DiscountFen, DeliveryFeeFen: m.DeliveryFeeFen,
			DeliveryDiscountFen: m.DeliveryDiscountFen, PayableFen: m.PayableFen},
		PaidFen: o.PaidFen, RefundedFen: o.RefundedFen, Version: o.Version, PlacedAt: o.PlacedAt, UpdatedAt: o.UpdatedAt}
}

// OrderLine is an order line as sold, with each promotion's frozen share.
type OrderLine struct {
	ID           string `json:"id"`
	SKUID        string `json:"sku_id"`
	SKUCode      string `json:"sku_code"`
	Name         string `json:"name"`
	Unit         string `json:"unit" enum:"each,weight" doc:"weight: qty is grams."`
	Qty          int64  `json:"qty"`
	UnitPriceFen int64  `json:"unit_price_fen" doc:"The store's price (per kg for weighed goods)."`
	AmountFen    int64  `json:"amount_fen"`
	DiscountFen  int64  `json:"discount_fen"`
	NetFen       int64  `json:"net_fen"`
	GiftOf       string `json:"gift_of,omitempty"`
	LocationID   string `json:"location_id,omitempty" doc:"The stock location the line is fulfilled from."`
	ReturnedQty  int64  `json:"returned_qty"`
	// Substitutions while picking.
	SubstitutedQty int64            `json:"substituted_qty" doc:"Units (grams) a picker replaced with another SKU: not picked, not returnable."`
	SubstituteFor  string           `json:"substitute_for,omitempty" doc:"The line this substitute replaces; its net is what the customer pays for it, never more than the replaced units' net."`
	ExchangeFor    string           `json:"exchange_for,omitempty" doc:"The returned line an exchange added this one for; its net is the store's price of it."`
	Shares         []OrderLineShare `json:"shares" nullable:"false"`
}

// OrderLineShare is one promotion's part of a line's discount.
type OrderLineShare struct {
	PromotionID string `json:"promotion_id"`
	DiscountFen int64  `json:"discount_fen"`
}

// OrderPayment is money in (payment) or back (refund).
type OrderPayment struct {
	Seq       int       `json:"seq"`
	Kind      string    `json:"kind" enum:"payment,refund"`
	Method    string    `json:"method"`
	AmountFen int64     `json:"amount_fen"`
	Reference string    `json:"reference,omitempty"`
	ChangeID  string    `json:"change_id,omitempty"`
	At        time.Time `json:"at"`
}

// OrderTimelineEntry is one thing that happened to the order.
type OrderTimelineEntry struct {
	Seq   int       `json:"seq"`
	Kind  string    `json:"kind"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to,omitempty"`
	Note  string    `json:"note,omitempty"`
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"at"`
}

// OrderChange is a change set (return, short pick, cancellation) previewed or confirmed.
type OrderChange struct {
	ID          string       `json:"id,omitempty" doc:"Absent in a preview."`
	Version     int64        `json:"version,omitempty"`
	Kind        string       `json:"kind" enum:"return,short_pick,substitution,cancel,exchange"`
	Reference   string       `json:"reference,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	Lines       []ChangeLine `json:"lines" nullable:"false"`
	RefundFen   int64        `json:"refund_fen"`
	ClawBackFen int64        `json:"claw_back_fen" doc:"Deducted from the refund: threshold discounts the kept lines no longer earn (claw_back policy)."`
	Notes       []string     `json:"notes" nullable:"false"`
	Added       []ChangeItem `json:"added,omitempty" doc:"exchange: the items added, priced by the server at the order's store."`
	DueFen      int64        `json:"due_fen,omitempty" doc:"exchange: what the customer pays on top of the returned units' worth (refund_fen when the shop owes instead)."`
	Actor       string       `json:"actor,omitempty"`
	CreatedAt   *time.Time   `json:"created_at,omitempty"`
}

func orderChange(c Change) OrderChange {
	out := OrderChange{ID: c.ID, Version: c.Version, Kind: string(c.Kind), Reference: c.Reference, Reason: c.Reason, Lines: c.Lines,
		RefundFen: c.RefundFen, ClawBackFen: c.ClawBack, Notes: c.Notes, Added: c.Added, DueFen: c.DueFen, Actor: c.Actor}
	if out.Lines == nil {
		out.Lines = []ChangeLine{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	if !c.CreatedAt.IsZero() {
		at := c.CreatedAt
		out.CreatedAt = &at
	}
	return out
}

// OrderException is a difference the server kept: what the channel stated and what
// the server decided.
type OrderException struct {
	Kind      string    `json:"kind" enum:"price_mismatch,stock_shortfall"`
	StatedFen int64     `json:"stated_fen" doc:"stock_shortfall: the units sold."`
	ServerFen int64     `json:"server_fen"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// OrderComplaint is an after-sales case.
type OrderComplaint struct {
	ID          string    `json:"id"`
	OrderID     string    `json:"order_id"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Status      string    `json:"status" enum:"open,responded,resolved"`
	Resolution  string    `json:"resolution,omitempty"`
	DueAt       time.Time `json:"due_at"`
	Overdue     bool      `json:"overdue"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func orderComplaint(now time.Time) func(Complaint) OrderComplaint {
	return func(c Complaint) OrderComplaint {
		return OrderComplaint{ID: c.ID, OrderID: c.OrderID, Kind: c.Kind, Description: c.Description, Status: string(c.Status),
			Resolution: c.Resolution, DueAt: c.DueAt, Overdue: c.Overdue(now), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	}
}

// OrderBuyerIdentifier is an identifier the buyer came with (masked without customers:pii).
type OrderBuyerIdentifier struct {
	Type  string `json:"type" maxLength:"32" doc:"A One ID identifier type: phone, member_card, wechat_unionid, delivery_user_id, …"`
	Value string `json:"value" maxLength:"200"`
}

// OrderReceiver is who receives a delivery (masked without customers:pii).
type OrderReceiver struct {
	Name    string  `json:"name" maxLength:"100"`
	Phone   string  `json:"phone" maxLength:"32"`
	Address string  `json:"address" maxLength:"500"`
	Lat     float64 `json:"lat,omitempty" minimum:"-90" maximum:"90"`
	Lng     float64 `json:"lng,omitempty" minimum:"-180" maximum:"180"`
}

// OrderDetail is a whole order.
type OrderDetail struct {
	OrderSummary
	Buyer      []OrderBuyerIdentifier `json:"buyer" nullable:"false"`
	Receiver   *OrderReceiver         `json:"receiver,omitempty"`
	Lines      []OrderLine            `json:"lines" nullable:"false"`
	Payments   []OrderPayment         `json:"payments" nullable:"false"`
	Timeline   []OrderTimelineEntry   `json:"timeline" nullable:"false"`
	Changes    []OrderChange          `json:"changes" nullable:"false"`
	Exceptions []OrderException       `json:"exceptions" nullable:"false"`
	Complaints []OrderComplaint       `json:"complaints" nullable:"false"`
	Routing    map[string]any         `json:"routing,omitempty" doc:"Where the order is fulfilled from and why: shipments with their promised windows, and a note on every location considered (docs/routing.md)."`
}

func (s *Service) orderDetail(o Order) OrderDetail {
	out := OrderDetail{OrderSummary: orderSummary(o), Buyer: []OrderBuyerIdentifier{}, Lines: []OrderLine{}, Payments: []OrderPayment{},
		Timeline: []OrderTimelineEntry{}, Changes: []OrderChange{}, Exceptions: []OrderException{}, Complaints: []OrderComplaint{}}
	for _, b := range o.Buyer {
		out.Buyer = append(out.Buyer, OrderBuyerIdentifier(b))
	}
	if r := o.Receiver; r != nil {
		out.Receiver = &OrderReceiver{Name: r.Name, Phone: r.Phone, Address: r.Address, Lat: r.Lat, Lng: r.Lng}
	}
	for _, l := range o.Lines {
		ol := OrderLine{ID: l.ID, SKUID: l.SKUID, SKUCode: l.SKUCode, Name: l.Name, Unit: l.Unit, Qty: l.Qty, UnitPriceFen: l.UnitPriceFen,
			AmountFen: l.AmountFen, DiscountFen: l.DiscountFen, NetFen: l.NetFen, GiftOf: l.GiftOf, LocationID: l.LocationID,
			ReturnedQty: l.ReturnedQty, SubstitutedQty: l.SubstitutedQty, SubstituteFor: l.SubstituteFor, ExchangeFor: l.ExchangeFor, Shares: []OrderLineShare{}}
		for _, sh := range l.Shares {
			ol.Shares = append(ol.Shares, OrderLineShare(sh))
		}
		out.Lines = append(out.Lines, ol)
	}
	for _, p := range o.Payments {
		out.Payments = append(out.Payments, OrderPayment{Seq: p.Seq, Kind: string(p.Kind), Method: p.Method, AmountFen: p.AmountFen,
			Reference: p.Reference, ChangeID: p.ChangeID, At: p.At})
	}
	for _, e := range o.Timeline {
		out.Timeline = append(out.Timeline, OrderTimelineEntry{Seq: e.Seq, Kind: e.Kind, From: string(e.From), To: string(e.To), Note: e.Note, Actor: e.Actor, At: e.At})
	}
	for _, c := range o.Changes {
		out.Changes = append(out.Changes, orderChange(c))
	}
	for _, e := range o.Exceptions {
		out.Exceptions = append(out.Exceptions, OrderException{Kind: string(e.Kind), StatedFen: e.StatedFen, ServerFen: e.ServerFen, Detail: e.Detail, CreatedAt: e.CreatedAt})
	}
	if o.Routing != "" {
		_ = json.Unmarshal([]byte(o.Routing), &out.Routing) // written by this package from a routing.Decision
	}
	conv := orderComplaint(s.now())
	for _, c := range o.Complaints {
		out.Complaints = append(out.Complaints, conv(c))
	}
	return out
}

// OrderLineRequest asks for a SKU; the price is the server's.
type OrderLineRequest struct {
	ID    string `json:"id,omitempty" maxLength:"32" doc:"Your line id; L1, L2, … when absent."`
	SKUID string `json:"sku_id" minLength:"1" maxLength:"64"`
	Qty   int64  `json:"qty" minimum:"1" maximum:"1000000000" doc:"Units, or grams for a weighed SKU."`
}

// OrderCreateRequest places an online order.
type OrderCreateRequest struct {
	Channel            string                 `json:"channel" enum:"mini_program,app,web"`
	ExternalRef        string                 `json:"external_ref,omitempty" maxLength:"64" doc:"Your order reference: placing it again returns the first order."`
	StoreID            string                 `json:"store_id" minLength:"1" maxLength:"64" doc:"The store the order is placed with: its prices, promotions and stock."`
	Fulfilment         string                 `json:"fulfilment" enum:"pickup,delivery,ship"`
	CustomerID         string                 `json:"customer_id,omitempty" maxLength:"64"`
	Buyer              []OrderBuyerIdentifier `json:"buyer,omitempty" maxItems:"10" doc:"Identifiers the buyer came with, tried in order to find their One ID customer (a payment code or member card first)."`
	Lines              []OrderLineRequest     `json:"lines" minItems:"1" maxItems:"200"`
	Receiver           *OrderReceiver         `json:"receiver,omitempty" doc:"Required for delivery."`
	Coupons            []string               `json:"coupons,omitempty" maxItems:"20"`
	DeliveryMethod     string                 `json:"delivery_method,omitempty" maxLength:"64"`
	PaymentMethod      string                 `json:"payment_method,omitempty" maxLength:"32"`
	ExpectedPayableFen *int64                 `json:"expected_payable_fen,omitempty" minimum:"0" doc:"What the shopper was shown: if the server prices otherwise the order is refused (409 price_mismatch, with the server's payable)."`
	DeviceID           string                 `json:"device_id,omitempty" maxLength:"200" doc:"The shopper's device id; with payment_account and the receiver's phone and address, checked against the coupon velocity rules of the coupons used (409 naming the field). Not stored."`
	PaymentAccount     string                 `json:"payment_account,omitempty" maxLength:"200" doc:"The paying account (wallet user id, card token); checked like device_id. Not stored."`
}

// PosTicketPayment is a payment a till took.
type PosTicketPayment struct {
	Method    string `json:"method" minLength:"1" maxLength:"32"`
	AmountFen int64  `json:"amount_fen" minimum:"0"`
	Reference string `json:"reference,omitempty" maxLength:"128"`
}

// PosTicketRequest records a sale that happened at a till or on a platform.
type PosTicketRequest struct {
	Channel          string                 `json:"channel,omitempty" enum:"pos,meituan,eleme,marketplace" default:"pos"`
	ExternalRef      string                 `json:"external_ref" minLength:"1" maxLength:"64" doc:"The ticket number: recording it again returns the first order."`
	StoreID          string                 `json:"store_id" minLength:"1" maxLength:"64"`
	PlacedAt         time.Time              `json:"placed_at" doc:"When the sale happened (RFC 3339); at most 90 days ago."`
	Fulfilment       string                 `json:"fulfilment,omitempty" enum:"in_store,pickup,delivery" default:"in_store"`
	CustomerID       string                 `json:"customer_id,omitempty" maxLength:"64"`
	Buyer            []OrderBuyerIdentifier `json:"buyer,omitempty" maxItems:"10"`
	Lines            []OrderLineRequest     `json:"lines" minItems:"1" maxItems:"200"`
	Coupons          []string               `json:"coupons,omitempty" maxItems:"20"`
	Tier             string                 `json:"tier,omitempty" maxLength:"32" doc:"The member tier the till priced for (member prices); a tier the member does not hold shows as a price difference."`
	StatedPayableFen int64                  `json:"stated_payable_fen" minimum:"0" doc:"What the till charged for the goods; a difference from the server's price is kept as an exception."`
	Payments         []PosTicketPayment     `json:"payments,omitempty" maxItems:"10"`
}

func (r PosTicketRequest) ticket() Ticket {
	t := Ticket{Channel: Channel(r.Channel), ExternalRef: r.ExternalRef, StoreID: r.StoreID, PlacedAt: r.PlacedAt, Fulfilment: Fulfilment(r.Fulfilment),
		CustomerID: r.CustomerID, Buyer: buyerOf(r.Buyer), Lines: linesOf(r.Lines), Coupons: promotion.ClientCoupons(r.Coupons), Tier: r.Tier, StatedPayableFen: r.StatedPayableFen}
	if t.Channel == "" {
		t.Channel = ChannelPOS
	}
	for _, p := range r.Payments {
		t.Payments = append(t.Payments, PaymentRequest(p))
	}
	return t
}

func buyerOf(in []OrderBuyerIdentifier) []BuyerIdentifier {
	var out []BuyerIdentifier
	for _, b := range in {
		out = append(out, BuyerIdentifier(b))
	}
	return out
}

func linesOf(in []OrderLineRequest) []NewLine {
	out := make([]NewLine, len(in))
	for i, l := range in {
		out[i] = NewLine{ID: l.ID, SKUID: l.SKUID, Qty: l.Qty}
	}
	return out
}

// PosTicketBatchRequest uploads a till's tickets.
type PosTicketBatchRequest struct {
	Tickets []PosTicketRequest `json:"tickets" minItems:"1" maxItems:"500"`
}

// PosTicketResult is the outcome of one ticket: the order, or the problem that
// refused it (nothing of it was stored).
type PosTicketResult struct {
	ExternalRef string        `json:"external_ref"`
	Status      int           `json:"status" doc:"201 recorded (or found again), otherwise the problem's status."`
	Order       *OrderSummary `json:"order,omitempty"`
	Problem     any           `json:"problem,omitempty"`
}

// PosTicketBatchResult is a result per ticket, in order.
type PosTicketBatchResult struct {
	Results  []PosTicketResult `json:"results" nullable:"false"`
	Recorded int               `json:"recorded"`
	Refused  int               `json:"refused"`
}

// OrderPaymentRequest pays a created order.
type OrderPaymentRequest struct {
	Method    string `json:"method" minLength:"1" maxLength:"32"`
	AmountFen int64  `json:"amount_fen" minimum:"0" doc:"Must be the order's payable: the server decides the amount."`
	Reference string `json:"reference,omitempty" maxLength:"128" doc:"The payment provider's id: paying again with it changes nothing."`
}

// OrderTransitionRequest moves an order on.
type OrderTransitionRequest struct {
	Action string `json:"action" enum:"allocate,start_picking,ready,dispatch,complete"`
	Note   string `json:"note,omitempty" maxLength:"500"`
}

// OrderCancelRequest cancels an order.
type OrderCancelRequest struct {
	Reason string `json:"reason" minLength:"1" maxLength:"500"`
}

// OrderChangeLineRequest returns, short-picks or substitutes a quantity of a line.
type OrderChangeLineRequest struct {
	LineID          string `json:"line_id" minLength:"1" maxLength:"40"`
	Qty             int64  `json:"qty" minimum:"1" maximum:"1000000000"`
	SubstituteSKUID string `json:"substitute_sku_id,omitempty" maxLength:"64" doc:"substitution: the SKU that replaces the units (priced by the server at the order's store)."`
	SubstituteQty   int64  `json:"substitute_qty,omitempty" minimum:"0" maximum:"1000000000" doc:"substitution: units (grams) of the substitute; absent means the same quantity."`
}

// OrderExchangeItem is an item an exchange adds.
type OrderExchangeItem struct {
	SKUID string `json:"sku_id" minLength:"1" maxLength:"64"`
	Qty   int64  `json:"qty" minimum:"1" maximum:"1000000000" doc:"Units (grams for weighed goods)."`
}

// OrderChangeRequest previews or confirms a return, short pick, substitution or exchange.
type OrderChangeRequest struct {
	Kind      string                   `json:"kind" enum:"return,short_pick,substitution,exchange"`
	Reference string                   `json:"reference,omitempty" maxLength:"64" doc:"Your id for the change: confirming it again returns the first change."`
	Reason    string                   `json:"reason,omitempty" maxLength:"500"`
	Lines     []OrderChangeLineRequest `json:"lines" minItems:"1" maxItems:"200"`
	Restock   bool                     `json:"restock,omitempty" doc:"Put returned goods back on hand where the line was fulfilled from (not for damaged goods)."`
	Items     []OrderExchangeItem      `json:"items,omitempty" maxItems:"200" doc:"exchange: the items given in place of the returned units, priced by the server at the order's store."`
	Payment   *OrderPaymentRequest     `json:"payment,omitempty" doc:"exchange: the payment of what the customer owes (due_fen of the preview); another amount is refused with 409."`
}

func (r OrderChangeRequest) request() ChangeRequest {
	c := ChangeRequest{Kind: ChangeKind(r.Kind), Reference: r.Reference, Reason: r.Reason, Restock: r.Restock}
	for _, it := range r.Items {
		c.Items = append(c.Items, ExchangeItem{SKUID: it.SKUID, Qty: it.Qty})
	}
	if r.Payment != nil {
		c.Payment = &PaymentRequest{Method: r.Payment.Method, AmountFen: r.Payment.AmountFen, Reference: r.Payment.Reference}
	}
	for _, l := range r.Lines {
		c.Lines = append(c.Lines, ChangeRequestLine{LineID: l.LineID, Qty: l.Qty, SubstituteSKUID: l.SubstituteSKUID, SubstituteQty: l.SubstituteQty})
	}
	return c
}

// OrderChangeResult is a confirmed change and the order after it.
type OrderChangeResult struct {
	Change OrderChange `json:"change"`
	Order  OrderDetail `json:"order"`
}

// ComplaintRequest opens an after-sales case.
type ComplaintRequest struct {
	Kind        string `json:"kind" enum:"quality,missing_item,wrong_item,late,damaged,service,other"`
	Description string `json:"description" minLength:"1" maxLength:"2000"`
}

// ComplaintUpdateRequest answers or resolves an after-sales case.
type ComplaintUpdateRequest struct {
	Status     string `json:"status" enum:"responded,resolved"`
	Resolution string `json:"resolution" minLength:"1" maxLength:"2000"`
}

type orderListInput struct {
	httpapi.PageParams
	StoreID    string    `query:"store_id" maxLength:"64"`
	CustomerID string    `query:"customer_id" maxLength:"64"`
	Status     string    `query:"status" enum:"created,paid,allocated,picking,ready,out_for_delivery,completed,cancelled,"`
	Channel    string    `query:"channel" enum:"pos,mini_program,app,web,meituan,eleme,marketplace,"`
	From       time.Time `query:"from" doc:"RFC 3339; placed at or after it."`
	To         time.Time `query:"to" doc:"RFC 3339; placed before it."`
}

// DailySalesRow is one day's orders of one channel.
type DailySalesRow struct {
	Day         string `json:"day" doc:"YYYY-MM-DD in the tenant's time zone (Asia/Shanghai)."`
	Channel     string `json:"channel"`
	Orders      int64  `json:"orders"`
	PayableFen  int64  `json:"payable_fen"`
	RefundedFen int64  `json:"refunded_fen"`
}

// DailySalesResponse is the daily sales of a range.
type DailySalesResponse struct {
	Days []DailySalesRow `json:"days" nullable:"false"`
}

type salesInput struct {
	From    time.Time `query:"from" required:"true" doc:"RFC 3339; placed at or after it."`
	To      time.Time `query:"to" required:"true" doc:"RFC 3339; placed before it (at most three years after from)."`
	StoreID string    `query:"store_id" maxLength:"64"`
}

// PickListLine is a quantity of a SKU to pick for an order line.
type PickListLine struct {
	OrderID     string `json:"order_id"`
	OrderNumber string `json:"order_number"`
	Status      string `json:"status"`
	LineID      string `json:"line_id"`
	SKUID       string `json:"sku_id"`
	SKUCode     string `json:"sku_code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Qty         int64  `json:"qty" doc:"As ordered."`
	ToPick      int64  `json:"to_pick" doc:"Left to pick: the quantity less what was short-picked and substituted."`
	// Substitutions.
	SubstitutedQty int64  `json:"substituted_qty,omitempty" doc:"Units (grams) replaced by a substitute line."`
	SubstituteFor  string `json:"substitute_for,omitempty" doc:"This line is a substitute for that line of the order."`
}

// PickListResponse is what a location has to pick.
type PickListResponse struct {
	Lines  []PickListLine   `json:"lines" nullable:"false"`
	Totals map[string]int64 `json:"totals" doc:"Units (grams for weighed goods) per SKU id."`
}

type pickListInput struct {
	LocationID string `query:"location_id" required:"true" maxLength:"64"`
}

type orderPath struct {
	ID string `path:"id" maxLength:"64"`
}

type orderCreateInput struct{ Body OrderCreateRequest }
type ticketInput struct{ Body PosTicketRequest }
type ticketBatchInput struct{ Body PosTicketBatchRequest }

type payInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body OrderPaymentRequest
}

type transitionInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body OrderTransitionRequest
}

type cancelInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body OrderCancelRequest
}

type changeInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body OrderChangeRequest
}

type complaintInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ComplaintRequest
}

type complaintUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body ComplaintUpdateRequest
}

// problem renders the promotion service's refusals (price_mismatch, budget_exhausted,
// …) as their own problem types, other errors as usual.
func problem(err error) error { return promotion.Problem(err) }

func (s *Service) reply(o Order, err error) (*httpapi.Body[OrderDetail], error) {
	if err != nil {
		return nil, problem(err)
	}
	return &httpapi.Body[OrderDetail]{Body: s.orderDetail(o)}, nil
}

// Register adds the order center's operations to api.
func (s *Service) Register(api huma.API) {
	s.registerOrders(api)
	s.registerLifecycle(api)
	s.registerChanges(api)
	s.registerChannels(api)
	s.registerFulfilment(api)
}

func (s *Service) registerOrders(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-orders", Method: http.MethodGet, Path: "/api/v1/orders",
		Summary: "List orders", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
		Description: "Newest first, inside the caller's data scope (a store manager sees their store's orders), without personal data.",
	}, func(ctx context.Context, in *orderListInput) (*httpapi.Body[httpapi.Page[OrderSummary]], error) {
		return httpapi.ReplyPage(orderSummary)(s.FindOrders(ctx, OrderFilter{StoreID: in.StoreID, CustomerID: in.CustomerID, Status: Status(in.Status),
			Channel: Channel(in.Channel), From: in.From, To: in.To, Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-order-daily-sales", Method: http.MethodGet, Path: "/api/v1/order-daily-sales",
		Summary: "Daily sales by channel", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
		Description: "Orders placed, payable and refunded per local day and channel (cancelled orders left out), inside the caller's data scope.",
	}, func(ctx context.Context, in *salesInput) (*httpapi.Body[DailySalesResponse], error) {
		return httpapi.Reply(func(days []DailySales) DailySalesResponse {
			out := DailySalesResponse{Days: make([]DailySalesRow, len(days))}
			for i, d := range days {
				out.Days[i] = DailySalesRow{Day: d.Day, Channel: string(d.Channel), Orders: d.Orders, PayableFen: d.PayableFen, RefundedFen: d.RefundedFen}
			}
			return out
		})(s.FindDailySales(ctx, SalesFilter{From: in.From, To: in.To, StoreID: in.StoreID}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-pick-list", Method: http.MethodGet, Path: "/api/v1/pick-lists",
		Summary: "What a location has to pick", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
		Description: "Every line fulfilled from the location of orders allocated or being picked, oldest first, and the total per SKU; " +
			"a store principal sees its stores' orders. A line not found on the shelf is recorded as a short pick, or replaced with another SKU by a " +
			"substitution (POST /orders/{id}/changes); substitute lines show the line they replace.",
	}, func(ctx context.Context, in *pickListInput) (*httpapi.Body[PickListResponse], error) {
		return httpapi.Reply(func(pl PickList) PickListResponse {
			// The location id is not echoed: a query value is never repeated unmasked.
			out := PickListResponse{Lines: make([]PickListLine, len(pl.Lines)), Totals: pl.Totals}
			for i, l := range pl.Lines {
				out.Lines[i] = PickListLine{OrderID: l.OrderID, OrderNumber: l.OrderNumber, Status: string(l.Status), LineID: l.LineID,
					SKUID: l.SKUID, SKUCode: l.SKUCode, Name: l.Name, Unit: l.Unit, Qty: l.Qty, ToPick: l.ToPick,
					SubstitutedQty: l.SubstitutedQty, SubstituteFor: l.SubstituteFor}
			}
			return out
		})(s.FindPickList(ctx, in.LocationID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-order", Method: http.MethodPost, Path: "/api/v1/orders", DefaultStatus: http.StatusCreated,
		Summary: "Place an online order", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "The server prices the order (the store's prices, the promotion engine, the customer found from buyer identifiers), " +
			"reserves its stock at the store's location until it is paid (409 insufficient naming the SKU), and redeems its promotions " +
			"(409 budget_exhausted, customer_limit_reached, …); all in one transaction with the order.created event. Placing the same " +
			"external_ref again returns the first order.",
	}, func(ctx context.Context, in *orderCreateInput) (*httpapi.Body[OrderDetail], error) {
		b := in.Body
		n := NewOrder{Channel: Channel(b.Channel), ExternalRef: b.ExternalRef, StoreID: b.StoreID, Fulfilment: Fulfilment(b.Fulfilment),
			CustomerID: b.CustomerID, Buyer: buyerOf(b.Buyer), Lines: linesOf(b.Lines), Coupons: b.Coupons, DeliveryMethod: b.DeliveryMethod,
			PaymentMethod: b.PaymentMethod, ExpectedPayableFen: b.ExpectedPayableFen, DeviceID: b.DeviceID, PaymentAccount: b.PaymentAccount}
		if r := b.Receiver; r != nil {
			n.Receiver = &Receiver{Name: r.Name, Phone: r.Phone, Address: r.Address, Lat: r.Lat, Lng: r.Lng}
		}
		return s.reply(s.CreateOrder(ctx, n))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-order", Method: http.MethodGet, Path: "/api/v1/orders/{id}",
		Summary: "Get an order", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
		Description: "Lines with each promotion's frozen share, payments and refunds, the timeline, changes, exceptions and complaints. " +
			"The receiver and buyer identifiers are masked unless the caller holds customers:pii.",
	}, func(ctx context.Context, in *orderPath) (*httpapi.Body[OrderDetail], error) {
		return s.reply(s.FindOrderByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "record-pos-ticket", Method: http.MethodPost, Path: "/api/v1/pos-tickets", DefaultStatus: http.StatusCreated,
		Summary: "Record a till ticket", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "A sale that happened: stored completed with the server's prices and shares; a stated payable that differs is kept " +
			"as a price_mismatch exception with both figures. Its units leave the store's stock. Recording the same external_ref again " +
			"returns the first order.",
	}, func(ctx context.Context, in *ticketInput) (*httpapi.Body[OrderDetail], error) {
		return s.reply(s.RecordTicket(ctx, in.Body.ticket()))
	})
	huma.Register(api, huma.Operation{
		OperationID: "record-pos-tickets", Method: http.MethodPost, Path: "/api/v1/pos-tickets/batch",
		Summary: "Record a batch of till tickets", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "Up to 500 tickets, each recorded all or nothing; a result per ticket in order (201, or the problem that refused it).",
	}, func(ctx context.Context, in *ticketBatchInput) (*httpapi.Body[PosTicketBatchResult], error) {
		tickets := make([]Ticket, len(in.Body.Tickets))
		for i, t := range in.Body.Tickets {
			tickets[i] = t.ticket()
		}
		results, err := s.RecordTickets(ctx, tickets)
		if err != nil {
			return nil, problem(err)
		}
		out := PosTicketBatchResult{Results: make([]PosTicketResult, len(results))}
		for i, r := range results {
			out.Results[i] = PosTicketResult{ExternalRef: r.ExternalRef, Status: http.StatusCreated}
			if r.Err != nil {
				p := problem(r.Err)
				out.Results[i].Problem, out.Results[i].Status = p, statusOf(p)
				out.Refused++
				continue
			}
			sum := orderSummary(*r.Order)
			out.Results[i].Order = &sum
			out.Recorded++
		}
		return &httpapi.Body[PosTicketBatchResult]{Body: out}, nil
	})
}

// statusOf is the HTTP status of a problem.
func statusOf(err error) int {
	if se, ok := err.(huma.StatusError); ok {
		return se.GetStatus()
	}
	return http.StatusInternalServerError
}

func (s *Service) registerLifecycle(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "pay-order", Method: http.MethodPost, Path: "/api/v1/orders/{id}/pay",
		Summary: "Pay an order", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "The amount must be the order's payable (422 otherwise); the stock reservation becomes a sale. Paying again with the same reference changes nothing.",
	}, func(ctx context.Context, in *payInput) (*httpapi.Body[OrderDetail], error) {
		return s.reply(s.Pay(ctx, in.ID, PaymentRequest(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "transition-order", Method: http.MethodPost, Path: "/api/v1/orders/{id}/transitions",
		Summary: "Move an order on", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "allocate (paid → allocated), start_picking, ready, dispatch (delivery and ship), complete (ready or out for delivery → completed). " +
			"409 from any other status.",
	}, func(ctx context.Context, in *transitionInput) (*httpapi.Body[OrderDetail], error) {
		return s.reply(s.Transition(ctx, in.ID, Action(in.Body.Action), in.Body.Note))
	})
	huma.Register(api, huma.Operation{
		OperationID: "cancel-order", Method: http.MethodPost, Path: "/api/v1/orders/{id}/cancel",
		Summary: "Cancel an order", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "Before it leaves: stock goes back, promotions are released, what was paid is refunded in full. Cancelling again changes nothing.",
	}, func(ctx context.Context, in *cancelInput) (*httpapi.Body[OrderDetail], error) {
		return s.reply(s.Cancel(ctx, in.ID, in.Body.Reason))
	})
}

func (s *Service) registerChanges(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "preview-order-change", Method: http.MethodPost, Path: "/api/v1/orders/{id}/changes/preview",
		Summary: "Preview a return, short pick, substitution or exchange", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "What the change would refund per line and in total, from the shares frozen at sale time, and what happens to threshold promotions; " +
			"for a substitution (while picking) what the customer pays for each substitute: the store's price, never more than the replaced units' net; " +
			"for an exchange (of a completed order) the returned units' worth, the new items at the store's price, and what the customer pays (due_fen) or is refunded. Nothing changes.",
	}, func(ctx context.Context, in *changeInput) (*httpapi.Body[OrderChange], error) {
		c, err := s.PreviewChange(ctx, in.ID, in.Body.request())
		if err != nil {
			return nil, problem(err)
		}
		return &httpapi.Body[OrderChange]{Body: orderChange(c)}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "confirm-order-change", Method: http.MethodPost, Path: "/api/v1/orders/{id}/changes", DefaultStatus: http.StatusCreated,
		Summary: "Confirm a return, short pick, substitution or exchange", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "Refunds exactly the previewed amount, restocks returned units when asked, and publishes order.returned and order.refunded. " +
			"A substitution puts the replaced units back on hand, takes the substitute at the same location (409 insufficient) and publishes order.substituted. " +
			"An exchange takes payment of exactly due_fen (409 with the server's figure otherwise), restocks returned units when asked, takes the new items from stock " +
			"(409 insufficient where stock may not go negative), refunds what the shop owes and publishes order.exchanged. " +
			"Confirming the same reference again returns the first change.",
	}, func(ctx context.Context, in *changeInput) (*httpapi.Body[OrderChangeResult], error) {
		o, c, err := s.ConfirmChange(ctx, in.ID, in.Body.request())
		if err != nil {
			return nil, problem(err)
		}
		return &httpapi.Body[OrderChangeResult]{Body: OrderChangeResult{Change: orderChange(c), Order: s.orderDetail(o)}}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "open-order-complaint", Method: http.MethodPost, Path: "/api/v1/orders/{id}/complaints", DefaultStatus: http.StatusCreated,
		Summary: "Open an after-sales case", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "Due for an answer within 24 hours.",
	}, func(ctx context.Context, in *complaintInput) (*httpapi.Body[OrderComplaint], error) {
		return httpapi.Reply(orderComplaint(s.now()))(s.OpenComplaint(ctx, in.ID, in.Body.Kind, in.Body.Description))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-order-complaint", Method: http.MethodPost, Path: "/api/v1/order-complaints/{id}",
		Summary: "Answer or resolve an after-sales case", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
	}, func(ctx context.Context, in *complaintUpdateInput) (*httpapi.Body[OrderComplaint], error) {
		return httpapi.Reply(orderComplaint(s.now()))(s.UpdateComplaint(ctx, in.ID, ComplaintStatus(in.Body.Status), in.Body.Resolution))
	})
}
