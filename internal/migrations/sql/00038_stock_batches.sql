-- Batches (lots) with expiry dates for fresh goods (issue 12 scope 5, docs/inventory.md).
--
-- stock_batches holds what is left of each batch received at a location: its code, the
-- expiry date as written on the goods (expires_on, YYYY-MM-DD, the last day it may be
-- sold) and expires_at, the first instant it may not (midnight after expires_on in the
-- location's time zone, fixed at receipt). A batch never goes below zero.
--
-- stock_balances.batch_qty is the sum of the balance's batches; on_hand - batch_qty is
-- the untracked remainder (stock received without a batch, returns, counted surplus,
-- and till sales beyond the books, which take it negative). So batches and the
-- remainder always sum to on_hand.
--
-- stock_movement_batches says which batches a movement took or added (qty signed, as
-- the movement's on_hand_delta); summing a batch's rows gives its on_hand, summing a
-- balance's rows gives batch_qty, so batches rebuild from the ledger like balances.

-- +goose Up
ALTER TABLE stock_balances ADD COLUMN batch_qty BIGINT NOT NULL DEFAULT 0;

CREATE TABLE stock_batches (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    location_id    TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    code           TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    on_hand        BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    received_at    BIGINT NOT NULL,
    written_off_at BIGINT
);
CREATE UNIQUE INDEX stock_batches_code ON stock_batches (tenant_id, location_id, sku_id, code);
CREATE INDEX stock_batches_fefo ON stock_batches (tenant_id, location_id, expires_at) WHERE on_hand > 0;
CREATE INDEX stock_batches_due ON stock_batches (expires_at) WHERE on_hand > 0;

CREATE TABLE stock_movement_batches (
    tenant_id   TEXT NOT NULL,
    movement_id TEXT NOT NULL,
    batch_id    TEXT NOT NULL,
    qty         BIGINT NOT NULL,
    PRIMARY KEY (movement_id, batch_id)
);
CREATE INDEX stock_movement_batches_batch ON stock_movement_batches (batch_id);

-- +goose Down
DROP TABLE stock_movement_batches;
DROP TABLE stock_batches;
ALTER TABLE stock_balances DROP COLUMN batch_qty;
