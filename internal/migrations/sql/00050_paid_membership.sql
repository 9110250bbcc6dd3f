-- Paid membership (issue 13 scope 3, docs/loyalty.md "Paid membership", decision
-- 0032). membership_plans: paid membership plans (fee per month or year, points
-- multiplier, rebate in basis points of eligible spend with a yearly cap, credited as
-- stored value). memberships: one row per purchased period (a renewal starts at the
-- current end); reference unique per tenant makes a purchase replayable.
-- membership_rebates: the rebate an order earned, once per order, and how much of
-- the order was refunded and of the rebate taken back since.

-- +goose Up
CREATE TABLE membership_plans (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    period         TEXT NOT NULL,
    fee_fen        BIGINT NOT NULL CHECK (fee_fen >= 0),
    multiplier_bp  BIGINT NOT NULL CHECK (multiplier_bp > 0),
    rebate_bp      BIGINT NOT NULL CHECK (rebate_bp >= 0),
    rebate_cap_fen BIGINT NOT NULL CHECK (rebate_cap_fen >= 0),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE memberships (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_id TEXT NOT NULL,
    plan_id     TEXT NOT NULL REFERENCES membership_plans (id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    fee_fen     BIGINT NOT NULL,
    method      TEXT NOT NULL,
    reference   TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, reference),
    CHECK (ends_at > starts_at)
);
CREATE INDEX memberships_customer ON memberships (tenant_id, customer_id, ends_at);

CREATE TABLE membership_rebates (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    order_id      TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    plan_id       TEXT NOT NULL,
    year          BIGINT NOT NULL,
    eligible_fen  BIGINT NOT NULL,
    rebate_fen    BIGINT NOT NULL,
    entry_id      TEXT NOT NULL DEFAULT '',
    refunded_fen  BIGINT NOT NULL DEFAULT 0,
    reversed_fen  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id)
);
CREATE INDEX membership_rebates_year ON membership_rebates (tenant_id, customer_id, year);

-- +goose Down
DROP TABLE membership_rebates;
DROP TABLE memberships;
DROP TABLE membership_plans;
