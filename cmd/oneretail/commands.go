package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// options are the settings shared by the subcommands.
type options struct {
	db         string
	logFormat  string
	logLevel   string
	piiKey     string
	sqliteSync string
	dbConns    int
	cacheKiB   int
}

func newRootCommand() *cobra.Command {
	opts := &options{}
	root := &cobra.Command{
		Use:           "oneretail",
		Short:         "OneRetail — omnichannel retail operations platform",
		Long:          "OneRetail: one identity, one data, one service for every channel of a retail chain.\nEvery flag can also be set as an ONERETAIL_* environment variable (--db → ONERETAIL_DB).",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags())
		},
	}
	root.PersistentFlags().StringVar(&opts.db, "db", "./data/oneretail.db", "SQLite file path or postgres:// DSN")
	root.PersistentFlags().StringVar(&opts.logFormat, "log-format", "auto", "log format: json, text or auto (text on a terminal)")
	root.PersistentFlags().StringVar(&opts.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&opts.piiKey, "pii-key", "", "base64 master secret (32+ bytes) that encrypts personal data; with SQLite and none given, pii.key beside the database file is used (created when missing)")
	root.PersistentFlags().StringVar(&opts.sqliteSync, "sqlite-sync", string(db.SyncFull), "SQLite durability: full (an acknowledged write survives a power loss) or normal (faster; the last writes before a power loss or OS crash may be lost)")
	root.PersistentFlags().IntVar(&opts.dbConns, "db-conns", 0, fmt.Sprintf("PostgreSQL pool size (default %d) or number of SQLite reader connections (default %d)", db.DefaultPostgresConns, db.DefaultSQLiteReaders))
	root.PersistentFlags().IntVar(&opts.cacheKiB, "sqlite-cache-kib", db.DefaultSQLiteCache, "SQLite page cache per connection in KiB (the process holds at most (readers + 1) times this)")
	root.AddCommand(newServeCommand(opts), newMigrateCommand(opts), newDemoCommand(opts), newAdminCommand(opts),
		newOpenAPICommand(opts), newImportCommand(opts), newVersionCommand(), newIdentityCommand(opts),
		newInitCommand(opts), newTenantCommand(opts))
	return root
}

