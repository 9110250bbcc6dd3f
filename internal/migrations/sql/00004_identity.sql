-- Identity (C1): the touchpoint registry, per-touchpoint daily health counters and
-- the raw customer events sent to the ingestion API. Instants are BIGINT Unix
-- milliseconds (UTC). Store ids come from the org domain and are not foreign keys.
-- identifiers and properties hold JSON objects as TEXT: identifiers map an identifier
-- type (internal/identity/graph) to its normalised value.

-- +goose Up
CREATE TABLE touchpoints (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('online', 'offline', 'commercial', 'social')),
    channel      TEXT NOT NULL,
    store_id     TEXT,
    status       TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    last_seen_at BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX touchpoints_tenant ON touchpoints (tenant_id, id);

-- One row per touchpoint and UTC day (day = Unix days since 1970-01-01) of received
-- events: accepted counts stored events, rejected counts events refused by validation.
CREATE TABLE touchpoint_days (
    tenant_id     TEXT NOT NULL,
    touchpoint_id TEXT NOT NULL REFERENCES touchpoints (id),
    day           BIGINT NOT NULL,
    accepted      BIGINT NOT NULL DEFAULT 0,
    rejected      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, touchpoint_id, day)
);

CREATE TABLE events (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    touchpoint_id TEXT NOT NULL REFERENCES touchpoints (id),
    type          TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    identifiers   TEXT NOT NULL,
    properties    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_touchpoint ON events (tenant_id, touchpoint_id, received_at);

-- +goose Down
DROP TABLE events;
DROP TABLE touchpoint_days;
DROP TABLE touchpoints;
