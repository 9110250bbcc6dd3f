-- Pricing settings per tenant (issue 15): item_stacking is the tenant's rule for
-- item-level promotions on the same unit — 'one_per_unit' (单品促销互斥: a unit takes
-- at most one item-level promotion unless every one involved opts into stacking; the
-- default) or 'stack' (every item-level promotion applies on top of the others, the
-- behaviour before this migration). time_zone is the IANA zone pricing, the calendar
-- and simulations use when the request names no store (a store's own zone comes
-- first). Every existing tenant gets its row, so the default is explicit; a tenant
-- created later without a row reads the same defaults.

-- +goose Up
CREATE TABLE pricing_settings (
    tenant_id     TEXT PRIMARY KEY,
    item_stacking TEXT NOT NULL DEFAULT 'one_per_unit' CHECK (item_stacking IN ('one_per_unit', 'stack')),
    time_zone     TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    updated_at    BIGINT NOT NULL
);

INSERT INTO pricing_settings (tenant_id, item_stacking, time_zone, updated_at)
SELECT id, 'one_per_unit', 'Asia/Shanghai', created_at FROM tenants;

-- +goose Down
DROP TABLE pricing_settings;
