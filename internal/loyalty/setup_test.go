package loyalty

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

const (
	tenantA = "tenant-a"
	brandA  = "brand-a"
)

// testNow is a Monday morning in Shanghai.
var testNow = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// fakeOrders stands in for the order center: the sales tests register.
type fakeOrders struct {
	mu    sync.Mutex
	sales map[string]Sale
}

func (f *fakeOrders) OrderSale(ctx context.Context, orderID string) (Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sales[orderID]
	if !ok {
		return Sale{}, errs.E(errs.NotFound, "order %s not found", orderID)
	}
	return s, nil
}

// fakeCustomers knows every customer id except "ghost"; "old" was merged into "alice".
type fakeCustomers struct{}

func (fakeCustomers) FindCustomerCluster(ctx context.Context, id string) (string, []string, error) {
	switch id {
	case "ghost":
		return "", nil, errs.E(errs.NotFound, "customer not found")
	case "old":
		return "alice", nil, nil
	}
	return id, nil, nil
}

// fakeStores has every store but "elsewhere" in every caller's scope.
type fakeStores struct{}

func (fakeStores) StoreExists(ctx context.Context, storeID string) error {
	if storeID == "elsewhere" {
		return errs.E(errs.NotFound, "store not found")
	}
	return nil
}

type fixture struct {
	s      *Service
	d      *db.DB
	clock  *clock.Fixed
	orders *fakeOrders
}

func setup(t testing.TB, d *db.DB) fixture {
	t.Helper()
	if _, err := d.Writer().Exec(`INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'a', 'A', 0)`, tenantA); err != nil {
		t.Fatalf("tenant: %v", err)
	}
	c := clock.NewFixed(testNow)
	o := &fakeOrders{sales: map[string]Sale{}}
	s := NewService(d, events.NewOutbox(c), audit.New(d, c), c, Deps{Orders: o, Customers: fakeCustomers{}, Stores: fakeStores{}})
	return fixture{s: s, d: d, clock: c, orders: o}
}

func as(role auth.Role) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: string(role), Name: string(role),
		TenantID: tenantA, Role: role, Scopes: auth.RoleScopes(role), DataScope: auth.TenantScope})
}

// program creates an active shared program: 1 point and 1 growth per yuan.
func (f fixture) program(t testing.TB, in ProgramInput) Program {
	t.Helper()
	if in.Code == "" {
		in.Code, in.Name = "CLUB", "Club"
	}
	if in.PointsPerYuan == 0 {
		in.PointsPerYuan = 1
	}
	if in.GrowthPerYuan == 0 {
		in.GrowthPerYuan = 1
	}
	p, err := f.s.CreateProgram(as(auth.Marketer), in)
	if err != nil {
		t.Fatalf("create program: %v", err)
	}
	return p
}

func (f fixture) enrol(t testing.TB, programID, customerID string) {
	t.Helper()
	if _, err := f.s.Enrol(as(auth.Marketer), programID, customerID); err != nil {
		t.Fatalf("enrol %s: %v", customerID, err)
	}
}

// line is an order line of a test event: id, category, qty, net.
type line struct {
	id, category string
	qty, net     int64
	gift         bool
}

// completed registers a sale and returns its order.completed event.
func (f fixture) completed(t testing.TB, orderID, customerID string, lines ...line) events.Event {
	t.Helper()
	sale := Sale{StoreID: "s1", BrandID: brandA, Lines: map[string]SaleLine{}}
	type evLine struct {
		LineID string `json:"line_id"`
		Qty    int64  `json:"qty"`
		NetFen int64  `json:"net_fen"`
	}
	var evLines []evLine
	var paid int64
	for _, l := range lines {
		sale.Lines[l.id] = SaleLine{SKUID: "sku-" + l.id, CategoryID: l.category, Gift: l.gift}
		evLines = append(evLines, evLine{LineID: l.id, Qty: l.qty, NetFen: l.net})
		paid += l.net
	}
	f.orders.mu.Lock()
	f.orders.sales[orderID] = sale
	f.orders.mu.Unlock()
	return f.event(t, orderCompleted, map[string]any{"order_id": orderID, "store_id": "s1", "customer_id": customerID,
		"paid_fen": paid, "placed_at": f.clock.Now(), "lines": evLines})
}

// returned is the order.returned event of change version of orderID refunding lines
// (line id → refund).
func (f fixture) returned(t testing.TB, orderID string, version int64, refunds map[string]int64) events.Event {
	t.Helper()
	var cl []map[string]any
	for id, r := range refunds {
		cl = append(cl, map[string]any{"line_id": id, "refund_fen": r})
	}
	return f.event(t, orderReturned, map[string]any{"order_id": orderID, "store_id": "s1",
		"change": map[string]any{"version": version, "kind": "return", "lines": cl}})
}

func (f fixture) event(t testing.TB, typ string, payload any) events.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return events.Event{ID: ids.New(), TenantID: tenantA, Type: typ, Payload: b, CreatedAt: f.clock.Now()}
}

// balance returns a member's balance and checks that its ledger reconciles.
func (f fixture) balance(t testing.TB, programID, customerID string) Balance {
	t.Helper()
	b, err := f.s.FindBalance(as(auth.Analyst), programID, customerID)
	if err != nil {
		t.Fatalf("balance: %v", err)
	}
	sum, err := f.s.Reconcile(context.Background(), tenantA, programID, customerID)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if sum != b.Total {
		t.Fatalf("ledger sums to %d, balance says %d", sum, b.Total)
	}
	return b
}
