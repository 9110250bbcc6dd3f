package org

import (
	"context"
	"database/sql"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// usersManager returns the caller if it may manage users: users:write over the whole
// tenant. Otherwise it returns errs.Unauthorized or errs.Forbidden.
func usersManager(ctx context.Context) (*auth.Principal, error) {
	p, err := caller(ctx, auth.UsersWrite)
	if err != nil {
		return nil, err
	}
	if !tenantWide(p) {
		return nil, errs.E(errs.Forbidden, "only tenant-wide users may manage users")
	}
	return p, nil
}

// actsAsHQAdmin reports whether p may change hq_admin accounts: an hq_admin user, or
// the platform itself (the admin command). API keys have no role and never may.
func actsAsHQAdmin(p *auth.Principal) bool {
	return p.Kind == auth.SystemPrincipal || (p.Kind == auth.UserPrincipal && p.Role == auth.HQAdmin)
}

// isSelf reports whether p is the console user u.
func isSelf(p *auth.Principal, u User) bool { return p.Kind == auth.UserPrincipal && p.ID == u.ID }

// checkGrant refuses to give a role whose scopes the caller does not hold itself, and
// hq_admin to anyone but an hq_admin (or the platform).
func checkGrant(p *auth.Principal, r auth.Role) error {
	if r == auth.HQAdmin && !actsAsHQAdmin(p) {
		return errs.E(errs.Forbidden, "only an hq_admin may make an hq_admin")
	}
	for _, sc := range auth.RoleScopes(r) {
		if !p.Has(sc) {
			return errs.E(errs.Forbidden, "cannot grant role %s: it carries scope %s, which you do not hold", r, sc)
		}
	}
	return nil
}

// checkManage refuses any change p would make to another user u — password, status,
// data scope, role, name, sessions — unless p holds every scope of u's role, and any
// change to an hq_admin account unless p is an hq_admin. Otherwise a narrow key with
// users:write could take over a wider account.
func checkManage(p *auth.Principal, u User) error {
	if isSelf(p, u) {
		return nil
	}
	if u.Role == auth.HQAdmin && !actsAsHQAdmin(p) {
		return errs.E(errs.Forbidden, "only an hq_admin may change an hq_admin account")
	}
	for _, sc := range auth.RoleScopes(u.Role) {
		if !p.Has(sc) {
			return errs.E(errs.Forbidden, "cannot change a %s: the role carries scope %s, which you do not hold", u.Role, sc)
		}
	}
	return nil
}

// CreateUser creates a console user. It needs users:write over the whole tenant and
// may only grant roles whose scopes the caller holds (hq_admin only by an hq_admin).
// The password must pass the password policy. It returns errs.Unauthorized,
// errs.Forbidden, errs.Invalid (also when the brand, region or store of the data
// scope does not exist in the tenant), or errs.Conflict when the login is taken.
func (s *Service) CreateUser(ctx context.Context, in UserCreate) (User, error) {
	p, err := usersManager(ctx)
	if err != nil {
		return User{}, err
	}
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	if err := checkGrant(p, in.Role); err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	u := User{ID: ids.New(), TenantID: p.TenantID, Login: in.Login, Name: in.Name, Role: in.Role,
		ScopeType: in.ScopeType, ScopeID: in.ScopeID, Status: UserActive, MustChangePassword: in.MustChangePassword,
		CreatedAt: now, UpdatedAt: now}
	hash := s.hasher.Hash(in.Password)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkScopeRef(ctx, tx, u); err != nil {
			return err
		}
		if err := insertUser(ctx, tx, u, hash); err != nil {
			if db.IsUniqueViolation(err) {
				return taken("body.login", "login %q is already taken", u.Login)
			}
			return err
		}
		return s.emit(ctx, tx, "user.create", "user", u.ID, userFields(u), EventUserCreated, userEvent(u, nil))
	})
	if err != nil {
		return User{}, wrap("create user", err)
	}
	return u, nil
}

