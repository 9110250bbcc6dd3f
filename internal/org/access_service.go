package org

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// The token formats. Both are followed by 52 lower-case base32 characters (32 random
// bytes).
const (
	SessionTokenPrefix = "or_sess_"
	APIKeyPrefix       = "or_live_"
)

// apiKeyLookupLen is how many characters of an API key after its prefix are stored in
// the clear to find the key.
const apiKeyLookupLen = 12

// maxTokenLength bounds the tokens Authenticate looks at.
const maxTokenLength = 200

// touchEvery is how often last_seen_at and last_used_at are written at most.
const touchEvery = time.Minute

// errLogin is the one answer to every failed login, so that it does not tell
// whether the login exists.
func errLogin() error { return errs.E(errs.Unauthorized, "invalid login or password") }

func errToken() error {
	return errs.E(errs.Unauthorized, "invalid token: neither an API key (or_live_…) nor a session token (or_sess_…)")
}

// errKey is the one answer to every API key that does not authenticate — unknown,
// wrong secret or revoked — so the answer tells nothing about which.
func errKey() error { return errs.E(errs.Unauthorized, "invalid API key") }

// errSession is the one answer to every session token that does not authenticate.
func errSession() error {
	return errs.E(errs.Unauthorized, "invalid or expired session: sign in again")
}

// Login checks a login and password and opens a console session. It returns the
// session, its token (shown once; only its SHA-256 is stored) and the user.
//
// Unknown logins, wrong or over-long passwords and disabled users all get
// errs.Unauthorized "invalid login or password" after the same work: one password
// verification (against a dummy hash when the login is unknown). Attempts are
// throttled in the database, so every node enforces the same limits: per client
// address (cfg.LoginAddressLimit) and per login name (after cfg.LoginFreeFailures
// consecutive failures each attempt waits cfg.LoginDelay, doubling up to
// cfg.LoginMaxDelay, after the last one). A throttled attempt gets errs.RateLimited
// with the wait, before any verification and whether or not the login exists. A user
// whose password an administrator set gets a session that may only change it
// (User.MustChangePassword).
func (s *Service) Login(ctx context.Context, in LoginInput) (Session, string, User, error) {
	login := normalizeLogin(in.Login)
	if in.ClientIP != "" {
		dec, err := s.limits.Allow(ctx, "login-address:"+in.ClientIP, s.cfg.LoginAddressLimit)
		if err != nil {
			return Session{}, "", User{}, wrap("login", err)
		}
		if !dec.Allowed {
			s.log.WarnContext(ctx, "login rate limited", "client_ip", in.ClientIP, "limit", "address")
			return Session{}, "", User{}, dec.Err("logins from this address")
		}
	}
	account := throttleAccount(login)
	wait, err := s.claimAttempt(ctx, account)
	if err != nil {
		return Session{}, "", User{}, err
	}
	if wait > 0 {
		s.log.WarnContext(ctx, "login rate limited", "client_ip", in.ClientIP, "limit", "account")
		return Session{}, "", User{}, errThrottled(wait)
	}

	u, hash, err := findUserForLogin(ctx, s.db.Reader(), login)
	known := err == nil
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Session{}, "", User{}, wrap("login", err)
	}
	if !known {
		hash = s.dummy
	}
	// One verification whatever the outcome; a password too long to be anyone's is
	// cut to the longest allowed, so it costs what a valid one costs.
	right := s.hasher.Verify(hash, truncate(in.Password, maxPasswordLength))
	reason := ""
	switch {
	case !known:
		reason = "unknown login"
	case len(in.Password) > maxPasswordLength || !right:
		reason = "wrong password"
	case u.Status != UserActive:
		reason = "user disabled"
	}
	if reason != "" {
		s.log.InfoContext(ctx, "login failed", "client_ip", in.ClientIP, "user_id", u.ID, "reason", reason)
		return Session{}, "", User{}, errLogin()
	}
	if err := s.forgive(ctx, account); err != nil {
		return Session{}, "", User{}, err
	}

	now := s.clock.Now()
	token := SessionTokenPrefix + ids.Secret(32)
	sess := Session{ID: ids.New(), TenantID: u.TenantID, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		LastSeenAt: now, ClientIP: in.ClientIP, UserAgent: truncate(in.UserAgent, 500)}
	ctx = auth.WithPrincipal(ctx, userPrincipal(u, sess.ID))
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertSession(ctx, tx, sess, tokenHash(token)); err != nil {
			return err
		}
		return s.record(ctx, tx, "session.create", "session", sess.ID,
			map[string]any{"user_id": u.ID, "client_ip": sess.ClientIP, "user_agent": sess.UserAgent,
				"expires_at": sess.ExpiresAt})
	})
	if err != nil {
		return Session{}, "", User{}, wrap("login", err)
	}
	s.log.InfoContext(ctx, "login", "user_id", u.ID, "session_id", sess.ID, "client_ip", in.ClientIP)
	return sess, token, u, nil
}

