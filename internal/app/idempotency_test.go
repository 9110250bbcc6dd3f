package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// TestIdempotentCreateUnderConcurrency replays one POST /api/v1/stores 50 times at
// once with the same Idempotency-Key: one store exists afterwards and every caller
// got the same answer.
func TestIdempotentCreateUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			brand := h.create(t, "/api/v1/brands", `{"code":"IDEM","name":"Idempotent Mart"}`)
			region := h.create(t, "/api/v1/regions", `{"code":"NORTH","name":"华北"}`)
			body := `{"brand_id":"` + brand + `","region_id":"` + region + `","code":"BJ001","name":"北京一店","format":"convenience","city":"北京"}`
			const n = 50
			var wg sync.WaitGroup
			results := make(chan string, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest("POST", h.server.URL+"/api/v1/stores", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+h.keyA)
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Idempotency-Key", "create-bj001")
					res, err := h.server.Client().Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					defer res.Body.Close()
					b, _ := io.ReadAll(res.Body)
					if res.StatusCode != http.StatusCreated {
						t.Errorf("status %d: %s", res.StatusCode, b)
					}
					results <- string(b)
				}()
			}
			wg.Wait()
			close(results)
			first := ""
			for r := range results {
				if first == "" {
					first = r
				}
				if r != first {
					t.Fatalf("responses differ:\n%s\n%s", first, r)
				}
			}
			status, _, list := h.do(t, "GET", "/api/v1/stores?limit=100", h.keyA, "", "")
			if status != 200 || strings.Count(list, `"code":"BJ001"`) != 1 {
				t.Fatalf("stores after 50 replays: %d %s", status, list)
			}
		})
	}
}

// TestSecurity04_CredentialsNeverStoredForReplay sends every operation that answers
// with a credential — login (here by a caller who already holds a key), an API key,
// a touchpoint key — twice with one Idempotency-Key: the retry answers 409 "replay
// not available" without the secret, and no stored response holds a secret.
func TestSecurity04_CredentialsNeverStoredForReplay(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h := setup(t, dialect)
			pos := h.create(t, "/api/v1/touchpoints", `{"code":"pos-1","name":"POS 1","type":"offline","channel":"pos"}`)
			post := func(path, body, key string) (int, string) {
				req, _ := http.NewRequest("POST", h.server.URL+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+h.keyA)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(httpapi.IdempotencyHeader, key)
				res, err := h.server.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			for _, tc := range []struct{ path, body, secret string }{
				{"/api/v1/auth/login", `{"login":"alpha-admin","password":"correct horse battery"}`, `"token":"or_sess_`},
				{"/api/v1/api-keys", `{"name":"pos","scopes":["catalog:read"]}`, `"secret":"or_live_`},
				{"/api/v1/touchpoints/" + pos + "/api-keys", `{}`, `"secret":"or_live_`},
			} {
				if status, body := post(tc.path, tc.body, "retry-"+tc.path); status >= 300 || !strings.Contains(body, tc.secret) {
					t.Fatalf("%s: %d %s", tc.path, status, body)
				}
				if status, body := post(tc.path, tc.body, "retry-"+tc.path); status != http.StatusConflict ||
					!strings.Contains(body, "replay not available for this operation") || strings.Contains(body, "or_") {
					t.Fatalf("%s retried: %d %s", tc.path, status, body)
				}
			}
			rows, err := h.app.DB.Reader().Query(`SELECT status, response_body FROM idempotency_keys`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var status, body string
				if err := rows.Scan(&status, &body); err != nil {
					t.Fatal(err)
				}
				if n++; status != "withheld" || body != "" {
					t.Fatalf("a credential response was stored: %s %q", status, body)
				}
			}
			if n != 3 {
				t.Fatalf("%d keys recorded, want 3", n)
			}
		})
	}
}

// TestSecurity04_EveryCredentialOperationIsNoReplay walks the OpenAPI document: an
// operation whose success response has a secret or token property must be marked
// httpapi.NoReplay, so that a new one cannot forget it.
func TestSecurity04_EveryCredentialOperationIsNoReplay(t *testing.T) {
	t.Parallel()
	h := setup(t, db.SQLite)
	oapi := h.app.API.OpenAPI()
	found := 0
	for path, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Post, item.Put, item.Patch} {
			if op == nil {
				continue
			}
			for code, res := range op.Responses {
				if !strings.HasPrefix(code, "2") {
					continue
				}
				for _, mt := range res.Content {
					s := mt.Schema
					if s != nil && s.Ref != "" {
						s = oapi.Components.Schemas.SchemaFromRef(s.Ref)
					}
					if s == nil {
						continue
					}
					if _, secret := s.Properties["secret"]; !secret {
						if _, token := s.Properties["token"]; !token {
							continue
						}
					}
					found++
					if !httpapi.IsNoReplay(op) {
						t.Errorf("%s %s answers with a credential but is not marked httpapi.NoReplay()", op.Method, path)
					}
				}
			}
		}
	}
	if found < 3 {
		t.Fatalf("found %d credential operations, want at least login, create-api-key and issue-touchpoint-key", found)
	}
}
