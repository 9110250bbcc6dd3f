package benchapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// BootOptions say what a load benchmark needs of OneRetail.
type BootOptions struct {
	// Target is where to make a fresh database: a directory for SQLite or a
	// postgres:// DSN (a new schema is made there and dropped by Close).
	Target string
	// Name names the database file or schema.
	Name string
	// Demo loads the small demo chain (seed 1) as the tenant; otherwise the tenant is a
	// bare one bootstrapped with an admin user.
	Demo bool
	// Scopes are the scopes of the API key the benchmark drives the API with.
	Scopes []auth.Scope
	// App adjusts the app's configuration before it starts (DB options, clock);
	// nil keeps the defaults.
	App func(*app.Config)
}

// Boot is OneRetail started in this process for a load benchmark: a fresh database,
// the app, one tenant, an API key and the API served on a loopback port.
type Boot struct {
	App    *app.App
	Tenant org.Tenant
	// System acts as the tenant's system principal, for set-up through the services.
	System context.Context
	// Key is the API key (with BootOptions.Scopes) the benchmark sends.
	Key string
	// Base is the API's base URL, "http://127.0.0.1:port".
	Base string
	// Engine is "sqlite" or "postgres".
	Engine string

	cancel context.CancelFunc
	drop   func()
}

// Start makes the database, starts the app, creates the tenant and the API key and
// serves the API. Every failure is returned with the step that failed; Close undoes
// what was done.
func Start(ctx context.Context, opts BootOptions) (b *Boot, err error) {
	dsn, drop, err := benchdb.Fresh(opts.Target, opts.Name)
	if err != nil {
		return nil, fmt.Errorf("fresh database: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	b = &Boot{Engine: "sqlite", cancel: cancel, drop: drop}
	if db.IsPostgresDSN(dsn) {
		b.Engine = "postgres"
	}
	defer func() {
		if err != nil {
			b.Close()
			b = nil
		}
	}()
	cfg := app.Config{DB: dsn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Org: org.DefaultConfig(), PIISecret: pii.TestSecret()}
	if opts.App != nil {
		opts.App(&cfg)
	}
	if b.App, err = app.New(ctx, cfg); err != nil {
		return b, fmt.Errorf("start the app: %w", err)
	}
	if opts.Demo {
		chain, err := demo.Generate(demo.ScaleSmall, 1)
		if err != nil {
			return b, fmt.Errorf("generate the demo chain: %w", err)
		}
		if err := demo.Load(ctx, chain, demo.Services{DB: b.App.DB, Org: b.App.Org, Catalog: b.App.Catalog},
			demo.LoadOptions{AdminPassword: "bench-password-1"}); err != nil {
			return b, fmt.Errorf("load the demo chain: %w", err)
		}
		if b.Tenant, err = b.App.Org.FindTenantByCode(ctx, chain.Tenant.Code); err != nil {
			return b, fmt.Errorf("find the demo tenant: %w", err)
		}
	} else {
		if b.Tenant, _, err = b.App.Org.Bootstrap(ctx, org.BootstrapInput{TenantCode: "bench", TenantName: "Bench",
			AdminLogin: "admin", AdminName: "Admin", AdminPassword: "bench-password-1"}); err != nil {
			return b, fmt.Errorf("bootstrap the tenant: %w", err)
		}
	}
	b.System = auth.WithPrincipal(ctx, auth.System(b.Tenant.ID))
	if _, b.Key, err = b.App.Org.CreateAPIKey(b.System, org.APIKeyCreate{Name: "bench", Scopes: opts.Scopes}); err != nil {
		return b, fmt.Errorf("create the API key: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return b, fmt.Errorf("listen: %w", err)
	}
	b.Base = "http://" + ln.Addr().String()
	go func() { _ = b.App.Run(ctx, ln) }()
	return b, nil
}

// Close stops the app and drops the database.
func (b *Boot) Close() {
	b.cancel()
	if b.App != nil {
		_ = b.App.Close()
	}
	b.drop()
}

// Warm sends the request n times and fails on the first answer outside 2xx, so that
// a benchmark never measures an error path.
func (b *Boot) Warm(n int, method, path, body string) ([]byte, error) {
	var out []byte
	for i := 0; i < n; i++ {
		raw, err := Do(b.Base, b.Key, method, path, body, nil)
		if err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
		out = raw
	}
	return out, nil
}

// Profile starts a CPU profile into path ("" does nothing) and returns the function
// that stops it.
func Profile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
