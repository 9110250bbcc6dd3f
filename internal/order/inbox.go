package order

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// PlatformApp is a delivery platform's app a tenant registered: its id and secret at
// the platform and, for Meituan, the callback URLs its signatures cover.
type PlatformApp struct {
	Platform    channel.Platform
	AppID       string
	Secret      string // write-only: never returned
	NewOrderURL string
	CancelURL   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Sealing context of a channel app's secret and of a refused notification's payload.
const (
	sealAppSecret = "order_channel_apps.secret"
	sealInbox     = "order_inbox.payload"
)

// SavePlatformApp registers (or replaces) a delivery platform app of the caller's
// tenant; the adapter is built from it to check it works (URLs, secret). Errors:
// invalid (body.*), conflict (the app id is another tenant's), unauthorized,
// forbidden (needs orders:write over the whole tenant).
func (s *Service) SavePlatformApp(ctx context.Context, a PlatformApp) (PlatformApp, error) {
	p, err := auth.RequireTenantWide(ctx, auth.OrdersWrite, "registering a delivery platform app")
	if err != nil {
		return PlatformApp{}, err
	}
	if _, err := s.adapter(a); err != nil {
		return PlatformApp{}, errs.Field("body", "%s", strings.TrimPrefix(err.Error(), "channel: "))
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt = now, now
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT tenant_id FROM order_channel_apps WHERE platform = $1 AND app_id = $2`, a.Platform, a.AppID).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read channel app: %w", err)
		case owner != p.TenantID:
			return errs.E(errs.Conflict, "app %s of %s is registered by another tenant", a.AppID, a.Platform)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM order_channel_apps WHERE platform = $1 AND app_id = $2`, a.Platform, a.AppID); err != nil {
			return fmt.Errorf("replace channel app: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO order_channel_apps (platform, app_id, tenant_id, secret_sealed, new_order_url, cancel_url, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, a.Platform, a.AppID, p.TenantID, s.keys.Seal(a.Secret, sealAppSecret), a.NewOrderURL, a.CancelURL, clock.Millis(now))
		if err != nil {
			return fmt.Errorf("store channel app: %w", err)
		}
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "order_channel_app.save", ResourceType: "order_channel_app",
			ResourceID: string(a.Platform) + ":" + a.AppID, Changes: map[string]string{"platform": string(a.Platform), "app_id": a.AppID}})
	})
	if err != nil {
		return PlatformApp{}, fmt.Errorf("order: save channel app: %w", err)
	}
	a.Secret = ""
	return a, nil
}

