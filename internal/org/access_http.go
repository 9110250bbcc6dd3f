package org

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// --- login, logout, me ---

// LoginRequest is a console login. The password's length is checked by the service,
// with the same work for every answer, and never echoed.
type LoginRequest struct {
	Login    string `json:"login" minLength:"1" maxLength:"200"`
	Password string `json:"password" minLength:"1"`
}

// LoginSession carries the session token (also set as the oneretail_session
// cookie) and the user.
type LoginSession struct {
	Token     string       `json:"token" doc:"Send as Authorization: Bearer <token>; the console uses the cookie instead."`
	ExpiresAt time.Time    `json:"expires_at"`
	User      UserResponse `json:"user"`
}

type loginInput struct {
	Body      LoginRequest
	userAgent string
	secure    bool
}

// Resolve captures what the handler needs from the request beyond the body.
func (in *loginInput) Resolve(ctx huma.Context) []error {
	in.userAgent = ctx.Header("User-Agent")
	in.secure = httpapi.SecureRequest(ctx.Context())
	return nil
}

type loginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      LoginSession
}

type logoutInput struct{ secure bool }

// Resolve notes whether the request came over TLS, for the cookie.
func (in *logoutInput) Resolve(ctx huma.Context) []error {
	in.secure = httpapi.SecureRequest(ctx.Context())
	return nil
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

// MeResponse describes the caller.
type MeResponse struct {
	ID        string   `json:"id"`
	TenantID  string   `json:"tenant_id"`
	Login     string   `json:"login" doc:"Empty for API keys."`
	Name      string   `json:"name"`
	Role      string   `json:"role" enum:"hq_admin,marketer,analyst,merchandiser,store_manager,associate,integrator,privacy_officer," doc:"Empty for API keys."`
	ScopeType string   `json:"scope_type" enum:"tenant,brand,region,store"`
	ScopeID   string   `json:"scope_id"`
	Scopes    []string `json:"scopes" nullable:"false"`
	Kind      string   `json:"kind" enum:"user,api_key,system"`
	// MustChangePassword is true while the user must change the password an
	// administrator set; until then the session may only call this, log out and
	// POST /api/v1/me/password.
	MustChangePassword bool `json:"must_change_password" doc:"True while the user must change the password an administrator set; until then only /me, logout and POST /api/v1/me/password answer."`
}

// PasswordChangeRequest changes the caller's own password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password" minLength:"1"`
	NewPassword     string `json:"new_password" doc:"At least 10 characters; not trivial, not built on the login, not a commonly used password."`
}

type passwordChangeInput struct{ Body PasswordChangeRequest }

func sessionCookie(value string, maxAge int, secure bool) http.Cookie {
	return http.Cookie{Name: httpapi.SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode}
}

func meResponse(id Identity) MeResponse {
	return MeResponse{ID: id.ID, TenantID: id.TenantID, Login: id.Login, Name: id.Name, Role: string(id.Role),
		ScopeType: string(id.ScopeType), ScopeID: id.ScopeID, Scopes: scopeStrings(id.Scopes), Kind: string(id.Kind),
		MustChangePassword: id.MustChangePassword}
}

