// Package app wires OneRetail together: database, migrations, domains, event
// dispatcher, HTTP API and console. Both `oneretail serve` and the end-to-end tests
// start it through New, Run and Close.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/oneretail/oneretail/internal/audience"
	"github.com/oneretail/oneretail/internal/catalog"
	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/inventory"
	"github.com/oneretail/oneretail/internal/loyalty"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/order"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/web"
)

// Config is everything the platform needs to start.
type Config struct {
	DB              string // SQLite path or postgres:// DSN
	Log             *slog.Logger
	Org             org.Config
	DBOptions       db.Options // pool sizes and SQLite's durability and cache; the zero value is the default
	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration // how long in-flight requests get to finish
	CORSOrigins     []string
	TrustedProxies  []netip.Prefix // proxies whose X-Forwarded-For/-Proto are believed
	BodyBudget      int64          // request body memory across the process, bytes; 0: httpapi.DefaultBodyBudget
	Clock           clock.Clock
	PIISecret       []byte // master secret for personal data at rest (pii.NewKeys); required
	// OutboxRetention is how long delivered domain events are kept; zero means
	// events.DefaultRetention (7 days) and a negative value keeps them forever.
	OutboxRetention time.Duration
	// CustomerLookups bounds customer searches and reads per principal; zero means
	// identity.DefaultLookupLimits.
	CustomerLookups identity.LookupLimits
}

// App is a running OneRetail instance.
type App struct {
	cfg        Config
	DB         *db.DB
	Outbox     *events.Outbox
	Dispatcher *events.Dispatcher
	Audit      *audit.Log
	RateLimits *ratelimit.Limiter
	Org        *org.Service
	Catalog    *catalog.Service
	Identity   *identity.Service
	Promotion  *promotion.Service
	Inventory  *inventory.Service
	Order      *order.Service
	Loyalty    *loyalty.Service
	Coupon     *coupon.Service
	Audience   *audience.Service
	API        huma.API

	idempotency *httpapi.Idempotency
	setupGate   *setupGate
	handler     http.Handler
	draining    atomic.Bool
}