// bindEnv sets every flag not given on the command line from ONERETAIL_<NAME>.
func bindEnv(flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := "ONERETAIL_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

func (o *options) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, hopts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, hopts)), nil
	case "auto":
		if term.IsTerminal(int(os.Stderr.Fd())) {
			return slog.New(slog.NewTextHandler(os.Stderr, hopts)), nil
		}
		return slog.New(slog.NewJSONHandler(os.Stderr, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json, text or auto, not %q", o.logFormat)
}

// dbOptions returns the database settings of the flags.
func (o *options) dbOptions() db.Options {
	return db.Options{MaxOpenConns: o.dbConns, Sync: db.Sync(o.sqliteSync), CacheKiB: o.cacheKiB}
}

func (o *options) open(ctx context.Context, cfg app.Config) (*app.App, error) {
	log, err := o.logger()
	if err != nil {
		return nil, err
	}
	cfg.DB, cfg.Log, cfg.DBOptions = o.db, log, o.dbOptions()
	if cfg.PIISecret == nil {
		if cfg.PIISecret, err = o.piiSecret(log); err != nil {
			return nil, err
		}
	}
	if cfg.Org == (org.Config{}) {
		cfg.Org = org.DefaultConfig()
	}
	return app.New(ctx, cfg)
}

func newServeCommand(opts *options) *cobra.Command {
	var (
		addr          string
		demoScale     string
		demoOrders    int
		seed          uint64
		adminPassword string
		cors          []string
		shutdown      time.Duration
		proxies       []string
		bodyBudget    int
		searchLimit   string
		readLimit     string
		retention     time.Duration
		setupToken    string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API and the console",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			login := "an existing user (reset a password with `oneretail admin set-password`)"
			if demoScale != "" {
				created, password, err := prepareDemo(ctx, opts, demoScale, seed, demoOrders, adminPassword, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if created {
					login = "admin / " + password
				}
			}
			trusted, err := httpapi.ParseTrustedProxies(proxies)
			if err != nil {
				return fmt.Errorf("--trusted-proxies: %w", err)
			}
			if bodyBudget <= 0 {
				return errors.New("--body-budget must be a positive number of MiB")
			}
			lookups, err := lookupLimits(searchLimit, readLimit)
			if err != nil {
				return err
			}
			a, err := opts.open(ctx, app.Config{CORSOrigins: cors, ShutdownTimeout: shutdown, TrustedProxies: trusted,
				BodyBudget: int64(bodyBudget) << 20, CustomerLookups: lookups, OutboxRetention: outboxRetention(retention)})
			if err != nil {
				return err
			}
			defer a.Close()
			if err := checkPIIKey(ctx, a); err != nil {
				return err
			}
			if err := demo.CheckLoads(ctx, a.DB); err != nil {
				return err
			}
			log, err := opts.logger()
			if err != nil {
				return err
			}
			sync, _ := db.ParseSync(opts.sqliteSync) // db.Open has checked it
			checkDurability(ctx, a, sync, log)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			url := displayURL(ln.Addr())
			firstRun, err := openFirstRun(ctx, a, opts.db, setupToken, url, log, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			if firstRun {
				login = "the administrator you create (above)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "OneRetail %s is running at %s — log in as %s\n", version, url, login)
			log.Info("serving", "version", version, "addr", ln.Addr().String(), "db", redactDSN(opts.db))
			start := time.Now()
			err = a.Run(ctx, ln)
			log.Info("shut down", "after", time.Since(start).Round(time.Second).String(), "err", err)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", ":8080", "listen address")
	f.StringVar(&setupToken, "setup-token", "", "token of the console's first-run page while the database has no tenant (random and printed at start when empty)")
	f.StringVar(&demoScale, "demo", "", "load the demo chain at this scale (small, medium, large) when the database is empty")
	f.IntVar(&demoOrders, "demo-orders", 0, "with --demo: orders over the two years of history (0: the scale's default, -1: none)")
	f.Uint64Var(&seed, "seed", 1, "demo generator seed")
	f.StringVar(&adminPassword, "admin-password", "", "password of the demo admin user (random when empty)")
	f.StringSliceVar(&cors, "cors-origins", nil, "origins allowed to call the API from a browser (CORS is off when empty)")
	f.DurationVar(&shutdown, "shutdown-timeout", 20*time.Second, "how long in-flight requests get to finish on SIGTERM")
	f.StringSliceVar(&proxies, "trusted-proxies", nil, "CIDRs or addresses of the reverse proxies in front of the server; only their "+
		"X-Forwarded-For and X-Forwarded-Proto are believed (client address, Secure cookie, HSTS)")
	f.IntVar(&bodyBudget, "body-budget", httpapi.DefaultBodyBudget>>20, "MiB of memory all request bodies in flight may hold together; "+
		"a request beyond it gets 503 with Retry-After")
	f.DurationVar(&retention, "outbox-retention", events.DefaultRetention, "how long delivered domain events are kept before they are "+
		"deleted (hourly, in batches); 0 keeps them forever. Undelivered events are never deleted")
	def := identity.DefaultLookupLimits()
	f.StringVar(&searchLimit, "customer-search-limit", ruleFlag(def.Search), "customer searches and look-ups by identifier allowed per user or API key, LIMIT/WINDOW (a burst of LIMIT, then one every WINDOW/LIMIT)")
	f.StringVar(&readLimit, "customer-read-limit", ruleFlag(def.Read), "customer 360 reads and timeline pages allowed per user or API key, LIMIT/WINDOW")
	return cmd
}

// outboxRetention converts --outbox-retention for app.Config, where 0 is the default
// and a negative value keeps delivered events forever.
func outboxRetention(flag time.Duration) time.Duration {
	if flag <= 0 {
		return -1
	}
	return flag
}

// ruleFlag writes a rate rule as its flag value: 30/5m.
func ruleFlag(r ratelimit.Rule) string {
	w := r.Window.String() // 5m0s, 1h0m0s
	if strings.HasSuffix(w, "m0s") {
		w = strings.TrimSuffix(w, "0s")
	}
	if strings.HasSuffix(w, "h0m") {
		w = strings.TrimSuffix(w, "0m")
	}
	return strconv.Itoa(r.Limit) + "/" + w
}

// lookupLimits parses --customer-search-limit and --customer-read-limit.
func lookupLimits(search, read string) (identity.LookupLimits, error) {
	var l identity.LookupLimits
	var err error
	if l.Search, err = ratelimit.ParseRule(search); err != nil {
		return l, fmt.Errorf("--customer-search-limit: %w", err)
	}
	if l.Read, err = ratelimit.ParseRule(read); err != nil {
		return l, fmt.Errorf("--customer-read-limit: %w", err)
	}
	return l, nil
}

func displayURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		port := 0
		if ok {
			port = tcp.Port
		}
		return fmt.Sprintf("http://localhost:%d", port)
	}
	return "http://" + tcp.String()
}

// prepareDemo loads the demo chain when the database holds no tenant yet and returns
// whether it did and the admin password. A new SQLite database is built under a
// temporary name and renamed into place only once complete; an existing database
// (PostgreSQL, or a SQLite file) is loaded in place, all or nothing (demo.Load), after
// removing what an interrupted earlier load left.
func prepareDemo(ctx context.Context, opts *options, scale string, seed uint64, orders int, password string, progress io.Writer) (bool, string, error) {
	if _, err := demo.ParseScale(scale); err != nil {
		return false, "", err
	}
	if password == "" {
		password = ids.Secret(10)
	}
	if !db.IsPostgresDSN(opts.db) {
		path := strings.TrimPrefix(opts.db, "file:")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			tmp := path + ".loading"
			removeSQLite(tmp)
			staged := *opts
			staged.db = tmp
			if err := loadInto(ctx, &staged, scale, seed, orders, password, progress); err != nil {
				removeSQLite(tmp)
				return false, "", err
			}
			if err := os.Rename(tmp, path); err != nil {
				removeSQLite(tmp)
				return false, "", fmt.Errorf("move demo database into place: %w", err)
			}
			return true, password, nil
		}
	}
	a, err := opts.open(ctx, app.Config{})
	if err != nil {
		return false, "", err
	}
	defer a.Close()
	if err := discardInterrupted(ctx, a, progress); err != nil {
		return false, "", err
	}
	n, err := a.Org.TenantCount(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if err := loadDemo(ctx, a, scale, seed, orders, password, progress); err != nil {
		return false, "", err
	}
	return true, password, nil
}

// discardInterrupted removes the tenants of demo loads that never finished and says so.
func discardInterrupted(ctx context.Context, a *app.App, w io.Writer) error {
	loads, err := demo.InterruptedLoads(ctx, a.DB)
	if err != nil {
		return err
	}
	for _, l := range loads {
		removed, err := demo.Discard(ctx, a.DB, a.Org, l)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "removed the demo load that was interrupted earlier: %s, %d rows (%s)\n", l, demo.RowCount(removed), demo.Largest(removed, 3))
	}
	return nil
}

func loadInto(ctx context.Context, opts *options, scale string, seed uint64, orders int, password string, progress io.Writer) error {
	a, err := opts.open(ctx, app.Config{})
	if err != nil {
		return err
	}
	if err := loadDemo(ctx, a, scale, seed, orders, password, progress); err != nil {
		a.Close()
		return err
	}
	return a.Close()
}

// removeSQLite deletes a SQLite database file and its WAL companions.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

func loadDemo(ctx context.Context, a *app.App, scale string, seed uint64, orders int, password string, progress io.Writer) error {
	sc, err := demo.ParseScale(scale)
	if err != nil {
		return err
	}
	start := time.Now()
	chain, err := demo.Generate(sc, seed)
	if err != nil {
		return err
	}
	err = demo.Load(ctx, chain, demo.Services{DB: a.DB, Org: a.Org, Catalog: a.Catalog, Identity: a.Identity, Order: a.Order, Inventory: a.Inventory,
		Loyalty: a.Loyalty, Coupon: a.Coupon, Audience: a.Audience, Promotion: a.Promotion}, demo.LoadOptions{
		AdminPassword: password,
		Orders:        orders,
		Progress:      newProgress(progress),
	})
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	st := chain.Stats()
	fmt.Fprintf(progress, "demo chain (%s, seed %d) loaded in %s: %d brands, %d regions, %d stores in %d cities, %d categories, %d products, %d SKUs, %d price overrides\n",
		sc, seed, time.Since(start).Round(time.Millisecond), st.Brands, st.Regions, st.Stores, st.Cities, st.Categories, st.Products, st.SKUs, st.ZonePrices+st.StorePrices)
	return nil
}

func newDemoCommand(opts *options) *cobra.Command {
	var (
		scale         string
		seed          uint64
		adminPassword string
		orders        int
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load a deterministic demo retail chain into an empty database",
		RunE: func(cmd *cobra.Command, _ []string) error {
			created, password, err := prepareDemo(cmd.Context(), opts, scale, seed, orders, adminPassword, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if !created {
				return errors.New("the database already holds a tenant; use a fresh --db for the demo")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "admin login: admin / %s\n", password)
			return nil
		},
	}
	cmd.Flags().StringVar(&scale, "scale", "small", "demo scale: small, medium or large")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "generator seed (same seed, same chain)")
	cmd.Flags().StringVar(&adminPassword, "admin-password", "", "password of the admin user (random when empty)")
	cmd.Flags().IntVar(&orders, "orders", 0, "orders over the two years of history (0: the scale's default, -1: none)")
	return cmd
}

func newMigrateCommand(opts *options) *cobra.Command {
	var allowDataLoss bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and show their status",
		Long: "Apply pending database migrations and show their status.\n\n" +
			"A migration that removes data (none since v0.1.0; 00008 for databases made before it) is refused while\n" +
			"its tables hold rows: the error names the rows it would remove. Back up the database and run\n" +
			"again with --allow-data-loss to apply it. `serve` never applies such a migration.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log, err := opts.logger()
			if err != nil {
				return err
			}
			d, err := db.Open(ctx, opts.db, opts.dbOptions())
			if err != nil {
				return err
			}
			defer d.Close()
			applied, err := migrations.Up(ctx, d, migrations.Options{Log: log, AllowDataLoss: allowDataLoss})
			if err != nil {
				return err
			}
			status, err := migrations.Status(ctx, d)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, s := range status {
				fmt.Fprintf(out, "%05d %-8s %s\n", s.Source.Version, s.State, filepath.Base(s.Source.Path))
			}
			for _, a := range applied {
				for _, r := range a.Removed {
					fmt.Fprintf(out, "%s removed %d rows of %s\n", a.File, r.Rows, r.Table)
				}
			}
			fmt.Fprintf(out, "%d migration(s) applied now (%s)\n", len(applied), d.Dialect)
			return nil
		},
	}
	cmd.Flags().BoolVar(&allowDataLoss, "allow-data-loss", false, "apply migrations that remove data (see the refusal message for what; back up first)")
	return cmd
}