func truncate(v string, n int) string {
	if len(v) <= n {
		return v
	}
	return strings.ToValidUTF8(v[:n], "")
}

// userPrincipal is the principal of a console session of u: the scopes of its role,
// or none while it must change its password.
func userPrincipal(u User, sessionID string) *auth.Principal {
	p := &auth.Principal{Kind: auth.UserPrincipal, ID: u.ID, Name: u.Login, TenantID: u.TenantID, Role: u.Role,
		Scopes: auth.RoleScopes(u.Role), DataScope: u.ScopeType, DataID: u.ScopeID, SessionID: sessionID}
	if u.MustChangePassword {
		p.Scopes, p.PasswordChangeRequired = nil, true
	}
	return p
}

// Logout ends the caller's console session. It is a no-op for API keys and for a
// session already ended. It returns errs.Unauthorized without a principal.
func (s *Service) Logout(ctx context.Context) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if p.SessionID == "" {
		return nil
	}
	return wrap("logout", s.endSession(ctx, p.TenantID, p.SessionID, "logout"))
}

func (s *Service) endSession(ctx context.Context, tenantID, id, reason string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		ended, err := revokeSession(ctx, tx, tenantID, id, s.clock.Now())
		if err != nil || !ended {
			return err
		}
		return s.record(ctx, tx, "session.revoke", "session", id, map[string]any{"reason": reason})
	})
}

// FindSessions returns the caller's live console sessions, newest first (none for
// API keys). It returns errs.Unauthorized without a principal.
func (s *Service) FindSessions(ctx context.Context) ([]Session, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Kind != auth.UserPrincipal {
		return []Session{}, nil
	}
	out, err := findActiveSessions(ctx, s.db.Reader(), p.TenantID, p.ID, s.clock.Now())
	if err != nil {
		return nil, wrap("find sessions", err)
	}
	return out, nil
}

// RevokeSession ends a console session: one of the caller's own, or any session of
// the tenant for a tenant-wide principal with users:write. Other sessions are
// errs.NotFound; another user's session whose account the caller may not change
// (checkManage) is errs.Forbidden. Ending a session already ended succeeds.
func (s *Service) RevokeSession(ctx context.Context, id string) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	sess, err := findSession(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return wrap("revoke session", err)
	}
	if sess.UserID != p.ID {
		if !(p.Has(auth.UsersWrite) && tenantWide(p)) {
			return notFound("session")
		}
		owner, err := findUser(ctx, s.db.Reader(), p, sess.UserID)
		if err != nil {
			return wrap("revoke session", err)
		}
		if err := checkManage(p, owner); err != nil {
			return err
		}
	}
	return wrap("revoke session", s.endSession(ctx, p.TenantID, id, "revoked"))
}

// apiKeysManager returns the caller if it may manage API keys: api_keys:write over
// the whole tenant (a key always covers the whole tenant).
func apiKeysManager(ctx context.Context) (*auth.Principal, error) {
	p, err := caller(ctx, auth.APIKeysWrite)
	if err != nil {
		return nil, err
	}
	if !tenantWide(p) {
		return nil, errs.E(errs.Forbidden, "only tenant-wide users may manage API keys")
	}
	return p, nil
}

