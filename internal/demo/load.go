package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/audience"
	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/promotion"
)

// Services are the domain services the loader writes through: the demo never writes
// another domain's tables itself. DB holds the demo's own mark of a load in progress
// (demo_loads) and is what an interrupted load is removed from.
type Services struct {
	DB      *db.DB
	Org     *org.Service
	Catalog *catalog.Service
	// Identity, when set, receives the customer base (GenerateCustomers): its
	// touchpoints and events, resolved into customers as they are ingested.
	Identity *identity.Service
	// Order and Inventory, when both are set, receive two years of orders
	// (GenerateOrders, ending at the load's now): a stock location per open store with
	// opening stock that covers its sales, then every order, return and complaint
	// through the order center. Buyers are the customers Identity received, when set.
	Order     *order.Service
	Inventory *inventory.Service
	// Loyalty, when set, receives the membership program (one for both brands, four
	// tiers, member day); Coupon, when set too, three coupon templates whose coupons
	// the first customers hold.
	Loyalty *loyalty.Service
	Coupon  *coupon.Service
	// Audience, when set with Identity and Order, receives the demo's tags and a
	// dozen segments, and runs the customer models over the orders.
	Audience *audience.Service
	// Promotion, when set, receives the demo's promotions (running, scheduled, ended,
	// paused and draft) and the till redemptions of the last day that used them. The
	// load's Clock must then be the promotion service's: a till commits only orders of
	// the last day.
	Promotion *promotion.Service
}

// LoadOptions tune Load.
type LoadOptions struct {
	// AdminPassword is the password of the "admin" user and of the other demo users.
	AdminPassword string
	// Progress, when set, is told how far each stage is.
	Progress func(stage string, done, total int)
	// Clock stamps the load's mark and is the "today" the order history ends at; nil
	// means the system clock. The order center must not see it in its future.
	Clock clock.Clock
	// Orders is how many orders to load when Services.Order is set: 0 means
	// OrdersFor(the chain's scale), a negative number none.
	Orders int
}

// DemoUsers are the console users Load creates besides admin (with the admin's
// password): one per role that sees data differently, so a tour can show each. The
// store manager's ScopeID holds the store code; Load resolves it to the store id.
func DemoUsers(c *Chain) []org.UserCreate {
	first := c.Stores[0]
	return []org.UserCreate{
		{Login: "merchandiser", Name: "商品经理 王芳", Role: auth.Merchandiser, ScopeType: auth.TenantScope},
		{Login: "analyst", Name: "数据分析师 李强", Role: auth.Analyst, ScopeType: auth.TenantScope},
		{Login: "store.manager", Name: "店长 张伟 (" + first.Name + ")", Role: auth.StoreManager, ScopeType: auth.StoreScope, ScopeID: first.Code},
	}
}

