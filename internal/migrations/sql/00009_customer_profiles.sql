-- Customer 360 (issue 4: C2 merge/unmerge and review queue, C3 profile, C4 consents).
-- customer_profiles holds one profile per customer. name, birthday and address are
-- personal data and are stored sealed (internal/platform/pii, one context per
-- column); name_index is the blind index of the normalised name for whole-name
-- search. fields_at is the occurred_at of the newest event that set a field, so an
-- older event only fills empty fields; registered_by_event says whether the
-- registration came from a register event (else from the first event seen).
-- customer_store_visits counts a customer's events per store (preferred store).
-- customer_consents is the current consent per (purpose, channel);
-- customer_consent_history every consent recorded. customer_merges records every
-- merge (auto, manual, fuzzy) and customer_merge_items what it moved: kind
-- 'identifier' (item = blind index of TYPE:VALUE, never the value), 'event' (event id)
-- or 'redirect' (a customer that pointed to the absorbed one), so that unmerge can
-- move exactly those back. Instants are BIGINT Unix milliseconds (UTC).

-- +goose Up
CREATE TABLE customer_profiles (
    tenant_id            TEXT NOT NULL,
    customer_id          TEXT NOT NULL,
    name                 TEXT NOT NULL DEFAULT '',
    name_index           TEXT NOT NULL DEFAULT '',
    gender               TEXT NOT NULL DEFAULT '',
    birthday             TEXT NOT NULL DEFAULT '',
    city                 TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    preferred_store_id   TEXT NOT NULL DEFAULT '',
    registration_channel TEXT NOT NULL DEFAULT '',
    registered_at        BIGINT,
    registered_by_event  BOOLEAN NOT NULL DEFAULT FALSE,
    fields_at            BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);
CREATE INDEX customer_profiles_name ON customer_profiles (tenant_id, name_index);

CREATE TABLE customer_store_visits (
    tenant_id   TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    store_id    TEXT NOT NULL,
    events      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, customer_id, store_id)
);

CREATE TABLE customer_consents (
    tenant_id   TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, purpose, channel)
);

CREATE TABLE customer_consent_history (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customer_consent_history_customer ON customer_consent_history (tenant_id, customer_id, id);

CREATE TABLE customer_merges (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    survivor_id TEXT NOT NULL,
    absorbed_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('auto', 'manual', 'fuzzy')),
    reason      TEXT NOT NULL,
    filled      TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    undone_at   BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customer_merges_survivor ON customer_merges (tenant_id, survivor_id);
CREATE INDEX customer_merges_absorbed ON customer_merges (tenant_id, absorbed_id);

CREATE TABLE customer_merge_items (
    tenant_id TEXT NOT NULL,
    merge_id  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('identifier', 'event', 'redirect')),
    item      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, kind, item)
);
CREATE INDEX customer_merge_items_item ON customer_merge_items (tenant_id, kind, item);

-- Reviews: score is set by fuzzy matching only; resolution is merge or separate.
ALTER TABLE identity_reviews ADD COLUMN score DOUBLE PRECISION;
ALTER TABLE identity_reviews ADD COLUMN resolved_at BIGINT;
ALTER TABLE identity_reviews ADD COLUMN resolution TEXT;
ALTER TABLE identity_reviews ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX identity_reviews_status ON identity_reviews (tenant_id, status, id);

-- +goose Down
DROP INDEX identity_reviews_status;
ALTER TABLE identity_reviews DROP COLUMN note;
ALTER TABLE identity_reviews DROP COLUMN resolution;
ALTER TABLE identity_reviews DROP COLUMN resolved_at;
ALTER TABLE identity_reviews DROP COLUMN score;
DROP TABLE customer_merge_items;
DROP TABLE customer_merges;
DROP TABLE customer_consent_history;
DROP TABLE customer_consents;
DROP TABLE customer_store_visits;
DROP TABLE customer_profiles;
