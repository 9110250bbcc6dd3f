-- Organisation (C31) for identity (C1): an API key may belong to one touchpoint, the
-- credential a POS, app or marketplace connector sends its events with. The key can
-- then ingest for that touchpoint only. touchpoint_id comes from the identity domain
-- and is not a foreign key.

-- +goose Up
ALTER TABLE api_keys ADD COLUMN touchpoint_id TEXT;

-- +goose Down
ALTER TABLE api_keys DROP COLUMN touchpoint_id;
