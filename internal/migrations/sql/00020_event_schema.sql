-- Identity (issue 10 finding 2): a tenant's event schema — the event property names
-- declared non-personal, whose values readers without customers:pii see as they are
-- (decision 0015). non_personal holds a JSON array of names (lower case, full-width
-- folded); a tenant without a row uses identity.DefaultNonPersonal.

-- +goose Up
CREATE TABLE event_schemas (
    tenant_id    TEXT PRIMARY KEY,
    non_personal TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL
);

-- +goose Down
DROP TABLE event_schemas;
