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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// IdempotencyHeader is the request header that makes a POST safe to retry.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader marks a response replayed from the store.
const ReplayedHeader = "Idempotent-Replayed"

// maxIdempotencyKey bounds the length of an Idempotency-Key.
const maxIdempotencyKey = 255

// metaNoReplay is the operation metadata key NoReplay sets.
const metaNoReplay = "oneretail-no-replay"

// NoReplay returns the operation metadata that marks an operation whose response
// carries a credential (a session token, an API key secret): its response is never
// stored, and a retry with the Idempotency-Key of a request that succeeded answers
// 409 "replay not available for this operation" instead of a replay.
//
//	huma.Register(api, huma.Operation{OperationID: "create-api-key", …, Metadata: httpapi.NoReplay()}, …)
func NoReplay() map[string]any { return map[string]any{metaNoReplay: true} }

// IsNoReplay reports whether op is marked with NoReplay.
func IsNoReplay(op *huma.Operation) bool {
	v, _ := op.Metadata[metaNoReplay].(bool)
	return v
}

// Sealer seals stored response bodies with the personal-data key; *pii.Keys is one.
// ID names the key that Seal uses (the prefix of what it returns, before ":").
type Sealer interface {
	ID() string
	Seal(plaintext, context string) string
	Open(sealed, context string) (string, error)
}

// Key states in idempotency_keys.status.
const (
	keyInProgress = "in_progress" // a request holds the key (node_id, claim_id)
	keyCompleted  = "completed"   // succeeded; response_body holds the sealed response
	keyWithheld   = "withheld"    // succeeded; the response is not stored (NoReplay, too large, erased)
)

// Idempotency replays the stored response of a POST retried with the same
// Idempotency-Key and request, per principal. It runs as a huma middleware after
// authentication, the scope check and the body limit, so a replay is authorised like
// a first request. A key reused with a different request is a 422. Only successful
// (2xx) responses are kept, sealed with the personal-data key; a failed request
// changed nothing and may be retried with the same key.
//
// A key being executed belongs to its request: a retry waits for it (up to Wait).
// Once that request cannot be running any more — the node that holds it has not
// renewed its lease (Run) for Lease, or MaxRequest has passed since it was claimed — a
// retry takes the key over and executes again. Operations that allow retries across a
// crash must therefore be idempotent by themselves (ingestion by event id, redemption
// by order id), as the first attempt may have committed before the crash.
type Idempotency struct {
	db    *db.DB
	keys  Sealer
	clock clock.Clock
	log   *slog.Logger
	node  string

	// Wait bounds how long a retry waits for the request holding its key (30 s).
	Wait time.Duration
	// Lease is how long a node's heartbeat vouches for the requests it holds (10 s);
	// Run renews it every Lease/3.
	Lease time.Duration
	// MaxRequest is the longest a request can run; past it, a key still in progress
	// is taken over even from a live node. New sets it to the request timeout plus 30 s
	// when it is zero.
	MaxRequest time.Duration
	// MaxStored bounds a stored response (1 MiB); a larger one is withheld.
	MaxStored int
	// SecretMarkers are strings that only a credential contains (token prefixes); a
	// response containing one is withheld even when its operation is not NoReplay.
	SecretMarkers []string
}

// NewIdempotency returns the idempotency store of this process (a node with its own
// id). keys seals stored responses.
func NewIdempotency(d *db.DB, keys Sealer, c clock.Clock, log *slog.Logger) *Idempotency {
	return &Idempotency{db: d, keys: keys, clock: c, log: log, node: ids.New(),
		Wait: 30 * time.Second, Lease: 10 * time.Second, MaxStored: 1 << 20}
}

// NodeID returns the id of this process in http_nodes.
func (i *Idempotency) NodeID() string { return i.node }

