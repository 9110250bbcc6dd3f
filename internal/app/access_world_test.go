package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// world is the chain the access matrix is checked against: two of everything that
// a data scope can separate — brand B1 / region R1 / store S1 inside every scoped
// principal's scope, brand B2 / region R2 / store S2 outside it — and one of every
// other resource an operation can address.
type world struct {
	h *harness
	t *testing.T

	brand, region, store           [2]string // [0] inside the scoped principals' scope, [1] outside
	touchpoint, touchpointCode     [2]string
	customer, phone                [2]string
	category, product, sku, zone   string
	promotion, basketSet, simulate string
	order, domainEvent             string
	stockLocation                  [2]string // the stock locations of store[0] and store[1]
	reservation                    string
	orderAt, complaint             [2]string // an order-center order (a till ticket) and a complaint on it, at store[0] and store[1]
	loyaltyProgram, loyaltyTier    string    // the shared loyalty program, customer[0] a member with points, and one of its tiers
	giftBatch, giftCode, giftPIN   string    // a batch of one anonymous gift card, sold (active) with ¥100 on it
	membershipPlan                 string    // a paid membership plan; customer[0] has ¥1,000 stored value
	couponTemplate, couponIssue    string    // a coupon template and the issue of its coupon couponCode to customer[0]
	couponCode                     string
	velocityRule, velocityFlag     string // a device flag rule of another template, and the flag customer[1]'s lock of it raised
	audienceTag                    string // a manual boolean tag "vip", set on customer[0]
	audienceSegment, snapshot      string // a segment of every member and a snapshot of it
	audienceJob                    string // a model run

	seq atomic.Int64
	dsn string // the database, for a second node
}

// next returns a number no other call of this run returned, for unique codes.
func (w *world) next() int64 { return w.seq.Add(1) }

const matrixPassword = "Matrix-Check-2026!"

