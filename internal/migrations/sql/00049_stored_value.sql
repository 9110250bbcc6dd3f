-- Stored value and gift cards (issue 13 scope 3, docs/loyalty.md
-- "Stored value and gift cards", decision 0032).
--
-- sv_settings: a tenant's per-card caps (anonymous and registered prepaid cards;
-- defaults ¥1,000 and ¥5,000 when the tenant has no row). sv_accounts: a registered
-- customer's stored-value account, one per customer in the tenant; balance_fen is
-- kept in the transaction of every posting under the account's row lock, never
-- negative, and equals the sum of its entries. gift_card_batches / gift_cards: cards
-- issued in batches with a unique code (with a check character) and a hashed PIN;
-- a card is issued, then active once sold (its face value loaded); customer_id binds
-- it to a customer (a registered card, with the registered cap); failed_attempts and
-- locked_until lock a card after repeated wrong PINs. sv_entries is the one
-- append-only ledger of both: holder is an account or a card id, amount_fen signed,
-- source_key unique per tenant so a replayed top-up, spend, refund or rebate posts
-- nothing.

-- +goose Up
CREATE TABLE sv_settings (
    tenant_id              TEXT PRIMARY KEY REFERENCES tenants (id),
    anonymous_card_cap_fen BIGINT NOT NULL CHECK (anonymous_card_cap_fen > 0),
    registered_cap_fen     BIGINT NOT NULL CHECK (registered_cap_fen > 0),
    updated_at             BIGINT NOT NULL
);

CREATE TABLE sv_accounts (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_id TEXT NOT NULL,
    balance_fen BIGINT NOT NULL DEFAULT 0 CHECK (balance_fen >= 0),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, customer_id)
);

CREATE TABLE gift_card_batches (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    name           TEXT NOT NULL,
    face_value_fen BIGINT NOT NULL CHECK (face_value_fen >= 0),
    quantity       BIGINT NOT NULL CHECK (quantity > 0),
    registered     BOOLEAN NOT NULL DEFAULT FALSE,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE INDEX gift_card_batches_tenant ON gift_card_batches (tenant_id, created_at);

CREATE TABLE gift_cards (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    batch_id        TEXT NOT NULL REFERENCES gift_card_batches (id),
    code            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    status          TEXT NOT NULL,
    customer_id     TEXT NOT NULL DEFAULT '',
    balance_fen     BIGINT NOT NULL DEFAULT 0 CHECK (balance_fen >= 0),
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    activated_at    BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX gift_cards_batch ON gift_cards (batch_id, code);
CREATE INDEX gift_cards_customer ON gift_cards (tenant_id, customer_id);

CREATE TABLE sv_entries (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    holder_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    balance_fen BIGINT NOT NULL CHECK (balance_fen >= 0),
    source_key  TEXT NOT NULL,
    order_id    TEXT NOT NULL DEFAULT '',
    store_id    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, source_key)
);
CREATE INDEX sv_entries_holder ON sv_entries (holder_id, id);
CREATE INDEX sv_entries_order ON sv_entries (tenant_id, order_id);

-- +goose Down
DROP TABLE sv_entries;
DROP TABLE gift_cards;
DROP TABLE gift_card_batches;
DROP TABLE sv_accounts;
DROP TABLE sv_settings;
