-- Inventory (issue 12 scope 5 and 6, docs/inventory.md): stock per location and SKU,
-- a ledger every balance rebuilds from, and reservations that never oversell.
--
-- stock_locations are the places that hold stock: a store (store_id set), a front
-- warehouse or a city/central warehouse. allow_negative says whether a sale that
-- already happened at the till may take on_hand below zero (it is recorded, never
-- refused); online reservations never may. Codes are unique regardless of case, like
-- every business code (00033).
--
-- stock_balances holds one row per location and SKU: on_hand, reserved and
-- safety_stock; available = on_hand - reserved - safety_stock. A reservation is one
-- conditional UPDATE of this row (available >= qty in its WHERE), so concurrent
-- reservations of the last units cannot both succeed: PostgreSQL re-checks the WHERE
-- on the row its predecessor committed, SQLite has one writer.
--
-- stock_movements is the ledger: every change of on_hand or reserved is one row with
-- both deltas and who made it (actor_id: a user, an API key, or "system");
-- summing a location's and SKU's rows gives its balance exactly.
--
-- stock_reservations (one per reference, e.g. an order) and their lines: active until
-- committed (payment converts them to a sale), released (cancel) or expired. Lines
-- have no tenant_id and go with their reservation (ON DELETE CASCADE), as
-- db.DeleteTenant expects.

-- +goose Up
CREATE TABLE stock_locations (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('store', 'front_warehouse', 'warehouse')),
    store_id       TEXT REFERENCES stores (id),
    allow_negative BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX stock_locations_code ON stock_locations (tenant_id, lower(code));
CREATE UNIQUE INDEX stock_locations_store ON stock_locations (tenant_id, store_id) WHERE store_id IS NOT NULL;

CREATE TABLE stock_balances (
    tenant_id    TEXT NOT NULL,
    location_id  TEXT NOT NULL REFERENCES stock_locations (id),
    sku_id       TEXT NOT NULL REFERENCES skus (id),
    on_hand      BIGINT NOT NULL DEFAULT 0,
    reserved     BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    safety_stock BIGINT NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, location_id, sku_id)
);
CREATE INDEX stock_balances_sku ON stock_balances (tenant_id, sku_id);

CREATE TABLE stock_movements (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    location_id    TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    on_hand_delta  BIGINT NOT NULL,
    reserved_delta BIGINT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    actor_id       TEXT NOT NULL DEFAULT '',
    occurred_at    BIGINT NOT NULL
);
CREATE INDEX stock_movements_balance ON stock_movements (tenant_id, location_id, sku_id, occurred_at);
CREATE INDEX stock_movements_reference ON stock_movements (tenant_id, reference);

CREATE TABLE stock_reservations (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    reference  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX stock_reservations_reference ON stock_reservations (tenant_id, reference);
CREATE INDEX stock_reservations_due ON stock_reservations (status, expires_at);

CREATE TABLE stock_reservation_lines (
    reservation_id TEXT NOT NULL REFERENCES stock_reservations (id) ON DELETE CASCADE,
    location_id    TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    qty            BIGINT NOT NULL CHECK (qty > 0),
    PRIMARY KEY (reservation_id, location_id, sku_id)
);

-- +goose Down
DROP TABLE stock_reservation_lines;
DROP TABLE stock_reservations;
DROP TABLE stock_movements;
DROP TABLE stock_balances;
DROP TABLE stock_locations;
