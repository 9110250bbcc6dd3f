-- Delivery-platform apps of the order center (issue 12 scope 4, docs/orders-channels.md):
-- one row per platform app a tenant registered. A notification names its app in the
-- path; the app says whose it is and holds the secret its signature is checked with
-- (sealed with the personal-data key, like every secret kept) and, for Meituan, the
-- callback URLs the signature covers, exactly as registered with the platform.

-- +goose Up
CREATE TABLE order_channel_apps (
    platform      TEXT NOT NULL,
    app_id        TEXT NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    secret_sealed TEXT NOT NULL,
    new_order_url TEXT NOT NULL DEFAULT '',
    cancel_url    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (platform, app_id)
);
CREATE INDEX order_channel_apps_tenant ON order_channel_apps (tenant_id);

-- +goose Down
DROP TABLE order_channel_apps;
