package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/org"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ErrInterruptedLoad is returned by CheckLoads when a demo load started and never
// finished: its tenant is partial.
var ErrInterruptedLoad = errors.New("demo: a demo load was interrupted")

// Interrupted is a demo load that started and never finished (table demo_loads).
type Interrupted struct {
	TenantCode string
	TenantID   string // empty when the load stopped before the tenant was created
	Scale      string
	Seed       uint64
	StartedAt  time.Time
}

func (in Interrupted) String() string {
	return fmt.Sprintf("tenant %q (%s demo, seed %d, started %s)", in.TenantCode, in.Scale, in.Seed, in.StartedAt.UTC().Format(time.RFC3339))
}

// InterruptedLoads returns the demo loads that started and never finished, oldest
// first.
func InterruptedLoads(ctx context.Context, d *db.DB) ([]Interrupted, error) {
	rows, err := d.Reader().QueryContext(ctx, `SELECT tenant_code, COALESCE(tenant_id, ''), scale, seed, started_at FROM demo_loads ORDER BY started_at, tenant_code`)
	if err != nil {
		return nil, fmt.Errorf("demo: list interrupted loads: %w", err)
	}
	defer rows.Close()
	var out []Interrupted
	for rows.Next() {
		var (
			in      Interrupted
			seed    int64
			started int64
		)
		if err := rows.Scan(&in.TenantCode, &in.TenantID, &in.Scale, &seed, &started); err != nil {
			return nil, fmt.Errorf("demo: list interrupted loads: %w", err)
		}
		in.Seed, in.StartedAt = uint64(seed), time.UnixMilli(started).UTC()
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: list interrupted loads: %w", err)
	}
	return out, nil
}

// CheckLoads returns an error wrapping ErrInterruptedLoad, naming the tenants and
// what to do, when a demo load was interrupted; `serve` calls it at start so it never
// serves a half-loaded demo without saying so.
func CheckLoads(ctx context.Context, d *db.DB) error {
	loads, err := InterruptedLoads(ctx, d)
	if err != nil || len(loads) == 0 {
		return err
	}
	names := make([]string, len(loads))
	for i, l := range loads {
		names[i] = l.String()
	}
	return fmt.Errorf("%w and left a partial tenant: %s; run `oneretail demo` (or `serve --demo`) with the same --db to remove it and load it again",
		ErrInterruptedLoad, strings.Join(names, ", "))
}

// Discard removes an interrupted load: every row of its tenant and its mark, in one
// transaction, and returns the rows removed per table. A load that stopped before
// its tenant was created leaves only the mark.
func Discard(ctx context.Context, d *db.DB, finder TenantFinder, in Interrupted) (map[string]int64, error) {
	tenantID := in.TenantID
	if tenantID == "" {
		// Stopped between creating the tenant and recording its id: the code was free
		// when the load began (Load checks), so a tenant with it is the load's.
		t, err := finder.FindTenantByCode(ctx, in.TenantCode)
		switch {
		case err == nil:
			tenantID = t.ID
		case !errs.Is(err, errs.NotFound):
			return nil, fmt.Errorf("demo: discard %s: %w", in.TenantCode, err)
		}
	}
	var removed map[string]int64
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		removed = map[string]int64{}
		if tenantID != "" {
			var err error
			if removed, err = d.DeleteTenant(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM demo_loads WHERE tenant_code = $1`, in.TenantCode)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demo: discard %s: %w", in.TenantCode, err)
	}
	return removed, nil
}

// RowCount sums a Discard result.
func RowCount(removed map[string]int64) int64 {
	var n int64
	for _, v := range removed {
		n += v
	}
	return n
}

// Largest names the tables Discard removed most rows from, for a message.
func Largest(removed map[string]int64, n int) string {
	type kv struct {
		table string
		rows  int64
	}
	var all []kv
	for t, r := range removed {
		all = append(all, kv{t, r})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].rows != all[j].rows {
			return all[i].rows > all[j].rows
		}
		return all[i].table < all[j].table
	})
	parts := make([]string, 0, n)
	for i := 0; i < len(all) && i < n; i++ {
		parts = append(parts, fmt.Sprintf("%d %s", all[i].rows, all[i].table))
	}
	return strings.Join(parts, ", ")
}

// TenantFinder finds a tenant by its code (org.Service does).
type TenantFinder interface {
	FindTenantByCode(ctx context.Context, code string) (org.Tenant, error)
}

var _ TenantFinder = (*org.Service)(nil)

// beginLoad marks a load of the tenant code as started. It returns errs.Conflict
// when a tenant with that code exists or a load of it is already marked.
func beginLoad(ctx context.Context, d *db.DB, finder TenantFinder, c *Chain, now time.Time) error {
	if _, err := finder.FindTenantByCode(ctx, c.Tenant.Code); err == nil {
		return errs.E(errs.Conflict, "demo: tenant %q already exists; load the demo into a fresh database", c.Tenant.Code)
	} else if !errs.Is(err, errs.NotFound) {
		return fmt.Errorf("demo: %w", err)
	}
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO demo_loads (tenant_code, scale, seed, started_at) VALUES ($1, $2, $3, $4)`,
			c.Tenant.Code, string(c.Scale), int64(c.Seed), now.UnixMilli())
		return err
	})
	if db.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "demo: a load of tenant %q is already marked as running (or was interrupted: discard it first)", c.Tenant.Code)
	}
	if err != nil {
		return fmt.Errorf("demo: mark the load: %w", err)
	}
	return nil
}

func recordTenant(ctx context.Context, d *db.DB, code, tenantID string) error {
	return markLoad(ctx, d, `UPDATE demo_loads SET tenant_id = $2 WHERE tenant_code = $1`, code, tenantID)
}

func finishLoad(ctx context.Context, d *db.DB, code string) error {
	return markLoad(ctx, d, `DELETE FROM demo_loads WHERE tenant_code = $1`, code)
}

func markLoad(ctx context.Context, d *db.DB, query string, args ...any) error {
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("the load's mark is gone (was it discarded by another process?)")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: mark the load: %w", err)
	}
	return nil
}