// Run renews this node's lease every Lease/3 until ctx ends, then removes it (call it
// after the server has finished its requests). It returns nil when ctx ends.
func (i *Idempotency) Run(ctx context.Context) error {
	now := clock.Millis(i.clock.Now())
	if err := i.heartbeat(context.WithoutCancel(ctx), now, now); err != nil {
		i.logError(ctx, "idempotency: node heartbeat", err)
	}
	t := time.NewTicker(max(i.Lease/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			bg := context.WithoutCancel(ctx)
			if _, err := i.db.Writer().ExecContext(bg, `DELETE FROM http_nodes WHERE id = $1`, i.node); err != nil {
				i.logError(bg, "idempotency: remove node", err)
			}
			return nil
		case <-t.C:
			if err := i.heartbeat(ctx, now, clock.Millis(i.clock.Now())); err != nil && ctx.Err() == nil {
				i.logError(ctx, "idempotency: node heartbeat", err)
			}
		}
	}
}

// Heartbeat renews this node's lease once (Run does it periodically).
func (i *Idempotency) Heartbeat(ctx context.Context) error {
	now := clock.Millis(i.clock.Now())
	return i.heartbeat(ctx, now, now)
}

func (i *Idempotency) heartbeat(ctx context.Context, started, now int64) error {
	_, err := i.db.Writer().ExecContext(ctx, `INSERT INTO http_nodes (id, started_at, heartbeat_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, i.node, started, now)
	if err != nil {
		return fmt.Errorf("idempotency: heartbeat: %w", err)
	}
	return nil
}

// storedKey is an idempotency_keys row as a retry sees it.
type storedKey struct {
	hash, status, node, claim, authority, contentType, body string
	code                                                    int
	claimedAt, heartbeatAt                                  int64 // heartbeatAt: 0 when the node has no row
}

// lapsed reports whether the request holding k cannot be running any more at now:
// MaxRequest has passed since it was claimed, or it is held by another node whose
// lease (renewed by its heartbeat, or begun by the claim) has run out.
func (i *Idempotency) lapsed(k *storedKey, now time.Time) bool {
	claimed := clock.FromMillis(k.claimedAt)
	if now.After(claimed.Add(i.MaxRequest)) {
		return true
	}
	if k.node == i.node {
		return false
	}
	return now.After(clock.FromMillis(max(k.heartbeatAt, k.claimedAt)).Add(i.Lease))
}

// request is one idempotent request.
type request struct {
	p         *auth.Principal
	key       string
	hash      string
	authority string
	op        *huma.Operation
}

// handle is the huma middleware.
func (i *Idempotency) handle(api huma.API, ctx huma.Context, next func(huma.Context)) {
	key := ctx.Header(IdempotencyHeader)
	p := auth.FromContext(ctx.Context())
	if ctx.Method() != http.MethodPost || key == "" || p == nil {
		next(ctx)
		return
	}
	if len(key) > maxIdempotencyKey {
		_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "Idempotency-Key is longer than 255 characters",
			&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "longer than 255 characters"})
		return
	}
	u := ctx.URL()
	sum := sha256.New()
	sum.Write([]byte(ctx.Method() + " " + u.RequestURI() + "\n"))
	sum.Write(requestBody(ctx))
	req := &request{p: p, key: key, hash: hex.EncodeToString(sum.Sum(nil)), authority: authority(p), op: ctx.Operation()}

	wait := 25 * time.Millisecond
	deadline := time.Now().Add(i.Wait)
	for {
		claim, k, err := i.claim(ctx.Context(), req)
		if err != nil {
			noteFailure(ctx.Context(), err.Error())
			ctx.SetHeader("Retry-After", "1")
			_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "idempotency store unavailable; retry")
			return
		}
		if claim != "" {
			i.execute(ctx, next, req, claim)
			return
		}
		if k == nil {
			continue // released meanwhile: claim it again
		}
		if k.hash != req.hash {
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "Idempotency-Key was already used with a different request",
				&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "already used with a different request"})
			return
		}
		switch k.status {
		case keyCompleted:
			i.replay(api, ctx, req, k)
			return
		case keyWithheld:
			_ = huma.WriteErr(api, ctx, http.StatusConflict, "replay not available for this operation: the request with this Idempotency-Key "+
				"succeeded, and its response is not kept; read the result with a GET")
			return
		}
		if time.Now().After(deadline) {
			_ = huma.WriteErr(api, ctx, http.StatusConflict, "a request with this Idempotency-Key is still in progress; retry later")
			return
		}
		select {
		case <-ctx.Context().Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// authority fingerprints what p may do, so that a replay to a principal whose role,
// scopes or data scope changed since the first request is refused.
func authority(p *auth.Principal) string {
	scopes := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = string(s)
	}
	slices.Sort(scopes)
	sum := sha256.Sum256([]byte(strings.Join([]string{string(p.Kind), string(p.Role), string(p.DataScope), p.DataID, p.TouchpointID,
		strings.Join(scopes, ",")}, "\n")))
	return hex.EncodeToString(sum[:12])
}

// claim makes the key this request's: it inserts it, or takes over a key whose request
// has lapsed. It returns the claim id when this request holds the key, else the
// stored row (nil when the key vanished meanwhile).
func (i *Idempotency) claim(ctx context.Context, req *request) (string, *storedKey, error) {
	p := req.p
	claimID := ids.New()
	var k *storedKey
	claimed := false
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		k, claimed = nil, false
		now := i.clock.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys
			(tenant_id, principal_id, key, method, path, request_hash, status, node_id, claim_id, claimed_at, authority, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, $8, $9, $10, $9)
			ON CONFLICT (tenant_id, principal_id, key) DO NOTHING`,
			p.TenantID, p.ID, req.key, http.MethodPost, req.op.Path, req.hash, i.node, claimID, clock.Millis(now), req.authority)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			claimed = n == 1
			return err
		}
		var s storedKey
		err = tx.QueryRowContext(ctx, `SELECT k.request_hash, k.status, k.node_id, k.claim_id, k.authority, k.response_code, k.response_type,
				k.response_body, k.claimed_at, COALESCE(n.heartbeat_at, 0)
			FROM idempotency_keys k LEFT JOIN http_nodes n ON n.id = k.node_id
			WHERE k.tenant_id = $1 AND k.principal_id = $2 AND k.key = $3`, p.TenantID, p.ID, req.key).
			Scan(&s.hash, &s.status, &s.node, &s.claim, &s.authority, &s.code, &s.contentType, &s.body, &s.claimedAt, &s.heartbeatAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		k = &s
		if s.status != keyInProgress || s.hash != req.hash || !i.lapsed(&s, now) {
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET node_id = $4, claim_id = $5, claimed_at = $6, authority = $7
			WHERE tenant_id = $1 AND principal_id = $2 AND key = $3 AND status = 'in_progress' AND claim_id = $8`,
			p.TenantID, p.ID, req.key, i.node, claimID, clock.Millis(now), req.authority, s.claim)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("idempotency: claim: %w", err)
	}
	if claimed {
		if k != nil && i.log != nil {
			i.log.InfoContext(ctx, "idempotency: took over the key of a request that cannot be running any more",
				"request_id", RequestID(ctx), "op", req.op.OperationID, "node", k.node)
		}
		return claimID, nil, nil
	}
	return "", k, nil
}

// replay writes the stored response of k, after checking that the caller's authority
// has not changed since the first request.
func (i *Idempotency) replay(api huma.API, ctx huma.Context, req *request, k *storedKey) {
	if k.authority != req.authority {
		_ = huma.WriteErr(api, ctx, http.StatusConflict, "replay not available: the caller's permissions changed since the request with "+
			"this Idempotency-Key; read the result with a GET")
		return
	}
	body, err := i.keys.Open(k.body, sealContext(req.p, req.key))
	if err != nil {
		noteFailure(ctx.Context(), "idempotency: open stored response: "+err.Error())
		_ = huma.WriteErr(api, ctx, http.StatusConflict, "replay not available: the request with this Idempotency-Key succeeded, "+
			"but its stored response can no longer be read; read the result with a GET")
		return
	}
	ctx.SetHeader("Content-Type", k.contentType)
	ctx.SetHeader(ReplayedHeader, "true")
	ctx.SetStatus(k.code)
	_, _ = io.WriteString(ctx.BodyWriter(), body)
}

// sealContext binds a sealed response to its row, so that it cannot be moved to
// another principal's key.
func sealContext(p *auth.Principal, key string) string {
	return "idempotency_keys.response_body\n" + p.TenantID + "\n" + p.ID + "\n" + key
}

// execute runs the operation under a held key and stores its outcome: a 2xx is
// stored (or withheld), anything else — a panic included — releases the key.
func (i *Idempotency) execute(ctx huma.Context, next func(huma.Context), req *request, claim string) {
	rec := &recordingContext{inner: ctx, max: i.MaxStored}
	subjects := &subjectSet{}
	completed := false
	defer func() {
		bg := context.WithoutCancel(ctx.Context())
		if completed && rec.code >= 200 && rec.code < 300 {
			i.finish(bg, req, claim, rec, subjects.list())
			return
		}
		i.release(bg, req, claim)
	}()
	next(huma.WithContext(rec, context.WithValue(ctx.Context(), subjectsKey{}, subjects)))
	completed = true
}

// withheld reports whether a successful response must not be stored.
func (i *Idempotency) withheld(req *request, rec *recordingContext) bool {
	if IsNoReplay(req.op) || rec.overflow {
		return true
	}
	for _, m := range i.SecretMarkers {
		if bytes.Contains(rec.body.Bytes(), []byte(m)) {
			return true
		}
	}
	return false
}

func (i *Idempotency) finish(ctx context.Context, req *request, claim string, rec *recordingContext, subjects []string) {
	p := req.p
	status, contentType, body := keyCompleted, rec.contentType, i.keys.Seal(rec.body.String(), sealContext(p, req.key))
	if i.withheld(req, rec) {
		status, contentType, body, subjects = keyWithheld, "", "", nil
	}
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $4, response_code = $5, response_type = $6, response_body = $7
			WHERE tenant_id = $1 AND principal_id = $2 AND key = $3 AND claim_id = $8`,
			p.TenantID, p.ID, req.key, status, rec.code, contentType, body, claim)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // taken over meanwhile: the request that holds the key now stores its own outcome
		}
		now := clock.Millis(i.clock.Now())
		for _, s := range subjects {
			if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_subjects (tenant_id, subject, principal_id, key, created_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, subject, principal_id, key) DO NOTHING`,
				p.TenantID, s, p.ID, req.key, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		i.logError(ctx, "idempotency: store response", err)
	}
}

func (i *Idempotency) release(ctx context.Context, req *request, claim string) {
	_, err := i.db.Writer().ExecContext(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal_id = $2 AND key = $3 AND claim_id = $4`,
		req.p.TenantID, req.p.ID, req.key, claim)
	if err != nil {
		i.logError(ctx, "idempotency: release key", err)
	}
}

