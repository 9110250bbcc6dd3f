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

// checkGrant refuses to give a role whose scopes the caller does not hold itself.
func checkGrant(p *auth.Principal, r auth.Role) error {
	for _, sc := range auth.RoleScopes(r) {
		if !p.Has(sc) {
			return errs.E(errs.Forbidden, "cannot grant role %s: it carries scope %s, which you do not hold", r, sc)
		}
	}
	return nil
}

// CreateUser creates a console user. It needs users:write over the whole tenant and
// may only grant roles whose scopes the caller holds. It returns errs.Unauthorized,
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
		ScopeType: in.ScopeType, ScopeID: in.ScopeID, Status: UserActive, CreatedAt: now, UpdatedAt: now}
	hash := s.cfg.hashPassword(in.Password)
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
// users:write; a user outside the caller's tenant or data scope is errs.NotFound, a
// caller narrower than the tenant, a role the caller could not grant, or disabling
// oneself is errs.Forbidden. Disabling a user or setting its password ends its
// sessions (except the caller's own). It also returns errs.Invalid.
func (s *Service) UpdateUser(ctx context.Context, id string, in UserUpdate) (User, error) {
	p, err := caller(ctx, auth.UsersWrite)
	if err != nil {
		return User{}, err
	}
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	var hash string
	if in.Password != nil {
		hash = s.cfg.hashPassword(*in.Password)
	}
	var out User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		u, err := findUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !tenantWide(p) {
			return errs.E(errs.Forbidden, "only tenant-wide users may manage users")
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
			if err := setPasswordHash(ctx, tx, nu.TenantID, nu.ID, hash); err != nil {
				return err
			}
			changes["password"] = "changed" // never the password or its hash
			names = append(names, "password")
		}
		if hash != "" || (nu.Status == UserDisabled && u.Status != UserDisabled) {
			if err := revokeUserSessions(ctx, tx, nu.TenantID, nu.ID, p.SessionID, now); err != nil {
				return err
			}
		}
		return s.emit(ctx, tx, "user.update", "user", nu.ID, changes, EventUserUpdated, userEvent(nu, names))
	})
	if err != nil {
		return User{}, wrap("update user", err)
	}
	return out, nil
}

func userFields(u User) map[string]any {
	return map[string]any{"login": u.Login, "name": u.Name, "role": u.Role, "scope_type": u.ScopeType,
		"scope_id": u.ScopeID, "status": u.Status}
}

// SetPasswordByLogin sets the password of the user with the given login in the
// caller's tenant (the admin command's password reset). It returns errs.NotFound for
// an unknown login and the errors of UpdateUser.
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
