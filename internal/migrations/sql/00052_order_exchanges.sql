-- Exchanges of completed orders (issue 12 scope 1, docs/orders.md "Exchanges"): an
-- exchange returns units of some lines and adds new lines in their place; each new
-- line's exchange_for names the returned line it was added for. Its price is the
-- store's (no promotion shares); the change set (order_changes.detail) holds the
-- items added and what the customer paid on top.

-- +goose Up
ALTER TABLE order_lines ADD COLUMN exchange_for TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN exchange_for;