func checkScopeRef(ctx context.Context, tx *sql.Tx, u User) error {
	ok, err := scopeRefExists(ctx, tx, u.TenantID, u.ScopeType, u.ScopeID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Field("body.scope_id", "no %s %q in this tenant", u.ScopeType, u.ScopeID)
	}
	return nil
}

// FindUserByID returns a user the caller may see (users:read): the whole tenant for
// tenant-wide principals, otherwise the users scoped inside the caller's brand,
// region or store. Others are errs.NotFound.
func (s *Service) FindUserByID(ctx context.Context, id string) (User, error) {
	p, err := caller(ctx, auth.UsersRead)
	if err != nil {
		return User{}, err
	}
	u, err := findUser(ctx, s.db.Reader(), p, id)
	return u, wrap("find user", err)
}

// FindUsers lists the users the caller may see (users:read) that match f, ordered by
// id. It returns errs.Invalid for a malformed cursor.
func (s *Service) FindUsers(ctx context.Context, f UserFilter) (httpapi.Page[User], error) {
	p, err := caller(ctx, auth.UsersRead)
	if err != nil {
		return httpapi.Page[User]{}, err
	}
	return httpapi.FindPage(f.Cursor, f.Limit, defaultPageLimit, func(after string, n int) ([]User, error) {
		items, err := findUsers(ctx, s.db.Reader(), s.db.Like(), p, f, after, n)
		return items, wrap("find users", err)
	}, func(u User) string { return u.ID })
}

// UpdateUser changes a user's name, role, data scope, status or password. It needs
// users:write over the whole tenant; a user outside the caller's tenant or data scope
// is errs.NotFound. Changing another user needs every scope of their role (and of the
// new role), and an hq_admin account can be changed only by an hq_admin: otherwise,
// and for disabling oneself or setting one's own password here (ChangePassword asks
// for the current one), it returns errs.Forbidden. A password set here must pass the
// password policy and must be changed by the user at the next login; setting it or
// disabling the user ends the user's sessions. It also returns errs.Invalid.
func (s *Service) UpdateUser(ctx context.Context, id string, in UserUpdate) (User, error) {
	p, err := caller(ctx, auth.UsersWrite)
	if err != nil {
		return User{}, err
	}
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	cur, err := findUser(ctx, s.db.Reader(), p, id)
	if err != nil {
		return User{}, wrap("update user", err)
	}
	if !tenantWide(p) {
		return User{}, errs.E(errs.Forbidden, "only tenant-wide users may manage users")
	}
	if err := checkManage(p, cur); err != nil {
		return User{}, err
	}
	var hash string
	if in.Password != nil {
		if isSelf(p, cur) {
			return User{}, errs.E(errs.Forbidden, "change your own password with POST /api/v1/me/password, which asks for the current one")
		}
		if err := checkPassword("password", *in.Password, cur.Login); err != nil {
			return User{}, err
		}
		hash = s.hasher.Hash(*in.Password)
	}
	var out User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		u, err := findUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkManage(p, u); err != nil { // the role may have changed meanwhile
			return err
		}
		nu := u
		set(&nu.Name, in.Name)
		set(&nu.Role, in.Role)
		set(&nu.Status, in.Status)
		if in.ScopeType != nil {
			nu.ScopeType = *in.ScopeType
			if in.ScopeID == nil && nu.ScopeType == auth.TenantScope {
				nu.ScopeID = ""
			}
		}
		set(&nu.ScopeID, in.ScopeID)
		if err := checkScope(nu.ScopeType, nu.ScopeID); err != nil {
			return err
		}
		if nu.Role != u.Role {
			if err := checkGrant(p, nu.Role); err != nil {
				return err
			}
		}
		if nu.ID == p.ID && nu.Status == UserDisabled && u.Status != UserDisabled {
			return errs.E(errs.Forbidden, "you cannot disable your own account")
		}
		if nu.ScopeType != u.ScopeType || nu.ScopeID != u.ScopeID {
			if err := checkScopeRef(ctx, tx, nu); err != nil {
				return err
			}
		}
		if hash != "" {
			nu.MustChangePassword = true
		}
		changes, names := diff(userFields(u), userFields(nu))
		out = u
		if len(names) == 0 && hash == "" {
			return nil
		}
		now := s.clock.Now()
		nu.UpdatedAt = now
		out = nu
		if err := updateUser(ctx, tx, nu); err != nil {
			return err
		}
		if hash != "" {
			if err := setPasswordHash(ctx, tx, nu.TenantID, nu.ID, hash, true); err != nil {
				return err
			}
			changes["password"] = "reset" // never the password or its hash
			names = append(names, "password")
		}
		if hash != "" || (nu.Status == UserDisabled && u.Status != UserDisabled) {
			if err := revokeUserSessions(ctx, tx, nu.TenantID, nu.ID, p.SessionID, now); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, "user.update", "user", nu.ID, changes, EventUserUpdated, userEvent(nu, names))
	})
	s.keys.clear() // the user's API keys act with the user's role, status and scope
	if err != nil {
		return User{}, wrap("update user", err)
	}
	return out, nil
}

