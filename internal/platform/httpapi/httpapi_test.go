package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// principals maps bearer tokens to principals: the test stands in for the org domain,
// which owns real authentication. Tests change them (revocation, narrowed scopes).
type principals struct {
	mu sync.Mutex
	m  map[string]*auth.Principal
}

func (p *principals) Authenticate(_ context.Context, token string) (*auth.Principal, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr, ok := p.m[token]; ok {
		return pr, nil
	}
	return nil, errs.E(errs.Unauthorized, "unknown token")
}

// set replaces the principal of token; nil revokes it.
func (p *principals) set(token string, pr *auth.Principal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr == nil {
		delete(p.m, token)
		return
	}
	p.m[token] = pr
}

type widgetInput struct {
	Body struct {
		Name  string `json:"name" minLength:"1" maxLength:"40"`
		Price int64  `json:"price_fen" minimum:"0"`
	}
}

type widget struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Price int64  `json:"price_fen"`
}

type widgetOutput struct {
	Body widget
}

type widgetPageOutput struct {
	Body httpapi.Page[widget]
}

type rawInput struct {
	Name    string `query:"name"`
	RawBody []byte `contentType:"text/csv"`
}

type secretOutput struct {
	Body struct {
		Secret string `json:"secret"`
	}
}

type whoOutput struct {
	Body struct {
		ClientIP string `json:"client_ip"`
		HTTPS    bool   `json:"https"`
		ID       string `json:"request_id"`
	}
}

// fixture is the HTTP platform with test operations on a database.
type fixture struct {
	ts      *httptest.Server
	d       *db.DB
	auth    *principals
	idem    *httpapi.Idempotency
	log     *syncBuffer
	read    atomic.Int64 // body bytes the platform read, counted where the server hands the body over
	mu      sync.Mutex
	status  map[int]int   // responses by status, counted by the server
	release chan struct{} // closed to let blocked widget jobs finish
	started chan string   // a widget job sends its name when it starts
}

type fixtureOptions struct {
	budget  int64
	proxies []string
	clock   clock.Clock
	keys    httpapi.Sealer
	tls     bool
}

// writerScopes and readerScopes are the scopes of the writer and reader keys.
var (
	writerScopes = []auth.Scope{auth.CatalogRead, auth.CatalogWrite}
	readerScopes = []auth.Scope{auth.CatalogRead}
)

func writer() *auth.Principal {
	return &auth.Principal{Kind: auth.KeyPrincipal, ID: "k1", TenantID: "t1", Scopes: writerScopes, DataScope: auth.TenantScope}
}

