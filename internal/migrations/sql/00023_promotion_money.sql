-- The server decides money (issue 10 finding 7, decision 0012).
--
-- A promotion's limits move from promotion_limits onto its promotion_usage row, so
-- that the conditional UPDATE consuming a budget or a use reads the limit from the
-- very row it updates: on PostgreSQL a writer that waited for the row re-checks the
-- limit its predecessor left, and a budget lowered concurrently is never overrun.
-- version grows with every change of a promotion's status or limits; a commit that
-- read the status or the per-customer limit earlier in its transaction checks in
-- that same UPDATE that neither changed. Every promotion has a usage row (older ones
-- had none until first used).
-- oneretail:keeps promotion_limits copied onto promotion_usage (budget_fen, max_uses, max_uses_per_customer) before it is dropped
--
-- A redemption keeps what the server priced: the order's time, store, totals and
-- the priced-cart token it came from (one order per token);
-- promotion_redemption_lines the cart lines with their nets and
-- promotion_redemption_shares each promotion's share of each line and the line
-- amounts a threshold was measured on (basis), so that a return quote uses what was
-- frozen at sale time. promotion_redemptions.value_fen is what a promotion charged to
-- its budget (the discount, or a gift's value), kind its type and definition the
-- threshold definition as it was. Redemptions recorded before this migration have
-- priced = FALSE and no lines: a return quote answers 409 for them.

-- +goose Up
ALTER TABLE promotion_usage ADD COLUMN budget_fen BIGINT;
ALTER TABLE promotion_usage ADD COLUMN max_uses BIGINT;
ALTER TABLE promotion_usage ADD COLUMN max_uses_per_customer BIGINT;
ALTER TABLE promotion_usage ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

INSERT INTO promotion_usage (tenant_id, promotion_id, discount_fen, uses)
SELECT p.tenant_id, p.id, 0, 0 FROM promotions p
WHERE NOT EXISTS (SELECT 1 FROM promotion_usage u WHERE u.tenant_id = p.tenant_id AND u.promotion_id = p.id);

UPDATE promotion_usage SET
    budget_fen = (SELECT l.budget_fen FROM promotion_limits l
        WHERE l.tenant_id = promotion_usage.tenant_id AND l.promotion_id = promotion_usage.promotion_id),
    max_uses = (SELECT l.max_uses FROM promotion_limits l
        WHERE l.tenant_id = promotion_usage.tenant_id AND l.promotion_id = promotion_usage.promotion_id),
    max_uses_per_customer = (SELECT l.max_uses_per_customer FROM promotion_limits l
        WHERE l.tenant_id = promotion_usage.tenant_id AND l.promotion_id = promotion_usage.promotion_id);

DROP TABLE promotion_limits;

ALTER TABLE promotion_redemption_orders ADD COLUMN priced BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE promotion_redemption_orders ADD COLUMN ordered_at BIGINT;
ALTER TABLE promotion_redemption_orders ADD COLUMN store_id TEXT NOT NULL DEFAULT '';
ALTER TABLE promotion_redemption_orders ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE promotion_redemption_orders ADD COLUMN subtotal_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemption_orders ADD COLUMN discount_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemption_orders ADD COLUMN delivery_fee_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemption_orders ADD COLUMN delivery_discount_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemption_orders ADD COLUMN payable_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemption_orders ADD COLUMN token_id TEXT;
CREATE UNIQUE INDEX promotion_redemption_orders_token ON promotion_redemption_orders (tenant_id, token_id)
    WHERE token_id IS NOT NULL;

ALTER TABLE promotion_redemptions ADD COLUMN value_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_redemptions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE promotion_redemptions ADD COLUMN definition TEXT;
UPDATE promotion_redemptions SET value_fen = discount_fen;

CREATE TABLE promotion_redemption_lines (
    tenant_id      TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    line_id        TEXT NOT NULL,
    sku            TEXT NOT NULL,
    unit           TEXT NOT NULL,
    qty            BIGINT NOT NULL,
    unit_price_fen BIGINT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    net_fen        BIGINT NOT NULL,
    gift_of        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, order_id, line_id)
);

CREATE TABLE promotion_redemption_shares (
    tenant_id    TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    line_id      TEXT NOT NULL,
    discount_fen BIGINT NOT NULL,
    basis_fen    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, promotion_id, line_id)
);

-- +goose Down
DROP TABLE promotion_redemption_shares;
DROP TABLE promotion_redemption_lines;
ALTER TABLE promotion_redemptions DROP COLUMN definition;
ALTER TABLE promotion_redemptions DROP COLUMN kind;
ALTER TABLE promotion_redemptions DROP COLUMN value_fen;
DROP INDEX promotion_redemption_orders_token;
ALTER TABLE promotion_redemption_orders DROP COLUMN token_id;
ALTER TABLE promotion_redemption_orders DROP COLUMN payable_fen;
ALTER TABLE promotion_redemption_orders DROP COLUMN delivery_discount_fen;
ALTER TABLE promotion_redemption_orders DROP COLUMN delivery_fee_fen;
ALTER TABLE promotion_redemption_orders DROP COLUMN discount_fen;
ALTER TABLE promotion_redemption_orders DROP COLUMN subtotal_fen;
ALTER TABLE promotion_redemption_orders DROP COLUMN channel;
ALTER TABLE promotion_redemption_orders DROP COLUMN store_id;
ALTER TABLE promotion_redemption_orders DROP COLUMN ordered_at;
ALTER TABLE promotion_redemption_orders DROP COLUMN priced;
CREATE TABLE promotion_limits (
    tenant_id             TEXT NOT NULL,
    promotion_id          TEXT NOT NULL,
    budget_fen            BIGINT,
    max_uses              BIGINT,
    max_uses_per_customer BIGINT,
    PRIMARY KEY (tenant_id, promotion_id)
);
INSERT INTO promotion_limits (tenant_id, promotion_id, budget_fen, max_uses, max_uses_per_customer)
SELECT tenant_id, promotion_id, budget_fen, max_uses, max_uses_per_customer FROM promotion_usage;
ALTER TABLE promotion_usage DROP COLUMN version;
ALTER TABLE promotion_usage DROP COLUMN max_uses_per_customer;
ALTER TABLE promotion_usage DROP COLUMN max_uses;
ALTER TABLE promotion_usage DROP COLUMN budget_fen;
