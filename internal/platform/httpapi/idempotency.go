package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// IdempotencyHeader is the request header that makes a POST safe to retry.
const IdempotencyHeader = "Idempotency-Key"

// maxIdempotentBody bounds what the middleware buffers to hash a request.
const maxIdempotentBody = 32 << 20

// Idempotency replays the stored response of a POST retried with the same
// Idempotency-Key and body, per principal. A key reused with a different request is
// a 422. Only successful (2xx) responses are kept: a failed request changed nothing
// and may be retried with the same key.
type Idempotency struct {
	db    *db.DB
	clock clock.Clock
	log   *slog.Logger
	// Wait bounds how long a retry waits for the first request with its key to finish.
	Wait time.Duration
}

// NewIdempotency returns the middleware's store.
func NewIdempotency(d *db.DB, c clock.Clock, log *slog.Logger) *Idempotency {
	return &Idempotency{db: d, clock: c, log: log, Wait: 30 * time.Second}
}

type storedResponse struct {
	hash        string
	status      string
	code        int
	contentType string
	body        string
}

// Middleware applies idempotency to authenticated POST requests carrying the header.
func (i *Idempotency) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(IdempotencyHeader)
		p := auth.FromContext(r.Context())
		if r.Method != http.MethodPost || key == "" || p == nil {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeFieldProblem(w, http.StatusUnprocessableEntity, "Idempotency-Key is longer than 255 characters", "header.Idempotency-Key")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxIdempotentBody))
		if err != nil {
			WriteProblem(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		i.serve(w, r, next, p, key, hash)
	})
}

func (i *Idempotency) serve(w http.ResponseWriter, r *http.Request, next http.Handler, p *auth.Principal, key, hash string) {
	ctx := r.Context()
	deadline := time.Now().Add(i.Wait)
	for {
		claimed, stored, err := i.claim(ctx, p, key, r, hash)
		if err != nil {
			i.logError(ctx, "idempotency: claim", err)
			WriteProblem(w, http.StatusServiceUnavailable, "idempotency store unavailable; retry")
			return
		}
		if claimed {
			i.execute(w, r, next, p, key)
			return
		}
		if stored == nil {
			continue // the first request failed and released the key: claim it again
		}
		if stored.hash != hash {
			writeFieldProblem(w, http.StatusUnprocessableEntity, "Idempotency-Key was already used with a different request", "header.Idempotency-Key")
			return
		}
		if stored.status == "completed" {
			w.Header().Set("Content-Type", stored.contentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(stored.code)
			_, _ = io.WriteString(w, stored.body)
			return
		}
		if time.Now().After(deadline) {
			WriteProblem(w, http.StatusConflict, "a request with this Idempotency-Key is still in progress")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// claim inserts the key as in progress. It reports claimed=true when this request
// owns the key, or returns what is stored (nil if the key vanished meanwhile).
func (i *Idempotency) claim(ctx context.Context, p *auth.Principal, key string, r *http.Request, hash string) (bool, *storedResponse, error) {
	var claimed bool
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys
			(tenant_id, principal_id, key, method, path, request_hash, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7)
			ON CONFLICT (tenant_id, principal_id, key) DO NOTHING`,
			p.TenantID, p.ID, key, r.Method, r.URL.Path, hash, clock.Millis(i.clock.Now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil || claimed {
		return claimed, nil, err
	}
	var s storedResponse
	err = i.db.Reader().QueryRowContext(ctx, `SELECT request_hash, status, response_code, response_type, response_body
		FROM idempotency_keys WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`,
		p.TenantID, p.ID, key).Scan(&s.hash, &s.status, &s.code, &s.contentType, &s.body)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("idempotency: load: %w", err)
	}
	return false, &s, nil
}

func (i *Idempotency) execute(w http.ResponseWriter, r *http.Request, next http.Handler, p *auth.Principal, key string) {
	rec := &recorder{ResponseWriter: w, code: http.StatusOK}
	completed := false
	defer func() {
		// Runs on panic too, so a crashed request releases its key.
		ctx := context.WithoutCancel(r.Context())
		if completed && rec.code >= 200 && rec.code < 300 {
			i.finish(ctx, p, key, rec)
			return
		}
		i.release(ctx, p, key)
	}()
	next.ServeHTTP(rec, r)
	completed = true
}

func (i *Idempotency) finish(ctx context.Context, p *auth.Principal, key string, rec *recorder) {
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = 'completed', response_code = $4,
			response_type = $5, response_body = $6 WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`,
			p.TenantID, p.ID, key, rec.code, rec.Header().Get("Content-Type"), rec.body.String())
		return err
	})
	if err != nil {
		i.logError(ctx, "idempotency: store response", err)
	}
}

func (i *Idempotency) release(ctx context.Context, p *auth.Principal, key string) {
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`,
			p.TenantID, p.ID, key)
		return err
	})
	if err != nil {
		i.logError(ctx, "idempotency: release key", err)
	}
}

// Purge deletes keys created before the cutoff and returns how many it deleted.
func (i *Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, clock.Millis(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge: %w", err)
	}
	return n, nil
}

func (i *Idempotency) logError(ctx context.Context, msg string, err error) {
	if i.log != nil {
		i.log.ErrorContext(ctx, msg, "err", err)
	}
}

// recorder tees the response to the client and keeps a copy for replay.
type recorder struct {
	http.ResponseWriter
	code    int
	body    bytes.Buffer
	written bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.written {
		r.code = code
		r.written = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
