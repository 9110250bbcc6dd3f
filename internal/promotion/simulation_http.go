package promotion

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// BasketSetResponse is an imported basket file.
type BasketSetResponse struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Orders       int64      `json:"orders"`
	Lines        int64      `json:"lines"`
	FirstOrderAt *time.Time `json:"first_order_at,omitempty"`
	LastOrderAt  *time.Time `json:"last_order_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// BasketRowError says why one row of a basket file was rejected.
type BasketRowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// BasketSetImportResponse is the imported set and the rows left out.
type BasketSetImportResponse struct {
	BasketSetResponse
	Rejected int              `json:"rejected" doc:"Rows rejected; their orders are left out whole."`
	Errors   []BasketRowError `json:"errors" nullable:"false" doc:"The first 1,000 rejected rows."`
	// Match is how the kept rows matched the catalogue.
	Match BasketMatchResponse `json:"match"`
}

// BasketMatchResponse is how a basket file's kept rows matched the catalogue. A row
// that matches nothing is kept (its price and cost count) but no SKU- or
// category-scoped promotion applies to it.
type BasketMatchResponse struct {
	Checked               bool     `json:"checked" doc:"False when the server matched nothing (no catalogue): sku and category values are taken as ids."`
	UnmatchedSKURows      int      `json:"unmatched_sku_rows" doc:"Rows whose sku matched no SKU id, code or barcode."`
	UnmatchedCategoryRows int      `json:"unmatched_category_rows" doc:"Rows whose category matched no category id or code."`
	UnmatchedSKUs         []string `json:"unmatched_skus" nullable:"false" doc:"The first 20 distinct SKU values that matched nothing."`
	UnmatchedCategories   []string `json:"unmatched_categories" nullable:"false" doc:"The first 20 distinct category values that matched nothing."`
}

// PromotionSimulationRequest asks what a promotion would have cost on a basket set.
type PromotionSimulationRequest struct {
	BasketSetID string         `json:"basket_set_id" minLength:"1" maxLength:"64"`
	From        *time.Time     `json:"from,omitempty" doc:"Only orders at or after this instant."`
	To          *time.Time     `json:"to,omitempty" doc:"Only orders before this instant."`
	PromotionID string         `json:"promotion_id,omitempty" maxLength:"64" doc:"A stored promotion, whatever its status."`
	Definition  map[string]any `json:"definition,omitempty" doc:"A draft definition, the same shape as in create-promotion."`
}

type basketSetCreateInput struct {
	Name    string `query:"name" required:"true" minLength:"1" maxLength:"200"`
	RawBody []byte `contentType:"text/csv"`
}

type basketSetIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type basketSetListInput struct{ httpapi.PageParams }

type simulationCreateInput struct{ Body PromotionSimulationRequest }

func basketSetResponse(b BasketSet) BasketSetResponse {
	return BasketSetResponse{ID: b.ID, Name: b.Name, Orders: b.Orders, Lines: b.Lines, FirstOrderAt: b.FirstOrderAt,
		LastOrderAt: b.LastOrderAt, CreatedAt: b.CreatedAt}
}

func basketImportResponse(r BasketImport) BasketSetImportResponse {
	out := BasketSetImportResponse{BasketSetResponse: basketSetResponse(r.Set), Rejected: r.Rejected, Errors: make([]BasketRowError, len(r.Errors)),
		Match: BasketMatchResponse{Checked: r.Match.Checked, UnmatchedSKURows: r.Match.UnmatchedSKURows,
			UnmatchedCategoryRows: r.Match.UnmatchedCategoryRows, UnmatchedSKUs: append([]string{}, r.Match.UnmatchedSKUs...),
			UnmatchedCategories: append([]string{}, r.Match.UnmatchedCategories...)}}
	for i, e := range r.Errors {
		out.Errors[i] = BasketRowError{Line: e.Line, Field: e.Field, Reason: e.Reason}
	}
	return out
}

func simulationResponse(r SimulationReport) SimulationReport { return r }

func (s *Service) registerSimulation(api huma.API) {
	tags := []string{"Promotions"}
	read, write := httpapi.Secured(auth.PromotionsRead), httpapi.Secured(auth.PromotionsWrite)
	huma.Register(api, huma.Operation{
		OperationID: "create-basket-set", Method: http.MethodPost, Path: "/api/v1/basket-sets",
		Summary: "Import historical baskets from CSV",
		Description: "A UTF-8 CSV of at most 32 MiB, one row per order line. Required columns: order_id, ordered_at (RFC 3339 or " +
			"YYYY-MM-DD HH:MM:SS in Asia/Shanghai), sku_id, quantity, unit_price_fen; optional: store_id, channel, customer_id, " +
			"customer_tier, category_id, brand_id, unit_cost_fen. An order with a rejected row is left out whole; rejected rows " +
			"are listed. A file without a valid order is a 422.",
		Tags: tags, Security: write, DefaultStatus: http.StatusCreated, MaxBodyBytes: MaxBasketBytes,
	}, func(ctx context.Context, in *basketSetCreateInput) (*httpapi.Body[BasketSetImportResponse], error) {
		return httpapi.Reply(basketImportResponse)(s.CreateBasketSet(ctx, in.Name, in.RawBody))
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-basket-sets", Method: http.MethodGet, Path: "/api/v1/basket-sets",
		Summary: "List basket sets", Tags: tags, Security: read,
	}, func(ctx context.Context, in *basketSetListInput) (*httpapi.Body[httpapi.Page[BasketSetResponse]], error) {
		return httpapi.ReplyPage(basketSetResponse)(s.FindBasketSets(ctx, in.Limit, in.Cursor))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-basket-set", Method: http.MethodGet, Path: "/api/v1/basket-sets/{id}",
		Summary: "Get a basket set", Tags: tags, Security: read,
	}, func(ctx context.Context, in *basketSetIDInput) (*httpapi.Body[BasketSetResponse], error) {
		return httpapi.Reply(basketSetResponse)(s.FindBasketSetByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-promotion-simulation", Method: http.MethodPost, Path: "/api/v1/promotion-simulations",
		Summary: "Simulate a promotion on a basket set",
		Description: "Prices every basket with the tenant's other active promotions, then with them and the simulated promotion " +
			"(promotion_id or a draft definition), and reports the difference. The report is stored.",
		Tags: tags, Security: read, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *simulationCreateInput) (*httpapi.Body[SimulationReport], error) {
		req := SimulationRequest{BasketSetID: in.Body.BasketSetID, PromotionID: in.Body.PromotionID}
		if in.Body.From != nil {
			req.From = *in.Body.From
		}
		if in.Body.To != nil {
			req.To = *in.Body.To
		}
		if in.Body.Definition != nil {
			def, err := decodeDefinition("body.definition", in.Body.Definition)
			if err != nil {
				return nil, httpapi.Problem(err)
			}
			req.Definition = &def
		}
		return httpapi.Reply(simulationResponse)(s.Simulate(ctx, req))
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-promotion-simulation", Method: http.MethodGet, Path: "/api/v1/promotion-simulations/{id}",
		Summary: "Get a simulation report", Tags: tags, Security: read,
	}, func(ctx context.Context, in *basketSetIDInput) (*httpapi.Body[SimulationReport], error) {
		return httpapi.Reply(simulationResponse)(s.FindSimulationByID(ctx, in.ID))
	})
}
