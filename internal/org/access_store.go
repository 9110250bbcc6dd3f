package org

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// --- sessions ---

const sessionColumns = `id, tenant_id, user_id, created_at, expires_at, last_seen_at, revoked_at, client_ip, user_agent`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var s Session
	var created, expires, seen int64
	var revoked sql.NullInt64
	err := row.Scan(&s.ID, &s.TenantID, &s.UserID, &created, &expires, &seen, &revoked, &s.ClientIP, &s.UserAgent)
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = clock.FromMillis(created), clock.FromMillis(expires), clock.FromMillis(seen)
	s.RevokedAt = nullMillis(revoked)
	return s, err
}

func insertSession(ctx context.Context, tx *sql.Tx, s Session, tokenHash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, expires_at,
		last_seen_at, client_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.TenantID, s.UserID, tokenHash, clock.Millis(s.CreatedAt), clock.Millis(s.ExpiresAt),
		clock.Millis(s.LastSeenAt), s.ClientIP, s.UserAgent)
	return err
}

func findSession(ctx context.Context, q db.Querier, tenantID, id string) (Session, error) {
	s, err := scanSession(q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE tenant_id = $1 AND id = $2`,
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, notFound("session")
	}
	return s, err
}

// findActiveSessions returns the user's sessions that are neither revoked nor
// expired, newest first.
func findActiveSessions(ctx context.Context, q db.Querier, tenantID, userID string, now time.Time) ([]Session, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE tenant_id = $1 AND user_id = $2
		AND revoked_at IS NULL AND expires_at > $3 ORDER BY id DESC LIMIT 200`, tenantID, userID, clock.Millis(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func revokeSession(ctx context.Context, tx *sql.Tx, tenantID, id string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2
		AND revoked_at IS NULL`, tenantID, id, clock.Millis(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// revokeUserSessions ends every live session of the user except keep.
func revokeUserSessions(ctx context.Context, tx *sql.Tx, tenantID, userID, keep string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $4 WHERE tenant_id = $1 AND user_id = $2
		AND id <> $3 AND revoked_at IS NULL`, tenantID, userID, keep, clock.Millis(now))
	return err
}

// sessionAuth is what Authenticate reads for a session token, in one query.
type sessionAuth struct {
	sessionID  string
	tenantID   string
	expiresAt  int64
	lastSeenAt int64
	revoked    bool
	user       User
}

func findSessionAuth(ctx context.Context, q db.Querier, tokenHash string) (sessionAuth, error) {
	var a sessionAuth
	var revoked sql.NullInt64
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+`, s.id, s.tenant_id, s.expires_at, s.last_seen_at,
		s.revoked_at FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
		WHERE s.token_hash = $1`, tokenHash), &a.sessionID, &a.tenantID, &a.expiresAt, &a.lastSeenAt, &revoked)
	a.user, a.revoked = u, revoked.Valid
	return a, err
}

