-- Usage of promotions without a total limit, spread over shards (issue 12: online
-- orders at 500/s on PostgreSQL). Every order that used a promotion added its discount
-- to the promotion's one promotion_usage row, so all orders using a chain-wide 满减
-- waited for each other on that row's lock. A promotion without a budget or a use
-- limit needs no check against its total, so a commit now adds to one of 16 shard
-- rows (by the order id) while holding a share lock on the usage row, which keeps
-- status and limit changes ordered with it: setting a limit takes the row exclusively,
-- waits for those commits, and folds the shards back into the row. A promotion's usage
-- is its row plus its shards. Nothing to migrate: existing usage stays on the row.

-- +goose Up
CREATE TABLE promotion_usage_shards (
    tenant_id    TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    shard        INTEGER NOT NULL,
    discount_fen BIGINT NOT NULL DEFAULT 0,
    uses         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, promotion_id, shard)
);

-- +goose Down
DROP TABLE promotion_usage_shards;
