-- Promotions (C8): promotion definitions and, per tenant, a version counter that every
-- change bumps so that each node's in-memory pricing index knows when to reload.
-- definition is the engine.Promotion as JSON; starts_at and ends_at (Unix ms, NULL when
-- open) copy its conditions.start and conditions.end for listing and filtering.

-- +goose Up
CREATE TABLE promotions (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'ended')),
    definition TEXT NOT NULL,
    starts_at  BIGINT,
    ends_at    BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX promotions_tenant ON promotions (tenant_id, id);
CREATE INDEX promotions_status ON promotions (tenant_id, status, id);

CREATE TABLE promotions_version (
    tenant_id TEXT PRIMARY KEY,
    version   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE promotions_version;
DROP TABLE promotions;
