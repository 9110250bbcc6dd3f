-- Identity (issue 11): the identity map's change log, which the identity-map export
-- (GET /api/v1/identity-map) pages through with a cursor. Each write transaction that
-- changes which customer an event or identifier belongs to appends entries: kind
-- 'events' (ref = touchpoint id, items = JSON array of the event ids it stored),
-- 'merge' and 'unmerge' (ref = customer_merges id), 'erase' (items = JSON array of
-- the erased customer ids) and 'reset' (a rebuild or key rotation: start again from a
-- snapshot). Entries hold ids only, never personal data.
--
-- seq is per tenant and is taken from identity_map_seqs as the transaction's last
-- statements: the counter row stays locked until the commit, so entries become
-- visible in seq order and a reader that has seen seq N has seen every entry below
-- it (no gap a cursor could step over). Existing data needs no backfill: an export
-- starts from a snapshot of the current map, and the log covers what changes after.

-- +goose Up
CREATE TABLE identity_map_seqs (
    tenant_id TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL
);

CREATE TABLE identity_map_log (
    tenant_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('events', 'merge', 'unmerge', 'erase', 'reset')),
    ref       TEXT NOT NULL DEFAULT '',
    items     TEXT NOT NULL DEFAULT '[]',
    at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

-- +goose Down
DROP TABLE identity_map_log;
DROP TABLE identity_map_seqs;
