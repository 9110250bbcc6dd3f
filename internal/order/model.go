package order

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Channel is where an order came from.
type Channel string

// The channels. POS covers every till the store runs (staffed, self-checkout, smart
// carts); the platform's own online channels are the mini program, the app and the
// web shop; marketplaces and delivery platforms push their orders.
const (
	ChannelPOS         Channel = "pos"
	ChannelMiniProgram Channel = "mini_program"
	ChannelApp         Channel = "app"
	ChannelWeb         Channel = "web"
	ChannelMeituan     Channel = "meituan"
	ChannelEleme       Channel = "eleme"
	ChannelMarketplace Channel = "marketplace"
)

// Online reports whether the server prices the channel's orders itself (the
// platform's own channels), rather than recording a sale priced elsewhere.
func (c Channel) Online() bool {
	return c == ChannelMiniProgram || c == ChannelApp || c == ChannelWeb
}

// Fulfilment is how the goods reach the buyer.
type Fulfilment string

// The fulfilment types.
const (
	FulfilInStore  Fulfilment = "in_store" // bought at the till
	FulfilPickup   Fulfilment = "pickup"   // ordered online, collected at a store
	FulfilDelivery Fulfilment = "delivery" // delivered within hours from a store or front warehouse
	FulfilShip     Fulfilment = "ship"     // shipped from a warehouse
)

// Status is where an order is in its life.
type Status string

// The lifecycle (docs/orders.md): created → paid → allocated → picking → ready →
// out_for_delivery → completed, or ready → completed when picked up; a till ticket
// is completed when recorded. cancelled ends an order before it leaves.
const (
	StatusCreated        Status = "created"
	StatusPaid           Status = "paid"
	StatusAllocated      Status = "allocated"
	StatusPicking        Status = "picking"
	StatusReady          Status = "ready"
	StatusOutForDelivery Status = "out_for_delivery"
	StatusCompleted      Status = "completed"
	StatusCancelled      Status = "cancelled"
)

// Action is a transition a caller asks for.
type Action string

// The actions of the lifecycle. Pay and Cancel have their own methods (they move
// money and stock); the others only move the order on.
const (
	ActionPay      Action = "pay"
	ActionAllocate Action = "allocate"
	ActionPick     Action = "start_picking"
	ActionReady    Action = "ready"
	ActionDispatch Action = "dispatch"
	ActionComplete Action = "complete"
	ActionCancel   Action = "cancel"
)

// transitions maps an action to the statuses it may start from and the status it
// leads to. Complete from ready is a pickup collected (or a delivery handed over at
// the door by store staff); from out_for_delivery a delivery made.
var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	ActionPay:      {[]Status{StatusCreated}, StatusPaid},
	ActionAllocate: {[]Status{StatusPaid}, StatusAllocated},
	ActionPick:     {[]Status{StatusAllocated}, StatusPicking},
	ActionReady:    {[]Status{StatusPicking}, StatusReady},
	ActionDispatch: {[]Status{StatusReady}, StatusOutForDelivery},
	ActionComplete: {[]Status{StatusReady, StatusOutForDelivery}, StatusCompleted},
	ActionCancel:   {[]Status{StatusCreated, StatusPaid, StatusAllocated, StatusPicking}, StatusCancelled},
}

// Next returns the status action leads to from s, or an errs.Conflict error naming
// the statuses it may start from.
func Next(s Status, a Action) (Status, error) {
	t, ok := transitions[a]
	if !ok {
		return "", errs.Field("path.action", "unknown action %q", a)
	}
	if !slices.Contains(t.from, s) {
		from := make([]string, len(t.from))
		for i, f := range t.from {
			from[i] = string(f)
		}
		return "", errs.E(errs.Conflict, "an order %s cannot %s (only from %s)", s, a, strings.Join(from, ", "))
	}
	return t.to, nil
}

// Order is one order of any channel.
type Order struct {
	ID          string
	TenantID    string
	Number      string // human order number, unique in the tenant
	Channel     Channel
	ExternalRef string // the channel's own id: ticket number, platform order id
	StoreID     string
	CustomerID  string
	Status      Status
	Fulfilment  Fulfilment
	TimeZone    string // the store's IANA zone: local times are shown in it
	Currency    string
	Money       Totals
	PaidFen     int64
	RefundedFen int64
	Buyer       []BuyerIdentifier // opened from its seal; empty when not read
	Receiver    *Receiver         // opened from its seal; nil when none or masked away
	Routing     string            // the routing decision and its explanation (JSON)
	PlacedAt    time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64

	// Filled by FindOrderByID only.
	Lines      []Line
	Payments   []Payment
	Timeline   []TimelineEntry
	Changes    []Change
	Exceptions []Exception
	Complaints []Complaint
}

// Totals are an order's money as the server priced it, in fen.
type Totals struct {
	SubtotalFen         int64
	DiscountFen         int64
	DeliveryFeeFen      int64
	DeliveryDiscountFen int64
	PayableFen          int64
}

