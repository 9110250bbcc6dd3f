-- Identity (C1): events.touchpoint_id stops being a foreign key. Checking it cost a
-- look-up and a share lock on the touchpoint row for every event inserted — with two
-- batches from one touchpoint in flight, a multixact per row — which made the event
-- insert the slowest statement of ingestion. Touchpoints are never deleted (they are
-- disabled), and ingestion only stores events for a touchpoint it has just read, so
-- the key guarded nothing. The table is rebuilt because SQLite cannot drop a
-- constraint; the rows, columns and indexes stay the same.
-- oneretail:keeps events copied row for row into events_rebuilt, which takes its name

-- +goose Up
CREATE TABLE events_rebuilt (
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
INSERT INTO events_rebuilt (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
    SELECT tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE INDEX events_touchpoint ON events (tenant_id, touchpoint_id, received_at);
CREATE INDEX events_customer ON events (tenant_id, customer_id, occurred_at, id);

-- +goose Down
CREATE TABLE events_keyed (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    touchpoint_id TEXT NOT NULL REFERENCES touchpoints (id),
    type          TEXT NOT NULL,
    occurred_at   BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    identifiers   TEXT NOT NULL,
    properties    TEXT NOT NULL,
    customer_id   TEXT,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO events_keyed (tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id)
    SELECT tenant_id, id, touchpoint_id, type, occurred_at, received_at, identifiers, properties, customer_id FROM events;
DROP TABLE events;
ALTER TABLE events_keyed RENAME TO events;
CREATE INDEX events_touchpoint ON events (tenant_id, touchpoint_id, received_at);
CREATE INDEX events_customer ON events (tenant_id, customer_id, occurred_at, id);
