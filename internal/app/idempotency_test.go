package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
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
