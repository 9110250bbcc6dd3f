-- Loyalty reports (issue 13 scope 5, docs/loyalty.md "Reports", decision 0035).
--
-- loyalty_tier_moves: every tier change of a member, appended in the transaction
-- that changes loyalty_members.tier_id (an upgrade on earning or on a merge), so
-- "tier movements in a period" is a group-by over recorded rows rather than over
-- outbox events, which the retention job deletes. Rows before this migration are not
-- reconstructed: movements are reported from the day it runs.
--
-- The indexes serve the report's range scans: ledger entries of a tenant by time
-- (earn/burn by store and channel) and coupons of a tenant by issue time (the funnel).

-- +goose Up
CREATE TABLE loyalty_tier_moves (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    program_id   TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id  TEXT NOT NULL,
    from_tier_id TEXT NOT NULL DEFAULT '',
    to_tier_id   TEXT NOT NULL,
    growth       BIGINT NOT NULL,
    moved_at     BIGINT NOT NULL
);
CREATE INDEX loyalty_tier_moves_tenant ON loyalty_tier_moves (tenant_id, moved_at);
CREATE INDEX loyalty_entries_tenant_time ON loyalty_entries (tenant_id, created_at);
CREATE INDEX coupons_tenant_issued ON coupons (tenant_id, issued_at);

-- +goose Down
DROP INDEX coupons_tenant_issued;
DROP INDEX loyalty_entries_tenant_time;
DROP TABLE loyalty_tier_moves;