// New opens the database, applies migrations and wires every domain.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	keys, err := pii.NewKeys(cfg.PIISecret)
	if err != nil {
		return nil, fmt.Errorf("app: personal data key: %w", err)
	}
	d, err := db.Open(ctx, cfg.DB, cfg.DBOptions)
	if err != nil {
		return nil, err
	}
	// A migration that would remove data is never applied here: only `oneretail
	// migrate --allow-data-loss` applies it (migrations.DataLossError says so).
	if _, err := migrations.Up(ctx, d, migrations.Options{Log: cfg.Log}); err != nil {
		d.Close()
		return nil, err
	}
	a := &App{cfg: cfg, DB: d}
	a.Outbox = events.NewOutbox(cfg.Clock)
	a.Dispatcher = events.NewDispatcher(d, a.Outbox, cfg.Clock, cfg.Log)
	if cfg.OutboxRetention != 0 {
		a.Dispatcher.Retention = max(cfg.OutboxRetention, 0)
	}
	a.Audit = audit.New(d, cfg.Clock)
	a.RateLimits = ratelimit.New(d, cfg.Clock)
	a.Org = org.NewService(cfg.Org, d, a.Outbox, a.Audit, a.RateLimits, cfg.Clock, cfg.Log)
	a.Catalog = catalog.NewService(d, a.Outbox, a.Audit, cfg.Clock, storeFinder{a.Org})
	a.Identity = identity.NewService(d, a.Outbox, a.Audit, cfg.Clock, storeFinder{a.Org}, keyIssuer{a.Org}, keys)
	if cfg.CustomerLookups == (identity.LookupLimits{}) {
		cfg.CustomerLookups = identity.DefaultLookupLimits()
	}
	if err := a.Identity.LimitLookups(a.RateLimits, cfg.CustomerLookups); err != nil {
		d.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	tokenKey, err := pii.DeriveKey(cfg.PIISecret, "priced-cart token")
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("app: priced-cart token key: %w", err)
	}
	a.Promotion = promotion.NewService(d, a.Outbox, a.Audit, cfg.Clock, promotion.Config{Customers: a.Identity, Stores: storeFinder{a.Org},
		Catalog: a.Catalog, TokenKey: tokenKey})
	a.Promotion.Subscribe(a.Dispatcher)
	a.Identity.SetTenantZones(a.Promotion) // touchpoint "today" is the tenant's day
	a.Inventory = inventory.NewService(d, a.Outbox, a.Audit, cfg.Clock, storeFinder{a.Org})
	a.Coupon = coupon.NewService(d, a.Outbox, a.Audit, cfg.Clock, coupon.Deps{Promotions: a.Promotion, Customers: a.Identity,
		Stores: storeFinder{a.Org}, FirstOrders: couponFacts{d, keys}, Birthdays: couponFacts{d, keys}, Zones: a.Promotion}, coupon.Config{Keys: keys})
	a.Coupon.Subscribe(a.Dispatcher)
	a.Order = order.NewService(d, a.Outbox, a.Audit, cfg.Clock, keys, order.Deps{Pricer: a.Promotion, Stock: a.Inventory,
		Catalog: a.Catalog, Buyers: a.Identity, Stores: storeFinder{a.Org}, Coupons: a.Coupon}, order.Config{})
	a.Loyalty = loyalty.NewService(d, a.Outbox, a.Audit, cfg.Clock, loyalty.Deps{Orders: loyaltyOrders{a.Order, a.Catalog, a.Org},
		Customers: a.Identity, Stores: storeFinder{a.Org}})
	a.Loyalty.Subscribe(a.Dispatcher)
	a.Identity.Subscribe(a.Dispatcher)
	a.Loyalty.SubscribeMembership(a.Dispatcher)
	a.Order.UseStoredValue(a.Loyalty) // orders paid with stored_value debit loyalty's accounts (decision 0032)
	a.Audience = audience.NewService(d, a.Outbox, a.Audit, cfg.Clock, audience.Deps{Customers: a.Identity,
		Facts: audienceFacts{db: d, identity: a.Identity}, Identifiers: a.Identity, Coupons: audienceCoupons{a.Coupon}})
	a.Audience.Subscribe(a.Dispatcher)
	a.idempotency = httpapi.NewIdempotency(d, keys, cfg.Clock, cfg.Log)
	a.idempotency.SecretMarkers = []string{org.APIKeyPrefix, org.SessionTokenPrefix}
	a.Identity.SetStoredResponses(a.idempotency)
	a.setupGate = &setupGate{}
	a.handler = a.routes()
	return a, nil
}

func (a *App) routes() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.DB.Writer(), "oneretail"), a.Dispatcher.Collector())
	if a.DB.Reader() != a.DB.Writer() { // SQLite's read-only pool: waits there say whether --db-conns is too small
		reg.MustRegister(collectors.NewDBStatsCollector(a.DB.Reader(), "oneretail_readers"))
	}
	srv := httpapi.New(httpapi.Options{
		Log:            a.cfg.Log,
		Registry:       reg,
		Auth:           a.Org,
		Idempotency:    a.idempotency,
		RequestTimeout: a.cfg.RequestTimeout,
		CORSOrigins:    a.cfg.CORSOrigins,
		TrustedProxies: a.cfg.TrustedProxies,
		BodyBudget:     a.cfg.BodyBudget,
	})
	a.API = srv.API
	a.registerHealth(srv.API)
	a.registerSetup(srv.API)
	a.Audit.Register(srv.API)
	httpapi.RegisterImportReport(srv.API)
	a.Dispatcher.Register(srv.API)
	a.Org.Register(srv.API)
	a.Catalog.Register(srv.API)
	a.Identity.Register(srv.API)
	a.Promotion.Register(srv.API)
	a.Inventory.Register(srv.API)
	a.Order.Register(srv.API)
	a.Loyalty.Register(srv.API)
	a.Loyalty.RegisterStoredValue(srv.API)
	a.Coupon.Register(srv.API)
	a.Audience.Register(srv.API)
	srv.Router.HandleFunc("/api/*", httpapi.NotFound)
	srv.Router.Handle("/*", web.Handler())
	return srv.Router
}

// Handler returns the HTTP handler serving the API, metrics and console.
func (a *App) Handler() http.Handler { return a.handler }

