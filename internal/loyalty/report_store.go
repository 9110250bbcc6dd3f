package loyalty

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// expiryDay is the outstanding points of the open lots expiring at one instant.
type expiryDay struct {
	expiresAt, points, lots int64
}

// reportLiability returns a program's balance (Σ entries) and its open lots'
// remaining points grouped by expiry instant (0: never).
func reportLiability(ctx context.Context, q db.Querier, tenantID, programID string) (int64, []expiryDay, error) {
	var bal int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(points), 0) FROM loyalty_entries WHERE tenant_id = $1 AND program_id = $2`,
		tenantID, programID).Scan(&bal); err != nil {
		return 0, nil, fmt.Errorf("sum balance: %w", err)
	}
	var out []expiryDay
	err := db.EachRow(ctx, q, `SELECT expires_at, SUM(remaining), COUNT(*) FROM loyalty_lots
		WHERE tenant_id = $1 AND program_id = $2 AND remaining > 0 GROUP BY expires_at`, []any{tenantID, programID},
		func(rows *sql.Rows) error {
			var d expiryDay
			err := rows.Scan(&d.expiresAt, &d.points, &d.lots)
			out = append(out, d)
			return err
		})
	if err != nil {
		return 0, nil, fmt.Errorf("sum liability by expiry: %w", err)
	}
	return bal, out, nil
}

// reportEarnBurn sums a period's entries by store, channel (of the entry's order) and
// kind, and folds the kinds into one row per store and channel.
func reportEarnBurn(ctx context.Context, q db.Querier, tenantID, programID string, from, to time.Time) ([]EarnBurnRow, error) {
	type key struct{ store, channel string }
	rows := map[key]*EarnBurnRow{}
	var order []key
	err := db.EachRow(ctx, q, `SELECT e.store_id, COALESCE(o.channel, ''), e.kind, SUM(e.points), COUNT(*)
		FROM loyalty_entries e LEFT JOIN orders o ON o.id = e.order_id AND o.tenant_id = e.tenant_id
		WHERE e.tenant_id = $1 AND e.program_id = $2 AND e.created_at >= $3 AND e.created_at < $4 AND e.kind <> 'transfer'
		GROUP BY e.store_id, COALESCE(o.channel, ''), e.kind ORDER BY 1, 2, 3`, []any{tenantID, programID, millis(from), millis(to)},
		func(rs *sql.Rows) error {
			var k key
			var kind EntryKind
			var points, n int64
			if err := rs.Scan(&k.store, &k.channel, &kind, &points, &n); err != nil {
				return err
			}
			r := rows[k]
			if r == nil {
				r = &EarnBurnRow{StoreID: k.store, Channel: k.channel}
				rows[k] = r
				order = append(order, k)
			}
			r.Entries += n
			switch kind {
			case EntryEarn:
				r.Earned += points
			case EntryRedeem:
				r.Redeemed -= points
			case EntryReverse:
				r.Reversed -= points
			case EntryExpire:
				r.Expired -= points
			case EntryAdjust:
				r.Adjusted += points
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sum earn and burn: %w", err)
	}
	out := make([]EarnBurnRow, len(order))
	for i, k := range order {
		out[i] = *rows[k]
	}
	return out, nil
}

// reportTiers counts a program's members per tier.
func reportTiers(ctx context.Context, q db.Querier, tenantID, programID string) ([]TierCount, error) {
	out := []TierCount{}
	err := db.EachRow(ctx, q, `SELECT tier_id, COUNT(*) FROM loyalty_members WHERE tenant_id = $1 AND program_id = $2
		GROUP BY tier_id ORDER BY tier_id`, []any{tenantID, programID}, func(rs *sql.Rows) error {
		var c TierCount
		err := rs.Scan(&c.TierID, &c.Members)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count members per tier: %w", err)
	}
	return out, nil
}

// reportMoves counts a period's recorded tier changes by from and to tier.
func reportMoves(ctx context.Context, q db.Querier, tenantID, programID string, from, to time.Time) ([]TierMoveCount, error) {
	out := []TierMoveCount{}
	err := db.EachRow(ctx, q, `SELECT from_tier_id, to_tier_id, COUNT(*) FROM loyalty_tier_moves
		WHERE tenant_id = $1 AND program_id = $2 AND moved_at >= $3 AND moved_at < $4 AND reason <> 'retained'
		GROUP BY from_tier_id, to_tier_id ORDER BY 1, 2`, []any{tenantID, programID, millis(from), millis(to)}, func(rs *sql.Rows) error {
		var m TierMoveCount
		err := rs.Scan(&m.FromTierID, &m.ToTierID, &m.Moves)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count tier moves: %w", err)
	}
	return out, nil
}
