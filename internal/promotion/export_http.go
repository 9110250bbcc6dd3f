package promotion

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// promotionExportHeader is the header row of a promotion export.
var promotionExportHeader = []string{"code", "name", "status", "effective_status", "kind", "starts_at", "ends_at", "budget", "max_uses",
	"max_uses_per_customer", "discount_given", "uses", "created_at", "updated_at"}

type promotionExportInput struct {
	httpapi.ExportParams
	Status          string    `query:"status" enum:"draft,active,paused,ended,"`
	EffectiveStatus string    `query:"effective_status" enum:"draft,scheduled,running,paused,ended," doc:"As in GET /api/v1/promotions."`
	ActiveAt        time.Time `query:"active_at" doc:"As in GET /api/v1/promotions."`
	Kind            string    `query:"kind" maxLength:"64" doc:"Only promotions of this kind (definition.kind), as the console's type filter."`
}

// promotionExportRow is the file row of a promotion; its fields come from the list's
// conversion (promotionResponseAt, effective status judged at now). Money is in yuan.
func promotionExportRow(p Promotion, now time.Time) []string {
	v := promotionResponseAt(p, now)
	budget := ""
	if v.Limits.BudgetFen != nil {
		budget = sheet.Yuan(*v.Limits.BudgetFen)
	}
	kind, _ := v.Definition["kind"].(string)
	return []string{v.Code, v.Name, v.Status, v.EffectiveStatus, kind, sheet.TimePtr(v.StartsAt), sheet.TimePtr(v.EndsAt), budget,
		sheet.Int64Ptr(v.Limits.MaxUses), sheet.Int64Ptr(v.Limits.MaxUsesPerCustomer), sheet.Yuan(v.Usage.DiscountFen),
		strconv.FormatInt(v.Usage.Uses, 10), sheet.Time(v.CreatedAt), sheet.Time(v.UpdatedAt)}
}

// registerExport adds GET /api/v1/promotions/export (before /promotions/{id}).
func (s *Service) registerExport(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "export-promotions", Method: http.MethodGet, Path: "/api/v1/promotions/export",
		Summary: "Export promotions to Excel or CSV",
		Description: "Every promotion matching the filters of GET /api/v1/promotions (and of kind, when given), as an .xlsx workbook or a UTF-8 CSV file with BOM " +
			"(money in yuan, times in RFC 3339 UTC). Cells starting with =, +, -, @, tab or CR get a leading ' against formula injection.",
		Tags: []string{"Promotions"}, Security: httpapi.Secured(auth.PromotionsRead), Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *promotionExportInput) (*huma.StreamResponse, error) {
		now := s.now()
		f := PromotionFilter{Status: Status(in.Status), Effective: EffectiveStatus(in.EffectiveStatus), At: now}
		if !in.ActiveAt.IsZero() {
			f.ActiveAt = &in.ActiveAt
		}
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[Promotion]{Name: "promotions", Header: promotionExportHeader,
			Row: func(p Promotion) []string { return promotionExportRow(p, now) },
			Page: func(ctx context.Context, cursor string, limit int) (httpapi.Page[Promotion], error) {
				f.Cursor, f.Limit = cursor, limit
				page, err := s.FindPromotions(ctx, f)
				if err != nil || in.Kind == "" {
					return page, err
				}
				kept := page.Items[:0]
				for _, p := range page.Items {
					if string(p.Definition.Kind) == in.Kind {
						kept = append(kept, p)
					}
				}
				page.Items = kept
				return page, nil
			}})
	})
}