// Run serves HTTP on ln and runs the event dispatcher until ctx is cancelled, then
// shuts down gracefully: the listener closes, in-flight requests finish (up to
// ShutdownTimeout), and the dispatcher finishes the event it is delivering. The
// node's idempotency lease is renewed until the last request has finished.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	if err := a.idempotency.Heartbeat(ctx); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	leaseCtx, endLease := context.WithCancel(context.WithoutCancel(ctx))
	defer endLease()
	leaseDone := make(chan struct{})
	go func() { defer close(leaseDone); _ = a.idempotency.Run(leaseCtx) }()
	defer func() { endLease(); <-leaseDone }()
	server := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.cfg.Log.Handler(), slog.LevelWarn),
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("app: serve: %w", err)
		}
		return nil
	})
	g.Go(func() error { return a.Dispatcher.Run(gctx) })
	g.Go(func() error { a.janitor(gctx); return nil })
	g.Go(func() error { a.expireReservations(gctx); return nil })
	g.Go(func() error { a.expirePoints(gctx); return nil })
	g.Go(func() error { a.evaluateTiers(gctx); return nil })
	g.Go(func() error { a.issueBirthdayCoupons(gctx); return nil })
	g.Go(func() error { return a.Audience.RunJobs(gctx) })
	g.Go(func() error {
		<-gctx.Done()
		a.draining.Store(true)
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(gctx), a.cfg.ShutdownTimeout)
		defer cancel()
		if err := server.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("app: shutdown: %w", err)
		}
		return nil
	})
	return g.Wait()
}

// janitor purges expired idempotency keys, spent rate limits, forgotten login
// failures and domain events delivered longer than the outbox retention ago once an
// hour.
func (a *App) janitor(ctx context.Context) {
	every(ctx, time.Hour, func() {
		if _, err := a.idempotency.Purge(ctx, a.cfg.Clock.Now().Add(-24*time.Hour)); err != nil {
			a.cfg.Log.Error("purge idempotency keys", "err", err)
		}
		if _, err := a.RateLimits.Purge(ctx, a.cfg.Clock.Now()); err != nil {
			a.cfg.Log.Error("purge rate limits", "err", err)
		}
		if _, err := a.Org.PurgeLoginThrottle(ctx, a.cfg.Clock.Now()); err != nil {
			a.cfg.Log.Error("purge login throttle", "err", err)
		}
		if n, err := a.Dispatcher.PurgeExpired(ctx); err != nil {
			a.cfg.Log.Error("purge delivered domain events", "err", err, "deleted", n)
		}
	})
}

// expireReservations releases unpaid stock reservations once their time has passed
// and cancels the orders that held them (their promotions' budgets go back), and
// writes off expired stock batches, checking every 15 s (a reservation lives for
// minutes; a batch write-off is idempotent, so running it often costs one index read).
func (a *App) expireReservations(ctx context.Context) {
	every(ctx, 15*time.Second, func() {
		if n, err := a.Inventory.ExpireDue(ctx, 500); err != nil {
			a.cfg.Log.Error("expire stock reservations", "err", err, "expired", n)
		}
		if n, err := a.Inventory.ExpireBatches(ctx, 500); err != nil {
			a.cfg.Log.Error("write off expired stock batches", "err", err, "written_off", n)
		}
		if n, err := a.Order.CancelUnpaid(ctx, 500); err != nil {
			a.cfg.Log.Error("cancel unpaid orders", "err", err, "cancelled", n)
		}
		if rel, exp, err := a.Coupon.Sweep(ctx, 500); err != nil {
			a.cfg.Log.Error("release coupon locks and expire coupons", "err", err, "released", rel, "expired", exp)
		}
	})
}

// every calls fn once per interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// Close stops the flash-sale brokers (answering what they hold) and releases the database.
func (a *App) Close() error {
	// The flash-sale brokers answer their queued reservations before the database goes.
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	err := a.Inventory.Close(ctx)
	return errors.Join(err, a.DB.Close())
}

// The identity service tells the promotion service which customer an id is.
var _ promotion.CustomerFinder = (*identity.Service)(nil)

// storeFinder lets the catalogue check stores through the org service.
type storeFinder struct{ org *org.Service }

var (
	_ catalog.StoreFinder   = storeFinder{}
	_ identity.StoreFinder  = storeFinder{}
	_ inventory.StoreFinder = storeFinder{}
	_ promotion.StoreZones  = storeFinder{}
	_ order.Stores          = storeFinder{}
)

// StoreTimeZone returns a store's time zone for pricing, within the caller's tenant
// and data scope (errs.NotFound outside it); pricing needs no org:read.
func (f storeFinder) StoreTimeZone(ctx context.Context, storeID string) (string, error) {
	s, err := f.org.FindStoreByID(asStoreReader(ctx), storeID)
	return s.TimeZone, err
}

