package order

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// LocationFulfilmentSettings is how a stock location takes online orders.
type LocationFulfilmentSettings struct {
	OrdersPerHour   *int     `json:"orders_per_hour,omitempty" minimum:"0" maximum:"100000" doc:"The most online orders routed here in any rolling hour; absent: no cap. When reached, routing sends the next order to the next-best location (at_capacity)."`
	CutOff          string   `json:"cut_off,omitempty" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$|^$" example:"21:00" doc:"Local time after which an order is promised from the next opening (past_cut_off); absent: none."`
	RadiusKm        *float64 `json:"radius_km,omitempty" exclusiveMinimum:"0" maximum:"20000" doc:"Delivery radius; absent: the default of the location's kind (store 3 km, front warehouse 10 km, warehouse unlimited)."`
	CostPerOrderFen int64    `json:"cost_per_order_fen" required:"false" minimum:"0" doc:"What a shipment from here costs (fen); routing prefers the cheaper of otherwise equal locations."`
	CostPerKmFen    int64    `json:"cost_per_km_fen" required:"false" minimum:"0" doc:"Cost per km of delivery distance (fen)."`
}

// LocationFulfilmentResponse is a location's settings and its current load.
type LocationFulfilmentResponse struct {
	LocationFulfilmentSettings
	LoadLastHour int        `json:"load_last_hour" doc:"Online orders routed here in the last hour and not cancelled: what orders_per_hour counts."`
	UpdatedAt    *time.Time `json:"updated_at,omitempty" doc:"Absent while the location has the defaults."`
}

func locationFulfilmentResponse(f LocationFulfilment) LocationFulfilmentResponse {
	out := LocationFulfilmentResponse{LocationFulfilmentSettings: LocationFulfilmentSettings{OrdersPerHour: f.OrdersPerHour, CutOff: f.CutOff,
		RadiusKm: f.RadiusKm, CostPerOrderFen: f.CostPerOrderFen, CostPerKmFen: f.CostPerKmFen}, LoadLastHour: f.Load}
	if !f.UpdatedAt.IsZero() {
		at := f.UpdatedAt
		out.UpdatedAt = &at
	}
	return out
}

type fulfilmentPath struct {
	ID string `path:"id" maxLength:"64"`
}

type fulfilmentInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body LocationFulfilmentSettings
}

func (s *Service) registerFulfilment(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-location-fulfilment", Method: http.MethodGet, Path: "/api/v1/stock-locations/{id}/fulfilment",
		Summary: "Get a location's fulfilment settings", Tags: []string{"Inventory"}, Security: httpapi.Secured(auth.InventoryRead),
		Description: "Order capacity per hour, cut-off, delivery radius and costs that routing applies to the location (docs/routing.md), " +
			"and the orders counted against the capacity now. A store principal reads its stores' locations.",
	}, func(ctx context.Context, in *fulfilmentPath) (*httpapi.Body[LocationFulfilmentResponse], error) {
		return httpapi.Reply(locationFulfilmentResponse)(s.FindLocationFulfilment(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "put-location-fulfilment", Method: http.MethodPut, Path: "/api/v1/stock-locations/{id}/fulfilment",
		Summary: "Set a location's fulfilment settings", Tags: []string{"Inventory"}, Security: httpapi.Secured(auth.InventoryWrite),
		Description: "Replaces the settings; routing uses them from the next order on. A store manager sets their store's location.",
	}, func(ctx context.Context, in *fulfilmentInput) (*httpapi.Body[LocationFulfilmentResponse], error) {
		b := in.Body
		return httpapi.Reply(locationFulfilmentResponse)(s.UpdateLocationFulfilment(ctx, LocationFulfilment{LocationID: in.ID,
			OrdersPerHour: b.OrdersPerHour, CutOff: b.CutOff, RadiusKm: b.RadiusKm, CostPerOrderFen: b.CostPerOrderFen, CostPerKmFen: b.CostPerKmFen}))
	})
}
