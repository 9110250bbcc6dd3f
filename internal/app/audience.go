package app

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/audience"
	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// audienceFacts gathers what the audience index knows of customers from the domains
// that own it: profiles and consents from One ID (which opens the sealed birthday),
// completed orders with their lines' categories from the order center and the
// catalogue, tiers from loyalty, and customer events. The order, catalogue and
// loyalty parts are bulk reads of their tables: one query each for a whole tenant,
// where a call per customer would cost millions of round trips (decision 0036).
type audienceFacts struct {
	db       *db.DB
	identity *identity.Service
}

var (
	_ audience.Facts       = audienceFacts{}
	_ audience.Identifiers = (*identity.Service)(nil)
	_ audience.Coupons     = audienceCoupons{}
)

// audienceCoupons issues coupons to a segment's members through the coupon service.
type audienceCoupons struct{ coupons *coupon.Service }

// IssueToCustomers implements audience.Coupons.
func (c audienceCoupons) IssueToCustomers(ctx context.Context, templateID, key string, customerIDs []string) (audience.CouponIssue, error) {
	iss, err := c.coupons.Issue(ctx, templateID, coupon.IssueRequest{Key: key, CustomerIDs: customerIDs})
	if err != nil {
		return audience.CouponIssue{}, err
	}
	return audience.CouponIssue{ID: iss.ID, Total: iss.Total, Issued: iss.Issued, Skipped: iss.Skipped, Status: string(iss.Status)}, nil
}

// maxFactIDs bounds the ids of one incremental read (an IN list).
const maxFactIDs = 500

// Members implements audience.Facts.
func (f audienceFacts) Members(ctx context.Context, tenantID string, ids []string, since time.Time, fn func(audience.Member) error) error {
	for len(ids) > maxFactIDs {
		if err := f.members(ctx, tenantID, ids[:maxFactIDs], since, fn); err != nil {
			return err
		}
		ids = ids[maxFactIDs:]
	}
	return f.members(ctx, tenantID, ids, since, fn)
}

func (f audienceFacts) members(ctx context.Context, tenantID string, ids []string, since time.Time, fn func(audience.Member) error) error {
	members := map[string]*audience.Member{}
	err := f.identity.ForEachAudienceProfile(ctx, tenantID, ids, func(p identity.AudienceProfile) error {
		m := &audience.Member{CustomerID: p.CustomerID, Gender: p.Gender, City: p.City, BirthYear: p.BirthYear,
			RegistrationChannel: p.RegistrationChannel, PreferredStoreID: p.PreferredStoreID, Consents: p.Consents}
		if p.RegisteredAt != nil {
			m.RegisteredAt = *p.RegisteredAt
		}
		members[p.CustomerID] = m
		return nil
	})
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	// Orders and events of a customer merged away belong to the customer it went into.
	owner, err := f.owners(ctx, tenantID, members, len(ids) > 0)
	if err != nil {
		return err
	}
	r := factRead{tenantID: tenantID, owner: owner, members: members, since: since}
	if len(ids) > 0 { // an incremental read: only these members' rows
		for id := range owner {
			r.only = append(r.only, id)
		}
	}
	for _, step := range []func(context.Context, factRead) error{f.lifetime, f.orders, f.tiers, f.events} {
		if err := step(ctx, r); err != nil {
			return err
		}
	}
	for _, m := range members {
		if err := fn(*m); err != nil {
			return err
		}
	}
	return nil
}

// factRead is one read of members' facts: the members, who owns which customer id,
// and — for an incremental read — the customer ids to read rows of.
type factRead struct {
	tenantID string
	owner    map[string]string
	members  map[string]*audience.Member
	since    time.Time
	only     []string
}

// filter returns the query's extra condition on col and its arguments: nothing for a
// whole tenant, else col among r.only.
func (r factRead) filter(d db.Dialect, col string, args []any) (string, []any) {
	if len(r.only) == 0 {
		return "", args
	}
	return " AND " + col + db.In(d, &args, r.only), args
}