// FindPlatformApps lists the tenant's delivery platform apps, without secrets.
// Errors: unauthorized, forbidden.
func (s *Service) FindPlatformApps(ctx context.Context) ([]PlatformApp, error) {
	p, err := auth.Require(ctx, auth.OrdersRead)
	if err != nil {
		return nil, err
	}
	out := []PlatformApp{}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT platform, app_id, new_order_url, cancel_url, created_at, updated_at FROM order_channel_apps
		WHERE tenant_id = $1 ORDER BY platform, app_id`, []any{p.TenantID}, func(rows *sql.Rows) error {
		var a PlatformApp
		var created, updated int64
		err := rows.Scan(&a.Platform, &a.AppID, &a.NewOrderURL, &a.CancelURL, &created, &updated)
		a.CreatedAt, a.UpdatedAt = clock.FromMillis(created), clock.FromMillis(updated)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("order: find channel apps: %w", err)
	}
	return out, nil
}

// adapter builds the platform adapter of an app.
func (s *Service) adapter(a PlatformApp) (channel.Adapter, error) {
	switch a.Platform {
	case channel.Meituan:
		return channel.NewMeituanAdapter(channel.MeituanConfig{AppID: a.AppID, Secret: a.Secret, NewOrderURL: a.NewOrderURL, CancelURL: a.CancelURL}, s.clock)
	case channel.Eleme:
		return channel.NewElemeAdapter(channel.ElemeConfig{AppID: a.AppID, Secret: a.Secret}, s.clock)
	}
	return nil, fmt.Errorf("channel: unknown platform %q", a.Platform)
}

// InboxEntry is one notification a platform pushed: accepted, with the order it
// made or changed, or refused, with the reason and (for customers:pii) the payload.
type InboxEntry struct {
	ID         string
	Platform   channel.Platform
	ReplayKey  string
	Status     string // accepted or refused
	Reason     string
	OrderID    string
	Payload    string // opened for customers:pii only
	ReceivedAt time.Time
}

// ReceiveNotification handles a push of platform for its app appID: it checks the
// signature and timestamp, imports a new order as a recorded sale (at the store with
// the platform's store code, SKUs by code, the buyer by their platform user id) or
// cancels one, and keeps every notification in the tenant's inbox — a refused one
// with its reason and its payload sealed, for inspection; nothing is half-imported.
// It authenticates by signature, not by a principal. Errors: unauthorized (unknown
// app, signature, stale), invalid (malformed, unsupported, unknown store or SKU),
// conflict (a replayed notification; a cancel of an order that left).
func (s *Service) ReceiveNotification(ctx context.Context, platform channel.Platform, appID string, n channel.Notification) (InboxEntry, error) {
	app, tenantID, err := s.channelApp(ctx, platform, appID)
	if err != nil {
		return InboxEntry{}, err
	}
	system := auth.WithPrincipal(ctx, auth.System(tenantID))
	entry := InboxEntry{ID: ids.New(), Platform: platform, Status: "refused", ReceivedAt: s.now()}
	refuse := func(reason string, cause error) (InboxEntry, error) {
		entry.Reason = reason + ": " + errMessage(cause)
		entry.Payload = s.keys.Seal(n.Query+"\n"+string(n.Body), sealInbox)
		if err := s.storeInbox(ctx, tenantID, entry); err != nil {
			return InboxEntry{}, fmt.Errorf("order: receive notification: %w", err)
		}
		entry.Payload = ""
		return entry, cause
	}
	ad, err := s.adapter(app)
	if err != nil {
		return InboxEntry{}, fmt.Errorf("order: receive notification: %w", err)
	}
	d, err := ad.Decode(n)
	if err != nil {
		return refuse(string(channel.ReasonOf(err)), err)
	}
	entry.ReplayKey = d.ReplayKey
	if prior, err := s.acceptedEntry(ctx, tenantID, platform, d.ReplayKey); err == nil {
		return refuse("replayed", errs.E(errs.Conflict, "this %s notification was imported at %s as order %s", d.ReplayKey, prior.ReceivedAt.Format(time.RFC3339), prior.OrderID))
	}
	var o Order
	switch d.Order.Event {
	case channel.EventNew:
		t, err := s.ticketOf(system, d.Order)
		if err != nil {
			return refuse("unknown_reference", err)
		}
		if o, err = s.RecordTicket(system, t); err != nil {
			return refuse("refused_by_order_center", err)
		}
	case channel.EventCancelled:
		id, err := orderIDByRef(ctx, s.db.Reader(), tenantID, Channel(platform), d.Order.PlatformOrderID)
		if err != nil {
			return refuse("unknown_reference", err)
		}
		reason := d.Order.CancelReason
		if strings.TrimSpace(reason) == "" {
			reason = "cancelled on " + string(platform)
		}
		if o, err = s.Cancel(system, id, reason); err != nil {
			return refuse("refused_by_order_center", err)
		}
	}
	entry.Status, entry.OrderID = "accepted", o.ID
	if err := s.storeInbox(ctx, tenantID, entry); db.IsUniqueViolation(err) {
		return refuse("replayed", errs.E(errs.Conflict, "this %s notification was imported concurrently", d.ReplayKey))
	} else if err != nil {
		return InboxEntry{}, fmt.Errorf("order: receive notification: %w", err)
	}
	return entry, nil
}

// errMessage is an error's message without its chain's prefixes.
func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}

// channelApp reads the app a notification names, with its secret opened.
func (s *Service) channelApp(ctx context.Context, platform channel.Platform, appID string) (PlatformApp, string, error) {
	a := PlatformApp{Platform: platform, AppID: appID}
	var tenantID, sealed string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT tenant_id, secret_sealed, new_order_url, cancel_url FROM order_channel_apps WHERE platform = $1 AND app_id = $2`,
		platform, appID).Scan(&tenantID, &sealed, &a.NewOrderURL, &a.CancelURL)
	if errors.Is(err, sql.ErrNoRows) {
		return a, "", errs.E(errs.Unauthorized, "unknown %s app", platform)
	}
	if err != nil {
		return a, "", fmt.Errorf("order: read channel app: %w", err)
	}
	if a.Secret, err = s.keys.Open(sealed, sealAppSecret); err != nil {
		return a, "", fmt.Errorf("order: open channel app secret: %w", err)
	}
	return a, tenantID, nil
}