// Line is one order line as sold.
type Line struct {
	ID           string
	SKUID        string
	SKUCode      string
	Name         string
	Unit         string // each or weight (Qty in grams)
	Qty          int64
	UnitPriceFen int64
	AmountFen    int64
	DiscountFen  int64
	NetFen       int64
	GiftOf       string
	LocationID   string
	ReturnedQty  int64
	// SubstitutedQty is how much of the line a picker replaced with another SKU: not
	// picked, not returnable (the substitute line is).
	SubstitutedQty int64
	// SubstituteFor names the line this one replaces (a substitution while picking):
	// it has no promotion shares, its net is what the customer pays for it.
	SubstituteFor string
	// ExchangeFor names the returned line an exchange (of a completed order) added
	// this one for: it has no promotion shares, its net is the store's price of it.
	ExchangeFor string
	Shares      []Share
}

// Left is what is left of the line to pick or return: its quantity less what was
// returned (or short-picked) and substituted.
func (l Line) Left() int64 { return l.Qty - l.ReturnedQty - l.SubstitutedQty }

// Share is one promotion's part of a line's discount, frozen at sale time.
type Share struct {
	PromotionID string
	DiscountFen int64
}

// BuyerIdentifier is one way the buyer was identified: a One ID identifier type and
// its value (personal: sealed at rest).
type BuyerIdentifier struct {
	Type  string
	Value string
}

// Receiver is who receives a delivery (personal: sealed at rest, masked by role).
type Receiver struct {
	Name    string  `json:"name"`
	Phone   string  `json:"phone"`
	Address string  `json:"address"`
	Lat     float64 `json:"lat,omitempty"`
	Lng     float64 `json:"lng,omitempty"`
}

// PaymentKind says whether money came in or went back.
type PaymentKind string

// The payment kinds.
const (
	KindPayment PaymentKind = "payment"
	KindRefund  PaymentKind = "refund"
)

// Payment is money received for an order or refunded on it.
type Payment struct {
	Seq       int
	Kind      PaymentKind
	Method    string // wechat_pay, alipay, cash, card, stored_value, platform
	AmountFen int64
	Reference string // the payment provider's id
	ChangeID  string // the change set a refund belongs to
	At        time.Time
}

// TimelineEntry is one thing that happened to an order.
type TimelineEntry struct {
	Seq   int
	Kind  string // created, paid, allocated, …, returned, exception, complaint
	From  Status
	To    Status
	Note  string
	Actor string
	At    time.Time
}

// ChangeKind names a change set.
type ChangeKind string

// The change kinds.
const (
	ChangeReturn    ChangeKind = "return"
	ChangeShortPick ChangeKind = "short_pick"
	// ChangeSubstitution replaces units of a line with another SKU while picking.
	ChangeSubstitution ChangeKind = "substitution"
	ChangeCancel       ChangeKind = "cancel"
	// ChangeExchange returns units of a completed order's lines and adds other items
	// in their place; the difference is paid or refunded (exchange.go).
	ChangeExchange ChangeKind = "exchange"
)

// Change is a confirmed change set of an order: what it returned or shorted, what it
// refunded and restocked. Version numbers an order's changes from 1.
type Change struct {
	ID        string
	Version   int64
	Kind      ChangeKind
	Reference string // the caller's id for the change: replaying it returns this change
	Reason    string
	Lines     []ChangeLine
	RefundFen int64
	ClawBack  int64
	Notes     []string // what the re-pricing decided (threshold promotions no longer met)
	// An exchange's new items and what the customer paid on top of the returned
	// units' worth (DueFen; RefundFen when the shop owes instead).
	Added     []ChangeItem
	DueFen    int64
	Actor     string
	CreatedAt time.Time
}

// ChangeLine is one line of a change set.
type ChangeLine struct {
	LineID    string `json:"line_id"`
	Qty       int64  `json:"qty"`
	RefundFen int64  `json:"refund_fen"`
	Restocked bool   `json:"restocked"`
	// A substitution's line also says what replaced the units: the new line, its SKU
	// and quantity, the store's price of it (AmountFen) and what the customer pays
	// for it (NetFen: never more than the replaced units' net).
	SubstituteLineID string `json:"substitute_line_id,omitempty"`
	SubstituteSKUID  string `json:"substitute_sku_id,omitempty"`
	SubstituteQty    int64  `json:"substitute_qty,omitempty"`
	SubstituteAmount int64  `json:"substitute_amount_fen,omitempty"`
	SubstituteNet    int64  `json:"substitute_net_fen,omitempty"`
}

// ChangeItem is an item an exchange adds: the new line, its SKU and quantity, and
// the store's price of it (what the customer pays for it).
type ChangeItem struct {
	LineID       string `json:"line_id"`
	SKUID        string `json:"sku_id"`
	SKUCode      string `json:"sku_code"`
	Qty          int64  `json:"qty"`
	UnitPriceFen int64  `json:"unit_price_fen"`
	AmountFen    int64  `json:"amount_fen"`
}

