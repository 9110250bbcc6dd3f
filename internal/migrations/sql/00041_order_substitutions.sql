-- Substitutions while picking (issue 12 scope 7, docs/orders.md "Substitutions"): a
-- picker replaces units of a line with another SKU. The original line keeps its frozen
-- promotion shares and counts the replaced units in substituted_qty (they are neither
-- picked nor returnable); the substitute is a new line of the order whose
-- substitute_for names the original, priced at what the customer pays for it.

-- +goose Up
ALTER TABLE order_lines ADD COLUMN substituted_qty BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN substitute_for TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN substitute_for;
ALTER TABLE order_lines DROP COLUMN substituted_qty;