// Purge deletes keys (and their subjects) created before the cutoff, and nodes whose
// lease ran out before it, and returns how many keys it deleted.
func (i *Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	cutoff := clock.Millis(before)
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, cutoff)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_subjects WHERE created_at < $1`, cutoff); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM http_nodes WHERE heartbeat_at < $1`, cutoff)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge: %w", err)
	}
	return n, nil
}

func (i *Idempotency) logError(ctx context.Context, msg string, err error) {
	if i.log != nil {
		i.log.ErrorContext(ctx, msg, "request_id", RequestID(ctx), "err", err)
	}
}

// recordingContext passes the response through and keeps a copy for storing.
type recordingContext struct {
	inner
	max         int
	code        int
	contentType string
	body        bytes.Buffer
	overflow    bool
}

func (c *recordingContext) SetStatus(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.inner.SetStatus(code)
}

func (c *recordingContext) SetHeader(name, value string) {
	if http.CanonicalHeaderKey(name) == "Content-Type" {
		c.contentType = value
	}
	c.inner.SetHeader(name, value)
}

func (c *recordingContext) AppendHeader(name, value string) {
	if http.CanonicalHeaderKey(name) == "Content-Type" {
		c.contentType = value
	}
	c.inner.AppendHeader(name, value)
}

func (c *recordingContext) BodyWriter() io.Writer { return recordingWriter{c} }

