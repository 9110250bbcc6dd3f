-- Coupons (issue 13 scope 4, docs/loyalty.md "Coupons", decision 0031).
--
-- coupon_templates: what a coupon gives and who may get it. The discount is the
-- promotion promotion_id of the promotion engine, gated by the internal coupon code
-- promo_code (never shown to shoppers), discount a copy of its definition (JSON)
-- and budget_fen of its budget, for reading templates without the promotion; validity is a fixed window (valid_from,
-- valid_to) or valid_days from issue; per_member_limit and total_limit bound
-- issuance (0: none) and issued counts what was issued, kept in the transaction of
-- every issuance with the template row locked, so both limits hold under
-- concurrency; refund_policy says whether a fully refunded order returns its coupon.
--
-- coupons: one row per issued coupon. code is the unique random code with its check
-- character (unique per tenant); status moves issued → locked (order_id, locked_until)
-- → redeemed, or back to issued (released: a cancelled order, an expired lock, a
-- refund that returns it) and to expired once expires_at passes. source_key makes an
-- issuance replayable: the issue request's key and the position in its list.
--
-- coupon_issues: a bulk (or keyed single) issue request and its progress.

-- +goose Up
CREATE TABLE coupon_templates (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    promotion_id     TEXT NOT NULL,
    promo_code       TEXT NOT NULL,
    discount         TEXT NOT NULL,
    budget_fen       BIGINT,
    valid_from       BIGINT NOT NULL DEFAULT 0,
    valid_to         BIGINT NOT NULL DEFAULT 0,
    valid_days       INTEGER NOT NULL DEFAULT 0 CHECK (valid_days >= 0),
    per_member_limit INTEGER NOT NULL DEFAULT 0 CHECK (per_member_limit >= 0),
    total_limit      BIGINT NOT NULL DEFAULT 0 CHECK (total_limit >= 0),
    issued           BIGINT NOT NULL DEFAULT 0 CHECK (issued >= 0),
    refund_policy    TEXT NOT NULL CHECK (refund_policy IN ('return', 'keep')),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX coupon_templates_code ON coupon_templates (tenant_id, code);
CREATE UNIQUE INDEX coupon_templates_promo_code ON coupon_templates (tenant_id, promo_code);

CREATE TABLE coupon_issues (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    template_id TEXT NOT NULL REFERENCES coupon_templates (id),
    request_key TEXT NOT NULL,
    store_id    TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    issued      BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX coupon_issues_key ON coupon_issues (tenant_id, template_id, request_key);

CREATE TABLE coupons (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    template_id  TEXT NOT NULL REFERENCES coupon_templates (id),
    code         TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('issued', 'locked', 'redeemed', 'expired')),
    valid_from   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    order_id     TEXT NOT NULL DEFAULT '',
    locked_until BIGINT NOT NULL DEFAULT 0,
    redeemed_at  BIGINT NOT NULL DEFAULT 0,
    issue_id     TEXT NOT NULL DEFAULT '',
    source_key   TEXT NOT NULL,
    store_id     TEXT NOT NULL DEFAULT '',
    issued_by    TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX coupons_code ON coupons (tenant_id, code);
CREATE UNIQUE INDEX coupons_source ON coupons (tenant_id, source_key);
CREATE INDEX coupons_member ON coupons (tenant_id, template_id, customer_id);
CREATE INDEX coupons_customer ON coupons (tenant_id, customer_id, status);
CREATE INDEX coupons_order ON coupons (tenant_id, order_id);
CREATE INDEX coupons_due ON coupons (status, expires_at);

-- +goose Down
DROP TABLE coupons;
DROP TABLE coupon_issues;
DROP TABLE coupon_templates;
