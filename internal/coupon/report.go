package coupon

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// FunnelFilter selects the coupons issued at or after From and before To.
type FunnelFilter struct {
	From, To time.Time
}

// Funnel is the coupon funnel of a period: what became of the coupons issued in it,
// as of At, by template.
type Funnel struct {
	At, From, To time.Time
	Total        FunnelCounts
	Templates    []TemplateFunnel
}

// FunnelCounts is where a set of coupons stands as of the report: every issued
// coupon is in exactly one of Unused, Locked, Redeemed and Expired (their state at
// the moment, as Coupon.State reads it, whether or not the sweep has run).
// RedemptionRateBP is Redeemed / Issued in basis points, rounded half up.
type FunnelCounts struct {
	Issued, Unused, Locked, Redeemed, Expired int64
	RedemptionRateBP                          int64
}

// TemplateFunnel is one template's funnel, and its locked and redeemed coupons by
// the channel of their order (only a locked or redeemed coupon has one; Channel ""
// is a lock to a cart or an order the order center does not know).
type TemplateFunnel struct {
	TemplateID, TemplateCode, TemplateName string
	FunnelCounts
	Channels []ChannelFunnel
}

// ChannelFunnel is a template's locked and redeemed coupons of one channel.
type ChannelFunnel struct {
	Channel          string
	Locked, Redeemed int64
}

// maxFunnelRange bounds a report's period.
const maxFunnelRange = 3 * 366 * 24 * time.Hour

// FindFunnel returns the coupon funnel (issued, locked, redeemed, expired, redemption
// rate) by template and channel of the coupons issued in the period — a tenant-wide
// figure, for callers reading the whole tenant. Errors: invalid (query.to),
// unauthorized, forbidden.
func (s *Service) FindFunnel(ctx context.Context, f FunnelFilter) (Funnel, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyRead, "the coupon funnel")
	if err != nil {
		return Funnel{}, err
	}
	switch {
	case f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From):
		return Funnel{}, errs.Field("query.to", "give from and to, to after from")
	case f.To.Sub(f.From) > maxFunnelRange:
		return Funnel{}, errs.Field("query.to", "at most three years after from")
	}
	now := s.now()
	out := Funnel{At: now, From: f.From, To: f.To, Templates: []TemplateFunnel{}}
	byID := map[string]int{}
	// State as Coupon.State reads it; the channel only for a coupon held by an order.
	err = db.EachRow(ctx, s.db.Reader(), `SELECT c.template_id, t.code, t.name,
		CASE WHEN c.status = 'locked' AND c.locked_until > $4 THEN 'locked'
			WHEN c.status IN ('redeemed', 'expired') THEN c.status
			WHEN c.expires_at <= $4 THEN 'expired'
			ELSE 'issued' END,
		COALESCE(o.channel, ''), COUNT(*)
		FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
		LEFT JOIN orders o ON o.tenant_id = c.tenant_id AND o.id = c.order_id
			AND (c.status = 'redeemed' OR (c.status = 'locked' AND c.locked_until > $4))
		WHERE c.tenant_id = $1 AND c.issued_at >= $2 AND c.issued_at < $3
		GROUP BY c.template_id, t.code, t.name, 4, 5 ORDER BY t.code, 4, 5`,
		[]any{p.TenantID, millis(f.From), millis(f.To), millis(now)}, func(rows *sql.Rows) error {
			var id, code, name, channel string
			var st Status
			var n int64
			if err := rows.Scan(&id, &code, &name, &st, &channel, &n); err != nil {
				return err
			}
			i, ok := byID[id]
			if !ok {
				i = len(out.Templates)
				byID[id] = i
				out.Templates = append(out.Templates, TemplateFunnel{TemplateID: id, TemplateCode: code, TemplateName: name, Channels: []ChannelFunnel{}})
			}
			tf := &out.Templates[i]
			tf.add(st, n)
			out.Total.add(st, n)
			if st == StatusLocked || st == StatusRedeemed {
				tf.addChannel(channel, st, n)
			}
			return nil
		})
	if err != nil {
		return Funnel{}, fmt.Errorf("coupon: funnel: %w", err)
	}
	out.Total.rate()
	for i := range out.Templates {
		out.Templates[i].rate()
		slices.SortFunc(out.Templates[i].Channels, func(a, b ChannelFunnel) int { return strings.Compare(a.Channel, b.Channel) })
	}
	return out, nil
}

func (c *FunnelCounts) add(st Status, n int64) {
	c.Issued += n
	switch st {
	case StatusLocked:
		c.Locked += n
	case StatusRedeemed:
		c.Redeemed += n
	case StatusExpired:
		c.Expired += n
	default:
		c.Unused += n
	}
}

func (c *FunnelCounts) rate() {
	if c.Issued > 0 {
		c.RedemptionRateBP = (c.Redeemed*20000 + c.Issued) / (2 * c.Issued)
	}
}

func (t *TemplateFunnel) addChannel(channel string, st Status, n int64) {
	var cf *ChannelFunnel
	for i := range t.Channels {
		if t.Channels[i].Channel == channel {
			cf = &t.Channels[i]
		}
	}
	if cf == nil {
		t.Channels = append(t.Channels, ChannelFunnel{Channel: channel})
		cf = &t.Channels[len(t.Channels)-1]
	}
	if st == StatusLocked {
		cf.Locked += n
	} else {
		cf.Redeemed += n
	}
}