// Unwrap returns the wrapped context.
func (c *recordingContext) Unwrap() huma.Context { return c.inner }

type recordingWriter struct{ c *recordingContext }

func (w recordingWriter) Write(b []byte) (int, error) {
	c := w.c
	if c.code == 0 {
		c.code = http.StatusOK
	}
	if !c.overflow {
		if c.body.Len()+len(b) > c.max {
			c.overflow = true
			c.body = bytes.Buffer{}
		} else {
			c.body.Write(b)
		}
	}
	return c.inner.BodyWriter().Write(b)
}

// Flush passes a flush through to the response.
func (w recordingWriter) Flush() {
	if f, ok := w.c.inner.BodyWriter().(http.Flusher); ok {
		f.Flush()
	}
}

type subjectsKey struct{}

// subjectSet collects the subjects a handler notes.
type subjectSet struct {
	mu  sync.Mutex
	ids []string
}

func (s *subjectSet) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// NoteSubjects records that the response of the request in ctx concerns these
// subjects (customer ids): if the response is stored for replay, ForgetSubjects
// withholds it when one of them is erased. Handlers and services whose response
// carries personal data call it; outside an idempotent request it does nothing.
func NoteSubjects(ctx context.Context, subjects ...string) {
	s, _ := ctx.Value(subjectsKey{}).(*subjectSet)
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range subjects {
		if id != "" {
			s.ids = append(s.ids, id)
		}
	}
}

