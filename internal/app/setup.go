package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// DefaultTenantCode is the code of the first tenant when the first run names none.
const DefaultTenantCode = "main"

// setupRule bounds first-run attempts per client address: a burst of 10, then one
// every 90 s. The token has 160 random bits; the limit keeps the endpoint cheap.
func setupRule() ratelimit.Rule { return ratelimit.Rule{Limit: 10, Window: 15 * time.Minute} }

// setupGate holds the first-run token: a secret printed by `serve` (or set with
// --setup-token) that the console's first-run page must present. It is spent by
// the first successful setup; the zero value is closed.
type setupGate struct {
	mu   sync.Mutex
	hash []byte // SHA-256 of the token; nil when the first run is closed
}

// OpenSetup opens the console's first-run page (POST /api/v1/setup) to callers that
// present token, until the first tenant is created. `serve` calls it on a database
// without a tenant; without it the page stays closed.
func (a *App) OpenSetup(token string) {
	h := sha256.Sum256([]byte(token))
	a.setupGate.mu.Lock()
	a.setupGate.hash = h[:]
	a.setupGate.mu.Unlock()
}

// open reports whether a token may be tried at all.
func (g *setupGate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hash != nil
}

// check reports whether token is the first-run token, in constant time.
func (g *setupGate) check(token string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := sha256.Sum256([]byte(token))
	return g.hash != nil && subtle.ConstantTimeCompare(h[:], g.hash) == 1
}

// spend closes the first run.
func (g *setupGate) spend() {
	g.mu.Lock()
	g.hash = nil
	g.mu.Unlock()
}

type setupStatusOutput struct {
	Body SetupStatus
}

// SetupStatus says whether the installation still needs its first tenant.
type SetupStatus struct {
	Needed bool `json:"needed" doc:"true while the database holds no tenant: the console then offers its first-run page"`
}

type setupInput struct {
	Body SetupRequest
}

// SetupRequest creates the installation's first tenant and its hq_admin.
type SetupRequest struct {
	Token         string `json:"token" maxLength:"200" doc:"the setup token printed by oneretail serve (or set with --setup-token)"`
	TenantName    string `json:"tenant_name" maxLength:"200" doc:"the group's name, e.g. 华联集团"`
	TenantCode    string `json:"tenant_code,omitempty" maxLength:"64" doc:"short code for the command line's --tenant; main when empty"`
	AdminLogin    string `json:"admin_login" maxLength:"64"`
	AdminName     string `json:"admin_name,omitempty" maxLength:"200" doc:"the admin's display name; the login when empty"`
	AdminPassword string `json:"admin_password" maxLength:"1024" doc:"must satisfy the password policy"`
}

type setupOutput struct {
	Body SetupResult
}

// SetupResult names what the first run created.
type SetupResult struct {
	TenantCode string `json:"tenant_code"`
	TenantName string `json:"tenant_name"`
	AdminLogin string `json:"admin_login"`
}

func (a *App) registerSetup(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-setup", Method: http.MethodGet, Path: "/api/v1/setup", Tags: []string{"Platform"},
		Summary: "Whether the installation needs its first tenant",
	}, func(ctx context.Context, _ *struct{}) (*setupStatusOutput, error) {
		n, err := a.Org.TenantCount(ctx)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &setupStatusOutput{Body: SetupStatus{Needed: n == 0}}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "setup", Method: http.MethodPost, Path: "/api/v1/setup", Tags: []string{"Platform"},
		DefaultStatus: http.StatusCreated,
		Summary:       "First run: create the first tenant and its hq_admin",
		Description: "Works only while the database holds no tenant and only with the setup token that `oneretail serve` " +
			"prints at start (or --setup-token); the token is spent by the first success. Of concurrent calls one " +
			"creates the tenant and the others answer 409. A wrong token answers 403; a client address has 10 " +
			"attempts, then one every 90 s (429). `oneretail init` does the same from the command line.",
		Errors:   []int{http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
		Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, in *setupInput) (*setupOutput, error) {
		t, u, err := a.setup(ctx, in.Body)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &setupOutput{Body: SetupResult{TenantCode: t.Code, TenantName: t.Name, AdminLogin: u.Login}}, nil
	})
}

// setup checks the rate limit and the token, then creates the first tenant.
func (a *App) setup(ctx context.Context, in SetupRequest) (org.Tenant, org.User, error) {
	closed := &errs.Error{Code: errs.Forbidden, Field: "body.token",
		Message: "the setup token is wrong or spent: use the one `oneretail serve` printed at start, or run `oneretail init`"}
	if !a.setupGate.open() {
		return org.Tenant{}, org.User{}, closed
	}
	d, err := a.RateLimits.Allow(ctx, "setup:"+httpapi.ClientIPFrom(ctx), setupRule())
	if err != nil {
		return org.Tenant{}, org.User{}, err
	}
	if err := d.Err("first-run setup"); err != nil {
		return org.Tenant{}, org.User{}, err
	}
	if !a.setupGate.check(in.Token) {
		return org.Tenant{}, org.User{}, closed
	}
	if in.TenantCode == "" {
		in.TenantCode = DefaultTenantCode
	}
	if in.AdminName == "" {
		in.AdminName = in.AdminLogin
	}
	t, u, err := a.Org.Setup(ctx, org.BootstrapInput{TenantCode: in.TenantCode, TenantName: in.TenantName,
		AdminLogin: in.AdminLogin, AdminName: in.AdminName, AdminPassword: in.AdminPassword})
	if err != nil {
		return org.Tenant{}, org.User{}, err
	}
	a.setupGate.spend()
	a.cfg.Log.InfoContext(ctx, "first run: created the first tenant", "tenant", t.Code, "admin", u.Login)
	return t, u, nil
}