func setup(t testing.TB, d *db.DB, opts ...func(*fixtureOptions)) *fixture {
	t.Helper()
	o := fixtureOptions{clock: clock.System{}}
	for _, fn := range opts {
		fn(&o)
	}
	if o.keys == nil {
		keys, err := pii.NewKeys(pii.TestSecret())
		if err != nil {
			t.Fatal(err)
		}
		o.keys = keys
	}
	ctx := context.Background()
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS widgets (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, price_fen BIGINT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, log: &syncBuffer{}, status: map[int]int{}, release: make(chan struct{}), started: make(chan string, 100)}
	log := slog.New(slog.NewJSONHandler(f.log, nil))
	f.auth = &principals{m: map[string]*auth.Principal{
		"writer": writer(),
		"reader": {Kind: auth.KeyPrincipal, ID: "k2", TenantID: "t1", Scopes: readerScopes, DataScope: auth.TenantScope},
	}}
	f.idem = httpapi.NewIdempotency(d, o.keys, o.clock, log)
	f.idem.SecretMarkers = []string{"or_sess_"}
	trusted, err := httpapi.ParseTrustedProxies(o.proxies)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Options{Log: log, Auth: f.auth, Idempotency: f.idem, BodyBudget: o.budget, TrustedProxies: trusted})
	insert := func(ctx context.Context, w widget) error {
		return d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO widgets (id, tenant_id, name, price_fen) VALUES ($1, $2, $3, $4)`,
				w.ID, auth.FromContext(ctx).TenantID, w.Name, w.Price)
			return err
		})
	}
	huma.Register(srv.API, huma.Operation{
		OperationID: "create-widget", Method: http.MethodPost, Path: "/api/v1/widgets", DefaultStatus: http.StatusCreated,
		Security: httpapi.Secured(auth.CatalogWrite),
	}, func(ctx context.Context, in *widgetInput) (*widgetOutput, error) {
		w := widget{ID: ids.New(), Name: in.Body.Name, Price: in.Body.Price}
		switch w.Name {
		case "conflict":
			return nil, httpapi.Problem(errs.Field("body.name", "name %q is taken", w.Name))
		case "boom":
			return nil, httpapi.Problem(fmt.Errorf("widgets: insert: %w", errors.New("database exploded: disk full")))
		case "go types":
			return nil, httpapi.Problem(errs.Field("body.name", "wrong type: want %s", reflect.TypeFor[[]json.RawMessage]()))
		case "busy":
			return nil, httpapi.Problem(errs.E(errs.Unavailable, "busy; retry shortly"))
		}
		if err := insert(ctx, w); err != nil {
			return nil, httpapi.Problem(err)
		}
		httpapi.NoteSubjects(ctx, w.ID)
		return &widgetOutput{Body: w}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "list-widgets", Method: http.MethodGet, Path: "/api/v1/widgets",
		Security: httpapi.Secured(auth.CatalogRead),
	}, func(ctx context.Context, in *struct{ httpapi.PageParams }) (*widgetPageOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		rows, err := d.Reader().QueryContext(ctx, `SELECT id, name, price_fen FROM widgets WHERE id > $1 ORDER BY id LIMIT $2`, after, in.Limit+1)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		defer rows.Close()
		var items []widget
		for rows.Next() {
			var w widget
			if err := rows.Scan(&w.ID, &w.Name, &w.Price); err != nil {
				return nil, httpapi.Problem(err)
			}
			items = append(items, w)
		}
		return &widgetPageOutput{Body: httpapi.PageOf(items, in.Limit, func(w widget) string { return w.ID })}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "import-widgets", Method: http.MethodPost, Path: "/api/v1/widget-imports",
		Security: httpapi.Secured(auth.CatalogWrite), MaxBodyBytes: 32 << 20,
	}, func(ctx context.Context, in *rawInput) (*httpapi.Body[int], error) {
		return &httpapi.Body[int]{Body: len(in.RawBody)}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "import-widgets-slowly", Method: http.MethodPost, Path: "/api/v1/widget-imports/slow",
		Security: httpapi.Secured(auth.CatalogWrite), BodyReadTimeout: 300 * time.Millisecond,
	}, func(ctx context.Context, in *rawInput) (*httpapi.Body[int], error) {
		return &httpapi.Body[int]{Body: len(in.RawBody)}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "run-widget-job", Method: http.MethodPost, Path: "/api/v1/widget-jobs", DefaultStatus: http.StatusCreated,
		Security: httpapi.Secured(auth.CatalogWrite), MaxBodyBytes: 32 << 20,
	}, func(ctx context.Context, in *rawInput) (*widgetOutput, error) {
		f.started <- in.Name
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, httpapi.Problem(ctx.Err())
		}
		w := widget{ID: ids.New(), Name: in.Name}
		if err := insert(ctx, w); err != nil {
			return nil, httpapi.Problem(err)
		}
		return &widgetOutput{Body: w}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "issue-widget-key", Method: http.MethodPost, Path: "/api/v1/widget-keys", DefaultStatus: http.StatusCreated,
		Security: httpapi.Secured(auth.CatalogWrite), Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, _ *struct{}) (*secretOutput, error) {
		out := &secretOutput{}
		out.Body.Secret = "or_live_" + ids.Secret(20)
		return out, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "open-widget-session", Method: http.MethodPost, Path: "/api/v1/widget-sessions", DefaultStatus: http.StatusCreated,
		Security: httpapi.Secured(auth.CatalogWrite),
	}, func(ctx context.Context, _ *struct{}) (*secretOutput, error) {
		out := &secretOutput{}
		out.Body.Secret = "or_sess_" + ids.Secret(20)
		return out, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "crash-widget", Method: http.MethodPost, Path: "/api/v1/widget-crashes",
		Security: httpapi.Secured(auth.CatalogWrite),
	}, func(ctx context.Context, _ *widgetInput) (*widgetOutput, error) {
		panic("widget crashed for 13812345678")
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "form-widgets", Method: http.MethodPost, Path: "/api/v1/widget-forms",
		Security: httpapi.Secured(auth.CatalogWrite),
	}, func(ctx context.Context, in *struct{ RawBody multipart.Form }) (*httpapi.Body[string], error) {
		return &httpapi.Body[string]{Body: strings.Join(in.RawBody.Value["name"], ",")}, nil
	})
	huma.Register(srv.API, huma.Operation{
		OperationID: "who-am-i", Method: http.MethodGet, Path: "/api/v1/whoami", Security: httpapi.Secured(),
	}, func(ctx context.Context, _ *struct{}) (*whoOutput, error) {
		out := &whoOutput{}
		out.Body.ClientIP, out.Body.HTTPS, out.Body.ID = httpapi.ClientIPFrom(ctx), httpapi.SecureRequest(ctx), httpapi.RequestID(ctx)
		return out, nil
	})
	srv.Router.HandleFunc("/api/*", httpapi.NotFound)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &countingBody{ReadCloser: r.Body, n: &f.read}
		sw := &statusWriter{ResponseWriter: w}
		srv.Router.ServeHTTP(sw, r)
		f.mu.Lock()
		f.status[sw.code]++
		f.mu.Unlock()
	})
	if o.tls {
		f.ts = httptest.NewTLSServer(h)
	} else {
		f.ts = httptest.NewServer(h)
	}
	t.Cleanup(f.ts.Close)
	return f
}

// statuses returns the number of responses the server gave, by status.
func (f *fixture) statuses() map[int]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.status)
}

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// statusWriter notes the status of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController and huma reach the connection (deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func do(t *testing.T, ts *httptest.Server, method, path, token, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := setup(t, d).ts
		tests := []struct {
			name, method, path, token, body string
			status                          int
			want                            []string
			unwanted                        []string
		}{
			{name: "no auth", method: "POST", path: "/api/v1/widgets", body: `{"name":"a","price_fen":1}`, status: 401, want: []string{`"urn:oneretail:problem:unauthorized"`}},
			{name: "bad token", method: "GET", path: "/api/v1/widgets", token: "nope", status: 401},
			{name: "missing scope", method: "POST", path: "/api/v1/widgets", token: "reader", body: `{"name":"a","price_fen":1}`, status: 403, want: []string{"catalog:write"}},
			{name: "malformed json", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":`, status: 400, want: []string{`"urn:oneretail:problem:bad_request"`}},
			{name: "wrong type", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"a","price_fen":"ten"}`, status: 422, want: []string{"body.price_fen"}},
			{name: "unknown field", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"a","price_fen":1,"colour":"red"}`, status: 422, want: []string{"colour"}},
			{name: "below minimum", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"a","price_fen":-1}`, status: 422, want: []string{"body.price_fen"}},
			{name: "domain field error", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"conflict","price_fen":1}`, status: 422, want: []string{"body.name", "is taken"}},
			{name: "internal error hides cause", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"boom","price_fen":1}`, status: 500, unwanted: []string{"secret detail"}},
			{name: "contention", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"busy","price_fen":1}`, status: 503, want: []string{`"urn:oneretail:problem:unavailable"`}},
			{name: "oversized body", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, status: 413},
			{name: "bad cursor", method: "GET", path: "/api/v1/widgets?cursor=!!!", token: "reader", status: 422},
			// 13000012345 is valid base64 of bytes that are not UTF-8 (PostgreSQL refused them: 500).
			{name: "cursor of other bytes", method: "GET", path: "/api/v1/widgets?cursor=13000012345", token: "reader", status: 422, want: []string{"query.cursor"}},
			// Problems never echo the refused value (issue 10 finding 2).
			{name: "value not echoed", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"a","price_fen":"13812345678"}`, status: 422,
				want: []string{"body.price_fen"}, unwanted: []string{"13812345678", `"value"`}},
			{name: "query value not echoed", method: "GET", path: "/api/v1/widgets?limit=13812345678", token: "reader", status: 422,
				want: []string{"query.limit"}, unwanted: []string{"13812345678", `"value"`}},
			{name: "limit too big", method: "GET", path: "/api/v1/widgets?limit=100000", token: "reader", status: 422, want: []string{"limit"}},
			{name: "unknown route", method: "GET", path: "/api/v1/nothing", token: "reader", status: 404, want: []string{"problem:not_found"}},
			{name: "created", method: "POST", path: "/api/v1/widgets", token: "writer", body: `{"name":"a","price_fen":1}`, status: 201, want: []string{`"name":"a"`}, unwanted: []string{"$schema"}},
		}
		for _, tt := range tests {
			status, h, body := do(t, ts, tt.method, tt.path, tt.token, tt.body)
			if status != tt.status {
				t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, body)
				continue
			}
			if status >= 400 && !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: content type %q, want problem+json", tt.name, h.Get("Content-Type"))
			}
			if retry := h.Get("Retry-After"); (status == http.StatusServiceUnavailable) != (retry != "") {
				t.Errorf("%s: status %d with Retry-After %q", tt.name, status, retry)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: body lacks %q: %s", tt.name, w, body)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("%s: body contains %q: %s", tt.name, u, body)
				}
			}
		}
	})
}

func TestPagination(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := setup(t, d).ts
		for i := range 7 {
			if status, _, body := do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"w`+string(rune('a'+i))+`","price_fen":1}`); status != 201 {
				t.Fatalf("create: %d %s", status, body)
			}
		}
		seen := map[string]bool{}
		path := "/api/v1/widgets?limit=3"
		pages := 0
		for {
			status, _, body := do(t, ts, "GET", path, "reader", "")
			if status != 200 {
				t.Fatalf("list: %d %s", status, body)
			}
			var page httpapi.Page[widget]
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
			pages++
			for _, w := range page.Items {
				if seen[w.ID] {
					t.Fatalf("widget %s listed twice", w.ID)
				}
				seen[w.ID] = true
			}
			if page.NextCursor == "" {
				break
			}
			path = "/api/v1/widgets?limit=3&cursor=" + page.NextCursor
		}
		if len(seen) != 7 || pages != 3 {
			t.Fatalf("saw %d widgets on %d pages, want 7 on 3", len(seen), pages)
		}
	})
}

