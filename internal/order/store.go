package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

const orderColumns = `id, tenant_id, number, channel, external_ref, store_id, customer_id, status, fulfilment, time_zone, currency,
	subtotal_fen, discount_fen, delivery_fee_fen, delivery_discount_fen, payable_fen, paid_fen, refunded_fen,
	buyer_sealed, receiver_sealed, routing, placed_at, created_at, updated_at, version`

func insertOrderRow(ctx context.Context, tx *sql.Tx, o Order, buyer, receiver string) error {
	m := o.Money
	_, err := tx.ExecContext(ctx, `INSERT INTO orders (`+orderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
		o.ID, o.TenantID, o.Number, o.Channel, o.ExternalRef, o.StoreID, o.CustomerID, o.Status, o.Fulfilment, o.TimeZone, o.Currency,
		m.SubtotalFen, m.DiscountFen, m.DeliveryFeeFen, m.DeliveryDiscountFen, m.PayableFen, o.PaidFen, o.RefundedFen,
		buyer, receiver, o.Routing, clock.Millis(o.PlacedAt), clock.Millis(o.CreatedAt), clock.Millis(o.UpdatedAt), o.Version)
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	return nil
}

// insertNewOrder stores a new order on PostgreSQL in one statement: its row, lines,
// line shares, first timeline entry e and one shipment per location of shipments.
// Inside the order's transaction every round trip counts (insertOrder on SQLite
// writes the same rows one table at a time).
func insertNewOrder(ctx context.Context, tx *sql.Tx, o Order, buyer, receiver string, e TimelineEntry, shipments []string) error {
	m := o.Money
	args := []any{o.ID, o.TenantID, o.Number, o.Channel, o.ExternalRef, o.StoreID, o.CustomerID, o.Status, o.Fulfilment, o.TimeZone, o.Currency,
		m.SubtotalFen, m.DiscountFen, m.DeliveryFeeFen, m.DeliveryDiscountFen, m.PayableFen, o.PaidFen, o.RefundedFen,
		buyer, receiver, o.Routing, clock.Millis(o.PlacedAt), clock.Millis(o.CreatedAt), clock.Millis(o.UpdatedAt), o.Version}
	array := func(v any, typ string) string {
		args = append(args, v)
		return fmt.Sprintf("$%d::%s[]", len(args), typ)
	}
	n := len(o.Lines)
	ids, skus, codes, names, units, gifts, locs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	qtys, prices, amounts, discounts, nets, returned := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	var shareLines, sharePromotions []string
	var shareDiscounts []int64
	for i, l := range o.Lines {
		ids[i], skus[i], codes[i], names[i], units[i], gifts[i], locs[i] = l.ID, l.SKUID, l.SKUCode, l.Name, l.Unit, l.GiftOf, l.LocationID
		qtys[i], prices[i], amounts[i], discounts[i], nets[i], returned[i] = l.Qty, l.UnitPriceFen, l.AmountFen, l.DiscountFen, l.NetFen, l.ReturnedQty
		for _, sh := range l.Shares {
			shareLines, sharePromotions, shareDiscounts = append(shareLines, l.ID), append(sharePromotions, sh.PromotionID), append(shareDiscounts, sh.DiscountFen)
		}
	}
	lines := strings.Join([]string{array(ids, "text"), array(skus, "text"), array(codes, "text"), array(names, "text"), array(units, "text"),
		array(qtys, "bigint"), array(prices, "bigint"), array(amounts, "bigint"), array(discounts, "bigint"), array(nets, "bigint"),
		array(gifts, "text"), array(locs, "text"), array(returned, "bigint")}, ", ")
	shares := strings.Join([]string{array(shareLines, "text"), array(sharePromotions, "text"), array(shareDiscounts, "bigint")}, ", ")
	ships := array(shipments, "text")
	args = append(args, e.Seq, e.Kind, e.From, e.To, e.Note, e.Actor, clock.Millis(e.At))
	t := len(args) - 6
	_, err := tx.ExecContext(ctx, `WITH o AS (INSERT INTO orders (`+orderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)),
	l AS (INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen,
		discount_fen, net_fen, gift_of, location_id, returned_qty) SELECT $2, $1, u.* FROM unnest(`+lines+`) AS u),
	d AS (INSERT INTO order_line_discounts (tenant_id, order_id, line_id, promotion_id, discount_fen) SELECT $2, $1, u.* FROM unnest(`+shares+`) AS u),
	s AS (INSERT INTO order_shipments (tenant_id, order_id, location_id, placed_at) SELECT $2, $1, u.location_id, $22 FROM unnest(`+ships+`) AS u (location_id))
	INSERT INTO order_timeline (tenant_id, order_id, seq, kind, from_status, to_status, note, actor_id, at)
		VALUES ($2, $1, `+fmt.Sprintf("$%d, $%d, $%d, $%d, $%d, $%d, $%d", t, t+1, t+2, t+3, t+4, t+5, t+6)+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	return nil
}

// sealedOrder is an order row with its personal data still sealed.
type sealedOrder struct {
	Order
	buyer, receiver string
}

func scanOrder(row interface{ Scan(...any) error }) (sealedOrder, error) {
	var o sealedOrder
	var placed, created, updated int64
	m := &o.Money
	err := row.Scan(&o.ID, &o.TenantID, &o.Number, &o.Channel, &o.ExternalRef, &o.StoreID, &o.CustomerID, &o.Status, &o.Fulfilment, &o.TimeZone, &o.Currency,
		&m.SubtotalFen, &m.DiscountFen, &m.DeliveryFeeFen, &m.DeliveryDiscountFen, &m.PayableFen, &o.PaidFen, &o.RefundedFen,
		&o.buyer, &o.receiver, &o.Routing, &placed, &created, &updated, &o.Version)
	o.PlacedAt, o.CreatedAt, o.UpdatedAt = clock.FromMillis(placed), clock.FromMillis(created), clock.FromMillis(updated)
	return o, err
}

// getOrder reads an order row; lock (the dialect's FOR UPDATE or "") locks it for
// the transaction q is.
func getOrder(ctx context.Context, q db.Querier, tenantID, id, lock string) (sealedOrder, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.E(errs.NotFound, "order %s not found", id)
	}
	if err != nil {
		return o, fmt.Errorf("read order: %w", err)
	}
	return o, nil
}

func orderIDByRef(ctx context.Context, q db.Querier, tenantID string, ch Channel, ref string) (string, error) {
	var id string
	// external_ref <> '' is the partial index's own condition: SQLite uses
	// orders_external only when the query states it.
	err := q.QueryRowContext(ctx, `SELECT id FROM orders WHERE tenant_id = $1 AND channel = $2 AND external_ref <> '' AND external_ref = $3`, tenantID, ch, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.NotFound, "no order %s from %s", ref, ch)
	}
	if err != nil {
		return "", fmt.Errorf("read order reference: %w", err)
	}
	return id, nil
}

// updateOrder writes what a transition or change moves: status, money paid and
// refunded, the version and the routing.
func updateOrder(ctx context.Context, tx *sql.Tx, o Order) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, paid_fen = $2, refunded_fen = $3, version = $4, routing = $5, updated_at = $6
		WHERE tenant_id = $7 AND id = $8`, o.Status, o.PaidFen, o.RefundedFen, o.Version, o.Routing, clock.Millis(o.UpdatedAt), o.TenantID, o.ID)
	if err != nil {
		return fmt.Errorf("update order: %w", err)
	}
	return nil
}