func newWorld(t *testing.T, dialect db.Dialect) *world {
	t.Helper()
	var dsn string
	h := setupWith(t, dialect, func(c *app.Config) {
		dsn = c.DB
		// The matrix reads customers hundreds of times per principal kind; the limits
		// have their own tests (TestSecurity06_LookupRateLimited…).
		c.CustomerLookups = identity.LookupLimits{
			Search: ratelimit.Rule{Limit: 1_000_000, Window: 1000 * time.Hour},
			Read:   ratelimit.Rule{Limit: 1_000_000, Window: 1000 * time.Hour},
		}
	})
	w := &world{h: h, t: t, dsn: dsn}
	for i, side := range []string{"IN", "OUT"} {
		w.brand[i] = h.create(t, "/api/v1/brands", fmt.Sprintf(`{"code":"B%s","name":"Brand %s"}`, side, side))
		w.region[i] = h.create(t, "/api/v1/regions", fmt.Sprintf(`{"code":"R%s","name":"Region %s"}`, side, side))
		w.store[i] = h.create(t, "/api/v1/stores", fmt.Sprintf(`{"brand_id":%q,"region_id":%q,"code":"S%s","name":"Store %s","format":"supermarket","city":"上海"}`,
			w.brand[i], w.region[i], side, side))
		w.touchpointCode[i] = "pos-" + strings.ToLower(side)
		w.touchpoint[i] = h.create(t, "/api/v1/touchpoints", fmt.Sprintf(`{"code":%q,"name":"POS %s","type":"offline","channel":"pos","store_id":%q}`,
			w.touchpointCode[i], side, w.store[i]))
		w.phone[i] = fmt.Sprintf("139%08d", w.next())
		w.ingest(i, w.phone[i], "")
		w.customer[i] = h.customerOf(t, "phone:"+w.phone[i])
	}
	w.category = h.create(t, "/api/v1/categories", `{"code":"DAIRY","name":"乳品"}`)
	w.product = h.create(t, "/api/v1/products", `{"category_id":"`+w.category+`","code":"MILKP","name":"牛奶"}`)
	w.sku = h.create(t, "/api/v1/skus", `{"product_id":"`+w.product+`","code":"MILK","name":"牛奶 1L","list_price_fen":1490}`)
	w.zone = h.create(t, "/api/v1/price-zones", `{"code":"Z1","name":"Zone 1"}`)
	w.promotion = h.create(t, "/api/v1/promotions", `{"code":"TEN","name":"¥1 off milk","definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":100}}}`)
	w.admin("POST", "/api/v1/promotions/"+w.promotion+"/activate", "", "")
	w.basketSet = w.createCSV("/api/v1/basket-sets?name=matrix", "order_id,ordered_at,sku_id,quantity,unit_price_fen\nO1,2026-01-01 10:00:00,MILK,1,1490\n")
	w.simulate = h.create(t, "/api/v1/promotion-simulations", `{"basket_set_id":"`+w.basketSet+`","promotion_id":"`+w.promotion+`"}`)
	w.order = w.commitOrder()
	for i := range 2 {
		w.stockLocation[i] = h.create(t, "/api/v1/stock-locations", fmt.Sprintf(`{"code":"LOC%d","name":"Location %d","kind":"store","store_id":%q}`, i, i, w.store[i]))
		w.admin("POST", "/api/v1/stock-locations/"+w.stockLocation[i]+"/changes", "", `{"sku_id":"`+w.sku+`","kind":"receipt","qty":1000000}`)
	}
	w.reservation = w.freshReservation()
	for i := range 2 {
		w.orderAt[i] = w.freshTicket(i)
		w.complaint[i] = w.id(w.admin("POST", "/api/v1/orders/"+w.orderAt[i]+"/complaints", "", `{"kind":"quality","description":"漏气"}`))
	}
	w.loyaltyProgram = h.create(t, "/api/v1/loyalty/programs", `{"code":"CLUB","name":"Club","points_per_yuan":1,"growth_per_yuan":1,"action_rules":[{"action":"review","growth":1,"points":1}]}`)
	w.loyaltyTier = h.create(t, "/api/v1/loyalty/programs/"+w.loyaltyProgram+"/tiers", `{"code":"GOLD","name":"Gold","threshold":1000}`)
	w.admin("POST", "/api/v1/loyalty/programs/"+w.loyaltyProgram+"/members", "", `{"customer_id":"`+w.customer[0]+`"}`)
	w.admin("POST", w.loyaltyMember("/adjustments"), "", `{"points":1000000,"reason":"access matrix"}`)
	w.admin("POST", "/api/v1/loyalty/customers/"+w.customer[0]+"/stored-value/top-ups", "", `{"amount_fen":100000,"reference":"world"}`)
	var issued struct {
		Batch struct {
			ID string `json:"id"`
		} `json:"batch"`
		Cards []struct {
			Code string `json:"code"`
			PIN  string `json:"pin"`
		} `json:"cards"`
	}
	w.decode(w.admin("POST", "/api/v1/loyalty/gift-card-batches", "", `{"name":"World","face_value_fen":10000,"quantity":1}`), &issued)
	w.giftBatch, w.giftCode, w.giftPIN = issued.Batch.ID, issued.Cards[0].Code, issued.Cards[0].PIN
	w.admin("POST", "/api/v1/loyalty/gift-cards/activations", "", `{"code":"`+w.giftCode+`","reference":"world"}`)
	w.membershipPlan = h.create(t, "/api/v1/loyalty/membership-plans", `{"code":"PLUS","name":"Plus","period":"year","fee_fen":9900,"rebate_bp":200,"rebate_cap_fen":50000}`)
	w.couponTemplate = h.create(t, "/api/v1/coupon-templates", `{"code":"FIVE","name":"¥5 off","valid_days":30,"discount":{"kind":"amount_off","scope":{"all":true},"amount_off":{"amount":500}}}`)
	w.couponIssue, w.couponCode = w.freshCoupon()
	w.velocityRuleAndFlag()
	w.audienceTag = h.create(t, "/api/v1/audience-tags", `{"code":"vip","name":"VIP","kind":"manual","value_type":"boolean"}`)
	w.admin("PUT", "/api/v1/customers/"+w.customer[0]+"/tags/vip", "", `{"value":"true"}`)
	w.audienceSegment = h.create(t, "/api/v1/audience-segments", `{"code":"everyone","name":"Everyone","text":"tag(\"vip\") or not tag(\"vip\")"}`)
	w.snapshot = h.create(t, "/api/v1/audience-segments/"+w.audienceSegment+"/snapshots", `{"name":"world"}`)
	w.audienceJob = w.id(w.admin("POST", "/api/v1/audience-jobs", "", `{"kind":"models"}`))
	var events struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.decode(w.admin("GET", "/api/v1/domain-events?limit=1", "", ""), &events)
	if len(events.Items) == 0 {
		t.Fatal("no domain event to address")
	}
	w.domainEvent = events.Items[0].ID
	return w
}

