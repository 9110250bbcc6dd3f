package promotion

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// TestExportPromotions exports promotions filtered by status as CSV and xlsx.
func TestExportPromotions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := as(tenantA, auth.Merchandiser)
		mustCreate(t, s, ctx, "DRAFT1", tenOff())
		ended := mustCreate(t, s, ctx, "ENDED1", manjian())
		if _, err := s.End(ctx, ended.ID); err != nil {
			t.Fatal(err)
		}
		srv := httpapi.New(httpapi.Options{Auth: fakeAuth{"mkt": principal(tenantA, auth.Marketer), "pos": principal(tenantA, auth.Integrator)}})
		s.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		for _, f := range []string{"csv", "xlsx"} {
			status, body := do(t, ts, "GET", "/api/v1/promotions/export?status=ended&file_format="+f, "mkt", "")
			if status != 200 {
				t.Fatalf("%s: %d %s", f, status, body)
			}
			r, err := sheet.Open([]byte(body), "", "body")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Header, promotionExportHeader) {
				t.Fatalf("header %q", r.Header)
			}
			_, rec, err := r.Next()
			if err != nil || rec[0] != "ENDED1" || rec[2] != "ended" || rec[3] != "ended" || rec[10] != "0.00" {
				t.Fatalf("%s: first row %q, %v", f, rec, err)
			}
			if _, _, err := r.Next(); err == nil {
				t.Fatalf("%s: more than the ended promotion exported", f)
			}
			_ = r.Close()
			if f == "csv" && !strings.HasPrefix(body, "\uFEFF") {
				t.Fatal("CSV without BOM")
			}
		}
		if status, _ := do(t, ts, "GET", "/api/v1/promotions/export", "pos", ""); status != 403 {
			t.Fatalf("export without promotions:read: %d, want 403", status)
		}
	})
}