// Load writes the chain into the platform: tenant and admin, brands, regions, stores,
// users, categories, the SKU catalogue (through the CSV importer), price zones and
// price overrides, when s.Identity is set, the customer touchpoints and events
// (GenerateCustomers) through the ingestion API's service followed by a fuzzy pass,
// and, when s.Order and s.Inventory are set, two years of orders (GenerateOrders,
// ending at the clock's now) with the stores' opening stock, returns and complaints
// through the inventory and order services (docs/demo-orders.md), and, when s.Promotion
// is set, the demo promotions with a day of till redemptions (docs/promotions.md).
//
// A load is all or nothing on both engines. It is marked in demo_loads before the
// tenant exists and unmarked once complete; when it fails or ctx is cancelled, Load
// removes every row the tenant got (Discard) before returning the error, and a load
// killed outright stays marked, so InterruptedLoads finds it and CheckLoads refuses
// it until it is discarded. It returns errs.Conflict when the tenant code is taken.
func Load(ctx context.Context, c *Chain, s Services, opts LoadOptions) (err error) {
	if s.DB == nil {
		return errors.New("demo: Services.DB is required (it marks the load so that an interrupted one can be removed)")
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.System{}
	}
	if err := beginLoad(ctx, s.DB, s.Org, c, clk.Now()); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			return
		}
		// Leave nothing behind, even when ctx was cancelled (Ctrl-C): the removal gets
		// its own deadline. If it fails too, the mark stays for the next run.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
		defer cancel()
		in := Interrupted{TenantCode: c.Tenant.Code, Scale: string(c.Scale), Seed: c.Seed}
		if _, derr := Discard(cleanup, s.DB, s.Org, in); derr != nil {
			err = errors.Join(err, fmt.Errorf("demo: the partial tenant stays marked and the next load removes it: %w", derr))
		}
	}()
	tenant, _, err := s.Org.Bootstrap(ctx, org.BootstrapInput{
		TenantCode: c.Tenant.Code, TenantName: c.Tenant.Name,
		AdminLogin: "admin", AdminName: "系统管理员", AdminPassword: opts.AdminPassword,
	})
	if err != nil {
		return fmt.Errorf("demo: bootstrap: %w", err)
	}
	if err := recordTenant(ctx, s.DB, c.Tenant.Code, tenant.ID); err != nil {
		return err
	}
	ctx = auth.WithPrincipal(ctx, auth.System(tenant.ID))
	l := &loader{c: c, s: s, password: opts.AdminPassword, progress: progress, brands: map[string]string{}, regions: map[string]string{},
		stores: map[string]string{}, categories: map[string]string{}, zones: map[string]string{}, now: clk.Now(), orderCount: opts.Orders}
	steps := []func(context.Context) error{l.organisation, l.users, l.categoryTree, l.skus, l.prices}
	if s.Identity != nil {
		steps = append(steps, l.customers)
	}
	if s.Loyalty != nil {
		steps = append(steps, l.loyalty)
	}
	if s.Order != nil && s.Inventory != nil && opts.Orders >= 0 {
		steps = append(steps, l.orders)
		if s.Audience != nil && s.Identity != nil {
			steps = append(steps, l.audiences)
		}
	}
	// After the order history: those orders were priced as the tills priced them,
	// without promotions (the promotions' windows reach back a few days).
	if s.Promotion != nil {
		steps = append(steps, l.promotions)
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: interrupted: %w", err)
		}
		if err := step(ctx); err != nil {
			return err
		}
		// The next step and the first reads plan with the sizes this one left.
		if err := s.DB.Analyze(ctx, loadedTables...); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return finishLoad(ctx, s.DB, c.Tenant.Code)
}

// loadedTables are the tables a demo load fills.
var loadedTables = []string{"brands", "regions", "stores", "users", "categories", "products", "skus", "sku_barcodes", "search_grams",
	"price_zones", "price_zone_stores", "sku_prices", "touchpoints", "touchpoint_days", "events", "customers",
	"customer_identifiers", "customer_profiles", "customer_store_visits", "customer_consents", "identity_reviews",
	"outbox_events", "audit_events", "stock_locations", "stock_balances", "stock_movements", "orders", "order_lines",
	"order_line_discounts", "order_payments", "order_timeline", "order_changes", "order_complaints", "order_exceptions",
	"promotions", "promotion_usage", "promotion_redemptions", "promotion_redemption_lines", "promotion_customer_usage"}

type loader struct {
	c        *Chain
	s        Services
	password string
	progress func(stage string, done, total int)

	brands, regions, stores, categories, zones map[string]string // code → id

	now        time.Time  // the load's today
	cs         *Customers // the customer base, once ingested
	orderCount int
}

func (l *loader) organisation(ctx context.Context) error {
	for _, b := range l.c.Brands {
		created, err := l.s.Org.CreateBrand(ctx, org.BrandCreate{Code: b.Code, Name: b.Name})
		if err != nil {
			return fmt.Errorf("demo: brand %s: %w", b.Code, err)
		}
		l.brands[b.Code] = created.ID
	}
	for _, r := range l.c.Regions {
		created, err := l.s.Org.CreateRegion(ctx, org.RegionCreate{Code: r.Code, Name: r.Name})
		if err != nil {
			return fmt.Errorf("demo: region %s: %w", r.Code, err)
		}
		l.regions[r.Code] = created.ID
	}
	for i, st := range l.c.Stores {
		if i%50 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("demo: interrupted: %w", err)
			}
			l.progress("stores", i, len(l.c.Stores))
		}
		lat, lon, area := st.Latitude, st.Longitude, st.FloorAreaM2
		created, err := l.s.Org.CreateStore(ctx, org.StoreCreate{
			BrandID: l.brands[st.BrandCode], RegionID: l.regions[st.RegionCode],
			Code: st.Code, Name: st.Name, Format: org.StoreFormat(st.Format), City: st.City, Address: st.Address,
			Latitude: &lat, Longitude: &lon, FloorAreaM2: &area, TimeZone: st.TimeZone,
			OpeningHours: st.OpeningHours, Status: org.StoreStatus(st.Status),
		})
		if err != nil {
			return fmt.Errorf("demo: store %s: %w", st.Code, err)
		}
		l.stores[st.Code] = created.ID
	}
	l.progress("stores", len(l.c.Stores), len(l.c.Stores))
	return nil
}

