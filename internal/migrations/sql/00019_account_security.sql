-- Account security (issue 10, findings 1, 10 and 11; docs/decisions/0016).
--
-- users.must_change_password: an administrator set this user's password, so the next
-- session may only change it (and log out, and read /me) until the user has.
--
-- api_keys.created_by_kind says what created_by names: a user, another API key or the
-- platform ('system': the admin command, the demo loader). owner_kind and
-- owner_user_id name whose current access bounds the key: the creating user, the owner
-- of the creating key, or nobody for the platform's keys. A key's effective scopes are
-- its own scopes that its owner still holds; 'unknown' (a creator that cannot be
-- resolved) suspends the key.
--
-- login_throttle keeps the per-account progressive delay of logins across nodes: one
-- row per login text (its SHA-256, so a password typed into the login field is not
-- stored), with the consecutive failures, the last counted attempt and the instant
-- before which no further attempt is judged (Unix ms).

-- +goose Up
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE api_keys ADD COLUMN created_by_kind TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE api_keys ADD COLUMN owner_kind TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE api_keys ADD COLUMN owner_user_id TEXT;

UPDATE api_keys SET created_by_kind = 'system', owner_kind = 'system' WHERE created_by = 'system';

UPDATE api_keys SET created_by_kind = 'user', owner_kind = 'user', owner_user_id = created_by
WHERE EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = api_keys.tenant_id AND u.id = api_keys.created_by);

UPDATE api_keys SET created_by_kind = 'api_key'
WHERE EXISTS (SELECT 1 FROM api_keys p WHERE p.tenant_id = api_keys.tenant_id AND p.id = api_keys.created_by);

-- A key made by a key has the owner of the first key up its chain of makers that was
-- made by a user or the platform; a chain that ends at an unknown maker stays unknown.
WITH RECURSIVE chain (id, maker, depth) AS (
    SELECT id, created_by, 1 FROM api_keys WHERE created_by_kind = 'api_key'
    UNION ALL
    SELECT c.id, p.created_by, c.depth + 1
    FROM chain c JOIN api_keys p ON p.id = c.maker
    WHERE p.created_by_kind = 'api_key' AND c.depth < 64
)
UPDATE api_keys SET
    owner_kind = (SELECT r.owner_kind FROM chain c JOIN api_keys r ON r.id = c.maker
                  WHERE c.id = api_keys.id AND r.created_by_kind IN ('user', 'system') LIMIT 1),
    owner_user_id = (SELECT r.owner_user_id FROM chain c JOIN api_keys r ON r.id = c.maker
                     WHERE c.id = api_keys.id AND r.created_by_kind IN ('user', 'system') LIMIT 1)
WHERE created_by_kind = 'api_key'
  AND EXISTS (SELECT 1 FROM chain c JOIN api_keys r ON r.id = c.maker
              WHERE c.id = api_keys.id AND r.created_by_kind IN ('user', 'system'));

CREATE TABLE login_throttle (
    account  TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  BIGINT NOT NULL,
    next_at  BIGINT NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle (last_at);

-- +goose Down
DROP TABLE login_throttle;
ALTER TABLE api_keys DROP COLUMN owner_user_id;
ALTER TABLE api_keys DROP COLUMN owner_kind;
ALTER TABLE api_keys DROP COLUMN created_by_kind;
ALTER TABLE users DROP COLUMN must_change_password;
