package org

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ErrAlreadySetUp is returned by Setup when the installation already has a tenant.
var ErrAlreadySetUp = &errs.Error{Code: errs.Conflict,
	Message: "this installation is already set up: it has a tenant. Log in as its hq_admin, or (platform operator) " +
		"list and add tenants with `oneretail tenant list` and `oneretail tenant create`"}

// Setup creates the installation's first tenant and its hq_admin, like Bootstrap,
// but only while the database holds no tenant at all: `oneretail init` and the
// console's first-run page call it. Of concurrent calls one succeeds and the others
// get ErrAlreadySetUp, on both engines. It also returns errs.Invalid for bad input
// (the password policy applies to the admin's password).
func (s *Service) Setup(ctx context.Context, in BootstrapInput) (Tenant, User, error) {
	// Said before any complaint about the input; the transaction checks again.
	if n, err := s.TenantCount(ctx); err != nil || n > 0 {
		return Tenant{}, User{}, cmp.Or(err, error(ErrAlreadySetUp))
	}
	return s.bootstrap(ctx, in, true)
}

// claimInstallation records in tx that the installation's first tenant is being
// created, or returns ErrAlreadySetUp. The installation row's fixed key makes a
// concurrent claim fail (PostgreSQL waits for the first transaction, then reports a
// unique violation; SQLite has one writer).
func claimInstallation(ctx context.Context, tx *sql.Tx, tenantID string, now time.Time) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n); err != nil {
		return fmt.Errorf("count tenants: %w", err)
	}
	if n > 0 {
		return ErrAlreadySetUp
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO installation (id, tenant_id, created_at) VALUES (1, $1, $2)`,
		tenantID, clock.Millis(now))
	if db.IsUniqueViolation(err) {
		return ErrAlreadySetUp
	}
	return err
}

// ListTenants returns every tenant of the installation by code. It needs no
// principal: it serves the platform operator's command line, never the API.
func (s *Service) ListTenants(ctx context.Context) ([]Tenant, error) {
	var out []Tenant
	err := db.EachRow(ctx, s.db.Reader(), `SELECT id, code, name, created_at FROM tenants ORDER BY code`, nil,
		func(rows *sql.Rows) error {
			var t Tenant
			var created int64
			if err := rows.Scan(&t.ID, &t.Code, &t.Name, &created); err != nil {
				return err
			}
			t.CreatedAt = clock.FromMillis(created)
			out = append(out, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("org: list tenants: %w", err)
	}
	return out, nil
}