// ForgetSubjects withholds, in tx, every stored response of the tenant noted as
// concerning one of subjects (see NoteSubjects): its body is deleted and a retry
// with its key answers 409 instead of a replay. It returns how many responses it
// withheld. Erasure calls it in its own transaction.
func (i *Idempotency) ForgetSubjects(ctx context.Context, tx *sql.Tx, tenantID string, subjects []string) (int64, error) {
	if len(subjects) == 0 {
		return 0, nil
	}
	args := []any{tenantID}
	in := db.Placeholders(&args, subjects)
	res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = 'withheld', response_type = '', response_body = ''
		WHERE tenant_id = $1 AND status = 'completed' AND EXISTS (SELECT 1 FROM idempotency_subjects s
			WHERE s.tenant_id = idempotency_keys.tenant_id AND s.principal_id = idempotency_keys.principal_id
			AND s.key = idempotency_keys.key AND s.subject IN (`+in+`))`, args...)
	if err != nil {
		return 0, fmt.Errorf("idempotency: forget subjects: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("idempotency: forget subjects: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_subjects WHERE tenant_id = $1 AND subject IN (`+in+`)`, args...); err != nil {
		return 0, fmt.Errorf("idempotency: forget subjects: %w", err)
	}
	return n, nil
}

// ResealStoredResponses re-seals every stored response under to, opening it with
// from (or to, for those already under it), in transactions of batch rows (500 when
// zero), and returns how many it re-sealed. A response that opens under neither key
// is withheld rather than kept unreadable. The personal-data key rotation calls it;
// the service must not run meanwhile.
func ResealStoredResponses(ctx context.Context, d *db.DB, from, to Sealer, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	prefix := to.ID() + ":"
	total := 0
	for {
		n := 0
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			n = 0
			type row struct{ tenant, principal, key, body string }
			var rows []row
			err := db.EachRow(ctx, tx, `SELECT tenant_id, principal_id, key, response_body FROM idempotency_keys
				WHERE response_body <> '' AND substr(response_body, 1, $1) <> $2
				ORDER BY tenant_id, principal_id, key LIMIT $3`, []any{len(prefix), prefix, batch}, func(rs *sql.Rows) error {
				var r row
				err := rs.Scan(&r.tenant, &r.principal, &r.key, &r.body)
				rows = append(rows, r)
				return err
			})
			if err != nil {
				return err
			}
			for _, r := range rows {
				seal := sealContext(&auth.Principal{TenantID: r.tenant, ID: r.principal}, r.key)
				status, body := keyCompleted, ""
				if plain, err := from.Open(r.body, seal); err == nil {
					body = to.Seal(plain, seal)
				} else {
					status = keyWithheld
				}
				if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $4, response_body = $5
					WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`, r.tenant, r.principal, r.key, status, body); err != nil {
					return err
				}
			}
			n = len(rows)
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("idempotency: reseal stored responses: %w", err)
		}
		if n < batch {
			return total, nil
		}
	}
}