// freshCoupon issues a coupon of the world's template to customer[0] and returns the
// issue's id and the coupon's code.
func (w *world) freshCoupon() (string, string) {
	w.t.Helper()
	var is struct {
		ID      string `json:"id"`
		Coupons []struct {
			Code string `json:"code"`
		} `json:"coupons"`
	}
	w.decode(w.admin("POST", "/api/v1/coupon-templates/"+w.couponTemplate+"/issues", "", `{"customer_ids":["`+w.customer[0]+`"]}`), &is)
	if len(is.Coupons) != 1 {
		w.t.Fatalf("no coupon issued: %+v", is)
	}
	return is.ID, is.Coupons[0].Code
}

// velocityRuleAndFlag sets a device flag rule (above 1 customer) on a template of
// its own and has customer[0] and customer[1] lock its coupons from one device.
func (w *world) velocityRuleAndFlag() {
	w.t.Helper()
	tm := w.h.create(w.t, "/api/v1/coupon-templates", `{"code":"FARM","name":"farm","valid_days":30,"discount":{"kind":"amount_off","scope":{"all":true},"amount_off":{"amount":100}}}`)
	w.velocityRule = w.id(w.admin("PUT", "/api/v1/coupon-velocity-rules", "",
		`{"template_id":"`+tm+`","dimension":"device","window_seconds":3600,"threshold":1,"action":"flag"}`))
	for i, c := range w.customer {
		var is struct {
			Coupons []struct {
				Code string `json:"code"`
			} `json:"coupons"`
		}
		w.decode(w.admin("POST", "/api/v1/coupon-templates/"+tm+"/issues", "", `{"customer_ids":["`+c+`"]}`), &is)
		w.admin("POST", "/api/v1/coupons/"+is.Coupons[0].Code+"/lock", "", fmt.Sprintf(`{"customer_id":%q,"reference":"farm-%d","device_id":"matrix-device"}`, c, i))
	}
	var flags struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.decode(w.admin("GET", "/api/v1/coupon-velocity-flags?template_id="+tm, "", ""), &flags)
	if len(flags.Items) != 1 {
		w.t.Fatalf("velocity flags: %+v; want 1", flags)
	}
	w.velocityFlag = flags.Items[0].ID
}

// loyaltyMember is the path of customer[0]'s membership of the loyalty program.
func (w *world) loyaltyMember(suffix string) string {
	return "/api/v1/loyalty/programs/" + w.loyaltyProgram + "/members/" + w.customer[0] + suffix
}

// admin calls the API with the tenant's all-scopes platform key and fails the test
// on anything but 2xx.
func (w *world) admin(method, path, contentType, body string) string {
	w.t.Helper()
	if contentType == "" && body != "" {
		contentType = "application/json"
	}
	status, _, resp := w.h.do(w.t, method, path, w.h.keyA, contentType, body)
	if status/100 != 2 {
		w.t.Fatalf("%s %s: %d %s", method, path, status, resp)
	}
	return resp
}

func (w *world) decode(body string, v any) {
	w.t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		w.t.Fatalf("decode %s: %v", body, err)
	}
}

func (w *world) id(body string) string {
	w.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	w.decode(body, &out)
	return out.ID
}

func (w *world) createCSV(path, csv string) string {
	w.t.Helper()
	return w.id(w.admin("POST", path, "text/csv", csv))
}

// freshCustomer makes a customer seen at store side (0 inside, 1 outside).
func (w *world) freshCustomer(side int) string {
	w.t.Helper()
	phone := fmt.Sprintf("139%08d", w.next())
	w.ingest(side, phone, "")
	return w.h.customerOf(w.t, "phone:"+phone)
}

// freshCardHolder makes a customer known only by a member card, seen at store side;
// it can merge with a customer known by a phone.
func (w *world) freshCardHolder(side int) string {
	w.t.Helper()
	card := fmt.Sprintf("C%08d", w.next())
	w.ingest(side, "", card)
	return w.h.customerOf(w.t, "member_card:"+card)
}

func (w *world) ingest(side int, phone, card string) {
	w.t.Helper()
	idents := map[string]string{}
	if phone != "" {
		idents["phone"] = phone
	}
	if card != "" {
		idents["member_card"] = card
	}
	ev, _ := json.Marshal(map[string]any{"touchpoint": w.touchpointCode[side], "events": []map[string]any{{
		"id": fmt.Sprintf("ev-%d", w.next()), "type": "visit", "occurred_at": "2026-01-01T00:00:00Z", "identifiers": idents,
	}}})
	w.admin("POST", "/api/v1/events", "", string(ev))
}