func insertLines(ctx context.Context, tx *sql.Tx, d db.Dialect, o Order) error {
	w := db.Rows{Head: `INSERT INTO order_lines (tenant_id, order_id, line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen,
		discount_fen, net_fen, gift_of, location_id, returned_qty)`, Lead: "$1, $2", Fixed: []any{o.TenantID, o.ID}}
	if err := db.WriteRows(ctx, tx, d, w, o.Lines, func(l Line) []any {
		return []any{l.ID, l.SKUID, l.SKUCode, l.Name, l.Unit, l.Qty, l.UnitPriceFen, l.AmountFen, l.DiscountFen, l.NetFen, l.GiftOf, l.LocationID, l.ReturnedQty}
	}, nil); err != nil {
		return fmt.Errorf("insert order lines: %w", err)
	}
	type share struct {
		line string
		Share
	}
	var shares []share
	for _, l := range o.Lines {
		for _, s := range l.Shares {
			shares = append(shares, share{l.ID, s})
		}
	}
	if len(shares) == 0 {
		return nil
	}
	w = db.Rows{Head: `INSERT INTO order_line_discounts (tenant_id, order_id, line_id, promotion_id, discount_fen)`, Lead: "$1, $2", Fixed: []any{o.TenantID, o.ID}}
	if err := db.WriteRows(ctx, tx, d, w, shares, func(s share) []any { return []any{s.line, s.PromotionID, s.DiscountFen} }, nil); err != nil {
		return fmt.Errorf("insert order line discounts: %w", err)
	}
	return nil
}

