package httpapi_test

import (
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// endless is a request body of n bytes (n < 0: without end) that allocates nothing.
type endless struct{ left int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if e.left > 0 && int64(n) > e.left {
		n = int(e.left)
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	if e.left > 0 {
		e.left -= int64(n)
	}
	return n, nil
}

// post sends a body of size bytes (chunked when size < 0) and returns the status, or 0
// when the server closed the connection before the client had sent everything (it
// answered without reading the rest, as it should).
func post(f *fixture, path, token string, size int64, header ...string) (int, http.Header) {
	req, _ := http.NewRequest("POST", f.ts.URL+path, io.NopCloser(&endless{left: size}))
	if size >= 0 {
		req.ContentLength = size
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := f.ts.Client().Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// peakHeap runs fn while sampling the heap and returns how far the heap in use grew
// above what it was before.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// TestSecurity03_OversizedBodiesUnderNarrowKeyKeepHeapBounded replays the attack of
// issue 10 finding 3: 24 parallel 31 MiB posts with an Idempotency-Key and a
// catalog:read key to an operation that needs catalog:write (and takes 32 MiB). The
// scope check refuses them before a byte is read, so the heap barely moves; the old
// idempotency layer buffered every body first (24 × 31 MiB). Then the same with a
// key that may post: the body budget (64 MiB here, each body counted twice) lets one
// body in at a time and answers the rest 503 with Retry-After, so the heap stays
// near the budget, far below 24 × 32 MiB.
//
// Not parallel: it measures the process's heap, which other tests would disturb.
func TestSecurity03_OversizedBodiesUnderNarrowKeyKeepHeapBounded(t *testing.T) {
	const (
		clients = 24
		size    = 31 << 20
		mib     = 1 << 20
	)
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			f := setup(t, dbtest.Open(t, dialect), func(o *fixtureOptions) { o.budget = 64 << 20 })
			burst := func(token string) map[int]int {
				var wg sync.WaitGroup
				for i := range clients {
					wg.Go(func() {
						post(f, "/api/v1/widget-imports", token, size, "Idempotency-Key", "attack-"+token+string(rune('a'+i)))
					})
				}
				wg.Wait()
				return f.statuses()
			}

			grew := peakHeap(func() { burst("reader") })
			if got := f.statuses(); got[http.StatusForbidden] != clients || f.read.Load() != 0 {
				t.Fatalf("narrow key: statuses %v, %d body bytes read; want %d × 403 and nothing read", got, f.read.Load(), clients)
			}
			t.Logf("narrow key: heap grew %d MiB", grew/mib)
			if grew > 48*mib {
				t.Fatalf("heap grew %d MiB under %d refused %d MiB bodies", grew/mib, clients, size/mib)
			}

			grew = peakHeap(func() { burst("writer") })
			got := f.statuses()
			t.Logf("writer key: heap grew %d MiB; statuses %v", grew/mib, got)
			if got[http.StatusOK] == 0 || got[http.StatusServiceUnavailable] == 0 || got[http.StatusOK]+got[http.StatusServiceUnavailable] != clients {
				t.Fatalf("writer key: statuses %v; want some 200 and the rest 503", got)
			}
			if grew > 256*mib {
				t.Fatalf("heap grew %d MiB with a 64 MiB body budget", grew/mib)
			}
			if status, h := post(f, "/api/v1/widget-imports", "writer", 10); status != http.StatusOK || h.Get("Cache-Control") != "no-store" {
				t.Fatalf("after the burst the budget is free again: %d", status)
			}
		})
	}
}

// TestSecurity03_BodyOverLimitRefusedWithoutReading posts to an operation with the
// default 1 MiB limit: a Content-Length over it is refused before a byte is read, and
// a chunked body of no end is refused as soon as the limit is reached. (With an
// Idempotency-Key the old layer read up to 32 MiB of either first.)
func TestSecurity03_BodyOverLimitRefusedWithoutReading(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		if status, _ := post(f, "/api/v1/widgets", "writer", 8<<20, "Content-Type", "application/json", "Idempotency-Key", "big-1"); status != 0 &&
			status != http.StatusRequestEntityTooLarge {
			t.Fatalf("declared 8 MiB: status %d", status)
		}
		if n := f.read.Load(); n != 0 || f.statuses()[http.StatusRequestEntityTooLarge] != 1 {
			t.Fatalf("declared 8 MiB: %d bytes read, statuses %v; want 413 with nothing read", n, f.statuses())
		}
		status, _ := post(f, "/api/v1/widgets", "writer", -1, "Content-Type", "application/json", "Idempotency-Key", "big-2")
		if status != 0 && status != http.StatusRequestEntityTooLarge {
			t.Fatalf("endless body: status %d", status)
		}
		if n := f.read.Load(); n < 1<<20 || n > 1<<20+64<<10 || f.statuses()[http.StatusRequestEntityTooLarge] != 2 {
			t.Fatalf("endless body: %d bytes read, statuses %v; want 413 after 1 MiB", n, f.statuses())
		}
		// Below the limit, chunked or not, the body goes through.
		body := `{"name":"small","price_fen":1}`
		if status, _, b := do(t, f.ts, "POST", "/api/v1/widgets", "writer", body); status != http.StatusCreated {
			t.Fatalf("small body: %d %s", status, b)
		}
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/widgets", io.MultiReader(strings.NewReader(body)))
		req.Header.Set("Authorization", "Bearer writer")
		req.Header.Set("Content-Type", "application/json")
		res, err := f.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("small chunked body: %d", res.StatusCode)
		}
	})
}

// TestBodyBudgetAnswers503 holds the whole budget with one request and sends
// another: it gets 503 with Retry-After, and gets through once the first finished.
func TestBodyBudgetAnswers503(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, func(o *fixtureOptions) { o.budget = 1 << 20 })
		done := make(chan int)
		go func() {
			status, _ := post(f, "/api/v1/widget-jobs?name=holder", "writer", 600<<10)
			done <- status
		}()
		<-f.started
		status, h, body := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"waits","price_fen":1}`)
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, "problem:unavailable") {
			t.Fatalf("while the budget is held: %d %q %s", status, h.Get("Retry-After"), body)
		}
		close(f.release)
		if s := <-done; s != http.StatusCreated {
			t.Fatalf("holder: %d", s)
		}
		if status, _, body := do(t, f.ts, "POST", "/api/v1/widgets", "writer", `{"name":"waits","price_fen":1}`); status != http.StatusCreated {
			t.Fatalf("after: %d %s", status, body)
		}
	})
}

// TestMultipartThroughTheGate checks that a multipart operation still reads its form
// from the body the gate buffered.
func TestMultipartThroughTheGate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		body := "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nw1\r\n--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nw2\r\n--XX--\r\n"
		status, _, b := do(t, f.ts, "POST", "/api/v1/widget-forms", "writer", body, "Content-Type", "multipart/form-data; boundary=XX")
		if status != http.StatusOK || strings.TrimSpace(b) != `"w1,w2"` {
			t.Fatalf("multipart: %d %s", status, b)
		}
	})
}

// TestSlowBodyTimesOut: a body that does not arrive within the operation's
// BodyReadTimeout is answered 408, as huma would.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("a,b\n"))
			time.Sleep(time.Second)
			_ = pw.Close()
		}()
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/widget-imports/slow", pr)
		req.Header.Set("Authorization", "Bearer writer")
		req.Header.Set("Content-Type", "text/csv")
		res, err := f.ts.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		if got := f.statuses(); got[http.StatusRequestTimeout] != 1 {
			t.Fatalf("statuses %v, want a 408", got)
		}
	})
}
