package coupon

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const tenantA = "tenant-a"

// testNow is a Monday morning in Shanghai.
var testNow = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// fakeCustomers knows every customer id except "ghost"; "old" was merged into "alice".
type fakeCustomers struct{}

func (fakeCustomers) FindCustomerCluster(ctx context.Context, id string) (string, []string, error) {
	switch id {
	case "ghost":
		return "", nil, errs.E(errs.NotFound, "customer not found")
	case "old":
		return "alice", nil, nil
	case "alice":
		return "alice", []string{"old"}, nil
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

// fakeFirstOrders says an order is its customer's first when its id starts with
// "first".
type fakeFirstOrders struct{}

func (fakeFirstOrders) IsFirstCompletedOrder(_ context.Context, _, orderID string, _ []string) (bool, error) {
	return strings.HasPrefix(orderID, "first"), nil
}

// fakeBirthdays knows the customers born on each day, keyed MM-DD.
type fakeBirthdays map[string][]string

func (b fakeBirthdays) CustomersBornOn(_ context.Context, _ string, month time.Month, day int) ([]string, error) {
	return b[fmt.Sprintf("%02d-%02d", month, day)], nil
}

// shanghai puts every tenant in Asia/Shanghai.
type shanghai struct{}

func (shanghai) TenantTimeZone(context.Context, string) (*time.Location, error) {
	return time.LoadLocation("Asia/Shanghai")
}

type fixture struct {
	s     *Service
	d     *db.DB
	clock *clock.Fixed
	promo *promotion.Service
	keys  *pii.Keys
	bdays fakeBirthdays
}

// setup returns the coupon service over the real promotion service: every price a
// test checks is the engine's.
func setup(t testing.TB, d *db.DB) fixture {
	t.Helper()
	if _, err := d.Writer().Exec(`INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'a', 'A', 0)`, tenantA); err != nil {
		t.Fatalf("tenant: %v", err)
	}
	c := clock.NewFixed(testNow)
	outbox := events.NewOutbox(c)
	promo := promotion.NewService(d, outbox, audit.New(d, c), c, promotion.Config{Customers: fakeCustomers{},
		TokenKey: []byte("coupon-test-token-key-0123456789abcdef")})
	keys, err := pii.NewKeys([]byte("coupon-test-pii-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	bdays := fakeBirthdays{}
	s := NewService(d, outbox, audit.New(d, c), c, Deps{Promotions: promo, Customers: fakeCustomers{}, Stores: fakeStores{},
		FirstOrders: fakeFirstOrders{}, Birthdays: bdays, Zones: shanghai{}}, Config{Keys: keys})
	return fixture{s: s, d: d, clock: c, promo: promo, keys: keys, bdays: bdays}
}

func as(role auth.Role) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: string(role), Name: string(role),
		TenantID: tenantA, Role: role, Scopes: auth.RoleScopes(role), DataScope: auth.TenantScope})
}

// amountOff is a template of ¥5 off an order of at least ¥30, valid 30 days from issue.
func amountOff(code string) TemplateInput {
	return TemplateInput{Code: code, Name: "¥5 off " + code, ValidDays: 30,
		Discount: engine.Promotion{Kind: engine.KindAmountOff, Scope: engine.Scope{All: true},
			Conditions: engine.Conditions{MinSpend: 3000}, AmountOff: &engine.AmountOff{Amount: 500}}}
}

func (f fixture) template(t testing.TB, in TemplateInput) Template {
	t.Helper()
	tm, err := f.s.CreateTemplate(as(auth.Marketer), in)
	if err != nil {
		t.Fatalf("create template: %v", err)
	}
	return tm
}

func (f fixture) issue(t testing.TB, templateID, customerID string) Coupon {
	t.Helper()
	is, err := f.s.Issue(as(auth.Marketer), templateID, IssueRequest{CustomerIDs: []string{customerID}})
	if err != nil || len(is.Coupons) != 1 {
		t.Fatalf("issue to %s: %+v, %v", customerID, is, err)
	}
	return is.Coupons[0]
}

// cart is one line of amount fen.
func cart(amount int64) engine.Cart {
	return engine.Cart{Lines: []engine.Line{{ID: "L1", SKU: "sku-1", Category: "cat-1", Unit: engine.UnitEach, Qty: 1, UnitPrice: amount}}}
}

// badCheck returns code with its check character changed.
func badCheck(code string) string {
	last := code[len(code)-1]
	for i := 0; i < len(Alphabet); i++ {
		if Alphabet[i] != last {
			return code[:len(code)-1] + string(Alphabet[i])
		}
	}
	return code
}