// freshMerge merges two fresh customers of side and returns survivor and absorbed.
func (w *world) freshMerge(side int) (string, string) {
	w.t.Helper()
	a, b := w.freshCustomer(side), w.freshCardHolder(side)
	w.admin("POST", "/api/v1/customers/"+a+"/merge", "", `{"customer_ids":["`+b+`"]}`)
	return a, b
}

// freshReview makes an open identity review between two customers of side: a member
// card seen with a second phone cannot join a customer that has one already.
func (w *world) freshReview(side int) string {
	w.t.Helper()
	n := w.next()
	card := fmt.Sprintf("M%08d", n)
	w.ingest(side, fmt.Sprintf("137%08d", n), card)
	w.ingest(side, fmt.Sprintf("136%08d", n), card)
	var reviews struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	w.decode(w.admin("GET", "/api/v1/identity-reviews?status=open&limit=1000", "", ""), &reviews)
	for i := len(reviews.Items) - 1; i >= 0; i-- {
		if reviews.Items[i].Status == "open" {
			return reviews.Items[i].ID
		}
	}
	w.t.Fatal("no open identity review was queued")
	return ""
}

// commitOrder prices a cart at the inside store and commits it as an order.
func (w *world) commitOrder() string {
	w.t.Helper()
	var priced struct {
		Token string `json:"priced_token"`
	}
	w.decode(w.admin("POST", "/api/v1/carts/price", "", w.cart(0)), &priced)
	order := fmt.Sprintf("ORDER-%d", w.next())
	w.admin("POST", "/api/v1/promotion-redemptions", "", `{"order_id":"`+order+`","priced_token":"`+priced.Token+`"}`)
	return order
}

// freshReservation reserves one unit at store 0's location and returns its reference.
func (w *world) freshReservation() string {
	w.t.Helper()
	ref := fmt.Sprintf("RES-%d", w.next())
	w.admin("POST", "/api/v1/stock-reservations", "", fmt.Sprintf(`{"reference":%q,"lines":[{"location_id":%q,"sku_id":%q,"qty":1}]}`, ref, w.stockLocation[0], w.sku))
	return ref
}

// freshOrder places an online pickup order of one unit at store side, pays it when
// paid is true, and returns its id and payable.
func (w *world) freshOrder(side int, paid bool) (string, int64) {
	w.t.Helper()
	var o struct {
		ID     string `json:"id"`
		Totals struct {
			PayableFen int64 `json:"payable_fen"`
		} `json:"totals"`
	}
	w.decode(w.admin("POST", "/api/v1/orders", "", fmt.Sprintf(`{"channel":"app","store_id":%q,"fulfilment":"pickup","lines":[{"sku_id":%q,"qty":1}]}`,
		w.store[side], w.sku)), &o)
	if paid {
		w.admin("POST", "/api/v1/orders/"+o.ID+"/pay", "", fmt.Sprintf(`{"method":"cash","amount_fen":%d}`, o.Totals.PayableFen))
	}
	return o.ID, o.Totals.PayableFen
}

// freshTicket records a completed till ticket of two units at store side and returns
// the order's id (its line is L1).
func (w *world) freshTicket(side int) string {
	w.t.Helper()
	return w.id(w.admin("POST", "/api/v1/pos-tickets", "", w.ticket(side)))
}

func (w *world) ticket(side int) string {
	return fmt.Sprintf(`{"external_ref":"T%d","store_id":%q,"placed_at":%q,"stated_payable_fen":2980,"lines":[{"sku_id":%q,"qty":2}],
		"payments":[{"method":"cash","amount_fen":2980}]}`, w.next(), w.store[side], time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), w.sku)
}

func (w *world) cart(side int) string {
	return `{"store_id":"` + w.store[side] + `","lines":[{"id":"1","sku":"MILK","unit":"each","qty":2,"unit_price":1490}]}`
}

// freshUser makes an associate of store side and returns its id.
func (w *world) freshUser(side int) string {
	w.t.Helper()
	n := w.next()
	return w.id(w.admin("POST", "/api/v1/users", "", fmt.Sprintf(`{"login":"u%d","name":"User %d","password":%q,"role":"associate","scope_type":"store","scope_id":%q}`,
		n, n, matrixPassword, w.store[side])))
}