// StoreExists reports errs.NotFound unless the store exists in the caller's tenant
// and data scope. The caller need not hold org:read: another domain's operation (a
// price override, a touchpoint) names a store, and the caller's data scope is what
// bounds which stores it may name.
func (f storeFinder) StoreExists(ctx context.Context, storeID string) error {
	_, err := f.org.FindStoreByID(asStoreReader(ctx), storeID)
	return err
}

// StorePlace returns where a store is, its opening hours and time zone, for the
// order center's routing (within the caller's tenant and data scope).
func (f storeFinder) StorePlace(ctx context.Context, storeID string) (order.StorePlace, error) {
	s, err := f.org.FindStoreByID(asStoreReader(ctx), storeID)
	return order.StorePlace{Latitude: s.Latitude, Longitude: s.Longitude, OpeningHours: s.OpeningHours, TimeZone: s.TimeZone}, err
}

// StoreIDByCode returns the id of the store with code (regardless of case) in the
// caller's tenant and data scope, for a channel that names stores by code
// (errs.NotFound when there is none).
func (f storeFinder) StoreIDByCode(ctx context.Context, code string) (string, error) {
	page, err := f.org.FindStores(asStoreReader(ctx), org.StoreFilter{Q: code, PageParams: httpapi.PageParams{Limit: httpapi.MaxLimit}})
	if err != nil {
		return "", err
	}
	for _, st := range page.Items {
		if strings.EqualFold(st.Code, code) {
			return st.ID, nil
		}
	}
	return "", errs.E(errs.NotFound, "no store with code %s", code)
}

// asStoreReader returns ctx with the caller allowed to read stores (org:read) inside
// its own tenant and data scope, for look-ups other domains make on its behalf.
func asStoreReader(ctx context.Context) context.Context {
	p := auth.FromContext(ctx)
	if p == nil || p.Has(auth.OrgRead) {
		return ctx
	}
	reader := *p
	reader.Scopes = append(slices.Clone(p.Scopes), auth.OrgRead)
	return auth.WithPrincipal(ctx, &reader)
}

// ScopeStoreIDs lists the stores inside the data scope of the caller, whatever
// scopes it holds: which customers a brand- or region-scoped user sees follows from
// its data scope, not from its right to read the store registry.
func (f storeFinder) ScopeStoreIDs(ctx context.Context) ([]string, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	narrow := *p
	narrow.Scopes = []auth.Scope{auth.OrgRead}
	ctx = auth.WithPrincipal(ctx, &narrow)
	var ids []string
	filter := org.StoreFilter{PageParams: httpapi.PageParams{Limit: httpapi.MaxLimit}}
	for {
		page, err := f.org.FindStores(ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, st := range page.Items {
			ids = append(ids, st.ID)
		}
		if page.NextCursor == "" {
			return ids, nil
		}
		filter.Cursor = page.NextCursor
	}
}

func (f storeFinder) StoreCount(ctx context.Context) (int, error) {
	sum, err := f.org.StoreSummary(ctx, org.StoreFilter{})
	return sum.Total, err
}

var _ catalog.StoreNamer = storeFinder{}

// StoreNames resolves store ids to names for price-override listings in one query;
// stores the caller cannot see are left out.
func (f storeFinder) StoreNames(ctx context.Context, storeIDs []string) (map[string]string, error) {
	return f.org.StoreNames(asStoreReader(ctx), storeIDs)
}

var _ identity.StoredResponses = (*httpapi.Idempotency)(nil)

// keyIssuer lets the identity domain make touchpoint credentials through the org
// service, which keeps every API key.
type keyIssuer struct{ org *org.Service }

var _ identity.KeyIssuer = keyIssuer{}

func (k keyIssuer) IssueTouchpointKey(ctx context.Context, name, touchpointID string, scopes []auth.Scope) (identity.IssuedKey, error) {
	key, secret, err := k.org.CreateAPIKey(ctx, org.APIKeyCreate{Name: name, Scopes: scopes, TouchpointID: touchpointID})
	if err != nil {
		return identity.IssuedKey{}, err
	}
	return identity.IssuedKey{ID: key.ID, Name: key.Name, Prefix: key.Prefix, Secret: secret, Scopes: key.Scopes}, nil
}
