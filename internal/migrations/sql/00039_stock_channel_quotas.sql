-- Channel allocation (issue 12 scope 5, docs/inventory.md, decision 0026): per
-- location and SKU, quotas carved out of available stock for sales channels
-- (meituan, mini_program, ...); the rest is the shared pool every channel draws on.
--
-- stock_channel_quotas.used is what active reservations of the channel hold against
-- its quota; stock_balances.quota_free is the sum over the balance's channels of
-- max(quota - used, 0): held back from the shared pool. A reservation from a channel
-- takes its quota first (stock_reservation_lines.from_quota) and then the shared pool
-- (available - quota_free), never beyond available. Every change of these rows takes
-- the balance row first, so the conditional UPDATE on it stays the one lock.

-- +goose Up
ALTER TABLE stock_balances ADD COLUMN quota_free BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stock_reservation_lines ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE stock_reservation_lines ADD COLUMN from_quota BIGINT NOT NULL DEFAULT 0;

CREATE TABLE stock_channel_quotas (
    tenant_id   TEXT NOT NULL,
    location_id TEXT NOT NULL,
    sku_id      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    quota       BIGINT NOT NULL CHECK (quota >= 0),
    used        BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, location_id, sku_id, channel)
);

-- +goose Down
DROP TABLE stock_channel_quotas;
ALTER TABLE stock_reservation_lines DROP COLUMN from_quota;
ALTER TABLE stock_reservation_lines DROP COLUMN channel;
ALTER TABLE stock_balances DROP COLUMN quota_free;