func (l *loader) users(ctx context.Context) error {
	for _, u := range DemoUsers(l.c) {
		if u.ScopeType == auth.StoreScope {
			u.ScopeID = l.stores[u.ScopeID]
		}
		u.Password = l.password
		if _, err := l.s.Org.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("demo: user %s: %w", u.Login, err)
		}
	}
	return nil
}

func (l *loader) categoryTree(ctx context.Context) error {
	for _, cat := range l.c.Categories {
		created, err := l.s.Catalog.CreateCategory(ctx, catalog.NewCategory{
			ParentID: l.categories[cat.ParentCode], Code: cat.Code, Name: cat.Name, Sort: cat.Sort,
		})
		if err != nil {
			return fmt.Errorf("demo: category %s: %w", cat.Code, err)
		}
		l.categories[cat.Code] = created.ID
	}
	return nil
}

func (l *loader) skus(ctx context.Context) error {
	var buf bytes.Buffer
	if err := l.c.WriteSKUCSV(&buf); err != nil {
		return fmt.Errorf("demo: write catalogue: %w", err)
	}
	report, err := l.s.Catalog.ImportSKUs(ctx, &buf, catalog.ImportOptions{
		Progress: func(done, total int) { l.progress("skus", done, total) },
	})
	if err != nil {
		return fmt.Errorf("demo: import catalogue: %w", err)
	}
	if report.Canceled {
		return fmt.Errorf("demo: import catalogue: interrupted after %d rows: %w", report.Processed, ctx.Err())
	}
	if report.Failed > 0 {
		first := report.Errors[0]
		return fmt.Errorf("demo: import catalogue: %d rows rejected, first at line %d: %s: %s", report.Failed, first.Line, first.Field, first.Reason)
	}
	return nil
}

func (l *loader) prices(ctx context.Context) error {
	skuIDs, err := l.skuIDs(ctx)
	if err != nil {
		return err
	}
	for _, z := range l.c.PriceZones {
		created, err := l.s.Catalog.CreatePriceZone(ctx, catalog.NewPriceZone{Code: z.Code, Name: z.Name})
		if err != nil {
			return fmt.Errorf("demo: price zone %s: %w", z.Code, err)
		}
		l.zones[z.Code] = created.ID
		var members []string
		for _, st := range l.c.Stores {
			if st.PriceZoneCode == z.Code {
				members = append(members, l.stores[st.Code])
			}
		}
		if _, err := l.s.Catalog.AssignStores(ctx, created.ID, members); err != nil {
			return fmt.Errorf("demo: price zone %s stores: %w", z.Code, err)
		}
	}
	total := len(l.c.ZonePrices) + len(l.c.StorePrices)
	done := 0
	set := func(skuCode string, scope catalog.ScopeType, scopeID string, price int64) error {
		if done%100 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("demo: interrupted: %w", err)
			}
			l.progress("prices", done, total)
		}
		done++
		if _, err := l.s.Catalog.SetPrice(ctx, skuIDs[skuCode], scope, scopeID, price); err != nil {
			return fmt.Errorf("demo: price of %s in %s %s: %w", skuCode, scope, scopeID, err)
		}
		return nil
	}
	for _, p := range l.c.ZonePrices {
		if err := set(p.SKUCode, catalog.ScopePriceZone, l.zones[p.ZoneCode], p.Price); err != nil {
			return err
		}
	}
	for _, p := range l.c.StorePrices {
		if err := set(p.SKUCode, catalog.ScopeStore, l.stores[p.StoreCode], p.Price); err != nil {
			return err
		}
	}
	l.progress("prices", total, total)
	return nil
}

