-- Personal data (C4): pii_key_state records the key the database's personal data is
-- sealed under (pii.Keys.ID, a fingerprint of the master secret) and, while a key
-- rotation runs, the key it rotates to. `oneretail serve` compares it with its own
-- key at start — one row read instead of a scan of every sealed value — and refuses a
-- database under another key or half-way through a rotation. One row: the singleton
-- column is always 1.

-- +goose Up
CREATE TABLE pii_key_state (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    key_id      TEXT NOT NULL,
    rotating_to TEXT,
    updated_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE pii_key_state;
