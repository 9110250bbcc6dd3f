-- Identity (C1): touchpoint_days.identified counts the day's stored events that were
-- attached to a customer (they carried a linking identifier) — the "data and quality"
-- side of touchpoint maturity (GET /api/v1/touchpoints/maturity). Days before this
-- migration count none.

-- +goose Up
ALTER TABLE touchpoint_days ADD COLUMN identified BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE touchpoint_days DROP COLUMN identified;