// skuIDs pages through the imported catalogue to map SKU codes to ids.
func (l *loader) skuIDs(ctx context.Context) (map[string]string, error) {
	ids := make(map[string]string, len(l.c.SKUs))
	f := catalog.SKUFilter{Limit: 1000}
	for {
		page, err := l.s.Catalog.FindSKUs(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("demo: list skus: %w", err)
		}
		for _, s := range page.Items {
			ids[s.Code] = s.ID
		}
		if page.NextCursor == "" {
			return ids, nil
		}
		f.Cursor = page.NextCursor
	}
}

// customers ingests the customer base, then runs the fuzzy pass as an operator
// would, so the demo shows fuzzy merges and a review queue.
func (l *loader) customers(ctx context.Context) error {
	l.cs = GenerateCustomers(l.c)
	if err := IngestCustomers(ctx, l.s.Identity, l.cs, l.stores, l.progress); err != nil {
		return err
	}
	if err := ingestTraffic(ctx, l.s.Identity, l.c, l.stores); err != nil {
		return err
	}
	if _, err := l.s.Identity.MatchFuzzy(ctx, identity.FuzzyOptions{}); err != nil {
		return fmt.Errorf("demo: fuzzy matching: %w", err)
	}
	return nil
}

// IngestCustomers creates the touchpoints of cs (storeIDs maps store codes to ids;
// a touchpoint whose store is not in it is created without one) and sends its events
// through identity.Service.Ingest the way touchpoints upload them: month by month, each
// month's events grouped by touchpoint in batches of at most identity.MaxBatchEvents.
// ctx must carry a principal allowed to write touchpoints and ingest events.
func IngestCustomers(ctx context.Context, svc *identity.Service, cs *Customers, storeIDs map[string]string, progress func(stage string, done, total int)) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	for _, tp := range cs.Touchpoints {
		_, err := svc.CreateTouchpoint(ctx, identity.NewTouchpoint{Code: tp.Code, Name: tp.Name, Type: identity.TouchpointType(tp.Type),
			Channel: identity.Channel(tp.Channel), StoreID: storeIDs[tp.StoreCode]})
		if err != nil {
			return fmt.Errorf("demo: touchpoint %s: %w", tp.Code, err)
		}
	}
	done := 0
	for start := 0; start < len(cs.Events); {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: interrupted: %w", err)
		}
		progress("customer events", done, len(cs.Events))
		first := cs.Events[start].OccurredAt
		monthEnd := time.Date(first.Year(), first.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		end := start
		for end < len(cs.Events) && cs.Events[end].OccurredAt.Before(monthEnd) {
			end++
		}
		byTP := map[string][]json.RawMessage{}
		var order []string
		for _, e := range cs.Events[start:end] {
			raw, err := json.Marshal(map[string]any{"id": e.ID, "type": e.Type, "occurred_at": e.OccurredAt.Format(time.RFC3339),
				"identifiers": e.Identifiers, "properties": e.Properties})
			if err != nil {
				return fmt.Errorf("demo: event %s: %w", e.ID, err)
			}
			if _, ok := byTP[e.Touchpoint]; !ok {
				order = append(order, e.Touchpoint)
			}
			byTP[e.Touchpoint] = append(byTP[e.Touchpoint], raw)
		}
		for _, tp := range order {
			for batch := range slices.Chunk(byTP[tp], identity.MaxBatchEvents) {
				rep, err := svc.Ingest(ctx, tp, batch)
				if err != nil {
					return fmt.Errorf("demo: ingest %s: %w", tp, err)
				}
				if len(rep.Rejected) > 0 {
					r := rep.Rejected[0]
					return fmt.Errorf("demo: ingest %s: %d events rejected, first: %s: %s", tp, len(rep.Rejected), r.Field, r.Reason)
				}
			}
		}
		done += end - start
		start = end
	}
	progress("customer events", len(cs.Events), len(cs.Events))
	return nil
}