// freshSession logs a fresh associate of store side in and returns the session id.
func (w *world) freshSession(side int) string {
	w.t.Helper()
	n := w.next()
	login := fmt.Sprintf("s%d", n)
	w.admin("POST", "/api/v1/users", "", fmt.Sprintf(`{"login":%q,"name":"User %d","password":%q,"role":"associate","scope_type":"store","scope_id":%q}`,
		login, n, matrixPassword, w.store[side]))
	sess, _, _, err := w.h.app.Org.Login(context.Background(), org.LoginInput{Login: login, Password: matrixPassword, ClientIP: fmt.Sprintf("10.9.%d.%d", n/250, n%250)})
	if err != nil {
		w.t.Fatalf("login %s: %v", login, err)
	}
	return sess.ID
}

// freshKey makes a throwaway API key and returns its id.
func (w *world) freshKey() string {
	w.t.Helper()
	return w.id(w.admin("POST", "/api/v1/api-keys", "", fmt.Sprintf(`{"name":"throwaway %d","scopes":["catalog:read"]}`, w.next())))
}

// matrixPrincipal is a caller of the matrix: a console user of a role and data scope,
// an API key with a set of scopes, or nobody.
type matrixPrincipal struct {
	name      string
	role      auth.Role // empty for keys and nobody
	key       bool
	scopes    []auth.Scope
	dataScope auth.ScopeType
	token     string
	login     string // users: for fresh sessions
	password  string
}

func (p *matrixPrincipal) has(s auth.Scope) bool {
	for _, x := range p.scopes {
		if x == s {
			return true
		}
	}
	return false
}

// principals returns nobody, every role at every data scope and an API key per
// scope set: none but one scope each, and every scope.
func (w *world) principals() []*matrixPrincipal {
	w.t.Helper()
	out := []*matrixPrincipal{{name: "nobody"}}
	for _, role := range auth.Roles() {
		for _, ds := range []struct {
			typ auth.ScopeType
			id  string
		}{{auth.TenantScope, ""}, {auth.BrandScope, w.brand[0]}, {auth.RegionScope, w.region[0]}, {auth.StoreScope, w.store[0]}} {
			login := fmt.Sprintf("%s-%s", role, ds.typ)
			// As the platform (the admin command): only it or an hq_admin makes an hq_admin.
			if _, err := w.h.app.Org.CreateUser(auth.WithPrincipal(context.Background(), auth.System(w.tenantID())), org.UserCreate{
				Login: login, Name: login, Password: matrixPassword, Role: role, ScopeType: ds.typ, ScopeID: ds.id,
			}); err != nil {
				w.t.Fatalf("create %s: %v", login, err)
			}
			p := &matrixPrincipal{name: string(role) + "@" + string(ds.typ), role: role, scopes: auth.RoleScopes(role), dataScope: ds.typ,
				login: login, password: matrixPassword}
			p.token = w.session(p)
			out = append(out, p)
		}
	}
	sets := [][]auth.Scope{}
	for _, s := range auth.AllScopes() {
		sets = append(sets, []auth.Scope{s})
	}
	sets = append(sets, auth.AllScopes())
	for _, set := range sets {
		names := make([]string, len(set))
		for i, s := range set {
			names[i] = string(s)
		}
		name := "key:" + strings.Join(names, ",")
		if len(set) == len(auth.AllScopes()) {
			name = "key:all"
		}
		body, _ := json.Marshal(map[string]any{"name": name, "scopes": names})
		var k struct {
			Secret string `json:"secret"`
		}
		w.decode(w.admin("POST", "/api/v1/api-keys", "", string(body)), &k)
		out = append(out, &matrixPrincipal{name: name, key: true, scopes: set, dataScope: auth.TenantScope, token: k.Secret})
	}
	return out
}

// tenantID is the id of tenant alpha, the world's tenant.
func (w *world) tenantID() string {
	w.t.Helper()
	var me struct {
		TenantID string `json:"tenant_id"`
	}
	w.decode(w.admin("GET", "/api/v1/me", "", ""), &me)
	return me.TenantID
}

// session logs p in once more and returns the token.
func (w *world) session(p *matrixPrincipal) string {
	w.t.Helper()
	n := w.next()
	_, token, _, err := w.h.app.Org.Login(context.Background(), org.LoginInput{Login: p.login, Password: p.password, ClientIP: fmt.Sprintf("10.8.%d.%d", n/250, n%250)})
	if err != nil {
		w.t.Fatalf("login %s: %v", p.login, err)
	}
	return token
}