// owners maps every customer id whose orders count for a member (the member and the
// customers merged into it, through chains of merges) to the member.
func (f audienceFacts) owners(ctx context.Context, tenantID string, members map[string]*audience.Member, incremental bool) (map[string]string, error) {
	owner := make(map[string]string, len(members))
	for id := range members {
		owner[id] = id
	}
	query, args := `SELECT id, merged_into FROM customers WHERE tenant_id = $1 AND merged_into IS NOT NULL`, []any{tenantID}
	if incremental {
		ids := make([]string, 0, len(members))
		for id := range members {
			ids = append(ids, id)
		}
		query += " AND merged_into" + db.In(f.db.Dialect, &args, ids)
	}
	into := map[string]string{}
	err := db.EachRow(ctx, f.db.Reader(), query, args, func(rs *sql.Rows) error {
		var id, to string
		if err := rs.Scan(&id, &to); err != nil {
			return err
		}
		into[id] = to
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("app: audience merges: %w", err)
	}
	for id := range into {
		live := id
		for hops := 0; hops < 64 && into[live] != ""; hops++ {
			live = into[live]
		}
		if _, ok := members[live]; ok {
			owner[id] = live
		}
	}
	return owner, nil
}

func (f audienceFacts) lifetime(ctx context.Context, r factRead) error {
	cond, args := r.filter(f.db.Dialect, "customer_id", []any{r.tenantID})
	err := db.EachRow(ctx, f.db.Reader(), `SELECT customer_id, COUNT(*), SUM(paid_fen - refunded_fen), MIN(placed_at), MAX(placed_at)
		FROM orders WHERE tenant_id = $1 AND status = 'completed' AND customer_id <> ''`+cond+` GROUP BY customer_id`, args,
		func(rs *sql.Rows) error {
			var id string
			var n, spend, first, last int64
			if err := rs.Scan(&id, &n, &spend, &first, &last); err != nil {
				return err
			}
			m := r.members[r.owner[id]]
			if m == nil {
				return nil
			}
			m.LifetimeOrders += n
			m.LifetimeSpendFen += spend
			if t := clock.FromMillis(first); m.FirstOrderAt.IsZero() || t.Before(m.FirstOrderAt) {
				m.FirstOrderAt = t
			}
			if t := clock.FromMillis(last); t.After(m.LastOrderAt) {
				m.LastOrderAt = t
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("app: audience lifetime orders: %w", err)
	}
	return nil
}

// orders reads the completed orders placed since since with the codes of their
// lines' categories and every ancestor category (bought "dairy" covers its yogurts).
func (f audienceFacts) orders(ctx context.Context, r factRead) error {
	chain, err := f.categoryChains(ctx, r.tenantID)
	if err != nil {
		return err
	}
	byOrder := map[string]*audience.OrderFact{}
	orderOwner := map[string]string{}
	cond, args := r.filter(f.db.Dialect, "o.customer_id", []any{r.tenantID, clock.Millis(r.since)})
	err = db.EachRow(ctx, f.db.Reader(), `SELECT o.id, o.customer_id, o.placed_at, o.channel, o.store_id, o.paid_fen - o.refunded_fen,
		COALESCE(p.category_id, '')
		FROM orders o JOIN order_lines l ON l.order_id = o.id LEFT JOIN skus s ON s.id = l.sku_id LEFT JOIN products p ON p.id = s.product_id
		WHERE o.tenant_id = $1 AND o.status = 'completed' AND o.customer_id <> '' AND o.placed_at >= $2`+cond,
		args, func(rs *sql.Rows) error {
			var id, customer, channel, store, category string
			var at, net int64
			if err := rs.Scan(&id, &customer, &at, &channel, &store, &net, &category); err != nil {
				return err
			}
			live := r.owner[customer]
			if live == "" {
				return nil
			}
			o := byOrder[id]
			if o == nil {
				o = &audience.OrderFact{At: clock.FromMillis(at), Channel: channel, StoreID: store, NetFen: net}
				byOrder[id], orderOwner[id] = o, live
			}
			for _, c := range chain(category) {
				if !slices.Contains(o.Categories, c) {
					o.Categories = append(o.Categories, c)
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("app: audience orders: %w", err)
	}
	for id, o := range byOrder {
		m := r.members[orderOwner[id]]
		m.Orders = append(m.Orders, *o)
	}
	return nil
}

// categoryChains returns a function giving a category's code and its ancestors'
// codes (bought "dairy" covers its yogurts).
func (f audienceFacts) categoryChains(ctx context.Context, tenantID string) (func(string) []string, error) {
	type category struct{ parent, code string }
	cats := map[string]category{}
	err := db.EachRow(ctx, f.db.Reader(), `SELECT id, COALESCE(parent_id, ''), code FROM categories WHERE tenant_id = $1`, []any{tenantID},
		func(rs *sql.Rows) error {
			var id string
			var c category
			if err := rs.Scan(&id, &c.parent, &c.code); err != nil {
				return err
			}
			cats[id] = c
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("app: audience categories: %w", err)
	}
	chains := map[string][]string{}
	return func(id string) []string {
		if c, ok := chains[id]; ok {
			return c
		}
		var out []string
		for cur, hops := id, 0; cur != "" && hops < 8; hops++ {
			c, ok := cats[cur]
			if !ok {
				break
			}
			out = append(out, c.code)
			cur = c.parent
		}
		chains[id] = out
		return out
	}, nil
}

func (f audienceFacts) tiers(ctx context.Context, r factRead) error {
	cond, args := r.filter(f.db.Dialect, "m.customer_id", []any{r.tenantID})
	err := db.EachRow(ctx, f.db.Reader(), `SELECT m.customer_id, t.code FROM loyalty_members m JOIN loyalty_tiers t ON t.id = m.tier_id
		WHERE m.tenant_id = $1`+cond, args, func(rs *sql.Rows) error {
		var id, code string
		if err := rs.Scan(&id, &code); err != nil {
			return err
		}
		if m := r.members[r.owner[id]]; m != nil && !slices.Contains(m.Tiers, code) {
			m.Tiers = append(m.Tiers, code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("app: audience tiers: %w", err)
	}
	return nil
}

func (f audienceFacts) events(ctx context.Context, r factRead) error {
	cond, args := r.filter(f.db.Dialect, "customer_id", []any{r.tenantID, clock.Millis(r.since)})
	err := db.EachRow(ctx, f.db.Reader(), `SELECT customer_id, type, occurred_at FROM events
		WHERE tenant_id = $1 AND customer_id IS NOT NULL AND occurred_at >= $2`+cond, args,
		func(rs *sql.Rows) error {
			var id, typ string
			var at int64
			if err := rs.Scan(&id, &typ, &at); err != nil {
				return err
			}
			if m := r.members[r.owner[id]]; m != nil {
				m.Events = append(m.Events, audience.EventFact{At: clock.FromMillis(at), Type: typ})
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("app: audience events: %w", err)
	}
	return nil
}