// TestIdempotentReplay sends the same POST with the same key 50 times concurrently:
// exactly one widget is created and every response carries its id.
func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := setup(t, d).ts
		const n = 50
		var wg sync.WaitGroup
		bodies := make(chan string, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _, body := do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"once","price_fen":5}`, "Idempotency-Key", "key-1")
				if status != 201 {
					t.Errorf("status %d: %s", status, body)
				}
				bodies <- body
			}()
		}
		wg.Wait()
		close(bodies)
		first := ""
		for b := range bodies {
			if first == "" {
				first = b
			}
			if b != first {
				t.Fatalf("replayed body differs:\n%s\n%s", first, b)
			}
		}
		var count int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM widgets WHERE name = 'once'`).Scan(&count); err != nil {
			t.Fatal(err)
		}
		if count != 1 {
			t.Fatalf("%d widgets created, want 1", count)
		}
		status, h, body := do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"once","price_fen":5}`, "Idempotency-Key", "key-1")
		if status != 201 || h.Get("Idempotent-Replayed") != "true" || body != first {
			t.Fatalf("replay: %d %q %s", status, h.Get("Idempotent-Replayed"), body)
		}
		status, _, body = do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"other","price_fen":5}`, "Idempotency-Key", "key-1")
		if status != 422 || !strings.Contains(body, "Idempotency-Key") {
			t.Fatalf("conflicting body: %d %s", status, body)
		}
		// A failed request releases its key: the retry with a fixed body succeeds.
		status, _, _ = do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"conflict","price_fen":5}`, "Idempotency-Key", "key-2")
		if status != 422 {
			t.Fatalf("failing request: %d", status)
		}
		status, _, body = do(t, ts, "POST", "/api/v1/widgets", "writer", `{"name":"conflict","price_fen":5}`, "Idempotency-Key", "key-2")
		if status != 422 {
			t.Fatalf("failed requests must not be stored as replays: %d %s", status, body)
		}
	})
}

// FuzzJSONDecoding throws arbitrary bodies at a JSON endpoint: the answer is always a
// 2xx or a 4xx problem, never a 5xx.
func FuzzJSONDecoding(f *testing.F) {
	for _, s := range []string{`{"name":"a","price_fen":1}`, `{"name":`, `[]`, `null`, `{"price_fen":1e400}`, `{"name":"\u0000","price_fen":-0}`, "\xff\xfe", `{"name":"a","name":"b","price_fen":1}`} {
		f.Add(s)
	}
	d := dbtest.Open(f, db.SQLite)
	ts := setup(f, d).ts
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/widgets", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer writer")
		req.Header.Set("Content-Type", "application/json")
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 && !strings.Contains(body, "boom") {
			t.Fatalf("status %d for %q: %s", res.StatusCode, body, b)
		}
		if res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("status %d without problem+json for %q", res.StatusCode, body)
		}
	})
}
