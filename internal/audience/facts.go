package audience

import (
	"context"
	"time"
)

// Facts streams what the audience index knows of customers. The app wires it from
// One ID (profiles, consents, customer events), the order center and the catalogue
// (orders with their categories) and loyalty (tiers).
type Facts interface {
	// Members calls fn once per live customer of tenantID — every one when ids is
	// empty, else those of ids that are live — with the orders completed since since
	// and the customer events since since. Customers come in no particular order.
	Members(ctx context.Context, tenantID string, ids []string, since time.Time, fn func(Member) error) error
}

// Member is one live customer as the index sees it.
type Member struct {
	CustomerID          string
	Gender              string // male, female or empty
	City                string
	BirthYear           int // 0 when unknown
	RegisteredAt        time.Time
	RegistrationChannel string
	PreferredStoreID    string
	Tiers               []string // loyalty tier codes, one per program the customer is a member of
	Consents            []string // purpose:channel pairs granted, e.g. marketing:sms
	// Lifetime order figures (all completed orders, however old).
	FirstOrderAt, LastOrderAt time.Time
	LifetimeOrders            int64
	LifetimeSpendFen          int64
	Orders                    []OrderFact // completed orders since the caller's since
	Events                    []EventFact // customer events since the caller's since
}

// OrderFact is one completed order of a member.
type OrderFact struct {
	At         time.Time
	Channel    string
	StoreID    string
	NetFen     int64    // paid less refunded
	Categories []string // codes of the categories of its lines, with their ancestors
}

// EventFact is one customer event (a touchpoint's event type, e.g. wechat_open).
type EventFact struct {
	At   time.Time
	Type string
}
