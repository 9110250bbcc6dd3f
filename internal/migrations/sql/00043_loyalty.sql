-- Loyalty (issue 13 scopes 1–2, docs/loyalty.md): programs, tiers, members and the
-- points ledger.
--
-- loyalty_programs: one per brand, or shared by every brand (brand_ids '[]'); the
-- earning rule (points and growth per yuan of net paid, a cap per order, excluded
-- categories), member days (weekday → multiplier in basis points, JSON), the pending
-- period, the expiry policy and the time zone expiry days end in. loyalty_tiers: a
-- program's tiers, each with the growth that reaches it and its points multiplier.
-- loyalty_members: who joined which program, how (explicit or order), their growth
-- and current tier.
--
-- The points ledger. loyalty_entries is append-only: every posting (earn, redeem,
-- reverse, expire, adjust, and transfer when One ID merges two members) with its
-- signed points; source_key (unique per tenant)
-- makes each posting idempotent: an order's earn per rule, a return per order
-- change version, a lot's expiry, a caller's redemption reference. loyalty_lots are
-- what earns and positive adjustments create: the points, when they become available
-- (the pending period) and when they expire; remaining is what is left of the lot,
-- kept in the transaction of every posting, and loyalty_entry_lots (append-only)
-- says which lots each posting took from, so remaining = points + the sum of its
-- allocations and a member's balance = the sum of its entries = the sum of its lots'
-- remaining. loyalty_order_earns remembers what an order earned on (its eligible
-- lines and base) so a later return reverses the right share, cumulatively.

-- +goose Up
CREATE TABLE loyalty_programs (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    brand_ids            TEXT NOT NULL DEFAULT '[]',
    points_per_yuan      BIGINT NOT NULL CHECK (points_per_yuan >= 0),
    growth_per_yuan      BIGINT NOT NULL CHECK (growth_per_yuan >= 0),
    max_points_per_order BIGINT NOT NULL DEFAULT 0 CHECK (max_points_per_order >= 0),
    excluded_categories  TEXT NOT NULL DEFAULT '[]',
    member_days          TEXT NOT NULL DEFAULT '[]',
    pending_days         INTEGER NOT NULL DEFAULT 0 CHECK (pending_days >= 0),
    expiry_kind          TEXT NOT NULL CHECK (expiry_kind IN ('never', 'days', 'end_of_next_year')),
    expiry_days          INTEGER NOT NULL DEFAULT 0 CHECK (expiry_days >= 0),
    time_zone            TEXT NOT NULL,
    auto_enrol           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX loyalty_programs_code ON loyalty_programs (tenant_id, code);

CREATE TABLE loyalty_tiers (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    program_id    TEXT NOT NULL REFERENCES loyalty_programs (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    threshold     BIGINT NOT NULL CHECK (threshold >= 0),
    multiplier_bp BIGINT NOT NULL CHECK (multiplier_bp > 0),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX loyalty_tiers_code ON loyalty_tiers (program_id, code);
CREATE UNIQUE INDEX loyalty_tiers_threshold ON loyalty_tiers (program_id, threshold);
CREATE INDEX loyalty_tiers_tenant ON loyalty_tiers (tenant_id);

CREATE TABLE loyalty_members (
    tenant_id   TEXT NOT NULL,
    program_id  TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id TEXT NOT NULL,
    tier_id     TEXT NOT NULL DEFAULT '',
    growth      BIGINT NOT NULL DEFAULT 0,
    source      TEXT NOT NULL CHECK (source IN ('explicit', 'order')),
    enrolled_at BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, customer_id)
);
CREATE INDEX loyalty_members_customer ON loyalty_members (tenant_id, customer_id);

CREATE TABLE loyalty_entries (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    program_id  TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'reverse', 'expire', 'adjust', 'transfer')),
    points      BIGINT NOT NULL,
    shortfall   BIGINT NOT NULL DEFAULT 0,
    source_key  TEXT NOT NULL,
    order_id    TEXT NOT NULL DEFAULT '',
    store_id    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX loyalty_entries_source ON loyalty_entries (tenant_id, source_key);
CREATE INDEX loyalty_entries_member ON loyalty_entries (program_id, customer_id, created_at, id);
CREATE INDEX loyalty_entries_tenant ON loyalty_entries (tenant_id);

CREATE TABLE loyalty_lots (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    program_id   TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id  TEXT NOT NULL,
    entry_id     TEXT NOT NULL REFERENCES loyalty_entries (id),
    points       BIGINT NOT NULL CHECK (points > 0),
    remaining    BIGINT NOT NULL CHECK (remaining >= 0),
    available_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL DEFAULT 0,
    order_id     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    CHECK (remaining <= points)
);
CREATE INDEX loyalty_lots_member ON loyalty_lots (program_id, customer_id, available_at, id);
CREATE INDEX loyalty_lots_expiring ON loyalty_lots (expires_at) WHERE remaining > 0 AND expires_at > 0;
CREATE INDEX loyalty_lots_tenant ON loyalty_lots (tenant_id);

CREATE TABLE loyalty_entry_lots (
    tenant_id TEXT NOT NULL,
    entry_id  TEXT NOT NULL REFERENCES loyalty_entries (id),
    lot_id    TEXT NOT NULL REFERENCES loyalty_lots (id),
    points    BIGINT NOT NULL,
    PRIMARY KEY (entry_id, lot_id)
);
CREATE INDEX loyalty_entry_lots_lot ON loyalty_entry_lots (lot_id);
CREATE INDEX loyalty_entry_lots_tenant ON loyalty_entry_lots (tenant_id);

CREATE TABLE loyalty_order_earns (
    tenant_id       TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    program_id      TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id     TEXT NOT NULL,
    entry_id        TEXT NOT NULL REFERENCES loyalty_entries (id),
    base_fen        BIGINT NOT NULL,
    points          BIGINT NOT NULL,
    growth          BIGINT NOT NULL,
    eligible_lines  TEXT NOT NULL DEFAULT '[]',
    refunded_fen    BIGINT NOT NULL DEFAULT 0,
    reversed_points BIGINT NOT NULL DEFAULT 0,
    reversed_growth BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, program_id)
);

-- +goose Down
DROP TABLE loyalty_order_earns;
DROP TABLE loyalty_entry_lots;
DROP TABLE loyalty_lots;
DROP TABLE loyalty_entries;
DROP TABLE loyalty_members;
DROP TABLE loyalty_tiers;
DROP TABLE loyalty_programs;
