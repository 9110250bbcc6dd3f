package org

import (
	"context"
	"database/sql"
	"errors"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

const userColumns = `u.id, u.tenant_id, u.login, u.name, u.role, u.scope_type, u.scope_id, u.status,
	u.must_change_password, u.created_at, u.updated_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var created, updated int64
	dest := append([]any{&u.ID, &u.TenantID, &u.Login, &u.Name, &u.Role, &u.ScopeType, &u.ScopeID, &u.Status,
		&u.MustChangePassword, &created, &updated}, extra...)
	err := row.Scan(dest...)
	u.CreatedAt, u.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
	return u, err
}

func insertUser(ctx context.Context, tx *sql.Tx, u User, passwordHash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, tenant_id, login, name, password_hash, role, scope_type,
		scope_id, status, must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.ID, u.TenantID, u.Login, u.Name, passwordHash, u.Role, u.ScopeType, u.ScopeID, u.Status, u.MustChangePassword,
		clock.Millis(u.CreatedAt), clock.Millis(u.UpdatedAt))
	return err
}

func updateUser(ctx context.Context, tx *sql.Tx, u User) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET name = $3, role = $4, scope_type = $5, scope_id = $6, status = $7,
		updated_at = $8 WHERE tenant_id = $1 AND id = $2`, u.TenantID, u.ID, u.Name, u.Role, u.ScopeType, u.ScopeID,
		u.Status, clock.Millis(u.UpdatedAt))
	return err
}

// setPasswordHash stores a new password hash and whether the user must change it at
// the next login.
func setPasswordHash(ctx context.Context, tx *sql.Tx, tenantID, id, hash string, mustChange bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $3, must_change_password = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, hash, mustChange)
	return err
}

// findUserWithHash returns a user of the tenant, whatever the data scope, with its
// password hash, or errs.NotFound.
func findUserWithHash(ctx context.Context, q db.Querier, tenantID, id string) (User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u
		WHERE u.tenant_id = $1 AND u.id = $2`, tenantID, id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", notFound("user")
	}
	return u, hash, err
}

// findUser returns the user p may see, or errs.NotFound.
func findUser(ctx context.Context, q db.Querier, p *auth.Principal, id string) (User, error) {
	var w query
	w.where("u.tenant_id = %s", p.TenantID)
	w.where("u.id = %s", id)
	userScope(&w, p)
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, notFound("user")
	}
	return u, err
}

func findUsers(ctx context.Context, q db.Querier, like string, p *auth.Principal, f UserFilter, after string, n int) ([]User, error) {
	var w query
	w.where("u.tenant_id = %s", p.TenantID)
	userScope(&w, p)
	if f.Role != "" {
		w.where("u.role = %s", f.Role)
	}
	if f.Status != "" {
		w.where("u.status = %s", f.Status)
	}
	if f.ScopeType != "" {
		w.where("u.scope_type = %s", f.ScopeType)
	}
	if f.ScopeID != "" {
		w.where("u.scope_id = %s", f.ScopeID)
	}
	w.substring(like, f.Q, "u.login", "u.name")
	tail := w.page("u.id", after, n)
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+w.sql()+tail, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// findUserForLogin returns the user with the login, in any tenant, and its password
// hash, or errs.NotFound.
func findUserForLogin(ctx context.Context, q db.Querier, login string) (User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.login = $1`,
		login), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", notFound("user")
	}
	return u, hash, err
}

// scopeRefExists checks that the brand, region or store a user is scoped to exists
// in the tenant.
func scopeRefExists(ctx context.Context, q db.Querier, tenantID string, t auth.ScopeType, id string) (bool, error) {
	switch t {
	case auth.TenantScope:
		return id == "", nil
	case auth.BrandScope:
		return brandExists(ctx, q, tenantID, id)
	case auth.RegionScope:
		return regionExists(ctx, q, tenantID, id)
	case auth.StoreScope:
		return storeExists(ctx, q, tenantID, id)
	}
	return false, nil
}