func (s *Service) registerAuth(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login",
		Summary: "Log in to the console", Tags: []string{accessTag},
		Description: "Opens a session and sets it as an HttpOnly, SameSite=Strict cookie. After five consecutive " +
			"failures of one login name each attempt must wait after the last (1 s, doubling up to 10 min), and a " +
			"client address has 300 attempts in a burst, then one every 2 s; a refused attempt answers 429 with " +
			"Retry-After. When user.must_change_password is true the session may only change the password " +
			"(POST /api/v1/me/password), read /me and log out.",
		Errors:   []int{http.StatusUnauthorized, http.StatusTooManyRequests},
		Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, in *loginInput) (*loginOutput, error) {
		sess, token, u, err := s.Login(ctx, LoginInput{Login: in.Body.Login, Password: in.Body.Password,
			ClientIP: httpapi.ClientIPFrom(ctx), UserAgent: in.userAgent})
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &loginOutput{
			SetCookie: sessionCookie(token, int(sess.ExpiresAt.Sub(sess.CreatedAt).Seconds()), in.secure),
			Body:      LoginSession{Token: token, ExpiresAt: sess.ExpiresAt, User: userResponse(u)},
		}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", DefaultStatus: http.StatusNoContent,
		Summary: "Log out", Tags: []string{accessTag}, Security: httpapi.Secured(),
		Description: "Ends the current console session and clears its cookie.", Metadata: httpapi.BeforePasswordChange(),
	}, func(ctx context.Context, in *logoutInput) (*logoutOutput, error) {
		if err := s.Logout(ctx); err != nil {
			return nil, httpapi.Problem(err)
		}
		return &logoutOutput{SetCookie: sessionCookie("", -1, in.secure)}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me",
		Summary: "Describe the caller", Tags: []string{accessTag}, Security: httpapi.Secured(),
		Metadata: httpapi.BeforePasswordChange(),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[MeResponse], error) {
		return httpapi.Reply(meResponse)(s.Me(ctx))
	})
	huma.Register(api, huma.Operation{
		OperationID: "change-my-password", Method: http.MethodPost, Path: "/api/v1/me/password",
		DefaultStatus: http.StatusNoContent,
		Summary:       "Change my password", Tags: []string{accessTag}, Security: httpapi.Secured(),
		Description: "Checks the current password, applies the password policy to the new one (422 naming the field " +
			"otherwise) and ends the caller's other sessions. A wrong current password counts as a failed login. " +
			"This is the one way out of must_change_password.",
		Errors:   []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
		Metadata: httpapi.BeforePasswordChange(),
	}, func(ctx context.Context, in *passwordChangeInput) (*struct{}, error) {
		if err := s.ChangePassword(ctx, in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
}

// --- users ---

// UserResponse is a console user as the API shows it; it never carries the password.
type UserResponse struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenant_id"`
	Login     string `json:"login"`
	Name      string `json:"name"`
	Role      string `json:"role" enum:"hq_admin,marketer,analyst,merchandiser,store_manager,associate,integrator,privacy_officer"`
	ScopeType string `json:"scope_type" enum:"tenant,brand,region,store"`
	ScopeID   string `json:"scope_id" doc:"The brand, region or store id; empty for tenant scope."`
	Status    string `json:"status" enum:"active,disabled"`
	// MustChangePassword is set after someone else set the user's password.
	MustChangePassword bool      `json:"must_change_password" doc:"True until the user has replaced a password someone else set."`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// UserCreateRequest creates a console user.
type UserCreateRequest struct {
	Login     string `json:"login" minLength:"3" maxLength:"64" doc:"Unique across the platform; stored in lower case."`
	Name      string `json:"name" minLength:"1" maxLength:"200"`
	Password  string `json:"password" doc:"10 characters to 256 bytes; not trivial, not built on the login, not a commonly used password."`
	Role      string `json:"role" enum:"hq_admin,marketer,analyst,merchandiser,store_manager,associate,integrator,privacy_officer"`
	ScopeType string `json:"scope_type" enum:"tenant,brand,region,store"`
	ScopeID   string `json:"scope_id,omitempty" maxLength:"64" doc:"Required unless scope_type is tenant."`
	// MustChangePassword makes the user choose their own password at the first login.
	MustChangePassword bool `json:"must_change_password,omitempty" doc:"The user must replace this password at the first login (the console asks for it by default)."`
}

// UserUpdateRequest changes the fields it carries. Setting a password or disabling
// the user ends the user's sessions; a password set here must be changed by the user
// at the next login.
type UserUpdateRequest struct {
	Name      *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Role      *string `json:"role,omitempty" enum:"hq_admin,marketer,analyst,merchandiser,store_manager,associate,integrator,privacy_officer"`
	ScopeType *string `json:"scope_type,omitempty" enum:"tenant,brand,region,store"`
	ScopeID   *string `json:"scope_id,omitempty" maxLength:"64"`
	Status    *string `json:"status,omitempty" enum:"active,disabled"`
	Password  *string `json:"password,omitempty" doc:"A reset: the user must change it at the next login. Not for your own password (POST /api/v1/me/password)."`
}

type userListInput struct {
	httpapi.PageParams
	Role      string `query:"role" enum:"hq_admin,marketer,analyst,merchandiser,store_manager,associate,integrator,privacy_officer"`
	Status    string `query:"status" enum:"active,disabled"`
	ScopeType string `query:"scope_type" enum:"tenant,brand,region,store"`
	ScopeID   string `query:"scope_id" maxLength:"64"`
	Q         string `query:"q" maxLength:"100" doc:"Substring of the login or name."`
}

type userCreateInput struct{ Body UserCreateRequest }
type userUpdateInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Resource id."`
	Body UserUpdateRequest
}

func userResponse(u User) UserResponse {
	return UserResponse{ID: u.ID, TenantID: u.TenantID, Login: u.Login, Name: u.Name, Role: string(u.Role),
		ScopeType: string(u.ScopeType), ScopeID: u.ScopeID, Status: string(u.Status),
		MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func userCreate(r UserCreateRequest) UserCreate {
	return UserCreate{Login: r.Login, Name: r.Name, Password: r.Password, Role: auth.Role(r.Role),
		ScopeType: auth.ScopeType(r.ScopeType), ScopeID: r.ScopeID, MustChangePassword: r.MustChangePassword}
}

func userUpdate(r UserUpdateRequest) UserUpdate {
	return UserUpdate{Name: r.Name, Role: convert[auth.Role](r.Role), ScopeType: convert[auth.ScopeType](r.ScopeType),
		ScopeID: r.ScopeID, Status: convert[UserStatus](r.Status), Password: r.Password}
}

func (s *Service) registerUsers(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users",
		Summary: "List console users", Tags: []string{accessTag}, Security: httpapi.Secured(auth.UsersRead),
		Description: "Users the caller may see: all of the tenant, or those scoped inside the caller's brand, region or store.",
	}, func(ctx context.Context, in *userListInput) (*httpapi.Body[httpapi.Page[UserResponse]], error) {
		return httpapi.ReplyPage(userResponse)(s.FindUsers(ctx, UserFilter{Role: auth.Role(in.Role), Status: UserStatus(in.Status),
			ScopeType: auth.ScopeType(in.ScopeType), ScopeID: in.ScopeID, Q: in.Q, PageParams: in.PageParams}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users", DefaultStatus: http.StatusCreated,
		Summary: "Create a console user", Tags: []string{accessTag}, Security: httpapi.Secured(auth.UsersWrite),
	}, func(ctx context.Context, in *userCreateInput) (*httpapi.Body[UserResponse], error) {
		return httpapi.Reply(userResponse)(s.CreateUser(ctx, userCreate(in.Body)))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-user", Method: http.MethodGet, Path: "/api/v1/users/{id}",
		Summary: "Get a console user", Tags: []string{accessTag}, Security: httpapi.Secured(auth.UsersRead),
	}, func(ctx context.Context, in *idPath) (*httpapi.Body[UserResponse], error) {
		return httpapi.Reply(userResponse)(s.FindUserByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "update-user", Method: http.MethodPatch, Path: "/api/v1/users/{id}",
		Summary: "Change a console user", Tags: []string{accessTag}, Security: httpapi.Secured(auth.UsersWrite),
		Description: "Changing another user needs every scope of their role (and of a new role); hq_admin accounts " +
			"are changed only by an hq_admin (never by an API key). A password set here is a reset: the user must " +
			"change it at the next login.",
	}, func(ctx context.Context, in *userUpdateInput) (*httpapi.Body[UserResponse], error) {
		return httpapi.Reply(userResponse)(s.UpdateUser(ctx, in.ID, userUpdate(in.Body)))
	})
}

// --- API keys ---

// APIKeyResponse is an API key as listed; the secret is never shown again.
type APIKeyResponse struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Prefix    string        `json:"prefix" doc:"The first characters of the secret after or_live_, to recognise the key."`
	Scopes    []string      `json:"scopes" nullable:"false" doc:"The scopes the key was given."`
	CreatedBy APIKeyCreator `json:"created_by"`
	// EffectiveScopes and SuspendedScopes split Scopes by what the key's owner still holds.
	EffectiveScopes []string   `json:"effective_scopes" nullable:"false" doc:"The scopes the key may use now: those its owner (the creating user) still holds."`
	SuspendedScopes []string   `json:"suspended_scopes" nullable:"false" doc:"The key's scopes it may not use now."`
	SuspendedReason string     `json:"suspended_reason,omitempty" enum:"creator_disabled,creator_not_tenant_wide,creator_lacks_scopes,creator_unknown" doc:"Why scopes are suspended; absent when none is."`
	CreatedAt       time.Time  `json:"created_at"`
	LastUsedAt      *time.Time `json:"last_used_at,omitempty"`
	RevokedAt       *time.Time `json:"revoked_at,omitempty"`
	// TouchpointID is set for a touchpoint's credential (made at POST /api/v1/touchpoints/{id}/api-keys).
	TouchpointID string `json:"touchpoint_id,omitempty" doc:"The touchpoint this key sends events for; absent for a general key."`
}

// APIKeyCreator is who created an API key.
type APIKeyCreator struct {
	Kind  string `json:"kind" enum:"user,api_key,system,unknown" doc:"system: the admin command or the demo loader, whose keys no user bounds."`
	ID    string `json:"id" doc:"The user or API key id; \"system\" for the platform."`
	Login string `json:"login,omitempty" doc:"The creating user's login."`
	Name  string `json:"name,omitempty" doc:"The creating user's or key's name."`
}

// APIKeyCreateRequest creates an API key with the given scopes, each of which the
// caller must hold.
type APIKeyCreateRequest struct {
	Name string `json:"name" minLength:"1" maxLength:"100"`
	// The enum must list auth.AllScopes (TestAPIKeyScopeEnum keeps them equal).
	Scopes []string `json:"scopes" minItems:"1" maxItems:"32" enum:"org:read,org:write,catalog:read,catalog:write,users:read,users:write,api_keys:write,audit:read,events:read,events:write,touchpoints:read,touchpoints:write,events:ingest,promotions:read,promotions:write,pricing:use,customers:read,customers:write,customers:pii,customers:erase,privacy:read,inventory:read,inventory:write,orders:read,orders:write,loyalty:read,loyalty:redeem,loyalty:write,identity_map:read,audiences:read,audiences:write"`
}

// APIKeyCreatedResponse is a new API key with its secret, shown only this once.
type APIKeyCreatedResponse struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"`
	Scopes    []string  `json:"scopes" nullable:"false"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret" doc:"Send as Authorization: Bearer <secret>. Store it now: it cannot be shown again."`
}

type apiKeyCreateInput struct{ Body APIKeyCreateRequest }
type apiKeyCreatedOutput struct{ Body APIKeyCreatedResponse }

func apiKeyResponse(k APIKey) APIKeyResponse {
	effective, suspended, reason := k.Access()
	return APIKeyResponse{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopeStrings(k.Scopes),
		CreatedBy:       APIKeyCreator{Kind: string(k.CreatedByKind), ID: k.CreatedBy, Login: k.CreatorLogin, Name: k.CreatorName},
		EffectiveScopes: scopeStrings(effective), SuspendedScopes: scopeStrings(suspended), SuspendedReason: string(reason),
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, TouchpointID: k.TouchpointID}
}

func apiKeyCreate(r APIKeyCreateRequest) APIKeyCreate {
	scopes := make([]auth.Scope, len(r.Scopes))
	for i, s := range r.Scopes {
		scopes[i] = auth.Scope(s)
	}
	return APIKeyCreate{Name: r.Name, Scopes: scopes}
}

func (s *Service) registerAPIKeys(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-api-keys", Method: http.MethodGet, Path: "/api/v1/api-keys",
		Summary: "List API keys", Tags: []string{accessTag}, Security: httpapi.Secured(auth.APIKeysWrite),
		Description: "Each key with its creator, last use, scopes, and the scopes it may use now: a key is bounded " +
			"by its creating user's current access (disabled, narrowed below the tenant or without a scope: " +
			"suspended). Keys of the admin command and the demo are the platform's and keep their scopes.",
	}, func(ctx context.Context, in *httpapi.PageParams) (*httpapi.Body[httpapi.Page[APIKeyResponse]], error) {
		return httpapi.ReplyPage(apiKeyResponse)(s.FindAPIKeys(ctx, *in))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-api-key", Method: http.MethodPost, Path: "/api/v1/api-keys", DefaultStatus: http.StatusCreated,
		Summary: "Create an API key", Tags: []string{accessTag}, Security: httpapi.Secured(auth.APIKeysWrite),
		Description: "The secret is in this response only; the server keeps a hash.",
		Metadata:    httpapi.NoReplay(),
	}, func(ctx context.Context, in *apiKeyCreateInput) (*apiKeyCreatedOutput, error) {
		k, secret, err := s.CreateAPIKey(ctx, apiKeyCreate(in.Body))
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &apiKeyCreatedOutput{Body: APIKeyCreatedResponse{ID: k.ID, Name: k.Name, Prefix: k.Prefix,
			Scopes: scopeStrings(k.Scopes), CreatedAt: k.CreatedAt, Secret: secret}}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "revoke-api-key", Method: http.MethodDelete, Path: "/api/v1/api-keys/{id}",
		DefaultStatus: http.StatusNoContent,
		Summary:       "Revoke an API key", Tags: []string{accessTag}, Security: httpapi.Secured(auth.APIKeysWrite),
		Description: "Takes effect on the next request. Revoking a revoked key succeeds.",
	}, func(ctx context.Context, in *idPath) (*struct{}, error) {
		if err := s.RevokeAPIKey(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
}

// --- sessions ---

// SessionResponse is a live console session.
type SessionResponse struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ClientIP   string    `json:"client_ip"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current" doc:"True for the session making this request."`
}

// SessionListResponse lists the caller's live sessions, newest first.
type SessionListResponse struct {
	Items []SessionResponse `json:"items" nullable:"false"`
}

type sessionListOutput struct{ Body SessionListResponse }

func sessionResponse(s Session, current string) SessionResponse {
	return SessionResponse{ID: s.ID, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, LastSeenAt: s.LastSeenAt,
		ClientIP: s.ClientIP, UserAgent: s.UserAgent, Current: s.ID == current}
}

func (s *Service) registerSessions(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-sessions", Method: http.MethodGet, Path: "/api/v1/sessions",
		Summary: "List my sessions", Tags: []string{accessTag}, Security: httpapi.Secured(),
	}, func(ctx context.Context, _ *struct{}) (*sessionListOutput, error) {
		list, err := s.FindSessions(ctx)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		current := auth.FromContext(ctx).SessionID
		items := make([]SessionResponse, len(list))
		for i, sess := range list {
			items[i] = sessionResponse(sess, current)
		}
		return &sessionListOutput{Body: SessionListResponse{Items: items}}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "revoke-session", Method: http.MethodDelete, Path: "/api/v1/sessions/{id}",
		DefaultStatus: http.StatusNoContent,
		Summary:       "End a session", Tags: []string{accessTag}, Security: httpapi.Secured(),
		Description: "Ends one of the caller's sessions, or with users:write any session of the tenant.",
	}, func(ctx context.Context, in *idPath) (*struct{}, error) {
		if err := s.RevokeSession(ctx, in.ID); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
}
