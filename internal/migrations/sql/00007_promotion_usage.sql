-- Promotion budgets, usage limits and redemptions at order commit, and simulation
-- over imported baskets (issue 5).
--
-- promotion_limits holds a promotion's optional limits (NULL: unlimited) and
-- promotion_usage its running totals; a redemption moves the totals with one
-- conditional UPDATE so that concurrent commits never overrun a limit.
-- promotion_customer_usage counts uses and flash-sale units per customer.
-- promotion_redemption_orders makes a commit idempotent by order id;
-- promotion_redemptions are its lines, one per promotion.

-- +goose Up
CREATE TABLE promotion_limits (
    tenant_id             TEXT NOT NULL,
    promotion_id          TEXT NOT NULL,
    budget_fen            BIGINT,
    max_uses              BIGINT,
    max_uses_per_customer BIGINT,
    PRIMARY KEY (tenant_id, promotion_id)
);

CREATE TABLE promotion_usage (
    tenant_id    TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    discount_fen BIGINT NOT NULL,
    uses         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, promotion_id)
);

CREATE TABLE promotion_customer_usage (
    tenant_id    TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    uses         BIGINT NOT NULL,
    flash_units  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, promotion_id)
);

CREATE TABLE promotion_redemption_orders (
    tenant_id    TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('committed', 'cancelled')),
    created_at   BIGINT NOT NULL,
    cancelled_at BIGINT,
    PRIMARY KEY (tenant_id, order_id)
);

CREATE TABLE promotion_redemptions (
    tenant_id    TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    discount_fen BIGINT NOT NULL,
    flash_units  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, promotion_id)
);

CREATE TABLE basket_sets (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    name           TEXT NOT NULL,
    orders         BIGINT NOT NULL,
    lines          BIGINT NOT NULL,
    first_order_at BIGINT,
    last_order_at  BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX basket_sets_tenant ON basket_sets (tenant_id, id);

-- basket_chunks hold a basket file's lines, in file order, in chunks of up to 2,000
-- lines encoded as JSON arrays (one row per line was too slow for a 32 MiB file); a
-- simulation reads a whole set, filtering by the chunk's time span.
CREATE TABLE basket_chunks (
    basket_set_id TEXT NOT NULL,
    chunk_no      BIGINT NOT NULL,
    first_at      BIGINT NOT NULL,
    last_at       BIGINT NOT NULL,
    lines         TEXT NOT NULL,
    PRIMARY KEY (basket_set_id, chunk_no)
);

CREATE TABLE promotion_simulations (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    basket_set_id TEXT NOT NULL,
    report        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE promotion_simulations;
DROP TABLE basket_chunks;
DROP TABLE basket_sets;
DROP TABLE promotion_redemptions;
DROP TABLE promotion_redemption_orders;
DROP TABLE promotion_customer_usage;
DROP TABLE promotion_usage;
DROP TABLE promotion_limits;