func touchSession(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`,
		id, clock.Millis(now))
	return err
}

// --- API keys ---

// apiKeySelect reads API keys (k) with their owner's current role, status and data
// scope (ou), so that authentication stays one indexed read.
const apiKeySelect = `SELECT k.id, k.tenant_id, k.name, k.prefix, k.scopes, k.created_by, k.created_by_kind, k.created_at,
	k.last_used_at, k.revoked_at, k.touchpoint_id, k.owner_kind, k.owner_user_id,
	COALESCE(ou.role, ''), COALESCE(ou.status, ''), COALESCE(ou.scope_type, '')`

// apiKeyFrom joins the owner to api_keys.
const apiKeyFrom = ` FROM api_keys k LEFT JOIN users ou ON ou.tenant_id = k.tenant_id AND ou.id = k.owner_user_id`

func scanAPIKey(row interface{ Scan(...any) error }, extra ...any) (APIKey, error) {
	var k APIKey
	var scopes string
	var created int64
	var used, revoked sql.NullInt64
	var touchpoint, ownerUser sql.NullString
	dest := append([]any{&k.ID, &k.TenantID, &k.Name, &k.Prefix, &scopes, &k.CreatedBy, &k.CreatedByKind, &created,
		&used, &revoked, &touchpoint, &k.Owner.Kind, &ownerUser, &k.Owner.Role, &k.Owner.Status, &k.Owner.ScopeType}, extra...)
	err := row.Scan(dest...)
	k.TouchpointID = touchpoint.String
	k.Owner.UserID = ownerUser.String
	k.Scopes = parseScopes(scopes)
	k.CreatedAt = clock.FromMillis(created)
	k.LastUsedAt, k.RevokedAt = nullMillis(used), nullMillis(revoked)
	return k, err
}

func insertAPIKey(ctx context.Context, tx *sql.Tx, k APIKey, secretHash string) error {
	var touchpoint, ownerUser any
	if k.TouchpointID != "" {
		touchpoint = k.TouchpointID
	}
	if k.Owner.UserID != "" {
		ownerUser = k.Owner.UserID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by,
		created_by_kind, owner_kind, owner_user_id, created_at, touchpoint_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, k.ID, k.TenantID, k.Name, k.Prefix, secretHash,
		strings.Join(scopeStrings(k.Scopes), " "), k.CreatedBy, k.CreatedByKind, k.Owner.Kind, ownerUser,
		clock.Millis(k.CreatedAt), touchpoint)
	return err
}

func findAPIKey(ctx context.Context, q db.Querier, tenantID, id string) (APIKey, error) {
	k, err := scanAPIKey(q.QueryRowContext(ctx, apiKeySelect+apiKeyFrom+` WHERE k.tenant_id = $1 AND k.id = $2`,
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, notFound("API key")
	}
	return k, err
}

// findAPIKeys lists the tenant's keys after the cursor with their creators' login and
// name (a creating key's name).
func findAPIKeys(ctx context.Context, q db.Querier, tenantID, after string, n int) ([]APIKey, error) {
	rows, err := q.QueryContext(ctx, apiKeySelect+`, COALESCE(cu.login, ''), COALESCE(cu.name, ck.name, '')`+apiKeyFrom+`
		LEFT JOIN users cu ON k.created_by_kind = 'user' AND cu.tenant_id = k.tenant_id AND cu.id = k.created_by
		LEFT JOIN api_keys ck ON k.created_by_kind = 'api_key' AND ck.tenant_id = k.tenant_id AND ck.id = k.created_by
		WHERE k.tenant_id = $1 AND k.id > $2 ORDER BY k.id LIMIT $3`, tenantID, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var login, name string
		k, err := scanAPIKey(rows, &login, &name)
		if err != nil {
			return nil, err
		}
		k.CreatorLogin, k.CreatorName = login, name
		out = append(out, k)
	}
	return out, rows.Err()
}

func revokeAPIKey(ctx context.Context, tx *sql.Tx, tenantID, id string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2
		AND revoked_at IS NULL`, tenantID, id, clock.Millis(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// findAPIKeyByPrefix returns the key with the lookup prefix, in any tenant, with its
// owner's current access and its secret hash.
func findAPIKeyByPrefix(ctx context.Context, q db.Querier, prefix string) (APIKey, string, error) {
	var hash string
	k, err := scanAPIKey(q.QueryRowContext(ctx, apiKeySelect+`, k.secret_hash`+apiKeyFrom+` WHERE k.prefix = $1`,
		prefix), &hash)
	return k, hash, err
}

func touchAPIKey(ctx context.Context, tx *sql.Tx, id string, now, before time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1
		AND (last_used_at IS NULL OR last_used_at <= $3)`, id, clock.Millis(now), clock.Millis(before))
	return err
}

func scopeStrings(scopes []auth.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

func parseScopes(s string) []auth.Scope {
	fields := strings.Fields(s)
	out := make([]auth.Scope, len(fields))
	for i, f := range fields {
		out[i] = auth.Scope(f)
	}
	return out
}
