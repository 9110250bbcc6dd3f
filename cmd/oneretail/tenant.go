package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	neturl "net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// adminInput is the first administrator of a new tenant, as the init and tenant
// create commands take it.
type adminInput struct {
	login, name, password string
}

func (in *adminInput) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&in.login, "admin-login", "", "login of the tenant's first hq_admin (required)")
	f.StringVar(&in.name, "admin-name", "", "display name of the admin (the login when empty)")
	f.StringVar(&in.password, "admin-password", "", "the admin's password; prefer ONERETAIL_ADMIN_PASSWORD or the prompt "+
		"(a command line is visible to other users of the machine). Without either, a password is generated and printed once")
}

// bootstrapInput completes in: a password from the prompt when stdin is a
// terminal, else a generated one (generated reports which).
func (in *adminInput) bootstrapInput(cmd *cobra.Command, code, group string) (org.BootstrapInput, bool, error) {
	if in.login == "" {
		return org.BootstrapInput{}, false, errors.New("--admin-login is required: the login of the first administrator")
	}
	name := in.name
	if name == "" {
		name = in.login
	}
	password, generated := in.password, false
	if password == "" {
		var err error
		if password, err = promptPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), in.login); err != nil {
			return org.BootstrapInput{}, false, err
		}
	}
	if password == "" {
		password, generated = ids.Secret(10), true
	}
	return org.BootstrapInput{TenantCode: code, TenantName: group, AdminLogin: in.login, AdminName: name,
		AdminPassword: password}, generated, nil
}

// promptPassword asks for the password twice when stdin is a terminal; "" means
// generate one (not a terminal, or the operator pressed Enter).
func promptPassword(stdin io.Reader, prompt io.Writer, login string) (string, error) {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", nil
	}
	fmt.Fprintf(prompt, "Password for %s (Enter to generate one): ", login)
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil || len(first) == 0 {
		return "", err
	}
	fmt.Fprint(prompt, "Again: ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if string(first) != string(again) {
		return "", errors.New("the two passwords differ; nothing was created")
	}
	return string(first), nil
}

// createTenant creates the tenant and its first hq_admin — with org.Service.Setup
// when first (the installation's first tenant), else Bootstrap — and says what it
// created, with a generated password shown once.
func (in *adminInput) createTenant(cmd *cobra.Command, opts *options, code, group string, first bool) (org.User, error) {
	b, generated, err := in.bootstrapInput(cmd, code, group)
	if err != nil {
		return org.User{}, err
	}
	a, err := opts.open(cmd.Context(), app.Config{})
	if err != nil {
		return org.User{}, err
	}
	defer a.Close()
	create := a.Org.Bootstrap
	if first {
		create = a.Org.Setup
	}
	t, u, err := create(cmd.Context(), b)
	if err != nil {
		return org.User{}, err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "created tenant %s (%s) and its hq_admin %s\n", t.Code, t.Name, u.Login)
	if generated {
		fmt.Fprintf(w, "password of %s (shown once): %s\n", u.Login, b.AdminPassword)
	}
	return u, nil
}

func newInitCommand(opts *options) *cobra.Command {
	var group, code string
	var admin adminInput
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Set up an empty installation: create your group (tenant) and its first hq_admin",
		Long: "Set up an empty installation: create your group (the tenant) and its first administrator (hq_admin over\n" +
			"the whole group), then log in to the console with them. Refused once the database holds a tenant.\n" +
			"The console's first-run page does the same (see `oneretail serve`).",
		Example: `  ONERETAIL_ADMIN_PASSWORD='…' oneretail init --group "华联集团" --admin-login wang`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(group) == "" {
				return errors.New(`--group is required: your group's name, e.g. --group "华联集团"`)
			}
			u, err := admin.createTenant(cmd, opts, code, group, true)
			if err != nil {
				return fmt.Errorf("init: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "next: oneretail serve --db %s, then log in to the console as %s\n", shellQuote(redactDSN(opts.db)), u.Login)
			return nil
		},
	}
	cmd.Flags().StringVar(&group, "group", "", "your group's name, as users see it (required)")
	cmd.Flags().StringVar(&code, "code", app.DefaultTenantCode, "the tenant's short code (letters, digits, '_', '.', '-'), used by --tenant of other commands")
	admin.flags(cmd)
	return cmd
}

