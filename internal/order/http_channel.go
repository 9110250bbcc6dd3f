package order

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/order/channel"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// PlatformAppResponse is a registered delivery platform app (its secret is never returned).
type PlatformAppResponse struct {
	Platform    string    `json:"platform" enum:"meituan,eleme"`
	AppID       string    `json:"app_id"`
	NewOrderURL string    `json:"new_order_url,omitempty"`
	CancelURL   string    `json:"cancel_url,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func platformApp(a PlatformApp) PlatformAppResponse {
	return PlatformAppResponse{Platform: string(a.Platform), AppID: a.AppID, NewOrderURL: a.NewOrderURL, CancelURL: a.CancelURL, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// PlatformAppRequest registers a delivery platform app.
type PlatformAppRequest struct {
	Secret      string `json:"secret" minLength:"1" maxLength:"200" doc:"The app secret the platform signs pushes with; stored sealed, never returned."`
	NewOrderURL string `json:"new_order_url,omitempty" maxLength:"500" doc:"Meituan: the new-order callback URL exactly as registered with the platform (its signature covers it)."`
	CancelURL   string `json:"cancel_url,omitempty" maxLength:"500" doc:"Meituan: the cancellation callback URL as registered."`
}

// InboxEntryResponse is a notification a platform pushed.
type InboxEntryResponse struct {
	ID         string    `json:"id"`
	Platform   string    `json:"platform"`
	ReplayKey  string    `json:"replay_key,omitempty"`
	Status     string    `json:"status" enum:"accepted,refused"`
	Reason     string    `json:"reason,omitempty"`
	OrderID    string    `json:"order_id,omitempty"`
	Payload    string    `json:"payload,omitempty" doc:"The refused notification as received; only for customers:pii (it holds the receiver)."`
	ReceivedAt time.Time `json:"received_at"`
}

func inboxEntry(e InboxEntry) InboxEntryResponse {
	return InboxEntryResponse{ID: e.ID, Platform: string(e.Platform), ReplayKey: e.ReplayKey, Status: e.Status, Reason: e.Reason,
		OrderID: e.OrderID, Payload: e.Payload, ReceivedAt: e.ReceivedAt}
}

// NotificationAck answers a platform that its push was imported.
type NotificationAck struct {
	Data    string `json:"data" doc:"ok"`
	OrderID string `json:"order_id"`
}

type platformAppInput struct {
	Platform string `path:"platform" enum:"meituan,eleme"`
	AppID    string `path:"app_id" maxLength:"64"`
	Body     PlatformAppRequest
}

type meituanInput struct {
	AppID   string `path:"app_id" maxLength:"64"`
	Event   string `path:"event" enum:"new,cancelled"`
	RawBody []byte `contentType:"application/x-www-form-urlencoded"`
}

type elemeInput struct {
	AppID   string `path:"app_id" maxLength:"64"`
	RawBody []byte `contentType:"application/octet-stream" doc:"The JSON push exactly as the platform sends it (any content type): its signature covers the bytes."`
}

type inboxInput struct {
	Status string `query:"status" enum:"accepted,refused,"`
	httpapi.PageParams
}

func (s *Service) registerChannels(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "save-order-channel-app", Method: http.MethodPut, Path: "/api/v1/order-channel-apps/{platform}/{app_id}",
		Summary: "Register a delivery platform app", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersWrite),
		Description: "The app's pushes are then accepted at /api/v1/channel-notifications/{platform}/{app_id}. Needs orders:write over the whole tenant.",
	}, func(ctx context.Context, in *platformAppInput) (*httpapi.Body[PlatformAppResponse], error) {
		return httpapi.Reply(platformApp)(s.SavePlatformApp(ctx, PlatformApp{Platform: channel.Platform(in.Platform), AppID: in.AppID,
			Secret: in.Body.Secret, NewOrderURL: in.Body.NewOrderURL, CancelURL: in.Body.CancelURL}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-order-channel-apps", Method: http.MethodGet, Path: "/api/v1/order-channel-apps",
		Summary: "List delivery platform apps", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[[]PlatformAppResponse], error) {
		return httpapi.Reply(func(apps []PlatformApp) []PlatformAppResponse {
			out := make([]PlatformAppResponse, len(apps))
			for i, a := range apps {
				out[i] = platformApp(a)
			}
			return out
		})(s.FindPlatformApps(ctx))
	})
	huma.Register(api, huma.Operation{
		OperationID: "receive-meituan-notification", Method: http.MethodPost, Path: "/api/v1/channel-notifications/meituan/{app_id}/{event}",
		Summary: "Meituan-style order push", Tags: []string{orderTag},
		Description: "Public: authenticated by the push's signature with the app's secret and a timestamp within 5 minutes. A new order is " +
			"recorded as a delivery sale at the store whose code is app_poi_code; a cancellation cancels it. Refused pushes (401 signature " +
			"or stale, 422 malformed or unknown store/SKU, 409 replayed) are kept in the inbox for inspection; nothing is half-imported.",
	}, func(ctx context.Context, in *meituanInput) (*httpapi.Body[NotificationAck], error) {
		return ack(s.ReceiveNotification(ctx, channel.Meituan, in.AppID, channel.Notification{Event: channel.Event(in.Event), Body: in.RawBody}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "receive-eleme-notification", Method: http.MethodPost, Path: "/api/v1/channel-notifications/eleme/{app_id}",
		Summary: "Eleme-style order push", Tags: []string{orderTag},
		Description: "Public: authenticated by the push's signature with the app's secret and a timestamp within 5 minutes; the body's type says " +
			"new order or cancellation. Refusals as for the Meituan push.",
	}, func(ctx context.Context, in *elemeInput) (*httpapi.Body[NotificationAck], error) {
		return ack(s.ReceiveNotification(ctx, channel.Eleme, in.AppID, channel.Notification{Body: in.RawBody}))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-order-inbox", Method: http.MethodGet, Path: "/api/v1/order-inbox",
		Summary: "Notifications received from delivery platforms", Tags: []string{orderTag}, Security: httpapi.Secured(auth.OrdersRead),
		Description: "Newest first, accepted and refused with the reason; a refused payload is shown to customers:pii only. Needs orders:read over the whole tenant.",
	}, func(ctx context.Context, in *inboxInput) (*httpapi.Body[httpapi.Page[InboxEntryResponse]], error) {
		return httpapi.ReplyPage(inboxEntry)(s.FindInbox(ctx, InboxFilter{Status: in.Status, PageParams: in.PageParams}))
	})
}

func ack(e InboxEntry, err error) (*httpapi.Body[NotificationAck], error) {
	if err != nil {
		return nil, problem(err)
	}
	return &httpapi.Body[NotificationAck]{Body: NotificationAck{Data: "ok", OrderID: e.OrderID}}, nil
}