// ticketOf turns a platform's new order into a recorded sale of the tenant.
func (s *Service) ticketOf(ctx context.Context, o channel.Order) (Ticket, error) {
	storeID, err := s.deps.Stores.StoreIDByCode(ctx, o.StoreCode)
	if err != nil {
		return Ticket{}, errs.Field("store_code", "no store with code %q", o.StoreCode)
	}
	codes := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		codes[i] = cmp.Or(l.SKU, l.Barcode, l.ItemCode) // the merchant's code, else the barcode, else the platform's item code
	}
	byCode, err := s.deps.Catalog.SKUIDsByCode(ctx, codes)
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{Channel: Channel(o.Platform), ExternalRef: o.PlatformOrderID, StoreID: storeID, PlacedAt: o.CreatedAt, Fulfilment: FulfilDelivery,
		StatedPayableFen: o.GoodsFen - o.DiscountFen,
		Receiver:         &Receiver{Name: o.Receiver.Name, Phone: o.Receiver.Phone, Address: o.Receiver.Address, Lat: o.Receiver.Lat, Lng: o.Receiver.Lng}}
	if o.BuyerID != "" {
		t.Buyer = []BuyerIdentifier{{Type: "delivery_user_id", Value: o.BuyerID}}
	}
	for i, l := range o.Lines {
		id, ok := byCode[codes[i]]
		if !ok {
			return Ticket{}, errs.Field(fmt.Sprintf("lines[%d].sku", i), "no SKU with code or barcode %q", codes[i])
		}
		t.Lines = append(t.Lines, NewLine{SKUID: id, Qty: l.Qty})
	}
	if o.Paid {
		t.Payments = []PaymentRequest{{Method: string(o.Platform), AmountFen: o.PayableFen - o.DeliveryFeeFen - o.PackageFeeFen}}
	}
	return t, nil
}

func (s *Service) storeInbox(ctx context.Context, tenantID string, e InboxEntry) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO order_inbox (id, tenant_id, platform, replay_key, status, reason, order_id, payload, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, tenantID, e.Platform, e.ReplayKey, e.Status, e.Reason, e.OrderID, e.Payload, clock.Millis(e.ReceivedAt))
	if err != nil {
		return fmt.Errorf("store notification: %w", err)
	}
	return nil
}

func (s *Service) acceptedEntry(ctx context.Context, tenantID string, platform channel.Platform, replayKey string) (InboxEntry, error) {
	e := InboxEntry{Platform: platform, ReplayKey: replayKey, Status: "accepted"}
	var at int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, order_id, received_at FROM order_inbox WHERE tenant_id = $1 AND platform = $2 AND replay_key = $3 AND status = 'accepted'`,
		tenantID, platform, replayKey).Scan(&e.ID, &e.OrderID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return e, errs.E(errs.NotFound, "not imported")
	}
	e.ReceivedAt = clock.FromMillis(at)
	return e, err
}

// InboxFilter selects notifications, newest first.
type InboxFilter struct {
	Status string // accepted, refused, or "" for both
	httpapi.PageParams
}

// FindInbox returns a page of the tenant's received notifications, newest first;
// payloads (personal data: receivers) are opened for customers:pii only. Errors:
// invalid (query.cursor), unauthorized, forbidden (orders:read over the whole tenant).
func (s *Service) FindInbox(ctx context.Context, f InboxFilter) (httpapi.Page[InboxEntry], error) {
	p, err := auth.RequireTenantWide(ctx, auth.OrdersRead, "reading the channel inbox")
	if err != nil {
		return httpapi.Page[InboxEntry]{}, err
	}
	return httpapi.FindPage(f.Cursor, f.Limit, 50, func(after string, n int) ([]InboxEntry, error) {
		args := []any{p.TenantID}
		query := `SELECT id, platform, replay_key, status, reason, order_id, payload, received_at FROM order_inbox WHERE tenant_id = $1`
		if f.Status != "" {
			args = append(args, f.Status)
			query += fmt.Sprintf(` AND status = $%d`, len(args))
		}
		if after != "" {
			args = append(args, after)
			query += fmt.Sprintf(` AND id < $%d`, len(args))
		}
		args = append(args, n)
		query += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
		var out []InboxEntry
		err := db.EachRow(ctx, s.db.Reader(), query, args, func(rows *sql.Rows) error {
			var e InboxEntry
			var at int64
			if err := rows.Scan(&e.ID, &e.Platform, &e.ReplayKey, &e.Status, &e.Reason, &e.OrderID, &e.Payload, &at); err != nil {
				return err
			}
			e.ReceivedAt = clock.FromMillis(at)
			if e.Payload != "" && p.Has(auth.CustomersPII) {
				plain, err := s.keys.Open(e.Payload, sealInbox)
				if err != nil {
					return fmt.Errorf("open payload: %w", err)
				}
				e.Payload = plain
			} else {
				e.Payload = ""
			}
			out = append(out, e)
			return nil
		})
		return out, err
	}, func(e InboxEntry) string { return e.ID })
}
