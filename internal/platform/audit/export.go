package audit

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// exportHeader is the header row of an audit trail export.
var exportHeader = []string{"at", "actor_type", "actor_id", "actor_name", "action", "resource_type", "resource_id", "changes", "request_id"}

type exportInput struct {
	httpapi.ExportParams
	ResourceType string `query:"resource_type" maxLength:"64"`
	ResourceID   string `query:"resource_id" maxLength:"64"`
	ActorID      string `query:"actor_id" maxLength:"64"`
	Action       string `query:"action" maxLength:"64"`
}

// exportRow is the file row of an audit event, as the list shows it; changes as JSON.
func exportRow(e AuditEvent) []string {
	changes := ""
	if e.Changes != nil {
		if b, err := json.Marshal(e.Changes); err == nil {
			changes = string(b)
		}
	}
	return []string{sheet.Time(e.At), e.ActorType, e.ActorID, e.ActorName, e.Action, e.ResourceType, e.ResourceID, changes, e.RequestID}
}

// registerExport adds GET /api/v1/audit-events/export.
func (l *Log) registerExport(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "export-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events/export",
		Summary: "Export the audit trail to Excel or CSV",
		Description: "Every audit event matching the filters of GET /api/v1/audit-events, newest first, as an .xlsx workbook or a UTF-8 " +
			"CSV file with BOM; changes as JSON. Needs audit:read over the whole tenant. Cells starting with =, +, -, @, tab or CR get " +
			"a leading ' against formula injection.",
		Tags: []string{"Platform"}, Security: httpapi.Secured(auth.AuditRead), Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *exportInput) (*huma.StreamResponse, error) {
		p, err := auth.RequireTenantWide(ctx, auth.AuditRead, "reading the audit trail")
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		f := Filter{ResourceType: in.ResourceType, ResourceID: in.ResourceID, ActorID: in.ActorID, Action: in.Action}
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[AuditEvent]{Name: "audit-events", Header: exportHeader, Row: exportRow,
			Page: func(ctx context.Context, cursor string, limit int) (httpapi.Page[AuditEvent], error) {
				return l.Find(ctx, p.TenantID, f, httpapi.PageParams{Cursor: cursor, Limit: limit})
			}})
	})
}