// CreateAPIKey creates an API key over the caller's tenant and returns it with its
// secret ("or_live_…"), which is shown only here. It needs api_keys:write over the
// whole tenant, and the caller may grant only scopes it holds itself. The key records
// its creator, and is owned by the creating user (by the creating key's owner when a
// key creates it; by nobody for the platform): it may use only the scopes its owner
// still holds (APIKey.Access). It returns errs.Unauthorized, errs.Forbidden or
// errs.Invalid.
func (s *Service) CreateAPIKey(ctx context.Context, in APIKeyCreate) (APIKey, string, error) {
	p, err := apiKeysManager(ctx)
	if err != nil {
		return APIKey{}, "", err
	}
	if err := in.Validate(); err != nil {
		return APIKey{}, "", err
	}
	for _, sc := range in.Scopes {
		if !p.Has(sc) {
			return APIKey{}, "", errs.E(errs.Forbidden, "cannot grant scope %s, which you do not hold", sc)
		}
	}
	secret := APIKeyPrefix + ids.Secret(32)
	k := APIKey{ID: ids.New(), TenantID: p.TenantID, Name: in.Name,
		Prefix: secret[len(APIKeyPrefix) : len(APIKeyPrefix)+apiKeyLookupLen], Scopes: in.Scopes,
		CreatedBy: p.ID, CreatedAt: s.clock.Now(), TouchpointID: in.TouchpointID}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if k.CreatedByKind, k.Owner, err = keyCreator(ctx, tx, p); err != nil {
			return err
		}
		if err := insertAPIKey(ctx, tx, k, tokenHash(secret)); err != nil {
			return err
		}
		return s.emit(ctx, tx, "api_key.create", "api_key", k.ID,
			map[string]any{"name": k.Name, "prefix": k.Prefix, "scopes": scopeStrings(k.Scopes), "touchpoint_id": k.TouchpointID},
			EventAPIKeyCreated, apiKeyEvent(k))
	})
	if err != nil {
		return APIKey{}, "", wrap("create API key", err)
	}
	return k, secret, nil
}

// keyCreator says what p is as the creator of a key, and who owns the key: p itself
// for a user, nobody for the platform, and the owner of the creating key for a key.
func keyCreator(ctx context.Context, tx *sql.Tx, p *auth.Principal) (CreatorKind, KeyOwner, error) {
	switch p.Kind {
	case auth.UserPrincipal:
		return CreatorUser, KeyOwner{Kind: CreatorUser, UserID: p.ID}, nil
	case auth.SystemPrincipal:
		return CreatorSystem, KeyOwner{Kind: CreatorSystem}, nil
	case auth.KeyPrincipal:
		parent, err := findAPIKey(ctx, tx, p.TenantID, p.ID)
		if errs.Is(err, errs.NotFound) {
			return CreatorAPIKey, KeyOwner{Kind: CreatorUnknown}, nil
		}
		return CreatorAPIKey, parent.Owner, err
	}
	return CreatorUnknown, KeyOwner{Kind: CreatorUnknown}, nil
}

// FindAPIKeys lists the tenant's API keys, revoked ones included, ordered by id, with
// their creators and their owners' current access (APIKey.Access). It needs
// api_keys:write over the whole tenant and returns errs.Invalid for a malformed
// cursor.
func (s *Service) FindAPIKeys(ctx context.Context, pp httpapi.PageParams) (httpapi.Page[APIKey], error) {
	p, err := apiKeysManager(ctx)
	if err != nil {
		return httpapi.Page[APIKey]{}, err
	}
	return httpapi.FindPage(pp.Cursor, pp.Limit, defaultPageLimit, func(after string, n int) ([]APIKey, error) {
		items, err := findAPIKeys(ctx, s.db.Reader(), p.TenantID, after, n)
		return items, wrap("find API keys", err)
	}, func(k APIKey) string { return k.ID })
}

// RevokeAPIKey revokes an API key of the caller's tenant at once. It needs
// api_keys:write over the whole tenant; a key of another tenant is errs.NotFound.
// Revoking a revoked key succeeds and changes nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	p, err := apiKeysManager(ctx)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := findAPIKey(ctx, tx, p.TenantID, id)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		revoked, err := revokeAPIKey(ctx, tx, p.TenantID, id, now)
		if err != nil || !revoked {
			return err
		}
		return s.emit(ctx, tx, "api_key.revoke", "api_key", k.ID, map[string]any{"revoked_at": now},
			EventAPIKeyRevoked, apiKeyEvent(k))
	})
	s.keys.clear() // after the commit: a look-up racing it must not cache the key again
	return wrap("revoke API key", err)
}

