-- Identity (C2): customers resolved from event identifiers (One ID). A customer that
-- was merged into another keeps its row with merged_into set to the survivor (always
-- a live customer: chains are flattened on merge). customer_identifiers holds each
-- linking identifier (normalised, internal/identity/graph) of a live customer once
-- per tenant; its primary key is what stops two concurrent requests from creating two
-- customers for one new phone. identity_reviews lists the resolutions that were not
-- carried out automatically (a refused merge, an identifier over a per-customer
-- limit). events.customer_id is the customer an event is attached to (NULL for an
-- event without a linking identifier).

-- +goose Up
CREATE TABLE customers (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    merged_into   TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    event_count   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_merged_into ON customers (tenant_id, merged_into);

CREATE TABLE customer_identifiers (
    tenant_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    strength    TEXT NOT NULL CHECK (strength IN ('weak', 'medium', 'strong')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, type, value)
);
CREATE INDEX customer_identifiers_customer ON customer_identifiers (tenant_id, customer_id);

-- candidates is a JSON array of customer ids; customer_id is where the event went.
CREATE TABLE identity_reviews (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    candidates  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

ALTER TABLE events ADD COLUMN customer_id TEXT;
CREATE INDEX events_customer ON events (tenant_id, customer_id, occurred_at, id);

-- +goose Down
DROP INDEX events_customer;
ALTER TABLE events DROP COLUMN customer_id;
DROP TABLE identity_reviews;
DROP TABLE customer_identifiers;
DROP TABLE customers;
