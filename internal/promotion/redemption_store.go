package promotion

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// insertRedemptionOrder claims an order id with the priced cart's totals; it reports
// false when the order was already recorded (a replay). A token already committed
// as another order is a unique violation.
func insertRedemptionOrder(ctx context.Context, q querier, tenantID string, r Redemption, tokenID string) (bool, error) {
	c := r.Cart
	var token any
	if tokenID != "" {
		token = tokenID
	}
	res, err := q.ExecContext(ctx, `INSERT INTO promotion_redemption_orders (tenant_id, order_id, customer_id, status, created_at,
		priced, ordered_at, store_id, channel, subtotal_fen, discount_fen, delivery_fee_fen, delivery_discount_fen, payable_fen, token_id)
		VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (tenant_id, order_id) DO NOTHING`,
		tenantID, r.OrderID, r.CustomerID, r.Status, clock.Millis(r.CreatedAt), clock.Millis(c.At), c.StoreID, c.Channel,
		c.Subtotal, c.Discount, c.DeliveryFee, c.DeliveryDiscount, c.Payable, token)
	if err != nil {
		return false, fmt.Errorf("insert redemption order: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// insertPricedCart stores the priced cart's lines and the line shares of the
// promotions the order uses.
func insertPricedCart(ctx context.Context, q querier, d db.Dialect, tenantID, orderID string, c PricedCart) error {
	w := db.Rows{Head: `INSERT INTO promotion_redemption_lines (tenant_id, order_id, line_id, sku, unit, qty, unit_price_fen, amount_fen, net_fen, gift_of)`,
		Lead: "$1, $2", Fixed: []any{tenantID, orderID}}
	if err := db.WriteRows(ctx, q, d, w, c.Lines, func(l PricedLine) []any {
		return []any{l.ID, l.SKU, string(l.Unit), l.Qty, l.UnitPrice, l.Amount, l.Net, l.GiftOf}
	}, nil); err != nil {
		return fmt.Errorf("insert redemption lines: %w", err)
	}
	type share struct {
		promotionID string
		PricedShare
	}
	var shares []share
	for _, p := range c.Promotions {
		if p.Counts() {
			for _, s := range p.Shares {
				shares = append(shares, share{p.PromotionID, s})
			}
		}
	}
	w = db.Rows{Head: `INSERT INTO promotion_redemption_shares (tenant_id, order_id, promotion_id, line_id, discount_fen, basis_fen)`,
		Lead: "$1, $2", Fixed: []any{tenantID, orderID}}
	if err := db.WriteRows(ctx, q, d, w, shares, func(s share) []any {
		return []any{s.promotionID, s.LineID, s.Discount, s.Basis}
	}, nil); err != nil {
		return fmt.Errorf("insert redemption shares: %w", err)
	}
	return nil
}

// insertRedemptionWithCart is insertRedemptionOrder and insertPricedCart in one
// statement (PostgreSQL: inside the order's transaction every round trip counts):
// the lines and shares are written only when the order is, and it reports false when
// the order was already recorded (a replay).
func insertRedemptionWithCart(ctx context.Context, q querier, tenantID string, r Redemption, tokenID string) (bool, error) {
	c := r.Cart
	var token any
	if tokenID != "" {
		token = tokenID
	}
	n := len(c.Lines)
	lineIDs, skus, units, gifts := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	qtys, prices, amounts, nets := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, l := range c.Lines {
		lineIDs[i], skus[i], units[i], gifts[i] = l.ID, l.SKU, string(l.Unit), l.GiftOf
		qtys[i], prices[i], amounts[i], nets[i] = l.Qty, l.UnitPrice, l.Amount, l.Net
	}
	var sharePromotions, shareLines []string
	var shareDiscounts, shareBases []int64
	for _, p := range c.Promotions {
		if p.Counts() {
			for _, sh := range p.Shares {
				sharePromotions, shareLines = append(sharePromotions, p.PromotionID), append(shareLines, sh.LineID)
				shareDiscounts, shareBases = append(shareDiscounts, sh.Discount), append(shareBases, sh.Basis)
			}
		}
	}
	var stored int
	err := q.QueryRowContext(ctx, `WITH r AS (INSERT INTO promotion_redemption_orders (tenant_id, order_id, customer_id, status, created_at,
		priced, ordered_at, store_id, channel, subtotal_fen, discount_fen, delivery_fee_fen, delivery_discount_fen, payable_fen, token_id)
		VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (tenant_id, order_id) DO NOTHING RETURNING 1),
	l AS (INSERT INTO promotion_redemption_lines (tenant_id, order_id, line_id, sku, unit, qty, unit_price_fen, amount_fen, net_fen, gift_of)
		SELECT $1, $2, u.* FROM unnest($15::text[], $16::text[], $17::text[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::text[]) AS u
		WHERE EXISTS (SELECT 1 FROM r)),
	s AS (INSERT INTO promotion_redemption_shares (tenant_id, order_id, promotion_id, line_id, discount_fen, basis_fen)
		SELECT $1, $2, u.* FROM unnest($23::text[], $24::text[], $25::bigint[], $26::bigint[]) AS u WHERE EXISTS (SELECT 1 FROM r))
	SELECT COUNT(*) FROM r`,
		tenantID, r.OrderID, r.CustomerID, r.Status, clock.Millis(r.CreatedAt), clock.Millis(c.At), c.StoreID, c.Channel,
		c.Subtotal, c.Discount, c.DeliveryFee, c.DeliveryDiscount, c.Payable, token,
		lineIDs, skus, units, qtys, prices, amounts, nets, gifts, sharePromotions, shareLines, shareDiscounts, shareBases).Scan(&stored)
	if err != nil {
		return false, fmt.Errorf("insert redemption order: %w", err)
	}
	return stored == 1, nil
}

// thresholdSnapshot is the definition a redemption keeps of a threshold promotion.
type thresholdSnapshot struct {
	Threshold    *engine.Threshold   `json:"threshold"`
	ReturnPolicy engine.ReturnPolicy `json:"return_policy,omitempty"`
}

// insertRedemptionLines stores the order's redemption of each used promotion (ls,
// with pps the priced promotions in the same order) in one statement.
func insertRedemptionLines(ctx context.Context, q querier, d db.Dialect, tenantID, orderID string, ls []RedemptionLine, pps []PricedPromotion) error {
	defs := make([]any, len(pps))
	for i, pp := range pps {
		if pp.Threshold != nil {
			b, err := json.Marshal(thresholdSnapshot{Threshold: pp.Threshold, ReturnPolicy: pp.ReturnPolicy})
			if err != nil {
				return err
			}
			defs[i] = string(b)
		}
	}
	at := make(map[string]int, len(ls))
	for i, l := range ls {
		at[l.PromotionID] = i
	}
	w := db.Rows{Head: `INSERT INTO promotion_redemptions (tenant_id, order_id, promotion_id, discount_fen, flash_units, value_fen, kind, definition)`,
		Lead: "$1, $2", Fixed: []any{tenantID, orderID}}
	if err := db.WriteRows(ctx, q, d, w, ls, func(l RedemptionLine) []any {
		return []any{l.PromotionID, l.DiscountFen, l.FlashUnits, l.ValueFen, string(l.Kind), defs[at[l.PromotionID]]}
	}, nil); err != nil {
		return fmt.Errorf("insert redemptions: %w", err)
	}
	return nil
}

// usageRow is a promotion's usage row: its running totals and its limits.
type usageRow struct {
	usage  Usage
	limits Limits
}

func scanUsageRow(r scanner) (usageRow, error) {
	var u usageRow
	var budget, maxUses sql.NullInt64
	err := r.Scan(&u.usage.DiscountFen, &u.usage.Uses, &budget, &maxUses)
	u.limits = Limits{BudgetFen: ptrOf(budget), MaxUses: ptrOf(maxUses)}
	return u, err
}

// addUsage adds value and one use to a promotion's usage in one conditional UPDATE
// that reads the limits it checks from the row it updates — the budget, the uses, the
// largest total kept — and that the row's version is still the one the commit read
// the status and per-customer limit at. On PostgreSQL a concurrent commit or limit
// change waits for the row and the condition is checked again on the row it left. It
// returns the new usage and false when refused (usageRefusal says why).
func addUsage(ctx context.Context, q querier, tenantID, id string, version, value int64) (usageRow, bool, error) {
	u, err := scanUsageRow(q.QueryRowContext(ctx, `UPDATE promotion_usage SET discount_fen = discount_fen + $3, uses = uses + 1
		WHERE tenant_id = $1 AND promotion_id = $2 AND version = $4 AND discount_fen <= CAST($5 AS BIGINT) - $3
		AND (budget_fen IS NULL OR discount_fen + $3 <= budget_fen) AND (max_uses IS NULL OR uses + 1 <= max_uses)
		RETURNING discount_fen, uses, budget_fen, max_uses`, tenantID, id, value, version, int64(money.MaxTotal)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("add usage: %w", err)
	}
	return u, true, nil
}

// usageShards is how many rows the usage of a promotion without total limits is
// spread over (migration 00056).
const usageShards = 16

// addShardUsage adds value and one use to one of the promotion's usage shards (by the
// order id) — for a promotion without a budget or a use limit, which needs no check
// against its total. It holds a share lock on the usage row (PostgreSQL), so that
// concurrent commits do not wait for each other while a status or limit change waits
// for them and they for it. It refuses when the row's version is no longer the one
// the commit read (the caller retries) and when the usage would pass the largest
// total kept. On PostgreSQL the lock, the checks and the addition are one statement:
// the order's stock balances are locked by then, and each round trip would hold them
// longer.
func addShardUsage(ctx context.Context, q querier, d db.Dialect, tenantID, id, orderID string, version, value int64) (shardResult, error) {
	h := fnv.New32a()
	h.Write([]byte(orderID))
	shard := int64(h.Sum32() % usageShards)
	if d == db.Postgres {
		return addShardUsageOnce(ctx, q, tenantID, id, shard, version, value)
	}
	var current, total int64
	err := q.QueryRowContext(ctx, `SELECT version, discount_fen FROM promotion_usage WHERE tenant_id = $1 AND promotion_id = $2`,
		tenantID, id).Scan(&current, &total)
	if err != nil {
		return 0, fmt.Errorf("add usage: %w", err)
	}
	if current != version {
		return shardVersionChanged, nil
	}
	var shards int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(discount_fen), 0) FROM promotion_usage_shards WHERE tenant_id = $1 AND promotion_id = $2`,
		tenantID, id).Scan(&shards); err != nil {
		return 0, fmt.Errorf("add usage: %w", err)
	}
	if total+shards > int64(money.MaxTotal)-value { // the largest total kept, as addUsage checks on the row
		return shardPastTotal, nil
	}
	_, err = q.ExecContext(ctx, shardUpsert+` VALUES ($1, $2, $3, $4, 1)`+shardConflict, tenantID, id, shard, value)
	if err != nil {
		return 0, fmt.Errorf("add usage: %w", err)
	}
	return shardAdded, nil
}

const (
	shardUpsert   = `INSERT INTO promotion_usage_shards (tenant_id, promotion_id, shard, discount_fen, uses)`
	shardConflict = ` ON CONFLICT (tenant_id, promotion_id, shard) DO UPDATE SET discount_fen = promotion_usage_shards.discount_fen + excluded.discount_fen,
		uses = promotion_usage_shards.uses + 1`
)

// addShardUsageOnce is addShardUsage on PostgreSQL in one statement: the usage row
// read under a share lock (a limit change waiting for it changes its version, which
// the condition then reads again) with the version and total checked, and a shard
// added to when both hold. The shard is one no other commit holds (SKIP LOCKED),
// else shard, once the promotion has that many: a commit then waits for a shard
// only when more commits than shards run at once. When nothing was added it reads
// why.
func addShardUsageOnce(ctx context.Context, q querier, tenantID, id string, shard, version, value int64) (shardResult, error) {
	res, err := q.ExecContext(ctx, `WITH u AS (SELECT tenant_id, promotion_id, discount_fen FROM promotion_usage
			WHERE tenant_id = $1 AND promotion_id = $2 AND version = $5 FOR SHARE),
		free AS (SELECT s.shard FROM promotion_usage_shards s WHERE s.tenant_id = $1 AND s.promotion_id = $2 AND EXISTS (SELECT 1 FROM u)
			LIMIT 1 FOR UPDATE SKIP LOCKED)
		`+shardUpsert+` SELECT u.tenant_id, u.promotion_id, COALESCE((SELECT shard FROM free), $3), $4, 1 FROM u
		WHERE u.discount_fen + (SELECT COALESCE(SUM(s.discount_fen), 0) FROM promotion_usage_shards s
			WHERE s.tenant_id = $1 AND s.promotion_id = $2) <= CAST($6 AS BIGINT) - $4`+shardConflict,
		tenantID, id, shard, value, version, int64(money.MaxTotal))
	if err != nil {
		return 0, fmt.Errorf("add usage: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return shardAdded, err
	}
	var current int64
	if err := q.QueryRowContext(ctx, `SELECT version FROM promotion_usage WHERE tenant_id = $1 AND promotion_id = $2`, tenantID, id).Scan(&current); err != nil {
		return 0, fmt.Errorf("add usage: %w", err)
	}
	if current != version {
		return shardVersionChanged, nil
	}
	return shardPastTotal, nil
}

// shardResult is what addShardUsage did.
type shardResult int

const (
	shardAdded shardResult = iota + 1
	shardVersionChanged
	shardPastTotal
)

// addCustomerUsage adds one use and flash units to the customer's usage of a
// promotion unless that takes the customer — its live id and every id merged into it
// together — past maxUses (nil: none) or flashLimit (0: none); false when refused.
// The use is recorded on the live id's row, whose lock serialises one person's
// concurrent orders; the merged ids' rows no longer grow once merged.
func addCustomerUsage(ctx context.Context, q querier, d db.Dialect, tenantID, id string, who buyer, flash int64, maxUses *int64, flashLimit int64) (bool, error) {
	args := []any{tenantID, id, who.live, flash}
	others := func(string) string { return "0" }
	// The merged ids are arguments only when a limit reads them: PostgreSQL refuses
	// arguments the statement does not use.
	if len(who.merged) > 0 && (maxUses != nil || flashLimit > 0) {
		in := db.In(d, &args, who.merged)
		others = func(col string) string {
			return `(SELECT COALESCE(SUM(o.` + col + `), 0) FROM promotion_customer_usage o
				WHERE o.tenant_id = $1 AND o.promotion_id = $2 AND o.customer_id` + in + `)`
		}
	}
	insertIf, updateIf := "1 = 1", "1 = 1"
	if maxUses != nil {
		args = append(args, *maxUses)
		n := len(args)
		insertIf += fmt.Sprintf(` AND %s + 1 <= CAST($%d AS BIGINT)`, others("uses"), n)
		updateIf += fmt.Sprintf(` AND promotion_customer_usage.uses + %s + 1 <= CAST($%d AS BIGINT)`, others("uses"), n)
	}
	if flashLimit > 0 {
		args = append(args, flashLimit)
		n := len(args)
		insertIf += fmt.Sprintf(` AND %s + CAST($4 AS BIGINT) <= CAST($%d AS BIGINT)`, others("flash_units"), n)
		updateIf += fmt.Sprintf(` AND promotion_customer_usage.flash_units + %s + CAST($4 AS BIGINT) <= CAST($%d AS BIGINT)`, others("flash_units"), n)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO promotion_customer_usage (tenant_id, promotion_id, customer_id, uses, flash_units)
		SELECT $1, $2, $3, 1, CAST($4 AS BIGINT) WHERE `+insertIf+`
		ON CONFLICT (tenant_id, customer_id, promotion_id) DO UPDATE
		SET uses = promotion_customer_usage.uses + 1, flash_units = promotion_customer_usage.flash_units + excluded.flash_units
		WHERE `+updateIf, args...)
	if err != nil {
		return false, fmt.Errorf("add customer usage: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// releaseUsage takes a cancelled order's line back out of the promotion's usage.
func releaseUsage(ctx context.Context, q querier, tenantID string, l RedemptionLine) (usageRow, error) {
	u, err := scanUsageRow(q.QueryRowContext(ctx, `UPDATE promotion_usage SET discount_fen = discount_fen - $3, uses = uses - 1
		WHERE tenant_id = $1 AND promotion_id = $2 RETURNING discount_fen, uses, budget_fen, max_uses`,
		tenantID, l.PromotionID, l.ValueFen))
	if err != nil {
		return u, fmt.Errorf("release usage: %w", err)
	}
	return u, nil
}

func releaseCustomerUsage(ctx context.Context, q querier, tenantID, customerID string, l RedemptionLine) error {
	_, err := q.ExecContext(ctx, `UPDATE promotion_customer_usage SET uses = uses - 1, flash_units = flash_units - $4
		WHERE tenant_id = $1 AND customer_id = $2 AND promotion_id = $3`, tenantID, customerID, l.PromotionID, l.FlashUnits)
	if err != nil {
		return fmt.Errorf("release customer usage: %w", err)
	}
	return nil
}

func cancelRedemptionOrder(ctx context.Context, q querier, tenantID, orderID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE promotion_redemption_orders SET status = 'cancelled', cancelled_at = $3
		WHERE tenant_id = $1 AND order_id = $2`, tenantID, orderID, clock.Millis(at))
	if err != nil {
		return fmt.Errorf("cancel redemption order: %w", err)
	}
	return nil
}

func getRedemption(ctx context.Context, q querier, tenantID, orderID string) (Redemption, error) {
	return getRedemptionForUpdate(ctx, q, tenantID, orderID, "")
}

// getRedemptionForUpdate reads an order's redemptions (lines in promotion id order)
// and the priced cart they were recorded from, or returns an errs.NotFound error;
// lock is appended to the order's query.
func getRedemptionForUpdate(ctx context.Context, q querier, tenantID, orderID, lock string) (Redemption, error) {
	r := Redemption{OrderID: orderID}
	var created int64
	var cancelled, ordered sql.NullInt64
	c := &r.Cart
	err := q.QueryRowContext(ctx, `SELECT customer_id, status, created_at, cancelled_at, priced, ordered_at, store_id, channel,
		subtotal_fen, discount_fen, delivery_fee_fen, delivery_discount_fen, payable_fen FROM promotion_redemption_orders
		WHERE tenant_id = $1 AND order_id = $2`+lock, tenantID, orderID).Scan(&r.CustomerID, &r.Status, &created, &cancelled,
		&r.Priced, &ordered, &c.StoreID, &c.Channel, &c.Subtotal, &c.Discount, &c.DeliveryFee, &c.DeliveryDiscount, &c.Payable)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "no redemptions recorded for order %s", orderID)
	}
	if err != nil {
		return r, fmt.Errorf("get redemption: %w", err)
	}
	r.CreatedAt = clock.FromMillis(created)
	if cancelled.Valid {
		t := clock.FromMillis(cancelled.Int64)
		r.CancelledAt = &t
	}
	c.TenantID, c.CustomerID = tenantID, r.CustomerID
	if ordered.Valid {
		c.At = clock.FromMillis(ordered.Int64)
	}
	if err := redemptionLines(ctx, q, tenantID, &r); err != nil {
		return r, err
	}
	if !r.Priced {
		return r, nil
	}
	return r, pricedCartOf(ctx, q, tenantID, &r)
}

// redemptionLines reads the promotions an order used into r.Lines and their
// priced form into r.Cart.Promotions.
func redemptionLines(ctx context.Context, q querier, tenantID string, r *Redemption) error {
	return db.EachRow(ctx, q, `SELECT r.promotion_id, COALESCE(p.code, ''), r.kind, r.discount_fen, r.value_fen, r.flash_units, r.definition
		FROM promotion_redemptions r LEFT JOIN promotions p ON p.tenant_id = r.tenant_id AND p.id = r.promotion_id
		WHERE r.tenant_id = $1 AND r.order_id = $2 ORDER BY r.promotion_id`, []any{tenantID, r.OrderID}, func(rows *sql.Rows) error {
		var l RedemptionLine
		var def sql.NullString
		if err := rows.Scan(&l.PromotionID, &l.Code, &l.Kind, &l.DiscountFen, &l.ValueFen, &l.FlashUnits, &def); err != nil {
			return err
		}
		r.Lines = append(r.Lines, l)
		pp := PricedPromotion{PromotionID: l.PromotionID, Kind: l.Kind, Discount: l.DiscountFen, Value: l.ValueFen,
			FlashUnits: l.FlashUnits, Delivery: l.Kind == engine.KindDeliveryFee}
		if def.Valid {
			var snap thresholdSnapshot
			if err := json.Unmarshal([]byte(def.String), &snap); err != nil {
				return fmt.Errorf("decode redemption definition of %s: %w", l.PromotionID, err)
			}
			pp.Threshold, pp.ReturnPolicy = snap.Threshold, snap.ReturnPolicy
		}
		r.Cart.Promotions = append(r.Cart.Promotions, pp)
		return nil
	})
}

// pricedCartOf reads the priced cart's lines and the promotions' shares into r.Cart.
func pricedCartOf(ctx context.Context, q querier, tenantID string, r *Redemption) error {
	c := &r.Cart
	err := db.EachRow(ctx, q, `SELECT line_id, sku, unit, qty, unit_price_fen, amount_fen, net_fen, gift_of FROM promotion_redemption_lines
		WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_id`, []any{tenantID, r.OrderID}, func(rows *sql.Rows) error {
		var l PricedLine
		if err := rows.Scan(&l.ID, &l.SKU, &l.Unit, &l.Qty, &l.UnitPrice, &l.Amount, &l.Net, &l.GiftOf); err != nil {
			return err
		}
		c.Lines = append(c.Lines, l)
		return nil
	})
	if err != nil {
		return fmt.Errorf("get redemption lines: %w", err)
	}
	at := make(map[string]int, len(c.Promotions))
	for i, p := range c.Promotions {
		at[p.PromotionID] = i
	}
	err = db.EachRow(ctx, q, `SELECT promotion_id, line_id, discount_fen, basis_fen FROM promotion_redemption_shares
		WHERE tenant_id = $1 AND order_id = $2 ORDER BY promotion_id, line_id`, []any{tenantID, r.OrderID}, func(rows *sql.Rows) error {
		var id string
		var s PricedShare
		if err := rows.Scan(&id, &s.LineID, &s.Discount, &s.Basis); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			c.Promotions[i].Shares = append(c.Promotions[i].Shares, s)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("get redemption shares: %w", err)
	}
	return nil
}

// customerUse is what one customer (with the ids merged into it) has used of one
// promotion.
type customerUse struct {
	PromotionID string
	Uses        int64
	FlashUnits  int64
}

// customerUsage sums the usage of the customer ids (a live customer and the ids
// merged into it) per promotion.
func customerUsage(ctx context.Context, q querier, d db.Dialect, tenantID string, customerIDs []string) ([]customerUse, error) {
	args := []any{tenantID}
	in := db.In(d, &args, customerIDs)
	var out []customerUse
	err := db.EachRow(ctx, q, `SELECT promotion_id, SUM(uses), SUM(flash_units) FROM promotion_customer_usage
		WHERE tenant_id = $1 AND customer_id`+in+` GROUP BY promotion_id HAVING SUM(uses) > 0`, args, func(rows *sql.Rows) error {
		var u customerUse
		if err := rows.Scan(&u.PromotionID, &u.Uses, &u.FlashUnits); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer usage: %w", err)
	}
	return out, nil
}
