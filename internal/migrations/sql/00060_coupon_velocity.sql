-- Coupon anti-abuse velocity rules (issue 13 item 4, docs/loyalty.md "Anti-abuse
-- velocity rules", decision 0045): flag or block coupon farming (羊毛党) by how many
-- distinct customers use coupons of one template from one device, delivery
-- address, phone or payment account within a window.
--
-- coupon_velocity_rules: one rule per (tenant, template, dimension); template_id ''
-- is the tenant's default for templates without their own rule of that dimension.
--
-- coupon_velocity_keys: one row per (tenant, template, dimension, value hash). A
-- check upserts it first, which locks it until the transaction ends: checks of one
-- device (address…) against one template run one at a time, so N parallel locks
-- against a threshold of T let exactly T distinct customers through.
--
-- coupon_velocity_hits: when each customer last used a coupon of the template with
-- the value; the count of distinct customers in a window reads it.
--
-- coupon_velocity_flags: a use past a flag rule's threshold, for review (open,
-- dismissed, confirmed); at most one open flag per (template, dimension, value,
-- customer). A confirmed flag bars its customer from coupons of its template.
--
-- Values are never stored: value_hash is the platform's keyed blind index
-- (pii.Keys.Index) of the normalised value.

-- +goose Up
CREATE TABLE coupon_velocity_rules (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    template_id    TEXT NOT NULL DEFAULT '',
    dimension      TEXT NOT NULL CHECK (dimension IN ('device', 'address', 'phone', 'payment_account')),
    window_seconds BIGINT NOT NULL CHECK (window_seconds > 0),
    threshold      INTEGER NOT NULL CHECK (threshold >= 1),
    action         TEXT NOT NULL CHECK (action IN ('flag', 'block')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX coupon_velocity_rules_key ON coupon_velocity_rules (tenant_id, template_id, dimension);

CREATE TABLE coupon_velocity_keys (
    tenant_id   TEXT NOT NULL,
    template_id TEXT NOT NULL,
    dimension   TEXT NOT NULL,
    value_hash  TEXT NOT NULL,
    touched_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, template_id, dimension, value_hash)
);

CREATE TABLE coupon_velocity_hits (
    tenant_id   TEXT NOT NULL,
    template_id TEXT NOT NULL,
    dimension   TEXT NOT NULL,
    value_hash  TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, template_id, dimension, value_hash, customer_id)
);
CREATE INDEX coupon_velocity_hits_due ON coupon_velocity_hits (last_at);
CREATE INDEX coupon_velocity_keys_due ON coupon_velocity_keys (touched_at);

CREATE TABLE coupon_velocity_flags (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    template_id    TEXT NOT NULL,
    rule_id        TEXT NOT NULL,
    dimension      TEXT NOT NULL,
    value_hash     TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    coupon_id      TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    customers      INTEGER NOT NULL,
    threshold      INTEGER NOT NULL,
    window_seconds BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'dismissed', 'confirmed')),
    note           TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT NOT NULL DEFAULT '',
    reviewed_at    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX coupon_velocity_flags_open ON coupon_velocity_flags (tenant_id, template_id, dimension, value_hash, customer_id)
    WHERE status = 'open';
CREATE INDEX coupon_velocity_flags_status ON coupon_velocity_flags (tenant_id, status, id);
CREATE INDEX coupon_velocity_flags_customer ON coupon_velocity_flags (tenant_id, template_id, customer_id, status);

-- +goose Down
DROP TABLE coupon_velocity_flags;
DROP TABLE coupon_velocity_hits;
DROP TABLE coupon_velocity_keys;
DROP TABLE coupon_velocity_rules;