// ExchangeItem is an item an exchange request adds: a SKU and its quantity (units,
// grams for weighed goods).
type ExchangeItem struct {
	SKUID string
	Qty   int64
}

// ChangeRequest asks to return or short-pick quantities of an order's lines.
type ChangeRequest struct {
	Kind      ChangeKind
	Reference string
	Reason    string
	Lines     []ChangeRequestLine
	// Restock puts returned goods back on hand where the line was fulfilled (false for
	// damaged goods). A short pick never restocks: the goods were not there.
	Restock bool
	// An exchange's new items, and the payment of the difference when the customer
	// owes (its amount must be the server's figure).
	Items   []ExchangeItem
	Payment *PaymentRequest
}

// ChangeRequestLine is a line and the quantity (units or grams) it returns,
// short-picks or substitutes; a substitution names the substitute SKU and its
// quantity (zero: the same quantity).
type ChangeRequestLine struct {
	LineID          string
	Qty             int64
	SubstituteSKUID string
	SubstituteQty   int64
}

// Validate reports an errs.Invalid error naming the field that is wrong.
func (r ChangeRequest) Validate() error {
	if r.Kind != ChangeReturn && r.Kind != ChangeShortPick && r.Kind != ChangeSubstitution && r.Kind != ChangeExchange {
		return errs.Field("body.kind", "must be return, short_pick, substitution or exchange")
	}
	if err := r.validateExchange(); err != nil {
		return err
	}
	if len(r.Reference) > 64 {
		return errs.Field("body.reference", "at most 64 bytes")
	}
	if len(r.Reason) > 500 {
		return errs.Field("body.reason", "at most 500 bytes")
	}
	if len(r.Lines) == 0 || len(r.Lines) > MaxLines {
		return errs.Field("body.lines", "1 to %d lines", MaxLines)
	}
	seen := map[string]bool{}
	for i, l := range r.Lines {
		switch {
		case l.LineID == "":
			return errs.Field(fmt.Sprintf("body.lines[%d].line_id", i), "required")
		case seen[l.LineID]:
			return errs.Field(fmt.Sprintf("body.lines[%d].line_id", i), "line %s is listed twice", l.LineID)
		case l.Qty < 1:
			return errs.Field(fmt.Sprintf("body.lines[%d].qty", i), "must be at least 1")
		case r.Kind == ChangeSubstitution && l.SubstituteSKUID == "":
			return errs.Field(fmt.Sprintf("body.lines[%d].substitute_sku_id", i), "a substitution names the substitute SKU")
		case r.Kind != ChangeSubstitution && (l.SubstituteSKUID != "" || l.SubstituteQty != 0):
			return errs.Field(fmt.Sprintf("body.lines[%d].substitute_sku_id", i), "only a substitution names a substitute")
		case l.SubstituteQty < 0 || l.SubstituteQty > 1_000_000_000:
			return errs.Field(fmt.Sprintf("body.lines[%d].substitute_qty", i), "must be 1..1000000000, or absent for the same quantity")
		}
		seen[l.LineID] = true
	}
	return nil
}

// ExceptionKind names a difference the server kept.
type ExceptionKind string

// The exception kinds. PriceMismatch: a channel stated a payable that is not what the
// server prices the sale at (a till's own promotions, a stale price list, a manual
// discount). StockShortfall: a recorded sale took more than was on hand where stock
// may not go negative (StatedFen holds the units, not fen).
const (
	PriceMismatch  ExceptionKind = "price_mismatch"
	StockShortfall ExceptionKind = "stock_shortfall"
)

// Exception is a difference between what a channel stated and what the server
// decided, with both figures; it feeds loss prevention.
type Exception struct {
	Kind      ExceptionKind
	StatedFen int64
	ServerFen int64
	Detail    string
	CreatedAt time.Time
}

// ComplaintStatus is where an after-sales case is.
type ComplaintStatus string

// The complaint statuses.
const (
	ComplaintOpen      ComplaintStatus = "open"
	ComplaintResponded ComplaintStatus = "responded"
	ComplaintResolved  ComplaintStatus = "resolved"
)

// DefaultResponseTime is how long the chain has to answer a complaint.
const DefaultResponseTime = 24 * time.Hour

// Complaint is an after-sales case (售后) on an order.
type Complaint struct {
	ID          string
	OrderID     string
	Kind        string // quality, missing_item, wrong_item, late, service, other
	Description string
	Status      ComplaintStatus
	Resolution  string
	DueAt       time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Overdue reports whether the complaint is still unanswered after its deadline.
func (c Complaint) Overdue(now time.Time) bool {
	return c.Status == ComplaintOpen && now.After(c.DueAt)
}

// ComplaintKinds lists the kinds of complaint.
func ComplaintKinds() []string {
	return []string{"quality", "missing_item", "wrong_item", "late", "damaged", "service", "other"}
}

// MaxLines bounds an order's lines.
const MaxLines = 200