func readLines(ctx context.Context, q db.Querier, tenantID, orderID string) ([]Line, error) {
	var out []Line
	at := map[string]int{}
	err := db.EachRow(ctx, q, `SELECT line_id, sku_id, sku_code, name, unit, qty, unit_price_fen, amount_fen, discount_fen, net_fen, gift_of, location_id, returned_qty,
		substituted_qty, substitute_for, exchange_for
		FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_id`, []any{tenantID, orderID}, func(rows *sql.Rows) error {
		var l Line
		err := rows.Scan(&l.ID, &l.SKUID, &l.SKUCode, &l.Name, &l.Unit, &l.Qty, &l.UnitPriceFen, &l.AmountFen, &l.DiscountFen, &l.NetFen, &l.GiftOf, &l.LocationID, &l.ReturnedQty,
			&l.SubstitutedQty, &l.SubstituteFor, &l.ExchangeFor)
		at[l.ID] = len(out)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	err = db.EachRow(ctx, q, `SELECT line_id, promotion_id, discount_fen FROM order_line_discounts WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_id, promotion_id`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var line string
			var s Share
			if err := rows.Scan(&line, &s.PromotionID, &s.DiscountFen); err != nil {
				return err
			}
			if i, ok := at[line]; ok {
				out[i].Shares = append(out[i].Shares, s)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read order line discounts: %w", err)
	}
	return out, nil
}

func setReturned(ctx context.Context, tx *sql.Tx, tenantID, orderID, lineID string, qty int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE order_lines SET returned_qty = $1 WHERE tenant_id = $2 AND order_id = $3 AND line_id = $4`, qty, tenantID, orderID, lineID)
	if err != nil {
		return fmt.Errorf("update returned quantity: %w", err)
	}
	return nil
}

func insertPayment(ctx context.Context, tx *sql.Tx, tenantID, orderID string, p Payment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_payments (tenant_id, order_id, seq, kind, method, amount_fen, reference, change_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, tenantID, orderID, p.Seq, p.Kind, p.Method, p.AmountFen, p.Reference, p.ChangeID, clock.Millis(p.At))
	if err != nil {
		return fmt.Errorf("insert payment: %w", err)
	}
	return nil
}

func readPayments(ctx context.Context, q db.Querier, tenantID, orderID string) ([]Payment, error) {
	var out []Payment
	err := db.EachRow(ctx, q, `SELECT seq, kind, method, amount_fen, reference, change_id, at FROM order_payments WHERE tenant_id = $1 AND order_id = $2 ORDER BY seq`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var p Payment
			var at int64
			err := rows.Scan(&p.Seq, &p.Kind, &p.Method, &p.AmountFen, &p.Reference, &p.ChangeID, &at)
			p.At = clock.FromMillis(at)
			out = append(out, p)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read payments: %w", err)
	}
	return out, nil
}

func timelineLength(ctx context.Context, q db.Querier, orderID string) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_timeline WHERE order_id = $1`, orderID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count timeline: %w", err)
	}
	return n, nil
}

func insertTimeline(ctx context.Context, tx *sql.Tx, tenantID, orderID string, e TimelineEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_timeline (tenant_id, order_id, seq, kind, from_status, to_status, note, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, tenantID, orderID, e.Seq, e.Kind, e.From, e.To, e.Note, e.Actor, clock.Millis(e.At))
	if err != nil {
		return fmt.Errorf("insert timeline: %w", err)
	}
	return nil
}

func readTimeline(ctx context.Context, q db.Querier, tenantID, orderID string) ([]TimelineEntry, error) {
	var out []TimelineEntry
	err := db.EachRow(ctx, q, `SELECT seq, kind, from_status, to_status, note, actor_id, at FROM order_timeline WHERE tenant_id = $1 AND order_id = $2 ORDER BY seq`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var e TimelineEntry
			var at int64
			err := rows.Scan(&e.Seq, &e.Kind, &e.From, &e.To, &e.Note, &e.Actor, &at)
			e.At = clock.FromMillis(at)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	return out, nil
}

// changeDetail is what order_changes.detail holds.
type changeDetail struct {
	Lines    []ChangeLine `json:"lines"`
	ClawBack int64        `json:"claw_back_fen,omitempty"`
	Notes    []string     `json:"notes,omitempty"`
	Added    []ChangeItem `json:"added,omitempty"`
	DueFen   int64        `json:"due_fen,omitempty"`
}

func insertChange(ctx context.Context, tx *sql.Tx, tenantID, orderID string, c Change) error {
	detail, err := json.Marshal(changeDetail{Lines: c.Lines, ClawBack: c.ClawBack, Notes: c.Notes, Added: c.Added, DueFen: c.DueFen})
	if err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO order_changes (id, tenant_id, order_id, version, kind, reference, reason, detail, refund_fen, actor_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, c.ID, tenantID, orderID, c.Version, c.Kind, c.Reference, c.Reason, string(detail),
		c.RefundFen, c.Actor, clock.Millis(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert change: %w", err)
	}
	return nil
}

func readChanges(ctx context.Context, q db.Querier, tenantID, orderID, reference string) ([]Change, error) {
	query := `SELECT id, version, kind, reference, reason, detail, refund_fen, actor_id, created_at FROM order_changes WHERE tenant_id = $1 AND order_id = $2`
	args := []any{tenantID, orderID}
	if reference != "" {
		query += ` AND reference = $3`
		args = append(args, reference)
	}
	var out []Change
	err := db.EachRow(ctx, q, query+` ORDER BY version`, args, func(rows *sql.Rows) error {
		var c Change
		var detail string
		var at int64
		if err := rows.Scan(&c.ID, &c.Version, &c.Kind, &c.Reference, &c.Reason, &detail, &c.RefundFen, &c.Actor, &at); err != nil {
			return err
		}
		var d changeDetail
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			return fmt.Errorf("decode change %s: %w", c.ID, err)
		}
		c.Lines, c.ClawBack, c.Notes, c.CreatedAt = d.Lines, d.ClawBack, d.Notes, clock.FromMillis(at)
		c.Added, c.DueFen = d.Added, d.DueFen
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	return out, nil
}

func readExceptions(ctx context.Context, q db.Querier, tenantID, orderID string) ([]Exception, error) {
	var out []Exception
	err := db.EachRow(ctx, q, `SELECT kind, stated_fen, server_fen, detail, created_at FROM order_exceptions WHERE tenant_id = $1 AND order_id = $2 ORDER BY seq`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var e Exception
			var at int64
			err := rows.Scan(&e.Kind, &e.StatedFen, &e.ServerFen, &e.Detail, &at)
			e.CreatedAt = clock.FromMillis(at)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read exceptions: %w", err)
	}
	return out, nil
}

const complaintColumns = `id, order_id, kind, description, status, resolution, due_at, created_at, updated_at`

func insertComplaint(ctx context.Context, tx *sql.Tx, tenantID string, c Complaint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_complaints (tenant_id, `+complaintColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		tenantID, c.ID, c.OrderID, c.Kind, c.Description, c.Status, c.Resolution, clock.Millis(c.DueAt), clock.Millis(c.CreatedAt), clock.Millis(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert complaint: %w", err)
	}
	return nil
}

func scanComplaint(row interface{ Scan(...any) error }) (Complaint, error) {
	var c Complaint
	var due, created, updated int64
	err := row.Scan(&c.ID, &c.OrderID, &c.Kind, &c.Description, &c.Status, &c.Resolution, &due, &created, &updated)
	c.DueAt, c.CreatedAt, c.UpdatedAt = clock.FromMillis(due), clock.FromMillis(created), clock.FromMillis(updated)
	return c, err
}

func getComplaint(ctx context.Context, q db.Querier, tenantID, id, lock string) (Complaint, error) {
	c, err := scanComplaint(q.QueryRowContext(ctx, `SELECT `+complaintColumns+` FROM order_complaints WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.E(errs.NotFound, "complaint %s not found", id)
	}
	if err != nil {
		return c, fmt.Errorf("read complaint: %w", err)
	}
	return c, nil
}

func updateComplaint(ctx context.Context, tx *sql.Tx, tenantID string, c Complaint) error {
	_, err := tx.ExecContext(ctx, `UPDATE order_complaints SET status = $1, resolution = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5`,
		c.Status, c.Resolution, clock.Millis(c.UpdatedAt), tenantID, c.ID)
	if err != nil {
		return fmt.Errorf("update complaint: %w", err)
	}
	return nil
}

func readComplaints(ctx context.Context, q db.Querier, tenantID, orderID string) ([]Complaint, error) {
	var out []Complaint
	err := db.EachRow(ctx, q, `SELECT `+complaintColumns+` FROM order_complaints WHERE tenant_id = $1 AND order_id = $2 ORDER BY created_at, id`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			c, err := scanComplaint(rows)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read complaints: %w", err)
	}
	return out, nil
}
