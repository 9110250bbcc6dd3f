package promotion

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// CalendarWindow is a span [start, end) when a promotion runs.
type CalendarWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// PromotionCalendarItem is a promotion and its windows within the range.
type PromotionCalendarItem struct {
	PromotionID   string           `json:"promotion_id"`
	Code          string           `json:"code"`
	Name          string           `json:"name"`
	Type          string           `json:"type" doc:"The promotion kind."`
	Status        string           `json:"status" enum:"draft,active,paused,ended"`
	Priority      int              `json:"priority"`
	StackingGroup string           `json:"stacking_group"`
	Windows       []CalendarWindow `json:"windows" nullable:"false"`
}

// PromotionCalendar lists the promotions running within a range.
type PromotionCalendar struct {
	Items []PromotionCalendarItem `json:"items" nullable:"false"`
}

type promotionCalendarInput struct {
	From     time.Time `query:"from" required:"true" doc:"Start of the range (RFC 3339), inclusive."`
	To       time.Time `query:"to" required:"true" doc:"End of the range (RFC 3339), exclusive; at most 93 days after from."`
	Status   string    `query:"status" enum:"draft,active,paused,ended," doc:"Default: every status but ended."`
	StoreID  string    `query:"store_id" maxLength:"64"`
	Channel  string    `query:"channel" maxLength:"64"`
	TimeZone string    `query:"time_zone" maxLength:"64" doc:"IANA time zone for weekly and daily windows; default: the time zone of store_id, else the tenant's (pricing settings, default Asia/Shanghai)."`
}

func calendarResponse(items []CalendarItem) PromotionCalendar {
	out := PromotionCalendar{Items: make([]PromotionCalendarItem, len(items))}
	for i, it := range items {
		p := it.Promotion
		ws := make([]CalendarWindow, len(it.Windows))
		for j, w := range it.Windows {
			ws[j] = CalendarWindow{Start: w.Start, End: w.End}
		}
		out.Items[i] = PromotionCalendarItem{PromotionID: p.ID, Code: p.Code, Name: p.Name, Type: string(p.Definition.Kind),
			Status: string(p.Status), Priority: p.Definition.Priority, StackingGroup: p.Definition.Group, Windows: ws}
	}
	return out
}

func (s *Service) registerCalendar(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "promotion-calendar", Method: http.MethodGet, Path: "/api/v1/promotions/calendar",
		Summary: "Promotion calendar",
		Description: "The promotions that run within [from, to) (at most 93 days) with their windows: recurring member days and " +
			"happy hours expanded in the store time zone, plain windows clipped to the range.",
		Tags: []string{"Promotions"}, Security: httpapi.Secured(auth.PromotionsRead),
	}, func(ctx context.Context, in *promotionCalendarInput) (*httpapi.Body[PromotionCalendar], error) {
		f := CalendarFilter{From: in.From, To: in.To, Status: Status(in.Status), StoreID: in.StoreID, Channel: in.Channel}
		if in.TimeZone != "" {
			loc, err := s.location(in.TimeZone)
			if err != nil {
				return nil, httpapi.Problem(errs.Field("query.time_zone", "unknown time zone %q", in.TimeZone))
			}
			f.Location = loc
		}
		return httpapi.Reply(calendarResponse)(s.PromotionCalendar(ctx, f))
	})
}
