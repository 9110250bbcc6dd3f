-- Platform (issues 10 and 18): idempotency that is safe and recovers.
--
-- A key in progress records the node (process) and claim that hold it and when it was
-- claimed, so that a retry can take over a key whose request cannot be running any
-- more; http_nodes holds each serving process's lease (heartbeat). authority
-- fingerprints the caller's permissions at the first request, so that a replay to a
-- caller whose permissions changed is refused. idempotency_subjects lists the customers
-- a stored response concerns, so that erasure withholds it.
--
-- Stored responses are sealed with the personal-data key from now on. Those stored
-- before (plain text, some holding API key secrets, session tokens or personal data,
-- for at most 24 hours) lose their body here: their keys stay, as 'withheld', so that
-- a retry answers 409 instead of carrying out the request a second time.

-- +goose Up
ALTER TABLE idempotency_keys ADD COLUMN node_id TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN claim_id TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN authority TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET status = 'withheld', response_type = '', response_body = '' WHERE status = 'completed';

CREATE TABLE idempotency_subjects (
    tenant_id    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subject, principal_id, key)
);
CREATE INDEX idempotency_subjects_created ON idempotency_subjects (created_at);

CREATE TABLE http_nodes (
    id           TEXT PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE http_nodes;
DROP TABLE idempotency_subjects;
ALTER TABLE idempotency_keys DROP COLUMN authority;
ALTER TABLE idempotency_keys DROP COLUMN claimed_at;
ALTER TABLE idempotency_keys DROP COLUMN claim_id;
ALTER TABLE idempotency_keys DROP COLUMN node_id;