// ChangePassword changes the caller's own password: current must be the password it
// has now, and next must pass the password policy and differ from it. It clears
// MustChangePassword and ends the caller's other sessions. A wrong current password
// counts as a failed login of the account (and is throttled like one). It returns
// errs.Unauthorized without a principal, errs.Forbidden for API keys, errs.Invalid
// naming body.current_password or body.new_password, and errs.RateLimited.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if p.Kind != auth.UserPrincipal {
		return errs.E(errs.Forbidden, "only console users have a password")
	}
	u, hash, err := findUserWithHash(ctx, s.db.Reader(), p.TenantID, p.ID)
	if err != nil {
		return wrap("change password", err)
	}
	if err := checkPassword("new_password", next, u.Login); err != nil {
		return err
	}
	if next == current {
		return errs.Field("body.new_password", "new_password must differ from the current password")
	}
	account := throttleAccount(u.Login)
	wait, err := s.claimAttempt(ctx, account)
	if err != nil {
		return err
	}
	if wait > 0 {
		return errThrottled(wait)
	}
	if !s.hasher.Verify(hash, truncate(current, maxPasswordLength)) || len(current) > maxPasswordLength {
		s.log.InfoContext(ctx, "password change failed", "user_id", u.ID, "reason", "wrong current password")
		return errs.Field("body.current_password", "current_password is not your current password")
	}
	if err := s.forgive(ctx, account); err != nil {
		return err
	}
	newHash := s.hasher.Hash(next)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := setPasswordHash(ctx, tx, u.TenantID, u.ID, newHash, false); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := revokeUserSessions(ctx, tx, u.TenantID, u.ID, p.SessionID, now); err != nil {
			return err
		}
		changes := map[string]any{"password": "changed"}
		if u.MustChangePassword {
			changes["must_change_password"] = change{Before: true, After: false}
		}
		return s.emit(ctx, tx, "user.password_change", "user", u.ID, changes, EventUserUpdated, userEvent(u, []string{"password"}))
	})
	return wrap("change password", err)
}

func userFields(u User) map[string]any {
	return map[string]any{"login": u.Login, "name": u.Name, "role": u.Role, "scope_type": u.ScopeType,
		"scope_id": u.ScopeID, "status": u.Status, "must_change_password": u.MustChangePassword}
}

// SetPasswordByLogin sets the password of the user with the given login in the
// caller's tenant (the admin command's password reset). Like every reset by someone
// else, the user must change it at the next login. It returns errs.NotFound for an
// unknown login and the errors of UpdateUser.
func (s *Service) SetPasswordByLogin(ctx context.Context, login, password string) error {
	u, _, err := findUserForLogin(ctx, s.db.Reader(), normalizeLogin(login))
	if err != nil {
		return err
	}
	if p := auth.FromContext(ctx); p == nil || p.TenantID != u.TenantID {
		return notFound("user")
	}
	_, err = s.UpdateUser(ctx, u.ID, UserUpdate{Password: &password})
	return err
}