// Authenticate resolves a bearer token into the calling principal: an API key
// ("or_live_…", over the whole tenant with the key's scopes that its owner still
// holds) or a console session
// ("or_sess_…", with the user's role scopes and data scope, or no scopes and
// PasswordChangeRequired while the user must change the password). Unknown, revoked or
// expired tokens and disabled users get errs.Unauthorized; database failures are
// returned wrapped.
func (s *Service) Authenticate(ctx context.Context, token string) (*auth.Principal, error) {
	if len(token) > maxTokenLength {
		return nil, errToken()
	}
	switch {
	case strings.HasPrefix(token, APIKeyPrefix):
		return s.authenticateKey(ctx, token)
	case strings.HasPrefix(token, SessionTokenPrefix):
		return s.authenticateSession(ctx, token)
	}
	return nil, errToken()
}

func (s *Service) authenticateKey(ctx context.Context, token string) (*auth.Principal, error) {
	rest := token[len(APIKeyPrefix):]
	if len(rest) < apiKeyLookupLen {
		return nil, errKey()
	}
	// A key checked within the cache's TTL is not read again (see keyCache): the read
	// was most of an authenticated request's cost.
	now := s.clock.Now()
	presented := tokenHash(token)
	cached, gen := s.keys.get(presented, now)
	if cached != nil {
		return cached, nil
	}
	k, hash, err := findAPIKeyByPrefix(ctx, s.db.Reader(), rest[:apiKeyLookupLen])
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errKey()
	}
	if err != nil {
		return nil, wrap("authenticate", err)
	}
	if subtle.ConstantTimeCompare([]byte(presented), []byte(hash)) != 1 || k.RevokedAt != nil {
		return nil, errKey()
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= touchEvery {
		s.touch(ctx, "api key", func(tx *sql.Tx) error { return touchAPIKey(ctx, tx, k.ID, now, now.Add(-touchEvery)) })
	}
	effective, _, _ := k.Access()
	p := &auth.Principal{Kind: auth.KeyPrincipal, ID: k.ID, Name: k.Name, TenantID: k.TenantID, Scopes: effective,
		DataScope: auth.TenantScope, TouchpointID: k.TouchpointID}
	s.keys.put(presented, p, gen, now)
	return p, nil
}

func (s *Service) authenticateSession(ctx context.Context, token string) (*auth.Principal, error) {
	a, err := findSessionAuth(ctx, s.db.Reader(), tokenHash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSession()
	}
	if err != nil {
		return nil, wrap("authenticate", err)
	}
	now := s.clock.Now()
	if a.revoked || now.UnixMilli() >= a.expiresAt || a.user.Status != UserActive {
		return nil, errSession()
	}
	if now.UnixMilli()-a.lastSeenAt >= touchEvery.Milliseconds() {
		s.touch(ctx, "session", func(tx *sql.Tx) error { return touchSession(ctx, tx, a.sessionID, now) })
	}
	return userPrincipal(a.user, a.sessionID), nil
}

// touch records that a credential was used. A failure is logged, not returned: it
// must not fail the request.
func (s *Service) touch(ctx context.Context, what string, fn func(*sql.Tx) error) {
	if err := s.db.Tx(ctx, fn); err != nil {
		s.log.WarnContext(ctx, "org: record "+what+" use", "err", err)
	}
}

// Me describes the caller. It returns errs.Unauthorized without a principal.
func (s *Service) Me(ctx context.Context) (Identity, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{Kind: p.Kind, ID: p.ID, TenantID: p.TenantID, Name: p.Name, Role: p.Role,
		ScopeType: p.DataScope, ScopeID: p.DataID, Scopes: p.Scopes}
	if p.Kind == auth.UserPrincipal {
		u, err := findUser(ctx, s.db.Reader(), auth.System(p.TenantID), p.ID)
		if err != nil {
			return Identity{}, wrap("me", err)
		}
		id.Login, id.Name, id.MustChangePassword = u.Login, u.Name, u.MustChangePassword
	}
	return id, nil
}
