-- Identity (C1): an event id is unique per touchpoint, not per tenant. With the key
-- (tenant_id, id) an event sent by one touchpoint made another touchpoint's event
-- with the same id a "duplicate" that was dropped — one key could erase another
-- source's data. The key becomes (tenant_id, touchpoint_id, id); de-duplication,
-- replays and every look-up of an event by id go through the touchpoint.
--
-- What names an event elsewhere follows, while the old key still makes an id
-- unambiguous:
-- - customer_merge_items of kind 'event' name the event as touchpoint id, '/', event
--   id (touchpoint ids are made by the server and never hold '/'); an item whose
--   event no longer exists is left as it was (it matches no event either way);
-- - identity_reviews gain event_touchpoint_id, the touchpoint of event_id (NULL when
--   no event has that id).
-- oneretail:keeps events copied row for row into the rebuilt table, which takes its name
-- The events table is rebuilt (SQLite cannot change a primary key); its rows and
-- columns stay. The customer index gains touchpoint_id as the last tie-break of a
-- customer's timeline. events_touchpoint (tenant_id, touchpoint_id, received_at) is
-- not made again: the primary key now leads with the same two columns, no query
-- orders a touchpoint's events by receipt, and beside the new key it was a trap —
-- on a table not analysed yet PostgreSQL probed it for "this touchpoint's event X",
-- reading every event of the touchpoint per probe (ingestion fell from 4,400 to 700
-- events/s).

-- +goose Up
UPDATE customer_merge_items SET item = (
        SELECT e.touchpoint_id || '/' || e.id FROM events e
        WHERE e.tenant_id = customer_merge_items.tenant_id AND e.id = customer_merge_items.item)
    WHERE kind = 'event' AND EXISTS (
        SELECT 1 FROM events e WHERE e.tenant_id = customer_merge_items.tenant_id AND e.id = customer_merge_items.item);

ALTER TABLE identity_reviews ADD COLUMN event_touchpoint_id TEXT;
UPDATE identity_reviews SET event_touchpoint_id = (
    SELECT e.touchpoint_id FROM events e WHERE e.tenant_id = identity_reviews.tenant_id AND e.id = identity_reviews.event_id);

CREATE TABLE events_per_touchpoint (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    touchpoint_id TEXT NOT NULL,
    type          TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    identifiers   TEXT NOT NULL,
    properties    TEXT NOT NULL,
    customer_id   TEXT,
    PRIMARY KEY (tenant_id, touchpoint_id, id)
);
INSERT INTO events_per_touchpoint (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
    SELECT tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id FROM events;
DROP TABLE events;
ALTER TABLE events_per_touchpoint RENAME TO events;
CREATE INDEX events_customer ON events (tenant_id, customer_id, occurred_at, id, touchpoint_id);

-- +goose Down
-- Refused (a primary-key violation) once two touchpoints stored events with the same
-- id: going back would drop one of them.
CREATE TABLE events_per_tenant (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    touchpoint_id TEXT NOT NULL,
    type          TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    identifiers   TEXT NOT NULL,
    properties    TEXT NOT NULL,
    customer_id   TEXT,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO events_per_tenant (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
    SELECT tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id FROM events;

UPDATE customer_merge_items SET item = (
        SELECT e.id FROM events e
        WHERE e.tenant_id = customer_merge_items.tenant_id AND e.touchpoint_id || '/' || e.id = customer_merge_items.item)
    WHERE kind = 'event' AND EXISTS (
        SELECT 1 FROM events e WHERE e.tenant_id = customer_merge_items.tenant_id AND e.touchpoint_id || '/' || e.id = customer_merge_items.item);
ALTER TABLE identity_reviews DROP COLUMN event_touchpoint_id;

DROP TABLE events;
ALTER TABLE events_per_tenant RENAME TO events;
CREATE INDEX events_touchpoint ON events (tenant_id, touchpoint_id, received_at);
CREATE INDEX events_customer ON events (tenant_id, customer_id, occurred_at, id);
