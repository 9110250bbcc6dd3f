-- The order center (issue 12 scopes 1–4, docs/orders.md): every channel's orders in
-- one model.
--
-- orders: one row per order of any channel. external_ref is the channel's own id (a
-- POS ticket number, a platform order id, the client's order reference) and is unique
-- per channel, so a replayed upload or notification finds the order it made. Money is
-- in fen and decided by the server: subtotal, discount, delivery fee and its discount,
-- payable; paid and refunded accumulate. buyer_sealed holds the identifiers the buyer
-- came with and receiver_sealed the delivery name, phone and address (JSON, sealed
-- with the personal-data key). version counts confirmed changes.
--
-- order_lines keep each line as sold: the SKU (its code and name as they were), list
-- price, quantity (units, or grams for weighed goods), amount, discount and net;
-- returned_qty grows with returns; location_id is where the line is fulfilled from.
-- order_line_discounts freeze each promotion's share of a line's discount at sale
-- time: returns refund from them, never from today's promotions.
-- order_payments are payments and refunds (kind), order_timeline every transition,
-- order_changes the confirmed change sets (returns, short picks, cancellations) with
-- what they refunded and restocked, order_exceptions the differences between what a
-- channel stated and what the server priced (kept, never trusted, never rejected),
-- order_complaints after-sales cases with their deadline, and order_inbox every
-- channel notification received: accepted (with the order it made) or refused (with
-- the reason and the payload, sealed, for inspection). replay_key refuses a
-- notification seen before.

-- +goose Up
CREATE TABLE orders (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id),
    number                TEXT NOT NULL,
    channel               TEXT NOT NULL,
    external_ref          TEXT NOT NULL DEFAULT '',
    store_id              TEXT NOT NULL DEFAULT '',
    customer_id           TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    fulfilment            TEXT NOT NULL,
    time_zone             TEXT NOT NULL DEFAULT '',
    currency              TEXT NOT NULL DEFAULT 'CNY',
    subtotal_fen          BIGINT NOT NULL,
    discount_fen          BIGINT NOT NULL,
    delivery_fee_fen      BIGINT NOT NULL DEFAULT 0,
    delivery_discount_fen BIGINT NOT NULL DEFAULT 0,
    payable_fen           BIGINT NOT NULL,
    paid_fen              BIGINT NOT NULL DEFAULT 0,
    refunded_fen          BIGINT NOT NULL DEFAULT 0,
    buyer_sealed          TEXT NOT NULL DEFAULT '',
    receiver_sealed       TEXT NOT NULL DEFAULT '',
    routing               TEXT NOT NULL DEFAULT '',
    placed_at             BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    version               BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX orders_external ON orders (tenant_id, channel, external_ref) WHERE external_ref <> '';
CREATE UNIQUE INDEX orders_number ON orders (tenant_id, number);
CREATE INDEX orders_placed ON orders (tenant_id, placed_at, id);
CREATE INDEX orders_store ON orders (tenant_id, store_id, placed_at);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id, placed_at);
CREATE INDEX orders_status ON orders (tenant_id, status, placed_at);
CREATE INDEX orders_unpaid ON orders (status, created_at);

CREATE TABLE order_lines (
    tenant_id      TEXT NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    line_id        TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    sku_code       TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL DEFAULT '',
    unit           TEXT NOT NULL CHECK (unit IN ('each', 'weight')),
    qty            BIGINT NOT NULL CHECK (qty > 0),
    unit_price_fen BIGINT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    discount_fen   BIGINT NOT NULL,
    net_fen        BIGINT NOT NULL,
    gift_of        TEXT NOT NULL DEFAULT '',
    location_id    TEXT NOT NULL DEFAULT '',
    returned_qty   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_id)
);
CREATE INDEX order_lines_sku ON order_lines (tenant_id, sku_id);

CREATE TABLE order_line_discounts (
    tenant_id    TEXT NOT NULL,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    line_id      TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    discount_fen BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_id, promotion_id)
);

CREATE TABLE order_payments (
    tenant_id  TEXT NOT NULL,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    method     TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    reference  TEXT NOT NULL DEFAULT '',
    change_id  TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE order_timeline (
    tenant_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    actor_id    TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE order_changes (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    order_id      TEXT NOT NULL REFERENCES orders (id),
    version       BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    reference     TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL,
    refund_fen    BIGINT NOT NULL DEFAULT 0,
    actor_id      TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (order_id, version)
);
CREATE UNIQUE INDEX order_changes_reference ON order_changes (order_id, reference) WHERE reference <> '';

CREATE TABLE order_exceptions (
    tenant_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    stated_fen  BIGINT NOT NULL,
    server_fen  BIGINT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (order_id, seq)
);
CREATE INDEX order_exceptions_tenant ON order_exceptions (tenant_id, created_at);

CREATE TABLE order_complaints (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    kind        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('open', 'responded', 'resolved')),
    resolution  TEXT NOT NULL DEFAULT '',
    due_at      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX order_complaints_open ON order_complaints (tenant_id, status, due_at);
CREATE INDEX order_complaints_order ON order_complaints (order_id);

CREATE TABLE order_inbox (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    platform    TEXT NOT NULL,
    replay_key  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'refused')),
    reason      TEXT NOT NULL DEFAULT '',
    order_id    TEXT NOT NULL DEFAULT '',
    payload     TEXT NOT NULL DEFAULT '',
    received_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_inbox_replay ON order_inbox (tenant_id, platform, replay_key) WHERE status = 'accepted';
CREATE INDEX order_inbox_received ON order_inbox (tenant_id, received_at);

-- +goose Down
DROP TABLE order_inbox;
DROP TABLE order_complaints;
DROP TABLE order_exceptions;
DROP TABLE order_changes;
DROP TABLE order_timeline;
DROP TABLE order_payments;
DROP TABLE order_line_discounts;
DROP TABLE order_lines;
DROP TABLE orders;
