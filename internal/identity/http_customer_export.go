package identity

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// customerExportHeader is the header row of a customer export.
var customerExportHeader = []string{"id", "name", "phone", "city", "registration_channel", "last_seen_at", "event_count", "status", "masked"}

type customerExportInput struct {
	httpapi.ExportParams
	Q     string `query:"q" minLength:"1" maxLength:"200" required:"true" doc:"As in GET /api/v1/customers/search."`
	Limit int    `query:"limit" minimum:"1" maximum:"50" default:"20"`
}

// customerExportRow is the file row of a customer, converted by the search's own
// conversion (summaryResponse), so personal data is masked exactly as the list masks it.
func customerExportRow(c Customer360) []string {
	v := summaryResponse(c)
	return []string{v.ID, v.Name, v.Phone, v.City, v.RegistrationChannel, sheet.Time(v.LastSeenAt), strconv.FormatInt(v.EventCount, 10),
		v.Status, strconv.FormatBool(v.Masked)}
}

// registerCustomerExport adds GET /api/v1/customers/search/export (before /customers/{id}).
func (s *Service) registerCustomerExport(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "export-customer-search", Method: http.MethodGet, Path: "/api/v1/customers/search/export",
		Summary: "Export customer search results to Excel or CSV",
		Description: "The customers GET /api/v1/customers/search finds for q, as an .xlsx workbook or a UTF-8 CSV file with BOM. " +
			"Personal data is masked exactly as in the search (unless the caller holds customers:pii), and the export is logged as " +
			"the search is. Cells starting with =, +, -, @, tab or CR get a leading ' against formula injection.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersRead), Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *customerExportInput) (*huma.StreamResponse, error) {
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[Customer360]{Name: "customers", Header: customerExportHeader,
			Row: customerExportRow,
			Page: func(ctx context.Context, cursor string, _ int) (httpapi.Page[Customer360], error) {
				// The search is one page.
				cs, err := s.SearchCustomers(ctx, in.Q, in.Limit)
				return httpapi.Page[Customer360]{Items: cs}, err
			}})
	})
}