// newTenantCommand is the platform operator's command: the operator runs the
// installation (binary, database, backups) and may host several groups; each
// tenant's hq_admin manages only their own group, in the console.
func newTenantCommand(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tenant",
		Short: "Platform operator: list the installation's tenants and add one",
		Long: "Platform operator commands. The operator runs the installation (binary, database, backups) and can act\n" +
			"on every tenant from the command line; a tenant's hq_admin manages only their own group, in the console\n" +
			"and the API. One retailer needs one tenant (`oneretail init`); a hosted deployment adds more here.",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the tenants by code",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := opts.open(cmd.Context(), app.Config{})
			if err != nil {
				return err
			}
			defer a.Close()
			ts, err := a.Org.ListTenants(cmd.Context())
			if err != nil {
				return err
			}
			if len(ts) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no tenant yet: create the first with `oneretail init --group NAME --admin-login LOGIN`")
			}
			for _, t := range ts {
				fmt.Fprintf(cmd.OutOrStdout(), "%-20s %s (created %s)\n", t.Code, t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
			}
			return nil
		},
	})
	var code, name string
	var admin adminInput
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a tenant and its first hq_admin (hosted, multi-tenant deployments)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := admin.createTenant(cmd, opts, code, name, false); err != nil {
				return fmt.Errorf("tenant create: %w", err)
			}
			return nil
		},
	}
	create.Flags().StringVar(&code, "code", "", "the tenant's short code (required)")
	create.Flags().StringVar(&name, "name", "", "the group's name (required)")
	admin.flags(create)
	cmd.AddCommand(create)
	return cmd
}

// withTenant runs fn as the system principal of the tenant with the given code.
// Without a code, or with an unknown one, it fails listing the tenants.
func withTenant(ctx context.Context, opts *options, code string, fn func(context.Context, *app.App) error) error {
	a, err := opts.open(ctx, app.Config{})
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Org.FindTenantByCode(ctx, code)
	if code == "" || err != nil {
		return tenantError(ctx, a, code, err)
	}
	return fn(auth.WithPrincipal(ctx, auth.System(t.ID)), a)
}

// tenantError explains a missing or unknown --tenant with the list of tenants.
func tenantError(ctx context.Context, a *app.App, code string, findErr error) error {
	ts, err := a.Org.ListTenants(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return errors.New("the database has no tenant yet: create one with `oneretail init --group NAME --admin-login LOGIN`")
	}
	codes := make([]string, len(ts))
	for i, t := range ts {
		codes[i] = fmt.Sprintf("%s (%s)", t.Code, t.Name)
	}
	what := "--tenant is required"
	if code != "" {
		what = fmt.Sprintf("no tenant has the code %q (%v)", code, findErr)
	}
	return fmt.Errorf("%s; the tenants are: %s", what, strings.Join(codes, ", "))
}

// openFirstRun, on a database without a tenant, opens the console's first-run page
// with token (a random one when empty) and tells the operator both ways to set the
// installation up: the exact init command (logged too) and the page's address with
// its token (printed only: the log may be kept elsewhere). It reports whether it did.
func openFirstRun(ctx context.Context, a *app.App, dsn, token, url string, log *slog.Logger, w io.Writer) (bool, error) {
	n, err := a.Org.TenantCount(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if token == "" {
		token = ids.Secret(20)
	}
	a.OpenSetup(token)
	command := fmt.Sprintf(`oneretail init --db %s --group "<your group's name>" --admin-login <login>`, shellQuote(redactDSN(dsn)))
	log.Warn("the database has no tenant yet: create your group and its first administrator", "command", command)
	fmt.Fprintf(w, "The database has no tenant yet. Create your group and its first administrator with\n  %s\n"+
		"or on the console's first-run page (this token works once, until a tenant exists):\n  %s/setup?token=%s\n",
		command, url, token)
	return true, nil
}

// redactDSN hides the password of a PostgreSQL DSN.
func redactDSN(dsn string) string {
	if u, err := neturl.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
