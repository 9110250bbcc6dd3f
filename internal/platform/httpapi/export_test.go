package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

type numbersInput struct {
	httpapi.ExportParams
	Fail string `query:"fail" enum:"first,later,"`
}

// TestStream checks the export helper: every page in order, a failing first page as
// a problem, a failing later page as a 500 without a body while nothing was sent;
// and the error report renderer.
func TestStream(t *testing.T) {
	t.Parallel()
	srv := httpapi.New(httpapi.Options{Auth: &principals{m: map[string]*auth.Principal{
		"u": {Kind: auth.UserPrincipal, ID: "u", TenantID: "t1", DataScope: auth.TenantScope},
	}}})
	huma.Register(srv.API, huma.Operation{OperationID: "export-numbers", Method: http.MethodGet, Path: "/numbers/export",
		Security: httpapi.Secured(), Responses: httpapi.ExportResponses()},
		func(ctx context.Context, in *numbersInput) (*huma.StreamResponse, error) {
			return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[int]{Name: "numbers", Header: []string{"n"},
				Row: func(n int) []string { return []string{strings.Repeat("-", n%2) + string(rune('0'+n%10))} },
				Page: func(_ context.Context, cursor string, limit int) (httpapi.Page[int], error) {
					if in.Fail == "first" {
						return httpapi.Page[int]{}, errs.Field("query.fail", "failed as asked")
					}
					start := 0
					if cursor != "" {
						if in.Fail == "later" {
							return httpapi.Page[int]{}, errors.New("database gone")
						}
						start = limit
					}
					items := make([]int, 0, limit)
					for i := start; i < min(start+limit, limit+3); i++ {
						items = append(items, i)
					}
					next := ""
					if cursor == "" {
						next = "x"
					}
					return httpapi.Page[int]{Items: items, NextCursor: next}, nil
				}})
		})
	httpapi.RegisterImportReport(srv.API)
	ts := httptest.NewServer(srv.Router)
	t.Cleanup(ts.Close)
	call := func(method, path, body string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer u")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}

	status, h, body := call("GET", "/numbers/export?file_format=csv", "")
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if status != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || len(lines) != 1+httpapi.ExportPageSize+3 ||
		lines[0] != "\uFEFFn" || lines[2] != "'-1" || lines[3] != "2" {
		t.Fatalf("csv export: %d %v, %d lines starting %q", status, h, len(lines), lines[:min(4, len(lines))])
	}
	if status, _, body := call("GET", "/numbers/export?fail=first", ""); status != 422 || !strings.Contains(body, "query.fail") {
		t.Fatalf("failing first page: %d %s", status, body)
	}
	if status, _, body := call("GET", "/numbers/export?fail=later", ""); status != 500 || body != "" {
		t.Fatalf("failing later page, xlsx: %d %q", status, body)
	}
	// The first page is far below the 64 KiB CSV buffer: nothing was sent, so a 500.
	if status, _, body := call("GET", "/numbers/export?fail=later&file_format=csv", ""); status != 500 || body != "" {
		t.Fatalf("failing later page, csv: %d %q", status, body)
	}

	status, h, body = call("POST", "/api/v1/import-reports?file_format=xlsx", `{"name":"skus-errors","errors":[{"line":3,"field":"list_price","reason":"=bad"}]}`)
	if status != 200 || h.Get("Content-Disposition") != "attachment; filename=skus-errors.xlsx" {
		t.Fatalf("report: %d %v %s", status, h, body)
	}
	r, err := sheet.Open([]byte(body), "", "body")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, rec, err := r.Next()
	if err != nil || strings.Join(r.Header, ",") != "line,field,reason" || strings.Join(rec, ",") != "3,list_price,=bad" {
		t.Fatalf("report rows %q %q %v", r.Header, rec, err)
	}
	if status, _, _ := call("POST", "/api/v1/import-reports?file_format=pdf", `{"errors":[]}`); status != 422 {
		t.Fatalf("report as pdf: %d", status)
	}
}
