package app

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

type healthOutput struct {
	Body HealthStatus
}

// HealthStatus is the body of the health and readiness checks.
type HealthStatus struct {
	Status string `json:"status" enum:"ok,unavailable"`
	Detail string `json:"detail,omitempty"`
}

func (a *App) registerHealth(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"Platform"},
		Summary: "Liveness: the process answers",
	}, func(context.Context, *struct{}) (*healthOutput, error) {
		return &healthOutput{Body: HealthStatus{Status: "ok"}}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Tags: []string{"Platform"},
		Summary: "Readiness: the database answers and the instance is not shutting down",
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		if a.draining.Load() {
			return nil, huma.Error503ServiceUnavailable("shutting down")
		}
		if err := a.DB.Ping(ctx); err != nil {
			return nil, httpapi.Unavailable("database unavailable", err)
		}
		return &healthOutput{Body: HealthStatus{Status: "ok"}}, nil
	})
}
