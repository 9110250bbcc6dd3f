-- Platform tables: the transactional outbox, per-subscriber deliveries, idempotency
-- keys and the audit trail. Instants are BIGINT Unix milliseconds (UTC) on both engines.

-- +goose Up
CREATE TABLE outbox_events (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    aggregate_id    TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered_at    BIGINT
);
CREATE INDEX outbox_events_due ON outbox_events (status, next_attempt_at);
CREATE INDEX outbox_events_tenant ON outbox_events (tenant_id, status, id);

CREATE TABLE event_deliveries (
    event_id     TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    subscriber   TEXT NOT NULL,
    delivered_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, subscriber)
);

CREATE TABLE processed_events (
    subscriber   TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at BIGINT NOT NULL,
    PRIMARY KEY (subscriber, event_id)
);

CREATE TABLE idempotency_keys (
    tenant_id      TEXT NOT NULL,
    principal_id   TEXT NOT NULL,
    key            TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    status         TEXT NOT NULL,
    response_code  INTEGER NOT NULL DEFAULT 0,
    response_type  TEXT NOT NULL DEFAULT '',
    response_body  TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, principal_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    at            BIGINT NOT NULL,
    actor_type    TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    changes       TEXT NOT NULL,
    request_id    TEXT NOT NULL
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_resource ON audit_events (tenant_id, resource_type, resource_id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE processed_events;
DROP TABLE event_deliveries;
DROP TABLE outbox_events;