func newOpenAPICommand(opts *options) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI 3.1 document (or 3.0, for client generators that read only 3.0)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if version != "3.1" && version != "3.0" {
				return fmt.Errorf("--version must be 3.1 or 3.0, not %q", version)
			}
			dir, err := os.MkdirTemp("", "oneretail-openapi")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			opts.db = filepath.Join(dir, "openapi.db")
			opts.logLevel = "error"
			a, err := opts.open(cmd.Context(), app.Config{})
			if err != nil {
				return err
			}
			defer a.Close()
			if version == "3.0" {
				// The document GET /api/openapi-3.0.json serves.
				doc, err := a.API.OpenAPI().Downgrade()
				if err != nil {
					return fmt.Errorf("openapi: downgrade to 3.0: %w", err)
				}
				var out bytes.Buffer
				if err := json.Indent(&out, doc, "", "  "); err != nil {
					return err
				}
				out.WriteByte('\n')
				_, err = out.WriteTo(cmd.OutOrStdout())
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(a.API.OpenAPI())
		},
	}
	cmd.Flags().StringVar(&version, "version", "3.1", "OpenAPI version of the document: 3.1 or 3.0")
	return cmd
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "oneretail", version)
		},
	}
}

func newAdminCommand(opts *options) *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Create users and API keys from the command line"}
	var tenant, login, name, password, role, keyName string
	var scopes []string
	createUser := &cobra.Command{
		Use:   "create-user",
		Short: "Create a console user with a role (tenant-wide data scope)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				u, err := a.Org.CreateUser(ctx, org.UserCreate{Login: login, Name: name, Password: password, Role: auth.Role(role), ScopeType: auth.TenantScope})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created user %s (%s) with role %s\n", u.Login, u.ID, u.Role)
				return nil
			})
		},
	}
	createUser.Flags().StringVar(&login, "login", "", "login name")
	createUser.Flags().StringVar(&name, "name", "", "display name")
	createUser.Flags().StringVar(&password, "password", "", "password (at least 10 characters, not a trivial or common one)")
	createUser.Flags().StringVar(&role, "role", string(auth.HQAdmin), "role: hq_admin, marketer, analyst, merchandiser, store_manager, associate, integrator")
	setPassword := &cobra.Command{
		Use:   "set-password",
		Short: "Reset a user's password; the user must change it at the next login",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				return a.Org.SetPasswordByLogin(ctx, login, password)
			})
		},
	}
	setPassword.Flags().StringVar(&login, "login", "", "login name")
	setPassword.Flags().StringVar(&password, "password", "", "temporary password (at least 10 characters, not a trivial or common one)")
	createKey := &cobra.Command{
		Use:   "create-api-key",
		Short: "Create an API key with the given scopes; the secret is printed once",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				ss := make([]auth.Scope, len(scopes))
				for i, s := range scopes {
					ss[i] = auth.Scope(s)
				}
				k, secret, err := a.Org.CreateAPIKey(ctx, org.APIKeyCreate{Name: keyName, Scopes: ss})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "API key %s (%s) scopes %v\nsecret (shown once): %s\n", k.Name, k.ID, k.Scopes, secret)
				return nil
			})
		},
	}
	createKey.Flags().StringVar(&keyName, "name", "", "key name, e.g. the POS system it belongs to")
	createKey.Flags().StringSliceVar(&scopes, "scopes", nil, "comma-separated scopes, e.g. catalog:read,org:read")
	for _, c := range []*cobra.Command{createUser, setPassword, createKey} {
		c.Flags().StringVar(&tenant, "tenant", "", "the tenant's code (`oneretail tenant list` shows them; the demo's is demo)")
		cmd.AddCommand(c)
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "new-pii-key",
		Short: "Print a new random master secret for --pii-key (keep it with the database backups)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), pii.NewSecret())
			return nil
		},
	}, newRotatePIIKeyCommand(opts))
	return cmd
}
