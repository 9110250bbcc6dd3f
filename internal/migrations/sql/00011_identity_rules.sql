-- Identity (C2): a tenant's own identity rules (strength, per-customer limits, whether
-- a type links, cluster limit). rules holds a JSON object keyed by identifier type
-- name; a tenant without a row uses graph.DefaultRules. Normalisation is not stored:
-- it belongs to the type, and changing it would orphan the values already stored.

-- +goose Up
CREATE TABLE identity_rules (
    tenant_id  TEXT PRIMARY KEY,
    rules      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

-- +goose Down
DROP TABLE identity_rules;
