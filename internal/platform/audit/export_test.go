package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

type tokens map[string]*auth.Principal

func (ts tokens) Authenticate(_ context.Context, token string) (*auth.Principal, error) {
	if p, ok := ts[token]; ok {
		return p, nil
	}
	return nil, errs.E(errs.Unauthorized, "unknown token")
}

// TestExport streams more rows than one page, filtered, newest first, with every row
// once; a store-scoped reader is refused.
func TestExport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := New(d, clock.NewFixed(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)))
		const n = 2*httpapi.ExportPageSize + 7
		var entries []Entry
		for i := range n {
			entries = append(entries, Entry{Action: "sku.update", ResourceType: "sku", ResourceID: fmt.Sprintf("k%04d", i),
				Changes: map[string]any{"name": "=1+1"}})
		}
		record(t, l, "alice", entries...)
		record(t, l, "bob", Entry{Action: "store.update", ResourceType: "store", ResourceID: "s1"})
		srv := httpapi.New(httpapi.Options{Auth: tokens{
			"admin": {Kind: auth.UserPrincipal, ID: "a", TenantID: "t1", Role: auth.HQAdmin, Scopes: auth.RoleScopes(auth.HQAdmin), DataScope: auth.TenantScope},
			"store": {Kind: auth.UserPrincipal, ID: "m", TenantID: "t1", Role: auth.HQAdmin, Scopes: auth.RoleScopes(auth.HQAdmin), DataScope: auth.StoreScope, DataID: "s1"},
		}})
		l.Register(srv.API)
		ts := httptest.NewServer(srv.Router)
		t.Cleanup(ts.Close)
		get := func(token, query string) (int, []byte) {
			req, _ := http.NewRequest("GET", ts.URL+"/api/v1/audit-events/export?"+query, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		for _, f := range []string{"csv", "xlsx"} {
			status, body := get("admin", "action=sku.update&file_format="+f)
			if status != 200 {
				t.Fatalf("%s: %d %s", f, status, body)
			}
			r, err := sheet.Open(body, "", "body")
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			last := "k9999"
			for {
				_, rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if rec[4] != "sku.update" || seen[rec[6]] || rec[6] >= last || rec[7] != `{"name":"=1+1"}` {
					t.Fatalf("%s: row %q after %s", f, rec, last)
				}
				seen[rec[6]], last = true, rec[6]
			}
			_ = r.Close()
			if len(seen) != n {
				t.Fatalf("%s: %d rows, want %d", f, len(seen), n)
			}
		}
		if status, _ := get("store", ""); status != http.StatusForbidden {
			t.Fatalf("store-scoped export: %d, want 403", status)
		}
	})
}
