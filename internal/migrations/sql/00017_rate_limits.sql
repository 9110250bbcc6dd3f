-- Rate limits shared by every node (internal/platform/ratelimit): one row per limited
-- key — an account's logins, a client address, a principal's customer look-ups — with
-- the generic cell rate algorithm's "theoretical arrival time" (tat, Unix ms). A key
-- whose tat has passed is back at its full allowance and may be deleted. nonce tells
-- the caller of an upsert whether its own attempt was the one admitted.

-- +goose Up
CREATE TABLE rate_limits (
    key   TEXT PRIMARY KEY,
    tat   BIGINT NOT NULL,
    nonce TEXT NOT NULL
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);

-- +goose Down
DROP TABLE rate_limits;
